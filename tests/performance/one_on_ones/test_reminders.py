"""1:1-tomorrow and action-item-due reminders: sent once, whatever the beat does."""

import datetime as dt

import pytest
import time_machine
from django.core import mail

from performance import tasks
from performance.models import ActionItem, PeopleReminder
from performance.services import one_on_ones as services
from teams.models import AuditEvent
from tests.performance.conftest import make_meeting

pytestmark = pytest.mark.django_db

# 09:00 in Dublin (winter, UTC+0) on Wednesday 25 November 2026.
MORNING = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)


def test_tomorrows_1on1_is_reminded_once_even_when_the_beat_job_runs_twice(associate, lead):
    meeting = make_meeting(associate, lead, dt.date(2026, 11, 26))
    with time_machine.travel(MORNING, tick=False):
        assert tasks.remind_one_on_ones_tomorrow() == 1
        assert tasks.remind_one_on_ones_tomorrow() == 0
        with time_machine.travel(MORNING + dt.timedelta(hours=1), tick=False):
            assert tasks.remind_one_on_ones_tomorrow() == 0
    assert len(mail.outbox) == 1
    assert set(mail.outbox[0].to) == {associate.user.email, lead.email}
    assert "10:00" in mail.outbox[0].subject
    assert PeopleReminder.objects.count() == 1
    (claim,) = AuditEvent.objects.filter(action="reminder.claimed")
    assert (claim.actor, claim.actor_label, claim.team) == (None, "system", associate.team)
    assert (claim.target_type, claim.target_label) == (
        "performance.oneonone",
        f"1:1 #{meeting.pk}",
    )
    assert claim.details == {"kind": "one_on_one_tomorrow", "due_on": "2026-11-26"}


def test_no_1on1_reminder_before_8_local_nor_for_other_days(associate, lead, teammate):
    make_meeting(associate, lead, dt.date(2026, 11, 26))
    make_meeting(teammate, lead, dt.date(2026, 11, 28))
    assert services.send_one_on_one_reminders(MORNING.replace(hour=6)) == 0
    assert services.send_one_on_one_reminders(MORNING) == 1
    assert len(mail.outbox) == 1


def test_a_held_or_cancelled_1on1_is_not_reminded(associate, lead):
    make_meeting(associate, lead, dt.date(2026, 11, 26), status="cancelled")
    assert services.send_one_on_one_reminders(MORNING) == 0


def test_an_action_item_due_today_is_reminded_once(associate, lead):
    meeting = make_meeting(associate, lead, dt.date(2026, 11, 11), status="done")
    item = services.add_action_item(
        actor=lead,
        one_on_one=meeting,
        text="Finish the refund macro",
        owner=associate.user,
        due_on=dt.date(2026, 11, 25),
    )
    services.add_action_item(
        actor=lead, one_on_one=meeting, text="Later", owner=lead, due_on=dt.date(2026, 11, 30)
    )
    with time_machine.travel(MORNING, tick=False):
        assert tasks.remind_action_items_due() == 1
        assert tasks.remind_action_items_due() == 0
    assert [m.to for m in mail.outbox] == [[associate.user.email]]
    assert "Finish the refund macro" in mail.outbox[0].body
    (claim,) = AuditEvent.objects.filter(action="reminder.claimed")
    assert (claim.target_type, claim.target_id) == ("performance.actionitem", item.pk)
    assert claim.details["kind"] == "action_item_due"
    assert "Finish the refund macro" not in str(AuditEvent.objects.values().get())
    # Done items are not reminded.
    ActionItem.objects.filter(pk=item.pk).update(done_at=MORNING, done_by=lead)
    PeopleReminder.objects.all().delete()
    assert services.send_action_item_reminders(MORNING) == 0


def test_the_claim_row_is_unique_in_the_database(associate):
    PeopleReminder.objects.create(kind="action_item_due", object_id=1, due_on=dt.date(2026, 1, 1))
    assert not services._claim("action_item_due", 1, dt.date(2026, 1, 1))
    assert services._claim("action_item_due", 1, dt.date(2026, 1, 2))


def test_after_a_team_move_the_new_lead_is_reminded_not_the_old_one(
    associate, lead, other_team, other_lead
):
    make_meeting(associate, lead, dt.date(2026, 11, 26))
    associate.team = other_team
    associate.save()
    assert services.send_one_on_one_reminders(MORNING) == 1
    assert set(mail.outbox[0].to) == {associate.user.email, other_lead.email}
