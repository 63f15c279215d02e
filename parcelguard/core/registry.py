"""The platform's three registries, into which every app plugs from its `AppConfig.ready()`:

- **work** (待我办理): what waits for a user, from every flow, in one queue;
- **duty** (履职记录): the regulator's lapses a procurator would read — late, missed, unanswered;
- **figures** (指标): every number shown in more than one place, defined once.

The core never imports an app: an app registers a source (a function), the pages and the API ask the
registry. Each source receives the user and answers only inside the user's scope (it goes through
`accounts.scoping`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class WorkItem:
    """One thing waiting for the user: a subject of some flow in a state where a step is theirs."""

    kind: str  # the source's name, e.g. "event", "warning", "recommendation"
    subject: str  # "event:12"
    title: str
    url: str
    state_label: str
    due: dt.datetime | None = None
    since: dt.datetime | None = None
    urgency: str = ""  # the source's own judgement of the due moment: "ok" | "near" | "overdue" ("" = none)

    def overdue(self, now: dt.datetime) -> bool:
        return self.due is not None and now >= self.due

    def urgency_at(self, now: dt.datetime) -> str:
        """The source's judgement, or else overdue / no judgement: what the pages colour an item by."""
        return self.urgency or ("overdue" if self.overdue(now) else "")


@dataclass(frozen=True)
class Lapse:
    """One lapse of duty: something the regulator had to do by `due` and did late (`done_at`) or not yet."""

    kind: str  # the source's name
    subject: str
    title: str
    url: str
    jurisdiction_path: str
    due: dt.datetime
    done_at: dt.datetime | None = None
    note: str = ""
    enterprise_id: int | None = None  # the enterprise concerned, if any: the duty record's brand filter

    def late_days(self, now: dt.datetime) -> int:
        return max(0, ((self.done_at or now) - self.due).days)


@dataclass(frozen=True)
class Source[T]:
    name: str
    label: Any
    fetch: Callable[..., Iterable[T]]


@dataclass(frozen=True)
class Figure:
    """A number with one definition. `compute(user, start, end, **filters)` answers inside the user's
    scope for the half-open period [start, end)."""

    key: str
    label: Any
    compute: Callable[..., float | int]
    unit: str = ""
    help: Any = ""
    section: str = ""


_WORK: dict[str, Source[WorkItem]] = {}
_DUTY: dict[str, Source[Lapse]] = {}
_FIGURES: dict[str, Figure] = {}


def register_work(name: str, label: Any, fetch: Callable[[Any, dt.datetime], Iterable[WorkItem]]) -> None:
    """`fetch(user, now)` yields the user's waiting items of this kind."""
    _WORK[name] = Source(name, label, fetch)


def register_duty(name: str, label: Any,
                  fetch: Callable[[Any, dt.datetime, dt.datetime, dt.datetime], Iterable[Lapse]]) -> None:
    """`fetch(user, start, end, now)` yields the lapses whose due moment falls in [start, end)."""
    _DUTY[name] = Source(name, label, fetch)


def register_figure(figure: Figure) -> Figure:
    _FIGURES[figure.key] = figure
    return figure


def work_sources() -> list[Source[WorkItem]]:
    return list(_WORK.values())


def duty_sources() -> list[Source[Lapse]]:
    return list(_DUTY.values())


def figures() -> list[Figure]:
    return list(_FIGURES.values())


def figure(key: str) -> Figure:
    return _FIGURES[key]


def work_for(user: Any, now: dt.datetime, kinds: Iterable[str] | None = None) -> list[WorkItem]:
    """Everything waiting for the user, overdue first, then by due moment, then oldest first."""
    wanted = set(kinds) if kinds is not None else None
    items = [item for source in _WORK.values() if wanted is None or source.name in wanted
             for item in source.fetch(user, now)]
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    return sorted(items, key=lambda i: (not i.overdue(now), i.due or far, i.since or far, i.subject))


def lapses_for(user: Any, start: dt.datetime, end: dt.datetime, now: dt.datetime) -> dict[str, list[Lapse]]:
    """The duty record's lines per source, each list ordered by due moment."""
    return {source.name: sorted(source.fetch(user, start, end, now), key=lambda lapse: (lapse.due, lapse.subject))
            for source in _DUTY.values()}
