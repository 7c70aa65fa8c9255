"""Time off: request, approve (coverage permitting), deny, cancel."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sdc_ops.celery import enqueue_on_commit
from teams.models import Associate, User

from .. import tasks
from ..models import (
    DayPart,
    EntryKind,
    ScheduleEntry,
    TimeOffRequest,
    monday_of,
)
from ..selectors.time_off import (
    CLASH,
    NOT_WORKING_KINDS,
    Impact,
    WorkingDays,
    clashing_requests,
    leave_balances,
    time_off_impacts,
    years_of,
)
from .schedule import (
    Change,
    ScheduleConflict,
    check_and_write,
    lock_team,
    published_weeks,
    sync_published,
)


@transaction.atomic
def request_time_off(
    *,
    actor: User,
    associate: Associate,
    first_day: dt.date,
    last_day: dt.date,
    type: str,
    note: str,
    first_day_part: str = DayPart.WHOLE,
    last_day_part: str = DayPart.WHOLE,
) -> TimeOffRequest:
    """A new request. ValidationError if it shares a day with another pending or
    approved one (checked again under a lock on the person, so a double submit or two
    tabs at once cannot both get in)."""
    list(Associate.objects.select_for_update().filter(pk=associate.pk).values_list("pk"))
    request = TimeOffRequest(
        associate=associate,
        first_day=first_day,
        last_day=last_day,
        first_day_part=first_day_part,
        last_day_part=last_day_part,
        type=type,
        note=note,
    )
    if clashing_requests(request):
        raise ValidationError(CLASH)
    request._history_user = actor  # type: ignore[attr-defined]
    request.save()
    enqueue_on_commit(tasks.notify_time_off, request_id=request.pk, event="requested")
    return request


def time_off_impact(request: TimeOffRequest) -> list[Impact]:
    """Coverage lines that lose this associate if the request is approved."""
    return time_off_impacts(request.associate.team, [request])[request.pk]


def half_day_note(request: TimeOffRequest, part: str) -> str:
    """What a shift on a half day of leave says: the person works the other half."""
    return f"½ day {request.get_type_display().lower()}: {part} off"


def _paid_leave_overdrawn(request: TimeOffRequest, today: dt.date) -> list[str]:
    """Approving annual leave never takes a year's paid leave below zero."""
    if request.type != TimeOffRequest.Type.ANNUAL:
        return []
    years = years_of(request)
    working = WorkingDays.load(
        [request.associate], dt.date(years[0], 1, 1), dt.date(years[-1], 12, 31)
    )
    balances = leave_balances([request.associate], years, today, working=working)
    problems = []
    for year in years:
        asked = working.count(request, year=year)
        left = balances[request.associate_id, year].remaining - asked
        if left < 0:
            problems.append(
                f"{request.associate} has {_days(left + asked)} of paid leave left in {year}; "
                f"this asks for {_days(asked)}."
            )
    return problems


def _decide(request: TimeOffRequest, *, actor: User, status: str, note: str) -> None:
    request.status = status
    request.decided_at = timezone.now()
    request.decided_by = actor
    request.decision_note = note
    request._history_user = actor  # type: ignore[attr-defined]
    request.save()


@transaction.atomic
def approve_time_off(*, actor: User, request: TimeOffRequest, note: str = "") -> TimeOffRequest:
    """Approve, block the days on the plan, and keep published weeks in step.

    Refused when approving would take a coverage line below its minimum; the
    team lock makes two concurrent approvals see each other's effect.
    """
    team = request.associate.team
    lock_team(team)
    request = (
        TimeOffRequest.objects.select_for_update(of=("self",))
        .select_related("associate__team__site", "associate__user")
        .get(pk=request.pk)
    )
    if request.status == TimeOffRequest.Status.APPROVED:
        return request
    if request.status != TimeOffRequest.Status.PENDING:
        raise ScheduleConflict([f"This request is {request.get_status_display().lower()}."])
    broken = [i for i in time_off_impact(request) if i.breaks_minimum]
    problems = [
        f"{i.day:%a %-d %b}: {i.line.label} would drop to {i.after} of {i.line.required} required."
        for i in broken
    ]
    problems += _paid_leave_overdrawn(request, team.site.local_today())
    problems += [
        f"{request.associate} already has approved leave from {other.first_day:%a %-d %b} "
        f"to {other.last_day:%a %-d %b}; deny one of the two."
        for other in clashing_requests(request)
        if other.status == TimeOffRequest.Status.APPROVED
    ]
    if problems:
        raise ScheduleConflict(problems)
    _decide(request, actor=actor, status=TimeOffRequest.Status.APPROVED, note=note)
    days = request.days()
    # As a change made by hand: a weekend duty on a whole day of leave is not worked,
    # so it and its comp day are cancelled (refused if that comp day was taken).
    check_and_write(actor=actor, team=team, changes=_cells_for_leave(request), by_hand=True)
    published = published_weeks(team, days)
    published_days = [d for d in days if monday_of(d) in published]
    if published_days:
        sync_published(
            [request.associate.pk], published_days[0], published_days[-1], now=timezone.now()
        )
    enqueue_on_commit(tasks.notify_time_off, request_id=request.pk, event="approved")
    return request


