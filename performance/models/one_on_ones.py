"""1:1s: the cadence, each meeting with its agenda, shared and private notes and
action items (career conversations are 1:1s of their own kind), and the
claim-once record of reminders sent.

Privacy: a private 1:1 note is a row of its own keyed by its author
(`PrivateNote`), so nobody else, not even a later lead of the associate, can
reach it through the 1:1. Shared notes and action items hang off the associate
and move with them to a new team.
"""

import calendar
import datetime as dt
import zoneinfo

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from teams.models import Associate


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` moved by `months`, clamped to the month's end (31 Jan + 1 → 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def local_start(on: dt.date, at: dt.time, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """The aware start of a meeting at local `at` on `on`. A wall time that does not
    exist (spring-forward gap) moves forward by the gap, e.g. 01:30 → 02:30 in Dublin;
    an ambiguous one (fall-back) is the first occurrence."""
    naive = dt.datetime.combine(on, at)
    aware = naive.replace(tzinfo=zone)
    # Round-tripping through UTC normalises a non-existent wall time.
    return aware.astimezone(dt.UTC).astimezone(zone)


class OneOnOneCadence(models.Model):
    """How often an associate meets their lead. Occurrences are counted from
    `first_on`, never chained, so a monthly 1:1 on the 31st comes back to the 31st
    after February instead of drifting to the 28th."""

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", "Weekly"
        FORTNIGHTLY = "fortnightly", "Every two weeks"
        MONTHLY = "monthly", "Monthly"

    associate = models.OneToOneField(
        Associate, on_delete=models.CASCADE, related_name="one_on_one_cadence"
    )
    frequency = models.CharField(
        max_length=12, choices=Frequency.choices, default=Frequency.FORTNIGHTLY
    )
    first_on = models.DateField(help_text="Site-local date of the first meeting in the series.")
    starts_at_time = models.TimeField(default=dt.time(10, 0), help_text="Site-local start time.")
    duration_minutes = models.PositiveSmallIntegerField(default=30)
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "1:1 cadence"
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=5) & Q(duration_minutes__lte=240),
                name="one_on_one_duration_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_frequency_display()} 1:1 from {self.first_on}"

    def occurrence(self, index: int) -> dt.date:
        if self.frequency == self.Frequency.MONTHLY:
            return add_months(self.first_on, index)
        step = 7 if self.frequency == self.Frequency.WEEKLY else 14
        return self.first_on + dt.timedelta(days=step * index)

    def interval_after(self, day: dt.date) -> dt.date:
        """`day` moved on by one interval of this cadence (a week, two, a month)."""
        if self.frequency == self.Frequency.MONTHLY:
            return add_months(day, 1)
        return day + dt.timedelta(days=7 if self.frequency == self.Frequency.WEEKLY else 14)

    def next_on(self, after: dt.date) -> dt.date:
        """The first occurrence strictly after `after` (or the first one)."""
        if after < self.first_on:
            return self.first_on
        if self.frequency == self.Frequency.MONTHLY:
            index = (after.year - self.first_on.year) * 12 + after.month - self.first_on.month
        else:
            step = 7 if self.frequency == self.Frequency.WEEKLY else 14
            index = (after - self.first_on).days // step
        while self.occurrence(index) <= after:
            index += 1
        return self.occurrence(index)


class OneOnOneQuerySet(models.QuerySet["OneOnOne"]):
    def for_associate(self, associate: Associate) -> "OneOnOneQuerySet":
        return self.filter(associate=associate)

    def held(self) -> "OneOnOneQuerySet":
        return self.filter(status="done")

    def scheduled(self) -> "OneOnOneQuerySet":
        return self.filter(status="scheduled")


class OneOnOne(models.Model):
    """One meeting between a lead and an associate. Shared notes and the career
    fields are read by both; private notes are separate rows (`PrivateNote`)."""

    class Kind(models.TextChoices):
        REGULAR = "regular", "Regular 1:1"
        CAREER = "career", "Career conversation"

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        DONE = "done", "Held"
        CANCELLED = "cancelled", "Cancelled"

    associate = models.ForeignKey(Associate, on_delete=models.PROTECT, related_name="one_on_ones")
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="one_on_ones_led",
        help_text="Who runs this 1:1.",
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.REGULAR)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    starts_at = models.DateTimeField(help_text="Aware start, computed in the site's zone.")
    on = models.DateField(help_text="The site-local date of starts_at.")
    duration_minutes = models.PositiveSmallIntegerField(default=30)
    shared_notes = models.TextField(blank=True)
    # Career conversation fields (kind=career); blank on regular 1:1s.
    aspirations = models.TextField(blank=True)
    strengths = models.TextField(blank=True)
    growth_areas = models.TextField(blank=True)
    next_steps = models.TextField(blank=True)
    target_role = models.CharField(max_length=120, blank=True)
    target_timeline = models.CharField(
        max_length=120, blank=True, help_text="e.g. within 12 months"
    )
    held_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = OneOnOneQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = "1:1"
        verbose_name_plural = "1:1s"
        constraints = [
            models.UniqueConstraint(
                fields=["associate"],
                condition=Q(status="scheduled"),
                name="one_scheduled_one_on_one_per_associate",
                violation_error_message="This associate already has a 1:1 scheduled.",
            ),
            models.CheckConstraint(
                condition=Q(status="done", held_at__isnull=False) | ~Q(status="done"),
                name="held_one_on_one_has_held_at",
            ),
        ]
        indexes = [models.Index(fields=["associate", "starts_at"], name="one_on_one_by_start")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.on}"

    @property
    def is_career(self) -> bool:
        return self.kind == self.Kind.CAREER


class PrivateNote(models.Model):
    """A lead's private note on a 1:1. Readable by its author only: not the
    associate, not the manager, not a later lead, not ops admins in the app."""

    one_on_one = models.ForeignKey(OneOnOne, on_delete=models.CASCADE, related_name="private_notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="private_notes"
    )
    text = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["one_on_one", "author"], name="one_private_note_per_author"
            ),
        ]

    def __str__(self) -> str:
        return f"Private note by {self.author_id} on 1:1 {self.one_on_one_id}"


class AgendaItem(models.Model):
    """Something either side wants to talk about, added before the meeting."""

    one_on_one = models.ForeignKey(OneOnOne, on_delete=models.CASCADE, related_name="agenda_items")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    text = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text


class ActionItemQuerySet(models.QuerySet["ActionItem"]):
    def open(self) -> "ActionItemQuerySet":
        return self.filter(done_at__isnull=True)


class ActionItem(models.Model):
    """A follow-up agreed in a 1:1. It belongs to the associate's record and is
    carried over to every later 1:1 until it is done."""

    associate = models.ForeignKey(Associate, on_delete=models.CASCADE, related_name="action_items")
    raised_in = models.ForeignKey(
        OneOnOne, on_delete=models.CASCADE, related_name="action_items_raised"
    )
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.CharField(max_length=300)
    due_on = models.DateField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(done_at__isnull=True) | Q(done_by__isnull=False),
                name="done_action_item_has_done_by",
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def is_done(self) -> bool:
        return self.done_at is not None


class PeopleReminder(models.Model):
    """A reminder email that was sent. The unique key makes sending claim-once:
    a second beat run (or a duplicate delivery) cannot insert it again."""

    class Kind(models.TextChoices):
        ONE_ON_ONE_TOMORROW = "one_on_one_tomorrow", "1:1 tomorrow"
        ACTION_ITEM_DUE = "action_item_due", "Action item due"

    kind = models.CharField(max_length=30, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField()
    due_on = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id", "due_on"], name="people_reminder_sent_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} {self.due_on}"
