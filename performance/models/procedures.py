"""A team's playbook: short procedure pages in markdown, every version kept with
who changed it and why (django-simple-history's change reason)."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from teams.models import Team

from .improvements import Idea

MAX_BODY = 20_000


class Procedure(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="procedures")
    title = models.CharField(max_length=200)
    # A bounded column: the database refuses a body over the limit too (PostgreSQL).
    body = models.CharField(max_length=MAX_BODY, help_text="Markdown; raw HTML shows as text.")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    adopted_from_idea = models.ForeignKey(
        Idea, on_delete=models.SET_NULL, null=True, blank=True, related_name="procedures"
    )
    # The "why" of each version, longer than simple-history's default 100 characters.
    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["team", "title"], name="procedure_title_once_a_team"),
        ]

    def __str__(self) -> str:
        return self.title
