"""Volume history in: contacts offered and handled, and handle time, per queue per
interval. The CSV upload, the API and the `import_volumes` command all go through
`ingest_volumes`, which records who sent each row and how.

Every row is checked first, and if any has a problem nothing is written: each problem
names its row (the file's line, or the item's position in the API's list), its field
and at most ~80 characters of the bad value. An interval is named by the queue (its
name on the team, or its number) and its start, either as an instant with its UTC
offset (`starts_at`) or as the site's local date and wall-clock time (`date`,
`time`). A local time the clocks skip is refused; one that happens twice (the hour
the clocks go back) needs its zone's abbreviation as our pages write it
("01:00 IST", "01:00 GMT") or its offset ("01:00 +01:00"). Starts must be on the
queue's interval boundaries. An interval already stored is replaced with the new
figures (a corrected export), and one stored with the same figures is left alone.
"""

import csv
import datetime as dt
import io
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from teams.dates import YEAR
from teams.models import Team, User

from ..intervals import WallClockError, local_instant, local_midnight
from ..models import Queue, QueueVolume

COLUMNS = ("queue", "date", "time", "starts_at", "offered", "handled", "aht_seconds")
REQUIRED = ("queue", "offered", "handled")
MAX_ROWS = 100_000  # a CSV file; the API takes fewer per request
QUOTE_MAX = 80
MAX_CONTACTS = 1_000_000  # in one interval of one queue
MAX_HANDLE_SECONDS = 24 * 3600
HISTORY_PAST = 5 * YEAR
MAX_OFFSET = dt.timedelta(hours=14)  # real zones are within UTC-12..UTC+14
TIME_MAX = 20  # "01:00 UTC+01:00" and then some

WHOLE = re.compile(r"[+-]?\d+", re.ASCII)
# A number as a spreadsheet writes it (ASCII digits, a point, an exponent): float()
# alone would also take "1_5", other scripts' digits, "inf" and "nan".
NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
# 09:00, 9:00, 09:00:00, and a label for the hour the clocks go back: 01:00 GMT,
# 01:00 +01:00, 01:00+01:00.
TIME = re.compile(
    r"(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([A-Za-z]{1,6}|(?:UTC|GMT)?[+-]\d{1,2}(?::?\d{2})?)?",
    re.ASCII,
)


@dataclass(frozen=True)
class Problem:
    row: int  # the CSV file's line (the header is line 1), or the API item (from 1); 0: all
    field: str  # the column or JSON field, "" for the row or file as a whole
    message: str

    def __str__(self) -> str:
        return f"Line {self.row}: {self.message}" if self.row else self.message


@dataclass(frozen=True)
class VolumeResult:
    created: int  # intervals not stored before
    replaced: int  # stored intervals whose figures the rows changed
    unchanged: int  # stored intervals the rows repeat exactly (nothing written)
    problems: tuple[Problem, ...]

    @property
    def written(self) -> int:
        return self.created + self.replaced


def quoted(raw: object) -> str:
    """A value as a message quotes it: its repr, cut to ~80 characters."""
    text = repr(raw)
    return text if len(text) <= QUOTE_MAX else text[: QUOTE_MAX - 1] + "…"


def storable(text: str) -> bool:
    """Whether PostgreSQL can store the text: no NUL byte and no lone surrogate."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# --- The CSV file ---------------------------------------------------------------------


def read_csv(data: bytes) -> tuple[list[tuple[int, dict[str, str]]], list[Problem]]:
    """The rows of an uploaded file, each with its line number, and the problems of
    its shape (a header that is wrong is the only problem reported: no row can be
    read without it)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [Problem(0, "", "The file is not UTF-8 text; save it as CSV UTF-8.")]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as error:  # e.g. a header cell over the csv module's field limit
        return [], [Problem(1, "", f"The header cannot be read: {error}.")]
    if header is None or not any(cell.strip() for cell in header):
        return [], [Problem(0, "", "The file is empty: the first line names the columns.")]
    names = [cell.strip().lower() for cell in header]
    problem = _header_problem(names)
    if problem:
        return [], [Problem(1, "", problem)]
    rows: list[tuple[int, dict[str, str]]] = []
    problems: list[Problem] = []
    line = reader.line_num + 1
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                if len(rows) == MAX_ROWS:
                    return [], [
                        Problem(
                            0,
                            "",
                            f"The file has more than {MAX_ROWS:,} rows; split it into "
                            "several files.",
                        )
                    ]
                if len(cells) > len(names):
                    problems.append(
                        Problem(
                            line,
                            "",
                            f"{len(cells)} cells, but the header names {len(names)} "
                            "columns (a comma too many, or a value with a comma that is "
                            "not in quotes?).",
                        )
                    )
                rows.append((line, dict(zip(names, cells, strict=False))))
            line = reader.line_num + 1
    except csv.Error as error:  # a cell over 131,072 characters, an unclosed quote...
        return [], [Problem(line, "", f"cannot be read ({error}); nothing was imported.")]
    if not rows:
        return [], [Problem(0, "", "The file has a header but no rows.")]
    return rows, problems


