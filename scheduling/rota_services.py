"""The weekend rota between the database and the generator (scheduling.rota).

`build_problem` reads a team's roster, plan, leave, history and wishes into a
RotaProblem; `generate_rota` solves it and stores a RotaProposal with reasons;
`accept_rota` turns accepted duties into WeekendDuty and CompDay ledger rows and
schedule cells in one transaction, through the same rule checks as every other
schedule write.
"""

import datetime as dt
import functools
import zoneinfo
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from teams.models import Associate, Team, User

from . import rota, rules, selectors, services, tasks
from .models import (
    CompDay,
    CompDayRequest,
    CoverageRequirement,
    DayKind,
    EntryKind,
    PublicHoliday,
    RotaPreference,
    RotaProposal,
    RotaSettings,
    RotaWish,
    ScheduleEntry,
    ScheduleWeek,
    ShiftTemplate,
    TimeOffRequest,
    WeekendDuty,
    monday_of,
)
from .services import Change, ScheduleConflict

HISTORY_DAYS = 365


def pool_of(team: Team, settings: RotaSettings) -> list[Team]:
    """The teams whose people staff this team's weekends: itself and its pool."""
    if not settings.pk:
        return [team]
    return [team, *settings.pooled_teams.exclude(pk=team.pk).select_related("site").order_by("pk")]


def settings_for(team: Team) -> RotaSettings:
    """The team's settings, or the defaults (unsaved) when it has none yet."""
    found = RotaSettings.objects.filter(team=team).prefetch_related("skill_needs__skill").first()
    return found or RotaSettings(team=team)


def weekend_template(team: Team, settings: RotaSettings) -> ShiftTemplate | None:
    if settings.weekend_template_id:
        return settings.weekend_template
    return (
        ShiftTemplate.objects.filter(site_id=team.site_id)
        .filter(
            Q(applies_to=ShiftTemplate.Applies.WEEKEND) | Q(applies_to=ShiftTemplate.Applies.ANY)
        )
        .order_by("applies_to", "starts_at")
        .first()
    )


@dataclass(frozen=True)
class Built:
    problem: rota.RotaProblem
    people: dict[int, Associate]
    template: ShiftTemplate | None


