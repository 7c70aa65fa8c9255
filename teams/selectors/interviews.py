"""Reads for interviews and scorecards: the application page's panel, an
interviewer's own interviews, the home page's "Scorecards to submit", and the
iCalendar invitation of an interview.

Independence: every scorecard shown here is read through
`teams.access.readable_scorecards` (an interviewer who owes one on an application
sees no one else's). Whether a scorecard is in is status, not content: it may show.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from ..access import Roles, readable_scorecards, roles_for
from ..models import Application, Interview, Rating, Requisition, Scorecard, User
from . import HomePanel

SCHEDULABLE_STAGES = (Application.Stage.SCREEN, Application.Stage.INTERVIEW)


def application_url(application_id: int) -> str:
    return reverse("teams:application-detail", kwargs={"application_id": application_id})


def can_schedule(roles: Roles, application: Application) -> bool:
    return (
        roles.can_change_team(application.requisition.team_id)
        and application.stage in SCHEDULABLE_STAGES
        and application.requisition.status == Requisition.Status.OPEN
        and application.candidate.anonymised_at is None
    )


# --- The panel on the application page ---------------------------------------------


@dataclass(frozen=True)
class MatrixRow:
    competency: str
    cells: list[int | None]  # one per readable submitted scorecard, in column order
    average: float | None


def interview_panel(*, user: User, application: Application) -> dict[str, Any]:
    """Context for templates/teams/interviews/_panel.html on the application page.
    A fixed number of queries (about seven) however many interviews and scorecards.
    `application` comes from get_application_for_user (candidate, requisition, team
    and site selected)."""
    roles = roles_for(user)
    zone = application.requisition.team.site.zone
    interviews = list(
        Interview.objects.filter(application=application)
        .prefetch_related(
            Prefetch(
                "scorecards",
                queryset=Scorecard.objects.select_related("interviewer").order_by("pk"),
            )
        )
        .order_by("starts_at", "pk")
    )
    for interview in interviews:
        interview.local_start = interview.starts_at.astimezone(zone)  # type: ignore[attr-defined]
        interview.has_submitted = any(  # type: ignore[attr-defined]
            card.is_submitted for card in interview.scorecards.all()
        )
    mine = [
        card
        for interview in interviews
        for card in interview.scorecards.all()
        if card.interviewer_id == user.pk
    ]
    owes = [card for card in mine if not card.is_submitted]
    others_submitted = sum(
        1
        for interview in interviews
        for card in interview.scorecards.all()
        if card.is_submitted and card.interviewer_id != user.pk
    )
    readable = list(
        readable_scorecards(user, application)
        .filter(submitted_at__isnull=False)
        .select_related("interviewer", "interview")
        .prefetch_related(Prefetch("ratings", queryset=Rating.objects.select_related("competency")))
        .order_by("interview__starts_at", "pk")
    )
    competencies = list(application.requisition.competencies.all())
    return {
        "application": application,
        "interviews": interviews,
        "zone_name": application.requisition.team.site.time_zone,
        "can_schedule": can_schedule(roles, application),
        "can_change": roles.can_change_team(application.requisition.team_id),
        "own_scorecards": mine,
        "owes": owes,
        "others_submitted": others_submitted,
        "readable": readable,
        "matrix": score_matrix(competencies, readable),
    }


def score_matrix(competencies: Sequence[Any], scorecards: Sequence[Scorecard]) -> list[MatrixRow]:
    """Competency × interviewer, from submitted scorecards only (their ratings
    prefetched), and each competency's average over the scores given."""
    scores = [
        {rating.competency_id: rating.score for rating in card.ratings.all()} for card in scorecards
    ]
    rows = []
    for competency in competencies:
        cells = [by_competency.get(competency.pk) for by_competency in scores]
        given = [score for score in cells if score is not None]
        average = round(sum(given) / len(given), 1) if given else None
        rows.append(MatrixRow(competency.name, cells, average))
    return rows


# --- An interviewer's own interviews, and the home page -------------------------------


def my_scorecards(user: User) -> list[Scorecard]:
    """The user's scorecards with their interview, application, candidate and site:
    one query."""
    return list(
        Scorecard.objects.filter(interviewer=user)
        .select_related(
            "interview__application__candidate",
            "interview__application__requisition__team__site",
        )
        .order_by("interview__starts_at", "pk")
    )


def my_interviews(user: User, *, now: dt.datetime | None = None) -> dict[str, Any]:
    now = now or timezone.now()
    rows: list[dict[str, Any]] = [
        {
            "scorecard": card,
            "interview": card.interview,
            "local_start": card.interview.starts_at.astimezone(
                card.interview.application.requisition.team.site.zone
            ),
            "application_url": application_url(card.interview.application_id),
        }
        for card in my_scorecards(user)
    ]
    return {
        "upcoming": [row for row in rows if row["scorecard"].interview.ends_at >= now],
        "past": [row for row in rows if row["scorecard"].interview.ends_at < now][::-1],
    }


HOME_LIMIT = 10


