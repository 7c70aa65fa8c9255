"""The manager's capacity overview: required, scheduled and rostered FTE per team, queue
and week, the shortfall, who sees which teams, the CSV, and its query budget."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from scheduling.models import EntryKind, ForecastInterval, Queue
from scheduling.selectors.capacity import capacity_days
from scheduling.selectors.capacity_overview import (
    FULL_TIME_HOURS,
    capacity_overview,
    employed_weekdays,
    rostered_hours,
)
from tests.conftest import client_for
from tests.factories import (
    AssociateFactory,
    AssociateSkillFactory,
    QueueFactory,
    ScheduleEntryFactory,
    SkillFactory,
    TeamFactory,
    TimeOffRequestFactory,
)

MONDAY = dt.date(2030, 1, 7)  # winter: Dublin is on UTC
WEEK2 = MONDAY + dt.timedelta(days=7)


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(dt.datetime(2030, 1, 8, 12, tzinfo=dt.UTC), tick=False)


def utc(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=dt.UTC)


def mail_queue(team, skill=None, **fields):
    """E-mail sized by workload with nothing taken off: 10 minutes an e-mail."""
    return QueueFactory(
        team=team,
        channel=Queue.Channel.DEFERRED,
        skill=skill or SkillFactory(name="Payments"),
        service_level_percent=90,
        target_seconds=4 * 3600,
        handle_time_seconds=600,
        shrinkage_percent=0,
        max_occupancy_percent=100,
        **fields,
    )


def overnight_mail(queue, monday, count=60):
    """`count` e-mails at 22:00 the Sunday before `monday`: all late by opening, so the
    whole workload (count × 10 min) is needed in the first half hour."""
    ForecastInterval.objects.create(
        queue=queue,
        starts_at=utc(monday - dt.timedelta(days=1), 22),
        contacts=count,
        handle_time_seconds=600,
    )


def shifts(person, days, start=dt.time(7), end=dt.time(15, 30), break_minutes=30):
    for day in days:
        ScheduleEntryFactory(
            associate=person,
            on=day,
            kind=EntryKind.SHIFT,
            starts_at=start,
            ends_at=end,
            break_minutes=break_minutes,
        )


def weekdays(monday):
    return [monday + dt.timedelta(days=n) for n in range(5)]


def test_employed_weekdays_count_a_joiner_from_their_start_and_a_leaver_to_their_last_day():
    assert employed_weekdays(MONDAY, dt.date(2024, 1, 1), None) == 5
    assert employed_weekdays(MONDAY, MONDAY + dt.timedelta(days=2), None) == 3  # from Wed
    assert employed_weekdays(MONDAY, dt.date(2024, 1, 1), MONDAY + dt.timedelta(days=1)) == 2
    assert employed_weekdays(MONDAY, WEEK2, None) == 0
    assert employed_weekdays(MONDAY, MONDAY + dt.timedelta(days=5), None) == 0  # a Saturday


def test_rostered_hours_are_a_fifth_of_the_week_per_day_never_below_nothing():
    assert rostered_hours(39, 5, 0) == 39
    assert rostered_hours(39, 5, 2) == pytest.approx(23.4)
    assert rostered_hours(20, 5, 0.5) == pytest.approx(18)
    assert rostered_hours(39, 3, 0) == pytest.approx(23.4)
    assert rostered_hours(39, 1, 2) == 0  # leave on a weekend duty day besides


@pytest.mark.django_db
def test_required_fte_is_the_day_plan_s_heads_times_hours_over_a_39_hour_week(team):
    mail = mail_queue(team)
    overnight_mail(mail, MONDAY)
    (line,) = capacity_overview([team], weeks=2)[0].queues
    # 60 e-mails × 10 min = 600 agent-minutes, all due by opening: 20 heads for 07:00.
    assert line.weeks[0].required_hours == pytest.approx(10)
    assert line.weeks[0].required_fte == pytest.approx(10 / 39)
    days = [MONDAY + dt.timedelta(days=n) for n in range(7)]
    plan_hours = sum(day.needed_hours for day in capacity_days(team, days))
    assert line.weeks[0].required_hours == pytest.approx(plan_hours)
    assert line.weeks[1].required_hours == 0


@pytest.mark.django_db
def test_scheduled_fte_is_paid_shift_hours_less_breaks(team):
    mail_queue(team)
    for person in (AssociateFactory(team=team), AssociateFactory(team=team)):
        shifts(person, weekdays(MONDAY))  # 8.5 h less a 30 minute break: 8 paid hours
    total = capacity_overview([team], weeks=2)[0].total
    assert total.weeks[0].scheduled_hours == pytest.approx(80)
    assert total.weeks[0].scheduled_fte == pytest.approx(80 / 39)
    assert total.weeks[0].is_planned
    assert not total.weeks[1].is_planned  # not planned yet: the page says so


@pytest.mark.django_db
def test_rostered_fte_is_contract_hours_less_approved_leave(team):
    mail_queue(team)
    AssociateFactory(team=team)  # 39 h
    AssociateFactory(team=team, weekly_hours=Decimal("19.5"))
    away = AssociateFactory(team=team)
    TimeOffRequestFactory(
        associate=away, first_day=MONDAY, last_day=MONDAY + dt.timedelta(days=1), status="approved"
    )
    TimeOffRequestFactory(  # half a day in week two
        associate=away, first_day=WEEK2, last_day=WEEK2, last_day_part="morning", status="approved"
    )
    TimeOffRequestFactory(associate=away, first_day=WEEK2 + dt.timedelta(days=2))  # pending
    AssociateFactory(team=team, hired_on=WEEK2 + dt.timedelta(days=2))  # joins on Wednesday
    AssociateFactory(team=team, is_active=False)  # gone: not counted
    total = capacity_overview([team], weeks=3)[0].total
    week1, week2, week3 = (w.rostered_hours for w in total.weeks)
    assert week1 == pytest.approx(39 + 19.5 + 39 * 3 / 5)  # two days of leave
    assert week2 == pytest.approx(39 + 19.5 + 39 * 4.5 / 5 + 39 * 3 / 5)  # pending leave counts not
    assert week3 == pytest.approx(39 * 3 + 19.5)
    assert total.weeks[0].rostered_fte == pytest.approx(week1 / FULL_TIME_HOURS)


@pytest.mark.django_db
def test_the_shortfall_is_required_less_rostered_and_a_queue_counts_its_capable_people(team):
    payments = SkillFactory(name="Payments")
    mail = mail_queue(team, payments, name="Payments e-mail")
    overnight_mail(mail, MONDAY, count=600)  # 6000 agent-minutes at opening: 100 h
    chat = QueueFactory(team=team, name="Chat", skill=SkillFactory(name="Chat"))
    ada = AssociateFactory(team=team)
    AssociateSkillFactory(associate=ada, skill=payments, level=2)  # capable
    bea = AssociateFactory(team=team)
    AssociateSkillFactory(associate=bea, skill=payments, level=1)  # learning: not counted
    shifts(ada, weekdays(MONDAY))
    shifts(bea, weekdays(MONDAY))
    result = capacity_overview([team], weeks=2)[0]
    mail_line = next(line for line in result.queues if line.queue == mail)
    chat_line = next(line for line in result.queues if line.queue == chat)
    week = mail_line.weeks[0]
    assert week.required_hours == pytest.approx(100)
    assert (week.scheduled_hours, week.rostered_hours) == (pytest.approx(40), pytest.approx(39))
    assert week.shortfall_fte == pytest.approx(100 / 39 - 1)
    team_week = result.total.weeks[0]
    assert team_week.required_hours == pytest.approx(100)  # chat has no forecast
    assert team_week.rostered_hours == pytest.approx(78)
    assert team_week.shortfall_fte == pytest.approx(100 / 39 - 2)
    assert not team_week.has_forecast
    assert not chat_line.weeks[0].has_forecast
    assert chat_line.weeks[0].rostered_hours == 0
    assert mail_line.weeks[1].shortfall_fte == 0  # never negative
    assert result.total.peak_shortfall_fte == pytest.approx(100 / 39 - 2)


@pytest.mark.django_db
def test_the_page_shows_each_person_their_teams_read_only_and_the_csv_matches(
    cast, team, other_team
):
    overnight_mail(mail_queue(team, name="Payments e-mail"), MONDAY, count=600)
    mail_queue(other_team, SkillFactory(name="Connect"), name="Connect e-mail")
    url = reverse("scheduling:capacity-overview")
    for persona, names in [
        ("lead", ["Payments"]),
        ("manager", ["Payments"]),
        ("other_lead", ["Connect"]),
        ("admin", ["Payments", "Connect"]),  # the largest shortfall first
    ]:
        page = client_for(cast[persona]).get(url)
        assert [r.team.name for r in page.context["rows"]] == names, persona
    body = client_for(cast["manager"]).get(url).content.decode()
    assert "1 FTE = 39 hours" in body
    assert "up to 0.6 FTE short" in body  # 100 h needed, 78 h rostered (the cast's two)
    assert "not planned" in body
    assert "no forecast" in body  # weeks two to eight
    assert f'href="{url}"' in body  # the navigation links it

    response = client_for(cast["manager"]).get(url, {"export": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="capacity-20300107.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["Team", "Site", "Queue", "Week starting"]
    assert len(rows) == 1 + 2 * 8  # the team's line and its queue, 8 weeks each
    first = rows[1]
    assert first[:4] == ["Payments", "Dublin", "All queues", "2030-01-07"]
    # Required 100 h; rostered: the cast's associate and teammate, 39 h each.
    assert [float(v) for v in first[4:8]] == [2.56, 0.0, 2.0, 0.56]


@pytest.mark.django_db
def test_a_name_that_reads_as_a_formula_is_written_as_text(admin, site):
    TeamFactory(site=site, name="=HYPERLINK(1)")
    response = client_for(admin).get(reverse("scheduling:capacity-overview"), {"export": "csv"})
    assert "'=HYPERLINK(1)" in response.content.decode()


def _crowd(site, manager, index: int) -> None:
    """A team with two queues, eight weeks of forecast, five people on shift, leave."""
    team = TeamFactory(site=site, manager=manager, name=f"Team {index}")
    skill = SkillFactory(name=f"Skill {index}")
    chat = QueueFactory(team=team, skill=skill, name="Chat")
    mail = mail_queue(team, skill, name="E-mail")
    people = [AssociateFactory(team=team) for _ in range(5)]
    for person in people:
        AssociateSkillFactory(associate=person, skill=skill)
    rows = []
    for n in range(56):
        day = MONDAY + dt.timedelta(days=n)
        for hour in (9, 12, 15):
            for queue in (chat, mail):
                rows.append(
                    ForecastInterval(
                        queue=queue, starts_at=utc(day, hour), contacts=20, handle_time_seconds=300
                    )
                )
    ForecastInterval.objects.bulk_create(rows)
    for person in people:
        shifts(person, weekdays(MONDAY) + weekdays(WEEK2))
    TimeOffRequestFactory(
        associate=people[0],
        first_day=WEEK2,
        last_day=WEEK2 + dt.timedelta(days=4),
        status="approved",
    )


@pytest.mark.django_db
def test_the_page_costs_the_same_queries_for_one_team_or_three(
    site, manager, django_assert_max_num_queries
):
    client = client_for(manager)
    url = reverse("scheduling:capacity-overview")
    _crowd(site, manager, 1)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    _crowd(site, manager, 2)
    _crowd(site, manager, 3)
    with django_assert_max_num_queries(len(one)):
        page = client.get(url)
    assert len(page.context["rows"]) == 3
    assert all(r.total.weeks[7].required_fte > 0 for r in page.context["rows"])
    assert len(one) <= 14  # session, user, roles, teams and the overview's ten


@pytest.mark.django_db
def test_an_associate_gets_a_404_and_the_refusal_is_logged(associate, caplog):
    with caplog.at_level("WARNING", logger="teams.access"):
        response = client_for(associate.user).get(reverse("scheduling:capacity-overview"))
    assert response.status_code == 404
    assert f"user={associate.user.pk} capacity-overview=- status=404" in caplog.text
