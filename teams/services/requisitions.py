"""Requisitions (open headcount) through their states:

    draft → approved (the team's manager) → open → filled (accepted offers' FTE)
    draft / approved / open → cancelled (with a reason)

Every state change locks the row and checks the status the person saw, so a double
click or a stale page changes nothing the second time and says so
(`RequisitionRefused`). Every change is audited. Filling is asked for by the offers
service (`fill_if_complete`), never set by hand.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from sdc_ops.celery import enqueue_on_commit

from .. import audit, notifications, tasks
from ..access import can_approve_requisitions, can_cancel_requisitions, can_change_team
from ..models import (
    Application,
    Associate,
    AuditEvent,
    Competency,
    Offer,
    Requisition,
    Skill,
    StageChange,
    Team,
    User,
)
from .applications import move_application

Action = AuditEvent.Action
Status = Requisition.Status

DEFAULT_COMPETENCIES = (
    "Customer empathy",
    "Problem solving",
    "Written communication",
    "Product knowledge",
)
MAX_COMPETENCIES = 8
COMPETENCY_CHARS = 80
START_WINDOW_DAYS = 2 * 365 + 1  # target start: from the site's today up to two years on
CANCELLED_BY_REQUISITION = "Requisition cancelled"
EDITABLE_FIELDS = (
    "title",
    "level",
    "fte",
    "reason",
    "backfill_for",
    "target_start_on",
    "justification",
)


class RequisitionRefused(Exception):
    """The change is not allowed from the requisition's state; the message says why."""


def backfill_choices(team: Team) -> "Iterable[Associate]":
    """Whom a backfill may name: the team's associates who left or are leaving."""
    return (
        Associate.objects.filter(team=team, left_on__isnull=False)
        .select_related("user")
        .order_by("-left_on", "pk")
    )


def start_window(team: Team) -> tuple[dt.date, dt.date]:
    today = team.site.local_today()
    return today, today + dt.timedelta(days=START_WINDOW_DAYS)


def competency_problems(names: Sequence[str]) -> list[str]:
    """What is wrong with a list of competency names (empty: nothing)."""
    problems = []
    if len(names) > MAX_COMPETENCIES:
        problems.append(f"At most {MAX_COMPETENCIES} competencies.")
    if any(len(name) > COMPETENCY_CHARS for name in names):
        problems.append(f"Keep each competency under {COMPETENCY_CHARS} characters.")
    folded = [name.casefold() for name in names]
    if len(set(folded)) != len(folded):
        problems.append("Each competency once.")
    return problems


def _check_fields(
    *,
    team: Team,
    reason: str,
    backfill_for: Associate | None,
    target_start_on: dt.date,
    competencies: Sequence[str],
) -> None:
    """The form checks all this for people; services check again for every caller."""
    if reason not in Requisition.Reason.values:
        raise RequisitionRefused("Choose backfill or growth as the reason.")
    if reason == Requisition.Reason.BACKFILL:
        if backfill_for is None:
            raise RequisitionRefused("Name the leaver this backfill replaces.")
        if backfill_for.team_id != team.pk or backfill_for.left_on is None:
            raise RequisitionRefused("A backfill names a leaver of the same team.")
    elif backfill_for is not None:
        raise RequisitionRefused("Only a backfill names a leaver.")
    first, last = start_window(team)
    if not first <= target_start_on <= last:
        raise RequisitionRefused("The target start is between today and two years from now.")
    if problems := competency_problems(competencies):
        raise RequisitionRefused(" ".join(problems))


def _set_competencies(requisition: Requisition, names: Sequence[str]) -> None:
    """Keep the rows of names that stay (their ratings with them), drop the others,
    add the new ones, in the order given."""
    existing = {c.name: c for c in requisition.competencies.all()}
    requisition.competencies.exclude(name__in=list(names)).delete()
    for position, name in enumerate(names):
        competency = existing.get(name)
        if competency is None:
            Competency.objects.create(requisition=requisition, name=name, position=position)
        elif competency.position != position:
            competency.position = position
            competency.save(update_fields=["position"])


def _clean_names(competencies: Iterable[str]) -> list[str]:
    names = [name.strip() for name in competencies if name.strip()]
    return names or list(DEFAULT_COMPETENCIES)


