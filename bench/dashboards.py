"""KPI dashboard benchmark: 2,000 associates x 90 days of rollups, served by gunicorn.

    DATABASE_URL=postgres://... python bench/dashboards.py [--clients 8] [--requests 160]

Builds a throwaway test database (test_<name>_dashboards_bench): `seed_demo
--associates 2000` (167 teams on one site), managers of about 20 teams each, and
90 days of DailyKpi rows for every associate, team and the site for the six
seeded KPIs, written directly with INSERT ... SELECT (team and site rows are
aggregated from the associate rows). Then, for each mode, it serves the app with
gunicorn on a free loopback port (DEBUG off, the bench database, Redis as broker
if CELERY_BROKER_URL is set and as the cache if CACHE_URL is set, as deployed)
and drives it with --clients concurrent clients (threads, each with the session
cookie of a user who logged in through the login page):

- /healthz (the baseline: one trivial query and a broker ping);
- the lead's team dashboard;
- the manager's cross-team dashboard (the ~20 teams they manage);
- the associate's own dashboard;

each dashboard for the last --days days (default 30, ending yesterday) with
?from=&to=. The modes (--mode, default both, each with its own /healthz run):

- cached: the deployed configuration; a dashboard's rendered figures are cached
  until the next rollup (or an edit to a KPI, team or name), so repeated URLs are
  cache hits, as when a team re-reads its dashboards through the day;
- cold: that cache off; every request builds its page from the rollups.

Prints p50/p95 latency and requests per second for each page and mode, plus each
page's query count, time alone and slowest query (measured in-process), and a
verdict against the target (p95 < 150 ms, requests/s >= 1/5 of /healthz's). The
last line is one JSON object with the figures per page: p50_ms, p95_ms, rps
(cached) and cold_p50_ms, cold_p95_ms, cold_rps.
"""

import argparse
import datetime as dt
import http.client
import json
import logging
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import warnings
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sdc_ops.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
ASSOCIATES = 2000
HISTORY_DAYS = 90
TEAMS_PER_MANAGER = 20
WARMUP = 2  # requests per client before timing

# One row per associate, day and KPI. z is a standard normal (Box-Muller), u uniform.
_ASSOCIATE_ROWS_SQL = """
INSERT INTO performance_dailykpi
    (kpi_id, day, scope, site_id, team_id, associate_id, value, numerator, denominator,
     event_count, contributors)
SELECT x.kpi_id, x.day, 'associate', x.site_id, x.team_id, x.associate_id,
       x.value,
       CASE x.key WHEN 'schedule_adherence' THEN x.value * 480 ELSE x.value * x.n END,
       CASE x.key WHEN 'schedule_adherence' THEN 480 END,
       x.n, 1
  FROM (SELECT y.*,
               CASE y.key
                   WHEN 'tickets_solved' THEN y.n
                   WHEN 'csat' THEN least(5, greatest(1, round((4.5 + 0.3 * y.z)::numeric, 2)))
                   WHEN 'qa_score' THEN least(100, greatest(40, round((88 + 5 * y.z)::numeric, 1)))
                   WHEN 'first_response_time' THEN greatest(5, round(60 + 20 * y.z))
                   WHEN 'handle_time' THEN greatest(2, round((12 + 3 * y.z)::numeric, 1))
                   WHEN 'schedule_adherence'
                       THEN least(1, greatest(0, round((0.95 + 0.03 * y.z)::numeric, 3)))
               END AS value
          FROM (SELECT k.id AS kpi_id, k.key, d::date AS day, t.site_id, a.team_id,
                       a.id AS associate_id,
                       sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS z,
                       CASE k.key
                           WHEN 'csat' THEN 1 + floor(random() * 8)
                           WHEN 'qa_score' THEN 1 + floor(random() * 3)
                           WHEN 'schedule_adherence' THEN 16
                           ELSE greatest(1, round(30 + 8 * sqrt(-2 * ln(1 - random()))
                                                       * cos(2 * pi() * random())))
                       END AS n
                  FROM teams_associate a
                  JOIN teams_team t ON t.id = a.team_id
                 CROSS JOIN performance_kpi k
                 CROSS JOIN generate_series(%(first)s::date, %(last)s::date, interval '1 day') d
               ) AS y
       ) AS x
"""

