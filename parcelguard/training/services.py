"""Writes of training and exams: import or save questions of the bank, record a training session with its
attendance and evidence, issue an exam paper to a candidate, start and submit it (scored at once; a pass
earns the certificate). Every refusal raises a coded error and writes nothing."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from parcelguard.accounts.roles import Role
from parcelguard.accounts.scoping import scope
from parcelguard.core import clock, workflow
from parcelguard.core.errors import Conflict, Forbidden, Invalid, NotFound
from parcelguard.registry.models import Staff, Status
from parcelguard.training import bank
from parcelguard.training.models import (
    Attempt,
    AttemptState,
    Attendance,
    Certificate,
    Course,
    Position,
    Question,
    TrainingSession,
)

BANK_EDITORS = {Role.CITY_BUREAU, Role.ADMIN}
ISSUERS = {Role.ENTERPRISE, Role.COUNTY_CENTRE, Role.CITY_BUREAU}


def add_months(day: dt.date, months: int) -> dt.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)


def _trail(user: Any, action: str, subject: str, payload: dict[str, Any], hashes: Sequence[str] = ()) -> None:
    from parcelguard.trail.services import trail_append

    trail_append(actor=user if getattr(user, "pk", None) else None, action=action, subject=subject,
                 payload=payload, evidence_hashes=hashes)


# ---- the question bank ---------------------------------------------------------------------------------

def _bank_editor(user: Any) -> None:
    if workflow.role_of(user) not in BANK_EDITORS:
        raise Forbidden(_("Only the city bureau keeps the question bank."), code="role_not_allowed")


def _position_codes() -> list[str]:
    return list(Position.objects.values_list("code", flat=True))


def bank_import(*, user: Any, questions: Any) -> list[Question]:
    """Import questions (new codes added, known codes replaced). The whole file is checked first: one
    question without a correct answer and nothing is written."""
    _bank_editor(user)
    cleaned = bank.clean_bank(questions, _position_codes())
    saved = []
    with transaction.atomic():
        for q in cleaned:
            obj, _made = Question.objects.update_or_create(
                code=q["code"], defaults={k: v for k, v in q.items() if k != "code"} | {"active": True})
            saved.append(obj)
        _trail(user, "training.bank_import", f"training-bank:{len(saved)}",
               {"questions": [q["code"] for q in cleaned]})
    return saved


def question_save(*, user: Any, question: Mapping[str, Any]) -> Question:
    """Save one question of the bank, checked like an import."""
    return bank_import(user=user, questions=[dict(question)])[0]


def pools(position: Position) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {k: [] for k in bank.KINDS}
    for pk, kind, wanted in Question.objects.filter(active=True).values_list("pk", "kind", "positions"):
        if not wanted or position.code in wanted:
            found[kind].append(pk)
    return found


# ---- training sessions ----------------------------------------------------------------------------------

def _common_path(paths: list[str]) -> str:
    parts = [p.strip("/").split("/") for p in paths]
    common: list[str] = []
    for level in zip(*parts, strict=False):
        if len(set(level)) != 1:
            break
        common.append(level[0])
    return "/".join(common) + "/" if common else ""


def session_record(*, user: Any, course_id: Any, held_on: Any, place: str, trainer: str, staff_ids: Sequence[Any],
                   uploads: Sequence[Any] = ()) -> TrainingSession:
    """An enterprise (for its own staff) or the bureau (for staff in its area) records a session held, with
    who attended and the evidence (sign-in sheet, photos)."""
    role = workflow.role_of(user)
    if role not in ISSUERS:
        raise Forbidden(_("Your role may not record training sessions."), code="role_not_allowed")
    course = Course.objects.filter(pk=int(course_id or 0)).first() if str(course_id or "").isdigit() else None
    if course is None:
        raise Invalid(_("Choose a course."), code="course_required")
    try:
        day = held_on if isinstance(held_on, dt.date) else dt.date.fromisoformat(str(held_on).strip())
    except ValueError:
        raise Invalid(_("Give the date as YYYY-MM-DD."), code="invalid_date") from None
    if day > clock.today():
        raise Invalid(_("A session is recorded once it is held."), code="date_in_future")
    place, trainer = (place or "").strip()[:120], (trainer or "").strip()[:40]
    if len(place) < 2 or len(trainer) < 2:
        raise Invalid(_("Give the place and the trainer."), code="place_trainer_required")
    ids = sorted({int(s) for s in staff_ids if str(s).isdigit()})
    staff = list(scope(user, Staff).filter(pk__in=ids, status=Status.ACTIVE).select_related("site"))
    if not staff or len(staff) != len(ids):
        raise Invalid(_("Choose the attending staff among your own active staff."), code="attendees_invalid")
    if not uploads:
        raise Invalid(_("Attach the sign-in sheet or photos of the session."), code="evidence_required")
    path = (_common_path([s.site.jurisdiction_path for s in staff]) if role == Role.ENTERPRISE
            else user.jurisdiction.path)
    with transaction.atomic():
        session = TrainingSession.objects.create(
            course=course, enterprise_id=user.enterprise_id if role == Role.ENTERPRISE else None,
            jurisdiction_path=path, held_on=day, place=place, trainer=trainer, created_by=user,
            created_at=clock.now())
        Attendance.objects.bulk_create([Attendance(session=session, staff=s) for s in staff])
        stored = workflow.store_uploads(user, uploads, "training:session")
        session.evidence.add(*[ev for ev, _kind in stored])
        _trail(user, "training.session", f"training-session:{session.pk}",
               {"course": course.code, "held_on": day.isoformat(), "attendees": len(staff)},
               [ev.sha256 for ev, _kind in stored if getattr(ev, "sha256", None)])
    return session


# ---- exams ----------------------------------------------------------------------------------------------

def courses_missing(staff: Staff, position: Position, on: dt.date) -> list[Course]:
    """The required courses the staff member did not attend within the position's renewal period."""
    since = add_months(on, -position.renewal_months)
    done = set(Attendance.objects.filter(staff=staff, session__held_on__gte=since, session__held_on__lte=on)
               .values_list("session__course_id", flat=True))
    return [c for c in position.courses.all() if c.pk not in done]