def build_problem(team: Team, first: dt.date, last: dt.date) -> Built:
    settings = settings_for(team)
    template = weekend_template(team, settings)
    site = team.site
    weekend = rota.weekend_days_between(first, last)
    horizon_first = first - dt.timedelta(days=14)
    horizon_last = last + dt.timedelta(days=7 * (settings.comp_window_weeks + 1))
    pool = pool_of(team, settings)
    people = list(
        Associate.objects.filter(team__in=pool).active().select_related("user").order_by("pk")
    )
    ids = [a.pk for a in people]

    # A week published for any team of the pool is kept as it is for all of them.
    published = set(
        ScheduleWeek.objects.filter(
            team__in=pool,
            starts_on__gte=monday_of(horizon_first),
            starts_on__lte=horizon_last,
            published_at__isnull=False,
        ).values_list("starts_on", flat=True)
    )
    duties = list(
        WeekendDuty.objects.filter(
            associate_id__in=ids, on__gte=first - dt.timedelta(days=HISTORY_DAYS), on__lte=last
        ).select_related("comp_day")
    )
    history: dict[int, int] = defaultdict(int)
    last_weekend: dict[int, dt.date] = {}
    fixed, current, fixed_comp = set(), set(), {}
    replaceable_comp: set[tuple[int, dt.date]] = set()
    for duty in duties:
        if duty.on < first:
            history[duty.associate_id] += 1
            last_weekend[duty.associate_id] = max(
                duty.on, last_weekend.get(duty.associate_id, duty.on)
            )
        elif monday_of(duty.on) in published:
            fixed.add((duty.associate_id, duty.on))
            comp = getattr(duty, "comp_day", None)
            if comp is not None and comp.on is not None:
                fixed_comp[duty.associate_id, duty.on] = comp.on
        else:
            current.add((duty.associate_id, duty.on))
            comp = getattr(duty, "comp_day", None)
            if comp is not None and comp.on is not None:
                replaceable_comp.add((duty.associate_id, comp.on))

    leave: dict[int, set[dt.date]] = defaultdict(set)
    for request in TimeOffRequest.objects.filter(
        associate_id__in=ids,
        status=TimeOffRequest.Status.APPROVED,
        last_day__gte=first - dt.timedelta(days=HISTORY_DAYS),
        first_day__lte=horizon_last,
    ):
        leave[request.associate_id].update(request.days())
    holidays = set(
        PublicHoliday.objects.filter(
            site=site, on__gte=horizon_first, on__lte=horizon_last
        ).values_list("on", flat=True)
    )
    entries = {
        (e.associate_id, e.on): e
        for e in ScheduleEntry.objects.filter(
            associate_id__in=ids, on__gte=horizon_first, on__lte=horizon_last
        ).select_related("template")
    }

    # Fairness credit: a person gets the team's average rate for every weekend
    # day of the last year they could not work (before joining, on leave), so
    # nobody is front-loaded for being new or "owes" days for being away.
    window = rota.weekend_days_between(
        first - dt.timedelta(days=HISTORY_DAYS), first - dt.timedelta(days=1)
    )
    absent = {a.pk: sum(1 for d in window if d < a.hired_on or d in leave[a.pk]) for a in people}
    present_days = sum(len(window) - absent[a.pk] for a in people)
    rate = sum(history.values()) / present_days if present_days else 0.0

    wishes: dict[int, dict[str, set[dt.date]]] = defaultdict(lambda: defaultdict(set))
    for wish in RotaWish.objects.filter(associate_id__in=ids, on__gte=first, on__lte=last):
        wishes[wish.associate_id][wish.kind].add(wish.on)
    preferred = dict(
        RotaPreference.objects.filter(associate_id__in=ids).values_list(
            "associate_id", "preferred_comp_weekday"
        )
    )

    skills = selectors.capable_skills(ids)
    persons = []
    for associate in people:
        unavailable = set(leave[associate.pk])
        for day in weekend:
            not_on_team = day < associate.hired_on or bool(
                associate.left_on and day >= associate.left_on
            )
            published_without_me = monday_of(day) in published and (associate.pk, day) not in fixed
            if (
                not_on_team
                or published_without_me
                or (
                    template is not None
                    and _breaks_rest(entries, associate, day, template, site.zone)
                )
            ):
                unavailable.add(day)
        off_days = set()
        for offset in range((horizon_last - horizon_first).days + 1):
            day = horizon_first + dt.timedelta(days=offset)
            if day.weekday() >= 5:
                continue
            entry = entries.get((associate.pk, day))
            if day in holidays or (
                entry is not None
                and not entry.is_shift
                and (associate.pk, day) not in replaceable_comp
            ):
                off_days.add(day)
        persons.append(
            rota.Person(
                id=associate.pk,
                name=associate.name,
                skills=frozenset(skills.get(associate.pk, set())),
                history=history[associate.pk] + round(rate * absent[associate.pk]),
                last_weekend=last_weekend.get(associate.pk),
                unavailable=frozenset(unavailable),
                off_days=frozenset(off_days),
                volunteer=frozenset(wishes[associate.pk][RotaWish.Kind.VOLUNTEER]),
                blackout=frozenset(wishes[associate.pk][RotaWish.Kind.BLACKOUT]),
                preferred_comp_weekday=preferred.get(associate.pk),
                group=associate.team_id,
            )
        )

    headcount = {}
    for day in weekend:
        if monday_of(day) in published:
            headcount[day] = sum(1 for pid, d in fixed if d == day)
        else:
            headcount[day] = (
                settings.saturday_headcount if day.weekday() == 5 else settings.sunday_headcount
            )
    skill_needs = {}
    skill_names = {}
    if settings.pk:
        for need in settings.skill_needs.all():
            skill_names[need.skill_id] = need.skill.name
            for day in weekend:
                if monday_of(day) not in published:
                    skill_needs[day, need.skill_id] = need.min_count

    group_spare = {
        (member.pk, day): count
        for member in pool
        for day, count in _spare_cover(
            member,
            [a for a in people if a.team_id == member.pk],
            entries,
            holidays,
            leave,
            replaceable_comp,
            horizon_first,
            horizon_last,
        ).items()
    }
    today = site.local_today()
    blocked = {
        horizon_first + dt.timedelta(days=n)
        for n in range((horizon_last - horizon_first).days + 1)
        if horizon_first + dt.timedelta(days=n) <= today
        or monday_of(horizon_first + dt.timedelta(days=n)) in published
    }
    problem = rota.RotaProblem(
        comp_blocked=frozenset(blocked),
        people=tuple(persons),
        weekend_days=tuple(weekend),
        headcount=headcount,
        skill_needs=skill_needs,
        skill_names=skill_names,
        group_spare=group_spare,
        fixed=frozenset(fixed),
        fixed_comp=fixed_comp,
        current=frozenset(current),
        max_consecutive=settings.max_consecutive_days,
        comp_window_weeks=settings.comp_window_weeks,
        volunteers_only_back_to_back=settings.back_to_back_for_volunteers_only,
    )
    return Built(problem=problem, people={a.pk: a for a in people}, template=template)


