"""Official documents (文书) as PDFs: numbered per type and year, rendered with WeasyPrint in Chinese
official style, stored as evidence and appended to the trail.

Context keys (all optional: a missing value prints as a blank line to fill in by hand). Every type:
    authority        issuing authority, default PARCELGUARD_DOCUMENT_AUTHORITY, else PARCELGUARD_AUTHORITY_NAME
    issue_date       date printed at the foot (default: today, in the official style 二〇二六年…)
    contact_name, contact_phone   the bureau's contact for the party
reminder (提醒函) and rectification (整改通知书):
    enterprise_name, site_name, site_address, found_on (date), hazard_type, hazard_description,
    legal_basis, requirements (what to do; text or list), deadline (date), reply_to (how to answer)
case_filing (立案审批表):
    case_cause (案由), case_source (案件来源), party_name, party_address, legal_representative, credit_code,
    facts (简要案情), legal_basis, handlers (list of names), handler_opinion, department_opinion,
    leader_opinion, filed_on (date)
penalty_notice (行政处罚告知书):
    party_name, party_address, legal_representative, credit_code, facts, evidence_list (list),
    legal_basis (the rule broken), penalty_basis (the rule that sets the penalty), proposed_penalty
    (text), amount (yuan, printed in figures and capital numerals), defence_days (default 5), hearing
    (bool: the party may ask for a hearing)
penalty_decision (行政处罚决定书):
    party_name, party_address, legal_representative, credit_code, facts, evidence_list, defence_summary,
    legal_basis, penalty_basis, penalty (text; an admonition interview when there is no fine), amount,
    payment_days (default 15), payment_account, reconsideration_body, court
reply (检察建议回复函, issued by the bureau to the procuratorate; see oversight.selectors.reply_context):
    addressee (the procuratorate), recommendation_number, recommendation_title, served_on_cn, items (list of
    {position, problem, request, status_text, lines, open_lines, open_until_cn}), summary, rectified, total,
    evidence_count
clue_transfer (线索移送函, issued by the bureau to a partner department; see partners.services.letter_context):
    addressee (the partner), found_by, kind_text, facts, legal_basis, request, deadline (the feedback day),
    evidence_list (list of "name (SHA-256 …)"), source_text, memorandum_text
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string

from parcelguard.core import clock
from parcelguard.core.errors import Invalid
from parcelguard.documents.chinese import amount_in_words, chinese_date
from parcelguard.documents.issuers import Issuer, bureau_issuer
from parcelguard.documents.models import DocType, Document, DocumentCounter
from parcelguard.evidence.services import evidence_store
from parcelguard.trail.services import trail_append, trail_lock

__all__ = ["DOC_TITLES", "authority", "document_issue", "document_number_next", "render_pdf"]

DOC_TITLES = {
    DocType.REMINDER: "提醒函",
    DocType.RECTIFICATION: "整改通知书",
    DocType.CASE_FILING: "立案审批表",
    DocType.PENALTY_NOTICE: "行政处罚告知书",
    DocType.PENALTY_DECISION: "行政处罚决定书",
    DocType.REPLY: "关于检察建议落实情况的回复",
    DocType.CLUE_TRANSFER: "线索移送函",
}
DEFAULT_PREFIXES = {
    DocType.REMINDER: "提", DocType.RECTIFICATION: "整改", DocType.CASE_FILING: "立",
    DocType.PENALTY_NOTICE: "罚告", DocType.PENALTY_DECISION: "罚决", DocType.REPLY: "函",
    DocType.CLUE_TRANSFER: "移",
}


def authority() -> str:
    """The installation's bureau (settings DOCUMENT_AUTHORITY, else PARCELGUARD_AUTHORITY_NAME)."""
    return bureau_issuer().name


def prefixes() -> dict[str, str]:
    """Per-type prefix; override with settings DOCUMENT_PREFIXES or PARCELGUARD_DOCUMENT_PREFIXES
    ("reminder=提,penalty_decision=罚决")."""
    configured = getattr(settings, "DOCUMENT_PREFIXES", None)
    if configured is None:
        raw = os.environ.get("PARCELGUARD_DOCUMENT_PREFIXES", "")
        configured = dict(p.split("=", 1) for p in raw.split(",") if "=" in p)
    return {**{str(k): v for k, v in DEFAULT_PREFIXES.items()}, **configured}