def _days(count: float) -> str:
    return f"{count:g} day{'' if count == 1 else 's'}"


def _cells_for_leave(request: TimeOffRequest) -> list[Change]:
    """What approving writes on the plan. A whole working day becomes time off; a
    day the plan already has off (a day off, a comp day, a holiday) stays as it is,
    so it is not counted as leave. A half day keeps its shift, which says which
    half is off: the person works the other half and counts for cover."""
    cells = {
        e.on: e
        for e in ScheduleEntry.objects.filter(
            associate_id=request.associate_id, on__in=request.days()
        ).select_related("template")
    }
    halves = request.half_days()
    changes = []
    for day in request.days():
        cell = cells.get(day)
        if day in halves:
            if cell is not None and cell.is_shift:
                note = half_day_note(request, halves[day])
                changes.append(Change.like(cell, associate=request.associate, on=day, note=note))
        elif cell is None or cell.kind not in NOT_WORKING_KINDS:
            changes.append(
                Change(
                    associate=request.associate,
                    on=day,
                    kind=EntryKind.TIME_OFF,
                    note=request.get_type_display(),
                )
            )
    return changes


@transaction.atomic
def deny_time_off(*, actor: User, request: TimeOffRequest, note: str = "") -> TimeOffRequest:
    request = TimeOffRequest.objects.select_for_update().get(pk=request.pk)
    if request.status == TimeOffRequest.Status.DENIED:
        return request
    if request.status != TimeOffRequest.Status.PENDING:
        raise ScheduleConflict([f"This request is {request.get_status_display().lower()}."])
    _decide(request, actor=actor, status=TimeOffRequest.Status.DENIED, note=note)
    enqueue_on_commit(tasks.notify_time_off, request_id=request.pk, event="denied")
    return request


@transaction.atomic
def cancel_time_off(*, actor: User, request: TimeOffRequest) -> TimeOffRequest:
    """Withdraw a request; approved days go back to empty cells for the lead to fill."""
    team = request.associate.team
    lock_team(team)
    request = TimeOffRequest.objects.select_for_update().get(pk=request.pk)
    if request.status in {TimeOffRequest.Status.CANCELLED, TimeOffRequest.Status.DENIED}:
        return request
    was_approved = request.status == TimeOffRequest.Status.APPROVED
    _decide(request, actor=actor, status=TimeOffRequest.Status.CANCELLED, note="")
    if was_approved:
        days = request.days()
        blocked = ScheduleEntry.objects.filter(
            associate_id=request.associate_id, on__in=request.whole_days(), kind=EntryKind.TIME_OFF
        )
        for entry in blocked:
            entry._history_user = actor  # type: ignore[attr-defined]
            entry.delete()
        for day, part in request.half_days().items():
            marked = ScheduleEntry.objects.filter(
                associate_id=request.associate_id, on=day, note=half_day_note(request, part)
            ).first()
            if marked is not None:
                marked.note = ""
                marked._history_user = actor  # type: ignore[attr-defined]
                marked.save()
        published = published_weeks(team, days)
        published_days = [d for d in days if monday_of(d) in published]
        if published_days:
            sync_published(
                [request.associate_id], published_days[0], published_days[-1], now=timezone.now()
            )
    enqueue_on_commit(tasks.notify_time_off, request_id=request.pk, event="cancelled")
    return request
