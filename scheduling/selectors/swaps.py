"""Shift swaps: the open ones a lead decides, an associate's own, the shifts to offer."""

import datetime as dt

from django.db.models import Q, QuerySet

from teams.models import Associate, Team

from ..models import EntryKind, PublishedEntry, ShiftSwap

SWAP_HORIZON_DAYS = 42


def open_swaps(team: Team) -> QuerySet[ShiftSwap]:
    return ShiftSwap.objects.filter(requester__team=team, status__in=ShiftSwap.OPEN).select_related(
        "requester__user", "partner__user"
    )


def swaps_of(associate: Associate, *, limit: int = 20) -> QuerySet[ShiftSwap]:
    return (
        ShiftSwap.objects.filter(Q(requester=associate) | Q(partner=associate))
        .select_related("requester__user", "partner__user")
        .order_by("-created_at")[:limit]
    )


def swappable_shifts(
    me: Associate, today: dt.date
) -> tuple[list[PublishedEntry], list[PublishedEntry]]:
    """My published shifts after today and my active teammates', six weeks ahead."""
    upcoming = (
        PublishedEntry.objects.filter(
            associate__team=me.team,
            associate__is_active=True,
            kind=EntryKind.SHIFT,
            on__gt=today,
            on__lte=today + dt.timedelta(days=SWAP_HORIZON_DAYS),
        )
        .select_related("associate__user")
        .order_by("on", "associate__user__first_name")
    )
    mine = [e for e in upcoming if e.associate_id == me.pk]
    theirs = [e for e in upcoming if e.associate_id != me.pk]
    return mine, theirs
