"""Who issues a document (发文机关): its name, the abbreviation of its numbers (文号), whether it may
enforce, and for a bureau the bodies a party may turn to (复议机关, 管辖法院) and how a fine is paid.

A document is issued in the name and numbering of the body that sends it: the city bureau (市邮政管理局)
numbers "莆邮管罚决〔2026〕1号"; a county safety centre (县区邮政业安全中心) numbers its own letters
("涵邮安提〔2026〕1号") and, having no enforcement power, refers what is not fixed to the bureau.

Everything is configurable per body in settings.DOCUMENT_ISSUERS, keyed by the jurisdiction's code
("350300" the city, "350303" a district; "bureau" for the installation's bureau):
    {"350303": {"name": "涵江区邮政业安全中心", "abbr": "涵邮安"},
     "bureau": {"reconsideration_body": "...", "court": "...", "payment": "..."}}
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings

__all__ = ["BUREAU", "CENTRE", "Issuer", "bureau_issuer", "issuer_for"]

BUREAU, CENTRE = "bureau", "centre"

# The defaults of the installation's bureau (Putian). A decision names the body that reviews it and the
# court a suit goes to: the postal administration is managed vertically, so reconsideration goes to the
# provincial bureau; the court is the basic-level court where the bureau sits. Check both with the
# bureau's legal office and set them in settings.DOCUMENT_ISSUERS["bureau"].
BUREAU_DEFAULTS: dict[str, str] = {
    "reconsideration_body": "福建省邮政管理局",
    "court": "莆田市城厢区人民法院",
    "payment": "通过福建省财政非税收入缴款系统或者到代收罚款的银行网点缴纳，缴款时注明本决定书文号",
}


@dataclass(frozen=True)
class Issuer:
    key: str  # the numbering series: "" for the bureau, the county's code for a centre
    name: str  # printed at the head and above the seal
    abbr: str  # the numbers' prefix: 莆邮管, 涵邮安
    kind: str  # BUREAU or CENTRE
    bureau: str  # the bureau that enforces (the issuer itself for a bureau)
    reconsideration_body: str = ""
    court: str = ""
    payment: str = ""

    @property
    def self_ref(self) -> str:
        """How the document names its issuer in the text: 我局 / 我中心."""
        return "我局" if self.kind == BUREAU else "我中心"

    @property
    def may_enforce(self) -> bool:
        return self.kind == BUREAU


def _configured() -> dict[str, dict[str, Any]]:
    return dict(getattr(settings, "DOCUMENT_ISSUERS", None) or {})


def bureau_issuer() -> Issuer:
    name = str(getattr(settings, "DOCUMENT_AUTHORITY", None) or os.environ.get("PARCELGUARD_DOCUMENT_AUTHORITY")
               or getattr(settings, "PARCELGUARD_AUTHORITY_NAME", "") or "莆田市邮政管理局")
    abbr = str(getattr(settings, "DOCUMENT_AUTHORITY_ABBR", None)
               or os.environ.get("PARCELGUARD_DOCUMENT_AUTHORITY_ABBR") or "莆邮管")
    issuer = Issuer(key="", name=name, abbr=abbr, kind=BUREAU, bureau=name, **BUREAU_DEFAULTS)
    override = {k: v for k, v in _configured().get("bureau", {}).items() if k in BUREAU_DEFAULTS or k in ("name", "abbr")}
    issuer = replace(issuer, **override)
    return replace(issuer, bureau=issuer.name)


def issuer_for(jurisdiction: Any) -> Issuer:
    """The body that issues documents for a jurisdiction: a county/district's safety centre for a county
    (or a grid inside it), the bureau for the city or nothing."""
    from parcelguard.accounts.models import Level

    county = jurisdiction
    while county is not None and county.level == Level.GRID:
        county = county.parent
    bureau = bureau_issuer()
    if county is None or county.level != Level.COUNTY:
        return bureau
    name = f"{county.name}邮政业安全中心"
    issuer = Issuer(key=county.code, name=name, abbr=f"{county.name[0]}邮安", kind=CENTRE, bureau=bureau.name)
    override = {k: v for k, v in _configured().get(county.code, {}).items() if k in ("name", "abbr")}
    return replace(issuer, **override)
