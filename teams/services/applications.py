"""An application's moves through the stages: the one way its stage changes.

    applied → screen → interview → offer → hired
    any stage before hired → rejected / withdrawn (with a reason)

only while the requisition is open; once it is filled, its remaining candidates may
still be rejected or withdrawn (so each is told), and once cancelled nothing moves (the
cancel withdrew them).

A move to an offer, or out of the interview stage, is a decision: it records who
decided, why, and the submitted scorecards it rested on. Hired is reached only by
an accepted offer (teams/services/offers.py). A refused move raises
`ApplicationMoveRefused` with a message for the person and changes nothing.
"""

from django.db import transaction
from django.utils import timezone

from .. import audit
from ..models import Application, AuditEvent, Decision, Offer, Requisition, Scorecard, User

Stage = Application.Stage

NEXT: dict[str, frozenset[str]] = {
    Stage.APPLIED: frozenset({Stage.SCREEN, Stage.INTERVIEW, Stage.REJECTED, Stage.WITHDRAWN}),
    Stage.SCREEN: frozenset({Stage.INTERVIEW, Stage.REJECTED, Stage.WITHDRAWN}),
    Stage.INTERVIEW: frozenset({Stage.OFFER, Stage.REJECTED, Stage.WITHDRAWN}),
    Stage.OFFER: frozenset({Stage.HIRED, Stage.REJECTED, Stage.WITHDRAWN}),
    Stage.HIRED: frozenset(),
    Stage.REJECTED: frozenset(),
    Stage.WITHDRAWN: frozenset(),
}
NEEDS_REASON = frozenset({Stage.REJECTED, Stage.WITHDRAWN})


class ApplicationMoveRefused(Exception):
    """The move is not allowed from here; the message says why."""


def is_decision(from_stage: str, to_stage: str) -> bool:
    return to_stage == Stage.OFFER or (from_stage == Stage.INTERVIEW and to_stage in NEEDS_REASON)


def _open_to(requisition: Requisition) -> frozenset[str] | None:
    """The stages an application may move to while its requisition is in this state
    (None: any): once filled, the rest are only told no (rejected or withdrawn)."""
    if requisition.status == Requisition.Status.OPEN:
        return None
    if requisition.status == Requisition.Status.FILLED:
        return NEEDS_REASON
    return frozenset()


def allowed_moves(application: Application) -> list[str]:
    """The stages a lead may move this application to by hand (hired comes from an
    accepted offer), in pipeline order."""
    targets = NEXT[application.stage] - {Stage.HIRED}
    open_to = _open_to(application.requisition)
    if open_to is not None:
        targets &= open_to
    return [stage for stage in Stage.values if stage in targets]


def lock_application(application_id: int) -> Application:
    """Lock an application for a change, its requisition first: every hiring write locks
    in that order (requisition, then application, then its offer), so two people at once
    wait for each other rather than deadlock."""
    requisition_id = (
        Application.objects.filter(pk=application_id).values_list("requisition_id", flat=True).get()
    )
    Requisition.objects.select_for_update().filter(pk=requisition_id).first()
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("candidate", "requisition__team__site")
        .get(pk=application_id)
    )


@transaction.atomic
def move_application(
    *,
    actor: User,
    application: Application,
    to_stage: str,
    reason: str = "",
    from_stage: str | None = None,
    via_offer: bool = False,
) -> Application:
    """Move an application to `to_stage`. `from_stage`, when given, is the stage the
    person saw: a move made from a stale page (someone moved it meanwhile, or a
    double submit) is refused rather than applied twice."""
    locked = lock_application(application.pk)
    reason = reason.strip()
    if from_stage is not None and locked.stage != from_stage:
        raise ApplicationMoveRefused(
            f"This application has moved to {locked.get_stage_display()} meanwhile; "
            "nothing was changed."
        )
    if to_stage not in Stage.values:
        raise ApplicationMoveRefused(f"{to_stage[:40]!r} is not a stage.")
    open_to = _open_to(locked.requisition)
    if open_to is not None and to_stage not in open_to:
        raise ApplicationMoveRefused(
            f"The requisition is {locked.requisition.get_status_display().lower()}: "
            "applications move only while it is open"
            + (" (its other candidates may still be rejected or withdrawn)." if open_to else ".")
        )
    if to_stage not in NEXT[locked.stage]:
        raise ApplicationMoveRefused(
            f"An application cannot move from {locked.get_stage_display()} to "
            f"{Stage(to_stage).label}."
        )
    if to_stage == Stage.HIRED and not via_offer:
        raise ApplicationMoveRefused("A candidate is hired by recording their accepted offer.")
    decision = is_decision(locked.stage, to_stage)
    if (to_stage in NEEDS_REASON or decision) and not reason:
        raise ApplicationMoveRefused("Say why: the reason is kept with the decision.")
    if len(reason) > 300 and not decision:
        raise ApplicationMoveRefused("Keep the reason under 300 characters.")
    now = timezone.now()
    previous = locked.stage
    locked.stage = to_stage
    locked.stage_changed_at = now
    if to_stage in NEEDS_REASON:
        locked.closed_reason = reason[:300]
    if to_stage == Stage.WITHDRAWN:
        # A candidate who withdraws with an offer open has declined it (the metrics'
        # offer acceptance counts it so); a rejection leaves the offer as it was, and
        # its answer buttons go with the offer stage (selectors/offers.py).
        Offer.objects.filter(application=locked, status=Offer.Status.EXTENDED).update(
            status=Offer.Status.DECLINED, responded_at=now
        )
    locked.save(update_fields=["stage", "stage_changed_at", "closed_reason"])
    locked.stage_changes.create(
        from_stage=previous,
        to_stage=to_stage,
        changed_by=actor,
        changed_at=now,
        reason=reason[:300],
    )
    if decision:
        made = Decision.objects.create(
            application=locked, outcome=to_stage, decided_by=actor, decided_at=now, reason=reason
        )
        made.scorecards.set(
            Scorecard.objects.filter(interview__application=locked, submitted_at__isnull=False)
        )
    audit.record(
        action=AuditEvent.Action.APPLICATION_MOVED,
        actor=actor,
        target=locked,
        team=locked.requisition.team,
        details={"from": previous, "to": to_stage},
    )
    application.stage = locked.stage
    application.stage_changed_at = now
    application.closed_reason = locked.closed_reason
    return locked
