"""Synthetic hazard events, their transitions and cases for the dashboard benchmark (issue 6).

Needs the demo city (sites, enterprises, users, the hazard taxonomy): `manage.py demo --reset` first. Each
event follows the workflow of parcelguard/events/states.py with realistic delays (report → verify → remind
→ answer → confirm; some rework; some escalated to a case with a fine or an admonition; a few rejected),
stopped at the state it has reached by now, so recent events are still open. No trail entries, no
evidence files, no notifications: the benchmark is about the analysis library's reads.

PostgreSQL: rows are streamed with COPY (psycopg), ids assigned here, sequences reset after. SQLite (for a
look at the demo): bulk_create.

    DB_ENGINE=postgres PGDATABASE=parcelguard_bench .venv/bin/python benchmarks/dashboards/generate.py --events 1000000
    SQLITE_PATH=/tmp/demo.sqlite3 .venv/bin/python benchmarks/dashboards/generate.py --events 20000
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parcelguard.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from parcelguard.accounts.models import User  # noqa: E402
from parcelguard.events.models import Case, Event, HazardType, Transition  # noqa: E402
from parcelguard.events.states import State, tier_of  # noqa: E402
from parcelguard.registry.models import Site  # noqa: E402

DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)


def end_of_day(moment: dt.datetime, days: int) -> dt.datetime:
    local = timezone.localtime(moment).date() + dt.timedelta(days=days + 1)
    return timezone.make_aware(dt.datetime.combine(local, dt.time.min))


class Story:
    """One event's planned steps; `cut(now)` keeps those that have happened."""

    def __init__(self, rng: random.Random, reported: dt.datetime, rectify_days: int) -> None:
        self.steps: list[tuple[str, str, str, dt.datetime]] = []
        self.case: dict[str, Any] | None = None
        t = reported
        self.add("report", "", State.REPORTED, t)
        if rng.random() < 0.03:
            self.add("reject", State.REPORTED, State.REJECTED, t + rng.uniform(2, 48) * HOUR)
            return
        t += rng.uniform(2, 60) * HOUR
        self.add("verify", State.REPORTED, State.VERIFIED, t)
        t += rng.uniform(1, 20) * HOUR
        self.add("remind", State.VERIFIED, State.REMINDED, t)
        self.rectify_by = end_of_day(t, rectify_days)
        if rng.random() < 0.08:  # nothing confirmed by the deadline: escalated, a case follows
            t = self.rectify_by + rng.uniform(0.1, 6) * HOUR
            self.add("auto_escalate", State.REMINDED, State.ESCALATED, t)
            t += rng.uniform(1, 25) * DAY
            if rng.random() < 0.15:
                self.add("case_decline", State.ESCALATED, State.VERIFIED, t)
                t += rng.uniform(1, 48) * HOUR
                self.add("remind", State.VERIFIED, State.REMINDED, t)
                t += rng.uniform(1, 5) * DAY
                self.add("answer", State.REMINDED, State.ANSWERED, t)
                self.add("confirm_fix", State.ANSWERED, State.CLOSED, t + rng.uniform(4, 72) * HOUR)
                return
            self.add("case_open", State.ESCALATED, State.INVESTIGATING, t)
            self.case = {"opened_at": t, "decide_by": end_of_day(t, 90)}
            t += rng.uniform(10, 100) * DAY
            self.add("case_notify", State.INVESTIGATING, State.NOTIFIED, t)
            t += rng.uniform(6, 12) * DAY
            fine = rng.random() < 0.7
            self.add("case_decide", State.NOTIFIED, State.DECIDED, t)
            self.case.update(decided_at=t, outcome="fine" if fine else "admonition",
                             amount=rng.choice([1500, 5000, 10000, 20000, 50000]) if fine else None)
            t += rng.uniform(1, 7) * DAY
            self.add("case_serve", State.DECIDED, State.SERVED, t)
            if fine:
                t += rng.uniform(1, 15) * DAY
                self.add("case_paid", State.SERVED, State.PAID, t)
            t += rng.uniform(1, 10) * DAY
            self.add("case_confirm_fix", State.PAID if fine else State.SERVED, State.CLOSED, t)
            return
        t += rng.uniform(0.3, 0.95) * (self.rectify_by - t)
        self.add("answer", State.REMINDED, State.ANSWERED, t)
        if rng.random() < 0.12:  # rework (返工)
            t += rng.uniform(4, 48) * HOUR
            self.add("fail_fix", State.ANSWERED, State.REMINDED, t)
            t += rng.uniform(4, 72) * HOUR
            self.add("answer", State.REMINDED, State.ANSWERED, t)
        self.add("confirm_fix", State.ANSWERED, State.CLOSED, t + rng.uniform(2, 96) * HOUR)

    def add(self, action: str, source: str, target: str, at: dt.datetime) -> None:
        self.steps.append((action, source, target, at))

    def cut(self, now: dt.datetime) -> None:
        self.steps = [s for s in self.steps if s[3] <= now]
        if self.case and self.case["opened_at"] > now:
            self.case = None
        elif self.case and self.case.get("decided_at") and self.case["decided_at"] > now:
            self.case = {"opened_at": self.case["opened_at"], "decide_by": self.case["decide_by"]}


