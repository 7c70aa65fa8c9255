"""The day's queue plan on a big pool: 300 people on shift × 8 queues × 24 intervals.

    python bench/capacity_queue_plan.py [--people 300] [--queues 8] [--intervals 24]
                                        [--time-limit 5] [--seed 7]

Builds a deterministic day (shifts staggered over the day, a lunch break and a few
1:1s, each person with 1-3 skills at mixed proficiency, a demand curve with a morning
and an afternoon peak that outruns supply at times), solves it with
`scheduling.queue_plan.solve`, checks the plan against every hard rule independently
of the model, and prints the figures. The baseline is the greedy plan
(`scheduling.queue_plan.greedy`) timed in the same run, so the ratio compares across
machines. The last line is one JSON object. No database is involved.

`queue_plan_figures()` returns the same figures as a dict, for bench/capacity.py.
"""

import argparse
import json
import math
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scheduling.queue_plan import (
    LEVELS,
    Person,
    Queue,
    QueuePlanProblem,
    evaluate,
    greedy,
    relaxation,
    solve,
    violations,
)

# Queue name, share of the demand, share of people holding its skill.
QUEUES = [
    ("Chat", 0.24, 0.45),
    ("Phone", 0.22, 0.40),
    ("Email", 0.16, 0.35),
    ("Disputes", 0.10, 0.18),
    ("Terminal", 0.09, 0.15),
    ("Onboarding", 0.08, 0.14),
    ("Social", 0.06, 0.10),
    ("VIP", 0.05, 0.08),
]


def instance(
    people: int = 300,
    queues: int = 8,
    intervals: int = 24,
    *,
    seed: int = 7,
    time_limit: float = 5.0,
) -> QueuePlanProblem:
    rng = random.Random(seed)
    chosen = [QUEUES[n % len(QUEUES)] for n in range(queues)]
    share_total = sum(share for _name, share, _skill in chosen)
    staff = []
    for i in range(people):
        length = rng.choice([16, 16, 16, 12]) if intervals >= 16 else intervals
        length = min(length, intervals)
        start = rng.randint(0, intervals - length)
        on_shift = list(range(start, start + length))
        lunch = start + length // 2 + rng.choice([-1, 0, 1])
        away = {lunch}
        if rng.random() < 0.08:  # a 1:1 or training somewhere in the shift
            away.add(rng.choice(on_shift))
        available = frozenset(t for t in on_shift if t not in away)
        skills: dict[int, int] = {}
        count = rng.choices([1, 2, 3], weights=[3, 5, 2])[0]
        weights = [skill for _name, _share, skill in chosen]
        while len(skills) < min(count, queues):
            q = rng.choices(range(queues), weights=weights)[0]
            skills.setdefault(q, rng.choices([2, 3, 4], weights=[3, 4, 2])[0])
        staff.append(Person(id=i, available=available, queues=skills, name=f"A{i:03d}"))
    # The schedule follows the forecast roughly: demand runs at 75-110 % of the people
    # on shift, above them at the peaks, and its mix of queues is not the mix of skills.
    supply = [sum(1 for p in staff if t in p.available) for t in range(intervals)]
    built = []
    for q, (name, share, _skill) in enumerate(chosen):
        required = []
        for t in range(intervals):
            x = t / max(intervals - 1, 1)
            load = 0.75 + 0.35 * math.exp(-(((x - 0.3) / 0.12) ** 2))
            load += 0.3 * math.exp(-(((x - 0.72) / 0.12) ** 2))
            noise = rng.uniform(0.85, 1.15)
            required.append(max(0, round(supply[t] * load * noise * share / share_total)))
        built.append(Queue(id=q, required=tuple(required), name=name))
    return QueuePlanProblem(
        intervals=intervals,
        people=tuple(staff),
        queues=tuple(built),
        time_limit=time_limit,
    )


def queue_plan_figures(
    people: int = 300,
    queues: int = 8,
    intervals: int = 24,
    *,
    seed: int = 7,
    time_limit: float = 5.0,
) -> dict[str, object]:
    problem = instance(people, queues, intervals, seed=seed, time_limit=time_limit)
    # The baseline: the greedy plan, best of 3 (it is short).
    greedy_seconds = math.inf
    for _ in range(3):
        started = time.perf_counter()
        cells = greedy(problem)
        greedy_seconds = min(greedy_seconds, time.perf_counter() - started)
    greedy_levels = evaluate(problem, cells)
    relaxed_levels = evaluate(problem, relaxation(problem))
    wall = time.perf_counter()
    cpu = time.process_time()
    plan = solve(problem)
    wall = time.perf_counter() - wall
    cpu = time.process_time() - cpu
    broken = violations(problem, plan)
    required = sum(sum(q.required) for q in problem.queues)
    supply = sum(len(p.available) for p in problem.people)
    return {
        "people": people,
        "queues": queues,
        "intervals": intervals,
        "required_agent_intervals": required,
        "available_person_intervals": supply,
        "solve_seconds": round(wall, 3),
        "solve_cpu_seconds": round(cpu, 3),
        "load_average": round(os.getloadavg()[0], 2),
        "greedy_seconds": round(greedy_seconds, 4),
        "ratio_to_greedy": round(wall / greedy_seconds, 1),
        "status": plan.status,
        "levels": list(LEVELS),
        "objective": list(plan.objective),
        "bound": list(plan.bound),
        # The first level not proven optimal decides (the levels are lexicographic).
        "gap_percent": round(plan.gap_percent, 3),
        "level_gap_percent": [round(level.gap_percent, 3) for level in plan.levels],
        "greedy_objective": list(greedy_levels),
        "relaxation_objective": list(relaxed_levels),
        "max_switches_used": max(plan.switches.values(), default=0),
        "idle": plan.idle,
        "violations": len(broken),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--queues", type=int, default=8)
    parser.add_argument("--intervals", type=int, default=24)
    parser.add_argument("--time-limit", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    figures = queue_plan_figures(
        args.people, args.queues, args.intervals, seed=args.seed, time_limit=args.time_limit
    )
    for key, value in figures.items():
        print(f"{key:28} {value}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
