"""Bugs a reviewer found walking the demo: goal status against the figures, the
next 1:1 after a late one, and nonsense dates."""

import datetime as dt

import pytest
import time_machine
from django.template import Context, Template
from django.urls import reverse

from performance import people_services as services
from performance.models import ActionItem, DailyKpi, Feedback, Goal, Kpi, OneOnOne, OneOnOneCadence
from performance.people_selectors import GoalProgress, goal_progress

from .conftest import TODAY, make_meeting

pytestmark = pytest.mark.django_db

START = dt.date(2026, 10, 1)
END = dt.date(2026, 12, 31)


# --- 1. Goal status follows the figures -------------------------------------------------


def _csat_goal(associate, lead, team, *, numerator):
    csat = Kpi.objects.get(key="csat")  # mean, higher is better
    DailyKpi.objects.create(
        kpi=csat,
        day=TODAY - dt.timedelta(days=3),
        scope="associate",
        site=team.site,
        team=team,
        associate=associate,
        value=numerator / 100,
        numerator=numerator,
        event_count=100,
    )
    return Goal.objects.create(
        associate=associate,
        title="Keep CSAT at or above 4.6 this quarter",
        starts_on=START,
        ends_on=END,
        kpi=csat,
        target_value=4.6,
        unit="/ 5",
        created_by=lead,
    )


def _goal_row(body, title):
    start = body.index(title)
    return body[start : body.index("</tr>", start)]


def test_a_kpi_goal_worse_than_its_target_is_not_on_track(login, lead, associate, team, frozen):
    _csat_goal(associate, lead, team, numerator=442)
    manual = Goal.objects.create(
        associate=associate,
        title="Write three macros",
        starts_on=START,
        ends_on=END,
        target_value=3,
        unit="macros",
        current_value=3,
        created_by=lead,
    )
    assert manual.status == Goal.Status.ON_TRACK  # what the check-ins left
    body = login(lead).get(reverse("performance:associate-goals", args=[associate.pk]))
    html = body.content.decode()
    csat_row = _goal_row(html, "Keep CSAT at or above 4.6")
    assert "4.42 / 5 (target 4.6)" in csat_row
    assert "On track" not in csat_row
    assert "At risk" in csat_row
    macros_row = _goal_row(html, "Write three macros")
    assert "3 of 3 macros" in macros_row
    assert "Achieved" in macros_row
    assert "On track" not in macros_row


def test_goal_status_respects_the_kpi_direction_and_the_period(lead, associate, team):
    handle = Kpi.objects.get(key="handle_time")  # lower is better
    goal = Goal(associate=associate, kpi=handle, target_value=12, starts_on=START, ends_on=END)
    assert GoalProgress(goal, 11.0, computed=True, today=TODAY).status == Goal.Status.ON_TRACK
    assert GoalProgress(goal, 12.3, computed=True, today=TODAY).status == Goal.Status.AT_RISK
    assert GoalProgress(goal, 15.0, computed=True, today=TODAY).status == Goal.Status.OFF_TRACK
    after = END + dt.timedelta(days=1)
    assert GoalProgress(goal, 11.0, computed=True, today=after).status == Goal.Status.ACHIEVED
    assert GoalProgress(goal, 15.0, computed=True, today=after).status == Goal.Status.MISSED
    # A lead's more cautious status stands while the figures are fine.
    goal.status = Goal.Status.AT_RISK
    assert GoalProgress(goal, 11.0, computed=True, today=TODAY).status == Goal.Status.AT_RISK
    # Dropped stays dropped; no data keeps the stored status.
    goal.status = Goal.Status.DROPPED
    assert GoalProgress(goal, 15.0, computed=True, today=TODAY).status == Goal.Status.DROPPED
    goal.status = Goal.Status.ON_TRACK
    assert GoalProgress(goal, None, computed=True, today=TODAY).status == Goal.Status.ON_TRACK


def test_a_total_goal_is_judged_against_a_steady_pace(lead, associate):
    tickets = Kpi.objects.get(key="tickets_solved")
    # 92 days; on 25 Nov (day 56) a steady pace is ~61% of the way.
    goal = Goal(associate=associate, kpi=tickets, target_value=1000, starts_on=START, ends_on=END)
    assert GoalProgress(goal, 650, computed=True, today=TODAY).status == Goal.Status.ON_TRACK
    assert GoalProgress(goal, 520, computed=True, today=TODAY).status == Goal.Status.AT_RISK
    assert GoalProgress(goal, 200, computed=True, today=TODAY).status == Goal.Status.OFF_TRACK
    assert GoalProgress(goal, 1000, computed=True, today=TODAY).status == Goal.Status.ACHIEVED


