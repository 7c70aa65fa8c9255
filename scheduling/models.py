import datetime as dt
import secrets
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from teams.models import Associate, Site, Skill, Team

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


class PublicHoliday(models.Model):
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="public_holidays")
    on = models.DateField()
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["site", "on"]
        constraints = [
            models.UniqueConstraint(fields=["site", "on"], name="one_holiday_per_site_day"),
        ]

    def __str__(self) -> str:
        return f"{self.on:%d %b %Y} {self.name}"


class EntryKind(models.TextChoices):
    SHIFT = "shift", "Shift"
    DAY_OFF = "day_off", "Day off"
    TIME_OFF = "time_off", "Time off"
    COMP_DAY = "comp_day", "Comp day"
    HOLIDAY = "holiday", "Public holiday"


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


class Decided(models.Model):
    """Who decided a request, when, and what they said."""

    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decision_note = models.CharField(max_length=300, blank=True)

    class Meta:
        abstract = True


class TimeOffRequest(Decided):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        DENIED = "denied", "Denied"
        CANCELLED = "cancelled", "Cancelled"

    class Type(models.TextChoices):
        ANNUAL = "annual", "Annual leave (paid)"
        SICK = "sick", "Sick leave"
        UNPAID = "unpaid", "Unpaid leave"
        OTHER = "other", "Other"

    associate = models.ForeignKey(Associate, on_delete=models.CASCADE, related_name="time_off")
    first_day = models.DateField()
    last_day = models.DateField()
    type = models.CharField(max_length=10, choices=Type.choices, default=Type.ANNUAL)
    note = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["first_day"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_day__gte=F("first_day")),
                name="time_off_ends_after_start",
                violation_error_message="The last day cannot be before the first day.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.first_day}–{self.last_day}"

    def days(self) -> list[dt.date]:
        count = (self.last_day - self.first_day).days + 1
        return [self.first_day + dt.timedelta(days=n) for n in range(count)]


class LeaveAllowance(models.Model):
    """Paid leave days per associate per calendar year."""

    DEFAULT_DAYS = 20

    associate = models.ForeignKey(Associate, on_delete=models.CASCADE, related_name="allowances")
    year = models.PositiveSmallIntegerField()
    paid_days = models.PositiveSmallIntegerField(default=DEFAULT_DAYS)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["associate", "year"], name="one_allowance_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.associate} {self.year}: {self.paid_days} days"


class CalendarFeed(models.Model):
    """A secret, revocable URL for an associate's published schedule as iCal."""

    associate = models.OneToOneField(
        Associate, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Calendar feed of {self.associate}"

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)


class ShiftSwap(Decided):
    """Two teammates exchange their cells on one or two days.

    The requester offers their published shift on `requester_day` for the
    partner's on `partner_day`; on approval both people's cells on both days are
    exchanged, so each still has exactly one entry per day.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Waiting for teammate"
        ACCEPTED = "accepted", "Waiting for lead"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined by teammate"
        DENIED = "denied", "Denied by lead"
        CANCELLED = "cancelled", "Cancelled"

    OPEN = (Status.PROPOSED, Status.ACCEPTED)

    requester = models.ForeignKey(Associate, on_delete=models.CASCADE, related_name="swaps_asked")
    requester_day = models.DateField()
    partner = models.ForeignKey(Associate, on_delete=models.CASCADE, related_name="swaps_offered")
    partner_day = models.DateField()
    note = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(requester=F("partner")), name="swap_between_two_people"
            ),
        ]

    def __str__(self) -> str:
        return f"Swap {self.requester} {self.requester_day} ⇄ {self.partner} {self.partner_day}"

    @property
    def days(self) -> list[dt.date]:
        return sorted({self.requester_day, self.partner_day})


# --- Weekend rota and comp days ------------------------------------------------------


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


class WeekendDuty(models.Model):
    """A weekend day an associate works (or worked). Each earns exactly one CompDay."""

    associate = models.ForeignKey(
        Associate, on_delete=models.PROTECT, related_name="weekend_duties"
    )
    on = models.DateField()
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["on"]
        verbose_name_plural = "weekend duties"
        constraints = [
            models.UniqueConstraint(fields=["associate", "on"], name="one_duty_per_day"),
            models.CheckConstraint(
                condition=Q(on__iso_week_day__gte=6), name="duty_on_a_weekend_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.associate} works {self.on}"


class CompDay(models.Model):
    """The weekday off earned by one weekend duty. The ledger's unit.

    One per duty (a unique one-to-one), so a weekend day can never be counted
    twice; the balance is a count of open rows, so it can never go negative.
    """

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        OWED = "owed", "Earned, not yet scheduled"
        TAKEN = "taken", "Taken"
        EXPIRED = "expired", "Expired"

    duty = models.OneToOneField(WeekendDuty, on_delete=models.PROTECT, related_name="comp_day")
    associate = models.ForeignKey(Associate, on_delete=models.PROTECT, related_name="comp_days")
    on = models.DateField(null=True, blank=True, help_text="The weekday off, once scheduled.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    expires_on = models.DateField()
    reason = models.CharField(max_length=200, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["owed", "expired"]) | Q(on__isnull=False),
                name="comp_day_has_a_date_once_scheduled",
            ),
            models.CheckConstraint(
                condition=Q(on__isnull=True) | Q(on__iso_week_day__lte=5),
                name="comp_day_on_a_weekday",
            ),
            models.UniqueConstraint(
                fields=["associate", "on"],
                condition=Q(on__isnull=False),
                name="one_comp_day_per_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.associate} comp day {self.on or 'unscheduled'} ({self.status})"


class CompDayRequest(models.Model):
    """An associate asks to take a comp day on another weekday; the lead decides."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        DENIED = "denied", "Denied"

    comp_day = models.ForeignKey(CompDay, on_delete=models.CASCADE, related_name="requests")
    wanted_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(wanted_on__iso_week_day__lte=5), name="comp_request_on_a_weekday"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.comp_day.associate} wants {self.wanted_on} off"
