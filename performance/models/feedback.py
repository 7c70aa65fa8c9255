"""Feedback on an associate: a lead's (praise or constructive, shared or private
to its author) and peers' kudos. It hangs off the associate and moves with them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from teams.models import Associate

from .kpis import Kpi


class FeedbackQuerySet(models.QuerySet["Feedback"]):
    def shared(self) -> "FeedbackQuerySet":
        return self.filter(is_private=False)

    def visible_to(self, user_id: int) -> "FeedbackQuerySet":
        """Shared feedback, plus private feedback written by `user_id`."""
        return self.filter(Q(is_private=False) | Q(author_id=user_id))


class Feedback(models.Model):
    """Continuous feedback to an associate: a lead's note or a peer's kudos."""

    class Kind(models.TextChoices):
        PRAISE = "praise", "Praise"
        CONSTRUCTIVE = "constructive", "Constructive"

    class Source(models.TextChoices):
        LEAD = "lead", "Lead"
        PEER = "peer", "Peer kudos"

    associate = models.ForeignKey(Associate, on_delete=models.CASCADE, related_name="feedback")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="feedback_given"
    )
    source = models.CharField(max_length=5, choices=Source.choices, default=Source.LEAD)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.PRAISE)
    situation = models.TextField()
    behaviour = models.TextField()
    impact = models.TextField(blank=True)
    kpi = models.ForeignKey(Kpi, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    about_on = models.DateField(null=True, blank=True, help_text="The day it is about, if any.")
    is_private = models.BooleanField(
        default=False, help_text="Private: your own record only; the associate does not see it."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "feedback"
        constraints = [
            models.CheckConstraint(
                condition=~Q(source="peer") | Q(kind="praise", is_private=False),
                name="peer_kudos_are_shared_praise",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.associate_id} on {self.created_at:%Y-%m-%d}"
