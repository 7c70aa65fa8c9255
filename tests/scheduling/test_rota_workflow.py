"""The rota in the app: generate, review, accept into the ledger and the plan."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from scheduling import rota_services, services
from scheduling.models import (
    CompDay,
    EntryKind,
    PublicHoliday,
    RotaProposal,
    RotaSettings,
    RotaWish,
    ScheduleEntry,
    TimeOffRequest,
    WeekendDuty,
)
from scheduling.services import ScheduleConflict
from tests.conftest import client_for
from tests.factories import AssociateFactory
from tests.scheduling.conftest import MONDAY

pytestmark = pytest.mark.django_db
LAST = MONDAY + dt.timedelta(days=27)


@pytest.fixture
def crew(team, associate, teammate, weekend, time_machine):
    time_machine.move_to(dt.datetime(2030, 1, 1, 12, tzinfo=dt.UTC))
    extra = [AssociateFactory(team=team, hired_on=dt.date(2024, 1, 1)) for _ in range(4)]
    RotaSettings.objects.create(team=team, saturday_headcount=1, sunday_headcount=1)
    return [associate, teammate, *extra]


def generate(client, team, first=MONDAY, weeks=4):
    return client.post(
        reverse("scheduling:rota-generate", kwargs={"team_id": team.pk}),
        {"first_day": first.isoformat(), "weeks": weeks},
    )


def test_lead_generates_reviews_and_accepts_a_rota(cast, team, lead, crew):
    client = client_for(lead)
    generate(client, team)
    proposal = RotaProposal.objects.get()
    assert not proposal.conflicts
    assert len(proposal.duties) == 8  # 4 weekends x 2 days x 1 seat
    assert all(d["reason"] and d["comp_reason"] for d in proposal.duties)
    page = client.get(reverse("scheduling:rota", kwargs={"team_id": team.pk})).content.decode()
    assert "Why each person, and their weekday off" in page
    assert "Fairness: weekend days over the last 12 months" in page
    assert WeekendDuty.objects.count() == 0  # nothing changes before accepting

    response = client.post(
        reverse("scheduling:rota-accept", kwargs={"team_id": team.pk, "proposal_id": proposal.pk}),
        {"all": "1"},
    )
    assert response.status_code == 302
    assert WeekendDuty.objects.count() == 8
    assert CompDay.objects.filter(status=CompDay.Status.SCHEDULED).count() == 8
    for duty in WeekendDuty.objects.select_related("comp_day"):
        shift = ScheduleEntry.objects.get(associate=duty.associate, on=duty.on)
        assert shift.kind == EntryKind.SHIFT
        assert shift.template.name == "Weekend"
        comp = ScheduleEntry.objects.get(associate=duty.associate, on=duty.comp_day.on)
        assert comp.kind == EntryKind.COMP_DAY
        assert duty.comp_day.expires_on == duty.on + dt.timedelta(days=30)
    assert WeekendDuty.history.count() == 8  # audited


def test_accepting_some_duties_only(cast, team, lead, crew):
    proposal = rota_services.generate_rota(actor=lead, team=team, first=MONDAY, last=LAST)
    first = proposal.duties[0]
    rota_services.accept_rota(
        actor=lead,
        proposal=proposal,
        keys={(first["associate_id"], dt.date.fromisoformat(first["on"]))},
    )
    assert list(WeekendDuty.objects.values_list("associate_id", "on")) == [
        (first["associate_id"], dt.date.fromisoformat(first["on"]))
    ]


def test_an_infeasible_rota_reports_the_conflict_and_writes_nothing(cast, team, lead, crew):
    RotaSettings.objects.filter(team=team).update(saturday_headcount=9)
    response = generate(client_for(lead), team)
    proposal = RotaProposal.objects.get()
    assert proposal.conflicts
    assert "9 weekend seats but only 6 people can work" in proposal.conflicts[0]
    follow = client_for(lead).get(response["Location"]).content.decode()
    assert "No rota meets every need" in follow
    with pytest.raises(ScheduleConflict):
        rota_services.accept_rota(actor=lead, proposal=proposal)
    assert not WeekendDuty.objects.exists()
    assert not ScheduleEntry.objects.exists()


def test_accept_is_all_or_nothing_when_the_plan_changed_since(cast, team, lead, crew):
    proposal = rota_services.generate_rota(actor=lead, team=team, first=MONDAY, last=LAST)
    duty = proposal.duties[0]
    comp_on = dt.date.fromisoformat(duty["comp_on"])
    # Someone's time off lands on a proposed comp day after the proposal was made.
    request = TimeOffRequest.objects.create(
        associate_id=duty["associate_id"], first_day=comp_on, last_day=comp_on
    )
    services.approve_time_off(actor=lead, request=request)
    with pytest.raises(ScheduleConflict):
        rota_services.accept_rota(actor=lead, proposal=proposal)
    assert not WeekendDuty.objects.exists()
    assert not ScheduleEntry.objects.exclude(kind=EntryKind.TIME_OFF).exists()


def test_leave_a_leaver_and_a_holiday_are_respected(cast, team, lead, crew):
    leaver, on_leave = crew[2], crew[3]
    leaver.left_on = MONDAY + dt.timedelta(days=10)
    leaver.save()
    TimeOffRequest.objects.create(
        associate=on_leave, first_day=MONDAY, last_day=LAST, status=TimeOffRequest.Status.APPROVED
    )
    holiday = MONDAY + dt.timedelta(days=9)  # a Wednesday
    PublicHoliday.objects.create(site=team.site, on=holiday, name="A holiday")
    proposal = rota_services.generate_rota(actor=lead, team=team, first=MONDAY, last=LAST)
    assert not proposal.conflicts
    for duty in proposal.duties:
        day = dt.date.fromisoformat(duty["on"])
        assert duty["associate_id"] != on_leave.pk
        assert not (duty["associate_id"] == leaver.pk and day >= leaver.left_on)
        assert duty["comp_on"] != holiday.isoformat()


def test_wishes_and_preferred_weekday_shape_the_proposal(cast, team, lead, associate, crew):
    saturday = MONDAY + dt.timedelta(days=5)
    client = client_for(associate.user)
    client.post(
        reverse("scheduling:my-rota-wish"), {"on": saturday.isoformat(), "kind": "volunteer"}
    )
    client.post(reverse("scheduling:my-rota-preference"), {"preferred_comp_weekday": "4"})
    assert RotaWish.objects.get().kind == "volunteer"
    proposal = rota_services.generate_rota(actor=lead, team=team, first=MONDAY, last=LAST)
    mine = [d for d in proposal.duties if d["associate_id"] == associate.pk]
    assert any(
        d["on"] == saturday.isoformat() and d["reason"] == "volunteered for this day" for d in mine
    )
    assert all(dt.date.fromisoformat(d["comp_on"]).weekday() == 4 for d in mine)


def test_a_wish_on_a_weekday_is_refused(cast, associate, crew):
    response = client_for(associate.user).post(
        reverse("scheduling:my-rota-wish"),
        {"on": MONDAY.isoformat(), "kind": "volunteer"},
        follow=True,
    )
    assert "Choose a Saturday or a Sunday." in response.content.decode()
    assert not RotaWish.objects.exists()


def test_the_ledger_balance_follows_the_ledger(cast, team, lead, associate, crew, time_machine):
    proposal = rota_services.generate_rota(actor=lead, team=team, first=MONDAY, last=LAST)
    rota_services.accept_rota(actor=lead, proposal=proposal)
    ids = [a.pk for a in crew]
    for day in (MONDAY + dt.timedelta(days=n) for n in range(0, 70, 3)):
        rota_services.settle_comp_days(day)
        if day == MONDAY + dt.timedelta(days=12):
            # The lead unschedules one comp day; it is owed until it expires.
            comp = CompDay.objects.filter(status=CompDay.Status.SCHEDULED).order_by("on").last()
            comp.status, comp.on = CompDay.Status.OWED, None
            comp.save()
        for pid, balance in rota_services.balances(ids, day).items():
            earned = WeekendDuty.objects.filter(associate_id=pid).count()
            assert balance.open == earned - balance.taken - balance.expired
            assert balance.open >= 0
    totals = rota_services.balances(ids, MONDAY + dt.timedelta(days=70))
    assert sum(b.expired for b in totals.values()) == 1
    assert sum(b.taken for b in totals.values()) == 7


def test_settling_twice_changes_nothing_more(cast, team, lead, crew):
    proposal = rota_services.generate_rota(actor=lead, team=team, first=MONDAY, last=LAST)
    rota_services.accept_rota(actor=lead, proposal=proposal)
    later = LAST + dt.timedelta(days=20)
    assert rota_services.settle_comp_days(later) == (8, 0)
    assert rota_services.settle_comp_days(later) == (0, 0)


def test_associates_see_their_own_published_duties_with_reasons_and_nothing_else(
    cast, team, lead, associate, crew
):
    rota_services.accept_rota(
        actor=lead,
        proposal=rota_services.generate_rota(actor=lead, team=team, first=MONDAY, last=LAST),
    )
    me = client_for(associate.user)
    mine = list(WeekendDuty.objects.filter(associate=associate))
    assert mine
    # Drafts stay with the lead: nothing shows before the weeks are published.
    assert me.get(reverse("scheduling:my-rota")).context["duties"] == []
    ledger = me.get(reverse("scheduling:ledger", kwargs={"associate_id": associate.pk}))
    assert list(ledger.context["duties"]) == []
    assert ledger.context["balance"].open == 0
    assert client_for(lead).get(
        reverse("scheduling:ledger", kwargs={"associate_id": associate.pk})
    ).context["balance"].open == len(mine)

    for week in range(4):
        services.publish_week(actor=lead, team=team, monday=MONDAY + dt.timedelta(days=7 * week))
    page = me.get(reverse("scheduling:my-rota"))
    html = page.content.decode()
    assert page.context["team_size"] == 6
    assert "in the rotation" in html
    assert {d.pk for d in page.context["duties"]} == {d.pk for d in mine}
    for duty in mine:
        assert duty.reason in html
    others = set(
        WeekendDuty.objects.exclude(associate=associate).values_list(
            "associate__user__first_name", flat=True
        )
    )
    for name in others - {associate.user.first_name}:
        assert name not in html


def test_the_home_page_shows_the_published_week(cast, team, lead, associate, early, time_machine):
    from scheduling.services import Change

    time_machine.move_to(dt.datetime(2030, 1, 8, 9, tzinfo=dt.UTC))
    services.apply_changes(actor=lead, team=team, changes=[Change.shift(associate, MONDAY, early)])
    home = client_for(associate.user)
    week = home.get(reverse("teams:home")).context["my_week"]
    assert week[0]["label"] is None  # a draft is not shown
    services.publish_week(actor=lead, team=team, monday=MONDAY)
    week = home.get(reverse("teams:home")).context["my_week"]
    assert week[0]["label"] == "Early 07:00–15:30"
    assert "Early 07:00–15:30" in home.get(reverse("teams:home")).content.decode()


def test_payroll_csv_counts_weekend_days_worked_per_month(cast, team, lead, crew, time_machine):
    rota_services.accept_rota(
        actor=lead,
        proposal=rota_services.generate_rota(actor=lead, team=team, first=MONDAY, last=LAST),
    )
    time_machine.move_to(dt.datetime(2030, 3, 1, 12, tzinfo=dt.UTC))
    response = client_for(lead).get(reverse("scheduling:rota-payroll", kwargs={"team_id": team.pk}))
    lines = response.content.decode().strip().splitlines()
    assert lines[0] == "month,associate_id,associate,weekend_days_worked"
    assert sum(int(line.rsplit(",", 1)[1]) for line in lines[1:]) == 8
    assert all(line.startswith(("2030-01", "2030-02")) for line in lines[1:])


def test_the_weekly_job_drafts_once_and_tells_the_lead(
    cast, team, lead, crew, django_capture_on_commit_callbacks
):
    today = MONDAY - dt.timedelta(days=7)
    with django_capture_on_commit_callbacks(execute=True):
        made = rota_services.draft_rotas(today)
    assert len(made) == 1
    assert mail.outbox[-1].to == ["lead@example.com"]
    assert "weekend rota" in mail.outbox[-1].body.lower()
    assert rota_services.draft_rotas(today) == []  # a proposal is already waiting


def test_expiring_comp_day_reminders_are_sent_once(cast, team, lead, associate, crew, time_machine):
    from scheduling.tasks import remind_expiring_comp_days

    duty = WeekendDuty.objects.create(associate=associate, on=MONDAY + dt.timedelta(days=5))
    CompDay.objects.create(
        duty=duty,
        associate=associate,
        status=CompDay.Status.OWED,
        expires_on=MONDAY + dt.timedelta(days=12),
    )
    time_machine.move_to(dt.datetime(2030, 1, 14, 9, tzinfo=dt.UTC))
    assert remind_expiring_comp_days() == 1
    assert remind_expiring_comp_days() == 0
    assert sorted(mail.outbox[0].to) == ["associate@example.com", "lead@example.com"]


class TestMovingCompDays:
    @pytest.fixture
    def accepted(self, team, lead, crew):
        rota_services.accept_rota(
            actor=lead,
            proposal=rota_services.generate_rota(actor=lead, team=team, first=MONDAY, last=LAST),
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
        from scheduling.models import CoverageRequirement

        comp = accepted
        was = comp.on
        wanted = self.free_weekday(comp)
        ScheduleEntry.objects.update_or_create(
            associate=comp.associate,
            on=wanted,
            defaults={"kind": EntryKind.SHIFT, "starts_at": dt.time(9), "ends_at": dt.time(17)},
        )
        working = ScheduleEntry.objects.filter(on=wanted, kind=EntryKind.SHIFT).count()
        CoverageRequirement.objects.create(team=team, day_kind="weekday", min_headcount=working)
        with pytest.raises(ScheduleConflict, match="would drop to"):
            rota_services.move_comp_day(actor=lead, comp_day=comp, to=wanted)
        comp.refresh_from_db()
        assert comp.on == was

    @pytest.mark.parametrize("offset", [-30, 5 + 7 * 8])
    def test_a_move_into_the_past_or_past_expiry_is_refused(self, cast, lead, accepted, offset):
        with pytest.raises(ScheduleConflict):
            rota_services.move_comp_day(
                actor=lead, comp_day=accepted, to=accepted.on + dt.timedelta(days=offset)
            )

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


def test_a_site_pool_staffs_weekends_from_several_teams_keeping_each_teams_cover(
    cast, team, other_team, lead, crew
):
    from scheduling.models import CoverageRequirement

    others = [AssociateFactory(team=other_team, hired_on=dt.date(2024, 1, 1)) for _ in range(4)]
    settings = RotaSettings.objects.get(team=team)
    settings.saturday_headcount = settings.sunday_headcount = 2
    settings.save()
    settings.pooled_teams.add(other_team)
    # The other team (5 people with the cast's) may not lose anyone on weekdays, so
    # its people cannot take a comp day and the pool staffs weekends with this team.
    CoverageRequirement.objects.create(team=other_team, day_kind="weekday", min_headcount=5)
    proposal = rota_services.generate_rota(actor=lead, team=team, first=MONDAY, last=LAST)
    assert not proposal.conflicts
    assert {d["associate_id"] for d in proposal.duties} <= {a.pk for a in crew}

    # With room in the other team's cover, both teams share the weekends.
    CoverageRequirement.objects.filter(team=other_team).update(min_headcount=1)
    proposal = rota_services.generate_rota(actor=lead, team=team, first=MONDAY, last=LAST)
    staffed = {d["associate_id"] for d in proposal.duties}
    assert staffed & {a.pk for a in others}
    assert staffed & {a.pk for a in crew}
    rota_services.accept_rota(actor=lead, proposal=proposal)
    assert WeekendDuty.objects.filter(associate__team=other_team).exists()
    assert ScheduleEntry.objects.filter(
        associate__team=other_team, kind=EntryKind.COMP_DAY
    ).exists()
    # The pooled team is drafted with its pool, never on its own.
    RotaSettings.objects.create(team=other_team)
    assert all(
        RotaProposal.objects.get(pk=pk).team == team
        for pk in rota_services.draft_rotas(MONDAY + dt.timedelta(days=21))
    )
