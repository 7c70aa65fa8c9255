"""Protected time: training, team meetings and other time off the queues on a working day.

Booked 1:1s and career conversations live in `performance`; they reach the plan through
the `protected_time_providers` registry (teams.selectors), not as rows here."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from teams.models import Associate, Team


class Activity(models.Model):
    class Kind(models.TextChoices):
        TRAINING = "training", "Training"
        TEAM_MEETING = "team_meeting", "Team meeting"
        COACHING = "coaching", "Coaching"
        PROJECT = "project", "Project time"

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    title = models.CharField(max_length=120)
    on = models.DateField(help_text="The site-local day.")
    starts_at = models.TimeField()
    ends_at = models.TimeField()
    attendees = models.ManyToManyField(Associate, related_name="activities")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["on", "starts_at"]
        verbose_name_plural = "activities"
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="activity_ends_after_start",
                violation_error_message="An activity ends after it starts.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.on} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"
