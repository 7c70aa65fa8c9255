"""Deferred queues (scheduling/workload.py): enough agents each interval to handle
every contact within its response target, the backlog carried between intervals."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduling.workload import deferred_required

HALF_HOUR = 1800
SIX_MINUTES = 360  # handle time
PER_AGENT = HALF_HOUR * 0.85 / SIX_MINUTES  # 4.25 contacts per agent per interval


def plan(arrivals, within=8, opened=None):
    return deferred_required(
        arrivals=arrivals,
        handle_seconds=SIX_MINUTES,
        interval_seconds=HALF_HOUR,
        respond_within_intervals=within,
        open_intervals=opened,
    )


def test_a_steady_flow_needs_the_plain_workload():
    result = plan([10.0] * 16, within=1)
    # 10 contacts x 6 min in 30 min at 85 % occupancy: 2.35 agents, so 3.
    assert result.agents == [3] * 16
    assert result.late == 0
    assert result.backlog == [0.0] * 16


def test_a_spike_is_spread_over_its_response_window():
    """80 emails at 09:00 with a 4-hour target: about 10 an interval for 8 intervals
    (3 agents), not 19 agents for half an hour."""
    result = plan([80.0] + [0.0] * 11, within=8)
    assert max(result.agents) == 3
    assert sum(result.handled) == pytest.approx(80.0)
    assert result.late == 0
    assert plan([80.0] + [0.0] * 11, within=1).agents[0] == math.ceil(80 / PER_AGENT)


def test_arrivals_while_closed_wait_for_the_opening_and_late_ones_are_counted():
    opened = [False] * 4 + [True] * 8
    result = plan([5.0] * 4 + [0.0] * 8, within=2, opened=opened)
    assert result.agents[:4] == [0, 0, 0, 0]
    assert result.backlog[3] == pytest.approx(20.0)
    # All 20 are handled in the first open interval; the 15 that were due before it
    # opened are late, the last 5 (due by the end of that interval) are not.
    assert result.agents[4] == math.ceil(20 / PER_AGENT)
    assert result.late == pytest.approx(15.0)
    assert result.backlog[4] == pytest.approx(0.0)


@settings(max_examples=200, deadline=None)
@given(
    arrivals=st.lists(st.floats(min_value=0, max_value=500), min_size=1, max_size=48),
    within=st.integers(min_value=1, max_value=16),
)
def test_open_all_day_nothing_is_late_and_nothing_is_lost(arrivals, within):
    result = plan(arrivals, within=within)
    assert result.late == pytest.approx(0.0, abs=1e-6)
    assert sum(result.handled) + result.backlog[-1] == pytest.approx(sum(arrivals), abs=1e-6)
    for agents, handled in zip(result.agents, result.handled, strict=True):
        assert handled <= agents * PER_AGENT + 1e-6  # never more than the staff can do


@settings(max_examples=100, deadline=None)
@given(arrivals=st.lists(st.floats(min_value=0, max_value=500), min_size=2, max_size=32))
def test_a_longer_target_never_needs_a_higher_peak(arrivals):
    assert max(plan(arrivals, within=4).agents) <= max(plan(arrivals, within=1).agents)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"arrivals": [-1.0]}, "not negative"),
        ({"arrivals": [math.nan]}, "finite"),
        ({"handle_seconds": 0}, "positive"),
        ({"respond_within_intervals": 0}, "at least one interval"),
        ({"max_occupancy": 1.5}, "occupancy"),
        ({"open_intervals": [True, False]}, "one open/closed flag"),
    ],
)
def test_impossible_inputs_are_refused(kwargs, message):
    base = {
        "arrivals": [1.0],
        "handle_seconds": SIX_MINUTES,
        "interval_seconds": HALF_HOUR,
        "respond_within_intervals": 2,
    }
    with pytest.raises(ValueError, match=message):
        deferred_required(**(base | kwargs))
