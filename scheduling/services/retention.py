"""Scheduling's part of retention (registered in teams.selectors.retention_providers
from SchedulingConfig.ready()): a leaver's free-text notes on time-off requests,
swaps and swap-board offers are blanked, live rows and history alike. Schedule
cells, weekend duties and the comp-day ledger stay as they are: they are dates and
kinds, not personal text, and coverage history and the ledger's counts depend on them."""

from django.db.models import Q

from teams.models import Associate

from ..models import ShiftSwap, SwapOffer, TimeOffRequest

NOTES = {"note": "", "decision_note": ""}


def anonymise_associate(associate: Associate) -> None:
    time_off = TimeOffRequest.objects.filter(associate=associate)
    swaps = ShiftSwap.objects.filter(Q(requester=associate) | Q(partner=associate))
    for queryset, history in (
        (time_off, TimeOffRequest.history.model),
        (swaps, ShiftSwap.history.model),
    ):
        ids = list(queryset.values_list("pk", flat=True))
        queryset.update(**NOTES)
        history.objects.filter(id__in=ids).update(**NOTES)
    offers = SwapOffer.objects.filter(offerer=associate)
    ids = list(offers.values_list("pk", flat=True))
    offers.update(note="")
    SwapOffer.history.model.objects.filter(id__in=ids).update(note="")
