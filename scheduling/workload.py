"""Deferred queues (email, tickets): how many agents each interval needs so that
every contact is handled within its response target, with the backlog carried from
one interval to the next.

Pure Python, no Django. Contacts that arrive in interval i are due by the end of
interval i + window - 1 (window = response target ÷ interval length). Each open
interval gets just enough capacity to stay on track: the smallest steady rate that
would clear, by each deadline ahead, everything already waiting that is due by then
(earliest deadline first). Arrivals while the queue is closed wait for it to open;
any contact handled after its deadline is counted as late, so a plan that cannot
meet the target says so instead of hiding it.

Units: handle time and interval in seconds; capacity in contacts per interval;
agents are on the queue (before shrinkage).
"""

import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

EPSILON = 1e-9


@dataclass(frozen=True)
class DeferredPlan:
    agents: list[int]  # per interval
    handled: list[float]  # contacts handled per interval
    backlog: list[float]  # contacts still waiting at the end of each interval
    late: float  # contacts handled after their deadline (or still waiting past it)


def _agents_for(contacts: float, handle_seconds: float, productive_seconds: float) -> int:
    return math.ceil(contacts * handle_seconds / productive_seconds - EPSILON)


def deferred_required(
    *,
    arrivals: Sequence[float],
    handle_seconds: float,
    interval_seconds: float,
    respond_within_intervals: int,
    open_intervals: Sequence[bool] | None = None,
    max_occupancy: float = 0.85,
) -> DeferredPlan:
    """Agents per interval for a deferred queue; see the module docstring."""
    if any(a < 0 or not math.isfinite(a) for a in arrivals):
        raise ValueError("arrivals must be finite numbers, not negative")
    if handle_seconds <= 0 or interval_seconds <= 0:
        raise ValueError("the handle time and the interval must be positive")
    if respond_within_intervals < 1:
        raise ValueError("the response target must be at least one interval")
    if not 0 < max_occupancy <= 1:
        raise ValueError("the maximum occupancy must be above 0 and at most 1")
    opened = list(open_intervals) if open_intervals is not None else [True] * len(arrivals)
    if len(opened) != len(arrivals):
        raise ValueError("give one open/closed flag per interval")
    productive = interval_seconds * max_occupancy
    per_agent = productive / handle_seconds  # contacts one agent handles per interval
    waiting: deque[list[float]] = deque()  # [deadline interval, contacts], by deadline
    agents: list[int] = []
    handled: list[float] = []
    backlog: list[float] = []
    late = 0.0
    for i, arrived in enumerate(arrivals):
        if arrived > 0:
            waiting.append([i + respond_within_intervals - 1, arrived])
        if not opened[i]:
            agents.append(0)
            handled.append(0.0)
            backlog.append(sum(c for _d, c in waiting))
            continue
        # The steady rate that meets every deadline ahead, counting only open
        # intervals between now and each deadline (at least this one).
        rate, due, open_ahead, j = 0.0, 0.0, 0, i
        for deadline, contacts in waiting:
            while j <= deadline:
                open_ahead += 1 if j >= len(opened) or opened[j] else 0
                j += 1
            due += contacts
            rate = max(rate, due / max(open_ahead, 1))
        count = _agents_for(rate, handle_seconds, productive)
        capacity = count * per_agent
        done = 0.0
        while waiting and capacity - done > EPSILON:
            deadline, contacts = waiting[0]
            take = min(contacts, capacity - done)
            done += take
            if deadline < i:
                late += take
            if take >= contacts - EPSILON:
                waiting.popleft()
            else:
                waiting[0][1] = contacts - take
        agents.append(count)
        handled.append(done)
        backlog.append(sum(c for _d, c in waiting))
    late += sum(c for d, c in waiting if d < len(arrivals))
    return DeferredPlan(agents=agents, handled=handled, backlog=backlog, late=late)
