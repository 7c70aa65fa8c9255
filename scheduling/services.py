"""Schedule writes. Each runs in one transaction, locks the team it changes,
checks every rule before writing anything, and records history on save()."""

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import holidays as holiday_calendars
from django.db import transaction
from django.utils import timezone

from teams.models import Associate, Site, Team, User

from . import rules, selectors, tasks
from .models import (
    CalendarFeed,
    CompDay,
    EntryFields,
    EntryKind,
    PublicHoliday,
    PublishedEntry,
    ScheduleEntry,
    ScheduleWeek,
    ShiftSwap,
    ShiftTemplate,
    TimeOffRequest,
    WeekendDuty,
    monday_of,
)

# Kinds a lead's bulk or copy action never overwrites: they come from workflows.
PROTECTED_KINDS = {EntryKind.TIME_OFF, EntryKind.COMP_DAY}


class ScheduleConflict(Exception):
    """A change that breaks a rule. `reasons` lists each one in plain words."""

    def __init__(self, reasons: Sequence[str]):
        super().__init__("; ".join(reasons))
        self.reasons = list(reasons)


@dataclass(frozen=True)
class Change:
    """Set one cell. kind=None clears it."""

    associate: Associate
    on: dt.date
    kind: str | None
    template: ShiftTemplate | None = None
    starts_at: dt.time | None = None
    ends_at: dt.time | None = None
    break_minutes: int = 0
    note: str = ""

    @classmethod
    def like(
        cls,
        entry: EntryFields | None,
        *,
        associate: Associate,
        on: dt.date,
        note: str | None = None,
    ) -> "Change":
        """Put what `entry` holds (nothing, if None) into another person's or day's cell."""
        if entry is None:
            return cls(associate=associate, on=on, kind=None)
        return cls(
            associate=associate,
            on=on,
            kind=entry.kind,
            template=entry.template,
            starts_at=entry.starts_at,
            ends_at=entry.ends_at,
            break_minutes=entry.break_minutes,
            note=entry.note if note is None else note,
        )

    @classmethod
    def shift(cls, associate: Associate, on: dt.date, template: ShiftTemplate) -> "Change":
        return cls(
            associate=associate,
            on=on,
            kind=EntryKind.SHIFT,
            template=template,
            starts_at=template.starts_at,
            ends_at=template.ends_at,
            break_minutes=template.break_minutes,
        )


def lock_team(team: Team) -> None:
    # Every schedule write for a team serializes here, so two leads (or a lead
    # and a time-off approval) cannot each pass a check the other invalidates.
    Team.objects.select_for_update().filter(pk=team.pk).first()


def _approved_time_off(
    associate_ids: Iterable[int], first: dt.date, last: dt.date
) -> dict[int, set[dt.date]]:
    days: dict[int, set[dt.date]] = defaultdict(set)
    requests = TimeOffRequest.objects.filter(
        associate_id__in=list(associate_ids),
        status=TimeOffRequest.Status.APPROVED,
        first_day__lte=last,
        last_day__gte=first,
    )
    for request in requests:
        days[request.associate_id].update(request.days())
    return days


