import contextlib
import datetime as dt
import threading

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse

from scheduling.models import (
    EntryKind,
    PublishedEntry,
    ScheduleEntry,
    TimeOffRequest,
)
from scheduling.services import schedule, time_off
from scheduling.services.schedule import Change, ScheduleConflict
from tests.conftest import client_for
from tests.factories import (
    AssociateFactory,
    CoverageRequirementFactory,
    PublicHolidayFactory,
    TimeOffRequestFactory,
)
from tests.scheduling.conftest import MONDAY

pytestmark = pytest.mark.django_db
TUESDAY = MONDAY + dt.timedelta(days=1)


@pytest.fixture
def staffed(team, lead, associate, teammate, early):
    """Three people on Early on Monday and Tuesday; the team needs two."""
    third = AssociateFactory(team=team, user__first_name="Thea")
    CoverageRequirementFactory(team=team, day_kind="weekday", min_headcount=2)
    schedule.apply_changes(
        actor=lead,
        team=team,
        changes=[
            Change.shift(p, d, early)
            for p in (associate, teammate, third)
            for d in (MONDAY, TUESDAY)
        ],
    )
    return third


def ask(associate, first=MONDAY, last=MONDAY, type="annual"):
    return TimeOffRequestFactory(associate=associate, first_day=first, last_day=last, type=type)


class TestRequesting:
    def test_associate_requests_time_off_and_the_lead_is_told(
        self, cast, associate, lead, time_machine, django_capture_on_commit_callbacks
    ):
        time_machine.move_to(dt.datetime(2030, 1, 1, 12, tzinfo=dt.UTC))
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(associate.user).post(
                reverse("scheduling:timeoff-request"),
                {
                    "first_day": "2030-01-07",
                    "last_day": "2030-01-08",
                    "type": "annual",
                    "note": "Trip",
                },
            )
        assert response.status_code == 302
        request = TimeOffRequest.objects.get()
        assert (request.associate, request.status) == (associate, "pending")
        assert mail.outbox[0].to == ["lead@example.com"]
        assert "Ada Associate asks for annual leave" in mail.outbox[0].body

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            ({"first_day": "2029-12-31", "last_day": "2030-01-02"}, "cannot start in the past"),
            (
                {"first_day": "2030-01-09", "last_day": "2030-01-08"},
                "cannot be before the first day",
            ),
            ({"first_day": "2030-01-07", "last_day": "2030-04-07"}, "at most 60 days"),
            ({"first_day": "2030-13-01", "last_day": "2030-01-08"}, "Enter a valid date"),
        ],
    )
    def test_bad_requests_show_errors_and_write_nothing(
        self, cast, associate, time_machine, data, message
    ):
        time_machine.move_to(dt.datetime(2030, 1, 1, 12, tzinfo=dt.UTC))
        response = client_for(associate.user).post(
            reverse("scheduling:timeoff-request"), {"type": "annual", **data}
        )
        assert response.status_code == 200
        assert message in response.content.decode()
        assert not TimeOffRequest.objects.exists()

    def test_overlapping_requests_are_refused(self, cast, associate, time_machine):
        time_machine.move_to(dt.datetime(2030, 1, 1, 12, tzinfo=dt.UTC))
        ask(associate, MONDAY, TUESDAY)
        response = client_for(associate.user).post(
            reverse("scheduling:timeoff-request"),
            {"first_day": "2030-01-08", "last_day": "2030-01-09", "type": "annual"},
        )
        assert "already have a request" in response.content.decode()
        assert TimeOffRequest.objects.count() == 1