def exam_issue(*, user: Any, staff_id: Any, position: str) -> Attempt:
    """Issue an exam paper: drawn now from the candidate's seed; opened by the candidate with the link."""
    if workflow.role_of(user) not in ISSUERS:
        raise Forbidden(_("Your role may not issue exams."), code="role_not_allowed")
    found = Position.objects.filter(code=position).first()
    if found is None:
        raise Invalid(_("Unknown position."), code="unknown_position")
    staff = scope(user, Staff).filter(pk=int(staff_id) if str(staff_id).isdigit() else 0).first()
    if staff is None:
        raise NotFound(_("Record not found."))
    if staff.status != Status.ACTIVE:
        raise Conflict(_("The staff member is not active."), code="staff_inactive")
    now = clock.now()
    missing = courses_missing(staff, found, clock.today())
    if missing:
        raise Conflict(_("Required courses not attended yet: %(courses)s.") % {
            "courses": "、".join(c.title for c in missing)}, code="courses_missing",
            details={"courses": [c.code for c in missing]})
    open_ = [a for a in Attempt.objects.filter(staff=staff, position=found,
                                               state__in=(AttemptState.ISSUED, AttemptState.STARTED))
             if not (a.deadline and now > a.deadline)]
    if open_:
        raise Conflict(_("This candidate already has an exam paper to take for this position."), code="exam_open")
    with transaction.atomic():
        n = Attempt.objects.select_for_update().filter(staff=staff, position=found).count() + 1
        seed = bank.paper_seed(staff.pk, found.code, n)
        paper = bank.draw(seed, found.mix, pools(found))
        points = dict(Question.objects.filter(pk__in=paper).values_list("pk", "points"))
        attempt = Attempt.objects.create(staff=staff, position=found, token=secrets.token_urlsafe(24), seed=seed,
                                         questions=paper, issued_by=user, issued_at=now,
                                         total=sum(points[q] for q in paper))
        _trail(user, "training.exam_issue", f"training-exam:{attempt.pk}",
               {"staff": staff.pk, "position": found.code, "seed": seed, "questions": paper})
    return attempt


def _by_token(token: str, lock: bool = False) -> Attempt:
    qs = Attempt.objects.select_related("position", "staff")
    if lock:
        qs = qs.select_for_update(of=("self",))
    found = qs.filter(token=str(token or "")[:64]).first() if token else None
    if found is None:
        raise NotFound(_("No such exam paper."))
    return found


