"""KPI events in: the CSV upload and the API post both go through `ingest_events`.

Ingestion validates every row first and writes nothing unless all are valid;
events store their site-local day, duplicates (same source and external id) are
ignored, and the touched (KPI, site, day) triples are marked dirty in the same
transaction; the rollup (services.rollups) is enqueued when it commits.
"""

import csv
import datetime as dt
import io
import math
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from django.db import transaction
from django.utils.dateparse import parse_datetime

from sdc_ops.celery import enqueue_on_commit
from teams.models import Associate

from .. import tasks
from ..models import Kpi, KpiDirtyDay, KpiEvent

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
        enqueue_on_commit(tasks.rollup_dirty_days)
    return IngestResult(len(fresh), len(events) - len(fresh), (), tuple(days))
