"""Roster writes that touch several models or have side effects."""

import datetime as dt
import hashlib
import logging
import re
from decimal import Decimal
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.core.cache import cache
from django.db import transaction

from sdc_ops.celery import enqueue_on_commit

from .. import audit, notifications, tasks
from ..models import Associate, AssociateSkill, AuditEvent, Skill, Team, User

Action = AuditEvent.Action


def _unique_username(email: str) -> str:
    base = re.sub(r"[^a-z0-9._-]", "", email.split("@", 1)[0].lower())[:140] or "associate"
    candidate, n = base, 1
    while User.objects.filter(username=candidate).exists():
        n += 1
        candidate = f"{base}{n}"
    return candidate


@transaction.atomic
def create_associate(
    *,
    actor: User,
    team: Team,
    first_name: str,
    last_name: str,
    email: str,
    title: str,
    level: str,
    hired_on: dt.date,
    weekly_hours: Decimal,
) -> Associate:
    """Add a person to a team's roster and email them an invitation to set a password."""
    user = User.objects.create_user(
        username=_unique_username(email),
        email=email,
        first_name=first_name,
        last_name=last_name,
        password=None,  # unusable until they follow the invitation
    )
    associate = Associate.objects.create(
        user=user,
        team=team,
        title=title,
        level=level,
        hired_on=hired_on,
        weekly_hours=weekly_hours,
    )
    audit.record(action=Action.ASSOCIATE_CREATED, actor=actor, target=associate, team=team)
    enqueue_on_commit(tasks.send_invitation, user_id=user.pk, invited_by_id=actor.pk)
    return associate


def send_invitation(*, user_id: int, invited_by_id: int) -> bool:
    """Email a new associate a link to choose their password.

    Safe to run twice: the link is valid until used, and a user who has already
    set a password (or left, or has no address) is not invited again.
    """
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or user.has_usable_password() or not user.email:
        return False
    inviter = User.objects.filter(pk=invited_by_id).first()
    sent = notifications.email_invitation(user, inviter=inviter)
    if sent:
        team = Team.objects.filter(associates__user=user).select_related("site").first()
        audit.record(action=Action.INVITATION_SENT, actor=inviter, target=user, team=team)
    return sent


logger = logging.getLogger(__name__)
HOUR = 3600


def _over_limit(key: str, limit: int) -> bool:
    """Count one more use of `key` in the current hour; True past `limit`. Without a
    cache to count in, nobody is held back (the login throttle still holds)."""
    cache.add(key, 0, HOUR)
    try:
        return cache.incr(key) > limit
    except ValueError:
        return False


def request_password_reset(*, email: str, client: str) -> bool:
    """Queue a reset e-mail for `email`. False when this client has asked too often
    (the caller answers 429). The request does the same work for any address, known
    or not, so its answer and its time tell nothing: the look-up and the e-mail
    happen in a task, and a busy address is skipped silently."""
    if _over_limit(f"password-reset:client:{client}", settings.PASSWORD_RESET_PER_CLIENT):
        return False
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    if _over_limit(f"password-reset:address:{digest}", settings.PASSWORD_RESET_PER_ADDRESS):
        return True
    enqueue_on_commit(tasks.send_password_reset, email=email)
    return True


def send_password_reset(*, email: str) -> int:
    """E-mail a reset link to every active user with this address (Django's own
    form and tokens); returns how many were sent."""
    form = PasswordResetForm(data={"email": email})
    if not form.is_valid():
        return 0
    site = urlsplit(settings.SITE_URL)
    users = list(form.get_users(form.cleaned_data["email"]))
    form.save(
        domain_override=site.netloc,
        use_https=site.scheme == "https",
        email_template_name="registration/password_reset_email.html",
    )
    for user in users:
        audit.record(action=Action.PASSWORD_RESET_SENT, actor=None, target=user)
    return len(users)


