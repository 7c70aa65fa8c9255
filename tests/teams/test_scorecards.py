"""Scorecards: each interviewer's own, drafts private, submitted once; the others'
readable only after one's own is in (independent judgement)."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from teams.access import roles_for
from teams.models import Application, AuditEvent, Rating, Requisition, Scorecard
from teams.selectors.interviews import scorecards_to_submit_panel
from teams.services import interviews as services
from tests.conftest import client_for
from tests.factories import (
    ApplicationFactory,
    CandidateFactory,
    CompetencyFactory,
    InterviewFactory,
    RatingFactory,
    RequisitionFactory,
    ScorecardFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

B_EVIDENCE = "B-EVIDENCE-MARKER-7f3k"
B_SUMMARY = "B-SUMMARY-MARKER-9q2w"
A_DRAFT = "A-DRAFT-MARKER-x1zz"
A_SUBMITTED = "A-SUBMITTED-MARKER-r5tt"


@pytest.fixture(autouse=True)
def _commits(django_capture_on_commit_callbacks, monkeypatch):
    """Run the after-commit e-mails as each service call ends, as a commit would."""
    original = services.save_scorecard

    def committing(*args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return original(*args, **kwargs)

    monkeypatch.setattr(services, "save_scorecard", committing)


@pytest.fixture
def requisition(team):
    requisition = RequisitionFactory(team=team, title="Payments Associate", status="open")
    CompetencyFactory(requisition=requisition, name="Customer empathy", position=1)
    CompetencyFactory(requisition=requisition, name="Payments know-how", position=2)
    return requisition


@pytest.fixture
def application(requisition):
    return ApplicationFactory(
        requisition=requisition,
        candidate=CandidateFactory(name="Casey Candidate"),
        stage=Application.Stage.INTERVIEW,
    )


@pytest.fixture
def interview(application, associate, teammate):
    interview = InterviewFactory(application=application, title="Panel")
    ScorecardFactory(interview=interview, interviewer=associate.user)
    ScorecardFactory(interview=interview, interviewer=teammate.user)
    return interview


@pytest.fixture
def card_a(interview, associate):
    return Scorecard.objects.get(interview=interview, interviewer=associate.user)


@pytest.fixture
def card_b(interview, teammate):
    return Scorecard.objects.get(interview=interview, interviewer=teammate.user)


def scorecard_data(card, *, action="submit", scores=(4, 4), evidence="", **more):
    competencies = list(card.interview.application.requisition.competencies.all())
    data = {"action": action, "recommendation": "strong_yes", "summary": ""}
    for competency, score in zip(competencies, scores, strict=True):
        data[f"score_{competency.pk}"] = "" if score is None else str(score)
        data[f"evidence_{competency.pk}"] = f"{evidence} on {competency.name}" if evidence else ""
    return data | more


def post(user, card, data):
    return client_for(user).post(reverse("teams:scorecard-edit", args=[card.pk]), data)


def panel(user, application, *, htmx=False):
    url = reverse("teams:interview-panel", args=[application.pk])
    headers = {"HX-Request": "true"} if htmx else {}
    response = client_for(user).get(url, headers=headers)
    assert response.status_code == 200
    return response.content.decode()


def pages_of(user, card, application, interview) -> dict[str, str]:
    """Every page and fragment an interviewer reaches before (and after) submitting."""
    client = client_for(user)
    urls = {
        "scorecard": reverse("teams:scorecard-edit", args=[card.pk]),
        "panel": reverse("teams:interview-panel", args=[application.pk]),
        "mine": reverse("teams:my-interviews"),
        "home": reverse("teams:home"),
        "ics": reverse("teams:interview-ics", args=[interview.pk]),
    }
    pages = {}
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, name
        pages[name] = response.content.decode()
    fragment = client.get(urls["panel"], headers={"HX-Request": "true"})
    assert "<html" not in fragment.content.decode()
    pages["panel-fragment"] = fragment.content.decode()
    return pages


class TestIndependence:
    def test_nothing_of_the_others_before_submitting_everything_after(
        self, associate, teammate, card_a, card_b, application, interview
    ):
        a, b = associate.user, teammate.user
        assert post(b, card_b, scorecard_data(card_b, evidence=B_EVIDENCE, summary=B_SUMMARY))
        card_b.refresh_from_db()
        assert card_b.is_submitted
        post(a, card_a, scorecard_data(card_a, action="draft", scores=(2, None), evidence=""))

        before = pages_of(a, card_a, application, interview)
        for name, page in before.items():
            assert B_EVIDENCE not in page, name
            assert B_SUMMARY not in page, name
            assert "score-matrix" not in page, name
            assert "Strong yes" not in page or name == "scorecard", name
        assert "Submit yours to see the others' (1 submitted)" in before["panel"]
        assert "Submit yours to see the others' (1 submitted)" in before["panel-fragment"]
        assert "Scorecards to submit" in before["home"]

        response = post(a, card_a, scorecard_data(card_a, scores=(2, 3), evidence=A_SUBMITTED))
        assert response.status_code == 302
        after = panel(a, application)
        assert B_EVIDENCE in after
        assert B_SUMMARY in after
        assert A_SUBMITTED in after
        assert "score-matrix" in after
        assert "Submit yours" not in after
        assert (
            "Scorecards to submit" not in client_for(a).get(reverse("teams:home")).content.decode()
        )

    def test_drafts_are_seen_by_their_author_alone(
        self, cast, associate, teammate, card_a, card_b, application
    ):
        a, b = associate.user, teammate.user
        post(a, card_a, scorecard_data(card_a, action="draft", evidence=A_DRAFT, summary=A_DRAFT))
        assert Scorecard.objects.get(pk=card_a.pk).submitted_at is None
        assert (
            A_DRAFT
            in client_for(a).get(reverse("teams:scorecard-edit", args=[card_a.pk])).content.decode()
        )
        post(b, card_b, scorecard_data(card_b, evidence=B_EVIDENCE))
        for persona in ("lead", "manager", "admin", "teammate"):
            assert A_DRAFT not in panel(cast[persona], application), persona
            assert A_DRAFT not in panel(cast[persona], application, htmx=True), persona
        for persona in ("lead", "manager", "admin", "teammate", "other_lead"):
            url = reverse("teams:scorecard-edit", args=[card_a.pk])
            assert client_for(cast[persona]).get(url).status_code == 404, persona

    def test_the_lead_reads_submitted_scorecards_and_their_matrix(
        self, lead, associate, teammate, card_a, card_b, application
    ):
        cancel = reverse("teams:interview-cancel", args=[card_a.interview_id])
        assert cancel in panel(lead, application)
        post(teammate.user, card_b, scorecard_data(card_b, scores=(4, 2), evidence=B_EVIDENCE))
        post(associate.user, card_a, scorecard_data(card_a, scores=(3, 3)))
        page = panel(lead, application)
        assert B_EVIDENCE in page
        assert "score-matrix" in page
        # Averages over the submitted scorecards: (4+3)/2 and (2+3)/2.
        assert "<strong>3.5</strong>" in page
        assert "<strong>2.5</strong>" in page
        assert "Schedule interview" in page
        assert cancel not in page  # it took place

    def test_a_status_shows_but_no_content(self, lead, teammate, card_b, application):
        post(teammate.user, card_b, scorecard_data(card_b, evidence=B_EVIDENCE))
        page = panel(teammate.user, application)  # B submitted, A has not: status only
        assert "scorecard in" in page
        assert "not yet" in page
        assert "Schedule interview" not in page

    def test_an_interviewer_owing_on_another_interview_of_the_application_sees_none(
        self, associate, teammate, card_a, card_b, application
    ):
        post(associate.user, card_a, scorecard_data(card_a))
        second = InterviewFactory(application=application, title="Second round")
        ScorecardFactory(interview=second, interviewer=associate.user)
        post(teammate.user, card_b, scorecard_data(card_b, evidence=B_EVIDENCE))
        page = panel(associate.user, application)
        assert B_EVIDENCE not in page
        assert "Submit yours to see the others" in page


class TestSubmitting:
    def test_a_draft_then_a_submit(self, associate, lead, card_a, card_b, teammate):
        response = post(
            associate.user, card_a, scorecard_data(card_a, action="draft", scores=(3, None))
        )
        assert response.status_code == 302
        card_a.refresh_from_db()
        assert card_a.submitted_at is None
        assert list(card_a.ratings.values_list("score", flat=True)) == [3]
        response = post(
            associate.user, card_a, scorecard_data(card_a, evidence="Calm with refunds")
        )
        assert response.status_code == 302
        card_a.refresh_from_db()
        assert card_a.submitted_at is not None
        assert card_a.recommendation == "strong_yes"
        assert sorted(card_a.ratings.values_list("score", flat=True)) == [4, 4]
        assert AuditEvent.objects.filter(
            action=AuditEvent.Action.SCORECARD_SUBMITTED, target_id=str(card_a.pk)
        ).exists()
        assert mail.outbox == []  # the other scorecard is not in yet
        post(teammate.user, card_b, scorecard_data(card_b))
        (message,) = mail.outbox
        assert message.to == [lead.email]
        assert "Casey Candidate" in message.subject

    @pytest.mark.parametrize(
        "change",
        [
            {"scores": (4, None)},  # a competency not rated
            {"recommendation": ""},
            {"scores": (5, 4)},
            {"scores": (0, 4)},
            {"summary": "nul\x00byte"},
            {"evidence": "nul\x00byte"},
            {"summary": "x" * 100_000},
            {"recommendation": "maybe"},
            {"action": "publish"},
            {"action": ""},
        ],
    )
    def test_a_bad_submit_changes_nothing(self, associate, card_a, change):
        data = scorecard_data(
            card_a, **{k: v for k, v in change.items() if k in ("scores", "evidence")}
        )
        data |= {k: v for k, v in change.items() if k not in ("scores", "evidence")}
        response = post(associate.user, card_a, data)
        assert response.status_code == 200
        assert response.context["form"].errors
        card_a.refresh_from_db()
        assert card_a.submitted_at is None
        assert not Rating.objects.filter(scorecard=card_a).exists()
        assert card_a.summary == ""

    def test_evidence_without_a_score_is_an_error_even_in_a_draft(self, associate, card_a):
        data = scorecard_data(card_a, action="draft", scores=(None, None), evidence="Good")
        assert post(associate.user, card_a, data).status_code == 200
        assert not Rating.objects.filter(scorecard=card_a).exists()

    def test_a_second_submit_or_a_stale_form_changes_nothing(self, associate, card_a):
        assert (
            post(associate.user, card_a, scorecard_data(card_a, summary="First")).status_code == 302
        )
        card_a.refresh_from_db()
        submitted_at = card_a.submitted_at
        client = client_for(associate.user)
        url = reverse("teams:scorecard-edit", args=[card_a.pk])
        for action in ("submit", "draft"):
            response = client.post(
                url, scorecard_data(card_a, action=action, scores=(1, 1), summary="Second")
            )
            assert response.status_code == 302
            card_a.refresh_from_db()
            assert card_a.summary == "First"
            assert card_a.submitted_at == submitted_at
            assert sorted(card_a.ratings.values_list("score", flat=True)) == [4, 4]
        page = client.get(response["Location"]).content.decode()
        assert "already submitted; nothing was changed" in page
        assert "read-only" in page
        assert AuditEvent.objects.filter(action=AuditEvent.Action.SCORECARD_SUBMITTED).count() == 1
        with pytest.raises(services.ScorecardRefused):
            services.save_scorecard(
                actor=associate.user,
                scorecard=card_a,
                ratings={},
                recommendation="no",
                summary="",
                submit=True,
            )

    @pytest.mark.parametrize("persona", ["lead", "admin", "teammate", "manager", "other_lead"])
    def test_nobody_else_fills_it_in(self, persona, cast, card_a):
        response = post(cast[persona], card_a, scorecard_data(card_a))
        assert response.status_code == 404
        card_a.refresh_from_db()
        assert card_a.submitted_at is None

    def test_the_service_refuses_another_actor(self, lead, card_a):
        with pytest.raises(services.ScorecardRefused):
            services.save_scorecard(
                actor=lead,
                scorecard=card_a,
                ratings={},
                recommendation="",
                summary="",
                submit=False,
            )


def test_home_panel_is_one_query(associate, card_a, django_assert_num_queries):
    user = associate.user
    roles_for(user)
    with django_assert_num_queries(1):
        panels = scorecards_to_submit_panel(user, roles_for(user))
    assert len(panels) == 1
    nobody = UserFactory()
    roles = roles_for(nobody)
    with django_assert_num_queries(1):
        assert scorecards_to_submit_panel(nobody, roles) == []


def test_panel_query_budget(lead, team, django_assert_max_num_queries):
    requisition = RequisitionFactory(team=team, status=Requisition.Status.OPEN)
    competencies = [CompetencyFactory(requisition=requisition) for _ in range(3)]
    application = ApplicationFactory(requisition=requisition, stage=Application.Stage.INTERVIEW)
    client = client_for(lead)
    url = reverse("teams:interview-panel", args=[application.pk])

    def add_interview():
        interview = InterviewFactory(application=application)
        for _ in range(3):
            card = ScorecardFactory(
                interview=interview,
                recommendation="yes",
                submitted_at=dt.datetime(2030, 1, 8, 12, tzinfo=dt.UTC),
            )
            for competency in competencies:
                RatingFactory(scorecard=card, competency=competency, evidence="Seen")

    add_interview()
    client.get(url)
    with django_assert_max_num_queries(10):
        assert client.get(url).status_code == 200
    for _ in range(4):
        add_interview()
    with django_assert_max_num_queries(10):
        page = client.get(url).content.decode()
    assert page.count("scorecard in") == 15
