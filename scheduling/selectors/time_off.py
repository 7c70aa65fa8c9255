"""Time off as pages read it: the lead's queue, an associate's requests, paid leave left."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from teams.models import Associate, Team

from ..models import (
    LeaveAllowance,
    PublicHoliday,
    TimeOffRequest,
)


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


def pending_time_off(team: Team) -> list[TimeOffRequest]:
    return list(
        TimeOffRequest.objects.filter(
            associate__team=team, status=TimeOffRequest.Status.PENDING
        ).select_related("associate__user", "associate__team__site")
    )


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
