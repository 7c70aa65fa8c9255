"""Scheduled against required: what each queue needs in every interval of a team's day,
what the schedule supplies, and why, in words a lead can repeat to their manager.

Need, per queue and interval: the forecast (the latest `ForecastInterval`s, scaled by
the lead's overrides) → agents on the queue (Erlang C for live queues, the workload
with its backlog for deferred ones, `scheduling.erlang` and `scheduling.workload`) →
heads on shift after the queue's shrinkage.

Supply, per interval: the people of the team on a shift in the working plan for the
whole interval, less their unpaid break (placed in the middle of the shift, on the
interval boundary nearest to it) and less protected time (activities booked here and
1:1s from the people records, through `teams.selectors.protected_time`). A person
counts for a queue when they are at least capable in its skill; one person can count
for several queues, so the team's total is also shown against the total need.

Every read is a fixed number of queries for any number of days.
"""

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from teams.models import Associate, AssociateSkill, Site, Team
from teams.selectors import ProtectedTime, protected_time

from .. import erlang, workload
from ..intervals import Interval, day_intervals, site_day_intervals
from ..models import (
    Activity,
    EntryKind,
    ForecastInterval,
    ForecastOverride,
    PublicHoliday,
    Queue,
    QueueForecast,
    ScheduleEntry,
)

COUNTS_FOR_QUEUE = AssociateSkill.Proficiency.CAPABLE


# --- need ------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueNeed:
    """One queue in one interval: the forecast, what it takes, and why."""

    queue: Queue
    interval: Interval
    contacts: float
    handle_seconds: float
    agents: int  # on the queue, before shrinkage
    heads: int  # on shift, after shrinkage
    override_percent: int = 0
    backlog_before: float = 0.0  # deferred: contacts waiting when the interval starts
    arrived_while_closed: float = 0.0  # deferred: of `contacts`, those from closed hours
    asa_seconds: float | None = None  # live: average speed of answer at `agents`
    occupancy: float | None = None


def override_factor(overrides: Iterable[ForecastOverride], local_time: dt.time) -> int:
    """The summed percentage of the overrides that cover a local time of their day."""
    total = 0
    for override in overrides:
        if override.starts_at is None or (
            override.starts_at <= local_time < (override.ends_at or dt.time.max)
        ):
            total += override.percent
    return max(total, -100)


def _handle_seconds(queue: Queue, forecast: float | None) -> float:
    if queue.handle_time_seconds:
        return float(queue.handle_time_seconds)
    return forecast if forecast else float(Queue.DEFAULT_HANDLE_SECONDS)


def live_needs(
    queue: Queue,
    intervals: Sequence[Interval],
    forecast: dict[dt.datetime, tuple[float, float]],
    overrides: Sequence[ForecastOverride],
) -> list[QueueNeed]:
    needs = []
    for interval in intervals:
        contacts, aht = forecast.get(interval.starts_at, (0.0, 0.0))
        percent = override_factor(overrides, interval.local_time)
        contacts *= 1 + percent / 100
        handle = _handle_seconds(queue, aht)
        staffing = erlang.required_agents(
            contacts=contacts,
            interval_seconds=queue.interval_minutes * 60,
            handle_seconds=handle,
            target_service_level=queue.service_level_percent / 100,
            answer_within_seconds=queue.target_seconds,
            max_occupancy=queue.max_occupancy_percent / 100,
        )
        needs.append(
            QueueNeed(
                queue=queue,
                interval=interval,
                contacts=contacts,
                handle_seconds=handle,
                agents=staffing.agents,
                heads=erlang.with_shrinkage(staffing.agents, queue.shrinkage_percent / 100),
                override_percent=percent,
                asa_seconds=staffing.asa_seconds if staffing.agents else None,
                occupancy=staffing.occupancy if staffing.agents else None,
            )
        )
    return needs