def _header_problem(names: Sequence[str]) -> str:
    accepted = ", ".join(COLUMNS)
    unnamed = [str(n) for n, name in enumerate(names, start=1) if not name]
    if unnamed:
        return (
            f"Column {', '.join(unnamed[:5])} of the header has no name; "
            f"the columns are: {accepted}."
        )
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        return "Each column once: " + ", ".join(quoted(n)[1:-1] for n in twice[:5]) + " twice."
    unknown = [quoted(n)[1:-1] for n in names if n not in COLUMNS]
    missing = [c for c in REQUIRED if c not in names]
    if "starts_at" not in names:
        missing += [c for c in ("date", "time") if c not in names]
    if missing or unknown:
        parts = []
        if missing:
            parts.append("missing: " + ", ".join(missing))
        if unknown:
            parts.append("not known: " + ", ".join(unknown[:10]))
        return (
            "Wrong columns (" + "; ".join(parts) + "). The columns are: queue, then "
            "either date and time (the site's local time) or starts_at (with its UTC "
            "offset), offered, handled and, if you have it, aht_seconds."
        )
    return ""


# --- One row ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Known:
    team: Team
    by_name: dict[str, Queue]
    by_folded_name: dict[str, list[Queue]]
    by_id: dict[int, Queue]
    now: dt.datetime
    today: dt.date  # the site's


@dataclass(frozen=True)
class _Volume:
    queue: Queue
    starts_at: dt.datetime  # UTC
    offered: int
    handled: int
    handle_time_seconds: int | None


def _blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _queue(raw: object, known: _Known) -> tuple[Queue | None, str]:
    if _blank(raw):
        return None, "queue is missing: give the queue's name or its number."
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        return None, f"queue {quoted(raw)} is neither a name nor a number."
    text = str(raw).strip()
    queue = known.by_name.get(text)
    if queue is None:
        folded = known.by_folded_name.get(text.casefold(), [])
        queue = folded[0] if len(folded) == 1 else None
    if queue is None and text.isascii() and text.isdigit() and len(text) < 19:
        queue = known.by_id.get(int(text))
    if queue is None:
        names = sorted(known.by_name)
        listed = ", ".join(names[:6]) + (" …" if len(names) > 6 else "")
        where = f"the team's queues are: {listed}" if names else "the team has no queues yet"
        return None, f"no queue {quoted(raw)} on {known.team.name} ({where})."
    return queue, ""


def _count(raw: object, what: str) -> tuple[int | None, str]:
    if _blank(raw):
        return None, f"{what} is missing."
    if isinstance(raw, bool):
        return None, f"{what} must be a whole number, not true/false."
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, float) and raw.is_integer():
        value = int(raw)
    elif isinstance(raw, str) and WHOLE.fullmatch(raw.strip()):
        value = int(raw.strip())
    elif isinstance(raw, str | float) and NUMBER.fullmatch(str(raw).strip()):
        return None, f"{what} {quoted(raw)} is not a whole number of contacts."
    else:
        return None, f"{what} {quoted(raw)} is not a number."
    if value < 0:
        return None, f"{what} {quoted(raw)} is negative: a count of contacts is 0 or more."
    if value > MAX_CONTACTS:
        return None, (
            f"{what} {quoted(raw)} is more than {MAX_CONTACTS:,} contacts in one interval."
        )
    return value, ""


