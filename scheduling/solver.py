"""The weekend rota generator: pure Python over plain data, solved with CP-SAT.

Input is a `RotaProblem` (people, weekend days, needs, weekday cover); output is
a `RotaPlan` (weekend duties and the comp day each one earns, with reasons) or a
`RotaInfeasible` that names the needs that cannot all be met. Nothing here
touches the database: `scheduling.rota_io` builds problems from the models and
writes accepted plans back through the services.

Hard constraints
- each weekend day gets exactly its headcount, and at least its skill needs;
- nobody is scheduled on a day they are unavailable (time off, holiday, not yet
  hired or already gone, a weekend shift that would break rest) or on a day that
  is already published (those duties are fixed);
- at most one weekend day per person per weekend, unless they volunteered for both;
- every duty earns exactly one comp day, on a weekday of the working week of the
  weekend day or the week after, on which the person would otherwise work;
- comp days never take a weekday below its minimum cover;
- nobody works more than `max_consecutive` days in a row, counted without the
  comp days: a plan never relies on a comp day to stay within the limit, so a
  comp day can later move inside its window (an associate asks for another
  day) without breaking it.

Objective, lexicographic (each level outweighs all below it):
1. fairness: the spread (max - min) of weekend days per eligible person, counting
   history, with credit for time before joining and on leave;
2. no back-to-back weekends unless volunteered;
3. weekend wishes: volunteered days granted, blackout dates avoided;
4. stability: as few changes as possible to an existing (unpublished) plan;
5. comp days on each person's preferred weekday - optimised for the duties the
   levels above chose, so it never changes who works which weekend.
Fairness is settled first by trying the tightest bands of totals; levels 2-4 are
CP-SAT models of windows of a few weekends solved in sequence (`solve`; one model
of the whole period in `solve_whole`, the reference); level 5 is a min-cost flow
(a small CP-SAT model in `solve_whole`). Every plan comes with a bound for the
whole period.

Deterministic: one search worker, a fixed seed and a deterministic time limit
(`RotaProblem.workers` > 1 searches in parallel, faster but not reproducible).
"""

import datetime as dt
import functools
import math
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from ortools.graph.python import min_cost_flow
from ortools.sat.python import cp_model

W_FAIRNESS = 1_000_000
W_BACK_TO_BACK = 10_000
W_PREFERENCE = 100
W_COMP_PREFERENCE = 10
W_STABILITY = 1


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    skills: frozenset[int] = frozenset()
    # Weekend days worked over the rolling history, plus credit for time before
    # joining and on long leave (so nobody "owes" days for being away).
    history: int = 0
    last_weekend: dt.date | None = None
    unavailable: frozenset[dt.date] = frozenset()
    # Why, where the reasons should say so (both within `unavailable`): weekend days
    # of approved leave, and weekend days outside their employment.
    on_leave: frozenset[dt.date] = frozenset()
    not_employed: frozenset[dt.date] = frozenset()
    # A new joiner's first weeks (settings.ROTA_NEW_JOINER_WEEKS), also within
    # `unavailable`: kept off weekends while they settle in, and credited for it.
    settling_in: frozenset[dt.date] = frozenset()
    # Weekdays with half a day of leave: worked (they count for consecutive days),
    # but no comp day there, which would swallow the half day.
    half_days: frozenset[dt.date] = frozenset()
    # Weekdays on which the person does not work anyway (time off, day off,
    # holiday): no comp day there, and they count as rest for consecutive days.
    off_days: frozenset[dt.date] = frozenset()
    volunteer: frozenset[dt.date] = frozenset()
    blackout: frozenset[dt.date] = frozenset()
    preferred_comp_weekday: int | None = None  # 0 = Monday
    # Whose weekday cover a comp day takes from (a team, when a site pools teams).
    group: int = 0


@dataclass(frozen=True)
class RotaProblem:
    people: tuple[Person, ...]
    weekend_days: tuple[dt.date, ...]
    headcount: dict[dt.date, int]
    skill_needs: dict[tuple[dt.date, int], int] = field(default_factory=dict)
    skill_names: dict[int, str] = field(default_factory=dict)
    # How many people may be off (comp days) on a weekday without breaking cover;
    # per (group, day) when people come from several teams with their own cover.
    spare_cover: dict[dt.date, int] = field(default_factory=dict)
    group_spare: dict[tuple[int, dt.date], int] = field(default_factory=dict)
    # Duties that are published: kept as they are.
    fixed: frozenset[tuple[int, dt.date]] = frozenset()
    fixed_comp: dict[tuple[int, dt.date], dt.date] = field(default_factory=dict)
    # Duties of an earlier, unpublished proposal: changing them costs a little.
    current: frozenset[tuple[int, dt.date]] = frozenset()
    # Weekdays no new comp day may take: in the past, or in a published week.
    comp_blocked: frozenset[dt.date] = frozenset()
    max_consecutive: int = 6
    comp_window_weeks: int = 1  # weeks after the weekend's own working week
    volunteers_only_back_to_back: bool = True
    time_limit: float = 10.0  # deterministic seconds of search, per solve
    # `solve` decides the period in windows of this many weekends, moving on by
    # `window_step` weekends at a time (the rest of a window is looked ahead at).
    window_weekends: int = 4
    window_step: int = 2
    # Deterministic seconds per window: most prove their optimum in a tenth of that;
    # the rare one that does not stops there with its best (the bound says how good).
    window_time_limit: float = 1.5
    # A pool larger than this is split into parts of about this size, each given its
    # share of every day's seats and solved on its own (then as one if a part fails).
    part_people: int = 400
    # A period with at most this many possible duties is solved as one model too when
    # the windows' plan is not proved optimal (teams and small pools).
    whole_model_duties: int = 3000
    # More than one search worker is faster but not reproducible (another plan of
    # the same quality may come back); the app and the tests use one.
    workers: int = 1

    def spare(self, group: int, day: dt.date) -> int:
        if self.group_spare:
            return self.group_spare.get((group, day), 0)
        return self.spare_cover.get(day, len(self.people))

    def comp_window(self, weekend_day: dt.date) -> list[dt.date]:
        """Weekdays of the weekend day's working week and of the weeks after it."""
        monday = weekend_day - dt.timedelta(days=weekend_day.weekday())
        days = [monday + dt.timedelta(days=n) for n in range(7 * self.comp_window_weeks + 5)]
        return [d for d in days if d.weekday() < 5 and d not in self.comp_blocked]


@dataclass(frozen=True)
class Duty:
    person_id: int
    on: dt.date
    comp_on: dt.date
    reason: str
    comp_reason: str


@dataclass(frozen=True)
class RotaPlan:
    duties: tuple[Duty, ...]
    objective: int
    bound: int
    is_optimal: bool
    fairness_gap: int
    back_to_back: int
    totals: dict[int, int]

    def by_person(self) -> dict[int, list[Duty]]:
        found: dict[int, list[Duty]] = defaultdict(list)
        for duty in self.duties:
            found[duty.person_id].append(duty)
        return found


@dataclass(frozen=True)
class RotaInfeasible:
    conflicts: tuple[str, ...]


@functools.cache
def _weekend_key(day: dt.date) -> dt.date:
    """The Saturday of a weekend day's weekend."""
    return day - dt.timedelta(days=day.weekday() - 5)