def check_and_write(*, actor: User, team: Team, changes: Sequence[Change]) -> int:
    """Apply changes to the working plan, all or nothing. Caller holds the team lock."""
    if not changes:
        return 0
    for change in changes:
        if change.associate.team_id != team.pk:
            raise ScheduleConflict([f"{change.associate} is not on {team}."])
    site: Site = team.site
    first = min(c.on for c in changes) - dt.timedelta(days=14)
    last = max(c.on for c in changes) + dt.timedelta(days=14)
    people = {c.associate.pk: c.associate for c in changes}
    existing = {
        (e.associate_id, e.on): e
        for e in ScheduleEntry.objects.filter(
            associate_id__in=people, on__gte=first, on__lte=last
        ).select_related("template")
    }
    plans: dict[int, dict[dt.date, EntryFields]] = defaultdict(dict)
    for (associate_id, on), entry in existing.items():
        plans[associate_id][on] = entry
    pending: dict[tuple[int, dt.date], ScheduleEntry | None] = {}
    for change in changes:
        key = (change.associate.pk, change.on)
        if change.kind is None:
            pending[key] = None
            plans[key[0]].pop(change.on, None)
            continue
        entry = ScheduleEntry(
            associate=change.associate,
            on=change.on,
            kind=change.kind,
            template=change.template if change.kind == EntryKind.SHIFT else None,
            starts_at=change.starts_at if change.kind == EntryKind.SHIFT else None,
            ends_at=change.ends_at if change.kind == EntryKind.SHIFT else None,
            break_minutes=change.break_minutes if change.kind == EntryKind.SHIFT else 0,
            note=change.note,
        )
        pending[key] = entry
        plans[key[0]][change.on] = entry

    time_off = _approved_time_off(people, first, last)
    reasons: list[str] = []
    for (associate_id, on), proposed in pending.items():
        if proposed is None:
            continue
        if proposed.is_shift and (
            proposed.starts_at is None
            or proposed.ends_at is None
            or proposed.ends_at <= proposed.starts_at
        ):
            reasons.append(
                f"{people[associate_id]} on {on:%a %-d %b}: a shift needs a start and a later end."
            )
            continue
        for reason in rules.conflicts(
            name=str(people[associate_id]),
            plan=plans[associate_id],
            day=on,
            site=site,
            time_off_days=time_off.get(associate_id, set()),
        ):
            if reason not in reasons:
                reasons.append(reason)
    if reasons:
        raise ScheduleConflict(reasons)

    written = 0
    for key, wanted in pending.items():
        current = existing.get(key)
        if wanted is None:
            if current is not None:
                current._history_user = actor  # type: ignore[attr-defined]
                current.delete()
                written += 1
            continue
        if current is not None and current.same_as(wanted):
            continue  # nothing changes, nothing is written or audited
        row = current or wanted
        if current is not None:
            for field, value in wanted.cell_values().items():
                setattr(current, field, value)
        row._history_user = actor  # type: ignore[attr-defined]
        row.save()
        written += 1
    return written


@transaction.atomic
def apply_changes(*, actor: User, team: Team, changes: Sequence[Change]) -> int:
    """Set cells of a team's working plan; all or nothing. Returns cells written."""
    lock_team(team)
    return check_and_write(actor=actor, team=team, changes=changes)


@transaction.atomic
def assign_template(
    *,
    actor: User,
    team: Team,
    associates: Sequence[Associate],
    days: Sequence[dt.date],
    template: ShiftTemplate,
) -> int:
    """Put one shift template on several people × days at once (all or nothing)."""
    lock_team(team)
    protected = {
        (e.associate_id, e.on): e
        for e in ScheduleEntry.objects.filter(
            associate__in=associates, on__in=days, kind__in=PROTECTED_KINDS
        )
    }
    refused = [
        f"{entry.associate} has {entry.get_kind_display().lower()} on {entry.on:%a %-d %b}."
        for entry in protected.values()
    ]
    if refused:
        raise ScheduleConflict(refused)
    changes = [Change.shift(a, d, template) for a in associates for d in days]
    return check_and_write(actor=actor, team=team, changes=changes)


@transaction.atomic
def copy_week(*, actor: User, team: Team, source_monday: dt.date, target_monday: dt.date) -> int:
    """Copy shifts and days off of one week onto the empty cells of another."""
    lock_team(team)
    offset = target_monday - source_monday
    active = set(team.associates.filter(is_active=True).values_list("pk", flat=True))
    source = (
        ScheduleEntry.objects.for_team(team)
        .between(source_monday, source_monday + dt.timedelta(days=6))
        .filter(kind__in=[EntryKind.SHIFT, EntryKind.DAY_OFF], associate_id__in=active)
        .select_related("associate__user", "template")
    )
    taken = set(
        ScheduleEntry.objects.for_team(team)
        .between(target_monday, target_monday + dt.timedelta(days=6))
        .values_list("associate_id", "on")
    )
    changes = [
        Change.like(e, associate=e.associate, on=e.on + offset)
        for e in source
        if (e.associate_id, e.on + offset) not in taken
    ]
    return check_and_write(actor=actor, team=team, changes=changes)