def _handle_seconds(raw: object) -> tuple[int | None, str]:
    """aht_seconds as whole seconds (an average: decimals are rounded), or why not."""
    if _blank(raw):
        return None, ""
    if isinstance(raw, bool):
        return None, "aht_seconds must be a number of seconds, not true/false."
    if isinstance(raw, str) and not NUMBER.fullmatch(raw.strip()):
        return None, f"aht_seconds {quoted(raw)} is not a number of seconds."
    if not isinstance(raw, str | int | float):
        return None, f"aht_seconds {quoted(raw)} is not a number of seconds."
    try:
        value = float(raw)
    except OverflowError:
        return None, "aht_seconds is too large."
    if not math.isfinite(value):
        return None, f"aht_seconds {quoted(raw)} is not a number of seconds."
    if value < 0:
        return None, f"aht_seconds {quoted(raw)} is negative."
    if value > MAX_HANDLE_SECONDS:
        return None, f"aht_seconds {quoted(raw)} is more than 24 hours."
    return math.floor(value + 0.5), ""


def _instant(row: Mapping[str, object], known: _Known) -> tuple[dt.datetime | None, str, str]:
    """The interval's start in UTC, or (None, field, why not)."""
    raw_start = row.get("starts_at")
    raw_date, raw_time = row.get("date"), row.get("time")
    if not _blank(raw_start):
        if not (_blank(raw_date) and _blank(raw_time)):
            return None, "starts_at", "give either starts_at or date and time, not both."
        return _starts_at(raw_start, known)
    if _blank(raw_date) and _blank(raw_time):
        return None, "date", "the interval's start is missing: give date and time, or starts_at."
    if _blank(raw_date):
        return None, "date", "date is missing."
    if _blank(raw_time):
        return None, "time", "time is missing."
    if not isinstance(raw_date, str) or not DATE.fullmatch(raw_date.strip()):
        return None, "date", f"date {quoted(raw_date)} is not a date like 2026-03-02."
    try:
        day = dt.date.fromisoformat(raw_date.strip())
    except ValueError:
        return None, "date", f"date {quoted(raw_date)} is no such day."
    problem = _day_problem(day, f"date {quoted(raw_date)}", known)
    if problem:
        return None, "date", problem
    short = isinstance(raw_time, str) and len(raw_time) <= TIME_MAX
    match = TIME.fullmatch(raw_time.strip()) if short and isinstance(raw_time, str) else None
    if match is None:
        return (
            None,
            "time",
            (
                f"time {quoted(raw_time)} is not a time like 09:30 (or 01:00 GMT in the hour "
                "the clocks go back)."
            ),
        )
    hours, minutes, seconds, label = match.groups()
    try:
        wall = dt.time(int(hours), int(minutes), int(seconds or 0))
    except ValueError:
        return None, "time", f"time {quoted(raw_time)} is no such time of day."
    try:
        starts_at = local_instant(day, wall, known.team.site.zone, label or "")
    except WallClockError as error:
        return None, "time", f"time {quoted(raw_time)}: {error}"
    return starts_at, "time", ""


def _starts_at(raw: object, known: _Known) -> tuple[dt.datetime | None, str, str]:
    if not isinstance(raw, str):
        return None, "starts_at", f"starts_at {quoted(raw)} is not a date-time."
    try:
        value = parse_datetime(raw.strip())
    except ValueError:  # well formed but impossible: 30 February, 25:00, +25:00
        return None, "starts_at", f"starts_at {quoted(raw)} is no such date or time."
    if value is None:
        return (
            None,
            "starts_at",
            (f"starts_at {quoted(raw)} is not a date-time like 2026-03-02T09:30:00+00:00."),
        )
    offset = value.utcoffset()
    if offset is None:
        return (
            None,
            "starts_at",
            (
                f"starts_at {quoted(raw)} needs its UTC offset (e.g. +01:00 or Z); for the "
                "site's local time use the date and time columns."
            ),
        )
    if abs(offset) > MAX_OFFSET:
        return None, "starts_at", f"starts_at {quoted(raw)} has an offset beyond ±14:00."
    try:
        utc = value.astimezone(dt.UTC)
        day = utc.astimezone(known.team.site.zone).date()
    except OverflowError:  # 0001-01-01T00:00+01:00 is in year 0 in UTC
        return None, "starts_at", f"starts_at {quoted(raw)} is out of range."
    problem = _day_problem(day, f"starts_at {quoted(raw)}", known)
    return (None, "starts_at", problem) if problem else (utc, "starts_at", "")


