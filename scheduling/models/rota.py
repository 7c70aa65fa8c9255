"""How a team staffs its weekends: settings, wishes and generated proposals."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from teams.models import Associate, Skill, Team

from .schedule import MAX_CONSECUTIVE_DAYS, ShiftTemplate


class RotaSettings(models.Model):
    """How a team staffs its weekends. Defaults follow DESIGN.md."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="rota_settings")
    saturday_headcount = models.PositiveSmallIntegerField(default=2)
    sunday_headcount = models.PositiveSmallIntegerField(default=2)
    weekend_template = models.ForeignKey(
        ShiftTemplate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The shift weekend duties use; empty = the site's first weekend template.",
    )
    max_consecutive_days = models.PositiveSmallIntegerField(default=MAX_CONSECUTIVE_DAYS)
    comp_window_weeks = models.PositiveSmallIntegerField(
        default=1,
        help_text="Comp days fall in the weekend's working week or up to this many weeks after.",
    )
    comp_expiry_days = models.PositiveSmallIntegerField(default=30)
    pooled_teams = models.ManyToManyField(
        Team,
        blank=True,
        related_name="rota_pools",
        help_text="Other teams of the site whose people staff these weekends too. Their "
        "weekday cover is kept team by team; this team's lead generates and accepts.",
    )
    back_to_back_for_volunteers_only = models.BooleanField(
        default=True,
        help_text="Two weekends in a row only for people who volunteered for one of them.",
    )

    class Meta:
        verbose_name_plural = "rota settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(max_consecutive_days__gte=5) & Q(max_consecutive_days__lte=12),
                name="rota_max_consecutive_sane",
            ),
            models.CheckConstraint(
                condition=Q(comp_window_weeks__lte=3), name="rota_comp_window_sane"
            ),
        ]

    def __str__(self) -> str:
        return f"Rota settings of {self.team}"


class WeekendSkillNeed(models.Model):
    settings = models.ForeignKey(RotaSettings, on_delete=models.CASCADE, related_name="skill_needs")
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="+")
    min_count = models.PositiveSmallIntegerField(default=1, help_text="Each weekend day.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["settings", "skill"], name="one_need_per_skill"),
        ]

    def __str__(self) -> str:
        return f"{self.skill} ≥ {self.min_count}"


class RotaWish(models.Model):
    """An associate's preference for the generator: volunteer or blackout a weekend day."""

    class Kind(models.TextChoices):
        VOLUNTEER = "volunteer", "Happy to work"
        BLACKOUT = "blackout", "Rather not work"

    associate = models.ForeignKey(Associate, on_delete=models.CASCADE, related_name="rota_wishes")
    on = models.DateField()
    kind = models.CharField(max_length=10, choices=Kind.choices)

    class Meta:
        ordering = ["on"]
        constraints = [
            models.UniqueConstraint(fields=["associate", "on"], name="one_wish_per_day"),
            models.CheckConstraint(
                condition=Q(on__iso_week_day__gte=6), name="wish_on_a_weekend_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.associate} {self.on}: {self.get_kind_display()}"


class RotaPreference(models.Model):
    associate = models.OneToOneField(
        Associate, on_delete=models.CASCADE, related_name="rota_preference"
    )
    preferred_comp_weekday = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        choices=[(0, "Monday"), (1, "Tuesday"), (2, "Wednesday"), (3, "Thursday"), (4, "Friday")],
    )

    def __str__(self) -> str:
        return f"Rota preference of {self.associate}"


class RotaProposal(models.Model):
    """A generated rota waiting for the lead: the plan with its reasons, as JSON."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="rota_proposals")
    first_day = models.DateField()
    last_day = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    duties = models.JSONField(default=list)
    conflicts = models.JSONField(default=list)
    fairness = models.JSONField(default=dict)
    objective = models.BigIntegerField(null=True, blank=True)
    bound = models.BigIntegerField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Rota proposal for {self.team} {self.first_day}–{self.last_day}"

    @property
    def is_feasible(self) -> bool:
        return not self.conflicts
