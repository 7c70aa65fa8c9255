"""Goals of an associate or a team over a period (linked to a KPI or checked in
by hand), and their check-ins."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from teams.models import Associate, Team

from .kpis import Kpi


class GoalQuerySet(models.QuerySet["Goal"]):
    def for_associate(self, associate: Associate) -> "GoalQuerySet":
        """The associate's own goals and their current team's goals."""
        return self.filter(Q(associate=associate) | Q(team_id=associate.team_id))

    def current(self, today: dt.date) -> "GoalQuerySet":
        return self.filter(starts_on__lte=today, ends_on__gte=today)


class Goal(models.Model):
    """A measurable goal for an associate or a team over a period. Linked to a KPI
    it computes its progress from the daily rollups; otherwise check-ins move it."""

    class Status(models.TextChoices):
        ON_TRACK = "on_track", "On track"
        AT_RISK = "at_risk", "At risk"
        OFF_TRACK = "off_track", "Off track"
        ACHIEVED = "achieved", "Achieved"
        MISSED = "missed", "Missed"
        DROPPED = "dropped", "Dropped"

    associate = models.ForeignKey(
        Associate, on_delete=models.CASCADE, null=True, blank=True, related_name="goals"
    )
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, null=True, blank=True, related_name="goals"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField()
    kpi = models.ForeignKey(
        Kpi,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="goals",
        help_text="Linked to a KPI, progress is computed from the daily rollups.",
    )
    target_value = models.FloatField(help_text="The measurable target, e.g. 90 (%) or 600.")
    unit = models.CharField(max_length=20, blank=True)
    current_value = models.FloatField(
        null=True, blank=True, help_text="For goals without a KPI: the last checked-in value."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ON_TRACK)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = GoalQuerySet.as_manager()

    class Meta:
        ordering = ["ends_on", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(associate__isnull=False, team__isnull=True)
                | Q(associate__isnull=True, team__isnull=False),
                name="goal_for_associate_or_team",
                violation_error_message="A goal is for one associate or one team.",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="goal_ends_after_start",
                violation_error_message="The period must end on or after its start.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_kpi_linked(self) -> bool:
        return self.kpi_id is not None


class GoalCheckIn(models.Model):
    """A manual update on a goal: where it stands and a note."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="check_ins")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    value = models.FloatField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Goal.Status.choices)
    note = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "goal check-in"

    def __str__(self) -> str:
        return f"Check-in on goal {self.goal_id}"
