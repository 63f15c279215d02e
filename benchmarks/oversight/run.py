"""Oversight benchmark (issue 14): a recommendation whose one item is split into 500 tasks, each linked to a
hazard event carrying four pieces of evidence (2,000 evidence files in all); times the reply draft (the
selector and the recommendation page as the bureau sees it), the reply PDF (issue: number, render, store,
trail) and the signed evidence bundle.

Runs in a fresh database of its own (SQLite in a temporary directory, or PostgreSQL when DB_ENGINE=postgres
and PGDATABASE name a database it may drop and create):

    .venv/bin/python benchmarks/oversight/run.py --events 500
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parcelguard.settings")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--per-event", type=int, default=4)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="oversight-bench-")
    os.environ["PARCELGUARD_DATA_DIR"] = tmp
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ALLOWED_HOSTS = ["*"]

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.test import Client

    from parcelguard.core import clock
    from parcelguard.events.models import Event, HazardType, Transition, TransitionEvidence
    from parcelguard.events.testing import ensure_taxonomy, png_bytes
    from parcelguard.evidence.models import Evidence
    from parcelguard.oversight import selectors, services
    from parcelguard.oversight.models import Task
    from parcelguard.testing.cast import make_cast
    from parcelguard.trail.bundle import bundle_export

    ensure_taxonomy()
    cast = make_cast()
    now = clock.now()
    kind = HazardType.objects.get(code="address_mismatch")
    site = cast.outlet_a1
    t0 = time.perf_counter()
    events = Event.objects.bulk_create([Event(
        hazard_type=kind, severity="medium", description=f"基准隐患{i}", site=site, enterprise=site.enterprise,
        county=site.county, jurisdiction_path=site.jurisdiction_path, source="grid_worker",
        state="closed" if i % 5 else "reminded", tier="county", reported_at=now - dt.timedelta(days=30),
        closed_at=now - dt.timedelta(days=2) if i % 5 else None, updated_at=now) for i in range(args.events)])
    transitions = Transition.objects.bulk_create([Transition(
        event=e, action=a, from_state="", to_state=a, actor=cast.centre_a, actor_role="county_centre",
        at=now - dt.timedelta(days=10 - j)) for e in events for j, a in enumerate(("report", "verify", "answer",
                                                                                   "confirm_fix")[:args.per_event])])
    evidence = []
    for n, _t in enumerate(transitions):
        data = png_bytes(((n * 7) % 256, (n // 256) % 256, (n * 13) % 256), (48 + n % 7, 36))
        digest = hashlib.sha256(data).hexdigest()
        name = default_storage.save(f"evidence/{digest[:2]}/{digest}.png", ContentFile(data))
        evidence.append(Evidence(file=name, original_name=f"现场{n}.png", content_type="image/png", size=len(data),
                                 sha256=digest, uploaded_at=now))
    evidence = Evidence.objects.bulk_create(evidence)
    TransitionEvidence.objects.bulk_create([TransitionEvidence(transition=t, evidence=ev)
                                            for t, ev in zip(transitions, evidence, strict=True)])
    case = services.case_open(user=cast.procurator, number="基准案", procuratorate="莆田市人民检察院", matter="other",
                              summary="基准测试案件", opened_on=clock.today())
    rec = services.recommendation_create(user=cast.procurator, case_id=case.pk, number="基准建议", title="检察建议书",
                                         addressee="莆田市邮政管理局", issued_on=clock.today(),
                                         items=[{"problem": "大量隐患未整改", "request": "逐一整改"},
                                                {"problem": "安检记录不实", "request": "依法查处"}])
    services.recommendation_serve(user=cast.procurator, pk=rec.pk, version=None, served_on=clock.today(),
                                  method="direct")
    item = rec.items.get(position=1)
    Task.objects.bulk_create([Task(item=item, county=cast.county_a, jurisdiction_path=cast.county_a.path,
                                   title=f"整改任务{e.pk}", event=e, due_on=clock.today() + dt.timedelta(days=30),
                                   created_by=cast.city_bureau, created_at=now) for e in events])
    print(f"data: {args.events} events, {len(evidence)} evidence files, {args.events} tasks "
          f"({time.perf_counter() - t0:.1f} s to build) on {connection.vendor}")

    def timed(label: str, fn):  # type: ignore[no-untyped-def]
        start = time.perf_counter()
        value = fn()
        print(f"{label}: {time.perf_counter() - start:.2f} s")
        return value

    draft = timed("reply draft (selector)", lambda: selectors.reply_draft(rec))
    assert len(draft.items[0].tasks) == args.events and len(draft.evidence_hashes()) == len(evidence)
    client = Client()
    client.force_login(cast.city_bureau)
    page = timed("recommendation page with the draft (bureau)",
                 lambda: client.get(f"/oversight/recommendations/{rec.pk}/"))
    assert page.status_code == 200
    reply = timed("reply PDF issued (number, render, store, trail)",
                  lambda: services.reply_issue(user=cast.city_bureau, pk=rec.pk, version=None))
    print(f"  {reply.document.number}: {reply.document.evidence.size / 1024:.0f} KiB")
    data = timed("signed evidence bundle", lambda: bundle_export(subject=f"recommendation:{rec.pk}",
                                                                 user=cast.procurator))
    print(f"  bundle: {len(data) / 1024 / 1024:.1f} MiB")


if __name__ == "__main__":
    main()
