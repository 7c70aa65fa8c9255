"""Scheduled against required: need from the forecast, supply from the plan less
breaks and protected time, the explanation of each figure, and protected-time warnings."""

import datetime as dt
import math

import pytest

from performance.models import OneOnOne
from scheduling import erlang
from scheduling.intervals import site_day_intervals
from scheduling.models import (
    Activity,
    EntryKind,
    ForecastInterval,
    ForecastOverride,
    Queue,
    QueueForecast,
)
from scheduling.selectors.capacity import break_window, capacity_days, override_factor
from tests.factories import (
    AssociateFactory,
    AssociateSkillFactory,
    QueueFactory,
    ScheduleEntryFactory,
    SkillFactory,
)

DAY = dt.date(2030, 1, 8)  # a Tuesday (winter: Dublin is on UTC)


def utc(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=dt.UTC)


@pytest.fixture
def chat(team):
    skill = SkillFactory(name="Payments")
    return QueueFactory(
        team=team,
        name="Payments chat",
        skill=skill,
        channel=Queue.Channel.LIVE,
        service_level_percent=80,
        target_seconds=60,
        handle_time_seconds=None,
        shrinkage_percent=30,
    )


def forecast(queue, hour, contacts, aht=432.0, minute=0):
    return ForecastInterval.objects.create(
        queue=queue, starts_at=utc(hour, minute), contacts=contacts, handle_time_seconds=aht
    )


def basis(queue, text="average of the last 6 Tuesdays, +4 % trend"):
    return QueueForecast.objects.create(
        queue=queue,
        made_at=utc(1, day=DAY - dt.timedelta(days=1)),
        made_for=DAY - dt.timedelta(days=1),
        method=QueueForecast.Method.WEIGHTED_AVERAGE,
        basis=text,
        wmape=0.08,
        naive_wmape=0.12,
        history_days=84,
        first_day=DAY,
        last_day=DAY + dt.timedelta(days=55),
    )


def on_shift(associate, start=dt.time(7), end=dt.time(15, 30), break_minutes=30):
    return ScheduleEntryFactory(
        associate=associate,
        on=DAY,
        kind=EntryKind.SHIFT,
        starts_at=start,
        ends_at=end,
        break_minutes=break_minutes,
    )


def skilled(team, chat, name, level=3):
    person = AssociateFactory(team=team, user__first_name=name)
    AssociateSkillFactory(associate=person, skill=chat.skill, level=level)
    return person


def cell(day, queue, label):
    row = next(r for r in day.rows if r.queue == queue)
    return next(c for c in row.cells if c.interval.label == label)


def total(day, label):
    return next(c for c in day.total if c.interval.label == label)


@pytest.mark.django_db
def test_need_is_erlang_c_then_shrinkage_and_the_figure_explains_itself(team, chat):
    basis(chat)
    forecast(chat, 10, 46)
    for name in ("A", "B", "C"):
        on_shift(skilled(team, chat, name))
    (day,) = capacity_days(team, [DAY])
    staffing = erlang.required_agents(
        contacts=46,
        interval_seconds=1800,
        handle_seconds=432,
        target_service_level=0.8,
        answer_within_seconds=60,
        max_occupancy=0.85,
    )
    heads = math.ceil(staffing.agents / 0.7)
    ten = cell(day, chat, "10:00")
    assert (ten.needed, ten.have, ten.short) == (heads, 3, heads - 3)
    assert ten.why == (
        f"Tue 10:00–10:30: 46 contacts forecast (average of the last 6 Tuesdays, +4 % trend), "
        f"7.2 min handle time, 80 % in 60 s → {staffing.agents} agents; "
        f"30 % shrinkage → {heads} on shift; you have 3."
    )
    # Intervals without a forecast need nobody; the gaps list is worst first.
    assert cell(day, chat, "11:00").needed == 0
    assert day.gaps[0] == ten


