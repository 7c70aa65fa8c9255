"""Recognition: opt-in birthdays and a lead's welcome message for a new joiner.
(Kudos are Feedback rows with source=peer; work anniversaries come from hired_on.)"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from teams.models import Associate

WELCOME_MAX_LENGTH = 280


class BirthdayShare(models.Model):
    """An associate's birthday, shared with their team by their own choice: the day
    and month only, never the year. No row: not shared."""

    associate = models.OneToOneField(
        Associate, on_delete=models.CASCADE, related_name="birthday_share"
    )
    month = models.PositiveSmallIntegerField()
    day = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12, day__gte=1, day__lte=31),
                name="birthday_is_a_day_of_the_year",
            ),
        ]

    def __str__(self) -> str:
        return f"Birthday of associate {self.associate_id}"

    def clean(self) -> None:
        try:
            dt.date(2000, self.month, self.day)  # a leap year: 29 February is a birthday
        except (TypeError, ValueError):
            raise ValidationError("That is not a day of the year.") from None

    def on_in(self, year: int) -> dt.date:
        """The birthday in `year` (29 February on 28 February in other years)."""
        try:
            return dt.date(year, self.month, self.day)
        except ValueError:
            return dt.date(year, 2, 28)


class WelcomePost(models.Model):
    """A lead's welcome message for a new joiner, shown on the team's kudos wall
    while they are new (the welcome line itself is computed from the roster)."""

    associate = models.OneToOneField(
        Associate, on_delete=models.CASCADE, related_name="welcome_post"
    )
    message = models.CharField(max_length=WELCOME_MAX_LENGTH)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Welcome for associate {self.associate_id}"
