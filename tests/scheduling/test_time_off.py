import contextlib
import datetime as dt
import threading

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse

from scheduling.models import (
    Activity,
    EntryKind,
    PublishedEntry,
    QueuePlan,
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
        (item,) = response.context["pending"]
        assert [(i.day, i.line.scheduled, i.after, i.breaks_minimum) for i in item.impacts] == [
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
    """Ten pending requests that overlap each other, approved leave, a half day and a
    comp day: who else is off, cover and balances in the same number of queries."""
    people = [AssociateFactory(team=team) for _ in range(12)]
    schedule.apply_changes(
        actor=lead,
        team=team,
        changes=[Change.shift(p, d, early) for p in people for d in (MONDAY, TUESDAY)],
    )
    time_off.approve_time_off(actor=lead, request=ask(people[10], MONDAY, MONDAY))
    schedule.apply_changes(
        actor=lead, team=team, changes=[Change(associate=people[11], on=TUESDAY, kind="comp_day")]
    )
    for person in people[:9]:
        ask(person, MONDAY, TUESDAY)
    TimeOffRequestFactory(
        associate=people[9], first_day=TUESDAY, last_day=TUESDAY, first_day_part="afternoon"
    )
    client = client_for(lead)
    with django_assert_max_num_queries(19):
        response = client.get(reverse("scheduling:timeoff-queue", kwargs={"team_id": team.pk}))
    items = response.context["pending"]
    assert len(items) == 10
    assert all(len(item.days) == 2 for item in items[:9])
    # Everyone pending sees the other eight, the approved Monday and Tuesday's comp day.
    monday, tuesday = items[0].days
    assert len(monday.others) == 9
    assert len(tuesday.others) == 10


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
    for n in range(3):  # activities they are booked for: one query for all of them
        Activity.objects.create(
            team=team,
            kind=Activity.Kind.TRAINING,
            title=f"Training {n}",
            on=MONDAY + dt.timedelta(days=n),
            starts_at=dt.time(10),
            ends_at=dt.time(11),
        ).attendees.add(associate)
    for n in range(3):  # published queue plans: one query for all of them
        QueuePlan.objects.create(
            team=team,
            on=MONDAY + dt.timedelta(days=n),
            published_at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC),
            published_blocks={
                str(associate.pk): [
                    ["2030-01-07T07:00:00+00:00", "2030-01-07T11:00:00+00:00", "Chat"]
                ]
            },
        )
    client = client_for(associate.user)
    with django_assert_max_num_queries(17):
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


def summary_of(response):
    return response.content.decode()


def preview(client, **data):
    """What the request form's htmx GET answers as the dates change."""
    return client.get(
        reverse("scheduling:timeoff-request"),
        {"type": "annual", "first_day_part": "whole", "last_day_part": "whole", **data},
        headers={"HX-Request": "true"},
    )


@pytest.fixture
def on_new_year(time_machine):
    time_machine.move_to(dt.datetime(2030, 1, 1, 12, tzinfo=dt.UTC))


class TestWorkingDays:
    """Issue 13, point 13: the form counts the working days as the dates are chosen."""

    def test_the_form_counts_working_days_live_without_holidays_weekends_or_days_off(
        self, cast, team, lead, associate, on_new_year
    ):
        PublicHolidayFactory(site=team.site, on=TUESDAY, name="A holiday")
        wednesday = MONDAY + dt.timedelta(days=2)
        schedule.apply_changes(
            actor=lead,
            team=team,
            changes=[Change(associate=associate, on=wednesday, kind="day_off")],
        )
        response = preview(
            client_for(associate.user),
            first_day=MONDAY.isoformat(),
            last_day=(MONDAY + dt.timedelta(days=6)).isoformat(),
        )
        page = summary_of(response)
        assert response.status_code == 200
        assert "<html" not in page
        assert 'id="leave-summary"' in page
        assert "3 working days" in page
        assert (
            "Not counted: 2 weekend days; Tue 8 Jan (public holiday), Wed 9 Jan (day off)" in page
        )
        assert not TimeOffRequest.objects.exists()

    def test_a_rostered_weekend_day_is_a_working_day(self, cast, associate, on_new_year):
        from tests.factories import WeekendDutyFactory

        saturday = MONDAY + dt.timedelta(days=5)
        WeekendDutyFactory(associate=associate, on=saturday)
        page = summary_of(
            preview(
                client_for(associate.user),
                first_day=MONDAY.isoformat(),
                last_day=(saturday + dt.timedelta(days=1)).isoformat(),
            )
        )
        assert "6 working days" in page
        assert "Not counted: 1 weekend day<" in page

    def test_half_days_at_either_end_count_half(self, cast, associate, on_new_year):
        page = summary_of(
            preview(
                client_for(associate.user),
                first_day=MONDAY.isoformat(),
                first_day_part="afternoon",
                last_day=(MONDAY + dt.timedelta(days=2)).isoformat(),
                last_day_part="morning",
            )
        )
        assert "2 working days" in page
        assert "Mon 7 Jan (from the afternoon) – Wed 9 Jan 2030 (until noon)" in page

    def test_the_form_shows_the_paid_leave_balance_before_and_after(
        self, cast, team, lead, associate, teammate, on_new_year
    ):
        from tests.factories import LeaveAllowanceFactory

        LeaveAllowanceFactory(associate=associate, year=2030, paid_days=10)
        time_off.approve_time_off(actor=lead, request=ask(associate, MONDAY, TUESDAY))
        TimeOffRequestFactory(
            associate=associate,
            first_day=MONDAY + dt.timedelta(days=14),
            last_day=MONDAY + dt.timedelta(days=14),
            last_day_part="morning",
        )
        client = client_for(associate.user)
        page = summary_of(client.get(reverse("scheduling:timeoff-request")))
        assert "<strong>7.5</strong> of 10 days left to ask for" in page
        assert "0 taken · 2 booked · 0.5 waiting for approval" in page
        live = summary_of(
            preview(
                client,
                first_day=(MONDAY + dt.timedelta(days=21)).isoformat(),
                last_day=(MONDAY + dt.timedelta(days=22)).isoformat(),
            )
        )
        assert "<strong>5.5</strong> after this" in live
        sick = summary_of(
            preview(
                client,
                type="sick",
                first_day=(MONDAY + dt.timedelta(days=21)).isoformat(),
                last_day=(MONDAY + dt.timedelta(days=22)).isoformat(),
            )
        )
        assert "does not use your paid leave" in sick

    def test_a_request_beyond_what_is_left_is_refused_with_a_field_error(
        self, cast, associate, on_new_year
    ):
        from tests.factories import LeaveAllowanceFactory

        LeaveAllowanceFactory(associate=associate, year=2030, paid_days=3)
        ask(associate, MONDAY, MONDAY).save()  # pending: 1 of the 3 spoken for
        client = client_for(associate.user)
        data = {
            "first_day": TUESDAY.isoformat(),
            "last_day": (TUESDAY + dt.timedelta(days=2)).isoformat(),
            "type": "annual",
        }
        response = client.post(reverse("scheduling:timeoff-request"), data)
        form = response.context["form"]
        assert form.errors["last_day"] == [
            "That is 3 working days of annual leave in 2030, and you have 2 working days left "
            "(1 working day more waiting for approval). Choose fewer days, or ask for unpaid "
            "leave."
        ]
        assert TimeOffRequest.objects.count() == 1
        live = summary_of(preview(client, **data))
        assert "you have 2 working days left" in live  # said as the dates are chosen
        # Unpaid leave is not limited by the allowance.
        assert (
            client.post(
                reverse("scheduling:timeoff-request"), {**data, "type": "unpaid"}
            ).status_code
            == 302
        )

    def test_a_single_half_day_is_saved_and_both_halves_of_one_day_are_refused(
        self, cast, associate, on_new_year
    ):
        client = client_for(associate.user)
        url = reverse("scheduling:timeoff-request")
        day = {"first_day": TUESDAY.isoformat(), "last_day": TUESDAY.isoformat(), "type": "annual"}
        both = client.post(url, {**day, "first_day_part": "afternoon", "last_day_part": "morning"})
        assert "either the morning or the afternoon" in both.content.decode()
        assert not TimeOffRequest.objects.exists()
        assert client.post(url, {**day, "last_day_part": "morning"}).status_code == 302
        request = TimeOffRequest.objects.get()
        assert request.half_days() == {TUESDAY: "morning"}
        assert request.period() == "Tue 8 Jan 2030, morning"
        # The afternoon of the same day would make the whole day: one request, so
        # the plan and cover show the day off (two halves kept a shift on the plan).
        other_half = client.post(url, {**day, "first_day_part": "afternoon"})
        assert "ask for the whole day" in other_half.content.decode()
        again = client.post(url, {**day, "last_day_part": "morning"})
        assert "already have a request" in again.content.decode()
        assert TimeOffRequest.objects.count() == 1

    @pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
    def test_far_dates_are_refused_live_and_on_submit(self, cast, associate, on_new_year, day):
        client = client_for(associate.user)
        live = preview(client, first_day=day, last_day=day)
        assert live.status_code == 200
        assert "Time off cannot start in the past" in live.content.decode() or (
            "at most 18 months ahead" in live.content.decode()
        )
        posted = client.post(
            reverse("scheduling:timeoff-request"),
            {"first_day": day, "last_day": day, "type": "annual"},
        )
        assert posted.status_code == 200
        assert not TimeOffRequest.objects.exists()

    def test_the_preview_is_the_requesters_own_and_needs_a_roster_record(self, cast, lead):
        response = preview(client_for(lead), first_day="2030-01-07", last_day="2030-01-08")
        assert response.status_code == 404


class TestHalfDays:
    """Issue 13, point 13: a half day counts 0.5 and keeps the person at work for the
    other half: balances, cover, the plan and the rota all read it so."""

    def test_balance_counts_half_days_and_leaves_out_days_the_plan_has_off(
        self, cast, team, lead, associate, on_new_year
    ):
        from scheduling.selectors.time_off import leave_balance

        wednesday = MONDAY + dt.timedelta(days=2)
        schedule.apply_changes(
            actor=lead,
            team=team,
            changes=[Change(associate=associate, on=wednesday, kind="day_off")],
        )
        request = TimeOffRequestFactory(
            associate=associate,
            first_day=MONDAY,
            last_day=MONDAY + dt.timedelta(days=4),
            first_day_part="afternoon",
            last_day_part="morning",
        )
        time_off.approve_time_off(actor=lead, request=request)
        balance = leave_balance(associate, 2030, today=dt.date(2030, 1, 1))
        # Mon ½ + Tue + Thu + Fri ½; Wednesday was a day off anyway and stays one.
        assert (balance.booked, balance.remaining) == (3.0, 17.0)
        assert ScheduleEntry.objects.get(associate=associate, on=wednesday).kind == "day_off"
        home = client_for(associate.user).get(reverse("teams:home")).content.decode()
        assert '<span class="stat">17</span> paid leave days left to ask for in 2030' in home
        # One count: with a day waiting for approval, the home card and the request
        # form both say 16 left to ask for (the card said 17, the form 16).
        TimeOffRequestFactory(
            associate=associate,
            first_day=MONDAY + dt.timedelta(days=7),
            last_day=MONDAY + dt.timedelta(days=7),
        )
        client = client_for(associate.user)
        home = client.get(reverse("teams:home")).content.decode()
        form = client.get(reverse("scheduling:timeoff-request")).content.decode()
        assert '<span class="stat">16</span> paid leave days left to ask for in 2030' in home
        assert "<strong>16</strong> of 20 days left to ask for" in form

    def test_an_approved_half_day_keeps_the_shift_and_the_cover(
        self, cast, team, lead, associate, staffed, early
    ):
        from scheduling.selectors.coverage import coverage_for_day, requirements_for

        request = TimeOffRequestFactory(
            associate=associate, first_day=MONDAY, last_day=MONDAY, last_day_part="morning"
        )
        assert time_off.time_off_impact(request) == []
        time_off.approve_time_off(actor=lead, request=request)
        cell = ScheduleEntry.objects.get(associate=associate, on=MONDAY)
        assert (cell.kind, cell.note) == ("shift", "½ day annual leave (paid): morning off")
        entries = list(ScheduleEntry.objects.filter(on=MONDAY))
        (on_shift,) = coverage_for_day(MONDAY, entries, requirements_for(team), {}, set())
        assert on_shift.scheduled == 3  # a half-day absence counts as present
        # The lead may still change the shift: the person works the other half.
        schedule.apply_changes(
            actor=lead, team=team, changes=[Change.shift(associate, MONDAY, early)]
        )
        time_off.cancel_time_off(actor=lead, request=request)
        assert ScheduleEntry.objects.get(associate=associate, on=MONDAY).kind == "shift"

    def test_approving_more_paid_leave_than_is_left_is_refused(
        self, cast, lead, associate, staffed, on_new_year
    ):
        from tests.factories import LeaveAllowanceFactory

        LeaveAllowanceFactory(associate=associate, year=2030, paid_days=1)
        request = ask(associate, MONDAY, TUESDAY)
        with pytest.raises(
            ScheduleConflict, match="has 1 day of paid leave left in 2030; this asks for 2 days"
        ):
            time_off.approve_time_off(actor=lead, request=request)
        request.refresh_from_db()
        assert request.status == "pending"


class TestQueue:
    """Issue 13, point 13: the lead sees who else is off and the cover left."""

    def test_queue_shows_who_else_is_off_and_the_cover_if_approved(
        self, cast, team, lead, associate, teammate, staffed
    ):
        third = staffed
        fourth = AssociateFactory(team=team, user__first_name="Fay", user__last_name="Fourth")
        schedule.apply_changes(
            actor=lead,
            team=team,
            changes=[Change(associate=fourth, on=TUESDAY, kind="comp_day")],
        )
        time_off.approve_time_off(actor=lead, request=ask(teammate, MONDAY, MONDAY))
        TimeOffRequestFactory(
            associate=third, first_day=TUESDAY, last_day=TUESDAY, first_day_part="afternoon"
        )
        ask(associate, MONDAY, TUESDAY)
        response = client_for(lead).get(
            reverse("scheduling:timeoff-queue", kwargs={"team_id": team.pk})
        )
        mine = next(i for i in response.context["pending"] if i.request.associate == associate)
        monday, tuesday = mine.days
        assert [(o.name, o.status, o.part) for o in monday.others] == [
            ("Tim Teammate", "approved", "")
        ]
        assert [(o.name, o.status, o.part) for o in tuesday.others] == [
            ("Fay Fourth", "comp day", ""),
            (third.name, "pending", "afternoon"),
        ]
        # Monday: Tim is already off, so Ada's leave takes the two left to one.
        assert (monday.cover.scheduled, monday.cover.required) == (1, 2)
        assert monday.breaks_minimum
        # Tuesday: Thea's half day keeps her on shift.
        assert (tuesday.cover.scheduled, tuesday.with_pending) == (2, None)
        assert mine.working_days == 2.0
        assert mine.left_if_approved == 18.0
        page = response.content.decode()
        assert '2 → <strong class="thin">1</strong> of 2 required' in page
        assert "Also off: Tim Teammate" in page
        assert "pending, afternoon" in page
        assert "comp day" in page
        theirs = next(i for i in response.context["pending"] if i.request.associate == third)
        assert theirs.days[0].part == "afternoon"
        assert "stays on shift for the other half" in page


def test_a_second_request_for_the_same_days_is_refused_by_the_service_too(cast, associate):
    """A double submit (or two tabs) passes the form twice; the service checks again
    under a lock on the person, and approval refuses leave already approved."""
    from django.core.exceptions import ValidationError

    kwargs = {
        "actor": associate.user,
        "associate": associate,
        "first_day": MONDAY,
        "last_day": MONDAY + dt.timedelta(days=1),
        "type": "annual",
        "note": "",
    }
    time_off.request_time_off(**kwargs)
    with pytest.raises(ValidationError, match="already have a request"):
        time_off.request_time_off(**kwargs)
    assert TimeOffRequest.objects.count() == 1


def test_approving_leave_that_overlaps_approved_leave_is_refused(cast, team, lead, associate):
    first = TimeOffRequestFactory(
        associate=associate, first_day=MONDAY, last_day=MONDAY, status="approved"
    )
    second = TimeOffRequestFactory(
        associate=associate, first_day=MONDAY, last_day=MONDAY + dt.timedelta(days=1)
    )
    with pytest.raises(ScheduleConflict, match="already has approved leave"):
        time_off.approve_time_off(actor=lead, request=second)
    second.refresh_from_db()
    assert second.status == "pending"
    assert first.status == "approved"


def test_approved_leave_on_a_weekend_duty_cancels_the_duty_and_its_comp_day(
    cast, team, lead, associate, weekend
):
    """The day is not worked, so it earns no comp day (it was both charged as leave and
    earning a comp day)."""
    from scheduling.models import CompDay, WeekendDuty
    from tests.factories import CompDayFactory, WeekendDutyFactory

    saturday = MONDAY + dt.timedelta(days=5)
    duty = WeekendDutyFactory(associate=associate, on=saturday)
    CompDayFactory(duty=duty, associate=associate, on=None, status="owed")
    ScheduleEntry.objects.create(
        associate=associate,
        on=saturday,
        kind="shift",
        template=weekend,
        starts_at=weekend.starts_at,
        ends_at=weekend.ends_at,
    )
    leave = TimeOffRequestFactory(associate=associate, first_day=saturday, last_day=saturday)

    time_off.approve_time_off(actor=lead, request=leave)

    assert ScheduleEntry.objects.get(associate=associate, on=saturday).kind == "time_off"
    assert not WeekendDuty.objects.filter(pk=duty.pk).exists()
    assert not CompDay.objects.filter(duty_id=duty.pk).exists()