@pytest.mark.django_db
def test_an_override_scales_its_part_of_the_day_only(team, chat):
    basis(chat)
    forecast(chat, 10, 40)
    forecast(chat, 12, 40)
    ForecastOverride.objects.create(
        queue=chat,
        on=DAY,
        starts_at=dt.time(9),
        ends_at=dt.time(11),
        percent=50,
        reason="Launch",
    )
    (day,) = capacity_days(team, [DAY])
    ten, noon = cell(day, chat, "10:00"), cell(day, chat, "12:00")
    assert ten.need.contacts == pytest.approx(60)
    assert noon.need.contacts == pytest.approx(40)
    assert ten.needed > noon.needed
    assert "+50 % override" in ten.why
    assert "override" not in noon.why


def test_override_factor_sums_and_never_goes_below_minus_100() -> None:
    rules = [
        ForecastOverride(percent=-80),
        ForecastOverride(percent=-50, starts_at=dt.time(9), ends_at=dt.time(10)),
    ]
    assert override_factor(rules, dt.time(9, 30)) == -100
    assert override_factor(rules, dt.time(10)) == -80


@pytest.mark.django_db
def test_supply_leaves_out_the_break_activities_and_booked_one_on_ones(team, chat, lead):
    ada, bea, cy = (skilled(team, chat, n) for n in ("Ada", "Bea", "Cy"))
    on_shift(ada)  # 07:00–15:30, break centred: 11:00–11:30
    on_shift(bea, start=dt.time(7, 30), end=dt.time(16))  # break 11:30–12:00
    on_shift(cy, start=dt.time(9))  # 09:00–15:30: break 12:00–12:30
    training = Activity.objects.create(
        team=team,
        kind=Activity.Kind.TRAINING,
        title="Refunds training",
        on=DAY,
        starts_at=dt.time(13),
        ends_at=dt.time(14),
    )
    training.attendees.add(bea)
    OneOnOne.objects.create(associate=cy, lead=lead, starts_at=utc(14), on=DAY, duration_minutes=30)
    (day,) = capacity_days(team, [DAY])
    assert total(day, "08:30").have == 2  # Cy starts at nine
    assert total(day, "11:00").have == 2  # Ada's break
    assert total(day, "11:30").have == 2  # Bea's
    assert total(day, "12:00").have == 2  # Cy's break
    assert total(day, "13:00").have == 2  # Bea in training
    assert total(day, "13:30").have == 2
    assert total(day, "14:00").have == 2  # Cy's 1:1 takes them out of its interval ...
    assert total(day, "14:30").have == 3  # ... and only that one
    assert cell(day, chat, "14:00").have == 2
    people = {p.associate.pk: p for p in day.people}
    fourteen = total(day, "14:00").interval
    assert people[cy.pk].busy_with(fourteen) == "Regular 1:1"


@pytest.mark.django_db
def test_only_people_capable_in_the_skill_count_for_a_queue(team, chat):
    on_shift(skilled(team, chat, "Ada", level=1))  # learning
    on_shift(skilled(team, chat, "Bea", level=2))  # capable
    on_shift(AssociateFactory(team=team))  # no skill
    (day,) = capacity_days(team, [DAY])
    assert cell(day, chat, "09:00").have == 1
    assert total(day, "09:00").have == 3


@pytest.mark.django_db
def test_a_one_on_one_in_a_short_interval_is_flagged_with_the_nearest_quiet_slot(team, chat, lead):
    basis(chat)
    forecast(chat, 10, 30)  # a peak: more than two can answer
    people = [skilled(team, chat, n) for n in ("Ada", "Bea")]
    for person in people:
        on_shift(person)
    OneOnOne.objects.create(
        associate=people[0], lead=lead, starts_at=utc(10), on=DAY, duration_minutes=30
    )
    (day,) = capacity_days(team, [DAY])
    (warning,) = day.warnings
    assert warning.person == people[0]
    assert warning.interval.label == "10:00"
    assert warning.short == total(day, "10:00").needed - 1
    # Nothing is needed at 09:30 or 10:30: the nearest quiet slot, earlier first.
    assert warning.suggestion.label == "09:30"


