"""Reads of procuratorial oversight: what each user may see (always through `accounts.scoping.scope`), the
reply clock on every page, the bureau's reply drafted from its own records, the work queue, the duty
record and the figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from parcelguard.accounts.roles import Role
from parcelguard.accounts.scoping import scope
from parcelguard.core import clock
from parcelguard.oversight import clock as rclock
from parcelguard.oversight.models import (
    CaseFile,
    Finding,
    Item,
    ItemCheck,
    Recommendation,
    RecState,
    Task,
)

WAITING_REPLY = (RecState.SERVED,)
OPEN_STATES = (RecState.SERVED, RecState.REPLIED, RecState.FOLLOWED_UP, RecState.SUED, RecState.JUDGED)


def case_files(user: Any) -> QuerySet[CaseFile]:
    return scope(user, CaseFile).select_related("created_by")


def recommendations(user: Any) -> QuerySet[Recommendation]:
    return scope(user, Recommendation).select_related("case", "created_by")


def items(user: Any) -> QuerySet[Item]:
    return scope(user, Item).select_related("recommendation")


def tasks(user: Any) -> QuerySet[Task]:
    return scope(user, Task).select_related("item__recommendation", "county", "event__hazard_type", "event__site")


def checks(user: Any) -> QuerySet[ItemCheck]:
    return scope(user, ItemCheck).select_related("item", "recorded_by")


def is_procurator(user: Any) -> bool:
    return getattr(user, "role", None) == Role.PROCURATOR


def is_bureau(user: Any) -> bool:
    return getattr(user, "role", None) == Role.CITY_BUREAU


@dataclass(frozen=True)
class Clock:
    """The reply clock as every page shows it."""

    due_on: dt.date | None
    days_left: int | None
    replied: bool
    late: bool
    extended: bool

    @property
    def late_by(self) -> int:
        return max(0, -(self.days_left or 0))

    @property
    def css(self) -> str:
        if self.due_on is None or self.replied:
            return "ok" if not self.late else "late"
        if self.days_left is not None and self.days_left < 0:
            return "late"
        return "soon" if (self.days_left or 0) <= 15 else "ok"


def clock_of(rec: Recommendation, now: dt.datetime | None = None) -> Clock:
    now = now or clock.now()
    left = rclock.days_left(rec.due_on, now)
    replied_at = rec.replied_at
    late = bool(rec.due_on) and (replied_at or now) >= rclock.due_at(rec.due_on) and (
        replied_at is not None or rec.state == RecState.SERVED)
    return Clock(rec.due_on, left, replied_at is not None, late, rec.extended)


# ---- the reply, drafted from the bureau's records ----------------------------------------------------------

@dataclass
class EventLine:
    pk: int
    title: str
    county: str
    state: str
    state_label: str
    open: bool
    reported_at: dt.datetime
    closed_at: dt.datetime | None
    last_actor: str
    last_action_at: dt.datetime | None
    documents: list[str] = field(default_factory=list)
    evidence: list[tuple[str, str]] = field(default_factory=list)  # (sha256, name)
    penalty: str = ""


@dataclass
class TaskLine:
    pk: int
    title: str
    county: str
    due_on: dt.date
    done: bool
    done_at: dt.datetime | None
    note: str
    event: EventLine | None
    evidence: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class ItemDraft:
    pk: int
    position: int
    problem: str
    request: str
    tasks: list[TaskLine]
    linked: list[EventLine]  # events the procurator linked, as they stand now
    status: str  # rectified | open | no_action
    open_until: dt.date | None

    @property
    def open_lines(self) -> list[str]:
        lines = [f"{t.title}（{t.county}，应于{t.due_on:%Y-%m-%d}前完成）" for t in self.tasks if not t.done]
        lines += [f"隐患事件#{e.pk} {e.title}（{e.state_label}）" for e in self.linked if e.open]
        return lines


@dataclass
class ReplyDraft:
    items: list[ItemDraft]
    made_at: dt.datetime

    @property
    def rectified(self) -> int:
        return sum(1 for i in self.items if i.status == "rectified")

    def evidence_hashes(self) -> set[str]:
        found: set[str] = set()
        for item in self.items:
            for t in item.tasks:
                found.update(h for h, _n in t.evidence)
                if t.event:
                    found.update(h for h, _n in t.event.evidence)
            for e in item.linked:
                found.update(h for h, _n in e.evidence)
        return found

    def as_json(self) -> dict[str, Any]:
        def ev(e: EventLine | None) -> dict[str, Any] | None:
            if e is None:
                return None
            return {"event": e.pk, "title": e.title, "state": e.state, "closed_at": e.closed_at.isoformat()
                    if e.closed_at else None, "documents": e.documents, "evidence": [h for h, _n in e.evidence],
                    "penalty": e.penalty}

        return {"made_at": self.made_at.isoformat(), "items": [{
            "position": i.position, "status": i.status, "open_until": i.open_until.isoformat() if i.open_until else None,
            "tasks": [{"task": t.pk, "title": t.title, "county": t.county, "due_on": t.due_on.isoformat(),
                       "done": t.done, "done_at": t.done_at.isoformat() if t.done_at else None, "note": t.note,
                       "event": ev(t.event), "evidence": [h for h, _n in t.evidence]} for t in i.tasks],
            "linked": [ev(e) for e in i.linked]} for i in self.items]}


def _event_lines(event_ids: set[int]) -> dict[int, EventLine]:
    from parcelguard.documents.models import Document
    from parcelguard.events.models import Event, Transition, TransitionEvidence
    from parcelguard.events.states import TERMINAL

    if not event_ids:
        return {}
    events = (Event.objects.filter(pk__in=event_ids)
              .select_related("hazard_type", "site", "county", "case"))
    lines: dict[int, EventLine] = {}
    for e in events:
        case = getattr(e, "case", None)
        penalty = ""
        if case is not None and case.decided_at:
            penalty = (f"罚款{case.amount:,.2f}元" if case.amount else str(case.get_outcome_display()))
            penalty += "，已缴纳" if case.paid_at else ""
        lines[e.pk] = EventLine(
            pk=e.pk, title=f"{e.hazard_type.name} · {e.site.name if e.site else e.place}",
            county=e.county.name, state=e.state, state_label=str(e.get_state_display()),
            open=e.state not in TERMINAL, reported_at=e.reported_at, closed_at=e.closed_at, last_actor="",
            last_action_at=None, penalty=penalty)
    last: dict[int, Any] = {}
    for t in (Transition.objects.filter(event_id__in=event_ids).select_related("actor")
              .only("event_id", "at", "actor__display_name", "actor__username", "actor_role").order_by("at", "pk")):
        last[t.event_id] = t
    for event_id, t in last.items():
        lines[event_id].last_actor = (t.actor.display_name or t.actor.username) if t.actor else "系统"
        lines[event_id].last_action_at = t.at
    for att in (TransitionEvidence.objects.filter(transition__event_id__in=event_ids)
                .values_list("transition__event_id", "evidence__sha256", "evidence__original_name")
                .order_by("transition__event_id", "pk")):
        lines[att[0]].evidence.append((att[1], att[2]))
    for subject, number in (Document.objects.filter(subject__in=[f"event:{i}" for i in event_ids])
                            .order_by("issued_at").values_list("subject", "number")):
        lines[int(subject.split(":", 1)[1])].documents.append(number)
    return lines


def reply_draft(rec: Recommendation, now: dt.datetime | None = None) -> ReplyDraft:
    """Each item answered from the records: the tasks and their events (state, closing, who acted last,
    documents, evidence, penalties), the events the procurator linked, and what is still open and by when.
    An item is `rectified` only when it has tasks and every task and every linked event is done."""
    now = now or clock.now()
    its = list(rec.items.prefetch_related(
        Prefetch("tasks", queryset=Task.objects.select_related("county").prefetch_related("evidence")),
        "events").order_by("position"))
    event_ids = {t.event_id for i in its for t in i.tasks.all() if t.event_id}
    event_ids |= {e.pk for i in its for e in i.events.all()}
    lines = _event_lines(event_ids)
    drafts = []
    for item in its:
        task_lines = []
        for t in item.tasks.all():
            ev = lines.get(t.event_id) if t.event_id else None
            done = (not ev.open) if ev is not None else t.done_at is not None
            task_lines.append(TaskLine(
                pk=t.pk, title=t.title, county=t.county.name, due_on=t.due_on, done=done,
                done_at=(ev.closed_at or ev.last_action_at) if ev is not None and done else t.done_at,
                note=t.done_note, event=ev, evidence=[(e.sha256, e.original_name) for e in t.evidence.all()]))
        linked = [lines[e.pk] for e in item.events.all()]
        if not task_lines:
            status = "no_action"
        elif all(t.done for t in task_lines) and not any(e.open for e in linked):
            status = "rectified"
        else:
            status = "open"
        open_days = [t.due_on for t in task_lines if not t.done]
        drafts.append(ItemDraft(item.pk, item.position, item.problem, item.request, task_lines, linked, status,
                                max(open_days) if open_days else None))
    return ReplyDraft(drafts, now)


STATUS_TEXT = {"rectified": "已整改完毕", "open": "正在整改，尚未完成", "no_action": "尚未采取整改措施"}


def _local(moment: dt.datetime | None) -> str:
    return f"{timezone.localtime(moment):%Y年%m月%d日}" if moment else ""


def reply_context(rec: Recommendation, draft: ReplyDraft, *, summary: str = "", contact_name: str = "",
                  contact_phone: str = "") -> dict[str, Any]:
    """What the reply letter prints (documents/reply.html)."""
    from parcelguard.documents.chinese import chinese_date

    items = []
    for i in draft.items:
        done_lines = []
        for t in i.tasks:
            if t.event is not None:
                e = t.event
                line = (f"{t.county}：{t.title}。隐患事件#{e.pk}（{e.title}）于{_local(e.reported_at)}立项，"
                        f"现状态“{e.state_label}”")
                if not e.open and e.closed_at:
                    line += f"，{_local(e.closed_at)}办结"
                if e.last_actor:
                    line += f"，最后经办：{e.last_actor}"
                if e.documents:
                    line += f"；文书：{'、'.join(e.documents)}"
                if e.penalty:
                    line += f"；处罚：{e.penalty}"
                if e.evidence:
                    line += f"；佐证材料{len(e.evidence)}份（SHA-256：{'、'.join(h[:12] for h, _n in e.evidence[:3])}{'等' if len(e.evidence) > 3 else ''}）"
            else:
                line = f"{t.county}：{t.title}。"
                line += (f"已于{_local(t.done_at)}完成：{t.note}" if t.done else f"尚未完成，应于{t.due_on:%Y年%m月%d日}前完成")
                if t.evidence:
                    line += f"；佐证材料{len(t.evidence)}份（SHA-256：{'、'.join(h[:12] for h, _n in t.evidence[:3])}）"
            done_lines.append(line + "。")
        items.append({"position": i.position, "problem": i.problem, "request": i.request,
                      "status": i.status, "status_text": STATUS_TEXT[i.status], "lines": done_lines,
                      "open_lines": i.open_lines,
                      "open_until_cn": chinese_date(i.open_until) if i.open_until else ""})
    return {"addressee": rec.case.procuratorate, "recommendation_number": rec.number,
            "recommendation_title": rec.title,
            "served_on_cn": chinese_date(rec.served_on) if rec.served_on else "",
            "items": items, "summary": summary, "rectified": draft.rectified, "total": len(draft.items),
            "remaining": len(draft.items) - draft.rectified,
            "contact_name": contact_name, "contact_phone": contact_phone, "issue_date": rclock.today(),
            "evidence_count": len(draft.evidence_hashes())}


# ---- queue, duty record, figures -------------------------------------------------------------------------

def waiting_reply(user: Any) -> QuerySet[Recommendation]:
    return recommendations(user).filter(state__in=WAITING_REPLY).order_by("due_on")


def open_tasks(user: Any) -> QuerySet[Task]:
    return tasks(user).filter(done_at__isnull=True).exclude(event__state__in=("closed", "rejected"))


def reply_lapses(user: Any, start: dt.datetime, end: dt.datetime,
                 now: dt.datetime) -> list[tuple[Recommendation, dt.datetime]]:
    """Recommendations whose reply fell due in [start, end) and came late, or has not come by `now`."""
    found = []
    for rec in recommendations(user).filter(due_on__isnull=False).exclude(state=RecState.DRAFT).order_by("due_on"):
        due = rclock.due_at(rec.due_on)
        if start <= due < end and (rec.replied_at or now) >= due:
            found.append((rec, due))
    return found


def figure_open(user: Any, start: dt.datetime, end: dt.datetime, now: dt.datetime | None = None, **_f: Any) -> int:
    return recommendations(user).filter(state__in=OPEN_STATES, served_on__isnull=False).count()


def figure_replies_due(user: Any, start: dt.datetime, end: dt.datetime, now: dt.datetime | None = None,
                       **_f: Any) -> int:
    now = now or end
    return sum(1 for r in waiting_reply(user) if now < rclock.due_at(r.due_on))


def figure_replies_late(user: Any, start: dt.datetime, end: dt.datetime, now: dt.datetime | None = None,
                        **_f: Any) -> int:
    return len(reply_lapses(user, start, end, now or end))


def figure_items_rectified(user: Any, start: dt.datetime, end: dt.datetime, now: dt.datetime | None = None,
                           **_f: Any) -> int:
    """Items whose latest on-site check in the period found them rectified."""
    return (checks(user).filter(recorded_at__gte=start, recorded_at__lt=end, result=Finding.RECTIFIED)
            .values("item_id").distinct().count())