Cells = dict[tuple[int, dt.date], ScheduleEntry]


def _breaks_rest(
    entries: Cells,
    associate: Associate,
    day: dt.date,
    template: ShiftTemplate,
    zone: zoneinfo.ZoneInfo,
) -> bool:
    """Would a weekend shift on `day` leave less than 11 hours' rest around it?"""
    plan = {
        d: entries[associate.pk, d]
        for d in (day - dt.timedelta(days=1), day + dt.timedelta(days=1))
        if (associate.pk, d) in entries
    }
    plan[day] = ScheduleEntry(
        associate=associate,
        on=day,
        kind=EntryKind.SHIFT,
        starts_at=template.starts_at,
        ends_at=template.ends_at,
    )
    for first in (day, day + dt.timedelta(days=1)):
        rest = rules.rest_before(plan, first, zone)
        if rest is not None and rest < rules.MIN_REST:
            return True
    return False


def _spare_cover(
    team: Team,
    people: list[Associate],
    entries: Cells,
    holidays: set[dt.date],
    leave: dict[int, set[dt.date]],
    replaceable_comp: set[tuple[int, dt.date]],
    first: dt.date,
    last: dt.date,
) -> dict[dt.date, int]:
    """How many more people may be off on each weekday without going below the minimum."""
    minimum = (
        CoverageRequirement.objects.filter(
            team=team, day_kind=DayKind.WEEKDAY, template__isnull=True, skill__isnull=True
        )
        .values_list("min_headcount", flat=True)
        .first()
        or 0
    )
    spare = {}
    for offset in range((last - first).days + 1):
        day = first + dt.timedelta(days=offset)
        if day.weekday() >= 5 or day in holidays:
            continue
        working = 0
        for associate in people:
            entry = entries.get((associate.pk, day))
            if entry is None:
                # An unplanned day counts as a working day unless on leave.
                working += day not in leave[associate.pk] and associate.hired_on <= day
            elif entry.is_shift or (associate.pk, day) in replaceable_comp:
                working += 1
        spare[day] = max(working - minimum, 0)
    return spare


def generate_rota(*, actor: User | None, team: Team, first: dt.date, last: dt.date) -> RotaProposal:
    """Solve the rota for a period and store the proposal (writes nothing else)."""
    built = build_problem(team, first, last)
    result = rota.solve(built.problem)
    proposal = RotaProposal(team=team, first_day=first, last_day=last, created_by=actor)
    if isinstance(result, rota.RotaInfeasible):
        proposal.conflicts = list(result.conflicts)
        proposal.save()
        return proposal
    proposed = {(d.person_id, d.on) for d in result.duties}
    proposal.duties = [
        {
            "associate_id": d.person_id,
            "name": built.people[d.person_id].name,
            "on": d.on.isoformat(),
            "comp_on": d.comp_on.isoformat(),
            "reason": d.reason,
            "comp_reason": d.comp_reason,
            "is_new": (d.person_id, d.on) not in built.problem.current
            and (d.person_id, d.on) not in built.problem.fixed,
            "is_fixed": (d.person_id, d.on) in built.problem.fixed,
        }
        for d in result.duties
    ] + [
        {
            "associate_id": pid,
            "name": built.people[pid].name,
            "on": day.isoformat(),
            "removed": True,
        }
        for pid, day in sorted(built.problem.current - proposed)
    ]
    planned: dict[int, int] = defaultdict(int)
    for d in result.duties:
        planned[d.person_id] += 1
    proposal.fairness = {
        str(p.id): {
            "name": p.name,
            "history": p.history,
            "planned": planned[p.id],
            "total": p.history + planned[p.id],
        }
        for p in built.problem.people
    }
    proposal.objective, proposal.bound = result.objective, result.bound
    proposal.save()
    return proposal


