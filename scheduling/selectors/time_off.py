"""Time off as pages read it: how many working days a request takes, paid leave
left, the lead's queue with who else is off and what cover is left.

One rule counts leave everywhere (the request form, the balances on the home page
and on my schedule, the queue, the approval check): a day of a request is a
working day when it is a weekday that is neither one of the site's public holidays
nor marked off in the working plan (a day off, a comp day, a holiday), or a
weekend day the person is rostered on (a weekend duty). A half day counts 0.5.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from django.db.models import QuerySet

from teams.models import Associate, Team

from ..models import (
    EntryFields,
    EntryKind,
    LeaveAllowance,
    PublicHoliday,
    ScheduleEntry,
    TimeOffRequest,
    WeekendDuty,
)
from .coverage import CoverageLine, capable_skills, coverage_for_day, requirements_for

# Cells of the plan that say the person does not work that day anyway.
NOT_WORKING_KINDS = (EntryKind.DAY_OFF, EntryKind.COMP_DAY, EntryKind.HOLIDAY)
OPEN_STATUSES = (TimeOffRequest.Status.PENDING, TimeOffRequest.Status.APPROVED)


@dataclass(frozen=True)
class WorkingDays:
    """Which days people work over a span, as the calendar and the plan say."""

    holidays: dict[int, set[dt.date]]  # site id -> public holidays
    off: dict[int, dict[dt.date, str]]  # associate id -> days the plan marks off, and how
    rostered: dict[int, set[dt.date]]  # associate id -> weekend duties
    sites: dict[int, int]  # associate id -> site id

    @classmethod
    def load(cls, associates: Iterable[Associate], first: dt.date, last: dt.date) -> "WorkingDays":
        """Three queries. Each associate must come with its team."""
        sites = {a.pk: a.team.site_id for a in associates}
        holidays: dict[int, set[dt.date]] = defaultdict(set)
        for site_id, on in PublicHoliday.objects.filter(
            site_id__in=set(sites.values()), on__gte=first, on__lte=last
        ).values_list("site_id", "on"):
            holidays[site_id].add(on)
        off: dict[int, dict[dt.date, str]] = defaultdict(dict)
        for associate_id, on, kind in ScheduleEntry.objects.filter(
            associate_id__in=list(sites), on__gte=first, on__lte=last, kind__in=NOT_WORKING_KINDS
        ).values_list("associate_id", "on", "kind"):
            off[associate_id][on] = str(EntryKind(kind).label).lower()
        rostered: dict[int, set[dt.date]] = defaultdict(set)
        for associate_id, on in WeekendDuty.objects.filter(
            associate_id__in=list(sites), on__gte=first, on__lte=last
        ).values_list("associate_id", "on"):
            rostered[associate_id].add(on)
        return cls(holidays=holidays, off=off, rostered=rostered, sites=sites)

    def why_not_working(self, associate_id: int, day: dt.date) -> str:
        """Why `day` is no working day for the person ("" when it is one)."""
        if day.weekday() >= 5:
            return "" if day in self.rostered.get(associate_id, set()) else "weekend"
        if day in self.holidays.get(self.sites.get(associate_id, 0), set()):
            return "public holiday"
        return self.off.get(associate_id, {}).get(day, "")

    def is_working_day(self, associate_id: int, day: dt.date) -> bool:
        return not self.why_not_working(associate_id, day)

    def taken_by(self, request: TimeOffRequest) -> dict[dt.date, float]:
        """The working days a request takes off, each 1 or 0.5 (a half day)."""
        return {
            day: request.fraction_on(day)
            for day in request.days()
            if self.is_working_day(request.associate_id, day)
        }

    def count(self, request: TimeOffRequest, *, year: int | None = None) -> float:
        return sum(
            share
            for day, share in self.taken_by(request).items()
            if year is None or day.year == year
        )


@dataclass(frozen=True)
class LeaveBalance:
    """Paid (annual) leave in a calendar year, in working days."""

    year: int
    allowance: float
    taken: float  # approved, before today
    booked: float  # approved, today or later
    pending: float = 0.0  # waiting for the lead

    @property
    def remaining(self) -> float:
        return self.allowance - self.taken - self.booked

    @property
    def available(self) -> float:
        """What is left to ask for: the remainder once every pending request is approved."""
        return self.remaining - self.pending


def leave_balances(
    associates: Sequence[Associate],
    years: Iterable[int],
    today: dt.date,
    *,
    working: WorkingDays | None = None,
) -> dict[tuple[int, int], LeaveBalance]:
    """Each associate's paid leave for each year, by (associate id, year). Five
    queries (two with `working` loaded for those years), however many people and
    years. Each associate must come with its team."""
    years = sorted(set(years))
    if not associates or not years:
        return {}
    first, last = dt.date(years[0], 1, 1), dt.date(years[-1], 12, 31)
    ids = [a.pk for a in associates]
    allowances = {
        (associate_id, year): days
        for associate_id, year, days in LeaveAllowance.objects.filter(
            associate_id__in=ids, year__in=years
        ).values_list("associate_id", "year", "paid_days")
    }
    requests = TimeOffRequest.objects.filter(
        associate_id__in=ids,
        status__in=OPEN_STATUSES,
        type=TimeOffRequest.Type.ANNUAL,
        first_day__lte=last,
        last_day__gte=first,
    )
    working = working or WorkingDays.load(associates, first, last)
    used: dict[tuple[int, int], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for request in requests:
        for day, share in working.taken_by(request).items():
            if request.status == TimeOffRequest.Status.PENDING:
                bucket = "pending"
            else:
                bucket = "taken" if day < today else "booked"
            used[request.associate_id, day.year][bucket] += share
    return {
        (a, year): LeaveBalance(
            year=year,
            allowance=allowances.get((a, year), LeaveAllowance.DEFAULT_DAYS),
            taken=used[a, year]["taken"],
            booked=used[a, year]["booked"],
            pending=used[a, year]["pending"],
        )
        for a in ids
        for year in years
    }


def leave_balance(associate: Associate, year: int, today: dt.date) -> LeaveBalance:
    """One associate's paid leave in a year (what the home page and my schedule show)."""
    return leave_balances([associate], [year], today)[associate.pk, year]


