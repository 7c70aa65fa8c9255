"""The manager's capacity overview: for each visible team and each of the next weeks
(Monday to Sunday, site-local), the FTE the forecast requires, the FTE the working plan
schedules, the FTE the roster holds, and the shortfall a hiring request starts from.

One FTE is a full-time week of 39 hours (the default contract), for every figure:

- required: Σ over each queue's open intervals of the heads needed on shift (the
  forecast → Erlang C or the deferred workload → shrinkage, exactly as the day's
  capacity plan computes it, `capacity.queue_needs`) × the interval's hours;
- scheduled: the paid hours of the shifts in the working plan (drafts included), the
  unpaid break taken off, counted in UTC so a DST night is right;
- rostered: the contract hours of the team's active associates, for the weekdays of the
  week they are employed (a joiner from the hire date, a leaver until the last day),
  less approved leave: each working day of leave (the one rule in
  `selectors.time_off.WorkingDays`; a half day 0.5) is a fifth of their contract week;
- shortfall: required − rostered, when positive.

A person counts under every queue they are at least capable in, so the queue lines
overlap and do not add up to the team's line; the team's line counts each person once.

A fixed number of queries for any number of teams and weeks (at most ten).
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from teams.models import Associate, Team
from teams.selectors import StaffingGap

from ..intervals import local_midnight
from ..models import (
    EntryKind,
    ForecastInterval,
    ForecastOverride,
    Queue,
    ScheduleEntry,
    TimeOffRequest,
    monday_of,
)
from .capacity import queue_needs
from .coverage import capable_skills
from .time_off import WorkingDays

FULL_TIME_HOURS = 39.0
WEEKS = 8
WORKDAYS = 5  # a contract week's working days: one day of leave is a fifth of it


# --- the arithmetic (plain values) --------------------------------------------------------


def fte(hours: float) -> float:
    return hours / FULL_TIME_HOURS


def employed_weekdays(monday: dt.date, hired_on: dt.date, left_on: dt.date | None) -> int:
    """How many of the week's Monday–Friday fall between the hire date and the last day."""
    return sum(
        1
        for n in range(WORKDAYS)
        if hired_on <= (day := monday + dt.timedelta(days=n))
        and (left_on is None or day <= left_on)
    )


def rostered_hours(weekly_hours: float, employed_days: int, leave_days: float) -> float:
    """The contract hours of a week a person is there for: a fifth of the week per day
    employed, less a fifth per working day of approved leave (never below nothing)."""
    return max(weekly_hours * (employed_days - leave_days) / WORKDAYS, 0.0)


@dataclass(frozen=True)
class WeekFigures:
    """One line (a team, or a queue of it) in one week, in hours; FTE on demand."""

    starts_on: dt.date
    required_hours: float = 0.0
    scheduled_hours: float = 0.0
    rostered_hours: float = 0.0
    has_forecast: bool = True  # every queue of the line has a forecast for the week
    shift_count: int = 0  # shifts in the working plan: 0 = the week is not planned yet

    @property
    def required_fte(self) -> float:
        return fte(self.required_hours)

    @property
    def scheduled_fte(self) -> float:
        return fte(self.scheduled_hours)

    @property
    def rostered_fte(self) -> float:
        return fte(self.rostered_hours)

    @property
    def shortfall_fte(self) -> float:
        """The number a hiring request starts from."""
        return max(self.required_fte - self.rostered_fte, 0.0)

    @property
    def is_planned(self) -> bool:
        return self.shift_count > 0


@dataclass(frozen=True)
class CapacityLine:
    queue: Queue | None  # None: the whole team
    weeks: list[WeekFigures]

    @property
    def label(self) -> str:
        return self.queue.name if self.queue else "All queues"

    @property
    def peak_shortfall_fte(self) -> float:
        return max((w.shortfall_fte for w in self.weeks), default=0.0)


@dataclass(frozen=True)
class TeamCapacity:
    team: Team
    mondays: list[dt.date]
    total: CapacityLine
    queues: list[CapacityLine]

    @property
    def lines(self) -> list[CapacityLine]:
        return [self.total, *self.queues]

    @property
    def lacks_forecast(self) -> bool:
        """Some week has a queue without a forecast (the team's required leaves it out)."""
        return bool(self.queues) and not all(w.has_forecast for w in self.total.weeks)


# --- the reads ----------------------------------------------------------------------------


# What a sum is kept for: ("team", id) or ("queue", id); and a week by its Monday.
Key = tuple[str, int]
CountedUnder = Callable[[int, int], list[Key]]


@dataclass
class _Sums:
    """Hours (and shifts) per line and week."""

    required: dict[tuple[Key, dt.date], float]
    scheduled: dict[tuple[Key, dt.date], float]
    rostered: dict[tuple[Key, dt.date], float]
    shifts: dict[tuple[Key, dt.date], int]

    @classmethod
    def empty(cls) -> "_Sums":
        return cls(defaultdict(float), defaultdict(float), defaultdict(float), defaultdict(int))


