"""Training and exams (issue 15): positions and the bank as data, the paper drawn reproducibly from a seed,
timed, scored by hand count, answered once; the certificate and its public check; who may work in which
position; scoping; the seams (work, figure, credit source); the API and the pages."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter

import pytest
from django.db import transaction
from django.utils import timezone

from parcelguard.core import clock
from parcelguard.core.errors import Conflict, Forbidden, Invalid, NotFound
from parcelguard.events.testing import photo
from parcelguard.training import bank, plug, selectors, services
from parcelguard.training.models import Attempt, Certificate, Position, Question, TrainingSession
from parcelguard.training.testing import attend_required, right_answers, screener


@pytest.fixture
def ready(cast):
    """A screener of enterprise X who attended the required courses."""
    s = screener(cast)
    attend_required(cast.officer_x, [s], "screener")
    return s


def test_positions_courses_and_bank_are_seeded_from_the_data_files(db):
    catalogue = bank.load("catalogue.json")
    assert sorted(Position.objects.values_list("name", flat=True)) == sorted(p["name"] for p in catalogue["positions"])
    assert {"收寄验视员", "安检员/安检机操作员", "安全员", "分拣员", "投递员"} == set(
        Position.objects.values_list("name", flat=True))
    screener_ = Position.objects.get(code="screener")
    assert screener_.renewal_months == 12 and screener_.mix["image"] == 2
    assert {c.code for c in screener_.courses.all()} == {"law-basics", "prohibited-items", "xray-operation"}
    assert Question.objects.count() == len(bank.load("questions.json")["questions"])
    for p in Position.objects.all():  # every position's mix can be drawn from the bank
        pools = services.pools(p)
        assert all(len(pools[k]) >= n for k, n in p.mix.items()), p.code
    for q in Question.objects.filter(kind="image"):
        assert (bank.IMAGES / q.image).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("answer", [None, [], [7], [0, 1], ["0"], [True]])
def test_a_question_without_a_correct_answer_is_refused_and_nothing_is_written(cast, answer):
    good = {"code": "N001", "kind": "single", "text": "快件收寄前必须做什么？", "options": ["验视", "不验视"], "answer": [0]}
    bad = {"code": "N002", "kind": "single", "text": "这道题没有正确答案？", "options": ["甲", "乙", "丙"]}
    if answer is not None:
        bad["answer"] = answer
    before = Question.objects.count()
    with pytest.raises(Invalid) as refused:
        services.bank_import(user=cast.city_bureau, questions=[good, bad])
    assert refused.value.code == "no_correct_answer" and refused.value.details == {"question": "N002"}
    assert Question.objects.count() == before and not Question.objects.filter(code="N001").exists()
    with pytest.raises(Invalid):
        services.question_save(user=cast.city_bureau, question=bad)
    services.bank_import(user=cast.city_bureau, questions=[good])
    assert Question.objects.get(code="N001").answer == [0]


def test_only_the_city_bureau_keeps_the_bank_and_other_bad_questions_are_refused(cast):
    q = {"code": "N003", "kind": "image", "text": "图中是什么？", "options": ["刀", "伞"], "answer": [0], "image": "none.png"}
    with pytest.raises(Forbidden):
        services.bank_import(user=cast.officer_x, questions=[{**q, "image": "knife.png"}])
    with pytest.raises(Invalid) as e:
        services.bank_import(user=cast.city_bureau, questions=[q])
    assert e.value.code == "question_image"
    with pytest.raises(Invalid) as e:
        services.bank_import(user=cast.city_bureau, questions=[{**q, "kind": "multiple", "answer": [0]}])
    assert e.value.code == "no_correct_answer"
    with pytest.raises(Invalid) as e:
        services.bank_import(user=cast.city_bureau, questions=[{**q, "image": "knife.png", "positions": ["pilot"]}])
    assert e.value.code == "unknown_position"


def test_a_paper_is_drawn_reproducibly_never_repeats_and_respects_the_mix(cast, ready):
    position = Position.objects.get(code="screener")
    pools = services.pools(position)
    seed = bank.paper_seed(ready.pk, "screener", 1)
    paper = bank.draw(seed, position.mix, pools)
    assert paper == bank.draw(seed, position.mix, pools)  # the same seed, the same paper
    assert len(paper) == len(set(paper)) == sum(position.mix.values())
    kinds = dict(Question.objects.filter(pk__in=paper).values_list("pk", "kind"))
    assert Counter(kinds.values()) == Counter(position.mix)
    allowed = {q.pk for q in Question.objects.all() if not q.positions or "screener" in q.positions}
    assert set(paper) <= allowed
    attempt = services.exam_issue(user=cast.officer_x, staff_id=ready.pk, position="screener")
    assert attempt.seed == seed and attempt.questions == paper  # anyone can redraw the issued paper
    others = {tuple(bank.draw(bank.paper_seed(i, "screener", 1), position.mix, pools)) for i in range(1, 30)}
    assert len(others) > 20  # candidates get different papers
    with pytest.raises(Invalid) as small:
        bank.draw(seed, {"image": 9}, pools)
    assert small.value.code == "bank_too_small"


def test_an_exam_needs_the_required_courses_and_a_session_needs_evidence(cast):
    s = screener(cast)
    with pytest.raises(Conflict) as e:
        services.exam_issue(user=cast.officer_x, staff_id=s.pk, position="screener")
    assert e.value.code == "courses_missing" and set(e.value.details["courses"]) == {
        "law-basics", "prohibited-items", "xray-operation"}
    course = Position.objects.get(code="screener").courses.get(code="xray-operation")
    with pytest.raises(Invalid) as e:
        services.session_record(user=cast.officer_x, course_id=course.pk, held_on=clock.today(), place="培训室",
                                trainer="林美玲", staff_ids=[s.pk], uploads=[])
    assert e.value.code == "evidence_required" and not TrainingSession.objects.exists()
    with pytest.raises(Invalid) as e:  # another enterprise's staff
        services.session_record(user=cast.officer_y, course_id=course.pk, held_on=clock.today(), place="培训室",
                                trainer="郑秀英", staff_ids=[s.pk], uploads=[photo()])
    assert e.value.code == "attendees_invalid"
    attend_required(cast.officer_x, [s], "screener")
    assert services.exam_issue(user=cast.officer_x, staff_id=s.pk, position="screener").questions
    with pytest.raises(Conflict) as e:
        services.exam_issue(user=cast.officer_x, staff_id=s.pk, position="screener")
    assert e.value.code == "exam_open"
    with pytest.raises(NotFound):  # another enterprise's staff is not found
        services.exam_issue(user=cast.officer_y, staff_id=s.pk, position="screener")


def test_scoring_equals_a_hand_count_and_a_pass_earns_the_certificate(cast, ready):
    attempt = services.exam_issue(user=cast.officer_x, staff_id=ready.pk, position="screener")
    services.exam_start(token=attempt.token)
    questions = {q.pk: q for q in Question.objects.filter(pk__in=attempt.questions)}
    by_kind: dict[str, list[Question]] = {}
    for pk in attempt.questions:
        by_kind.setdefault(questions[pk].kind, []).append(questions[pk])
    answers: dict[str, list[int]] = {}
    for q in by_kind["single"]:  # 5 right: 5 x 2
        answers[str(q.pk)] = q.answer
    m1, m2 = by_kind["multiple"]
    answers[str(m1.pk)] = m1.answer  # right: 3
    answers[str(m2.pk)] = m2.answer[:-1]  # one right option missing: 0 (all or nothing)
    t1, t2, t3 = by_kind["truefalse"]
    answers[str(t1.pk)], answers[str(t2.pk)] = t1.answer, t2.answer  # 2 x 1
    answers[str(t3.pk)] = [1 - t3.answer[0]]  # wrong
    i1, _i2 = by_kind["image"]
    answers[str(i1.pk)] = i1.answer  # 3; the other image question left blank
    done = services.exam_submit(token=attempt.token, answers=answers)
    assert (done.score, done.total) == (5 * 2 + 3 + 0 + 2 + 3, 5 * 2 + 2 * 3 + 3 * 1 + 2 * 3) == (18, 25)
    assert done.state == "failed" and done.percent == 72 and not Certificate.objects.exists()

    second = services.exam_issue(user=cast.officer_x, staff_id=ready.pk, position="screener")
    assert second.seed == bank.paper_seed(ready.pk, "screener", 2) != attempt.seed
    services.exam_start(token=second.token)
    key = right_answers(second)
    wrong_one = next(pk for pk in second.questions if questions.get(pk, Question(kind="x")).kind == "truefalse"
                     or Question.objects.get(pk=pk).kind == "truefalse")
    key[str(wrong_one)] = [1 - key[str(wrong_one)][0]]  # 24 of 25 = 96 %
    passed = services.exam_submit(token=second.token, answers=key)
    assert (passed.score, passed.state) == (24, "passed")
    cert = passed.certificate
    assert cert.number == f"PT{clock.today():%Y}-02-00001" and cert.position.code == "screener"
    assert cert.valid_until == services.add_months(cert.issued_on, 12)


def test_answering_twice_and_after_the_time_limit_is_refused_with_nothing_written(cast, ready):
    attempt = services.exam_issue(user=cast.officer_x, staff_id=ready.pk, position="screener")
    with pytest.raises(Conflict) as e:
        services.exam_submit(token=attempt.token, answers={})
    assert e.value.code == "not_started"
    started = services.exam_start(token=attempt.token)
    assert started.deadline == started.started_at + dt.timedelta(minutes=20)
    assert services.exam_start(token=attempt.token).deadline == started.deadline  # opening again: same clock
    with clock.frozen_at(started.deadline + dt.timedelta(seconds=1)), pytest.raises(Conflict) as e:
        services.exam_submit(token=attempt.token, answers=right_answers(attempt))
    assert e.value.code == "time_over"
    attempt.refresh_from_db()
    assert attempt.submitted_at is None and attempt.score is None and not Certificate.objects.exists()

    other = screener(cast, "陈建伟")
    attend_required(cast.officer_x, [other], "screener")
    paper = services.exam_issue(user=cast.officer_x, staff_id=other.pk, position="screener")
    services.exam_start(token=paper.token)
    with pytest.raises(Invalid) as e:
        services.exam_submit(token=paper.token, answers={"999999": [0]})
    assert e.value.code == "unknown_question"
    services.exam_submit(token=paper.token, answers=right_answers(paper))
    with pytest.raises(Conflict) as e:
        services.exam_submit(token=paper.token, answers={})
    assert e.value.code == "already_submitted"
    paper.refresh_from_db()
    assert paper.score == paper.total == 25 and Certificate.objects.count() == 1
    with pytest.raises(NotFound):
        services.exam_submit(token="not-a-token", answers={})


def test_a_candidate_sees_neither_the_key_nor_another_candidates_answers(cast, ready, client):
    a = services.exam_issue(user=cast.officer_x, staff_id=ready.pk, position="screener")
    other = screener(cast, "陈建伟")
    attend_required(cast.officer_x, [other], "screener")
    b = services.exam_issue(user=cast.officer_x, staff_id=other.pk, position="screener")
    client.post(f"/training/public/exam/{a.token}/", {"action": "start"})
    page = client.get(f"/training/public/exam/{a.token}/").content.decode()
    assert page.count('type="radio"') + page.count('type="checkbox"') > 12
    assert " checked" not in page and "黄志强" not in page  # nothing pre-ticked; the name masked
    started = client.post(f"/api/v1/training/public/exam/{a.token}/start").json()
    assert len(started["questions"]) == 12
    assert all(set(q) == {"id", "kind", "text", "options", "image_url"} for q in started["questions"])
    assert "answer" not in json.dumps(started)
    done = client.post(f"/api/v1/training/public/exam/{a.token}/submit",
                       json.dumps({"answers": right_answers(a)}), content_type="application/json").json()
    assert done["passed"] is True and done["questions"] == [] and "answers" not in done
    # B's link shows B's paper only, never A's answers; a guessed token shows nothing
    theirs = client.get(f"/api/v1/training/public/exam/{b.token}").json()
    assert theirs["state"] == "issued" and theirs["questions"] == [] and theirs["score"] is None
    assert client.get("/api/v1/training/public/exam/guessed").status_code == 404
    assert client.get("/training/public/exam/guessed/").status_code == 404
    # the trainer's view of a paper: score, never the answers
    from django.test import Client

    manager = Client()
    manager.force_login(cast.officer_x)
    client_json = manager.get(f"/api/v1/training/exams/{a.pk}").json()
    assert client_json["score"] == 25 and "answers" not in client_json and "token" not in client_json
    # the bank with its key is the city bureau's
    assert manager.get("/training/bank/").status_code == 403


def test_the_certificate_check_is_public_masked_and_without_id_numbers(cast, ready, client):
    a = services.exam_issue(user=cast.officer_x, staff_id=ready.pk, position="screener")
    services.exam_start(token=a.token)
    cert = services.exam_submit(token=a.token, answers=right_answers(a)).certificate
    page = client.get(f"/training/public/certificates/{cert.verify_token}/")
    text = page.content.decode()
    assert page.status_code == 200 and cert.number in text and "安检员/安检机操作员" in text and "该上岗证有效" in text
    assert "黄志强" not in text and "黄" in text and "13906001234" not in text
    assert f"{cert.valid_until:%Y-%m-%d}" in text and "id_number" not in text
    body = client.get(f"/api/v1/training/public/certificates/{cert.verify_token}").json()
    assert body["valid_today"] is True and body["holder"] != "黄志强" and set(body) == {
        "number", "holder", "enterprise", "position", "issued_on", "valid_until", "valid_today"}
    assert client.get("/training/public/certificates/nope/").status_code == 404
    with clock.frozen_at(timezone.make_aware(dt.datetime.combine(cert.valid_until + dt.timedelta(days=1), dt.time(10)))):
        later = client.get(f"/training/public/certificates/{cert.verify_token}/").content.decode()
        assert "该上岗证今日不在有效期内" in later


def test_the_registry_shows_who_may_work_where_and_flags_an_expired_screener(cast, ready, client_for):
    a = services.exam_issue(user=cast.officer_x, staff_id=ready.pk, position="screener")
    services.exam_start(token=a.token)
    cert = services.exam_submit(token=a.token, answers=right_answers(a)).certificate
    rows = {r.staff.pk: r for r in selectors.staff_rows(cast.officer_x, clock.today())}
    assert rows[ready.pk].status == "ok" and [c.position.code for c in rows[ready.pk].valid] == ["screener"]
    clerk = next(r for r in rows.values() if r.staff.position == "clerk")
    assert clerk.status == "none" and clerk.flagged
    assert selectors.coverage(cast.officer_x, clock.today()) == (1, 3)  # the screener of 1 screener + 2 clerks
    soon = cert.valid_until - dt.timedelta(days=10)
    assert {r.staff.pk: r.status for r in selectors.staff_rows(cast.officer_x, soon)}[ready.pk] == "expiring"
    expired_day = cert.valid_until + dt.timedelta(days=1)
    later = {r.staff.pk: r for r in selectors.staff_rows(cast.officer_x, expired_day)}
    assert later[ready.pk].status == "expired" and later[ready.pk].flagged and later[ready.pk].valid == []
    with clock.frozen_at(timezone.make_aware(dt.datetime.combine(expired_day, dt.time(9)))):
        page = client_for(cast.officer_x).get("/training/staff/?flag=expired").content.decode()
        from parcelguard.registry.attention import flags_for
        from parcelguard.registry.models import Staff

        flags = flags_for("staff")
        assert list(flags["screener_expired"].apply(Staff.objects.all())) == [ready]
        assert ready in flags["uncertified"].apply(Staff.objects.all())
        listed = client_for(cast.centre_a).get("/registry/staff/?flag=screener_expired").content.decode()
        assert "黄志强" in listed or "黄*" in listed
    assert f'data-staff="{ready.pk}" data-status="expired"' in page
    from parcelguard.registry.attention import flags_for
    from parcelguard.registry.models import Staff

    assert not flags_for("staff")["screener_expired"].apply(Staff.objects.all()).exists()  # valid today
    assert [r.staff.pk for r in selectors.staff_rows(cast.officer_y, clock.today())] == [
        s.pk for s in cast.outlet_b1.staff.all()]  # an enterprise sees its own staff only
    assert selectors.certificates(cast.officer_y).count() == 0 and selectors.attempts(cast.officer_y).count() == 0
    assert client_for(cast.officer_y).get(f"/training/certificates/{cert.pk}/").status_code == 404
    assert client_for(cast.officer_y).get(f"/api/v1/training/exams/{a.pk}").status_code == 404
    assert selectors.certificates(cast.centre_a).count() == 1 and selectors.certificates(cast.centre_b).count() == 0


def test_work_figure_and_credit_source(cast, ready):
    from parcelguard.core import registry
    from parcelguard.credit import sources

    now = clock.now()
    a = services.exam_issue(user=cast.officer_x, staff_id=ready.pk, position="screener")
    items = [w for w in plug.work(cast.officer_x, now)]
    assert f"training-exam:{a.pk}" in {w.subject for w in items}
    services.exam_start(token=a.token)
    cert = services.exam_submit(token=a.token, answers=right_answers(a)).certificate
    assert not [w for w in plug.work(cast.officer_x, now) if w.subject.startswith("training-exam")]
    near = timezone.make_aware(dt.datetime.combine(cert.valid_until - dt.timedelta(days=5), dt.time(9)))
    expiring = [w for w in plug.work(cast.officer_x, near) if w.subject == f"training-staff:{ready.pk}:screener"]
    assert len(expiring) == 1 and cert.valid_until.isoformat() in expiring[0].title
    assert not list(plug.work(cast.officer_y, near))
    figure = registry.figure("training.coverage")
    assert figure.compute(cast.city_bureau, now - dt.timedelta(days=30), now) == 25.0  # 1 of 4 in the city
    assert figure.compute(cast.officer_x, now - dt.timedelta(days=30), now) == round(100 / 3, 1)
    source = sources.get("training_uncertified")
    hits = list(source.fetch(now - dt.timedelta(days=365), now))
    assert {(h.enterprise_id, h.subject) for h in hits} == {
        (s.site.enterprise_id, f"staff:{s.pk}") for s in (cast.outlet_a1.staff.all() | cast.sorting_centre_a.staff.filter(
            position="clerk") | cast.outlet_b1.staff.all())}
    assert source.link(hits[0]).startswith("/training/staff/")


def test_api_issue_take_and_verify(cast, ready, client_for, client):
    api = client_for(cast.officer_x)
    issued = api.post("/api/v1/training/exams", json.dumps({"staff_id": ready.pk, "position": "screener"}),
                      content_type="application/json")
    assert issued.status_code == 201, issued.content
    token = issued.json()["token"]
    again = api.post("/api/v1/training/exams", json.dumps({"staff_id": ready.pk, "position": "screener"}),
                     content_type="application/json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "exam_open"
    attempt = Attempt.objects.get(token=token)
    client.post(f"/api/v1/training/public/exam/{token}/start")
    done = client.post(f"/api/v1/training/public/exam/{token}/submit", json.dumps({"answers": right_answers(attempt)}),
                       content_type="application/json")
    assert done.status_code == 200 and done.json()["score"] == 25
    twice = client.post(f"/api/v1/training/public/exam/{token}/submit", json.dumps({"answers": {}}),
                        content_type="application/json")
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "already_submitted"
    staff = api.get("/api/v1/training/staff?position=screener").json()
    assert [s["status"] for s in staff] == ["ok"] and staff[0]["may_work_as"][0]["position"] == "screener"
    assert len(api.get("/api/v1/training/positions").json()) == 5
    refused = client_for(cast.city_bureau).post("/api/v1/training/bank", json.dumps({"questions": [
        {"code": "N9", "kind": "single", "text": "没有答案的题目", "options": ["甲", "乙"]}]}),
        content_type="application/json")
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "no_correct_answer"


def test_pages_render_for_each_role(cast, ready, client_for):
    a = services.exam_issue(user=cast.officer_x, staff_id=ready.pk, position="screener")
    services.exam_start(token=a.token)
    cert = services.exam_submit(token=a.token, answers=right_answers(a)).certificate
    session = TrainingSession.objects.first()
    for user in (cast.city_bureau, cast.centre_a, cast.officer_x, cast.procurator):
        c = client_for(user)
        for url in ("/training/", "/training/staff/", f"/training/courses/{session.course_id}/",
                    f"/training/sessions/{session.pk}/", f"/training/exams/{a.pk}/", f"/training/certificates/{cert.pk}/"):
            assert c.get(url).status_code == 200, (user.username, url)
    material = client_for(cast.officer_x).get(f"/training/courses/{session.course_id}/material/0/")
    assert material.status_code == 200 and b"".join(material.streaming_content).startswith(b"%PDF")
    assert client_for(cast.city_bureau).get("/training/bank/").status_code == 200
    assert client_for(cast.officer_x).get("/training/sessions/new/").status_code == 200
    assert client_for(cast.procurator).get("/training/sessions/new/").status_code == 403
    upload = client_for(cast.city_bureau).post("/training/bank/", {"file": _json_file({"questions": [
        {"code": "N8", "kind": "truefalse", "text": "没有答案的判断题", "options": ["正确", "错误"], "answer": []}]})})
    assert upload.status_code == 400 and not Question.objects.filter(code="N8").exists()


def _json_file(data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("bank.json", json.dumps(data, ensure_ascii=False).encode(), "application/json")


def test_course_material_is_a_readable_pdf():
    from pypdf import PdfReader

    for course in bank.load("catalogue.json")["courses"]:
        for m in course["material"]:
            text = "".join(p.extract_text() for p in PdfReader(bank.MATERIAL / m["file"]).pages)
            assert m["title"][:6] in text and "莆田市邮政管理局" in text, m["file"]


_ = transaction


def test_every_training_page_speaks_chinese(cast, ready, client_for, client):
    from tests.test_i18n_pages import english_words

    a = services.exam_issue(user=cast.officer_x, staff_id=ready.pk, position="screener")
    pages = [(client, f"/training/public/exam/{a.token}/")]
    services.exam_start(token=a.token)
    pages.append((client, f"/training/public/exam/{a.token}/"))
    cert = services.exam_submit(token=a.token, answers=right_answers(a)).certificate
    session = TrainingSession.objects.first()
    bureau = client_for(cast.city_bureau)
    pages += [(client, f"/training/public/exam/{a.token}/"), (client, f"/training/public/certificates/{cert.verify_token}/"),
              (client, "/training/public/certificates/none/")]
    pages += [(bureau, url) for url in ("/training/", "/training/staff/", "/training/staff/?flag=flagged",
                                        f"/training/courses/{session.course_id}/", f"/training/sessions/{session.pk}/",
                                        f"/training/exams/{a.pk}/", f"/training/certificates/{cert.pk}/",
                                        "/training/bank/", "/training/sessions/new/")]
    found = {}
    for c, url in pages:
        words = english_words(c.get(url).content.decode(), frozenset({"city_bureau"}))
        if words:
            found[url] = sorted(set(words))
    assert not found, found
