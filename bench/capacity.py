"""Capacity planning benchmark: required staff, forecast accuracy, the queue plan.

    python bench/capacity.py [--queues 20] [--weeks 8] [--repeat 3] [--seed 7]

No database: the modules it measures are pure Python over plain data.

(a) Requirements: `--queues` queues (three in five live, through
    scheduling.erlang.required_agents per interval; the rest deferred, through
    scheduling.workload.deferred_required over the whole period) x `--weeks` weeks of
    30-minute intervals, each queue with its own weekly and intraday shape, a trend and
    opening hours; then shrinkage to heads. Timed (best of `--repeat`) against a
    baseline measured in the same run: one plain Python pass over the same intervals
    computing their traffic. Target: under 1 s.
(b) Forecast accuracy: per queue, 12 weeks of Poisson arrivals around a known weekly x
    intraday shape (with a trend and a holiday at 40 % of a normal day), forecast 4 weeks
    ahead by scheduling.forecast.forecast (backtest included), scored against a fresh
    Poisson draw of those weeks. The noise floor is the wMAPE of the true mean against
    the same draw: no forecast can do better on average. Target: the chosen forecast
    within 10 % of the floor; seasonal naive's figure is printed beside it. The time
    for all queues is a ratio against one plain pass over their history.
(c) The queue plan for 300 people on shift x 8 queues x 24 intervals
    (bench/capacity_queue_plan.py, which also runs alone).

The last line is one JSON object with every figure.
"""

import argparse
import json
import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from scheduling.erlang import required_agents, with_shrinkage
from scheduling.workload import deferred_required

FIRST = date(2027, 1, 4)  # a Monday
INTERVAL = 1800
SLOTS = [clock(h, m) for h in range(24) for m in (0, 30)]
SHRINKAGE = 0.3


@dataclass(frozen=True)
class Queue:
    is_live: bool
    peak: float  # contacts in the busiest interval of an average weekday
    handle_seconds: float
    target: float  # live: share answered within `within`
    within: int  # live: seconds; deferred: intervals
    days: np.ndarray  # 7 weekday factors
    intraday: np.ndarray  # 48 slot factors, 0 while closed


def queues(count: int, seed: int) -> list[Queue]:
    """Each queue its own shape: weekday factors (quieter weekends), a morning and an
    afternoon peak, open 07:00-21:00 on weekdays and 09:00-17:00 at weekends (the
    weekend hours cut by the intraday factors below)."""
    rng = np.random.default_rng(seed)
    made = []
    hours = np.arange(48) / 2 + 0.25
    for i in range(count):
        is_live = i % 5 < 3
        days = np.array([1.15, 1.05, 1.0, 1.0, 0.95, 0.45, 0.3]) * rng.uniform(0.9, 1.1, 7)
        morning, afternoon = rng.uniform(9.5, 11.5), rng.uniform(13.5, 16)
        intraday = np.exp(-(((hours - morning) / 1.8) ** 2)) + 0.8 * np.exp(
            -(((hours - afternoon) / 2.2) ** 2)
        )
        intraday[(hours < 7) | (hours > 21)] = 0.0
        intraday /= intraday.max()
        made.append(
            Queue(
                is_live=is_live,
                peak=float(rng.uniform(4, 60) if is_live else rng.uniform(3, 30)),
                handle_seconds=float(rng.uniform(180, 480) if is_live else rng.uniform(300, 720)),
                target=0.8 if i % 2 else 0.9,
                within=(20 if i % 2 else 60) if is_live else (8 if i % 2 else 16),
                days=days,
                intraday=intraday,
            )
        )
    return made


def weekend_hours(day: date) -> np.ndarray:
    hours = np.arange(48) / 2 + 0.25
    if day.weekday() < 5:
        return np.ones(48)
    return ((hours > 9) & (hours < 17)).astype(float)


def mean_volume(queue: Queue, day: date, growth_per_week: float = 0.01) -> np.ndarray:
    """The true expected contacts per slot of a day."""
    weeks = (day - FIRST).days / 7
    level = queue.peak * queue.days[day.weekday()] * (1 + growth_per_week * weeks)
    return level * queue.intraday * weekend_hours(day)


