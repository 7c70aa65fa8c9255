"""Each review transition is allowed only to the right person at the right step;
everyone else is refused and nothing changes."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from performance.models import Rating, RatingChange, Review, ReviewCycle
from performance.services import reviews as rs
from tests.conftest import client_for
from tests.factories import AssociateFactory, UserFactory

ACTORS = ("associate", "teammate", "lead", "other_lead", "manager", "other_manager", "admin")
STATES = [s.value for s in Review.State]


def _submit_self(actor, review):
    rs.save_self_review(
        actor=actor,
        review=review,
        achievements="Mentored two new joiners.",
        challenges="Chat peaks.",
        growth="QA lead.",
        submit=True,
    )


def _save_lead(actor, review):
    rs.save_lead_review(
        actor=actor,
        review=review,
        goal_outcomes="Goals met.",
        feedback_highlights="Kudos from peers.",
        lead_summary="A changed summary.",
        rating=Rating.EXCEEDS,
        rating_justification="CSAT well above target all period.",
        edit_reason="Added the Q3 CSAT results.",
    )


def _submit_lead(actor, review):
    rs.save_lead_review(
        actor=actor,
        review=review,
        goal_outcomes="Goals met.",
        feedback_highlights="",
        lead_summary="Strong period.",
        rating=Rating.EXCEEDS,
        rating_justification="CSAT well above target all period.",
        submit=True,
    )


def _calibrate(actor, review):
    rs.calibrate(actor=actor, review=review, rating=Rating.EXCEEDS, reason="Top CSAT of the site.")


def _share(actor, review):
    rs.share_review(actor=actor, review=review)


def _skip_self(actor, review):
    # The matrix cycle's self review is due 20 Nov 2026; "now" is after that.
    with time_machine.travel(dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC), tick=False):
        rs.skip_self_review(actor=actor, review=review)


def _acknowledge(actor, review):
    rs.acknowledge_review(actor=actor, review=review, comment="Thanks.")


# action: (function, who may, at which steps, the step it leads to)
ACTIONS = {
    "submit_self": (_submit_self, {"associate"}, {"self_review"}, "lead_review"),
    "save_lead": (_save_lead, {"lead", "admin"}, {"lead_review", "shared"}, None),
    "submit_lead": (_submit_lead, {"lead", "admin"}, {"lead_review"}, "calibration"),
    "calibrate": (_calibrate, {"manager", "admin"}, {"calibration"}, "calibration"),
    "share": (_share, {"lead", "manager", "admin"}, {"calibration"}, "shared"),
    "acknowledge": (_acknowledge, {"associate"}, {"shared"}, "acknowledged"),
    "skip_self": (_skip_self, {"lead", "admin"}, {"self_review"}, "lead_review"),
}


def _snapshot(review: Review) -> tuple:
    review.refresh_from_db()
    fields = [f.attname for f in Review._meta.concrete_fields]
    return (
        tuple(getattr(review, f) for f in fields),
        review.history.count(),
        RatingChange.objects.filter(review=review).count(),
    )


@pytest.mark.parametrize("actor_name", ACTORS)
@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_transition_only_for_the_right_person_at_the_right_step(
    action, state, actor_name, cast, review_at
):
    review = review_at(state)
    function, who, steps, leads_to = ACTIONS[action]
    actor = cast[actor_name]
    allowed = actor_name in who and state in steps
    before = _snapshot(review)
    if allowed:
        function(actor, review)
        review.refresh_from_db()
        expected = leads_to or ("calibration" if state == "shared" else state)
        assert review.state == expected
        assert _snapshot(review) != before
    else:
        with pytest.raises(rs.ReviewError) as refused:
            function(actor, review)
        assert refused.value.message  # a sentence saying why
        expected_error = rs.NotAllowed if actor_name not in who else rs.WrongStep
        assert isinstance(refused.value, expected_error)
        assert _snapshot(review) == before, "a refused action changed the review"


def test_full_journey_through_the_views(
    cast, cycle, associate, lead, manager, django_capture_on_commit_callbacks
):
    review = Review.objects.create(cycle=cycle, associate=associate)
    me, lena, mona = client_for(associate.user), client_for(lead), client_for(manager)

    # The associate writes the self review; nothing of the review is visible before sharing.
    url = reverse("performance:review-self", kwargs={"review_id": review.pk})
    response = me.post(url, {"achievements": "Closed 600 tickets.", "submit": "1"})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.state == Review.State.LEAD_REVIEW
    assert me.get(reverse("performance:review-detail", args=[review.pk])).status_code == 404

    # The lead writes and submits; a rating without justification is refused.
    lead_url = reverse("performance:review-lead", kwargs={"review_id": review.pk})
    assert lena.get(lead_url).status_code == 200
    data = {
        "goal_outcomes": "Met the CSAT goal.",
        "feedback_highlights": "",
        "lead_summary": "A strong half.",
        "rating": "4",
        "rating_justification": "",
        "submit": "1",
    }
    response = lena.post(lead_url, data)
    assert response.status_code == 400
    assert "justification" in response.content.decode()
    review.refresh_from_db()
    assert review.state == Review.State.LEAD_REVIEW
    response = lena.post(lead_url, data | {"rating_justification": "CSAT 4.8 all period."})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.state == Review.State.CALIBRATION
    assert review.rating == 4

    # The manager calibrates with a reason (required) and shares.
    calibrate = reverse("performance:review-calibrate", kwargs={"review_id": review.pk})
    assert mona.post(calibrate, {"rating": "3", "reason": ""}).status_code == 400
    assert mona.post(calibrate, {"rating": "3", "reason": "In line with peers."}).status_code == 302
    change = RatingChange.objects.get(review=review)
    assert (change.from_rating, change.to_rating, change.changed_by, change.reason) == (
        4,
        3,
        manager,
        "In line with peers.",
    )
    assert change.changed_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        response = mona.post(reverse("performance:review-share", args=[review.pk]))
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [[associate.user.email]]

    # Now the associate sees it and acknowledges it, once and for all.
    page = me.get(reverse("performance:review-detail", args=[review.pk]))
    assert page.status_code == 200
    assert "A strong half." in page.content.decode()
    assert "In line with peers." not in page.content.decode()  # the manager's reason
    assert "no-store" in page["Cache-Control"]
    ack = reverse("performance:review-acknowledge", args=[review.pk])
    assert me.post(ack, {"comment": "Fair."}).status_code == 302
    review.refresh_from_db()
    assert review.state == Review.State.ACKNOWLEDGED
    assert review.acknowledgement_comment == "Fair."

    # Acknowledgement is final: nothing moves it any more, for anyone.
    before = _snapshot(review)
    assert me.post(ack, {"comment": "Changed my mind."}).status_code == 400
    assert (
        lena.post(lead_url, data | {"rating_justification": "x", "submit": ""}).status_code == 400
    )
    assert mona.post(calibrate, {"rating": "5", "reason": "Re-think"}).status_code == 400
    assert lena.post(reverse("performance:review-share", args=[review.pk])).status_code == 400
    assert _snapshot(review) == before


def test_editing_a_shared_review_reopens_it_audits_and_notifies(
    cast, review_at, lead, associate, django_capture_on_commit_callbacks
):
    review = review_at("shared")
    mail.outbox.clear()
    url = reverse("performance:review-lead", kwargs={"review_id": review.pk})
    data = {
        "goal_outcomes": "",
        "feedback_highlights": "",
        "lead_summary": "Now with the October figures.",
        "rating": "4",
        "rating_justification": "October lifted CSAT above target.",
        "edit_reason": "",
    }
    client = client_for(lead)
    # No silent edit: without a reason it is refused and nothing changes.
    before = _snapshot(review)
    response = client.post(url, data)
    assert response.status_code == 400
    assert "say why" in response.content.decode()
    assert _snapshot(review) == before
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data | {"edit_reason": "October figures came in late."})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.state == Review.State.CALIBRATION
    assert review.reopened_count == 1
    assert review.first_shared_at is not None  # still visible to the associate
    last = review.history.latest()
    assert last.history_user == lead
    assert last.history_change_reason == "reopened after sharing: October figures came in late."
    assert last.prev_record is not None
    delta = last.diff_against(last.prev_record)
    assert {"lead_summary", "rating", "state"} <= set(delta.changed_fields)
    change = RatingChange.objects.get(review=review)
    assert (change.from_rating, change.to_rating) == (Rating.MEETS, Rating.EXCEEDS)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [associate.user.email]
    assert "changed" in mail.outbox[0].subject

    # The associate still reaches it, with the change in its history.
    me = client_for(associate.user)
    assert me.get(reverse("performance:review-detail", args=[review.pk])).status_code == 200
    history = me.get(reverse("performance:review-history", args=[review.pk])).content.decode()
    assert "October figures came in late." in history
    assert "Now with the October figures." in history


def test_saving_a_shared_review_unchanged_keeps_it_shared(cast, review_at, lead):
    review = review_at("shared")
    before = _snapshot(review)
    rs.save_lead_review(
        actor=lead,
        review=review,
        goal_outcomes=review.goal_outcomes,
        feedback_highlights=review.feedback_highlights,
        lead_summary=review.lead_summary,
        rating=review.rating,
        rating_justification=review.rating_justification,
    )
    assert _snapshot(review) == before
    assert mail.outbox == []


def test_calibrating_to_the_same_rating_or_without_reason_changes_nothing(cast, review_at, manager):
    review = review_at("calibration")
    before = _snapshot(review)
    with pytest.raises(rs.WrongStep, match="already"):
        rs.calibrate(actor=manager, review=review, rating=review.rating, reason="x")
    with pytest.raises(rs.WrongStep, match="reason"):
        rs.calibrate(actor=manager, review=review, rating=Rating.BELOW, reason="  ")
    with pytest.raises(rs.WrongStep, match="from 1 to 5"):
        rs.calibrate(actor=manager, review=review, rating=9, reason="off the scale")
    assert _snapshot(review) == before


def test_views_answer_403_for_the_wrong_person_and_400_for_the_wrong_step(
    cast, review_at, lead, associate
):
    review = review_at("lead_review")
    # The lead may see the review but calibration is the manager's: 403 with the reason.
    response = client_for(lead).post(
        reverse("performance:review-calibrate", args=[review.pk]),
        {"rating": "5", "reason": "Because."},
    )
    assert response.status_code == 403
    assert "manager" in response.content.decode()
    # Sharing before calibration is the wrong step: 400 with the reason.
    response = client_for(lead).post(reverse("performance:review-share", args=[review.pk]))
    assert response.status_code == 400
    assert "lead review" in response.content.decode()
    review.refresh_from_db()
    assert review.state == Review.State.LEAD_REVIEW


def test_methods_are_declared(cast, review_at, associate, lead):
    review = review_at("shared")
    client = client_for(associate.user)
    assert (
        client.get(reverse("performance:review-acknowledge", args=[review.pk])).status_code == 405
    )
    assert (
        client_for(lead).delete(reverse("performance:review-detail", args=[review.pk])).status_code
        == 405
    )


# --- Opening a cycle ------------------------------------------------------------------------


def _cycle_data(**overrides):
    return {
        "name": "H1 2027",
        "period_start": "2027-01-01",
        "period_end": "2027-06-30",
        "self_review_due_on": "2027-07-10",
        "lead_review_due_on": "2027-07-20",
        "calibration_due_on": "2027-07-31",
    } | overrides


def test_manager_opens_a_cycle_for_own_teams_only(cast, team, other_team, manager, lead):
    lead_associate = AssociateFactory(user=lead, team=team)  # a player-coach lead
    leaver = AssociateFactory(team=team, is_active=False, left_on=dt.date(2026, 6, 1))
    client = client_for(manager)
    url = reverse("performance:cycle-create")
    # Another manager's team is not even offered; forcing it is refused.
    response = client.post(url, _cycle_data(teams=[other_team.pk]))
    assert response.status_code == 400
    assert not ReviewCycle.objects.exists()

    response = client.post(url, _cycle_data(teams=[team.pk]))
    assert response.status_code == 302
    cycle = ReviewCycle.objects.get()
    reviewed = set(cycle.reviews.values_list("associate_id", flat=True))
    assert reviewed == {cast["associate"].associate.pk, cast["teammate"].associate.pk}
    assert lead_associate.pk not in reviewed
    assert leaver.pk not in reviewed
    assert set(cycle.reviews.values_list("state", flat=True)) == {"self_review"}
    assert all(r.history.count() == 1 for r in cycle.reviews.all())


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"period_end": "2026-12-31"}, "cannot end before"),
        ({"lead_review_due_on": "2027-07-01"}, "in order"),
        ({"name": ""}, "required"),
        ({"teams": []}, "required"),
    ],
)
def test_bad_cycle_input_is_refused_with_a_message(cast, team, manager, overrides, message):
    data = _cycle_data(teams=[team.pk]) | overrides
    response = client_for(manager).post(reverse("performance:cycle-create"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ReviewCycle.objects.exists()


def test_open_cycle_service_refuses_leads_and_foreign_teams(cast, team, other_team, lead, manager):
    kwargs = {
        "name": "X",
        "period_start": dt.date(2027, 1, 1),
        "period_end": dt.date(2027, 6, 30),
        "self_review_due_on": dt.date(2027, 7, 1),
        "lead_review_due_on": dt.date(2027, 7, 2),
        "calibration_due_on": dt.date(2027, 7, 3),
    }
    with pytest.raises(rs.NotAllowed):
        rs.open_cycle(actor=lead, teams=[team], **kwargs)
    with pytest.raises(rs.NotAllowed, match="Connect"):
        rs.open_cycle(actor=manager, teams=[team, other_team], **kwargs)
    rs.open_cycle(actor=manager, teams=[team], **kwargs)
    with pytest.raises(rs.WrongStep, match="already"):
        rs.open_cycle(actor=manager, teams=[team], **kwargs)
    assert ReviewCycle.objects.count() == 1


def test_progress_shows_who_is_late_at_which_step(cast, cycle, review_at, teammate, lead):
    import time_machine

    review_at("self_review")
    review_at("lead_review", who=teammate)
    other = AssociateFactory(team=cast["lead"].led_teams.get(), user=UserFactory(first_name="Zed"))
    review_at("calibration", who=other)
    url = reverse("performance:cycle-progress", args=[cycle.pk])
    with time_machine.travel(dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC), tick=False):
        page = client_for(lead).get(url)
    rows = {row.review.associate_id: row for row in page.context["rows"]}
    assert rows[cast["associate"].associate.pk].is_late  # self review was due 20 Nov
    assert rows[cast["associate"].associate.pk].days_late == 5
    assert not rows[teammate.pk].is_late  # lead review due 4 Dec
    assert not rows[other.pk].is_late
    assert page.context["late_count"] == 1


def test_submitting_the_self_review_tells_the_leads(
    cast, review_at, associate, lead, django_capture_on_commit_callbacks
):
    review = review_at("self_review")
    url = reverse("performance:review-self", kwargs={"review_id": review.pk})
    client = client_for(associate.user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"achievements": "Draft only."})
    assert mail.outbox == []  # a saved draft tells nobody
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"achievements": "All done.", "submit": "1"})
    assert [m.to for m in mail.outbox] == [[lead.email]]
    assert f"/reviews/{review.pk}/lead/" in mail.outbox[0].body


def test_refusals_are_logged(cast, review_at, lead, teammate, caplog):
    review = review_at("lead_review")
    with caplog.at_level("WARNING", logger="teams.access"):
        client_for(lead).post(
            reverse("performance:review-calibrate", args=[review.pk]),
            {"rating": "5", "reason": "r"},
        )
        client_for(teammate.user).get(reverse("performance:review-detail", args=[review.pk]))
    statuses = [
        r.getMessage().rsplit("status=", 1)[1] for r in caplog.records if r.name == "teams.access"
    ]
    assert statuses == ["403", "404"]


def test_a_self_review_can_be_skipped_only_once_overdue(cast, review_at, associate, lead):
    review = review_at("self_review")
    review.self_achievements = "MY-UNSUBMITTED-DRAFT"
    review.self_submitted_at = None
    review.save()
    url = reverse("performance:review-skip-self", kwargs={"review_id": review.pk})
    client = client_for(lead)
    on_due_day = dt.datetime(2026, 11, 20, 23, 30, tzinfo=dt.UTC)  # still 20 Nov in Dublin
    with time_machine.travel(on_due_day, tick=False):
        response = client.post(url)
    assert response.status_code == 400
    assert "only after" in response.content.decode()
    review.refresh_from_db()
    assert review.state == Review.State.SELF_REVIEW
    with time_machine.travel(dt.datetime(2026, 11, 21, 9, 0, tzinfo=dt.UTC), tick=False):
        detail = client.get(reverse("performance:review-detail", args=[review.pk]))
        assert "start the lead review without it" in detail.content.decode()
        assert client.post(url).status_code == 302
    review.refresh_from_db()
    assert review.state == Review.State.LEAD_REVIEW
    last = review.history.order_by("-history_id").first()
    assert last.history_change_reason == "self review skipped: overdue"
    assert last.history_user == lead
    # The associate's unsubmitted draft stays theirs.
    for name in (
        "performance:review-lead",
        "performance:review-detail",
        "performance:review-history",
    ):
        page = client.get(reverse(name, args=[review.pk])).content.decode()
        assert "MY-UNSUBMITTED-DRAFT" not in page, name


def test_a_cycle_leaves_out_people_who_joined_after_its_period(cast, team, associate, manager):
    """Issue 13, point 17: nobody has a review for a period before they joined."""
    joiner = AssociateFactory(team=team, hired_on=dt.date(2027, 7, 1))
    cycle = rs.open_cycle(
        actor=manager,
        teams=[team],
        name="H1 2027",
        period_start=dt.date(2027, 1, 1),
        period_end=dt.date(2027, 6, 30),
        self_review_due_on=dt.date(2027, 7, 1),
        lead_review_due_on=dt.date(2027, 7, 2),
        calibration_due_on=dt.date(2027, 7, 3),
    )
    reviewed = set(cycle.reviews.values_list("associate_id", flat=True))
    assert associate.pk in reviewed
    assert joiner.pk not in reviewed
