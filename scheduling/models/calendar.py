"""Public holidays and the associate's iCal feed."""

import secrets

from django.db import models

from teams.models import Associate, Site


class PublicHoliday(models.Model):
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="public_holidays")
    on = models.DateField()
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["site", "on"]
        constraints = [
            models.UniqueConstraint(fields=["site", "on"], name="one_holiday_per_site_day"),
        ]

    def __str__(self) -> str:
        return f"{self.on:%d %b %Y} {self.name}"


class CalendarFeed(models.Model):
    """A secret, revocable URL for an associate's published schedule as iCal."""

    associate = models.OneToOneField(
        Associate, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Calendar feed of {self.associate}"

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)
