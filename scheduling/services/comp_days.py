"""The comp-day ledger: settling, expiry reminders, moving a comp day, asking to move one."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from sdc_ops.celery import enqueue_on_commit
from teams import audit
from teams.models import AuditEvent, User

from .. import notifications, tasks
from ..models import (
    CompDay,
    CompDayRequest,
    EntryKind,
    PublicHoliday,
    ScheduleEntry,
    TimeOffRequest,
    monday_of,
)
from .calendar import site_days
from .schedule import (
    PROTECTED_KINDS,
    Change,
    ScheduleConflict,
    check_and_write,
    lock_team,
    published_weeks,
    sync_published,
)
from .time_off import time_off_impact


def settle_comp_days(today: dt.date | None = None) -> tuple[int, int]:
    """Scheduled comp days in the past become taken; unscheduled ones past their
    expiry become expired, each site by its own local day (or `today` for all).
    Row by row so the ledger's history records each."""
    taken = expired = 0
    with transaction.atomic():
        for site, day in site_days(today):
            comps = CompDay.objects.select_for_update(of=("self",)).filter(
                associate__team__site=site
            )
            for comp in comps.filter(status=CompDay.Status.SCHEDULED, on__lt=day):
                comp.status = CompDay.Status.TAKEN
                comp.save(update_fields=["status"])
                taken += 1
            for comp in comps.filter(status=CompDay.Status.OWED, expires_on__lt=day):
                comp.status = CompDay.Status.EXPIRED
                comp.save(update_fields=["status"])
                expired += 1
    return taken, expired


def remind_expiring_comp_days(*, days: int = 7, today: dt.date | None = None) -> int:
    """Remind the associate and their leads of comp days not yet scheduled that expire
    within `days` of their site's day. Each comp day is claimed once with a conditional
    update, so a second run (or a duplicate delivery) sends nothing."""
    sent = 0
    for site, day in site_days(today):
        candidates = CompDay.objects.filter(
            associate__team__site=site,
            status=CompDay.Status.OWED,
            reminded_at__isnull=True,
            expires_on__lte=day + dt.timedelta(days=days),
            expires_on__gte=day,
        ).values_list("pk", flat=True)
        for comp_id in list(candidates):
            claimed = CompDay.objects.filter(pk=comp_id, reminded_at__isnull=True).update(
                reminded_at=timezone.now()
            )
            if not claimed:
                continue
            comp = CompDay.objects.select_related("associate__user", "associate__team", "duty").get(
                pk=comp_id
            )
            audit.record(
                action=AuditEvent.Action.REMINDER_CLAIMED,
                actor=None,
                target=comp,
                team=comp.associate.team,
                details={"kind": "comp_day_expiring", "expires_on": comp.expires_on.isoformat()},
            )
            sent += notifications.remind_comp_day_expiring(comp=comp)
    return sent


@transaction.atomic
def move_comp_day(*, actor: User, comp_day: CompDay, to: dt.date) -> CompDay:
    """Schedule (or move) a comp day onto a weekday, if cover allows. All or nothing."""
    associate = comp_day.associate
    team = associate.team
    lock_team(team)
    comp = (
        CompDay.objects.select_for_update(of=("self",)).select_related("duty").get(pk=comp_day.pk)
    )
    today = team.site.local_today()
    problems = []
    if comp.status in (CompDay.Status.TAKEN, CompDay.Status.EXPIRED):
        problems.append(f"This comp day is already {comp.get_status_display().lower()}.")
    elif comp.on is not None and comp.on <= today:
        # Today's or a past comp day is being (or was) taken; the nightly job marks it.
        problems.append(f"This comp day was {comp.on:%a %-d %b}: it is taken, not moved.")
    if to.weekday() >= 5:
        problems.append("A comp day is a weekday.")
    if to <= today:
        problems.append("Choose a day after today.")
    if to > comp.expires_on:
        problems.append(f"This comp day expires on {comp.expires_on:%a %-d %b}.")
    if PublicHoliday.objects.filter(site_id=team.site_id, on=to).exists():
        problems.append(f"{to:%a %-d %b} is a public holiday already.")
    cell = ScheduleEntry.objects.filter(associate=associate, on=to).first()
    if cell is not None and cell.kind in PROTECTED_KINDS:
        problems.append(
            f"{associate} already has {cell.get_kind_display().lower()} on {to:%a %-d %b}."
        )
    if TimeOffRequest.objects.filter(
        associate=associate,
        status=TimeOffRequest.Status.APPROVED,
        first_day__lte=to,
        last_day__gte=to,
    ).exists():
        # A half day of leave keeps its shift cell, so the cell alone does not say it.
        problems.append(f"{associate} already has leave on {to:%a %-d %b}.")
    if problems:
        raise ScheduleConflict(problems)
    if cell is not None and cell.is_shift:
        probe = TimeOffRequest(associate=associate, first_day=to, last_day=to)
        broken = [i for i in time_off_impact(probe) if i.breaks_minimum]
        if broken:
            raise ScheduleConflict(
                [
                    f"{i.day:%a %-d %b}: {i.line.label} would drop to {i.after} "
                    f"of {i.line.required} required."
                    for i in broken
                ]
            )
    was = comp.on if comp.on is not None and comp.on != to else None
    _swap_cells(actor=actor, comp=comp, to=to, cell=cell, was=was)
    comp.on, comp.status = to, CompDay.Status.SCHEDULED
    comp.reason = f"moved to {to:%A %-d %b} by {actor.display_name}"[:200]
    comp._history_user = actor  # type: ignore[attr-defined]
    comp.save()
    _publish_moved_days(comp=comp, days=[d for d in (was, to) if d is not None])
    return comp


