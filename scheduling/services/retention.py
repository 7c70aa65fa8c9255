"""Scheduling's part of retention (registered in teams.selectors.retention_providers
from SchedulingConfig.ready()): a leaver's free text is blanked, live rows and
history alike — notes on time-off requests and swaps, the notes on their schedule
cells (plan and published copy), and the reasons written on their weekend duties
and comp days. The rows themselves stay: dates and kinds are not personal text,
and coverage history and the ledger's counts depend on them."""

from django.db.models import Model, Q, QuerySet

from teams.models import Associate

from ..models import (
    CompDay,
    PublishedEntry,
    ScheduleEntry,
    ShiftSwap,
    TimeOffRequest,
    WeekendDuty,
)


def _blank(queryset: QuerySet[Model], fields: dict[str, str]) -> None:
    """Blank `fields` on the rows and, where the model keeps history, on every
    version of them (a queryset update leaves no new history version)."""
    ids = list(queryset.values_list("pk", flat=True))
    queryset.update(**fields)
    history = getattr(queryset.model, "history", None)
    if history is not None:
        history.model.objects.filter(id__in=ids).update(**fields)


def anonymise_associate(associate: Associate) -> None:
    notes = {"note": "", "decision_note": ""}
    _blank(TimeOffRequest.objects.filter(associate=associate), notes)
    _blank(ShiftSwap.objects.filter(Q(requester=associate) | Q(partner=associate)), notes)
    _blank(ScheduleEntry.objects.filter(associate=associate), {"note": ""})
    _blank(PublishedEntry.objects.filter(associate=associate), {"note": ""})
    _blank(WeekendDuty.objects.filter(associate=associate), {"reason": ""})
    _blank(CompDay.objects.filter(associate=associate), {"reason": ""})
