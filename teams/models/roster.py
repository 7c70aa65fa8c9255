import datetime as dt
import zoneinfo
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone


class User(AbstractUser):
    """A person who logs in: associate, lead, manager or ops admin.

    What a user may see follows from the roster (Team.leads, Team.manager,
    Associate.user), not from groups; see teams/access.py.
    """

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not an IANA time zone such as Europe/Dublin.")


class Site(models.Model):
    """A delivery center: its own time zone, opening hours and holiday calendar."""

    name = models.CharField(max_length=100, unique=True)
    time_zone = models.CharField(
        max_length=64,
        validators=[validate_time_zone],
        help_text="IANA zone, e.g. Europe/Dublin. All 'today' logic uses this zone.",
    )
    country = models.CharField(
        max_length=2,
        validators=[RegexValidator(r"^[A-Z]{2}$", "Use a two-letter ISO country code, e.g. IE.")],
        help_text="ISO 3166 country code for public holidays.",
    )
    weekday_opens_at = models.TimeField(default=dt.time(7, 0))
    weekday_closes_at = models.TimeField(default=dt.time(19, 0))
    weekend_opens_at = models.TimeField(default=dt.time(9, 0))
    weekend_closes_at = models.TimeField(default=dt.time(17, 30))

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weekday_closes_at__gt=models.F("weekday_opens_at")),
                name="site_weekday_closes_after_opening",
                violation_error_message="Weekday closing time must be after opening time.",
            ),
            models.CheckConstraint(
                condition=Q(weekend_closes_at__gt=models.F("weekend_opens_at")),
                name="site_weekend_closes_after_opening",
                violation_error_message="Weekend closing time must be after opening time.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @cached_property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def local_now(self) -> dt.datetime:
        return timezone.now().astimezone(self.zone)

    def local_today(self) -> dt.date:
        return self.local_now().date()

    def opening_hours_on(self, day: dt.date) -> tuple[dt.time, dt.time]:
        if day.weekday() >= 5:
            return self.weekend_opens_at, self.weekend_closes_at
        return self.weekday_opens_at, self.weekday_closes_at


class Team(models.Model):
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=100)
    leads = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="led_teams",
        blank=True,
        help_text="Team leads (player-coaches) who run this team day to day.",
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_teams",
    )

    class Meta:
        ordering = ["site__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["site", "name"], name="team_unique_name_per_site"),
        ]

    def __str__(self) -> str:
        return self.name


class Skill(models.Model):
    """A skill or a queue an associate can work (e.g. Payments, Live chat)."""

    class Kind(models.TextChoices):
        SKILL = "skill", "Skill"
        QUEUE = "queue", "Queue"

    name = models.CharField(max_length=80, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SKILL)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class AssociateQuerySet(models.QuerySet["Associate"]):
    def active(self) -> "AssociateQuerySet":
        return self.filter(is_active=True)

    def for_team(self, team: Team) -> "AssociateQuerySet":
        return self.filter(team=team)

    def with_roster_data(self) -> "AssociateQuerySet":
        return self.select_related("user", "team").prefetch_related(
            models.Prefetch(
                "skill_levels",
                queryset=AssociateSkill.objects.select_related("skill").order_by(
                    "skill__kind", "skill__name"
                ),
            )
        )

    def search(self, text: str) -> "AssociateQuerySet":
        query = Q()
        for word in text.split():
            query &= (
                Q(user__first_name__icontains=word)
                | Q(user__last_name__icontains=word)
                | Q(user__username__icontains=word)
                | Q(title__icontains=word)
            )
        return self.filter(query)