@pytest.mark.django_db
def test_protected_time_in_a_quiet_interval_is_not_flagged(team, chat, lead):
    basis(chat)
    forecast(chat, 10, 30)
    ada = skilled(team, chat, "Ada")
    on_shift(ada)
    OneOnOne.objects.create(associate=ada, lead=lead, starts_at=utc(14), on=DAY)
    (day,) = capacity_days(team, [DAY])
    assert day.warnings == []


@pytest.mark.django_db
def test_a_deferred_queue_starts_the_day_with_the_night_s_mail(team):
    mail = QueueFactory(
        team=team,
        name="Payments e-mail",
        channel=Queue.Channel.DEFERRED,
        service_level_percent=90,
        target_seconds=4 * 3600,
        handle_time_seconds=600,
        shrinkage_percent=0,
        max_occupancy_percent=100,
    )
    # 60 e-mails arrive at 22:00 the evening before, 6 at 10:00; the site opens at 07:00.
    ForecastInterval.objects.create(
        queue=mail,
        starts_at=utc(22, day=DAY - dt.timedelta(days=1)),
        contacts=60,
        handle_time_seconds=600,
    )
    ForecastInterval.objects.create(
        queue=mail, starts_at=utc(10), contacts=6, handle_time_seconds=600
    )
    (day,) = capacity_days(team, [DAY])
    row = day.rows[0]
    needed = [c.needed for c in row.cells]
    # The clock runs in opening hours: the night's 60 (600 agent-minutes) are due by
    # 11:00, four open hours after opening, so they are spread over 07:00–11:00 ...
    first_eight = needed[:8]
    assert sum(first_eight) * 30 >= 600
    assert max(first_eight) <= 3
    # ... and nothing of it is left after; 10:00's six are done by 14:00.
    assert sum(needed) * 30 >= (60 + 6) * 10
    assert all(n == 0 for n in needed[14:])
    assert row.cells[0].need.arrived_while_closed == pytest.approx(60)
    assert "60 of them came in while closed" in row.cells[0].why
    assert "90 % within 4 h of open hours" in row.cells[0].why


def test_the_break_sits_mid_shift_on_an_interval_boundary() -> None:
    start = utc(7)
    assert break_window(start, utc(15, 30), 30, 30) == (utc(11), utc(11, 30))
    assert break_window(start, utc(15), 45, 15) == (utc(10, 45), utc(11, 30))
    assert break_window(start, utc(15), 0, 30) is None


@pytest.mark.django_db
def test_dst_day_has_its_real_intervals(team, chat):
    spring = dt.date(2030, 3, 31)  # Europe/Dublin springs forward at 01:00 UTC
    team.site.weekday_opens_at = dt.time(0)
    team.site.weekend_opens_at = dt.time(0)
    team.site.weekend_closes_at = dt.time(23, 30)
    team.site.save()
    (day,) = capacity_days(team, [spring])
    labels = [i.label for i in day.intervals]
    assert len(labels) == len(set(labels)) == 45  # 00:00–23:30 less the skipped hour
    assert "01:00" not in labels
    assert day.intervals == site_day_intervals(team.site, spring, 30)


@pytest.mark.django_db
def test_a_week_of_days_costs_a_fixed_number_of_queries(
    team, chat, lead, django_assert_max_num_queries
):
    basis(chat)
    days = [DAY + dt.timedelta(days=i) for i in range(7)]
    for i in range(6):
        person = skilled(team, chat, f"P{i}")
        for day in days[:5]:
            ScheduleEntryFactory(
                associate=person,
                on=day,
                kind=EntryKind.SHIFT,
                starts_at=dt.time(7),
                ends_at=dt.time(15, 30),
                break_minutes=30,
            )
        OneOnOne.objects.create(associate=person, lead=lead, starts_at=utc(9 + i), on=DAY)
    for day in days:
        for hour in range(8, 18):
            ForecastInterval.objects.create(
                queue=chat,
                starts_at=utc(hour, day=day),
                contacts=20,
                handle_time_seconds=400,
            )
    with django_assert_max_num_queries(10):
        result = capacity_days(team, days)
    assert len(result) == 7
    assert result[0].needed_hours > 0


