"""The data-access export: everything held about one associate, for ops admins only."""

import datetime as dt
import io
import json
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone

from performance.models import Review
from scheduling.models import Activity
from tests.conftest import client_for
from tests.factories import (
    ActionItemFactory,
    CompDayFactory,
    DailyKpiFactory,
    FeedbackFactory,
    GoalFactory,
    KpiEventFactory,
    OneOnOneFactory,
    PrivateNoteFactory,
    QueueAssignmentFactory,
    ReviewFactory,
    ScheduleEntryFactory,
    TimeOffRequestFactory,
    WeekendDutyFactory,
)

PRIVATE = "PRIVATE-NOTE-MARKER-9f2"
PRIVATE_FEEDBACK = "PRIVATE-FEEDBACK-MARKER-3c1"
LEAD_DRAFT = "LEAD-DRAFT-MARKER-77a"


def url(associate) -> str:
    return reverse("teams:associate-export", kwargs={"associate_id": associate.pk})


def unzip(response) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()}


@pytest.fixture
def records(associate, teammate, lead):
    one_on_one = OneOnOneFactory(associate=associate, lead=lead, shared_notes="Shared talk")
    PrivateNoteFactory(one_on_one=one_on_one, author=lead, text=PRIVATE)
    ActionItemFactory(raised_in=one_on_one, text="Read the runbook")
    FeedbackFactory(associate=associate, author=lead, situation="Shared praise", is_private=False)
    FeedbackFactory(associate=associate, author=lead, situation=PRIVATE_FEEDBACK, is_private=True)
    FeedbackFactory(associate=teammate, author=lead, situation="About the teammate")
    GoalFactory(associate=associate, title="Own goal")
    ReviewFactory(
        associate=associate,
        state=Review.State.LEAD_REVIEW,
        self_achievements="My self review",
        lead_summary=LEAD_DRAFT,
    )
    KpiEventFactory(associate=associate)
    DailyKpiFactory(associate=associate, team=associate.team)
    ScheduleEntryFactory(associate=associate, note="Early cell")
    TimeOffRequestFactory(associate=associate)
    WeekendDutyFactory(associate=associate)
    CompDayFactory(associate=associate)
    training = Activity.objects.create(
        team=associate.team,
        kind=Activity.Kind.TRAINING,
        title="Refunds training",
        on=dt.date(2030, 1, 8),
        starts_at=dt.time(10),
        ends_at=dt.time(11),
    )
    training.attendees.add(associate)
    QueueAssignmentFactory(plan__team=associate.team, associate=associate)
    return one_on_one


def test_the_archive_holds_every_part_and_a_manifest(admin, associate, records):
    response = client_for(admin).get(url(associate))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "no-store"
    files = unzip(response)
    for part in (
        "profile",
        "skills",
        "schedule_cells",
        "time_off",
        "shift_swaps",
        "swap_offers",
        "weekend_duties",
        "comp_days",
        "kpi_events",
        "kpi_daily",
        "one_on_ones",
        "action_items",
        "feedback",
        "goals",
        "reviews",
        "activities",
        "queue_assignments",
        "training",
    ):
        assert f"{part}.json" in files, part
    assert "README.txt" in files
    assert "Private 1:1 notes" in files["README.txt"]
    profile = json.loads(files["profile.json"])[0]
    assert profile["user"]["username"] == "associate"
    assert "password" not in files["profile.json"]
    assert json.loads(files["one_on_ones.json"])[0]["shared_notes"] == "Shared talk"
    assert len(json.loads(files["kpi_events.json"])) == 1
    assert len(json.loads(files["kpi_daily.json"])) == 1
    assert len(json.loads(files["weekend_duties.json"])) == 1
    assert "Early cell" in files["schedule_cells.json"]
    assert "Read the runbook" in files["action_items.json"]
    assert "Own goal" in files["goals.json"]
    assert "My self review" in files["reviews.json"]
    assert json.loads(files["activities.json"])[0]["title"] == "Refunds training"
    assert json.loads(files["queue_assignments.json"])[0]["starts_at"].startswith("2030-01-07")


