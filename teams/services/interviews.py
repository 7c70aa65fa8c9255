"""Interviews and their scorecards: schedule, change and cancel an interview (each
interviewer invited with an .ics), and an interviewer's scorecard saved as a
private draft or submitted once.

An interview is scheduled by a lead of the requisition's team (or an ops admin)
while the application is at screen or interview and the requisition is open; an
application at screen moves to interview with it (through `move_application`, the
one way a stage changes). A refusal raises `InterviewRefused` (or
`ScorecardRefused`) with a message for the person and changes nothing.

Without a cancelled state on Interview, a cancelled interview is deleted (with its
empty scorecards) after its interviewers' cancellations are queued; an interview
with a submitted scorecard is kept (it happened).
"""

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from sdc_ops.celery import enqueue_on_commit

from .. import audit, notifications, tasks
from ..access import roles_for
from ..models import (
    Application,
    AuditEvent,
    Competency,
    Interview,
    Rating,
    Requisition,
    Scorecard,
    Team,
    User,
)
from ..selectors.interviews import (
    SCHEDULABLE_STAGES,
    Invitation,
    application_url,
    invitation_of,
)
from .applications import ApplicationMoveRefused, lock_application, move_application

Stage = Application.Stage
MAX_INTERVIEWERS = 8


class InterviewRefused(Exception):
    """The interview cannot be scheduled or changed so; the message says why."""


class ScorecardRefused(Exception):
    """The scorecard cannot be saved so; the message says why."""


def _check_interviewers(interviewers: Sequence[User]) -> list[User]:
    people = list({user.pk: user for user in interviewers}.values())
    if not people:
        raise InterviewRefused("Pick at least one interviewer.")
    if len(people) > MAX_INTERVIEWERS:
        raise InterviewRefused(f"At most {MAX_INTERVIEWERS} interviewers on one interview.")
    active = set(
        User.objects.filter(pk__in=[u.pk for u in people], is_active=True).values_list(
            "pk", flat=True
        )
    )
    inactive = [u.display_name for u in people if u.pk not in active]
    if inactive:
        raise InterviewRefused(
            "Only people with an active login can interview: " + ", ".join(inactive)[:80] + "."
        )
    return people


def _check_time(starts_at: dt.datetime, duration_minutes: int) -> None:
    if timezone.is_naive(starts_at):
        raise InterviewRefused("The interview's time needs its time zone.")
    if not 10 <= duration_minutes <= 480:
        raise InterviewRefused("An interview lasts 10 to 480 minutes.")


def _check_can_schedule(actor: User, application: Application) -> None:
    if not roles_for(actor).can_change_team(application.requisition.team_id):
        raise InterviewRefused("Only the team's lead can schedule interviews.")
    if application.requisition.status != Requisition.Status.OPEN:
        raise InterviewRefused(
            f"The requisition is {application.requisition.get_status_display().lower()}: "
            "interviews are scheduled only while it is open."
        )
    if application.stage not in SCHEDULABLE_STAGES:
        raise InterviewRefused(
            f"This application is at {application.get_stage_display()}: interviews are "
            "scheduled at the screen or interview stage."
        )
    if application.candidate.anonymised_at is not None:
        raise InterviewRefused("This candidate's details have been anonymised.")


@transaction.atomic
def schedule_interview(
    *,
    actor: User,
    application: Application,
    title: str,
    starts_at: dt.datetime,
    duration_minutes: int,
    location: str,
    interviewers: Sequence[User],
) -> Interview:
    """An interview with one empty scorecard per interviewer, each invited by e-mail
    with an .ics. An application at screen moves to interview."""
    locked = lock_application(application.pk)  # the requisition first, as every move
    _check_can_schedule(actor, locked)
    _check_time(starts_at, duration_minutes)
    people = _check_interviewers(interviewers)
    if locked.stage == Stage.SCREEN:
        try:
            move_application(
                actor=actor,
                application=locked,
                to_stage=Stage.INTERVIEW,
                from_stage=Stage.SCREEN,
                reason="Interview scheduled",
            )
        except ApplicationMoveRefused as refused:
            raise InterviewRefused(str(refused)) from refused
        application.stage = locked.stage
        application.stage_changed_at = locked.stage_changed_at
    interview = Interview.objects.create(
        application=locked,
        title=title.strip() or "Interview",
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        location=location.strip(),
        created_by=actor,
    )
    Scorecard.objects.bulk_create(
        [Scorecard(interview=interview, interviewer=person) for person in people]
    )
    audit.record(
        action=AuditEvent.Action.INTERVIEW_SCHEDULED,
        actor=actor,
        target=interview,
        team=locked.requisition.team,
        details={"interviewers": len(people), "change": "scheduled"},
    )
    enqueue_on_commit(
        tasks.send_interview_invitations, interview_id=interview.pk, sequence=interview.sequence
    )
    return interview