@transaction.atomic
def accept_rota(
    *, actor: User, proposal: RotaProposal, keys: Collection[tuple[int, dt.date]] | None = None
) -> int:
    """Accept all (keys=None) or some proposed duties: ledger rows and draft schedule
    cells in one transaction, checked by the schedule rules; all or nothing."""
    team = proposal.team
    settings = settings_for(team)
    pool = pool_of(team, settings)
    for member in sorted(pool, key=lambda t: t.pk):  # one order, so accepts cannot deadlock
        services.lock_team(member)
    locked = RotaProposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.conflicts:
        raise ScheduleConflict(["This proposal has conflicts; nothing can be accepted."])
    template = weekend_template(team, settings)
    if template is None:
        raise ScheduleConflict([f"{team.site} has no weekend shift template."])
    people = {
        a.pk: a for a in Associate.objects.filter(team__in=pool).select_related("user", "team")
    }
    wanted = [
        d
        for d in locked.duties
        if not d.get("removed")
        and not d.get("is_fixed")
        and (keys is None or (d["associate_id"], dt.date.fromisoformat(d["on"])) in keys)
    ]
    existing = {
        (d.associate_id, d.on): d
        for d in WeekendDuty.objects.filter(
            associate__team__in=pool, on__gte=locked.first_day, on__lte=locked.last_day
        ).select_related("comp_day", "associate__team")
    }
    changes: list[Change] = []
    added = []
    for item in wanted:
        associate = people.get(item["associate_id"])
        if associate is None:
            raise ScheduleConflict([f"{item['name']} is no longer on {team}."])
        on, comp_on = dt.date.fromisoformat(item["on"]), dt.date.fromisoformat(item["comp_on"])
        if (associate.pk, on) in existing:
            continue
        changes.append(Change.shift(associate, on, template))
        changes.append(
            Change(associate=associate, on=comp_on, kind=EntryKind.COMP_DAY, note="Comp day")
        )
        added.append((associate, on, comp_on, item))
    removed = []
    if keys is None:
        # Accepting everything replaces the unpublished plan of the period.
        for item in locked.duties:
            if item.get("removed"):
                duty = existing.get((item["associate_id"], dt.date.fromisoformat(item["on"])))
                if duty is not None:
                    removed.append(duty)
                    changes.append(Change(associate=duty.associate, on=duty.on, kind=None))
                    comp = getattr(duty, "comp_day", None)
                    if comp is not None and comp.on is not None:
                        changes.append(Change(associate=duty.associate, on=comp.on, kind=None))
    # Leave and comp days already on the plan are never overwritten.
    freed = {
        (d.associate_id, d.comp_day.on)
        for d in removed
        if getattr(d, "comp_day", None) is not None and d.comp_day.on is not None
    }
    targets = {(c.associate.pk, c.on) for c in changes if c.kind is not None} - freed
    blocked = [
        e
        for e in ScheduleEntry.objects.filter(
            associate__team__in=pool,
            on__in={on for _pid, on in targets},
            kind__in=services.PROTECTED_KINDS,
        ).select_related("associate__user")
        if (e.associate_id, e.on) in targets
    ]
    if blocked:
        raise ScheduleConflict(
            [
                f"{e.associate} has {e.get_kind_display().lower()} on {e.on:%a %-d %b}; "
                "generate the rota again."
                for e in blocked
            ]
        )
    for duty in removed:
        comp = getattr(duty, "comp_day", None)
        if comp is not None:
            comp._history_user = actor
            comp.delete()
        duty._history_user = actor  # type: ignore[attr-defined]
        duty.delete()
    by_team: dict[int, list[Change]] = defaultdict(list)
    for change in changes:
        by_team[change.associate.team_id].append(change)
    for member in pool:
        services.check_and_write(actor=actor, team=member, changes=by_team[member.pk])
    for associate, on, comp_on, item in added:
        duty = WeekendDuty(associate=associate, on=on, reason=item["reason"][:200])
        duty._history_user = actor  # type: ignore[attr-defined]
        duty.save()
        comp = CompDay(
            duty=duty,
            associate=associate,
            on=comp_on,
            status=CompDay.Status.SCHEDULED,
            expires_on=on + dt.timedelta(days=settings.comp_expiry_days),
            reason=item["comp_reason"][:200],
        )
        comp._history_user = actor  # type: ignore[attr-defined]
        comp.save()
    locked.accepted_at = timezone.now()
    locked.save(update_fields=["accepted_at"])
    return len(added)


