"""The day's queue plan: which queue each person on shift works in each interval.

Pure Python over plain data, solved with CP-SAT; nothing here touches the database.
The caller (the Django layer) works out, per person, the intervals they can take
contacts in (on shift, not on a break, not in a 1:1 or training) and the queues they
may work with their proficiency; per queue, the agents each interval needs (Erlang C
or the deferred workload). `solve` answers with a `QueuePlan`.

Hard rules
- a person works only a queue they were given (their skills), only in an interval
  they are available, and at most one queue at a time;
- a queue that needs nobody in an interval (closed, or nothing forecast) gets
  nobody there; a pin can still put someone there;
- pins (cells the lead set by hand: person × interval -> queue, or None for "no
  queue") are kept as they are, so a new proposal respects manual edits;
- at most `max_switches` switches per person a day (see below). Where the pins
  alone already need more, that person's limit is what their pins need, so a
  lead's edits never make the day unsolvable.

A switch is moving from one queue to a different one: walk a person's day in
order, skipping every interval without a queue (breaks, 1:1s, training, time the
lead pinned to "no queue", time when no queue of theirs is open); each queue that
differs from the queue they worked last is one switch. So "chat, break, chat" is
no switch and "chat, break, email" is one: a team lead does not call a break a
switch, only a change of work.

Objective, lexicographic (a level is improved only with every level above it held):
1. unmet need: Σ over queue × interval of max(0, required - assigned);
2. proficiency: the seats that count against need (the first `required` agents of
   a queue-interval, best first) go to the most proficient people; the level is the
   shortfall Σ (4 - proficiency) over those seats (0 expert, 1 proficient, 2 capable);
3. switches: fewest in total;
4. spare people: first nobody idle who could be on an open queue of theirs, then
   the surplus shared out like seats in a D'Hondt count: the next spare person goes
   to the queue-interval with the highest required ÷ (extras it already has + 1),
   for up to `SPREAD_TIERS` extras each, so big queues get more of the surplus but
   no queue gets it all. The level is `idle_weight` × idle + the D'Hondt weight of
   the extras not placed (so one idle person outweighs the whole spread).

How it is solved. One CP-SAT model of a whole 300-person day (bench/capacity_queue_plan.py),
started from the greedy plan, had not improved on it after 17 CPU seconds, while
each interval on its own is a small flow problem. So:
- a bound: without the switch limit the intervals are independent, and each is a
  min-cost flow (people -> queue seats, best first, then the spare tiers) solved
  exactly (`relaxation`); it bounds levels 1, 2 and 4 from below;
- a first plan (`greedy`): the same flows interval by interval through the day,
  where staying on one's queue is free, a switch costs more than any proficiency
  gain and less than one unmet seat, and nobody is offered a switch their limit
  (with the switches their later pins force) cannot pay for;
- a local search: each person's day replaced by their best one given everyone
  else's (a small dynamic programme), until no single person's change helps;
- then CP-SAT, level by level, the levels above held. A day with at most
  `WHOLE_DAY_CELLS` cells to decide (a team of 8-25) is one model, solved to
  proven optimality when the budget allows; a bigger day is improved over
  neighbourhoods, every cell of a few intervals where the level is furthest above
  its bound, or the whole days of a group who share queues, the rest held.
In every model a person's day is a flow through the states "the queue worked last"
(see `_Neighbourhood`), whose LP relaxation is much tighter than a per-interval
encoding of switches.

Each level reports a bound: no plan equal to this one on the levels above does
better on it. Status "optimal" means every level meets its bound.

Deterministic: one search worker, a fixed seed, deterministic time budgets, a cap
on the neighbourhoods and an order of work that depends only on the problem, as in
`scheduling.solver`: the same problem gives the same plan on any machine.
"""

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ortools.graph.python import min_cost_flow
from ortools.sat.python import cp_model

CAPABLE, PROFICIENT, EXPERT = 2, 3, 4
PROFICIENCIES = (CAPABLE, PROFICIENT, EXPERT)
SPREAD_TIERS = 4
_TIER_SCALE = 12  # lcm(1..SPREAD_TIERS): the D'Hondt weights required × 12 / k stay integers
LEVELS = ("unmet", "proficiency", "switches", "spare")
WHOLE_DAY_CELLS = 400  # at most this many cells to decide: the whole day is one model
NEIGHBOURHOOD_CELLS = 900  # cells freed at once in a bigger day
WINDOW = 3  # intervals in a window neighbourhood
# Share of the deterministic budget left that each level may use (the last takes all).
_LEVEL_SHARE = (0.4, 0.5, 0.4, 1.0)
_STEP_TIME = 0.5  # deterministic seconds at most per neighbourhood
_MAX_STEPS = 10  # neighbourhoods at most per solve, which bounds the Python work too

Cell = tuple[int, int]  # (person id, interval)


@dataclass(frozen=True)
class Person:
    id: int
    # Interval indices (0 .. intervals - 1) they can take contacts in.
    available: frozenset[int]
    # Queue id -> proficiency (2 capable, 3 proficient, 4 expert): only queues whose
    # skill they hold.
    queues: Mapping[int, int]
    name: str = ""


@dataclass(frozen=True)
class Queue:
    id: int
    required: tuple[int, ...]  # agents needed per interval, one entry per interval
    name: str = ""


@dataclass(frozen=True)
class QueuePlanProblem:
    intervals: int
    people: tuple[Person, ...]
    queues: tuple[Queue, ...]
    # (person id, interval) -> queue id, or None for "no queue": kept as they are.
    pins: Mapping[Cell, int | None] = field(default_factory=dict)
    max_switches: int = 2
    # Deterministic seconds of CP-SAT search in all (CP-SAT's own clock, so the plan
    # does not depend on the machine); a big day also stops after _MAX_STEPS models.
    time_limit: float = 5.0


