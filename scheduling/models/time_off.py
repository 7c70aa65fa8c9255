"""Time off requests and paid-leave allowances."""

import datetime as dt

from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from teams.models import Associate

from .schedule import Decided


class DayPart(models.TextChoices):
    WHOLE = "whole", "Whole day"
    MORNING = "morning", "Morning only"
    AFTERNOON = "afternoon", "Afternoon only"


class TimeOffRequest(Decided):
    """Leave over whole days, where the first day may start in the afternoon and the
    last day may end at noon: a half day counts 0.5 wherever leave is counted. A
    one-day request is a morning (`last_day_part`) or an afternoon (`first_day_part`)."""

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
    first_day_part = models.CharField(
        max_length=9,
        choices=[(DayPart.WHOLE, "Whole day"), (DayPart.AFTERNOON, "Afternoon only")],
        default=DayPart.WHOLE,
    )
    last_day_part = models.CharField(
        max_length=9,
        choices=[(DayPart.WHOLE, "Whole day"), (DayPart.MORNING, "Morning only")],
        default=DayPart.WHOLE,
    )
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
            models.CheckConstraint(
                condition=Q(first_day_part__in=[DayPart.WHOLE, DayPart.AFTERNOON])
                & Q(last_day_part__in=[DayPart.WHOLE, DayPart.MORNING]),
                name="time_off_half_days_at_the_ends",
                violation_error_message="Only the first day may start in the afternoon and "
                "only the last day may end at noon.",
            ),
            models.CheckConstraint(
                condition=~Q(
                    first_day=F("last_day"),
                    first_day_part=DayPart.AFTERNOON,
                    last_day_part=DayPart.MORNING,
                ),
                name="time_off_one_half_of_one_day",
                violation_error_message="One day is either the morning or the afternoon.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.period()}"

    def days(self) -> list[dt.date]:
        """Every day the request touches, half days included."""
        count = (self.last_day - self.first_day).days + 1
        return [self.first_day + dt.timedelta(days=n) for n in range(count)]

    def half_days(self) -> dict[dt.date, str]:
        """The days only half taken, and which half is off (a DayPart)."""
        halves = {}
        if self.first_day_part == DayPart.AFTERNOON:
            halves[self.first_day] = DayPart.AFTERNOON.value
        if self.last_day_part == DayPart.MORNING:
            halves[self.last_day] = DayPart.MORNING.value
        return halves

    def whole_days(self) -> list[dt.date]:
        """The days off from morning to evening: the ones that take a person off the plan."""
        halves = self.half_days()
        return [d for d in self.days() if d not in halves]

    def fraction_on(self, day: dt.date) -> float:
        """How much of `day` the request takes: 1, 0.5 for a half day, 0 outside it."""
        if not self.first_day <= day <= self.last_day:
            return 0.0
        return 0.5 if day in self.half_days() else 1.0

    def period(self) -> str:
        """The dates as people say them: "Tue 8 Jan 2030, morning",
        "Mon 7 Jan (from the afternoon) – Fri 11 Jan 2030 (until noon)"."""
        halves = self.half_days()
        if self.first_day == self.last_day:
            part = halves.get(self.first_day)
            return f"{self.first_day:%a %-d %b %Y}" + (f", {part}" if part else "")
        start = f"{self.first_day:%a %-d %b}"
        if self.first_day.year != self.last_day.year:
            start += f" {self.first_day:%Y}"
        if self.first_day in halves:
            start += " (from the afternoon)"
        end = f"{self.last_day:%a %-d %b %Y}"
        if self.last_day in halves:
            end += " (until noon)"
        return f"{start} – {end}"


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