def scorecards_to_submit_panel(user: User, roles: Roles) -> list[HomePanel]:
    """ "Scorecards to submit" on the home page of anyone who owes one, for applications
    still in the pipeline (a closed one needs no more judgements): one query."""
    cards = list(
        Scorecard.objects.filter(
            interviewer=user,
            submitted_at__isnull=True,
            interview__application__stage__in=Application.ACTIVE_STAGES,
        )
        .select_related(
            "interview__application__candidate",
            "interview__application__requisition__team__site",
        )
        .order_by("interview__starts_at", "pk")[: HOME_LIMIT + 1]
    )
    if not cards:
        return []
    now = timezone.now()
    items = [
        {
            "scorecard": card,
            "local_start": card.interview.starts_at.astimezone(
                card.interview.application.requisition.team.site.zone
            ),
            "upcoming": card.interview.starts_at > now,
        }
        for card in cards[:HOME_LIMIT]
    ]
    return [
        HomePanel(
            "teams/interviews/_home_scorecards.html",
            {"items": items, "more": len(cards) > HOME_LIMIT},
            order=20,
        )
    ]


# --- The iCalendar invitation ----------------------------------------------------------


@dataclass(frozen=True)
class Person:
    name: str
    email: str


@dataclass(frozen=True)
class Invitation:
    """What an invitation says, as plain values (a cancellation is sent after the
    interview is gone, from these)."""

    interview_id: int
    sequence: int
    starts_at: str  # ISO 8601, UTC
    ends_at: str
    summary: str
    location: str
    description: str
    organizer: Person | None
    attendees: list[Person] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Invitation":
        organizer = data.get("organizer")
        return cls(
            **{
                **data,
                "organizer": Person(**organizer) if organizer else None,
                "attendees": [Person(**a) for a in data.get("attendees", [])],
            }
        )


def uid_domain() -> str:
    """The site's public host name (as the schedule feed's UIDs use it)."""
    return urlsplit(settings.SITE_URL).hostname or "sdc-ops.invalid"


def interview_uid(interview_id: int) -> str:
    return f"interview-{interview_id}@{uid_domain()}"


def summary_of(interview: Interview) -> str:
    application = interview.application
    return f"Interview: {application.candidate.name} · {application.requisition.title}"


def _person(user: User | None) -> Person | None:
    if user is None or not user.email:
        return None
    return Person(user.display_name, user.email)


def invitation_of(
    interview: Interview, *, attendees: Iterable[User], sequence: int | None = None
) -> Invitation:
    """The invitation of an interview (its application, candidate and requisition
    selected) for `attendees`; organised by whoever scheduled it."""
    zone = interview.application.requisition.team.site.zone
    local = interview.starts_at.astimezone(zone)
    lines = [
        f"{interview.title} with {interview.application.candidate.name} for "
        f"{interview.application.requisition.title} ({interview.application.requisition.team}).",
        f"{local:%A %d %B %Y, %H:%M} {interview.application.requisition.team.site.time_zone}, "
        f"{interview.duration_minutes} minutes.",
    ]
    if interview.location:
        lines.append(f"Where: {interview.location}")
    lines.append("Your scorecard: " + _site_url(reverse("teams:my-interviews")))
    return Invitation(
        interview_id=interview.pk,
        sequence=interview.sequence if sequence is None else sequence,
        starts_at=interview.starts_at.astimezone(dt.UTC).isoformat(),
        ends_at=interview.ends_at.astimezone(dt.UTC).isoformat(),
        summary=summary_of(interview),
        location=interview.location,
        description="\n".join(lines),
        organizer=_person(interview.created_by),
        attendees=[p for p in (_person(user) for user in attendees) if p is not None],
    )


def _site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def ics_of(invitation: Invitation, *, method: str = "REQUEST") -> bytes:
    """An iCalendar object (RFC 5545) with one event; `icalendar` escapes the text
    (commas, semicolons, backslashes, line breaks) and quotes parameters."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//SDC Ops//Interviews//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    event = icalendar.Event()
    event.add("uid", interview_uid(invitation.interview_id))
    event.add("sequence", invitation.sequence)
    event.add("dtstamp", timezone.now().astimezone(dt.UTC))
    event.add("dtstart", dt.datetime.fromisoformat(invitation.starts_at).astimezone(dt.UTC))
    event.add("dtend", dt.datetime.fromisoformat(invitation.ends_at).astimezone(dt.UTC))
    event.add("summary", invitation.summary)
    event.add("description", invitation.description)
    if invitation.location:
        event.add("location", invitation.location)
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    if invitation.organizer is not None:
        event.add(
            "organizer",
            icalendar.vCalAddress(f"mailto:{invitation.organizer.email}"),
            parameters={"CN": invitation.organizer.name},
        )
    for person in invitation.attendees:
        event.add(
            "attendee",
            icalendar.vCalAddress(f"mailto:{person.email}"),
            parameters={
                "CN": person.name,
                "ROLE": "REQ-PARTICIPANT",
                "PARTSTAT": "NEEDS-ACTION",
                "RSVP": "FALSE",
            },
        )
    cal.add_component(event)
    ics: bytes = cal.to_ical()
    return ics
