"""Shift swaps between two teammates."""

import datetime as dt

from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from teams.models import Associate

from .schedule import Decided


class ShiftSwap(Decided):
    """Two teammates exchange their cells on one or two days.

    The requester offers their published shift on `requester_day` for the
    partner's on `partner_day`; on approval both people's cells on both days are
    exchanged, so each still has exactly one entry per day.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Waiting for teammate"
        ACCEPTED = "accepted", "Waiting for lead"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined by teammate"
        DENIED = "denied", "Denied by lead"
        CANCELLED = "cancelled", "Cancelled"

    OPEN = (Status.PROPOSED, Status.ACCEPTED)

    requester = models.ForeignKey(Associate, on_delete=models.CASCADE, related_name="swaps_asked")
    requester_day = models.DateField()
    partner = models.ForeignKey(Associate, on_delete=models.CASCADE, related_name="swaps_offered")
    partner_day = models.DateField()
    note = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(requester=F("partner")), name="swap_between_two_people"
            ),
        ]

    def __str__(self) -> str:
        return f"Swap {self.requester} {self.requester_day} ⇄ {self.partner} {self.partner_day}"

    @property
    def days(self) -> list[dt.date]:
        return sorted({self.requester_day, self.partner_day})
