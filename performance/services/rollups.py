"""Daily KPI rollups: one (KPI, site, site-local day) at a time, recomputed
set-based in the database and merged into that day's rows in one transaction
(only changed rows are written), so running a day twice leaves the same rows."""

import datetime as dt
import logging
import math

from django.db import DataError, IntegrityError, connection, transaction
from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from sdc_ops.celery import enqueue_on_commit
from teams.models import Site
from teams.selectors import HealthReport

from .. import tasks
from ..cache import bump_on_commit
from ..models import DailyKpi, Kpi, KpiDirtyDay, KpiEvent

logger = logging.getLogger(__name__)

# A failed day is retried after 1 minute, then 2, 4, ... up to an hour.
RETRY_FIRST = dt.timedelta(minutes=1)
RETRY_MAX = dt.timedelta(hours=1)

_AGGREGATES: dict[str, str] = {
    Kpi.Aggregation.COUNT: "COUNT(*)",
    Kpi.Aggregation.SUM: "SUM(e.value)",
    Kpi.Aggregation.MEAN: "AVG(e.value)",
    Kpi.Aggregation.RATIO: "COALESCE(SUM(e.value) / NULLIF(SUM(e.denominator), 0), 0)",
    Kpi.Aggregation.MEDIAN: "percentile_cont(0.5) WITHIN GROUP (ORDER BY e.value)",
    Kpi.Aggregation.P90: "percentile_cont(0.9) WITHIN GROUP (ORDER BY e.value)",
}

# One pass over one (KPI, site, day)'s events: ROLLUP(team, associate) gives the
# associate rows, the team rows and the site row (the empty grouping set) together,
# each aggregated from the events themselves (a median of medians is not a median).
# Each event carries the team and site it came in on, so a move never rewrites the
# past. Contributors (associates with events) of a team or the site are counted
# from the associate rows rather than with COUNT(DISTINCT), which would sort every
# team's and the site's events once more.
# The day's rows as they should be, computed once into a per-connection scratch table
# (emptied at commit), then used to delete the rows whose group has no events any
# more and to merge the rest: unchanged rows are not written.
_SCRATCH_SQL = """
CREATE TEMP TABLE IF NOT EXISTS rollup_fresh (
    scope varchar(10), team_id bigint, associate_id bigint, value double precision,
    numerator double precision, denominator double precision, event_count integer,
    contributors integer
) ON COMMIT DELETE ROWS
"""

_FRESH_SQL = """
WITH grouped AS (
    SELECT CASE WHEN GROUPING(e.associate_id) = 0 THEN 'associate'
                WHEN GROUPING(e.team_id) = 0 THEN 'team'
                ELSE 'site' END AS scope,
           e.team_id, e.associate_id, {agg} AS value,
           SUM(e.value) AS numerator, SUM(e.denominator) AS denominator, COUNT(*) AS event_count
      FROM performance_kpievent e
     WHERE e.kpi_id = %(kpi)s AND e.site_id = %(site)s AND e.local_date = %(day)s
     GROUP BY ROLLUP (e.team_id, e.associate_id)
    HAVING COUNT(*) > 0
)
INSERT INTO rollup_fresh
SELECT scope, team_id, associate_id, value, numerator, denominator, event_count,
       CASE scope
           WHEN 'associate' THEN 1
           WHEN 'team' THEN COUNT(*) FILTER (WHERE scope = 'associate') OVER (PARTITION BY team_id)
           ELSE (SELECT COUNT(DISTINCT g.associate_id) FROM grouped g
                  WHERE g.scope = 'associate')
       END
  FROM grouped
"""

# Plain equalities (0 for "none") so that both joins are hash joins.
_STALE_SQL = """
DELETE FROM performance_dailykpi d
 WHERE d.kpi_id = %(kpi)s AND d.day = %(day)s AND d.site_id = %(site)s
   AND NOT EXISTS (
       SELECT 1 FROM rollup_fresh f
        WHERE f.scope = d.scope AND COALESCE(f.team_id, 0) = COALESCE(d.team_id, 0)
          AND COALESCE(f.associate_id, 0) = COALESCE(d.associate_id, 0))
"""

