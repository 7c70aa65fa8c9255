"""KPIs: definitions, raw events, and the daily rollups dashboards read."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from teams.models import Associate, Site, Team

from .api_tokens import ApiToken

# Any KPI value or denominator stays within this, whatever the KPI's own range says,
# so no sum, mean or ratio of a day's events can overflow.
MAX_MAGNITUDE = 1e9


class Kpi(models.Model):
    class Aggregation(models.TextChoices):
        COUNT = "count", "Count of events"
        SUM = "sum", "Sum of values"
        MEAN = "mean", "Mean of values"
        RATIO = "ratio", "Sum of values / sum of denominators"
        MEDIAN = "median", "Median of values"
        P90 = "p90", "90th percentile of values"

    class Direction(models.TextChoices):
        HIGHER = "higher", "Higher is better"
        LOWER = "lower", "Lower is better"

    key = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)
    unit = models.CharField(max_length=20, blank=True, help_text="e.g. tickets, %, minutes")
    aggregation = models.CharField(max_length=10, choices=Aggregation.choices)
    direction = models.CharField(max_length=10, choices=Direction.choices, default=Direction.HIGHER)
    target = models.FloatField()
    green_at = models.FloatField(help_text="Green from this value (in the better direction).")
    amber_at = models.FloatField(help_text="Amber from this value; worse is red.")
    decimals = models.PositiveSmallIntegerField(default=0)
    description = models.TextField(blank=True)
    min_value = models.FloatField(
        null=True, blank=True, help_text="Events below this are refused (e.g. CSAT 1)."
    )
    max_value = models.FloatField(
        null=True, blank=True, help_text="Events above this are refused (e.g. CSAT 5)."
    )
    whole_numbers = models.BooleanField(
        default=False, help_text="Values count things: 2.5 is refused."
    )

    class Meta:
        ordering = ["name"]
        verbose_name = "KPI"
        constraints = [
            models.CheckConstraint(
                condition=Q(min_value__isnull=True)
                | Q(max_value__isnull=True)
                | Q(min_value__lte=models.F("max_value")),
                name="kpi_range_in_order",
                violation_error_message="The lowest value must not be above the highest.",
            ),
            models.CheckConstraint(
                condition=(Q(direction="higher") & Q(green_at__gte=models.F("amber_at")))
                | (Q(direction="lower") & Q(green_at__lte=models.F("amber_at"))),
                name="kpi_thresholds_in_order",
                violation_error_message="Green must be at least as good as amber.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def value_problems(self, value: float | None, denominator: float | None) -> list[str]:
        """What is wrong with a value (and denominator) for this KPI: its own range, whole
        numbers where it counts things, and a positive denominator for a ratio. Every
        value stays within ±MAX_MAGNITUDE, so no rollup can overflow."""
        problems = []
        if value is not None:
            low = (
                max(self.min_value, -MAX_MAGNITUDE)
                if self.min_value is not None
                else -MAX_MAGNITUDE
            )
            high = (
                min(self.max_value, MAX_MAGNITUDE) if self.max_value is not None else MAX_MAGNITUDE
            )
            if not low <= value <= high:
                problems.append(f"{self.key} must be between {low:g} and {high:g}, not {value:g}.")
            elif self.whole_numbers and not value.is_integer():
                problems.append(f"{self.key} counts whole things: {value:g} is not a whole number.")
        if self.aggregation != self.Aggregation.RATIO:
            if denominator is not None and not abs(denominator) <= MAX_MAGNITUDE:
                problems.append(f"denominator must be within ±{MAX_MAGNITUDE:g}.")
        else:
            if denominator is None:
                problems.append(f"{self.key} is a ratio: denominator is missing.")
            elif not 0 < denominator <= MAX_MAGNITUDE:
                problems.append(
                    f"{self.key} is a ratio: denominator must be above 0 and at most "
                    f"{MAX_MAGNITUDE:g}, not {denominator:g}."
                )
        return problems


class KpiEvent(models.Model):
    """One fact, e.g. one solved ticket or one CSAT answer. Re-sending is a no-op."""

    kpi = models.ForeignKey(Kpi, on_delete=models.PROTECT, related_name="events")
    associate = models.ForeignKey(Associate, on_delete=models.PROTECT, related_name="kpi_events")
    # The team and site the associate was on when the event came in: rollups count it
    # there, so a later move to another team or site never rewrites past figures.
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    occurred_at = models.DateTimeField()
    local_date = models.DateField(
        help_text="The site-local day of occurred_at, fixed at ingestion."
    )
    value = models.FloatField()
    denominator = models.FloatField(null=True, blank=True)
    source = models.CharField(max_length=50)
    external_id = models.CharField(max_length=100)
    received_at = models.DateTimeField(auto_now_add=True)
    # Who sent it: the person who uploaded the file, posted through the API or was
    # named by the command's --as (none: the command run without it). For an API
    # post also the token used, so a leaked key's events can be found.
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    api_token = models.ForeignKey(
        ApiToken, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="event_once_per_source"),
        ]
        # Rollups read one (KPI, site, day) at a time; the site in the key means a
        # late fix reads only its own site's events of that day, not every site's.
        indexes = [models.Index(fields=["kpi", "site", "local_date"], name="event_kpi_site_day")]

    def __str__(self) -> str:
        return f"{self.kpi.key} {self.associate_id} {self.local_date}: {self.value}"

    def clean(self) -> None:
        """An edit in the admin meets the rules of ingestion: the KPI's value range."""
        if self.kpi_id is not None and (
            problems := self.kpi.value_problems(self.value, self.denominator)
        ):
            raise ValidationError(problems)
        if self.associate_id is not None and self.team_id is None:
            self.place_with_associate()  # a new event: where its associate is
        if self.site_id is not None and self.occurred_at is not None:
            self.local_date = self.occurred_at.astimezone(self.site.zone).date()

    def place_with_associate(self) -> None:
        """Count the event on the associate's team and site (as they are now)."""
        self.team_id = self.associate.team_id
        self.site_id = self.associate.team.site_id


