"""The county assessment at a province's size (issue 13): 9 cities × 10 counties, a year of 1 M hazard events,
the monthly duty reports of 900 enterprise–county pairs. Measures `scoring.compute` (every indicator of every
county, as the assessment page and `assessment_publish` do) for each city's bureau over the year, a quarter and
a month, and one `assessment_publish` (figures + numbered PDF) of the year.

PostgreSQL only (the events are made by one INSERT … SELECT over generate_series). Use a database of its own:

    export DB_ENGINE=postgres PGHOST=127.0.0.1 PGPORT=5432 PGUSER=postgres PGDATABASE=pg_assess_bench
    psql -d postgres -c "CREATE DATABASE pg_assess_bench" && .venv/bin/python manage.py migrate
    .venv/bin/python benchmarks/assessment/run.py --events 1000000      # generates once, then measures
    psql -d postgres -c "DROP DATABASE pg_assess_bench"
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parcelguard.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from stdnum.cn import uscc  # noqa: E402

from parcelguard.accounts.models import Jurisdiction, Level, User  # noqa: E402
from parcelguard.accounts.roles import Role  # noqa: E402
from parcelguard.assessment import scoring, services  # noqa: E402
from parcelguard.assessment.testing import ensure_method  # noqa: E402
from parcelguard.core import clock  # noqa: E402
from parcelguard.events.models import Event  # noqa: E402
from parcelguard.events.testing import ensure_taxonomy  # noqa: E402
from parcelguard.registry.models import Brand, Enterprise, Site, SiteKind  # noqa: E402
from parcelguard.selfcheck.models import MonthlyReport  # noqa: E402
from parcelguard.selfcheck.testing import ensure_checklist  # noqa: E402

YEAR = 2025
NOW = timezone.make_aware(dt.datetime(2026, 1, 20, 10))  # the year 2025 is over, its reports are due


def generate(events: int) -> None:
    ensure_taxonomy()
    checklist = ensure_checklist()
    ensure_method()
    Brand.objects.get_or_create(code="ZTO", defaults={"name": "中通快递"})
    with transaction.atomic():
        for c in range(9):
            city = Jurisdiction.objects.create(code=f"35{c + 1:02d}00", name=f"第{c + 1}市", level=Level.CITY)
            User.objects.create_user(f"bench_city_{c}", password="bench-password-123", role=Role.CITY_BUREAU,
                                     jurisdiction=city)
            for k in range(10):
                county = Jurisdiction.objects.create(code=f"35{c + 1:02d}{k + 1:02d}", name=f"第{c + 1}市第{k + 1}区",
                                                     level=Level.COUNTY, parent=city)
                for e in range(10):  # ten enterprises with an outlet in each county: 900 report duties a month
                    body = f"9135{c + 1:02d}{k + 1:02d}MA{e:02d}BENCH"[:17]
                    ent = Enterprise.objects.create(name=f"{county.name}第{e + 1}快递公司", brand_id="ZTO",
                                                    credit_code=body + uscc.calc_check_digit(body),
                                                    legal_representative="林志明")
                    Site.objects.create(code=f"B{county.code}{e:02d}", name=f"{ent.name}营业部", kind=SiteKind.OUTLET,
                                        enterprise=ent, county=county, filed_address=f"{county.name}{e + 1}号")
    officer = User.objects.filter(role=Role.CITY_BUREAU).first()
    reports = []
    for site in Site.objects.filter(code__startswith="B").select_related("county"):
        for month in range(1, 13):
            first = dt.date(YEAR, month, 1)
            due = services_due(first)
            late = (site.pk * 7 + month) % 10 == 0
            if (site.pk * 13 + month) % 25 == 0:
                continue  # missing
            reports.append(MonthlyReport(
                enterprise_id=site.enterprise_id, county_id=site.county_id, jurisdiction_path=site.county.path,
                month=first, due_at=due, submitted_at=due + dt.timedelta(days=2 if late else -2), submitted_by=officer,
                checklist=checklist, answers={}))
    MonthlyReport.objects.bulk_create(reports, batch_size=2000)
    hazard = ensure_hazard()
    began = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("CREATE TEMP TABLE bench_c AS SELECT row_number() OVER (ORDER BY code) - 1 AS i, id, path "
                    "FROM accounts_jurisdiction WHERE level = 'county'")
        cur.execute("SELECT count(*) FROM bench_c")
        n_counties = cur.fetchone()[0]
        cur.execute(f"""
            INSERT INTO events_event (hazard_type_id, severity, description, county_id, jurisdiction_path, place,
                source, state, tier, deadline, rectify_by, rework_count, reported_at, escalated_at, closed_at,
                updated_at, version)
            SELECT %s, 'medium', '基准测试隐患', c.id, c.path, '', 'grid_worker', s.state,
                CASE WHEN s.esc THEN 'city' ELSE 'county' END,
                CASE WHEN s.state IN ('closed', 'rejected') THEN NULL ELSE s.rb + (s.r3 * 20 - 10) * interval '1 day' END,
                CASE WHEN s.state = 'rejected' THEN NULL ELSE s.rb END, 0, s.rep,
                CASE WHEN s.esc THEN s.rb + interval '1 day' END,
                CASE WHEN s.state = 'closed' THEN s.rep + (s.r2 * 20) * interval '1 day' END,
                s.rep, 1
            FROM (
                SELECT g, rep, rep + interval '10 days' AS rb, r2, r3, r1 < 0.08 AS esc,
                    CASE WHEN r1 < 0.03 THEN 'rejected' WHEN r1 < 0.90 THEN 'closed' WHEN r1 < 0.94 THEN 'reminded'
                         WHEN r1 < 0.97 THEN 'verified' ELSE 'investigating' END AS state
                FROM (SELECT g, random() AS r1, random() AS r2, random() AS r3,
                        %s::timestamptz + random() * interval '365 days' AS rep
                      FROM generate_series(1, %s) g) x
            ) s JOIN bench_c c ON c.i = s.g %% {n_counties}
        """, [hazard, timezone.make_aware(dt.datetime(YEAR, 1, 1)), events])
        cur.execute("ANALYZE events_event")
    print(f"generated {events:,} events over {n_counties} counties in {time.perf_counter() - began:.1f} s; "
          f"{len(reports):,} monthly reports")


def services_due(month: dt.date) -> dt.datetime:
    from parcelguard.selfcheck.services import due_at

    return due_at(month)


def ensure_hazard() -> int:
    from parcelguard.events.models import HazardType

    return int(HazardType.objects.order_by("pk").values_list("pk", flat=True)[0])


def measure(repeat: int) -> None:
    method = ensure_method()
    bureaus = list(User.objects.filter(role=Role.CITY_BUREAU, username__startswith="bench_city_").order_by("username"))
    print(f"{Event.objects.count():,} events, {len(bureaus)} cities, "
          f"{Jurisdiction.objects.filter(level=Level.COUNTY, parent__in=[b.jurisdiction for b in bureaus]).count()} "
          f"counties, {MonthlyReport.objects.count():,} monthly reports")
    with clock.frozen_at(NOW):
        for code in (str(YEAR), f"{YEAR}-Q4", f"{YEAR}-11"):
            period = scoring.parse_period(code)
            runs = []
            for _ in range(repeat):
                began = time.perf_counter()
                counties = sum(len(scoring.compute(b, period, method).counties) for b in bureaus)
                runs.append(time.perf_counter() - began)
            print(f"period {code}: {counties} counties in {min(runs):.2f} s best, {statistics.median(runs):.2f} s "
                  f"median of {repeat} (all 9 cities, every indicator)")
        from parcelguard.assessment.models import Assessment

        free = [b for b in bureaus if not Assessment.objects.filter(city=b.jurisdiction, period=str(YEAR)).exists()]
        if free:  # each run publishes one more city's year (a period is published once per method version)
            began = time.perf_counter()
            made = services.assessment_publish(user=free[0], period=str(YEAR))
            print(f"publish {made.number} (one city, figures + PDF + trail): {time.perf_counter() - began:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("PostgreSQL only: set DB_ENGINE=postgres and PGDATABASE")
    if not User.objects.filter(username="bench_city_0").exists():
        generate(args.events)
    measure(args.repeat)


if __name__ == "__main__":
    main()