def _swap_cells(
    *, actor: User, comp: CompDay, to: dt.date, cell: ScheduleEntry | None, was: dt.date | None
) -> None:
    """The comp day and the shift of its new day change places: the old comp day gets
    the shift the person would have worked on the new day, so the week keeps its hours
    and cover. If the rules refuse that shift there, the old day is left empty."""
    associate = comp.associate
    changes = [Change(associate=associate, on=to, kind=EntryKind.COMP_DAY, note="Comp day")]
    if was is None:
        check_and_write(actor=actor, team=associate.team, changes=changes)
        return
    if cell is not None and cell.is_shift:
        try:
            with transaction.atomic():
                moved = Change.like(cell, associate=associate, on=was)
                check_and_write(actor=actor, team=associate.team, changes=[*changes, moved])
            return
        except ScheduleConflict:
            pass
    check_and_write(
        actor=actor,
        team=associate.team,
        changes=[*changes, Change(associate=associate, on=was, kind=None)],
    )


def _publish_moved_days(*, comp: CompDay, days: list[dt.date]) -> None:
    """A move inside a published week is published at once, so My rota (the ledger),
    My schedule and the calendar feed agree; the associate gets the changed week."""
    associate = comp.associate
    weeks = published_weeks(associate.team, days)
    now = timezone.now()
    for monday in sorted(weeks):
        moved = [d for d in days if monday_of(d) == monday]
        changed = set()
        for day in moved:
            changed |= sync_published([associate.pk], day, day, now=now)
        if changed:
            enqueue_on_commit(
                tasks.send_week_summary,
                associate_id=associate.pk,
                monday=monday.isoformat(),
                is_change=True,
            )


class CompDayRequestRefused(Exception):
    """The asked-for day is not one a comp day can move to; nothing changed."""


def request_comp_day(*, actor: User, comp_day: CompDay, wanted_on: dt.date) -> CompDayRequest:
    """The owner asks to take a comp day on another weekday; the lead decides.

    One open request per comp day: a new ask replaces the pending one. The comp
    day's row lock serializes two asks, and a partial unique constraint
    (one_pending_request_per_comp_day) is the last line if anything else writes.
    """
    if wanted_on.weekday() >= 5 or wanted_on <= comp_day.associate.team.site.local_today():
        raise CompDayRequestRefused("ask for a weekday after today.")
    if wanted_on > comp_day.expires_on:
        raise CompDayRequestRefused(f"this comp day expires on {comp_day.expires_on:%a %-d %b}.")
    for _attempt in range(2):
        try:
            with transaction.atomic():
                CompDay.objects.select_for_update().filter(pk=comp_day.pk).first()
                pending = CompDayRequest.objects.filter(
                    comp_day=comp_day, status=CompDayRequest.Status.PENDING
                )
                for old in pending:
                    old._history_user = actor  # type: ignore[attr-defined]
                    old.delete()
                ask = CompDayRequest(comp_day=comp_day, wanted_on=wanted_on)
                ask._history_user = actor  # type: ignore[attr-defined]
                ask.save()
                return ask
        except IntegrityError:
            continue  # a concurrent ask won the constraint: replace it in turn
    raise CompDayRequestRefused("another request for this comp day is being saved; try again.")


@transaction.atomic
def decide_comp_day_request(
    *, actor: User, request: CompDayRequest, approve: bool
) -> CompDayRequest:
    locked = (
        CompDayRequest.objects.select_for_update(of=("self",))
        .select_related("comp_day__associate__team__site")
        .get(pk=request.pk)
    )
    if locked.status != CompDayRequest.Status.PENDING:
        return locked
    if approve:
        move_comp_day(actor=actor, comp_day=locked.comp_day, to=locked.wanted_on)
    locked.status = CompDayRequest.Status.APPROVED if approve else CompDayRequest.Status.DENIED
    locked.decided_at, locked.decided_by = timezone.now(), actor
    locked._history_user = actor  # type: ignore[attr-defined]
    locked.save()
    return locked
