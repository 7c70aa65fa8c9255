"""The comp-day ledger as pages read it: duties with their comp days, open requests."""

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth

from teams.models import Associate, Team

from ..models import CompDay, CompDayRequest, ScheduleWeek, WeekendDuty, monday_of


def duties_of(associate: Associate, *, newest_first: bool = False) -> list[WeekendDuty]:
    return list(
        WeekendDuty.objects.filter(associate=associate)
        .select_related("comp_day")
        .order_by("-on" if newest_first else "on")
    )


def upcoming_duties(
    teams: Sequence[Team], today: dt.date, *, limit: int = 60
) -> QuerySet[WeekendDuty]:
    return (
        WeekendDuty.objects.filter(associate__team__in=teams, on__gte=today)
        .select_related("associate__user", "comp_day")
        .order_by("on", "associate__user__first_name")[:limit]
    )


def pending_comp_day_requests(team: Team) -> QuerySet[CompDayRequest]:
    return CompDayRequest.objects.filter(
        comp_day__associate__team=team, status=CompDayRequest.Status.PENDING
    ).select_related("comp_day__associate__user")


def weekend_days_by_month(team: Team, before: dt.date) -> Iterable[Mapping[str, Any]]:
    """Weekend days worked before a day, per month per associate (for payroll)."""
    return (
        WeekendDuty.objects.filter(associate__team=team, on__lt=before)
        .annotate(month=TruncMonth("on"))
        .values(
            "month", "associate_id", "associate__user__first_name", "associate__user__last_name"
        )
        .annotate(days=Count("pk"))
        .order_by("month", "associate__user__last_name", "associate__user__first_name")
    )


@dataclass(frozen=True)
class Balance:
    worked: int
    upcoming: int
    scheduled: int
    owed: int
    taken: int
    expired: int

    @property
    def open(self) -> int:
        """Comp days earned and not yet taken or expired."""
        return self.scheduled + self.owed


def balances(associate_ids: Collection[int], today: dt.date) -> dict[int, Balance]:
    """Ledger totals per associate, from two grouped queries."""
    duty_rows = (
        WeekendDuty.objects.filter(associate_id__in=associate_ids)
        .values("associate_id")
        .annotate(
            worked=Count("pk", filter=Q(on__lt=today)),
            upcoming=Count("pk", filter=Q(on__gte=today)),
        )
    )
    comp_rows = (
        CompDay.objects.filter(associate_id__in=associate_ids)
        .values("associate_id")
        .annotate(
            scheduled=Count("pk", filter=Q(status=CompDay.Status.SCHEDULED)),
            owed=Count("pk", filter=Q(status=CompDay.Status.OWED)),
            taken=Count("pk", filter=Q(status=CompDay.Status.TAKEN)),
            expired=Count("pk", filter=Q(status=CompDay.Status.EXPIRED)),
        )
    )
    found: dict[int, dict[str, int]] = {i: defaultdict(int) for i in associate_ids}
    for row in duty_rows:
        found[row["associate_id"]].update(worked=row["worked"], upcoming=row["upcoming"])
    for comp_row in comp_rows:
        found[comp_row["associate_id"]].update(
            scheduled=comp_row["scheduled"],
            owed=comp_row["owed"],
            taken=comp_row["taken"],
            expired=comp_row["expired"],
        )
    return {
        i: Balance(
            worked=v["worked"],
            upcoming=v["upcoming"],
            scheduled=v["scheduled"],
            owed=v["owed"],
            taken=v["taken"],
            expired=v["expired"],
        )
        for i, v in found.items()
    }


def as_seen_by_associate(
    associate: Associate, duties: list[WeekendDuty], today: dt.date
) -> list[WeekendDuty]:
    """What an associate may see of their own ledger: past duties, and future ones
    only in weeks their lead has published (drafts stay with the lead)."""
    published = set(
        ScheduleWeek.objects.filter(
            team_id=associate.team_id, published_at__isnull=False
        ).values_list("starts_on", flat=True)
    )
    return [d for d in duties if d.on < today or monday_of(d.on) in published]


def balance_of(duties: list[WeekendDuty], today: dt.date) -> Balance:
    """The Balance of a list of duties with their comp days loaded."""
    counts: dict[str, int] = defaultdict(int)
    for duty in duties:
        counts["worked" if duty.on < today else "upcoming"] += 1
        comp = getattr(duty, "comp_day", None)
        if comp is not None:
            counts[comp.status] += 1
    return Balance(
        worked=counts["worked"],
        upcoming=counts["upcoming"],
        scheduled=counts[CompDay.Status.SCHEDULED],
        owed=counts[CompDay.Status.OWED],
        taken=counts[CompDay.Status.TAKEN],
        expired=counts[CompDay.Status.EXPIRED],
    )


@dataclass(frozen=True)
class OwnLedger:
    """An associate's own view of the ledger: what they may see, and where they stand."""

    duties: list[WeekendDuty]
    balance: Balance
    position: int
    team_size: int


def own_ledger(me: Associate, today: dt.date) -> OwnLedger:
    team_ids = list(me.team.associates.filter(is_active=True).values_list("pk", flat=True))
    # Position by weekend days already worked: drafts must not show through.
    counts = sorted(
        ((b.worked, pid) for pid, b in balances(team_ids, today).items()), key=lambda row: row[0]
    )
    position = next(i for i, (_n, pid) in enumerate(counts, start=1) if pid == me.pk)
    visible = as_seen_by_associate(me, duties_of(me), today)
    return OwnLedger(
        duties=visible,
        balance=balance_of(visible, today),
        position=position,
        team_size=len(counts),
    )