@dataclass(frozen=True)
class Shortfall:
    queue_id: int
    interval: int
    required: int
    assigned: int

    @property
    def short(self) -> int:
        return self.required - self.assigned


@dataclass(frozen=True)
class Level:
    name: str
    value: int
    # Proven: no plan equal to this one on the levels above has a lower value here
    # (0 where nothing better is known).
    bound: int

    @property
    def is_optimal(self) -> bool:
        return self.value <= self.bound

    @property
    def gap_percent(self) -> float:
        """How far the value may be above the best possible, in % of the value."""
        if self.value <= 0:
            return 0.0
        return 100.0 * max(self.value - self.bound, 0) / self.value


@dataclass(frozen=True)
class QueuePlan:
    # Person id -> {available interval: queue id, or None for no queue}.
    assignment: dict[int, dict[int, int | None]]
    # Every queue-interval short of its need, worst first.
    unmet: tuple[Shortfall, ...]
    levels: tuple[Level, ...]  # in LEVELS order
    status: str  # "optimal" (every level proven) or "feasible"
    switches: dict[int, int]  # per person
    switch_limit: dict[int, int]  # per person: max_switches, or what their pins need
    idle: int  # person-intervals off queue while a queue of theirs was open

    @property
    def objective(self) -> tuple[int, ...]:
        return tuple(level.value for level in self.levels)

    @property
    def bound(self) -> tuple[int, ...]:
        return tuple(level.bound for level in self.levels)

    @property
    def gap_percent(self) -> float:
        """The gap of the first level not proven optimal (0 when all are): the levels
        are lexicographic, so that is the one a better plan would improve."""
        for level in self.levels:
            if not level.is_optimal:
                return level.gap_percent
        return 0.0

    @property
    def total_unmet(self) -> int:
        return sum(s.short for s in self.unmet)


def check(problem: QueuePlanProblem) -> None:
    """Refuse a problem the Django layer should never build, naming what is wrong."""
    queues = {q.id for q in problem.queues}
    if len(queues) != len(problem.queues):
        raise ValueError("queue ids must be unique")
    for queue in problem.queues:
        if len(queue.required) != problem.intervals:
            raise ValueError(
                f"queue {queue.id}: {len(queue.required)} needs for {problem.intervals} intervals"
            )
        if any(r < 0 for r in queue.required):
            raise ValueError(f"queue {queue.id}: a negative need")
    people = {p.id: p for p in problem.people}
    if len(people) != len(problem.people):
        raise ValueError("person ids must be unique")
    for person in problem.people:
        if any(not 0 <= t < problem.intervals for t in person.available):
            raise ValueError(f"person {person.id}: an available interval outside the day")
        for queue_id, level in person.queues.items():
            if queue_id not in queues:
                raise ValueError(f"person {person.id}: unknown queue {queue_id}")
            if level not in PROFICIENCIES:
                raise ValueError(f"person {person.id}: proficiency {level} is not 2, 3 or 4")
    for (person_id, t), pinned_queue in problem.pins.items():
        pinned = people.get(person_id)
        if pinned is None:
            raise ValueError(f"pin for unknown person {person_id}")
        if t not in pinned.available:
            raise ValueError(f"pin for person {person_id} at {t}, outside their availability")
        if pinned_queue is not None and pinned_queue not in pinned.queues:
            raise ValueError(
                f"pin puts person {person_id} on queue {pinned_queue} they may not work"
            )
    if problem.max_switches < 0:
        raise ValueError("max_switches must not be negative")


def count_switches(cells: Iterable[int | None]) -> int:
    """Switches in a person's day, given the queue of each of their available
    intervals in order (None = no queue): None is skipped, like a break."""
    last = None
    switches = 0
    for queue_id in cells:
        if queue_id is None:
            continue
        if last is not None and queue_id != last:
            switches += 1
        last = queue_id
    return switches


def switch_limits(problem: QueuePlanProblem) -> dict[int, int]:
    """Per person: max_switches, or the switches their pins alone need if more."""
    return {
        person.id: max(
            problem.max_switches,
            count_switches(problem.pins.get((person.id, t)) for t in sorted(person.available)),
        )
        for person in problem.people
    }


def _tier_weight(required: int, k: int) -> int:
    return required * _TIER_SCALE // k


