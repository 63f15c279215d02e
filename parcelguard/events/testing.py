"""Small helpers for tests and the demo: evidence files made on the spot."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile


def png_bytes(color: tuple[int, int, int] = (200, 60, 40), size: tuple[int, int] = (64, 48)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def photo(name: str = "现场照片.png", color: tuple[int, int, int] = (200, 60, 40)) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(color), content_type="image/png")


def pdf_bytes(text: str = "receipt") -> bytes:
    body = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n" % len(body) + body + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def pdf(name: str = "回执.pdf", text: str = "receipt") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(text), content_type="application/pdf")


def make_event(site, *, state: str = "reported", hazard: str = "address_mismatch", reporter=None,
               deadline=None, **fields):
    """An event placed directly in a state (no transitions): for rule and queue tests."""
    from parcelguard.core import clock
    from parcelguard.events.models import Case, Event, HazardType
    from parcelguard.events.states import tier_of

    ensure_taxonomy()
    now = clock.now()
    event = Event.objects.create(
        hazard_type=HazardType.objects.get(code=hazard), severity="medium", description="测试隐患描述",
        site=site, enterprise=site.enterprise, county=site.county, jurisdiction_path=site.jurisdiction_path,
        source="grid_worker", state=state, tier=tier_of(state), deadline=deadline, reporter=reporter,
        reported_at=now, updated_at=now, **fields)
    if tier_of(state) == "city" and state != "escalated":
        import datetime as dt

        Case.objects.create(event=event, opened_at=now, decide_by=now + dt.timedelta(days=90))
    return event


def make_reward(cast, *, status: str = "proposed", site=None):
    """A reward for a tip-off verified on site, placed directly in a status."""
    from parcelguard.core import clock
    from parcelguard.events.models import Event, Reward

    event = make_event(site or cast.outlet_a1, state="verified")
    Event.objects.filter(pk=event.pk).update(source="public")
    return Reward.objects.create(event=event, amount="200.00", status=status, proposed_by=cast.centre_a,
                                 proposed_at=clock.now())


def placed_event(site, *, state: str = "closed", reported=None, closed=None, rectify_by=None, escalated=None,
                 rework: int = 0, deadline=None, hazard: str = "address_mismatch"):
    """An event in a state with its moments set by hand (report, closing, deadlines, escalation, rework): the
    hand-built sets the dashboard's indicators are checked against."""
    from parcelguard.core import clock
    from parcelguard.events.models import Event
    from parcelguard.events.states import tier_of

    event = make_event(site, state=state, hazard=hazard, deadline=deadline)
    Event.objects.filter(pk=event.pk).update(reported_at=reported or clock.now(), closed_at=closed,
                                             rectify_by=rectify_by, escalated_at=escalated, rework_count=rework,
                                             tier=tier_of(state))
    return event


def ensure_taxonomy() -> None:
    """Transactional tests flush the tables the data migration seeded: lay the seed again."""
    import importlib

    from django.apps import apps

    from parcelguard.events.models import HazardType

    if not HazardType.objects.exists():
        importlib.import_module("parcelguard.events.migrations.0002_seed_taxonomy").seed(apps, None)
        importlib.import_module("parcelguard.events.migrations.0010_legal_basis_articles").fill(apps, None)
