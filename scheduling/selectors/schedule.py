"""The schedule grid, the published schedule, and the providers teams.selectors reads."""

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import QuerySet

from teams.history import Change, changes
from teams.models import Associate, Team
from teams.selectors import ScheduleEvent

from ..models import (
    CompDay,
    EntryFields,
    PublishedEntry,
    ScheduleEntry,
    ScheduleWeek,
    ShiftTemplate,
    TimeOffRequest,
    WeekendDuty,
    entry_label,
    monday_of,
)
from .calendar import days_from, holidays_between, published_days
from .coverage import CoverageLine, capable_skills, coverage_by_day, requirements_for
from .single_points import (
    Shift,
    SinglePoint,
    certification_expiries,
    find_single_points,
    short_name,
    team_needs,
)


def roster(team: Team) -> list[Associate]:
    return list(Associate.objects.for_team(team).active().select_related("user"))


@dataclass(frozen=True)
class WeekHours:
    """One person's planned paid hours in one week of the grid, against their contract."""

    starts_on: dt.date
    hours: float
    limit: float

    @property
    def over(self) -> bool:
        return self.hours > self.limit


@dataclass(frozen=True)
class GridRow:
    associate: Associate
    cells: list[tuple[dt.date, EntryFields | None]]
    week_hours: list[WeekHours]


def week_hours(
    associate: Associate,
    cells: list[tuple[dt.date, EntryFields | None]],
    zone: zoneinfo.ZoneInfo,
) -> list[WeekHours]:
    """Paid hours per week from the cells: each shift's length less its break (DST-aware,
    EntryFields.worked). Leave, comp days, days off and empty cells count 0. The limit
    is the person's contract plus SCHEDULE_OVER_CONTRACT_SLACK_HOURS (a 39-hour
    contract's five 8-hour shifts do not warn; a 20-hour part-timer warns past 21),
    and never above SCHEDULE_WEEKLY_HOURS_LIMIT (48 h)."""
    totals: dict[dt.date, dt.timedelta] = {}
    for day, entry in cells:
        monday = monday_of(day)
        worked = entry.worked(zone) if entry is not None else dt.timedelta(0)
        totals[monday] = totals.get(monday, dt.timedelta(0)) + worked
    limit = min(
        float(settings.SCHEDULE_WEEKLY_HOURS_LIMIT),
        float(associate.weekly_hours) + float(settings.SCHEDULE_OVER_CONTRACT_SLACK_HOURS),
    )
    return [
        WeekHours(monday, round(total.total_seconds() / 3600, 2), limit)
        for monday, total in totals.items()
    ]


@dataclass(frozen=True)
class Grid:
    days: list[dt.date]
    rows: list[GridRow]
    coverage: dict[dt.date, list[CoverageLine]]
    holidays: dict[dt.date, str]
    weeks: list[ScheduleWeek]
    unpublished_count: int
    unpublished_by_week: dict[dt.date, int]
    # Today and later: the gaps, single points and lapsing certifications of each day.
    single_points: dict[dt.date, list[SinglePoint]] = field(default_factory=dict)

    def week_has_changes(self, monday: dt.date) -> bool:
        """Whether publishing the week would change what associates see."""
        return self.unpublished_by_week.get(monday, 0) > 0

    @property
    def coverage_rows(self) -> list[tuple[str, list[CoverageLine]]]:
        """Coverage lines regrouped by label, one row per label across the days."""
        labels: list[str] = []
        for lines in self.coverage.values():
            for line in lines:
                if line.label not in labels:
                    labels.append(line.label)
        empty = CoverageLine("", None, 0)
        return [
            (
                label,
                [
                    next((line for line in self.coverage[d] if line.label == label), empty)
                    for d in self.days
                ],
            )
            for label in labels
        ]

    @property
    def single_point_cells(self) -> list[list[SinglePoint]]:
        return [self.single_points.get(d, []) for d in self.days]

    @property
    def single_point_days(self) -> int:
        return len(self.single_points)

    @property
    def gap_count(self) -> int:
        return sum(1 for lines in self.coverage.values() for line in lines if line.is_gap)


def unpublished_changes(team: Team, first: dt.date, last: dt.date) -> int:
    """How many cells differ between the working plan and what associates see."""
    return sum(unpublished_by_week(team, first, last).values())


def unpublished_by_week(team: Team, first: dt.date, last: dt.date) -> dict[dt.date, int]:
    """How many cells differ between the working plan and what associates see, per Monday."""
    working = {
        (e.associate_id, e.on): e.signature()
        for e in ScheduleEntry.objects.for_team(team).between(first, last)
    }
    published = {
        (e.associate_id, e.on): e.signature()
        for e in PublishedEntry.objects.filter(associate__team=team, on__gte=first, on__lte=last)
    }
    counts: dict[dt.date, int] = {}
    for key in working.keys() | published.keys():
        if working.get(key) != published.get(key):
            monday = monday_of(key[1])
            counts[monday] = counts.get(monday, 0) + 1
    return counts