def test_no_private_text_of_another_author_is_anywhere_in_the_archive(admin, associate, records):
    everything = "".join(unzip(client_for(admin).get(url(associate))).values())

    assert PRIVATE not in everything
    assert PRIVATE_FEEDBACK not in everything
    assert LEAD_DRAFT not in everything  # the lead's draft before the review is shared
    assert "About the teammate" not in everything
    assert "Shared praise" in everything


def test_a_shared_review_is_exported_in_full(admin, associate, records):
    Review.objects.filter(associate=associate).update(
        state=Review.State.SHARED,
        rating=3,
        rating_justification="Solid",
        first_shared_at=timezone.now(),
        shared_at=timezone.now(),
    )

    files = unzip(client_for(admin).get(url(associate)))

    assert LEAD_DRAFT in files["reviews.json"]


@pytest.mark.parametrize("persona", ["associate", "lead", "manager"])
def test_only_an_ops_admin_may_download(request, persona, associate, records):
    user = request.getfixturevalue(persona)
    user = getattr(user, "user", user)

    assert client_for(user).get(url(associate)).status_code == 403


def test_someone_who_cannot_see_the_associate_gets_404(other_lead, associate):
    assert client_for(other_lead).get(url(associate)).status_code == 404


def test_the_export_takes_a_bounded_number_of_queries(
    admin, associate, records, django_assert_max_num_queries
):
    client = client_for(admin)
    with django_assert_max_num_queries(40):
        assert client.get(url(associate)).status_code == 200


def test_the_audit_log_part_holds_events_about_them_and_those_they_caused(
    admin, associate, teammate, lead, rf
):
    from teams import audit
    from teams.models import AuditEvent

    Action = AuditEvent.Action
    audit.record(
        action=Action.LOGIN, actor=associate.user, request=rf.get("/", REMOTE_ADDR="192.0.2.1")
    )
    audit.record(
        action=Action.ASSOCIATE_CHANGED,
        actor=lead,
        target=associate,
        request=rf.get("/", REMOTE_ADDR="192.0.2.2"),
        details={"fields": ["title"]},
    )
    audit.record(
        action=Action.ASSOCIATE_CHANGED,
        actor=associate.user,
        target=teammate,
        details={"fields": ["level"]},
    )
    audit.record(action=Action.LOGIN, actor=lead)  # neither about them nor theirs

    files = unzip(client_for(admin).get(url(associate)))

    rows = json.loads(files["audit_log.json"])
    mine = [(r["action"], r["actor"], r["target"], r["address"], r["details"]) for r in rows]
    assert mine == [
        ("auth.login", "associate", "", "192.0.2.1", {}),
        ("roster.associate_changed", "lead", "Ada Associate", None, {"fields": ["title"]}),
        ("roster.associate_changed", "associate", "", None, {}),
    ]
    assert rows[2]["target_id"] == teammate.pk
    assert "Tim Teammate" not in files["audit_log.json"]
    assert "audit_log" in files["README.txt"]


def test_a_lead_s_own_export_leaves_out_their_feedback_about_others(admin, team, lead, associate):
    from tests.factories import AssociateFactory

    on_roster = AssociateFactory(user=lead, team=team)
    FeedbackFactory(associate=associate, author=lead, situation="ABOUT-ADA", is_private=False)
    FeedbackFactory(associate=associate, author=lead, situation="KUDOS-FROM-LENA", source="peer")

    files = unzip(client_for(admin).get(url(on_roster)))

    assert "ABOUT-ADA" not in files["feedback.json"]
    assert "KUDOS-FROM-LENA" in files["feedback.json"]


def test_a_review_reopened_after_sharing_is_exported_as_the_associate_reads_it(admin, associate):

    now = timezone.now()
    review = ReviewFactory(
        associate=associate,
        state=Review.State.SHARED,
        rating=3,
        rating_justification="JUSTIFIED",
        lead_summary="SHARED-SUMMARY",
        first_shared_at=now,
        shared_at=now,
    )
    Review.objects.filter(pk=review.pk).update(state=Review.State.CALIBRATION, reopened_count=1)

    files = unzip(client_for(admin).get(url(associate)))

    assert "SHARED-SUMMARY" in files["reviews.json"]
