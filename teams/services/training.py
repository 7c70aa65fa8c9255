"""Training writes: modules, plans (assign, tick, remove), certifications and skill
targets, and the reminders each sent once. Keyword-only, atomic, each takes the actor."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from .. import audit, notifications
from ..models import (
    Associate,
    AuditEvent,
    Certification,
    Site,
    Skill,
    SkillTarget,
    Team,
    TrainingAssignment,
    TrainingModule,
    User,
)

TRAINING_DUE_DAYS = 3  # a training due within this many days (or overdue) is reminded
CERTIFICATION_DUE_DAYS = 30  # a certification expiring within this many days is reminded


@transaction.atomic
def save_module(
    *,
    actor: User,
    team: Team | None,
    title: str,
    skill: Skill,
    length_minutes: int,
    description: str,
    is_active: bool = True,
    module: TrainingModule | None = None,
) -> TrainingModule:
    """Create a module for a team (None: center-wide), or change one."""
    if module is None:
        module = TrainingModule(team=team, created_by=actor)
    else:
        module = TrainingModule.objects.select_for_update().get(pk=module.pk)
    module.title, module.skill, module.length_minutes = title, skill, length_minutes
    module.description, module.is_active = description, is_active
    module.save()
    return module


def assign_module(
    *, actor: User, associate: Associate, module: TrainingModule, due_on: dt.date
) -> TrainingAssignment | None:
    """Put a module on an associate's plan; None when it is already there and open
    (a second click, a stale form)."""
    try:
        with transaction.atomic():
            return TrainingAssignment.objects.create(
                associate=associate, module=module, due_on=due_on, assigned_by=actor
            )
    except IntegrityError:
        return None


def complete_assignment(*, actor: User, assignment: TrainingAssignment) -> bool:
    """Tick a training done; False (and nothing changed) when it already was."""
    now = timezone.now()
    changed = TrainingAssignment.objects.filter(pk=assignment.pk, done_at__isnull=True).update(
        done_at=now, done_by=actor
    )
    if changed:
        assignment.done_at, assignment.done_by = now, actor
    return bool(changed)


def remove_assignment(*, actor: User, assignment: TrainingAssignment) -> bool:
    """Take a training off the plan; False when it was gone already."""
    deleted, _ = TrainingAssignment.objects.filter(pk=assignment.pk).delete()
    return bool(deleted)


@transaction.atomic
def record_certification(
    *,
    actor: User,
    associate: Associate,
    skill: Skill,
    certified_on: dt.date,
    expires_on: dt.date,
) -> tuple[Certification, bool]:
    """Record or renew the associate's certification in a skill; (it, whether anything
    changed). New dates re-arm its expiry reminder. The associate's row is locked
    first, so two saves at once (a double click) wait in turn rather than both insert."""
    Associate.objects.select_for_update().filter(pk=associate.pk).first()
    found = (
        Certification.objects.select_for_update().filter(associate=associate, skill=skill).first()
    )
    if found is not None and (found.certified_on, found.expires_on) == (certified_on, expires_on):
        return found, False
    if found is None:
        found = Certification(associate=associate, skill=skill)
    found.certified_on, found.expires_on = certified_on, expires_on
    found.recorded_by, found.reminded_at = actor, None
    found.save()
    audit.record(
        action=AuditEvent.Action.SKILLS_CHANGED,
        actor=actor,
        target=associate,
        team=associate.team,
        details={"kind": "certification", "skill": skill.name, "fields": ["expires_on"]},
    )
    return found, True


@transaction.atomic
def set_skill_target(
    *, actor: User, associate: Associate, skill: Skill, level: int | None, by_date: dt.date | None
) -> bool:
    """Set (or with no level, remove) the associate's target in a skill."""
    current = SkillTarget.objects.select_for_update().filter(associate=associate, skill=skill)
    if level is None or by_date is None:
        deleted, _ = current.delete()
        return bool(deleted)
    found = current.first()
    if found is not None and (found.level, found.by_date) == (level, by_date):
        return False
    SkillTarget.objects.update_or_create(
        associate=associate,
        skill=skill,
        defaults={"level": level, "by_date": by_date, "set_by": actor},
    )
    return True


# --- Reminders ------------------------------------------------------------------------


def _claim(model: type[TrainingAssignment] | type[Certification], pk: int) -> bool:
    """UPDATE … WHERE reminded_at IS NULL: one worker, one run, wins the reminder."""
    return bool(
        model.objects.filter(pk=pk, reminded_at__isnull=True).update(reminded_at=timezone.now())
    )


def _claimed(model: type[TrainingAssignment] | type[Certification], row: object) -> bool:
    pk: int = row.pk  # type: ignore[attr-defined]
    if not _claim(model, pk):
        return False
    associate: Associate = row.associate  # type: ignore[attr-defined]
    audit.record(
        action=AuditEvent.Action.REMINDER_CLAIMED,
        actor=None,
        target=row,  # type: ignore[arg-type]
        team=associate.team,
        details={"kind": model._meta.model_name or ""},
    )
    return True


def send_training_reminders() -> int:
    """E-mail the associate and their leads once about each open training due within
    TRAINING_DUE_DAYS of their site's today (or overdue). Returns e-mails sent."""
    sent = 0
    today = {site.pk: site.local_today() for site in Site.objects.all()}
    latest = max(today.values(), default=timezone.localdate())
    candidates = (
        TrainingAssignment.objects.open()
        .filter(
            reminded_at__isnull=True,
            associate__is_active=True,
            due_on__lte=latest + dt.timedelta(days=TRAINING_DUE_DAYS),
        )
        .select_related("associate__user", "associate__team__site", "module__skill")
        .prefetch_related("associate__team__leads")
    )
    for assignment in candidates:
        site_today = today[assignment.associate.team.site_id]
        if assignment.due_on > site_today + dt.timedelta(days=TRAINING_DUE_DAYS):
            continue
        with transaction.atomic():
            if not _claimed(TrainingAssignment, assignment):
                continue
            sent += notifications.email_training_due(
                assignment,
                leads=list(assignment.associate.team.leads.all()),
                overdue=assignment.due_on < site_today,
            )
    return sent


def send_certification_reminders() -> int:
    """E-mail the associate and their leads once about each certification that expires
    within CERTIFICATION_DUE_DAYS of their site's today. Returns e-mails sent."""
    sent = 0
    today = {site.pk: site.local_today() for site in Site.objects.all()}
    latest = max(today.values(), default=timezone.localdate())
    candidates = (
        Certification.objects.filter(
            reminded_at__isnull=True,
            associate__is_active=True,
            expires_on__lte=latest + dt.timedelta(days=CERTIFICATION_DUE_DAYS),
        )
        .select_related("associate__user", "associate__team__site", "skill")
        .prefetch_related("associate__team__leads")
    )
    for certification in candidates:
        site_today = today[certification.associate.team.site_id]
        if certification.expires_on > site_today + dt.timedelta(days=CERTIFICATION_DUE_DAYS):
            continue
        with transaction.atomic():
            if not _claimed(Certification, certification):
                continue
            sent += notifications.email_certification_expiring(
                certification,
                leads=list(certification.associate.team.leads.all()),
                expired=certification.expires_on < site_today,
            )
    return sent