def schedule_grid(team: Team, first: dt.date, week_count: int) -> Grid:
    days = days_from(first, 7 * week_count)
    last = days[-1]
    people = roster(team)
    entries = list(
        ScheduleEntry.objects.for_team(team).between(first, last).select_related("template")
    )
    cell: dict[tuple[int, dt.date], EntryFields] = {(e.associate_id, e.on): e for e in entries}
    holidays = holidays_between(team, first, last)
    weeks = {
        w.starts_on: w
        for w in ScheduleWeek.objects.filter(team=team, starts_on__gte=first, starts_on__lte=last)
    }
    zone = team.site.zone
    rows = []
    for a in people:
        cells = [(d, cell.get((a.pk, d))) for d in days]
        rows.append(GridRow(a, cells, week_hours(a, cells, zone)))
    changed = unpublished_by_week(team, first, last)
    people_ids = {a.pk for a in people}
    planned = [e for e in entries if e.associate_id in people_ids]
    requirements = requirements_for(team)
    capable = capable_skills(people_ids)
    today = team.site.local_today()
    points = find_single_points(
        team_id=team.pk,
        days=[d for d in days if d >= today],
        today=today,
        shifts=[Shift(e.associate_id, e.on, e.template_id) for e in planned if e.is_shift],
        planned_days={e.on for e in planned},
        names={
            a.pk: short_name(a.user.first_name, a.user.last_name, a.user.username) for a in people
        },
        needs=team_needs([team.pk], requirements=requirements)[team.pk],
        capable=capable,
        expiries=certification_expiries(people_ids),
        holidays=set(holidays),
    )
    by_day: dict[dt.date, list[SinglePoint]] = {}
    for point in points:
        by_day.setdefault(point.on, []).append(point)
    return Grid(
        days=days,
        rows=rows,
        coverage=coverage_by_day(days, planned, requirements, capable, set(holidays)),
        single_points=by_day,
        holidays=holidays,
        weeks=[
            weeks.get(monday) or ScheduleWeek(team=team, starts_on=monday) for monday in days[::7]
        ],
        unpublished_count=sum(changed.values()),
        unpublished_by_week=changed,
    )


def published_week_labels(associate: Associate, days: list[dt.date]) -> dict[dt.date, str]:
    """What the associate does each day, as published ("Early 07:00–15:30", "Day off")."""
    labels = {}
    for entry in published_days(associate, min(days), max(days)).values():
        name = entry.template.name + " " if entry.template else ""
        labels[entry.on] = f"{name}{entry.label()}" if entry.is_shift else entry.label()
    return labels


def schedule_events(associate: Associate, since: dt.date, until: dt.date) -> list[ScheduleEvent]:
    """Weekend duties, scheduled or taken comp days and approved leave in a window:
    what a 1:1's context panel shows (registered in teams.selectors). Three queries."""
    events = [
        ScheduleEvent(d.on, d.on, "Weekend duty")
        for d in WeekendDuty.objects.filter(associate=associate, on__range=(since, until))
    ]
    events += [
        ScheduleEvent(c.on, c.on, f"Comp day ({c.get_status_display().lower()})")
        for c in CompDay.objects.filter(
            associate=associate,
            on__range=(since, until),
            status__in=[CompDay.Status.SCHEDULED, CompDay.Status.TAKEN],
        )
        if c.on is not None
    ]
    events += [
        ScheduleEvent(
            t.first_day,
            t.last_day,
            t.get_type_display() + (" (with a half day)" if t.half_days() else ""),
        )
        for t in TimeOffRequest.objects.filter(
            associate=associate,
            status=TimeOffRequest.Status.APPROVED,
            first_day__lte=until,
            last_day__gte=since,
        )
    ]
    return events


def active_people(team: Team) -> QuerySet[Associate]:
    return team.associates.filter(is_active=True).select_related("user")


def site_templates(team: Team) -> QuerySet[ShiftTemplate]:
    return ShiftTemplate.objects.filter(site_id=team.site_id)


def templates_on(team: Team, on: dt.date) -> list[ShiftTemplate]:
    """The shift templates of the team's site that apply on a day."""
    return [t for t in site_templates(team) if t.applies_on(on)]


def working_entry(associate: Associate, on: dt.date) -> ScheduleEntry | None:
    return ScheduleEntry.objects.filter(associate=associate, on=on).first()


HISTORY_FIELDS = {"cell": "Shift", "note": "Note"}


def _history_value(record: object, name: str) -> object:
    return entry_label(record) if name == "cell" else getattr(record, name)


def schedule_history(team: Team, monday: dt.date, *, limit: int = 200) -> list[Change]:
    """Changes to a team's working plan for one week, newest first. Two queries."""
    sunday = monday + dt.timedelta(days=6)
    records = list(
        ScheduleEntry.history.filter(associate__team=team, on__gte=monday, on__lte=sunday)
        .select_related("history_user", "associate__user", "template")
        .order_by("-history_date")[:limit]
    )
    # Every version of the records shown, in one query, to find each one's "before".
    previous: dict[int, object] = {}
    latest: dict[int, object] = {}
    for row in ScheduleEntry.history.filter(id__in={r.id for r in records}).order_by(
        "id", "history_date"
    ):
        previous[row.history_id] = latest.get(row.id)
        latest[row.id] = row
    return changes(
        records,
        HISTORY_FIELDS,
        before=lambda _index, record: previous.get(record.history_id),
        show=_history_value,
        subject=lambda record: f"{record.associate.name} · {record.on:%a %-d %b}",
    )
