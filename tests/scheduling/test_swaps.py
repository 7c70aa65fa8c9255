import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from scheduling.models import (
    EntryKind,
    PublishedEntry,
    ScheduleEntry,
    ShiftSwap,
)
from scheduling.services import schedule, swaps
from scheduling.services.schedule import Change, ScheduleConflict
from tests.conftest import client_for
from tests.factories import (
    AssociateSkillFactory,
    CompDayFactory,
    CoverageRequirementFactory,
    SkillFactory,
    WeekendDutyFactory,
)
from tests.scheduling.conftest import MONDAY

pytestmark = pytest.mark.django_db
TUESDAY, WEDNESDAY = MONDAY + dt.timedelta(days=1), MONDAY + dt.timedelta(days=2)


@pytest.fixture
def week(team, lead, associate, teammate, early, late, time_machine):
    """Ada works Early Monday, Tim works Late Tuesday; both off the other day; published."""
    time_machine.move_to(dt.datetime(2030, 1, 1, 12, tzinfo=dt.UTC))
    schedule.apply_changes(
        actor=lead,
        team=team,
        changes=[
            Change.shift(associate, MONDAY, early),
            Change(associate=associate, on=TUESDAY, kind=EntryKind.DAY_OFF),
            Change(associate=teammate, on=MONDAY, kind=EntryKind.DAY_OFF),
            Change.shift(teammate, TUESDAY, late),
        ],
    )
    schedule.publish_week(actor=lead, team=team, monday=MONDAY)


def cell(model, associate, day):
    entry = model.objects.filter(associate=associate, on=day).first()
    return entry.label() if entry else None