def years_of(request: TimeOffRequest) -> list[int]:
    return list(range(request.first_day.year, request.last_day.year + 1))


@dataclass(frozen=True)
class DayLine:
    day: dt.date
    share: float  # of a working day: 1, 0.5 or 0 when not a working day
    why_not: str  # why it is not counted ("weekend", "public holiday", "day off", ...)


@dataclass(frozen=True)
class RequestSummary:
    """What the request form shows as dates are chosen: the working days asked for
    and the paid leave of each year they fall in."""

    is_paid: bool
    balances: list[LeaveBalance]
    days: list[DayLine] = field(default_factory=list)
    asked: dict[int, float] = field(default_factory=dict)  # paid working days per year
    period: str = ""  # the dates as people say them

    @property
    def working_days(self) -> float:
        return sum(line.share for line in self.days)

    @property
    def not_counted(self) -> list[DayLine]:
        """Days left out for a reason worth naming (weekends are only counted)."""
        return [line for line in self.days if line.why_not and line.why_not != "weekend"]

    @property
    def weekend_count(self) -> int:
        return sum(1 for line in self.days if line.why_not == "weekend")

    @property
    def paid_rows(self) -> list[tuple[LeaveBalance, float, float]]:
        """(balance, asked, left to ask for afterwards) for each year of the dates."""
        return [
            (b, self.asked.get(b.year, 0.0), b.available - self.asked.get(b.year, 0.0))
            for b in self.balances
        ]

    def shortfalls(self) -> list[tuple[LeaveBalance, float]]:
        """(balance, asked) for each year where the request asks more than is left."""
        return [
            (b, self.asked[b.year])
            for b in self.balances
            if self.asked.get(b.year, 0) > b.available
        ]


def request_summary(
    associate: Associate, today: dt.date, request: TimeOffRequest | None = None
) -> RequestSummary:
    """The summary for an unsaved request (or for no dates yet: this year's paid
    leave). Five queries. The associate must come with its team."""
    if request is None:
        return RequestSummary(is_paid=True, balances=[leave_balance(associate, today.year, today)])
    years = years_of(request)
    working = WorkingDays.load([associate], dt.date(years[0], 1, 1), dt.date(years[-1], 12, 31))
    balances = leave_balances([associate], years, today, working=working)
    is_paid = request.type == TimeOffRequest.Type.ANNUAL
    lines = []
    asked: dict[int, float] = defaultdict(float)
    for day in request.days():
        why_not = working.why_not_working(associate.pk, day)
        share = 0.0 if why_not else request.fraction_on(day)
        lines.append(DayLine(day, share, why_not))
        if is_paid:
            asked[day.year] += share
    return RequestSummary(
        is_paid=is_paid,
        balances=[balances[associate.pk, y] for y in years],
        days=lines,
        asked=dict(asked),
        period=request.period(),
    )


