"""Skills and training: modules, each associate's training plan, certifications with
an expiry, and a skill target per associate (existing staff; new joiners' ramp targets
are onboarding's RampTarget)."""

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from .roster import Associate, AssociateSkill, Skill, Team

MAX_MODULE_MINUTES = 100 * 60  # a course of 100 hours is the longest one recorded


class TrainingModule(models.Model):
    """A course that builds a skill: "Billing basics, 90 minutes". A team's own, or
    center-wide when it has no team (those are kept by ops admins)."""

    title = models.CharField(max_length=150)
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="training_modules")
    length_minutes = models.PositiveIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_MODULE_MINUTES)],
        help_text="How long the module takes, in minutes.",
    )
    description = models.TextField(blank=True)
    team = models.ForeignKey(
        Team,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="training_modules",
        help_text="Empty: a center-wide module every team may assign.",
    )
    is_active = models.BooleanField(default=True, help_text="Retired modules cannot be assigned.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["skill__name", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(length_minutes__gte=1) & Q(length_minutes__lte=MAX_MODULE_MINUTES),
                name="training_module_length_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def length_label(self) -> str:
        hours, minutes = divmod(self.length_minutes, 60)
        if not hours:
            return f"{minutes} min"
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"


class TrainingAssignmentQuerySet(models.QuerySet["TrainingAssignment"]):
    def open(self) -> "TrainingAssignmentQuerySet":
        return self.filter(done_at__isnull=True)

    def overdue_on(self, today: dt.date) -> "TrainingAssignmentQuerySet":
        return self.open().filter(due_on__lt=today)


class TrainingAssignment(models.Model):
    """One module on an associate's training plan, due on a day, ticked when done."""

    associate = models.ForeignKey(
        Associate, on_delete=models.CASCADE, related_name="training_assignments"
    )
    module = models.ForeignKey(TrainingModule, on_delete=models.CASCADE, related_name="assignments")
    due_on = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now)
    reminded_at = models.DateTimeField(
        null=True, blank=True, help_text="The one due-soon reminder, claimed when sent."
    )

    objects = TrainingAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["done_at", "due_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["associate", "module"],
                condition=Q(done_at__isnull=True),
                name="one_open_assignment_per_module",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.module} · due {self.due_on:%-d %b %Y}"

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    def is_overdue(self, today: dt.date) -> bool:
        return self.done_at is None and self.due_on < today


class Certification(models.Model):
    """ "Billing certified until 30 Apr": one per associate and skill, renewed by
    changing its dates (which re-arms its reminder)."""

    associate = models.ForeignKey(
        Associate, on_delete=models.CASCADE, related_name="certifications"
    )
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="certifications")
    certified_on = models.DateField()
    expires_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reminded_at = models.DateTimeField(
        null=True, blank=True, help_text="The one expiring-soon reminder, claimed when sent."
    )

    class Meta:
        ordering = ["expires_on", "skill__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["associate", "skill"], name="one_certification_per_skill"
            ),
            models.CheckConstraint(
                condition=Q(expires_on__gt=F("certified_on")),
                name="certification_expires_after_certified",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.skill} certified until {self.expires_on:%-d %b %Y}"

    def is_expired(self, today: dt.date) -> bool:
        return self.expires_on < today

    def expires_within(self, today: dt.date, days: int) -> bool:
        return today <= self.expires_on <= today + dt.timedelta(days=days)


class SkillTarget(models.Model):
    """ "Billing: proficient by 30 Jun" for someone already on the team (a new joiner's
    ramp targets are on their onboarding plan)."""

    associate = models.ForeignKey(Associate, on_delete=models.CASCADE, related_name="skill_targets")
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="+")
    level = models.PositiveSmallIntegerField(
        choices=AssociateSkill.Proficiency.choices, default=AssociateSkill.Proficiency.PROFICIENT
    )
    by_date = models.DateField()
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["by_date", "skill__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["associate", "skill"], name="one_skill_target_per_skill"
            ),
            models.CheckConstraint(
                condition=Q(level__gte=1) & Q(level__lte=4), name="skill_target_level_in_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.skill}: {self.get_level_display()} by {self.by_date:%-d %b %Y}"
