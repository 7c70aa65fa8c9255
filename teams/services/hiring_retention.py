"""Retention for hiring: candidates whose every application is rejected or withdrawn,
and whose last move is older than HIRING_RETENTION_DAYS, are anonymised.

What goes: the candidate's name (replaced), e-mail, phone, notes and CV (the file is
deleted from the private storage once the change commits); the text written about
them (scorecards' summaries, ratings' evidence, decisions' and moves' reasons, the
application's closed reason, interview titles and locations). What stays: the rows
themselves (applications with their stage and source, stage changes, decisions,
offers, rating scores), so the hiring metrics count the same before and after.

Idempotent: an anonymised candidate is not picked again (a second run returns 0).
Each candidate is one transaction and one audit event, labelled "candidate #id".
"""

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from .. import audit
from ..models import (
    Application,
    AuditEvent,
    Candidate,
    Decision,
    Interview,
    Rating,
    Scorecard,
    StageChange,
)

logger = logging.getLogger(__name__)

ANONYMISED_NAME = "Anonymised candidate"


def due_for_anonymisation(now: dt.datetime) -> "list[int]":
    """The ids of candidates past retention (one query)."""
    cutoff = now - dt.timedelta(days=settings.HIRING_RETENTION_DAYS)
    candidate = OuterRef("pk")
    still_open = Application.objects.filter(candidate=candidate).exclude(
        stage__in=(Application.Stage.REJECTED, Application.Stage.WITHDRAWN)
    )
    recent_move = StageChange.objects.filter(
        application__candidate=candidate, changed_at__gte=cutoff
    )
    recent_stage = Application.objects.filter(candidate=candidate, stage_changed_at__gte=cutoff)
    return list(
        Candidate.objects.filter(anonymised_at__isnull=True)
        .filter(Exists(Application.objects.filter(candidate=candidate)))
        .exclude(Exists(still_open))
        .exclude(Exists(recent_move))
        .exclude(Exists(recent_stage))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def anonymise_candidates(*, now: dt.datetime | None = None) -> int:
    """Anonymise every candidate past retention; how many were."""
    now = now or timezone.now()
    count = 0
    for candidate_id in due_for_anonymisation(now):
        if anonymise_candidate(candidate_id=candidate_id, now=now):
            count += 1
    return count


@transaction.atomic
def anonymise_candidate(*, candidate_id: int, now: dt.datetime) -> bool:
    candidate = Candidate.objects.select_for_update().filter(pk=candidate_id).first()
    if candidate is None or candidate.anonymised_at is not None:
        return False
    cv_file = candidate.cv.name if candidate.cv else ""
    candidate.name = ANONYMISED_NAME
    candidate.email = ""
    candidate.phone = ""
    candidate.notes = ""
    candidate.cv = ""
    candidate.cv_name = ""
    candidate.anonymised_at = now
    candidate.save(
        update_fields=["name", "email", "phone", "notes", "cv", "cv_name", "anonymised_at"]
    )
    applications = Application.objects.filter(candidate=candidate)
    applications.update(closed_reason="")
    StageChange.objects.filter(application__in=applications).update(reason="")
    Decision.objects.filter(application__in=applications).update(reason="")
    Interview.objects.filter(application__in=applications).update(title="Interview", location="")
    scorecards = Scorecard.objects.filter(interview__application__in=applications)
    scorecards.update(summary="")
    Rating.objects.filter(scorecard__in=scorecards).update(evidence="")
    team = applications.select_related("requisition__team").order_by("-stage_changed_at").first()
    audit.record(
        action=AuditEvent.Action.CANDIDATE_ANONYMISED,
        actor=None,
        target=candidate,
        team=team.requisition.team if team is not None else None,
    )
    if cv_file:
        storage = Candidate._meta.get_field("cv").storage
        transaction.on_commit(lambda: _delete_cv(storage, cv_file))
    return True


def _delete_cv(storage: object, name: str) -> None:
    try:
        storage.delete(name)  # type: ignore[attr-defined]
    except OSError:
        logger.exception("CV file %s could not be deleted", name)
