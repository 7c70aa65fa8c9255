"""Schedule writes. Each runs in one transaction, locks the team it changes,
checks every rule before writing anything, and records history on save()."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from sdc_ops.celery import enqueue_on_commit
from teams import audit
from teams.models import Associate, AuditEvent, Site, Team, User

from .. import rules, tasks
from ..models import (
    PROTECTED_KINDS,
    CompDay,
    EntryFields,
    EntryKind,
    PublishedEntry,
    ScheduleEntry,
    ScheduleWeek,
    ShiftTemplate,
    TimeOffRequest,
    WeekendDuty,
    monday_of,
)


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
        # A half day keeps its shift: the person works the other half.
        days[request.associate_id].update(request.whole_days())
    return days


Cell = tuple[int, dt.date]  # (associate id, day)


def _proposed_entry(change: Change, kind: str) -> ScheduleEntry:
    is_shift = kind == EntryKind.SHIFT
    return ScheduleEntry(
        associate=change.associate,
        on=change.on,
        kind=kind,
        template=change.template if is_shift else None,
        starts_at=change.starts_at if is_shift else None,
        ends_at=change.ends_at if is_shift else None,
        break_minutes=change.break_minutes if is_shift else 0,
        note=change.note,
    )


def _rule_violations(
    *,
    site: Site,
    people: dict[int, Associate],
    pending: dict[Cell, ScheduleEntry | None],
    plans: dict[int, dict[dt.date, EntryFields]],
    time_off: dict[int, set[dt.date]],
) -> list[str]:
    """Every rule the pending cells break, each reason once, in plain words."""
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
    return reasons


def _write_cells(
    *,
    actor: User,
    pending: dict[Cell, ScheduleEntry | None],
    existing: dict[Cell, ScheduleEntry],
) -> int:
    """Save what changed (audited as `actor`); a cell that stays the same is not touched."""
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


def check_and_write(
    *, actor: User, team: Team, changes: Sequence[Change], by_hand: bool = False
) -> int:
    """Apply changes to the working plan, all or nothing. Caller holds the team lock.
    Changes made by hand (grid, bulk assign) may not add weekend work without a duty;
    the rota and swaps write weekend shifts together with their ledger rows."""
    if not changes:
        return 0
    for change in changes:
        if change.associate.team_id != team.pk:
            raise ScheduleConflict([f"{change.associate} is not on {team}."])
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
    pending: dict[Cell, ScheduleEntry | None] = {}
    for change in changes:
        key = (change.associate.pk, change.on)
        if change.kind is None:
            pending[key] = None
            plans[key[0]].pop(change.on, None)
        else:
            entry = pending[key] = _proposed_entry(change, change.kind)
            plans[key[0]][change.on] = entry
    reasons = _rule_violations(
        site=team.site,
        people=people,
        pending=pending,
        plans=plans,
        time_off=_approved_time_off(people, first, last),
    )
    given_up: list[WeekendDuty] = []
    if by_hand:
        reasons += [r for r in weekend_work_without_duty(changes) if r not in reasons]
        given_up, refused, freed = duties_not_worked(changes)
        reasons += refused
        for cell in freed:  # the cancelled duties' comp days leave the plan
            key = (cell.associate_id, cell.on)
            if key not in pending:
                existing[key] = cell
                pending[key] = None
    if reasons:
        raise ScheduleConflict(reasons)
    written = _write_cells(actor=actor, pending=pending, existing=existing)
    for duty in given_up:
        comp = getattr(duty, "comp_day", None)
        if comp is not None:
            comp._history_user = actor
            comp.delete()
        duty._history_user = actor  # type: ignore[attr-defined]
        duty.delete()
    return written


def duties_not_worked(
    changes: Sequence[Change],
) -> tuple[list[WeekendDuty], list[str], list[ScheduleEntry]]:
    """A weekend duty's day set by hand to anything but a shift (sick, leave, a day
    off, cleared) was not worked, so it earns nothing: the duty and its comp day are
    cancelled, and the comp day's cell is cleared. Refused when that comp day has
    already been taken. Returns (duties to cancel, refusals, cells to clear)."""
    off = {
        (c.associate.pk, c.on): c
        for c in changes
        if c.on.weekday() >= 5 and c.kind != EntryKind.SHIFT
    }
    if not off:
        return [], [], []
    duties = [
        d
        for d in WeekendDuty.objects.filter(
            associate_id__in={pid for pid, _on in off}, on__in={on for _pid, on in off}
        ).select_related("comp_day")
        if (d.associate_id, d.on) in off
    ]
    refused: list[str] = []
    comp_cells = [
        (d.associate_id, d.comp_day.on)
        for d in duties
        if getattr(d, "comp_day", None) is not None and d.comp_day.on is not None
    ]
    cells = {
        (e.associate_id, e.on): e
        for e in ScheduleEntry.objects.filter(
            associate_id__in={pid for pid, _on in comp_cells},
            on__in={on for _pid, on in comp_cells},
            kind=EntryKind.COMP_DAY,
        )
    }
    freed: list[ScheduleEntry] = []
    for duty in duties:
        change = off[duty.associate_id, duty.on]
        comp = getattr(duty, "comp_day", None)
        if comp is not None and comp.status == CompDay.Status.TAKEN:
            refused.append(
                f"{change.associate} already took the comp day ({comp.on:%a %-d %b}) that "
                f"{duty.on:%a %-d %b} earned; keep the weekend shift, or correct the ledger "
                "with an ops admin."
            )
        elif comp is not None and (duty.associate_id, comp.on) in cells:
            freed.append(cells[duty.associate_id, comp.on])
    return (duties if not refused else []), refused, freed


def _is_weekend_work(change: Change) -> bool:
    return change.kind == EntryKind.SHIFT and change.on.weekday() >= 5


def weekend_work_without_duty(changes: Sequence[Change]) -> list[str]:
    """Weekend work is planned on the weekend rota, where each day worked is a duty on
    the ledger with its comp day (and counts for payroll and fairness). A weekend
    shift typed into the grid without a duty would earn nothing, so it is refused;
    a duty's own shift may still be edited (other hours, a note)."""
    weekend = [c for c in changes if _is_weekend_work(c)]
    if not weekend:
        return []
    duties = set(
        WeekendDuty.objects.filter(
            associate_id__in={c.associate.pk for c in weekend}, on__in={c.on for c in weekend}
        ).values_list("associate_id", "on")
    )
    cells = [
        f"{c.associate} on {c.on:%a %-d %b}"
        for c in weekend
        if (c.associate.pk, c.on) not in duties
    ]
    if not cells:
        return []
    return [
        f"{', '.join(cells)}: weekend work comes from the weekend rota, so that each day "
        "worked earns a comp day. Add it there (Weekend rota → Generate proposal) or swap "
        "an existing duty."
    ]


