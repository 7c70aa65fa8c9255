"""Scheduling rules as pure functions over an associate's plan.

A plan is {date: entry} for one associate; entries only need the EntryFields
attributes (kind, on, starts_at, ends_at, template). Services build the plan
with pending changes applied, then ask here what is wrong with each change.
"""

import datetime as dt
import zoneinfo
from collections.abc import Mapping

from teams.models import Site

from .models import MAX_CONSECUTIVE_DAYS, MIN_REST, EntryFields


def _shift_bounds(entry: EntryFields, zone: zoneinfo.ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    return entry.starts(zone).astimezone(dt.UTC), entry.ends(zone).astimezone(dt.UTC)


def rest_before(
    plan: Mapping[dt.date, EntryFields], day: dt.date, zone: zoneinfo.ZoneInfo
) -> dt.timedelta | None:
    """Rest between the previous day's shift and this day's, in real (UTC) time."""
    today, yesterday = plan.get(day), plan.get(day - dt.timedelta(days=1))
    if not (today and yesterday and today.is_shift and yesterday.is_shift):
        return None
    return _shift_bounds(today, zone)[0] - _shift_bounds(yesterday, zone)[1]


def working_run(plan: Mapping[dt.date, EntryFields], day: dt.date) -> int:
    """How many consecutive days with a shift include `day`."""
    if not (entry := plan.get(day)) or not entry.is_shift:
        return 0
    run = 1
    for step in (-1, 1):
        cursor = day + dt.timedelta(days=step)
        while (other := plan.get(cursor)) is not None and other.is_shift:
            run += 1
            cursor += dt.timedelta(days=step)
    return run


def conflicts(
    *,
    name: str,
    plan: Mapping[dt.date, EntryFields],
    day: dt.date,
    site: Site,
    time_off_days: set[dt.date],
    max_consecutive: int = MAX_CONSECUTIVE_DAYS,
    min_rest: dt.timedelta = MIN_REST,
) -> list[str]:
    """Every reason the entry on `day` in `plan` cannot stand, in plain words."""
    entry = plan.get(day)
    if entry is None or not entry.is_shift:
        return []
    when = f"{day:%a %-d %b}"
    found = []
    if day in time_off_days:
        found.append(f"{name} has approved time off on {when}.")
    opens, closes = site.opening_hours_on(day)
    if entry.starts_at is None or entry.ends_at is None:
        return [f"The shift on {when} needs a start and an end time."]
    if entry.starts_at < opens or entry.ends_at > closes:
        found.append(
            f"{entry.starts_at:%H:%M}–{entry.ends_at:%H:%M} on {when} is outside opening hours "
            f"({opens:%H:%M}–{closes:%H:%M})."
        )
    template = getattr(entry, "template", None)
    if template is not None and not template.applies_on(day):
        found.append(f"{template.name} is only for {template.get_applies_to_display().lower()}.")
    zone = site.zone
    for first in (day, day + dt.timedelta(days=1)):
        rest = rest_before(plan, first, zone)
        if rest is not None and rest < min_rest:
            hours = rest.total_seconds() / 3600
            found.append(
                f"{name} would have only {hours:.1f} h rest before {first:%a %-d %b} "
                f"(minimum {min_rest.total_seconds() / 3600:.0f} h)."
            )
    run = working_run(plan, day)
    if run > max_consecutive:
        found.append(
            f"{name} would work {run} days in a row around {when} (maximum {max_consecutive})."
        )
    return found