@transaction.atomic
def update_associate(
    *,
    actor: User,
    associate: Associate,
    first_name: str,
    last_name: str,
    email: str,
    team: Team,
    title: str,
    level: str,
    hired_on: dt.date,
    weekly_hours: Decimal,
) -> Associate:
    user = associate.user
    old_team = associate.team
    before = _roster_fields(associate)
    user.first_name, user.last_name, user.email = first_name, last_name, email
    user.save(update_fields=["first_name", "last_name", "email"])
    associate.team = team
    associate.title = title
    associate.level = level
    associate.hired_on = hired_on
    associate.weekly_hours = weekly_hours
    associate.save()
    changed = audit.changed_fields(before, _roster_fields(associate))
    if "team" in changed:
        changed.remove("team")
        audit.record(
            action=Action.ASSOCIATE_MOVED,
            actor=actor,
            target=associate,
            team=team,
            details={"from_team": old_team.name, "from_team_id": old_team.pk, "to_team": team.name},
        )
    if changed:
        audit.record(
            action=Action.ASSOCIATE_CHANGED,
            actor=actor,
            target=associate,
            team=team,
            details={"fields": changed},
        )
    return associate


def _roster_fields(associate: Associate) -> dict[str, object]:
    user = associate.user
    return {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "team": associate.team_id,
        "title": associate.title,
        "level": associate.level,
        "hired_on": associate.hired_on,
        "weekly_hours": associate.weekly_hours,
    }


@transaction.atomic
def set_associate_skills(
    *, actor: User, associate: Associate, levels: dict[Skill, int | None]
) -> int:
    """Make the associate's skill levels equal `levels` (None removes a skill).

    Returns how many rows changed; a submit that changes nothing writes nothing.
    """
    current = {row.skill_id: row for row in AssociateSkill.objects.filter(associate=associate)}
    added: dict[str, int] = {}
    removed: list[str] = []
    moved: dict[str, list[int]] = {}
    for skill, level in levels.items():
        row = current.get(skill.pk)
        if level is None:
            if row is not None:
                row.delete()
                removed.append(skill.name)
        elif row is None:
            AssociateSkill.objects.create(associate=associate, skill=skill, level=level)
            added[skill.name] = level
        elif row.level != level:
            moved[skill.name] = [row.level, level]
            row.level = level
            row.save(update_fields=["level"])
    changed = len(added) + len(removed) + len(moved)
    if changed:
        summary = {"added": added, "removed": removed, "levels": moved}
        audit.record(
            action=Action.SKILLS_CHANGED,
            actor=actor,
            target=associate,
            team=associate.team,
            details={key: value for key, value in summary.items() if value},
        )
    return changed


@transaction.atomic
def deactivate_associate(*, actor: User, associate: Associate, left_on: dt.date) -> bool:
    """Take someone off the active roster and end their access.

    Their user becomes inactive, which Django's ModelBackend refuses on the next
    request, so every open session of theirs ends. Returns False when there was
    nothing to do (already inactive): double-submits are harmless.
    """
    locked = Associate.objects.select_for_update().select_related("user").get(pk=associate.pk)
    if not locked.is_active:
        return False
    locked.is_active = False
    locked.left_on = max(left_on, locked.hired_on)
    locked.save(update_fields=["is_active", "left_on"])
    locked.user.is_active = False
    locked.user.save(update_fields=["is_active"])
    audit.record(
        action=Action.ASSOCIATE_LEFT,
        actor=actor,
        target=locked,
        team=locked.team,
        details={"left_on": locked.left_on.isoformat()},
    )
    return True


@transaction.atomic
def reactivate_associate(*, actor: User, associate: Associate) -> bool:
    locked = Associate.objects.select_for_update().select_related("user").get(pk=associate.pk)
    if locked.is_active:
        return False
    locked.is_active = True
    locked.left_on = None
    locked.save(update_fields=["is_active", "left_on"])
    locked.user.is_active = True
    locked.user.save(update_fields=["is_active"])
    audit.record(action=Action.ASSOCIATE_REACTIVATED, actor=actor, target=locked, team=locked.team)
    return True
