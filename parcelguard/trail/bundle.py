"""Evidence bundles: everything a procurator or a court needs to check one subject's history without
the platform. See docs/trail.md and the verify.py inside every bundle."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone

from parcelguard.accounts.roles import Perm
from parcelguard.accounts.scoping import require
from parcelguard.core import clock
from parcelguard.trail.models import TrailEntry
from parcelguard.trail.services import actor_label, trail_append, trail_for
from parcelguard.trail.signing import fingerprint, public_pem, signing_key

VERIFY_SCRIPT = Path(__file__).with_name("verify_script.py")
_UNSAFE = re.compile(r"[^\w.\-\u4e00-\u9fff]+")

README = """ParcelGuard evidence bundle / 寄递安全监管平台证据包
Subject / 对象: {subject}
Exported / 导出时间: {exported_at} by {exported_by}
Signing key fingerprint / 签名公钥指纹 (SHA-256): {fingerprint}

To check / 校验方法:  pip install cryptography ; python verify.py
Compare the fingerprint printed by verify.py with the one published by the bureau.
请将 verify.py 输出的公钥指纹与监管部门公布的指纹核对。

timeline.json   the trail entries of the subject, with their hashes, and every chain link between them
timeline.pdf    the same, readable
evidence/       the evidence files, named by the start of their SHA-256
hashes.json     SHA-256 of every file; hashes.json.sig is its Ed25519 signature; public_key.pem the key
"""


def _json(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")


def _links(first_seq: int, last_seq: int) -> list[list[Any]]:
    rows = (TrailEntry.objects.filter(seq__gte=first_seq, seq__lte=last_seq).order_by("seq")
            .values_list("seq", "prev_hash", "entry_hash"))
    return [list(row) for row in rows.iterator(chunk_size=5000)]


def _evidence_files(entries: list[TrailEntry], user: Any) -> tuple[dict[str, bytes], list[dict[str, str]]]:
    """The subject's evidence files, each checked against its recorded SHA-256 (`EvidenceChanged` names
    the first that no longer matches: a bundle never carries a changed file). Files showing personal data
    in clear (`evidence_may_see`) are withheld from users who may not unmask; the manifest lists them."""
    from parcelguard.evidence.models import Evidence
    from parcelguard.evidence.services import evidence_checked_bytes, evidence_may_see

    wanted = {h for e in entries for h in e.evidence_hashes}
    files: dict[str, bytes] = {}
    withheld: list[dict[str, str]] = []
    seen: set[str] = set()
    for ev in Evidence.objects.filter(sha256__in=wanted).order_by("pk"):
        if ev.sha256 in seen:
            continue
        seen.add(ev.sha256)
        if not evidence_may_see(user, ev):
            withheld.append({"sha256": ev.sha256, "reason": "personal_data_in_clear"})
            continue
        files[f"evidence/{ev.sha256[:16]}-{_UNSAFE.sub('_', ev.original_name)[-80:]}"] = evidence_checked_bytes(ev)
    return files, withheld


# Readable names on the PDF for the actions written outside the event workflow; others print as they are.
ACTION_LABELS = {
    "evidence.store": "上传证据", "document.issue": "制发文书", "bundle.export": "导出证据包",
    "pii.unmask": "查看个人信息明文", "registry.create": "新增登记信息", "registry.update": "修改登记信息",
    "registry.import": "导入登记信息",
}


def _timeline_pdf(subject: str, entries: list[TrailEntry], head: list[Any] | None) -> bytes:
    from parcelguard.documents.chinese import chinese_date
    from parcelguard.documents.services import authority, render_pdf

    rows = [{"entry": e, "local": timezone.localtime(e.at), "label": ACTION_LABELS.get(e.action, ""),
             "payload": json.dumps(e.payload, ensure_ascii=False)} for e in entries]
    return render_pdf("trail/timeline_pdf.html", {
        "subject": subject, "rows": rows, "head": head, "authority": authority(),
        "date_cn": chinese_date(clock.today())})


def bundle_export(*, subject: str, user: Any) -> bytes:
    """A signed zip of one subject's history ("event:42"). The CALLER must first check that `user` may
    see that subject; here the user needs the export permission (`Forbidden` otherwise). The export
    itself is appended to the trail ("bundle.export")."""
    from parcelguard.evidence.services import EvidenceChanged, evidence_refusal_record

    require(user, Perm.EXPORT)
    try:
        return _bundle_export(subject=subject, user=user)
    except EvidenceChanged as exc:
        evidence_refusal_record(actor=user, error=exc, where=f"bundle:{subject}")  # after the rollback
        raise


def _bundle_export(*, subject: str, user: Any) -> bytes:
    with transaction.atomic():
        entries = list(trail_for(subject))
        links = _links(entries[0].seq, entries[-1].seq) if entries else []
        last = TrailEntry.objects.order_by("-seq").values_list("seq", "entry_hash").first()
        head = list(last) if last else None
        key = signing_key()
        public = key.public_key()
        exported_at = clock.now()
        evidence, withheld = _evidence_files(entries, user)
        files: dict[str, bytes] = {
            "timeline.json": _json({"subject": subject, "entries": [e.as_dict() for e in entries], "links": links}),
            "timeline.pdf": _timeline_pdf(subject, entries, head),
            "verify.py": VERIFY_SCRIPT.read_bytes(),
            "manifest.json": _json({
                "subject": subject, "exported_at": exported_at.isoformat(), "exported_by": actor_label(user),
                "entries": len(entries), "chain_head": head, "key_fingerprint": fingerprint(public),
                "withheld_evidence": withheld}),
            "README.txt": README.format(subject=subject, exported_at=exported_at.isoformat(),
                                        exported_by=actor_label(user), fingerprint=fingerprint(public)).encode(),
            **evidence,
        }
        hashes = _json({"algorithm": "sha256",
                        "files": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())}})
        files["hashes.json"] = hashes
        files["hashes.json.sig"] = base64.b64encode(key.sign(hashes))
        files["public_key.pem"] = public_pem(public)
        trail_append(actor=user, action="bundle.export", subject=subject,
                     payload={"hashes_json_sha256": hashlib.sha256(hashes).hexdigest(), "files": len(files)})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def bundle_response(*, subject: str, user: Any) -> HttpResponse:
    """The bundle as a download ("evidence-bundle-event-42-20261127.zip"). Same rule as `bundle_export`:
    the CALLER checks that the user may see the subject."""
    data = bundle_export(subject=subject, user=user)
    name = f"evidence-bundle-{_UNSAFE.sub('-', subject.replace(':', '-'))}-{clock.today():%Y%m%d}.zip"
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-SHA256"] = hashlib.sha256(data).hexdigest()
    return response
