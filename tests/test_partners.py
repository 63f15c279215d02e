"""Inter-department coordination: partner departments, memoranda, joint meetings with tracked decisions,
and clue transfers (线索移送) — the letter read back, the evidence bundle, the feedback deadline on the
official calendar, refusals that write nothing, scoping, the work queue, the duty record and the API."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import zipfile
from zoneinfo import ZoneInfo

import pytest
import time_machine
from pypdf import PdfReader

from parcelguard.core import registry
from parcelguard.core.errors import Forbidden, Invalid, NotFound
from parcelguard.core.models import StatusChange
from parcelguard.documents.models import Document, DocumentCounter
from parcelguard.events import services as events
from parcelguard.events.models import Event, Source
from parcelguard.events.testing import ensure_taxonomy, pdf, photo
from parcelguard.partners import selectors, services
from parcelguard.partners.models import ActionItem, Meeting, Memorandum, Transfer
from parcelguard.partners.testing import make_partners
from parcelguard.trail.models import TrailEntry

SH = ZoneInfo("Asia/Shanghai")
SENT = dt.datetime(2026, 9, 29, 10, 0, tzinfo=SH)  # a Tuesday, two days before National Day


def travel(*args: int):
    return time_machine.travel(dt.datetime(*args, tzinfo=SH), tick=False)


@pytest.fixture
def world(cast):
    ensure_taxonomy()
    with travel(2026, 9, 28, 9):
        parts = make_partners(cast)
        event = events.event_report(user=cast.worker_a1, site_id=cast.outlet_a1.pk, hazard_type="other",
                                    description="网点收寄的包裹过机时发现疑似管制刀具，寄件人拒绝开箱验视",
                                    uploads=[photo("过机图像.png"), photo("面单照片.png", (20, 20, 200))])
        other = events.event_report(user=cast.worker_b1, site_id=cast.outlet_b1.pk, hazard_type="other",
                                    description="荔城区网点疑似同一寄件人多点寄递", uploads=[photo("荔城.png")])
    return {"cast": cast, "event": event, "other": other, **parts}


def _evidence_ids(event):
    return [ev.pk for ev in services.source_evidence(event.reporter, event_id=event.pk)]


def _send(world, **kw):
    cast = world["cast"]
    args = dict(user=cast.city_bureau, partner_id=world["police"].pk, kind="weapons",
                summary="涵东街道某快递网点收寄包裹，X光机图像显示疑似管制刀具，寄件人拒绝开箱验视后离开。",
                event_id=world["event"].pk, evidence_ids=_evidence_ids(world["event"]))
    args.update(kw)
    return services.transfer_send(**args)


def _text(data: bytes) -> str:
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


# ---- the deadline ---------------------------------------------------------------------------------------

def test_feedback_due_counts_working_days_across_national_day_the_month_end_and_a_make_up_day(world, settings):
    settings.PARTNERS_FEEDBACK_DAYS = 5
    police = world["police"]
    # 9-30 (1), 1–7 Oct National Day, 10-08 (2), 10-09 (3), Saturday 10-10 a make-up working day (4), 10-12 (5)
    assert services.feedback_due(police, SENT) == dt.datetime(2026, 10, 13, tzinfo=SH)
    settings.PARTNERS_FEEDBACK_WORKING_DAYS = False
    assert services.feedback_due(police, SENT) == dt.datetime(2026, 10, 5, tzinfo=SH)  # 5 calendar days
    # the market regulator agreed 20 calendar days: across the year end
    assert services.feedback_due(world["market"], dt.datetime(2026, 12, 20, 16, tzinfo=SH)) == dt.datetime(
        2027, 1, 10, tzinfo=SH)


def test_late_is_the_first_moment_after_the_due_day(world, settings):
    settings.PARTNERS_FEEDBACK_DAYS = 5
    with travel(2026, 9, 29, 10):
        t = _send(world)
    assert t.feedback_due == dt.datetime(2026, 10, 13, tzinfo=SH)
    user = world["cast"].city_bureau
    assert not selectors.overdue(Transfer.objects.all(), dt.datetime(2026, 10, 12, 23, 59, tzinfo=SH)).exists()
    assert selectors.overdue(Transfer.objects.all(), dt.datetime(2026, 10, 13, 0, 0, tzinfo=SH)).exists()
    items = [i for i in registry.work_for(user, dt.datetime(2026, 10, 13, 8, tzinfo=SH)) if i.kind == "partners"]
    assert [(i.subject, i.urgency) for i in items] == [(f"clue_transfer:{t.pk}", "overdue")]
    before = [i for i in registry.work_for(user, dt.datetime(2026, 10, 12, 8, tzinfo=SH)) if i.kind == "partners"]
    assert [i.urgency for i in before] == ["near"]


# ---- the transfer, its letter and its bundle -------------------------------------------------------------

def test_a_transfer_from_an_event_issues_the_numbered_letter_with_every_part(world, settings):
    settings.PARTNERS_FEEDBACK_DAYS = 5
    with travel(2026, 9, 29, 10):
        t = _send(world)
    assert t.number == "莆邮管移〔2026〕1号" and t.state == "sent" and t.memorandum == world["memo"]
    text = _text(t.document.evidence.file.read())
    for part in ("莆田市邮政管理局", "线索移送函", "莆邮管移〔2026〕1号", "莆田市公安局：",
                 "寄递枪支弹药爆炸物品", "X光机图像显示疑似管制刀具", "《中华人民共和国行政处罚法》第二十七条",
                 "《行政执法机关移送涉嫌犯罪案件的规定》", "《寄递渠道安全管理协作备忘录》", "隐患事件#",
                 "请于二〇二六年十月十二日前将受理情况和处理结果书面反馈我局", "过机图像.png", "面单照片.png",
                 "证据材料清单（共2份）", "电子证据包", "特此函告。", "二〇二六年九月二十九日", "（印章）"):
        assert part in text, part
    second = _send(world, kind="fraud", partner_id=world["market"].pk)
    assert second.number == "莆邮管移〔2026〕2号"  # the bureau's own numbering, one sequence a year


def test_the_bundle_carries_the_letter_and_the_evidence_and_is_signed(world, client_for):
    t = _send(world)
    response = client_for(world["cast"].city_bureau).get(f"/partners/transfers/{t.pk}/bundle.zip")
    assert response.status_code == 200
    zf = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))
    names = zf.namelist()
    hashes = json.loads(zf.read("hashes.json"))["files"]
    evidence = [n for n in names if n.startswith("evidence/")]
    assert len(evidence) == 3  # two photos of the event and the letter
    assert any(n.startswith(f"evidence/{t.document.evidence.sha256[:16]}") and n.endswith(".pdf") for n in evidence)
    for name in evidence:
        assert hashlib.sha256(zf.read(name)).hexdigest() == hashes[name]
    timeline = json.loads(zf.read("timeline.json"))
    assert timeline["subject"] == f"clue_transfer:{t.pk}"
    assert [e["action"] for e in timeline["entries"]] == ["document.issue", "clue_transfer.send"]
    letter = client_for(world["cast"].city_bureau).get(f"/partners/transfers/{t.pk}/letter.pdf")
    assert letter.status_code == 200 and "线索移送函" in _text(b"".join(letter.streaming_content))


def _nothing_written(before):
    assert Transfer.objects.count() == 0
    assert Document.objects.count() == 0 and DocumentCounter.objects.filter(doc_type="clue_transfer").count() == 0
    assert StatusChange.objects.filter(flow="clue_transfer").count() == 0
    assert TrailEntry.objects.count() == before


@pytest.mark.parametrize("change, error, code", [
    ({"evidence_ids": []}, Invalid, "evidence_required"),
    ({"kind": "smuggling"}, Invalid, "invalid_kind"),
    ({"summary": "可疑"}, Invalid, "facts_required"),
    ({"evidence_ids": [999999]}, Invalid, "evidence_not_of_source"),
    ({"event_id": None}, Invalid, "source_required"),
    ({"warning_id": 1}, Invalid, "source_required"),  # two sources
])
def test_bad_transfers_are_refused_with_a_code_and_nothing_written(world, change, error, code):
    before = TrailEntry.objects.count()
    with pytest.raises(error) as caught:
        _send(world, **change)
    assert caught.value.code == code
    _nothing_written(before)


def test_who_may_transfer_and_from_where(world):
    cast = world["cast"]
    before = TrailEntry.objects.count()
    with pytest.raises(Forbidden):
        _send(world, user=cast.centre_a)
    with pytest.raises(Forbidden):
        _send(world, user=cast.procurator)
    with pytest.raises(NotFound):  # the county centre's partner is not the city's business from below… and back
        services.transfer_send(user=cast.city_bureau, partner_id=999, kind="fraud", summary="x" * 20,
                               event_id=world["event"].pk, evidence_ids=_evidence_ids(world["event"]))
    _nothing_written(before)


def test_an_uploaded_file_is_evidence_enough(world):
    t = _send(world, evidence_ids=[], uploads=[pdf("寄递记录.pdf")])
    change = StatusChange.objects.get(flow="clue_transfer", object_id=t.pk)
    assert sorted(e.original_name for e in change.evidence.all()) == sorted(["寄递记录.pdf", f"{t.number}.pdf"])


# ---- receipt, chase, feedback ----------------------------------------------------------------------------

def test_receipt_chase_and_late_feedback_make_a_work_item_and_a_lapse(world, settings):
    settings.PARTNERS_FEEDBACK_DAYS = 5
    cast = world["cast"]
    with travel(2026, 9, 29, 10):
        t = _send(world)
    with travel(2026, 9, 30, 15):
        t = services.transfer_receipt(user=cast.city_bureau, transfer_id=t.pk, version=1, received_on="2026-09-30",
                                      uploads=[photo("回执.png")])
        assert t.state == "received"
        with pytest.raises(Invalid):
            services.transfer_receipt(user=cast.city_bureau, transfer_id=t.pk, version=2, received_on="2026-10-01")
    start, end = dt.datetime(2026, 10, 1, tzinfo=SH), dt.datetime(2026, 11, 1, tzinfo=SH)
    with travel(2026, 10, 14, 9):
        now = dt.datetime(2026, 10, 14, 9, tzinfo=SH)
        lapses = registry.lapses_for(cast.city_bureau, start, end, now)["partners"]
        assert [lapse.subject for lapse in lapses] == [f"clue_transfer:{t.pk}"] and lapses[0].done_at is None
        assert registry.figure("partners.feedback_late").compute(cast.city_bureau, start, end, now=now) == 1
        t = services.transfer_chase(user=cast.city_bureau, transfer_id=t.pk, version=2, note="电话催办治安支队林志强")
        assert t.reminders == 1 and t.state == "received"
        with pytest.raises(Invalid) as caught:
            services.transfer_feedback(user=cast.city_bureau, transfer_id=t.pk, version=3, outcome="case_opened",
                                       text="已立案侦查")
        assert caught.value.code == "evidence_required"
        t = services.transfer_feedback(user=cast.city_bureau, transfer_id=t.pk, version=3, outcome="case_opened",
                                       text="经审查，已于10月13日立刑事案件侦查", uploads=[pdf("反馈函.pdf")])
    assert t.state == "answered" and t.feedback == "case_opened"
    assert StatusChange.objects.get(flow="clue_transfer", object_id=t.pk, action="feedback").data["late"] is True
    lapse = registry.lapses_for(cast.city_bureau, start, end, dt.datetime(2026, 10, 20, tzinfo=SH))["partners"][0]
    assert lapse.done_at is not None and lapse.late_days(lapse.done_at) == 1
    assert not [i for i in registry.work_for(cast.city_bureau, dt.datetime(2026, 10, 20, tzinfo=SH))
                if i.kind == "partners"]
    t = services.transfer_close(user=cast.city_bureau, transfer_id=t.pk, version=4)
    assert t.state == "closed"


def test_a_stale_version_or_a_step_out_of_turn_is_refused(world):
    cast = world["cast"]
    t = _send(world)
    with pytest.raises(Exception) as caught:
        services.transfer_close(user=cast.city_bureau, transfer_id=t.pk, version=1)
    assert caught.value.code == "transition_not_allowed"
    services.transfer_chase(user=cast.city_bureau, transfer_id=t.pk, version=1, note="电话催办")
    with pytest.raises(Exception) as caught:
        services.transfer_chase(user=cast.city_bureau, transfer_id=t.pk, version=1, note="再次催办")
    assert caught.value.code == "state_conflict"


# ---- clues received --------------------------------------------------------------------------------------

def test_a_clue_from_a_partner_enters_as_a_hazard_event(world):
    cast = world["cast"]
    t = services.transfer_register(
        user=cast.centre_a, partner_id=world["hanjiang"].pk, number="莆公涵（治）移〔2026〕12号",
        received_on="2026-12-01", kind="drugs", summary="涵江分局侦办案件中发现嫌疑人多次通过该网点寄递可疑包裹",
        hazard_type="other", site_id=cast.outlet_a1.pk, uploads=[pdf("来函.pdf")])
    event = Event.objects.get(pk=t.event_id)
    assert event.source == Source.PARTNER and event.site == cast.outlet_a1 and event.state == "reported"
    assert t.direction == "incoming" and t.state == "registered"
    before = (Transfer.objects.count(), Event.objects.count())
    with pytest.raises(Invalid) as caught:
        services.transfer_register(user=cast.centre_a, partner_id=world["hanjiang"].pk, number="12号",
                                   received_on="2026-12-01", kind="drugs", summary="没有附件的来函不予登记",
                                   hazard_type="other", site_id=cast.outlet_a1.pk)
    assert caught.value.code == "evidence_required"
    with pytest.raises(Invalid) as caught:  # no site named: a place in a county is needed
        services.transfer_register(user=cast.centre_a, partner_id=world["hanjiang"].pk, number="13号",
                                   received_on="2026-12-01", kind="drugs", summary="来函未写明网点，也没有地点",
                                   hazard_type="other", uploads=[pdf("来函.pdf")])
    assert caught.value.code == "place_required"
    assert (Transfer.objects.count(), Event.objects.count()) == before


# ---- scoping ---------------------------------------------------------------------------------------------

def test_scoping_a_county_sees_its_own_others_nothing_the_procurator_all(world):
    cast = world["cast"]
    mine = _send(world)
    theirs = _send(world, event_id=world["other"].pk, evidence_ids=_evidence_ids(world["other"]))
    ids = lambda user: set(selectors.transfers(user).values_list("pk", flat=True))  # noqa: E731
    assert ids(cast.city_bureau) == ids(cast.procurator) == {mine.pk, theirs.pk}
    assert ids(cast.centre_a) == {mine.pk} and ids(cast.centre_b) == {theirs.pk}
    assert ids(cast.worker_a1) == ids(cast.officer_x) == set()  # a clue may be about the enterprise itself
    names = lambda user: set(selectors.partners(user).values_list("name", flat=True))  # noqa: E731
    assert names(cast.centre_a) == {"莆田市公安局涵江分局"} and names(cast.centre_b) == set()
    assert len(names(cast.city_bureau)) == 3
    with pytest.raises(NotFound):  # the county centre cannot reach the city's partner
        services.contact_add(user=cast.centre_a, partner_id=world["police"].pk, name="张三")
    with pytest.raises(NotFound):  # the city cannot transfer from an event it cannot see… the procurator sees all
        services.transfer_receipt(user=cast.centre_b, transfer_id=mine.pk, version=1, received_on="2026-09-28")


def test_pages_are_scoped_and_the_liaison_phone_is_masked(world, client_for):
    cast = world["cast"]
    t = _send(world)
    city = client_for(cast.city_bureau)
    page = city.get(f"/partners/{world['police'].pk}/").content.decode()
    assert "13905941234" not in page and "1******1234" in page and "林志强" in page
    assert client_for(cast.centre_b).get(f"/partners/transfers/{t.pk}/").status_code == 404
    assert client_for(cast.centre_b).get(f"/partners/transfers/{t.pk}/bundle.zip").status_code == 404
    assert client_for(cast.officer_x).get(f"/partners/transfers/{t.pk}/letter.pdf").status_code == 404
    assert client_for(cast.centre_a).get(f"/partners/transfers/{t.pk}/").status_code == 200


# ---- memoranda and meetings --------------------------------------------------------------------------------

def test_a_memorandum_must_be_a_pdf_and_names_partners_in_scope(world):
    cast = world["cast"]
    before = Memorandum.objects.count()
    with pytest.raises(Invalid) as caught:
        services.memorandum_add(user=cast.city_bureau, partner_ids=[world["market"].pk], title="协作备忘录",
                                signed_on="2026-05-01", scope_text="信息共享", upload=photo("备忘录.png"))
    assert caught.value.code == "pdf_required"
    with pytest.raises(Invalid) as caught:
        services.memorandum_add(user=cast.centre_b, partner_ids=[world["market"].pk], title="协作备忘录",
                                signed_on="2026-05-01", scope_text="信息共享", upload=pdf())
    assert caught.value.code == "partner_required"
    with pytest.raises(Invalid) as caught:
        services.memorandum_add(user=cast.city_bureau, partner_ids=[world["market"].pk], title="协作备忘录",
                                signed_on="2099-05-01", scope_text="信息共享", upload=pdf())
    assert caught.value.code == "date_in_future"
    assert Memorandum.objects.count() == before


def test_a_meeting_records_minutes_and_its_decisions_are_tracked_to_their_owner(world):
    cast = world["cast"]
    with travel(2026, 10, 20, 9):
        meeting = services.meeting_convene(
            user=cast.city_bureau, title="2026年第四季度寄递渠道安全联席会议", starts_at="2026-10-22T09:30",
            place="市邮政管理局三楼会议室", agenda="一、通报第三季度线索移送情况\n二、部署年底旺季联合检查",
            partner_ids=[world["police"].pk, world["market"].pk], attendees="林志强，市公安局治安支队，副支队长")
        with pytest.raises(Exception) as caught:  # not held yet
            services.meeting_record(user=cast.city_bureau, meeting_id=meeting.pk, version=1, minutes="会议纪要" * 5)
        assert caught.value.code == "meeting_not_held"
    decisions = [{"text": "11月底前开展旺季联合检查", "owner_id": cast.city_bureau.pk, "partner_id": world["police"].pk,
                  "due_on": "2026-11-30"},
                 {"text": "涵江区排查无证驿站", "owner_id": cast.centre_a.pk, "due_on": "2026-11-15"}]
    with travel(2026, 10, 22, 17):
        before = (ActionItem.objects.count(), Meeting.objects.get(pk=meeting.pk).state)
        with pytest.raises(Invalid) as caught:
            services.meeting_record(user=cast.city_bureau, meeting_id=meeting.pk, version=1, minutes="会议纪要" * 5,
                                    actions=[*decisions, {"text": "无人负责", "owner_id": cast.officer_x.pk,
                                                          "due_on": "2026-11-30"}])
        assert caught.value.code == "owner_required"
        assert (ActionItem.objects.count(), Meeting.objects.get(pk=meeting.pk).state) == before
        meeting = services.meeting_record(user=cast.city_bureau, meeting_id=meeting.pk, version=1,
                                          minutes="会议通报了第三季度线索移送情况，议定两项工作。", actions=decisions,
                                          upload=pdf("纪要.pdf"))
    assert meeting.state == "held" and meeting.minutes_file is not None
    late = dt.datetime(2026, 11, 16, 9, tzinfo=SH)
    items = [i for i in registry.work_for(cast.centre_a, late) if i.kind == "partners"]
    assert len(items) == 1 and items[0].urgency == "overdue"
    lapses = registry.lapses_for(cast.city_bureau, dt.datetime(2026, 11, 1, tzinfo=SH),
                                 dt.datetime(2026, 12, 1, tzinfo=SH), late)["partners"]
    assert len(lapses) == 1 and "无证驿站" in lapses[0].title
    action = ActionItem.objects.get(owner=cast.centre_a)
    with travel(2026, 11, 17, 9), pytest.raises(Invalid):
        services.action_complete(user=cast.centre_a, action_id=action.pk, version=1, note="已排查")  # no evidence
    with travel(2026, 11, 17, 9):
        done = services.action_complete(user=cast.centre_a, action_id=action.pk, version=1,
                                        note="排查驿站12家，取缔无证驿站2家", uploads=[photo("排查.png")])
    assert done.state == "done"
    assert registry.figure("partners.actions_late").compute(
        cast.city_bureau, dt.datetime(2026, 11, 1, tzinfo=SH), dt.datetime(2026, 12, 1, tzinfo=SH),
        now=dt.datetime(2026, 11, 20, tzinfo=SH)) == 1


# ---- pages and API ---------------------------------------------------------------------------------------

def test_every_page_renders_in_chinese_for_the_city_and_the_procurator(world, client_for):
    from tests.test_i18n_pages import english_words

    cast = world["cast"]
    t = _send(world)
    with travel(2026, 10, 20, 9):
        meeting = services.meeting_convene(user=cast.city_bureau, title="联席会议", starts_at="2026-10-22T09:30",
                                           place="会议室", agenda="通报情况", partner_ids=[world["police"].pk])
    urls = ["/partners/", f"/partners/{world['police'].pk}/", "/partners/new/", "/partners/memoranda/new/",
            "/partners/meetings/", "/partners/meetings/new/", f"/partners/meetings/{meeting.pk}/",
            "/partners/transfers/", "/partners/transfers/?overdue=1&direction=outgoing", f"/partners/transfers/{t.pk}/",
            f"/partners/transfers/new/?event={world['event'].pk}", "/partners/transfers/incoming/"]
    for user in (cast.city_bureau, cast.procurator):
        client = client_for(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (user.username, url)
            assert not english_words(response.content.decode(), frozenset({user.username})), url


def test_the_pages_list_filter_and_page(world, client_for, settings):
    settings.PAGE_SIZE = 2
    for _i in range(3):
        _send(world)
    client = client_for(world["cast"].city_bureau)
    page = client.get("/partners/transfers/?direction=outgoing").content.decode()
    assert "page=2" in page and page.count("/partners/transfers/") >= 2
    assert "莆邮管移〔2026〕1号" not in client.get("/partners/transfers/?q=3号").content.decode()


def test_the_city_transfers_from_the_form_and_a_refusal_is_shown_in_chinese(world, client_for):
    cast = world["cast"]
    client = client_for(cast.city_bureau)
    response = client.post("/partners/transfers/new/", {
        "event": world["event"].pk, "partner": world["police"].pk, "kind": "weapons",
        "summary": "网点收寄疑似管制刀具，寄件人拒绝验视"})
    assert response.status_code == 422 and "证据" in response.content.decode()
    assert Transfer.objects.count() == 0
    response = client.post("/partners/transfers/new/", {
        "event": world["event"].pk, "partner": world["police"].pk, "kind": "weapons",
        "summary": "网点收寄疑似管制刀具，寄件人拒绝验视", "evidence": _evidence_ids(world["event"])})
    t = Transfer.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/partners/transfers/{t.pk}/"


def test_the_api_lists_sends_and_refuses(world, client_for):
    cast = world["cast"]
    api = client_for(cast.city_bureau)
    body = {"partner_id": world["police"].pk, "kind": "weapons", "event_id": world["event"].pk,
            "summary": "网点收寄疑似管制刀具，寄件人拒绝验视", "evidence_ids": []}
    refused = api.post("/api/v1/partners/transfers", body, content_type="application/json")
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "evidence_required"
    body["evidence_ids"] = _evidence_ids(world["event"])
    made = api.post("/api/v1/partners/transfers", body, content_type="application/json")
    assert made.status_code == 201, made.content
    t = made.json()
    assert t["number"] == "莆邮管移〔2026〕1号" and t["state"] == "sent"
    assert api.get("/api/v1/partners/transfers?direction=outgoing").json()["count"] == 1
    assert client_for(cast.centre_b).get(f"/api/v1/partners/transfers/{t['id']}").status_code == 404
    step = api.post(f"/api/v1/partners/transfers/{t['id']}/chase", {"version": 1, "note": "电话催办"},
                    content_type="application/json")
    assert step.status_code == 200 and step.json()["reminders"] == 1
    partners = api.get("/api/v1/partners").json()
    assert partners["count"] == 3
    police = next(p for p in partners["items"] if p["name"] == "莆田市公安局")
    assert police["contacts"][0]["phone"] == "1******1234"
    assert client_for(cast.officer_x).get("/api/v1/partners").json()["count"] == 0


def test_the_demo_looks_like_a_bureau_that_works_with_its_partners(db, client_for):
    from parcelguard.accounts.models import User
    from parcelguard.demo.city import load_demo_city
    from parcelguard.partners.demo import load_demo_partners
    from parcelguard.registry.models import Site

    ensure_taxonomy()
    with travel(2026, 12, 5, 9):
        load_demo_city()
        grid = User.objects.get(username="hanjiang_grid")
        for n, site in enumerate(Site.objects.filter(jurisdiction_path__startswith=grid.jurisdiction.path)
                                 .order_by("code")[:3]):
            with travel(2026, 9, 1 + n, 10):
                events.event_report(user=grid, site_id=site.pk, hazard_type="other", description=f"网点隐患{n}号待核查",
                                    uploads=[photo(f"现场{n}.png")])
        summary = load_demo_partners()
    assert summary == {"partners": 6, "transfers": 4}
    states = sorted(Transfer.objects.values_list("state", flat=True))
    assert states == ["closed", "received", "registered", "sent"]
    late = Transfer.objects.get(state="received")
    assert late.reminders == 1 and late.feedback_due < dt.datetime(2026, 12, 5, tzinfo=SH)
    assert Transfer.objects.get(state="registered").event.source == Source.PARTNER
    assert Meeting.objects.get().state == "held" and ActionItem.objects.filter(state="done").count() == 1
    city = User.objects.get(username="city")
    with travel(2026, 12, 5, 9):
        page = client_for(city).get("/partners/transfers/?overdue=1").content.decode()
    assert late.number in page
