"""Queues: the work a team answers, each with its channel, skill and service targets."""

import datetime as dt

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from teams.models import Skill, Team


class QueueQuerySet(models.QuerySet["Queue"]):
    def active(self) -> "QueueQuerySet":
        return self.filter(is_active=True)

    def for_team(self, team: Team) -> "QueueQuerySet":
        return self.filter(team=team)


class Queue(models.Model):
    """One queue a team staffs: live (chat, phone) answered while the contact waits,
    sized with Erlang C; or deferred (e-mail, tickets) answered within a response
    time, sized by workload with the backlog carried. Opening hours are the site's."""

    class Channel(models.TextChoices):
        LIVE = "live", "Live (chat, phone)"
        DEFERRED = "deferred", "Deferred (e-mail, tickets)"

    class Interval(models.IntegerChoices):
        HALF_HOUR = 30, "30 minutes"
        QUARTER_HOUR = 15, "15 minutes"

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="queues")
    name = models.CharField(max_length=80)
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.LIVE)
    skill = models.ForeignKey(
        Skill,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who may work it: people at least capable in this skill.",
    )
    service_level_percent = models.PositiveSmallIntegerField(
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
        help_text="Live: share answered within the target time. Deferred: share handled "
        "within the response time.",
    )
    target_seconds = models.PositiveIntegerField(
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(7 * 24 * 3600)],
        help_text="Live: answer within (seconds), e.g. 60. Deferred: respond within "
        "(seconds), e.g. 14400 for 4 hours.",
    )
    handle_time_seconds = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 3600)],
        help_text="Average handle time. Leave empty to take it from the volume history.",
    )
    shrinkage_percent = models.PositiveSmallIntegerField(
        default=30,
        validators=[MaxValueValidator(90)],
        help_text="Paid time away from the queue that the plan does not show: sickness, "
        "short breaks, unbooked coaching and admin. Unpaid breaks, approved leave and booked "
        "activities and 1:1s are already taken off supply.",
    )
    max_occupancy_percent = models.PositiveSmallIntegerField(
        default=85,
        validators=[MinValueValidator(50), MaxValueValidator(100)],
        help_text="The busiest share of time an agent should spend handling contacts.",
    )
    interval_minutes = models.PositiveSmallIntegerField(
        choices=Interval.choices, default=Interval.HALF_HOUR
    )
    is_active = models.BooleanField(default=True)
    history = HistoricalRecords()

    objects = QueueQuerySet.as_manager()

    # The handle time a queue with neither a setting nor any history is planned with.
    DEFAULT_HANDLE_SECONDS = 360

    class Meta:
        ordering = ["team", "name"]
        constraints = [
            models.UniqueConstraint(fields=["team", "name"], name="queue_unique_name_per_team"),
            models.CheckConstraint(
                condition=Q(service_level_percent__gte=1, service_level_percent__lte=99),
                name="queue_service_level_in_range",
            ),
            models.CheckConstraint(
                condition=Q(shrinkage_percent__lte=90), name="queue_shrinkage_in_range"
            ),
            models.CheckConstraint(
                condition=Q(max_occupancy_percent__gte=50, max_occupancy_percent__lte=100),
                name="queue_occupancy_in_range",
            ),
            models.CheckConstraint(
                condition=Q(interval_minutes__in=[15, 30]), name="queue_interval_15_or_30"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_live(self) -> bool:
        return self.channel == self.Channel.LIVE

    @property
    def interval(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.interval_minutes)

    def target_label(self) -> str:
        """ "80 % in 60 s" or "90 % within 4 h", as the lead says it."""
        seconds = self.target_seconds
        if seconds % 3600 == 0:
            span = f"{seconds // 3600} h"
        elif seconds % 60 == 0 and seconds >= 120:
            span = f"{seconds // 60} min"
        else:
            span = f"{seconds} s"
        word = "in" if self.is_live else "within"
        return f"{self.service_level_percent} % {word} {span}"