# Team and site rows from the associate rows (percentile KPIs: the mean of the
# associates' figures, close enough for timing pages).
_GROUP_ROWS_SQL = """
INSERT INTO performance_dailykpi
    (kpi_id, day, scope, site_id, team_id, associate_id, value, numerator, denominator,
     event_count, contributors)
SELECT r.kpi_id, r.day, %(scope)s, r.site_id, {team}, NULL,
       CASE k.aggregation
           WHEN 'count' THEN SUM(r.numerator)
           WHEN 'sum' THEN SUM(r.numerator)
           WHEN 'mean' THEN SUM(r.numerator) / SUM(r.event_count)
           WHEN 'ratio' THEN SUM(r.numerator) / NULLIF(SUM(r.denominator), 0)
           ELSE AVG(r.value)
       END,
       SUM(r.numerator), SUM(r.denominator), SUM(r.event_count), COUNT(*)
  FROM performance_dailykpi r
  JOIN performance_kpi k ON k.id = r.kpi_id
 WHERE r.scope = 'associate'
 GROUP BY r.kpi_id, k.aggregation, r.day, r.site_id{group}
"""


@dataclass
class Run:
    """One page under load in one mode, and one request of it alone in-process."""

    latencies: list[float] = field(default_factory=list)
    wall_s: float = 0.0
    queries: int = 0
    alone_ms: float = 0.0
    sql_ms: float = 0.0
    slowest: str = ""

    def figures(self) -> dict[str, float]:
        return {
            "p50_ms": round(statistics.median(self.latencies) * 1000, 1),
            "p95_ms": round(percentile(self.latencies, 0.95) * 1000, 1),
            "rps": round(len(self.latencies) / self.wall_s, 1),
        }


@dataclass
class Page:
    label: str
    key: str
    user: str
    path: str
    runs: dict[str, Run] = field(default_factory=dict)


# The two ways the dashboards are measured, each with its own /healthz baseline:
# "cached" is the deployed configuration (rendered figures cached until the next
# rollup, in the shared cache when CACHE_URL is set), so repeated URLs are cache
# hits; "cold" turns that cache off, so every request builds its page.
MODES = {"cached": 60, "cold": 0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument("--requests", type=int, default=160, help="timed requests per page")
    parser.add_argument("--days", type=int, default=30, help="dashboard range, ending yesterday")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument(
        "--mode",
        choices=["both", *MODES],
        default="both",
        help="cached (the deployed configuration), cold (every request builds its page) "
        "or both (default)",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the database afterwards (for --reuse)"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="reuse a database kept by --keep, skip seeding"
    )
    args = parser.parse_args()
    if min(args.clients, args.requests, args.days, args.workers) < 1:
        raise SystemExit("--clients, --requests, --days and --workers must be at least 1.")
    if args.days > HISTORY_DAYS // 2:
        raise SystemExit(f"--days must be at most {HISTORY_DAYS // 2} (the previous period too).")
    if connection.vendor != "postgresql":
        raise SystemExit("Run the benchmark on PostgreSQL: set DATABASE_URL.")
    database = settings.DATABASES["default"]
    database["TEST"]["NAME"] = f"test_{database['NAME']}_dashboards_bench"
    logging.disable(logging.INFO)  # the seed's e-mail tasks log every send
    warnings.filterwarnings("ignore", message="No directory at")  # whitenoise, no collectstatic
    setup_test_environment(debug=False)  # no query log, as in production
    connection.creation.create_test_db(
        verbosity=0, autoclobber=True, keepdb=args.reuse, serialize=False
    )
    try:
        figures = run(args)
    finally:
        connection.close()
        if args.keep:
            print(f"kept database {connection.settings_dict['NAME']}")
        else:
            connection.creation.destroy_test_db(database["NAME"], verbosity=0)
    print(json.dumps(figures))


def seed(yesterday: dt.date) -> tuple[int, int]:
    from teams.models import Team, User

    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", associates=ASSOCIATES, stdout=quiet)
    # Managers of about 20 teams each; "manager" keeps the demo teams.
    teams = list(Team.objects.order_by("pk").values_list("pk", flat=True))
    groups = [teams[i : i + TEAMS_PER_MANAGER] for i in range(0, len(teams), TEAMS_PER_MANAGER)]
    demo = User.objects.get(username="manager")
    for number, group in enumerate(groups, start=1):
        manager = demo
        if number > 1:
            manager, _ = User.objects.get_or_create(
                username=f"manager{number}",
                defaults={
                    "first_name": "Manager",
                    "last_name": str(number),
                    "password": demo.password,
                },
            )
        Team.objects.filter(pk__in=group).update(manager=manager)
    first = yesterday - dt.timedelta(days=HISTORY_DAYS - 1)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM performance_dailykpi")  # the demo's own rollups
        cursor.execute("SELECT setseed(0.2026)")
        cursor.execute(_ASSOCIATE_ROWS_SQL, {"first": first, "last": yesterday})
        cursor.execute(
            _GROUP_ROWS_SQL.format(team="r.team_id", group=", r.team_id"), {"scope": "team"}
        )
        cursor.execute(_GROUP_ROWS_SQL.format(team="NULL", group=""), {"scope": "site"})
        cursor.execute("VACUUM ANALYZE performance_dailykpi")
        cursor.execute("SELECT count(*) FROM performance_dailykpi")
        rows = cursor.fetchone()[0]
    return rows, len(groups)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve(port: int, workers: int, cache_seconds: int) -> subprocess.Popen[bytes]:
    db = connection.settings_dict
    url = "postgres://{user}{password}@{host}:{port}/{name}".format(
        user=urllib.parse.quote(db["USER"] or ""),
        password=(":" + urllib.parse.quote(db["PASSWORD"])) if db["PASSWORD"] else "",
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        name=db["NAME"],
    )
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        # Plain HTTP on loopback: no TLS redirect, cookies without the Secure flag.
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "STATIC_MANIFEST": "false",
        "KPI_DASHBOARD_CACHE_SECONDS": str(cache_seconds),
        "LOG_LEVEL": "WARNING",
        "PYTHONWARNINGS": "ignore::UserWarning",  # whitenoise: no collected static here
    }
    process = subprocess.Popen(  # noqa: S603 -- a fixed command line, no outside input
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "sdc_ops.wsgi:application",
            f"--bind=127.0.0.1:{port}",
            f"--workers={workers}",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if request(port, "/healthz")[0] == 200:
                return process
        except OSError:
            pass
        if process.poll() is not None:
            raise SystemExit("gunicorn exited during start-up.")
        time.sleep(0.25)
    process.terminate()
    raise SystemExit("gunicorn did not answer /healthz within 60 s.")


def request(
    port: int, path: str, *, cookie: str = "", method: str = "GET", body: str = ""
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Cookie": cookie} if cookie else {}
    if body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["Referer"] = f"http://127.0.0.1:{port}{path}"
    try:
        conn.request(method, path, body=body or None, headers=headers)
        response = conn.getresponse()
        data = response.read()
        cookies = "; ".join(
            value.split(";", 1)[0] for name, value in response.getheaders() if name == "Set-Cookie"
        )
        return response.status, {"set-cookie": cookies}, data
    finally:
        conn.close()


def log_in(port: int, username: str, password: str) -> str:
    """A session cookie, through the real login page (CSRF token included)."""
    login = reverse("login")
    status, headers, page = request(port, login)
    assert status == 200, status
    csrf_cookie = headers["set-cookie"]
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert match, "no CSRF token on the login page"
    form = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": match.group(1).decode(),
            "username": username,
            "password": password,
        }
    )
    status, headers, _ = request(port, login, cookie=csrf_cookie, method="POST", body=form)
    session = [c for c in headers["set-cookie"].split("; ") if c.startswith("sessionid=")]
    if status != 302 or not session:
        raise SystemExit(f"Logging in as {username} failed (HTTP {status}).")
    return session[0]


