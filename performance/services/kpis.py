"""KPI events in: the CSV upload, the API post and the import command all go through
`ingest_events`, which records who submitted each event.

Ingestion validates every row first and writes nothing unless all are valid;
events store their site-local day, duplicates (same source and external id) are
ignored, and the touched (KPI, site, day) triples are marked dirty in the same
transaction; the rollup (services.rollups) is enqueued when it commits.
"""

import csv
import datetime as dt
import io
import math
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from sdc_ops.celery import enqueue_on_commit
from teams.models import Associate, User
from teams.text import FORMULA_STARTS

from .. import tasks
from ..models import ApiToken, Kpi, KpiDirtyDay, KpiEvent

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
    try:
        fieldnames = reader.fieldnames
    except csv.Error as error:  # e.g. a header cell over the csv module's field limit
        return [], [RowError(0, f"The header cannot be read: {error}.")]
    if not fieldnames:
        return [], [RowError(0, "The file is empty.")]
    missing = [c for c in REQUIRED if c not in fieldnames]
    unknown = [c for c in fieldnames if c not in CSV_COLUMNS]
    if missing or unknown:
        parts = []
        if missing:
            parts.append("missing columns: " + ", ".join(missing))
        if unknown:
            parts.append("unknown columns: " + ", ".join(unknown))
        return [], [RowError(0, "Wrong columns (" + "; ".join(parts) + ").")]
    rows: list[dict[str, str]] = []
    try:
        for row in reader:
            rows.append(row)
    except csv.Error as error:  # a cell over 131,072 characters, an unclosed quote...
        return [], [RowError(len(rows) + 1, f"cannot be read ({error}); nothing was imported.")]
    if not rows:
        return [], [RowError(0, "The file has a header but no rows.")]
    return rows, []


# A number as a spreadsheet or a JSON encoder writes it: ASCII digits, an optional
# sign, decimal point and exponent. float() alone would also take "1_5" (15),
# Arabic-Indic digits, "inf" and "nan".
NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
# Real time zones are between UTC-12 and UTC+14; PostgreSQL refuses offsets of 16 h.
MAX_OFFSET = dt.timedelta(hours=14)
# KPI events older than this are refused: nothing here predates it.
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
# How far ahead of now an event may be dated (clock skew, a site a day ahead).
FUTURE_SLACK = dt.timedelta(days=1)
QUOTE_MAX = 80


