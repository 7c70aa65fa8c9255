import datetime as dt

import icalendar
import pytest
from django.urls import reverse

from scheduling.models import CalendarFeed
from scheduling.services import calendar, schedule
from scheduling.services.schedule import Change
from tests.conftest import client_for
from tests.factories import PublicHolidayFactory

pytestmark = pytest.mark.django_db
# Monday 30 March 2026: the day after Dublin's clocks went forward.
MONDAY = dt.date(2026, 3, 30)


@pytest.fixture
def published(team, lead, associate, early, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 27, 12, tzinfo=dt.UTC))
    schedule.apply_changes(actor=lead, team=team, changes=[Change.shift(associate, MONDAY, early)])
    schedule.publish_week(actor=lead, team=team, monday=MONDAY)
    PublicHolidayFactory(site=team.site, on=dt.date(2026, 4, 6), name="Easter Monday")


def feed_url(feed):
    return reverse("scheduling:calendar-feed", kwargs={"token": feed.token})


def test_the_feed_is_an_rfc5545_calendar_with_local_times(client, associate, published):
    feed = calendar.rotate_calendar_feed(associate=associate)
    response = client.get(feed_url(feed))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    ical = icalendar.Calendar.from_ical(response.content)
    events = {str(e["summary"]): e for e in ical.walk("VEVENT")}
    shift = events["Early shift (07:00–15:30)"]
    start = shift.decoded("dtstart")
    assert (start.hour, str(start.tzinfo)) == (7, "Europe/Dublin")
    assert start.utcoffset() == dt.timedelta(hours=1)  # Irish summer time
    assert shift.decoded("dtend") - start == dt.timedelta(hours=8, minutes=30)
    assert "Public holiday: Easter Monday" in events
    assert [tz["tzid"] for tz in ical.walk("VTIMEZONE")] == ["Europe/Dublin"]


def test_the_feed_follows_the_published_schedule(client, team, lead, associate, late, published):
    feed = calendar.rotate_calendar_feed(associate=associate)
    schedule.apply_changes(actor=lead, team=team, changes=[Change.shift(associate, MONDAY, late)])
    assert b"Early shift" in client.get(feed_url(feed)).content  # draft not shown
    schedule.publish_week(actor=lead, team=team, monday=MONDAY)
    assert b"Late shift" in client.get(feed_url(feed)).content


def test_a_wrong_rotated_or_revoked_token_is_404(client, cast, associate, published):
    me = client_for(associate.user)
    me.post(reverse("scheduling:calendar-rotate"))
    first = CalendarFeed.objects.get()
    assert client.get(feed_url(first)).status_code == 200
    assert (
        client.get(reverse("scheduling:calendar-feed", kwargs={"token": "nope"})).status_code == 404
    )

    me.post(reverse("scheduling:calendar-rotate"))
    second = CalendarFeed.objects.get()
    assert second.token != first.token
    assert client.get(feed_url(first)).status_code == 404
    assert client.get(feed_url(second)).status_code == 200

    me.post(reverse("scheduling:calendar-revoke"))
    assert client.get(feed_url(second)).status_code == 404


def test_a_deactivated_associates_feed_stops(client, associate, published):
    feed = calendar.rotate_calendar_feed(associate=associate)
    associate.is_active = False
    associate.save()
    assert client.get(feed_url(feed)).status_code == 404


def test_public_holidays_come_from_the_sites_country(site):
    created = calendar.sync_public_holidays(site=site, years=[2026])
    assert created == 10
    assert site.public_holidays.get(on=dt.date(2026, 3, 17)).name == "Saint Patrick's Day"
    site.public_holidays.filter(on=dt.date(2026, 3, 17)).update(name="Paddy's Day")
    assert calendar.sync_public_holidays(site=site, years=[2026]) == 0
    assert site.public_holidays.get(on=dt.date(2026, 3, 17)).name == "Paddy's Day"


def test_the_weekly_holiday_job_loads_every_site_and_is_idempotent(site, time_machine):
    from scheduling.tasks import sync_holidays

    time_machine.move_to(dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC))
    assert sync_holidays() == 20  # Ireland, 2026 and 2027
    assert sync_holidays() == 0


def test_approved_leave_in_an_unpublished_week_shows_on_my_schedule_and_in_the_feed(
    client, cast, associate
):
    """Issue 13, point 8: leave is what the associate was told, published or not."""
    from tests.conftest import client_for
    from tests.factories import TimeOffRequestFactory

    today = associate.team.site.local_today()
    monday = today - dt.timedelta(days=today.weekday()) + dt.timedelta(days=14)
    TimeOffRequestFactory(
        associate=associate,
        first_day=monday,
        last_day=monday + dt.timedelta(days=1),
        status="approved",
    )
    page = client_for(associate.user).get(reverse("scheduling:my-schedule"))
    shown = {
        day: entry
        for week in page.context["weeks"]
        for day, entry, _holiday, _booked, _blocks in week
        if entry
    }
    assert {d for d, e in shown.items() if e.kind == "time_off"} == {
        monday,
        monday + dt.timedelta(days=1),
    }
    assert "Time off" in page.content.decode()
    feed = calendar.rotate_calendar_feed(associate=associate)
    ics = client.get(feed_url(feed)).content.decode()
    assert ics.count("SUMMARY:Time off") == 2
    assert f"DTSTART;VALUE=DATE:{monday:%Y%m%d}" in ics


def test_event_uids_name_the_site_not_the_address_it_was_fetched_at(
    client, associate, published, settings
):
    """A UID must not change with host:port (a proxy, another port): calendar apps
    would show every event twice."""
    settings.SITE_URL = "https://ops.example.com:8443/"
    settings.ALLOWED_HOSTS = ["*"]
    feed = calendar.rotate_calendar_feed(associate=associate)
    uids = set()
    for host in ("127.0.0.1:8000", "ops.example.com"):
        ical = icalendar.Calendar.from_ical(client.get(feed_url(feed), HTTP_HOST=host).content)
        uids.add(frozenset(str(e["uid"]) for e in ical.walk("VEVENT")))
    (only,) = uids
    assert only
    assert all(uid.endswith("@ops.example.com") for uid in only)