def event_fields(story: Story) -> dict[str, Any]:
    state, deadline, escalated, closed, rework, rectify_by = State.REPORTED, None, None, None, 0, None
    for action, _src, target, at in story.steps:
        state = target
        if action == "remind":
            rectify_by = deadline = story.rectify_by
        elif action in ("auto_escalate", "escalate"):
            escalated, deadline = at, end_of_day(at, 15)
        elif action == "case_open":
            deadline = story.case["decide_by"] if story.case else None
        elif action == "case_decline":
            deadline = None
        elif action == "fail_fix":
            rework += 1
        elif action in ("confirm_fix", "case_confirm_fix", "reject"):
            closed, deadline = at, None
    return {"state": state, "tier": tier_of(state), "deadline": deadline, "rectify_by": rectify_by,
            "escalated_at": escalated, "closed_at": closed, "rework_count": rework,
            "updated_at": story.steps[-1][3], "version": len(story.steps)}


def stories(n: int, years: float, seed: int) -> Iterator[tuple[dict[str, Any], Story]]:
    rng = random.Random(seed)
    now = timezone.now()
    start = now - dt.timedelta(days=365 * years)
    span = (now - start).total_seconds()
    sites = list(Site.objects.values_list("pk", "enterprise_id", "county_id", "jurisdiction_path"))
    kinds = list(HazardType.objects.values_list("pk", "rectify_days", "default_severity"))
    weights = [rng.uniform(0.3, 3) for _ in kinds]
    site_weights = [rng.paretovariate(1.5) for _ in sites]  # some sites have many more hazards
    for _ in range(n):
        reported = start + dt.timedelta(seconds=rng.random() * span)
        kind = rng.choices(kinds, weights)[0]
        site = rng.choices(sites, site_weights)[0]
        story = Story(rng, reported, kind[1])
        story.cut(now)
        row = {"hazard_type_id": kind[0], "severity": kind[2], "description": "基准测试生成的隐患",
               "site_id": site[0], "enterprise_id": site[1], "county_id": site[2], "jurisdiction_path": site[3],
               "place": "", "latitude": None, "longitude": None, "source": "grid_worker", "reporter_id": None,
               "reported_at": reported, **event_fields(story)}
        yield row, story


def _actors() -> dict[str, int | None]:
    found = dict(User.objects.values_list("role", "pk").order_by("role", "pk"))
    return {role: found.get(role) for role in ("grid_worker", "county_centre", "city_bureau", "enterprise")}


ROLE_OF = {"report": "grid_worker", "verify": "county_centre", "reject": "county_centre", "remind": "county_centre",
           "answer": "enterprise", "confirm_fix": "grid_worker", "fail_fix": "grid_worker",
           "case_confirm_fix": "grid_worker", "auto_escalate": "system"}


def _tsv(value: Any) -> str:
    if value is None:
        return r"\N"
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value)


