"""Rejected and withdrawn candidates are anonymised after HIRING_RETENTION_DAYS."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from teams import tasks
from teams.models import (
    Application,
    AuditEvent,
    Candidate,
    Decision,
    Offer,
    Rating,
    Requisition,
    Scorecard,
    StageChange,
)
from teams.services.hiring_retention import ANONYMISED_NAME, anonymise_candidates
from tests.factories import (
    ApplicationFactory,
    CandidateFactory,
    DecisionFactory,
    InterviewFactory,
    OfferFactory,
    RatingFactory,
    RequisitionFactory,
    ScorecardFactory,
    StageChangeFactory,
)
from tests.teams.pipeline import PDF, private_storage_in, stored_files

NOW = dt.datetime(2030, 6, 1, 12, tzinfo=dt.UTC)


@pytest.fixture
def private_dir(tmp_path, request):
    return private_storage_in(tmp_path / "private", request)


@pytest.fixture
def requisition(team):
    return RequisitionFactory(team=team, status=Requisition.Status.OPEN)


def closed_candidate(requisition, *, days_ago, stage="rejected", name="Rita Rejected"):
    """A candidate interviewed, decided on and closed `days_ago` days before NOW."""
    when = NOW - dt.timedelta(days=days_ago)
    candidate = CandidateFactory(
        name=name, email=f"{name.split()[0].lower()}@example.com", phone="+353 1", notes="NOTE"
    )
    candidate.cv.save("cv.pdf", ContentFile(PDF), save=False)
    candidate.cv_name = "Rita CV.pdf"
    candidate.save()
    application = ApplicationFactory(
        candidate=candidate,
        requisition=requisition,
        stage=stage,
        stage_changed_at=when,
        closed_reason="CLOSED-REASON",
    )
    StageChangeFactory(
        application=application, to_stage="applied", changed_at=when - dt.timedelta(days=20)
    )
    StageChangeFactory(
        application=application,
        from_stage="interview",
        to_stage=stage,
        changed_at=when,
        reason="MOVE-REASON",
    )
    interview = InterviewFactory(application=application, location="Room with Rita")
    scorecard = ScorecardFactory(
        interview=interview, recommendation="no", summary="SUMMARY-TEXT", submitted_at=when
    )
    RatingFactory(scorecard=scorecard, score=2, evidence="EVIDENCE-TEXT")
    DecisionFactory(application=application, outcome=stage, reason="DECISION-REASON")
    return candidate


def counts():
    """What the hiring metrics count: these must survive anonymisation."""
    return {
        "applications": list(
            Application.objects.values("stage", "source")
            .annotate(n=Count("pk"))
            .order_by("stage", "source")
        ),
        "stage_changes": list(
            StageChange.objects.values("from_stage", "to_stage")
            .annotate(n=Count("pk"))
            .order_by("from_stage", "to_stage")
        ),
        "decisions": Decision.objects.count(),
        "offers": list(Offer.objects.values_list("status", flat=True).order_by("status")),
        "scores": list(Rating.objects.values_list("score", flat=True).order_by("score")),
        "scorecards": list(
            Scorecard.objects.values_list("recommendation", flat=True).order_by("recommendation")
        ),
    }


def test_anonymised_after_the_period_keeping_the_counts(
    requisition, private_dir, settings, django_capture_on_commit_callbacks
):
    settings.HIRING_RETENTION_DAYS = 180
    candidate = closed_candidate(requisition, days_ago=181)
    before = counts()
    assert len(stored_files(private_dir)) == 1

    with django_capture_on_commit_callbacks(execute=True):
        assert anonymise_candidates(now=NOW) == 1

    candidate.refresh_from_db()
    assert candidate.name == ANONYMISED_NAME
    assert (candidate.email, candidate.phone, candidate.notes) == ("", "", "")
    assert (candidate.cv.name, candidate.cv_name) == ("", "")
    assert candidate.anonymised_at == NOW
    assert stored_files(private_dir) == []  # the CV file is gone
    assert set(Scorecard.objects.values_list("summary", flat=True)) == {""}
    assert set(Rating.objects.values_list("evidence", flat=True)) == {""}
    assert set(Decision.objects.values_list("reason", flat=True)) == {""}
    assert set(StageChange.objects.values_list("reason", flat=True)) == {""}
    assert set(Application.objects.values_list("closed_reason", flat=True)) == {""}
    assert "Rita" not in str(list(candidate.applications.values("interviews__location")))
    assert counts() == before
    event = AuditEvent.objects.get(action=AuditEvent.Action.CANDIDATE_ANONYMISED)
    assert event.target_label == f"candidate #{candidate.pk}"
    assert "Rita" not in str(event.details)


def test_not_before_the_period(requisition, private_dir, settings):
    settings.HIRING_RETENTION_DAYS = 180
    candidate = closed_candidate(requisition, days_ago=179)
    assert anonymise_candidates(now=NOW) == 0
    candidate.refresh_from_db()
    assert candidate.name == "Rita Rejected"
    assert candidate.anonymised_at is None
    assert len(stored_files(private_dir)) == 1


def test_a_candidate_still_in_another_pipeline_is_kept(requisition, team, private_dir):
    candidate = closed_candidate(requisition, days_ago=400, stage="withdrawn")
    other = RequisitionFactory(team=team, status=Requisition.Status.OPEN)
    ApplicationFactory(candidate=candidate, requisition=other, stage="screen", stage_changed_at=NOW)
    assert anonymise_candidates(now=NOW) == 0
    candidate.refresh_from_db()
    assert candidate.anonymised_at is None


def test_hired_candidates_are_kept(requisition, private_dir):
    candidate = closed_candidate(requisition, days_ago=400, stage="hired")
    OfferFactory(application=candidate.applications.get(), status="accepted")
    assert anonymise_candidates(now=NOW) == 0


def test_a_hired_candidates_record_goes_when_they_leave_and_are_anonymised(
    requisition, private_dir, team, django_capture_on_commit_callbacks
):
    """Kept while they work here; anonymised with the leaver's other records."""
    from teams.retention import anonymise_associate
    from tests.factories import AssociateFactory

    candidate = closed_candidate(requisition, days_ago=400, stage="hired")
    hire = AssociateFactory(team=team, hired_on=dt.date(2029, 1, 7))
    OfferFactory(application=candidate.applications.get(), status="accepted", associate=hire)
    hire.left_on, hire.is_active = dt.date(2029, 6, 28), False
    hire.save()
    before = counts()
    with django_capture_on_commit_callbacks(execute=True):  # the CV file goes on commit
        assert anonymise_associate(associate_id=hire.pk)
    candidate.refresh_from_db()
    assert (candidate.name, candidate.email, candidate.notes, candidate.cv.name) == (
        ANONYMISED_NAME,
        "",
        "",
        "",
    )
    assert not Scorecard.objects.filter(summary="SUMMARY-TEXT").exists()
    assert stored_files(private_dir) == []
    assert counts() == before


