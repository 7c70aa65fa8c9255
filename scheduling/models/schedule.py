"""The schedule: shift templates, the working plan a lead edits, what is published."""

import datetime as dt
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from teams.models import Associate, Site, Team

MAX_CONSECUTIVE_DAYS = 6
MIN_REST = dt.timedelta(hours=11)


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def local_datetime(day: dt.date, time: dt.time, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """The aware instant of a local wall-clock time.

    A time that does not exist (spring-forward gap) is read with fold=0, i.e. as
    the offset before the change, so 02:30 becomes 03:30 local; a time that exists
    twice (fall-back) is its first occurrence. Daytime shifts never hit either,
    but the arithmetic stays defined.
    """
    return dt.datetime.combine(day, time, tzinfo=zone)


class DayKind(models.TextChoices):
    WEEKDAY = "weekday", "Weekdays"
    WEEKEND = "weekend", "Weekend days"


def day_kind_of(day: dt.date) -> "DayKind":
    return DayKind.WEEKEND if day.weekday() >= 5 else DayKind.WEEKDAY


class ShiftTemplate(models.Model):
    """A named shift a site uses, e.g. Early 07:00–15:30 with a 30-minute break."""

    class Applies(models.TextChoices):
        WEEKDAY = "weekday", "Weekdays"
        WEEKEND = "weekend", "Weekend days"
        ANY = "any", "Any day"

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="shift_templates")
    name = models.CharField(max_length=40)
    code = models.CharField(max_length=3, help_text="Short label for the grid, e.g. E, M, L.")
    starts_at = models.TimeField()
    ends_at = models.TimeField()
    break_minutes = models.PositiveSmallIntegerField(default=30, help_text="Unpaid break.")
    applies_to = models.CharField(max_length=8, choices=Applies.choices, default=Applies.ANY)

    class Meta:
        ordering = ["site", "starts_at", "name"]
        constraints = [
            models.UniqueConstraint(fields=["site", "name"], name="template_unique_name_per_site"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="template_ends_after_start",
                violation_error_message="A shift must end after it starts (no overnight shifts).",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"

    def applies_on(self, day: dt.date) -> bool:
        return self.applies_to == self.Applies.ANY or self.applies_to == day_kind_of(day)

    def clean(self) -> None:
        if self.starts_at is None or self.ends_at is None or self.site_id is None:
            return
        if self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "A shift must end after it starts."})
        nominal = dt.datetime.combine(dt.date.min, self.ends_at) - dt.datetime.combine(
            dt.date.min, self.starts_at
        )
        if dt.timedelta(minutes=self.break_minutes) >= nominal:
            raise ValidationError({"break_minutes": "The break is as long as the shift."})
        site = self.site
        kinds = {
            self.Applies.WEEKDAY: [("weekday", site.weekday_opens_at, site.weekday_closes_at)],
            self.Applies.WEEKEND: [("weekend", site.weekend_opens_at, site.weekend_closes_at)],
        }
        checks = kinds.get(self.applies_to) or (  # type: ignore[call-overload]
            kinds[self.Applies.WEEKDAY] + kinds[self.Applies.WEEKEND]
        )
        for label, opens, closes in checks:
            if self.starts_at < opens or self.ends_at > closes:
                raise ValidationError(
                    f"{self.starts_at:%H:%M}–{self.ends_at:%H:%M} is outside {site}'s {label} "
                    f"opening hours ({opens:%H:%M}–{closes:%H:%M})."
                )


class EntryKind(models.TextChoices):
    SHIFT = "shift", "Shift"
    DAY_OFF = "day_off", "Day off"
    TIME_OFF = "time_off", "Time off"
    COMP_DAY = "comp_day", "Comp day"
    HOLIDAY = "holiday", "Public holiday"


# Days that move only through their own requests (leave, the comp-day ledger).
PROTECTED_KINDS = frozenset({EntryKind.TIME_OFF, EntryKind.COMP_DAY})


def entry_label(entry: object) -> str:
    """How a cell reads: "07:00–15:30" for a shift, else its kind. Works on
    history rows too, which have the fields but not the methods."""
    kind = getattr(entry, "kind", "")
    starts_at, ends_at = getattr(entry, "starts_at", None), getattr(entry, "ends_at", None)
    if kind == EntryKind.SHIFT and starts_at and ends_at:
        return f"{starts_at:%H:%M}–{ends_at:%H:%M}"
    return str(EntryKind(kind).label) if kind in EntryKind.values else "—"