def best_of(repeat: int, run: Callable[[], Any]) -> tuple[float, Any]:
    best, result = math.inf, None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    return best, result


# --- (a) requirements --------------------------------------------------------------


def requirements(plan: list[tuple[Queue, list[float], list[bool]]]) -> int:
    """Heads to schedule summed over every interval of every queue."""
    heads = 0
    for queue, contacts, opened in plan:
        if queue.is_live:
            for volume in contacts:
                agents = required_agents(
                    contacts=volume,
                    interval_seconds=INTERVAL,
                    handle_seconds=queue.handle_seconds,
                    target_service_level=queue.target,
                    answer_within_seconds=queue.within,
                ).agents
                heads += with_shrinkage(agents, SHRINKAGE)
        else:
            result = deferred_required(
                arrivals=contacts,
                handle_seconds=queue.handle_seconds,
                interval_seconds=INTERVAL,
                respond_within_intervals=queue.within,
                open_intervals=opened,
            )
            heads += sum(with_shrinkage(a, SHRINKAGE) for a in result.agents)
    return heads


def traffic_pass(plan: list[tuple[Queue, list[float], list[bool]]]) -> float:
    """The baseline: touch every interval once (its traffic in erlangs)."""
    total = 0.0
    for queue, contacts, _opened in plan:
        for volume in contacts:
            total += volume * queue.handle_seconds / INTERVAL
    return total


def requirement_figures(count: int, weeks: int, repeat: int, seed: int) -> dict[str, Any]:
    plan = []
    for queue in queues(count, seed):
        contacts: list[float] = []
        opened: list[bool] = []
        for n in range(7 * weeks):
            day = FIRST + timedelta(days=n)
            volume = mean_volume(queue, day)
            contacts += [float(v) for v in volume]
            opened += [bool(v > 0) for v in queue.intraday * weekend_hours(day)]
        plan.append((queue, contacts, opened))
    intervals = sum(len(c) for _q, c, _o in plan)
    live = sum(len(c) for q, c, _o in plan if q.is_live)
    baseline_s, _ = best_of(repeat, lambda: traffic_pass(plan))
    seconds, heads = best_of(repeat, lambda: requirements(plan))
    print(f"(a) requirements: {count} queues x {weeks} weeks of 30-minute intervals")
    print(f"    intervals            {intervals:,} ({live:,} live, {intervals - live:,} deferred)")
    print(f"    time                 {seconds:.3f} s (target < 1 s)")
    print(f"    baseline (traffic)   {baseline_s * 1000:.1f} ms; ratio {seconds / baseline_s:.0f}x")
    print(f"    heads x intervals    {heads:,}")
    return {
        "requirements_intervals": intervals,
        "requirements_s": round(seconds, 3),
        "requirements_ratio": round(seconds / baseline_s, 1),
        "requirements_heads": heads,
    }


# --- (b) forecast accuracy --------------------------------------------------------

HISTORY_WEEKS = 12
AHEAD_WEEKS = 4
HOLIDAY_FACTOR = 0.4


