"""The comp-day ledger: weekend duties, the comp days they earn, requests to move them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from teams.models import Associate


class WeekendDuty(models.Model):
    """A weekend day an associate works (or worked). Each earns exactly one CompDay."""

    associate = models.ForeignKey(
        Associate, on_delete=models.PROTECT, related_name="weekend_duties"
    )
    on = models.DateField()
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["on"]
        verbose_name_plural = "weekend duties"
        constraints = [
            models.UniqueConstraint(fields=["associate", "on"], name="one_duty_per_day"),
            models.CheckConstraint(
                condition=Q(on__iso_week_day__gte=6), name="duty_on_a_weekend_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.associate} works {self.on}"


class CompDay(models.Model):
    """The weekday off earned by one weekend duty. The ledger's unit.

    One per duty (a unique one-to-one), so a weekend day can never be counted
    twice; the balance is a count of open rows, so it can never go negative.
    """

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        OWED = "owed", "Earned, not yet scheduled"
        TAKEN = "taken", "Taken"
        EXPIRED = "expired", "Expired"

    duty = models.OneToOneField(WeekendDuty, on_delete=models.PROTECT, related_name="comp_day")
    associate = models.ForeignKey(Associate, on_delete=models.PROTECT, related_name="comp_days")
    on = models.DateField(null=True, blank=True, help_text="The weekday off, once scheduled.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    expires_on = models.DateField()
    reason = models.CharField(max_length=200, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["owed", "expired"]) | Q(on__isnull=False),
                name="comp_day_has_a_date_once_scheduled",
            ),
            models.CheckConstraint(
                condition=Q(on__isnull=True) | Q(on__iso_week_day__lte=5),
                name="comp_day_on_a_weekday",
            ),
            models.UniqueConstraint(
                fields=["associate", "on"],
                condition=Q(on__isnull=False),
                name="one_comp_day_per_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.associate} comp day {self.on or 'unscheduled'} ({self.status})"


class CompDayRequest(models.Model):
    """An associate asks to take a comp day on another weekday; the lead decides."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        DENIED = "denied", "Denied"

    comp_day = models.ForeignKey(CompDay, on_delete=models.CASCADE, related_name="requests")
    wanted_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(wanted_on__iso_week_day__lte=5), name="comp_request_on_a_weekday"
            ),
            models.UniqueConstraint(
                fields=["comp_day"],
                condition=Q(status="pending"),
                name="one_pending_request_per_comp_day",
                violation_error_message="This comp day already has an open request.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.comp_day.associate} wants {self.wanted_on} off"
