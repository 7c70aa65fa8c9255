"""Refreshing a queue's forecast from its volume history (DST, holidays, idempotent,
once per site-local day) and the lead's overrides (applied, audited)."""

import datetime as dt

import pytest

from scheduling.intervals import day_intervals
from scheduling.models import (
    ForecastInterval,
    ForecastOverride,
    PublicHoliday,
    Queue,
    QueueForecast,
    QueueVolume,
)
from scheduling.selectors.capacity import capacity_days
from scheduling.services.forecasts import (
    ForecastUnavailable,
    refresh_queue_forecast,
    refresh_site_forecasts,
)
from scheduling.tasks import refresh_forecasts
from teams.models import AuditEvent
from tests.factories import QueueFactory

TODAY = dt.date(2030, 1, 14)  # a Monday


def shape(day: dt.date, local: dt.time) -> int:
    """Busier on Mondays and late mornings; nothing at the weekend."""
    if day.weekday() >= 5:
        return 0
    base = 30 if day.weekday() == 0 else 20
    return base + (10 if 10 <= local.hour < 12 else 0)


def seed_history(queue: Queue, last: dt.date, days: int, per=shape) -> None:
    zone = queue.team.site.zone
    rows = []
    for back in range(days):
        day = last - dt.timedelta(days=back)
        for interval in day_intervals(day, zone, 30, opens=dt.time(7), closes=dt.time(19)):
            offered = per(day, interval.local_time)
            rows.append(
                QueueVolume(
                    queue=queue,
                    starts_at=interval.starts_at,
                    offered=offered,
                    handled=offered,
                    handle_time_seconds=300,
                    source=QueueVolume.Source.DEMO,
                )
            )
    QueueVolume.objects.bulk_create(rows)


@pytest.fixture
def chat(team):
    return QueueFactory(team=team, name="Chat", handle_time_seconds=None)


def local_rows(queue, day):
    zone = queue.team.site.zone
    start = dt.datetime.combine(day, dt.time(0), tzinfo=zone)
    end = start + dt.timedelta(days=1)
    return {
        row.starts_at.astimezone(zone).strftime("%H:%M %Z"): row.contacts
        for row in ForecastInterval.objects.filter(
            queue=queue, starts_at__gte=start, starts_at__lt=end
        )
    }


@pytest.mark.django_db
def test_a_refresh_forecasts_eight_weeks_of_the_history_s_shape(chat):
    seed_history(chat, TODAY - dt.timedelta(days=1), 28)
    forecast = refresh_queue_forecast(queue=chat, today=TODAY)
    assert (forecast.first_day, forecast.last_day) == (TODAY, TODAY + dt.timedelta(days=55))
    assert forecast.method in QueueForecast.Method.values
    assert forecast.wmape == pytest.approx(0, abs=1e-6)  # noise-free history
    monday = local_rows(chat, TODAY)
    assert len(monday) == 24  # 07:00–19:00, the hours the history has
    assert monday["10:00 GMT"] == pytest.approx(40, rel=1e-3)
    assert monday["08:00 GMT"] == pytest.approx(30, rel=1e-3)
    assert local_rows(chat, TODAY + dt.timedelta(days=1))["08:00 GMT"] == pytest.approx(
        20, rel=1e-3
    )
    assert set(local_rows(chat, TODAY + dt.timedelta(days=5)).values()) == {0}
    assert ForecastInterval.objects.filter(queue=chat).values("handle_time_seconds").first() == {
        "handle_time_seconds": 300
    }
    assert forecast.basis_on(TODAY)


@pytest.mark.django_db
def test_refreshing_again_writes_the_same_rows(chat):
    seed_history(chat, TODAY - dt.timedelta(days=1), 21)
    refresh_queue_forecast(queue=chat, today=TODAY)
    first = list(ForecastInterval.objects.filter(queue=chat).values_list("starts_at", "contacts"))
    refresh_queue_forecast(queue=chat, today=TODAY)
    again = list(ForecastInterval.objects.filter(queue=chat).values_list("starts_at", "contacts"))
    assert first == again
    assert QueueForecast.objects.filter(queue=chat).count() == 1


