"""Onboarding: a team's checklist template, a new joiner's plan made from it (items
with an owner and a due date relative to the start date), and skill ramp targets.
"""

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .roster import Associate, AssociateSkill, Skill, Team


class ItemKind(models.TextChoices):
    ACCOUNT = "account", "Account"
    TOOL = "tool", "Tool"
    TRAINING = "training", "Training"
    SHADOWING = "shadowing", "Shadowing"
    BUDDY = "buddy", "Buddy"
    ONE_ON_ONE = "one_on_one", "1:1"
    CHECK_IN = "check_in", "Check-in"
    OTHER = "other", "Other"


class OwnerRole(models.TextChoices):
    LEAD = "lead", "Team lead"
    BUDDY = "buddy", "Buddy"
    JOINER = "joiner", "New joiner"


class OnboardingTemplate(models.Model):
    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="onboarding_template")
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Onboarding template · {self.team}"


class TemplateItem(models.Model):
    template = models.ForeignKey(OnboardingTemplate, on_delete=models.CASCADE, related_name="items")
    title = models.CharField(max_length=150)
    kind = models.CharField(max_length=12, choices=ItemKind.choices, default=ItemKind.OTHER)
    owner_role = models.CharField(max_length=8, choices=OwnerRole.choices, default=OwnerRole.LEAD)
    due_day = models.SmallIntegerField(
        default=0,
        validators=[MinValueValidator(-30), MaxValueValidator(365)],
        help_text="Days after the start date (0 = the first day, negative = before it).",
    )

    class Meta:
        ordering = ["due_day", "pk"]

    def __str__(self) -> str:
        return self.title


class OnboardingPlan(models.Model):
    associate = models.OneToOneField(
        Associate, on_delete=models.CASCADE, related_name="onboarding_plan"
    )
    starts_on = models.DateField()
    buddy = models.ForeignKey(
        Associate, on_delete=models.SET_NULL, null=True, blank=True, related_name="buddy_of"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    invitation_sent_at = models.DateTimeField(
        null=True, blank=True, help_text="The login invitation, sent on the start date."
    )

    def __str__(self) -> str:
        return f"Onboarding · {self.associate}"

    def day(self, offset: int) -> dt.date:
        return self.starts_on + dt.timedelta(days=offset)


class OnboardingItem(models.Model):
    plan = models.ForeignKey(OnboardingPlan, on_delete=models.CASCADE, related_name="items")
    title = models.CharField(max_length=150)
    kind = models.CharField(max_length=12, choices=ItemKind.choices, default=ItemKind.OTHER)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    due_on = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reminded_at = models.DateTimeField(
        null=True, blank=True, help_text="The owner's one reminder, claimed when sent."
    )

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_done(self) -> bool:
        return self.done_at is not None


class RampTarget(models.Model):
    """'Payments: proficient by day 60' — shown on the skills matrix."""

    plan = models.ForeignKey(OnboardingPlan, on_delete=models.CASCADE, related_name="ramp_targets")
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="+")
    level = models.PositiveSmallIntegerField(
        choices=AssociateSkill.Proficiency.choices, default=AssociateSkill.Proficiency.PROFICIENT
    )
    by_day = models.PositiveSmallIntegerField(
        default=60, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )

    class Meta:
        ordering = ["by_day", "skill__name"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "skill"], name="one_ramp_target_per_skill"),
            models.CheckConstraint(
                condition=Q(level__gte=1) & Q(level__lte=4), name="ramp_level_in_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.skill}: {self.get_level_display()} by day {self.by_day}"

    @property
    def due_on(self) -> dt.date:
        return self.plan.day(self.by_day)
