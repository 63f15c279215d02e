"""No English on the main pages a Chinese user sees (the default language): every page a city-bureau user
opens is rendered with data behind it (events through the workflow, a verified trail, parcel warnings, a
privacy sample) and its visible text is searched for English words. Codes (GB numbers, waybill and machine
numbers, credit codes), units, brand names and acronyms are allowed; an English UI word fails the test."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import pytest

from parcelguard.events import services as events
from parcelguard.events.testing import ensure_taxonomy, photo
from parcelguard.evidence.models import Evidence
from parcelguard.parcels import services as parcels
from parcelguard.parcels.models import EarlyWarning
from parcelguard.parcels.testing import day_of_parcels, sender
from parcelguard.privacy.services import sample_audit_text
from parcelguard.trail.services import trail_verify

DAY = dt.date(2026, 10, 20)
EXPOSED = "收件人：张三 13812345678 福建省莆田市涵江区涵华东路88号3幢201室"

# Words a Chinese page may show: acronyms, units, formats, brand and product names, the language switcher.
ALLOWED = {
    "API", "PDF", "Excel", "PNG", "CSV", "XLSX", "ZIP", "GB", "SHA", "ID", "X", "OCR", "HMAC", "URL", "JSON",
    "GBK", "UTF", "GIS", "GPS", "KPI", "QR", "IP", "TB", "MB", "KB", "kg", "km", "m", "h", "min", "s",
    "ParcelGuard", "English", "ZTO", "YTO", "SF", "YD", "PT", "XR", "WD", "FB", "HTML", "ECharts", "OpenStreetMap",
    "Leaflet", "CNY", "JPEG", "JPG", "WGS", "GCJ", "Parquet", "SQLite", "PostgreSQL",
    "A", "B", "C", "D",  # credit grades: Chinese regulators write them as letters (A级 … D级)
    "Language",  # the language switcher's label stays English on purpose, like its "English" option
}
# File extensions in names of uploaded files.
EXTENSIONS = {"pdf", "png", "jpg", "jpeg", "xlsx", "csv", "zip", "mp4", "txt", "parquet"}
# Not interface words: addresses (rtsp://, https://, e-mail), paths (an API route in a help text) and
# stored file names (evidence/c3/c3b9….png in a verification problem).
URL = re.compile(r"\b[a-z]+://\S+|\S+@\S+|(?<![\w/])/[\w\-]+(?:/[\w\-.{}]*)+"
                 r"|(?<![\w/])[\w\-]+(?:/[\w\-]+)*/[\w\-]+\.\w+")
# A code: only capitals and digits, letters mixed with digits (waybill, machine, GB numbers), or a
# snake_case column name of the data contract (outlet_id, sender_id_hash).
CODE = re.compile(r"^(?=.*\d)[A-Za-z0-9_\-]+$|^[A-Z0-9_\-]{2,}$|^[a-z]+(?:_[a-z]+)+$")
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_\-']*")
VISIBLE_ATTRS = ("placeholder", "title", "aria-label", "alt")


class _Text(HTMLParser):
    """The text a user reads: text nodes outside script/style/code, and the visible attributes."""

    SKIP = {"script", "style", "code", "pre", "svg", "template"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.in_body = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            self.in_body = True
        if tag in self.SKIP:
            self.skipping += 1
        if self.in_body and not self.skipping:
            values = dict(attrs)
            self.parts += [values[a] or "" for a in VISIBLE_ATTRS if a in values]
            if tag == "input" and values.get("type") in ("submit", "button"):
                self.parts.append(values.get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1

    def handle_data(self, data: str) -> None:
        if self.in_body and not self.skipping:
            self.parts.append(data)


def english_words(html: str, extra: frozenset[str] = frozenset()) -> list[str]:
    parser = _Text()
    parser.feed(html)
    found = []
    for part in parser.parts:
        for word in WORD.findall(URL.sub(" ", part)):
            if word in ALLOWED or word in extra or word.lower() in EXTENSIONS or CODE.match(word):
                continue
            found.append(word)
    return found


@pytest.fixture
def world(cast, django_capture_on_commit_callbacks):
    """A city with data on every page: events through several steps, parcels analysed, a sample, the trail."""
    ensure_taxonomy()
    reported = events.event_report(user=cast.worker_a1, site_id=cast.outlet_a1.pk, hazard_type="fire_safety",
                                   description="分拣区灭火器过期", uploads=[photo()])
    events.event_verify(user=cast.centre_a, event_id=reported.pk, version=1, note="现场核实属实",
                        uploads=[photo("核实.png", (10, 120, 30))])
    events.event_remind(user=cast.centre_a, event_id=reported.pk, version=2, note="限期整改")
    other = events.event_report(user=cast.worker_b1, site_id=cast.outlet_b1.pk, hazard_type="waybill_pii",
                                description="面单信息完整显示", uploads=[photo("面单.png")])
    events.event_reject(user=cast.centre_b, event_id=other.pk, version=1, reason_code="duplicate", reason="重复上报")

    x = day_of_parcels(1, 10, "PTZTOWD0001", DAY, machine="XRZTOFB000101")
    for row in x:  # the declared content is the enterprise's free text, shown as sent: Chinese in real data
        row["item_category"] = "服装"
    x[3]["realname_verified"] = False
    x[4]["screening_result"] = "suspect"
    x[5]["sender_id_hash"] = sender("shared")
    parcels.batch_push(user=cast.officer_x, records=x)
    y = day_of_parcels(100, 6, "PTYTOWD0001", DAY, brand="YTO", machine="XRYTOWD000101")
    y[0]["sender_id_hash"] = sender("shared")
    parcels.batch_push(user=cast.officer_y, records=y)
    parcels.analysis_run(trigger="test")

    sample, _ = sample_audit_text(user=cast.worker_a1, site_id=cast.outlet_a1.pk, text=EXPOSED)
    lost = Evidence.objects.order_by("pk").first()  # a lost evidence file: the trail page names the problem
    lost.file.storage.delete(lost.file.name)
    assert not trail_verify(by=cast.city_bureau).ok
    from parcelguard.credit.services import recompute
    from parcelguard.credit.testing import ensure_ruleset

    ensure_ruleset()
    ratings = list(recompute(user=cast.city_bureau).ratings.all())
    from parcelguard.assessment import scoring
    from parcelguard.assessment import services as assessment
    from parcelguard.assessment.testing import ensure_method

    ensure_method()
    last = scoring.last_periods()[0].code
    assessed = assessment.assessment_publish(user=cast.city_bureau, period=last)
    circular = assessment.circular_issue(user=cast.city_bureau, month=last, practice="推行视频巡检")
    return {"cast": cast, "event": reported, "rejected": other, "sample": sample, "ratings": ratings,
            "assessment": assessed, "circular": circular, "period": last}


def pages(world) -> list[str]:
    cast = world["cast"]
    warning = EarlyWarning.objects.order_by("pk")
    return [
        "/", "/work/",
        *[f"/registry/{slug}/" for slug in ("enterprises", "sites", "machines", "staff", "safety-officers",
                                            "cameras")],
        f"/registry/enterprises/{cast.enterprise_x.pk}/", f"/registry/sites/{cast.outlet_a1.pk}/",
        f"/registry/sites/{cast.outlet_b1.pk}/", f"/registry/machines/{cast.machine_a.pk}/",
        "/registry/sites/new/", "/registry/import/",
        "/events/", "/events/new/", "/events/cases/", "/events/inbox/", "/events/rewards/",
        f"/events/{world['event'].pk}/", f"/events/{world['rejected'].pk}/",
        "/trail/",
        "/privacy/", "/privacy/enterprises/", f"/privacy/samples/{world['sample'].pk}/",
        "/parcels/warnings/", "/parcels/trace/",
        "/parcels/trace/?waybill=" + "ZTO000000000005",
        *[f"/parcels/warnings/{w.pk}/" for w in warning],
        "/analytics/", "/analytics/events/", "/analytics/duty/", "/analytics/reports/",
        "/credit/", "/credit/method/", *[f"/credit/{r.pk}/" for r in world["ratings"]],
        "/assessment/", f"/assessment/?period={world['period']}", "/assessment/method/",
        f"/assessment/{world['assessment'].pk}/", f"/assessment/{world['assessment'].pk}/records/350303/closure_rate/",
        "/assessment/circulars/", f"/assessment/circulars/{world['circular'].pk}/",
        "/training/", "/training/staff/", "/training/bank/", "/training/sessions/new/",
    ]


def test_the_main_pages_show_no_english_to_a_chinese_user(world, client_for):
    cast = world["cast"]
    usernames = frozenset(u.username for u in cast.users.values())
    english: dict[str, list[str]] = {}
    checked = 0
    for user, url in [(cast.city_bureau, url) for url in pages(world)] + [(cast.officer_x, "/parcels/upload/")]:
        response = client_for(user).get(url)
        assert response.status_code == 200, (url, response.status_code)
        words = english_words(response.content.decode(), usernames)
        if words:
            english[url] = sorted(set(words))
        checked += 1
    assert checked >= 30
    assert not english, "\n".join(f"{u}: {w}" for u, w in english.items())


def test_the_check_finds_english_when_there_is_some(world, client_for, settings):
    page = ("<html><body><h1>隐患事件</h1><p>Screened while down · PDF · GB 2021 · ZTO000000000005 · "
            "evidence/c3/c3b9.png · POST /api/v1/parcels/batches · outlet_id</p>"
            "<input placeholder='Search'><script>var x = 'ignored';</script></body></html>")
    assert english_words(page) == ["Screened", "while", "down", "Search"]
    client = client_for(world["cast"].city_bureau)  # the same pages in English are full of English words
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = english_words(client.get("/trail/").content.decode())
    assert {"Verify", "now", "evidence", "the", "file", "is", "missing"} <= set(english)