def _fmt(day: dt.date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def precheck(problem: RotaProblem) -> list[str]:
    """Plain reasons the hard needs cannot be met, found without the solver."""
    found = []
    for day in problem.weekend_days:
        able = [p for p in problem.people if day not in p.unavailable]
        need = problem.headcount.get(day, 0)
        if len(able) < need:
            found.append(
                f"{_fmt(day)}: {need} weekend seats but only {len(able)} people can work "
                f"(the others are on leave, not yet hired or gone)."
            )
        for (need_day, skill), count in problem.skill_needs.items():
            if need_day != day:
                continue
            skilled = [p for p in able if skill in p.skills]
            if len(skilled) < count:
                name = problem.skill_names.get(skill, f"skill {skill}")
                found.append(
                    f"{_fmt(day)}: needs {count} {name}-skilled, {len(skilled)} available."
                )
    return found


class _Index:
    """What every model of one problem reads, worked out once in time linear in
    people x days: who may work which weekend day, the weeks and their weekday
    cover, and the runs of days the consecutive-days limit constrains."""

    def __init__(self, problem: RotaProblem):
        p = self.p = problem
        self.people = {q.id: q for q in p.people}
        self.group_of = {q.id: q.group for q in p.people}
        self.groups = sorted({q.group for q in p.people})
        self.weekends: dict[dt.date, list[dt.date]] = defaultdict(list)
        for day in p.weekend_days:
            self.weekends[_weekend_key(day)].append(day)
        self.keys = sorted(self.weekends)
        self.key_index = {key: n for n, key in enumerate(self.keys)}
        self.headcount_of_key = {
            key: sum(p.headcount.get(d, 0) for d in days) for key, days in self.weekends.items()
        }
        self.needs_by_day: dict[dt.date, list[tuple[int, int]]] = defaultdict(list)
        for (day, skill), count in p.skill_needs.items():
            self.needs_by_day[day].append((skill, count))
        self.skilled = {
            skill: {q.id for q in p.people if skill in q.skills}
            for skill in sorted({s for _d, s in p.skill_needs})
        }
        windows = {day: p.comp_window(day) for day in p.weekend_days}
        # person -> the weekend days a duty variable exists for, in the days' order
        self.days_of: dict[int, list[dt.date]] = {}
        for q in p.people:
            own = []
            for day in p.weekend_days:
                if not _available(p, q, day):
                    continue
                if (q.id, day) not in p.fixed and not any(
                    d not in q.off_days and d not in q.unavailable and d not in q.half_days
                    for d in windows[day]
                ):
                    continue  # e.g. a leaver: no weekday left in employment to take off
                own.append(day)
            if own:
                self.days_of[q.id] = own
        self.possible = {(pid, d) for pid, days in self.days_of.items() for d in days}
        self.fixed_by_person: dict[int, set[dt.date]] = defaultdict(set)
        for pid, day in p.fixed:
            self.fixed_by_person[pid].add(day)
        self._spare: dict[tuple[int, dt.date], int] = {}
        self._runs()
        self._ahead()

    def _ahead(self) -> None:
        """Per person, from each weekend to the end of the period: the duties they
        can take, those alternate weekends allow (no back-to-back), those on days
        without a blackout, the volunteered days, and the published duties. Read by
        a window for the weekends after it."""
        p = self.p
        self.ahead: dict[int, tuple[list[int], ...]] = {}
        count = len(self.keys)
        for pid, own in self.days_of.items():
            person = self.people[pid]
            mine: dict[dt.date, list[dt.date]] = defaultdict(list)
            for d in own:
                mine[_weekend_key(d)].append(d)
            columns = tuple([0] * (count + 1) for _ in range(6))
            can, alternate, bright, wished, must, after_worked = columns
            worked_next = 0  # the best from the weekend after, if this one is worked
            free_next = 0  # ... if it is not
            for n in range(count - 1, -1, -1):
                key = self.keys[n]
                days = mine.get(key, [])
                both = all(d in person.volunteer for d in self.weekends[key])
                asked = [d for d in days if d in person.volunteer]

                def seats(ds: list[dt.date], both: bool = both) -> int:
                    return len(ds) if both else min(1, len(ds))

                here, willing = seats(days), seats(asked)
                can[n] = can[n + 1] + here
                bright[n] = bright[n + 1] + seats([d for d in days if d not in person.blackout])
                wished[n] = wished[n + 1] + len(asked)
                must[n] = must[n + 1] + sum(1 for d in days if (pid, d) in p.fixed)
                adjacent = n + 1 < count and self.keys[n + 1] - key == dt.timedelta(days=7)
                after_work = worked_next if adjacent else free_next
                # Work here, imposed: only if the weekend before was not worked.
                # Work only volunteered days: never imposed.
                best_free = max(free_next, here + after_work if here else 0)
                best_worked = max(
                    free_next,
                    willing + after_work if willing and p.volunteers_only_back_to_back else 0,
                )
                alternate[n] = best_free
                after_worked[n] = best_worked
                free_next, worked_next = best_free, best_worked
            self.ahead[pid] = columns

    def spare_in(self, group: int, monday: dt.date) -> int:
        """Comp days the weekday cover of one week allows for a group."""
        found = self._spare.get((group, monday))
        if found is None:
            days = [monday + dt.timedelta(days=n) for n in range(5)]
            found = sum(
                max(self.p.spare(group, d), 0) for d in days if d not in self.p.comp_blocked
            )
            self._spare[group, monday] = found
        return found

    def tail(self, group: int, key: dt.date) -> int:
        """The spare cover of the weeks after a weekend's own working week that its
        comp days may reach."""
        monday = key - dt.timedelta(days=5)
        return sum(
            self.spare_in(group, monday + dt.timedelta(days=7 * k))
            for k in range(1, self.p.comp_window_weeks + 1)
        )

    def _runs(self) -> None:
        """Per person, each window of max_consecutive + 1 days that could hold too
        many working days: its weekend days with a variable, and how many of them may
        be worked. Indexed by the weekends they touch."""
        p = self.p
        self.runs: list[tuple[int, tuple[dt.date, ...], int]] = []
        self.runs_of_key: dict[dt.date, list[int]] = defaultdict(list)
        if not p.weekend_days:
            return
        first = min(p.weekend_days) - dt.timedelta(days=14)
        last = max(p.weekend_days) + dt.timedelta(days=14)
        horizon = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
        position = {d: n for n, d in enumerate(horizon)}
        span = p.max_consecutive + 1
        weekdays = [d for d in horizon if d.weekday() < 5]
        for q in p.people:
            own = self.days_of.get(q.id)
            if not own:
                continue
            worked = [0] * (len(horizon) + 1)  # prefix sums of weekdays worked
            for d in weekdays:
                worked[position[d] + 1] = 0 if d in q.off_days or d in q.unavailable else 1
            for n in range(len(horizon)):
                worked[n + 1] += worked[n]
            at = [position[d] for d in own]
            best: dict[tuple[dt.date, ...], int] = {}
            lo = 0
            for offset in range(len(horizon) - span + 1):
                while lo < len(at) and at[lo] < offset:
                    lo += 1
                hi = lo
                while hi < len(at) and at[hi] < offset + span:
                    hi += 1
                if hi == lo:
                    continue
                base = worked[offset + span] - worked[offset]
                if base + hi - lo > p.max_consecutive:
                    days = tuple(own[lo:hi])
                    room = p.max_consecutive - base
                    if room < best.get(days, room + 1):
                        best[days] = room
            for days, room in best.items():
                self.runs.append((q.id, days, room))
                for key in sorted({_weekend_key(d) for d in days}):
                    self.runs_of_key[key].append(len(self.runs) - 1)


def _excess(m: cp_model.CpModel, expr: cp_model.LinearExprT, most: int) -> cp_model.IntVar:
    """A variable at least max(expr, 0) (at most `most`), for a cost to minimise."""
    var = m.new_int_var(0, max(most, 0), "excess")
    m.add(var >= expr)
    return var


class _DutyModel:
    """Stage one: who works which weekend day.

    Comp days are not placed here, only counted: for every run of weeks, the
    duties of those weekends must fit into the spare weekday cover of those
    weeks and the week after (Hall's condition for these interval windows), and
    consecutive days are checked as if no comp day helped, which is safe.

    The model decides the weekends `keys` (all of the period by default). In a
    window of the period (`solve`), the duties of the weekends before it are
    decided (`decided`, constants) and those after it are counted per person
    only: each person's duties still to come, within what they can work, add up
    to the seats still to fill (and the skilled ones to the skill seats), so the
    fairness band is held over the whole period. `relaxed` drops the band, the
    count of the weekends after and every tie to undecided weekends: a model whose
    optimum bounds the weekends' part of any plan's objective from below.
    """

    def __init__(
        self,
        problem: RotaProblem,
        *,
        band: tuple[int, int] | None = None,
        with_assumptions: bool = False,
        no_back_to_back: bool = False,
        index: "_Index | None" = None,
        keys: list[dt.date] | None = None,
        decided: dict[dt.date, list[tuple[int, dt.date]]] | None = None,
        relaxed: bool = False,
    ):
        self.p = problem
        self.ix = index if index is not None else _Index(problem)
        self.keys = list(keys) if keys is not None else list(self.ix.keys)
        self.decided = decided or {}
        self.decided_set = {duty for duties in self.decided.values() for duty in duties}
        self.relaxed = relaxed
        self.band = band
        self.no_back_to_back = no_back_to_back
        self.m = cp_model.CpModel()
        self.groups: dict[str, cp_model.IntVar] = {}
        self.with_assumptions = with_assumptions
        self.duty: dict[tuple[int, dt.date], cp_model.IntVar] = {}
        self.is_infeasible = False  # a constant part breaks the band
        self._build()

    def _imposed(self, person: Person, key: dt.date) -> cp_model.LinearExprT | None:
        """1 when the person works a day of the weekend `key` they did not volunteer
        for; None when they cannot."""
        own = [
            self.duty[person.id, d]
            for d in self.weekends[key]
            if (person.id, d) in self.duty and d not in person.volunteer
        ]
        if not own:
            return None
        if len(own) == 1:
            return own[0]
        # Two days, neither volunteered for: at most one is worked, so their sum.
        return sum(own)

    def _hard(self, name: str, constraint: cp_model.Constraint) -> None:
        if self.with_assumptions:
            literal = self.groups.get(name)
            if literal is None:
                literal = self.groups[name] = self.m.new_bool_var(name)
            constraint.only_enforce_if(literal)

    def _build(self) -> None:
        p, m, ix = self.p, self.m, self.ix
        self.weekends = ix.weekends
        self.weekend_keys = self.keys
        inside = set(self.keys)
        days = [d for d in p.weekend_days if _weekend_key(d) in inside]
        self.days = days
        for person in p.people:
            for day in days:
                if (person.id, day) not in ix.possible:
                    continue
                var = m.new_bool_var(f"duty_{person.id}_{day}")
                self.duty[person.id, day] = var
                if (person.id, day) in p.fixed:
                    m.add(var == 1)
        by_day: dict[dt.date, list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
        self.by_person: dict[int, list[tuple[dt.date, cp_model.IntVar]]] = defaultdict(list)
        for (pid, day), var in self.duty.items():
            by_day[day].append((pid, var))
            self.by_person[pid].append((day, var))
        for day in days:
            on_day = [v for _pid, v in by_day[day]]
            self._hard(f"headcount {day}", m.add(sum(on_day) == p.headcount.get(day, 0)))
        for day in days:
            for skill, count in ix.needs_by_day.get(day, ()):
                skilled = ix.skilled[skill]
                on_day = [v for pid, v in by_day[day] if pid in skilled]
                self._hard(f"skill {skill} {day}", m.add(sum(on_day) >= count))
        self.worked_weekend: dict[tuple[int, dt.date], cp_model.LinearExprT] = {}
        for pid, own_days in self.by_person.items():
            person = ix.people[pid]
            on_key: dict[dt.date, list[cp_model.IntVar]] = defaultdict(list)
            for d, v in own_days:
                on_key[_weekend_key(d)].append(v)
            for key in self.keys:
                own = on_key.get(key)
                if not own:
                    continue
                if len(own) == 1:
                    self.worked_weekend[pid, key] = own[0]
                    continue
                if not all(d in person.volunteer for d in self.weekends[key]):
                    m.add(sum(own) <= 1)
                    self.worked_weekend[pid, key] = sum(own)  # at most one of them
                    continue
                worked = m.new_bool_var(f"wk_{pid}_{key}")
                m.add_max_equality(worked, own)
                self.worked_weekend[pid, key] = worked
        self._cover()
        self._consecutive()
        if not self.relaxed:
            self._still_to_come()
        self._objective()

    def _cover(self) -> None:
        """Comp-day capacity, week runs [a..b] -> weekdays of weeks a..b+1: the runs
        that end inside the model, with the decided weeks before it as constants."""
        m, ix = self.m, self.ix
        keys = self.keys
        if not keys:
            return
        start = ix.key_index[keys[0]]
        for group in ix.groups:
            in_week: dict[dt.date, list[cp_model.IntVar]] = defaultdict(list)
            for (pid, d), v in self.duty.items():
                if ix.group_of[pid] == group:
                    in_week[_weekend_key(d)].append(v)
            # The tightest run that starts before the model and reaches into it: what
            # it leaves of the spare cover of its decided weeks (never more than 0).
            slack = 0
            if not self.relaxed:
                left = 0
                for key in reversed(ix.keys[:start]):
                    taken = sum(
                        1 for pid, _d in self.decided.get(key, ()) if ix.group_of[pid] == group
                    )
                    left += ix.spare_in(group, key - dt.timedelta(days=5)) - taken
                    slack = min(slack, left)
            for i, first in enumerate(keys):
                room = 0
                seats = 0
                for j in range(i, len(keys)):
                    room += ix.spare_in(group, keys[j] - dt.timedelta(days=5))
                    seats += ix.headcount_of_key[keys[j]]
                    total = room + ix.tail(group, keys[j]) + (slack if i == 0 else 0)
                    if seats <= total and not self.with_assumptions:
                        continue  # the headcounts already keep it
                    needing = [v for key in keys[i : j + 1] for v in in_week[key]]
                    if not needing:
                        continue
                    self._hard(
                        f"cover {first - dt.timedelta(days=5)}", m.add(sum(needing) <= total)
                    )

    def _consecutive(self) -> None:
        """A window of max_consecutive + 1 days may hold at most max_consecutive working
        days, weekdays worked unless off; decided and published duties outside the
        model count as worked, undecided ones as not (they are checked when decided)."""
        m, ix = self.m, self.ix
        seen: set[int] = set()
        for key in self.keys:
            for n in ix.runs_of_key.get(key, ()):
                if n in seen:
                    continue
                seen.add(n)
                pid, days, room = ix.runs[n]
                vars_in = [self.duty[pid, d] for d in days if (pid, d) in self.duty]
                if not vars_in:
                    continue
                worked = sum(
                    1
                    for d in days
                    if (pid, d) not in self.duty
                    and (d in ix.fixed_by_person.get(pid, ()) or self._decided(pid, d))
                )
                if worked + len(vars_in) > room:
                    self._hard(f"consecutive {pid}", m.add(sum(vars_in) <= room - worked))

    def _decided(self, pid: int, day: dt.date) -> bool:
        return (pid, day) in self.decided_set

    def _still_to_come(self) -> None:
        """Each person's duties in the weekends after the model, counted only: within
        what they can work there (without back-to-back weekends, when those are
        forbidden), adding up to the seats and skill seats still to fill. What those
        duties will cost is estimated from the counts (a weekend back-to-back for
        each beyond what alternate weekends hold, a wish for each volunteered day
        not granted and each duty beyond the days without a blackout), so that a
        window leaves room for the wishes and leave that come after it."""
        m, ix = self.m, self.ix
        self.future: dict[int, cp_model.IntVar] = {}
        self.estimate: list[cp_model.LinearExprT] = []
        if not self.keys:
            return
        first = ix.key_index[self.keys[-1]] + 1
        after = ix.keys[first:]
        if not after:
            return
        seats = sum(ix.headcount_of_key[k] for k in after)
        skill_seats: dict[int, int] = defaultdict(int)
        for key in after:
            for day in ix.weekends[key]:
                for skill, count in ix.needs_by_day.get(day, ()):
                    skill_seats[skill] += count
        for pid, ahead in ix.ahead.items():
            can, alternate, bright, wished, must, after_worked = (column[first] for column in ahead)
            if not can:
                continue
            # Alternate weekends hold fewer when the window's last weekend is worked
            # and the next one follows it.
            last = self.worked_weekend.get((pid, self.keys[-1]))
            holds: cp_model.LinearExprT = alternate
            if last is not None and after[0] - self.keys[-1] == dt.timedelta(days=7):
                holds = cp_model.LinearExpr.sum([alternate, (after_worked - alternate) * last])
                alternate = min(alternate, after_worked)
            # Even when the window forbids back-to-back weekends, the weekends after
            # it may need one (the estimate counts it): forbidding it there too
            # would make windows fail for a back-to-back they cannot avoid.
            later = self.future[pid] = m.new_int_var(min(must, can), can, f"later_{pid}")
            if alternate < can:
                self.estimate.append(
                    W_BACK_TO_BACK
                    * _excess(m, cp_model.LinearExpr.weighted_sum([later, holds], [1, -1]), can)
                )
            if wished:
                self.estimate.append(W_PREFERENCE * _excess(m, wished - later, wished))
            if bright < can:
                self.estimate.append(W_PREFERENCE * _excess(m, later - bright, can))
        m.add(sum(self.future.values()) == seats)
        for skill, count in skill_seats.items():
            skilled = ix.skilled[skill]
            m.add(sum(v for pid, v in self.future.items() if pid in skilled) >= count)

    def _objective(self) -> None:
        p, m, ix = self.p, self.m, self.ix
        terms = []
        self.total: dict[int, cp_model.LinearExprT] = {}
        if not self.relaxed:
            done: dict[int, int] = defaultdict(int)
            for duties in self.decided.values():
                for pid, _d in duties:
                    done[pid] += 1
            future = getattr(self, "future", {})
            for pid in ix.days_of:
                own = [v for _d, v in self.by_person.get(pid, ())]
                later = future.get(pid)
                constant = ix.people[pid].history + done[pid]
                if not own and later is None:
                    if self.band is not None and not self.band[0] <= constant <= self.band[1]:
                        self.is_infeasible = True
                    continue
                total = constant + sum(own) + (later if later is not None else 0)
                self.total[pid] = total
                if self.band is not None:
                    # Fairness is settled outside the model: every total lies in
                    # [floor, floor + spread] for the smallest spread that works.
                    self._hard("fairness", m.add_linear_constraint(total, *self.band))
        self.b2b_vars = []
        first_key = ix.keys[0] if ix.keys else None
        inside = set(self.keys)
        # A relaxed model leaves back-to-back weekends out: `_forced_back_to_back`
        # bounds them for the whole period.
        for q in p.people if not self.relaxed else ():
            previous = _weekend_key(q.last_weekend) if q.last_weekend else None
            for key in self.keys:
                now = self.worked_weekend.get((q.id, key))
                if now is None:
                    continue
                before = key - dt.timedelta(days=7)
                prev_var = self.worked_weekend.get((q.id, before)) if before in inside else None
                if prev_var is None:
                    if before in inside:
                        if previous != before:
                            continue
                    elif first_key is not None and before >= first_key:
                        # A weekend of the period outside the model: its decided
                        # duties (or published ones, when relaxed) are constants.
                        if not any(
                            _weekend_key(d) == before for d in ix.fixed_by_person.get(q.id, ())
                        ) and not any(self._decided(q.id, d) for d in ix.weekends.get(before, ())):
                            continue
                    elif previous != before:
                        continue
                if p.volunteers_only_back_to_back:
                    # Volunteering excuses the weekend volunteered for, not the one
                    # next to it: only work on days they did not ask for counts.
                    imposed = self._imposed(q, key)
                    if imposed is None:
                        continue
                    now = imposed
                pair = cp_model.LinearExpr.sum([now, prev_var if prev_var is not None else 1])
                if self.no_back_to_back:
                    # Tried first: when it holds, level two is at its best (zero)
                    # and the search has far less to do.
                    m.add(pair <= 1)
                    continue
                b2b = m.new_bool_var(f"b2b_{q.id}_{key}")
                m.add(b2b >= pair - 1)
                self.b2b_vars.append(b2b)
                terms.append(W_BACK_TO_BACK * b2b)
        for (pid, day), var in self.duty.items():
            person = ix.people[pid]
            if day in person.volunteer:
                terms.append(W_PREFERENCE * (1 - var))
            if day in person.blackout:
                terms.append(W_PREFERENCE * var)
            if p.current:
                terms.append(W_STABILITY * ((1 - var) if (pid, day) in p.current else var))
        m.minimize(sum(terms) + sum(getattr(self, "estimate", ())))


class _CompModel:
    """Stage two: the comp day of each duty, given the duties."""

    def __init__(self, problem: RotaProblem, duties: list[tuple[int, dt.date]]):
        self.p = problem
        self.m = cp_model.CpModel()
        self.comp: dict[tuple[int, dt.date, dt.date], cp_model.IntVar] = {}
        people = {q.id: q for q in problem.people}
        by_day: dict[tuple[int, dt.date], list[cp_model.IntVar]] = defaultdict(list)
        by_person_day: dict[tuple[int, dt.date], list[cp_model.IntVar]] = defaultdict(list)
        terms = []
        for pid, day in duties:
            person = people[pid]
            fixed = problem.fixed_comp.get((pid, day))
            window = [fixed] if fixed else comp_choices(problem, person, day)
            choices = []
            for d in window:
                var = self.m.new_bool_var(f"comp_{pid}_{day}_{d}")
                self.comp[pid, day, d] = var
                choices.append(var)
                by_day[person.group, d].append(var)
                by_person_day[pid, d].append(var)
                if (
                    person.preferred_comp_weekday is not None
                    and d.weekday() != person.preferred_comp_weekday
                ):
                    terms.append(W_COMP_PREFERENCE * var)
            self.m.add_exactly_one(choices)
        for vs in by_person_day.values():
            if len(vs) > 1:
                self.m.add_at_most_one(vs)
        for (group, d), vs in by_day.items():
            self.m.add(sum(vs) <= max(problem.spare(group, d), 0))
        self.m.minimize(sum(terms))


def _place_comp_days(
    problem: RotaProblem, duties: list[tuple[int, dt.date]]
) -> tuple[dict[tuple[int, dt.date], dt.date], int] | None:
    """Stage two as a min-cost flow, exact and in time near-linear in the duties:
    duty -> (person, weekday) (at most one comp day a day each) -> (group, weekday)
    (at most its spare cover) -> sink; a weekday other than the preferred one costs
    W_COMP_PREFERENCE. The same optimum as `_CompModel`; None when not every duty
    can have its comp day."""
    people = {q.id: q for q in problem.people}
    flow = min_cost_flow.SimpleMinCostFlow()
    nodes: dict[object, int] = {}

    def node(key: object) -> int:
        found = nodes.get(key)
        if found is None:
            found = nodes[key] = len(nodes)
        return found

    source, sink = node("source"), node("sink")
    arcs: list[tuple[int, int, dt.date]] = []  # (arc, duty number, weekday)
    windows: dict[dt.date, list[dt.date]] = {}
    for n, (pid, day) in enumerate(duties):
        person = people[pid]
        duty_node = node(("duty", n))
        flow.add_arc_with_capacity_and_unit_cost(source, duty_node, 1, 0)
        fixed = problem.fixed_comp.get((pid, day))
        if fixed:
            choices = [fixed]
        else:
            if day not in windows:
                windows[day] = problem.comp_window(day)
            choices = [
                d
                for d in windows[day]
                if d not in person.off_days
                and d not in person.unavailable
                and d not in person.half_days
            ]
        for d in choices:
            cost = (
                W_COMP_PREFERENCE
                if person.preferred_comp_weekday is not None
                and d.weekday() != person.preferred_comp_weekday
                else 0
            )
            arc = flow.add_arc_with_capacity_and_unit_cost(
                duty_node, node(("own", pid, d)), 1, cost
            )
            arcs.append((arc, n, d))
    for key, index in list(nodes.items()):
        if isinstance(key, tuple) and key[0] == "own":
            _kind, pid, d = key
            group_node = node(("group", people[pid].group, d))
            flow.add_arc_with_capacity_and_unit_cost(index, group_node, 1, 0)
    for key, index in list(nodes.items()):
        if isinstance(key, tuple) and key[0] == "group":
            _kind, group, d = key
            room = max(problem.spare(group, d), 0)
            flow.add_arc_with_capacity_and_unit_cost(index, sink, room, 0)
    flow.set_node_supply(source, len(duties))
    flow.set_node_supply(sink, -len(duties))
    if flow.solve_max_flow_with_min_cost() != flow.OPTIMAL or flow.maximum_flow() < len(duties):
        return None
    comp = {duties[n]: d for arc, n, d in arcs if flow.flow(arc)}
    return comp, flow.optimal_cost()


def comp_choices(problem: RotaProblem, person: Person, day: dt.date) -> list[dt.date]:
    """The weekdays a duty on `day` may give this person off: in the comp window,
    not already off, not unavailable (leave, before joining, after leaving)."""
    return [
        d
        for d in problem.comp_window(day)
        if d not in person.off_days and d not in person.unavailable and d not in person.half_days
    ]


def _available(problem: RotaProblem, person: Person, day: dt.date) -> bool:
    return day not in person.unavailable or (person.id, day) in problem.fixed


def fairness_bands(problem: RotaProblem) -> list[tuple[int, int, int]]:
    """Candidate (spread, floor, ceiling) bands for everyone's total, best first.

    Each eligible person p ends with history_p + x_p, where 0 <= x_p <= the
    weekends they can work (both days of a weekend they volunteered for) and
    the x_p add up to the seats. A band [floor, floor + spread] is a candidate
    when those counts alone allow every total inside it; the real problem has
    more constraints, so the first candidate that the solver finds feasible is
    the optimal spread.
    """
    return list(_bands(problem))


def _bands(problem: RotaProblem) -> Iterator[tuple[int, int, int]]:
    """fairness_bands, lazily: the solver reads only the first spreads."""
    seats = sum(problem.headcount.get(d, 0) for d in problem.weekend_days)
    capacity = {}
    history = {}
    for person in problem.people:
        days = [d for d in problem.weekend_days if _available(problem, person, d)]
        if not days:
            continue  # away for the whole period: not in the rotation, owes nothing
        weekends: dict[dt.date, list[dt.date]] = defaultdict(list)
        for d in days:
            weekends[_weekend_key(d)].append(d)
        capacity[person.id] = sum(
            len(ds) if all(d in person.volunteer for d in ds) else 1 for ds in weekends.values()
        )
        history[person.id] = person.history
    if not history:
        yield (0, 0, 0)
        return
    low = min(history.values())
    high = max(history[q] + capacity[q] for q in history)
    top = max(history.values())
    bottom = min(history[q] + capacity[q] for q in history)
    skill_seats: dict[int, int] = defaultdict(int)
    for (_day, skill), count in problem.skill_needs.items():
        skill_seats[skill] += count
    skilled = {
        skill: [q.id for q in problem.people if skill in q.skills and q.id in history]
        for skill in skill_seats
    }
    for spread in range(0, high - low + 1):
        for floor in range(low - spread, high + 1):
            ceiling = floor + spread
            # Everyone's history must fit under the ceiling and their most above the floor.
            if top > ceiling or bottom < floor:
                continue
            least = sum(max(0, floor - history[q]) for q in history)
            most = sum(min(capacity[q], ceiling - history[q]) for q in history)
            if not least <= seats <= most:
                continue
            # The people with a skill must be able to fill its seats inside the band.
            if any(
                sum(min(capacity[q], ceiling - history[q]) for q in skilled[skill]) < need
                for skill, need in skill_seats.items()
            ):
                continue
            yield (spread, floor, ceiling)


def greedy(problem: RotaProblem, ceiling: int | None = None) -> set[tuple[int, dt.date]]:
    """A quick plan used as the search's starting hint: day by day, fill skill
    needs then seats with whoever has the fewest weekend days, avoiding a second
    day of the same weekend and back-to-back weekends. It may leave seats empty;
    the solver repairs it."""
    totals = {q.id: q.history for q in problem.people}
    worked: set[tuple[int, dt.date]] = set()
    for q in problem.people:
        if q.last_weekend is not None:
            worked.add((q.id, _weekend_key(q.last_weekend)))
    chosen: set[tuple[int, dt.date]] = set(problem.fixed)
    for pid, day in problem.fixed:
        totals[pid] = totals.get(pid, 0) + 1
        worked.add((pid, _weekend_key(day)))
    _fill(problem, list(problem.weekend_days), chosen, totals, worked, ceiling)
    return chosen


def _fill(
    problem: RotaProblem,
    days: list[dt.date],
    chosen: set[tuple[int, dt.date]],
    totals: dict[int, int],
    worked: set[tuple[int, dt.date]],
    ceiling: int | None,
) -> None:
    """greedy's day-by-day filling, from a state (chosen duties, totals, weekends
    worked) that it updates."""
    people = {q.id: q for q in problem.people}
    needs: dict[dt.date, list[tuple[int, int]]] = defaultdict(list)
    for (need_day, skill), count in sorted(problem.skill_needs.items()):
        needs[need_day].append((skill, count))
    for day in days:
        key = _weekend_key(day)
        seated = [pid for pid, d in chosen if d == day]

        def free(pid: int, day: dt.date = day, key: dt.date = key) -> bool:
            return (
                (pid, day) not in chosen
                and day not in people[pid].unavailable
                and (pid, key) not in worked
                and (pid, key - dt.timedelta(days=7)) not in worked
                and (ceiling is None or totals[pid] < ceiling)
            )

        def take(
            pid: int, day: dt.date = day, key: dt.date = key, seated: list[int] = seated
        ) -> None:
            chosen.add((pid, day))
            seated.append(pid)
            totals[pid] += 1
            worked.add((pid, key))

        for skill, count in needs.get(day, ()):
            have = sum(1 for pid in seated if skill in people[pid].skills)
            pool = sorted(
                (pid for pid in people if skill in people[pid].skills and free(pid)),
                key=lambda pid: (day not in people[pid].volunteer, totals[pid], pid),
            )
            for pid in pool[: max(count - have, 0)]:
                take(pid)
        pool = sorted(
            (pid for pid in people if free(pid)),
            key=lambda pid: (
                day not in people[pid].volunteer,
                day in people[pid].blackout,
                totals[pid],
                pid,
            ),
        )
        for pid in pool[: max(problem.headcount.get(day, 0) - len(seated), 0)]:
            take(pid)


def _solver(problem: RotaProblem, time_limit: float | None = None) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    limit = problem.time_limit if time_limit is None else time_limit
    if problem.workers > 1:
        # Faster on a machine with cores to spare, but parallel search is not
        # reproducible: the same problem may give another plan of the same quality.
        solver.parameters.num_workers = problem.workers
        solver.parameters.max_time_in_seconds = limit
    else:
        solver.parameters.num_workers = 1
        solver.parameters.max_deterministic_time = limit
    solver.parameters.random_seed = 20261124
    # Measured on bench/rota.py: without the LP relaxation the single worker
    # proves these models optimal in about a second; with it, it times out.
    solver.parameters.linearization_level = 0
    return solver


def solve_whole(problem: RotaProblem) -> RotaPlan | RotaInfeasible:
    """The whole period as one model: duties (fairness, back-to-back, weekend
    preferences, stability), then the comp days for those duties (preferred
    weekday), each solved to optimality when the time allows. Exact but its cost
    grows much faster than the period: the reference `solve` is tested against."""
    if blocking := precheck(problem):
        return RotaInfeasible(tuple(blocking))
    index = _Index(problem)
    found = None
    for spread, floor, ceiling in _bands(problem):
        if found is not None and spread > found[0]:
            break  # every band of the best spread has been tried
        hint = greedy(problem, ceiling)
        for strict in (True, False):
            model = _DutyModel(problem, band=(floor, ceiling), no_back_to_back=strict, index=index)
            for key, var in model.duty.items():
                model.m.add_hint(var, key in hint)
            solver = _solver(problem)
            status = solver.solve(model.m)
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                break
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            continue
        if found is None or solver.objective_value < found[3].objective_value:
            found = (spread, model, status, solver)
    if found is None:
        return RotaInfeasible(tuple(_explain_infeasible(problem)))
    spread, model, status, solver = found
    chosen = sorted((pid, day) for (pid, day), var in model.duty.items() if solver.value(var))
    comp_model = _CompModel(problem, chosen)
    comp_solver = _solver(problem)
    comp_status = comp_solver.solve(comp_model.m)
    if comp_status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return RotaInfeasible((NO_COMP_ROOM,))
    comp = {
        (pid, day): d for (pid, day, d), var in comp_model.comp.items() if comp_solver.value(var)
    }
    duty_objective = W_FAIRNESS * spread + round(solver.objective_value)
    duty_bound = W_FAIRNESS * spread + round(solver.best_objective_bound)
    return _plan(
        problem,
        index,
        chosen,
        comp,
        objective=duty_objective + round(comp_solver.objective_value),
        bound=duty_bound + round(comp_solver.best_objective_bound),
        is_optimal=status == cp_model.OPTIMAL and comp_status == cp_model.OPTIMAL,
        back_to_back=sum(int(solver.value(v)) for v in model.b2b_vars),
    )


NO_COMP_ROOM = (
    "The weekend duties fit, but their comp days cannot all be placed without "
    "taking a weekday below its minimum cover; lower a weekend headcount or "
    "the weekday minimums."
)


def _plan(
    problem: RotaProblem,
    index: _Index,
    chosen: list[tuple[int, dt.date]],
    comp: dict[tuple[int, dt.date], dt.date],
    *,
    objective: int,
    bound: int,
    is_optimal: bool,
    back_to_back: int,
) -> RotaPlan:
    people = {q.id: q for q in problem.people}
    totals = {pid: people[pid].history for pid in index.days_of}
    for pid, _day in chosen:
        totals[pid] += 1
    reasons = _reasons(problem, chosen, comp, totals)
    duties = tuple(
        Duty(pid, day, comp[pid, day], reasons[pid, day][0], reasons[pid, day][1])
        for pid, day in chosen
    )
    return RotaPlan(
        duties=duties,
        objective=objective,
        bound=bound,
        is_optimal=is_optimal,
        fairness_gap=max(totals.values()) - min(totals.values()) if totals else 0,
        back_to_back=back_to_back,
        totals=totals,
    )


@dataclass
class _Attempt:
    """One band's plan from the windows: its duties and their duty objective."""

    duties: list[tuple[int, dt.date]]
    cost: int  # levels 2-4 (back-to-back, wishes, stability)
    solver_bound: int | None  # the model's own bound, when one model was the period


def solve(problem: RotaProblem) -> RotaPlan | RotaInfeasible:
    """The rota in windows of `window_weekends` weekends, solved in sequence, each
    deciding its first `window_step` weekends for good (the last decides all it has).

    Fairness first: the band of totals is fixed from the seat counts
    (`fairness_bands`, tightest first) and held as a hard constraint in every
    window over the whole period, the weekends after a window counted per person.
    A window that cannot keep every rule goes back one step at a time (the window
    grows backwards, up to the whole period, where it is the whole model); a band
    that fails there fails for the period. Within the band, each window minimises
    back-to-back weekends, wishes and stability (levels 2-4) with the previous
    window's plan as its hint; comp days are then placed for all duties at once
    (`_place_comp_days`, exact). Comp days couple a weekend only to the next
    `comp_window_weeks` working weeks, so the decided weeks before a window reach
    into it only as constants.

    The plan's bound is a bound for the whole period: the band's spread (every
    tighter band proved impossible) plus, for each weekend where the plan pays
    anything at levels 2-4, the optimum of that weekend alone with every rule that
    does not depend on the other weekends' duties, plus the comp days' optimum for
    the duties chosen (the lexicographic order places comp days after the duties).
    Cost: the windows are of a fixed size and there are weekends / step of them,
    so the work grows with people x weeks.
    """
    if blocking := precheck(problem):
        return RotaInfeasible(tuple(blocking))
    index = _Index(problem)
    found: tuple[int, _Attempt] | None = None
    lowest: int | None = None  # the tightest spread not proved impossible
    for spread, floor, ceiling in _bands(problem):
        if found is not None and spread > found[0]:
            break  # every band of the best spread has been tried
        attempt = _solve_in_parts(problem, index, (floor, ceiling))
        proved = False
        if attempt is None:
            attempt, proved = _solve_band(problem, index, (floor, ceiling))
        if attempt is None:
            if not proved and lowest is None:
                lowest = spread
            continue
        if lowest is None:
            lowest = spread
        if found is None or attempt.cost < found[1].cost:
            found = (spread, attempt)
    if found is None:
        return RotaInfeasible(tuple(_explain_infeasible(problem)))
    spread, attempt = found
    chosen = sorted(attempt.duties)
    placed = _place_comp_days(problem, chosen)
    if placed is None:
        return RotaInfeasible((NO_COMP_ROOM,))
    comp, comp_cost = placed
    costs, back_to_back = _weekend_costs(problem, index, set(chosen))
    if attempt.solver_bound is not None:
        duty_bound = attempt.solver_bound
    else:
        duty_bound = sum(
            _weekend_bound(problem, index, key, set(chosen)) if cost else 0
            for key, cost in costs.items()
        )
    lowest = lowest if lowest is not None else spread
    if attempt.solver_bound is None:
        duty_bound += W_BACK_TO_BACK * _forced_back_to_back(problem, index, lowest)
    objective = W_FAIRNESS * spread + attempt.cost + comp_cost
    bound = W_FAIRNESS * lowest + duty_bound + comp_cost
    if bound < objective and len(index.possible) <= problem.whole_model_duties:
        # Not proved, and small (a team, a small pool): one model of the whole
        # period is cheap here, and exact when it ends in time.
        whole = solve_whole(problem)
        if isinstance(whole, RotaPlan) and whole.objective <= objective:
            settled = whole.objective if whole.is_optimal else bound
            return replace(whole, bound=settled)
    return _plan(
        problem,
        index,
        chosen,
        comp,
        objective=objective,
        bound=min(bound, objective),
        is_optimal=bound >= objective,
        back_to_back=back_to_back,
    )


def _solve_in_parts(problem: RotaProblem, index: _Index, band: tuple[int, int]) -> _Attempt | None:
    """A large pool in parts of about `part_people` people (alike in skills, leave and
    history, dealt in turn), each with its share of every day's seats, skill needs
    and weekday cover, solved by windows on its own: the search stays as quick per
    person as in a small pool. Each part keeps the band, so the whole plan does; a
    share of seats that a part cannot fill returns None (the pool is then solved as
    one). The parts' shares are a restriction, so the plan is proved against the
    whole pool's bound, not the parts'."""
    count = -(-len(problem.people) // max(problem.part_people, 1))
    if count < 2:
        return None
    floor, ceiling = band
    order = sorted(
        problem.people,
        key=lambda q: (
            sorted(q.skills),
            len(index.days_of.get(q.id, ())),
            q.history,
            q.id,
        ),
    )
    parts = [order[n::count] for n in range(count)]
    seats = sum(problem.headcount.get(d, 0) for d in problem.weekend_days)
    # Each part's seats over the period: between what its people need to reach the
    # floor and what they can take under the ceiling, in proportion to the room.
    least, most = [], []
    for part in parts:
        low = high = 0
        for q in part:
            if q.id not in index.days_of:
                continue
            can = index.ahead[q.id][0][0]
            low += max(0, floor - q.history)
            high += max(0, min(can, ceiling - q.history))
        least.append(low)
        most.append(high)
    spare_room = sum(most) - sum(least)
    if not sum(least) <= seats <= sum(most):
        return None
    target = [
        least[c] + (seats - sum(least)) * (most[c] - least[c]) / spare_room
        if spare_room
        else least[c]
        for c in range(count)
    ]
    member = {q.id: c for c, part in enumerate(parts) for q in part}
    headcount: list[dict[dt.date, int]] = [{} for _ in parts]
    needs: list[dict[tuple[dt.date, int], int]] = [{} for _ in parts]
    given = [0.0] * count
    owed = [0.0] * count
    for day in problem.weekend_days:
        able = [0] * count
        fixed = [0] * count
        for q in problem.people:
            if (q.id, day) in index.possible:
                able[member[q.id]] += 1
                if (q.id, day) in problem.fixed:
                    fixed[member[q.id]] += 1
        total = problem.headcount.get(day, 0)
        share = _shares(total, target, owed, given, able, fixed)
        if share is None:
            return None
        for c in range(count):
            headcount[c][day] = share[c]
        for skill, need in index.needs_by_day.get(day, ()):
            skilled = [0] * count
            for q in problem.people:
                if (q.id, day) in index.possible and skill in q.skills:
                    skilled[member[q.id]] += 1
            split = _shares(
                need,
                [float(n) for n in skilled],
                [0.0] * count,
                [0.0] * count,
                skilled,
                [0] * count,
            )
            if split is None or any(split[c] > share[c] for c in range(count)):
                return None
            for c in range(count):
                if split[c]:
                    needs[c][day, skill] = split[c]
    duties: list[tuple[int, dt.date]] = []
    for c, part in enumerate(parts):
        weight = target[c] / seats if seats else 1 / count
        ids = {q.id for q in part}
        sub = replace(
            problem,
            people=tuple(part),
            headcount=headcount[c],
            skill_needs=needs[c],
            spare_cover={d: int(n * weight) for d, n in problem.spare_cover.items()},
            group_spare={k: int(n * weight) for k, n in problem.group_spare.items()},
            fixed=frozenset(k for k in problem.fixed if k[0] in ids),
            current=frozenset(k for k in problem.current if k[0] in ids),
            fixed_comp={k: d for k, d in problem.fixed_comp.items() if k[0] in ids},
        )
        attempt, _proved = _solve_band(sub, _Index(sub), band)
        if attempt is None:
            return None
        duties += attempt.duties
    cost = sum(_weekend_costs(problem, index, set(duties))[0].values())
    return _Attempt(sorted(duties), cost, None)


def _shares(
    total: int,
    weights: list[float],
    owed: list[float],
    given: list[float],
    able: list[int],
    fixed: list[int],
) -> list[int] | None:
    """`total` seats in whole shares, in proportion to `weights`, carrying each
    share's rounding to the next call (`owed`, `given`: running sums), at least
    `fixed` and at most `able` each; None if they cannot hold."""
    count = len(weights)
    weight = sum(weights)
    share = list(fixed)
    rest = total - sum(fixed)
    if rest < 0 or sum(able) < total:
        return None
    for c in range(count):
        owed[c] += rest * weights[c] / weight if weight else rest / count
    while rest > 0:
        open_ = [c for c in range(count) if share[c] < able[c]]
        if not open_:
            return None
        c = max(open_, key=lambda c: (owed[c] - given[c], -c))
        share[c] += 1
        given[c] += 1
        rest -= 1
    return share


def _solve_band(
    problem: RotaProblem, index: _Index, band: tuple[int, int]
) -> tuple[_Attempt | None, bool]:
    """The windows for one band: the plan, or None and whether the band was proved
    impossible (a window from the period's start failed: it is a relaxation of the
    whole model for this band)."""
    keys = index.keys
    size = max(problem.window_weekends, 1)
    step = min(max(problem.window_step, 1), size)
    decided: dict[dt.date, list[tuple[int, dt.date]]] = {}
    starts: list[int] = []  # where each decided step began, to go back to
    start, end = 0, min(size, len(keys))
    hint: set[tuple[int, dt.date]] = set()
    retried = -1  # the window end that was given a longer window already
    while True:
        # A window that needs a back-to-back weekend first goes back one step (the
        # step before may have caused it) before it accepts one.
        soft = not starts or retried == end
        solved = _solve_window(problem, index, band, keys[start:end], decided, hint, soft=soft)
        if not isinstance(solved, tuple):
            if not soft:
                retried = end
            elif not starts:
                return None, solved == "infeasible"
            # Go back one step: undecide it and solve it again inside a longer window.
            start = starts.pop()
            for key in keys[start:]:
                hint.update(decided.pop(key, ()))
            continue
        duties, bound = solved
        upto = len(keys) if end == len(keys) else max(end - (size - step), start + 1)
        starts.append(start)
        for key in keys[start:upto]:
            decided[key] = [(pid, d) for pid, d in duties if _weekend_key(d) == key]
        if upto == len(keys):
            chosen = [duty for key in keys for duty in decided.get(key, ())]
            whole = start == 0 and len(starts) == 1
            cost = sum(_weekend_costs(problem, index, set(chosen))[0].values())
            return _Attempt(chosen, cost, bound if whole else None), False
        hint = {(pid, d) for pid, d in duties if _weekend_key(d) >= keys[upto]}
        start, end = upto, min(upto + size, len(keys))


def _solve_window(
    problem: RotaProblem,
    index: _Index,
    band: tuple[int, int],
    keys: list[dt.date],
    decided: dict[dt.date, list[tuple[int, dt.date]]],
    hint: set[tuple[int, dt.date]],
    *,
    soft: bool = True,
) -> tuple[list[tuple[int, dt.date]], int] | str | None:
    """One window: its duties and the model's bound, "infeasible" when proved so,
    None when the time ran out first. Back-to-back weekends are forbidden first
    (when that holds, level two is at its best and the search is short), then,
    when `soft`, allowed at their cost."""
    start = _hint_for(problem, index, band, keys, decided, hint)
    proved = soft
    for strict in (True, False) if soft else (True,):
        model = _DutyModel(
            problem, band=band, no_back_to_back=strict, index=index, keys=keys, decided=decided
        )
        if model.is_infeasible:
            return "infeasible"
        for key, var in model.duty.items():
            model.m.add_hint(var, key in start)
        solver = _solver(problem, min(problem.time_limit, problem.window_time_limit))
        status = solver.solve(model.m)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            duties = [key for key, var in model.duty.items() if solver.value(var)]
            return duties, math.ceil(solver.best_objective_bound - 1e-6)
        if status != cp_model.INFEASIBLE:
            proved = False
    return "infeasible" if proved else None


def _hint_for(
    problem: RotaProblem,
    index: _Index,
    band: tuple[int, int],
    keys: list[dt.date],
    decided: dict[dt.date, list[tuple[int, dt.date]]],
    hint: set[tuple[int, dt.date]],
) -> set[tuple[int, dt.date]]:
    """The previous window's plan where it reaches, and greedy's for the rest."""
    inside = set(keys)
    chosen = {(pid, d) for pid, d in hint if _weekend_key(d) in inside}
    chosen |= {(pid, d) for pid, d in problem.fixed if _weekend_key(d) in inside}
    totals = {q.id: q.history for q in problem.people}
    for duties in decided.values():
        for pid, _d in duties:
            totals[pid] += 1
    worked = {(q.id, _weekend_key(q.last_weekend)) for q in problem.people if q.last_weekend}
    before = keys[0] - dt.timedelta(days=7)
    worked |= {(pid, before) for pid, _d in decided.get(before, ())}
    for pid, d in chosen:
        totals[pid] += 1
        worked.add((pid, _weekend_key(d)))
    hinted = {_weekend_key(d) for pid, d in hint if (pid, d) not in problem.fixed}
    days = [d for d in problem.weekend_days if _weekend_key(d) in inside - hinted]
    _fill(problem, days, chosen, totals, worked, band[1])
    return chosen


def _weekend_costs(
    problem: RotaProblem, index: _Index, chosen: set[tuple[int, dt.date]]
) -> tuple[dict[dt.date, int], int]:
    """Levels 2-4 of the objective for the duties `chosen`, per weekend (a
    back-to-back weekend is the later one's), as `_DutyModel` counts them; and the
    number of back-to-back weekends."""
    p = problem
    costs = {key: 0 for key in index.keys}
    worked = {(pid, _weekend_key(d)) for pid, d in chosen}
    imposed = {(pid, _weekend_key(d)) for pid, d in chosen if d not in index.people[pid].volunteer}
    now = imposed if p.volunteers_only_back_to_back else worked
    back_to_back = 0
    for pid, key in now:
        before = key - dt.timedelta(days=7)
        last = index.people[pid].last_weekend
        if (pid, before) in worked or (
            before < index.keys[0] and last is not None and _weekend_key(last) == before
        ):
            costs[key] += W_BACK_TO_BACK
            back_to_back += 1
    for pid, days in index.days_of.items():
        person = index.people[pid]
        for day in days:
            on = (pid, day) in chosen
            if day in person.volunteer and not on:
                costs[_weekend_key(day)] += W_PREFERENCE
            if day in person.blackout and on:
                costs[_weekend_key(day)] += W_PREFERENCE
            if p.current and on != ((pid, day) in p.current):
                costs[_weekend_key(day)] += W_STABILITY
    return costs, back_to_back


def _forced_back_to_back(problem: RotaProblem, index: _Index, spread: int) -> int:
    """Back-to-back weekends every plan of this spread has: a person who must reach
    the floor with more duties than alternate weekends hold. (Take away the imposed
    day of each back-to-back weekend: what is left has none, so at most the
    alternate weekends' duties; each back-to-back weekend gave one day.)"""
    floors = []
    for width, floor, _ceiling in _bands(problem):
        if width > spread:
            break
        if width == spread:
            floors.append(floor)
    if not floors or not index.keys:
        return 0
    floor = min(floors)
    before = index.keys[0] - dt.timedelta(days=7)
    forced = 0
    for pid, ahead in index.ahead.items():
        person = index.people[pid]
        worked = person.last_weekend is not None and _weekend_key(person.last_weekend) == before
        holds = ahead[5][0] if worked else ahead[1][0]
        forced += max(0, floor - person.history - holds)
    return forced


def _weekend_bound(
    problem: RotaProblem, index: _Index, key: dt.date, chosen: set[tuple[int, dt.date]]
) -> int:
    """A lower bound on what any plan pays for wishes and stability on one weekend:
    the weekend alone under every rule that does not depend on other weekends'
    duties (published duties are facts, the rest are left free); back-to-back
    weekends are bounded apart (`_forced_back_to_back`)."""
    model = _DutyModel(problem, index=index, keys=[key], relaxed=True)
    for duty, var in model.duty.items():
        model.m.add_hint(var, duty in chosen)
    solver = _solver(problem)
    status = solver.solve(model.m)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return 0
    return max(math.ceil(solver.best_objective_bound - 1e-6), 0)


def _explain_infeasible(problem: RotaProblem) -> list[str]:
    """Find a small set of needs that cannot all hold, with CP-SAT assumptions."""
    model = _DutyModel(problem, with_assumptions=True)
    model.m.clear_objective()
    model.m.add_assumptions(list(model.groups.values()))
    solver = _solver(problem)
    status = solver.solve(model.m)
    if status != cp_model.INFEASIBLE:
        return ["The rota could not be solved in the time allowed; try a shorter period."]
    by_index = {v.index: name for name, v in model.groups.items()}
    core = [by_index[i] for i in solver.sufficient_assumptions_for_infeasibility()]
    people = {q.id: q.name for q in problem.people}
    words = []
    for name in sorted(core):
        kind, _, rest = name.partition(" ")
        if kind == "headcount":
            day = dt.date.fromisoformat(rest)
            words.append(f"{_fmt(day)}: {problem.headcount.get(day, 0)} weekend seats")
        elif kind == "skill":
            skill, day_text = rest.split(" ")
            day = dt.date.fromisoformat(day_text)
            label = problem.skill_names.get(int(skill), f"skill {skill}")
            words.append(f"{_fmt(day)}: the {label} need")
        elif kind == "cover":
            day = dt.date.fromisoformat(rest)
            words.append(f"weekday cover from the week of {_fmt(day)} (room for comp days)")
        elif kind == "consecutive":
            words.append(
                f"{people.get(int(rest), rest)}: at most {problem.max_consecutive} days in a row"
            )
    return [
        "These cannot all hold together: "
        + "; ".join(words)
        + ". (Nobody works both days of a weekend unless they volunteered for both.)"
    ]


def _reasons(
    problem: RotaProblem,
    chosen: list[tuple[int, dt.date]],
    comp: dict[tuple[int, dt.date], dt.date],
    totals: dict[int, int],
) -> dict[tuple[int, dt.date], tuple[str, str]]:
    people = {q.id: q for q in problem.people}
    average = sum(q.history for q in problem.people) / max(len(problem.people), 1)
    comp_count: dict[tuple[int, dt.date], int] = defaultdict(int)
    for (pid, _day), d in comp.items():
        comp_count[people[pid].group, d] += 1
    found: dict[tuple[int, dt.date], tuple[str, str]] = {}
    planned: dict[int, int] = defaultdict(int)
    for pid, _day in chosen:
        planned[pid] += 1
    previous: dict[int, dt.date | None] = {q.id: q.last_weekend for q in problem.people}
    for pid, day in sorted(chosen, key=lambda key: key[1]):
        person = people[pid]
        last_weekend = previous[pid]
        previous[pid] = day
        reason = ""
        if (pid, day) in problem.fixed:
            reason = "already published"
        elif day in person.volunteer:
            reason = f"volunteered for {day:%-d %b}"
        else:
            for (need_day, skill), _count in problem.skill_needs.items():
                if need_day != day or skill not in person.skills:
                    continue
                able = [q for q in problem.people if skill in q.skills and day not in q.unavailable]
                if len(able) == 1:
                    name = problem.skill_names.get(skill, "needed")
                    reason = f"only {name}-skilled associate free on {day:%-d %b}"
                    break
        if not reason:
            weeks = (day - last_weekend).days // 7 if last_weekend is not None else None
            if weeks is not None and weeks >= 3:
                reason = f"longest since last weekend: {weeks} weeks (last {last_weekend:%-d %b})"
            else:
                reason = "fairness: " + _fairness_words(person.history, average)
        found[pid, day] = (reason + _own_facts(problem, person, planned[pid]), "")
        comp_day = comp[pid, day]
        if (pid, day) in problem.fixed_comp:
            comp_reason = "already published"
        elif person.preferred_comp_weekday == comp_day.weekday():
            comp_reason = f"your preferred comp day ({comp_day:%A})"
        else:
            window = [
                d
                for d in problem.comp_window(day)
                if d not in person.off_days and d not in person.unavailable
            ]
            spare = {
                d: problem.spare(person.group, d) - comp_count[person.group, d] for d in window
            }
            best = max(spare.values()) if spare else 0
            named = f"{comp_day:%A} {comp_day.day} {comp_day:%b}"
            if spare.get(comp_day) == best:
                comp_reason = f"{named} has the most spare cover in your window"
            else:
                comp_reason = f"{named} keeps every weekday at its minimum cover"
        found[pid, day] = (found[pid, day][0], comp_reason)
    return found


def _fairness_words(history: int, average: float) -> str:
    """How a person's weekend days over the history compare with the team's average."""
    days = f"{history} weekend day{'' if history == 1 else 's'} in the last 12 months"
    gap = average - history
    if abs(gap) < 0.05:
        return f"{days}, the team average"
    side = "fewer" if gap > 0 else "more"
    return f"{days}, {abs(gap):.1f} {side} than the team average {average:.1f}"


def _own_facts(problem: RotaProblem, person: Person, planned: int) -> str:
    """The person's own facts in this rota: their duty count and the weekend days they
    cannot work in it, each named for why: approved leave, not on the team (before
    joining, after leaving), settling in (a new joiner's first weeks) or unavailable
    (rest, a week published without them)."""
    words = [f"{planned} weekend day{'' if planned == 1 else 's'} in this rota"]
    away = [d for d in problem.weekend_days if d in person.unavailable]
    leave = [d for d in away if d in person.on_leave]
    gone = [d for d in away if d in person.not_employed and d not in person.on_leave]
    new = [d for d in away if d in person.settling_in and d not in person.on_leave]
    other = [d for d in away if d not in leave and d not in gone and d not in new]
    for label, days in (
        ("approved leave", leave),
        ("not on the team", gone),
        ("new joiner, settling in", new),
        ("unavailable", other),
    ):
        if days:
            shown = ", ".join(f"{d:%-d %b}" for d in days[:3])
            more = f" +{len(days) - 3}" if len(days) > 3 else ""
            words.append(f"{label} {shown}{more}")
    return " · " + "; ".join(words)


def violations(problem: RotaProblem, plan: RotaPlan) -> list[str]:
    """Check a plan against every hard constraint, independently of the model."""
    found = []
    people = {q.id: q for q in problem.people}
    duties = {(d.person_id, d.on) for d in plan.duties}
    for day in problem.weekend_days:
        count = sum(1 for pid, d in duties if d == day)
        if count != problem.headcount.get(day, 0):
            found.append(f"{day}: {count} on duty, need {problem.headcount.get(day, 0)}")
    for (day, skill), need in problem.skill_needs.items():
        count = sum(1 for pid, d in duties if d == day and skill in people[pid].skills)
        if count < need:
            found.append(f"{day}: skill {skill} {count} < {need}")
    for key in problem.fixed:
        if key not in duties:
            found.append(f"published duty {key} dropped")
    comp_on: dict[tuple[int, dt.date], int] = defaultdict(int)
    off: dict[int, set[dt.date]] = defaultdict(set)
    for duty in plan.duties:
        person = people[duty.person_id]
        if duty.on in person.unavailable and (duty.person_id, duty.on) not in problem.fixed:
            found.append(f"{person.name} on {duty.on} while unavailable")
        if duty.comp_on not in problem.comp_window(duty.on):
            found.append(f"{person.name}: comp day {duty.comp_on} outside the window of {duty.on}")
        if duty.comp_on in person.off_days or duty.comp_on in person.unavailable:
            found.append(f"{person.name}: comp day {duty.comp_on} on a day already off")
        if duty.comp_on in person.half_days:
            found.append(f"{person.name}: comp day {duty.comp_on} on a half day of leave")
        if duty.comp_on in off[duty.person_id]:
            found.append(f"{person.name}: two comp days on {duty.comp_on}")
        off[duty.person_id].add(duty.comp_on)
        comp_on[person.group, duty.comp_on] += 1
    for (group, day), count in comp_on.items():
        if count > problem.spare(group, day):
            found.append(f"{day}: {count} comp days, cover allows {problem.spare(group, day)}")
    by_weekend: dict[tuple[int, dt.date], list[dt.date]] = defaultdict(list)
    for pid, day in duties:
        by_weekend[pid, _weekend_key(day)].append(day)
    for (pid, _key), ds in by_weekend.items():
        if len(ds) > 1 and not all(d in people[pid].volunteer for d in ds):
            found.append(f"{people[pid].name} works both days of the weekend of {min(ds)}")
    found += _consecutive_violations(problem, plan)
    return found


def _consecutive_violations(problem: RotaProblem, plan: RotaPlan) -> list[str]:
    if not problem.weekend_days:
        return []
    found = []
    duties = {(d.person_id, d.on) for d in plan.duties}
    first = min(problem.weekend_days) - dt.timedelta(days=14)
    last = max(problem.weekend_days) + dt.timedelta(days=14)
    for person in problem.people:
        run = 0
        day = first
        while day <= last:
            if day.weekday() >= 5:
                works = (person.id, day) in duties
            else:
                works = not (day in person.off_days or day in person.unavailable)
            run = run + 1 if works else 0
            if run > problem.max_consecutive:
                found.append(f"{person.name} works {run} days in a row up to {day}")
                break
            day += dt.timedelta(days=1)
    return found


def weekend_days_between(first: dt.date, last: dt.date) -> list[dt.date]:
    days = (first + dt.timedelta(days=n) for n in range((last - first).days + 1))
    return [d for d in days if d.weekday() >= 5]
