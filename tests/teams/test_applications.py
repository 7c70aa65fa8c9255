"""The board, an application's moves (every transition × persona), its page, and the
lead's stale applications on the home page."""

import datetime as dt
import itertools

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from teams.access import roles_for
from teams.models import Application, AuditEvent, Decision, Requisition, StageChange
from teams.selectors.applications import stale_applications_panel
from teams.services.applications import NEXT
from tests.conftest import client_for, shared_cast
from tests.factories import (
    ApplicationFactory,
    DecisionFactory,
    InterviewFactory,
    RequisitionFactory,
    ScorecardFactory,
    StageChangeFactory,
    UserFactory,
)
from tests.teams.pipeline import PDF, private_storage_in

globals().update(shared_cast())

Stage = Application.Stage
MOVERS = ("lead", "admin")
PEOPLE = (
    "anonymous",
    "associate",
    "teammate",
    "lead",
    "other_lead",
    "manager",
    "other_manager",
    "admin",
    "interviewer",
)
REFUSED_STATUS = {
    "associate": 404,
    "teammate": 404,
    "other_lead": 404,
    "other_manager": 404,
    "manager": 403,
    "interviewer": 403,  # sees the application, may not move it
}


@pytest.fixture
def requisition(team):
    return RequisitionFactory(team=team, status=Requisition.Status.OPEN, title="Payments L1")


def at_stage(requisition, stage, *, days_ago=0, **kwargs):
    when = timezone.now() - dt.timedelta(days=days_ago)
    application = ApplicationFactory(
        requisition=requisition, stage=stage, stage_changed_at=when, **kwargs
    )
    StageChangeFactory(application=application, to_stage=stage, changed_at=when)
    return application


@pytest.fixture
def people(cast, requisition):
    """The cast and an interviewer (who holds a scorecard on the application)."""
    return dict(cast) | {"interviewer": UserFactory(username="ivan")}


def move(client, application, to_stage, *, from_stage=None, reason="Because", **extra):
    return client.post(
        reverse("teams:application-move", args=[application.pk]),
        {
            "to_stage": to_stage,
            "from_stage": from_stage or application.stage,
            "reason": reason,
        },
        **extra,
    )


def snapshot(application):
    application.refresh_from_db()
    return (
        application.stage,
        application.stage_changed_at,
        application.closed_reason,
        StageChange.objects.filter(application=application).count(),
        Decision.objects.filter(application=application).count(),
        AuditEvent.objects.filter(action=AuditEvent.Action.APPLICATION_MOVED).count(),
    )


# Every pair of stages for the people who move cards; the transitions the machine allows
# for everyone else (who is refused whatever the pair).
EVERY_PAIR = list(itertools.product(Stage.values, repeat=2))
TRANSITIONS = [(a, b) for a, b in EVERY_PAIR if b in NEXT[a]]
CASES = [(p, a, b) for p in MOVERS for a, b in EVERY_PAIR] + [
    (p, a, b) for p in PEOPLE if p not in MOVERS for a, b in TRANSITIONS
]


@pytest.mark.parametrize(("persona", "from_stage", "to_stage"), CASES)
def test_every_transition_for_every_persona(requisition, people, persona, from_stage, to_stage):
    application = at_stage(requisition, from_stage, days_ago=3)
    ScorecardFactory(
        interview=InterviewFactory(application=application), interviewer=people["interviewer"]
    )
    before = snapshot(application)
    response = move(client_for(people[persona]), application, to_stage)
    allowed = to_stage in NEXT[from_stage] and to_stage != Stage.HIRED  # hired: by an offer
    if persona == "anonymous":
        assert response.status_code == 302
        assert "/login/" in response["Location"]
    elif persona in MOVERS:
        assert response.status_code == 302
        assert response["Location"] == reverse("teams:requisition-board", args=[requisition.pk])
    else:
        assert response.status_code == REFUSED_STATUS[persona]
    after = snapshot(application)
    if persona in MOVERS and allowed:
        assert after[0] == to_stage
        assert after[3] == before[3] + 1
        assert after[5] == before[5] + 1
        change = StageChange.objects.filter(application=application).latest("changed_at", "pk")
        assert (change.from_stage, change.to_stage) == (from_stage, to_stage)
    else:
        assert after == before  # a refusal changes nothing


@pytest.mark.parametrize("status", ["draft", "approved", "filled", "cancelled"])
def test_no_move_while_the_requisition_is_not_open(team, lead, status):
    requisition = RequisitionFactory(team=team, status=status)
    application = at_stage(requisition, Stage.APPLIED)
    before = snapshot(application)
    response = move(client_for(lead), application, Stage.SCREEN, follow=True)
    assert "only while it is open" in response.content.decode()
    assert snapshot(application) == before


