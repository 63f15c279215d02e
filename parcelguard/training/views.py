"""Pages of training and exams. Thin: they read through selectors and write through services. The exam
paper and the certificate check are public pages reached by a secret link (the candidate's phone, the QR
code); they show no key, no other candidate's answers and no ID number."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parcelguard.accounts.scoping import scope
from parcelguard.core import clock
from parcelguard.core.errors import DomainError
from parcelguard.core.pii import mask_name
from parcelguard.registry.models import Staff, Status
from parcelguard.training import bank, selectors, services
from parcelguard.training.models import Course, Position


def _error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return render(request, "error.html", {"message": exc.message}, status=exc.status)


def _missing(request: HttpRequest) -> HttpResponse:
    return render(request, "error.html", {"message": _("Record not found.")}, status=404)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user, now, today = request.user, clock.now(), clock.today()
    done, total = selectors.coverage(user, today)
    return render(request, "training/index.html", {
        "positions": selectors.positions(), "done": done, "total": total,
        "percent": selectors.coverage_percent(user, today),
        "open": selectors.open_attempts(user, now)[:50], "expiring": selectors.expiring(user, today)[:50],
        "certificates": selectors.certificates(user)[:20], "sessions": selectors.sessions(user)[:20],
        "can_issue": selectors.can_issue(user), "can_keep_bank": selectors.can_keep_bank(user)})


@login_required
def staff(request: HttpRequest) -> HttpResponse:
    flag, position = request.GET.get("flag", ""), request.GET.get("position", "")
    rows = selectors.staff_rows(request.user, clock.today(), flag=flag, position=position)
    return render(request, "training/staff.html", {
        "rows": rows[:500], "count": len(rows), "flag": flag, "position": position,
        "positions": selectors.positions(), "can_issue": selectors.can_issue(request.user),
        "flags": [("flagged", _("Without a valid certificate")), ("expired", _("Certificate expired")),
                  ("expiring", _("Expiring within 30 days")), ("none", _("Never certified")),
                  ("ok", _("Valid"))]})


@login_required
def course(request: HttpRequest, pk: int) -> HttpResponse:
    found = Course.objects.filter(pk=pk).prefetch_related("positions").first()
    if found is None:
        return _missing(request)
    return render(request, "training/course.html", {
        "course": found, "material": list(enumerate(found.material)),
        "sessions": selectors.sessions(request.user).filter(course=found)[:50]})


@login_required
def material(request: HttpRequest, pk: int, n: int) -> HttpResponse:
    found = Course.objects.filter(pk=pk).first()
    if found is None or not 0 <= n < len(found.material):
        return _missing(request)
    name = str(found.material[n].get("file", ""))
    path = bank.MATERIAL / name
    if "/" in name or not path.is_file():
        return _missing(request)
    return FileResponse(path.open("rb"), content_type="application/pdf", filename=name)


@login_required
def session_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not selectors.can_issue(user):
        return render(request, "error.html", {"message": _("Your role may not record training sessions.")},
                      status=403)
    error = ""
    if request.method == "POST":
        try:
            made = services.session_record(
                user=user, course_id=request.POST.get("course_id"), held_on=request.POST.get("held_on", ""),
                place=request.POST.get("place", ""), trainer=request.POST.get("trainer", ""),
                staff_ids=request.POST.getlist("staff"), uploads=request.FILES.getlist("files"))
        except DomainError as exc:
            error = str(exc.message)
        else:
            messages.success(request, _("Training session recorded."))
            return redirect("training:session", made.pk)
    return render(request, "training/session_new.html", {
        "courses": Course.objects.all(), "error": error, "post": request.POST,
        "staff": scope(user, Staff).filter(status=Status.ACTIVE).select_related("site")[:300],
        "today": clock.today()}, status=400 if error else 200)


@login_required
def session(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.sessions(request.user).filter(pk=pk).first()
    if found is None:
        return _missing(request)
    attendees = scope(request.user, Staff).filter(training_attendance__session=found).select_related("site")
    return render(request, "training/session.html", {"session": found, "attendees": attendees,
                                                      "evidence": found.evidence.all()})


@login_required
@require_POST
def exam_new(request: HttpRequest) -> HttpResponse:
    try:
        attempt = services.exam_issue(user=request.user, staff_id=request.POST.get("staff_id", ""),
                                      position=request.POST.get("position", ""))
    except DomainError as exc:
        return _error(request, exc)
    messages.success(request, _("Exam paper issued: hand the link or QR code to the candidate."))
    return redirect("training:exam", attempt.pk)


@login_required
def exam(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.attempts(request.user).filter(pk=pk).first()
    if found is None:
        return _missing(request)
    link = request.build_absolute_uri(reverse("training:take", args=[found.token]))
    certificate = getattr(found, "certificate", None)
    return render(request, "training/exam.html", {
        "attempt": found, "link": link, "qr": selectors.qr_data_uri(link), "certificate": certificate,
        "state": selectors.shown_state(found, clock.now()),
        "open": found.state in ("issued", "started")})


@login_required
def certificate(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.certificates(request.user).filter(pk=pk).first()
    if found is None:
        return _missing(request)
    link = request.build_absolute_uri(reverse("training:verify", args=[found.verify_token]))
    return render(request, "training/certificate.html", {
        "cert": found, "link": link, "qr": selectors.qr_data_uri(link),
        "valid": found.issued_on <= clock.today() <= found.valid_until})


@login_required
def question_bank(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not selectors.can_keep_bank(user):
        return render(request, "error.html", {"message": _("Only the city bureau keeps the question bank.")},
                      status=403)
    names = {p.code: p.name for p in Position.objects.all()}
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            data = json.loads(upload.read().decode("utf-8")) if upload else None
        except (ValueError, UnicodeDecodeError):
            data = None
        try:
            if not isinstance(data, dict) or "questions" not in data:
                raise services.Invalid(_("Upload the bank as a JSON file with a list of questions."),
                                       code="bank_unreadable")
            saved = services.bank_import(user=user, questions=data["questions"])
        except DomainError as exc:
            error = str(exc.message)
        else:
            messages.success(request, _("%(n)d questions imported.") % {"n": len(saved)})
            return redirect("training:bank")
    return render(request, "training/bank.html", {
        "rows": [(q, "、".join(names.get(p, p) for p in q.positions)) for q in selectors.bank(user)],
        "error": error}, status=400 if error else 200)


# ---- public: the candidate's paper (secret link) and the certificate check (QR code) ---------------------

def take(request: HttpRequest, token: str) -> HttpResponse:
    attempt = selectors.attempt_by_token(token)
    if attempt is None:
        return _missing(request)
    error = ""
    now = clock.now()
    if request.method == "POST":
        try:
            if request.POST.get("action") == "start":
                services.exam_start(token=token)
                return redirect("training:take", token)
            answers = {k[2:]: request.POST.getlist(k) for k in request.POST if k.startswith("q_")}
            services.exam_submit(token=token, answers=answers)
            return redirect("training:take", token)
        except DomainError as exc:
            error = str(exc.message)
            attempt.refresh_from_db()
    questions = selectors.paper(attempt) if attempt.state == "started" else []
    certificate = getattr(attempt, "certificate", None) if attempt.state == "passed" else None
    return render(request, "training/take.html", {
        "attempt": attempt, "name": mask_name(attempt.staff.name), "error": error,
        "questions": questions, "certificate": certificate, "now": now,
        "time_over": bool(attempt.deadline and now > attempt.deadline),
        "seconds_left": max(0, int((attempt.deadline - now).total_seconds())) if attempt.deadline else 0},
        status=409 if error else 200)


def verify(request: HttpRequest, token: str) -> HttpResponse:
    cert = selectors.certificate_by_token(token)
    if cert is None:
        return render(request, "training/verify.html", {"cert": None}, status=404)
    today = clock.today()
    return render(request, "training/verify.html", {
        "cert": cert, "name": mask_name(cert.staff.name), "valid": cert.issued_on <= today <= cert.valid_until,
        "today": today})
