"""Time off requests and paid-leave allowances."""

import datetime as dt

from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from teams.models import Associate

from .schedule import Decided


class TimeOffRequest(Decided):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        DENIED = "denied", "Denied"
        CANCELLED = "cancelled", "Cancelled"

    class Type(models.TextChoices):
        ANNUAL = "annual", "Annual leave (paid)"
        SICK = "sick", "Sick leave"
        UNPAID = "unpaid", "Unpaid leave"
        OTHER = "other", "Other"

    associate = models.ForeignKey(Associate, on_delete=models.CASCADE, related_name="time_off")
    first_day = models.DateField()
    last_day = models.DateField()
    type = models.CharField(max_length=10, choices=Type.choices, default=Type.ANNUAL)
    note = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["first_day"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_day__gte=F("first_day")),
                name="time_off_ends_after_start",
                violation_error_message="The last day cannot be before the first day.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.first_day}–{self.last_day}"

    def days(self) -> list[dt.date]:
        count = (self.last_day - self.first_day).days + 1
        return [self.first_day + dt.timedelta(days=n) for n in range(count)]


class LeaveAllowance(models.Model):
    """Paid leave days per associate per calendar year."""

    DEFAULT_DAYS = 20

    associate = models.ForeignKey(Associate, on_delete=models.CASCADE, related_name="allowances")
    year = models.PositiveSmallIntegerField()
    paid_days = models.PositiveSmallIntegerField(default=DEFAULT_DAYS)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["associate", "year"], name="one_allowance_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.associate} {self.year}: {self.paid_days} days"