def test_a_filled_requisitions_other_candidates_may_still_be_told_no(team, lead):
    """Once filled, nobody moves forward, but each remaining candidate can be rejected
    or withdrawn with a reason (so nobody is left waiting on a closed opening)."""
    from teams.services.applications import allowed_moves

    requisition = RequisitionFactory(team=team, status=Requisition.Status.FILLED)
    application = at_stage(requisition, Stage.SCREEN)
    assert allowed_moves(application) == [Stage.REJECTED, Stage.WITHDRAWN]
    before = snapshot(application)
    move(client_for(lead), application, Stage.INTERVIEW)
    assert snapshot(application) == before
    move(client_for(lead), application, Stage.REJECTED, reason="The opening was filled.")
    application.refresh_from_db()
    assert application.stage == Stage.REJECTED
    assert application.closed_reason == "The opening was filled."


@pytest.mark.parametrize(
    ("from_stage", "to_stage"),
    [
        ("interview", "offer"),
        ("interview", "rejected"),
        ("interview", "withdrawn"),
        ("applied", "rejected"),
        ("screen", "withdrawn"),
        ("offer", "rejected"),
    ],
)
def test_decisions_and_closures_need_a_reason(requisition, lead, from_stage, to_stage):
    application = at_stage(requisition, from_stage)
    before = snapshot(application)
    response = move(client_for(lead), application, to_stage, reason="  ", follow=True)
    assert "Say why" in response.content.decode()
    assert snapshot(application) == before


def test_a_decision_keeps_who_why_and_the_submitted_scorecards(requisition, lead):
    application = at_stage(requisition, Stage.INTERVIEW)
    interview = InterviewFactory(application=application)
    submitted = ScorecardFactory(
        interview=interview, recommendation="yes", submitted_at=timezone.now()
    )
    ScorecardFactory(interview=interview)  # a draft: not part of the decision
    move(client_for(lead), application, Stage.OFFER, reason="Two strong yeses")
    decision = Decision.objects.get(application=application)
    assert (decision.decided_by, decision.reason) == (lead, "Two strong yeses")
    assert list(decision.scorecards.all()) == [submitted]


def test_a_stale_page_or_a_second_click_is_refused(requisition, lead):
    application = at_stage(requisition, Stage.APPLIED)
    client = client_for(lead)
    move(client, application, Stage.SCREEN, from_stage=Stage.APPLIED)
    before = snapshot(application)
    assert before[0] == Stage.SCREEN
    # The same form again (a double submit), and a move from a page still showing Applied.
    response = move(client, application, Stage.SCREEN, from_stage=Stage.APPLIED, follow=True)
    assert "moved to Screen meanwhile; nothing was changed" in response.content.decode()
    move(client, application, Stage.INTERVIEW, from_stage=Stage.APPLIED)
    assert snapshot(application) == before


def test_bad_input_is_a_message_not_a_500(requisition, lead):
    application = at_stage(requisition, Stage.APPLIED)
    before = snapshot(application)
    client = client_for(lead)
    url = reverse("teams:application-move", args=[application.pk])
    for data in (
        {},
        {"to_stage": "nowhere", "from_stage": "applied"},
        {"to_stage": "screen", "from_stage": "applied", "reason": "x\x00y"},
        {"to_stage": "screen", "from_stage": "applied", "reason": "x" * 100_000},
    ):
        response = client.post(url, data, follow=True)
        assert response.status_code == 200
        assert "Nothing was changed" in response.content.decode()
    assert snapshot(application) == before
    assert client.get(url).status_code == 405


def test_a_decision_reason_of_several_lines_is_kept(requisition, lead):
    # The application page's reason is a textarea: browsers send its line breaks as \r\n.
    application = at_stage(requisition, Stage.INTERVIEW)
    reason = "Two strong yeses.\r\n\r\n\tGerman: fluent."
    response = move(client_for(lead), application, Stage.OFFER, reason=reason, follow=True)
    assert "Nothing was changed" not in response.content.decode()
    decision = Decision.objects.get(application=application)
    assert decision.reason == reason.strip()
    application.refresh_from_db()
    assert application.stage == Stage.OFFER