@transaction.atomic
def apply_changes(*, actor: User, team: Team, changes: Sequence[Change]) -> int:
    """Set cells of a team's working plan by hand; all or nothing. Returns cells written."""
    lock_team(team)
    return check_and_write(actor=actor, team=team, changes=changes, by_hand=True)


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
    return check_and_write(actor=actor, team=team, changes=changes, by_hand=True)


@transaction.atomic
def copy_week(*, actor: User, team: Team, source_monday: dt.date, target_monday: dt.date) -> int:
    """Copy weekday shifts and days off of one week onto the empty cells of another.
    Weekend shifts are not copied: the weekend rota plans those, each with its comp day."""
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
    changes = [c for c in changes if not _is_weekend_work(c)]
    return check_and_write(actor=actor, team=team, changes=changes)


def sync_published(
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
    changed = sync_published(people, monday, sunday, now=now)
    week.published_at, week.published_by = now, actor
    week.save(update_fields=["published_at", "published_by"])
    audit.record(
        action=AuditEvent.Action.WEEK_PUBLISHED,
        actor=actor,
        target=week,
        target_label=f"{team.name}, week of {monday.isoformat()}",
        team=team,
        details={
            "week": monday.isoformat(),
            "first_time": not was_published,
            "people_changed": len(changed),
        },
    )
    for associate_id in sorted(changed):
        enqueue_on_commit(
            tasks.send_week_summary,
            associate_id=associate_id,
            monday=monday.isoformat(),
            is_change=was_published,
        )
    return changed


def published_weeks(team: Team, days: Iterable[dt.date]) -> set[dt.date]:
    mondays = {monday_of(d) for d in days}
    return set(
        ScheduleWeek.objects.filter(
            team=team, starts_on__in=mondays, published_at__isnull=False
        ).values_list("starts_on", flat=True)
    )