class TestDeciding:
    def test_queue_shows_the_coverage_impact_before_deciding(
        self, cast, team, lead, associate, staffed
    ):
        ask(associate)
        response = client_for(lead).get(
            reverse("scheduling:timeoff-queue", kwargs={"team_id": team.pk})
        )
        ((_request, impacts),) = response.context["pending"]
        assert [(i.day, i.line.scheduled, i.after, i.breaks_minimum) for i in impacts] == [
            (MONDAY, 3, 2, False)
        ]
        assert "3 → <strong>2</strong> of 2 required" in response.content.decode()

    def test_approval_blocks_the_days_and_updates_a_published_week(
        self, cast, team, lead, associate, staffed, django_capture_on_commit_callbacks
    ):
        schedule.publish_week(actor=lead, team=team, monday=MONDAY)
        request = ask(associate, MONDAY, TUESDAY)
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(lead).post(
                reverse("scheduling:timeoff-approve", kwargs={"request_id": request.pk}),
                {"note": "Enjoy"},
            )
        assert response.status_code == 302
        request.refresh_from_db()
        assert (request.status, request.decided_by, request.decision_note) == (
            "approved",
            lead,
            "Enjoy",
        )
        kinds = set(
            ScheduleEntry.objects.filter(associate=associate).values_list("kind", flat=True)
        )
        assert kinds == {EntryKind.TIME_OFF}
        assert set(
            PublishedEntry.objects.filter(associate=associate).values_list("kind", flat=True)
        ) == {EntryKind.TIME_OFF}
        assert mail.outbox[-1].to == ["associate@example.com"]
        assert "was approved" in mail.outbox[-1].body

    def test_approval_that_breaks_minimum_coverage_is_refused(
        self, cast, team, lead, associate, teammate, staffed
    ):
        time_off.approve_time_off(actor=lead, request=ask(teammate))
        second = ask(associate)
        with pytest.raises(ScheduleConflict, match="On shift would drop to 1 of 2 required"):
            time_off.approve_time_off(actor=lead, request=second)
        second.refresh_from_db()
        assert second.status == "pending"
        assert ScheduleEntry.objects.get(associate=associate, on=MONDAY).kind == EntryKind.SHIFT

    def test_deny_and_cancel(
        self, cast, team, lead, associate, staffed, django_capture_on_commit_callbacks
    ):
        client = client_for(lead)
        denied = ask(associate, TUESDAY, TUESDAY)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                reverse("scheduling:timeoff-deny", kwargs={"request_id": denied.pk}),
                {"note": "Busy"},
            )
        denied.refresh_from_db()
        assert denied.status == "denied"
        assert "was denied" in mail.outbox[-1].body
        assert "Busy" in mail.outbox[-1].body

        approved = ask(associate)
        time_off.approve_time_off(actor=lead, request=approved)
        client_for(associate.user).post(
            reverse("scheduling:timeoff-cancel", kwargs={"request_id": approved.pk})
        )
        approved.refresh_from_db()
        assert approved.status == "cancelled"
        assert not ScheduleEntry.objects.filter(associate=associate, on=MONDAY).exists()

    def test_a_decided_request_cannot_be_approved(self, cast, lead, associate, staffed):
        request = ask(associate)
        time_off.deny_time_off(actor=lead, request=request)
        with pytest.raises(ScheduleConflict, match="is denied"):
            time_off.approve_time_off(actor=lead, request=request)

    def test_approving_twice_is_harmless(self, cast, lead, associate, staffed):
        request = ask(associate)
        time_off.approve_time_off(actor=lead, request=request)
        time_off.approve_time_off(actor=lead, request=request)
        assert ScheduleEntry.history.filter(kind=EntryKind.TIME_OFF).count() == 1

    def test_leave_balance_counts_paid_weekdays_only(
        self, cast, team, lead, associate, staffed, time_machine
    ):
        from scheduling.selectors.time_off import leave_balance

        PublicHolidayFactory(site=team.site, on=TUESDAY, name="A holiday")
        request = ask(associate, MONDAY, MONDAY + dt.timedelta(days=6))  # Mon–Sun
        time_off.approve_time_off(actor=lead, request=request)
        ask(teammate_unused := AssociateFactory(team=team), type="sick")
        balance = leave_balance(associate, 2030, today=dt.date(2030, 1, 1))
        # Mon–Fri minus the holiday: 4 paid days, all still to come.
        assert (balance.allowance, balance.taken, balance.booked, balance.remaining) == (
            20,
            0,
            4,
            16,
        )
        assert teammate_unused.pk


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_approvals_that_together_break_coverage_let_only_one_through(
    team, lead, associate, teammate, early, monkeypatch
):
    if connection.vendor != "postgresql":
        pytest.fail("This test needs PostgreSQL's row locks: run it with DATABASE_URL set.")
    third = AssociateFactory(team=team)
    CoverageRequirementFactory(team=team, day_kind="weekday", min_headcount=2)
    schedule.apply_changes(
        actor=lead,
        team=team,
        changes=[Change.shift(p, MONDAY, early) for p in (associate, teammate, third)],
    )
    requests = [ask(associate), ask(teammate)]
    barrier = threading.Barrier(2)
    outcomes: dict[int, str] = {}
    # Make the race as bad as it can be: each approval, once it has read the
    # coverage, waits for the other to have read it too. With the team lock the
    # other is blocked on the lock instead, so the wait times out and the first
    # approval commits before the second reads anything.
    after_read = threading.Barrier(2)
    read_impact = time_off.time_off_impact

    def slow_impact(request):
        impacts = read_impact(request)
        with contextlib.suppress(threading.BrokenBarrierError):
            after_read.wait(timeout=2)
        return impacts

    monkeypatch.setattr(time_off, "time_off_impact", slow_impact)

    def approve(request):
        try:
            barrier.wait()
            time_off.approve_time_off(actor=lead, request=request)
            outcomes[request.pk] = "approved"
        except ScheduleConflict:
            outcomes[request.pk] = "refused"
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(r,)) for r in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes.values()) == ["approved", "refused"]
    assert TimeOffRequest.objects.filter(status="approved").count() == 1
    assert ScheduleEntry.objects.filter(on=MONDAY, kind=EntryKind.SHIFT).count() == 2