# --- the pages ---------------------------------------------------------------------------


@pytest.fixture
def busy_day(team, chat, lead):
    basis(chat)
    for hour in range(8, 18):
        forecast(chat, hour, 46)
    people = [skilled(team, chat, n) for n in ("Ada", "Bea", "Cy")]
    for person in people:
        on_shift(person)
    OneOnOne.objects.create(associate=people[0], lead=lead, starts_at=utc(10), on=DAY)
    return people


@pytest.mark.django_db
def test_the_day_page_shows_gaps_worst_first_with_their_reasons(
    client, lead, team, chat, busy_day, django_assert_max_num_queries
):
    client.force_login(lead)
    url = f"/teams/{team.pk}/capacity/?day={DAY.isoformat()}"
    with django_assert_max_num_queries(16):
        response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Gaps, worst first" in page
    assert "Tue 10:00–10:30: 46 contacts forecast (average of the last 6 Tuesdays" in page
    assert "you have 2." in page  # Ada is in her 1:1 at ten
    assert "Ada" in page
    assert "Regular 1:1 at 10:00 leaves the team" in page


@pytest.mark.django_db
def test_choosing_a_cell_explains_it_in_a_fragment(client, lead, team, chat, busy_day):
    client.force_login(lead)
    (day,) = capacity_days(team, [DAY])
    index = next(i for i, c in enumerate(day.rows[0].cells) if c.interval.label == "10:00")
    url = f"/teams/{team.pk}/capacity/?day={DAY.isoformat()}&why={chat.pk}:{index}"
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<section id="why"')
    assert "you have 2." in fragment
    assert "Off the queue then: Ada" in fragment
    assert "<html" not in fragment
    assert client.get(url.replace(f":{index}", ":999")).status_code == 404


@pytest.mark.django_db
def test_the_week_page_has_a_row_per_day(
    client, manager, team, chat, busy_day, django_assert_max_num_queries
):
    client.force_login(manager)
    with django_assert_max_num_queries(14):
        response = client.get(f"/teams/{team.pk}/capacity/week/?week={DAY.isoformat()}")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Tue 8 Jan" in page
    assert "short at 11:00" in page  # all three on their break


@pytest.mark.django_db
def test_a_day_out_of_reach_falls_back_to_today(client, lead, team, chat):
    client.force_login(lead)
    for raw in ("9999-12-31", "0001-01-01", "not-a-date", "2030-02-30"):
        assert client.get(f"/teams/{team.pk}/capacity/?day={raw}").status_code == 200


@pytest.mark.django_db
def test_the_schedule_grid_has_a_needed_by_forecast_row_per_day(
    client, lead, team, chat, busy_day, django_assert_max_num_queries
):
    client.force_login(lead)
    with django_assert_max_num_queries(28):
        response = client.get(f"/teams/{team.pk}/schedule/?week={DAY.isoformat()}&weeks=4")
    page = response.content.decode()
    assert "Needed by forecast / scheduled" in page
    assert f"capacity/?day={DAY.isoformat()}" in page
    assert len(response.context["capacity"]) == 28
    assert "<small>at 11:00</small>" in page  # the tightest interval of the day


@pytest.mark.django_db
def test_a_team_without_queues_has_no_forecast_row(client, lead, team):
    client.force_login(lead)
    page = client.get(f"/teams/{team.pk}/schedule/").content.decode()
    assert "Needed by forecast" not in page
