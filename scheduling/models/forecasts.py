"""Forecasts of each queue's contacts per interval, and the lead's overrides."""

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from .queues import Queue


class QueueForecast(models.Model):
    """The latest forecast of a queue: the method the backtest chose, how accurate it
    and seasonal naive were, and what it rests on. A refresh replaces it (one per queue)."""

    class Method(models.TextChoices):
        SEASONAL_NAIVE = "seasonal_naive", "Seasonal naive (same day last week)"
        WEIGHTED_AVERAGE = "weighted_average", "Weighted average of recent weeks"
        HOLT_WINTERS = "holt_winters", "Holt-Winters (weekly seasonality)"

    queue = models.OneToOneField(Queue, on_delete=models.CASCADE, related_name="forecast")
    made_at = models.DateTimeField()
    made_for = models.DateField(help_text="The site-local day the forecast was made on.")
    method = models.CharField(max_length=20, choices=Method.choices)
    basis = models.CharField(max_length=300, help_text="What the figures rest on, in words.")
    wmape = models.FloatField(null=True, blank=True, help_text="Backtest error, last 4 weeks.")
    naive_wmape = models.FloatField(null=True, blank=True)
    history_days = models.PositiveSmallIntegerField()
    first_day = models.DateField()
    last_day = models.DateField()
    scores = models.JSONField(default=dict, blank=True, help_text="Backtest wMAPE per method.")
    day_basis = models.JSONField(
        default=dict, blank=True, help_text="Per forecast day (ISO date), why: the words."
    )
    notes = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["queue"]

    def __str__(self) -> str:
        return f"{self.queue} forecast {self.first_day}–{self.last_day}"

    def basis_on(self, day: dt.date) -> str:
        return self.day_basis.get(day.isoformat()) or self.basis

    def accuracy_label(self) -> str:
        """ "off by 8 % over the last 4 weeks (same day last week: 12 %)"."""
        if self.wmape is None:
            return "accuracy not measured yet (too little history)"
        text = f"off by {self.wmape:.0%} over the last weeks (wMAPE)"
        if self.naive_wmape is not None and self.method != self.Method.SEASONAL_NAIVE:
            text += f"; same day last week would be off by {self.naive_wmape:.0%}"
        return text.replace("%", " %")


class ForecastInterval(models.Model):
    """One interval of a queue's latest forecast (before the lead's overrides)."""

    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, related_name="forecast_intervals")
    starts_at = models.DateTimeField(help_text="The interval's start (UTC).")
    contacts = models.FloatField()
    handle_time_seconds = models.FloatField()

    class Meta:
        ordering = ["queue", "starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["queue", "starts_at"], name="one_forecast_per_interval"
            ),
            models.CheckConstraint(
                condition=Q(contacts__gte=0, handle_time_seconds__gt=0),
                name="forecast_figures_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.queue} {self.starts_at:%Y-%m-%d %H:%M}Z: {self.contacts:.1f}"


class ForecastOverride(models.Model):
    """The lead's correction of a forecast ("launch on Tuesday: +30 %"): a whole site-local
    day, or a part of it, scaled by a percentage. Applied when the forecast is read, so
    it survives every nightly refresh; audited."""

    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, related_name="overrides")
    on = models.DateField(help_text="The site-local day.")
    starts_at = models.TimeField(null=True, blank=True, help_text="Empty for the whole day.")
    ends_at = models.TimeField(null=True, blank=True)
    percent = models.SmallIntegerField(
        validators=[MinValueValidator(-100), MaxValueValidator(500)],
        help_text="+30 for 30 % more contacts, -50 for half.",
    )
    reason = models.CharField(max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["queue", "on", "starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__gte=-100, percent__lte=500),
                name="override_percent_in_range",
            ),
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True, ends_at__isnull=True)
                | Q(starts_at__isnull=False, ends_at__gt=F("starts_at")),
                name="override_part_of_day_ends_after_start",
                violation_error_message="A part of a day ends after it starts.",
            ),
        ]

    def __str__(self) -> str:
        part = f" {self.starts_at:%H:%M}–{self.ends_at:%H:%M}" if self.starts_at else ""
        return f"{self.queue} {self.on}{part}: {self.percent:+d} %"
