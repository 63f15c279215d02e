from __future__ import annotations

import json
import logging

from parcelguard.core.models import UnmaskRecord
from parcelguard.registry.models import ChangeRecord, Site


def test_the_site_list_searches_filters_sorts_and_paginates(cast, client_for):
    client = client_for(cast.city_bureau)
    page = client.get("/registry/sites/?q=白塘")
    assert [s.code for s in page.context["page"]] == [cast.outlet_a2.code]
    page = client.get("/registry/sites/?county=350304")
    assert [s.code for s in page.context["page"]] == [cast.outlet_b1.code]
    page = client.get("/registry/sites/?kind=sorting_centre")
    assert [s.code for s in page.context["page"]] == [cast.sorting_centre_a.code]
    page = client.get("/registry/sites/?sort=-code")
    codes = [s.code for s in page.context["page"]]
    assert codes == sorted(codes, reverse=True)
    assert client.get("/registry/sites/?page=99").status_code == 200
    partial = client.get("/registry/sites/?brand=YTO", headers={"HX-Request": "true"})
    assert "<html" not in partial.content.decode() and cast.outlet_b1.name in partial.content.decode()


def test_flags_find_address_mismatches(cast, client_for):
    Site.objects.filter(pk=cast.outlet_a2.pk).update(actual_address="福建省莆田市涵江区白塘镇白塘路99号")
    page = client_for(cast.centre_a).get("/registry/sites/?flag=address_mismatch")
    assert [s.code for s in page.context["page"]] == [cast.outlet_a2.code]
    home = client_for(cast.centre_a).get("/")
    counts = {str(i.label): i.count for i in home.context["items"]}
    assert counts["实际经营地址与备案地址不一致"] == 1
    assert client_for(cast.centre_b).get("/").context["items"][0].count == 0


def test_editing_a_site_records_old_and_new_values_in_its_history(cast, client_for):
    client = client_for(cast.centre_a)
    site = cast.outlet_a2
    form = client.get(f"/registry/sites/{site.pk}/edit/").context["form"]
    data = {k: ("" if v is None else v) for k, v in form.initial.items() if k in form.fields}
    data.update(actual_address="福建省莆田市涵江区白塘镇白塘路99号", version=site.version, reason="网格员实地核查")
    data["opens"], data["closes"] = "", ""
    response = client.post(f"/registry/sites/{site.pk}/edit/", data)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    record = ChangeRecord.objects.filter(model="site", object_id=site.pk, action="update").get()
    assert record.changes["actual_address"][1] == "福建省莆田市涵江区白塘镇白塘路99号"
    assert record.actor == cast.centre_a and record.reason == "网格员实地核查"
    detail = client.get(f"/registry/sites/{site.pk}/").content.decode()
    assert "白塘路99号" in detail and "网格员实地核查" in detail


def test_two_people_editing_the_same_record_cannot_overwrite_each_other(cast, client_for):
    site = cast.outlet_a1
    first = client_for(cast.centre_a).patch(f"/api/v1/sites/{site.pk}", json.dumps(
        {"version": site.version, "name": "中通涵江涵东营业部（新址）"}), content_type="application/json")
    assert first.status_code == 200 and first.json()["version"] == site.version + 1
    second = client_for(cast.city_bureau).patch(f"/api/v1/sites/{site.pk}", json.dumps(
        {"version": site.version, "name": "另一个名字"}), content_type="application/json")
    assert second.status_code == 409 and second.json()["error"]["code"] == "version_conflict"
    site.refresh_from_db()
    assert site.name == "中通涵江涵东营业部（新址）"


def test_bad_api_input_gets_a_machine_readable_error(cast, client_for):
    client = client_for(cast.city_bureau)
    response = client.post("/api/v1/enterprises", json.dumps({"name": "x"}), content_type="application/json")
    assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_request"
    body = {"name": "坏公司", "brand": "ZTO", "credit_code": "91350303MA2XYW1230", "legal_representative": "张三"}
    response = client.post("/api/v1/enterprises", json.dumps(body), content_type="application/json")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_failed"
    assert "credit_code" in response.json()["error"]["details"]
    response = client.post("/api/v1/enterprises", "{not json", content_type="application/json")
    assert response.status_code in (400, 422)