def storable(text: str) -> bool:
    """Whether PostgreSQL can store the text: no NUL byte and no lone UTF-16
    surrogate (JSON's "\\ud800" decodes to one; it has no UTF-8 form)."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def quoted(raw: object) -> str:
    """A value as an error message quotes it: its repr, cut to ~80 characters."""
    text = repr(raw)
    return text if len(text) <= QUOTE_MAX else text[: QUOTE_MAX - 1] + "…"


def _number(raw: object, what: str, *, required: bool) -> tuple[float | None, str]:
    """A CSV cell or a JSON value as a finite number, or why it is not one."""
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return None, f"{what} is missing." if required else ""
    if isinstance(raw, bool):  # JSON true/false would pass as 1 and 0
        return None, f"{what} must be a number, not true/false."
    if isinstance(raw, str) and not NUMBER.fullmatch(raw.strip()):
        spelled = raw.strip().lower().lstrip("+-")
        if spelled in {"nan", "inf", "infinity"}:
            return None, f"{what} {quoted(raw)} is not a finite number."
        return None, f"{what} {quoted(raw)} is not a number."
    if not isinstance(raw, str | int | float):
        return None, f"{what} {quoted(raw)} is not a number."
    try:
        value = float(raw)
    except OverflowError:  # a JSON integer beyond any float
        return None, f"{what} is too large."
    if not math.isfinite(value):
        return None, f"{what} {quoted(raw)} is not a finite number."
    return value, ""


def _timestamp(raw: object, *, now: dt.datetime) -> tuple[dt.datetime | None, str]:
    """occurred_at as an aware date-time within the range events may have, or why not."""
    text = "" if raw is None else str(raw).strip()
    if isinstance(raw, dt.datetime):
        value: dt.datetime | None = raw
    elif not text:
        return None, "occurred_at is missing."
    else:
        try:
            value = parse_datetime(text)
        except ValueError:  # well formed but impossible, e.g. 30 February, +25:00
            return None, f"occurred_at {quoted(raw)} is not a date-time: no such date or time."
    if value is None:
        return None, f"occurred_at {quoted(raw)} is not a date-time like 2026-11-24T14:05:00Z."
    offset = value.utcoffset()
    if offset is None:
        return None, "occurred_at needs a time zone (e.g. Z or +01:00)."
    if abs(offset) > MAX_OFFSET:
        return None, f"occurred_at {quoted(raw)} has a time zone offset beyond ±14:00."
    try:
        utc = value.astimezone(dt.UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00+01:00 is in year 0 in UTC
        return None, f"occurred_at {quoted(raw)} is out of range."
    if utc < EARLIEST:
        return None, f"occurred_at {quoted(raw)} is before {EARLIEST.year}."
    if utc > now + FUTURE_SLACK:
        return None, f"occurred_at {quoted(raw)} is more than a day in the future."
    return utc, ""


def _external_id(raw: object, index: int, seen: dict[str, int]) -> tuple[str, str]:
    external_id = str(raw or "").strip()
    if not external_id:
        return "", "external_id is missing."
    if len(external_id) > EXTERNAL_ID_MAX:
        return "", f"external_id is longer than {EXTERNAL_ID_MAX} characters."
    if external_id[0] in FORMULA_STARTS:
        return "", (
            f"external_id {quoted(external_id)} starts with {external_id[0]!r}, "
            "which a spreadsheet would run as a formula."
        )
    if external_id in seen:
        return "", f"external_id {quoted(external_id)} repeats row {seen[external_id]}."
    seen[external_id] = index
    return external_id, ""


@dataclass
class _Known:
    """What rows are checked against: the KPIs, the associates they may name, the
    external ids seen so far in this batch, and now."""

    kpis: dict[str, Kpi]
    associates: dict[str, Associate]
    seen: dict[str, int]
    now: dt.datetime


@dataclass(frozen=True)
class _Submitter:
    user: User | None
    api_token: ApiToken | None


def _check_row(
    index: int, row: Mapping[str, object], known: _Known, source: str, submitter: _Submitter
) -> tuple[KpiEvent | None, list[str]]:
    """One row as an event, or every problem with it."""
    nul = [name for name, raw in row.items() if isinstance(raw, str) and "\x00" in raw]
    if nul:  # PostgreSQL cannot store it; nothing else about the row matters
        names = ", ".join(quoted(str(name))[1:-1][:40] for name in nul[:5])
        return None, [f"{names} contains a NUL byte."]
    broken = [name for name, raw in row.items() if isinstance(raw, str) and not storable(raw)]
    if broken:  # a lone surrogate: not text at all
        names = ", ".join(quoted(str(name))[1:-1][:40] for name in broken[:5])
        return None, [f"{names} contains a lone surrogate (\\ud800–\\udfff), which is not text."]
    problems = []
    external_id, problem = _external_id(row.get("external_id"), index, known.seen)
    problems.append(problem)
    associate = known.associates.get(str(row.get("associate") or "").strip())
    if associate is None:
        problems.append(f"unknown associate {quoted(row.get('associate'))}.")
    kpi = known.kpis.get(str(row.get("kpi") or "").strip())
    if kpi is None:
        problems.append(f"unknown KPI {quoted(row.get('kpi'))}.")
    occurred_at, problem = _timestamp(row.get("occurred_at"), now=known.now)
    problems.append(problem)
    value, problem = _number(row.get("value"), "value", required=True)
    problems.append(problem)
    denominator, problem = _number(row.get("denominator"), "denominator", required=False)
    problems.append(problem)
    if kpi is not None and not problem:
        problems += kpi.value_problems(value, denominator)
    problems = [p for p in problems if p]
    if problems or associate is None or kpi is None or occurred_at is None or value is None:
        return None, problems
    event = KpiEvent(
        kpi=kpi,
        associate=associate,
        team_id=associate.team_id,
        site_id=associate.team.site_id,
        occurred_at=occurred_at,
        local_date=occurred_at.astimezone(associate.team.site.zone).date(),
        value=value,
        denominator=denominator,
        source=source,
        external_id=external_id,
        submitted_by=submitter.user,
        api_token=submitter.api_token,
    )
    return event, []


@transaction.atomic
def ingest_events(
    rows: Iterable[Mapping[str, object]],
    *,
    source: str,
    team_ids: Collection[int] | None = None,
    submitted_by: User | None = None,
    api_token: ApiToken | None = None,
) -> IngestResult:
    """Validate all rows, then insert them (or nothing, if any row is bad).

    With `team_ids`, only associates of those teams may appear (a lead uploads for
    their own teams); others are reported like unknown associates. Each event keeps
    who sent it (`submitted_by`: the uploader, the API caller or the command's
    `--as`; None for the command without it) and the API token used.
    """
    rows = list(rows)
    if not source or len(source) > SOURCE_MAX or not storable(source):
        return IngestResult(
            0, 0, (RowError(0, f"The source must be 1 to {SOURCE_MAX} characters."),), ()
        )
    usernames = {str(r.get("associate", "")).strip() for r in rows}
    # A name PostgreSQL cannot take is nobody's (the row reports it): never queried.
    people = Associate.objects.filter(
        user__username__in={u for u in usernames if u and storable(u)}
    )
    if team_ids is not None:
        people = people.filter(team_id__in=team_ids)
    known = _Known(
        kpis={k.key: k for k in Kpi.objects.all()},
        associates={a.user.username: a for a in people.select_related("user", "team__site")},
        seen={},
        now=timezone.now(),
    )
    submitter = _Submitter(submitted_by, api_token)
    errors: list[RowError] = []
    events: list[KpiEvent] = []
    for index, row in enumerate(rows, start=1):
        event, problems = _check_row(index, row, known, source, submitter)
        errors.extend(RowError(index, p) for p in problems)
        if event is not None:
            events.append(event)
    if errors:
        return IngestResult(0, 0, tuple(errors), ())
    stored = set(
        KpiEvent.objects.filter(source=source, external_id__in=known.seen).values_list(
            "external_id", flat=True
        )
    )
    fresh = [e for e in events if e.external_id not in stored]
    KpiEvent.objects.bulk_create(fresh, batch_size=5000, ignore_conflicts=True)
    days = sorted(event_days(fresh))
    mark_days_dirty(days)
    return IngestResult(len(fresh), len(events) - len(fresh), (), tuple(days))


def mark_days_dirty(days: Collection[tuple[int, int, dt.date]]) -> None:
    """Mark (KPI, site, local day) triples for rollup, and queue it on commit."""
    # An upsert, not "ignore if marked": if a rollup holds this day's mark right now
    # (SELECT … FOR UPDATE), we wait for it and mark the day again after it has
    # deleted the mark, so events it did not see are never left out.
    KpiDirtyDay.objects.bulk_create(
        [KpiDirtyDay(kpi_id=k, site_id=s, local_date=d) for k, s, d in sorted(set(days))],
        update_conflicts=True,
        unique_fields=["kpi", "site", "local_date"],
        update_fields=["marked_at", "retry_at"],  # due again now: new events or a fix
    )
    if days:
        enqueue_on_commit(tasks.rollup_dirty_days)


def event_days(events: Iterable[KpiEvent]) -> set[tuple[int, int, dt.date]]:
    """The (KPI, site, local day) each event counts towards."""
    return {(e.kpi_id, e.site_id, e.local_date) for e in events}


@transaction.atomic
def save_event_edit(event: KpiEvent) -> None:
    """An ops admin's edit of one event: both the day it left and the day it is on
    now are rolled up again."""
    before = KpiEvent.objects.filter(pk=event.pk).first()
    if before is not None and before.associate_id != event.associate_id:
        event.place_with_associate()  # given to someone else: it counts where they are
        event.local_date = event.occurred_at.astimezone(event.associate.team.site.zone).date()
    days = event_days([before] if before else []) | event_days([event])
    event.save()
    mark_days_dirty(days)


@transaction.atomic
def delete_events(events: Iterable[KpiEvent]) -> int:
    """Delete events (an ops admin in the admin) and roll their days up again."""
    events = list(events)
    days = event_days(events)
    deleted, _ = KpiEvent.objects.filter(pk__in=[e.pk for e in events]).delete()
    mark_days_dirty(days)
    return deleted
