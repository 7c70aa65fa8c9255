"""Weekend rota generator benchmark: a site pool over a quarter.

    python bench/rota.py [--associates 300] [--weeks 13] [--out plan.json]
    python bench/rota.py --sweep [--sizes 150x13,300x13,...]

Builds a deterministic instance (skills and skill needs, approved leave, a year
of weekend history, volunteers, blackout dates, preferred comp weekdays, limited
weekday cover, the site's public holidays, and people who join or leave during
the quarter), runs the generator, checks the plan against every hard
constraint independently of the model, and prints solve time (wall and CPU
seconds: on a shared machine read the CPU seconds), fairness gap, violations,
objective and the bound for the whole period. The last line is one JSON object.
No database is involved: the generator is pure Python over plain data.

`--sweep` runs a series of sizes, printing one JSON line per size and, last, the
growth exponent k fitted (least squares on logarithms) to CPU seconds ~ (people x
weeks)^k: 1 is linear.

`--out` writes the instance and the plan with everything a second program needs
to check it on its own: holidays, each person's hire and leaving dates, leave,
last weekend worked, days already off, weekday cover, the comp window and the
back-to-back rule.
"""

import argparse
import datetime as dt
import json
import math
import random
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import holidays as holiday_calendars

from scheduling.solver import (
    Person,
    RotaInfeasible,
    RotaPlan,
    RotaProblem,
    solve,
    violations,
    weekend_days_between,
)

FIRST = dt.date(2027, 1, 4)  # a Monday
NEW_JOINER = dt.timedelta(weeks=4)  # settings.ROTA_NEW_JOINER_WEEKS
SKILLS = {1: "Connect", 2: "Disputes", 3: "Phone", 4: "Terminal"}


COUNTRY = "IE"  # the site's calendar: St Brigid's Day, St Patrick's Day, Easter Monday...


def site_holidays(weeks: int) -> set[dt.date]:
    last = FIRST + dt.timedelta(days=7 * (weeks + 3))
    calendar = holiday_calendars.country_holidays(COUNTRY, years=range(FIRST.year, last.year + 1))
    return {d for d in calendar if FIRST - dt.timedelta(days=7) <= d <= last}


def employment(rng: random.Random, weeks: int) -> tuple[dt.date, dt.date | None]:
    """Hire and leaving dates: most people were there all along; some join and some
    leave during the quarter (on any day of the week)."""
    hired_on = FIRST - dt.timedelta(days=rng.randint(200, 3000))
    left_on = None
    draw = rng.random()
    if draw < 0.04:
        hired_on = FIRST + dt.timedelta(days=rng.randrange(3, 7 * weeks - 21))
    elif draw < 0.08:
        left_on = FIRST + dt.timedelta(days=rng.randrange(10, 7 * weeks - 3))
    return hired_on, left_on