def drive(port: int, page: Page, run: Run, cookie: str, clients: int, total: int) -> None:
    per_client = max(1, total // clients)
    errors: list[str] = []
    lock = threading.Lock()
    start_line = threading.Barrier(clients + 1)

    def client() -> None:
        for _ in range(WARMUP):
            request(port, page.path, cookie=cookie)
        start_line.wait()
        mine = []
        for _ in range(per_client):
            started = time.perf_counter()
            status, _, _body = request(port, page.path, cookie=cookie)
            mine.append(time.perf_counter() - started)
            if status != 200:
                errors.append(f"{page.path}: HTTP {status}")
        with lock:
            run.latencies += mine

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    start_line.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    run.wall_s = time.perf_counter() - started
    if errors:
        raise SystemExit(f"{len(errors)} failed requests, e.g. {errors[0]}")


def profile(page: Page, run: Run, password: str) -> None:
    """One request at a time, in-process: its time, query count, time in SQL and
    slowest query (what a page costs before any concurrency)."""
    from teams.models import User

    client = Client()
    if page.user:
        client.force_login(User.objects.get(username=page.user))
    client.get(page.path)  # warm caches
    samples = []
    for _ in range(15):
        started = time.perf_counter()
        client.get(page.path)
        samples.append(time.perf_counter() - started)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(page.path)
    assert response.status_code == 200, (page.path, response.status_code)
    run.queries = len(ctx)
    run.alone_ms = statistics.median(samples) * 1000
    run.sql_ms = sum(float(q["time"]) for q in ctx.captured_queries) * 1000
    if ctx.captured_queries:
        worst = max(ctx.captured_queries, key=lambda q: float(q["time"]))
        run.slowest = (
            f"{float(worst['time']) * 1000:.0f} ms: {' '.join(worst['sql'].split())[:160]}"
        )


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def run(args: argparse.Namespace) -> dict[str, dict[str, float]]:
    from teams.management.commands.seed_demo import DEMO_PASSWORD
    from teams.models import Associate, Team, User

    yesterday = dt.date.today() - dt.timedelta(days=1)
    seeded = time.perf_counter()
    from performance.models import DailyKpi

    if args.reuse and DailyKpi.objects.filter(day=yesterday).exists():
        rows = DailyKpi.objects.count()
        managers = User.objects.filter(managed_teams__isnull=False).distinct().count()
    else:
        rows, managers = seed(yesterday)
    team = Team.objects.get(name="Payments Support")
    managed = Team.objects.filter(manager__username="manager").count()
    associate = Associate.objects.get(user__username="associate")
    assert associate.team_id == team.pk
    assert User.objects.get(username="lead").led_teams.filter(pk=team.pk).exists()
    print(
        f"{Associate.objects.count():,} associates in {Team.objects.count()} teams, "
        f"{managers} managers (the bench manager has {managed} teams), "
        f"{rows:,} DailyKpi rows over {HISTORY_DAYS} days, "
        f"seeded in {time.perf_counter() - seeded:.0f} s"
    )
    span = urllib.parse.urlencode(
        {"from": (yesterday - dt.timedelta(days=args.days - 1)).isoformat(), "to": yesterday}
    )
    pages = [
        Page("/healthz (baseline)", "healthz", "", reverse("teams:healthz")),
        Page(
            f"team dashboard (lead, {team.associates.count()} associates)",
            "team",
            "lead",
            reverse("performance:team-dashboard", args=[team.pk]) + "?" + span,
        ),
        Page(
            f"KPI overview (manager, {managed} teams)",
            "overview",
            "manager",
            reverse("performance:kpi-overview") + "?" + span,
        ),
        Page(
            "associate dashboard (own)",
            "associate",
            "associate",
            reverse("performance:associate-dashboard", args=[associate.pk]) + "?" + span,
        ),
    ]
    modes = list(MODES) if args.mode == "both" else [args.mode]
    for mode in modes:
        settings.KPI_DASHBOARD_CACHE_SECONDS = MODES[mode]  # for profile(), in-process
        for page in pages:
            page.runs[mode] = Run()
            if page.user:
                profile(page, page.runs[mode], DEMO_PASSWORD)
        port = free_port()
        server = serve(port, args.workers, MODES[mode])
        try:
            cookies = {"": ""}
            for user in {p.user for p in pages if p.user}:
                cookies[user] = log_in(port, user, DEMO_PASSWORD)
            for page in pages:
                drive(port, page, page.runs[mode], cookies[page.user], args.clients, args.requests)
        finally:
            server.terminate()
            server.wait(timeout=30)

    print(
        f"gunicorn {args.workers} sync workers, {args.clients} concurrent clients, "
        f"{args.requests // args.clients * args.clients} timed requests per page, range {span}; "
        f"cache {'Redis (CACHE_URL)' if os.environ.get('CACHE_URL') else 'per process (locmem)'}; "
        f"load average {' '.join(f'{n:.1f}' for n in os.getloadavg())} on {os.cpu_count()} CPUs"
    )
    print("alone = one request at a time in-process (median of 15), sql = its time in queries")
    figures: dict[str, dict[str, float]] = {page.key: {} for page in pages}
    verdicts = []
    for mode in modes:
        print(
            f"\n{mode}: "
            + (
                "the deployed configuration; repeated URLs are served from the "
                "rendered-figures cache until the next rollup"
                if mode == "cached"
                else "cache off; every request builds its page from the rollups"
            )
        )
        print(
            f"{'page':<44} {'p50 ms':>7} {'p95 ms':>7} {'req/s':>7} {'queries':>7} "
            f"{'alone ms':>8} {'sql ms':>7}"
        )
        prefix = "" if mode == "cached" else "cold_"
        for page in pages:
            run = page.runs[mode]
            measured = run.figures()
            figures[page.key] |= {prefix + name: value for name, value in measured.items()}
            if page.user:
                extra = f"{run.queries:>7} {run.alone_ms:>8.1f} {run.sql_ms:>7.0f}"
            else:
                extra = f"{'-':>7} {'-':>8} {'-':>7}"
            print(
                f"{page.label:<44} {measured['p50_ms']:>7.1f} {measured['p95_ms']:>7.1f} "
                f"{measured['rps']:>7.1f} {extra}"
            )
        baseline = pages[0].runs[mode].figures()["rps"]
        for page in pages[1:]:
            measured = page.runs[mode].figures()
            meets = measured["p95_ms"] < 150 and measured["rps"] >= baseline / 5
            verdicts.append(
                f"{mode} {page.key}: {'meets' if meets else 'MISSES'} the target (p95 < 150 ms, "
                f"rps >= healthz/5 = {baseline / 5:.1f}; here 1/{baseline / measured['rps']:.1f}); "
                f"slowest query {page.runs[mode].slowest or 'none'}"
            )
    print()
    print("\n".join(verdicts))
    return figures


if __name__ == "__main__":
    main()
