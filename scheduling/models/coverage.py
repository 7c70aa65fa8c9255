"""Coverage requirements: the minimum headcount of a team per kind of day, band and skill."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from teams.models import Skill, Team

from .schedule import DayKind, ShiftTemplate


class CoverageRequirement(models.Model):
    """Minimum headcount for a team on weekdays or weekend days.

    Without a shift template it counts everyone on shift that day; with one, only
    that band. With a skill, only people at least capable in that skill count.
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="coverage_requirements")
    day_kind = models.CharField(max_length=8, choices=DayKind.choices)
    template = models.ForeignKey(
        ShiftTemplate,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="shift band",
        help_text="Leave empty for the whole day.",
    )
    skill = models.ForeignKey(
        Skill,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="Leave empty to count everyone.",
    )
    min_headcount = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(500)]
    )

    class Meta:
        ordering = ["team", "day_kind", "template", "skill"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "day_kind", "template", "skill"],
                name="coverage_unique_band_skill",
            ),
            models.UniqueConstraint(
                fields=["team", "day_kind"],
                condition=Q(template__isnull=True, skill__isnull=True),
                name="coverage_unique_day",
            ),
            models.UniqueConstraint(
                fields=["team", "day_kind", "template"],
                condition=Q(skill__isnull=True),
                name="coverage_unique_band",
            ),
            models.UniqueConstraint(
                fields=["team", "day_kind", "skill"],
                condition=Q(template__isnull=True),
                name="coverage_unique_skill",
            ),
        ]

    def __str__(self) -> str:
        scope = " · ".join(str(x) for x in (self.template, self.skill) if x) or "whole day"
        return f"{self.team} {self.get_day_kind_display()}: {scope} ≥ {self.min_headcount}"
