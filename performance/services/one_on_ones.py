"""Writes for 1:1s (cadence, meetings, agenda, notes, action items) and their
reminders. Each runs in one transaction, records
history through save() (never bulk writes on audited models), does nothing when
nothing changes, and is safe to double-submit."""

import datetime as dt
import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from teams import audit
from teams.models import Associate, AuditEvent, Team, User

from .. import notifications
from ..forms.one_on_ones import action_item_due_problem
from ..models import (
    ActionItem,
    AgendaItem,
    OneOnOne,
    OneOnOneCadence,
    PeopleReminder,
    PrivateNote,
)
from ..models.one_on_ones import local_start

logger = logging.getLogger(__name__)

CAREER_FIELDS = (
    "aspirations",
    "strengths",
    "growth_areas",
    "next_steps",
    "target_role",
    "target_timeline",
)


def _audited(row: object, actor: User | None) -> None:
    row._history_user = actor  # type: ignore[attr-defined]


def lead_for(associate: Associate, actor: User) -> User:
    """Who runs the associate's 1:1s: the actor when they lead the team, else the
    team's first lead (an admin scheduling for a team), else the actor."""
    leads = list(associate.team.leads.all())
    if actor in leads or not leads:
        return actor
    return leads[0]


# --- 1:1s ------------------------------------------------------------------------------


@transaction.atomic
def set_cadence(
    *,
    actor: User,
    associate: Associate,
    frequency: str,
    first_on: dt.date,
    starts_at_time: dt.time,
    duration_minutes: int = 30,
) -> OneOnOneCadence:
    """Set (or change) how often the associate has a 1:1, and schedule the next one
    when none is scheduled."""
    Associate.objects.select_for_update().get(pk=associate.pk)
    cadence = OneOnOneCadence.objects.filter(associate=associate).first()
    if cadence is None:
        cadence = OneOnOneCadence(associate=associate)
    values = {
        "frequency": frequency,
        "first_on": first_on,
        "starts_at_time": starts_at_time,
        "duration_minutes": duration_minutes,
        "is_active": True,
    }
    if cadence.pk is None or any(getattr(cadence, k) != v for k, v in values.items()):
        for key, value in values.items():
            setattr(cadence, key, value)
        _audited(cadence, actor)
        cadence.save()
    schedule_next(actor=actor, associate=associate, cadence=cadence)
    return cadence


def schedule_next(
    *,
    actor: User,
    associate: Associate,
    cadence: OneOnOneCadence | None = None,
    held_on: dt.date | None = None,
) -> OneOnOne | None:
    """Create the next 1:1 from the cadence unless one is already scheduled: the
    first occurrence after the latest held or cancelled one, and never in the past
    (an occurrence today whose time has gone moves to the next one). After a 1:1
    held on `held_on` (the later of its date and the day it was marked held), the
    next one is at least one interval later, at the cadence's usual time."""
    existing = OneOnOne.objects.scheduled().filter(associate=associate).first()
    if existing is not None:
        return existing
    if cadence is None:
        cadence = OneOnOneCadence.objects.filter(associate=associate, is_active=True).first()
    if cadence is None or not cadence.is_active:
        return None
    site = associate.team.site
    today = site.local_today()
    last_on = (
        OneOnOne.objects.for_associate(associate)
        .order_by("-on")
        .values_list("on", flat=True)
        .first()
    )
    after = max(last_on or dt.date.min, today - dt.timedelta(days=1))
    on = cadence.next_on(after)
    if held_on is not None:
        on = max(on, cadence.interval_after(held_on))
    starts_at = local_start(on, cadence.starts_at_time, site.zone)
    if starts_at <= timezone.now():
        on = cadence.next_on(on)
        starts_at = local_start(on, cadence.starts_at_time, site.zone)
    meeting = OneOnOne(
        associate=associate,
        lead=lead_for(associate, actor),
        on=on,
        starts_at=starts_at,
        duration_minutes=cadence.duration_minutes,
    )
    _audited(meeting, actor)
    meeting.save()
    return meeting


