"""One workflow engine for every flow: hazard events, early warnings, rewards, and every app that joins.

A flow is data: its states, its steps (who may move a subject from which states to which, at which
tier, with a reason or evidence, under which named condition) and its terminal states. The engine does
the rest the same way for every flow, in one transaction:

    scope (the subject is fetched through the user's jurisdiction) → the step table (`Flow.can`)
    → the version the user saw → a conditional UPDATE on (state, version), so of two people acting at
    once exactly one wins → one `StatusChange` row → one trail entry → the flow's `on_record` hook
    (its notifications, its own history rows).

A subject is named as the trail names it: ``"<flow>:<pk>"`` (``"event:12"``, ``"warning:5"``).
Apps register their flows in `AppConfig.ready()`; the core never imports an app.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from parcelguard.core import clock
from parcelguard.core.errors import Conflict, DomainError, Forbidden, Invalid

SYSTEM = "system"  # a background job
PUBLIC = "public"  # somebody without an account (a public page)


@dataclass(frozen=True)
class Step:
    action: str
    label: Any
    sources: tuple[str, ...]  # () = creates the subject
    target: str  # "" = stays where it is (adds to the record)
    roles: frozenset[str]
    tier: str | None = None
    reason: bool = False
    evidence: bool = False
    guard: str = ""  # a named condition on the subject, computed by the flow's `guards`
    note: str = ""  # what the step means, for the docs


def step(action: str, label: Any, sources: Sequence[str], target: str, roles: set[str] | frozenset[str],
         tier: str | None = None, **kw: Any) -> Step:
    return Step(action, label, tuple(sources), target, frozenset(roles), tier, **kw)


@dataclass(frozen=True)
class Verdict:
    ok: bool
    code: str = ""  # role_not_allowed | transition_not_allowed | tier_mismatch | unknown_action | <guard>


GuardError = tuple[type[DomainError], str, str]  # (error class, machine code, English message)

# The engine's own refusals, by machine code (English msgids; a flow may word them its own way through
# `Flow.messages`, the code stays the same).
MESSAGES: dict[str, str] = {
    "unknown_action": gettext_noop("Unknown step."),
    "state_conflict": gettext_noop("Somebody else acted on this record meanwhile; reload it."),
    "role_not_allowed": gettext_noop("Your role may not take this step."),
    "transition_not_allowed": gettext_noop("This step is not possible in the current state (%(state)s)."),
    "reason_required": gettext_noop("Give a reason for this step."),
    "evidence_required": gettext_noop("This step must carry supporting evidence (a photo, PDF or video)."),
}


@dataclass(frozen=True)
class Flow:
    """A flow definition. `model` is "app_label.ModelName"; its rows carry `state_field` and an integer
    `version_field`."""

    name: str  # the subject prefix
    label: Any
    model: str
    states: type[models.TextChoices]
    steps: tuple[Step, ...]
    terminal: frozenset[str]
    state_field: str = "state"
    version_field: str = "version"
    tier_of: Callable[[str], str] | None = None  # state → tier, for flows whose steps belong to a tier
    tier_field: str = ""  # kept in step with tier_of on every claim
    guards: Callable[[Any, dt.datetime], dict[str, bool]] | None = None
    guard_errors: dict[str, GuardError] = field(default_factory=dict)
    fetch: Callable[[Any, int], Any] | None = None  # (user, pk) → subject inside the user's scope
    on_record: Callable[[Record], None] | None = None  # after the status change is written
    scope_of: Callable[[Any], tuple[str, int | None]] | None = None  # subject → (jurisdiction path, enterprise id)
    urls: Callable[[Any], str] | None = None  # subject → its page
    messages: dict[str, str] = field(default_factory=dict)  # code → English msgid, overrides MESSAGES

    def message(self, code: str) -> str:
        """The translated text of one of the engine's refusals, in this flow's words."""
        return _(self.messages.get(code) or MESSAGES[code])

    # ---- the table ------------------------------------------------------------------------------------
    def step(self, action: str) -> Step:
        for s in self.steps:
            if s.action == action:
                return s
        raise KeyError(action)

    @property
    def open_states(self) -> tuple[str, ...]:
        return tuple(s for s in self.states.values if s not in self.terminal)

    def is_open(self, state: str) -> bool:
        return state not in self.terminal

    def actions_from(self, state: str, role: str) -> list[Step]:
        """Steps a role may take from a state, before guards."""
        return [s for s in self.steps if state in s.sources and role in s.roles]

    def states_waiting_for(self, role: str) -> list[str]:
        """The open states in which some state-changing step belongs to this role."""
        return [st for st in self.open_states if any(s.target for s in self.actions_from(st, role))]

    def can(self, role: str, state: str, action: str, *, tier: str | None = None,
            guards: dict[str, bool] | None = None) -> Verdict:
        s = next((x for x in self.steps if x.action == action), None)
        if s is None:
            return Verdict(False, "unknown_action")
        if role not in s.roles:
            return Verdict(False, "role_not_allowed")
        if state not in s.sources:
            return Verdict(False, "transition_not_allowed")
        if s.tier is not None and tier is not None and tier != s.tier:
            return Verdict(False, "tier_mismatch")
        if s.guard and not (guards or {}).get(s.guard, False):
            return Verdict(False, s.guard)
        return Verdict(True)

    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)

    def subject(self, obj: Any) -> str:
        return f"{self.name}:{obj.pk}"

    # ---- pictures generated from the table ---------------------------------------------------------------
    def mermaid(self) -> str:
        lines = ["stateDiagram-v2"]
        for st in self.states:
            lines.append(f"    {st.value}: {st.value} {st.label}")
        for s in self.steps:
            if not s.sources:
                lines.append(f"    [*] --> {s.target}: {s.action}")
                continue
            who = "/".join(sorted(s.roles))
            extra = "".join([" ⚑reason" if s.reason else "", " 📎evidence" if s.evidence else "",
                             f" [{s.guard}]" if s.guard else ""])
            for src in s.sources:
                lines.append(f"    {src} --> {s.target or src}: {s.action} ({who}){extra}")
        for end in sorted(self.terminal):
            lines.append(f"    {end} --> [*]")
        return "\n".join(dict.fromkeys(lines))

    def rules_table(self) -> str:
        rows = ["| action | from | to | who | tier | reason | evidence | condition | meaning |",
                "|---|---|---|---|---|---|---|---|---|"]
        for s in self.steps:
            rows.append("| `{}` | {} | {} | {} | {} | {} | {} | {} | {} |".format(
                s.action, ", ".join(s.sources) or "—", s.target or "(same)", ", ".join(sorted(s.roles)),
                s.tier or "any", "yes" if s.reason else "", "yes" if s.evidence else "", s.guard, s.note))
        return "\n".join(rows)


# ---- the registry ---------------------------------------------------------------------------------------

_FLOWS: dict[str, Flow] = {}


def register(flow: Flow) -> Flow:
    """Called from an app's `ready()`; registering the same name twice with another table is an error."""
    known = _FLOWS.get(flow.name)
    if known is not None and known.steps != flow.steps:
        raise ValueError(f"flow {flow.name!r} is registered twice")
    _FLOWS[flow.name] = flow
    return flow


