"""The day's queue plan: who works which queue in each interval of a team's day."""

from django.conf import settings
from django.db import models

from teams.models import Associate, Team

from .queues import Queue


class QueuePlan(models.Model):
    """A team's queue plan for one site-local day. The lead proposes (the solver), adjusts
    cells and publishes; associates see only what was published (`published_blocks`)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="queue_plans")
    on = models.DateField()
    interval_minutes = models.PositiveSmallIntegerField(default=30)
    proposed_at = models.DateTimeField(null=True, blank=True)
    proposal = models.JSONField(
        default=dict, blank=True, help_text="The solver's figures: status, objective, bound."
    )
    changed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # {associate id: [[start ISO, end ISO, queue name], ...]} as it stood when published.
    published_blocks = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["team", "on"]
        constraints = [
            models.UniqueConstraint(fields=["team", "on"], name="one_queue_plan_per_team_day"),
        ]

    def __str__(self) -> str:
        return f"{self.team} queue plan {self.on}"

    @property
    def has_unpublished_changes(self) -> bool:
        if self.changed_at is None:
            return False
        return self.published_at is None or self.changed_at > self.published_at


class QueueAssignment(models.Model):
    """One person in one interval of the plan: on a queue, or off the queues (null)."""

    plan = models.ForeignKey(QueuePlan, on_delete=models.CASCADE, related_name="assignments")
    associate = models.ForeignKey(Associate, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField(help_text="The interval's start (UTC).")
    queue = models.ForeignKey(
        Queue, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    pinned = models.BooleanField(
        default=False, help_text="Set by the lead by hand; a new proposal keeps it."
    )

    class Meta:
        ordering = ["plan", "associate", "starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "associate", "starts_at"], name="one_assignment_per_interval"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.associate_id} {self.starts_at:%H:%M}Z: {self.queue or 'off queue'}"