class _Day:
    """The facts of a problem every step reads, worked out once."""

    def __init__(self, problem: QueuePlanProblem):
        self.problem = problem
        self.required = {q.id: q.required for q in problem.queues}
        self.queue_ids = [q.id for q in problem.queues]
        self.proficiency = {(p.id, q): k for p in problem.people for q, k in p.queues.items()}
        self.people = {p.id: p for p in problem.people}
        self.person_ids = [p.id for p in problem.people]
        self.limits = switch_limits(problem)
        # (person, available interval) -> queues they may be put on there; empty when
        # pinned to no queue or when no queue of theirs is open. One entry: a pin.
        self.choices: dict[Cell, list[int]] = {}
        self.pinned: set[Cell] = set()
        for person in problem.people:
            for t in sorted(person.available):
                if (person.id, t) in problem.pins:
                    pin = problem.pins[person.id, t]
                    self.choices[person.id, t] = [] if pin is None else [pin]
                    self.pinned.add((person.id, t))
                else:
                    self.choices[person.id, t] = [
                        q for q in sorted(person.queues) if self.required[q][t] > 0
                    ]
        # Each person's working intervals, in order: those with a queue to work.
        self.chain = {
            p.id: [t for t in sorted(p.available) if self.choices[p.id, t]] for p in problem.people
        }
        self.at: dict[int, list[int]] = defaultdict(list)  # interval -> people with a choice
        could: dict[tuple[int, int], int] = defaultdict(int)
        for (pid, t), queues in self.choices.items():
            if queues:
                self.at[t].append(pid)
            for q in queues:
                could[q, t] += 1
        # (queue, interval) -> the D'Hondt tiers enough people could fill there.
        self.tiers = {
            (q, t): [k for k in range(1, SPREAD_TIERS + 1) if could[q, t] >= r + k]
            for q in self.queue_ids
            for t, r in enumerate(self.required[q])
            if r > 0
        }
        self.idle_weight = 1 + sum(
            _tier_weight(self.required[q][t], k) for (q, t), ks in self.tiers.items() for k in ks
        )
        self.free_cells = [
            key for key, queues in self.choices.items() if queues and key not in self.pinned
        ]

    # The levels, part by part, so a neighbourhood can weigh only what it changes.

    def seat_terms(self, q: int, t: int, levels: Sequence[int]) -> tuple[int, int, int]:
        """(unmet, proficiency shortfall, D'Hondt weight missed) of one queue-interval
        staffed by people of these proficiencies."""
        r = self.required[q][t]
        best = sorted(levels, reverse=True)[:r]
        extra = len(levels) - r
        missed = sum(_tier_weight(r, k) for k in self.tiers.get((q, t), ()) if extra < k)
        return max(0, r - len(levels)), sum(EXPERT - k for k in best), missed

    def staffing(self, cells: Mapping[Cell, int | None]) -> dict[tuple[int, int], list[int]]:
        on: dict[tuple[int, int], list[int]] = defaultdict(list)
        for (pid, t), q in cells.items():
            if q is not None:
                on[q, t].append(self.proficiency[pid, q])
        return on

    def staffing_at(
        self, cells: Mapping[Cell, int | None], keys: Iterable[tuple[int, int]]
    ) -> dict[tuple[int, int], list[int]]:
        """The proficiencies on each of these queue-intervals."""
        wanted = set(keys)
        on: dict[tuple[int, int], list[int]] = defaultdict(list)
        for t in sorted({t for _q, t in wanted}):
            for pid in self.at[t]:
                q = cells.get((pid, t))
                if q is not None and (q, t) in wanted:
                    on[q, t].append(self.proficiency[pid, q])
        return on

    def by_interval(self, cells: Mapping[Cell, int | None], depth: int) -> list[int]:
        """Level `depth` (0 unmet, 1 proficiency, 3 spare) interval by interval."""
        on = self.staffing(cells)
        found = []
        for t in range(self.problem.intervals):
            terms = [self.seat_terms(q, t, on.get((q, t), [])) for q in self.queue_ids]
            if depth == 3:
                idle = self.idle(cells, ((pid, t) for pid in self.at[t]))
                found.append(self.idle_weight * idle + sum(term[2] for term in terms))
            else:
                found.append(sum(term[depth] for term in terms))
        return found

    def switches(self, pid: int, cells: Mapping[Cell, int | None]) -> int:
        return count_switches(cells.get((pid, t)) for t in self.chain[pid])

    def idle(self, cells: Mapping[Cell, int | None], keys: Iterable[Cell]) -> int:
        return sum(1 for key in keys if self.choices[key] and cells.get(key) is None)

    def levels(self, cells: Mapping[Cell, int | None]) -> tuple[int, int, int, int]:
        on = self.staffing(cells)
        unmet = loss = missed = 0
        for q in self.queue_ids:
            for t in range(self.problem.intervals):
                u, s, m = self.seat_terms(q, t, on.get((q, t), []))
                unmet, loss, missed = unmet + u, loss + s, missed + m
        switches = sum(self.switches(pid, cells) for pid in self.person_ids)
        idle = self.idle(cells, self.choices)
        return unmet, loss, switches, self.idle_weight * idle + missed


def evaluate(
    problem: QueuePlanProblem, cells: Mapping[Cell, int | None]
) -> tuple[int, int, int, int]:
    """The four levels of a plan given as cells ((person, interval) -> queue or None),
    computed without any model: the figures a plan reports."""
    return _Day(problem).levels(cells)


# -- Interval flows: the bound and the first plan ------------------------------------


