"""Onboarding writes: a team's checklist template (the default set on first read),
a new joiner's plan made from it, its items ticked, its buddy, and the two daily jobs
(the login invitation on the start date; each owner's reminder, once per item).

Who owns an item: the template says a role (lead, buddy, joiner); the plan's item
names a person: the lead who hired (the actor), the new joiner, or the buddy once one
is set (until then the lead).
"""

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .. import audit, notifications
from ..models import (
    Associate,
    AssociateSkill,
    AuditEvent,
    ItemKind,
    OnboardingItem,
    OnboardingPlan,
    OnboardingTemplate,
    OwnerRole,
    RampTarget,
    Site,
    Skill,
    Team,
    TemplateItem,
    User,
)

logger = logging.getLogger(__name__)

REMIND_DAYS_AHEAD = 2  # an owner hears of an item two days before it is due (or once late)
INVITATION_LOCAL_TIME = dt.time(8, 0)  # a start date's invitation goes from 08:00 site time


class OnboardingRefused(Exception):
    """The change is not allowed; the message says why."""


@dataclass(frozen=True)
class DefaultItem:
    title: str
    kind: str
    owner_role: str
    due_day: int


DEFAULT_ITEMS: tuple[DefaultItem, ...] = (
    DefaultItem("Accounts and tools ready", ItemKind.ACCOUNT, OwnerRole.LEAD, -2),
    DefaultItem("Laptop and access", ItemKind.TOOL, OwnerRole.LEAD, 0),
    DefaultItem("Meet your buddy", ItemKind.BUDDY, OwnerRole.BUDDY, 0),
    DefaultItem("First 1:1 in week one", ItemKind.ONE_ON_ONE, OwnerRole.LEAD, 4),
    DefaultItem("Product training modules", ItemKind.TRAINING, OwnerRole.JOINER, 5),
    DefaultItem("Shadowing on live queues (days 3–10)", ItemKind.SHADOWING, OwnerRole.BUDDY, 10),
    DefaultItem("30-day check-in", ItemKind.CHECK_IN, OwnerRole.LEAD, 30),
    DefaultItem("60-day check-in", ItemKind.CHECK_IN, OwnerRole.LEAD, 60),
    DefaultItem("90-day check-in", ItemKind.CHECK_IN, OwnerRole.LEAD, 90),
)


def template_for(team: Team) -> OnboardingTemplate:
    """The team's template; a team without one gets the default set (once, even when
    two requests ask at the same moment)."""
    existing = OnboardingTemplate.objects.filter(team=team).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            template = OnboardingTemplate.objects.create(team=team)
            TemplateItem.objects.bulk_create(
                TemplateItem(
                    template=template,
                    title=item.title,
                    kind=item.kind,
                    owner_role=item.owner_role,
                    due_day=item.due_day,
                )
                for item in DEFAULT_ITEMS
            )
    except IntegrityError:  # made meanwhile by another request
        return OnboardingTemplate.objects.get(team=team)
    return template


@transaction.atomic
def save_template(*, actor: User, team: Team, items: list[dict[str, object]]) -> int:
    """Make the team's template hold exactly `items` (title, kind, owner_role,
    due_day), in due-day order. Plans already started keep their items. Returns how
    many items the template has."""
    template = OnboardingTemplate.objects.select_for_update().get(pk=template_for(team).pk)
    template.items.all().delete()
    TemplateItem.objects.bulk_create(
        TemplateItem(
            template=template,
            title=str(item["title"]),
            kind=str(item["kind"]),
            owner_role=str(item["owner_role"]),
            due_day=int(str(item["due_day"])),
        )
        for item in items
    )
    template.updated_at = timezone.now()
    template.save(update_fields=["updated_at"])
    logger.info("onboarding template of team %s saved by %s", team.pk, actor.pk)
    return len(items)