def _day_problem(day: dt.date, what: str, known: _Known) -> str:
    if day < known.today - HISTORY_PAST:
        return f"{what} is more than 5 years ago."
    if day > known.today:
        return f"{what} is in the future: volume history is what has already happened."
    return ""


def _start_problem(queue: Queue, starts_at: dt.datetime, known: _Known) -> str:
    """Why an instant is not the start of one of the queue's intervals so far."""
    zone = known.team.site.zone
    local = starts_at.astimezone(zone)
    since_midnight = starts_at - local_midnight(local.date(), zone)
    if since_midnight % queue.interval:
        marks = ":00 and :30" if queue.interval_minutes == 30 else ":00, :15, :30 and :45"
        return (
            f"{local:%H:%M} is not the start of one of {queue.name}'s "
            f"{queue.interval_minutes}-minute intervals (they start at {marks})."
        )
    if starts_at > known.now:
        return f"{local:%Y-%m-%d %H:%M} {local.tzname()} has not happened yet."
    return ""


def _check(
    position: int, row: Mapping[str, object], known: _Known
) -> tuple[_Volume | None, list[Problem]]:
    """One row as a volume, or every problem with it."""
    broken = [
        quoted(str(name))[1:-1][:40]  # a JSON key may hold anything too
        for name, raw in row.items()
        if isinstance(raw, str) and not storable(raw)
    ]
    if broken:  # nothing else about the row matters
        return None, [
            Problem(
                position,
                name,
                f"{name} contains a NUL byte or a lone surrogate, which is not text.",
            )
            for name in broken[:5]
        ]
    problems: list[Problem] = []
    queue, why = _queue(row.get("queue"), known)
    if why:
        problems.append(Problem(position, "queue", why))
    starts_at, field, why = _instant(row, known)
    if why:
        problems.append(Problem(position, field, why))
    elif queue is not None and starts_at is not None:
        why = _start_problem(queue, starts_at, known)
        if why:
            problems.append(Problem(position, field, why))
    offered, why = _count(row.get("offered"), "offered")
    if why:
        problems.append(Problem(position, "offered", why))
    handled, why = _count(row.get("handled"), "handled")
    if why:
        problems.append(Problem(position, "handled", why))
    elif offered is not None and handled is not None and handled > offered:
        problems.append(
            Problem(
                position,
                "handled",
                f"handled ({handled:,}) is more than offered ({offered:,}).",
            )
        )
    seconds, why = _handle_seconds(row.get("aht_seconds"))
    if why:
        problems.append(Problem(position, "aht_seconds", why))
    elif handled is not None and seconds is not None:
        if handled == 0 and seconds > 0:
            problems.append(
                Problem(
                    position,
                    "aht_seconds",
                    "aht_seconds is given but no contact was handled; leave it empty.",
                )
            )
        elif handled > 0 and seconds == 0:
            problems.append(
                Problem(
                    position,
                    "aht_seconds",
                    f"aht_seconds is 0 for {handled:,} contacts handled; leave it empty "
                    "if the handle time is not known.",
                )
            )
    if problems or queue is None or starts_at is None or offered is None or handled is None:
        return None, problems
    return _Volume(queue, starts_at, offered, handled, seconds if handled else None), []


def _interval_label(volume: _Volume, known: _Known) -> str:
    local = volume.starts_at.astimezone(known.team.site.zone)
    return f"{volume.queue.name}, {local:%Y-%m-%d %H:%M} {local.tzname()}"


# --- All rows -----------------------------------------------------------------------


