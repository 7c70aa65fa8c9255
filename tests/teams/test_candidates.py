"""Candidates: adding one (with its application), checked CVs, CV download and export."""

import json

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse

from teams.models import Application, AuditEvent, Candidate, Requisition, StageChange
from teams.services import candidates as services
from tests.conftest import PERSONAS, client_for
from tests.factories import (
    ApplicationFactory,
    CompetencyFactory,
    DecisionFactory,
    InterviewFactory,
    OfferFactory,
    RatingFactory,
    RequisitionFactory,
    ScorecardFactory,
    StageChangeFactory,
    UserFactory,
)
from tests.teams.pipeline import (
    DOC,
    DOCX,
    EXE,
    MULTIPART,
    PDF,
    PNG,
    multipart,
    private_storage_in,
    stored_files,
)


@pytest.fixture
def private_dir(tmp_path, request):
    return private_storage_in(tmp_path / "private", request)


@pytest.fixture
def requisition(team):
    return RequisitionFactory(team=team, status=Requisition.Status.OPEN, title="Payments L1")


def add(requisition, lead, **kwargs):
    values = {"name": "Cara Candidate", "email": "cara@example.com"} | kwargs
    return services.add_candidate(actor=lead, requisition=requisition, **values)


# -- the service ------------------------------------------------------------------------


def test_add_candidate_makes_the_application_its_first_move_and_an_audit_event(
    requisition, lead, private_dir
):
    application = add(
        requisition, lead, source="referral", cv=SimpleUploadedFile("Cara CV.pdf", PDF)
    )
    candidate = application.candidate
    assert application.stage == Application.Stage.APPLIED
    assert application.source == "referral"
    change = StageChange.objects.get(application=application)
    assert (change.from_stage, change.to_stage, change.changed_by) == ("", "applied", lead)
    event = AuditEvent.objects.get(action=AuditEvent.Action.CANDIDATE_ADDED)
    assert event.target_label == f"candidate #{candidate.pk}"  # no name in the log
    assert candidate.cv_name == "Cara CV.pdf"
    # Stored under a random name, in the private storage only.
    assert "Cara" not in candidate.cv.name
    assert candidate.cv.name.endswith(".pdf")
    (stored,) = stored_files(private_dir)
    assert stored.read_bytes() == PDF


@pytest.mark.parametrize("status", ["draft", "approved", "filled", "cancelled"])
def test_a_requisition_that_is_not_open_takes_no_candidate(team, lead, private_dir, status):
    requisition = RequisitionFactory(team=team, status=status)
    with pytest.raises(services.CandidateRefused, match="only while it is open"):
        add(requisition, lead, cv=SimpleUploadedFile("cv.pdf", PDF))
    assert not Candidate.objects.exists()
    assert stored_files(private_dir) == []


def test_the_same_email_twice_on_one_requisition_is_refused(requisition, lead, private_dir):
    add(requisition, lead)
    with pytest.raises(services.CandidateRefused, match="already applied"):
        add(requisition, lead, email="CARA@example.com", cv=SimpleUploadedFile("cv.pdf", PDF))
    assert Candidate.objects.count() == 1
    assert stored_files(private_dir) == []


def test_the_same_email_on_another_requisition_is_fine(requisition, team, lead):
    add(requisition, lead)
    other = RequisitionFactory(team=team, status=Requisition.Status.OPEN)
    add(other, lead)
    assert Candidate.objects.count() == 2


@pytest.mark.parametrize("who", ["manager", "other_lead", "associate"])
def test_only_the_teams_lead_adds_candidates(requisition, who, request):
    person = request.getfixturevalue(who)
    actor = getattr(person, "user", person)
    with pytest.raises(services.PermissionDenied):
        add(requisition, actor)
    assert not Candidate.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("cv.pdf", PNG, "not a real PDF"),
        ("setup.pdf", EXE, "not a real PDF"),
        ("cv.docx", PDF, "not a real DOCX"),
        ("photo.png", PNG, "must be a PDF"),
        ("cv.exe", EXE, "must be a PDF"),
        ("cv", PDF, "must be a PDF"),
        ("../../x.pdf", PDF, "A file named ../../x.pdf"),
        ("..\\x.pdf", PDF, "A file named"),
        ("cv\x00.pdf", PDF, "A file named"),
        ("cv\u202e.pdf", PDF, "A file named"),
    ],
)
def test_a_bad_cv_is_refused_and_nothing_is_stored(
    requisition, lead, private_dir, name, content, message
):
    upload = SimpleUploadedFile("placeholder", content)
    with pytest.raises(services.CandidateRefused, match=message.replace(".", r"\.")):
        add(requisition, lead, cv=upload, cv_raw_name=name)
    assert not Candidate.objects.exists()
    assert not Application.objects.exists()
    assert stored_files(private_dir) == []