def get(name: str | Flow) -> Flow:
    return name if isinstance(name, Flow) else _FLOWS[name]


def flows() -> list[Flow]:
    return sorted(_FLOWS.values(), key=lambda f: f.name)


# ---- one transition -------------------------------------------------------------------------------------

@dataclass
class Record:
    """What the `on_record` hook receives: the subject after the step and the rows written for it."""

    flow: Flow
    subject: Any
    step: Step
    change: Any  # core.StatusChange
    actor: Any
    role: str
    attached: list[tuple[Any, str]]  # (evidence, "upload" | "document")
    data: dict[str, Any]


def role_of(user: Any) -> str:
    if user is None or not getattr(user, "is_authenticated", False):
        return PUBLIC
    return str(user.role)


def _fetch(flow: Flow, user: Any, pk: int) -> Any:
    if flow.fetch is not None:
        return flow.fetch(user, pk)
    from parcelguard.accounts.scoping import get_for

    return get_for(user, flow.model_class(), pk=pk)


def check(flow: Flow, obj: Any, role: str, action: str, *, version: int | None, reason: str = "",
          uploads: Sequence[Any] = (), now: dt.datetime | None = None) -> Step:
    """Raise the domain error that refuses this step, or return the step."""
    try:
        spec = flow.step(action)
    except KeyError:
        raise Conflict(flow.message("unknown_action"), code="unknown_action") from None
    current = getattr(obj, flow.version_field)
    # A stale version is answered first: whoever acted on an old view learns that somebody else moved it.
    if version is not None and version != current:
        raise Conflict(flow.message("state_conflict"), code="state_conflict",
                       details={"expected": version, "current": current})
    state = getattr(obj, flow.state_field)
    tier = getattr(obj, flow.tier_field) if flow.tier_field else None
    guards = flow.guards(obj, now or clock.now()) if flow.guards else {}
    verdict = flow.can(role, state, action, tier=tier, guards=guards)
    if not verdict.ok:
        if verdict.code == "role_not_allowed":
            raise Forbidden(flow.message("role_not_allowed"), code="role_not_allowed")
        if verdict.code in ("transition_not_allowed", "tier_mismatch"):
            label = dict(flow.states.choices).get(state, state)
            raise Conflict(flow.message("transition_not_allowed") % {"state": label},
                           code="transition_not_allowed", details={"state": state, "action": action})
        error, code, message = flow.guard_errors.get(
            verdict.code, (Conflict, verdict.code, "This step is not possible now."))
        raise error(_(message), code=code)
    if spec.reason and len((reason or "").strip()) < 2:
        raise Invalid(flow.message("reason_required"), code="reason_required")
    if spec.evidence and not uploads:
        raise Invalid(flow.message("evidence_required"), code="evidence_required")
    return spec


