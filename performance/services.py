"""KPI ingestion and daily rollups.

Ingestion validates every row first and writes nothing unless all are valid;
events store their site-local day, duplicates (same source and external id) are
ignored, and the touched (KPI, site, day) triples are marked dirty in the same
transaction. Rollups recompute one (KPI, site, day) at a time, set-based in the
database, replacing that day's rows in one transaction.
"""

import csv
import datetime as dt
import io
import math
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils.dateparse import parse_datetime

from teams.models import Associate

from .models import DailyKpi, Kpi, KpiDirtyDay, KpiEvent

EXTERNAL_ID_MAX = KpiEvent._meta.get_field("external_id").max_length or 100
SOURCE_MAX = KpiEvent._meta.get_field("source").max_length or 50
CSV_COLUMNS = ("external_id", "associate", "kpi", "occurred_at", "value", "denominator")
REQUIRED = ("external_id", "associate", "kpi", "occurred_at", "value")


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based data row (the header is row 0)
    message: str

    def __str__(self) -> str:
        return f"Row {self.row}: {self.message}"


@dataclass(frozen=True)
class IngestResult:
    created: int
    duplicates: int
    errors: tuple[RowError, ...]
    days: tuple[tuple[int, int, dt.date], ...]  # (kpi, site, day) marked dirty


def parse_csv(data: bytes) -> tuple[list[dict[str, str]], list[RowError]]:
    """Rows of a CSV upload, or the reasons it cannot be read at all."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [RowError(0, "The file is not UTF-8 text; save it as CSV UTF-8.")]
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames:
        return [], [RowError(0, "The file is empty.")]
    missing = [c for c in REQUIRED if c not in reader.fieldnames]
    unknown = [c for c in reader.fieldnames if c not in CSV_COLUMNS]
    if missing or unknown:
        parts = []
        if missing:
            parts.append("missing columns: " + ", ".join(missing))
        if unknown:
            parts.append("unknown columns: " + ", ".join(unknown))
        return [], [RowError(0, "Wrong columns (" + "; ".join(parts) + ").")]
    rows = list(reader)
    if not rows:
        return [], [RowError(0, "The file has a header but no rows.")]
    return rows, []


def _number(raw: object, what: str, *, required: bool) -> tuple[float | None, str]:
    """A CSV cell or a JSON value as a finite number, or why it is not one."""
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return None, f"{what} is missing." if required else ""
    if isinstance(raw, bool):  # JSON true/false would pass as 1 and 0
        return None, f"{what} must be a number, not true/false."
    try:
        value = float(raw)  # type: ignore[arg-type]
    except OverflowError:  # a JSON integer beyond any float
        return None, f"{what} is too large."
    except (TypeError, ValueError):
        return None, f"{what} {raw!r} is not a number."
    if not math.isfinite(value):
        return None, f"{what} {raw!r} is not a finite number."
    return value, ""


@transaction.atomic
def ingest_events(
    rows: Iterable[Mapping[str, object]],
    *,
    source: str,
    team_ids: Collection[int] | None = None,
) -> IngestResult:
    """Validate all rows, then insert them (or nothing, if any row is bad).

    With `team_ids`, only associates of those teams may appear (a lead uploads for
    their own teams); others are reported like unknown associates.
    """
    rows = list(rows)
    if not source or len(source) > SOURCE_MAX:
        return IngestResult(
            0, 0, (RowError(0, f"The source must be 1 to {SOURCE_MAX} characters."),), ()
        )
    kpis = {k.key: k for k in Kpi.objects.all()}
    usernames = {str(r.get("associate", "")).strip() for r in rows}
    people = Associate.objects.filter(user__username__in=usernames)
    if team_ids is not None:
        people = people.filter(team_id__in=team_ids)
    associates = {a.user.username: a for a in people.select_related("user", "team__site")}
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    events: list[KpiEvent] = []
    for index, row in enumerate(rows, start=1):
        problems = []
        external_id = str(row.get("external_id") or "").strip()
        if not external_id:
            problems.append("external_id is missing.")
        elif len(external_id) > EXTERNAL_ID_MAX:
            problems.append(f"external_id is longer than {EXTERNAL_ID_MAX} characters.")
        elif external_id in seen:
            problems.append(f"external_id {external_id!r} repeats row {seen[external_id]}.")
        else:
            seen[external_id] = index
        associate = associates.get(str(row.get("associate") or "").strip())
        if associate is None:
            problems.append(f"unknown associate {row.get('associate')!r}.")
        kpi = kpis.get(str(row.get("kpi") or "").strip())
        if kpi is None:
            problems.append(f"unknown KPI {row.get('kpi')!r}.")
        occurred = row.get("occurred_at")
        try:
            occurred_at = (
                occurred
                if isinstance(occurred, dt.datetime)
                else parse_datetime(str(occurred or "").strip())
                if str(occurred or "").strip()
                else None
            )
        except ValueError:  # well formed but impossible, e.g. 30 February
            problems.append(f"occurred_at {occurred!r} is not a date-time: no such date.")
            occurred_at = None
        else:
            if occurred_at is None:
                problems.append(
                    f"occurred_at {occurred!r} is not a date-time like 2026-11-24T14:05:00Z."
                )
            elif occurred_at.tzinfo is None:
                problems.append("occurred_at needs a time zone (e.g. Z or +01:00).")
        value, problem = _number(row.get("value"), "value", required=True)
        if problem:
            problems.append(problem)
        denominator, problem = _number(row.get("denominator"), "denominator", required=False)
        if problem:
            problems.append(problem)
        if (
            kpi is not None
            and kpi.aggregation == Kpi.Aggregation.RATIO
            and not problem
            and denominator is None
        ):
            problems.append(f"{kpi.key} is a ratio: denominator is missing.")
        if problems or associate is None or kpi is None or occurred_at is None or value is None:
            errors.extend(RowError(index, p) for p in problems)
            continue
        events.append(
            KpiEvent(
                kpi=kpi,
                associate=associate,
                occurred_at=occurred_at,
                local_date=occurred_at.astimezone(associate.team.site.zone).date(),
                value=value,
                denominator=denominator,
                source=source,
                external_id=external_id,
            )
        )
    if errors:
        return IngestResult(0, 0, tuple(errors), ())
    known = set(
        KpiEvent.objects.filter(source=source, external_id__in=seen).values_list(
            "external_id", flat=True
        )
    )
    fresh = [e for e in events if e.external_id not in known]
    KpiEvent.objects.bulk_create(fresh, batch_size=5000, ignore_conflicts=True)
    days = sorted({(e.kpi_id, e.associate.team.site_id, e.local_date) for e in fresh})
    # An upsert, not "ignore if marked": if a rollup holds this day's mark right now
    # (SELECT … FOR UPDATE), we wait for it and mark the day again after it has
    # deleted the mark, so events it did not see are never left out.
    KpiDirtyDay.objects.bulk_create(
        [KpiDirtyDay(kpi_id=k, site_id=s, local_date=d) for k, s, d in days],
        update_conflicts=True,
        unique_fields=["kpi", "site", "local_date"],
        update_fields=["marked_at"],
    )
    if days:
        from . import tasks  # tasks import this module

        transaction.on_commit(tasks.rollup_dirty_days.delay)
    return IngestResult(len(fresh), len(events) - len(fresh), (), tuple(days))


# --- Rollups -------------------------------------------------------------------------

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
# The site's associates are looked up once (a few hundred rows), so each event is
# joined once. Contributors (associates with events) of a team or the site are
# counted from the associate rows rather than with COUNT(DISTINCT), which would
# sort every team's and the site's events once more.
_ROLLUP_SQL = """
WITH people AS MATERIALIZED (
    SELECT a.id, a.team_id
      FROM teams_associate a
      JOIN teams_team t ON t.id = a.team_id
     WHERE t.site_id = %(site)s
), grouped AS (
    SELECT CASE WHEN GROUPING(e.associate_id) = 0 THEN 'associate'
                WHEN GROUPING(p.team_id) = 0 THEN 'team'
                ELSE 'site' END AS scope,
           p.team_id, e.associate_id, {agg} AS value,
           SUM(e.value) AS numerator, SUM(e.denominator) AS denominator, COUNT(*) AS event_count
      FROM performance_kpievent e
      JOIN people p ON p.id = e.associate_id
     WHERE e.kpi_id = %(kpi)s AND e.local_date = %(day)s
     GROUP BY ROLLUP (p.team_id, e.associate_id)
    HAVING COUNT(*) > 0
)
INSERT INTO performance_dailykpi
    (kpi_id, day, scope, site_id, team_id, associate_id, value, numerator, denominator, event_count,
     contributors)
