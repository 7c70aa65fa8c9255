"""Protected time as pages read it: a team's activities over a span, an associate's own,
whether the people booked can attend, and what an activity does to the day's cover.

Who may read an activity's title (it may say what the coaching is about): the team's
leads, its manager and ops admins on the team's pages, and the people who attend it on
their own My schedule. Teammates who do not attend never see it.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from teams.models import Associate, Site, Team

from ..intervals import Interval
from ..models import Activity, EntryKind, ScheduleEntry, TimeOffRequest
from .capacity import CapacityDay, capacity_days

# How far a span of the list may reach, so a typed range cannot ask for years of rows.
LIST_MAX_DAYS = 92

NOT_WORKING: dict[str, str] = {
    EntryKind.DAY_OFF: "a day off",
    EntryKind.TIME_OFF: "time off",
    EntryKind.COMP_DAY: "a comp day",
    EntryKind.HOLIDAY: "a public holiday off",
}


def _attendees() -> Prefetch:
    return Prefetch(
        "attendees", queryset=Associate.objects.select_related("user").order_by("user__first_name")
    )


def activities_between(team: Team, first: dt.date, last: dt.date) -> QuerySet[Activity]:
    """The team's activities from `first` to `last`, with their attendees. Two queries."""
    return (
        Activity.objects.filter(team=team, on__gte=first, on__lte=last)
        .select_related("created_by")
        .prefetch_related(_attendees())
        .order_by("on", "starts_at", "pk")
    )


def activities_of(
    associate: Associate, first: dt.date, last: dt.date
) -> dict[dt.date, list[Activity]]:
    """The activities `associate` attends, by day (My schedule). One query."""
    by_day: dict[dt.date, list[Activity]] = defaultdict(list)
    for activity in Activity.objects.filter(
        attendees=associate, team_id=associate.team_id, on__gte=first, on__lte=last
    ).order_by("on", "starts_at", "pk"):
        by_day[activity.on].append(activity)
    return dict(by_day)


def time_problems(site: Site, on: dt.date, starts_at: dt.time, ends_at: dt.time) -> list[str]:
    """What is wrong with the times themselves: the end, and the site's opening hours."""
    if ends_at <= starts_at:
        return ["An activity ends after it starts."]
    opens, closes = site.opening_hours_on(on)
    if starts_at < opens or ends_at > closes:
        return [
            f"{starts_at:%H:%M}–{ends_at:%H:%M} is outside {site}'s opening hours on "
            f"{on:%a %-d %b} ({opens:%H:%M}–{closes:%H:%M})."
        ]
    return []


@dataclass
class Attendance:
    """Whether the people booked can be there: refusals stop the booking, notes do not."""

    refusals: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def attendance(
    team: Team,
    on: dt.date,
    starts_at: dt.time,
    ends_at: dt.time,
    attendees: Sequence[Associate],
) -> Attendance:
    """Refused: someone not an active member of the team on that day, or whom the working
    plan or approved leave has off that day. Noted: a day not planned yet for them, an
    activity outside their shift, half a day of leave, leave still waiting for a decision.
    Two queries."""
    result = Attendance()
    day = f"{on:%a %-d %b}"
    ids = [a.pk for a in attendees]
    cells = {
        e.associate_id: e
        for e in ScheduleEntry.objects.filter(associate_id__in=ids, on=on).only(
            "associate_id", "on", "kind", "starts_at", "ends_at"
        )
    }
    leave: dict[int, list[TimeOffRequest]] = defaultdict(list)
    for request in TimeOffRequest.objects.filter(
        associate_id__in=ids,
        status__in=[TimeOffRequest.Status.APPROVED, TimeOffRequest.Status.PENDING],
        first_day__lte=on,
        last_day__gte=on,
    ):
        leave[request.associate_id].append(request)
    for person in attendees:
        name = person.name
        if person.team_id != team.pk or not person.is_active:
            result.refusals.append(f"{name} is not an active member of {team}.")
            continue
        if person.hired_on > on or (person.left_on is not None and person.left_on < on):
            result.refusals.append(f"{name} is not on the team on {day}.")
            continue
        approved = [r for r in leave[person.pk] if r.status == TimeOffRequest.Status.APPROVED]
        whole = [r for r in approved if r.fraction_on(on) == 1.0]
        cell = cells.get(person.pk)
        if whole:
            result.refusals.append(f"{name} is on {whole[0].get_type_display().lower()} on {day}.")
            continue
        if cell is not None and cell.kind in NOT_WORKING:
            result.refusals.append(f"{name} has {NOT_WORKING[cell.kind]} on {day}.")
            continue
        for request in approved:
            half = request.half_days().get(on)
            result.notes.append(f"{name} has the {half} of {day} off.")
        if any(r.status == TimeOffRequest.Status.PENDING for r in leave[person.pk]):
            result.notes.append(f"{name} has asked for leave on {day} (not decided yet).")
        if cell is None:
            result.notes.append(f"{name}'s {day} is not planned yet: give them a shift.")
        elif (
            cell.starts_at
            and cell.ends_at
            and not (cell.starts_at <= starts_at and ends_at <= cell.ends_at)
        ):
            result.notes.append(
                f"{starts_at:%H:%M}–{ends_at:%H:%M} runs outside {name}'s shift "
                f"({cell.starts_at:%H:%M}–{cell.ends_at:%H:%M})."
            )
    return result


def _overlaps(interval: Interval, starts: dt.datetime, ends: dt.datetime) -> bool:
    return interval.starts_at < ends and starts < interval.ends_at


def _first_name(person: Associate) -> str:
    return person.user.first_name or person.name


def cover_warnings(activity: Activity, capacity: CapacityDay | None = None) -> list[str]:
    """The activity's protected-time warnings on its day's capacity plan, as sentences:
    "Refunds training at 10:00 takes Ada off Payments chat when it is 2 short; 14:30 has
    room." A fixed number of queries (capacity_days for the one day)."""
    if capacity is None:
        (capacity,) = capacity_days(activity.team, [activity.on])
    zone = activity.team.site.zone
    starts = dt.datetime.combine(activity.on, activity.starts_at, tzinfo=zone).astimezone(dt.UTC)
    ends = dt.datetime.combine(activity.on, activity.ends_at, tzinfo=zone).astimezone(dt.UTC)
    attendee_ids = {a.pk for a in activity.attendees.all()}
    people = {p.associate.pk: p for p in capacity.people}
    sentences = []
    for warning in capacity.warnings:
        if (
            warning.label != activity.title
            or warning.person.pk not in attendee_ids
            or not _overlaps(warning.interval, starts, ends)
        ):
            continue
        person = people[warning.person.pk]
        off, short = "the queues", warning.short
        worst = 0
        for row in capacity.rows:
            if not person.can_work(row.queue):
                continue
            for cell in row.cells:
                if _overlaps(cell.interval, starts, ends) and cell.short > worst:
                    worst, off, short = cell.short, row.queue.name, cell.short
        room = (
            f"{warning.suggestion.label} has room"
            if warning.suggestion
            else "no other time in their shift has room"
        )
        sentences.append(
            f"{activity.title} at {warning.interval.label} takes {_first_name(warning.person)} "
            f"off {off} when it is {short} short; {room}."
        )
    return sentences


def attendee_choices(team: Team) -> QuerySet[Associate]:
    """Who may be booked: the team's active associates."""
    return Associate.objects.active().for_team(team).select_related("user")