def instance(associates: int, weeks: int, seed: int = 7) -> RotaProblem:
    rng = random.Random(seed)
    last = FIRST + dt.timedelta(days=7 * weeks - 1)
    weekend = weekend_days_between(FIRST, last)
    weekdays = [
        FIRST + dt.timedelta(days=n)
        for n in range(-7, 7 * weeks + 21)
        if (FIRST + dt.timedelta(days=n)).weekday() < 5
    ]
    holidays = site_holidays(weeks)
    people = []
    EMPLOYMENT.clear()
    for i in range(associates):
        skills = frozenset(s for s in SKILLS if rng.random() < 0.3)
        # A year of history: about one weekend day a month, a little uneven.
        history = rng.choice([11, 12, 12, 12, 13])
        leave: set[dt.date] = set()
        if rng.random() < 0.15:  # a week or two of annual leave in the quarter
            start = FIRST + dt.timedelta(days=rng.randrange(0, 7 * weeks - 14))
            leave |= {start + dt.timedelta(days=n) for n in range(rng.choice([7, 14]))}
        volunteer = frozenset(d for d in weekend if rng.random() < 0.03)
        blackout = frozenset(d for d in weekend if rng.random() < 0.05) - volunteer
        hired_on, left_on = employment(rng, weeks)
        EMPLOYMENT[i] = (hired_on, left_on)

        def away(
            day: dt.date, hired_on: dt.date = hired_on, left_on: dt.date | None = left_on
        ) -> bool:
            return day < hired_on or (left_on is not None and day >= left_on)

        # As the app builds it: weekend days outside employment or in a new joiner's
        # first weeks cannot be duties; holidays and weekdays outside employment
        # cannot be comp days.
        settling = {d for d in weekend if hired_on <= d < hired_on + NEW_JOINER}
        on_leave = {d for d in weekend if d in leave}
        leave |= {d for d in weekend if away(d)} | settling
        off_days = frozenset(d for d in weekdays if d in holidays or away(d))
        people.append(
            Person(
                id=i,
                name=f"Associate {i:03d}",
                skills=skills,
                history=history,
                on_leave=frozenset(on_leave),
                not_employed=frozenset(d for d in weekend if away(d)),
                settling_in=frozenset(settling),
                last_weekend=FIRST - dt.timedelta(days=rng.randint(1, 6) * 7 - 1),
                unavailable=frozenset(leave),
                off_days=off_days,
                volunteer=volunteer,
                blackout=blackout,
                preferred_comp_weekday=rng.choice([None, None, 0, 2, 4]),
            )
        )
    # Weekends need about one person in six each day (two days a quarter each).
    seats = max(2, associates // 6)
    people = _credited(people, weekend, seats)
    headcount = {d: seats for d in weekend}
    skill_needs = {(d, s): max(1, seats // 10) for d in weekend for s in SKILLS}
    # Weekday cover: a quarter of the pool may be off on any weekday beyond leave.
    spare = {d: max(2, associates // 8) for d in weekdays if d not in holidays}
    HOLIDAYS[:] = sorted(holidays)
    return RotaProblem(
        people=tuple(people),
        weekend_days=tuple(weekend),
        headcount=headcount,
        skill_needs=skill_needs,
        skill_names=SKILLS,
        spare_cover=spare,
    )


def _credited(people: list[Person], weekend: list[dt.date], seats: int) -> list[Person]:
    """Credit every weekend day a person cannot work (leave, before joining, settling
    in, after leaving) at the period's rate, as scheduling.services.rota does, so
    nobody owes days for being away and the fairness band can be one day wide."""
    absent = {p.id: sum(1 for d in weekend if d in p.unavailable) for p in people}
    open_days = len(people) * len(weekend) - sum(absent.values())
    rate = seats * len(weekend) / open_days if open_days else 0.0
    return [replace(p, history=p.history + round(rate * absent[p.id])) for p in people]


# What `instance` knew beyond the problem itself, for --out.
EMPLOYMENT: dict[int, tuple[dt.date, dt.date | None]] = {}
HOLIDAYS: list[dt.date] = []


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


SWEEP = "150x13,300x13,600x13,1200x13,300x26,300x52"


def run(associates: int, weeks: int, *, workers: int = 1) -> tuple[RotaProblem, RotaPlan, dict]:
    """Solve one instance; the plan and its figures (the JSON line)."""
    problem = replace(instance(associates, weeks), workers=workers)
    start, cpu = time.perf_counter(), time.process_time()
    plan = solve(problem)
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
    if isinstance(plan, RotaInfeasible):
        print("infeasible:", *plan.conflicts, sep="\n  ")
        raise SystemExit(1)
    broken = violations(problem, plan)
    gap = (plan.objective - plan.bound) / plan.objective if plan.objective else 0.0
    return (
        problem,
        plan,
        {
            "associates": associates,
            "weeks": weeks,
            "solve_s": round(seconds, 2),
            "cpu_s": round(cpu_seconds, 2),
            "fairness_gap": plan.fairness_gap,
            "back_to_back": plan.back_to_back,
            "violations": len(broken),
            "objective": plan.objective,
            "bound": plan.bound,
            "optimality_gap": round(gap, 4),
        },
    )


def growth_exponent(points: list[tuple[float, float]]) -> float:
    """k of time ~ size^k, least squares on the logarithms."""
    xs = [math.log(size) for size, _t in points]
    ys = [math.log(max(t, 1e-3)) for _size, t in points]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread


def sweep(sizes: str, workers: int) -> None:
    points: list[tuple[float, float]] = []
    for size in sizes.split(","):
        associates, weeks = (int(n) for n in size.lower().split("x"))
        _problem, _plan, figures = run(associates, weeks, workers=workers)
        print(json.dumps(figures), flush=True)
        points.append((float(associates * weeks), float(figures["cpu_s"])))
    print(json.dumps({"growth_exponent": round(growth_exponent(points), 3), "of": "cpu_s"}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--associates", type=int, default=300)
    parser.add_argument("--weeks", type=int, default=13)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--sweep", action="store_true")
    parser.add_argument("--sizes", default=SWEEP, help="for --sweep: PEOPLExWEEKS,...")
    parser.add_argument(
        "--workers", type=int, default=1, help="search workers (more: not reproducible)"
    )
    args = parser.parse_args()
    if args.sweep:
        sweep(args.sizes, args.workers)
        return

    problem, plan, figures = run(args.associates, args.weeks, workers=args.workers)
    print(f"{args.associates} associates, {args.weeks} weeks, {len(plan.duties)} weekend duties")
    print(f"solve time        {figures['solve_s']:.2f} s wall, {figures['cpu_s']:.2f} s CPU")
    broken = violations(problem, plan)
    gap = figures["optimality_gap"]
    print(f"fairness gap      {plan.fairness_gap} (max - min weekend days over the year)")
    print(f"back-to-back      {plan.back_to_back}")
    print(f"violations        {len(broken)}")
    print(f"holidays          {', '.join(f'{d:%a %-d %b}' for d in HOLIDAYS) or 'none'}")
    joiners = sum(1 for h, _l in EMPLOYMENT.values() if h >= FIRST)
    leavers = sum(1 for _h, left in EMPLOYMENT.values() if left is not None)
    print(f"joiners / leavers {joiners} / {leavers} during the period")
    print(f"objective / bound {plan.objective} / {plan.bound} (gap {gap:.2%}, bound of the period)")
    if args.out:
        args.out.write_text(
            json.dumps(
                {
                    "problem": {
                        "weekend_days": [d.isoformat() for d in problem.weekend_days],
                        "headcount": {d.isoformat(): n for d, n in problem.headcount.items()},
                        "skill_needs": [
                            [d.isoformat(), s, n] for (d, s), n in problem.skill_needs.items()
                        ],
                        "spare_cover": {d.isoformat(): n for d, n in problem.spare_cover.items()},
                        "holidays": [d.isoformat() for d in HOLIDAYS],
                        "country": COUNTRY,
                        "max_consecutive": problem.max_consecutive,
                        "comp_window_weeks": problem.comp_window_weeks,
                        "volunteers_only_back_to_back": problem.volunteers_only_back_to_back,
                        "people": [
                            {
                                "id": p.id,
                                "skills": sorted(p.skills),
                                "history": p.history,
                                "hired_on": EMPLOYMENT[p.id][0].isoformat(),
                                "left_on": _iso(EMPLOYMENT[p.id][1]),
                                "last_weekend": (
                                    p.last_weekend.isoformat() if p.last_weekend else None
                                ),
                                "unavailable": sorted(d.isoformat() for d in p.unavailable),
                                "off_days": sorted(d.isoformat() for d in p.off_days),
                                "volunteer": sorted(d.isoformat() for d in p.volunteer),
                                "blackout": sorted(d.isoformat() for d in p.blackout),
                                "preferred_comp_weekday": p.preferred_comp_weekday,
                            }
                            for p in problem.people
                        ],
                    },
                    "plan": [
                        {
                            "person": d.person_id,
                            "on": d.on.isoformat(),
                            "comp_on": d.comp_on.isoformat(),
                        }
                        for d in plan.duties
                    ],
                },
                indent=1,
            )
        )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