@transaction.atomic
def create_requisition(
    *,
    actor: User,
    team: Team,
    title: str,
    level: str,
    fte: Decimal,
    reason: str,
    target_start_on: dt.date,
    backfill_for: Associate | None = None,
    skills: Iterable[Skill] = (),
    competencies: Iterable[str] = (),
    justification: str = "",
) -> Requisition:
    """A draft requisition on a team the actor leads (or any, for an ops admin); the
    team's manager is e-mailed to approve it."""
    if not can_change_team(actor, team.pk):
        raise PermissionDenied("Only the team's lead can request headcount.")
    names = _clean_names(competencies)
    _check_fields(
        team=team,
        reason=reason,
        backfill_for=backfill_for,
        target_start_on=target_start_on,
        competencies=names,
    )
    requisition = Requisition.objects.create(
        team=team,
        title=title,
        level=level,
        fte=fte,
        reason=reason,
        backfill_for=backfill_for,
        target_start_on=target_start_on,
        justification=justification,
        created_by=actor,
    )
    requisition.skills.set(list(skills))
    _set_competencies(requisition, names)
    audit.record(action=Action.REQUISITION_CREATED, actor=actor, target=requisition, team=team)
    enqueue_on_commit(tasks.send_requisition_email, requisition_id=requisition.pk, event="drafted")
    return requisition


def _locked(requisition: Requisition) -> Requisition:
    return (
        Requisition.objects.select_for_update(of=("self",))
        .select_related("team__site")
        .get(pk=requisition.pk)
    )


def _expect(locked: Requisition, statuses: Iterable[str], doing: str) -> None:
    if locked.status not in statuses:
        raise RequisitionRefused(
            f"This requisition is {locked.get_status_display().lower()}: it cannot be "
            f"{doing} now, and nothing was changed."
        )


def _refresh(requisition: Requisition, locked: Requisition, fields: Iterable[str]) -> None:
    for field in fields:
        setattr(requisition, field, getattr(locked, field))


@transaction.atomic
def update_requisition(
    *,
    actor: User,
    requisition: Requisition,
    title: str,
    level: str,
    fte: Decimal,
    reason: str,
    target_start_on: dt.date,
    backfill_for: Associate | None = None,
    skills: Iterable[Skill] = (),
    competencies: Iterable[str] = (),
    justification: str = "",
) -> bool:
    """Change a draft; True when something changed (an unchanged form writes nothing)."""
    locked = _locked(requisition)
    if not can_change_team(actor, locked.team_id):
        raise PermissionDenied("Only the team's lead can change this requisition.")
    _expect(locked, [Status.DRAFT], "edited")
    names = _clean_names(competencies)
    _check_fields(
        team=locked.team,
        reason=reason,
        backfill_for=backfill_for,
        target_start_on=target_start_on,
        competencies=names,
    )
    wanted: dict[str, object] = {
        "title": title,
        "level": level,
        "fte": Decimal(fte),
        "reason": reason,
        "backfill_for": backfill_for,
        "target_start_on": target_start_on,
        "justification": justification,
    }
    changed = [name for name, value in wanted.items() if getattr(locked, name) != value]
    skill_ids = sorted(skill.pk for skill in skills)
    if sorted(locked.skills.values_list("pk", flat=True)) != skill_ids:
        changed.append("skills")
    if list(locked.competencies.values_list("name", flat=True)) != names:
        changed.append("competencies")
    if not changed:
        return False
    for name, value in wanted.items():
        setattr(locked, name, value)
    locked.save()
    if "skills" in changed:
        locked.skills.set(skill_ids)
    if "competencies" in changed:
        _set_competencies(locked, names)
    audit.record(
        action=Action.REQUISITION_CHANGED,
        actor=actor,
        target=locked,
        team=locked.team,
        details={"fields": changed},
    )
    _refresh(requisition, locked, EDITABLE_FIELDS)
    return True


@transaction.atomic
def approve_requisition(*, actor: User, requisition: Requisition) -> Requisition:
    """The team's manager (or an ops admin) approves a draft; the leads are told."""
    locked = _locked(requisition)
    if not can_approve_requisitions(actor, locked.team_id):
        raise PermissionDenied("Only the team's manager can approve this requisition.")
    _expect(locked, [Status.DRAFT], "approved")
    locked.status = Status.APPROVED
    locked.approved_by = actor
    locked.approved_at = timezone.now()
    locked.save(update_fields=["status", "approved_by", "approved_at"])
    audit.record(action=Action.REQUISITION_APPROVED, actor=actor, target=locked, team=locked.team)
    enqueue_on_commit(tasks.send_requisition_email, requisition_id=locked.pk, event="approved")
    _refresh(requisition, locked, ["status", "approved_by", "approved_at"])
    return locked


