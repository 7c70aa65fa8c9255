"""Reads for the pipeline: a requisition's board, an application's page, the lead's
stale applications and a candidate's data export. Each a fixed number of queries."""

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Count, Prefetch, Q
from django.urls import reverse
from django.utils import timezone

from ..access import visible_applications
from ..models import (
    Application,
    Candidate,
    Decision,
    Interview,
    Rating,
    Requisition,
    Scorecard,
    StageChange,
    User,
)
from ..services.applications import allowed_moves, is_decision
from . import HomePanel

if TYPE_CHECKING:
    from ..access import Roles

Stage = Application.Stage


def days_label(delta: dt.timedelta) -> str:
    days = max(delta.days, 0)
    if days == 0:
        return "under a day"
    return f"{days} day{'s' if days != 1 else ''}"


def is_stale(application: Application, now: dt.datetime) -> bool:
    return application.is_active and now - application.stage_changed_at >= dt.timedelta(
        days=settings.HIRING_STALE_DAYS
    )


@dataclass(frozen=True)
class Move:
    stage: str
    label: str
    needs_reason: bool


def moves_for(application: Application) -> list[Move]:
    """The moves a lead may make by hand, and whether each needs a reason."""
    return [
        Move(
            stage,
            Stage(stage).label,
            stage in (Stage.REJECTED, Stage.WITHDRAWN) or is_decision(application.stage, stage),
        )
        for stage in allowed_moves(application)
    ]


@dataclass(frozen=True)
class Card:
    application: Application
    in_stage: str  # "4 days in Screen"
    is_stale: bool
    moves: list[Move]

    @property
    def any_needs_reason(self) -> bool:
        return any(move.needs_reason for move in self.moves)


@dataclass(frozen=True)
class Column:
    stage: str
    label: str
    cards: list[Card] = field(default_factory=list)


@dataclass(frozen=True)
class Board:
    requisition: Requisition
    columns: list[Column]
    closed: list[Card]
    stale_count: int


def card(application: Application, now: dt.datetime, *, can_move: bool) -> Card:
    in_stage = (
        f"{days_label(now - application.stage_changed_at)} in {application.get_stage_display()}"
    )
    return Card(
        application,
        in_stage,
        is_stale(application, now),
        moves_for(application) if can_move else [],
    )


def board(requisition: Requisition, *, can_move: bool, now: dt.datetime | None = None) -> Board:
    """The requisition's applications by stage (one query, however many)."""
    now = now or timezone.now()
    applications = list(
        Application.objects.filter(requisition=requisition)
        .select_related("candidate")
        .order_by("stage_changed_at", "pk")
    )
    columns: dict[str, Column] = {
        stage: Column(stage, Stage(stage).label) for stage in Application.PIPELINE
    }
    closed: list[Card] = []
    for application in applications:
        application.requisition = requisition  # allowed_moves reads its status
        item = card(application, now, can_move=can_move)
        if application.stage in columns:
            columns[application.stage].cards.append(item)
        else:
            closed.append(item)
    return Board(
        requisition,
        list(columns.values()),
        closed,
        sum(1 for column in columns.values() for c in column.cards if c.is_stale),
    )


@dataclass(frozen=True)
class HistoryRow:
    change: StageChange
    time_in_stage: str  # how long it stayed in change.to_stage ("so far" for the current)
    is_current: bool


def stage_history(application: Application, now: dt.datetime | None = None) -> list[HistoryRow]:
    now = now or timezone.now()
    changes = list(application.stage_changes.select_related("changed_by").order_by("changed_at"))
    rows = []
    for n, change in enumerate(changes):
        is_last = n == len(changes) - 1
        until = now if is_last else changes[n + 1].changed_at
        label = days_label(until - change.changed_at)
        if is_last and application.is_active:
            label += " so far"
        rows.append(HistoryRow(change, label, is_last))
    return rows


def decisions(application: Application) -> list[Decision]:
    return list(
        application.decisions.select_related("decided_by")
        .annotate(scorecard_count=Count("scorecards"))
        .order_by("decided_at", "pk")
    )


# -- The lead's home page: applications that have not moved ---------------------------


@dataclass(frozen=True)
class StaleBoard:
    requisition_id: int
    title: str
    team_name: str
    count: int

    @property
    def url(self) -> str:
        return reverse("teams:requisition-board", args=[self.requisition_id])


def stale_boards(team_ids: frozenset[int] | set[int], now: dt.datetime) -> list[StaleBoard]:
    """Per open (or filled: its remaining candidates are still to be told) requisition
    of these teams, its active applications not moved for HIRING_STALE_DAYS. One query."""
    cutoff = now - dt.timedelta(days=settings.HIRING_STALE_DAYS)
    rows = (
        Application.objects.active()
        .filter(
            requisition__team_id__in=team_ids,
            requisition__status__in=(Requisition.Status.OPEN, Requisition.Status.FILLED),
            stage_changed_at__lte=cutoff,
        )
        .order_by()
        .values("requisition_id", "requisition__title", "requisition__team__name")
        .annotate(n=Count("pk"))
        .order_by("requisition__team__name", "requisition__title", "requisition_id")
    )
    return [
        StaleBoard(
            r["requisition_id"], r["requisition__title"], r["requisition__team__name"], r["n"]
        )
        for r in rows
    ]