def deferred_needs(
    queue: Queue,
    window: Sequence[Interval],
    is_open: Sequence[bool],
    forecast: dict[dt.datetime, tuple[float, float]],
    overrides_by_day: dict[dt.date, list[ForecastOverride]],
) -> list[QueueNeed]:
    """The workload over the open intervals of `window` (which starts at the previous
    closing). The response clock runs while the queue is open, as e-mail and ticket
    targets are kept in business hours: what arrives while closed joins the queue at
    the next opening, and a 4-hour target means 4 open hours."""
    arrivals: list[float] = []
    opened: list[Interval] = []
    percents: list[int] = []
    overnight: list[float] = []
    waiting = weighted = volume = 0.0
    for interval, open_now in zip(window, is_open, strict=True):
        contacts, aht = forecast.get(interval.starts_at, (0.0, 0.0))
        percent = override_factor(
            overrides_by_day.get(interval.local_start.date(), ()), interval.local_time
        )
        contacts *= 1 + percent / 100
        if aht:
            weighted += aht * contacts
            volume += contacts
        if not open_now:
            waiting += contacts
            continue
        arrivals.append(contacts + waiting)
        overnight.append(waiting)
        opened.append(interval)
        percents.append(percent)
        waiting = 0.0
    handle = _handle_seconds(queue, weighted / volume if volume else None)
    interval_seconds = queue.interval_minutes * 60
    plan = workload.deferred_required(
        arrivals=arrivals,
        handle_seconds=handle,
        interval_seconds=interval_seconds,
        respond_within_intervals=max(1, queue.target_seconds // interval_seconds),
        max_occupancy=queue.max_occupancy_percent / 100,
    )
    return [
        QueueNeed(
            queue=queue,
            interval=interval,
            contacts=arrivals[i],
            handle_seconds=handle,
            agents=plan.agents[i],
            heads=erlang.with_shrinkage(plan.agents[i], queue.shrinkage_percent / 100),
            override_percent=percents[i],
            backlog_before=plan.backlog[i - 1] if i else 0.0,
            arrived_while_closed=overnight[i],
        )
        for i, interval in enumerate(opened)
    ]


# --- supply ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    associate: Associate
    shift: tuple[dt.datetime, dt.datetime]  # UTC
    break_at: tuple[dt.datetime, dt.datetime] | None
    protected: tuple[tuple[dt.datetime, dt.datetime, str], ...]
    skills: dict[int, int]  # skill id -> level

    def available(self, interval: Interval) -> bool:
        start, end = self.shift
        if interval.starts_at < start or interval.ends_at > end:
            return False
        return self.busy_with(interval) is None

    def busy_with(self, interval: Interval) -> str | None:
        """What takes this person off the queues in the interval, if anything."""
        if self.break_at and _overlaps(self.break_at, interval):
            return "Break"
        for starts_at, ends_at, label in self.protected:
            if _overlaps((starts_at, ends_at), interval):
                return label
        return None

    def can_work(self, queue: Queue) -> bool:
        return self.skills.get(queue.skill_id, 0) >= COUNTS_FOR_QUEUE


def _overlaps(span: tuple[dt.datetime, dt.datetime], interval: Interval) -> bool:
    return span[0] < interval.ends_at and interval.starts_at < span[1]


def break_window(
    starts: dt.datetime, ends: dt.datetime, minutes: int, step_minutes: int
) -> tuple[dt.datetime, dt.datetime] | None:
    """Where an unpaid break of `minutes` sits: centred in the shift, its start moved to
    the nearest interval boundary (counted from the shift's start)."""
    if minutes <= 0:
        return None
    length = ends - starts
    brk = dt.timedelta(minutes=minutes)
    step = dt.timedelta(minutes=step_minutes)
    ideal = (length - brk) / 2
    start = starts + step * math.floor(ideal / step + 0.5)  # half a step rounds later
    start = min(max(start, starts), ends - brk)
    return start, start + brk


# --- the day -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One queue (or the team's total) in one interval, as the heat-map shows it."""

    interval: Interval
    needed: int
    have: int
    need: QueueNeed | None = None
    why: str = ""

    @property
    def short(self) -> int:
        return max(self.needed - self.have, 0)

    @property
    def tone(self) -> str:
        if self.needed == 0:
            return "idle"
        if self.have >= self.needed:
            return "ok"
        return "gap" if self.have < self.needed * 0.85 else "tight"


@dataclass(frozen=True)
class QueueRow:
    queue: Queue
    cells: list[Cell]
    forecast: QueueForecast | None = None

    @property
    def needed_hours(self) -> float:
        # Cells are the day's grid steps (15 minutes when any queue has quarter hours).
        if len(self.cells) < 2:
            step = self.queue.interval_minutes
        else:
            step = (
                self.cells[1].interval.starts_at - self.cells[0].interval.starts_at
            ).seconds // 60
        return sum(c.needed for c in self.cells) * step / 60


@dataclass(frozen=True)
class ProtectedWarning:
    """A booked activity in an interval that is short of people, and where it could go."""

    person: Associate
    label: str
    interval: Interval
    short: int
    suggestion: Interval | None  # the nearest interval inside their shift with room


@dataclass
class CapacityDay:
    team: Team
    day: dt.date
    intervals: list[Interval]
    rows: list[QueueRow]
    total: list[Cell]
    people: list[Person]
    is_holiday: bool = False
    forecasts: dict[int, QueueForecast | None] = field(default_factory=dict)
    warnings: list[ProtectedWarning] = field(default_factory=list)

    @property
    def gaps(self) -> list[Cell]:
        """Every short cell of every queue, worst first."""
        cells = [c for row in self.rows for c in row.cells if c.short]
        return sorted(cells, key=lambda c: (-c.short, c.interval.starts_at))

    @property
    def needed_hours(self) -> float:
        return self._hours(c.needed for c in self.total)

    @property
    def scheduled_hours(self) -> float:
        return self._hours(c.have for c in self.total)

    def _hours(self, counts: Iterable[int]) -> float:
        step = self._step_minutes()
        return sum(counts) * step / 60

    def _step_minutes(self) -> int:
        if len(self.intervals) < 2:
            return 30
        return int((self.intervals[1].starts_at - self.intervals[0].starts_at).seconds // 60)

    @property
    def worst(self) -> Cell | None:
        short = [c for c in self.total if c.short]
        return max(short, key=lambda c: (c.short, -c.interval.starts_at.timestamp()), default=None)

    @property
    def has_forecast(self) -> bool:
        return any(self.forecasts.values())


def explain(cell_need: QueueNeed, have: int, forecast: QueueForecast | None) -> str:
    """The sentence behind a figure: "Tue 10:00–10:30: 46 contacts forecast (average of
    the last 6 Tuesdays, +4 % trend), 7.2 min handle time, 80 % in 60 s → 9 agents;
    30 % shrinkage → 13 on shift; you have 11."""
    queue, interval = cell_need.queue, cell_need.interval
    end = interval.ends_at.astimezone(interval.local_start.tzinfo)
    when = f"{interval.local_start:%a} {interval.label}–{end:%H:%M}"
    basis = forecast.basis_on(interval.local_start.date()) if forecast else "no forecast yet"
    closed = round(cell_need.arrived_while_closed)
    if closed:
        basis += f"; {closed} of them came in while closed"
    if cell_need.override_percent:
        basis += f", {cell_need.override_percent:+d} % override"
    handle = f"{cell_need.handle_seconds / 60:.1f} min handle time"
    target = queue.target_label()
    if queue.is_live:
        middle = f"{target} → {cell_need.agents} agents"
    else:
        waiting = round(cell_need.backlog_before)
        carried = f" with {waiting} waiting from before" if waiting else ""
        middle = f"{target} of open hours{carried} → {cell_need.agents} agents"
    return (
        f"{when}: {cell_need.contacts:.0f} contacts forecast ({basis}), {handle}, {middle}; "
        f"{queue.shrinkage_percent} % shrinkage → {cell_need.heads} on shift; you have {have}."
    )


def _step(queues: Sequence[Queue]) -> int:
    return min((q.interval_minutes for q in queues), default=30)


def capacity_days(team: Team, days: Sequence[dt.date]) -> list[CapacityDay]:
    """Need and supply for each of `days` (site-local) of a team. Fixed queries."""
    if not days:
        return []
    site = team.site
    zone = site.zone
    queues = list(Queue.objects.active().for_team(team).select_related("skill"))
    step = _step(queues)
    first, last = min(days), max(days)
    # From the evening before the first day, so deferred queues carry the night's work.
    since = day_intervals(first - dt.timedelta(days=1), zone, step)[0].starts_at
    until = day_intervals(last + dt.timedelta(days=1), zone, step)[0].starts_at

    forecast_rows: dict[int, dict[dt.datetime, tuple[float, float]]] = defaultdict(dict)
    for queue_id, starts_at, contacts, aht in ForecastInterval.objects.filter(
        queue__in=queues, starts_at__gte=since, starts_at__lt=until
    ).values_list("queue_id", "starts_at", "contacts", "handle_time_seconds"):
        forecast_rows[queue_id][starts_at] = (contacts, aht)
    overrides: dict[int, dict[dt.date, list[ForecastOverride]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for override in ForecastOverride.objects.filter(
        queue__in=queues, on__gte=first - dt.timedelta(days=1), on__lte=last
    ):
        overrides[override.queue_id][override.on].append(override)
    forecasts = {f.queue_id: f for f in QueueForecast.objects.filter(queue__in=queues)}
    holidays = set(
        PublicHoliday.objects.filter(site=site, on__gte=first, on__lte=last).values_list(
            "on", flat=True
        )
    )

    entries = list(
        ScheduleEntry.objects.filter(
            associate__team=team,
            associate__is_active=True,
            kind=EntryKind.SHIFT,
            on__gte=first,
            on__lte=last,
        ).select_related("associate__user")
    )
    ids = sorted({e.associate_id for e in entries})
    skills: dict[int, dict[int, int]] = defaultdict(dict)
    for associate_id, skill_id, level in AssociateSkill.objects.filter(
        associate_id__in=ids
    ).values_list("associate_id", "skill_id", "level"):
        skills[associate_id][skill_id] = level
    booked: dict[tuple[int, dt.date], list[tuple[dt.datetime, dt.datetime, str]]] = defaultdict(
        list
    )
    for activity in Activity.objects.filter(
        team=team, on__gte=first, on__lte=last
    ).prefetch_related("attendees"):
        starts = dt.datetime.combine(activity.on, activity.starts_at, tzinfo=zone)
        ends = dt.datetime.combine(activity.on, activity.ends_at, tzinfo=zone)
        for attendee in activity.attendees.all():
            booked[(attendee.pk, activity.on)].append(
                (starts.astimezone(dt.UTC), ends.astimezone(dt.UTC), activity.title)
            )
    time: ProtectedTime
    for time in protected_time(ids, since, until):
        local_day = time.starts_at.astimezone(zone).date()
        booked[(time.associate_id, local_day)].append((time.starts_at, time.ends_at, time.label))

    people_by_day: dict[dt.date, list[Person]] = defaultdict(list)
    for entry in entries:
        starts = entry.starts(zone).astimezone(dt.UTC)
        ends = entry.ends(zone).astimezone(dt.UTC)
        people_by_day[entry.on].append(
            Person(
                associate=entry.associate,
                shift=(starts, ends),
                break_at=break_window(starts, ends, entry.break_minutes, step),
                protected=tuple(booked.get((entry.associate_id, entry.on), ())),
                skills=skills.get(entry.associate_id, {}),
            )
        )

    result = []
    for day in sorted(days):
        intervals = site_day_intervals(site, day, step)
        people = sorted(people_by_day.get(day, []), key=lambda p: (p.shift[0], p.associate.name))
        rows = []
        for queue in queues:
            needs = queue_needs(queue, site, day, forecast_rows[queue.pk], overrides[queue.pk])
            by_start = _spread(needs, intervals)
            cells = []
            for interval in intervals:
                need = by_start.get(interval.starts_at)
                have = sum(1 for p in people if p.can_work(queue) and p.available(interval))
                needed = need.heads if need else 0
                why = explain(need, have, forecasts.get(queue.pk)) if need else ""
                cells.append(Cell(interval, needed, have, need, why))
            rows.append(QueueRow(queue, cells, forecasts.get(queue.pk)))
        total = []
        for i, interval in enumerate(intervals):
            needed = sum(row.cells[i].needed for row in rows)
            have = sum(1 for p in people if p.available(interval))
            total.append(Cell(interval, needed, have))
        capacity = CapacityDay(
            team=team,
            day=day,
            intervals=intervals,
            rows=rows,
            total=total,
            people=people,
            is_holiday=day in holidays,
            forecasts={q.pk: forecasts.get(q.pk) for q in queues},
        )
        capacity.warnings = protected_warnings(capacity)
        result.append(capacity)
    return result


def queue_needs(
    queue: Queue,
    site: Site,
    day: dt.date,
    forecast: dict[dt.datetime, tuple[float, float]],
    overrides: dict[dt.date, list[ForecastOverride]],
) -> list[QueueNeed]:
    """A queue's needs for its open intervals of `day`, at its own interval length
    (`forecast` from the previous evening on; the manager's overview sums these too)."""
    minutes = queue.interval_minutes
    zone = site.zone
    if queue.is_live:
        intervals = site_day_intervals(site, day, minutes)
        return live_needs(queue, intervals, forecast, overrides.get(day, []))
    yesterday = day - dt.timedelta(days=1)
    _opens, closed_at = site.opening_hours_on(yesterday)
    window = [
        i for i in day_intervals(yesterday, zone, minutes) if i.local_time >= closed_at
    ] + day_intervals(day, zone, minutes)
    opens, closes = site.opening_hours_on(day)
    is_open = [i.local_start.date() == day and opens <= i.local_time < closes for i in window]
    return deferred_needs(queue, window, is_open, forecast, overrides)


def _spread(
    needs: Sequence[QueueNeed], intervals: Sequence[Interval]
) -> dict[dt.datetime, QueueNeed]:
    """A queue's needs on the day's grid: a 30-minute need covers both of its quarter
    hours when the grid is in 15-minute steps."""
    by_start: dict[dt.datetime, QueueNeed] = {}
    for need in needs:
        for interval in intervals:
            if need.interval.starts_at <= interval.starts_at < need.interval.ends_at:
                by_start[interval.starts_at] = need
    return by_start


def protected_warnings(capacity: CapacityDay) -> list[ProtectedWarning]:
    """Protected time that falls in an interval short of people (or where taking the
    person away makes it short), with the nearest interval of their shift that has a
    spare person to suggest instead."""
    warnings = []
    for person in capacity.people:
        for starts_at, ends_at, label in person.protected:
            hit = [
                (i, cell)
                for i, cell in enumerate(capacity.total)
                if _overlaps((starts_at, ends_at), cell.interval)
                and cell.interval.starts_at >= person.shift[0]
                and cell.interval.ends_at <= person.shift[1]
            ]
            if not hit:
                continue
            # `have` already leaves this person out: a shortfall is one they deepen.
            short = max(cell.needed - cell.have for _i, cell in hit)
            if short <= 0:
                continue
            suggestion = _quiet_slot(capacity, person, hit[0][0], len(hit))
            warnings.append(
                ProtectedWarning(person.associate, label, hit[0][1].interval, short, suggestion)
            )
    return sorted(warnings, key=lambda w: (-w.short, w.interval.starts_at))


def _quiet_slot(capacity: CapacityDay, person: Person, at: int, span: int) -> Interval | None:
    """The nearest start (by distance from `at`) where `span` intervals inside the shift
    each keep a spare person after this one leaves."""
    total = capacity.total
    for distance in range(1, len(total)):
        for start in (at - distance, at + distance):
            if start < 0 or start + span > len(total):
                continue
            if start < at + span and at < start + span:
                continue  # overlaps where it is now
            window = total[start : start + span]
            free = all(person.available(c.interval) for c in window)
            if free and all(c.have - 1 >= c.needed for c in window):
                return window[0].interval
    return None
