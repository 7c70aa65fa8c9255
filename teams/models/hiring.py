"""Hiring: requisitions (open headcount), candidates, applications through their
stages, interviews with independent scorecards, decisions and offers.

Who may see what is decided in teams/access.py (candidates: the requisition's team
leads, its manager, ops admins, and interviewers for the candidates they interview).
Rejected and withdrawn candidates are anonymised after HIRING_RETENTION_DAYS by
teams/services/hiring_retention.py; applications, their stage changes and offers
keep no personal data, so the hiring metrics' counts survive it.
"""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .roster import Associate, Skill, Team


def private_storage() -> Storage:  # a callable: tests may point the storage elsewhere

    return storages["private"]


class Requisition(models.Model):
    """An approved (or to-be-approved) opening on a team."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        APPROVED = "approved", "Approved"
        OPEN = "open", "Open"
        FILLED = "filled", "Filled"
        CANCELLED = "cancelled", "Cancelled"

    class Reason(models.TextChoices):
        BACKFILL = "backfill", "Backfill"
        GROWTH = "growth", "Growth"

    OPEN_STATUSES = (Status.DRAFT, Status.APPROVED, Status.OPEN)

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="requisitions")
    title = models.CharField(max_length=100, default="Support Associate")
    level = models.CharField(
        max_length=4, choices=Associate.Level.choices, default=Associate.Level.L1
    )
    fte = models.DecimalField(
        "FTE",
        max_digits=3,
        decimal_places=1,
        default=Decimal("1.0"),
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(Decimal("10"))],
        help_text="Full-time equivalents this opening adds (0.1–10).",
    )
    reason = models.CharField(max_length=10, choices=Reason.choices, default=Reason.GROWTH)
    backfill_for = models.ForeignKey(
        Associate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="backfilled_by",
        help_text="The leaver this opening replaces (backfills only).",
    )
    skills = models.ManyToManyField(Skill, blank=True, related_name="requisitions")
    target_start_on = models.DateField()
    justification = models.TextField(blank=True, max_length=4000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_reason = models.CharField(max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(fte__gte=Decimal("0.1")) & Q(fte__lte=Decimal("10")),
                name="requisition_fte_in_range",
            ),
            models.CheckConstraint(
                condition=Q(reason="backfill") | Q(backfill_for__isnull=True),
                name="requisition_backfill_names_a_leaver_only_for_backfills",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} · {self.team}"

    @property
    def is_live(self) -> bool:
        return self.status in self.OPEN_STATUSES


class Competency(models.Model):
    """One thing a requisition's interviewers score, 1–4 with evidence."""

    requisition = models.ForeignKey(
        Requisition, on_delete=models.CASCADE, related_name="competencies"
    )
    name = models.CharField(max_length=80)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name_plural = "competencies"
        constraints = [
            models.UniqueConstraint(
                fields=["requisition", "name"], name="competency_unique_per_requisition"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Candidate(models.Model):
    class Source(models.TextChoices):
        REFERRAL = "referral", "Employee referral"
        CAREERS_SITE = "careers_site", "Careers site"
        JOB_BOARD = "job_board", "Job board"
        AGENCY = "agency", "Agency"
        INTERNAL = "internal", "Internal move"
        OTHER = "other", "Other"

    name = models.CharField(max_length=150)
    email = models.EmailField(max_length=254, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.CAREERS_SITE)
    notes = models.TextField(blank=True, max_length=8000)
    cv = models.FileField(storage=private_storage, upload_to="cvs/%Y/%m/", blank=True)
    cv_name = models.CharField(
        max_length=120, blank=True, help_text="The file name shown and offered on download."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    anonymised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class ApplicationQuerySet(models.QuerySet["Application"]):
    def active(self) -> "ApplicationQuerySet":
        return self.filter(stage__in=Application.ACTIVE_STAGES)


class Application(models.Model):
    """One candidate for one requisition, moving through the stages."""

    class Stage(models.TextChoices):
        APPLIED = "applied", "Applied"
        SCREEN = "screen", "Screen"
        INTERVIEW = "interview", "Interview"
        OFFER = "offer", "Offer"
        HIRED = "hired", "Hired"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn"

    PIPELINE = (Stage.APPLIED, Stage.SCREEN, Stage.INTERVIEW, Stage.OFFER, Stage.HIRED)
    ACTIVE_STAGES = (Stage.APPLIED, Stage.SCREEN, Stage.INTERVIEW, Stage.OFFER)
    CLOSED_STAGES = (Stage.HIRED, Stage.REJECTED, Stage.WITHDRAWN)

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="applications")
    requisition = models.ForeignKey(
        Requisition, on_delete=models.PROTECT, related_name="applications"
    )
    stage = models.CharField(max_length=10, choices=Stage.choices, default=Stage.APPLIED)
    stage_changed_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(
        max_length=20,
        choices=Candidate.Source.choices,
        help_text="Copied from the candidate, so source metrics survive anonymisation.",
    )
    closed_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["stage_changed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["candidate", "requisition"], name="one_application_per_requisition"
            ),
        ]

    def __str__(self) -> str:
        return f"Application #{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.stage in self.ACTIVE_STAGES


class StageChange(models.Model):
    """Every move of an application: time in stage and pass-through rates."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="stage_changes"
    )
    from_stage = models.CharField(max_length=10, choices=Application.Stage.choices, blank=True)
    to_stage = models.CharField(max_length=10, choices=Application.Stage.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_stage or '—'} → {self.to_stage}"


class Interview(models.Model):
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="interviews"
    )
    title = models.CharField(max_length=100, default="Interview")
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(
        default=45, validators=[MinValueValidator(10), MaxValueValidator(480)]
    )
    location = models.CharField(max_length=200, blank=True, help_text="A room or a call link.")
    interviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Scorecard", related_name="interviews"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    sequence = models.PositiveIntegerField(
        default=0, help_text="iCalendar SEQUENCE: bumped on change."
    )

    class Meta:
        ordering = ["starts_at", "pk"]

    def __str__(self) -> str:
        return f"{self.title} #{self.pk}"

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + dt.timedelta(minutes=self.duration_minutes)


class Scorecard(models.Model):
    """One interviewer's independent judgement of one interview."""

    class Recommendation(models.TextChoices):
        STRONG_NO = "strong_no", "Strong no"
        NO = "no", "No"
        YES = "yes", "Yes"
        STRONG_YES = "strong_yes", "Strong yes"

    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="scorecards")
    interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="scorecards"
    )
    recommendation = models.CharField(max_length=10, choices=Recommendation.choices, blank=True)
    summary = models.TextField(blank=True, max_length=4000)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["interview", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["interview", "interviewer"], name="one_scorecard_per_interviewer"
            ),
            models.CheckConstraint(
                condition=Q(submitted_at__isnull=True) | ~Q(recommendation=""),
                name="submitted_scorecard_has_a_recommendation",
            ),
        ]

    def __str__(self) -> str:
        return f"Scorecard #{self.pk}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