def _locked_interview(interview: Interview) -> Interview:
    return (
        Interview.objects.select_for_update(of=("self",))
        .select_related(
            "application__candidate", "application__requisition__team__site", "created_by"
        )
        .get(pk=interview.pk)
    )


@transaction.atomic
def update_interview(
    *,
    actor: User,
    interview: Interview,
    title: str,
    starts_at: dt.datetime,
    duration_minutes: int,
    location: str,
    sequence: int | None = None,
) -> bool:
    """Change an interview's time, length, title or place: the sequence goes up and
    every interviewer is sent the new invitation. `sequence` is the one the person's
    form was made from: a stale form (a change meanwhile, a second click) is refused.
    False when nothing changed."""
    try:
        locked = _locked_interview(interview)
    except Interview.DoesNotExist:
        raise InterviewRefused("This interview has been cancelled.") from None
    if not roles_for(actor).can_change_team(locked.application.requisition.team_id):
        raise InterviewRefused("Only the team's lead can change interviews.")
    if sequence is not None and sequence != locked.sequence:
        raise InterviewRefused("This interview was changed meanwhile; nothing was changed.")
    if locked.scorecards.filter(submitted_at__isnull=False).exists():
        raise InterviewRefused("A scorecard is in: this interview has taken place.")
    _check_time(starts_at, duration_minutes)
    new = {
        "title": title.strip() or "Interview",
        "starts_at": starts_at,
        "duration_minutes": duration_minutes,
        "location": location.strip(),
    }
    changed = [name for name, value in new.items() if getattr(locked, name) != value]
    if not changed:
        return False
    for name in changed:
        setattr(locked, name, new[name])
    locked.sequence += 1
    locked.save(update_fields=[*changed, "sequence"])
    audit.record(
        action=AuditEvent.Action.INTERVIEW_SCHEDULED,
        actor=actor,
        target=locked,
        team=locked.application.requisition.team,
        details={"change": "rescheduled", "fields": ",".join(changed)},
    )
    enqueue_on_commit(
        tasks.send_interview_invitations, interview_id=locked.pk, sequence=locked.sequence
    )
    for name in (*changed, "sequence"):
        setattr(interview, name, getattr(locked, name))
    return True


@transaction.atomic
def cancel_interview(*, actor: User, interview: Interview) -> None:
    """Cancel an interview none of whose scorecards is in: each interviewer gets a
    METHOD:CANCEL, and the interview goes with its empty scorecards."""
    try:
        locked = _locked_interview(interview)
    except Interview.DoesNotExist:
        raise InterviewRefused("This interview is already cancelled.") from None
    if not roles_for(actor).can_change_team(locked.application.requisition.team_id):
        raise InterviewRefused("Only the team's lead can cancel interviews.")
    if locked.scorecards.filter(submitted_at__isnull=False).exists():
        raise InterviewRefused(
            "A scorecard of this interview is in: it took place and cannot be cancelled."
        )
    interviewers = list(
        User.objects.filter(scorecards__interview=locked).order_by("scorecards__pk")
    )
    invitation = invitation_of(locked, attendees=interviewers, sequence=locked.sequence + 1)
    audit.record(
        action=AuditEvent.Action.INTERVIEW_SCHEDULED,
        actor=actor,
        target=locked,
        team=locked.application.requisition.team,
        details={"change": "cancelled"},
    )
    locked.delete()
    enqueue_on_commit(
        tasks.send_interview_cancellations,
        invitation=invitation.as_json(),
        interviewer_ids=[user.pk for user in interviewers],
    )


# --- E-mails (run by the tasks) ---------------------------------------------------------


def send_interview_invitations(
    *, interview_id: int, sequence: int, interviewer_ids: list[int] | None = None
) -> int:
    """E-mail each interviewer their invitation; nothing for an interview gone or
    changed again since (its newer invitation is on its way). How many were sent."""
    interview = (
        Interview.objects.select_related(
            "application__candidate", "application__requisition__team__site", "created_by"
        )
        .filter(pk=interview_id, sequence=sequence)
        .first()
    )
    if interview is None:
        return 0
    people = User.objects.filter(scorecards__interview=interview, is_active=True).order_by(
        "scorecards__pk"
    )
    if interviewer_ids is not None:
        people = people.filter(pk__in=interviewer_ids)
    sent = 0
    for person in people:
        invitation = invitation_of(interview, attendees=[person])
        sent += notifications.email_interview_invitation(
            person, invitation=invitation, method="REQUEST", rescheduled=sequence > 0
        )
    return sent


