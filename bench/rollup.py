"""KPI rollup benchmark: one day of 1,000,000 events across 2,000 associates.

    DATABASE_URL=postgres://... python bench/rollup.py [--events N] [--repeat R]

Runs in a throwaway test database (test_<name>_rollup_bench) seeded with
`seed_demo --associates 2000`; a third of the teams move to a second site in
another time zone. The events are loaded with one INSERT ... SELECT over
generate_series (all six seeded KPIs, realistic distributions), then:

- rollup: the project's rollup of the day, `services.rollup_day` for every
  KPI x site, as the hourly job runs it;
- floor: one hand-written INSERT ... SELECT ... GROUP BY kpi, site, ROLLUP(team,
  associate) (i.e. GROUPING SETS) over the same events into a scratch copy of the
  rollup table (same indexes), the least the database can do to produce those
  rows;
- both must give the same figures (exactly, floats to 1e-12 relative; exits
  non-zero if not);
- rerun: the whole day again over existing rows, which must come out identical,
  with the same row ids (the rollup merges: unchanged rows are not written);
- late fix: one late event through `ingest_events`, whose on-commit task rolls
  up the one dirty (KPI, site, day); every other row must stay untouched.

Rollup and floor are each the best of --repeat runs from an empty day. The last
line is one JSON object with the figures.
"""

import argparse
import datetime as dt
import json
import logging
import math
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sdc_ops.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

DAY = dt.date(2026, 11, 24)
ASSOCIATES = 2000
ROW_KEY = ("kpi_id", "day", "scope", "site_id", "team_id", "associate_id")
ROW_FIGURES = ("value", "numerator", "denominator", "event_count", "contributors")

# Per-event KPI mix and values. z is a standard normal (Box-Muller), u1 uniform.
# Values are integers or halves so sums are exact in float8 whatever the order.
_LOAD_SQL = """
INSERT INTO performance_kpievent
    (kpi_id, associate_id, team_id, site_id, occurred_at, local_date, value, denominator,
     source, external_id, received_at)
SELECT k.id, p.id, p.team_id, p.site_id,
       (%(day)s::date + time '07:00' + make_interval(secs => floor(x.r2 * 43200)))
           AT TIME ZONE p.time_zone,
       %(day)s::date,
       CASE k.key
           WHEN 'tickets_solved' THEN 1
           WHEN 'csat' THEN CASE WHEN x.u1 < .62 THEN 5 WHEN x.u1 < .85 THEN 4
                                 WHEN x.u1 < .93 THEN 3 WHEN x.u1 < .97 THEN 2 ELSE 1 END
           WHEN 'qa_score' THEN greatest(40, least(100, round(88 + 7 * x.z)))
           WHEN 'first_response_time' THEN least(1440, round(exp(3.2 + 0.8 * x.z)))
           WHEN 'handle_time' THEN round(2 * exp(2.4 + 0.5 * x.z)) / 2
           WHEN 'schedule_adherence' THEN 30 - least(30, floor(-ln(1 - x.u1) * 1.5))
       END,
       CASE WHEN k.key = 'schedule_adherence' THEN 30 END,
       'bench', 'b' || x.g, now()
  FROM (SELECT g, r1, r2, u1,
               sqrt(-2 * ln(1 - u1)) * cos(2 * pi() * u2) AS z,
               1 + g %% %(people)s AS n
          FROM (SELECT g, random() AS r1, random() AS r2, random() AS u1, random() AS u2
                  FROM generate_series(1, %(events)s) AS g) AS raw) AS x
  JOIN bench_people p ON p.n = x.n
  JOIN performance_kpi k ON k.key = CASE
           WHEN x.r1 < .35 THEN 'tickets_solved'
           WHEN x.r1 < .45 THEN 'csat'
           WHEN x.r1 < .50 THEN 'qa_score'
           WHEN x.r1 < .75 THEN 'first_response_time'
           WHEN x.r1 < .95 THEN 'handle_time'
           ELSE 'schedule_adherence' END
"""

