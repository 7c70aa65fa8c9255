"""Read-side queries and computations for schedules. Fixed query counts."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import QuerySet

from teams.models import Associate, AssociateSkill, Team
from teams.selectors import ScheduleEvent

from .models import (
    CompDay,
    CoverageRequirement,
    DayKind,
    EntryFields,
    EntryKind,
    LeaveAllowance,
    PublicHoliday,
    PublishedEntry,
    ScheduleEntry,
    ScheduleWeek,
    TimeOffRequest,
    WeekendDuty,
    day_kind_of,
)

COUNTS_FOR_SKILL = AssociateSkill.Proficiency.CAPABLE


def days_from(first: dt.date, count: int) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range(count)]


@dataclass(frozen=True)
class CoverageLine:
    label: str
    required: int | None
    scheduled: int

    @property
    def is_gap(self) -> bool:
        return self.required is not None and self.scheduled < self.required

    @property
    def short(self) -> int | None:
        return None if self.required is None else max(self.required - self.scheduled, 0)


def requirement_kind(day: dt.date, holidays: set[dt.date]) -> str:
    # Public holidays are staffed like weekend days.
    return DayKind.WEEKEND if day in holidays else day_kind_of(day)


def capable_skills(associate_ids: Iterable[int]) -> dict[int, set[int]]:
    rows = AssociateSkill.objects.filter(
        associate_id__in=list(associate_ids), level__gte=COUNTS_FOR_SKILL
    ).values_list("associate_id", "skill_id")
    skills: dict[int, set[int]] = defaultdict(set)
    for associate_id, skill_id in rows:
        skills[associate_id].add(skill_id)
    return skills


def requirements_for(team: Team) -> list[CoverageRequirement]:
    return list(CoverageRequirement.objects.filter(team=team).select_related("template", "skill"))


def coverage_for_day(
    day: dt.date,
    entries: Sequence[EntryFields],
    requirements: Sequence[CoverageRequirement],
    skills: dict[int, set[int]],
    holidays: set[dt.date],
) -> list[CoverageLine]:
    kind = requirement_kind(day, holidays)
    shifts = [e for e in entries if e.kind == EntryKind.SHIFT]
    lines = []
    whole_day = next(
        (r for r in requirements if r.day_kind == kind and not r.template_id and not r.skill_id),
        None,
    )
    lines.append(
        CoverageLine("On shift", whole_day.min_headcount if whole_day else None, len(shifts))
    )
    for req in requirements:
        if req.day_kind != kind or (req.template_id is None and req.skill_id is None):
            continue
        count = sum(
            1
            for e in shifts
            if (req.template_id is None or e.template_id == req.template_id)
            and (req.skill_id is None or req.skill_id in skills.get(e.associate_id, set()))
        )
        label = " · ".join(
            part
            for part in (
                req.template.name if req.template else "",
                f"{req.skill.name} (capable+)" if req.skill else "",
            )
            if part
        )
        lines.append(CoverageLine(label, req.min_headcount, count))
    return lines


def coverage_by_day(
    days: Sequence[dt.date],
    entries: Iterable[EntryFields],
    requirements: Sequence[CoverageRequirement],
    skills: dict[int, set[int]],
    holidays: set[dt.date],
) -> dict[dt.date, list[CoverageLine]]:
    by_day: dict[dt.date, list[EntryFields]] = defaultdict(list)
    for entry in entries:
        by_day[entry.on].append(entry)
    return {day: coverage_for_day(day, by_day[day], requirements, skills, holidays) for day in days}


def holidays_between(team: Team, first: dt.date, last: dt.date) -> dict[dt.date, str]:
    return dict(
        PublicHoliday.objects.filter(site_id=team.site_id, on__gte=first, on__lte=last).values_list(
            "on", "name"
        )
    )


def roster(team: Team) -> list[Associate]:
    return list(Associate.objects.for_team(team).active().select_related("user"))


@dataclass(frozen=True)
class GridRow:
    associate: Associate
    cells: list[tuple[dt.date, EntryFields | None]]


@dataclass(frozen=True)
class Grid:
    days: list[dt.date]
    rows: list[GridRow]
    coverage: dict[dt.date, list[CoverageLine]]
    holidays: dict[dt.date, str]
    weeks: list[ScheduleWeek]
    unpublished_count: int

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
    def gap_count(self) -> int:
        return sum(1 for lines in self.coverage.values() for line in lines if line.is_gap)


def unpublished_changes(team: Team, first: dt.date, last: dt.date) -> int:
    """How many cells differ between the working plan and what associates see."""
    working = {
        (e.associate_id, e.on): e.signature()
        for e in ScheduleEntry.objects.for_team(team).between(first, last)
    }
    published = {
        (e.associate_id, e.on): e.signature()
        for e in PublishedEntry.objects.filter(associate__team=team, on__gte=first, on__lte=last)
    }
    keys = working.keys() | published.keys()
    return sum(1 for key in keys if working.get(key) != published.get(key))


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
    return Grid(
        days=days,
        rows=[GridRow(a, [(d, cell.get((a.pk, d))) for d in days]) for a in people],
        coverage=coverage_by_day(
            days,
            [e for e in entries if e.associate_id in {a.pk for a in people}],
            requirements_for(team),
            capable_skills(a.pk for a in people),
            set(holidays),
        ),
        holidays=holidays,
        weeks=[
            weeks.get(monday) or ScheduleWeek(team=team, starts_on=monday) for monday in days[::7]
        ],
        unpublished_count=unpublished_changes(team, first, last),
    )


def published_schedule(
    associate: Associate, first: dt.date, last: dt.date
) -> QuerySet[PublishedEntry]:
    return PublishedEntry.objects.filter(
        associate=associate, on__gte=first, on__lte=last
    ).select_related("template")


@dataclass(frozen=True)
class LeaveBalance:
    year: int
    allowance: int
    taken: int
    booked: int

    @property
    def remaining(self) -> int:
        return self.allowance - self.taken - self.booked


def paid_leave_days(request: TimeOffRequest, holidays: set[dt.date]) -> list[dt.date]:
    """Days of a request that use paid leave: weekdays that are not public holidays."""
    if request.type != TimeOffRequest.Type.ANNUAL:
        return []
    return [d for d in request.days() if d.weekday() < 5 and d not in holidays]


def leave_balance(associate: Associate, year: int, today: dt.date) -> LeaveBalance:
    allowance = (
        LeaveAllowance.objects.filter(associate=associate, year=year)
        .values_list("paid_days", flat=True)
        .first()
    )
    requests = TimeOffRequest.objects.filter(
        associate=associate,
        status=TimeOffRequest.Status.APPROVED,
        type=TimeOffRequest.Type.ANNUAL,
        first_day__lte=dt.date(year, 12, 31),
        last_day__gte=dt.date(year, 1, 1),
    )
    holidays = set(
        PublicHoliday.objects.filter(site_id=associate.team.site_id, on__year=year).values_list(
            "on", flat=True
        )
    )
    taken = booked = 0
    for request in requests:
        for day in paid_leave_days(request, holidays):
            if day.year != year:
                continue
            if day < today:
                taken += 1
            else:
                booked += 1
    return LeaveBalance(
        year=year,
        allowance=LeaveAllowance.DEFAULT_DAYS if allowance is None else allowance,
        taken=taken,
        booked=booked,
    )


@dataclass(frozen=True)
class TeamCoverage:
    team: Team
    first: dt.date
    last: dt.date
    gaps: list[tuple[dt.date, CoverageLine]]
    days_without_plan: int


def coverage_overview(teams: Sequence[Team], *, weeks: int) -> list[TeamCoverage]:
    """Coverage gaps in the working plans of many teams, worst first. Six queries."""
    if not teams:
        return []
    starts = {t.pk: monday_of_today(t) for t in teams}
    first, last = min(starts.values()), max(starts.values()) + dt.timedelta(days=7 * weeks - 1)
    ids = [t.pk for t in teams]
    entries = list(
        ScheduleEntry.objects.filter(
            associate__team_id__in=ids, associate__is_active=True, on__gte=first, on__lte=last
        ).values_list("associate__team_id", "associate_id", "on", "kind", "template_id")
    )
    requirements: dict[int, list[CoverageRequirement]] = defaultdict(list)
    for req in CoverageRequirement.objects.filter(team_id__in=ids).select_related(
        "template", "skill"
    ):
        requirements[req.team_id].append(req)
    skills = capable_skills({row[1] for row in entries})
    holidays: dict[int, set[dt.date]] = defaultdict(set)
    for site_id, on in PublicHoliday.objects.filter(
        site_id__in={t.site_id for t in teams}, on__gte=first, on__lte=last
    ).values_list("site_id", "on"):
        holidays[site_id].add(on)
    by_team: dict[int, list[EntryFields]] = defaultdict(list)
    for team_id, associate_id, on, kind, template_id in entries:
        by_team[team_id].append(
            ScheduleEntry(associate_id=associate_id, on=on, kind=kind, template_id=template_id)
        )
    result = []
    for team in teams:
        days = days_from(starts[team.pk], 7 * weeks)
        coverage = coverage_by_day(
            days, by_team[team.pk], requirements[team.pk], skills, holidays[team.site_id]
        )
        planned = {e.on for e in by_team[team.pk]}
        result.append(
            TeamCoverage(
                team=team,
                first=days[0],
                last=days[-1],
                gaps=[(d, line) for d in days for line in coverage[d] if line.is_gap],
                days_without_plan=sum(1 for d in days if d not in planned),
            )
        )
    return sorted(result, key=lambda r: (-len(r.gaps), r.team.name))


def monday_of_today(team: Team) -> dt.date:
    today = team.site.local_today()
    return today - dt.timedelta(days=today.weekday())


def published_week_labels(associate: Associate, days: list[dt.date]) -> dict[dt.date, str]:
    """What the associate does each day, as published ("Early 07:00–15:30", "Day off")."""
    labels = {}
    for entry in published_schedule(associate, min(days), max(days)):
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
        ScheduleEvent(t.first_day, t.last_day, t.get_type_display())
        for t in TimeOffRequest.objects.filter(
            associate=associate,
            status=TimeOffRequest.Status.APPROVED,
            first_day__lte=until,
            last_day__gte=since,
        )
    ]
    return events
