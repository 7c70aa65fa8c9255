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