SELECT %(kpi)s, %(day)s, scope, %(site)s, team_id, associate_id, value, numerator, denominator,
       event_count,
       CASE scope
           WHEN 'associate' THEN 1
           WHEN 'team' THEN COUNT(*) FILTER (WHERE scope = 'associate') OVER (PARTITION BY team_id)
           ELSE COUNT(*) FILTER (WHERE scope = 'associate') OVER ()
       END
  FROM grouped
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
    """Replace one site-local day's rollups of one KPI, for associates, teams and
    the site. Idempotent: running it twice leaves the same rows."""
    from .kpi_selectors import bump_on_commit

    bump_on_commit()
    DailyKpi.objects.filter(kpi=kpi, day=day, site_id=site_id).delete()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                _ROLLUP_SQL.format(agg=_AGGREGATES[kpi.aggregation]),
                {"kpi": kpi.pk, "day": day, "site": site_id},
            )
            return cursor.rowcount
    return _rollup_day_in_python(kpi=kpi, site_id=site_id, day=day)


def _rollup_day_in_python(*, kpi: Kpi, site_id: int, day: dt.date) -> int:
    """The embedded SQLite demo has no percentile_cont: the same figures, computed here."""
    events = list(
        KpiEvent.objects.filter(
            kpi=kpi, local_date=day, associate__team__site_id=site_id
        ).values_list("associate_id", "associate__team_id", "value", "denominator")
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
    holds are skipped (SKIP LOCKED), so sweeps and post-import tasks never clash."""
    done = 0
    for _ in range(limit):
        with transaction.atomic():
            dirty = (
                KpiDirtyDay.objects.select_for_update(skip_locked=True)
                .select_related("kpi")
                .order_by("local_date")
                .first()
            )
            if dirty is None:
                break
            rollup_day(kpi=dirty.kpi, site_id=dirty.site_id, day=dirty.local_date)
            dirty.delete()
            done += 1
    return done


def roll_up_yesterday(now: dt.datetime) -> int:
    """For every site where local midnight passed within the last hour, recompute
    yesterday (site-local) for every KPI. Run hourly by beat; idempotent."""
    from teams.models import Site

    done = 0
    for site in Site.objects.all():
        local = now.astimezone(site.zone)
        if local.hour != 0:
            continue
        yesterday = local.date() - dt.timedelta(days=1)
        for kpi in Kpi.objects.all():
            rollup_day(kpi=kpi, site_id=site.pk, day=yesterday)
            done += 1
    return done