def test_a_recent_move_on_an_old_application_keeps_the_candidate(requisition, private_dir):
    candidate = closed_candidate(requisition, days_ago=400)
    StageChangeFactory(
        application=candidate.applications.get(),
        to_stage="rejected",
        changed_at=NOW - dt.timedelta(days=3),
    )
    assert anonymise_candidates(now=NOW) == 0


def test_idempotent_the_second_run_changes_nothing(
    requisition, private_dir, django_capture_on_commit_callbacks
):
    closed_candidate(requisition, days_ago=200, name="Rita Rejected")
    closed_candidate(requisition, days_ago=300, stage="withdrawn", name="Walt Withdrawn")
    with django_capture_on_commit_callbacks(execute=True):
        assert anonymise_candidates(now=NOW) == 2
    after_first = (
        list(Candidate.objects.values().order_by("pk")),
        counts(),
        AuditEvent.objects.count(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert anonymise_candidates(now=NOW + dt.timedelta(days=1)) == 0
    assert (
        list(Candidate.objects.values().order_by("pk")),
        counts(),
        AuditEvent.objects.count(),
    ) == after_first


def test_the_task_and_the_command_run_the_service(requisition, private_dir, capsys, settings):
    settings.HIRING_RETENTION_DAYS = 1
    closed_candidate(requisition, days_ago=0)  # NOW is in the future: long ago by then
    Candidate.objects.update(created_at=timezone.now())
    Application.objects.update(stage_changed_at=timezone.now() - dt.timedelta(days=5))
    StageChange.objects.update(changed_at=timezone.now() - dt.timedelta(days=5))
    assert tasks.anonymise_candidates() == 1
    assert tasks.anonymise_candidates() == 0
    call_command("anonymise_candidates")
    assert "Anonymised 0 candidate(s)" in capsys.readouterr().out


def test_the_beat_runs_it_nightly(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["anonymise-candidates"]
    assert entry["task"] == "teams.tasks.anonymise_candidates"
    assert entry["options"]["expires"] < 24 * 3600