def send_interview_cancellations(
    *, invitation: Mapping[str, object], interviewer_ids: list[int]
) -> int:
    cancelled = Invitation.from_json(dict(invitation))
    sent = 0
    for person in User.objects.filter(pk__in=interviewer_ids, is_active=True).order_by("pk"):
        attendees = [a for a in cancelled.attendees if a.email == person.email]
        own = Invitation(**{**cancelled.__dict__, "attendees": attendees})
        sent += notifications.email_interview_invitation(person, invitation=own, method="CANCEL")
    return sent


def notify_scorecards_complete(*, interview_id: int) -> bool:
    interview = (
        Interview.objects.select_related("application__candidate", "application__requisition__team")
        .filter(pk=interview_id)
        .first()
    )
    if interview is None or interview.scorecards.filter(submitted_at__isnull=True).exists():
        return False
    leads = list(interview.application.requisition.team.leads.filter(is_active=True))
    from ..mail import site_url

    return notifications.email_scorecards_complete(
        leads, interview=interview, link=site_url(application_url(interview.application_id))
    )


# --- Scorecards ---------------------------------------------------------------------


@dataclass(frozen=True)
class RatingInput:
    score: int | None
    evidence: str


@transaction.atomic
def save_scorecard(
    *,
    actor: User,
    scorecard: Scorecard,
    ratings: Mapping[int, RatingInput],
    recommendation: str,
    summary: str,
    submit: bool,
) -> Scorecard:
    """Save the interviewer's scorecard as a draft (only they see it) or submit it
    (every competency rated and a recommendation; then it is read-only). A submitted
    scorecard changes no more: a second submit or a stale form is refused."""
    interview = Interview.objects.select_for_update(of=("self",)).get(pk=scorecard.interview_id)
    locked = Scorecard.objects.select_for_update(of=("self",)).get(pk=scorecard.pk)
    if locked.interviewer_id != actor.pk:
        raise ScorecardRefused("Only its interviewer fills in a scorecard.")
    if locked.is_submitted:
        raise ScorecardRefused("This scorecard was already submitted; nothing was changed.")
    competencies = list(
        Competency.objects.filter(requisition_id=_requisition_id(interview)).order_by(
            "position", "pk"
        )
    )
    if recommendation and recommendation not in Scorecard.Recommendation.values:
        raise ScorecardRefused("Pick a recommendation from the list.")
    for competency in competencies:
        given = ratings.get(competency.pk)
        if given is not None and given.score is not None and not 1 <= given.score <= 4:
            raise ScorecardRefused(f"{competency.name}: a score is 1 to 4.")
        if given is not None and given.score is None and given.evidence.strip():
            raise ScorecardRefused(f"{competency.name}: give a score with the evidence.")
    if submit:
        missing = [
            c.name for c in competencies if ratings.get(c.pk) is None or ratings[c.pk].score is None
        ]
        if missing:
            raise ScorecardRefused("Rate every competency to submit: " + ", ".join(missing)[:80])
        if not recommendation:
            raise ScorecardRefused("Give your recommendation to submit.")
    keep = []
    for competency in competencies:
        given = ratings.get(competency.pk)
        if given is None or given.score is None:
            continue
        keep.append(competency.pk)
        Rating.objects.update_or_create(
            scorecard=locked,
            competency=competency,
            defaults={"score": given.score, "evidence": given.evidence.strip()},
        )
    Rating.objects.filter(scorecard=locked).exclude(competency_id__in=keep).delete()
    locked.recommendation = recommendation
    locked.summary = summary.strip()
    if submit:
        locked.submitted_at = timezone.now()
    locked.save(update_fields=["recommendation", "summary", "submitted_at"])
    if submit:
        audit.record(
            action=AuditEvent.Action.SCORECARD_SUBMITTED,
            actor=actor,
            target=locked,
            team=_team(interview),
            details={"interview": interview.pk},
        )
        others_open = Scorecard.objects.filter(
            Q(interview=interview) & Q(submitted_at__isnull=True)
        ).exists()
        if not others_open:
            enqueue_on_commit(tasks.notify_scorecards_complete, interview_id=interview.pk)
    scorecard.recommendation = locked.recommendation
    scorecard.summary = locked.summary
    scorecard.submitted_at = locked.submitted_at
    return locked


def _requisition_id(interview: Interview) -> int:
    requisition_id: int = (
        Application.objects.filter(pk=interview.application_id)
        .values_list("requisition_id", flat=True)
        .get()
    )
    return requisition_id


def _team(interview: Interview) -> Team:
    return (
        Application.objects.select_related("requisition__team")
        .get(pk=interview.application_id)
        .requisition.team
    )
