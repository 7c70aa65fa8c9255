"""The comp-day ledger: balances, settling, reminders, moving a comp day and asking to."""

import datetime as dt
import threading

import pytest
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from scheduling.models import (
    CompDay,
    CompDayRequest,
    EntryKind,
    ScheduleEntry,
    WeekendDuty,
)
from scheduling.selectors import comp_days as comp_days_selectors
from scheduling.services import comp_days, rota
from scheduling.services.schedule import ScheduleConflict
from teams.models import AuditEvent
from tests.conftest import client_for
from tests.factories import (
    CompDayFactory,
    CompDayRequestFactory,
    CoverageRequirementFactory,
    WeekendDutyFactory,
)
from tests.scheduling.conftest import LAST, MONDAY

pytestmark = pytest.mark.django_db


def test_the_ledger_balance_follows_the_ledger(cast, team, lead, associate, crew, time_machine):
    proposal = rota.generate_rota(actor=lead, team=team, first=MONDAY, last=LAST)
    rota.accept_rota(actor=lead, proposal=proposal)
    ids = [a.pk for a in crew]
    for day in (MONDAY + dt.timedelta(days=n) for n in range(0, 70, 3)):
        comp_days.settle_comp_days(day)
        if day == MONDAY + dt.timedelta(days=12):
            # The lead unschedules one comp day; it is owed until it expires.
            comp = CompDay.objects.filter(status=CompDay.Status.SCHEDULED).order_by("on").last()
            comp.status, comp.on = CompDay.Status.OWED, None
            comp.save()
        for pid, balance in comp_days_selectors.balances(ids, day).items():
            earned = WeekendDuty.objects.filter(associate_id=pid).count()
            assert balance.open == earned - balance.taken - balance.expired
            assert balance.open >= 0
    totals = comp_days_selectors.balances(ids, MONDAY + dt.timedelta(days=70))
    assert sum(b.expired for b in totals.values()) == 1
    assert sum(b.taken for b in totals.values()) == 7


def test_settling_twice_changes_nothing_more(cast, team, lead, crew):
    proposal = rota.generate_rota(actor=lead, team=team, first=MONDAY, last=LAST)
    rota.accept_rota(actor=lead, proposal=proposal)
    later = LAST + dt.timedelta(days=20)
    assert comp_days.settle_comp_days(later) == (8, 0)
    assert comp_days.settle_comp_days(later) == (0, 0)


def test_expiring_comp_day_reminders_are_sent_once(cast, team, lead, associate, crew, time_machine):
    from scheduling.tasks import remind_expiring_comp_days

    duty = WeekendDutyFactory(associate=associate, on=MONDAY + dt.timedelta(days=5))
    comp = CompDayFactory(
        duty=duty,
        associate=associate,
        status=CompDay.Status.OWED,
        expires_on=MONDAY + dt.timedelta(days=12),
    )
    time_machine.move_to(dt.datetime(2030, 1, 14, 9, tzinfo=dt.UTC))
    assert remind_expiring_comp_days() == 1
    assert remind_expiring_comp_days() == 0
    assert sorted(mail.outbox[0].to) == ["associate@example.com", "lead@example.com"]
    (claim,) = AuditEvent.objects.filter(action="reminder.claimed")
    assert (claim.actor_label, claim.target_type, claim.target_id) == (
        "system",
        "scheduling.compday",
        comp.pk,
    )
    assert (claim.team, claim.details["kind"]) == (team, "comp_day_expiring")