@transaction.atomic
def plan_one_on_one(
    *,
    actor: User,
    associate: Associate,
    on: dt.date,
    at: dt.time,
    kind: str,
    duration_minutes: int = 30,
) -> OneOnOne:
    """Schedule a 1:1 on a date, or move the one already scheduled (there is at
    most one; a database constraint)."""
    Associate.objects.select_for_update().get(pk=associate.pk)
    site = associate.team.site
    if on < site.local_today():
        raise ValidationError("A 1:1 cannot be scheduled in the past.")
    meeting = OneOnOne.objects.scheduled().filter(associate=associate).first()
    if meeting is None:
        meeting = OneOnOne(associate=associate, lead=lead_for(associate, actor))
    meeting.on = on
    meeting.starts_at = local_start(on, at, site.zone)
    meeting.kind = kind
    meeting.duration_minutes = duration_minutes
    _audited(meeting, actor)
    meeting.save()
    return meeting


def add_agenda_item(*, actor: User, one_on_one: OneOnOne, text: str) -> AgendaItem:
    text = text.strip()
    if not text:
        raise ValidationError("Write what you want to talk about.")
    if one_on_one.status != OneOnOne.Status.SCHEDULED:
        raise ValidationError("This 1:1 has taken place; add it to the next one.")
    return AgendaItem.objects.create(one_on_one=one_on_one, added_by=actor, text=text[:300])


@transaction.atomic
def save_shared_notes(*, actor: User, one_on_one: OneOnOne, **fields: str) -> bool:
    """Shared notes (and the career fields), written by the lead or the associate.
    Returns whether anything changed; history records who changed what."""
    meeting = OneOnOne.objects.select_for_update().get(pk=one_on_one.pk)
    allowed = {"shared_notes", *CAREER_FIELDS}
    changes = {k: v for k, v in fields.items() if k in allowed and getattr(meeting, k) != v}
    if not changes:
        return False
    for key, value in changes.items():
        setattr(meeting, key, value)
        setattr(one_on_one, key, value)
    _audited(meeting, actor)
    meeting.save()
    return True


@transaction.atomic
def save_private_note(*, actor: User, one_on_one: OneOnOne, text: str) -> bool:
    """The actor's own private note on this 1:1: one per author, never shared."""
    note = (
        PrivateNote.objects.select_for_update().filter(one_on_one=one_on_one, author=actor).first()
    )
    if note is None:
        if not text.strip():
            return False
        note = PrivateNote(one_on_one=one_on_one, author=actor)
    elif note.text == text:
        return False
    note.text = text
    _audited(note, actor)
    note.save()
    return True


def add_action_item(
    *,
    actor: User,
    one_on_one: OneOnOne,
    text: str,
    owner: User,
    due_on: dt.date | None,
) -> ActionItem:
    text = text.strip()
    if not text:
        raise ValidationError("Say what needs doing.")
    problem = action_item_due_problem(due_on, one_on_one.on)
    if problem:
        raise ValidationError(problem)
    allowed_owners = {one_on_one.associate.user_id, one_on_one.lead_id, actor.pk}
    if owner.pk not in allowed_owners:
        raise ValidationError("The owner is the associate or the lead.")
    item = ActionItem(
        associate=one_on_one.associate,
        raised_in=one_on_one,
        owner=owner,
        text=text[:300],
        due_on=due_on,
    )
    _audited(item, actor)
    item.save()
    return item


@transaction.atomic
def set_action_item_done(*, actor: User, item: ActionItem, done: bool) -> bool:
    row = ActionItem.objects.select_for_update().get(pk=item.pk)
    if row.is_done == done:
        return False
    row.done_at = timezone.now() if done else None
    row.done_by = actor if done else None
    _audited(row, actor)
    row.save()
    item.done_at, item.done_by = row.done_at, row.done_by
    return True


@transaction.atomic
def mark_held(*, actor: User, one_on_one: OneOnOne) -> OneOnOne | None:
    """The 1:1 took place: record it and schedule the next one from the cadence.
    Returns the next 1:1, if the cadence made one. A second submit does nothing."""
    meeting = (
        OneOnOne.objects.select_for_update()
        .select_related("associate__team__site")
        .get(pk=one_on_one.pk)
    )
    if meeting.status != OneOnOne.Status.SCHEDULED:
        return None
    site = meeting.associate.team.site
    today = site.local_today()
    planned_on = meeting.on
    if meeting.on > today:
        # Held early: it happened today, so the record (and the cadence) says so.
        at = meeting.starts_at.astimezone(site.zone).time()
        meeting.on = today
        meeting.starts_at = local_start(today, at, site.zone)
        one_on_one.on, one_on_one.starts_at = meeting.on, meeting.starts_at
    if not meeting.associate.team.leads.filter(pk=meeting.lead_id).exists():
        # Planned by a previous lead (the associate moved team): held by the new one.
        meeting.lead = lead_for(meeting.associate, actor)
        one_on_one.lead = meeting.lead
    meeting.status = OneOnOne.Status.DONE
    meeting.held_at = timezone.now()
    _audited(meeting, actor)
    meeting.save()
    one_on_one.status, one_on_one.held_at = meeting.status, meeting.held_at
    return schedule_next(actor=actor, associate=meeting.associate, held_on=max(planned_on, today))


