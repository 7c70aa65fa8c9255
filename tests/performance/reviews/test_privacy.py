"""Reviews are invisible to the associate until shared, and to everyone outside the
associate's team line always; private feedback never reaches a review."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from performance.models import Feedback, Goal, Review
from performance.services import reviews as rs
from tests.conftest import PERSONAS, client_for
from tests.factories import FeedbackFactory, GoalFactory

REVIEW_URLS = [
    ("performance:review-detail", "get"),
    ("performance:review-history", "get"),
    ("performance:review-self", "get"),
    ("performance:review-lead", "get"),
    ("performance:review-calibrate", "post"),
    ("performance:review-share", "post"),
    ("performance:review-acknowledge", "post"),
]
PRE_SHARE = ["self_review", "lead_review", "calibration"]
OUTSIDERS = ("teammate", "other_lead", "other_manager")


def _hit(client, name, method, review):
    url = reverse(name, kwargs={"review_id": review.pk})
    return getattr(client, method)(url, {"rating": "5", "reason": "probe", "comment": "probe"})


@pytest.mark.parametrize("state", PRE_SHARE)
@pytest.mark.parametrize(("name", "method"), REVIEW_URLS)
def test_associate_gets_404_before_sharing_except_their_own_self_review(
    state, name, method, cast, review_at
):
    review = review_at(state)
    before = review.history.count()
    response = _hit(client_for(cast["associate"]), name, method, review)
    if name == "performance:review-self":
        # Their own writing only: the page never shows the lead's side.
        assert response.status_code in (200, 400), response.status_code
        assert "LEAD-SUMMARY-MARKER" not in response.content.decode()
        assert "Solid quarter" not in response.content.decode()
    else:
        assert response.status_code == 404
    review.refresh_from_db()
    assert review.state == state
    if name != "performance:review-self":
        assert review.history.count() == before


@pytest.mark.parametrize("state", [s.value for s in Review.State])
@pytest.mark.parametrize(("name", "method"), REVIEW_URLS)
@pytest.mark.parametrize("persona", OUTSIDERS)
def test_teammate_other_lead_and_other_manager_get_404_at_every_step(
    persona, name, method, state, cast, review_at
):
    review = review_at(state)
    before = review.history.count()
    response = _hit(client_for(cast[persona]), name, method, review)
    assert response.status_code == 404
    assert review.history.count() == before


@pytest.mark.parametrize("state", ["shared", "acknowledged"])
def test_associate_sees_the_review_once_shared(state, cast, review_at):
    review = review_at(state)
    client = client_for(cast["associate"])
    for name in ("performance:review-detail", "performance:review-history"):
        response = client.get(reverse(name, kwargs={"review_id": review.pk}))
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
    page = client.get(reverse("performance:review-detail", kwargs={"review_id": review.pk}))
    assert "LEAD-SUMMARY-MARKER" in page.content.decode()


def test_my_reviews_lists_unshared_reviews_without_their_content(cast, review_at):
    review_at("calibration")
    page = client_for(cast["associate"]).get(reverse("performance:my-reviews"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "your lead is working on the review" in text
    assert "LEAD-SUMMARY-MARKER" not in text
    assert "Meets expectations" not in text


@pytest.mark.parametrize("persona", ["associate", "teammate", "other_lead", "other_manager"])
def test_cycle_pages_are_not_for_associates_or_other_teams(persona, cast, cycle, team):
    cycle.teams.set([team])
    client = client_for(cast[persona])
    for name in ("performance:cycle-progress", "performance:cycle-calibration"):
        assert client.get(reverse(name, kwargs={"cycle_id": cycle.pk})).status_code == 404


# --- Pre-fill from feedback and goals ----------------------------------------------------------

PRIVATE = "PRIVATE-FEEDBACK-MARKER"
SHARED = "SHARED-FEEDBACK-MARKER"


@pytest.fixture
def feedback(cast, associate, lead, teammate):
    in_period = timezone.make_aware(dt.datetime(2026, 7, 15, 10, 0))
    items = [
        FeedbackFactory(
            associate=associate,
            author=lead,
            kind=Feedback.Kind.CONSTRUCTIVE,
            situation=f"{PRIVATE} in the escalation call",
            behaviour=f"{PRIVATE} interrupted the customer",
            impact=PRIVATE,
            is_private=True,
        ),
        FeedbackFactory(
            associate=associate,
            author=lead,
            situation=f"{SHARED} during the outage",
            behaviour="kept every customer informed",
            impact="no complaints",
        ),
        FeedbackFactory(
            associate=associate,
            author=teammate.user,
            source=Feedback.Source.PEER,
            situation="Peer kudos for the handover notes",
            behaviour="clear",
        ),
    ]
    Feedback.objects.filter(pk__in=[f.pk for f in items]).update(created_at=in_period)
    return items


def test_prefill_takes_shared_feedback_and_goals_never_private_feedback(
    cast, review_at, associate, lead, team, feedback
):
    GoalFactory(
        associate=associate,
        title="Lift CSAT to 4.6",
        starts_on=dt.date(2026, 7, 1),
        ends_on=dt.date(2026, 9, 30),
        target_value=4.6,
        current_value=4.7,
        status=Goal.Status.ACHIEVED,
        created_by=lead,
    )
    GoalFactory(
        associate=None,
        team=team,
        title="Team backlog under 50",
        starts_on=dt.date(2026, 6, 1),
        ends_on=dt.date(2026, 12, 31),
        target_value=50,
        unit="tickets",
        created_by=lead,
    )
    GoalFactory(
        associate=associate,
        title="Outside the period",
        starts_on=dt.date(2025, 1, 1),
        ends_on=dt.date(2025, 3, 31),
        target_value=1,
        created_by=lead,
    )
    review = review_at("self_review")
    rs.save_self_review(
        actor=associate.user,
        review=review,
        achievements="Ran the outage comms.",
        challenges="",
        growth="",
        submit=True,
    )
    review.refresh_from_db()
    assert SHARED in review.feedback_highlights
    assert "Peer kudos for the handover notes" in review.feedback_highlights
    assert PRIVATE not in review.feedback_highlights
    assert "Lift CSAT to 4.6" in review.goal_outcomes
    assert "Achieved" in review.goal_outcomes
    assert "Team backlog under 50" in review.goal_outcomes
    assert "Outside the period" not in review.goal_outcomes


@pytest.mark.parametrize("state", [s.value for s in Review.State])
def test_private_feedback_never_appears_on_any_review_page(state, cast, review_at, feedback):
    review = review_at(state)
    if state != "self_review":
        review.feedback_highlights = ""
        review.save()
    urls = [
        reverse(name, kwargs={"review_id": review.pk})
        for name, method in REVIEW_URLS
        if method == "get"
    ] + [
        reverse("performance:cycle-progress", kwargs={"cycle_id": review.cycle_id}),
        reverse("performance:cycle-calibration", kwargs={"cycle_id": review.cycle_id}),
        reverse("performance:cycle-list"),
        reverse("performance:my-reviews"),
    ]
    for persona in PERSONAS:
        client = client_for(cast[persona])
        for url in urls:
            response = client.get(url)
            assert PRIVATE not in response.content.decode(), (persona, url)


def test_history_shows_the_associate_only_what_happened_since_sharing(
    cast, review_at, manager, associate
):
    review = review_at("calibration")
    rs.calibrate(
        actor=manager, review=review, rating=4, reason="Ahead of Tim on every KPI this half."
    )
    rs.share_review(actor=manager, review=review)
    url = reverse("performance:review-history", kwargs={"review_id": review.pk})
    for_manager = client_for(manager).get(url).content.decode()
    assert "Ahead of Tim on every KPI this half." in for_manager
    assert "Mona Manager" in for_manager
    for_associate = client_for(associate.user).get(url).content.decode()
    assert "Ahead of Tim" not in for_associate
    # The associate's history starts when the review reached them: the lead's draft
    # rating and the calibration that changed it stay with leads and managers.
    assert "Meets expectations" in for_manager
    assert "Meets expectations" not in for_associate
    assert "Shared" in for_associate


def test_admin_cannot_edit_a_review_behind_the_workflow(cast, review_at, admin):
    review = review_at("shared")
    client = client_for(admin)
    url = reverse("admin:performance_review_change", args=[review.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="lead_summary"' not in page.content.decode()
    client.post(url, {"lead_summary": "silently changed", "state": "lead_review"})
    review.refresh_from_db()
    assert review.lead_summary == "LEAD-SUMMARY-MARKER"
    assert review.state == "shared"


def test_a_review_moves_with_the_associate_to_their_new_team(
    cast, cycle, review_at, associate, team, other_team, lead, other_lead
):
    cycle.teams.set([team])
    review = review_at("lead_review")
    associate.team = other_team
    associate.save()
    detail = reverse("performance:review-detail", kwargs={"review_id": review.pk})
    progress = reverse("performance:cycle-progress", kwargs={"cycle_id": cycle.pk})
    assert client_for(lead).get(detail).status_code == 404
    assert client_for(other_lead).get(detail).status_code == 200
    page = client_for(other_lead).get(progress)
    assert page.status_code == 200
    assert [row.review.pk for row in page.context["rows"]] == [review.pk]
    cycles = client_for(other_lead).get(reverse("performance:cycle-list"))
    assert cycle.name in cycles.content.decode()
    # The old lead still follows the rest of the cycle for their team.
    assert client_for(lead).get(progress).context["rows"] == []


def test_feedback_highlights_take_the_period_and_the_review_season(
    cast, review_at, associate, lead
):
    def give(text, *, about_on=None, given_on):
        item = FeedbackFactory(
            associate=associate, author=lead, situation=text, behaviour="b", about_on=about_on
        )
        at = timezone.make_aware(dt.datetime.combine(given_on, dt.time(12, 0)))
        Feedback.objects.filter(pk=item.pk).update(created_at=at)

    give("ABOUT-A-PERIOD-DAY", about_on=dt.date(2026, 9, 1), given_on=dt.date(2026, 12, 20))
    give("ABOUT-A-LATER-DAY", about_on=dt.date(2026, 11, 10), given_on=dt.date(2026, 11, 12))
    give("GIVEN-IN-REVIEW-SEASON", given_on=dt.date(2026, 11, 25))
    give("GIVEN-AFTER-LEAD-DUE", given_on=dt.date(2026, 12, 5))
    give("GIVEN-BEFORE-PERIOD", given_on=dt.date(2026, 4, 30))
    review = review_at("self_review")
    rs.save_self_review(
        actor=associate.user, review=review, achievements="a", challenges="", growth="", submit=True
    )
    review.refresh_from_db()
    text = review.feedback_highlights
    assert "ABOUT-A-PERIOD-DAY" in text
    assert "GIVEN-IN-REVIEW-SEASON" in text
    assert "ABOUT-A-LATER-DAY" not in text
    assert "GIVEN-AFTER-LEAD-DUE" not in text
    assert "GIVEN-BEFORE-PERIOD" not in text