def test_the_queue_has_a_fixed_query_budget(cast, team, lead, early, django_assert_max_num_queries):
    people = [AssociateFactory(team=team) for _ in range(10)]
    schedule.apply_changes(
        actor=lead,
        team=team,
        changes=[Change.shift(p, d, early) for p in people for d in (MONDAY, TUESDAY)],
    )
    for person in people:
        ask(person, MONDAY, TUESDAY)
    client = client_for(lead)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("scheduling:timeoff-queue", kwargs={"team_id": team.pk}))
    assert len(response.context["pending"]) == 10
    assert all(len(impacts) == 2 for _request, impacts in response.context["pending"])


def test_my_schedule_has_a_fixed_query_budget(
    cast, team, lead, associate, early, django_assert_max_num_queries
):
    schedule.apply_changes(
        actor=lead,
        team=team,
        changes=[Change.shift(associate, MONDAY + dt.timedelta(days=n), early) for n in range(5)],
    )
    schedule.publish_week(actor=lead, team=team, monday=MONDAY)
    for n in range(5):
        ask(
            associate,
            MONDAY + dt.timedelta(days=30 + 2 * n),
            MONDAY + dt.timedelta(days=30 + 2 * n),
        )
    client = client_for(associate.user)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("scheduling:my-schedule")).status_code == 200


def test_leave_on_weekend_days_only_is_refused_unless_rostered_then(cast, associate):
    """Issue 13, point 8: a Saturday and Sunday off is no working day off."""
    from scheduling.models import TimeOffRequest
    from tests.factories import WeekendDutyFactory

    today = associate.team.site.local_today()
    saturday = today + dt.timedelta(days=(5 - today.weekday()) % 7 or 7)
    form = {
        "first_day": saturday.isoformat(),
        "last_day": (saturday + dt.timedelta(days=1)).isoformat(),
        "type": "annual",
        "note": "",
    }
    client = client_for(associate.user)
    refused = client.post(reverse("scheduling:timeoff-request"), form)
    assert "no working day to take off" in refused.content.decode()
    assert not TimeOffRequest.objects.exists()
    WeekendDutyFactory(associate=associate, on=saturday)
    assert client.post(reverse("scheduling:timeoff-request"), form).status_code == 302
    assert TimeOffRequest.objects.count() == 1