def _interval_flow(
    day: _Day,
    t: int,
    options: dict[int, list[int]],
    switch_cost: Mapping[tuple[int, int], int],
    switch_weight: int,
) -> dict[int, int | None]:
    """One interval as a min-cost flow, lexicographic by weights: unmet seats, then
    (with a switch cost between them when `switch_weight` is set) the proficiency of
    the seats, then idle people, then the D'Hondt tiers. People with a pin have only
    their pinned queue and may not idle."""
    people = list(options)
    tier_total = sum(
        _tier_weight(day.required[q][t], k)
        for q in day.queue_ids
        for k in day.tiers.get((q, t), ())
    )
    w_idle = tier_total + 1
    w_proficiency = (len(people) + 1) * w_idle
    seats = sum(day.required[q][t] for q in day.queue_ids)
    w_switch = (2 * seats + 2) * w_proficiency if switch_weight else 0
    w_unmet = (2 * seats + 2) * w_proficiency + (len(people) + 1) * w_switch
    flow = min_cost_flow.SimpleMinCostFlow()
    nodes: dict[object, int] = {}

    def node(key: object) -> int:
        return nodes.setdefault(key, len(nodes))

    source, sink = node("source"), node("sink")
    arcs: list[tuple[int, int, int]] = []
    for pid in people:
        here = node(("person", pid))
        flow.add_arc_with_capacity_and_unit_cost(source, here, 1, 0)
        if (pid, t) not in day.pinned:
            flow.add_arc_with_capacity_and_unit_cost(here, sink, 1, w_idle)
        for q in options[pid]:
            cost = w_switch * switch_cost.get((pid, q), 0)
            kind = node(("kind", q, day.proficiency[pid, q]))
            arcs.append((flow.add_arc_with_capacity_and_unit_cost(here, kind, 1, cost), pid, q))
    for q in day.queue_ids:
        r = day.required[q][t]
        for k in PROFICIENCIES:
            group = nodes.get(("kind", q, k))
            if group is None:
                continue
            if r > 0:
                seat_cost = -w_unmet + w_proficiency * (EXPERT - k)
                flow.add_arc_with_capacity_and_unit_cost(group, node(("seats", q)), r, seat_cost)
            flow.add_arc_with_capacity_and_unit_cost(group, node(("extra", q)), len(people), 0)
        if ("seats", q) in nodes:
            flow.add_arc_with_capacity_and_unit_cost(nodes["seats", q], sink, r, 0)
        if ("extra", q) in nodes:
            for k in day.tiers.get((q, t), ()):
                flow.add_arc_with_capacity_and_unit_cost(
                    nodes["extra", q], sink, 1, -_tier_weight(r, k)
                )
            flow.add_arc_with_capacity_and_unit_cost(nodes["extra", q], sink, len(people), 0)
    flow.set_node_supply(source, len(people))
    flow.set_node_supply(sink, -len(people))
    if flow.solve() != flow.OPTIMAL:  # pragma: no cover - every person has the idle arc
        raise RuntimeError(f"interval {t}: the flow has no solution")
    found: dict[int, int | None] = dict.fromkeys(people)
    for arc, pid, q in arcs:
        if flow.flow(arc):
            found[pid] = q
    return found


def relaxation(problem: QueuePlanProblem) -> dict[Cell, int | None]:
    """The best plan of every interval on its own, ignoring the switch limit: its
    levels 1, 2 and 4 bound those of any plan from below."""
    return relaxation_cells(_Day(problem))


def relaxation_cells(day: _Day) -> dict[Cell, int | None]:
    problem = day.problem
    cells: dict[Cell, int | None] = dict.fromkeys(day.choices)
    for t in range(problem.intervals):
        options = {pid: day.choices[pid, t] for pid in day.at[t]}
        for pid, q in _interval_flow(day, t, options, {}, 0).items():
            cells[pid, t] = q
    return cells


def greedy(problem: QueuePlanProblem) -> dict[Cell, int | None]:
    """A quick plan that keeps every hard rule: the interval flows in order through
    the day, staying on one's queue free and a switch priced between one unmet seat
    and any proficiency gain. The first plan `solve` improves, and the bench baseline."""
    return _greedy(_Day(problem))


def _greedy(day: _Day) -> dict[Cell, int | None]:
    problem = day.problem
    cells: dict[Cell, int | None] = dict.fromkeys(day.choices)
    last: dict[int, int | None] = dict.fromkeys(day.person_ids)
    used = dict.fromkeys(day.person_ids, 0)
    # Pinned queues still to come, per person, to keep their switches in reserve.
    ahead: dict[int, list[int]] = {
        pid: [q for t in day.chain[pid] if (pid, t) in day.pinned for q in day.choices[pid, t]]
        for pid in day.person_ids
    }
    for t in range(problem.intervals):
        options: dict[int, list[int]] = {}
        cost: dict[tuple[int, int], int] = {}
        for pid in day.at[t]:
            pinned = (pid, t) in day.pinned
            if pinned:
                ahead[pid].pop(0)
            allowed = []
            for q in day.choices[pid, t]:
                moves = int(last[pid] is not None and q != last[pid])
                if (
                    pinned
                    or used[pid] + moves + count_switches([q, *ahead[pid]]) <= day.limits[pid]
                ):
                    allowed.append(q)
                    if moves:
                        cost[pid, q] = 1
            options[pid] = allowed
        for pid, chosen in _interval_flow(day, t, options, cost, 1).items():
            cells[pid, t] = chosen
            if chosen is not None:
                used[pid] += int(last[pid] is not None and chosen != last[pid])
                last[pid] = chosen
    return cells


