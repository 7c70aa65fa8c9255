"""The intervals of a site-local day, computed in UTC so that a DST day is right.

A day is walked in UTC from its local midnight to the next, in steps of the interval
length: a spring-forward day in Europe/Dublin has 46 half-hours and a fall-back day 50,
each with its own instant. Labels are local wall-clock times; the hour that happens
twice on a fall-back night is labelled with the zone's abbreviation ("01:00 IST",
"01:00 GMT") so that no two intervals share a label and none is missing.
"""

import datetime as dt
import re
import zoneinfo
from collections import Counter
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Interval:
    starts_at: dt.datetime  # UTC
    ends_at: dt.datetime  # UTC
    local_start: dt.datetime  # in the site's zone
    label: str  # "10:00", or "01:00 GMT" in a repeated hour

    @property
    def local_time(self) -> dt.time:
        """The wall-clock time, the same for both passes of a repeated hour (the
        forecast keys slots by it)."""
        return self.local_start.time().replace(fold=0)


def local_midnight(day: dt.date, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """The UTC instant a local day starts (a zone whose clocks skip midnight starts
    the day at the first instant that exists)."""
    # A midnight in a spring-forward gap (fold=0) reads with the offset before the
    # change, which lands on the first wall time that exists: the day's first instant.
    return dt.datetime.combine(day, dt.time(0), tzinfo=zone).astimezone(dt.UTC)


def day_intervals(
    day: dt.date,
    zone: zoneinfo.ZoneInfo,
    minutes: int,
    *,
    opens: dt.time | None = None,
    closes: dt.time | None = None,
) -> list[Interval]:
    """Every interval of `day` (or those between `opens` and `closes`, local wall
    clock) in order, each once."""
    if minutes <= 0 or 24 * 60 % minutes:
        raise ValueError("the interval length must divide a day")
    step = dt.timedelta(minutes=minutes)
    start = local_midnight(day, zone)
    end = local_midnight(day + dt.timedelta(days=1), zone)
    intervals: list[tuple[dt.datetime, dt.datetime]] = []
    at = start
    while at < end:
        local = at.astimezone(zone)
        wall = local.time().replace(fold=0)
        if (opens is None or wall >= opens) and (closes is None or wall < closes):
            intervals.append((at, local))
        at += step
    counts = Counter(local.strftime("%H:%M") for _, local in intervals)
    result = []
    for at, local in intervals:
        label = local.strftime("%H:%M")
        if counts[label] > 1:
            label = f"{label} {local.tzname()}"
        result.append(Interval(at, at + step, local, label))
    return result


class HasOpeningHours(Protocol):
    """What a `teams.Site` offers (kept as a protocol: this module stays Django-free)."""

    @property
    def zone(self) -> zoneinfo.ZoneInfo: ...

    def opening_hours_on(self, day: dt.date) -> tuple[dt.time, dt.time]: ...


def site_day_intervals(site: HasOpeningHours, day: dt.date, minutes: int) -> list[Interval]:
    """The intervals of a site's opening hours on `day`."""
    opens, closes = site.opening_hours_on(day)
    return day_intervals(day, site.zone, minutes, opens=opens, closes=closes)


# A UTC offset as a label: "+01:00", "-0330", "+1", "UTC+01:00", "GMT-5" (and "UTC").
_OFFSET = re.compile(r"(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?", re.ASCII | re.IGNORECASE)


class WallClockError(ValueError):
    """Why a local date and time names no single instant, in words for the person
    who wrote it."""


def _offset_of(label: str) -> dt.timedelta | None:
    if label.upper() in ("UTC", "Z"):
        return dt.timedelta(0)
    match = _OFFSET.fullmatch(label)
    if match is None:
        return None
    sign, hours, minutes = match.groups()
    offset = dt.timedelta(hours=int(hours), minutes=int(minutes or 0))
    return -offset if sign == "-" else offset


def _label_of(local: dt.datetime) -> str:
    return f"{local:%H:%M} {local.tzname()}"


def local_instant(
    day: dt.date, wall: dt.time, zone: zoneinfo.ZoneInfo, label: str = ""
) -> dt.datetime:
    """The UTC instant a site's clock showed `wall` on `day`: the inverse of the labels
    above. On a fall-back night the repeated times need `label`, the zone's
    abbreviation as `day_intervals` writes it ("01:00 IST" is the first pass in
    Europe/Dublin, "01:00 GMT" the second) or the UTC offset ("+01:00", "UTC"); a label is
    also accepted, and must be right, on any other time. Raises WallClockError for a
    time the clocks skip (spring forward), a repeated time without a label, or a
    label the zone does not read at that time."""
    naive = dt.datetime.combine(day, wall.replace(tzinfo=None, fold=0))
    passes: list[dt.datetime] = []
    for fold in (0, 1):
        utc = naive.replace(tzinfo=zone, fold=fold).astimezone(dt.UTC)
        local = utc.astimezone(zone)
        # A time in a gap comes back as another wall time: it never happened.
        if local.replace(tzinfo=None) == naive and all(p != utc for p in passes):
            passes.append(local)
    when = f"{wall:%H:%M} on {day.isoformat()} in {zone.key}"
    if not passes:
        raise WallClockError(f"{when} does not exist: the clocks go forward then.")
    if label:
        offset = _offset_of(label)
        for local in passes:
            if (offset is not None and local.utcoffset() == offset) or (
                offset is None and label.upper() == (local.tzname() or "").upper()
            ):
                return local.astimezone(dt.UTC)
        options = " or ".join(f"“{_label_of(local)}”" for local in passes)
        raise WallClockError(f"{when} is {options}, not “{wall:%H:%M} {label}”.")
    if len(passes) > 1:
        first, second = passes
        raise WallClockError(
            f"{when} happens twice: the clocks go back. Write “{_label_of(first)}” for the "
            f"first or “{_label_of(second)}” for the second, or give starts_at with its "
            "UTC offset."
        )
    return passes[0].astimezone(dt.UTC)