@transaction.atomic
def open_requisition(*, actor: User, requisition: Requisition) -> Requisition:
    """The lead opens an approved requisition: candidates may now move through it."""
    locked = _locked(requisition)
    if not can_change_team(actor, locked.team_id):
        raise PermissionDenied("Only the team's lead can open this requisition.")
    _expect(locked, [Status.APPROVED], "opened")
    locked.status = Status.OPEN
    locked.opened_at = timezone.now()
    locked.save(update_fields=["status", "opened_at"])
    audit.record(action=Action.REQUISITION_OPENED, actor=actor, target=locked, team=locked.team)
    _refresh(requisition, locked, ["status", "opened_at"])
    return locked


@transaction.atomic
def cancel_requisition(*, actor: User, requisition: Requisition, reason: str) -> int:
    """Cancel a live requisition; its active applications are withdrawn first (the
    stage service moves applications only while the requisition is open). Returns
    how many applications were withdrawn."""
    locked = _locked(requisition)
    if not can_cancel_requisitions(actor, locked.team_id):
        raise PermissionDenied("Only the team's lead or manager can cancel this requisition.")
    reason = reason.strip()
    if not reason:
        raise RequisitionRefused("Say why the requisition is cancelled.")
    if len(reason) > 300:
        raise RequisitionRefused("Keep the reason under 300 characters.")
    _expect(locked, Requisition.OPEN_STATUSES, "cancelled")
    active = list(locked.applications.active().order_by("pk"))
    for application in active:
        if locked.status == Status.OPEN:
            move_application(
                actor=actor,
                application=application,
                to_stage=Application.Stage.WITHDRAWN,
                reason=CANCELLED_BY_REQUISITION,
            )
        else:
            _withdraw_before_opening(actor=actor, application=application, team=locked.team)
    now = timezone.now()
    locked.status = Status.CANCELLED
    locked.closed_at = now
    locked.closed_reason = reason
    locked.save(update_fields=["status", "closed_at", "closed_reason"])
    audit.record(
        action=Action.REQUISITION_CANCELLED,
        actor=actor,
        target=locked,
        team=locked.team,
        details={"withdrawn": len(active)},
    )
    _refresh(requisition, locked, ["status", "closed_at", "closed_reason"])
    return len(active)


def _withdraw_before_opening(*, actor: User, application: Application, team: Team) -> None:
    """An application on a requisition not yet open (move_application refuses those):
    withdrawn with the same records the stage service writes."""
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if not locked.is_active:
        return
    now = timezone.now()
    previous = locked.stage
    locked.stage = Application.Stage.WITHDRAWN
    locked.stage_changed_at = now
    locked.closed_reason = CANCELLED_BY_REQUISITION
    locked.save(update_fields=["stage", "stage_changed_at", "closed_reason"])
    StageChange.objects.create(
        application=locked,
        from_stage=previous,
        to_stage=locked.stage,
        changed_by=actor,
        changed_at=now,
        reason=CANCELLED_BY_REQUISITION,
    )
    audit.record(
        action=Action.APPLICATION_MOVED,
        actor=actor,
        target=locked,
        team=team,
        details={"from": previous, "to": locked.stage},
    )


def accepted_fte(requisition: Requisition) -> Decimal:
    total = Offer.objects.filter(
        application__requisition=requisition, status=Offer.Status.ACCEPTED
    ).aggregate(total=Sum("fte"))["total"]
    return total or Decimal("0")


@transaction.atomic
def fill_if_complete(*, requisition: Requisition, actor: User | None) -> bool:
    """Mark an open requisition filled once its accepted offers add up to its FTE.
    True only for the call that filled it (a second call, or a cancelled or
    not-yet-full requisition, changes nothing)."""
    locked = _locked(requisition)
    if locked.status != Status.OPEN or accepted_fte(locked) < locked.fte:
        return False
    locked.status = Status.FILLED
    locked.closed_at = timezone.now()
    locked.save(update_fields=["status", "closed_at"])
    audit.record(action=Action.REQUISITION_FILLED, actor=actor, target=locked, team=locked.team)
    _refresh(requisition, locked, ["status", "closed_at"])
    return True


def send_requisition_email(*, requisition_id: int, event: str) -> bool:
    """The manager hears of a new draft; the leads of its approval. A requisition that
    moved on meanwhile (approved before the draft's e-mail went) is not announced."""
    requisition = (
        Requisition.objects.select_related("team__manager", "created_by", "approved_by")
        .filter(pk=requisition_id)
        .first()
    )
    if requisition is None:
        return False
    if event == "drafted" and requisition.status == Status.DRAFT:
        return notifications.email_requisition_drafted(requisition)
    if event == "approved" and requisition.status in (Status.APPROVED, Status.OPEN):
        return notifications.email_requisition_approved(requisition)
    return False
