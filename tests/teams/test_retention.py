"""Retention: leavers anonymised after SDC_RETENTION_LEAVER_DAYS, old history text
blanked after SDC_RETENTION_HISTORY_DAYS, aggregates kept, idempotent."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from performance.models import DailyKpi, Feedback, KpiEvent, OneOnOne, PrivateNote
from scheduling.models import SwapOffer, TimeOffRequest
from teams import retention
from teams.models import Associate
from tests.factories import (
    DailyKpiFactory,
    FeedbackFactory,
    KpiEventFactory,
    OneOnOneFactory,
    PrivateNoteFactory,
    SwapOfferFactory,
    TimeOffRequestFactory,
    WeekendDutyFactory,
)

TODAY = dt.date(2026, 12, 1)
NOW = dt.datetime(2026, 12, 1, 3, 30, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def periods(settings):
    settings.SDC_RETENTION_LEAVER_DAYS = 730
    settings.SDC_RETENTION_HISTORY_DAYS = 365


@pytest.fixture
def leaver(associate, lead):
    Associate.objects.filter(pk=associate.pk).update(
        is_active=False, left_on=TODAY - dt.timedelta(days=731)
    )
    associate.user.is_active = False
    associate.user.save()
    one_on_one = OneOnOneFactory(associate=associate, lead=lead, shared_notes="Talked about Ada")
    PrivateNoteFactory(one_on_one=one_on_one, author=lead, text="Ada's private worry")
    FeedbackFactory(associate=associate, author=lead, situation="Ada on the queue")
    TimeOffRequestFactory(associate=associate, note="Ada's hospital visit")
    SwapOfferFactory(offerer=associate, note="Ada's swap-board note")
    KpiEventFactory(associate=associate)
    DailyKpiFactory(associate=associate, team=associate.team)
    DailyKpiFactory(associate=None, team=associate.team, scope=DailyKpi.Scope.TEAM)
    WeekendDutyFactory(associate=associate)
    associate.refresh_from_db()
    return associate


def figures() -> list[tuple]:
    return list(
        DailyKpi.objects.order_by("pk").values_list(
            "pk", "scope", "team_id", "associate_id", "value", "numerator", "event_count"
        )
    )


def run() -> retention.RetentionResult:
    return retention.apply_retention(today=TODAY, now=NOW)


def test_a_leaver_past_retention_is_anonymised_and_aggregates_stay(leaver):
    before = figures()
    events = KpiEvent.objects.count()

    result = run()

    assert result.anonymised == [leaver.pk]
    leaver.refresh_from_db()
    user = leaver.user
    assert leaver.anonymised_at is not None
    assert user.get_full_name() == f"Former associate #{leaver.pk}"
    assert user.email == ""
    assert not user.is_active
    assert not user.has_usable_password()
    assert user.username == f"former-associate-{leaver.pk}"
    assert OneOnOne.objects.get(associate=leaver).shared_notes == ""
    assert PrivateNote.objects.get(one_on_one__associate=leaver).text == ""
    assert Feedback.objects.get(associate=leaver).situation == ""
    assert TimeOffRequest.objects.get(associate=leaver).note == ""
    assert SwapOffer.objects.get(offerer=leaver).note == ""
    # The history of those texts is blanked too.
    for model in (OneOnOne, PrivateNote, Feedback, TimeOffRequest, SwapOffer):
        for row in model.history.values():
            assert not any("Ada" in str(v) for v in row.values()), (model, row)
    # Aggregates: the same rollup rows and figures, the same events and duties.
    assert figures() == before
    assert KpiEvent.objects.count() == events
    assert leaver.weekend_duties.count() == 1


def test_not_before_the_retention_period(leaver):
    Associate.objects.filter(pk=leaver.pk).update(left_on=TODAY - dt.timedelta(days=729))

    assert run().anonymised == []
    leaver.refresh_from_db()
    assert leaver.anonymised_at is None
    assert leaver.user.first_name == "Ada"
    assert OneOnOne.objects.get(associate=leaver).shared_notes == "Talked about Ada"


def test_a_current_associate_is_untouched(associate, teammate):
    FeedbackFactory(associate=teammate, situation="Tim on the queue")

    assert run().anonymised == []
    teammate.refresh_from_db()
    assert teammate.user.first_name == "Tim"
    assert teammate.user.is_active
    assert Feedback.objects.get(associate=teammate).situation == "Tim on the queue"


def test_running_twice_changes_nothing_the_second_time(leaver):
    first = run()
    leaver.refresh_from_db()
    stamp = leaver.anonymised_at
    history_rows = OneOnOne.history.count()

    second = run()

    assert first.anonymised == [leaver.pk]
    assert second.anonymised == []
    assert second.history_rows == 0
    leaver.refresh_from_db()
    assert leaver.anonymised_at == stamp
    assert OneOnOne.history.count() == history_rows


def test_old_history_versions_lose_their_text_but_the_latest_stays(associate, lead):
    one_on_one = OneOnOneFactory(associate=associate, lead=lead, shared_notes="First version")
    one_on_one.shared_notes = "Second version"
    one_on_one.save()
    one_on_one.shared_notes = "Current version"
    one_on_one.save()
    history = OneOnOne.history.filter(id=one_on_one.pk)
    old = NOW - dt.timedelta(days=400)
    history.update(history_date=old)  # all three versions are old

    result = run()

    texts = list(history.order_by("history_id").values_list("shared_notes", flat=True))
    assert texts == ["", "", "Current version"]
    assert result.history_rows == 2
    one_on_one.refresh_from_db()
    assert one_on_one.shared_notes == "Current version"
    assert run().history_rows == 0  # idempotent


def test_recent_history_versions_are_kept(associate, lead):
    one_on_one = OneOnOneFactory(associate=associate, lead=lead, shared_notes="First version")
    one_on_one.shared_notes = "Current version"
    one_on_one.save()

    retention.apply_retention(today=TODAY, now=timezone.now())

    texts = OneOnOne.history.filter(id=one_on_one.pk).values_list("shared_notes", flat=True)
    assert set(texts) == {"First version", "Current version"}


def test_the_command_and_the_task_run_the_job(leaver):
    from teams.tasks import apply_retention

    call_command("apply_retention")  # today: the leaver left long before
    leaver.refresh_from_db()
    assert leaver.anonymised_at is not None
    assert apply_retention.delay().get()["anonymised"] == []


def test_cell_notes_duty_reasons_goal_titles_calibration_reasons_and_sign_ins_go(leaver, lead):
    from axes.models import AccessAttempt, AccessLog

    from performance.models import Goal, RatingChange
    from scheduling.models import CompDay, PublishedEntry, ScheduleEntry, WeekendDuty
    from tests.factories import (
        CompDayFactory,
        GoalFactory,
        PublishedEntryFactory,
        RatingChangeFactory,
        ReviewFactory,
        ScheduleEntryFactory,
    )

    day = dt.date(2024, 3, 4)
    ScheduleEntryFactory(associate=leaver, on=day, note="Ada: dentist at 4")
    PublishedEntryFactory(associate=leaver, on=day, note="Ada: dentist at 4")
    WeekendDuty.objects.filter(associate=leaver).update(reason="Ada asked for it")
    CompDayFactory(associate=leaver, reason="Ada's son's birthday")
    GoalFactory(associate=leaver, title="Ada: get over her fear of calls")
    review = ReviewFactory(associate=leaver)
    RatingChangeFactory(review=review, reason="Ada had a hard year at home")
    username = leaver.user.username
    AccessAttempt.objects.create(username=username, ip_address="10.0.0.1", failures_since_start=1)
    AccessLog.objects.create(username=username, ip_address="10.0.0.1")
    AccessLog.objects.create(username="someone-else", ip_address="10.0.0.2")

    assert run().anonymised == [leaver.pk]

    texts = [
        *ScheduleEntry.objects.filter(associate=leaver).values_list("note", flat=True),
        *ScheduleEntry.history.filter(associate_id=leaver.pk).values_list("note", flat=True),
        *PublishedEntry.objects.filter(associate=leaver).values_list("note", flat=True),
        *WeekendDuty.objects.filter(associate=leaver).values_list("reason", flat=True),
        *WeekendDuty.history.filter(associate_id=leaver.pk).values_list("reason", flat=True),
        *CompDay.objects.filter(associate=leaver).values_list("reason", flat=True),
        *CompDay.history.filter(associate_id=leaver.pk).values_list("reason", flat=True),
        *Goal.objects.filter(associate=leaver).values_list("title", flat=True),
        *Goal.history.filter(associate_id=leaver.pk).values_list("title", flat=True),
        *RatingChange.objects.filter(review=review).values_list("reason", flat=True),
    ]
    assert len(texts) >= 10
    assert not [text for text in texts if "Ada" in text]
    assert not AccessAttempt.objects.filter(username=username).exists()
    assert not AccessLog.objects.filter(username=username).exists()
    assert AccessLog.objects.filter(username="someone-else").exists()


def test_history_of_rows_deleted_since_is_blanked_too(leaver, lead):
    from performance.models import PrivateNote as Note
    from scheduling.models import CompDay, ScheduleEntry, WeekendDuty
    from tests.factories import CompDayFactory, ScheduleEntryFactory

    ScheduleEntryFactory(associate=leaver, on=dt.date(2024, 3, 4), note="Ada: dentist").delete()
    duty = WeekendDutyFactory(associate=leaver, on=dt.date(2024, 3, 9), reason="Ada asked")
    comp = CompDayFactory(duty=duty, associate=leaver, reason="Ada's son's birthday")
    comp.delete()
    duty.delete()
    gone = OneOnOneFactory(associate=leaver, lead=lead, status=OneOnOne.Status.CANCELLED)
    PrivateNoteFactory(one_on_one=gone, author=lead, text="Ada: worried about money")
    gone.delete()  # its private note goes with it, and both leave history behind

    run()

    left = [
        *ScheduleEntry.history.filter(associate_id=leaver.pk).values_list("note", flat=True),
        *WeekendDuty.history.filter(associate_id=leaver.pk).values_list("reason", flat=True),
        *CompDay.history.filter(associate_id=leaver.pk).values_list("reason", flat=True),
        *Note.history.values_list("text", flat=True),
    ]
    assert len(left) >= 6
    assert not [text for text in left if "Ada" in text]


def test_history_text_goes_once_it_was_replaced_before_the_cutoff(associate, lead):
    """Keyed on when a version was replaced, not written: a text written long ago and
    edited yesterday keeps its old value (the change still reads old -> new)."""
    request = TimeOffRequestFactory(associate=associate, note="Hospital: surgery")
    request.note = "Medical"
    request.save()
    request.note = "Medical appointment"
    request.save()
    versions = TimeOffRequest.history.filter(id=request.pk).order_by("history_id")
    first, second, third = versions
    TimeOffRequest.history.filter(history_id=first.history_id).update(
        history_date=NOW - dt.timedelta(days=800)
    )
    TimeOffRequest.history.filter(history_id=second.history_id).update(
        history_date=NOW - dt.timedelta(days=400)
    )
    TimeOffRequest.history.filter(history_id=third.history_id).update(
        history_date=NOW - dt.timedelta(days=1)
    )

    result = run()

    notes = list(versions.values_list("note", flat=True))
    # The first was replaced 400 days ago: gone. The second was replaced yesterday.
    assert notes == ["", "Medical", "Medical appointment"]
    assert result.history_rows == 1
    assert run().history_rows == 0


def test_a_leaving_lead_s_private_notes_and_feedback_go(associate, lead, team):
    from performance.models import Feedback as Given
    from tests.factories import AssociateFactory

    lead_on_roster = AssociateFactory(user=lead, team=team)
    meeting = OneOnOneFactory(associate=associate, lead=lead, shared_notes="Shared bit")
    PrivateNoteFactory(one_on_one=meeting, author=lead, text="Lena's private worry")
    FeedbackFactory(associate=associate, author=lead, is_private=True, situation="Lena saw")
    FeedbackFactory(associate=associate, author=lead, is_private=False, situation="Kudos")
    Associate.objects.filter(pk=lead_on_roster.pk).update(
        is_active=False, left_on=TODAY - dt.timedelta(days=731)
    )

    assert run().anonymised == [lead_on_roster.pk]

    assert PrivateNote.objects.get(one_on_one=meeting).text == ""
    assert not PrivateNote.history.filter(text__contains="Lena").exists()
    assert set(Given.objects.values_list("situation", flat=True)) == {"", "Kudos"}
    assert OneOnOne.objects.get(pk=meeting.pk).shared_notes == "Shared bit"  # Ada's


def test_a_leaver_s_name_and_reasons_leave_saved_rota_proposals(leaver, team, lead):
    from scheduling.models import RotaProposal

    proposal = RotaProposal.objects.create(
        team=team,
        first_day=leaver.left_on - dt.timedelta(days=28),
        last_day=leaver.left_on - dt.timedelta(days=1),
        created_by=lead,
        duties=[
            {
                "associate_id": leaver.pk,
                "name": "Ada Associate",
                "on": "2024-01-06",
                "comp_on": "2024-01-08",
                "reason": "Ada: unavailable 3 Jan",
                "comp_reason": "x",
            },
            {
                "associate_id": 999,
                "name": "Someone Else",
                "on": "2024-01-07",
                "comp_on": "2024-01-09",
                "reason": "fair share",
                "comp_reason": "y",
            },
        ],
        fairness={
            str(leaver.pk): {"name": "Ada Associate", "history": 1, "planned": 1, "total": 2}
        },
    )

    run()

    proposal.refresh_from_db()
    assert "Ada" not in str(proposal.duties) + str(proposal.fairness)
    assert proposal.duties[1]["name"] == "Someone Else"
    assert proposal.duties[0]["on"] == "2024-01-06"  # the plan's facts stay


def test_leavers_are_due_on_their_site_s_own_day(associate, team, time_machine):
    """In Auckland it is already the next day at 11:30 UTC."""
    team.site.time_zone = "Pacific/Auckland"
    team.site.save()
    time_machine.move_to(dt.datetime(2026, 12, 1, 11, 30, tzinfo=dt.UTC))  # 2 Dec, 00:30
    Associate.objects.filter(pk=associate.pk).update(
        is_active=False, left_on=dt.date(2026, 12, 2) - dt.timedelta(days=730)
    )

    assert retention.leavers_due() == [associate.pk]
    team.site.time_zone = "America/Los_Angeles"  # still 1 Dec there
    team.site.save()
    assert retention.leavers_due() == []