def test_an_oversized_cv_is_refused(requisition, lead, private_dir, settings):
    settings.HIRING_CV_MAX_BYTES = 1024
    with pytest.raises(services.CandidateRefused, match="the limit is"):
        add(requisition, lead, cv=SimpleUploadedFile("cv.pdf", PDF + b"x" * 1024))
    assert not Candidate.objects.exists()
    assert stored_files(private_dir) == []


@pytest.mark.parametrize(("name", "content"), [("cv.pdf", PDF), ("cv.DOCX", DOCX), ("cv.doc", DOC)])
def test_pdf_docx_and_doc_are_taken(requisition, lead, private_dir, name, content):
    application = add(requisition, lead, cv=SimpleUploadedFile(name, content))
    assert application.candidate.cv_name == name
    assert len(stored_files(private_dir)) == 1


def test_update_candidate_replaces_the_cv_and_deletes_the_old_file(
    requisition, lead, private_dir, django_capture_on_commit_callbacks
):
    candidate = add(requisition, lead, cv=SimpleUploadedFile("old.pdf", PDF)).candidate
    with django_capture_on_commit_callbacks(execute=True):
        changed = services.update_candidate(
            actor=lead,
            candidate=candidate,
            name="Cara C.",
            email=candidate.email,
            source=candidate.source,
            cv=SimpleUploadedFile("new.docx", DOCX),
        )
    assert changed == ["name", "cv"]
    candidate.refresh_from_db()
    assert candidate.cv_name == "new.docx"
    (stored,) = stored_files(private_dir)
    assert stored.read_bytes() == DOCX
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CANDIDATE_CHANGED).count() == 1


def test_update_with_nothing_changed_writes_nothing(requisition, lead):
    candidate = add(requisition, lead).candidate
    assert (
        services.update_candidate(
            actor=lead,
            candidate=candidate,
            name=candidate.name,
            email=candidate.email,
            source=candidate.source,
        )
        == []
    )
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.CANDIDATE_CHANGED).exists()


# -- the pages ----------------------------------------------------------------------