@pytest.mark.parametrize(
    ("bad", "said"),
    [
        ("x\x00y", "Null characters are not allowed"),  # Django's CharField, before ours
        ("x\x1by", "(U+001B): line breaks and tabs are fine"),
        ("x\u202ey", "(U+202E): line breaks and tabs are fine"),
        ("x\x7fy", "(U+007F): line breaks and tabs are fine"),
    ],
)
def test_other_control_characters_in_a_reason_are_refused_by_name(requisition, lead, bad, said):
    application = at_stage(requisition, Stage.INTERVIEW)
    before = snapshot(application)
    response = move(client_for(lead), application, Stage.OFFER, reason=bad, follow=True)
    html = response.content.decode()
    assert "Nothing was changed" in html
    assert said in html
    assert snapshot(application) == before


def test_the_htmx_move_returns_the_board_in_place(requisition, lead):
    application = at_stage(requisition, Stage.APPLIED)
    response = move(client_for(lead), application, Stage.SCREEN, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="board"')
    assert "<html" not in html
    assert f"{application.candidate.name} moved to Screen." in html
    assert 'hx-post="' in html
    application.refresh_from_db()
    assert application.stage == Stage.SCREEN


def test_an_htmx_refusal_is_shown_in_the_board_and_changes_nothing(requisition, lead):
    application = at_stage(requisition, Stage.SCREEN)
    before = snapshot(application)
    response = move(
        client_for(lead), application, Stage.INTERVIEW, from_stage="applied", HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert "meanwhile" in response.content.decode()
    assert snapshot(application) == before


def test_a_move_from_the_application_page_goes_back_there(requisition, lead):
    application = at_stage(requisition, Stage.APPLIED)
    response = client_for(lead).post(
        reverse("teams:application-move", args=[application.pk]),
        {"to_stage": "screen", "from_stage": "applied", "back": "application"},
    )
    assert response["Location"] == reverse("teams:application-detail", args=[application.pk])


# -- the board --------------------------------------------------------------------------


def test_the_board_shows_columns_time_in_stage_stale_flags_and_closed_reasons(
    requisition, lead, settings
):
    settings.HIRING_STALE_DAYS = 7
    fresh = at_stage(requisition, Stage.SCREEN, days_ago=4, candidate__name="Fay Fresh")
    stale = at_stage(requisition, Stage.INTERVIEW, days_ago=9, candidate__name="Sam Stale")
    at_stage(
        requisition,
        Stage.REJECTED,
        days_ago=20,
        candidate__name="Rex Rejected",
        closed_reason="Needs German",
    )
    response = client_for(lead).get(reverse("teams:requisition-board", args=[requisition.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    board = response.context["board"]
    assert [c.stage for c in board.columns] == ["applied", "screen", "interview", "offer", "hired"]
    by_stage = {c.stage: [card.application for card in c.cards] for c in board.columns}
    assert by_stage["screen"] == [fresh]
    assert by_stage["interview"] == [stale]
    assert "4 days in Screen" in html
    assert "9 days in Interview" in html
    cards = {card.application.pk: card for c in board.columns for card in c.cards}
    assert cards[stale.pk].is_stale
    assert not cards[fresh.pk].is_stale
    assert "Rex Rejected" in html
    assert "Needs German" in html
    assert reverse("teams:application-move", args=[fresh.pk]) in html
    # Moves to Offer and out of Interview say they need a reason.
    assert "Offer (reason needed)" in html


def test_the_boards_reason_input_holds_what_the_service_takes(requisition, lead):
    # A reason over 300 characters is refused unless the move is a decision; the board's
    # one-line input says so and stops there rather than losing a typed paragraph.
    at_stage(requisition, Stage.SCREEN)
    response = client_for(lead).get(reverse("teams:requisition-board", args=[requisition.pk]))
    html = response.content.decode()
    assert 'name="reason" maxlength="300"' in html
    assert 'maxlength="4000"' not in html
    assert "up to 300 characters" in html


def test_the_manager_reads_the_board_without_move_controls(requisition, manager):
    application = at_stage(requisition, Stage.APPLIED)
    response = client_for(manager).get(reverse("teams:requisition-board", args=[requisition.pk]))
    assert response.status_code == 200
    assert application.candidate.name in response.content.decode()
    assert reverse("teams:application-move", args=[application.pk]) not in (
        response.content.decode()
    )


def test_the_board_fragment_for_htmx(requisition, lead):
    at_stage(requisition, Stage.APPLIED)
    response = client_for(lead).get(
        reverse("teams:requisition-board", args=[requisition.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.content.decode().lstrip().startswith('<div id="board"')


def test_the_boards_queries_do_not_grow_with_its_candidates(
    requisition, lead, django_assert_max_num_queries
):
    client = client_for(lead)
    url = reverse("teams:requisition-board", args=[requisition.pk])
    for stage in Stage.values:
        at_stage(requisition, stage)
    client.get(url)  # warm the session
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for stage, _ in itertools.product(Stage.values, range(6)):
        at_stage(requisition, stage)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200


# -- the application page ----------------------------------------------------------------


@pytest.fixture
def interviewed(requisition, tmp_path, request):
    private_storage_in(tmp_path / "private", request)
    application = at_stage(
        requisition, Stage.INTERVIEW, days_ago=2, candidate__notes="SECRET-LEAD-NOTE"
    )
    application.candidate.cv.save("cv.pdf", ContentFile(PDF), save=False)
    application.candidate.cv_name = "cv.pdf"
    application.candidate.save()
    DecisionFactory(application=application, outcome="offer", reason="DECISION-REASON")
    interviewer = UserFactory(username="ivan")
    ScorecardFactory(interview=InterviewFactory(application=application), interviewer=interviewer)
    return application, interviewer


def test_the_lead_sees_the_whole_application(interviewed, lead):
    application, _ = interviewed
    response = client_for(lead).get(reverse("teams:application-detail", args=[application.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert application.candidate.name in html
    assert "SECRET-LEAD-NOTE" in html
    assert "DECISION-REASON" in html
    assert "rested on 0 submitted scorecards" in html
    assert reverse("teams:requisition-board", args=[application.requisition_id]) in html
    assert reverse("teams:candidate-cv", args=[application.candidate_id]) in html
    assert "2 days so far" in html
    assert reverse("teams:application-move", args=[application.pk]) in html


def test_an_interviewer_sees_the_name_and_cv_but_not_the_notes_board_or_decisions(
    interviewed, requisition
):
    application, interviewer = interviewed
    elsewhere = RequisitionFactory(team=requisition.team, status="open")
    other = at_stage(elsewhere, Stage.APPLIED, candidate=application.candidate)
    response = client_for(interviewer).get(
        reverse("teams:application-detail", args=[application.pk])
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert application.candidate.name in html
    assert reverse("teams:candidate-cv", args=[application.candidate_id]) in html
    assert "SECRET-LEAD-NOTE" not in html
    assert "DECISION-REASON" not in html
    assert application.candidate.email not in html
    assert reverse("teams:requisition-board", args=[requisition.pk]) not in html
    assert reverse("teams:application-move", args=[application.pk]) not in html
    assert reverse("teams:application-detail", args=[other.pk]) not in html
    board = client_for(interviewer).get(reverse("teams:requisition-board", args=[requisition.pk]))
    assert board.status_code == 404


def test_an_interviewer_of_another_candidate_gets_404(interviewed, requisition):
    application, _ = interviewed
    elsewhere = UserFactory()
    ScorecardFactory(
        interview=InterviewFactory(application=at_stage(requisition, Stage.INTERVIEW)),
        interviewer=elsewhere,
    )
    url = reverse("teams:application-detail", args=[application.pk])
    assert client_for(elsewhere).get(url).status_code == 404


def test_the_application_pages_queries_do_not_grow_with_its_history(
    requisition, lead, django_assert_max_num_queries
):
    application = at_stage(requisition, Stage.INTERVIEW)
    client = client_for(lead)
    url = reverse("teams:application-detail", args=[application.pk])
    client.get(url)
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for n in range(15):
        StageChangeFactory(application=application, from_stage="applied", to_stage="screen")
        DecisionFactory(application=application, reason=f"Reason {n}")
        at_stage(requisition, Stage.APPLIED)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


# -- the lead's home page ---------------------------------------------------------------------


def test_the_lead_is_told_of_stale_applications_with_links_to_the_boards(
    requisition, lead, other_lead, settings, django_assert_num_queries
):
    settings.HIRING_STALE_DAYS = 7
    at_stage(requisition, Stage.SCREEN, days_ago=8)
    at_stage(requisition, Stage.OFFER, days_ago=30)
    at_stage(requisition, Stage.APPLIED, days_ago=2)  # not stale yet
    at_stage(requisition, Stage.REJECTED, days_ago=40)  # closed: never stale
    roles = roles_for(lead)
    with django_assert_num_queries(1):
        (panel,) = stale_applications_panel(lead, roles)
    assert panel.context["total"] == 2
    response = client_for(lead).get(reverse("teams:home"))
    html = response.content.decode()
    assert "2 applications have not moved for 7+ days" in html
    assert reverse("teams:requisition-board", args=[requisition.pk]) in html
    assert stale_applications_panel(other_lead, roles_for(other_lead)) == []
    other_html = client_for(other_lead).get(reverse("teams:home")).content.decode()
    assert "have not moved" not in other_html
