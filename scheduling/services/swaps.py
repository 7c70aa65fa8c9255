"""Shift swaps between teammates: propose, respond, approve (rules and cover permitting)."""

import datetime as dt
from collections.abc import Iterable, Sequence

from django.db import transaction
from django.utils import timezone

from sdc_ops.celery import enqueue_on_commit
from teams.models import Associate, Team, User

from .. import tasks
from ..models import (
    CompDay,
    EntryFields,
    EntryKind,
    PublishedEntry,
    ScheduleEntry,
    ShiftSwap,
    WeekendDuty,
    monday_of,
)
from ..selectors.calendar import holidays_between
from ..selectors.coverage import capable_skills, coverage_for_day, requirements_for
from .schedule import (
    PROTECTED_KINDS,
    Change,
    ScheduleConflict,
    check_and_write,
    lock_team,
    published_weeks,
    sync_published,
)


@transaction.atomic
def propose_swap(
    *,
    actor: User,
    requester: Associate,
    requester_day: dt.date,
    partner: Associate,
    partner_day: dt.date,
    note: str = "",
) -> ShiftSwap:
    """An associate offers their published shift for a teammate's."""
    problems = []
    if partner.pk == requester.pk or partner.team_id != requester.team_id:
        problems.append("Swap with someone on your own team.")
    shifts = {
        (e.associate_id, e.on)
        for e in PublishedEntry.objects.filter(
            associate__in=[requester, partner],
            on__in=[requester_day, partner_day],
            kind=EntryKind.SHIFT,
        )
    }
    if (requester.pk, requester_day) not in shifts:
        problems.append(f"You have no published shift on {requester_day:%a %-d %b}.")
    if (partner.pk, partner_day) not in shifts:
        problems.append(f"{partner} has no published shift on {partner_day:%a %-d %b}.")
    if requester_day == partner_day and not problems:
        mine, theirs = (
            PublishedEntry.objects.filter(associate=a, on=requester_day).first()
            for a in (requester, partner)
        )
        if mine is not None and theirs is not None and mine.same_as(theirs):
            problems.append("You both work the same shift that day: there is nothing to swap.")
    if problems:
        raise ScheduleConflict(problems)
    swap = ShiftSwap(
        requester=requester,
        requester_day=requester_day,
        partner=partner,
        partner_day=partner_day,
        note=note,
    )
    swap._history_user = actor  # type: ignore[attr-defined]
    swap.save()
    enqueue_on_commit(tasks.notify_swap, swap_id=swap.pk, event="proposed")
    return swap


def _set_swap_status(swap: ShiftSwap, *, actor: User, status: str, note: str = "") -> None:
    swap.status = status
    swap.decided_at = timezone.now()
    swap.decided_by = actor
    if note:
        swap.decision_note = note
    swap._history_user = actor  # type: ignore[attr-defined]
    swap.save()


def _locked_swap(swap: ShiftSwap, *, expected: Iterable[str]) -> ShiftSwap | None:
    """The swap, row-locked; None if it is already past this step (a double submit)."""
    locked = (
        ShiftSwap.objects.select_for_update(of=("self",))
        .select_related("requester__user", "partner__user", "requester__team__site")
        .get(pk=swap.pk)
    )
    if locked.status in expected:
        return locked
    return None


@transaction.atomic
def respond_to_swap(*, actor: User, swap: ShiftSwap, accept: bool) -> ShiftSwap:
    locked = _locked_swap(swap, expected=[ShiftSwap.Status.PROPOSED])
    if locked is None:
        return ShiftSwap.objects.get(pk=swap.pk)
    status = ShiftSwap.Status.ACCEPTED if accept else ShiftSwap.Status.DECLINED
    _set_swap_status(locked, actor=actor, status=status)
    event = "accepted" if accept else "declined"
    enqueue_on_commit(tasks.notify_swap, swap_id=locked.pk, event=event)
    return locked


def _coverage_losses(
    team: Team, days: Sequence[dt.date], before: Sequence[EntryFields], after: Sequence[EntryFields]
) -> list[str]:
    requirements = requirements_for(team)
    if not requirements:
        return []
    holidays = set(holidays_between(team, min(days), max(days)))
    skills = capable_skills({e.associate_id for e in before})
    losses = []
    for day in days:
        old = coverage_for_day(
            day, [e for e in before if e.on == day], requirements, skills, holidays
        )
        new = coverage_for_day(
            day, [e for e in after if e.on == day], requirements, skills, holidays
        )
        for was, now in zip(old, new, strict=True):
            if now.is_gap and not was.is_gap:
                losses.append(
                    f"{day:%a %-d %b}: {now.label} would drop to {now.scheduled} of {now.required}."
                )
    return losses