@pytest.mark.django_db
def test_too_little_history_says_so_and_keeps_the_earlier_forecast(chat, team):
    seed_history(chat, TODAY - dt.timedelta(days=1), 21)
    refresh_queue_forecast(queue=chat, today=TODAY)
    short = QueueFactory(team=team, name="New queue")
    seed_history(short, TODAY - dt.timedelta(days=1), 10)
    with pytest.raises(ForecastUnavailable, match="at least 14"):
        refresh_queue_forecast(queue=short, today=TODAY)
    assert not QueueForecast.objects.filter(queue=short).exists()
    assert ForecastInterval.objects.filter(queue=chat).exists()


@pytest.mark.django_db
def test_dst_days_get_every_real_interval_and_no_skipped_one(team):
    team.site.weekday_opens_at = dt.time(0)
    team.site.weekend_opens_at = dt.time(0)
    team.site.weekend_closes_at = dt.time(23, 30)
    team.site.save()
    mail = QueueFactory(team=team, name="Mail", channel=Queue.Channel.DEFERRED)
    zone = team.site.zone
    last = dt.date(2030, 10, 20)  # the Sunday a week before the fall-back night
    rows = []
    for back in range(28):
        day = last - dt.timedelta(days=back)
        for interval in day_intervals(day, zone, 30):
            rows.append(
                QueueVolume(
                    queue=mail,
                    starts_at=interval.starts_at,
                    offered=4,
                    handled=4,
                    handle_time_seconds=600,
                    source=QueueVolume.Source.DEMO,
                )
            )
    QueueVolume.objects.bulk_create(rows)
    refresh_queue_forecast(queue=mail, today=last + dt.timedelta(days=1))
    fall_back = local_rows(mail, dt.date(2030, 10, 27))
    assert len(fall_back) == 50
    assert fall_back["01:00 IST"] == pytest.approx(4, rel=1e-3)
    assert fall_back["01:00 GMT"] == pytest.approx(4, rel=1e-3)
    (capacity,) = capacity_days(team, [dt.date(2030, 10, 27)])
    assert len(capacity.intervals) == 49  # the 50 half-hours less 23:30, after closing


@pytest.mark.django_db
def test_a_holiday_ahead_is_forecast_lower(chat, site):
    holiday = TODAY + dt.timedelta(days=8)  # a Tuesday
    PublicHoliday.objects.create(site=site, on=holiday, name="Test day")
    seed_history(chat, TODAY - dt.timedelta(days=1), 28)
    refresh_queue_forecast(queue=chat, today=TODAY)
    normal = sum(local_rows(chat, TODAY + dt.timedelta(days=1)).values())
    assert sum(local_rows(chat, holiday).values()) == pytest.approx(normal * 0.5, rel=1e-3)


@pytest.mark.django_db
def test_the_site_sweep_refreshes_once_per_local_day(chat, site, time_machine):
    time_machine.move_to(dt.datetime(2030, 1, 14, 0, 30, tzinfo=dt.UTC))
    seed_history(chat, TODAY - dt.timedelta(days=1), 21)
    assert refresh_site_forecasts(site=site) == {"refreshed": 1, "skipped": 0, "unavailable": 0}
    made = QueueForecast.objects.get(queue=chat).made_at
    assert refresh_forecasts() == {"refreshed": 0, "skipped": 1, "unavailable": 0}
    assert QueueForecast.objects.get(queue=chat).made_at == made
    time_machine.move_to(dt.datetime(2030, 1, 15, 0, 30, tzinfo=dt.UTC))
    assert refresh_forecasts()["refreshed"] == 1
    assert QueueForecast.objects.get(queue=chat).made_for == TODAY + dt.timedelta(days=1)


