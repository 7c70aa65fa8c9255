"""Erlang C (scheduling/erlang.py): a published worked example, the pyworkforce
implementation as an oracle, and sizes where the textbook formula overflows."""

import math

import pytest
from pyworkforce.queuing import ErlangC  # type: ignore[import-untyped]

from scheduling import erlang

# Call Centre Helper's worked example ("Erlang C formula – made simple"): 100 calls
# in 30 minutes, 180 s handle time (10 erlangs), 80 % answered within 20 s.
PUBLISHED = {  # agents: (chance of waiting, service level, ASA seconds)
    11: (0.6821, 0.3896, 122.8),
    12: (0.4494, 0.6402, 40.4),
    13: (0.2853, 0.7956, 17.1),
    14: (0.1741, 0.8884, 7.8),
}


@pytest.mark.parametrize(("agents", "expected"), PUBLISHED.items())
def test_the_published_worked_example(agents, expected):
    wait = erlang.erlang_c(agents, 10.0)
    level = 1 - wait * math.exp(-(agents - 10) * 20 / 180)
    asa = wait * 180 / (agents - 10)
    assert (round(wait, 4), round(level, 4), round(asa, 1)) == expected


def test_the_example_needs_14_agents_and_says_what_they_give():
    staffing = erlang.required_agents(
        contacts=100,
        interval_seconds=1800,
        handle_seconds=180,
        target_service_level=0.8,
        answer_within_seconds=20,
    )
    assert staffing.agents == 14  # 13 give 79.6 %, just short of 80 %
    assert staffing.traffic == pytest.approx(10.0)
    assert staffing.service_level == pytest.approx(0.8884, abs=1e-4)
    assert staffing.asa_seconds == pytest.approx(7.8, abs=0.05)
    assert staffing.occupancy == pytest.approx(10 / 14)


CASES = [
    # contacts per interval, handle s, target, within s, max occupancy, interval s
    (contacts, handle, target, within, occupancy, interval)
    for contacts in (1, 7, 40, 250, 900)
    for handle in (150, 420)
    for target, within in ((0.8, 20), (0.9, 60))
    for occupancy in (0.85, 1.0)
    for interval in (900, 1800)
]


@pytest.mark.parametrize(("contacts", "handle", "target", "within", "occupancy", "interval"), CASES)
def test_agrees_with_pyworkforce(contacts, handle, target, within, occupancy, interval):
    mine = erlang.required_agents(
        contacts=contacts,
        interval_seconds=interval,
        handle_seconds=handle,
        target_service_level=target,
        answer_within_seconds=within,
        max_occupancy=occupancy,
    )
    theirs = ErlangC(
        transactions=contacts, aht=handle / 60, asa=within / 60, interval=interval / 60
    ).required_positions(service_level=target, max_occupancy=occupancy)
    assert mine.agents == theirs["raw_positions"]
    assert mine.service_level == pytest.approx(theirs["service_level"], abs=1e-9)
    assert mine.occupancy == pytest.approx(theirs["occupancy"])
    assert mine.wait_probability == pytest.approx(theirs["waiting_probability"], abs=1e-9)


def test_thousands_of_agents_stay_finite_and_minimal():
    """A^n/n! overflows a float near n = 170; the recursion does not."""
    kwargs = {
        "contacts": 60_000,
        "interval_seconds": 1800,
        "handle_seconds": 240,
        "target_service_level": 0.95,
        "answer_within_seconds": 10,
        "max_occupancy": 1.0,
    }
    staffing = erlang.required_agents(**kwargs)
    assert staffing.traffic == pytest.approx(8000.0)
    assert 8000 < staffing.agents < 8200
    assert all(math.isfinite(v) for v in (staffing.service_level, staffing.asa_seconds))
    assert staffing.service_level >= 0.95
    # One agent fewer misses the target: the answer is the smallest.
    fewer = staffing.agents - 1
    wait = erlang.erlang_c(fewer, staffing.traffic)
    assert 1 - wait * math.exp(-(fewer - staffing.traffic) * 10 / 240) < 0.95


def test_maximum_occupancy_caps_the_load_per_agent():
    capped = erlang.required_agents(
        contacts=900,
        interval_seconds=1800,
        handle_seconds=420,
        target_service_level=0.5,
        answer_within_seconds=60,
        max_occupancy=0.85,
    )
    assert capped.occupancy <= 0.85
    assert capped.agents == math.ceil(capped.traffic / 0.85)


def test_no_contacts_need_no_one_and_too_few_agents_all_wait():
    assert (
        erlang.required_agents(
            contacts=0,
            interval_seconds=1800,
            handle_seconds=300,
            target_service_level=0.8,
            answer_within_seconds=20,
        )
        == erlang.NO_CONTACTS
    )
    assert erlang.erlang_c(5, 5.0) == 1.0
    assert erlang.erlang_c(4, 5.0) == 1.0


def test_shrinkage_turns_agents_into_heads_to_schedule():
    assert erlang.with_shrinkage(14, 0.30) == 20  # 14 / 0.7 = 20 exactly
    assert erlang.with_shrinkage(14, 0.0) == 14
    assert erlang.with_shrinkage(15, 0.30) == 22


@pytest.mark.parametrize(
    "bad",
    [
        {"contacts": -1},
        {"contacts": math.inf},
        {"contacts": math.nan},
        {"handle_seconds": 0},
        {"interval_seconds": 0},
        {"target_service_level": 1.0},
        {"target_service_level": 0},
        {"answer_within_seconds": -5},
        {"max_occupancy": 0},
        {"max_occupancy": 1.5},
    ],
)
def test_impossible_inputs_are_refused(bad):
    kwargs = {
        "contacts": 100,
        "interval_seconds": 1800,
        "handle_seconds": 180,
        "target_service_level": 0.8,
        "answer_within_seconds": 20,
    } | bad
    with pytest.raises(ValueError, match="must"):
        erlang.required_agents(**kwargs)
    with pytest.raises(ValueError, match="shrinkage"):
        erlang.with_shrinkage(10, 1.0)