def forecast_figures(count: int, seed: int) -> dict[str, Any]:
    start = time.perf_counter()
    import statsmodels.tsa.holtwinters  # noqa: F401  (imported on first use otherwise)

    from scheduling.forecast import Method, forecast

    import_s = time.perf_counter() - start
    rng = np.random.default_rng(seed + 1)
    history_days = [FIRST + timedelta(days=n) for n in range(7 * HISTORY_WEEKS)]
    ahead = [FIRST + timedelta(days=7 * HISTORY_WEEKS + n) for n in range(7 * AHEAD_WEEKS)]
    # One past holiday (a Wednesday) and one ahead (a Monday), as a site calendar has.
    holidays = {history_days[7 * 6 + 2], ahead[7 * 2]}

    def truth(queue: Queue, day: date) -> np.ndarray:
        mean = mean_volume(queue, day)
        return mean * HOLIDAY_FACTOR if day in holidays else mean

    cases = []
    for queue in queues(count, seed):
        history = {
            day: dict(zip(SLOTS, map(float, rng.poisson(truth(queue, day))), strict=True))
            for day in history_days
        }
        means = {day: truth(queue, day) for day in ahead}
        realised = {day: rng.poisson(means[day]).astype(float) for day in ahead}
        cases.append((history, means, realised))

    def plain_pass() -> float:
        return sum(sum(slots.values()) for history, _m, _r in cases for slots in history.values())

    baseline_s, _ = best_of(3, plain_pass)
    start = time.perf_counter()
    results = [forecast(history, ahead, holidays) for history, _m, _r in cases]
    seconds = time.perf_counter() - start

    errors = dict.fromkeys(["chosen", "floor", *Method], 0.0)
    actual_total = 0.0
    chosen_counts = dict.fromkeys(Method, 0)
    for (_history, means, realised), result in zip(cases, results, strict=True):
        chosen_counts[result.chosen] += 1
        for day in ahead:
            real = realised[day]
            actual_total += float(real.sum())
            errors["floor"] += float(np.abs(real - means[day]).sum())
            for method, made in result.forecasts.items():
                row = np.array([made.days[day].get(slot, 0.0) for slot in SLOTS])
                error = float(np.abs(real - row).sum())
                errors[method] += error
                if method == result.chosen:
                    errors["chosen"] += error
    wmape = {key: value / actual_total for key, value in errors.items()}
    ratio = wmape["chosen"] / wmape["floor"]
    slots = count * len(history_days) * len(SLOTS)
    print(
        f"(b) forecast: {count} queues, {HISTORY_WEEKS} weeks of 30-minute history "
        f"({slots:,} intervals), {AHEAD_WEEKS} weeks ahead, Poisson around a known shape"
    )
    print(f"    chosen forecast wMAPE {wmape['chosen']:.2%}")
    print(f"    Poisson noise floor   {wmape['floor']:.2%}")
    print(f"    ratio to the floor    {ratio:.3f} (target <= 1.10)")
    print(f"    seasonal naive wMAPE  {wmape[Method.SEASONAL_NAIVE]:.2%}")
    print(f"    weighted average      {wmape[Method.WEIGHTED_AVERAGE]:.2%}")
    print(f"    Holt-Winters          {wmape[Method.HOLT_WINTERS]:.2%}")
    picks = ", ".join(f"{m.label} {n}" for m, n in chosen_counts.items())
    print(f"    chosen                {picks}")
    print(
        f"    time                  {seconds:.2f} s for {count} queues with backtest "
        f"(ratio {seconds / baseline_s:.0f}x a plain pass over the history; "
        f"importing statsmodels once: {import_s:.2f} s)"
    )
    return {
        "forecast_queues": count,
        "forecast_wmape": round(wmape["chosen"], 4),
        "noise_floor_wmape": round(wmape["floor"], 4),
        "floor_ratio": round(ratio, 3),
        "seasonal_naive_wmape": round(wmape[Method.SEASONAL_NAIVE], 4),
        "weighted_average_wmape": round(wmape[Method.WEIGHTED_AVERAGE], 4),
        "holt_winters_wmape": round(wmape[Method.HOLT_WINTERS], 4),
        "chosen": {m.value: n for m, n in chosen_counts.items()},
        "forecast_s": round(seconds, 2),
        "forecast_ratio": round(seconds / baseline_s, 1),
        "statsmodels_import_s": round(import_s, 2),
    }


# --- (c) the queue plan -----------------------------------------------------------


def queue_plan_figures() -> dict[str, Any]:
    """300 people on shift x 8 queues x 24 intervals (bench/capacity_queue_plan.py):
    target under 5 s and within 1 % of the solver's bound."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from capacity_queue_plan import queue_plan_figures as figures

    found: dict[str, Any] = figures()
    return {f"queue_plan_{key}": value for key, value in found.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--queues", type=int, default=20)
    parser.add_argument("--weeks", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    figures = requirement_figures(args.queues, args.weeks, args.repeat, args.seed)
    figures |= forecast_figures(args.queues, args.seed)
    figures |= queue_plan_figures()
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
