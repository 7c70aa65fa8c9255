"""The improvement board: ideas for a team's process, who supports them, and the
trial that measures whether they moved their KPI (issue 16)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from teams.models import Associate, Team

from .kpis import Kpi


class IdeaQuerySet(models.QuerySet["Idea"]):
    def for_teams(self, team_ids: object) -> "IdeaQuerySet":
        return self.filter(team_id__in=team_ids)


class Idea(models.Model):
    """A process change someone on the team proposes, and the KPI it should move.
    Its history (django-simple-history) is the decision log: who moved it from new
    to trial to adopted or dropped, when, and the note they wrote."""

    class Direction(models.TextChoices):
        UP = "up", "Go up"
        DOWN = "down", "Go down"

    class Status(models.TextChoices):
        NEW = "new", "New"
        TRIAL = "trial", "On trial"
        ADOPTED = "adopted", "Adopted"
        DROPPED = "dropped", "Dropped"

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="ideas")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    problem = models.TextField()
    proposal = models.TextField()
    kpi = models.ForeignKey(Kpi, on_delete=models.PROTECT, related_name="ideas")
    direction = models.CharField(
        max_length=4, choices=Direction.choices, help_text="Which way the KPI should move."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    created_at = models.DateTimeField(auto_now_add=True)
    decision_note = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    objects = IdeaQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["new", "trial"]) | Q(decided_at__isnull=False),
                name="idea_decided_has_a_date",
                violation_error_message="An adopted or dropped idea records when it was decided.",
            ),
        ]

    def __str__(self) -> str:
        return f"Idea #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.NEW, self.Status.TRIAL)


class Support(models.Model):
    """A teammate backs an idea: once per person."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["idea", "user"], name="support_once_per_person"),
        ]

    def __str__(self) -> str:
        return f"Support of idea #{self.idea_id}"


class Trial(models.Model):
    """The period an idea is tried in, on the whole team or named associates, and
    optionally a comparison team that carries on as before."""

    idea = models.OneToOneField(Idea, on_delete=models.CASCADE, related_name="trial")
    starts_on = models.DateField()
    ends_on = models.DateField()
    whole_team = models.BooleanField(default=True)
    pilot = models.ManyToManyField(Associate, blank=True, related_name="+")
    comparison_team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="trial_ends_after_start",
                violation_error_message="A trial ends on or after its first day.",
            ),
        ]

    def __str__(self) -> str:
        return f"Trial of idea #{self.idea_id}"

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1