class TestMovingCompDays:
    @pytest.fixture
    def accepted(self, team, lead, crew):
        rota.accept_rota(
            actor=lead,
            proposal=rota.generate_rota(actor=lead, team=team, first=MONDAY, last=LAST),
        )
        return CompDay.objects.filter(status=CompDay.Status.SCHEDULED).order_by("on").first()

    def free_weekday(self, comp):
        """A later weekday in the window on which the person works a shift or has nothing."""
        for n in range(1, 10):
            day = comp.on + dt.timedelta(days=n)
            if (
                day.weekday() < 5
                and not ScheduleEntry.objects.filter(
                    associate=comp.associate, on=day, kind__in=["comp_day", "time_off"]
                ).exists()
            ):
                return day
        raise AssertionError("no free weekday")

    def test_associate_asks_and_the_lead_approves(self, cast, team, lead, accepted):
        comp, owner = accepted, accepted.associate
        was = comp.on
        wanted = self.free_weekday(comp)
        client_for(owner.user).post(
            reverse("scheduling:my-comp-day-request", kwargs={"comp_day_id": comp.pk}),
            {"on": wanted.isoformat()},
        )
        ask = comp.requests.get()
        client_for(lead).post(
            reverse(
                "scheduling:comp-day-request-decide",
                kwargs={"request_id": ask.pk, "decision": "approve"},
            )
        )
        comp.refresh_from_db()
        ask.refresh_from_db()
        assert (ask.status, comp.on) == ("approved", wanted)
        assert ScheduleEntry.objects.get(associate=owner, on=wanted).kind == EntryKind.COMP_DAY
        assert not ScheduleEntry.objects.filter(associate=owner, on=was, kind="comp_day").exists()
        assert CompDay.history.filter(id=comp.pk).count() == 2  # audited move

    def test_a_move_that_breaks_weekday_cover_is_refused(self, cast, team, lead, accepted):

        comp = accepted
        was = comp.on
        wanted = self.free_weekday(comp)
        ScheduleEntry.objects.update_or_create(
            associate=comp.associate,
            on=wanted,
            defaults={"kind": EntryKind.SHIFT, "starts_at": dt.time(9), "ends_at": dt.time(17)},
        )
        working = ScheduleEntry.objects.filter(on=wanted, kind=EntryKind.SHIFT).count()
        CoverageRequirementFactory(team=team, day_kind="weekday", min_headcount=working)
        with pytest.raises(ScheduleConflict, match="would drop to"):
            comp_days.move_comp_day(actor=lead, comp_day=comp, to=wanted)
        comp.refresh_from_db()
        assert comp.on == was

    @pytest.mark.parametrize("offset", [-30, 5 + 7 * 8])
    def test_a_move_into_the_past_or_past_expiry_is_refused(self, cast, lead, accepted, offset):
        with pytest.raises(ScheduleConflict):
            comp_days.move_comp_day(
                actor=lead, comp_day=accepted, to=accepted.on + dt.timedelta(days=offset)
            )

    def test_a_comp_day_already_past_cannot_be_moved(self, cast, lead, accepted, time_machine):
        """A comp day dated yesterday is being taken (the nightly job marks it), so
        moving it would write a shift into the past and earn a second day off."""
        time_machine.move_to(
            dt.datetime.combine(accepted.on + dt.timedelta(days=1), dt.time(12), tzinfo=dt.UTC)
        )
        wanted = self.free_weekday(accepted)
        with pytest.raises(ScheduleConflict, match="it is taken, not moved"):
            comp_days.move_comp_day(actor=lead, comp_day=accepted, to=wanted)
        accepted.refresh_from_db()
        assert accepted.on is not None
        assert accepted.on < wanted

    def test_a_comp_day_cannot_go_on_a_half_day_of_leave(self, cast, lead, accepted):
        """A half day keeps its shift cell (with a note), so the cell check missed it."""
        from scheduling.models import TimeOffRequest
        from tests.factories import TimeOffRequestFactory

        wanted = self.free_weekday(accepted)
        TimeOffRequestFactory(
            associate=accepted.associate,
            first_day=wanted,
            last_day=wanted,
            last_day_part="morning",
            status=TimeOffRequest.Status.APPROVED,
        )
        with pytest.raises(ScheduleConflict, match="already has leave"):
            comp_days.move_comp_day(actor=lead, comp_day=accepted, to=wanted)

    def test_only_the_owner_asks_and_only_the_lead_decides(self, cast, team, lead, accepted):
        other = next(
            a
            for a in cast.values()
            if a is not None
            and a != accepted.associate.user
            and hasattr(a, "associate")
            and a.associate.team_id == team.pk
        )
        url = reverse("scheduling:my-comp-day-request", kwargs={"comp_day_id": accepted.pk})
        assert client_for(other).post(url, {"on": "2030-01-22"}).status_code in (403, 404)
        schedule = reverse("scheduling:comp-day-schedule", kwargs={"comp_day_id": accepted.pk})
        assert (
            client_for(accepted.associate.user).post(schedule, {"on": "2030-01-22"}).status_code
            == 403
        )


