"""The cadence's next date across month ends and DST, and the aware start time."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from performance.models import OneOnOne, OneOnOneCadence
from performance.models.one_on_ones import add_months, local_start
from performance.services import one_on_ones as services
from tests.factories import OneOnOneCadenceFactory
from tests.performance.conftest import TODAY, make_meeting

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


# --- 2. The next 1:1 after a late one ---------------------------------------------------


@pytest.fixture
def wednesday_cadence(associate):
    """Fortnightly on Wednesdays at 10:30, like the demo."""
    return OneOnOneCadenceFactory(
        associate=associate,
        frequency=OneOnOneCadence.Frequency.FORTNIGHTLY,
        first_on=dt.date(2026, 10, 14),
        starts_at_time=dt.time(10, 30),
    )


def test_marking_a_late_1on1_held_schedules_the_next_one_an_interval_later(
    login, lead, associate, wednesday_cadence
):
    monday = dt.date(2026, 11, 23)
    with time_machine.travel(dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC), tick=False):
        late = make_meeting(associate, lead, monday)
    # Wednesday 25 Nov, 17:35 in Dublin: the cadence's 10:30 today has gone.
    with time_machine.travel(dt.datetime(2026, 11, 25, 17, 35, tzinfo=dt.UTC), tick=False):
        response = login(lead).post(reverse("performance:one-on-one-held", args=[late.pk]))
        assert response.status_code == 302
        following = OneOnOne.objects.scheduled().get(associate=associate)
        assert following.on == dt.date(2026, 12, 9)  # 25 Nov + two weeks, a Wednesday
        local = following.starts_at.astimezone(associate.team.site.zone)
        assert local.time() == dt.time(10, 30)
        page = login(lead).get(reverse("performance:associate-one-on-ones", args=[associate.pk]))
    html = page.content.decode()
    assert "Wed 25 Nov 2026" in html  # held on
    assert "planned for Mon 23 Nov" in html
    late.refresh_from_db()
    assert late.on == monday
    detail = login(lead).get(reverse("performance:one-on-one-detail", args=[late.pk]))
    assert "Held Wed 25 Nov" in detail.content.decode()


def test_a_held_1on1_on_time_keeps_the_cadence(login, lead, associate, wednesday_cadence):
    with time_machine.travel(dt.datetime(2026, 11, 25, 11, tzinfo=dt.UTC), tick=False):
        meeting = make_meeting(associate, lead, dt.date(2026, 11, 25))
        login(lead).post(reverse("performance:one-on-one-held", args=[meeting.pk]))
    following = OneOnOne.objects.scheduled().get(associate=associate)
    assert following.on == dt.date(2026, 12, 9)


def test_a_skipped_1on1_never_lands_on_an_hour_already_past(lead, associate, wednesday_cadence):
    with time_machine.travel(dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC), tick=False):
        meeting = make_meeting(associate, lead, dt.date(2026, 11, 23))
    with time_machine.travel(dt.datetime(2026, 11, 25, 17, 35, tzinfo=dt.UTC), tick=False):
        following = services.cancel_one_on_one(actor=lead, one_on_one=meeting)
    assert following is not None
    assert following.on == dt.date(2026, 12, 9)  # not 10:30 today, already gone


def test_monthly_interval_is_a_calendar_month():
    cadence = OneOnOneCadence(frequency="monthly", first_on=dt.date(2026, 1, 31))
    assert cadence.interval_after(dt.date(2026, 1, 31)) == dt.date(2026, 2, 28)
    assert OneOnOneCadence(frequency="weekly").interval_after(TODAY) == TODAY + dt.timedelta(7)
