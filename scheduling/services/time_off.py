"""Time off: request, approve (coverage permitting), deny, cancel."""

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from sdc_ops.celery import enqueue_on_commit
from teams.models import Associate, Team, User

from .. import tasks
from ..models import (
    EntryFields,
    EntryKind,
    ScheduleEntry,
    TimeOffRequest,
    monday_of,
)
from ..selectors.calendar import holidays_between
from ..selectors.coverage import CoverageLine, capable_skills, coverage_for_day, requirements_for
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
) -> TimeOffRequest:
    request = TimeOffRequest(
        associate=associate, first_day=first_day, last_day=last_day, type=type, note=note
    )
    request._history_user = actor  # type: ignore[attr-defined]
    request.save()
    enqueue_on_commit(tasks.notify_time_off, request_id=request.pk, event="requested")
    return request


@dataclass(frozen=True)
class Impact:
    day: dt.date
    line: CoverageLine
    after: int

    @property
    def breaks_minimum(self) -> bool:
        return (
            self.line.required is not None
            and self.after < self.line.required <= self.line.scheduled
        )


def time_off_impacts(team: Team, requests: Sequence[TimeOffRequest]) -> dict[int, list[Impact]]:
    """For each request, the coverage lines that lose its associate if it is
    approved. Four queries, however many requests."""
    if not requests:
        return {}
    first = min(r.first_day for r in requests)
    last = max(r.last_day for r in requests)
    entries = list(
        ScheduleEntry.objects.for_team(team).between(first, last).filter(associate__is_active=True)
    )
    holidays = set(holidays_between(team, first, last))
    requirements = requirements_for(team)
    skills = capable_skills({e.associate_id for e in entries})
    by_day: dict[dt.date, list[EntryFields]] = defaultdict(list)
    for entry in entries:
        by_day[entry.on].append(entry)
    impacts: dict[int, list[Impact]] = {}
    for request in requests:
        found = impacts[request.pk] = []
        for day in request.days():
            today = by_day.get(day, [])
            if not any(e.associate_id == request.associate_id and e.is_shift for e in today):
                continue
            without = [e for e in today if e.associate_id != request.associate_id]
            before = coverage_for_day(day, today, requirements, skills, holidays)
            after = coverage_for_day(day, without, requirements, skills, holidays)
            for line_before, line_after in zip(before, after, strict=True):
                if line_after.scheduled < line_before.scheduled:
                    found.append(Impact(day, line_before, line_after.scheduled))
    return impacts


def time_off_impact(request: TimeOffRequest) -> list[Impact]:
    """Coverage lines that lose this associate if the request is approved."""
    return time_off_impacts(request.associate.team, [request])[request.pk]


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
    if broken:
        raise ScheduleConflict(
            [
                f"{i.day:%a %-d %b}: {i.line.label} would drop to {i.after} "
                f"of {i.line.required} required."
                for i in broken
            ]
        )
    _decide(request, actor=actor, status=TimeOffRequest.Status.APPROVED, note=note)
    days = request.days()
    changes = [
        Change(
            associate=request.associate,
            on=d,
            kind=EntryKind.TIME_OFF,
            note=request.get_type_display(),
        )
        for d in days
    ]
    check_and_write(actor=actor, team=team, changes=changes)
    published = published_weeks(team, days)
    published_days = [d for d in days if monday_of(d) in published]
    if published_days:
        sync_published(
            [request.associate.pk], published_days[0], published_days[-1], now=timezone.now()
        )
    enqueue_on_commit(tasks.notify_time_off, request_id=request.pk, event="approved")
    return request


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
            associate_id=request.associate_id, on__in=days, kind=EntryKind.TIME_OFF
        )
        for entry in blocked:
            entry._history_user = actor  # type: ignore[attr-defined]
            entry.delete()
        published = published_weeks(team, days)
        published_days = [d for d in days if monday_of(d) in published]
        if published_days:
            sync_published(
                [request.associate_id], published_days[0], published_days[-1], now=timezone.now()
            )
    enqueue_on_commit(tasks.notify_time_off, request_id=request.pk, event="cancelled")
    return request
