"""The cadence's next date across month ends and DST, and the aware start time."""

import datetime as dt
import zoneinfo

import pytest

from performance.models import OneOnOneCadence
from performance.models.people import add_months, local_start

DUBLIN = zoneinfo.ZoneInfo("Europe/Dublin")


def cadence(frequency, first_on):
    return OneOnOneCadence(frequency=frequency, first_on=first_on, starts_at_time=dt.time(10))


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2027, 1, 31), 1, dt.date(2027, 2, 28)),
        (dt.date(2028, 1, 31), 1, dt.date(2028, 2, 29)),  # leap year
        (dt.date(2027, 1, 31), 2, dt.date(2027, 3, 31)),
        (dt.date(2027, 3, 31), 1, dt.date(2027, 4, 30)),
        (dt.date(2026, 12, 15), 1, dt.date(2027, 1, 15)),  # year end
        (dt.date(2027, 1, 15), -1, dt.date(2026, 12, 15)),
    ],
)
def test_add_months_clamps_to_the_month_end(day, months, expected):
    assert add_months(day, months) == expected


def test_monthly_on_the_31st_goes_to_february_end_then_back_to_the_31st():
    monthly = cadence("monthly", dt.date(2027, 1, 31))
    assert monthly.next_on(dt.date(2027, 1, 31)) == dt.date(2027, 2, 28)
    assert monthly.next_on(dt.date(2027, 2, 28)) == dt.date(2027, 3, 31)
    assert monthly.next_on(dt.date(2027, 3, 31)) == dt.date(2027, 4, 30)
    leap = cadence("monthly", dt.date(2028, 1, 31))
    assert leap.next_on(dt.date(2028, 2, 1)) == dt.date(2028, 2, 29)


def test_weekly_and_fortnightly_step_from_the_first_date():
    weekly = cadence("weekly", dt.date(2026, 11, 2))
    assert weekly.next_on(dt.date(2026, 11, 2)) == dt.date(2026, 11, 9)
    assert weekly.next_on(dt.date(2026, 11, 5)) == dt.date(2026, 11, 9)
    assert weekly.next_on(dt.date(2026, 10, 1)) == dt.date(2026, 11, 2)  # before the first
    fortnightly = cadence("fortnightly", dt.date(2026, 11, 2))
    assert fortnightly.next_on(dt.date(2026, 11, 2)) == dt.date(2026, 11, 16)
    assert fortnightly.next_on(dt.date(2026, 12, 31)) == dt.date(2027, 1, 11)


def test_a_weekly_1on1_stays_at_10_local_across_the_spring_and_autumn_changes():
    weekly = cadence("weekly", dt.date(2027, 3, 22))
    before = local_start(weekly.occurrence(0), dt.time(10), DUBLIN)
    after = local_start(weekly.occurrence(1), dt.time(10), DUBLIN)  # 29 Mar, after 28 Mar change
    assert (before.hour, after.hour) == (10, 10)
    assert before.astimezone(dt.UTC).hour == 10
    assert after.astimezone(dt.UTC).hour == 9  # IST is UTC+1
    # Real time between them is a week minus the lost hour.
    assert after.astimezone(dt.UTC) - before.astimezone(dt.UTC) == dt.timedelta(days=7, hours=-1)
    autumn = local_start(dt.date(2027, 11, 1), dt.time(10), DUBLIN)
    assert autumn.astimezone(dt.UTC).hour == 10


def test_a_start_in_the_spring_forward_gap_moves_to_the_real_time_after_it():
    start = local_start(dt.date(2027, 3, 28), dt.time(1, 30), DUBLIN)  # 01:00 → 02:00
    assert (start.hour, start.minute) == (2, 30)
    assert start.astimezone(dt.UTC) == dt.datetime(2027, 3, 28, 1, 30, tzinfo=dt.UTC)


def test_an_ambiguous_autumn_time_is_its_first_occurrence():
    start = local_start(dt.date(2027, 10, 31), dt.time(1, 30), DUBLIN)  # 02:00 → 01:00
    assert start.astimezone(dt.UTC) == dt.datetime(2027, 10, 31, 0, 30, tzinfo=dt.UTC)