def _known(team: Team, queues: list[Queue]) -> _Known:
    by_folded: dict[str, list[Queue]] = {}
    for queue in queues:
        by_folded.setdefault(queue.name.casefold(), []).append(queue)
    now = timezone.now()
    return _Known(
        team=team,
        by_name={q.name: q for q in queues},
        by_folded_name=by_folded,
        by_id={q.pk: q for q in queues},
        now=now,
        today=now.astimezone(team.site.zone).date(),
    )


@transaction.atomic
def ingest_volumes(
    rows: Iterable[tuple[int, Mapping[str, object]]],
    *,
    team: Team,
    source: str,
    submitted_by: User | None,
    problems: Sequence[Problem] = (),
    row_word: str = "line",
) -> VolumeResult:
    """Check every row (position, fields) for the queues of `team`, then store them all,
    or nothing if any row, or any of the `problems` found before (a file's or a
    body's shape), is wrong. The caller has checked that `submitted_by` (None: a
    system import) may change the team. Stored intervals are replaced; re-sending the
    same figures writes nothing. `row_word` is what the caller's positions count
    ("line" of a file, "item" of a list)."""
    rows = list(rows)
    # The team's queues, locked: two uploads at once are counted one after the other.
    queues = list(Queue.objects.select_for_update().filter(team=team).order_by("pk"))
    known = _known(team, queues)
    found = list(problems)
    volumes: list[_Volume] = []
    seen: dict[tuple[int, dt.datetime], int] = {}
    for position, row in rows:
        volume, row_problems = _check(position, row, known)
        found += row_problems
        if volume is None:
            continue
        key = (volume.queue.pk, volume.starts_at)
        if key in seen:
            found.append(
                Problem(
                    position,
                    "queue",
                    f"the same interval as {row_word} {seen[key]} "
                    f"({_interval_label(volume, known)}); each interval once.",
                )
            )
            continue
        seen[key] = position
        volumes.append(volume)
    if found:
        return VolumeResult(0, 0, 0, tuple(sorted(found, key=lambda p: p.row)))
    return _store(volumes, source=source, submitted_by=submitted_by)


def _store(volumes: list[_Volume], *, source: str, submitted_by: User | None) -> VolumeResult:
    if not volumes:
        return VolumeResult(0, 0, 0, ())
    stored: dict[tuple[int, dt.datetime], tuple[int, int, int | None]] = {}
    for queue_id in {v.queue.pk for v in volumes}:
        starts = [v.starts_at for v in volumes if v.queue.pk == queue_id]
        for at, offered, handled, seconds in QueueVolume.objects.filter(
            queue_id=queue_id, starts_at__gte=min(starts), starts_at__lte=max(starts)
        ).values_list("starts_at", "offered", "handled", "handle_time_seconds"):
            stored[(queue_id, at)] = (offered, handled, seconds)
    fresh: list[QueueVolume] = []
    created = replaced = unchanged = 0
    for volume in volumes:
        figures = (volume.offered, volume.handled, volume.handle_time_seconds)
        before = stored.get((volume.queue.pk, volume.starts_at))
        if before == figures:
            unchanged += 1
            continue
        if before is None:
            created += 1
        else:
            replaced += 1
        fresh.append(
            QueueVolume(
                queue=volume.queue,
                starts_at=volume.starts_at,
                offered=volume.offered,
                handled=volume.handled,
                handle_time_seconds=volume.handle_time_seconds,
                source=source,
                submitted_by=submitted_by,
            )
        )
    QueueVolume.objects.bulk_create(
        fresh,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["queue", "starts_at"],
        update_fields=[
            "offered",
            "handled",
            "handle_time_seconds",
            "source",
            "submitted_by",
            "received_at",
        ],
    )
    return VolumeResult(created, replaced, unchanged, ())


def ingest_csv(data: bytes, *, team: Team, source: str, submitted_by: User | None) -> VolumeResult:
    """A CSV file's rows through `ingest_volumes` (the upload page and the command)."""
    rows, problems = read_csv(data)
    if not rows:
        return VolumeResult(0, 0, 0, tuple(problems))
    return ingest_volumes(
        rows,
        team=team,
        source=source,
        submitted_by=submitted_by,
        problems=problems,
    )