def test_a_comp_day_request_after_expiry_is_refused_and_one_request_stays_open(
    cast, associate, time_machine
):
    time_machine.move_to(dt.datetime(2030, 1, 1, 12, tzinfo=dt.UTC))
    duty = WeekendDutyFactory(associate=associate, on=MONDAY + dt.timedelta(days=5))
    comp = CompDayFactory(
        duty=duty,
        associate=associate,
        on=MONDAY + dt.timedelta(days=9),
        expires_on=MONDAY + dt.timedelta(days=35),
    )
    url = reverse("scheduling:my-comp-day-request", kwargs={"comp_day_id": comp.pk})
    me = client_for(associate.user)
    response = me.post(url, {"on": "2030-06-03"}, follow=True)
    assert "expires on" in response.content.decode()
    assert not CompDayRequest.objects.exists()
    me.post(url, {"on": "2030-01-21"})
    me.post(url, {"on": "2030-01-22"})
    assert list(CompDayRequest.objects.values_list("wanted_on", flat=True)) == [
        dt.date(2030, 1, 22)
    ]


class TestDailyJobsUseEachSitesDay:
    """At 12:00 UTC on Monday 14 January it is already Tuesday 01:00 in Auckland."""

    NOON_UTC = dt.datetime(2030, 1, 14, 12, tzinfo=dt.UTC)
    MONDAY_14 = MONDAY + dt.timedelta(days=7)

    @pytest.fixture
    def auckland(self, team):
        team.site.time_zone = "Pacific/Auckland"
        team.site.save()
        return team.site

    def test_settling_takes_a_comp_day_that_is_past_in_the_sites_day(
        self, cast, associate, auckland, time_machine
    ):
        from scheduling.tasks import settle_comp_days

        comp = CompDayFactory(duty__associate=associate, on=self.MONDAY_14)
        time_machine.move_to(self.NOON_UTC)
        assert dt.date.today() == self.MONDAY_14  # the server's day: not past yet
        assert settle_comp_days() == (1, 0)
        comp.refresh_from_db()
        assert comp.status == CompDay.Status.TAKEN

    def test_a_site_where_it_is_still_monday_keeps_its_comp_day(
        self, cast, associate, time_machine
    ):
        from scheduling.tasks import settle_comp_days

        comp = CompDayFactory(duty__associate=associate, on=self.MONDAY_14)
        time_machine.move_to(self.NOON_UTC)
        assert settle_comp_days() == (0, 0)  # Dublin: 12:00 on Monday
        comp.refresh_from_db()
        assert comp.status == CompDay.Status.SCHEDULED

    def test_expiry_uses_the_sites_day(self, cast, associate, auckland, time_machine):
        from scheduling.tasks import settle_comp_days

        comp = CompDayFactory(duty__associate=associate, expires_on=self.MONDAY_14)
        time_machine.move_to(self.NOON_UTC)
        assert settle_comp_days() == (0, 1)
        comp.refresh_from_db()
        assert comp.status == CompDay.Status.EXPIRED

    def test_a_reminder_window_starts_on_the_sites_day(
        self, cast, associate, auckland, time_machine
    ):
        from scheduling.tasks import remind_expiring_comp_days

        # Expired yesterday by Auckland's day, today by the server's: no reminder.
        CompDayFactory(duty__associate=associate, expires_on=self.MONDAY_14)
        time_machine.move_to(self.NOON_UTC)
        assert remind_expiring_comp_days() == 0
        assert mail.outbox == []


