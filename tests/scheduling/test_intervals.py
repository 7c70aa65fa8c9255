"""A site-local day's intervals: DST days have 46 or 50 half-hours, each labelled once."""

import datetime as dt
import itertools
import zoneinfo

import pytest

from scheduling.intervals import day_intervals, site_day_intervals
from tests.factories import SiteFactory

DUBLIN = zoneinfo.ZoneInfo("Europe/Dublin")


@pytest.mark.parametrize(
    ("day", "minutes", "count"),
    [
        (dt.date(2026, 6, 1), 30, 48),
        (dt.date(2026, 3, 29), 30, 46),  # spring forward: 01:00 -> 02:00
        (dt.date(2026, 10, 25), 30, 50),  # fall back: 02:00 -> 01:00
        (dt.date(2026, 10, 25), 15, 100),
        (dt.date(2026, 3, 29), 15, 92),
    ],
)
def test_a_day_has_its_real_number_of_intervals_each_labelled_once(
    day: dt.date, minutes: int, count: int
) -> None:
    intervals = day_intervals(day, DUBLIN, minutes)
    assert len(intervals) == count
    labels = [i.label for i in intervals]
    assert len(set(labels)) == count
    starts = [i.starts_at for i in intervals]
    assert all(b - a == dt.timedelta(minutes=minutes) for a, b in itertools.pairwise(starts))
    assert (
        intervals[-1].ends_at
        == day_intervals(day + dt.timedelta(days=1), DUBLIN, minutes)[0].starts_at
    )


def test_the_repeated_hour_is_labelled_with_the_zone() -> None:
    labels = [i.label for i in day_intervals(dt.date(2026, 10, 25), DUBLIN, 30)]
    assert labels[:8] == [
        "00:00",
        "00:30",
        "01:00 IST",
        "01:30 IST",
        "01:00 GMT",
        "01:30 GMT",
        "02:00",
        "02:30",
    ]
    assert "01:00" not in labels


def test_the_skipped_hour_has_no_label() -> None:
    labels = [i.label for i in day_intervals(dt.date(2026, 3, 29), DUBLIN, 30)]
    assert labels[:3] == ["00:00", "00:30", "02:00"]
    assert "01:00" not in labels
    assert "01:30" not in labels


def test_a_zone_that_skips_midnight_starts_the_day_at_its_first_instant() -> None:
    santiago = zoneinfo.ZoneInfo("America/Santiago")
    intervals = day_intervals(dt.date(2026, 9, 6), santiago, 30)
    assert len(intervals) == 46
    assert intervals[0].label == "01:00"


def test_opening_hours_cut_the_day_in_local_time() -> None:
    intervals = day_intervals(dt.date(2026, 6, 1), DUBLIN, 30, opens=dt.time(7), closes=dt.time(19))
    assert [intervals[0].label, intervals[-1].label, len(intervals)] == ["07:00", "18:30", 24]
    # Irish summer time: 07:00 local is 06:00 UTC.
    assert intervals[0].starts_at == dt.datetime(2026, 6, 1, 6, 0, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_a_site_day_follows_its_weekday_and_weekend_hours() -> None:
    site = SiteFactory(
        time_zone="Asia/Kolkata", weekend_opens_at=dt.time(9), weekend_closes_at=dt.time(17, 30)
    )
    saturday = site_day_intervals(site, dt.date(2026, 12, 5), 30)
    assert (saturday[0].label, saturday[-1].label, len(saturday)) == ("09:00", "17:00", 17)
    assert saturday[0].starts_at == dt.datetime(2026, 12, 5, 3, 30, tzinfo=dt.UTC)
