"""The weekend rota between the database and the generator (scheduling.solver).

`build_problem` reads a team's roster, plan, leave, history and wishes into a
RotaProblem; `generate_rota` solves it and stores a RotaProposal with reasons;
`accept_rota` turns accepted duties into WeekendDuty and CompDay ledger rows and
schedule cells in one transaction, through the same rule checks as every other
schedule write.
"""

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings as django_settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from sdc_ops.celery import enqueue_on_commit
from teams.models import Associate, Team, User

from .. import rules, solver, tasks
from ..models import (
    CompDay,
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
from ..selectors.coverage import capable_skills
from .schedule import (
    PROTECTED_KINDS,
    Change,
    ScheduleConflict,
    check_and_write,
    lock_team,
)

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
    problem: solver.RotaProblem
    people: dict[int, Associate]
    template: ShiftTemplate | None
    published: frozenset[dt.date] = frozenset()  # Mondays of published weeks in reach
    # Weekend shifts of the unpublished period with no duty behind them (typed in
    # before the grid refused them): no comp day, not in payroll or fairness.
    unbacked: frozenset[tuple[int, dt.date]] = frozenset()


Cells = dict[tuple[int, dt.date], ScheduleEntry]
Key = tuple[int, dt.date]  # (associate id, day)


@dataclass
class _Facts:
    """What the database says about a rota period, loaded once for build_problem."""

    team: Team
    settings: RotaSettings
    template: ShiftTemplate | None
    first: dt.date
    last: dt.date
    horizon_first: dt.date
    horizon_last: dt.date
    weekend: list[dt.date]
    pool: list[Team]
    people: list[Associate]
    published: set[dt.date] = field(default_factory=set)
    history: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    last_weekend: dict[int, dt.date] = field(default_factory=dict)
    fixed: set[Key] = field(default_factory=set)
    current: set[Key] = field(default_factory=set)
    fixed_comp: dict[Key, dt.date] = field(default_factory=dict)
    replaceable_comp: set[Key] = field(default_factory=set)
    leave: dict[int, set[dt.date]] = field(default_factory=lambda: defaultdict(set))
    half_leave: dict[int, set[dt.date]] = field(default_factory=lambda: defaultdict(set))
    holidays: set[dt.date] = field(default_factory=set)
    entries: Cells = field(default_factory=dict)

    @property
    def ids(self) -> list[int]:
        return [a.pk for a in self.people]

    @property
    def horizon(self) -> list[dt.date]:
        count = (self.horizon_last - self.horizon_first).days + 1
        return [self.horizon_first + dt.timedelta(days=n) for n in range(count)]


def _load_facts(team: Team, first: dt.date, last: dt.date) -> _Facts:
    settings = settings_for(team)
    pool = pool_of(team, settings)
    facts = _Facts(
        team=team,
        settings=settings,
        template=weekend_template(team, settings),
        first=first,
        last=last,
        horizon_first=first - dt.timedelta(days=14),
        horizon_last=last + dt.timedelta(days=7 * (settings.comp_window_weeks + 1)),
        weekend=solver.weekend_days_between(first, last),
        pool=pool,
        people=list(
            Associate.objects.filter(team__in=pool).active().select_related("user").order_by("pk")
        ),
    )
    # A week published for any team of the pool is kept as it is for all of them.
    facts.published = set(
        ScheduleWeek.objects.filter(
            team__in=pool,
            starts_on__gte=monday_of(facts.horizon_first),
            starts_on__lte=facts.horizon_last,
            published_at__isnull=False,
        ).values_list("starts_on", flat=True)
    )
    _load_duties(facts)
    for request in TimeOffRequest.objects.filter(
        associate_id__in=facts.ids,
        status=TimeOffRequest.Status.APPROVED,
        last_day__gte=first - dt.timedelta(days=HISTORY_DAYS),
        first_day__lte=facts.horizon_last,
    ):
        # A half day keeps the person at work for the other half: it takes no
        # weekend day from them, only the chance of a comp day on it.
        facts.leave[request.associate_id].update(request.whole_days())
        facts.half_leave[request.associate_id].update(request.half_days())
    facts.holidays = set(
        PublicHoliday.objects.filter(
            site=team.site, on__gte=facts.horizon_first, on__lte=facts.horizon_last
        ).values_list("on", flat=True)
    )
    facts.entries = {
        (e.associate_id, e.on): e
        for e in ScheduleEntry.objects.filter(
            associate_id__in=facts.ids, on__gte=facts.horizon_first, on__lte=facts.horizon_last
        ).select_related("template")
    }
    return facts


def _load_duties(facts: _Facts) -> None:
    """Sort the pool's weekend duties: last year's history, the period's published
    (fixed) ones and its draft (current) ones, with their comp days."""
    duties = WeekendDuty.objects.filter(
        associate_id__in=facts.ids,
        on__gte=facts.first - dt.timedelta(days=HISTORY_DAYS),
        on__lte=facts.last,
    ).select_related("comp_day")
    for duty in duties:
        key = (duty.associate_id, duty.on)
        comp = getattr(duty, "comp_day", None)
        comp_on = comp.on if comp is not None else None
        if duty.on < facts.first:
            facts.history[duty.associate_id] += 1
            facts.last_weekend[duty.associate_id] = max(
                duty.on, facts.last_weekend.get(duty.associate_id, duty.on)
            )
        elif monday_of(duty.on) in facts.published:
            facts.fixed.add(key)
            if comp_on is not None:
                facts.fixed_comp[key] = comp_on
        else:
            facts.current.add(key)
            if comp_on is not None:
                facts.replaceable_comp.add((duty.associate_id, comp_on))


def _fairness_credit(facts: _Facts, headcount: dict[dt.date, int]) -> dict[int, int]:
    """Each person's weekend history plus credit for every weekend day they cannot
    work (before joining, on leave, after leaving): at the team's rate of the last
    year for days of that year, at the period's own rate for days of the period. So
    nobody is front-loaded for being new, and nobody "owes" days for being away,
    neither from last year nor within the period planned."""
    window = solver.weekend_days_between(
        facts.first - dt.timedelta(days=HISTORY_DAYS), facts.first - dt.timedelta(days=1)
    )

    def away(associate: Associate, days: list[dt.date]) -> int:
        return sum(
            1
            for d in days
            if not _employed(associate, d)
            or _settling_in(associate, d)
            or d in facts.leave[associate.pk]
        )

    absent = {a.pk: away(a, window) for a in facts.people}
    present_days = sum(len(window) - absent[a.pk] for a in facts.people)
    rate = sum(facts.history.values()) / present_days if present_days else 0.0
    planned = facts.weekend
    absent_now = {a.pk: away(a, planned) for a in facts.people}
    seats = len(facts.people) * len(planned) - sum(absent_now.values())
    rate_now = sum(headcount.get(d, 0) for d in planned) / seats if seats else 0.0
    return {
        a.pk: facts.history[a.pk] + round(rate * absent[a.pk] + rate_now * absent_now[a.pk])
        for a in facts.people
    }


def _unavailable(facts: _Facts, associate: Associate) -> set[dt.date]:
    """Weekend days (and leave) the person cannot be given a duty on."""
    unavailable = set(facts.leave[associate.pk])
    zone = facts.team.site.zone
    for day in facts.weekend:
        not_on_team = day < rota_starts_on(associate) or bool(
            associate.left_on and day >= associate.left_on
        )
        published_without_me = (
            monday_of(day) in facts.published and (associate.pk, day) not in facts.fixed
        )
        breaks_rest = facts.template is not None and _breaks_rest(
            facts.entries, associate, day, facts.template, zone
        )
        if not_on_team or published_without_me or breaks_rest:
            unavailable.add(day)
    return unavailable


def rota_starts_on(associate: Associate) -> dt.date:
    """A new joiner's first possible weekend duty: settings.ROTA_NEW_JOINER_WEEKS
    after they start (the weeks between are credited as away, so they are not
    front-loaded after)."""
    return associate.hired_on + dt.timedelta(weeks=django_settings.ROTA_NEW_JOINER_WEEKS)


def _settling_in(associate: Associate, day: dt.date) -> bool:
    return associate.hired_on <= day < rota_starts_on(associate)


def _employed(associate: Associate, day: dt.date) -> bool:
    return associate.hired_on <= day and not (associate.left_on and day >= associate.left_on)


def _off_days(facts: _Facts, associate: Associate) -> set[dt.date]:
    """Weekdays already off (holidays, leave, comp days that stay) or outside their
    employment (before joining, from the leaving day), so no comp day there."""
    off = set()
    for day in facts.horizon:
        if day.weekday() >= 5:
            continue
        entry = facts.entries.get((associate.pk, day))
        if (
            day in facts.holidays
            or not _employed(associate, day)
            or (
                entry is not None
                and not entry.is_shift
                and (associate.pk, day) not in facts.replaceable_comp
            )
        ):
            off.add(day)
    return off


def _persons(facts: _Facts, headcount: dict[dt.date, int]) -> list[solver.Person]:
    ids = facts.ids
    wishes: dict[int, dict[str, set[dt.date]]] = defaultdict(lambda: defaultdict(set))
    for wish in RotaWish.objects.filter(
        associate_id__in=ids, on__gte=facts.first, on__lte=facts.last
    ):
        wishes[wish.associate_id][wish.kind].add(wish.on)
    preferred = dict(
        RotaPreference.objects.filter(associate_id__in=ids).values_list(
            "associate_id", "preferred_comp_weekday"
        )
    )
    skills = capable_skills(ids)
    credit = _fairness_credit(facts, headcount)
    return [
        solver.Person(
            id=associate.pk,
            name=associate.name,
            skills=frozenset(skills.get(associate.pk, set())),
            history=credit[associate.pk],
            last_weekend=facts.last_weekend.get(associate.pk),
            unavailable=frozenset(_unavailable(facts, associate)),
            on_leave=frozenset(d for d in facts.weekend if d in facts.leave[associate.pk]),
            not_employed=frozenset(d for d in facts.weekend if not _employed(associate, d)),
            settling_in=frozenset(d for d in facts.weekend if _settling_in(associate, d)),
            half_days=frozenset(facts.half_leave[associate.pk]),
            off_days=frozenset(_off_days(facts, associate)),
            volunteer=frozenset(wishes[associate.pk][RotaWish.Kind.VOLUNTEER]),
            blackout=frozenset(wishes[associate.pk][RotaWish.Kind.BLACKOUT]),
            preferred_comp_weekday=preferred.get(associate.pk),
            group=associate.team_id,
        )
        for associate in facts.people
    ]


def _needs(
    facts: _Facts,
) -> tuple[dict[dt.date, int], dict[tuple[dt.date, int], int], dict[int, str]]:
    """Headcount per weekend day (a published week keeps what it has) and skill needs."""
    settings = facts.settings
    headcount = {}
    for day in facts.weekend:
        if monday_of(day) in facts.published:
            headcount[day] = sum(1 for _pid, d in facts.fixed if d == day)
        else:
            headcount[day] = (
                settings.saturday_headcount if day.weekday() == 5 else settings.sunday_headcount
            )
    skill_needs = {}
    skill_names = {}
    if settings.pk:
        for need in settings.skill_needs.all():
            skill_names[need.skill_id] = need.skill.name
            for day in facts.weekend:
                if monday_of(day) not in facts.published:
                    skill_needs[day, need.skill_id] = need.min_count
    return headcount, skill_needs, skill_names


def build_problem(team: Team, first: dt.date, last: dt.date) -> Built:
    facts = _load_facts(team, first, last)
    headcount, skill_needs, skill_names = _needs(facts)
    group_spare = {
        (member.pk, day): count
        for member in facts.pool
        for day, count in _spare_cover(
            member,
            [a for a in facts.people if a.team_id == member.pk],
            facts.entries,
            facts.holidays,
            facts.leave,
            facts.replaceable_comp,
            facts.horizon_first,
            facts.horizon_last,
        ).items()
    }
    today = team.site.local_today()
    blocked = {d for d in facts.horizon if d <= today or monday_of(d) in facts.published}
    settings = facts.settings
    problem = solver.RotaProblem(
        comp_blocked=frozenset(blocked),
        people=tuple(_persons(facts, headcount)),
        weekend_days=tuple(facts.weekend),
        headcount=headcount,
        skill_needs=skill_needs,
        skill_names=skill_names,
        group_spare=group_spare,
        fixed=frozenset(facts.fixed),
        fixed_comp=facts.fixed_comp,
        current=frozenset(facts.current),
        max_consecutive=settings.max_consecutive_days,
        comp_window_weeks=settings.comp_window_weeks,
        volunteers_only_back_to_back=settings.back_to_back_for_volunteers_only,
    )
    duties = facts.fixed | facts.current
    unbacked = frozenset(
        key
        for key, entry in facts.entries.items()
        if entry.is_shift
        and key[1] in facts.weekend
        and monday_of(key[1]) not in facts.published
        and key not in duties
    )
    return Built(
        problem=problem,
        people={a.pk: a for a in facts.people},
        template=facts.template,
        published=frozenset(facts.published),
        unbacked=unbacked,
    )


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
    minimum = _weekday_minimum(team)
    working = _working(people, entries, holidays, leave, replaceable_comp, first, last)
    return {day: max(count - minimum, 0) for day, count in working.items()}


def _weekday_minimum(team: Team) -> int:
    """The team's minimum headcount on a weekday (any shift, any skill)."""
    return (
        CoverageRequirement.objects.filter(
            team=team, day_kind=DayKind.WEEKDAY, template__isnull=True, skill__isnull=True
        )
        .values_list("min_headcount", flat=True)
        .first()
        or 0
    )


def _working(
    people: list[Associate],
    entries: Cells,
    holidays: set[dt.date],
    leave: dict[int, set[dt.date]],
    replaceable_comp: set[tuple[int, dt.date]],
    first: dt.date,
    last: dt.date,
) -> dict[dt.date, int]:
    """How many of `people` work each weekday (holidays left out) by the plan."""
    found = {}
    for offset in range((last - first).days + 1):
        day = first + dt.timedelta(days=offset)
        if day.weekday() >= 5 or day in holidays:
            continue
        working = 0
        for associate in people:
            entry = entries.get((associate.pk, day))
            if entry is None:
                # An unplanned day counts as a working day unless on leave or
                # outside their employment (not yet joined, or left).
                working += day not in leave[associate.pk] and _employed(associate, day)
            elif (entry.is_shift or (associate.pk, day) in replaceable_comp) and _employed(
                associate, day
            ):
                working += 1
        found[day] = working
    return found


def _refuse_broken_cover(pool: list[Team], comp_days: list[tuple[int, dt.date]]) -> None:
    """Re-check, from the plan as now written, every weekday on which accepting gave
    someone of a team a comp day: that team may not fall below its weekday minimum
    there (a shortfall elsewhere is not this accept's doing)."""
    given = set(comp_days)
    days = sorted({day for _team, day in given})
    if not days:
        return
    people = list(Associate.objects.filter(team__in=pool).active())
    ids = [a.pk for a in people]
    entries: Cells = {
        (e.associate_id, e.on): e
        for e in ScheduleEntry.objects.filter(associate_id__in=ids, on__in=days).select_related(
            "template"
        )
    }
    leave: dict[int, set[dt.date]] = defaultdict(set)
    for request in TimeOffRequest.objects.filter(
        associate_id__in=ids,
        status=TimeOffRequest.Status.APPROVED,
        first_day__lte=days[-1],
        last_day__gte=days[0],
    ):
        leave[request.associate_id].update(request.whole_days())
    problems = []
    for member in pool:
        minimum = _weekday_minimum(member)
        holidays = set(
            PublicHoliday.objects.filter(site=member.site_id, on__in=days).values_list(
                "on", flat=True
            )
        )
        own = [a for a in people if a.team_id == member.pk]
        working = _working(own, entries, holidays, leave, set(), days[0], days[-1])
        problems += [
            f"{member}: {day:%a %-d %b} would have {working[day]} working against a minimum "
            f"of {minimum}."
            for day in days
            if (member.pk, day) in given and day in working and working[day] < minimum
        ]
    if problems:
        raise ScheduleConflict(
            ["Nothing was accepted: the comp days would leave weekdays short.", *problems]
        )


def first_unpublished_monday(team: Team, after: dt.date) -> dt.date:
    """The first Monday on or after `after` whose week no team of the pool has
    published: where a new rota can start without published weeks in its way."""
    pool = pool_of(team, settings_for(team))
    monday = monday_of(after)
    published = set(
        ScheduleWeek.objects.filter(
            team__in=pool, starts_on__gte=monday, published_at__isnull=False
        ).values_list("starts_on", flat=True)
    )
    while monday in published:
        monday += dt.timedelta(days=7)
    return monday


def _published_first(team: Team, built: Built, first: dt.date, last: dt.date) -> list[str]:
    """When published weeks lie in the period (or its comp days' reach), they are the
    likely cause: their duties stay as published and no new comp day can go in them."""
    mondays = sorted(m for m in built.published if monday_of(first) <= m <= last)
    if not mondays:
        return []
    start = first_unpublished_monday(team, mondays[-1] + dt.timedelta(days=7))
    weeks = ", ".join(f"{m:%a %-d %b}" for m in mondays)
    return [
        f"Published in this period: the week{'s' if len(mondays) > 1 else ''} of {weeks}. "
        "A published week keeps its weekend duties and takes no new comp day. Start the "
        f"rota on {start:%a %-d %b}, the first week not yet published, or change the "
        "published week first."
    ]


def generate_rota(*, actor: User | None, team: Team, first: dt.date, last: dt.date) -> RotaProposal:
    """Solve the rota for a period and store the proposal (writes nothing else)."""
    built = build_problem(team, first, last)
    result = solver.solve(built.problem)
    proposal = RotaProposal(team=team, first_day=first, last_day=last, created_by=actor)
    if isinstance(result, solver.RotaInfeasible):
        proposal.conflicts = _published_first(team, built, first, last) + list(result.conflicts)
        proposal.save()
        return proposal
    proposed = {(d.person_id, d.on) for d in result.duties}
    proposal.duties = (
        [
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
        ]
        + [
            {
                "associate_id": pid,
                "name": built.people[pid].name,
                "on": day.isoformat(),
                "removed": True,
            }
            for pid, day in sorted(built.problem.current - proposed)
        ]
        + [
            {
                "associate_id": pid,
                "name": built.people[pid].name,
                "on": day.isoformat(),
                "removed": True,
                "no_duty": True,
            }
            for pid, day in sorted(built.unbacked - proposed)
        ]
    )
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


Added = tuple[Associate, dt.date, dt.date, dict[str, Any]]  # who, weekend day, comp day, item


def _additions(
    *,
    team: Team,
    wanted: list[dict[str, Any]],
    people: dict[int, Associate],
    existing: dict[Key, WeekendDuty],
    template: ShiftTemplate,
) -> tuple[list[Change], list[Added], list[tuple[CompDay, dt.date]]]:
    """The weekend shift and comp day of each accepted duty not already on the ledger,
    and the comp days of duties already there that the proposal moves."""
    clears: list[Change] = []
    changes: list[Change] = []
    added: list[Added] = []
    moved: list[tuple[CompDay, dt.date]] = []
    for item in wanted:
        associate = people.get(item["associate_id"])
        if associate is None:
            raise ScheduleConflict([f"{item['name']} is no longer on {team}."])
        on, comp_on = dt.date.fromisoformat(item["on"]), dt.date.fromisoformat(item["comp_on"])
        kept = existing.get((associate.pk, on))
        if kept is not None:
            # A duty already planned keeps its place; its comp day goes where the
            # proposal showed it (the solver may have moved it).
            comp = getattr(kept, "comp_day", None)
            if (
                comp is not None
                and comp.on is not None
                and comp.on != comp_on
                and comp.status == CompDay.Status.SCHEDULED
            ):
                # The old day is cleared before anything is set, so it can become
                # another duty's comp day in the same accept.
                clears.append(Change(associate=associate, on=comp.on, kind=None))
                changes.append(
                    Change(
                        associate=associate, on=comp_on, kind=EntryKind.COMP_DAY, note="Comp day"
                    )
                )
                moved.append((comp, comp_on))
            continue
        changes.append(Change.shift(associate, on, template))
        changes.append(
            Change(associate=associate, on=comp_on, kind=EntryKind.COMP_DAY, note="Comp day")
        )
        added.append((associate, on, comp_on, item))
    return clears + changes, added, moved


def _removals(
    proposal: RotaProposal, existing: dict[Key, WeekendDuty]
) -> tuple[list[Change], list[WeekendDuty]]:
    """Draft duties the proposal drops, with the cells of their shifts and comp days,
    and weekend shifts that had no duty at all (they earned nothing)."""
    changes: list[Change] = []
    removed: list[WeekendDuty] = []
    unbacked = [
        (item["associate_id"], dt.date.fromisoformat(item["on"]))
        for item in proposal.duties
        if item.get("removed") and item.get("no_duty")
    ]
    for entry in ScheduleEntry.objects.filter(
        associate_id__in={pid for pid, _on in unbacked},
        on__in={on for _pid, on in unbacked},
        kind=EntryKind.SHIFT,
    ).select_related("associate"):
        key = (entry.associate_id, entry.on)
        if key in unbacked and key not in existing:  # still without a duty
            changes.append(Change(associate=entry.associate, on=entry.on, kind=None))
    for item in proposal.duties:
        if not item.get("removed") or item.get("no_duty"):
            continue
        duty = existing.get((item["associate_id"], dt.date.fromisoformat(item["on"])))
        if duty is None:
            continue
        removed.append(duty)
        changes.append(Change(associate=duty.associate, on=duty.on, kind=None))
        comp = getattr(duty, "comp_day", None)
        if comp is not None and comp.on is not None:
            changes.append(Change(associate=duty.associate, on=comp.on, kind=None))
    return changes, removed


def _refuse_protected_cells(
    pool: list[Team],
    changes: list[Change],
    removed: list[WeekendDuty],
    moved: list[tuple[CompDay, dt.date]],
) -> None:
    """Leave and comp days already on the plan are never overwritten (the old days of
    comp days this accept removes or moves are free)."""
    freed = {
        (d.associate_id, d.comp_day.on)
        for d in removed
        if getattr(d, "comp_day", None) is not None and d.comp_day.on is not None
    } | {(comp.associate_id, comp.on) for comp, _on in moved}
    targets = {(c.associate.pk, c.on) for c in changes if c.kind is not None} - freed
    blocked = [
        e
        for e in ScheduleEntry.objects.filter(
            associate__team__in=pool,
            on__in={on for _pid, on in targets},
            kind__in=PROTECTED_KINDS,
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


def _write_ledger(
    *, actor: User, added: list[Added], removed: list[WeekendDuty], expiry_days: int
) -> None:
    for duty in removed:
        comp = getattr(duty, "comp_day", None)
        if comp is not None:
            comp._history_user = actor
            comp.delete()
        duty._history_user = actor  # type: ignore[attr-defined]
        duty.delete()
    for associate, on, comp_on, item in added:
        duty = WeekendDuty(associate=associate, on=on, reason=item["reason"][:200])
        duty._history_user = actor  # type: ignore[attr-defined]
        duty.save()
        comp = CompDay(
            duty=duty,
            associate=associate,
            on=comp_on,
            status=CompDay.Status.SCHEDULED,
            expires_on=on + dt.timedelta(days=expiry_days),
            reason=item["comp_reason"][:200],
        )
        comp._history_user = actor  # type: ignore[attr-defined]
        comp.save()


def _move_comp_days(*, actor: User, moved: list[tuple[CompDay, dt.date]]) -> None:
    """Give kept duties' comp days their new dates. One person's comp days may trade
    dates (or a new duty may take a moved one's old date), and a date holds one comp
    day per person: so they are lifted off their dates first (a plain update, no
    history version), then each is saved on its new date."""
    CompDay.objects.filter(pk__in=[comp.pk for comp, _on in moved]).update(
        on=None, status=CompDay.Status.OWED
    )
    for comp, on in moved:
        comp.on = on
        comp._history_user = actor  # type: ignore[attr-defined]
        comp.save(update_fields=["on", "status"])


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
        lock_team(member)
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
    changes, added, moved = _additions(
        team=team, wanted=wanted, people=people, existing=existing, template=template
    )
    removed: list[WeekendDuty] = []
    if keys is None:  # accepting everything replaces the unpublished plan of the period
        dropped, removed = _removals(locked, existing)
        changes = dropped + changes  # clears first: a cell set again later keeps its value
    _refuse_protected_cells(pool, changes, removed, moved)
    by_team: dict[int, list[Change]] = defaultdict(list)
    for change in changes:
        by_team[change.associate.team_id].append(change)
    # The removed duties go first, so their cells are free for the plan's checks.
    _write_ledger(actor=actor, added=[], removed=removed, expiry_days=settings.comp_expiry_days)
    for member in pool:
        check_and_write(actor=actor, team=member, changes=by_team[member.pk])
    _move_comp_days(actor=actor, moved=moved)
    _write_ledger(actor=actor, added=added, removed=[], expiry_days=settings.comp_expiry_days)
    _refuse_broken_cover(
        pool,
        [(associate.team_id, comp_on) for associate, _on, comp_on, _item in added]
        + [(comp.associate.team_id, on) for comp, on in moved],
    )
    locked.accepted_at = timezone.now()
    locked.save(update_fields=["accepted_at"])
    return len(added)


def draft_rotas(today: dt.date | None = None, weeks: int = 4) -> list[int]:
    """For every team with rota settings and nothing planned for the next period,
    draft a proposal and tell the leads. "Next period" starts the Monday after the
    team's site's local today (or `today`). Returns the proposals made."""
    made = []
    for settings in RotaSettings.objects.select_related("team__site"):
        team = settings.team
        if RotaSettings.objects.filter(pooled_teams=team).exists():
            continue  # its weekends are drafted with the pool it belongs to
        first = monday_of(today or team.site.local_today()) + dt.timedelta(days=7)
        last = first + dt.timedelta(days=7 * weeks - 1)
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
        enqueue_on_commit(tasks.notify_rota_draft, proposal_id=proposal.pk)
    return made


def set_rota_wish(*, associate: Associate, on: dt.date, kind: str) -> None:
    """Volunteer for or black out a weekend day; kind "clear" removes the wish."""
    if kind == "clear":
        RotaWish.objects.filter(associate=associate, on=on).delete()
    else:
        RotaWish.objects.update_or_create(associate=associate, on=on, defaults={"kind": kind})
