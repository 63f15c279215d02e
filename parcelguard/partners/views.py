"""Pages of inter-department coordination. Thin: they read through selectors and write through services."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parcelguard.accounts.models import Jurisdiction, Level
from parcelguard.accounts.roles import Perm, Role, has_perm
from parcelguard.accounts.scoping import scope
from parcelguard.core import clock, workflow
from parcelguard.core.errors import DomainError, NotFound
from parcelguard.events.models import HazardType
from parcelguard.partners import selectors, services
from parcelguard.partners.flow import ACTION_FLOW, MEETING_FLOW, TRANSFER_FLOW
from parcelguard.partners.models import (
    ClueKind,
    Direction,
    Feedback,
    MeetingState,
    PartnerKind,
    TransferState,
)
from parcelguard.registry.models import Site


def _error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return render(request, "error.html", {"message": exc.message}, status=exc.status)


def _not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "error.html", {"message": _("Record not found.")}, status=404)


def _filters(request: HttpRequest, names: tuple[str, ...]) -> dict[str, str]:
    return {n: request.GET.get(n, "").strip()[:100] for n in names}


def _page(request: HttpRequest, qs: Any) -> Any:
    return Paginator(qs, settings.PAGE_SIZE).get_page(request.GET.get("page"))


def _version(request: HttpRequest) -> int | None:
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() else None


def _history(flow: workflow.Flow, obj: Any) -> list[tuple[Any, Any]]:
    labels = {st.action: st.label for st in flow.steps}
    return [(c, labels.get(c.action, c.action))
            for c in workflow.history(flow.subject(obj)).prefetch_related("evidence")]


def _counties(user: Any) -> Any:
    return scope(user, Jurisdiction.objects.filter(level__in=[Level.CITY, Level.COUNTY])).order_by("path")


# ---- partner departments ----------------------------------------------------------------------------------

@login_required
def index(request: HttpRequest) -> HttpResponse:
    filters = _filters(request, ("kind", "q", "active"))
    page = _page(request, selectors.partners(request.user, filters))
    return render(request, "partners/index.html", {
        "page": page, "total": page.paginator.count, "filters": filters, "kinds": PartnerKind.choices,
        "counts": selectors.counts(request.user, clock.now()), "memoranda": selectors.memoranda(request.user)[:10],
        "can_manage": selectors.may_manage(request.user), "can_transfer": selectors.may_transfer(request.user)})


@login_required
def partner_new(request: HttpRequest) -> HttpResponse:
    error = ""
    if request.method == "POST":
        try:
            partner = services.partner_create(
                user=request.user, name=request.POST.get("name", ""), kind=request.POST.get("kind", ""),
                jurisdiction_id=request.POST.get("jurisdiction"), address=request.POST.get("address", ""),
                feedback_days=request.POST.get("feedback_days") or None,
                feedback_working_days={"yes": True, "no": False}.get(request.POST.get("working", "")))
        except DomainError as exc:
            error = str(exc.message)
        else:
            messages.success(request, _("Partner department added."))
            return redirect("partners:partner", partner.pk)
    return render(request, "partners/partner_form.html", {
        "kinds": PartnerKind.choices, "places": _counties(request.user), "post": request.POST, "error": error,
        "default_days": services.feedback_rule(services.Partner())}, status=422 if error else 200)


@login_required
def partner_detail(request: HttpRequest, pk: int) -> HttpResponse:
    partner = selectors.partners(request.user, {"active": "all"}).filter(pk=pk).first()
    if partner is None:
        return _not_found(request)
    days, working = services.feedback_rule(partner)
    return render(request, "partners/partner_detail.html", {
        "partner": partner, "contacts": partner.contacts.filter(active=True),
        "memoranda": selectors.memoranda(request.user).filter(partners=partner),
        "transfers": selectors.transfers(request.user, {"partner": str(partner.pk)})[:20],
        "days": days, "working": working, "can_manage": selectors.may_manage(request.user),
        "can_transfer": selectors.may_transfer(request.user)})


@login_required
@require_POST
def contact_new(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.contact_add(user=request.user, partner_id=pk, name=request.POST.get("name", ""),
                             title=request.POST.get("title", ""), phone=request.POST.get("phone", ""),
                             primary=request.POST.get("primary") == "on")
    except DomainError as exc:
        return _error(request, exc)
    messages.success(request, _("Liaison added."))
    return redirect("partners:partner", pk)


@login_required
def memorandum_new(request: HttpRequest) -> HttpResponse:
    error = ""
    if request.method == "POST":
        try:
            memo = services.memorandum_add(
                user=request.user, partner_ids=request.POST.getlist("partners"), title=request.POST.get("title", ""),
                signed_on=request.POST.get("signed_on", ""), valid_until=request.POST.get("valid_until") or None,
                scope_text=request.POST.get("scope", ""), upload=request.FILES.get("document"))
        except DomainError as exc:
            error = str(exc.message)
        else:
            messages.success(request, _("Memorandum filed."))
            return redirect("partners:partner", memo.partners.order_by("pk").first().pk)
    return render(request, "partners/memorandum_form.html", {
        "partners": selectors.partners(request.user), "post": request.POST, "error": error,
        "chosen": request.POST.getlist("partners") or request.GET.getlist("partner")}, status=422 if error else 200)


@login_required
def memorandum_file(request: HttpRequest, pk: int) -> HttpResponse:
    from parcelguard.evidence.services import evidence_response

    memo = selectors.memoranda(request.user).filter(pk=pk).first()
    if memo is None:
        return _not_found(request)
    try:
        return evidence_response(memo.document, user=request.user, where=f"memorandum:{memo.pk}")
    except DomainError as exc:
        return _error(request, exc)


# ---- joint meetings ---------------------------------------------------------------------------------------

@login_required
def meetings(request: HttpRequest) -> HttpResponse:
    filters = _filters(request, ("state", "year"))
    page = _page(request, selectors.meetings(request.user, filters))
    now = clock.now()
    return render(request, "partners/meetings.html", {
        "page": page, "total": page.paginator.count, "filters": filters, "states": MeetingState.choices,
        "years": sorted({m.year for m in selectors.meetings(request.user).dates("starts_at", "year")}, reverse=True),
        "late_actions": selectors.actions(request.user, {"overdue": "1"}, now)[:50], "now": now,
        "can_manage": selectors.may_manage(request.user)})


@login_required
def meeting_new(request: HttpRequest) -> HttpResponse:
    error = ""
    if request.method == "POST":
        try:
            meeting = services.meeting_convene(
                user=request.user, title=request.POST.get("title", ""), starts_at=request.POST.get("starts_at", ""),
                place=request.POST.get("place", ""), agenda=request.POST.get("agenda", ""),
                partner_ids=request.POST.getlist("partners"), attendees=request.POST.get("attendees", ""))
        except DomainError as exc:
            error = str(exc.message)
        else:
            messages.success(request, _("Joint meeting convened."))
            return redirect("partners:meeting", meeting.pk)
    return render(request, "partners/meeting_form.html", {
        "partners": selectors.partners(request.user), "post": request.POST, "error": error,
        "chosen": request.POST.getlist("partners")}, status=422 if error else 200)


def _staff(user: Any) -> Any:
    return scope(user, get_user_model()).filter(is_active=True, role__in=services.STAFF).order_by("username")


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meetings(request.user).filter(pk=pk).first()
    if meeting is None:
        return _not_found(request)
    now = clock.now()
    actions = [(a, workflow.allowed_steps(ACTION_FLOW, request.user, a, now)) for a in
               meeting.actions.select_related("owner", "partner")]
    return render(request, "partners/meeting_detail.html", {
        "meeting": meeting, "actions": actions, "now": now,
        "steps": workflow.allowed_steps(MEETING_FLOW, request.user, meeting, now),
        "history": _history(MEETING_FLOW, meeting), "staff": _staff(request.user),
        "rows": range(1, 6), "attending": meeting.partners.all()})


@login_required
@require_POST
def meeting_record(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        if request.POST.get("action") == "cancel":
            services.meeting_cancel(user=request.user, meeting_id=pk, version=_version(request),
                                    reason=request.POST.get("reason", ""))
        else:
            actions = [{"text": request.POST.get(f"text_{n}", ""), "owner_id": request.POST.get(f"owner_{n}"),
                        "partner_id": request.POST.get(f"partner_{n}"), "due_on": request.POST.get(f"due_{n}")}
                       for n in range(1, 6)]
            services.meeting_record(user=request.user, meeting_id=pk, version=_version(request),
                                    minutes=request.POST.get("minutes", ""), actions=actions,
                                    upload=request.FILES.get("minutes_file"))
    except DomainError as exc:
        return _error(request, exc)
    messages.success(request, _("Meeting record saved."))
    return redirect("partners:meeting", pk)


@login_required
def meeting_minutes_file(request: HttpRequest, pk: int) -> HttpResponse:
    from parcelguard.evidence.services import evidence_response

    meeting = selectors.meetings(request.user).filter(pk=pk).first()
    if meeting is None or meeting.minutes_file is None:
        return _not_found(request)
    try:
        return evidence_response(meeting.minutes_file, user=request.user, where=f"meeting:{meeting.pk}")
    except DomainError as exc:
        return _error(request, exc)


@login_required
@require_POST
def action_act(request: HttpRequest, pk: int) -> HttpResponse:
    action = selectors.actions(request.user).filter(pk=pk).first()
    if action is None:
        return _not_found(request)
    try:
        if request.POST.get("action") == "drop":
            services.action_drop(user=request.user, action_id=pk, version=_version(request),
                                 reason=request.POST.get("note", ""))
        else:
            services.action_complete(user=request.user, action_id=pk, version=_version(request),
                                     note=request.POST.get("note", ""), uploads=request.FILES.getlist("files"))
    except DomainError as exc:
        return _error(request, exc)
    messages.success(request, _("Action item updated."))
    return redirect("partners:meeting", action.meeting_id)


# ---- clue transfers --------------------------------------------------------------------------------------

TRANSFER_FILTERS = ("direction", "state", "kind", "partner", "overdue", "q")


@login_required
def transfers(request: HttpRequest) -> HttpResponse:
    filters = _filters(request, TRANSFER_FILTERS)
    now = clock.now()
    page = _page(request, selectors.transfers(request.user, filters, now))
    return render(request, "partners/transfers.html", {
        "page": page, "total": page.paginator.count, "filters": filters, "now": now,
        "directions": Direction.choices, "states": TransferState.choices, "kinds": ClueKind.choices,
        "partners": selectors.partners(request.user, {"active": "all"}), "counts": selectors.counts(request.user, now),
        "can_transfer": selectors.may_transfer(request.user), "can_register": selectors.may_manage(request.user)})


def _source_args(data: Any) -> dict[str, Any]:
    return {"event_id": data.get("event") or None, "case_id": data.get("case") or None,
            "warning_id": data.get("warning") or None}


@login_required
def transfer_new(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else request.GET
    source = _source_args(data)
    try:
        evidence = services.source_evidence(request.user, **source)
    except DomainError as exc:
        return _error(request, exc)
    error = ""
    if request.method == "POST":
        try:
            made = services.transfer_send(
                user=request.user, partner_id=int(request.POST.get("partner") or 0), kind=request.POST.get("kind", ""),
                summary=request.POST.get("summary", ""), request=request.POST.get("request", ""),
                legal_basis=request.POST.get("legal_basis", ""), evidence_ids=request.POST.getlist("evidence"),
                uploads=request.FILES.getlist("files"), **source)
        except DomainError as exc:
            error = str(exc.message)
        else:
            messages.success(request, _("Clue transferred: letter %(number)s issued.") % {"number": made.number})
            return redirect("partners:transfer", made.pk)
    chosen = request.POST.getlist("evidence") if request.method == "POST" else [str(e.pk) for e in evidence]
    return render(request, "partners/transfer_form.html", {
        "partners": selectors.partners(request.user), "kinds": ClueKind.choices, "evidence": evidence,
        "chosen": chosen, "source": {k: v for k, v in source.items() if v}, "post": request.POST, "error": error,
        "can_transfer": selectors.may_transfer(request.user)}, status=422 if error else 200)


@login_required
def transfer_incoming(request: HttpRequest) -> HttpResponse:
    error = ""
    if request.method == "POST":
        try:
            made = services.transfer_register(
                user=request.user, partner_id=int(request.POST.get("partner") or 0),
                number=request.POST.get("number", ""), received_on=request.POST.get("received_on", ""),
                kind=request.POST.get("kind", ""), summary=request.POST.get("summary", ""),
                hazard_type=request.POST.get("hazard_type", ""), site_id=request.POST.get("site") or None,
                county_id=request.POST.get("county") or None, place=request.POST.get("place", ""),
                uploads=request.FILES.getlist("files"))
        except DomainError as exc:
            error = str(exc.message)
        else:
            messages.success(request, _("The partner's clue is registered as hazard event #%(n)d.") % {"n": made.event_id})
            return redirect("partners:transfer", made.pk)
    return render(request, "partners/transfer_incoming.html", {
        "partners": selectors.partners(request.user), "kinds": ClueKind.choices,
        "hazard_types": HazardType.objects.filter(active=True),
        "counties": scope(request.user, Jurisdiction.objects.filter(level=Level.COUNTY)).order_by("code"),
        "sites": scope(request.user, Site).order_by("code")[:300], "post": request.POST, "error": error,
        "today": clock.today()}, status=422 if error else 200)


@login_required
def transfer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.transfer(request.user, pk)
    if found is None:
        return _not_found(request)
    now = clock.now()
    history = _history(TRANSFER_FLOW, found)
    return render(request, "partners/transfer_detail.html", {
        "t": found, "now": now, "steps": workflow.allowed_steps(TRANSFER_FLOW, request.user, found, now),
        "history": history, "outcomes": Feedback.choices, "today": clock.today(),
        "overdue": found.feedback_due is not None and found.state in selectors.WAITING and now >= found.feedback_due,
        "can_export": has_perm(request.user, Perm.EXPORT) and request.user.role != Role.ENTERPRISE})


@login_required
@require_POST
def transfer_act(request: HttpRequest, pk: int) -> HttpResponse:
    action = request.POST.get("action", "")
    args: dict[str, Any] = {"user": request.user, "transfer_id": pk, "version": _version(request)}
    note = request.POST.get("note", "")
    try:
        if action == "receipt":
            services.transfer_receipt(received_on=request.POST.get("received_on", ""), note=note,
                                      uploads=request.FILES.getlist("files"), **args)
        elif action == "chase":
            services.transfer_chase(note=note, **args)
        elif action == "feedback":
            services.transfer_feedback(outcome=request.POST.get("outcome", ""), text=note,
                                       uploads=request.FILES.getlist("files"), **args)
        elif action == "close":
            services.transfer_close(note=note, **args)
        elif action == "withdraw":
            services.transfer_withdraw(reason=note, **args)
        else:
            raise NotFound(_("Unknown step."))
    except DomainError as exc:
        return _error(request, exc)
    messages.success(request, _("Transfer updated."))
    return redirect("partners:transfer", pk)


@login_required
def transfer_letter(request: HttpRequest, pk: int) -> HttpResponse:
    from parcelguard.evidence.services import evidence_response

    found = selectors.transfer(request.user, pk)
    if found is None or found.document is None:
        return _not_found(request)
    try:
        return evidence_response(found.document.evidence, user=request.user, as_attachment=True,
                                 where=TRANSFER_FLOW.subject(found))
    except DomainError as exc:
        return _error(request, exc)


@login_required
def transfer_bundle(request: HttpRequest, pk: int) -> HttpResponse:
    from parcelguard.trail.bundle import bundle_response

    found = selectors.transfer(request.user, pk)
    if found is None:
        return _not_found(request)
    try:
        return bundle_response(subject=TRANSFER_FLOW.subject(found), user=request.user)
    except DomainError as exc:
        return _error(request, exc)