@transaction.atomic
def cancel_one_on_one(*, actor: User, one_on_one: OneOnOne) -> OneOnOne | None:
    """Skip this 1:1 (e.g. leave); the cadence schedules the next one."""
    meeting = OneOnOne.objects.select_for_update().get(pk=one_on_one.pk)
    if meeting.status != OneOnOne.Status.SCHEDULED:
        return None
    meeting.status = OneOnOne.Status.CANCELLED
    _audited(meeting, actor)
    meeting.save()
    one_on_one.status = meeting.status
    return schedule_next(actor=actor, associate=meeting.associate)


# --- Feedback and goals ------------------------------------------------------------------


# --- Reminders -------------------------------------------------------------------------


def _claim(kind: str, object_id: int, due_on: dt.date) -> bool:
    """Insert the sent-reminder row; False when it is already there (a second
    beat run, a duplicate delivery or a concurrent worker)."""
    try:
        with transaction.atomic():
            PeopleReminder.objects.create(kind=kind, object_id=object_id, due_on=due_on)
    except IntegrityError:
        return False
    return True


def _claimed(kind: str, target: OneOnOne | ActionItem, due_on: dt.date, team: Team) -> bool:
    """Claim the reminder, and write its audit event in the same transaction."""
    if not _claim(kind, target.pk, due_on):
        return False
    audit.record(
        action=AuditEvent.Action.REMINDER_CLAIMED,
        actor=None,
        target=target,
        team=team,
        details={"kind": kind, "due_on": due_on.isoformat()},
    )
    return True


REMIND_FROM_HOUR = 8  # local time: nobody gets a reminder in the night


def send_one_on_one_reminders(now: dt.datetime) -> int:
    """Email both sides of every scheduled 1:1 that is tomorrow in its site's zone,
    from 08:00 local. Each 1:1 is reminded once: the claim row and the email share a
    transaction, so a failed send can be retried and a repeated run sends nothing."""
    sent = 0
    meetings = (
        OneOnOne.objects.scheduled()
        .filter(
            on__range=(now.date(), now.date() + dt.timedelta(days=2)),
            associate__is_active=True,
        )
        .select_related("associate__user", "associate__team__site", "lead")
        .prefetch_related("associate__team__leads")
    )
    for meeting in meetings:
        zone = meeting.associate.team.site.zone
        local_now = now.astimezone(zone)
        if local_now.hour < REMIND_FROM_HOUR:
            continue
        if meeting.on != local_now.date() + dt.timedelta(days=1):
            continue
        with transaction.atomic():
            kind = PeopleReminder.Kind.ONE_ON_ONE_TOMORROW
            if not _claimed(kind, meeting, meeting.on, meeting.associate.team):
                continue
            # The associate may have moved team since it was planned: remind whoever
            # leads them now, never a previous lead.
            leads = list(meeting.associate.team.leads.all())
            hosts = [meeting.lead] if meeting.lead in leads else leads
            sent += notifications.email_one_on_one_tomorrow(meeting, hosts=hosts)
    return sent


def send_action_item_reminders(now: dt.datetime) -> int:
    """Email the owner of every open action item due today in its site's zone, from
    08:00 local. Each item once per due date, however often the job runs."""
    sent = 0
    items = (
        ActionItem.objects.open()
        .filter(
            due_on__range=(now.date() - dt.timedelta(days=1), now.date() + dt.timedelta(days=1)),
            associate__is_active=True,
        )
        .select_related("owner", "associate__user", "associate__team__site")
    )
    for item in items:
        local_now = now.astimezone(item.associate.team.site.zone)
        if local_now.hour < REMIND_FROM_HOUR or item.due_on != local_now.date():
            continue
        with transaction.atomic():
            kind = PeopleReminder.Kind.ACTION_ITEM_DUE
            if not _claimed(kind, item, local_now.date(), item.associate.team):
                continue
            sent += notifications.email_action_item_due(item)
    return sent
