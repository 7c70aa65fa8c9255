"""Goals: KPI progress from rollups (its status against the figures, the KPI's
direction and the period), check-ins, and the goal pages."""

import datetime as dt
import random
import re

import pytest
from django.urls import reverse

from performance.models import DailyKpi, Goal, GoalCheckIn, Kpi
from performance.selectors.goals import GoalProgress, goal_progress
from performance.services import feedback as feedback_services
from performance.services import goals as services
from tests.factories import AssociateFactory, GoalFactory

from .conftest import TODAY, make_meeting

pytestmark = pytest.mark.django_db

START = dt.date(2026, 10, 1)
END = dt.date(2026, 12, 31)


def _rollups(kpi, associate, team, first, last, rng, *, scope="associate"):
    rows = []
    day = first
    while day <= last:
        if rng.random() < 0.8:  # some days without data
            events = rng.randint(1, 30)
            value = rng.uniform(1, 100)
            numerator = rng.uniform(10, 500)
            denominator = rng.uniform(500, 600) if kpi.aggregation == "ratio" else None
            rows.append(
                DailyKpi.objects.create(
                    kpi=kpi,
                    day=day,
                    scope=scope,
                    site=team.site,
                    team=team,
                    associate=associate if scope == "associate" else None,
                    value=value,
                    numerator=numerator,
                    denominator=denominator,
                    event_count=events,
                )
            )
        day += dt.timedelta(days=1)
    return rows


def _expected(kpi, rows, first, last):
    """The period figure computed independently, straight from the definition."""
    rows = [r for r in rows if first <= r.day <= last]
    if kpi.aggregation in ("count", "sum"):
        return sum(r.value for r in rows)
    if kpi.aggregation == "ratio":
        return sum(r.numerator for r in rows) / sum(r.denominator for r in rows)
    if kpi.aggregation == "mean":
        return sum(r.numerator for r in rows) / sum(r.event_count for r in rows)
    return sum(r.value for r in rows) / len(rows)  # median/p90: avg of daily figures


@pytest.mark.parametrize(
    "key", ["tickets_solved", "csat", "schedule_adherence", "handle_time", "first_response_time"]
)
def test_goal_progress_from_rollups_equals_an_independent_computation(
    key, associate, teammate, team, other_team, other_associate, lead
):
    rng = random.Random(key)  # noqa: S311 (test data)
    kpi = Kpi.objects.get(key=key)
    mine = _rollups(kpi, associate, team, START - dt.timedelta(days=20), END, rng)
    _rollups(kpi, teammate, team, START, END, rng)  # someone else: must not count
    team_rows = _rollups(kpi, None, team, START, END, rng, scope="team")
    _rollups(kpi, None, other_team, START, END, rng, scope="team")
    goal = GoalFactory.create(
        associate=associate,
        title="A",
        starts_on=START,
        ends_on=END,
        kpi=kpi,
        target_value=kpi.target,
        created_by=lead,
    )
    team_goal = GoalFactory.create(
        associate=None,
        team=team,
        title="T",
        starts_on=START,
        ends_on=END,
        kpi=kpi,
        target_value=kpi.target,
        created_by=lead,
    )
    mine_progress, team_progress = goal_progress([goal, team_goal], TODAY)
    assert mine_progress.value == pytest.approx(_expected(kpi, mine, START, TODAY))
    assert team_progress.value == pytest.approx(_expected(kpi, team_rows, START, TODAY))
    assert mine_progress.computed


def test_progress_percent_follows_the_kpi_direction(lead, associate):
    handle = Kpi.objects.get(key="handle_time")  # lower is better
    goal = Goal(associate=associate, kpi=handle, target_value=12, starts_on=START, ends_on=END)

    assert GoalProgress(goal, 15.0, computed=True).percent == 80
    assert GoalProgress(goal, 10.0, computed=True).percent == 100
    manual = Goal(associate=associate, target_value=10, starts_on=START, ends_on=END)
    assert GoalProgress(manual, 4, computed=False).percent == 40
    assert GoalProgress(manual, None, computed=False).display == "no data yet"