def _exchanged_cells(swap: ShiftSwap) -> list[Change]:
    """Each person gets the other's cell on each of the swap's days; refused where
    either has leave or a comp day (those move through their own requests)."""
    people = [swap.requester, swap.partner]
    cells = {
        (e.associate_id, e.on): e
        for e in ScheduleEntry.objects.filter(
            associate__in=people, on__in=swap.days
        ).select_related("template")
    }
    protected = [e for e in cells.values() if e.kind in PROTECTED_KINDS]
    if protected:
        raise ScheduleConflict(
            [
                f"{e.associate} has {e.get_kind_display().lower()} on {e.on:%a %-d %b}."
                for e in protected
            ]
        )
    return [
        Change.like(cells.get((other.pk, day)), associate=me, on=day, note=f"Swapped with {other}")
        for day in swap.days
        for me, other in ((swap.requester, swap.partner), (swap.partner, swap.requester))
    ]


def _swap_coverage_losses(
    team: Team, days: Sequence[dt.date], changes: Sequence[Change]
) -> list[str]:
    """Coverage lines the exchanged cells would take below their minimum."""
    day_entries = list(
        ScheduleEntry.objects.for_team(team).filter(on__in=days, associate__is_active=True)
    )
    swapped = {(c.associate.pk, c.on) for c in changes}
    after: list[EntryFields] = [e for e in day_entries if (e.associate_id, e.on) not in swapped]
    after += [
        ScheduleEntry(associate_id=c.associate.pk, on=c.on, kind=c.kind, template=c.template)
        for c in changes
        if c.kind is not None
    ]
    return _coverage_losses(team, days, day_entries, after)


@transaction.atomic
def approve_swap(*, actor: User, swap: ShiftSwap, note: str = "") -> ShiftSwap:
    """Exchange both people's cells on the swap's days, in the plan and, for
    published weeks, in what they see. Refused if any rule or coverage breaks."""
    team = swap.requester.team
    lock_team(team)
    locked = _locked_swap(swap, expected=[ShiftSwap.Status.ACCEPTED])
    if locked is None:
        current = ShiftSwap.objects.get(pk=swap.pk)
        if current.status == ShiftSwap.Status.APPROVED:
            return current
        raise ScheduleConflict([f"This swap is {current.get_status_display().lower()}."])
    people = [locked.requester, locked.partner]
    days = locked.days
    changes = _exchanged_cells(locked)
    losses = _swap_coverage_losses(team, days, changes)
    if losses:
        raise ScheduleConflict(losses)
    moves = _weekend_duties_changing_hands(locked, days)
    for duty, _to in moves:
        comp = getattr(duty, "comp_day", None)
        if comp is not None and comp.on is not None:
            # The comp day goes with the duty, unscheduled: its old date was
            # chosen for the other person's week.
            changes.append(Change(associate=duty.associate, on=comp.on, kind=None))
    check_and_write(actor=actor, team=team, changes=changes)
    for duty, to in moves:
        _move_duty(duty, to=to, actor=actor)
    _set_swap_status(locked, actor=actor, status=ShiftSwap.Status.APPROVED, note=note)
    published = published_weeks(team, days)
    shown = [d for d in days if monday_of(d) in published]
    if shown:
        sync_published([p.pk for p in people], shown[0], shown[-1], now=timezone.now())
    enqueue_on_commit(tasks.notify_swap, swap_id=locked.pk, event="approved")
    return locked


def _weekend_duties_changing_hands(
    swap: ShiftSwap, days: Sequence[dt.date]
) -> list[tuple[WeekendDuty, Associate]]:
    """Weekend duties whose shift the swap hands from one person to the other."""
    people = {swap.requester.pk: swap.partner, swap.partner.pk: swap.requester}
    duties = list(
        WeekendDuty.objects.filter(associate_id__in=people, on__in=days).select_related(
            "comp_day", "associate__user"
        )
    )
    held = {(d.associate_id, d.on) for d in duties}
    return [
        (duty, people[duty.associate_id])
        for duty in duties
        # If both already worked that day, each keeps their own duty.
        if (people[duty.associate_id].pk, duty.on) not in held
    ]


def _move_duty(duty: WeekendDuty, *, to: Associate, actor: User) -> None:
    """The ledger follows a swapped weekend shift: the duty and its comp day move
    to the person who now works it; the comp day is owed until scheduled again."""
    duty.associate = to
    duty.reason = f"swapped in for {duty.reason or 'a teammate'}"[:200]
    duty._history_user = actor  # type: ignore[attr-defined]
    duty.save()
    comp = getattr(duty, "comp_day", None)
    if comp is not None:
        comp.associate = to
        comp.on = None
        comp.status = CompDay.Status.OWED
        comp.reason = "moved with a swapped weekend shift; to be scheduled"
        comp._history_user = actor
        comp.save()


@transaction.atomic
def close_swap(*, actor: User, swap: ShiftSwap, status: str, note: str = "") -> ShiftSwap:
    """Deny (lead) or cancel (requester) a swap that is still open."""
    locked = _locked_swap(swap, expected=ShiftSwap.OPEN)
    if locked is None:
        return ShiftSwap.objects.get(pk=swap.pk)
    _set_swap_status(locked, actor=actor, status=status, note=note)
    enqueue_on_commit(tasks.notify_swap, swap_id=locked.pk, event=status)
    return locked