# --- overrides and the page --------------------------------------------------------------


@pytest.fixture
def forecast_ready(chat, time_machine):
    time_machine.move_to(dt.datetime(2030, 1, 14, 9, 0, tzinfo=dt.UTC))
    seed_history(chat, TODAY - dt.timedelta(days=1), 21)
    refresh_queue_forecast(queue=chat, today=TODAY)
    return chat


def override_form(chat, **changes):
    data = {
        "queue": chat.pk,
        "on": (TODAY + dt.timedelta(days=1)).isoformat(),
        "starts_at": "10:00",
        "ends_at": "12:00",
        "percent": "30",
        "reason": "Launch of the new card",
    }
    return {**data, **changes}


@pytest.mark.django_db
def test_an_override_is_saved_audited_and_applied(client, lead, team, forecast_ready):
    chat = forecast_ready
    client.force_login(lead)
    response = client.post(f"/teams/{team.pk}/forecast/", override_form(chat))
    assert response.status_code == 302
    override = ForecastOverride.objects.get()
    assert (override.percent, override.created_by) == (30, lead)
    event = AuditEvent.objects.get(action=AuditEvent.Action.FORECAST_OVERRIDDEN)
    assert (event.actor, event.team, event.details["percent"]) == (lead, team, 30)
    assert override.history.count() == 1
    (day,) = capacity_days(team, [TODAY + dt.timedelta(days=1)])
    ten = next(c for c in day.rows[0].cells if c.interval.label == "10:00")
    noon = next(c for c in day.rows[0].cells if c.interval.label == "12:00")
    assert ten.need.contacts == pytest.approx(30 * 1.3, rel=1e-3)
    assert noon.need.contacts == pytest.approx(20, rel=1e-3)
    page = client.get(f"/teams/{team.pk}/forecast/").content.decode()
    assert "Launch of the new card" in page
    # The daily total shown includes it: 24 intervals of 20, four of them +10, two +30 %.
    assert "Tue" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"ends_at": ""}, "Give both times"),
        ({"ends_at": "09:00"}, "must end after it starts"),
        ({"on": (TODAY - dt.timedelta(days=1)).isoformat()}, "the past is not forecast"),
        ({"on": "9999-12-31"}, "Choose a day between"),
        ({"percent": "0"}, "changes nothing"),
        ({"percent": "-101"}, "greater than or equal to -100"),
        ({"reason": "ok\x00"}, "Null characters are not allowed"),
        ({"reason": "ok\x07"}, "control character"),
        ({"reason": "x" * 201}, "at most 200 characters"),
    ],
)
def test_a_bad_override_is_refused_with_its_reason(
    client, lead, team, forecast_ready, changes, message
):
    client.force_login(lead)
    response = client.post(f"/teams/{team.pk}/forecast/", override_form(forecast_ready, **changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ForecastOverride.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.FORECAST_OVERRIDDEN).exists()


@pytest.mark.django_db
def test_removing_an_override_is_audited_and_a_manager_cannot(
    client, lead, manager, team, forecast_ready
):
    client.force_login(lead)
    client.post(f"/teams/{team.pk}/forecast/", override_form(forecast_ready))
    override = ForecastOverride.objects.get()
    url = f"/teams/{team.pk}/forecast/overrides/{override.pk}/remove/"
    client.force_login(manager)
    assert client.post(url).status_code == 403
    client.force_login(lead)
    assert client.post(url).status_code == 302
    assert not ForecastOverride.objects.exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.FORECAST_OVERRIDE_REMOVED).exists()


@pytest.mark.django_db
def test_the_forecast_page_shows_accuracy_within_a_query_budget(
    client, manager, team, forecast_ready, django_assert_max_num_queries
):
    client.force_login(manager)
    with django_assert_max_num_queries(12):
        response = client.get(f"/teams/{team.pk}/forecast/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "off by 0 %" in page
    assert "Save override" not in page  # read-only for the manager