def test_the_whole_swap_workflow_exchanges_both_days_in_plan_and_published(
    cast, team, lead, associate, teammate, week, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(associate.user).post(
            reverse("scheduling:swap-propose"),
            {
                "mine": MONDAY.isoformat(),
                "theirs": f"{teammate.pk}:{TUESDAY.isoformat()}",
                "note": "Dentist",
            },
        )
    assert response.status_code == 302
    swap = ShiftSwap.objects.get()
    assert mail.outbox[-1].to == ["teammate@example.com"]

    with django_capture_on_commit_callbacks(execute=True):
        client_for(teammate.user).post(
            reverse("scheduling:swap-respond", kwargs={"swap_id": swap.pk}), {"answer": "accept"}
        )
    swap.refresh_from_db()
    assert swap.status == ShiftSwap.Status.ACCEPTED
    assert mail.outbox[-1].to == ["lead@example.com"]

    with django_capture_on_commit_callbacks(execute=True):
        client_for(lead).post(reverse("scheduling:swap-approve", kwargs={"swap_id": swap.pk}))
    swap.refresh_from_db()
    assert swap.status == ShiftSwap.Status.APPROVED
    for model in (ScheduleEntry, PublishedEntry):
        assert cell(model, associate, MONDAY) == "Day off"
        assert cell(model, associate, TUESDAY) == "10:30–19:00"
        assert cell(model, teammate, MONDAY) == "07:00–15:30"
        assert cell(model, teammate, TUESDAY) == "Day off"
    assert sorted(mail.outbox[-1].to) == ["associate@example.com", "teammate@example.com"]


def test_only_a_published_shift_can_be_offered(cast, associate, teammate, week):
    with pytest.raises(ScheduleConflict, match="no published shift on Tue 8 Jan"):
        swaps.propose_swap(
            actor=associate.user,
            requester=associate,
            requester_day=TUESDAY,
            partner=teammate,
            partner_day=TUESDAY,
        )


def test_a_swap_with_someone_on_another_team_is_refused(cast, associate, other_associate, week):
    with pytest.raises(ScheduleConflict, match="own team"):
        swaps.propose_swap(
            actor=associate.user,
            requester=associate,
            requester_day=MONDAY,
            partner=other_associate,
            partner_day=MONDAY,
        )


def accepted(associate, teammate, mine=MONDAY, theirs=TUESDAY):
    swap = swaps.propose_swap(
        actor=associate.user,
        requester=associate,
        requester_day=mine,
        partner=teammate,
        partner_day=theirs,
    )
    return swaps.respond_to_swap(actor=teammate.user, swap=swap, accept=True)


def test_a_swap_that_would_break_rest_time_is_refused_with_the_reason(
    cast, team, lead, associate, teammate, week, site
):
    # Ada starts at 05:30 on Wednesday; taking Tim's Late Tuesday (to 19:00)
    # would leave her 10.5 hours of rest.
    site.weekday_opens_at = dt.time(5)
    site.save()
    schedule.apply_changes(
        actor=lead,
        team=team,
        changes=[
            Change(
                associate=associate,
                on=WEDNESDAY,
                kind=EntryKind.SHIFT,
                starts_at=dt.time(5, 30),
                ends_at=dt.time(13, 30),
            )
        ],
    )
    swap = accepted(associate, teammate)
    with pytest.raises(ScheduleConflict, match=r"only 10.5 h rest before Wed 9 Jan"):
        swaps.approve_swap(actor=lead, swap=swap)
    swap.refresh_from_db()
    assert swap.status == ShiftSwap.Status.ACCEPTED
    assert cell(ScheduleEntry, associate, TUESDAY) == "Day off"


def test_a_swap_that_leaves_a_skill_uncovered_is_refused(
    cast, team, lead, associate, teammate, week
):
    chat = SkillFactory(name="Live chat")
    AssociateSkillFactory(associate=associate, skill=chat, level=3)
    CoverageRequirementFactory(team=team, day_kind="weekday", skill=chat, min_headcount=1)
    swap = accepted(associate, teammate)
    with pytest.raises(ScheduleConflict, match="Live chat \\(capable\\+\\) would drop to 0 of 1"):
        swaps.approve_swap(actor=lead, swap=swap)


def test_approving_twice_is_harmless_and_a_denied_swap_cannot_be_approved(
    cast, lead, associate, teammate, week
):
    swap = accepted(associate, teammate)
    swaps.approve_swap(actor=lead, swap=swap)
    swaps.approve_swap(actor=lead, swap=swap)
    assert cell(ScheduleEntry, associate, TUESDAY) == "10:30–19:00"

    other = accepted(teammate, associate, mine=MONDAY, theirs=TUESDAY)
    swaps.close_swap(actor=lead, swap=other, status=ShiftSwap.Status.DENIED)
    with pytest.raises(ScheduleConflict, match="denied by lead"):
        swaps.approve_swap(actor=lead, swap=other)


def test_a_proposed_swap_cannot_be_approved_before_the_teammate_accepts(
    cast, lead, associate, teammate, week
):
    swap = swaps.propose_swap(
        actor=associate.user,
        requester=associate,
        requester_day=MONDAY,
        partner=teammate,
        partner_day=TUESDAY,
    )
    with pytest.raises(ScheduleConflict, match="waiting for teammate"):
        swaps.approve_swap(actor=lead, swap=swap)


def test_the_requester_cannot_accept_their_own_offer(cast, associate, teammate, week):
    swap = swaps.propose_swap(
        actor=associate.user,
        requester=associate,
        requester_day=MONDAY,
        partner=teammate,
        partner_day=TUESDAY,
    )
    response = client_for(associate.user).post(
        reverse("scheduling:swap-respond", kwargs={"swap_id": swap.pk}), {"answer": "accept"}
    )
    assert response.status_code == 403
    swap.refresh_from_db()
    assert swap.status == ShiftSwap.Status.PROPOSED


def test_swapping_weekend_duties_moves_the_ledger_with_the_shifts(
    cast, team, lead, associate, teammate, weekend, early, time_machine
):
    from scheduling.models import CompDay, WeekendDuty

    time_machine.move_to(dt.datetime(2030, 1, 1, 12, tzinfo=dt.UTC))
    saturday, sunday = MONDAY + dt.timedelta(days=5), MONDAY + dt.timedelta(days=6)
    wednesday, thursday = MONDAY + dt.timedelta(days=9), MONDAY + dt.timedelta(days=10)
    for person, day, comp_on in ((associate, saturday, wednesday), (teammate, sunday, thursday)):
        duty = WeekendDutyFactory(associate=person, on=day)
        CompDayFactory(
            duty=duty, associate=person, on=comp_on, expires_on=day + dt.timedelta(days=30)
        )
    schedule.apply_changes(
        actor=lead,
        team=team,
        changes=[
            Change.shift(associate, saturday, weekend),
            Change(associate=associate, on=sunday, kind=EntryKind.DAY_OFF),
            Change(associate=associate, on=wednesday, kind=EntryKind.COMP_DAY),
            Change(associate=teammate, on=saturday, kind=EntryKind.DAY_OFF),
            Change.shift(teammate, sunday, weekend),
            Change(associate=teammate, on=thursday, kind=EntryKind.COMP_DAY),
        ],
    )
    schedule.publish_week(actor=lead, team=team, monday=MONDAY)
    schedule.publish_week(actor=lead, team=team, monday=MONDAY + dt.timedelta(days=7))

    swap = accepted(associate, teammate, mine=saturday, theirs=sunday)
    swaps.approve_swap(actor=lead, swap=swap)

    assert WeekendDuty.objects.get(on=saturday).associate == teammate
    assert WeekendDuty.objects.get(on=sunday).associate == associate
    for person in (associate, teammate):
        comp = CompDay.objects.get(associate=person)
        assert (comp.status, comp.on) == (CompDay.Status.OWED, None)
        assert comp.duty.associate == person
    assert not ScheduleEntry.objects.filter(kind=EntryKind.COMP_DAY).exists()
    assert cell(ScheduleEntry, associate, sunday) == "09:00–17:30"
    assert cell(PublishedEntry, teammate, saturday) == "09:00–17:30"
    assert WeekendDuty.history.filter(history_type="~").count() == 2


def test_swapping_identical_shifts_is_refused(cast, team, lead, associate, teammate, early):
    schedule.apply_changes(
        actor=lead,
        team=team,
        changes=[Change.shift(associate, MONDAY, early), Change.shift(teammate, MONDAY, early)],
    )
    schedule.publish_week(actor=lead, team=team, monday=MONDAY)
    with pytest.raises(ScheduleConflict, match="nothing to swap"):
        swaps.propose_swap(
            actor=associate.user,
            requester=associate,
            requester_day=MONDAY,
            partner=teammate,
            partner_day=MONDAY,
        )
