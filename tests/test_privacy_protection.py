"""The platform's own data protection: one masking implementation, personal data kept out of logs and error
reports, unmasking only by a permitted role with a reason and recorded (tip-off reporters included), and ID
numbers only ever stored as keyed hashes."""

from __future__ import annotations

import hashlib
import hmac
import logging

import pytest
from django.apps import apps
from django.db import models
from django.template import Context, Template
from django.test import RequestFactory

from parcelguard.core.logging import RedactPersonalData, redact
from parcelguard.core.models import UnmaskRecord
from parcelguard.core.pii import id_number_hash, mask_field, mask_id_number, mask_name, mask_phone
from parcelguard.events.models import TipOff
from parcelguard.events.services import tipoff_submit
from parcelguard.trail.models import TrailEntry

LINE = "回访联系人王建国，电话13912345678，住址福建省莆田市涵江区涵华东路88号3幢201室"


def record(msg: str, *args: object, exc: BaseException | None = None) -> logging.LogRecord:
    exc_info = (type(exc), exc, exc.__traceback__) if exc else None
    return logging.LogRecord("parcelguard", logging.WARNING, __file__, 1, msg, args, exc_info)


def test_a_log_record_with_a_name_phone_and_address_comes_out_masked():
    r = record("回访联系人%s，电话%s，住址%s", "王建国", "13912345678", "福建省莆田市涵江区涵华东路88号3幢201室")
    assert RedactPersonalData().filter(r)
    out = r.getMessage()
    assert "王建国" not in out and "13912345678" not in out and "3幢201室" not in out
    assert "王**" in out and "5678" in out and "涵江区" in out


def test_the_configured_handlers_mask_what_they_write(caplog):
    handlers = [h for h in logging.getLogger().handlers if any(isinstance(f, RedactPersonalData) for f in h.filters)]
    assert handlers, "the root logger's handlers must carry the redaction filter (settings.LOGGING)"
    text = handlers[0].format(_filtered(record(LINE)))
    assert "13912345678" not in text and "王建国" not in text


def _filtered(r: logging.LogRecord) -> logging.LogRecord:
    RedactPersonalData().filter(r)
    return r


def test_an_error_report_with_personal_data_in_the_exception_is_masked():
    try:
        raise ValueError("bad phone 13912345678 for 身份证 11010519491231002X")
    except ValueError as exc:
        r = _filtered(record("Internal Server Error: /events/1/", exc=exc))
    assert "13912345678" not in r.exc_text and "11010519491231002X" not in r.exc_text
    assert "ValueError" in r.exc_text


def test_plain_log_lines_are_left_alone_and_cheap():
    assert redact("GET /registry/sites/12/ 200") == "GET /registry/sites/12/ 200"
    assert redact("worker started") == "worker started"


def test_masking_is_the_librarys_standard_policy():
    assert mask_name("欧阳建国") == "欧阳**" and mask_name("许文彬") == "许**"
    assert mask_phone("13712345678") == "1******5678"
    assert mask_phone("0594-2345678") == "0594-*****78"
    assert mask_id_number("11010519491231002X") == "1101**********002X"
    assert mask_field("manager_phone", "13600001111") == "1******1111" and mask_field("contact_name", "陈丽娟") == "陈**"


def test_id_numbers_are_stored_only_as_keyed_hashes(settings):
    settings.ID_HASH_KEY = "k1"
    expected = hmac.new(b"k1", b"11010519491231002X", hashlib.sha256).hexdigest()
    assert id_number_hash("110105 19491231 002x") == expected
    settings.ID_HASH_KEY = "k2"
    assert id_number_hash("11010519491231002X") != expected
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.Field) and ("id_number" in field.name or field.name.endswith("id_no")):
                assert field.name.endswith("_hash"), f"{model.__name__}.{field.name} would hold a raw ID number"


@pytest.fixture
def tipoff(cast):
    event = tipoff_submit(county_code="350303", hazard_type="other", place="涵东街道某驿站",
                          description="快件随意堆放在路边，无人看管。", anonymous=False, name="赵丽华",
                          phone="13598765432")
    return TipOff.objects.get(event=event)


def test_a_tipoff_reporter_is_unmasked_only_by_a_permitted_role_with_a_reason_and_recorded(tipoff, cast, client_for):
    form = {"kind": "events.tipoff", "pk": tipoff.pk, "field": "reporter_phone", "reason": "回访核实举报内容"}
    shown = client_for(cast.centre_a).post("/pii/unmask/", form)
    assert shown.status_code == 200 and "13598765432" in shown.content.decode()
    unmasked = UnmaskRecord.objects.get()
    assert (unmasked.model, unmasked.object_id, unmasked.field) == ("tipoff", tipoff.pk, "reporter_phone")
    entry = TrailEntry.objects.filter(action="pii.unmask").get()
    assert "13598765432" not in str(entry.payload) and entry.subject == f"tipoff:{tipoff.pk}"
    assert client_for(cast.worker_a1).post("/pii/unmask/", form).status_code == 403
    assert client_for(cast.officer_x).post("/pii/unmask/", form).status_code == 403
    assert client_for(cast.centre_b).post("/pii/unmask/", form).status_code == 404  # outside the county
    assert client_for(cast.centre_a).post("/pii/unmask/", {**form, "reason": ""}).status_code == 422
    assert client_for(cast.centre_a).post("/pii/unmask/", {**form, "field": "ip_hash"}).status_code == 404
    api = client_for(cast.city_bureau).post("/api/v1/pii/unmask", {"kind": "events.tipoff", "id": tipoff.pk,
                                            "field": "reporter_name", "reason": "回访核实举报内容"},
                                            content_type="application/json")
    assert api.json() == {"value": "赵丽华"} and UnmaskRecord.objects.count() == 2


def test_the_pii_tag_masks_and_offers_unmasking_only_to_permitted_roles(tipoff, cast):
    template = Template('{% load privacy_tags %}{% pii t "reporter_phone" %}|{{ text|mask_pii }}')
    for user, button in ((cast.centre_a, True), (cast.worker_a1, False)):
        request = RequestFactory().get("/")
        request.user = user
        html = template.render(Context({"t": tipoff, "request": request, "text": LINE}))
        assert "1******5678" in html and "13598765432" not in html and "13912345678" not in html
        assert ('data-kind="events.tipoff"' in html) is button


def test_an_edit_form_shows_personal_data_masked_and_keeps_it_when_sent_back(cast, client_for):
    client = client_for(cast.officer_x)
    url = f"/registry/enterprises/{cast.enterprise_x.pk}/edit/"
    form = client.get(url).content.decode()
    assert "13805941234" not in form and "1******1234" in form and "林志明" not in form
    from parcelguard.registry.forms import form_for
    from parcelguard.registry.kinds import KINDS

    data = {k: v for k, v in form_for(KINDS["enterprises"], cast.officer_x, instance=cast.enterprise_x).initial.items()
            if v is not None}
    data.update(brand="ZTO", contact_name="陈丽华", version=cast.enterprise_x.version, reason="联系人变更")
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[-2000:]
    cast.enterprise_x.refresh_from_db()
    assert cast.enterprise_x.contact_phone == "13805941234" and cast.enterprise_x.legal_representative == "林志明"
    assert cast.enterprise_x.contact_name == "陈丽华"