class Associate(models.Model):
    """A person on a team's roster. Leads are player-coaches and may have one too."""

    class Level(models.TextChoices):
        L1 = "L1", "L1 · Associate"
        L2 = "L2", "L2 · Associate"
        L3 = "L3", "L3 · Senior associate"
        L4 = "L4", "L4 · Specialist"
        LEAD = "LEAD", "Team lead"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="associate"
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="associates")
    title = models.CharField(max_length=100, default="Support Associate")
    level = models.CharField(max_length=4, choices=Level.choices, default=Level.L1)
    hired_on = models.DateField()
    left_on = models.DateField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    anonymised_at = models.DateTimeField(
        null=True, blank=True, help_text="When retention anonymised this leaver's personal data."
    )
    weekly_hours = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        default=Decimal("39.0"),
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("48"))],
        help_text="Contracted hours per week.",
    )
    skills = models.ManyToManyField(Skill, through="AssociateSkill", related_name="associates")

    objects = AssociateQuerySet.as_manager()

    class Meta:
        ordering = ["user__first_name", "user__last_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weekly_hours__gt=0) & Q(weekly_hours__lte=48),
                name="associate_weekly_hours_in_range",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("hired_on")),
                name="associate_leaves_after_hire",
            ),
        ]

    def __str__(self) -> str:
        return self.user.display_name

    @property
    def name(self) -> str:
        return self.user.display_name