def test_personal_data_is_masked_in_pages_and_api_and_unmasking_is_recorded(cast, client_for):
    client = client_for(cast.centre_a)
    page = client.get(f"/registry/sites/{cast.outlet_a1.pk}/").content.decode()
    assert "13600001111" not in page and "1******1111" in page
    api = client.get(f"/api/v1/sites/{cast.outlet_a1.pk}").json()
    assert api["manager_phone"] == "1******1111" and api["manager_name"] == "吴**"
    refused = client.post("/pii/unmask/", {"kind": "sites", "pk": cast.outlet_a1.pk, "field": "manager_phone",
                                           "reason": ""})
    assert refused.status_code == 422 and not UnmaskRecord.objects.exists()
    shown = client.post("/pii/unmask/", {"kind": "sites", "pk": cast.outlet_a1.pk, "field": "manager_phone",
                                         "reason": "联系负责人核实整改"})
    assert "13600001111" in shown.content.decode()
    record = UnmaskRecord.objects.get()
    assert (record.actor, record.field, record.reason) == (cast.centre_a, "manager_phone", "联系负责人核实整改")


def test_roles_without_permission_cannot_unmask_and_others_cannot_unmask_outside_scope(cast, client_for):
    body = {"kind": "sites", "pk": cast.outlet_a1.pk, "field": "manager_phone", "reason": "想看看这个号码"}
    assert client_for(cast.worker_a1).post("/pii/unmask/", body).status_code == 403
    assert client_for(cast.procurator).post("/pii/unmask/", body).status_code == 403
    assert client_for(cast.centre_b).post("/pii/unmask/", body).status_code == 404
    api = client_for(cast.centre_b).post("/api/v1/pii/unmask", json.dumps(
        {"kind": "sites", "id": cast.outlet_a1.pk, "field": "manager_phone", "reason": "想看看这个号码"}),
        content_type="application/json")
    assert api.status_code == 404
    assert not UnmaskRecord.objects.exists()


def test_personal_data_never_reaches_the_logs(caplog):
    from parcelguard.core.logging import RedactPersonalData

    logger = logging.getLogger("parcelguard.test")
    handler_filter = RedactPersonalData()
    record = logger.makeRecord("parcelguard.test", logging.INFO, __file__, 1,
                               "called %s about ID %s", ("13805941234", "350302199001011234"), None)
    handler_filter.filter(record)
    message = record.getMessage()
    assert "13805941234" not in message and "350302199001011234" not in message
    assert message.startswith("called ")  # the record still says what happened


def test_the_machine_page_records_a_down_window_with_history(cast, client_for):
    from parcelguard.registry.models import MachineStatusWindow

    client = client_for(cast.centre_a)
    url = f"/registry/machines/{cast.machine_a.pk}/windows/"
    response = client.post(url, {"status": "maintenance", "start": "2026-11-20T08:00", "end": "2026-11-20T12:30",
                                 "note": "厂家例行保养"})
    assert response.status_code == 302
    window = MachineStatusWindow.objects.get(machine=cast.machine_a)
    assert (window.status, window.note, window.end.hour) == ("maintenance", "厂家例行保养", 4)  # 12:30 local = 04:30 UTC
    detail = client.get(f"/registry/machines/{cast.machine_a.pk}/").content.decode()
    assert "厂家例行保养" in detail
    client.post(url, {"status": "broken", "start": "2026-11-21T08:00", "end": "2026-11-21T07:00"})
    client.post(url, {"status": "exploded", "start": "2026-11-21T08:00"})
    client.post(url, {"status": "broken", "start": "not a time"})
    assert MachineStatusWindow.objects.filter(machine=cast.machine_a).count() == 1
    assert client_for(cast.centre_b).post(url, {"status": "broken", "start": "2026-11-21T08:00"}).status_code == 302
    assert client_for(cast.worker_a1).post(url, {"status": "broken", "start": "2026-11-21T08:00"}).status_code == 302
    assert MachineStatusWindow.objects.filter(machine=cast.machine_a).count() == 1
