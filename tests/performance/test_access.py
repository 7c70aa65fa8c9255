"""A player-coach is on their own team's roster: they are an associate there, but
they do not lead themself — no 1:1s, feedback, goals or review steps on their own
record as its lead (DESIGN.md: a lead's own lead does that)."""

import datetime as dt

import pytest
from django.urls import reverse

from performance import access
from performance.models import Feedback, Goal, OneOnOneCadence
from performance.models.reviews import Review
from tests.conftest import client_for
from tests.factories import AssociateFactory, GoalFactory
from tests.performance.conftest import make_meeting
from tests.performance.reviews.conftest import at_step, cycle  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def coach(team, lead):
    """The lead's own roster record on the team they lead."""
    return AssociateFactory(team=team, user=lead)


def test_a_lead_cannot_plan_give_feedback_or_set_goals_on_their_own_record(coach, lead):
    client = client_for(lead)
    cadence = client.post(
        reverse("performance:cadence-set", args=[coach.pk]),
        {
            "frequency": "weekly",
            "first_on": "2030-01-07",
            "starts_at_time": "10:00",
            "duration_minutes": "30",
        },
    )
    assert cadence.status_code == 403
    feedback = client.post(
        reverse("performance:associate-feedback", args=[coach.pk]),
        {"kind": "praise", "situation": "s", "behaviour": "b", "impact": "i"},
    )
    assert feedback.status_code == 403
    goal = client.post(
        reverse("performance:associate-goals", args=[coach.pk]),
        {"title": "Mine", "starts_on": "2026-11-01", "ends_on": "2026-12-31", "target_value": "1"},
    )
    assert goal.status_code == 403
    assert not OneOnOneCadence.objects.filter(associate=coach).exists()
    assert not Feedback.objects.filter(associate=coach).exists()
    assert not Goal.objects.filter(associate=coach).exists()


def test_a_lead_opens_their_own_1on1_as_the_associate_not_as_its_lead(coach, lead, manager):
    meeting = make_meeting(coach, manager, dt.date(2030, 1, 8))
    client = client_for(lead)
    page = client.get(reverse("performance:one-on-one-detail", args=[meeting.pk]))
    assert page.status_code == 200
    assert page.context["is_lead"] is False
    private = client.post(
        reverse("performance:one-on-one-private-note", args=[meeting.pk]), {"text": "mine"}
    )
    assert private.status_code == 403


def test_nobody_takes_a_review_step_on_their_own_review(cycle, coach, lead, team):  # noqa: F811
    review = at_step(Review.objects.create(cycle=cycle, associate=coach), "lead_review")
    rel = access.relation(lead, review)
    assert rel.is_subject
    assert not rel.writes_lead_review
    assert not rel.calibrates
    assert not rel.shares


def test_other_associates_are_still_led(team, lead):
    other = AssociateFactory(team=team)
    response = client_for(lead).post(
        reverse("performance:associate-feedback", args=[other.pk]),
        {"kind": "praise", "situation": "s", "behaviour": "b", "impact": "i"},
    )
    assert response.status_code in (200, 302)


# --- Every refusal is logged on teams.access, like every other app's ----------------


@pytest.fixture
def audit(caplog):
    import logging

    caplog.set_level(logging.WARNING, logger="teams.access")
    return caplog


def test_a_lead_opening_another_teams_goal_gets_404_and_it_is_logged(cast, other_team, lead, audit):
    goal = GoalFactory(associate=AssociateFactory(team=other_team))
    url = reverse("performance:goal-detail", args=[goal.pk])
    assert client_for(lead).get(url).status_code == 404
    assert f"user={lead.pk} goal={goal.pk} status=404" in audit.text


def test_a_manager_on_the_kpi_import_gets_403_and_it_is_logged(cast, manager, audit):
    assert client_for(manager).get(reverse("performance:kpi-import")).status_code == 403
    assert f"user={manager.pk} kpi-import=- status=403" in audit.text


def test_a_lead_giving_feedback_on_their_own_record_gets_403_and_it_is_logged(coach, lead, audit):
    url = reverse("performance:associate-feedback", args=[coach.pk])
    response = client_for(lead).post(url, {"kind": "praise", "situation": "s", "behaviour": "b"})
    assert response.status_code == 403
    assert f"user={lead.pk} associate={coach.pk} status=403" in audit.text