# The floor: every KPI, site, team and associate of the day in one statement,
# sorted once on narrow integer keys; percentiles only where the KPI wants them;
# contributors counted from the associate rows (no COUNT(DISTINCT) sorts).
_FLOOR_SQL = """
WITH grouped AS (
    SELECT e.kpi_id, e.site_id, e.team_id, e.associate_id,
           GROUPING(e.team_id, e.associate_id) AS level,
           COUNT(*) AS n, SUM(e.value) AS num, SUM(e.denominator) AS den, AVG(e.value) AS mean,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY e.value)
               FILTER (WHERE e.kpi_id = ANY(%(medians)s)) AS median,
           percentile_cont(0.9) WITHIN GROUP (ORDER BY e.value)
               FILTER (WHERE e.kpi_id = ANY(%(p90s)s)) AS p90
      FROM performance_kpievent e
     WHERE e.local_date = %(day)s
     GROUP BY e.kpi_id, e.site_id, ROLLUP (e.team_id, e.associate_id)
)
INSERT INTO bench_floor
    (kpi_id, day, scope, site_id, team_id, associate_id, value, numerator, denominator,
     event_count, contributors)
SELECT g.kpi_id, %(day)s,
       CASE g.level WHEN 0 THEN 'associate' WHEN 1 THEN 'team' ELSE 'site' END,
       g.site_id, g.team_id, g.associate_id,
       CASE k.aggregation
           WHEN 'count' THEN g.n
           WHEN 'sum' THEN g.num
           WHEN 'mean' THEN g.mean
           WHEN 'ratio' THEN COALESCE(g.num / NULLIF(g.den, 0), 0)
           WHEN 'median' THEN g.median
           WHEN 'p90' THEN g.p90
       END,
       g.num, g.den, g.n,
       CASE g.level
           WHEN 0 THEN 1
           WHEN 1 THEN COUNT(*) FILTER (WHERE g.level = 0)
                           OVER (PARTITION BY g.kpi_id, g.site_id, g.team_id)
           ELSE COUNT(*) FILTER (WHERE g.level = 0) OVER (PARTITION BY g.kpi_id, g.site_id)
       END
  FROM grouped g
  JOIN performance_kpi k ON k.id = g.kpi_id
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="events to load")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of rollup and floor")
    parser.add_argument(
        "--covering-index",
        action="store_true",
        help="add the proposed index on events (kpi, local_date, associate) INCLUDE "
        "(value, denominator) before timing; not in the project's migrations yet",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the database afterwards, for EXPLAIN in psql"
    )
    args = parser.parse_args()
    if args.events < 1 or args.repeat < 1:
        raise SystemExit("--events and --repeat must be at least 1.")
    if connection.vendor != "postgresql":
        raise SystemExit("Run the benchmark on PostgreSQL: set DATABASE_URL.")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    database = settings.DATABASES["default"]
    # Its own test database, so a pytest run on the same DATABASE_URL is not clobbered.
    database["TEST"]["NAME"] = f"test_{database['NAME']}_rollup_bench"
    from sdc_ops.celery import app as celery_app

    # The post-import rollup runs in-process on commit, as in the demo.
    celery_app.conf.task_always_eager = True
    logging.disable(logging.INFO)  # the seed's e-mail tasks log every send
    setup_test_environment(debug=False)  # no query log, as in production
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False, serialize=False)
    try:
        figures = run(args.events, args.repeat, covering_index=args.covering_index)
    finally:
        if args.keep:
            print(f"kept database {connection.settings_dict['NAME']}")
        else:
            connection.creation.destroy_test_db(database["NAME"], verbosity=0)
    print(json.dumps(figures))


def timed(fn: Any) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def rows(table: str, where: str = "", params: dict[str, Any] | None = None) -> dict[tuple, tuple]:
    columns = ", ".join(ROW_KEY + ROW_FIGURES)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {table} {where}", params or {})  # noqa: S608
        found = {r[: len(ROW_KEY)]: r[len(ROW_KEY) :] for r in cursor.fetchall()}
    return found


def same(left: tuple, right: tuple) -> bool:
    """Equal figures; floats to 1e-12 relative, since a sum of decimals (the demo's
    own events) depends on the order the database adds them in."""
    return all(
        a == b
        or (isinstance(a, float) and isinstance(b, float) and math.isclose(a, b, rel_tol=1e-12))
        for a, b in zip(left, right, strict=True)
    )


def differences(left: dict[tuple, tuple], right: dict[tuple, tuple]) -> list[str]:
    problems = [f"only in the first: {k}" for k in left.keys() - right.keys()]
    problems += [f"only in the second: {k}" for k in right.keys() - left.keys()]
    problems += [
        f"{k}: {left[k]} != {right[k]}"
        for k in left.keys() & right.keys()
        if not same(left[k], right[k])
    ]
    return problems


def run(events: int, repeat: int, *, covering_index: bool) -> dict[str, float | int]:
    from performance.models import DailyKpi, Kpi, KpiDirtyDay
    from performance.services import kpis as services
    from performance.services import rollups
    from teams.models import Associate, Site, Team

    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", associates=ASSOCIATES, stdout=quiet)
    dublin = Site.objects.get()
    krakow = Site.objects.create(
        name="Kraków Delivery Center", time_zone="Europe/Warsaw", country="PL"
    )
    teams = list(Team.objects.order_by("pk").values_list("pk", flat=True))
    Team.objects.filter(pk__in=teams[::3]).update(site=krakow)
    sites = [dublin, krakow]
    kpis = list(Kpi.objects.order_by("pk"))
    people = list(Associate.objects.order_by("pk").values_list("pk", flat=True)[:ASSOCIATES])

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE bench_people AS"
            " SELECT row_number() OVER (ORDER BY a.id) AS n, a.id, a.team_id, t.site_id,"
            " s.time_zone"
            " FROM teams_associate a JOIN teams_team t ON t.id = a.team_id"
            " JOIN teams_site s ON s.id = t.site_id WHERE a.id = ANY(%s)",
            [people],
        )
        cursor.execute("SELECT setseed(0.2026)")
        load_s = timed(
            lambda: cursor.execute(_LOAD_SQL, {"day": DAY, "events": events, "people": len(people)})
        )
        loaded = cursor.rowcount
        if covering_index:
            cursor.execute(
                "CREATE INDEX bench_event_cover ON performance_kpievent"
                " (kpi_id, local_date, associate_id) INCLUDE (value, denominator)"
            )
        # Hint bits, visibility map and statistics, as a day-old table would have.
        cursor.execute("VACUUM ANALYZE performance_kpievent")
        cursor.execute("VACUUM ANALYZE teams_associate")
        cursor.execute("VACUUM ANALYZE teams_team")
        cursor.execute("CREATE TABLE bench_floor (LIKE performance_dailykpi INCLUDING ALL)")
        cursor.execute(
            "SELECT k.key, count(*) FROM performance_kpievent e"
            " JOIN performance_kpi k ON k.id = e.kpi_id WHERE e.source = 'bench'"
            " GROUP BY k.key ORDER BY k.key"
        )
        mix = ", ".join(f"{key} {n:,}" for key, n in cursor.fetchall())
    assert loaded == events, (loaded, events)
    print(
        f"{events:,} events on {DAY} for {len(people):,} associates in {len(teams)} teams "
        f"on {len(sites)} sites, loaded in {load_s:.1f} s ({mix})"
    )
    if covering_index:
        print("with the proposed covering index on events (--covering-index)")

    def project_rollup() -> None:
        for kpi in kpis:
            for site in sites:
                rollups.rollup_day(kpi=kpi, site_id=site.pk, day=DAY)

    by_aggregation = {
        aggregation: [k.pk for k in kpis if k.aggregation == aggregation]
        for aggregation in (Kpi.Aggregation.MEDIAN, Kpi.Aggregation.P90)
    }

    def floor() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                _FLOOR_SQL,
                {
                    "day": DAY,
                    "medians": by_aggregation[Kpi.Aggregation.MEDIAN],
                    "p90s": by_aggregation[Kpi.Aggregation.P90],
                },
            )

    rollup_samples, floor_samples = [], []
    for _ in range(repeat):
        DailyKpi.objects.filter(day=DAY).delete()
        rollup_samples.append(timed(project_rollup))
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE bench_floor")
        floor_samples.append(timed(floor))
    rollup_s, floor_s = min(rollup_samples), min(floor_samples)

    produced = rows("performance_dailykpi", "WHERE day = %(day)s", {"day": DAY})
    problems = differences(produced, rows("bench_floor"))
    if problems:
        print(f"MISMATCH between the rollup and the floor ({len(problems)}):", *problems[:20])
        raise SystemExit(1)
    scopes = dict(
        DailyKpi.objects.filter(day=DAY).values_list("scope").annotate(n=Count("pk")).order_by()
    )
    print(f"{len(produced):,} rollup rows on {DAY} ({scopes}); rollup and floor agree")
    print(f"rollup (rollup_day x {len(kpis)} KPIs x {len(sites)} sites): {rollup_s:.3f} s", end="")
    print(f"  [runs: {', '.join(f'{s:.3f}' for s in rollup_samples)}]")
    print(f"floor (one GROUP BY ... ROLLUP statement for the day): {floor_s:.3f} s", end="")
    print(f"  [runs: {', '.join(f'{s:.3f}' for s in floor_samples)}]")
    ratio = rollup_s / floor_s
    print(f"ratio rollup / floor: {ratio:.2f} (target <= 1.5)")

    before_ids = set(DailyKpi.objects.filter(day=DAY).values_list("pk", flat=True))
    rerun_s = timed(project_rollup)
    problems = differences(
        produced, rows("performance_dailykpi", "WHERE day = %(day)s", {"day": DAY})
    )
    if problems:
        print(f"RE-RUN CHANGED ROWS ({len(problems)}):", *problems[:20])
        raise SystemExit(1)
    # A merge: the same rows keep their ids (nothing deleted and inserted again).
    assert before_ids == set(DailyKpi.objects.filter(day=DAY).values_list("pk", flat=True))
    print(f"re-run of the day over existing rows: {rerun_s:.3f} s; rows identical, ids kept")

    # Whatever the demo seed left dirty is not part of the late fix.
    leftover = rollups.rollup_dirty_days(limit=1_000_000)
    if leftover:
        print(f"(rolled up {leftover} dirty days the seed left, untimed)")
    everything = rows("performance_dailykpi")  # every day, not only the benchmark's
    # One late event: ingest_events marks its (KPI, site, day) dirty and the
    # on-commit task (eager here) rolls up exactly that.
    late_fix_s, kpi, site, unchanged = late_correction(services, kpis, sites, people)
    assert not KpiDirtyDay.objects.exists()
    after = rows("performance_dailykpi")
    mine = {k for k in after if (k[0], k[1], k[3]) == (kpi.pk, DAY, site.pk)}
    others = {k: v for k, v in everything.items() if k not in mine}
    problems = differences(others, {k: v for k, v in after.items() if k not in mine})
    if problems or unchanged != len(others):
        print("THE LATE EVENT TOUCHED OTHER DAYS, KPIS OR SITES:", *problems[:20])
        raise SystemExit(1)
    site_key = (kpi.pk, DAY, "site", site.pk, None, None)
    assert after[site_key][3] == everything[site_key][3] + 1, (
        after[site_key],
        everything[site_key],
    )
    print(
        f"late one-event correction (ingest_events + on-commit rollup of {kpi.key} at "
        f"{site.name}): {late_fix_s:.3f} s (target < 0.5); other rows untouched"
    )
    print(
        f"load average {' '.join(f'{n:.1f}' for n in os.getloadavg())} "
        f"on {os.cpu_count()} CPUs (timings are wall-clock; the machine may be shared)"
    )
    return {
        "events": events,
        "rollup_s": round(rollup_s, 3),
        "floor_s": round(floor_s, 3),
        "ratio": round(ratio, 2),
        "rerun_s": round(rerun_s, 3),
        "late_fix_s": round(late_fix_s, 3),
    }


def late_correction(services: Any, kpis: list, sites: list, people: list[int]) -> tuple:
    from performance.models import DailyKpi
    from teams.models import Associate

    kpi = next(k for k in kpis if k.key == "tickets_solved")
    person = Associate.objects.select_related("user", "team__site").get(pk=people[0])
    site = person.team.site
    local = dt.datetime.combine(DAY, dt.time(23, 30), tzinfo=site.zone)
    row = {
        "external_id": "late-1",
        "associate": person.user.username,
        "kpi": kpi.key,
        "occurred_at": local.isoformat(),
        "value": "1",
    }
    ids_before = set(
        DailyKpi.objects.exclude(kpi=kpi, site=site, day=DAY).values_list("pk", flat=True)
    )
    with CaptureQueriesContext(connection) as queries:
        late_fix_s = timed(lambda: services.ingest_events([row], source="bench-late"))
    rollups = [q for q in queries.captured_queries if "MERGE INTO performance_dailykpi" in q["sql"]]
    assert len(rollups) == 1, [q["sql"][:200] for q in rollups]
    slowest = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:3]
    print(
        f"late fix: {len(queries.captured_queries)} queries; slowest: "
        + "; ".join(f"{float(q['time']):.3f} s {' '.join(q['sql'].split())[:60]}" for q in slowest)
    )
    unchanged = len(
        ids_before
        & set(DailyKpi.objects.exclude(kpi=kpi, site=site, day=DAY).values_list("pk", flat=True))
    )
    return late_fix_s, kpi, site, unchanged


if __name__ == "__main__":
    main()