def test_the_1on1_context_panel_shows_the_computed_goal_status(
    login, lead, associate, team, meeting
):
    _csat_goal(associate, lead, team, numerator=442)
    body = login(lead).get(reverse("performance:one-on-one-detail", args=[meeting.pk]))
    html = body.content.decode()
    assert "(at risk)" in html
    assert "(on track)" not in html
    [progress] = goal_progress(list(Goal.objects.select_related("kpi")), TODAY)
    assert progress.is_warning


# --- 2. The next 1:1 after a late one ---------------------------------------------------


@pytest.fixture
def wednesday_cadence(associate):
    """Fortnightly on Wednesdays at 10:30, like the demo."""
    return OneOnOneCadence.objects.create(
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


# --- 3. Nonsense dates ----------------------------------------------------------------


@pytest.mark.parametrize("due", ["2020-01-01", "2026-11-25", "2028-01-01"])
def test_action_item_due_dates_before_the_1on1_or_years_out_are_refused(
    login, lead, associate, meeting, due
):
    url = reverse("performance:action-item-add", args=[meeting.pk])
    response = login(lead).post(
        url, {"text": "Shadow QA", "owner": str(associate.user.pk), "due_on": due}, follow=True
    )
    assert not ActionItem.objects.exists()
    assert "The due date" in response.content.decode()


def test_a_sensible_due_date_is_accepted(login, lead, associate, meeting):
    url = reverse("performance:action-item-add", args=[meeting.pk])
    due = meeting.on + dt.timedelta(days=7)
    login(lead).post(url, {"text": "Shadow QA", "owner": str(lead.pk), "due_on": due.isoformat()})
    assert ActionItem.objects.get().due_on == due


def test_the_service_refuses_a_due_date_before_the_1on1(lead, associate, meeting):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.add_action_item(
            actor=lead,
            one_on_one=meeting,
            text="X",
            owner=lead,
            due_on=dt.date(2020, 1, 1),
        )


@pytest.mark.parametrize("about", ["2030-01-01", "2026-11-26", "2020-01-01"])
def test_feedback_about_a_future_or_ancient_day_is_refused_with_a_field_error(
    login, lead, associate, frozen, about
):
    url = reverse("performance:associate-feedback", args=[associate.pk])
    data = {"kind": "praise", "situation": "Outage", "behaviour": "Calm", "about_on": about}
    response = login(lead).post(url, data)
    assert response.status_code == 200
    assert response.context["form"].errors["about_on"]
    assert not Feedback.objects.exists()


def test_feedback_about_today_is_accepted(login, lead, associate, frozen):
    url = reverse("performance:associate-feedback", args=[associate.pk])
    data = {"kind": "praise", "situation": "Outage", "behaviour": "Calm", "about_on": "2026-11-25"}
    assert login(lead).post(url, data).status_code == 302
    assert Feedback.objects.get().about_on == TODAY


def test_dates_outside_this_year_show_their_year(frozen):
    template = Template('{% load people_dates %}{{ a|short_date }}|{{ b|short_date:"D j M" }}')
    text = template.render(Context({"a": dt.date(2026, 3, 1), "b": dt.date(2020, 1, 1)}))
    assert text == "1 Mar|Wed 1 Jan 2020"


def test_a_time_shows_on_its_local_day(frozen):
    from django.utils import timezone

    template = Template('{% load people_dates %}{{ at|short_date:"D j M H:i" }}')
    at = dt.datetime(2026, 11, 24, 23, 30, tzinfo=dt.UTC)  # 25 Nov, 08:30 in Tokyo
    with timezone.override("Asia/Tokyo"):
        assert template.render(Context({"at": at})) == "Wed 25 Nov 08:30"


def test_an_old_due_date_shows_its_year_on_the_1on1_page(login, lead, associate, meeting):
    ActionItem.objects.create(
        associate=associate,
        raised_in=meeting,
        owner=lead,
        text="Old thing",
        due_on=dt.date(2027, 2, 1),
    )
    html = login(lead).get(reverse("performance:one-on-one-detail", args=[meeting.pk]))
    assert "due 1 Feb 2027" in html.content.decode()