def capacity_overview(teams: Sequence[Team], *, weeks: int = WEEKS) -> list[TeamCapacity]:
    """Every team's next `weeks` weeks, the largest shortfall first. Each team's weeks
    start on the Monday of its own site's today. At most ten queries. The teams must come
    with their site."""
    if not teams:
        return []
    mondays = {t.pk: monday_of(t.site.local_today()) for t in teams}
    team_of = {t.pk: t for t in teams}
    first = min(mondays.values())
    last = max(mondays.values()) + dt.timedelta(days=7 * weeks - 1)
    ids = list(team_of)

    queues = list(Queue.objects.active().filter(team_id__in=ids).select_related("skill"))
    sums = _Sums.empty()
    forecast_days = _required(teams, queues, mondays, weeks, sums)

    associates = list(
        Associate.objects.filter(team_id__in=ids, is_active=True).select_related("team")
    )
    skills = capable_skills(a.pk for a in associates)
    queues_of: dict[int, list[Queue]] = defaultdict(list)
    for queue in queues:
        queues_of[queue.team_id].append(queue)

    def counted_under(associate_id: int, team_id: int) -> list[Key]:
        """The team, and each of its queues the person is at least capable in."""
        held = skills.get(associate_id, set())
        return [("team", team_id)] + [
            ("queue", q.pk) for q in queues_of[team_id] if q.skill_id in held
        ]

    _scheduled(associates, team_of, first, last, counted_under, sums)
    _rostered(associates, mondays, weeks, first, last, counted_under, sums)

    result = []
    for team in teams:
        week_starts = [mondays[team.pk] + dt.timedelta(days=7 * n) for n in range(weeks)]
        lines = [
            CapacityLine(
                queue,
                [
                    _figures(sums, ("queue", queue.pk), m, (queue.pk, m) in forecast_days)
                    for m in week_starts
                ],
            )
            for queue in queues_of[team.pk]
        ]
        total_weeks = []
        for i, monday in enumerate(week_starts):
            figures = _figures(sums, ("team", team.pk), monday, True)
            total_weeks.append(
                WeekFigures(
                    starts_on=monday,
                    required_hours=sum(line.weeks[i].required_hours for line in lines),
                    scheduled_hours=figures.scheduled_hours,
                    rostered_hours=figures.rostered_hours,
                    has_forecast=bool(lines) and all(line.weeks[i].has_forecast for line in lines),
                    shift_count=figures.shift_count,
                )
            )
        result.append(TeamCapacity(team, week_starts, CapacityLine(None, total_weeks), lines))
    return sorted(result, key=lambda r: (-r.total.peak_shortfall_fte, r.team.name))


def _figures(sums: _Sums, key: Key, monday: dt.date, has_forecast: bool) -> WeekFigures:
    return WeekFigures(
        starts_on=monday,
        required_hours=sums.required.get((key, monday), 0.0),
        scheduled_hours=sums.scheduled.get((key, monday), 0.0),
        rostered_hours=sums.rostered.get((key, monday), 0.0),
        has_forecast=has_forecast,
        shift_count=sums.shifts.get((key, monday), 0),
    )


