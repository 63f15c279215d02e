"""Dashboard benchmark (issue 6): p95 of every dashboard page, its chart data, the drill-down list and a
trivial endpoint (the floor) at 20 concurrent users, with locust against granian on PostgreSQL; then the
time of the city's monthly PDF.

Needs the data of generate.py in the database named by the PG* variables. Starts granian itself.

    DB_ENGINE=postgres PGDATABASE=parcelguard_bench .venv/bin/python benchmarks/dashboards/run.py \
        --users 20 --seconds 60 --cache 60
    (--cache 0: every figure computed for every request; --cache 60: the default, a figure is kept a minute)
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parcelguard.settings")

FIGURES = ["types", "areas", "brands", "states", "loop", "trend", "enforcement", "map"]

LOCUSTFILE = '''
import os, random
from locust import HttpUser, task, between

COOKIE = os.environ["BENCH_COOKIE"]
COUNTIES = os.environ["BENCH_COUNTIES"].split(",")
TYPES = os.environ["BENCH_TYPES"].split(",")
FIGURES = %(figures)r


BRANDS = os.environ["BENCH_BRANDS"].split(",")
GRIDS = os.environ["BENCH_GRIDS"].split(",")


def filters():
    """The default view 40 %% of the time; otherwise one county, a hazard type, a past year, a brand, a grid,
    a county with a type and a tier, or last month."""
    r = random.random()
    if r < 0.4 or os.environ.get("BENCH_DEFAULT_ONLY"):
        return ""
    if r < 0.55:
        return "county=" + random.choice(COUNTIES)
    if r < 0.65:
        return "type=" + random.choice(TYPES)
    if r < 0.75:
        return "from=2024-01-01&to=2024-12-31"
    if r < 0.82:
        return "brand=" + random.choice(BRANDS)
    if r < 0.89:
        return "grid=" + random.choice(GRIDS)
    if r < 0.95:
        return "county=%%s&type=%%s&tier=county" %% (random.choice(COUNTIES), random.choice(TYPES))
    return "from=2026-10-01&to=2026-10-31"


class Bureau(HttpUser):
    wait_time = between(0.2, 0.8)

    def get(self, url, name):
        """Anything but 200 is a failure: a lost session would otherwise show as fast log-in redirects."""
        with self.client.get(url, name=name, allow_redirects=False, catch_response=True) as r:
            if r.status_code != 200:
                r.failure("status %%d" %% r.status_code)

    def on_start(self):
        self.client.cookies.set("sessionid", COOKIE)
        # a lost session would show as fast log-in redirects: fail them instead (not counted as the floor)
        self.get("/analytics/ping", "log-in check")

    @task(2)
    def dashboard(self):
        self.get("/analytics/?" + filters(), "page /analytics/")

    @task(8)
    def figure(self):
        name = random.choice(FIGURES)
        self.get("/api/v1/analytics/figures/" + name + "?" + filters(), "figure " + name)

    @task(3)
    def drill_down(self):
        extra = random.choice(["", "segment=overdue", "group=case", "county=" + random.choice(COUNTIES),
                               "type=" + random.choice(TYPES) + "&page=3"])
        self.get("/analytics/events/?" + extra, "drill-down /analytics/events/")

    @task(2)
    def floor(self):
        self.get("/analytics/ping", "floor /analytics/ping")
'''


def session_cookie() -> tuple[str, dict[str, list[str]]]:
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from parcelguard.accounts.models import Jurisdiction, User
    from parcelguard.events.models import HazardType

    user = User.objects.filter(role="city_bureau", is_active=True).order_by("pk").first()
    client = Client()
    client.force_login(user)  # a real session row, as a browser's log-in makes
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    from parcelguard.registry.models import Brand

    return key, {"COUNTIES": list(Jurisdiction.objects.filter(level="county").values_list("code", flat=True)),
                 "TYPES": list(HazardType.objects.values_list("code", flat=True)),
                 "BRANDS": list(Brand.objects.values_list("code", flat=True)),
                 "GRIDS": list(Jurisdiction.objects.filter(level="grid").values_list("code", flat=True))}


def wait_up(url: str, seconds: float = 30) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except Exception as exc:
            if getattr(exc, "code", None):
                return
            time.sleep(0.3)
    raise SystemExit(f"server did not start: {url}")


def warm_up(host: str, cookie: str) -> None:
    """Start every worker thread before measuring: a granian worker loads Django on its first requests,
    which would otherwise count against the first seconds of the run."""
    from concurrent.futures import ThreadPoolExecutor

    def get(path: str) -> None:
        request = urllib.request.Request(host + path, headers={"Cookie": f"sessionid={cookie}"})
        with urllib.request.urlopen(request, timeout=120) as response:
            response.read()

    paths = ["/analytics/ping", "/analytics/", *[f"/api/v1/analytics/figures/{name}" for name in FIGURES]] * 4
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(get, paths))


def sequential(url: str, cookie: str, n: int = 5) -> float:
    """Median milliseconds of n requests one after another (no other load)."""
    times = []
    for _ in range(n):
        request = urllib.request.Request(url, headers={"Cookie": f"sessionid={cookie}"})
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=120) as response:
            assert response.status == 200 and b"login" not in response.url.encode()
            response.read()
        times.append((time.perf_counter() - started) * 1000)
    return sorted(times)[n // 2]


def pdf_seconds() -> float:
    from parcelguard.accounts.models import Jurisdiction
    from parcelguard.analytics.reports import report_pdf

    city = Jurisdiction.objects.get(level="city")
    month = (dt.date.today().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    report_pdf(city, month)  # warm-up: imports and font loading, as a long-running worker has done
    started = time.perf_counter()
    report_pdf(city, month)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--cache", type=int, default=60, help="ANALYTICS_CACHE_SECONDS for the server")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8061)
    parser.add_argument("--no-pdf", action="store_true")
    parser.add_argument("--no-cube", action="store_true",
                        help="filtered figures computed live from the events (the baseline before the cube)")
    parser.add_argument("--default-only", action="store_true",
                        help="every figure with the default filters (served by the summary table)")
    args = parser.parse_args()
    cookie, choices = session_cookie()
    env = {**os.environ, "PARCELGUARD_ANALYTICS_CACHE_SECONDS": str(args.cache), "PARCELGUARD_DEBUG": "0",
           "PARCELGUARD_ANALYTICS_CUBE": "0" if args.no_cube else "1", "BENCH_COOKIE": cookie,
           **({"BENCH_DEFAULT_ONLY": "1"} if args.default_only else {}),
           **{f"BENCH_{name}": ",".join(values) for name, values in choices.items()}}
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/granian"), "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(args.port),
         "--workers", str(args.workers), "--blocking-threads", "4", "--log-level", "warning",
         "parcelguard.wsgi:application"], cwd=ROOT, env=env)
    try:
        host = f"http://127.0.0.1:{args.port}"
        wait_up(host + "/analytics/ping")
        warm_up(host, cookie)
        with tempfile.TemporaryDirectory() as tmp:
            locustfile = Path(tmp) / "locustfile.py"
            locustfile.write_text(LOCUSTFILE % {"figures": FIGURES})
            prefix = Path(tmp) / "stats"
            subprocess.run([str(ROOT / ".venv/bin/locust"), "-f", str(locustfile), "--headless", "-u", str(args.users),
                            "-r", str(args.users), "-t", f"{args.seconds}s", "--host", host, "--only-summary",
                            "--csv", str(prefix)], env=env, check=False, stdout=subprocess.DEVNULL)
            with open(f"{prefix}_stats.csv", encoding="utf-8") as stats:
                rows = list(csv.DictReader(stats))
        duty = sequential(host + "/analytics/duty/?from=2026-10-01&to=2026-10-31", cookie)
    finally:
        server.terminate()
        server.wait(timeout=20)
    print(f"users {args.users}, {args.seconds} s, granian workers {args.workers}, cache {args.cache} s, "
          f"{'default filters only' if args.default_only else 'mixed filters'}, "
          f"summary table {'off' if args.no_cube else 'on'}, load average {os.getloadavg()}\n")
    print("| endpoint | requests | failures | median ms | p95 ms | p99 ms |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in sorted(rows, key=lambda r: (r["Name"] == "Aggregated", r["Name"])):
        if r["Name"] == "log-in check":
            continue
        print(f"| {r['Name']} | {r['Request Count']} | {r['Failure Count']} | {r['50%']} | {r['95%']} | {r['99%']} |")
    print(f"\nduty record page for one month, alone (median of 5): {duty:.0f} ms")
    if not args.no_pdf:
        print(f"\nmonthly PDF for the city (warm): {pdf_seconds():.2f} s")


if __name__ == "__main__":
    random.seed(6)
    main()