def _sync_published(
    associate_ids: Iterable[int], first: dt.date, last: dt.date, *, now: dt.datetime
) -> set[int]:
    """Make associates' published entries equal their working plan; return who changed."""
    ids = list(associate_ids)
    working = {
        (e.associate_id, e.on): e
        for e in ScheduleEntry.objects.filter(associate_id__in=ids, on__gte=first, on__lte=last)
    }
    published = {
        (e.associate_id, e.on): e
        for e in PublishedEntry.objects.filter(associate_id__in=ids, on__gte=first, on__lte=last)
    }
    changed: set[int] = set()
    for key in working.keys() | published.keys():
        draft, shown = working.get(key), published.get(key)
        if draft is None and shown is not None:
            shown.delete()
        elif draft is not None and shown is None:
            PublishedEntry.objects.create(
                associate_id=key[0], on=key[1], published_at=now, **draft.cell_values()
            )
        elif draft is not None and shown is not None and not draft.same_as(shown):
            for field, value in draft.cell_values().items():
                setattr(shown, field, value)
            shown.published_at = now
            shown.save()
        else:
            continue
        changed.add(key[0])
    return changed


@transaction.atomic
def publish_week(*, actor: User, team: Team, monday: dt.date) -> set[int]:
    """Publish a team's week; email only the associates whose week changed."""
    lock_team(team)
    now = timezone.now()
    sunday = monday + dt.timedelta(days=6)
    week, _ = ScheduleWeek.objects.get_or_create(team=team, starts_on=monday)
    was_published = week.published_at is not None
    people = team.associates.values_list("pk", flat=True)
    changed = _sync_published(people, monday, sunday, now=now)
    week.published_at, week.published_by = now, actor
    week.save(update_fields=["published_at", "published_by"])
    for associate_id in sorted(changed):
        transaction.on_commit(
            functools.partial(
                tasks.send_week_summary.delay,
                associate_id=associate_id,
                monday=monday.isoformat(),
                is_change=was_published,
            )
        )
    return changed


def _published_weeks(team: Team, days: Iterable[dt.date]) -> set[dt.date]:
    mondays = {monday_of(d) for d in days}
    return set(
        ScheduleWeek.objects.filter(
            team=team, starts_on__in=mondays, published_at__isnull=False
        ).values_list("starts_on", flat=True)
    )


# --- Time off -------------------------------------------------------------------


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
    transaction.on_commit(
        lambda: tasks.notify_time_off.delay(request_id=request.pk, event="requested")
    )
    return request


@dataclass(frozen=True)
class Impact:
    day: dt.date
    line: selectors.CoverageLine
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
    holidays = set(selectors.holidays_between(team, first, last))
    requirements = selectors.requirements_for(team)
    skills = selectors.capable_skills({e.associate_id for e in entries})
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
            before = selectors.coverage_for_day(day, today, requirements, skills, holidays)
            after = selectors.coverage_for_day(day, without, requirements, skills, holidays)
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
    published = _published_weeks(team, days)
    published_days = [d for d in days if monday_of(d) in published]
    if published_days:
        _sync_published(
            [request.associate.pk], published_days[0], published_days[-1], now=timezone.now()
        )
    transaction.on_commit(
        lambda: tasks.notify_time_off.delay(request_id=request.pk, event="approved")
    )
    return request


@transaction.atomic
def deny_time_off(*, actor: User, request: TimeOffRequest, note: str = "") -> TimeOffRequest:
    request = TimeOffRequest.objects.select_for_update().get(pk=request.pk)
    if request.status == TimeOffRequest.Status.DENIED:
        return request
    if request.status != TimeOffRequest.Status.PENDING:
        raise ScheduleConflict([f"This request is {request.get_status_display().lower()}."])
    _decide(request, actor=actor, status=TimeOffRequest.Status.DENIED, note=note)
    transaction.on_commit(
        lambda: tasks.notify_time_off.delay(request_id=request.pk, event="denied")
    )
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
        published = _published_weeks(team, days)
        published_days = [d for d in days if monday_of(d) in published]
        if published_days:
            _sync_published(
                [request.associate_id], published_days[0], published_days[-1], now=timezone.now()
            )
    transaction.on_commit(
        lambda: tasks.notify_time_off.delay(request_id=request.pk, event="cancelled")
    )
    return request


