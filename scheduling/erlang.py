"""Erlang C for live queues (chat, phone): how many agents an interval needs so that
a share of contacts is answered within a threshold, with the figures a lead reads
beside it (average speed of answer, occupancy, chance of waiting).

Pure Python, no Django. The Erlang B recursion B(n) = A·B(n-1) / (n + A·B(n-1))
stays in [0, 1] at every step, so it neither overflows nor loses precision for
thousands of agents (the textbook formula's A^n / n! overflows a float near
n = 170); Erlang C follows from B. The search for the smallest staffing walks up
from the traffic, extending B one agent at a time, so a whole search costs one
pass of the recursion.

Units: times in seconds; traffic A (erlangs) = contacts × handle time ÷ interval.
"""

import math
from dataclasses import dataclass


def erlang_b(agents: int, traffic: float) -> float:
    """Probability that a contact finds every one of `agents` busy (lost-calls model)."""
    if agents < 0 or traffic < 0:
        raise ValueError("agents and traffic must not be negative")
    blocking = 1.0
    for n in range(1, agents + 1):
        blocking = traffic * blocking / (n + traffic * blocking)
    return blocking


def _erlang_c_from_b(agents: int, traffic: float, blocking: float) -> float:
    if agents <= traffic:
        return 1.0  # the queue grows without bound: everyone waits
    return agents * blocking / (agents - traffic * (1 - blocking))


def erlang_c(agents: int, traffic: float) -> float:
    """Probability that a contact has to wait (Erlang C), 1 when agents <= traffic."""
    return _erlang_c_from_b(agents, traffic, erlang_b(agents, traffic))


def _service_level(
    agents: int, traffic: float, wait: float, handle_seconds: float, within_seconds: float
) -> float:
    if agents <= traffic:
        return 0.0
    return max(0.0, 1 - wait * math.exp(-(agents - traffic) * within_seconds / handle_seconds))


@dataclass(frozen=True)
class Staffing:
    """What one interval needs and what that staffing gives."""

    agents: int  # on the queue, answering (before shrinkage)
    traffic: float  # erlangs
    service_level: float  # share answered within the threshold
    asa_seconds: float  # average speed of answer
    occupancy: float  # share of agents' time spent handling
    wait_probability: float


NO_CONTACTS = Staffing(0, 0.0, 1.0, 0.0, 0.0, 0.0)


def required_agents(
    *,
    contacts: float,
    interval_seconds: float,
    handle_seconds: float,
    target_service_level: float,
    answer_within_seconds: float,
    max_occupancy: float = 0.85,
) -> Staffing:
    """The fewest agents that answer `target_service_level` of `contacts` within
    `answer_within_seconds`, and keep occupancy at or under `max_occupancy`."""
    if contacts < 0 or not math.isfinite(contacts):
        raise ValueError("contacts must be a finite number, not negative")
    if interval_seconds <= 0 or handle_seconds <= 0:
        raise ValueError("the interval and the handle time must be positive")
    if not 0 < target_service_level < 1:
        raise ValueError("the service-level target must be between 0 and 1 (exclusive)")
    if answer_within_seconds < 0:
        raise ValueError("the answer threshold must not be negative")
    if not 0 < max_occupancy <= 1:
        raise ValueError("the maximum occupancy must be above 0 and at most 1")
    if contacts == 0:
        return NO_CONTACTS
    traffic = contacts * handle_seconds / interval_seconds
    # Occupancy A/n <= max_occupancy, and a stable queue needs n > A.
    floor_by_occupancy = math.ceil(traffic / max_occupancy - 1e-9)
    agents = max(1, math.floor(traffic) + 1, floor_by_occupancy)
    blocking = erlang_b(agents, traffic)
    while True:
        wait = _erlang_c_from_b(agents, traffic, blocking)
        level = _service_level(agents, traffic, wait, handle_seconds, answer_within_seconds)
        if level >= target_service_level:
            break
        agents += 1
        blocking = traffic * blocking / (agents + traffic * blocking)
    return Staffing(
        agents=agents,
        traffic=traffic,
        service_level=level,
        asa_seconds=wait * handle_seconds / (agents - traffic),
        occupancy=traffic / agents,
        wait_probability=wait,
    )


def with_shrinkage(agents: int, shrinkage: float) -> int:
    """Heads to schedule so that `agents` are on the queue after shrinkage
    (breaks, training, absence: a share of paid time not spent on contacts)."""
    if not 0 <= shrinkage < 1:
        raise ValueError("shrinkage must be at least 0 and below 1")
    return math.ceil(agents / (1 - shrinkage) - 1e-9)