def claim(flow: Flow, obj: Any, spec: Step, *, changes: dict[str, Any] | None = None,
          now: dt.datetime | None = None, where: dict[str, Any] | None = None) -> str:
    """The conditional UPDATE on (state, version): exactly one of two simultaneous actors changes a row.
    `where` adds conditions the row must still meet (a background job: the deadline has passed)."""
    now = now or clock.now()
    source = getattr(obj, flow.state_field)
    target = spec.target or source
    values: dict[str, Any] = {flow.state_field: target, flow.version_field: F(flow.version_field) + 1,
                              **(changes or {})}
    if flow.tier_field and flow.tier_of is not None:
        values[flow.tier_field] = flow.tier_of(target)
    if any(f.name == "updated_at" for f in obj._meta.concrete_fields):
        values.setdefault("updated_at", now)
    updated = type(obj)._default_manager.filter(
        pk=obj.pk, **{flow.state_field: source, flow.version_field: getattr(obj, flow.version_field)},
        **(where or {})).update(**values)
    if updated != 1:
        raise Conflict(flow.message("state_conflict"), code="state_conflict")
    return target


def store_uploads(user: Any, uploads: Sequence[Any], purpose: str) -> list[tuple[Any, str]]:
    from parcelguard.evidence.services import evidence_store

    return [(evidence_store(actor=user, upload=u, purpose=purpose), "upload") for u in uploads]


def record(flow: Flow, obj: Any, spec: Step, *, actor: Any, role: str, from_state: str, to_state: str,
           reason: str = "", data: dict[str, Any] | None = None, attached: Sequence[tuple[Any, str]] = (),
           at: dt.datetime | None = None) -> Any:
    """The one factory of status-change rows: StatusChange + its evidence + trail entry + the flow's hook."""
    from parcelguard.core.models import StatusChange
    from parcelguard.trail.services import trail_append

    at = at or clock.now()
    data = dict(data or {})
    person = actor if getattr(actor, "pk", None) else None
    entry = trail_append(
        actor=person, action=f"{flow.name}.{spec.action}", subject=flow.subject(obj),
        payload={"from": from_state, "to": to_state, "role": role, "reason": reason,
                 "version": getattr(obj, flow.version_field), "data": data},
        evidence_hashes=[ev.sha256 for ev, _kind in attached])
    path, enterprise_id = flow.scope_of(obj) if flow.scope_of else ("", None)
    change = StatusChange.objects.create(
        flow=flow.name, subject=flow.subject(obj), object_id=obj.pk, action=spec.action, from_state=from_state,
        to_state=to_state, actor=person, actor_role=role, at=at, reason=reason, data=data,
        trail_seq=entry.seq, jurisdiction_path=path, enterprise_id=enterprise_id)
    if attached:
        change.evidence.add(*[ev for ev, _kind in attached])
    if flow.on_record is not None:
        flow.on_record(Record(flow, obj, spec, change, actor, role, list(attached), data))
    return change


def transition(flow: Flow | str, *, user: Any, pk: int, action: str, version: int | None, reason: str = "",
               uploads: Sequence[Any] = (), changes: dict[str, Any] | None = None,
               data: dict[str, Any] | None = None,
               after: Callable[[Any], list[tuple[Any, str]]] | None = None,
               system: bool = False) -> Any:
    """Take one step on one subject, or raise the domain error that refuses it. `after` runs inside the
    transaction once the row is claimed (issue a document, update a side record) and returns the
    evidence it made. With `system=True` the step is taken by a background job (role `system`)."""
    flow = get(flow)
    if system:
        obj = flow.model_class()._default_manager.get(pk=pk)
        role = SYSTEM
    else:
        obj = _fetch(flow, user, pk)
        role = role_of(user)
    now = clock.now()
    spec = check(flow, obj, role, action, version=version, reason=reason, uploads=uploads, now=now)
    with transaction.atomic():
        source = getattr(obj, flow.state_field)
        target = claim(flow, obj, spec, changes=changes, now=now)
        obj.refresh_from_db()
        attached = store_uploads(user, uploads, f"{flow.name}:{action}")
        if after is not None:
            attached += after(obj)
        record(flow, obj, spec, actor=None if system else user, role=role, from_state=source, to_state=target,
               reason=reason, data=data, attached=attached, at=now)
    return obj


def allowed_steps(flow: Flow | str, user: Any, obj: Any, now: dt.datetime | None = None) -> list[Step]:
    """The steps this user may take on this subject now: what a page offers as forms."""
    flow = get(flow)
    role = role_of(user)
    state = getattr(obj, flow.state_field)
    tier = getattr(obj, flow.tier_field) if flow.tier_field else None
    guards = flow.guards(obj, now or clock.now()) if flow.guards else {}
    return [s for s in flow.actions_from(state, role) if flow.can(role, state, s.action, tier=tier, guards=guards).ok]


def history(subject: str) -> models.QuerySet[Any]:
    """The status changes of one subject, oldest first."""
    from parcelguard.core.models import StatusChange

    return StatusChange.objects.filter(subject=subject).select_related("actor").order_by("at", "pk")