# --- Calendar feed and holidays ---------------------------------------------------


@transaction.atomic
def rotate_calendar_feed(*, associate: Associate) -> CalendarFeed:
    """Create the feed, or replace its token so the old URL stops working."""
    feed, created = CalendarFeed.objects.get_or_create(
        associate=associate, defaults={"token": CalendarFeed.new_token()}
    )
    if not created:
        feed.token = CalendarFeed.new_token()
        feed.save(update_fields=["token", "created_at"])
    return feed


def revoke_calendar_feed(*, associate: Associate) -> bool:
    deleted, _ = CalendarFeed.objects.filter(associate=associate).delete()
    return bool(deleted)


def sync_public_holidays(*, site: Site, years: Iterable[int]) -> int:
    """Add the country's public holidays for the years; edited or removed ones stay as edited."""
    created = 0
    calendar = holiday_calendars.country_holidays(site.country, years=list(years))
    existing = set(PublicHoliday.objects.filter(site=site).values_list("on", flat=True))
    for on, name in sorted(calendar.items()):
        if on not in existing:
            PublicHoliday.objects.create(site=site, on=on, name=name)
            created += 1
    return created


# --- Shift swaps -------------------------------------------------------------------


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
    transaction.on_commit(
        functools.partial(tasks.notify_swap.delay, swap_id=swap.pk, event="proposed")
    )
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
    transaction.on_commit(
        functools.partial(tasks.notify_swap.delay, swap_id=locked.pk, event=event)
    )
    return locked


def _coverage_losses(
    team: Team, days: Sequence[dt.date], before: Sequence[EntryFields], after: Sequence[EntryFields]
) -> list[str]:
    requirements = selectors.requirements_for(team)
    if not requirements:
        return []
    holidays = set(selectors.holidays_between(team, min(days), max(days)))
    skills = selectors.capable_skills({e.associate_id for e in before})
    losses = []
    for day in days:
        old = selectors.coverage_for_day(
            day, [e for e in before if e.on == day], requirements, skills, holidays
        )
        new = selectors.coverage_for_day(
            day, [e for e in after if e.on == day], requirements, skills, holidays
        )
        for was, now in zip(old, new, strict=True):
            if now.is_gap and not was.is_gap:
                losses.append(
                    f"{day:%a %-d %b}: {now.label} would drop to {now.scheduled} of {now.required}."
                )
    return losses


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
    cells = {
        (e.associate_id, e.on): e
        for e in ScheduleEntry.objects.filter(associate__in=people, on__in=days).select_related(
            "template"
        )
    }
    protected = [e for e in cells.values() if e.kind in PROTECTED_KINDS]
    if protected:
        raise ScheduleConflict(
            [
                f"{e.associate} has {e.get_kind_display().lower()} on {e.on:%a %-d %b}."
                for e in protected
            ]
        )
    changes = []
    for day in days:
        for me, other in ((locked.requester, locked.partner), (locked.partner, locked.requester)):
            changes.append(
                Change.like(
                    cells.get((other.pk, day)), associate=me, on=day, note=f"Swapped with {other}"
                )
            )
    day_entries = list(
        ScheduleEntry.objects.for_team(team).filter(on__in=days, associate__is_active=True)
    )
    swapped = {(c.associate.pk, c.on): c for c in changes}
    after: list[EntryFields] = [e for e in day_entries if (e.associate_id, e.on) not in swapped]
    after += [
        ScheduleEntry(associate_id=c.associate.pk, on=c.on, kind=c.kind, template=c.template)
        for c in changes
        if c.kind is not None
    ]
    losses = _coverage_losses(team, days, day_entries, after)
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
    published = _published_weeks(team, days)
    shown = [d for d in days if monday_of(d) in published]
    if shown:
        _sync_published([p.pk for p in people], shown[0], shown[-1], now=timezone.now())
    transaction.on_commit(
        functools.partial(tasks.notify_swap.delay, swap_id=locked.pk, event="approved")
    )
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
    transaction.on_commit(
        functools.partial(tasks.notify_swap.delay, swap_id=locked.pk, event=status)
    )
    return locked