# --- The ledger ----------------------------------------------------------------------


@dataclass(frozen=True)
class Balance:
    worked: int
    upcoming: int
    scheduled: int
    owed: int
    taken: int
    expired: int

    @property
    def open(self) -> int:
        """Comp days earned and not yet taken or expired."""
        return self.scheduled + self.owed


def balances(associate_ids: Collection[int], today: dt.date) -> dict[int, Balance]:
    """Ledger totals per associate, from two grouped queries."""
    duty_rows = (
        WeekendDuty.objects.filter(associate_id__in=associate_ids)
        .values("associate_id")
        .annotate(
            worked=Count("pk", filter=Q(on__lt=today)),
            upcoming=Count("pk", filter=Q(on__gte=today)),
        )
    )
    comp_rows = (
        CompDay.objects.filter(associate_id__in=associate_ids)
        .values("associate_id")
        .annotate(
            scheduled=Count("pk", filter=Q(status=CompDay.Status.SCHEDULED)),
            owed=Count("pk", filter=Q(status=CompDay.Status.OWED)),
            taken=Count("pk", filter=Q(status=CompDay.Status.TAKEN)),
            expired=Count("pk", filter=Q(status=CompDay.Status.EXPIRED)),
        )
    )
    found: dict[int, dict[str, int]] = {i: defaultdict(int) for i in associate_ids}
    for row in duty_rows:
        found[row["associate_id"]].update(worked=row["worked"], upcoming=row["upcoming"])
    for comp_row in comp_rows:
        found[comp_row["associate_id"]].update(
            scheduled=comp_row["scheduled"],
            owed=comp_row["owed"],
            taken=comp_row["taken"],
            expired=comp_row["expired"],
        )
    return {
        i: Balance(
            worked=v["worked"],
            upcoming=v["upcoming"],
            scheduled=v["scheduled"],
            owed=v["owed"],
            taken=v["taken"],
            expired=v["expired"],
        )
        for i, v in found.items()
    }


def settle_comp_days(today: dt.date) -> tuple[int, int]:
    """Scheduled comp days in the past become taken; unscheduled ones past their
    expiry become expired. Row by row so the ledger's history records each."""
    taken = expired = 0
    with transaction.atomic():
        for comp in CompDay.objects.select_for_update().filter(
            status=CompDay.Status.SCHEDULED, on__lt=today
        ):
            comp.status = CompDay.Status.TAKEN
            comp.save(update_fields=["status"])
            taken += 1
        for comp in CompDay.objects.select_for_update().filter(
            status=CompDay.Status.OWED, expires_on__lt=today
        ):
            comp.status = CompDay.Status.EXPIRED
            comp.save(update_fields=["status"])
            expired += 1
    return taken, expired


