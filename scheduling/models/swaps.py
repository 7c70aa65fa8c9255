"""Shift swaps between two teammates, and the team's swap board of offered shifts."""

import datetime as dt

from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from teams.models import Associate

from .schedule import Decided


class SwapOffer(models.Model):
    """A shift an associate puts on the team's swap board ("anyone can take my Sat 12").

    A teammate who takes it turns it into a ShiftSwap the lead decides: a hand-over
    (they are off that day and work it instead) or a swap for one of their shifts.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        TAKEN = "taken", "Taken"
        WITHDRAWN = "withdrawn", "Withdrawn"
        CLOSED = "closed", "No longer open"

    offerer = models.ForeignKey(Associate, on_delete=models.CASCADE, related_name="swap_offers")
    on = models.DateField(help_text="The site-local day of the offered shift.")
    note = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["on", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["offerer", "on"],
                condition=Q(status__in=["open", "taken"]),
                name="one_live_offer_per_shift",
                violation_error_message="This shift is already on the swap board.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.offerer} offers {self.on} ({self.status})"


class ShiftSwap(Decided):
    """Two teammates exchange their cells on one or two days.

    The requester offers their published shift on `requester_day` for the
    partner's on `partner_day`; on approval both people's cells on both days are
    exchanged, so each still has exactly one entry per day. A hand-over is the
    one-day case where the partner is off that day: they work the shift and the
    requester gets their day off.
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
    is_hand_over = models.BooleanField(
        default=False, help_text="The partner works the requester's shift and gives none back."
    )
    offer = models.ForeignKey(
        SwapOffer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="swaps",
        help_text="The swap-board offer this swap took, if any.",
    )
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
            models.CheckConstraint(
                condition=Q(is_hand_over=False) | Q(requester_day=F("partner_day")),
                name="hand_over_is_one_day",
            ),
            # Two teammates taking one offer at once: only one swap stays open.
            models.UniqueConstraint(
                fields=["offer"],
                condition=Q(status__in=["proposed", "accepted"]),
                name="one_open_swap_per_offer",
            ),
        ]

    def __str__(self) -> str:
        return f"Swap {self.requester} {self.requester_day} ⇄ {self.partner} {self.partner_day}"

    @property
    def days(self) -> list[dt.date]:
        return sorted({self.requester_day, self.partner_day})