def start_plan(
    *, actor: User, associate: Associate, skills: list[Skill], team: Team
) -> OnboardingPlan:
    """A new joiner's plan from the team's template, and a ramp target per skill
    (proficient by day ONBOARDING_RAMP_DAYS). Called inside the hire's transaction."""
    template = template_for(team)
    plan = OnboardingPlan.objects.create(
        associate=associate, starts_on=associate.hired_on, created_by=actor
    )
    owners = {OwnerRole.LEAD: actor, OwnerRole.JOINER: associate.user, OwnerRole.BUDDY: actor}
    OnboardingItem.objects.bulk_create(
        OnboardingItem(
            plan=plan,
            title=item.title,
            kind=item.kind,
            owner=owners.get(OwnerRole(item.owner_role), actor),
            due_on=plan.day(item.due_day),
        )
        for item in template.items.all()
    )
    RampTarget.objects.bulk_create(
        RampTarget(
            plan=plan,
            skill=skill,
            level=AssociateSkill.Proficiency.PROFICIENT,
            by_day=settings.ONBOARDING_RAMP_DAYS,
        )
        for skill in skills
    )
    audit.record(
        action=AuditEvent.Action.ONBOARDING_STARTED,
        actor=actor,
        target=associate,
        team=team,
        details={"plan": plan.pk, "starts_on": plan.starts_on.isoformat()},
    )
    return plan


def _buddy_item_keys(team: Team) -> set[tuple[str, str]]:
    """(title, kind) of the template's buddy-owned items: which of a plan's items the
    buddy owns (an item does not keep its template's owner role)."""
    return set(
        TemplateItem.objects.filter(template__team=team, owner_role=OwnerRole.BUDDY).values_list(
            "title", "kind"
        )
    )


@transaction.atomic
def set_buddy(*, actor: User, plan: OnboardingPlan, buddy: Associate | None) -> bool:
    """Name (or clear) the new joiner's buddy; the buddy's open items pass to them (to
    the lead when cleared), each to be reminded afresh to its new owner. False when
    nothing changed (a repeated submit)."""
    locked = (
        OnboardingPlan.objects.select_for_update(of=("self",))
        .select_related("associate__team", "buddy__user")
        .get(pk=plan.pk)
    )
    if buddy is not None and (
        buddy.team_id != locked.associate.team_id
        or not buddy.is_active
        or buddy.pk == locked.associate_id
    ):
        raise OnboardingRefused("A buddy is someone else active on the new joiner's team.")
    if (buddy.pk if buddy else None) == locked.buddy_id:
        return False
    previous_owner_id = locked.buddy.user_id if locked.buddy else None
    keys = _buddy_item_keys(locked.associate.team)
    open_items = locked.items.filter(done_at__isnull=True)
    moved = [item.pk for item in open_items if (item.title, item.kind) in keys] + [
        item.pk
        for item in open_items
        if previous_owner_id is not None and item.owner_id == previous_owner_id
    ]
    new_owner = buddy.user if buddy is not None else actor
    # The new owner is reminded once of each item that is now theirs.
    OnboardingItem.objects.filter(pk__in=moved).exclude(owner=new_owner).update(
        owner=new_owner, reminded_at=None
    )
    locked.buddy = buddy
    locked.save(update_fields=["buddy"])
    plan.buddy = buddy
    return True


@transaction.atomic
def set_item_done(*, actor: User, item: OnboardingItem, done: bool) -> bool:
    """Tick (or untick) an item. Idempotent: the form says the state wanted, so a
    second click of the same form changes nothing. False when nothing changed."""
    locked = OnboardingItem.objects.select_for_update().get(pk=item.pk)
    if locked.is_done == done:
        item.done_at, item.done_by_id = locked.done_at, locked.done_by_id
        return False
    locked.done_at = timezone.now() if done else None
    locked.done_by = actor if done else None
    locked.save(update_fields=["done_at", "done_by"])
    item.done_at, item.done_by = locked.done_at, locked.done_by
    return True