def _best_responses(
    day: _Day, cells: Mapping[Cell, int | None], sweeps: int = 8
) -> dict[Cell, int | None]:
    """Local search: person by person, replace their day with the best one given
    everyone else's, until nobody's day can improve (or `sweeps` passes).

    A person's best day is a small dynamic programme over (queue worked last,
    switches so far), scored by what each cell adds given the others: a seat of
    unmet need, a better seat (displacing the least proficient holder), an extra
    in a D'Hondt tier, not idling, minus each switch, with weights that keep the four
    levels lexicographic within one person's day. So a change never makes any level
    above worse, and the result is a plan no single person's change improves."""
    cells = dict(cells)
    counts: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0] * (EXPERT + 1))
    for (pid, t), q in cells.items():
        if q is not None:
            counts[q, t][day.proficiency[pid, q]] += 1
    longest = max((len(chain) for chain in day.chain.values()), default=0)
    top_tier = max((_tier_weight(day.required[q][t], 1) for q, t in day.tiers), default=0)
    w_switch = 2 * longest * (day.idle_weight + top_tier) + 1
    w_proficiency = (max(day.limits.values(), default=0) + 2) * w_switch
    w_unmet = (4 * longest + 2) * w_proficiency

    def gain(q: int, t: int, k: int) -> int:
        held = counts[q, t]
        r = day.required[q][t]
        present = held[CAPABLE] + held[PROFICIENT] + held[EXPERT]
        value = day.idle_weight  # not idle
        if present < r:
            return value + w_unmet - (EXPERT - k) * w_proficiency
        if r > 0:
            seen, weakest = 0, EXPERT
            for level in (EXPERT, PROFICIENT, CAPABLE):
                seen += held[level]
                if seen >= r:
                    weakest = level
                    break
            value += max(0, k - weakest) * w_proficiency
        if present - r + 1 in day.tiers.get((q, t), ()):
            value += _tier_weight(r, present - r + 1)
        return value

    movable = [pid for pid in day.person_ids if not day.pinned.issuperset(_cells_of(day, pid))]
    reach = {pid: {(q, t) for t in day.chain[pid] for q in day.choices[pid, t]} for pid in movable}
    dirty: set[tuple[int, int]] | None = None  # queue-intervals changed in the last pass
    for _sweep in range(sweeps):
        changed: set[tuple[int, int]] = set()
        for pid in movable:
            if dirty is not None and reach[pid].isdisjoint(dirty):
                continue  # nothing around this person moved since their last turn
            chain = day.chain[pid]
            now = [cells[pid, t] for t in chain]
            for t, q in zip(chain, now, strict=True):
                if q is not None:
                    counts[q, t][day.proficiency[pid, q]] -= 1
            own = day.people[pid].queues
            values = [{q: gain(q, t, own[q]) for q in day.choices[pid, t]} for t in chain]
            score = sum(v[q] for v, q in zip(values, now, strict=True) if q is not None)
            score -= w_switch * count_switches(now)
            pinned = [(pid, t) in day.pinned for t in chain]
            best, path = _best_path(values, pinned, day.limits[pid], w_switch)
            if best <= score:
                path = now
            for t, old, new in zip(chain, now, path, strict=True):
                if new is not None:
                    counts[new, t][day.proficiency[pid, new]] += 1
                if old != new:
                    cells[pid, t] = new
                    changed.update((q, t) for q in (old, new) if q is not None)
        if not changed:
            break
        dirty = changed
    return cells


def _cells_of(day: _Day, pid: int) -> list[Cell]:
    return [(pid, t) for t in day.chain[pid]]


def _best_path(
    values: list[dict[int, int]], pinned: list[bool], limit: int, w_switch: int
) -> tuple[int, list[int | None]]:
    """The best queue (or none) per working interval within `limit` switches, pinned
    intervals fixed: states are (queue worked last, switches so far). Switches the
    pins still to come will force are kept in reserve."""
    size = len(values)
    reserve = [0] * size  # switches among the pins after each position
    upcoming: list[int | None] = [None] * size  # the next pinned queue after each
    later: list[int] = []
    for i in range(size - 1, -1, -1):
        reserve[i] = count_switches(later)
        upcoming[i] = later[0] if later else None
        if pinned[i]:
            later.insert(0, next(iter(values[i])))
    State = tuple[int | None, int]
    scores: dict[State, int] = {(None, 0): 0}
    back: list[dict[State, tuple[State, int | None]]] = []
    for i, value in enumerate(values):
        following: dict[State, int] = {}
        came: dict[State, tuple[State, int | None]] = {}
        for state, score in scores.items():
            last, used = state
            if not pinned[i] and (state not in following or score > following[state]):
                following[state] = score
                came[state] = (state, None)
            for q, gain in value.items():
                switch = last is not None and q != last
                if not pinned[i]:
                    ahead = reserve[i] + (upcoming[i] is not None and upcoming[i] != q)
                    if used + switch + ahead > limit:
                        continue
                key = (q, used + switch)
                total = score + gain - (w_switch if switch else 0)
                if key not in following or total > following[key]:
                    following[key] = total
                    came[key] = (state, q)
        scores = following
        back.append(came)
    best = max(scores, key=scores.__getitem__)
    path: list[int | None] = [None] * size
    state = best
    for i in range(size - 1, -1, -1):
        state, path[i] = back[i][state]
    return scores[best], path


# -- CP-SAT over a neighbourhood -----------------------------------------------------


def _solver(time_limit: float) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.num_search_workers = 1
    solver.parameters.random_seed = 20261124
    solver.parameters.max_deterministic_time = max(time_limit, 0.001)
    # The full LP relaxation: measured on a 15-person day, the default level left the
    # day flows out of the LP and proved nothing in 3 s; this proves it in 0.5 s.
    solver.parameters.linearization_level = 2
    return solver


_START = -1  # the state of a day before its first queue