class Rating(models.Model):
    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="ratings")
    competency = models.ForeignKey(Competency, on_delete=models.CASCADE, related_name="ratings")
    score = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    evidence = models.TextField(blank=True, max_length=4000)

    class Meta:
        ordering = ["competency__position", "competency__pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["scorecard", "competency"], name="one_rating_per_competency"
            ),
            models.CheckConstraint(
                condition=Q(score__gte=1) & Q(score__lte=4), name="rating_score_1_to_4"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.competency}: {self.score}"


class Decision(models.Model):
    """Who moved an application past its interviews (to an offer, or out), why, and
    the submitted scorecards the decision rested on."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="decisions")
    outcome = models.CharField(max_length=10, choices=Application.Stage.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(max_length=4000)
    scorecards = models.ManyToManyField(Scorecard, blank=True, related_name="decisions")

    class Meta:
        ordering = ["decided_at", "pk"]

    def __str__(self) -> str:
        return f"Decision #{self.pk}"


class Offer(models.Model):
    class Status(models.TextChoices):
        EXTENDED = "extended", "Extended"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="offer")
    start_on = models.DateField()
    fte = models.DecimalField(
        "FTE",
        max_digits=3,
        decimal_places=1,
        default=Decimal("1.0"),
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(Decimal("1.0"))],
    )
    weekly_hours = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        default=Decimal("39.0"),
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("48"))],
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.EXTENDED)
    extended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    extended_at = models.DateTimeField(default=timezone.now)
    responded_at = models.DateTimeField(null=True, blank=True)
    associate = models.OneToOneField(
        Associate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="hired_from",
        help_text="The roster record the accepted offer made.",
    )

    class Meta:
        ordering = ["-extended_at", "pk"]

    def __str__(self) -> str:
        return f"Offer #{self.pk}"
