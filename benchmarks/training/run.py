"""Training benchmark (issue 15, speed goal: an exam paper drawn ≤ 100 ms). Imports a bank of `--questions`
questions (the shipped 32 plus synthetic ones spread over the kinds and positions), then times, for
`--papers` candidates: the draw alone (`bank.draw` over the position's pools) and the whole issue through the
service (`services.exam_issue`: checks, pools query, draw, insert, trail entry). Prints median, p95 and max.

Runs in a fresh database of its own (SQLite in a temporary directory, or PostgreSQL when DB_ENGINE=postgres
and PGDATABASE name a database it may drop and create):

    .venv/bin/python benchmarks/training/run.py --questions 5000 --papers 200
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parcelguard.settings")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _summary(name: str, seconds: list[float]) -> str:
    ms = sorted(s * 1000 for s in seconds)
    return (f"{name:<32} n={len(ms):<5} median {statistics.median(ms):7.2f} ms   "
            f"p95 {ms[int(0.95 * (len(ms) - 1))]:7.2f} ms   max {ms[-1]:7.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=5000)
    parser.add_argument("--papers", type=int, default=200)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="training-bench-")
    os.environ["PARCELGUARD_DATA_DIR"] = tmp
    os.environ.setdefault("SQLITE_PATH", str(Path(tmp) / "db.sqlite3"))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        call_command("flush", interactive=False, verbosity=0)
        call_command("migrate", verbosity=0)
    else:
        call_command("migrate", verbosity=0)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = Path(tmp) / "media"

    from parcelguard.core import clock
    from parcelguard.registry.models import Staff
    from parcelguard.testing.cast import make_cast
    from parcelguard.training import bank, services
    from parcelguard.training.models import Attendance, Position, Question, TrainingSession

    if not Position.objects.exists():
        from django.apps import apps

        from parcelguard.training.seed import seed

        seed(apps, None)
    cast = make_cast()
    codes = list(Position.objects.values_list("code", flat=True))
    extra = []
    for i in range(max(0, args.questions - Question.objects.count())):
        kind = bank.KINDS[i % 4]
        q = {"code": f"B{i:06d}", "kind": kind, "text": f"基准试题第{i}题：以下哪项正确？",
             "options": ["甲", "乙", "丙", "丁"] if kind != "truefalse" else ["正确", "错误"],
             "answer": [0, 2] if kind == "multiple" else [i % 2], "image": "knife.png" if kind == "image" else "",
             "positions": [codes[i % len(codes)]] if i % 3 else []}
        extra.append(q)
    t0 = time.perf_counter()
    for start in range(0, len(extra), 1000):
        services.bank_import(user=cast.city_bureau, questions=extra[start:start + 1000])
    print(f"bank: {Question.objects.count()} questions imported in {time.perf_counter() - t0:.1f} s "
          f"({connection.vendor})")

    position = Position.objects.get(code="screener")
    staff = Staff.objects.bulk_create([Staff(site=cast.sorting_centre_a, name=f"考生{i}", position="screener")
                                       for i in range(args.papers)])
    for course in position.courses.all():  # every candidate attended the required courses
        session = TrainingSession.objects.create(course=course, enterprise=cast.enterprise_x,
                                                 jurisdiction_path=cast.sorting_centre_a.jurisdiction_path,
                                                 held_on=clock.today(), place="培训室", trainer="林美玲",
                                                 created_by=cast.officer_x, created_at=clock.now())
        Attendance.objects.bulk_create([Attendance(session=session, staff=s) for s in staff])

    draws, issues = [], []
    pools = services.pools(position)
    for s in staff:
        t = time.perf_counter()
        bank.draw(bank.paper_seed(s.pk, position.code, 1), position.mix, services.pools(position))
        draws.append(time.perf_counter() - t)
    for s in staff:
        t = time.perf_counter()
        services.exam_issue(user=cast.officer_x, staff_id=s.pk, position=position.code)
        issues.append(time.perf_counter() - t)
    print(f"screener pools: {', '.join(f'{k} {len(v)}' for k, v in pools.items())}")
    print(_summary("draw (pools query + draw)", draws))
    print(_summary("exam_issue (whole service)", issues))


if __name__ == "__main__":
    main()