def copy_postgres(n: int, years: float, seed: int, batch: int = 50_000) -> tuple[int, int, int]:
    ev_cols = [f.column for f in Event._meta.concrete_fields]
    tr_cols = [f.column for f in Transition._meta.concrete_fields]
    case_cols = [f.column for f in Case._meta.concrete_fields]
    actors = _actors()
    with connection.cursor() as cur:
        cur.execute("SELECT COALESCE(MAX(id), 0) FROM events_event")
        next_event = cur.fetchone()[0] + 1
        cur.execute("SELECT COALESCE(MAX(id), 0) FROM events_transition")
        next_tr = cur.fetchone()[0] + 1
        cur.execute("SELECT COALESCE(MAX(id), 0) FROM events_case")
        next_case = cur.fetchone()[0] + 1
    counts = [0, 0, 0]
    raw = connection.connection  # psycopg 3 connection
    gen = stories(n, years, seed)
    while counts[0] < n:
        ev_lines, tr_lines, case_lines = [], [], []
        for row, story in gen:
            row["id"] = next_event
            ev_lines.append("\t".join(_tsv(row[c]) for c in ev_cols))
            for action, src, target, at in story.steps:
                role = ROLE_OF.get(action, "city_bureau")
                tr = {"id": next_tr, "event_id": next_event, "action": action, "from_state": src, "to_state": target,
                      "actor_id": actors.get(role), "actor_role": role, "at": at, "reason": "", "data": "{}",
                      "document_number": "", "trail_seq": None}
                tr_lines.append("\t".join(_tsv(tr[c]) for c in tr_cols))
                next_tr += 1
            if story.case:
                c = {"id": next_case, "event_id": next_event, "extended": False, "defence": "",
                     "hearing_requested": False, "outcome": "", "enforced": False, **story.case}
                case_lines.append("\t".join(_tsv(c.get(col)) for col in case_cols))
                next_case += 1
            next_event += 1
            if len(ev_lines) >= batch:
                break
        with transaction.atomic(), raw.cursor() as cur:
            for table, cols, lines in (("events_event", ev_cols, ev_lines), ("events_transition", tr_cols, tr_lines),
                                       ("events_case", case_cols, case_lines)):
                with cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                    copy.write("\n".join(lines) + "\n" if lines else "")
        counts = [counts[0] + len(ev_lines), counts[1] + len(tr_lines), counts[2] + len(case_lines)]
        print(f"  {counts[0]:,} events, {counts[1]:,} transitions, {counts[2]:,} cases", flush=True)
    with connection.cursor() as cur:
        for table in ("events_event", "events_transition", "events_case"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
            cur.execute(f"ANALYZE {table}")
    return counts[0], counts[1], counts[2]


def bulk_sqlite(n: int, years: float, seed: int) -> tuple[int, int, int]:
    actors = _actors()
    counts = [0, 0, 0]
    with transaction.atomic():
        for row, story in stories(n, years, seed):
            event = Event.objects.bulk_create([Event(**row)])[0]
            Transition.objects.bulk_create([
                Transition(event=event, action=a, from_state=s, to_state=t, at=at,
                           actor_id=actors.get(ROLE_OF.get(a, "city_bureau")), actor_role=ROLE_OF.get(a, "city_bureau"))
                for a, s, t, at in story.steps])
            if story.case:
                Case.objects.create(event=event, **story.case)
                counts[2] += 1
            counts[0] += 1
            counts[1] += len(story.steps)
    return counts[0], counts[1], counts[2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--years", type=float, default=3.0)
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args()
    if not Site.objects.exists():
        sys.exit("No sites: run `manage.py demo --reset` first.")
    if not HazardType.objects.exists():  # `flush` (demo --reset) empties the seeded taxonomy: seed it again
        import importlib

        from django.apps import apps

        importlib.import_module("parcelguard.events.migrations.0002_seed_taxonomy").seed(apps, None)
    started = time.perf_counter()
    if connection.vendor == "postgresql":
        events, transitions, cases = copy_postgres(args.events, args.years, args.seed)
    else:
        events, transitions, cases = bulk_sqlite(args.events, args.years, args.seed)
    print(f"{events:,} events, {transitions:,} transitions, {cases:,} cases in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