# --- Daily jobs -----------------------------------------------------------------------


def _site_days(today: dt.date | None) -> list[tuple[Site, dt.date]]:
    return [(site, today or site.local_today()) for site in Site.objects.order_by("pk")]


def _invitation_day(site: Site, *, today: dt.date | None, now: dt.datetime | None) -> dt.date:
    """The latest start date whose invitation may go out at `site`: its local today
    once the local time is INVITATION_LOCAL_TIME, before that yesterday. For tests,
    `now` is a moment (read in the site's zone) and `today` a day from
    INVITATION_LOCAL_TIME on."""
    if now is None and today is not None:
        return today
    local = (now or timezone.now()).astimezone(site.zone)
    if local.time() >= INVITATION_LOCAL_TIME:
        return local.date()
    return local.date() - dt.timedelta(days=1)


def send_start_date_invitations(
    *, today: dt.date | None = None, now: dt.datetime | None = None
) -> int:
    """On a new joiner's start date (their site's day, from INVITATION_LOCAL_TIME: the
    hourly sweep at :25 would otherwise send it soon after midnight), their login
    invitation: never before. The start date is the associate's `hired_on` as it is
    now (a lead may have moved it, earlier or later, since the plan was made).
    Each plan is claimed with a conditional update in the same transaction as the
    e-mail, so a failed send is retried by the next run and a repeated run (or a second
    worker) sends nothing."""
    from . import roster  # the roster's own invitation

    sent = 0
    for site in Site.objects.order_by("pk"):
        day = _invitation_day(site, today=today, now=now)
        due = OnboardingPlan.objects.filter(
            associate__team__site=site,
            associate__is_active=True,
            associate__hired_on__lte=day,
            invitation_sent_at__isnull=True,
        ).values_list("pk", "associate__user_id", "created_by_id")
        for plan_id, user_id, inviter_id in list(due):
            with transaction.atomic():
                claimed = OnboardingPlan.objects.filter(
                    pk=plan_id, invitation_sent_at__isnull=True
                ).update(invitation_sent_at=timezone.now())
                if claimed and roster.send_invitation(
                    user_id=user_id, invited_by_id=inviter_id or 0
                ):
                    sent += 1
    return sent


def send_onboarding_reminders(*, today: dt.date | None = None) -> int:
    """E-mail each owner of an open item due within REMIND_DAYS_AHEAD days (or late)
    once. An item the new joiner owns waits for their start date (they have no login
    before it). Claimed with a conditional update, in one transaction with the e-mail
    and its audit event: each reminder is sent once."""
    sent = 0
    for site, day in _site_days(today):
        due = (
            OnboardingItem.objects.filter(
                plan__associate__team__site=site,
                plan__associate__is_active=True,
                done_at__isnull=True,
                reminded_at__isnull=True,
                owner__isnull=False,
                owner__is_active=True,
                due_on__lte=day + dt.timedelta(days=REMIND_DAYS_AHEAD),
            )
            .exclude(plan__starts_on__gt=day, owner=F("plan__associate__user"))
            .values_list("pk", flat=True)
        )
        for item_id in list(due):
            with transaction.atomic():
                claimed = OnboardingItem.objects.filter(
                    pk=item_id, reminded_at__isnull=True, done_at__isnull=True
                ).update(reminded_at=timezone.now())
                if not claimed:
                    continue
                item = OnboardingItem.objects.select_related(
                    "owner", "plan__associate__user", "plan__associate__team"
                ).get(pk=item_id)
                audit.record(
                    action=AuditEvent.Action.REMINDER_CLAIMED,
                    actor=None,
                    target=item,
                    team=item.plan.associate.team,
                    details={"kind": "onboarding_item", "due_on": item.due_on.isoformat()},
                )
                if item.owner is not None and notifications.email_onboarding_reminder(
                    item, owner=item.owner, today=day
                ):
                    sent += 1
    return sent