class _Neighbourhood:
    """CP-SAT over the cells in `free`, every other cell held as it is in `cells`.

    A person's day is a path through states "the queue worked last" (or none yet):
    each interval either keeps the state (no queue) or moves to the queue worked,
    and a move between two different queues is a switch. Written as a flow through
    those states, its LP relaxation is already a mix of whole days, which keeps the
    bound close; the switch limit is one more constraint per person.

    The expressions are the four levels restricted to what the free cells can change
    (the queue-intervals they touch, the days of their people, the free cells
    themselves); the rest of each level is a constant.
    """

    def __init__(
        self, day: _Day, cells: Mapping[Cell, int | None], free: Sequence[Cell], depth: int
    ):
        self.day = day
        self.cells = cells
        self.free = list(free)
        self.m = cp_model.CpModel()
        free_set = set(free)
        # What each free cell does, as 0/1 expressions: on[cell][queue] and idle[cell].
        self.on: dict[Cell, dict[int, cp_model.LinearExprT]] = {}
        self.idle_of: dict[Cell, cp_model.LinearExprT] = {}
        self.hints: list[tuple[cp_model.IntVar, int]] = []
        switches: list[cp_model.LinearExprT] = []
        by_person: dict[int, list[int]] = defaultdict(list)
        for pid, t in free:
            by_person[pid].append(t)
        self.people = sorted(by_person)
        for pid in self.people:
            queues = {q for t in by_person[pid] for q in day.choices[pid, t]}
            queues |= {q for t in day.chain[pid] if (q := cells.get((pid, t))) is not None}
            if len(queues) < 2:
                self._plain(pid, by_person[pid])
            else:
                switches.append(self._day_flow(pid, free_set))
        unmet, loss, missed = self._seats(depth, free_set)
        self.expressions: list[cp_model.LinearExprT] = [
            sum(unmet),
            sum(loss),
            sum(switches),
            day.idle_weight * sum(self.idle_of.values()) + sum(missed),
        ]

    def _plain(self, pid: int, intervals: list[int]) -> None:
        """One queue at most all day: on it or not, no switch to count."""
        for t in intervals:
            (q,) = self.day.choices[pid, t]
            var = self.m.new_bool_var(f"x{pid}_{t}")
            self.on[pid, t] = {q: var}
            self.idle_of[pid, t] = 1 - var
            self.hints.append((var, self.cells.get((pid, t)) == q))

    def _day_flow(self, pid: int, free: set[Cell]) -> cp_model.LinearExprT:
        """The person's day from their first free cell to their last as a flow; the
        cells before and after are constants. Returns their switches and caps them."""
        day, m, cells = self.day, self.m, self.cells
        chain = day.chain[pid]
        where = [i for i, t in enumerate(chain) if (pid, t) in free]
        first, last = where[0], where[-1]
        before = [cells.get((pid, t)) for t in chain[:first]]
        after = [cells.get((pid, t)) for t in chain[last + 1 :]]
        entry = next((q for q in reversed(before) if q is not None), _START)
        following = next((q for q in after if q is not None), None)
        flows: dict[int, cp_model.LinearExprT] = {entry: 1}
        taken = entry
        moves: list[cp_model.LinearExprT] = []
        for t in chain[first : last + 1]:
            cell = (pid, t)
            options: list[int | None] = (
                [None, *day.choices[cell]] if cell in free else [cells.get(cell)]
            )
            now = cells.get(cell)
            arriving: dict[int, list[cp_model.IntVar]] = defaultdict(list)
            on: dict[int, list[cp_model.IntVar]] = defaultdict(list)
            idle: list[cp_model.IntVar] = []
            for state, inflow in flows.items():
                leaving = []
                for option in options:
                    var = m.new_bool_var(f"y{pid}_{t}_{state}_{option}")
                    leaving.append(var)
                    self.hints.append((var, state == taken and option == now))
                    if option is None:
                        arriving[state].append(var)
                        idle.append(var)
                        continue
                    arriving[option].append(var)
                    on[option].append(var)
                    if state not in (_START, option):
                        moves.append(var)
                m.add(sum(leaving) == inflow)
            flows = {state: sum(vs) for state, vs in arriving.items()}
            if now is not None:
                taken = now
            if cell in free:
                self.on[cell] = {q: sum(on[q]) for q in day.choices[cell]}
                self.idle_of[cell] = sum(idle)
        if following is not None:
            moves += [flow for state, flow in flows.items() if state not in (_START, following)]
        total = count_switches(before) + sum(moves) + count_switches(after)
        m.add(total <= day.limits[pid])
        return total

    def _seats(self, depth: int, free: set[Cell]) -> tuple[list, list, list]:
        """Unmet, proficiency shortfall and missed D'Hondt weight of every queue-interval
        the free cells touch: z[k] seats go to people of proficiency k, at most the
        need; the rest is unmet; tiers count the people beyond the filled seats."""
        day, m, cells = self.day, self.m, self.cells
        free_on: dict[tuple[int, int], dict[int, list[cp_model.LinearExprT]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for (pid, t), on in self.on.items():
            for q, expr in on.items():
                free_on[q, t][day.proficiency[pid, q]].append(expr)
        touched = set(free_on)
        self.touched = sorted(touched)
        fixed_on: dict[tuple[int, int], dict[int, int]] = defaultdict(lambda: defaultdict(int))
        for t in sorted({t for _q, t in touched}):
            for pid in day.at[t]:
                held = cells.get((pid, t))
                if held is not None and (pid, t) not in free and (held, t) in touched:
                    fixed_on[held, t][day.proficiency[pid, held]] += 1
        unmet: list[cp_model.LinearExprT] = []
        loss: list[cp_model.LinearExprT] = []
        missed: list[cp_model.LinearExprT] = []
        now = day.staffing_at(cells, touched)
        for q, t in self.touched:
            r = day.required[q][t]
            if r == 0:
                continue
            variables = free_on[q, t]
            fixed = fixed_on.get((q, t), {})
            seated = sorted(now.get((q, t), []), reverse=True)[:r]
            filled = []
            for k in PROFICIENCIES:
                count = fixed.get(k, 0) + len(variables.get(k, ()))
                if count == 0:
                    continue
                z = m.new_int_var(0, min(r, count), f"z{q}_{t}_{k}")
                m.add(z <= fixed.get(k, 0) + sum(variables.get(k, ())))
                self.hints.append((z, seated.count(k)))
                filled.append(z)
                loss.append((EXPERT - k) * z)
            seats = cp_model.LinearExpr.sum(filled)
            m.add(seats <= r)
            unmet.append(r - seats)
            if depth < 3:
                continue
            present: cp_model.LinearExprT = sum(fixed.values()) + sum(
                sum(vs) for vs in variables.values()
            )
            reach = sum(fixed.values()) + sum(len(vs) for vs in variables.values())
            tiers = []
            for k in day.tiers.get((q, t), ()):
                if reach < r + k:
                    missed.append(_tier_weight(r, k))
                    continue
                e = m.new_bool_var(f"e{q}_{t}_{k}")
                self.hints.append((e, len(now.get((q, t), [])) - len(seated) >= k))
                tiers.append(e)
                missed.append(_tier_weight(r, k) * (1 - e))
            if tiers:
                m.add(cp_model.LinearExpr.sum(tiers) + seats <= present)
        return unmet, loss, missed

    def local_levels(self, cells: Mapping[Cell, int | None]) -> tuple[int, ...]:
        """The same four expressions, evaluated in Python for a plan."""
        day = self.day
        on = day.staffing_at(cells, self.touched)
        unmet = loss = missed = 0
        for q, t in self.touched:
            u, s, w = day.seat_terms(q, t, on.get((q, t), []))
            unmet, loss, missed = unmet + u, loss + s, missed + w
        switches = sum(day.switches(pid, cells) for pid in self.people)
        idle = day.idle(cells, self.free)
        return unmet, loss, switches, day.idle_weight * idle + missed

    def improve(
        self, depth: int, time_limit: float
    ) -> tuple[dict[Cell, int | None] | None, cp_model.CpSolver, object]:
        """Minimise level `depth` with the levels above held at their present values:
        the better cells (or None), the solver and its status."""
        current = self.local_levels(self.cells)
        for level in range(depth):
            self.m.add(self.expressions[level] <= current[level])
        self.m.minimize(self.expressions[depth])
        for var, value in self.hints:
            self.m.add_hint(var, value)
        solver = _solver(time_limit)
        status = solver.solve(self.m)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None, solver, status
        found = dict(self.cells)
        for cell, on in self.on.items():
            found[cell] = next((q for q, expr in on.items() if solver.value(expr)), None)
        if self.local_levels(found)[: depth + 1] >= current[: depth + 1]:
            return None, solver, status
        return found, solver, status


# -- The search ----------------------------------------------------------------------


def _window(day: _Day, t: int) -> list[Cell]:
    first = max(0, min(t - WINDOW // 2, day.problem.intervals - WINDOW))
    span = range(first, min(first + WINDOW, day.problem.intervals))
    return [(pid, u) for u in span for pid in day.at[u] if (pid, u) not in day.pinned]


def _group(day: _Day, seed: int, cells: Mapping[Cell, int | None]) -> list[Cell]:
    """The seed's whole day and those of the people who could take over its queues,
    the ones with most switches first, up to NEIGHBOURHOOD_CELLS cells."""
    mine = set(day.people[seed].queues)
    hours = set(day.chain[seed])
    others = [
        pid
        for pid in day.person_ids
        if pid != seed and mine & set(day.people[pid].queues) and hours & set(day.chain[pid])
    ]
    others.sort(key=lambda pid: (-day.switches(pid, cells), pid))
    chosen: list[Cell] = []
    for pid in [seed, *others]:
        own = [(pid, t) for t in day.chain[pid] if (pid, t) not in day.pinned]
        if chosen and len(chosen) + len(own) > NEIGHBOURHOOD_CELLS:
            break
        chosen += own
    return chosen


def _candidates(
    day: _Day, cells: Mapping[Cell, int | None], depth: int, relaxed: list[int]
) -> list[tuple[str, int]]:
    """Neighbourhoods for level `depth`, the most promising first: windows around the
    intervals furthest above the relaxation, or groups around the people who switch most."""
    if depth == 2:
        seeds = sorted(
            (pid for pid in day.person_ids if day.switches(pid, cells) > 0),
            key=lambda pid: (-day.switches(pid, cells), pid),
        )
        return [("group", pid) for pid in seeds]
    now = day.by_interval(cells, depth)
    excess = sorted(
        (t for t in range(day.problem.intervals) if now[t] > relaxed[t]),
        key=lambda t: (relaxed[t] - now[t], t),
    )
    return [("window", t) for t in excess]


def solve(problem: QueuePlanProblem) -> QueuePlan:
    """The first plan from the interval flows and the local search, then each level in
    turn improved by CP-SAT within the problem's deterministic time budget."""
    check(problem)
    search = _Search(_Day(problem))
    search.run()
    return search.plan()


class _Search:
    def __init__(self, day: _Day):
        self.day = day
        relaxed = relaxation_cells(day)
        self.relaxed = day.levels(relaxed)
        self.relaxed_by_interval = {d: day.by_interval(relaxed, d) for d in (0, 1, 3)}
        self.cells = _best_responses(day, _greedy(day))
        self.remaining = day.problem.time_limit
        self.steps = 0
        self.moved = False  # a neighbourhood changed the plan since the last local search
        self.proven: dict[int, int] = {}  # level -> a bound CP-SAT proved on the whole day

    def is_proven(self, depth: int) -> bool:
        values = self.day.levels(self.cells)
        return _bounds(values, self.relaxed, self.proven)[depth] >= values[depth]

    def run(self) -> None:
        if not self.day.free_cells:  # every cell is pinned or has nothing to do: one plan
            self.proven = dict(enumerate(self.day.levels(self.cells)))
            return
        if len(self.day.free_cells) <= WHOLE_DAY_CELLS:
            for depth in range(len(LEVELS)):
                if not self.is_proven(depth):
                    self.whole_day(depth, self.remaining * _LEVEL_SHARE[depth])
            return
        for phase in ((0, 1), (2, 3)):
            self.moved = False
            for depth in phase:
                if not self.is_proven(depth):
                    self.neighbourhoods(depth, self.remaining * _LEVEL_SHARE[depth])
            if self.moved:
                # Put right what the levels above left to chance (idle, the spread).
                self.cells = _best_responses(self.day, self.cells)

    def whole_day(self, depth: int, budget: float) -> None:
        day = self.day
        hood = _Neighbourhood(day, self.cells, day.free_cells, depth)
        constant = day.levels(self.cells)[depth] - hood.local_levels(self.cells)[depth]
        found, solver, status = hood.improve(depth, budget)
        self.remaining -= solver.response_proto.deterministic_time
        if found is not None:
            self.cells = found
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            # The model's bound, not the plan's value: the two agree when the model
            # is exact, and a bound must never claim more than was proved.
            self.proven[depth] = constant + math.ceil(solver.best_objective_bound - 1e-6)

    def neighbourhoods(self, depth: int, budget: float) -> None:
        day = self.day
        tried: set[tuple[str, int]] = set()
        while budget > 0.01 and self.steps < _MAX_STEPS and not self.is_proven(depth):
            relaxed = self.relaxed_by_interval.get(depth, [])
            options = [c for c in _candidates(day, self.cells, depth, relaxed) if c not in tried]
            if not options:
                break
            kind, at = options[0]
            tried.add((kind, at))
            free = _window(day, at) if kind == "window" else _group(day, at, self.cells)
            hood = _Neighbourhood(day, self.cells, free, depth)
            found, solver, _status = hood.improve(depth, min(_STEP_TIME, budget))
            used = solver.response_proto.deterministic_time
            budget -= used
            self.remaining -= used
            self.steps += 1
            if found is not None:
                self.cells = found
                self.moved = True
                tried.clear()

    def plan(self) -> QueuePlan:
        values = self.day.levels(self.cells)
        bounds = _bounds(values, self.relaxed, self.proven)
        levels = tuple(
            Level(name, value, bound)
            for name, value, bound in zip(LEVELS, values, bounds, strict=True)
        )
        status = "optimal" if all(level.is_optimal for level in levels) else "feasible"
        return _plan(self.day, self.cells, levels, status)


def _bounds(values: Sequence[int], relaxed: Sequence[int], proven: Mapping[int, int]) -> list[int]:
    """Each level's bound among plans equal to this one on the levels above: the
    relaxation's for levels 1, 2 and 4 while the levels above it (bar switches, which
    it ignores) sit at the relaxation's values; CP-SAT's where a whole-day solve proved one."""
    found = []
    for depth in range(len(LEVELS)):
        bound = proven.get(depth, 0)
        above = [d for d in range(depth) if d != 2]
        if depth != 2 and all(values[d] == relaxed[d] for d in above):
            bound = max(bound, relaxed[depth])
        found.append(bound)
    return found


def _plan(
    day: _Day, cells: Mapping[Cell, int | None], levels: tuple[Level, ...], status: str
) -> QueuePlan:
    problem = day.problem
    assignment = {
        p.id: {t: cells.get((p.id, t)) for t in sorted(p.available)} for p in problem.people
    }
    count: dict[tuple[int, int], int] = defaultdict(int)
    for (_pid, t), q in cells.items():
        if q is not None:
            count[q, t] += 1
    short = [
        Shortfall(queue.id, t, r, count[queue.id, t])
        for queue in problem.queues
        for t, r in enumerate(queue.required)
        if count[queue.id, t] < r
    ]
    order = {queue.id: n for n, queue in enumerate(problem.queues)}
    # Worst first: most agents short, then the largest share of the need, then the
    # day's order and the queues' order, so the list is stable.
    short.sort(key=lambda s: (-s.short, -s.short / s.required, s.interval, order[s.queue_id]))
    return QueuePlan(
        assignment=assignment,
        unmet=tuple(short),
        levels=levels,
        status=status,
        switches={pid: day.switches(pid, cells) for pid in day.person_ids},
        switch_limit=dict(day.limits),
        idle=day.idle(cells, day.choices),
    )


def violations(problem: QueuePlanProblem, plan: QueuePlan) -> list[str]:
    """Every hard rule a plan breaks, checked without the model."""
    found = []
    people = {p.id: p for p in problem.people}
    required = {q.id: q.required for q in problem.queues}
    limits = switch_limits(problem)
    for person in problem.people:
        days = plan.assignment.get(person.id, {})
        if set(days) != set(person.available):
            found.append(f"person {person.id}: the plan does not cover exactly their intervals")
    for pid, days in plan.assignment.items():
        person = people[pid]
        for t, q in days.items():
            if t not in person.available and q is not None:
                found.append(f"person {pid} on queue {q} at {t}, outside their availability")
            if q is not None and q not in person.queues:
                found.append(f"person {pid} on queue {q} at {t} without its skill")
            if (pid, t) in problem.pins:
                if problem.pins[pid, t] != q:
                    found.append(f"person {pid} at {t}: pinned to {problem.pins[pid, t]}, got {q}")
            elif q is not None and required[q][t] == 0:
                found.append(f"person {pid} on queue {q} at {t}, which needs nobody then")
        switches = count_switches(days[t] for t in sorted(days))
        if switches > limits[pid]:
            found.append(f"person {pid}: {switches} switches, limit {limits[pid]}")
    return found
