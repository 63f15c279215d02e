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
from parcelguard.documents.models import DocType, Document, DocumentCounter
from parcelguard.evidence.services import evidence_store
from parcelguard.trail.services import trail_append, trail_lock

__all__ = ["DOC_TITLES", "document_issue", "document_number_next", "render_pdf"]

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


def _conf(name: str, default: str) -> str:
    return str(getattr(settings, name, None) or os.environ.get(f"PARCELGUARD_{name}") or default)


def authority() -> str:
    return _conf("DOCUMENT_AUTHORITY", getattr(settings, "PARCELGUARD_AUTHORITY_NAME", "") or "莆田市邮政管理局")


def prefixes() -> dict[str, str]:
    """Per-type prefix; override with settings DOCUMENT_PREFIXES or PARCELGUARD_DOCUMENT_PREFIXES
    ("reminder=提,penalty_decision=罚决")."""
    configured = getattr(settings, "DOCUMENT_PREFIXES", None)
    if configured is None:
        raw = os.environ.get("PARCELGUARD_DOCUMENT_PREFIXES", "")
        configured = dict(p.split("=", 1) for p in raw.split(",") if "=" in p)
    return {**{str(k): v for k, v in DEFAULT_PREFIXES.items()}, **configured}


def format_number(doc_type: str, year: int, seq: int) -> str:
    return f"{_conf('DOCUMENT_AUTHORITY_ABBR', '莆邮管')}{prefixes()[doc_type]}〔{year}〕{seq}号"


def document_number_next(doc_type: str, year: int) -> int:
    """The next sequence number of this type and year. Holds the counter's row lock until the caller's
    transaction ends, so two issuers never get the same number and a rolled-back issue leaves no gap."""
    with transaction.atomic():
        counter = DocumentCounter.objects.select_for_update().filter(doc_type=doc_type, year=year).first()
        if counter is None:
            try:
                with transaction.atomic():
                    counter = DocumentCounter.objects.create(doc_type=doc_type, year=year, last=0)
            except IntegrityError:  # somebody created it meanwhile; wait for their lock
                counter = DocumentCounter.objects.select_for_update().get(doc_type=doc_type, year=year)
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


def _template_context(doc_type: str, context: dict[str, Any], number: str) -> dict[str, Any]:
    ctx: dict[str, Any] = {"defence_days": 5, "payment_days": 15, **context}
    ctx.update(title=DOC_TITLES[DocType(doc_type)], number=number, authority=context.get("authority") or authority())
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


def document_issue(*, actor: Any, doc_type: str, context: dict[str, Any], subject: str) -> Document:
    """Number, render and store one official document for `subject` ("event:42", "case:7").

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
        seq = document_number_next(doc_type, year)
        number = format_number(doc_type, year, seq)
        pdf = render_pdf(f"documents/{doc_type}.html", _template_context(doc_type, context, number))
        evidence = evidence_store(actor=actor, upload=ContentFile(pdf, name=f"{number}.pdf"),
                                  purpose=f"document:{doc_type}")
        document = Document.objects.create(doc_type=doc_type, number=number, year=year, seq=seq, evidence=evidence,
                                           subject=subject, issued_by=actor if getattr(actor, "pk", None) else None,
                                           issued_at=now)
        trail_append(actor=actor, action="document.issue", subject=subject,
                     payload={"doc_type": doc_type, "number": number, "document": document.pk,
                              "evidence": evidence.pk},
                     evidence_hashes=[evidence.sha256])
    return document