class TestOneOpenRequestPerCompDay:
    @pytest.fixture
    def comp(self, associate):
        return CompDayFactory(duty__associate=associate, on=MONDAY + dt.timedelta(days=7))

    def test_a_new_ask_replaces_the_pending_one(self, cast, associate, comp):
        first = comp_days.request_comp_day(
            actor=associate.user, comp_day=comp, wanted_on=MONDAY + dt.timedelta(days=8)
        )
        second = comp_days.request_comp_day(
            actor=associate.user, comp_day=comp, wanted_on=MONDAY + dt.timedelta(days=9)
        )
        assert list(CompDayRequest.objects.values_list("pk", flat=True)) == [second.pk]
        assert first.pk != second.pk

    def test_the_database_refuses_a_second_pending_request(self, cast, comp):
        CompDayRequestFactory(comp_day=comp)
        with pytest.raises(IntegrityError), transaction.atomic():
            CompDayRequestFactory(comp_day=comp)

    def test_decided_requests_do_not_count(self, cast, comp):
        CompDayRequestFactory(comp_day=comp, status=CompDayRequest.Status.DENIED)
        CompDayRequestFactory(comp_day=comp, status=CompDayRequest.Status.APPROVED)
        CompDayRequestFactory(comp_day=comp)
        assert CompDayRequest.objects.count() == 3

    @pytest.mark.parametrize("offset", [-7, 0, 5, 60])
    def test_a_day_not_after_today_or_weekend_or_past_expiry_is_refused(
        self, cast, associate, comp, offset, time_machine
    ):
        time_machine.move_to(dt.datetime(2030, 1, 14, 9, tzinfo=dt.UTC))  # comp.on is today
        with pytest.raises(comp_days.CompDayRequestRefused):
            comp_days.request_comp_day(
                actor=associate.user, comp_day=comp, wanted_on=comp.on + dt.timedelta(days=offset)
            )
        assert not CompDayRequest.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_requests_for_one_comp_day_leave_one_open(associate):
    if connection.vendor != "postgresql":
        pytest.fail("This test needs PostgreSQL's row locks: run it with DATABASE_URL set.")
    comp = CompDayFactory(duty__associate=associate, on=MONDAY + dt.timedelta(days=7))
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def ask(wanted_on):
        try:
            barrier.wait(timeout=10)
            comp_days.request_comp_day(actor=associate.user, comp_day=comp, wanted_on=wanted_on)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    days = [MONDAY + dt.timedelta(days=8), MONDAY + dt.timedelta(days=9)]
    threads = [threading.Thread(target=ask, args=(day,)) for day in days]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    pending = CompDayRequest.objects.filter(comp_day=comp, status=CompDayRequest.Status.PENDING)
    assert pending.count() == 1
    assert pending.get().wanted_on in days


def test_moving_a_comp_day_in_a_published_week_updates_every_view_at_once(
    cast, team, lead, associate, crew, early, django_capture_on_commit_callbacks
):
    """Issue 13, point 7: the old day gets the shift of the new day, the change is
    published at once, and My rota, My schedule and the feed agree."""
    from scheduling.models import PublishedEntry
    from scheduling.services import schedule
    from scheduling.services.schedule import Change

    rota.accept_rota(
        actor=lead, proposal=rota.generate_rota(actor=lead, team=team, first=MONDAY, last=LAST)
    )
    comp = CompDay.objects.filter(status=CompDay.Status.SCHEDULED).order_by("on").first()
    assert comp is not None
    assert comp.on is not None
    was: dt.date = comp.on
    person, monday = comp.associate, was - dt.timedelta(days=was.weekday())
    to = next(
        monday + dt.timedelta(days=n)
        for n in range(5)
        if monday + dt.timedelta(days=n) != was
        and not ScheduleEntry.objects.filter(associate=person, on=monday + dt.timedelta(days=n))
        .exclude(kind=EntryKind.SHIFT)
        .exists()
    )
    schedule.apply_changes(
        actor=lead, team=team, changes=[Change.shift(person, to, early)]
    )  # the new day is a working day
    schedule.publish_week(actor=lead, team=team, monday=monday)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(lead).post(
            reverse("scheduling:comp-day-schedule", kwargs={"comp_day_id": comp.pk}),
            {"on": to.isoformat()},
            follow=True,
        )
    assert "the change is published now" in response.content.decode()
    assert ScheduleEntry.objects.get(associate=person, on=was).template == early  # not empty
    published = {e.on: e for e in PublishedEntry.objects.filter(associate=person)}
    assert published[to].kind == EntryKind.COMP_DAY
    assert published[was].kind == EntryKind.SHIFT
    assert [m.to for m in mail.outbox] == [[person.user.email]]

    me = client_for(person.user)
    my_rota = me.get(reverse("scheduling:my-rota")).content.decode()
    assert f"{to:%a} {to.day} {to:%b}" in my_rota or to.strftime("%-d %b") in my_rota
    my_schedule = me.get(
        reverse("scheduling:my-schedule") + f"?week={monday.isoformat()}"
    ).content.decode()
    assert "Comp day" in my_schedule
    from scheduling.models import CalendarFeed

    me.post(reverse("scheduling:calendar-rotate"))
    feed = me.get(
        reverse("scheduling:calendar-feed", kwargs={"token": CalendarFeed.objects.get().token})
    ).content.decode()
    comp_block = next(b for b in feed.split("BEGIN:VEVENT") if "Comp day" in b)
    assert to.strftime("%Y%m%d") in comp_block
    assert was.strftime("%Y%m%d") not in comp_block