def format_number(doc_type: str, year: int, seq: int, issuer: Issuer | None = None) -> str:
    """文号 in the name of the issuing body: 莆邮管罚决〔2026〕1号, 涵邮安提〔2026〕3号."""
    return f"{(issuer or bureau_issuer()).abbr}{prefixes()[doc_type]}〔{year}〕{seq}号"


def document_number_next(doc_type: str, year: int, issuer_key: str = "") -> int:
    """The next sequence number of this issuing body, type and year. Holds the counter's row lock until the
    caller's transaction ends, so two issuers never get the same number and a rolled-back issue leaves no gap."""
    key = {"issuer": issuer_key, "doc_type": doc_type, "year": year}
    with transaction.atomic():
        counter = DocumentCounter.objects.select_for_update().filter(**key).first()
        if counter is None:
            try:
                with transaction.atomic():
                    counter = DocumentCounter.objects.create(**key, last=0)
            except IntegrityError:  # somebody created it meanwhile; wait for their lock
                counter = DocumentCounter.objects.select_for_update().get(**key)
        counter.last += 1
        counter.save(update_fields=["last"])
        return counter.last


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.astimezone().date() if value.tzinfo else value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value:
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _template_context(doc_type: str, context: dict[str, Any], number: str, issuer: Issuer) -> dict[str, Any]:
    ctx: dict[str, Any] = {"defence_days": 5, "payment_days": 15, "reconsideration_body": issuer.reconsideration_body,
                           "court": issuer.court, "payment_route": issuer.payment, **context}
    ctx.update(title=DOC_TITLES[DocType(doc_type)], number=number, authority=context.get("authority") or issuer.name,
               issuer=issuer, self_ref=issuer.self_ref, bureau=issuer.bureau)
    for key in ("issue_date", "deadline", "found_on", "filed_on"):
        day = _as_date(ctx.get(key)) if key != "issue_date" else (_as_date(ctx.get(key)) or clock.today())
        ctx[f"{key}_cn"] = chinese_date(day) if day else ""
    ctx["amount_cn"] = amount_in_words(ctx.get("amount"))
    for key in ("requirements", "evidence_list", "handlers"):
        value = ctx.get(key)
        if isinstance(value, str):
            ctx[key] = [line for line in value.splitlines() if line.strip()]
    return ctx


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import HTML  # slow import: only when a PDF is made

    for name in ("weasyprint", "weasyprint.progress"):  # step-by-step INFO lines on every PDF
        logging.getLogger(name).setLevel(logging.WARNING)

    html = render_to_string(template, context)
    return bytes(HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf())


def document_issue(*, actor: Any, doc_type: str, context: dict[str, Any], subject: str,
                   issuer: Issuer | None = None) -> Document:
    """Number, render and store one official document for `subject` ("event:42", "case:7"), in the name and
    numbering of `issuer` (default: the bureau; a county centre's letters: `issuers.issuer_for(county)`).

    Returns the Document; its PDF is `document.evidence` (with its SHA-256), and a "document.issue" entry
    on `subject` lists that hash. Raises `Invalid` (code `unknown_document_type`) for an unknown type and
    whatever `evidence_store` raises. Call it inside the transaction of the step that issues it.
    """
    if doc_type not in DocType.values:
        raise Invalid(f"Unknown document type {doc_type!r}.", code="unknown_document_type")
    now = clock.now()
    year = clock.today().year
    with transaction.atomic():
        trail_lock()  # the lock order of every writer: trail first, then the counter row
        issuer = issuer or bureau_issuer()
        seq = document_number_next(doc_type, year, issuer.key)
        number = format_number(doc_type, year, seq, issuer)
        pdf = render_pdf(f"documents/{doc_type}.html", _template_context(doc_type, context, number, issuer))
        evidence = evidence_store(actor=actor, upload=ContentFile(pdf, name=f"{number}.pdf"),
                                  purpose=f"document:{doc_type}")
        document = Document.objects.create(issuer=issuer.key, doc_type=doc_type, number=number, year=year, seq=seq, evidence=evidence,
                                           subject=subject, issued_by=actor if getattr(actor, "pk", None) else None,
                                           issued_at=now)
        trail_append(actor=actor, action="document.issue", subject=subject,
                     payload={"doc_type": doc_type, "number": number, "document": document.pk,
                              "evidence": evidence.pk},
                     evidence_hashes=[evidence.sha256])
    return document
