"""Volume history: contacts offered and handled, and handle time, per queue per interval."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from .queues import Queue


class QueueVolume(models.Model):
    """What one interval of one queue brought: stored by the interval's UTC start, shown
    in the site's zone. One row per queue and interval; a later upload of the same
    interval replaces its figures (a corrected export), never adds a second row."""

    class Source(models.TextChoices):
        UPLOAD = "upload", "CSV upload"
        API = "api", "API"
        COMMAND = "command", "Management command"
        DEMO = "demo", "Demo seed"

    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, related_name="volumes")
    starts_at = models.DateTimeField(help_text="The interval's start (UTC).")
    offered = models.PositiveIntegerField()
    handled = models.PositiveIntegerField()
    handle_time_seconds = models.PositiveIntegerField(
        null=True, blank=True, help_text="Average handle time of the handled contacts."
    )
    source = models.CharField(max_length=8, choices=Source.choices)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    received_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["queue", "starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["queue", "starts_at"], name="one_volume_per_interval"),
            models.CheckConstraint(
                condition=Q(handled__lte=F("offered")),
                name="volume_handled_at_most_offered",
                violation_error_message="More contacts handled than offered.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.queue} {self.starts_at:%Y-%m-%d %H:%M}Z: {self.offered}"