def draft_rotas(today: dt.date, weeks: int = 4) -> list[int]:
    """For every team with rota settings and nothing planned for the next period,
    draft a proposal and tell the leads. Returns the proposals made."""
    first = monday_of(today) + dt.timedelta(days=7)
    last = first + dt.timedelta(days=7 * weeks - 1)
    made = []
    for settings in RotaSettings.objects.select_related("team__site"):
        team = settings.team
        if RotaSettings.objects.filter(pooled_teams=team).exists():
            continue  # its weekends are drafted with the pool it belongs to
        planned = WeekendDuty.objects.filter(
            associate__team=team, on__gte=first, on__lte=last
        ).exists()
        waiting = RotaProposal.objects.filter(
            team=team, first_day=first, accepted_at__isnull=True
        ).exists()
        if planned or waiting:
            continue
        proposal = generate_rota(actor=None, team=team, first=first, last=last)
        made.append(proposal.pk)
        transaction.on_commit(
            functools.partial(tasks.notify_rota_draft.delay, proposal_id=proposal.pk)
        )
    return made


@transaction.atomic
def move_comp_day(*, actor: User, comp_day: CompDay, to: dt.date) -> CompDay:
    """Schedule (or move) a comp day onto a weekday, if cover allows. All or nothing."""
    associate = comp_day.associate
    team = associate.team
    services.lock_team(team)
    comp = (
        CompDay.objects.select_for_update(of=("self",)).select_related("duty").get(pk=comp_day.pk)
    )
    today = team.site.local_today()
    problems = []
    if comp.status in (CompDay.Status.TAKEN, CompDay.Status.EXPIRED):
        problems.append(f"This comp day is already {comp.get_status_display().lower()}.")
    if to.weekday() >= 5:
        problems.append("A comp day is a weekday.")
    if to <= today:
        problems.append("Choose a day after today.")
    if to > comp.expires_on:
        problems.append(f"This comp day expires on {comp.expires_on:%a %-d %b}.")
    if PublicHoliday.objects.filter(site_id=team.site_id, on=to).exists():
        problems.append(f"{to:%a %-d %b} is a public holiday already.")
    cell = ScheduleEntry.objects.filter(associate=associate, on=to).first()
    if cell is not None and cell.kind in services.PROTECTED_KINDS:
        problems.append(
            f"{associate} already has {cell.get_kind_display().lower()} on {to:%a %-d %b}."
        )
    if problems:
        raise ScheduleConflict(problems)
    if cell is not None and cell.is_shift:
        probe = TimeOffRequest(associate=associate, first_day=to, last_day=to)
        broken = [i for i in services.time_off_impact(probe) if i.breaks_minimum]
        if broken:
            raise ScheduleConflict(
                [
                    f"{i.day:%a %-d %b}: {i.line.label} would drop to {i.after} "
                    f"of {i.line.required} required."
                    for i in broken
                ]
            )
    changes = [Change(associate=associate, on=to, kind=EntryKind.COMP_DAY, note="Comp day")]
    if comp.on is not None and comp.on != to:
        changes.append(Change(associate=associate, on=comp.on, kind=None))
    services.check_and_write(actor=actor, team=team, changes=changes)
    comp.on, comp.status = to, CompDay.Status.SCHEDULED
    comp.reason = f"moved to {to:%A %-d %b} by {actor.display_name}"[:200]
    comp._history_user = actor  # type: ignore[attr-defined]
    comp.save()
    return comp


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


def as_seen_by_associate(
    associate: Associate, duties: list[WeekendDuty], today: dt.date
) -> list[WeekendDuty]:
    """What an associate may see of their own ledger: past duties, and future ones
    only in weeks their lead has published (drafts stay with the lead)."""
    published = set(
        ScheduleWeek.objects.filter(
            team_id=associate.team_id, published_at__isnull=False
        ).values_list("starts_on", flat=True)
    )
    return [d for d in duties if d.on < today or monday_of(d.on) in published]


def balance_of(duties: list[WeekendDuty], today: dt.date) -> Balance:
    """The Balance of a list of duties with their comp days loaded."""
    counts: dict[str, int] = defaultdict(int)
    for duty in duties:
        counts["worked" if duty.on < today else "upcoming"] += 1
        comp = getattr(duty, "comp_day", None)
        if comp is not None:
            counts[comp.status] += 1
    return Balance(
        worked=counts["worked"],
        upcoming=counts["upcoming"],
        scheduled=counts[CompDay.Status.SCHEDULED],
        owed=counts[CompDay.Status.OWED],
        taken=counts[CompDay.Status.TAKEN],
        expired=counts[CompDay.Status.EXPIRED],
    )