_MERGE_SQL = """
MERGE INTO performance_dailykpi d
USING rollup_fresh f
   ON d.kpi_id = %(kpi)s AND d.day = %(day)s AND d.site_id = %(site)s AND d.scope = f.scope
  AND COALESCE(d.team_id, 0) = COALESCE(f.team_id, 0)
  AND COALESCE(d.associate_id, 0) = COALESCE(f.associate_id, 0)
 WHEN MATCHED AND (d.value, d.numerator, d.denominator, d.event_count, d.contributors)
        IS DISTINCT FROM (f.value, f.numerator, f.denominator, f.event_count, f.contributors)
      THEN UPDATE SET value = f.value, numerator = f.numerator, denominator = f.denominator,
                      event_count = f.event_count, contributors = f.contributors
 WHEN NOT MATCHED
      THEN INSERT (kpi_id, day, scope, site_id, team_id, associate_id, value, numerator,
                   denominator, event_count, contributors)
           VALUES (%(kpi)s, %(day)s, f.scope, %(site)s, f.team_id, f.associate_id, f.value,
                   f.numerator, f.denominator, f.event_count, f.contributors)
"""


def aggregate(aggregation: str, values: list[float], denominators: list[float]) -> float:
    if aggregation == Kpi.Aggregation.COUNT:
        return float(len(values))
    if aggregation == Kpi.Aggregation.SUM:
        return sum(values)
    if aggregation == Kpi.Aggregation.MEAN:
        return sum(values) / len(values)
    if aggregation == Kpi.Aggregation.RATIO:
        return sum(values) / sum(denominators) if sum(denominators) else 0.0
    if aggregation == Kpi.Aggregation.MEDIAN:
        return percentile(values, 0.5)
    return percentile(values, 0.9)


def percentile(values: list[float], fraction: float) -> float:
    """PostgreSQL's percentile_cont: linear interpolation between closest ranks."""
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@transaction.atomic
def rollup_day(*, kpi: Kpi, site_id: int, day: dt.date) -> int:
    """Bring one site-local day's rollups of one KPI, for associates, teams and the
    site, up to date with its events: rows whose figures changed are updated, new
    groups inserted, groups without events deleted; unchanged rows are not written
    (same ids, no dead tuples), so a re-run is cheap. Returns the rows written."""
    bump_on_commit()
    if connection.vendor == "postgresql":
        params: dict[str, int | dt.date] = {"kpi": kpi.pk, "day": day, "site": site_id}
        with connection.cursor() as cursor:
            cursor.execute(_SCRATCH_SQL)
            cursor.execute("DELETE FROM rollup_fresh")
            cursor.execute(_FRESH_SQL.format(agg=_AGGREGATES[kpi.aggregation]), params)
            cursor.execute(_STALE_SQL, params)
            deleted = cursor.rowcount
            cursor.execute(_MERGE_SQL, params)
            return deleted + cursor.rowcount
    DailyKpi.objects.filter(kpi=kpi, day=day, site_id=site_id).delete()
    return _rollup_day_in_python(kpi=kpi, site_id=site_id, day=day)


def _rollup_day_in_python(*, kpi: Kpi, site_id: int, day: dt.date) -> int:
    """The embedded SQLite demo has no percentile_cont: the same figures, computed here."""
    events = list(
        KpiEvent.objects.filter(kpi=kpi, local_date=day, site_id=site_id).values_list(
            "associate_id", "team_id", "value", "denominator"
        )
    )
    Key = tuple[str, int | None, int | None]
    groups: dict[Key, list[tuple[float, float | None]]] = {}
    people: dict[Key, set[int]] = {}
    for associate_id, team_id, value, denominator in events:
        keys: tuple[Key, ...] = (
            ("associate", team_id, associate_id),
            ("team", team_id, None),
            ("site", None, None),
        )
        for key in keys:
            groups.setdefault(key, []).append((value, denominator))
            people.setdefault(key, set()).add(associate_id)
    rows = []
    for (scope, team_of, associate_of), items in groups.items():
        values = [v for v, _d in items]
        denominators = [d for _v, d in items if d is not None]
        aggregated = aggregate(kpi.aggregation, values, denominators)
        rows.append(
            DailyKpi(
                kpi=kpi,
                day=day,
                scope=scope,
                site_id=site_id,
                team_id=team_of,
                associate_id=associate_of,
                value=aggregated,
                numerator=sum(values),
                denominator=sum(denominators) if denominators else None,
                event_count=len(values),
                contributors=len(people[(scope, team_of, associate_of)]),
            )
        )
    DailyKpi.objects.bulk_create(rows)
    return len(rows)