def test_lead_sets_a_goal_and_bad_input_changes_nothing(login, lead, associate):
    url = reverse("performance:associate-goals", args=[associate.pk])
    client = login(lead)
    bad = {"title": "X", "starts_on": "2026-12-01", "ends_on": "2026-11-01", "target_value": "3"}
    assert client.post(url, bad).status_code == 200
    assert not Goal.objects.exists()
    good = bad | {"ends_on": "2026-12-31", "kpi": str(Kpi.objects.get(key="csat").pk)}
    assert client.post(url, good).status_code == 302
    goal = Goal.objects.get()
    assert (goal.associate, goal.unit, goal.created_by) == (associate, "/ 5", lead)
    assert goal.history.get().history_user == lead


def test_check_in_moves_a_manual_goal_and_is_audited(login, lead, associate):
    goal = GoalFactory(
        associate=associate,
        title="Write 3 macros",
        starts_on=START,
        ends_on=END,
        target_value=3,
        created_by=lead,
    )
    url = reverse("performance:goal-detail", args=[goal.pk])
    client = login(lead)
    assert client.post(url, {"status": "at_risk", "value": "1", "note": ""}).status_code == 200
    assert not GoalCheckIn.objects.exists()
    client.post(url, {"status": "at_risk", "value": "1", "note": "One done"})
    goal.refresh_from_db()
    assert (goal.status, goal.current_value) == ("at_risk", 1)
    assert goal.history.count() == 2
    page = login(associate.user).get(url).content.decode()
    assert "One done" in page
    assert '<span class="stat">1</span> <span class="muted">target 3</span>' in page
    assert login(associate.user).post(url, {"status": "achieved", "note": "x"}).status_code == 403


def test_a_kpi_goal_check_in_keeps_the_computed_value(lead, associate):
    goal = GoalFactory(
        associate=associate,
        title="CSAT",
        starts_on=START,
        ends_on=END,
        kpi=Kpi.objects.get(key="csat"),
        target_value=4.6,
        created_by=lead,
    )
    services.check_in_goal(actor=lead, goal=goal, value=99, status="on_track", note="fine")
    goal.refresh_from_db()
    assert goal.current_value is None


def test_team_goals_page_has_a_fixed_query_count(
    login, lead, team, associate, django_assert_num_queries
):
    csat = Kpi.objects.get(key="csat")
    client = login(lead)
    url = reverse("performance:team-goals", args=[team.pk])
    counts = []
    for batch in range(2):
        for n in range(3 + batch * 10):
            person = AssociateFactory(team=team)
            GoalFactory(
                associate=person,
                title=f"G{n}",
                starts_on=START,
                ends_on=END,
                kpi=csat if n % 2 else None,
                target_value=4.5,
                created_by=lead,
            )
            GoalFactory(
                associate=None,
                team=team,
                title=f"T{n}",
                starts_on=START,
                ends_on=END,
                kpi=csat,
                target_value=4.5,
                created_by=lead,
            )
        with django_assert_num_queries(8) as context:
            assert client.get(url).status_code == 200
        counts.append(len(context))
    assert counts[0] == counts[1]


def test_my_goals_shows_own_and_team_goals(login, associate, teammate, team, lead):
    for owner in ({"associate": associate}, {"associate": teammate}, {"team": team}):
        GoalFactory(
            title=f"goal of {next(iter(owner.values()))}",
            starts_on=START,
            ends_on=END,
            target_value=1,
            created_by=lead,
            **owner,
        )
    body = login(associate.user).get(reverse("performance:my-goals")).content.decode()
    assert f"goal of {associate}" in body
    assert f"goal of {team}" in body
    assert f"goal of {teammate}" not in body


