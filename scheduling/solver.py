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
Levels 1-4 are one CP-SAT model (fairness is settled by trying the tightest
bands of totals first); level 5 is a second, small model.

Deterministic: one search worker, a fixed seed and a deterministic time limit.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

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


class _DutyModel:
    """Stage one: who works which weekend day.

    Comp days are not placed here, only counted: for every run of weeks, the
    duties of those weekends must fit into the spare weekday cover of those
    weeks and the week after (Hall's condition for these interval windows), and
    consecutive days are checked as if no comp day helped, which is safe.
    """

    def __init__(
        self,
        problem: RotaProblem,
        *,
        band: tuple[int, int] | None = None,
        with_assumptions: bool = False,
        no_back_to_back: bool = False,
    ):
        self.p = problem
        self.band = band
        self.no_back_to_back = no_back_to_back
        self.m = cp_model.CpModel()
        self.groups: dict[str, cp_model.IntVar] = {}
        self.with_assumptions = with_assumptions
        self.duty: dict[tuple[int, dt.date], cp_model.IntVar] = {}
        self._build()

    def _imposed(self, person: Person, key: dt.date) -> cp_model.IntVar | None:
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
        imposed = self.m.new_bool_var(f"imposed_{person.id}_{key}")
        self.m.add_max_equality(imposed, own)
        return imposed

    def _hard(self, name: str, constraint: cp_model.Constraint) -> None:
        if self.with_assumptions:
            literal = self.groups.get(name)
            if literal is None:
                literal = self.groups[name] = self.m.new_bool_var(name)
            constraint.only_enforce_if(literal)

    def _build(self) -> None:
        p, m = self.p, self.m
        days = p.weekend_days
        for person in p.people:
            for day in days:
                if not _available(p, person, day):
                    continue
                if (person.id, day) not in p.fixed and not comp_choices(p, person, day):
                    continue  # e.g. a leaver: no weekday left in employment to take off
                var = m.new_bool_var(f"duty_{person.id}_{day}")
                self.duty[person.id, day] = var
                if (person.id, day) in p.fixed:
                    m.add(var == 1)
        by_day: dict[dt.date, list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
        by_person: dict[int, list[tuple[dt.date, cp_model.IntVar]]] = defaultdict(list)
        for (pid, day), var in self.duty.items():
            by_day[day].append((pid, var))
            by_person[pid].append((day, var))
        for day in days:
            on_day = [v for _pid, v in by_day[day]]
            self._hard(f"headcount {day}", m.add(sum(on_day) == p.headcount.get(day, 0)))
        for (day, skill), count in p.skill_needs.items():
            skilled = {q.id for q in p.people if skill in q.skills}
            on_day = [v for pid, v in by_day[day] if pid in skilled]
            self._hard(f"skill {skill} {day}", m.add(sum(on_day) >= count))
        weekends: dict[dt.date, list[dt.date]] = defaultdict(list)
        for day in days:
            weekends[_weekend_key(day)].append(day)
        self.weekend_keys = sorted(weekends)
        self.weekends = weekends
        self.worked_weekend: dict[tuple[int, dt.date], cp_model.IntVar] = {}
        people = {q.id: q for q in p.people}
        for pid, own_days in by_person.items():
            person = people[pid]
            for key in self.weekend_keys:
                own = [v for d, v in own_days if _weekend_key(d) == key]
                if not own:
                    continue
                if len(own) == 1:
                    self.worked_weekend[pid, key] = own[0]
                    continue
                if not all(d in person.volunteer for d in weekends[key]):
                    m.add(sum(own) <= 1)
                worked = m.new_bool_var(f"wk_{pid}_{key}")
                m.add_max_equality(worked, own)
                self.worked_weekend[pid, key] = worked
        # Comp-day capacity, week runs [a..b] -> weekdays of weeks a..b+1.
        mondays = sorted({k - dt.timedelta(days=5) for k in self.weekend_keys})
        group_of = {q.id: q.group for q in p.people}
        for group in sorted({q.group for q in p.people}):
            duties_in_week = {
                monday: [
                    v
                    for (pid, d), v in self.duty.items()
                    if group_of[pid] == group and _weekend_key(d) == monday + dt.timedelta(days=5)
                ]
                for monday in mondays
            }

            def spare_in(monday: dt.date, group: int = group) -> int:
                return sum(
                    max(p.spare(group, monday + dt.timedelta(days=n)), 0)
                    for n in range(5)
                    if monday + dt.timedelta(days=n) not in p.comp_blocked
                )

            for i, start in enumerate(mondays):
                for j in range(i, len(mondays)):
                    needing = [v for mon in mondays[i : j + 1] for v in duties_in_week[mon]]
                    if not needing:
                        continue
                    room = sum(spare_in(mon) for mon in mondays[i : j + 1])
                    room += sum(
                        spare_in(mondays[j] + dt.timedelta(days=7 * k))
                        for k in range(1, p.comp_window_weeks + 1)
                    )
                    self._hard(f"cover {start}", m.add(sum(needing) <= room))
        # Consecutive days with weekdays worked unless off: a window of
        # max_consecutive + 1 days may hold at most max_consecutive working days.
        if days:
            first = min(days) - dt.timedelta(days=14)
            last = max(days) + dt.timedelta(days=14)
            horizon = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
            span = p.max_consecutive + 1
            for person in p.people:
                fixed_work = [
                    0 if d.weekday() >= 5 or d in person.off_days or d in person.unavailable else 1
                    for d in horizon
                ]
                variable = [self.duty.get((person.id, d)) for d in horizon]
                for offset in range(len(horizon) - span + 1):
                    vars_in = [v for v in variable[offset : offset + span] if v is not None]
                    base = sum(fixed_work[offset : offset + span])
                    if vars_in and base + len(vars_in) > p.max_consecutive:
                        self._hard(
                            f"consecutive {person.id}",
                            m.add(sum(vars_in) <= p.max_consecutive - base),
                        )
        self._objective(people, by_person)

    def _objective(
        self, people: dict[int, Person], by_person: dict[int, list[tuple[dt.date, cp_model.IntVar]]]
    ) -> None:
        p, m = self.p, self.m
        terms = []
        self.total: dict[int, cp_model.LinearExprT] = {}
        for pid, own in by_person.items():
            total = people[pid].history + sum(v for _d, v in own)
            self.total[pid] = total
            if self.band is not None:
                # Fairness is settled outside the model: every total lies in
                # [floor, floor + spread] for the smallest spread that works.
                self._hard("fairness", m.add_linear_constraint(total, *self.band))
        self.b2b_vars = []
        for q in p.people:
            previous = _weekend_key(q.last_weekend) if q.last_weekend else None
            for key in self.weekend_keys:
                now = self.worked_weekend.get((q.id, key))
                if now is None:
                    continue
                before = key - dt.timedelta(days=7)
                prev_var = self.worked_weekend.get((q.id, before))
                if prev_var is None and previous != before:
                    continue
                if p.volunteers_only_back_to_back:
                    # Volunteering excuses the weekend volunteered for, not the one
                    # next to it: only work on days they did not ask for counts.
                    imposed = self._imposed(q, key)
                    if imposed is None:
                        continue
                    now = imposed
                if self.no_back_to_back:
                    # Tried first: when it holds, level two is at its best (zero)
                    # and the search has far less to do.
                    m.add(now + (prev_var if prev_var is not None else 1) <= 1)
                    continue
                b2b = m.new_bool_var(f"b2b_{q.id}_{key}")
                m.add(b2b >= now + (prev_var if prev_var is not None else 1) - 1)
                self.b2b_vars.append(b2b)
                terms.append(W_BACK_TO_BACK * b2b)
        for (pid, day), var in self.duty.items():
            person = people[pid]
            if day in person.volunteer:
                terms.append(W_PREFERENCE * (1 - var))
            if day in person.blackout:
                terms.append(W_PREFERENCE * var)
            if p.current:
                terms.append(W_STABILITY * ((1 - var) if (pid, day) in p.current else var))
        m.minimize(sum(terms))


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
        return [(0, 0, 0)]
    low = min(history.values())
    high = max(history[q] + capacity[q] for q in history)
    skill_seats: dict[int, int] = defaultdict(int)
    for (_day, skill), count in problem.skill_needs.items():
        skill_seats[skill] += count
    skilled = {
        skill: [q.id for q in problem.people if skill in q.skills and q.id in history]
        for skill in skill_seats
    }
    bands = []
    for spread in range(0, high - low + 1):
        for floor in range(low - spread, high + 1):
            ceiling = floor + spread
            if any(history[q] > ceiling or history[q] + capacity[q] < floor for q in history):
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
            bands.append((spread, floor, ceiling))
    return bands


def greedy(problem: RotaProblem, ceiling: int | None = None) -> set[tuple[int, dt.date]]:
    """A quick plan used as the search's starting hint: day by day, fill skill
    needs then seats with whoever has the fewest weekend days, avoiding a second
    day of the same weekend and back-to-back weekends. It may leave seats empty;
    the solver repairs it."""
    people = {q.id: q for q in problem.people}
    totals = {q.id: q.history for q in problem.people}
    worked: set[tuple[int, dt.date]] = set()
    for q in problem.people:
        if q.last_weekend is not None:
            worked.add((q.id, _weekend_key(q.last_weekend)))
    chosen: set[tuple[int, dt.date]] = set(problem.fixed)
    for pid, day in problem.fixed:
        totals[pid] = totals.get(pid, 0) + 1
        worked.add((pid, _weekend_key(day)))
    for day in problem.weekend_days:
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

        for (need_day, skill), count in sorted(problem.skill_needs.items()):
            if need_day != day:
                continue
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
    return chosen


def _solver(problem: RotaProblem) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.num_search_workers = 1
    solver.parameters.random_seed = 20261124
    solver.parameters.max_deterministic_time = problem.time_limit
    # Measured on bench/rota.py: without the LP relaxation the single worker
    # proves these models optimal in about a second; with it, it times out.
    solver.parameters.linearization_level = 0
    return solver


def solve(problem: RotaProblem) -> RotaPlan | RotaInfeasible:
    """Two stages, each solved to optimality when the time allows:
    duties (fairness, back-to-back, weekend preferences, stability), then the
    comp days for those duties (preferred weekday)."""
    if blocking := precheck(problem):
        return RotaInfeasible(tuple(blocking))
    found = None
    for spread, floor, ceiling in fairness_bands(problem):
        if found is not None and spread > found[0]:
            break  # every band of the best spread has been tried
        hint = greedy(problem, ceiling)
        for strict in (True, False):
            model = _DutyModel(problem, band=(floor, ceiling), no_back_to_back=strict)
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
        return RotaInfeasible(
            (
                "The weekend duties fit, but their comp days cannot all be placed without "
                "taking a weekday below its minimum cover; lower a weekend headcount or "
                "the weekday minimums.",
            )
        )
    comp = {
        (pid, day): d for (pid, day, d), var in comp_model.comp.items() if comp_solver.value(var)
    }
    totals = {pid: int(solver.value(total)) for pid, total in model.total.items()}
    reasons = _reasons(problem, chosen, comp, totals)
    duties = tuple(
        Duty(pid, day, comp[pid, day], reasons[pid, day][0], reasons[pid, day][1])
        for pid, day in chosen
    )
    duty_objective = W_FAIRNESS * spread + round(solver.objective_value)
    duty_bound = W_FAIRNESS * spread + round(solver.best_objective_bound)
    return RotaPlan(
        duties=duties,
        objective=duty_objective + round(comp_solver.objective_value),
        bound=duty_bound + round(comp_solver.best_objective_bound),
        is_optimal=status == cp_model.OPTIMAL and comp_status == cp_model.OPTIMAL,
        fairness_gap=max(totals.values()) - min(totals.values()) if totals else 0,
        back_to_back=sum(int(solver.value(v)) for v in model.b2b_vars),
        totals=totals,
    )


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