def exam_start(*, token: str) -> Attempt:
    """The candidate opens the paper: the time limit runs from now (opening again changes nothing)."""
    with transaction.atomic():
        attempt = _by_token(token, lock=True)
        if attempt.state in (AttemptState.PASSED, AttemptState.FAILED):
            raise Conflict(_("This exam has already been submitted."), code="already_submitted")
        if attempt.started_at is None:
            now = clock.now()
            attempt.started_at = now
            attempt.deadline = now + dt.timedelta(minutes=attempt.position.exam_minutes)
            attempt.state = AttemptState.STARTED
            attempt.save(update_fields=["started_at", "deadline", "state"])
            _trail(None, "training.exam_start", f"training-exam:{attempt.pk}", {"deadline": attempt.deadline.isoformat()})
    return attempt


def _clean_answers(attempt: Attempt, kinds: Mapping[int, str], options: Mapping[int, int],
                   answers: Mapping[Any, Any]) -> dict[str, list[int]]:
    cleaned: dict[str, list[int]] = {}
    for key, given in (answers or {}).items():
        qid = int(key) if str(key).isdigit() else -1
        if qid not in kinds:
            raise Invalid(_("An answer names a question that is not on this paper."), code="unknown_question")
        values = given if isinstance(given, list) else [given]
        try:
            picked = sorted({int(v) for v in values if v not in (None, "")})
        except (TypeError, ValueError):
            raise Invalid(_("An answer must name options of the question."), code="invalid_answer") from None
        if any(not 0 <= v < options[qid] for v in picked):
            raise Invalid(_("An answer must name options of the question."), code="invalid_answer")
        if kinds[qid] != "multiple" and len(picked) > 1:
            raise Invalid(_("Choose one option for a single-choice question."), code="invalid_answer")
        if picked:
            cleaned[str(qid)] = picked
    return cleaned


def exam_submit(*, token: str, answers: Mapping[Any, Any]) -> Attempt:
    """The candidate hands the paper in, once, before the time limit: scored at once against the key; a
    pass (at least the position's pass mark) earns the certificate."""
    with transaction.atomic():
        attempt = _by_token(token, lock=True)
        if attempt.state in (AttemptState.PASSED, AttemptState.FAILED):
            raise Conflict(_("This exam has already been submitted; it cannot be answered twice."),
                           code="already_submitted")
        if attempt.started_at is None or attempt.deadline is None:
            raise Conflict(_("Start the exam first."), code="not_started")
        now = clock.now()
        if now > attempt.deadline:
            raise Conflict(_("The time limit is over; the paper can no longer be submitted."), code="time_over")
        questions = {q.pk: q for q in Question.objects.filter(pk__in=attempt.questions)}
        cleaned = _clean_answers(attempt, {pk: q.kind for pk, q in questions.items()},
                                 {pk: len(q.options) for pk, q in questions.items()}, answers)
        score = sum(questions[pk].points for pk in attempt.questions
                    if bank.is_right(questions[pk].answer, cleaned.get(str(pk), [])))
        attempt.answers, attempt.score, attempt.submitted_at = cleaned, score, now
        attempt.total = sum(questions[pk].points for pk in attempt.questions)
        passed = score * 100 >= attempt.position.pass_mark * attempt.total
        attempt.state = AttemptState.PASSED if passed else AttemptState.FAILED
        attempt.save(update_fields=["answers", "score", "submitted_at", "total", "state"])
        _trail(None, "training.exam_submit", f"training-exam:{attempt.pk}",
               {"score": score, "total": attempt.total, "passed": passed})
        if passed:
            _certify(attempt)
    return attempt


def _certify(attempt: Attempt) -> Certificate:
    today = clock.today()
    prefix = f"PT{today:%Y}-{attempt.position.order:02d}-"
    last = Certificate.objects.filter(number__startswith=prefix).aggregate(m=Max("number"))["m"]
    seq = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    cert = Certificate.objects.create(
        number=f"{prefix}{seq:05d}", staff=attempt.staff, position=attempt.position, attempt=attempt,
        issued_on=today, valid_until=add_months(today, attempt.position.renewal_months),
        verify_token=secrets.token_urlsafe(18))
    _trail(None, "training.certificate", f"training-cert:{cert.pk}",
           {"number": cert.number, "position": attempt.position.code, "valid_until": cert.valid_until.isoformat()})
    return cert