def test_adding_a_candidate_through_the_form(requisition, lead, private_dir):
    response = client_for(lead).post(
        reverse("teams:candidate-add", args=[requisition.pk]),
        {
            "name": "Dara Doe",
            "email": "dara@example.com",
            "phone": "+353 1 234 5678",
            "source": "job_board",
            "notes": "Strong refunds background",
            "cv": SimpleUploadedFile("Dara.pdf", PDF),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("teams:requisition-board", args=[requisition.pk])
    candidate = Candidate.objects.get()
    assert (candidate.name, candidate.cv_name) == ("Dara Doe", "Dara.pdf")
    assert len(stored_files(private_dir)) == 1


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("../../x.pdf", PDF, "A file named ../../x.pdf"),
        ("..", PDF, "A file named .."),
        ("c:\\temp\\x.pdf", PDF, "A file named c:\\temp\\x.pdf"),
        ("x.pdf", PNG, "not a real PDF"),
        ("setup.pdf", EXE, "not a real PDF"),
        ("photo.png", PNG, "must be a PDF"),
    ],
)
def test_a_hostile_upload_is_a_form_error_and_nothing_is_stored(
    requisition, lead, private_dir, filename, content, message
):
    body = multipart(
        {"name": "Eve", "email": "eve@example.com", "source": "other"},
        {"cv": (filename, content)},
    )
    response = client_for(lead).generic(
        "POST",
        reverse("teams:candidate-add", args=[requisition.pk]),
        body,
        content_type=MULTIPART,
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Candidate.objects.exists()
    assert stored_files(private_dir) == []


def test_an_oversized_upload_is_a_form_error(requisition, lead, private_dir, settings):
    settings.HIRING_CV_MAX_BYTES = 2048
    response = client_for(lead).post(
        reverse("teams:candidate-add", args=[requisition.pk]),
        {
            "name": "Big",
            "source": "other",
            "cv": SimpleUploadedFile("big.pdf", PDF + b"0" * 4096),
        },
    )
    assert response.status_code == 200
    assert "the limit is" in response.content.decode()
    assert not Candidate.objects.exists()
    assert stored_files(private_dir) == []


def test_bad_text_is_a_form_error(requisition, lead):
    response = client_for(lead).post(
        reverse("teams:candidate-add", args=[requisition.pk]),
        {"name": "N\x00ul", "source": "other", "notes": "x" * 100_000, "phone": "<script>"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert {"name", "notes", "phone"} <= form.errors.keys()
    assert not Candidate.objects.exists()


def test_a_duplicate_email_is_a_message_on_the_form(requisition, lead):
    add(requisition, lead)
    response = client_for(lead).post(
        reverse("teams:candidate-add", args=[requisition.pk]),
        {"name": "Cara again", "email": "cara@example.com", "source": "other"},
    )
    assert response.status_code == 200
    assert "already applied" in response.content.decode()
    assert Candidate.objects.count() == 1


def test_the_candidate_pages_refuse_other_methods(requisition, lead):
    application = add(requisition, lead)
    client = client_for(lead)
    assert client.put(reverse("teams:candidate-add", args=[requisition.pk])).status_code == 405
    url = reverse("teams:candidate-cv", args=[application.candidate_id])
    assert client.post(url).status_code == 405


def test_editing_a_candidate_through_the_form(requisition, lead):
    application = add(requisition, lead)
    response = client_for(lead).post(
        reverse("teams:candidate-edit", args=[application.candidate_id]),
        {"name": "Cara Renamed", "email": "cara@example.com", "source": "agency"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("teams:application-detail", args=[application.pk])
    application.candidate.refresh_from_db()
    assert (application.candidate.name, application.candidate.source) == ("Cara Renamed", "agency")


# -- the CV download --------------------------------------------------------------------


@pytest.fixture
def with_cv(requisition, lead, private_dir):
    return add(requisition, lead, cv=SimpleUploadedFile('Cara "the best" CV.pdf', PDF))


CV_STATUS = {
    "anonymous": 302,
    "associate": 404,
    "teammate": 404,
    "lead": 200,
    "other_lead": 404,
    "manager": 200,
    "other_manager": 404,
    "admin": 200,
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_cv_download_for_every_persona(with_cv, cast, persona):
    url = reverse("teams:candidate-cv", args=[with_cv.candidate_id])
    response = client_for(cast[persona]).get(url)
    assert response.status_code == CV_STATUS[persona]
    if response.status_code == 200:
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Disposition"].startswith("attachment;")
        assert "filename=" in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Type"] == "application/octet-stream"
        event = AuditEvent.objects.get(action=AuditEvent.Action.CV_DOWNLOADED)
        assert event.actor == cast[persona]
    else:
        assert not AuditEvent.objects.filter(action=AuditEvent.Action.CV_DOWNLOADED).exists()


def test_an_interviewer_downloads_their_candidates_cv_but_not_anothers(
    with_cv, requisition, private_dir
):
    interviewer = UserFactory()
    ScorecardFactory(interview=InterviewFactory(application=with_cv), interviewer=interviewer)
    other = ApplicationFactory(requisition=requisition)
    other.candidate.cv.save("other.pdf", ContentFile(PDF))
    other_interviewer = UserFactory()
    ScorecardFactory(interview=InterviewFactory(application=other), interviewer=other_interviewer)
    url = reverse("teams:candidate-cv", args=[with_cv.candidate_id])
    assert client_for(interviewer).get(url).status_code == 200
    assert client_for(other_interviewer).get(url).status_code == 404


def test_no_cv_is_a_404(requisition, lead):
    application = add(requisition, lead)
    url = reverse("teams:candidate-cv", args=[application.candidate_id])
    assert client_for(lead).get(url).status_code == 404


# -- the export -------------------------------------------------------------------------


def test_export_holds_everything_about_the_candidate(requisition, lead, manager, admin):
    application = add(requisition, lead, phone="+353 1", notes="Met at a fair")
    StageChangeFactory(
        application=application, from_stage="applied", to_stage="interview", reason="Good screen"
    )
    interview = InterviewFactory(application=application, title="Panel")
    competency = CompetencyFactory(requisition=requisition, name="Empathy")
    submitted = ScorecardFactory(
        interview=interview,
        recommendation="yes",
        summary="Calm under pressure",
        submitted_at="2030-01-08T12:00:00Z",
    )
    RatingFactory(scorecard=submitted, competency=competency, score=4, evidence="Handled refund")
    draft = ScorecardFactory(interview=interview, summary="DRAFT-TEXT")
    RatingFactory(scorecard=draft, competency=competency, score=1, evidence="DRAFT-EVIDENCE")
    DecisionFactory(application=application, outcome="offer", reason="Best of the panel")
    OfferFactory(application=application)
    url = reverse("teams:candidate-export", args=[application.candidate_id])

    response = client_for(lead).get(url)

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["candidate"]["name"] == "Cara Candidate"
    assert data["candidate"]["notes"] == "Met at a fair"
    (app,) = data["applications"]
    assert [c["to"] for c in app["stage_changes"]] == ["applied", "interview"]
    (iv,) = app["interviews"]
    (card,) = iv["scorecards"]
    assert card["summary"] == "Calm under pressure"
    assert card["ratings"] == [{"competency": "Empathy", "score": 4, "evidence": "Handled refund"}]
    assert app["decisions"][0]["reason"] == "Best of the panel"
    assert app["offer"]["status"] == "extended"
    assert b"DRAFT" not in response.content
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CANDIDATE_EXPORTED).count() == 1
    assert client_for(manager).get(url).status_code == 403
    assert client_for(admin).get(url).status_code == 200


def test_an_interviewer_may_not_export(requisition, lead):
    application = add(requisition, lead)
    interviewer = UserFactory()
    ScorecardFactory(interview=InterviewFactory(application=application), interviewer=interviewer)
    url = reverse("teams:candidate-export", args=[application.candidate_id])
    assert client_for(interviewer).get(url).status_code == 403


def test_the_upload_views_still_check_csrf(requisition, lead, private_dir):
    """They are csrf_exempt only to keep the upload's names; csrf_protect checks inside."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(lead)
    url = reverse("teams:candidate-add", args=[requisition.pk])
    data = {"name": "Csrf", "source": "other", "cv": SimpleUploadedFile("cv.pdf", PDF)}
    assert client.post(url, data).status_code == 403
    assert not Candidate.objects.exists()
    assert stored_files(private_dir) == []
    token = client.get(url).context["csrf_token"]
    data = {**data, "csrfmiddlewaretoken": str(token), "cv": SimpleUploadedFile("cv.pdf", PDF)}
    assert client.post(url, data).status_code == 302
    candidate = Candidate.objects.get()
    edit = reverse("teams:candidate-edit", args=[candidate.pk])
    assert client.post(edit, {"name": "X", "source": "other"}).status_code == 403


# -- a deleted candidate's CV ----------------------------------------------------------


def test_deleting_a_candidate_in_the_admin_deletes_their_cv_after_the_commit(
    with_cv, admin, private_dir, django_capture_on_commit_callbacks
):
    candidate = with_cv.candidate
    (stored,) = stored_files(private_dir)
    url = reverse("admin:teams_candidate_delete", args=[candidate.pk])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client_for(admin).post(url, {"post": "yes"})
        assert response.status_code == 302
        assert not Candidate.objects.filter(pk=candidate.pk).exists()
        assert stored.exists()  # not before the commit
    for callback in callbacks:
        callback()
    assert stored_files(private_dir) == []


def delete_then_fail(candidate):
    with transaction.atomic():
        candidate.delete()
        raise RuntimeError("rolled back")


def test_a_rolled_back_delete_keeps_the_cv(
    with_cv, private_dir, django_capture_on_commit_callbacks
):
    candidate_id = with_cv.candidate_id
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
    ):
        delete_then_fail(Candidate.objects.get(pk=candidate_id))
    assert callbacks == []
    assert Candidate.objects.filter(pk=candidate_id).exists()
    assert len(stored_files(private_dir)) == 1


def test_a_candidate_without_a_cv_is_deleted_as_before(
    requisition, lead, private_dir, django_capture_on_commit_callbacks
):
    candidate = add(requisition, lead).candidate
    candidate_id = candidate.pk
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        candidate.delete()
    assert callbacks == []
    assert not Candidate.objects.filter(pk=candidate_id).exists()


def test_a_cv_that_cannot_be_deleted_is_logged_not_raised(
    with_cv, private_dir, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    storage = Candidate._meta.get_field("cv").storage

    def stuck(name):
        raise PermissionError("read-only volume")

    monkeypatch.setattr(storage, "delete", stuck)
    with django_capture_on_commit_callbacks(execute=True):
        with_cv.candidate.delete()
    assert "not deleted" in caplog.text
