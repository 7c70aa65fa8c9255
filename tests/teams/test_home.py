"""The home page per persona: the manager's "what needs you" table (counts per team,
never the content of a 1:1) and the associate's "for you" cards."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from performance.models import DailyKpi, Kpi, Review
from scheduling.models import CompDay, ScheduleWeek, ShiftSwap, TimeOffRequest
from tests.conftest import client_for
from tests.factories import (
    AgendaItemFactory,
    AssociateFactory,
    CompDayFactory,
    CoverageRequirementFactory,
    LeaveAllowanceFactory,
    OneOnOneFactory,
    PrivateNoteFactory,
    PublishedEntryFactory,
    ReviewCycleFactory,
    ReviewFactory,
    ScheduleEntryFactory,
    ShiftSwapFactory,
    TeamFactory,
    TimeOffRequestFactory,
    UserFactory,
    WeekendDutyFactory,
)

TODAY = dt.date(2030, 1, 9)  # a Wednesday
SECRET = "PRIVATE-NOTE-MARKER"
SHARED = "SHARED-NOTE-MARKER"


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(dt.datetime(2030, 1, 9, 12, tzinfo=dt.UTC), tick=False)


def _csat_red(associate, team=None):
    kpi = Kpi.objects.get(key="csat")
    DailyKpi.objects.bulk_create(
        DailyKpi(
            kpi=kpi,
            day=TODAY - dt.timedelta(days=n),
            scope="associate",
            site_id=associate.team.site_id,
            team=associate.team,
            associate=associate,
            value=3.0,
            numerator=3.0,
            event_count=1,
            contributors=1,
        )
        for n in range(1, 4)
    )


def _needs_of(team, lead=None, manager=None):
    """Something in every column for one team."""
    member = AssociateFactory(team=team)
    _csat_red(member)
    CoverageRequirementFactory(team=team, day_kind="weekday", min_headcount=2)
    TimeOffRequestFactory(
        associate=member,
        first_day=TODAY + dt.timedelta(days=7),
        last_day=TODAY + dt.timedelta(days=8),
    )
    meeting = OneOnOneFactory(
        associate=member, lead=lead or UserFactory(), on=TODAY - dt.timedelta(days=3)
    )
    meeting.shared_notes = SHARED
    meeting.save()
    PrivateNoteFactory(one_on_one=meeting, text=SECRET)
    ReviewFactory(
        cycle=ReviewCycleFactory(teams=[team]),
        associate=member,
        state=Review.State.CALIBRATION,
        rating=3,
        rating_justification="Steady",
    )
    return member


def test_manager_sees_counts_per_team_with_links_and_never_1on1_content(
    cast, team, other_team, manager, lead
):
    _needs_of(team, lead)
    _needs_of(other_team)
    response = client_for(manager).get(reverse("teams:home"))
    html = response.content.decode()
    rows = response.context["needs_rows"]
    assert [row.team.name for row in rows] == ["Payments"]  # not the other manager's team
    cells = dict(rows[0].cells)
    assert cells["KPI alerts"].count == 1
    assert cells["KPI alerts"].url == reverse("performance:team-dashboard", args=[team.pk])
    assert cells["Coverage gaps, next 14 days"].count == 10  # ten weekdays, nobody planned
    assert cells["Approvals waiting"].count == 1
    assert cells["Approvals waiting"].url == reverse("scheduling:timeoff-queue", args=[team.pk])
    assert cells["Reviews to calibrate"].count == 1
    assert cells["Overdue 1:1s"].count == 1
    assert "What needs you" in html
    assert SECRET not in html
    assert SHARED not in html
    assert reverse("performance:one-on-one-overview") in html
    assert "Connect" not in html.split('id="needs-heading"')[1].split("</section>")[0]


def test_accepted_swaps_and_comp_day_requests_count_as_approvals(
    cast, team, manager, associate, teammate
):
    ahead = {"requester_day": dt.date(2030, 1, 14), "partner_day": dt.date(2030, 1, 15)}
    ShiftSwapFactory(
        requester=associate, partner=teammate, status=ShiftSwap.Status.ACCEPTED, **ahead
    )
    ShiftSwapFactory(
        requester=teammate, partner=associate, status=ShiftSwap.Status.PROPOSED, **ahead
    )
    # One whose days have passed can no longer happen: not counted.
    ShiftSwapFactory(requester=teammate, partner=associate, status=ShiftSwap.Status.ACCEPTED)
    cells = dict(client_for(manager).get(reverse("teams:home")).context["needs_rows"][0].cells)
    assert cells["Approvals waiting"].count == 1  # a proposed swap waits on the teammate
    assert cells["Approvals waiting"].detail == "1 swap"


def test_manager_with_nothing_waiting_reads_nothing_needs_you(cast, manager):
    html = client_for(manager).get(reverse("teams:home")).content.decode()
    assert "Nothing needs you" in html


def test_a_lead_or_associate_gets_no_needs_table(cast, lead, associate):
    for user in (lead, associate.user):
        response = client_for(user).get(reverse("teams:home"))
        assert "needs_rows" not in response.context
        assert "What needs you" not in response.content.decode()


def test_manager_home_queries_do_not_grow_with_teams(
    site, manager, lead, django_assert_max_num_queries
):
    def count_for(n):
        for _ in range(n):
            _needs_of(TeamFactory(site=site, manager=manager, leads=[lead]), lead)
        client = client_for(manager)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("teams:home")).status_code == 200
        return len(queries)

    small = count_for(3)
    large = count_for(7)  # ten teams in all
    assert small == large
    client = client_for(manager)
    # Session, user, roles, the plain team table, the teams; then scheduling's
    # columns (coverage 4 + approvals 3) and performance's (alerts 3, reviews 1,
    # 1:1s 1), and hiring's scorecards to submit (1) and requisitions to approve (1): the
    # same 19 for 3 teams and for 10.
    with django_assert_max_num_queries(19):
        assert len(client.get(reverse("teams:home")).context["needs_rows"]) == 10


# --- The associate ---------------------------------------------------------------------


def _published(team, monday):
    ScheduleWeek.objects.create(team=team, starts_on=monday, published_at=timezone.now())


def test_associate_sees_offers_review_next_1on1_balances_and_duty(
    cast, team, lead, associate, teammate
):
    ShiftSwapFactory(
        requester=teammate,
        partner=associate,
        requester_day=TODAY + dt.timedelta(days=2),
        partner_day=TODAY + dt.timedelta(days=6),
        status=ShiftSwap.Status.PROPOSED,
    )
    ShiftSwapFactory(requester=teammate, partner=AssociateFactory(team=team))  # not mine
    review = ReviewFactory(
        associate=associate,
        state=Review.State.SHARED,
        rating=3,
        rating_justification="Fine",
        first_shared_at=timezone.now(),
        shared_at=timezone.now(),
    )
    meeting = OneOnOneFactory(associate=associate, lead=lead, on=TODAY + dt.timedelta(days=5))
    AgendaItemFactory(one_on_one=meeting, text="Talk about the training budget")
    PrivateNoteFactory(one_on_one=meeting, text=SECRET)
    LeaveAllowanceFactory(associate=associate, year=2030, paid_days=22)
    TimeOffRequestFactory(
        associate=associate,
        first_day=dt.date(2030, 1, 2),
        last_day=dt.date(2030, 1, 3),
        status=TimeOffRequest.Status.APPROVED,
    )
    saturday = dt.date(2030, 1, 12)
    _published(team, dt.date(2030, 1, 7))
    duty = WeekendDutyFactory(associate=associate, on=saturday)
    CompDayFactory(duty=duty, associate=associate, on=dt.date(2030, 1, 16))
    old = WeekendDutyFactory(associate=associate, on=dt.date(2029, 12, 15))
    CompDayFactory(duty=old, associate=associate, on=None, status=CompDay.Status.OWED)
    # A draft duty the lead has not published must not show.
    WeekendDutyFactory(associate=associate, on=dt.date(2030, 1, 19))

    html = client_for(associate.user).get(reverse("teams:home")).content.decode()
    assert "For you" in html
    assert "Swap offers for you" in html
    assert reverse("scheduling:swap-respond", args=[associate.swaps_offered.first().pk]) in html
    assert reverse("performance:review-detail", args=[review.pk]) in html
    assert reverse("performance:one-on-one-detail", args=[meeting.pk]) in html
    assert "Talk about the training budget" in html
    assert SECRET not in html
    assert "20</span> paid leave days left to ask for in 2030" in html
    assert "2</span> comp days open" in html
    assert "Saturday 12 Jan" in html
    assert "comp day Wed 16 Jan" in html
    assert "Saturday 19 Jan" not in html


def test_associate_sees_nothing_of_a_teammate(
    cast, team, lead, associate, teammate, other_associate
):
    ShiftSwapFactory(requester=associate, partner=teammate, status=ShiftSwap.Status.PROPOSED)
    ReviewFactory(
        associate=teammate,
        state=Review.State.SHARED,
        rating=3,
        rating_justification="Fine",
        first_shared_at=timezone.now(),
        shared_at=timezone.now(),
    )
    theirs = OneOnOneFactory(associate=teammate, lead=lead, on=TODAY + dt.timedelta(days=1))
    AgendaItemFactory(one_on_one=theirs, text="TEAMMATE-AGENDA")
    saturday = dt.date(2030, 1, 12)
    _published(team, dt.date(2030, 1, 7))
    WeekendDutyFactory(associate=teammate, on=saturday)
    html = client_for(associate.user).get(reverse("teams:home")).content.decode()
    assert "Swap offers for you" not in html  # their own offer waits on the teammate
    assert "A review to read" not in html
    assert "TEAMMATE-AGENDA" not in html
    assert "No 1:1 planned yet" in html
    assert "none planned" in html


def test_associate_home_queries_do_not_grow_with_history(
    cast, team, lead, associate, teammate, django_assert_max_num_queries
):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client_for(associate.user).get(reverse("teams:home")).status_code == 200
        return len(queries)

    def history(first, n):
        for k in range(first, first + n):
            ShiftSwapFactory(requester=AssociateFactory(team=team), partner=associate)
            saturday = dt.date(2029, 12, 1) - dt.timedelta(days=7 * k)
            duty = WeekendDutyFactory(associate=associate, on=saturday)
            CompDayFactory(duty=duty, associate=associate, on=None, status=CompDay.Status.OWED)

    meeting = OneOnOneFactory(associate=associate, lead=lead, on=TODAY + dt.timedelta(days=5))
    history(0, 2)
    AgendaItemFactory(one_on_one=meeting)
    small = count()
    history(2, 8)
    for _ in range(5):
        AgendaItemFactory(one_on_one=meeting)
    assert count() == small
    client = client_for(associate.user)
    # The roster's own reads (session, user, roles, me, skills, leads, week) and
    # 11 for the cards: swaps 1, ledger 2, leave 3, review 1, next 1:1 2; hiring's
    # onboarding card and scorecards to submit 1 each (issue 15); the team's
    # celebrations card 2 (their team, its people with shares and welcomes; issue 16).
    with django_assert_max_num_queries(24):
        assert client.get(reverse("teams:home")).status_code == 200


def test_the_demo_seeds_one_swap_offer_to_answer_and_only_one(cast, team, associate, teammate):
    from scheduling.management.commands.seed_schedule import Command

    monday = dt.date(2030, 1, 7)
    for person, start in ((associate, 9), (teammate, 11)):  # different shifts to swap
        for day in (TODAY, TODAY + dt.timedelta(days=1)):
            for factory in (ScheduleEntryFactory, PublishedEntryFactory):  # planned and shown
                factory(
                    associate=person, on=day, starts_at=dt.time(start), ends_at=dt.time(start + 8)
                )
    Command._swap_offer(offered_by=teammate, to=associate, monday=monday)
    Command._swap_offer(offered_by=teammate, to=associate, monday=monday)
    (offer,) = ShiftSwap.objects.filter(partner=associate)
    assert offer.requester_day == offer.partner_day == TODAY + dt.timedelta(days=1)
    html = client_for(associate.user).get(reverse("teams:home")).content.decode()
    assert reverse("scheduling:swap-respond", args=[offer.pk]) in html