class EntryQuerySet(models.QuerySet["ScheduleEntry"]):
    def for_team(self, team: Team) -> "EntryQuerySet":
        return self.filter(associate__team=team)

    def between(self, first: dt.date, last: dt.date) -> "EntryQuerySet":
        return self.filter(on__gte=first, on__lte=last)


CELL_FIELDS = ("kind", "template_id", "starts_at", "ends_at", "break_minutes", "note")


class EntryFields(models.Model):
    """What one cell of the grid holds: a shift with local times, or a kind of day."""

    associate = models.ForeignKey(Associate, on_delete=models.CASCADE, related_name="+")
    on = models.DateField(help_text="The site-local date the shift starts on.")
    kind = models.CharField(max_length=10, choices=EntryKind.choices)
    template = models.ForeignKey(
        ShiftTemplate, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    starts_at = models.TimeField(null=True, blank=True)
    ends_at = models.TimeField(null=True, blank=True)
    break_minutes = models.PositiveSmallIntegerField(default=0)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        abstract = True

    @property
    def is_shift(self) -> bool:
        return self.kind == EntryKind.SHIFT

    def starts(self, zone: zoneinfo.ZoneInfo) -> dt.datetime:
        if self.starts_at is None:
            raise ValueError(f"{self.get_kind_display()} has no start time.")
        return local_datetime(self.on, self.starts_at, zone)

    def ends(self, zone: zoneinfo.ZoneInfo) -> dt.datetime:
        if self.ends_at is None:
            raise ValueError(f"{self.get_kind_display()} has no end time.")
        return local_datetime(self.on, self.ends_at, zone)

    def worked(self, zone: zoneinfo.ZoneInfo) -> dt.timedelta:
        """Real paid time: computed in UTC so a DST change on the day counts."""
        if not self.is_shift:
            return dt.timedelta(0)
        elapsed = self.ends(zone).astimezone(dt.UTC) - self.starts(zone).astimezone(dt.UTC)
        return elapsed - dt.timedelta(minutes=self.break_minutes)

    def label(self) -> str:
        return entry_label(self)

    def cell_values(self) -> dict[str, object]:
        """What a cell holds, to copy it onto another row, person or day."""
        return {field: getattr(self, field) for field in CELL_FIELDS}

    def same_as(self, other: "EntryFields") -> bool:
        return self.signature() == other.signature()

    def signature(self) -> tuple[object, ...]:
        return (self.on, *self.cell_values().values())


def _entry_constraints(prefix: str) -> list[models.BaseConstraint]:
    return [
        models.UniqueConstraint(fields=["associate", "on"], name=f"{prefix}_one_per_day"),
        models.CheckConstraint(
            condition=(
                Q(kind=EntryKind.SHIFT, starts_at__isnull=False, ends_at__gt=F("starts_at"))
                | (~Q(kind=EntryKind.SHIFT) & Q(starts_at__isnull=True, ends_at__isnull=True))
            ),
            name=f"{prefix}_shift_has_times",
            violation_error_message="A shift has a start and a later end; other days have none.",
        ),
    ]


class ScheduleEntry(EntryFields):
    """The working plan a lead edits. Associates never see it directly."""

    associate = models.ForeignKey(Associate, on_delete=models.CASCADE, related_name="entries")
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = EntryQuerySet.as_manager()

    class Meta:
        ordering = ["on", "associate"]
        verbose_name_plural = "schedule entries"
        constraints = _entry_constraints("entry")

    def __str__(self) -> str:
        return f"{self.on} {self.label()}"


class PublishedEntry(EntryFields):
    """What associates see: a copy of the plan as it stood when its week was published."""

    associate = models.ForeignKey(
        Associate, on_delete=models.CASCADE, related_name="published_entries"
    )
    published_at = models.DateTimeField()

    class Meta:
        ordering = ["on"]
        verbose_name_plural = "published entries"
        constraints = _entry_constraints("published")

    def __str__(self) -> str:
        return f"{self.on} {self.label()}"


class ScheduleWeek(models.Model):
    """A team's week (Monday to Sunday) and when it was last published."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="schedule_weeks")
    starts_on = models.DateField()
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["team", "starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["team", "starts_on"], name="one_week_row_per_team"),
        ]

    def __str__(self) -> str:
        return f"{self.team} week of {self.starts_on}"

    def clean(self) -> None:
        if self.starts_on and self.starts_on.weekday() != 0:
            raise ValidationError({"starts_on": "A schedule week starts on a Monday."})


class Decided(models.Model):
    """Who decided a request, when, and what they said."""

    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decision_note = models.CharField(max_length=300, blank=True)

    class Meta:
        abstract = True