@pytest.mark.parametrize(
    ("name", "viewer", "by_id"),
    [
        ("performance:associate-feedback", "lead", True),
        ("performance:associate-goals", "lead", True),
        ("performance:associate-one-on-ones", "lead", True),
        ("performance:my-feedback", "associate", False),
        ("performance:my-goals", "associate", False),
        ("performance:my-one-on-ones", "associate", False),
    ],
)
def test_an_associates_people_pages_do_not_grow_their_query_count(
    login, lead, associate, teammate, name, viewer, by_id
):
    """However much history someone has (feedback, kudos, goals, 1:1s), their pages
    run the same number of queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    csat = Kpi.objects.get(key="csat")
    url = reverse(name, args=[associate.pk]) if by_id else reverse(name)
    client = login(lead if viewer == "lead" else associate.user)
    counts = []
    for batch in (range(2), range(2, 14)):
        for n in batch:
            feedback_services.give_feedback(
                actor=lead, associate=associate, kind="praise", situation=f"S{n}", behaviour="B"
            )
            feedback_services.give_kudos(
                actor=teammate.user,
                giver=teammate,
                to=associate,
                situation=f"K{n}",
                behaviour="B",
                impact="",
            )
            GoalFactory(
                associate=associate,
                title=f"G{n}",
                starts_on=START,
                ends_on=END,
                kpi=csat if n % 2 else None,
                target_value=4.5,
                created_by=lead,
            )
            make_meeting(associate, lead, TODAY - dt.timedelta(days=7 * (n + 1)), status="done")
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


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
    return GoalFactory(
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
    manual = GoalFactory(
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
    assert "4.42 / 5 (target 4.60)" in csat_row  # as the dashboards show CSAT
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


@pytest.mark.parametrize(
    ("target", "kpi_key", "message"),
    [
        ("-1", None, "Choose a target between 0 and"),
        ("1e308", None, "Choose a target between 0 and"),
        ("6", "csat", "CSAT goes from 1 to 5"),
        ("101", "qa_score", "QA score goes from 0 to 100"),
    ],
)
def test_a_goal_target_out_of_reach_is_a_field_error(
    login, lead, associate, target, kpi_key, message
):
    """Issue 13, point 8."""
    form = {
        "title": "T",
        "starts_on": "2026-12-01",
        "ends_on": "2027-02-28",
        "target_value": target,
    }
    if kpi_key:
        form["kpi"] = Kpi.objects.get(key=kpi_key).pk
    response = login(lead).post(
        reverse("performance:associate-goals", args=[associate.pk]), form, follow=True
    )
    assert message in response.content.decode()
    assert not Goal.objects.exists()


@pytest.mark.parametrize(
    ("page", "field"),
    [
        ("performance:associate-goals", "starts_on"),
        ("performance:associate-one-on-ones", "first_on"),
        ("performance:associate-one-on-ones", "on"),
    ],
)
def test_date_inputs_show_their_value(login, lead, associate, cadence, page, field):
    """Issue 13, point 8: <input type=date> shows only ISO values (it was blank)."""
    body = login(lead).get(reverse(page, args=[associate.pk])).content.decode()
    [tag] = re.findall(rf'<input[^>]*name="{field}"[^>]*>', body)
    assert 'type="date"' in tag
    assert re.search(r'value="\d{4}-\d\d-\d\d"', tag), tag


def test_an_adherence_goal_reads_as_a_percentage_like_the_dashboards(
    login, lead, associate, team, frozen
):
    adherence = Kpi.objects.get(key="schedule_adherence")  # a ratio, shown as %
    DailyKpi.objects.create(
        kpi=adherence,
        day=TODAY - dt.timedelta(days=3),
        scope="associate",
        site=team.site,
        team=team,
        associate=associate,
        value=0.9312,
        numerator=9312,
        denominator=10000,
        event_count=1,
    )
    GoalFactory(
        associate=associate,
        title="Adherence back to target",
        starts_on=START,
        ends_on=END,
        kpi=adherence,
        target_value=0.95,
        unit="ratio",
        created_by=lead,
    )
    html = login(lead).get(reverse("performance:associate-goals", args=[associate.pk]))
    row = _goal_row(html.content.decode(), "Adherence back to target")
    assert "93% of 95%" in row or "93% (target 95%)" in row