@dataclass(frozen=True)
class Impact:
    day: dt.date
    line: CoverageLine
    after: int

    @property
    def breaks_minimum(self) -> bool:
        return (
            self.line.required is not None
            and self.after < self.line.required <= self.line.scheduled
        )


class TeamPlan:
    """A team's working plan over a span, for cover arithmetic: who is on shift
    each day and what the coverage lines would read without some of them. Four
    queries."""

    def __init__(self, team: Team, first: dt.date, last: dt.date):
        entries = list(
            ScheduleEntry.objects.for_team(team)
            .between(first, last)
            .filter(associate__is_active=True)
        )
        self.holidays = set(
            PublicHoliday.objects.filter(
                site_id=team.site_id, on__gte=first, on__lte=last
            ).values_list("on", flat=True)
        )
        self.requirements = requirements_for(team)
        self.skills = capable_skills({e.associate_id for e in entries})
        self.by_day: dict[dt.date, list[EntryFields]] = defaultdict(list)
        for entry in entries:
            self.by_day[entry.on].append(entry)

    def on_shift(self, associate_id: int, day: dt.date) -> bool:
        return any(e.associate_id == associate_id and e.is_shift for e in self.by_day.get(day, []))

    def coverage(self, day: dt.date, without: Iterable[int] = ()) -> list[CoverageLine]:
        gone = set(without)
        entries = [e for e in self.by_day.get(day, []) if e.associate_id not in gone]
        return coverage_for_day(day, entries, self.requirements, self.skills, self.holidays)

    def impacts(self, request: TimeOffRequest) -> list[Impact]:
        """The coverage lines that lose the associate if the request is approved. A
        half day keeps the person on shift (they work the other half), so it takes
        nobody off the cover."""
        found = []
        for day in request.whole_days():
            if not self.on_shift(request.associate_id, day):
                continue
            before = self.coverage(day)
            after = self.coverage(day, [request.associate_id])
            for line_before, line_after in zip(before, after, strict=True):
                if line_after.scheduled < line_before.scheduled:
                    found.append(Impact(day, line_before, line_after.scheduled))
        return found


def time_off_impacts(team: Team, requests: Sequence[TimeOffRequest]) -> dict[int, list[Impact]]:
    """For each request, the coverage lines that lose its associate if it is
    approved. Four queries, however many requests."""
    if not requests:
        return {}
    plan = TeamPlan(team, min(r.first_day for r in requests), max(r.last_day for r in requests))
    return {r.pk: plan.impacts(r) for r in requests}


@dataclass(frozen=True)
class AlsoOff:
    name: str
    status: str  # "approved", "pending" or "comp day"
    part: str = ""  # "morning" / "afternoon" for a half day


@dataclass(frozen=True)
class QueueDay:
    day: dt.date
    part: str  # the half the requester takes off, or ""
    is_working: bool  # a working day for the requester (counts towards the request)
    on_shift: bool  # the requester is on shift by the plan
    cover: CoverageLine  # "On shift" as it would be if approved
    with_pending: int | None  # on shift if every other pending request is approved too
    impacts: list[Impact] = field(default_factory=list)  # lines that lose the requester
    others: list[AlsoOff] = field(default_factory=list)

    @property
    def breaks_minimum(self) -> bool:
        return self.cover.required is not None and self.cover.scheduled < self.cover.required


@dataclass(frozen=True)
class QueueItem:
    request: TimeOffRequest
    working_days: float
    balance: LeaveBalance | None  # paid leave in the first day's year; annual leave only
    left_if_approved: float | None  # that year's paid leave left once this is approved
    impacts: list[Impact]
    days: list[QueueDay]


def pending_time_off(team: Team) -> list[TimeOffRequest]:
    return list(
        TimeOffRequest.objects.filter(
            associate__team=team, status=TimeOffRequest.Status.PENDING
        ).select_related("associate__user", "associate__team__site")
    )