def _required(
    teams: Sequence[Team],
    queues: Sequence[Queue],
    mondays: dict[int, dt.date],
    weeks: int,
    sums: _Sums,
) -> set[tuple[int, dt.date]]:
    """Heads needed × interval hours per queue and week, from the forecast and the
    lead's overrides. Returns each (queue id, Monday) with a forecast. Two queries."""
    if not queues:
        return set()
    team_of = {t.pk: t for t in teams}
    # From the evening before each team's first day, so deferred queues carry the night.
    since = min(
        local_midnight(mondays[q.team_id] - dt.timedelta(days=1), team_of[q.team_id].site.zone)
        for q in queues
    )
    until = max(
        local_midnight(
            mondays[q.team_id] + dt.timedelta(days=7 * weeks), team_of[q.team_id].site.zone
        )
        for q in queues
    )
    by_id = {q.pk: q for q in queues}
    forecast: dict[int, dict[dt.datetime, tuple[float, float]]] = defaultdict(dict)
    forecast_days: set[tuple[int, dt.date]] = set()
    for queue_id, starts_at, contacts, aht in ForecastInterval.objects.filter(
        queue__in=queues, starts_at__gte=since, starts_at__lt=until
    ).values_list("queue_id", "starts_at", "contacts", "handle_time_seconds"):
        forecast[queue_id][starts_at] = (contacts, aht)
        zone = team_of[by_id[queue_id].team_id].site.zone
        forecast_days.add((queue_id, monday_of(starts_at.astimezone(zone).date())))
    overrides: dict[int, dict[dt.date, list[ForecastOverride]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for override in ForecastOverride.objects.filter(
        queue__in=queues,
        on__gte=min(mondays.values()) - dt.timedelta(days=1),
        on__lte=max(mondays.values()) + dt.timedelta(days=7 * weeks - 1),
    ):
        overrides[override.queue_id][override.on].append(override)
    for queue in queues:
        site = team_of[queue.team_id].site
        hours = queue.interval_minutes / 60
        for n in range(7 * weeks):
            day = mondays[queue.team_id] + dt.timedelta(days=n)
            needs = queue_needs(queue, site, day, forecast[queue.pk], overrides[queue.pk])
            heads = sum(need.heads for need in needs)
            sums.required[(("queue", queue.pk), monday_of(day))] += heads * hours
    return forecast_days


def _scheduled(
    associates: Sequence[Associate],
    team_of: dict[int, Team],
    first: dt.date,
    last: dt.date,
    counted_under: CountedUnder,
    sums: _Sums,
) -> None:
    """Paid hours of the working plan's shifts, less the unpaid break. One query."""
    team_id_of = {a.pk: a.team_id for a in associates}
    for entry in ScheduleEntry.objects.filter(
        associate_id__in=list(team_id_of), kind=EntryKind.SHIFT, on__gte=first, on__lte=last
    ).only("associate_id", "on", "kind", "starts_at", "ends_at", "break_minutes"):
        team_id = team_id_of[entry.associate_id]
        hours = entry.worked(team_of[team_id].site.zone).total_seconds() / 3600
        for key in counted_under(entry.associate_id, team_id):
            sums.scheduled[(key, monday_of(entry.on))] += hours
            sums.shifts[(key, monday_of(entry.on))] += 1


def _rostered(
    associates: Sequence[Associate],
    mondays: dict[int, dt.date],
    weeks: int,
    first: dt.date,
    last: dt.date,
    counted_under: CountedUnder,
    sums: _Sums,
) -> None:
    """Contract hours for the days employed, less approved leave. Four queries."""
    working = WorkingDays.load(associates, first, last)
    leave: dict[tuple[int, dt.date], float] = defaultdict(float)
    by_id = {a.pk: a for a in associates}
    for request in TimeOffRequest.objects.filter(
        associate_id__in=list(by_id),
        status=TimeOffRequest.Status.APPROVED,
        first_day__lte=last,
        last_day__gte=first,
    ):
        person = by_id[request.associate_id]
        for day, share in working.taken_by(request).items():
            if person.hired_on <= day and (person.left_on is None or day <= person.left_on):
                leave[(person.pk, monday_of(day))] += share
    for person in associates:
        weekly = float(person.weekly_hours)
        for n in range(weeks):
            monday = mondays[person.team_id] + dt.timedelta(days=7 * n)
            days = employed_weekdays(monday, person.hired_on, person.left_on)
            hours = rostered_hours(weekly, days, leave.get((person.pk, monday), 0.0))
            for key in counted_under(person.pk, person.team_id):
                sums.rostered[(key, monday)] += hours


def csv_rows(overview: Iterable[TeamCapacity]) -> list[list[object]]:
    """The overview as a spreadsheet reads it: one row per team or queue and week."""
    rows: list[list[object]] = [
        [
            "Team",
            "Site",
            "Queue",
            "Week starting",
            "Required FTE",
            "Scheduled FTE",
            "Rostered FTE",
            "Shortfall FTE",
            "Forecast",
            "Shifts planned",
        ]
    ]
    for team in overview:
        for line in team.lines:
            for week in line.weeks:
                rows.append(
                    [
                        team.team.name,
                        team.team.site.name,
                        line.label,
                        week.starts_on.isoformat(),
                        round(week.required_fte, 2),
                        round(week.scheduled_fte, 2),
                        round(week.rostered_fte, 2),
                        round(week.shortfall_fte, 2),
                        "yes" if week.has_forecast else "no",
                        week.shift_count,
                    ]
                )
    return rows


def staffing_gaps(team_ids: Sequence[int], weeks: int) -> dict[int, StaffingGap]:
    """The staffing gap beside a hiring request (teams.selectors.staffing_gap_providers):
    per team with queues, the peak shortfall of the next `weeks` weeks and that week's
    figures. Teams without queues have no capacity plan and are left out."""
    with_queues = Queue.objects.active().filter(team_id__in=list(team_ids)).values("team_id")
    teams = list(Team.objects.filter(pk__in=with_queues).select_related("site"))
    gaps: dict[int, StaffingGap] = {}
    for row in capacity_overview(teams, weeks=weeks):
        if not row.queues or not row.total.weeks:
            continue
        peak = max(row.total.weeks, key=lambda w: (w.shortfall_fte, -w.starts_on.toordinal()))
        gaps[row.team.pk] = StaffingGap(
            required_fte=peak.required_fte,
            scheduled_fte=peak.scheduled_fte,
            rostered_fte=peak.rostered_fte,
            shortfall_fte=peak.shortfall_fte,
            weeks=weeks,
            week_starting=peak.starts_on,
        )
    return gaps