def rollup_dirty_days(*, limit: int = 500) -> int:
    """Recompute the days marked dirty, one transaction per day. Rows another worker
    holds are skipped (SKIP LOCKED), so sweeps and post-import tasks never clash.

    A day that fails is rolled back on its own (a savepoint), logged, and waits with
    a growing delay while every other day goes on; the admin lists it with its error
    and /healthz counts it. With more due than `limit`, the task is queued again."""
    done = 0
    for _ in range(limit):
        with transaction.atomic():
            dirty = (
                due_dirty_days(timezone.now())
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("kpi")
                .order_by("local_date")
                .first()
            )
            if dirty is None:
                return done
            try:
                rollup_day(kpi=dirty.kpi, site_id=dirty.site_id, day=dirty.local_date)
            except (IntegrityError, DataError) as error:  # this day's data; not transient
                _postpone(dirty, error)
                continue
            dirty.delete()
            done += 1
    if due_dirty_days(timezone.now()).exists():
        enqueue_on_commit(tasks.rollup_dirty_days)
    return done


def due_dirty_days(now: dt.datetime) -> QuerySet[KpiDirtyDay]:
    """Dirty days that may be rolled up now (not waiting after a failure)."""
    return KpiDirtyDay.objects.filter(Q(retry_at__isnull=True) | Q(retry_at__lte=now))


def _postpone(dirty: KpiDirtyDay, error: Exception) -> None:
    logger.exception(
        "rollup of KPI %s, site %s, %s failed (attempt %s)",
        dirty.kpi_id,
        dirty.site_id,
        dirty.local_date,
        dirty.attempts + 1,
    )
    dirty.attempts += 1
    dirty.last_error = str(error)[:1000]
    delay = min(RETRY_FIRST * 2 ** (dirty.attempts - 1), RETRY_MAX)
    dirty.retry_at = timezone.now() + delay
    dirty.save(update_fields=["attempts", "last_error", "retry_at"])


def health() -> HealthReport:
    """The rollups' line in /healthz: degraded while a day's rollup keeps failing."""
    report = backlog(timezone.now())
    return HealthReport("rollups", report, degraded=bool(report["failing_days"]))


def backlog(now: dt.datetime) -> dict[str, int | None]:
    """What /healthz reports of the rollups: days waiting, the oldest wait in
    seconds, and the days whose rollup failed and waits for a retry."""
    waiting = KpiDirtyDay.objects.aggregate(
        days=Count("pk"), oldest=Min("marked_at"), failing=Count("pk", filter=Q(attempts__gt=0))
    )
    oldest = waiting["oldest"]
    return {
        "dirty_days": waiting["days"],
        "oldest_seconds": int((now - oldest).total_seconds()) if oldest else None,
        "failing_days": waiting["failing"],
    }


def roll_up_yesterday(now: dt.datetime) -> int:
    """For every site where local midnight passed within the last hour, recompute
    yesterday (site-local) for every KPI. Run hourly by beat; idempotent."""
    done = 0
    for site in Site.objects.all():
        local = now.astimezone(site.zone)
        if local.hour != 0:
            continue
        yesterday = local.date() - dt.timedelta(days=1)
        for kpi in Kpi.objects.all():
            try:
                rollup_day(kpi=kpi, site_id=site.pk, day=yesterday)
            except (IntegrityError, DataError) as error:
                # This day's data: leave it to the dirty-day sweep, which retries it
                # with backoff; the other KPIs and sites go on.
                dirty, _ = KpiDirtyDay.objects.get_or_create(
                    kpi=kpi, site_id=site.pk, local_date=yesterday
                )
                _postpone(dirty, error)
                continue
            done += 1
    return done