def stale_applications_panel(user: User, roles: "Roles") -> list[HomePanel]:
    """ "N applications have not moved for 7+ days", for a lead, with the boards."""
    if not roles.is_lead:
        return []
    boards = stale_boards(roles.led_team_ids, timezone.now())
    if not boards:
        return []
    return [
        HomePanel(
            template="teams/applications/_home_stale.html",
            context={
                "boards": boards,
                "total": sum(b.count for b in boards),
                "days": settings.HIRING_STALE_DAYS,
            },
            order=35,
        )
    ]


# -- A candidate's data export -----------------------------------------------------------


def _iso(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.datetime | dt.date) else value


def _person(user: User | None) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def candidate_export(candidate: Candidate, *, user: User) -> dict[str, Any]:
    """Everything held about a candidate (a data-access request), as JSON values:
    their details, applications, stage changes, interviews, submitted scorecards
    (ratings and text), decisions and offers. A fixed number of queries.

    Scorecards follow `teams.access.readable_scorecards`: on an application where the
    exporting user still owes a scorecard of their own, nobody else's is included."""
    ratings = Rating.objects.select_related("competency")
    submitted: dict[int, list[Scorecard]] = {}
    owed = Scorecard.objects.filter(
        interview__application__candidate=candidate, interviewer=user, submitted_at__isnull=True
    ).values("interview__application_id")
    for scorecard in (
        Scorecard.objects.filter(
            interview__application__candidate=candidate, submitted_at__isnull=False
        )
        .filter(interview__application__in=visible_applications(user))
        .exclude(Q(interview__application_id__in=owed) & ~Q(interviewer=user))
        .select_related("interviewer")
        .prefetch_related(Prefetch("ratings", queryset=ratings))
        .order_by("submitted_at", "pk")
    ):
        submitted.setdefault(scorecard.interview_id, []).append(scorecard)
    applications = (
        visible_applications(user)
        .filter(candidate=candidate)
        .select_related("requisition__team", "offer")
        .prefetch_related(
            Prefetch("stage_changes", queryset=StageChange.objects.select_related("changed_by")),
            Prefetch("decisions", queryset=Decision.objects.select_related("decided_by")),
            Prefetch("interviews", queryset=Interview.objects.prefetch_related("interviewers")),
        )
        .order_by("created_at", "pk")
    )
    rows = []
    for application in applications:
        offer = getattr(application, "offer", None)
        rows.append(
            {
                "id": application.pk,
                "requisition": application.requisition.title,
                "team": application.requisition.team.name,
                "stage": application.stage,
                "stage_changed_at": _iso(application.stage_changed_at),
                "source": application.source,
                "closed_reason": application.closed_reason,
                "created_at": _iso(application.created_at),
                "stage_changes": [
                    {
                        "from": change.from_stage,
                        "to": change.to_stage,
                        "at": _iso(change.changed_at),
                        "by": _person(change.changed_by),
                        "reason": change.reason,
                    }
                    for change in application.stage_changes.all()
                ],
                "interviews": [
                    {
                        "title": interview.title,
                        "starts_at": _iso(interview.starts_at),
                        "duration_minutes": interview.duration_minutes,
                        "location": interview.location,
                        "interviewers": [_person(u) for u in interview.interviewers.all()],
                        "scorecards": [
                            {
                                "interviewer": _person(scorecard.interviewer),
                                "recommendation": scorecard.recommendation,
                                "summary": scorecard.summary,
                                "submitted_at": _iso(scorecard.submitted_at),
                                "ratings": [
                                    {
                                        "competency": rating.competency.name,
                                        "score": rating.score,
                                        "evidence": rating.evidence,
                                    }
                                    for rating in scorecard.ratings.all()
                                ],
                            }
                            for scorecard in submitted.get(interview.pk, [])
                        ],
                    }
                    for interview in application.interviews.all()
                ],
                "decisions": [
                    {
                        "outcome": decision.outcome,
                        "at": _iso(decision.decided_at),
                        "by": _person(decision.decided_by),
                        "reason": decision.reason,
                    }
                    for decision in application.decisions.all()
                ],
                "offer": None
                if offer is None
                else {
                    "status": offer.status,
                    "start_on": _iso(offer.start_on),
                    "fte": str(offer.fte),
                    "weekly_hours": str(offer.weekly_hours),
                    "extended_at": _iso(offer.extended_at),
                    "responded_at": _iso(offer.responded_at),
                },
            }
        )
    return {
        "candidate": {
            "id": candidate.pk,
            "name": candidate.name,
            "email": candidate.email,
            "phone": candidate.phone,
            "source": candidate.source,
            "notes": candidate.notes,
            "cv_name": candidate.cv_name,
            "created_at": _iso(candidate.created_at),
            "anonymised_at": _iso(candidate.anonymised_at),
        },
        "applications": rows,
        "excluded": "Scorecards not yet submitted (an interviewer's draft) and the CV file "
        "itself (downloaded separately).",
    }