class KpiDirtyDay(models.Model):
    """A (KPI, site, local day) whose rollups must be recomputed. Written in the same
    transaction as the events, so a lost Celery message only delays the rollup."""

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="+")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    local_date = models.DateField()
    marked_at = models.DateTimeField(auto_now=True)
    # A day whose rollup failed waits (with backoff) while the others go on.
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    retry_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kpi", "site", "local_date"], name="dirty_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kpi_id} {self.site_id} {self.local_date}"


class DailyKpi(models.Model):
    """A KPI for one associate, team or site on one site-local day."""

    class Scope(models.TextChoices):
        ASSOCIATE = "associate", "Associate"
        TEAM = "team", "Team"
        SITE = "site", "Site"

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="daily")
    day = models.DateField()
    scope = models.CharField(max_length=10, choices=Scope.choices)
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    associate = models.ForeignKey(
        Associate, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    value = models.FloatField()
    numerator = models.FloatField()
    denominator = models.FloatField(null=True, blank=True)
    event_count = models.PositiveIntegerField()
    contributors = models.PositiveIntegerField(
        default=1,
        help_text="Associates with events in this row: 1 for an associate, the headcount "
        "behind a team or site figure (count and sum KPIs are compared per associate-day).",
    )

    class Meta:
        constraints = [
            # Rollups are made per (KPI, site, day) from each event's own team and
            # site: someone who moved mid-day has a row for each team and site they
            # worked for, and a team that moved sites one for each site.
            models.UniqueConstraint(
                fields=["kpi", "day", "site", "team", "associate"],
                condition=Q(scope="associate"),
                name="one_associate_rollup_a_site_day",
            ),
            models.UniqueConstraint(
                fields=["kpi", "day", "site", "team"],
                condition=Q(scope="team"),
                name="one_team_rollup_a_site_day",
            ),
            models.UniqueConstraint(
                fields=["kpi", "day", "site"],
                condition=Q(scope="site"),
                name="one_site_rollup_a_day",
            ),
            models.CheckConstraint(
                condition=(
                    Q(scope="associate") & Q(associate__isnull=False) & Q(team__isnull=False)
                )
                | (Q(scope="team") & Q(associate__isnull=True) & Q(team__isnull=False))
                | (Q(scope="site") & Q(associate__isnull=True) & Q(team__isnull=True)),
                name="rollup_scope_matches_keys",
            ),
        ]
        indexes = [
            models.Index(fields=["kpi", "scope", "day"], name="rollup_kpi_scope_day"),
            # The dashboards: a team's (or some teams') rows over a range, read from
            # the index alone on PostgreSQL.
            models.Index(
                fields=["team", "scope", "day"],
                # Covering: the dashboards' sums read the index alone, for the team
                # and for each of its associates.
                include=[
                    "kpi",
                    "associate",
                    "value",
                    "numerator",
                    "denominator",
                    "event_count",
                    "contributors",
                ],
                name="rollup_team_scope_day_cover",
            ),
            models.Index(
                fields=["associate", "day"],
                condition=Q(scope="associate"),
                name="rollup_associate_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kpi_id} {self.scope} {self.day}: {self.value}"
