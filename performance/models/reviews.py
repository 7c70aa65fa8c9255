"""Review cycles: a cycle over some teams, one review per associate in scope,
calibration changes, and the reminders sent about them.

A review moves self review → lead review → calibration → shared → acknowledged,
only through the transition functions in `performance.review_services`. Every
change to a review is kept by django-simple-history; every rating change made in
calibration is also a `RatingChange` row (from, to, who, why, when).
"""

from django.conf import settings
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from simple_history.models import HistoricalRecords

from teams.models import Associate, Team


class Rating(models.IntegerChoices):
    """The rating scale. Every rating comes with a written justification."""

    BELOW = 1, "1 · Below expectations"
    PARTLY = 2, "2 · Partly meets expectations"
    MEETS = 3, "3 · Meets expectations"
    EXCEEDS = 4, "4 · Exceeds expectations"
    OUTSTANDING = 5, "5 · Outstanding"


class ReviewCycle(models.Model):
    """A review round over some teams, opened by an ops admin or their manager."""

    name = models.CharField(max_length=100, unique=True)
    period_start = models.DateField()
    period_end = models.DateField()
    self_review_due_on = models.DateField()
    lead_review_due_on = models.DateField()
    calibration_due_on = models.DateField()
    teams = models.ManyToManyField(Team, related_name="review_cycles")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-period_end", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="review_cycle_period_in_order",
                violation_error_message="The period cannot end before it starts.",
            ),
            models.CheckConstraint(
                condition=Q(lead_review_due_on__gte=F("self_review_due_on"))
                & Q(calibration_due_on__gte=F("lead_review_due_on")),
                name="review_cycle_due_dates_in_order",
                violation_error_message=(
                    "Due dates go in order: self review, then lead review, then calibration."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ReviewQuerySet(models.QuerySet["Review"]):
    def for_teams(self, team_ids: "frozenset[int] | set[int]") -> "ReviewQuerySet":
        return self.filter(associate__team_id__in=team_ids)

    def ever_shared(self) -> "ReviewQuerySet":
        return self.filter(first_shared_at__isnull=False)

    # The calibration page's filters. A review "is rated" once its lead sent the
    # rating to calibration; a draft rating of a lead review does not count yet.

    def at_step(self, state: str) -> "ReviewQuerySet":
        return self.filter(state=state)

    def rated(self) -> "ReviewQuerySet":
        return self.filter(state__in=RATED_STATES)

    def not_rated_yet(self) -> "ReviewQuerySet":
        return self.exclude(state__in=RATED_STATES)

    def rated_as(self, rating: int) -> "ReviewQuerySet":
        return self.rated().filter(rating=rating)

    def changed_in_calibration(self) -> "ReviewQuerySet":
        return self.filter(Exists(RatingChange.objects.filter(review=OuterRef("pk"))))

    def unchanged_in_calibration(self) -> "ReviewQuerySet":
        return self.exclude(Exists(RatingChange.objects.filter(review=OuterRef("pk"))))

    def by_lead(self, user_id: int) -> "ReviewQuerySet":
        """Reviews this lead wrote, or, until someone sends the lead review, those of
        the teams they lead (the person expected to write it)."""
        return self.filter(
            Q(lead_submitted_by_id=user_id)
            | Q(
                lead_submitted_by__isnull=True,
                associate__team__in=Team.objects.filter(leads=user_id),
            )
        )


# The steps after the lead sent the review (and its rating) to calibration.
RATED_STATES = ("calibration", "shared", "acknowledged")


class Review(models.Model):
    class State(models.TextChoices):
        SELF_REVIEW = "self_review", "Self review"
        LEAD_REVIEW = "lead_review", "Lead review"
        CALIBRATION = "calibration", "Calibration"
        SHARED = "shared", "Shared"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"

    cycle = models.ForeignKey(ReviewCycle, on_delete=models.CASCADE, related_name="reviews")
    # Associates are deactivated, not deleted; deleting one (an erasure request)
    # takes their reviews with them.
    associate = models.ForeignKey(Associate, on_delete=models.CASCADE, related_name="reviews")
    state = models.CharField(max_length=12, choices=State.choices, default=State.SELF_REVIEW)

    # The associate's self review.
    self_achievements = models.TextField(blank=True)
    self_challenges = models.TextField(blank=True)
    self_growth = models.TextField(blank=True)
    self_submitted_at = models.DateTimeField(null=True, blank=True)

    # The lead's review, pre-filled from KPI rollups, goals and shared feedback.
    kpi_summary = models.JSONField(
        default=list, blank=True, help_text="KPI summary of the period, as of the last draft."
    )
    goal_outcomes = models.TextField(blank=True)
    feedback_highlights = models.TextField(blank=True)
    lead_summary = models.TextField(blank=True)
    rating = models.PositiveSmallIntegerField(choices=Rating.choices, null=True, blank=True)
    rating_justification = models.TextField(blank=True)
    lead_submitted_at = models.DateTimeField(null=True, blank=True)
    lead_submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    # Sharing and acknowledgement. Once shared, a review stays visible to the
    # associate (it cannot be withdrawn), also while a later edit is recalibrated.
    first_shared_at = models.DateTimeField(null=True, blank=True)
    shared_at = models.DateTimeField(null=True, blank=True)
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reopened_count = models.PositiveSmallIntegerField(default=0)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledgement_comment = models.TextField(blank=True)

    objects = ReviewQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["associate__user__first_name", "associate__user__last_name"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "associate"], name="one_review_per_cycle"),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | (Q(rating__gte=1) & Q(rating__lte=5)),
                name="review_rating_on_scale",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["self_review", "lead_review"])
                | (Q(rating__isnull=False) & ~Q(rating_justification="")),
                name="review_rated_with_justification_after_lead_review",
                violation_error_message="A rating needs a written justification.",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["shared", "acknowledged"])
                | Q(first_shared_at__isnull=False),
                name="review_shared_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(state="acknowledged") | Q(acknowledged_at__isnull=False),
                name="review_acknowledged_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cycle_id}/{self.associate_id} ({self.state})"

    @property
    def is_visible_to_associate(self) -> bool:
        return self.first_shared_at is not None


class RatingChange(models.Model):
    """One calibration change of a rating: from, to, who, why, when. Never edited."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="rating_changes")
    from_rating = models.PositiveSmallIntegerField(choices=Rating.choices, null=True)
    to_rating = models.PositiveSmallIntegerField(choices=Rating.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.TextField()
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["changed_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="rating_change_has_reason"),
        ]

    def __str__(self) -> str:
        # No ratings here: a calibration is the calibrators' until the review is shared,
        # and this string titles admin pages and lists.
        return f"Calibration change {self.pk} of review {self.review_id}"


class ReviewReminder(models.Model):
    """A reminder that was sent. The unique constraint makes each one go out once,
    however often (or concurrently) the beat job runs."""

    class Kind(models.TextChoices):
        SELF_REVIEW_DUE = "self_review_due", "Self review due"
        LEAD_REVIEW_DUE = "lead_review_due", "Lead review due"
        CALIBRATION_DUE = "calibration_due", "Calibration due"

    cycle = models.ForeignKey(ReviewCycle, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "kind", "recipient"], name="review_reminder_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.cycle_id} → {self.recipient_id}"