class AssociateSkill(models.Model):
    class Proficiency(models.IntegerChoices):
        LEARNING = 1, "Learning"
        CAPABLE = 2, "Capable"
        PROFICIENT = 3, "Proficient"
        EXPERT = 4, "Expert"

    associate = models.ForeignKey(Associate, on_delete=models.CASCADE, related_name="skill_levels")
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="associate_levels")
    level = models.PositiveSmallIntegerField(choices=Proficiency.choices)

    class Meta:
        ordering = ["skill__kind", "skill__name"]
        constraints = [
            models.UniqueConstraint(fields=["associate", "skill"], name="one_level_per_skill"),
            models.CheckConstraint(
                condition=Q(level__gte=1) & Q(level__lte=4), name="skill_level_in_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.skill}: {self.get_level_display()}"


class AuditLogIsAppendOnly(Exception):
    """An audit event was about to be changed or deleted: the log only grows."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    # What deleting a user, team or site does to its events (on_delete=SET_NULL): the
    # one update allowed, here and by the PostgreSQL trigger.
    FORGETTABLE = frozenset({"actor", "actor_id", "team", "team_id", "site", "site_id"})

    def update(self, **kwargs: Any) -> int:
        if kwargs and all(k in self.FORGETTABLE and v is None for k, v in kwargs.items()):
            return super().update(**kwargs)
        raise AuditLogIsAppendOnly("Audit events cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditLogIsAppendOnly("Audit events cannot be deleted.")

    def about(self, obj: models.Model) -> "AuditEventQuerySet":
        return self.filter(target_type=obj._meta.label_lower, target_id=obj.pk)


class AuditEvent(models.Model):
    """One thing that happened, for an ops admin to read and filter: who did what to
    what, where and from which address. Append-only: written by `teams.audit.record`,
    never changed or deleted (the model refuses, and on PostgreSQL a trigger does).

    It names people (labels) and fields, never their text, passwords or secrets; the
    labels are kept as they were when the event happened, even after the user, team
    or site itself is gone (the foreign keys then become NULL, the only change the
    trigger lets through).
    """

    class Action(models.TextChoices):
        LOGIN = "auth.login", "Logged in"
        LOGOUT = "auth.logout", "Logged out"
        LOGIN_FAILED = "auth.login_failed", "Login failed"
        LOGIN_LOCKED_OUT = "auth.login_locked_out", "Login refused: locked out"
        PASSWORD_RESET_SENT = "auth.password_reset_sent", "Password reset e-mailed"
        PASSWORD_RESET_DONE = "auth.password_reset_done", "Password set from a reset link"
        PASSWORD_CHANGED = "auth.password_changed", "Password changed"
        INVITATION_SENT = "invitation.sent", "Invitation e-mailed"
        INVITATION_ACCEPTED = "invitation.accepted", "Invitation accepted"
        ASSOCIATE_CREATED = "roster.associate_created", "Associate added"
        ASSOCIATE_CHANGED = "roster.associate_changed", "Associate changed"
        ASSOCIATE_MOVED = "roster.associate_moved", "Associate moved team"
        ASSOCIATE_LEFT = "roster.associate_left", "Associate left"
        ASSOCIATE_REACTIVATED = "roster.associate_reactivated", "Associate reactivated"
        ASSOCIATE_DELETED = "roster.associate_deleted", "Associate deleted"
        SKILLS_CHANGED = "roster.skills_changed", "Skills changed"
        USER_CREATED = "roster.user_created", "User added"
        USER_CHANGED = "roster.user_changed", "User changed"
        USER_DELETED = "roster.user_deleted", "User deleted"
        TEAM_CREATED = "roster.team_created", "Team added"
        TEAM_CHANGED = "roster.team_changed", "Team changed"
        TEAM_LEADS_CHANGED = "roster.team_leads_changed", "Team leads changed"
        TEAM_DELETED = "roster.team_deleted", "Team deleted"
        WEEK_PUBLISHED = "schedule.week_published", "Week published"
        API_TOKEN_CREATED = "api_token.created", "API token created"
        API_TOKEN_ROTATED = "api_token.rotated", "API token replaced"
        API_TOKEN_REVOKED = "api_token.revoked", "API token revoked"
        REMINDER_CLAIMED = "reminder.claimed", "Reminder claimed"
        DATA_EXPORTED = "data.exported", "Data-access export"
        ANONYMISED = "retention.anonymised", "Leaver anonymised"
        FORECAST_OVERRIDDEN = "forecast.overridden", "Forecast overridden"
        FORECAST_OVERRIDE_REMOVED = "forecast.override_removed", "Forecast override removed"
        QUEUE_PLAN_PUBLISHED = "queue_plan.published", "Queue plan published"
        REQUISITION_CREATED = "hiring.requisition_created", "Requisition drafted"
        REQUISITION_CHANGED = "hiring.requisition_changed", "Requisition changed"
        REQUISITION_APPROVED = "hiring.requisition_approved", "Requisition approved"
        REQUISITION_OPENED = "hiring.requisition_opened", "Requisition opened"
        REQUISITION_FILLED = "hiring.requisition_filled", "Requisition filled"
        REQUISITION_CANCELLED = "hiring.requisition_cancelled", "Requisition cancelled"
        CANDIDATE_ADDED = "hiring.candidate_added", "Candidate added"
        CANDIDATE_CHANGED = "hiring.candidate_changed", "Candidate changed"
        CANDIDATE_EXPORTED = "hiring.candidate_exported", "Candidate data exported"
        CANDIDATE_ANONYMISED = "hiring.candidate_anonymised", "Candidate anonymised"
        CV_DOWNLOADED = "hiring.cv_downloaded", "CV downloaded"
        APPLICATION_MOVED = "hiring.application_moved", "Application moved"
        INTERVIEW_SCHEDULED = "hiring.interview_scheduled", "Interview scheduled"
        SCORECARD_SUBMITTED = "hiring.scorecard_submitted", "Scorecard submitted"
        OFFER_EXTENDED = "hiring.offer_extended", "Offer extended"
        OFFER_ACCEPTED = "hiring.offer_accepted", "Offer accepted: hired"
        OFFER_DECLINED = "hiring.offer_declined", "Offer declined"
        ONBOARDING_STARTED = "onboarding.started", "Onboarding started"

    occurred_at = models.DateTimeField(default=timezone.now, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who did it; empty for the system (a scheduled job) or nobody signed in.",
    )
    actor_label = models.CharField(
        max_length=150, help_text="The actor's username at the time (kept if they go)."
    )
    action = models.CharField(max_length=40, choices=Action.choices)
    target_type = models.CharField(max_length=100, blank=True)  # a model label: teams.associate
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    target_label = models.CharField(max_length=200, blank=True)
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    site = models.ForeignKey(
        Site, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    remote_addr = models.GenericIPAddressField(null=True, blank=True, verbose_name="address")
    details = models.JSONField(default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    # The JSON of `details` may not be longer than this (teams.audit.record trims it).
    DETAILS_MAX_CHARS = 2000

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            models.Index(fields=["-occurred_at"], name="auditevent_occurred_at"),
            models.Index(fields=["action", "-occurred_at"], name="auditevent_action"),
            models.Index(fields=["target_type", "target_id"], name="auditevent_target"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} by {self.actor_label or 'system'}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditLogIsAppendOnly("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditLogIsAppendOnly("Audit events cannot be deleted.")