def time_off_queue(team: Team, today: dt.date) -> list[QueueItem]:
    """The team's pending requests, each with its working days, the requester's paid
    leave, the cover each day would have if approved, and who else on the team is
    off then. Twelve queries, however many requests."""
    pending = pending_time_off(team)
    if not pending:
        return []
    first = min(r.first_day for r in pending)
    last = max(r.last_day for r in pending)
    plan = TeamPlan(team, first, last)
    open_requests = list(
        TimeOffRequest.objects.filter(
            associate__team=team,
            associate__is_active=True,
            status__in=OPEN_STATUSES,
            first_day__lte=last,
            last_day__gte=first,
        ).select_related("associate__user")
    )
    names = {a.pk: a.name for a in Associate.objects.filter(team=team).select_related("user")}
    requesters = list({r.associate_id: r.associate for r in pending}.values())
    years = {y for r in pending for y in years_of(r)}
    working = WorkingDays.load(requesters, dt.date(min(years), 1, 1), dt.date(max(years), 12, 31))
    balances = leave_balances(requesters, years, today, working=working)
    items = []
    for request in pending:
        taken = working.taken_by(request)
        halves = request.half_days()
        days = []
        for day in request.days():
            others = _also_off(request, day, open_requests, names)
            others += [
                AlsoOff(names.get(e.associate_id, "?"), "comp day")
                for e in plan.by_day.get(day, [])
                if e.kind == EntryKind.COMP_DAY and e.associate_id != request.associate_id
            ]
            if day not in taken and not others:
                continue
            leaving = [request.associate_id] if day not in halves else []
            after = plan.coverage(day, leaving)[0]
            also_pending = [
                r.associate_id
                for r in open_requests
                if r.status == TimeOffRequest.Status.PENDING
                and r.pk != request.pk
                and day in r.whole_days()
            ]
            with_pending = (
                plan.coverage(day, leaving + also_pending)[0].scheduled if also_pending else None
            )
            days.append(
                QueueDay(
                    day=day,
                    part=halves.get(day, ""),
                    is_working=day in taken,
                    on_shift=plan.on_shift(request.associate_id, day),
                    cover=after,
                    with_pending=with_pending if with_pending != after.scheduled else None,
                    others=sorted(others, key=lambda o: o.name),
                )
            )
        balance = left = None
        if request.type == TimeOffRequest.Type.ANNUAL:
            year = request.first_day.year
            balance = balances[request.associate_id, year]
            left = balance.remaining - working.count(request, year=year)
        impacts = plan.impacts(request)
        days = [replace(d, impacts=[i for i in impacts if i.day == d.day]) for d in days]
        items.append(
            QueueItem(
                request=request,
                working_days=sum(taken.values()),
                balance=balance,
                left_if_approved=left,
                impacts=impacts,
                days=days,
            )
        )
    return items


def _also_off(
    request: TimeOffRequest,
    day: dt.date,
    open_requests: Sequence[TimeOffRequest],
    names: dict[int, str],
) -> list[AlsoOff]:
    return [
        AlsoOff(names[r.associate_id], r.status, r.half_days().get(day, ""))
        for r in open_requests
        if r.associate_id != request.associate_id and r.first_day <= day <= r.last_day
    ]


def recent_time_off(team: Team, *, limit: int = 20) -> QuerySet[TimeOffRequest]:
    """The team's latest decided (or cancelled) requests."""
    return (
        TimeOffRequest.objects.filter(associate__team=team)
        .exclude(status=TimeOffRequest.Status.PENDING)
        .select_related("associate__user", "decided_by")
        .order_by("-decided_at")[:limit]
    )


def time_off_of(associate: Associate, *, limit: int = 20) -> QuerySet[TimeOffRequest]:
    return TimeOffRequest.objects.filter(associate=associate).order_by("-first_day")[:limit]


CLASH = (
    "You already have a request covering some of these days. For the other half of a "
    "half day, cancel that request and ask for the whole day."
)


def clashing_requests(request: TimeOffRequest) -> list[TimeOffRequest]:
    """The person's other pending or approved requests sharing a day with this one.
    Two halves of one day clash too: together they are the whole day, which is one
    request (so the day is off on the plan and in cover, not a shift with a note)."""
    return list(
        TimeOffRequest.objects.filter(
            associate_id=request.associate_id,
            status__in=[TimeOffRequest.Status.PENDING, TimeOffRequest.Status.APPROVED],
            first_day__lte=request.last_day,
            last_day__gte=request.first_day,
        ).exclude(pk=request.pk)
    )
