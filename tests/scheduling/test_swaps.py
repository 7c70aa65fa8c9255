import contextlib
import datetime as dt
import threading

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse

from scheduling.models import (
    CompDay,
    EntryKind,
    PublishedEntry,
    ScheduleEntry,
    ShiftSwap,
    SwapOffer,
)
from scheduling.services import schedule, swaps
from scheduling.services.schedule import Change, ScheduleConflict
from tests.conftest import client_for
from tests.factories import (
    AssociateFactory,
    AssociateSkillFactory,
    CompDayFactory,
    CompDayRequestFactory,
    CoverageRequirementFactory,
    ShiftSwapFactory,
    ShiftTemplateFactory,
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


def early_wednesday(associate):
    """A 05:30 start on Wednesday: 10.5 h after a Late Tuesday ends."""
    return Change(
        associate=associate,
        on=WEDNESDAY,
        kind=EntryKind.SHIFT,
        starts_at=dt.time(5, 30),
        ends_at=dt.time(13, 30),
    )


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
    # The lead plans that Wednesday after the two agreed: approval checks again.
    swap = accepted(associate, teammate)
    site.weekday_opens_at = dt.time(5)
    site.save()
    schedule.apply_changes(actor=lead, team=team, changes=[early_wednesday(associate)])
    with pytest.raises(ScheduleConflict, match=r"only 10.5 h rest before Wed 9 Jan"):
        swaps.approve_swap(actor=lead, swap=swap)
    swap.refresh_from_db()
    assert swap.status == ShiftSwap.Status.ACCEPTED
    assert cell(ScheduleEntry, associate, TUESDAY) == "Day off"


def test_a_swap_that_leaves_a_skill_uncovered_is_refused(
    cast, team, lead, associate, teammate, week
):
    swap = accepted(associate, teammate)
    chat = SkillFactory(name="Live chat")
    AssociateSkillFactory(associate=associate, skill=chat, level=3)
    CoverageRequirementFactory(team=team, day_kind="weekday", skill=chat, min_headcount=1)
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
    # Neither comp day is scheduled any more: not in the plan, nor in what they see.
    assert not ScheduleEntry.objects.filter(kind=EntryKind.COMP_DAY).exists()
    assert not PublishedEntry.objects.filter(kind=EntryKind.COMP_DAY).exists()
    assert cell(ScheduleEntry, associate, sunday) == "09:00–17:30"
    assert cell(PublishedEntry, teammate, saturday) == "09:00–17:30"
    assert WeekendDuty.history.filter(history_type="~").count() == 2


def test_swapping_identical_shifts_is_refused(
    cast, team, lead, associate, teammate, early, time_machine
):
    time_machine.move_to(dt.datetime(2030, 1, 1, 12, tzinfo=dt.UTC))
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


# Issue 13, point 14 -----------------------------------------------------------------
# 1. The lead's queue: both shifts with their times, and coverage if approved.


def queue(user, team):
    return client_for(user).get(reverse("scheduling:timeoff-queue", kwargs={"team_id": team.pk}))


def text_of(response):
    """The page's text with tags and runs of spaces gone, to read like a person does."""
    import re

    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_queue_shows_both_shifts_with_times_and_the_coverage_each_day_keeps(
    cast, team, lead, associate, teammate, week
):
    CoverageRequirementFactory(team=team, day_kind="weekday", min_headcount=1)
    swap = accepted(associate, teammate)
    response = queue(lead, team)
    text = text_of(response)
    assert "Times are Europe/Dublin local" in text
    # Ada's row and Tim's row on each day: what they have now and after approval.
    assert "Mon 7 Jan Early 07:00–15:30 → Day off Day off → Early 07:00–15:30" in text
    assert "Tue 8 Jan Day off → Late 10:30–19:00 Late 10:30–19:00 → Day off" in text
    assert text.count("On shift: stays 1 of min 1") == 2
    assert "Approving now would be refused" not in text
    assert reverse("scheduling:swap-approve", args=[swap.pk]) in response.content.decode()


def test_the_queue_warns_when_approval_would_break_a_skill_need_and_offers_no_approve(
    cast, team, lead, associate, teammate, week
):
    swap = accepted(associate, teammate)
    chat = SkillFactory(name="Live chat")
    AssociateSkillFactory(associate=associate, skill=chat, level=3)
    CoverageRequirementFactory(team=team, day_kind="weekday", skill=chat, min_headcount=1)
    response = queue(lead, team)
    text = text_of(response)
    assert "Live chat (capable+): 1 → 0 of min 1 — below minimum" in text
    assert "Live chat (capable+): 0 → 1 of min 1 already short" in text
    assert (
        "Approving now would be refused: Mon 7 Jan: Live chat (capable+) would drop to 0 of 1."
        in text
    )
    assert reverse("scheduling:swap-approve", args=[swap.pk]) not in response.content.decode()
    # The manager sees the same warnings, and no buttons.
    assert "below minimum" in text_of(queue(cast["manager"], team))


def test_the_queue_reads_a_fixed_number_of_queries_however_many_swaps(
    cast, team, lead, early, late, time_machine, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    time_machine.move_to(dt.datetime(2030, 1, 1, 12, tzinfo=dt.UTC))
    people = [AssociateFactory(team=team) for _ in range(12)]
    CoverageRequirementFactory(team=team, day_kind="weekday", min_headcount=3)
    days = [MONDAY + dt.timedelta(days=n) for n in (0, 1, 2, 3, 4, 7, 8)]
    schedule.apply_changes(
        actor=lead,
        team=team,
        changes=[
            Change.shift(p, d, early if i % 2 else late) for i, p in enumerate(people) for d in days
        ],
    )
    client = client_for(lead)

    def count(n_swaps):
        ShiftSwap.objects.all().delete()
        for i in range(n_swaps):
            ShiftSwapFactory(
                requester=people[2 * i],
                partner=people[2 * i + 1],
                requester_day=days[i],
                partner_day=days[i],
                status=ShiftSwap.Status.ACCEPTED,
            )
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("scheduling:timeoff-queue", args=[team.pk]))
        assert len(response.context["swaps"]) == n_swaps
        return len(queries)

    assert count(1) == count(6)
    # 15 today: the time-off part of the page, and nine for the swaps (selectors.swaps).
    with django_assert_max_num_queries(18):
        client.get(reverse("scheduling:timeoff-queue", args=[team.pk]))


# 2. The associate's request: my shift, then a short list of teammates and days.


@pytest.fixture
def crew_week(team, lead, associate, teammate, other_associate, early, late, week):
    """Around Ada's Early Monday: Tim is off Monday and works a Tuesday Ada has off;
    Bo works Early Monday too (nothing to swap); Cy works Late Monday; Di is off
    Monday but works only a Wednesday that Ada works too. Oona is on another team."""
    bo, cy, di = (
        AssociateFactory(team=team, user__first_name=name, user__last_name="Crew")
        for name in ("Bo", "Cy", "Di")
    )
    wednesday_late = Change.shift(di, WEDNESDAY, late)
    schedule.apply_changes(
        actor=lead,
        team=team,
        changes=[
            Change.shift(associate, WEDNESDAY, early),
            Change.shift(teammate, WEDNESDAY, early),
            Change.shift(bo, MONDAY, early),
            Change.shift(cy, MONDAY, late),
            Change(associate=di, on=MONDAY, kind=EntryKind.DAY_OFF),
            wednesday_late,
        ],
    )
    schedule.publish_week(actor=lead, team=team, monday=MONDAY)
    other_site_late = ShiftTemplateFactory(site=other_associate.team.site, name="Other late")
    schedule.apply_changes(
        actor=cast_lead(other_associate),
        team=other_associate.team,
        changes=[Change.shift(other_associate, MONDAY, other_site_late)],
    )
    schedule.publish_week(
        actor=cast_lead(other_associate), team=other_associate.team, monday=MONDAY
    )
    return {"bo": bo, "cy": cy, "di": di}


def cast_lead(associate):
    return associate.team.leads.get()


def choices_for(user, day, **extra):
    response = client_for(user).get(
        reverse("scheduling:swap-propose"), {"mine": day.isoformat()}, **extra
    )
    assert response.status_code == 200
    return response, [(c.partner.name, c.day) for c in response.context["choices"]]


def test_the_list_offers_only_teammates_on_other_hours_or_off_on_my_day(
    cast, associate, teammate, crew_week
):
    _response, listed = choices_for(associate.user, MONDAY)
    assert listed == [("Cy Crew", MONDAY), ("Tim Teammate", TUESDAY)]


def test_picking_a_shift_with_htmx_returns_only_the_list_with_its_times(cast, associate, crew_week):
    response = client_for(associate.user).get(
        reverse("scheduling:swap-propose"), {"mine": MONDAY.isoformat()}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="swap-options"')
    assert "<html" not in html
    text = text_of(response)
    assert (
        "Mon 7 Jan · Late 10:30–19:00 Same day, other hours: you work theirs, "
        "they work yours. Cy Crew" in text
    )
    assert "Tue 8 Jan · Late 10:30–19:00 They are off on your day and you are off on theirs" in text
    assert 'aria-label="Tim Teammate, Tue 8 Jan · Late 10:30–19:00"' in html


def test_the_picker_offers_only_my_upcoming_published_shifts(
    cast, team, lead, associate, early, crew_week
):
    # A shift in an unpublished week is not offered.
    schedule.apply_changes(
        actor=lead,
        team=team,
        changes=[Change.shift(associate, MONDAY + dt.timedelta(days=7), early)],
    )
    response = client_for(associate.user).get(reverse("scheduling:swap-propose"))
    assert [c[0] for c in response.context["pick"].fields["mine"].widget.choices] == [
        "",
        MONDAY.isoformat(),
        WEDNESDAY.isoformat(),
    ]


def test_a_pair_the_rules_forbid_is_not_listed_and_is_a_field_error_when_posted(
    cast, team, lead, site, associate, teammate, crew_week
):
    site.weekday_opens_at = dt.time(5)
    site.save()
    schedule.apply_changes(actor=lead, team=team, changes=[early_wednesday(associate)])
    schedule.publish_week(actor=lead, team=team, monday=MONDAY)
    _response, listed = choices_for(associate.user, MONDAY)
    assert ("Tim Teammate", TUESDAY) not in listed
    response = client_for(associate.user).post(
        reverse("scheduling:swap-propose"),
        {"mine": MONDAY.isoformat(), "theirs": f"{teammate.pk}:{TUESDAY.isoformat()}"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["theirs"] == [
        "Ada Associate would have only 10.5 h rest before Wed 9 Jan (minimum 11 h)."
    ]
    assert not ShiftSwap.objects.exists()


@pytest.mark.parametrize(
    ("case", "error"),
    [
        ("a day I do not work", "You have no published shift on Tue 8 Jan."),
        ("a past day", "Mon 31 Dec 2029 has started or passed: pick a later shift."),
        ("an unpublished shift", "You have no published shift on Mon 14 Jan."),
        ("a year far away", "Choose a shift between"),
        ("someone on another team", "Swap with someone on your own team."),
        ("nobody", "Swap with someone on your own team."),
        ("the same shift on the same day", "nothing to swap"),
        ("a teammate's day off", "Di Crew has no published shift on Tue 8 Jan."),
        ("not a choice at all", "Pick a teammate and a day from the list."),
        ("no choice", "Pick a teammate and a day from the list."),
    ],
)
def test_a_bad_swap_request_is_a_field_error_and_writes_nothing(
    cast, team, lead, associate, other_associate, early, crew_week, case, error
):
    schedule.apply_changes(
        actor=lead,
        team=team,
        changes=[Change.shift(associate, MONDAY + dt.timedelta(days=7), early)],
    )
    bo, di = crew_week["bo"], crew_week["di"]
    mine, theirs = {
        "a day I do not work": (TUESDAY, f"{bo.pk}:{MONDAY}"),
        "a past day": (dt.date(2029, 12, 31), f"{bo.pk}:{MONDAY}"),
        "an unpublished shift": (MONDAY + dt.timedelta(days=7), f"{bo.pk}:{MONDAY}"),
        "a year far away": ("9999-12-31", f"{bo.pk}:{MONDAY}"),
        "someone on another team": (MONDAY, f"{other_associate.pk}:{MONDAY}"),
        "nobody": (MONDAY, f"999999:{MONDAY}"),
        "the same shift on the same day": (MONDAY, f"{bo.pk}:{MONDAY}"),
        "a teammate's day off": (MONDAY, f"{di.pk}:{TUESDAY}"),
        "not a choice at all": (MONDAY, "Bo on Monday please"),
        "no choice": (MONDAY, ""),
    }[case]
    response = client_for(associate.user).post(
        reverse("scheduling:swap-propose"), {"mine": str(mine), "theirs": theirs}
    )
    assert response.status_code == 200
    assert error in text_of(response)
    assert not ShiftSwap.objects.exists()


def test_a_shift_already_in_an_open_swap_cannot_be_asked_for_again(
    cast, associate, teammate, crew_week
):
    swap = accepted(associate, teammate)
    assert accepted(associate, teammate) == swap  # the same request twice: one swap
    with pytest.raises(swaps.SwapRefused, match="already in an open swap") as refused:
        swaps.propose_swap(
            actor=associate.user,
            requester=associate,
            requester_day=MONDAY,
            partner=crew_week["cy"],
            partner_day=MONDAY,
        )
    assert list(refused.value.by_field) == ["mine"]
    response = client_for(associate.user).get(reverse("scheduling:swap-propose"))
    assert MONDAY.isoformat() not in [
        c[0] for c in response.context["pick"].fields["mine"].widget.choices
    ]


def test_the_request_page_has_a_fixed_query_budget(
    cast, team, lead, associate, early, late, time_machine, django_assert_max_num_queries
):
    time_machine.move_to(dt.datetime(2030, 1, 1, 12, tzinfo=dt.UTC))
    people = [associate, *(AssociateFactory(team=team) for _ in range(12))]
    days = [MONDAY + dt.timedelta(days=n) for n in range(5)]
    schedule.apply_changes(
        actor=lead,
        team=team,
        changes=[
            Change.shift(p, d, early if i % 2 else late) for i, p in enumerate(people) for d in days
        ],
    )
    schedule.publish_week(actor=lead, team=team, monday=MONDAY)
    client = client_for(associate.user)
    with django_assert_max_num_queries(16):  # 15 today
        response = client.get(reverse("scheduling:swap-propose"), {"mine": MONDAY.isoformat()})
    assert len(response.context["choices"]) == 6


# 3. The swap board: offer a shift, a teammate takes it, the lead decides.


def offer(associate, day=MONDAY, note=""):
    return swaps.offer_shift(actor=associate.user, offerer=associate, on=day, note=note)


def board(user, team):
    return client_for(user).get(reverse("scheduling:swap-board", args=[team.pk]))


def test_a_shift_offered_on_the_board_is_taken_over_by_a_teammate_who_is_off_and_approved(
    cast, team, lead, associate, teammate, week, django_capture_on_commit_callbacks
):
    response = client_for(associate.user).post(
        reverse("scheduling:swap-offer-create"), {"on": MONDAY.isoformat(), "note": "Dentist"}
    )
    assert response.status_code == 302
    offered = SwapOffer.objects.get()
    assert (offered.status, offered.note) == (SwapOffer.Status.OPEN, "Dentist")

    page = text_of(board(teammate.user, team))
    assert "Mon 7 Jan Early 07:00–15:30 Ada Associate “Dentist” Open" in page
    take_url = reverse("scheduling:swap-offer-take", args=[offered.pk])
    take = client_for(teammate.user).get(take_url)
    assert [(c.is_hand_over, c.day) for c in take.context["choices"]] == [
        (True, MONDAY),
        (False, TUESDAY),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(teammate.user).post(
            take_url, {"theirs": f"{teammate.pk}:{MONDAY}:hand-over"}
        )
    assert response.status_code == 302
    swap = ShiftSwap.objects.get()
    assert (swap.requester, swap.partner, swap.is_hand_over) == (associate, teammate, True)
    assert swap.status == ShiftSwap.Status.ACCEPTED
    assert sorted(mail.outbox[-1].to) == ["associate@example.com", "lead@example.com"]
    offered.refresh_from_db()
    assert offered.status == SwapOffer.Status.TAKEN
    assert "Taken by Tim Teammate · waiting for the lead" in text_of(board(lead, team))
    assert "hands a shift to" in text_of(queue(lead, team))

    swaps.approve_swap(actor=lead, swap=swap)
    for model in (ScheduleEntry, PublishedEntry):
        assert cell(model, teammate, MONDAY) == "07:00–15:30"
        assert cell(model, associate, MONDAY) == "Day off"
        assert cell(model, associate, TUESDAY) == "Day off"
        assert cell(model, teammate, TUESDAY) == "10:30–19:00"


def test_taking_an_offer_with_one_of_my_shifts_swaps_both_days(
    cast, lead, associate, teammate, week
):
    offered = offer(associate)
    swap = swaps.take_offer(
        actor=teammate.user, offer=offered, taker=teammate, partner_day=TUESDAY, is_hand_over=False
    )
    swaps.approve_swap(actor=lead, swap=swap)
    assert cell(PublishedEntry, associate, TUESDAY) == "10:30–19:00"
    assert cell(PublishedEntry, teammate, MONDAY) == "07:00–15:30"


@pytest.mark.django_db(transaction=True)
def test_two_teammates_taking_one_offer_at_once_only_one_wins_and_the_other_is_told(
    cast, team, lead, associate, teammate, week, monkeypatch
):
    if connection.vendor != "postgresql":
        pytest.fail("This test needs PostgreSQL's row locks: run it with DATABASE_URL set.")
    bo = AssociateFactory(team=team, user__first_name="Bo", user__last_name="Crew")
    schedule.apply_changes(
        actor=lead, team=team, changes=[Change(associate=bo, on=MONDAY, kind=EntryKind.DAY_OFF)]
    )
    schedule.publish_week(actor=lead, team=team, monday=MONDAY)
    offered = offer(associate)
    # The worst race: each take, once it has checked the pair, waits for the other
    # to have checked too. With the locks the other is still waiting for them, so
    # the wait times out and the first take commits before the second reads.
    after_check = threading.Barrier(2)
    check = swaps._pair_problems

    def slow_check(**kwargs):
        problems = check(**kwargs)
        with contextlib.suppress(threading.BrokenBarrierError):
            after_check.wait(timeout=2)
        return problems

    monkeypatch.setattr(swaps, "_pair_problems", slow_check)
    start = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def take(taker):
        try:
            start.wait()
            swaps.take_offer(
                actor=taker.user, offer=offered, taker=taker, partner_day=MONDAY, is_hand_over=True
            )
            outcomes[taker.name] = "took it"
        except swaps.SwapRefused as refused:
            outcomes[taker.name] = " ".join(refused.reasons)
        finally:
            connection.close()

    threads = [threading.Thread(target=take, args=(t,)) for t in (teammate, bo)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    winner = ShiftSwap.objects.get().partner
    loser = "Bo Crew" if winner == teammate else "Tim Teammate"
    assert outcomes[winner.name] == "took it"
    assert outcomes[loser] == f"{winner.name} took this shift first; it is no longer on the board."


def test_a_second_taker_is_told_the_shift_is_gone_and_nothing_is_written(
    cast, team, lead, associate, teammate, week
):
    bo = AssociateFactory(team=team, user__first_name="Bo", user__last_name="Crew")
    schedule.apply_changes(
        actor=lead, team=team, changes=[Change(associate=bo, on=MONDAY, kind=EntryKind.DAY_OFF)]
    )
    schedule.publish_week(actor=lead, team=team, monday=MONDAY)
    offered = offer(associate)
    url = reverse("scheduling:swap-offer-take", args=[offered.pk])
    client_for(teammate.user).post(url, {"theirs": f"{teammate.pk}:{MONDAY}:hand-over"})
    again = client_for(teammate.user).post(url, {"theirs": f"{teammate.pk}:{MONDAY}:hand-over"})
    assert again.status_code == 302  # a double submit is the same take
    late = client_for(bo.user).post(url, {"theirs": f"{bo.pk}:{MONDAY}:hand-over"})
    assert late.status_code == 200
    assert "Tim Teammate took this shift first; it is no longer on the board." in text_of(late)
    assert ShiftSwap.objects.count() == 1


def test_the_database_allows_one_open_swap_per_offer(cast, associate, teammate, week):
    from django.db import IntegrityError, transaction

    offered = offer(associate)
    ShiftSwapFactory(
        requester=associate,
        partner=teammate,
        offer=offered,
        requester_day=MONDAY,
        partner_day=MONDAY,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        ShiftSwapFactory(
            requester=associate,
            partner=teammate,
            offer=offered,
            requester_day=MONDAY,
            partner_day=TUESDAY,
        )


def test_a_bad_offer_is_a_field_error_and_writes_nothing(cast, team, associate, teammate, week):
    client = client_for(associate.user)
    for day, error in (
        (TUESDAY, "You have no published shift on Tue 8 Jan."),  # my day off
        ("2029-12-31", "Mon 31 Dec 2029 has started or passed: pick a later shift."),
        ("9999-12-31", "Choose a shift between"),
        ("", "This field is required."),
    ):
        response = client.post(reverse("scheduling:swap-offer-create"), {"on": str(day)})
        assert response.status_code == 200, day
        assert error in text_of(response), day
    assert not SwapOffer.objects.exists()
    first = offer(associate)
    assert offer(associate) == first  # a double submit
    swaps.take_offer(
        actor=teammate.user, offer=first, taker=teammate, partner_day=MONDAY, is_hand_over=True
    )
    with pytest.raises(swaps.SwapRefused, match="already in an open swap or on the swap board"):
        offer(associate)


def test_the_offerer_withdraws_an_open_offer_and_a_taken_one_with_its_swap(
    cast, team, lead, associate, teammate, week
):
    offered = offer(associate)
    client = client_for(associate.user)
    client.post(reverse("scheduling:swap-offer-withdraw", args=[offered.pk]))
    offered.refresh_from_db()
    assert offered.status == SwapOffer.Status.WITHDRAWN
    assert "No shifts on the board right now." in text_of(board(teammate.user, team))

    again = offer(associate)
    swap = swaps.take_offer(
        actor=teammate.user, offer=again, taker=teammate, partner_day=MONDAY, is_hand_over=True
    )
    client.post(reverse("scheduling:swap-offer-withdraw", args=[again.pk]))
    swap.refresh_from_db()
    again.refresh_from_db()
    assert (swap.status, again.status) == (ShiftSwap.Status.CANCELLED, SwapOffer.Status.WITHDRAWN)


def test_a_denied_or_given_back_take_puts_the_offer_back_on_the_board(
    cast, team, lead, associate, teammate, week
):
    offered = offer(associate)
    swap = swaps.take_offer(
        actor=teammate.user, offer=offered, taker=teammate, partner_day=MONDAY, is_hand_over=True
    )
    client_for(lead).post(reverse("scheduling:swap-deny", args=[swap.pk]))
    offered.refresh_from_db()
    assert offered.status == SwapOffer.Status.OPEN
    swap = swaps.take_offer(
        actor=teammate.user, offer=offered, taker=teammate, partner_day=MONDAY, is_hand_over=True
    )
    # The teammate who took it may give it back before the lead decides.
    assert (
        client_for(teammate.user)
        .post(reverse("scheduling:swap-cancel", args=[swap.pk]))
        .status_code
        == 302
    )
    offered.refresh_from_db()
    assert offered.status == SwapOffer.Status.OPEN


def test_approving_a_swap_closes_the_offers_it_made_stale(cast, lead, associate, teammate, week):
    stale = offer(teammate, day=TUESDAY)
    swap = accepted(associate, teammate)
    swaps.approve_swap(actor=lead, swap=swap)
    stale.refresh_from_db()
    assert stale.status == SwapOffer.Status.CLOSED


def test_only_the_teams_people_see_its_board_and_another_teams_offer_is_a_404(
    cast, team, lead, associate, teammate, other_associate, other_lead, week
):
    offered = offer(associate)
    take = reverse("scheduling:swap-offer-take", args=[offered.pk])
    withdraw = reverse("scheduling:swap-offer-withdraw", args=[offered.pk])
    outsider = client_for(other_associate.user)
    assert outsider.get(reverse("scheduling:swap-board", args=[team.pk])).status_code == 404
    assert outsider.get(take).status_code == 404
    assert (
        outsider.post(take, {"theirs": f"{other_associate.pk}:{MONDAY}:hand-over"}).status_code
        == 404
    )
    assert outsider.post(withdraw).status_code == 404
    assert client_for(other_lead).get(take).status_code == 404
    # Seen but not theirs to take: the offerer and the lead.
    assert client_for(associate.user).get(take).status_code == 403
    assert client_for(lead).get(take).status_code == 403
    assert client_for(teammate.user).post(withdraw).status_code == 403
    offered.refresh_from_db()
    assert offered.status == SwapOffer.Status.OPEN
    assert not ShiftSwap.objects.exists()
    # The lead sees the board and may take stale offers off it.
    assert "Ada Associate" in text_of(board(lead, team))


def test_the_board_has_a_fixed_query_budget(
    cast, team, lead, associate, early, time_machine, django_assert_max_num_queries
):
    time_machine.move_to(dt.datetime(2030, 1, 1, 12, tzinfo=dt.UTC))
    people = [associate, *(AssociateFactory(team=team) for _ in range(8))]
    days = [MONDAY + dt.timedelta(days=n) for n in range(5)]
    schedule.apply_changes(
        actor=lead, team=team, changes=[Change.shift(p, d, early) for p in people for d in days]
    )
    schedule.publish_week(actor=lead, team=team, monday=MONDAY)
    for person, day in zip(people, days * 2, strict=False):
        offer(person, day=day)
    for user in (associate.user, lead):
        client = client_for(user)
        with django_assert_max_num_queries(13):  # 12 for an associate, 7 for the lead
            response = client.get(reverse("scheduling:swap-board", args=[team.pk]))
        assert len(response.context["board"]) == 9


# The weekend ledger follows a weekend shift that changes hands.


@pytest.fixture
def saturday_duty(team, lead, associate, teammate, weekend, early, time_machine):
    """Ada works Saturday 12 on the rota, her comp day Wednesday 16; Tim is off that
    Saturday. Both weeks are published."""
    time_machine.move_to(dt.datetime(2030, 1, 1, 12, tzinfo=dt.UTC))
    saturday, wednesday = MONDAY + dt.timedelta(days=5), MONDAY + dt.timedelta(days=9)
    duty = WeekendDutyFactory(associate=associate, on=saturday)
    comp = CompDayFactory(
        duty=duty, associate=associate, on=wednesday, expires_on=saturday + dt.timedelta(days=30)
    )
    schedule.apply_changes(
        actor=lead,
        team=team,
        changes=[
            Change.shift(associate, saturday, weekend),
            Change(associate=associate, on=wednesday, kind=EntryKind.COMP_DAY),
            Change(associate=teammate, on=saturday, kind=EntryKind.DAY_OFF),
        ],
    )
    for monday in (MONDAY, MONDAY + dt.timedelta(days=7)):
        schedule.publish_week(actor=lead, team=team, monday=monday)
    return {"duty": duty, "comp": comp, "saturday": saturday, "wednesday": wednesday}


def test_a_weekend_shift_handed_over_takes_its_duty_and_comp_day_and_clears_the_shown_comp_day(
    cast, lead, associate, teammate, saturday_duty
):
    saturday, wednesday = saturday_duty["saturday"], saturday_duty["wednesday"]
    offered = offer(associate, day=saturday)
    swap = swaps.take_offer(
        actor=teammate.user, offer=offered, taker=teammate, partner_day=saturday, is_hand_over=True
    )
    assert (
        "Weekend rota: the Sat 12 Jan duty moves to Tim Teammate with the comp day it earns "
        "(now on Wed 16 Jan; it comes off that day" in text_of(queue(lead, associate.team))
    )
    swaps.approve_swap(actor=lead, swap=swap)
    duty, comp = saturday_duty["duty"], saturday_duty["comp"]
    duty.refresh_from_db()
    comp.refresh_from_db()
    assert duty.associate == teammate
    assert (comp.associate, comp.status, comp.on) == (teammate, CompDay.Status.OWED, None)
    assert cell(PublishedEntry, teammate, saturday) == "09:00–17:30"
    assert cell(PublishedEntry, associate, saturday) == "Day off"
    # Ada no longer earns that Wednesday off: not in the plan, nor in what she sees.
    assert cell(ScheduleEntry, associate, wednesday) is None
    assert cell(PublishedEntry, associate, wednesday) is None


def test_a_weekend_shift_whose_comp_day_was_already_taken_cannot_change_hands(
    cast, lead, associate, teammate, saturday_duty, time_machine
):
    comp = saturday_duty["comp"]
    comp.on = MONDAY  # the week before: taken by the time the swap is asked for
    comp.save()
    time_machine.move_to(dt.datetime(2030, 1, 8, 12, tzinfo=dt.UTC))
    offered = offer(associate, day=saturday_duty["saturday"])
    take = client_for(teammate.user).get(reverse("scheduling:swap-offer-take", args=[offered.pk]))
    assert take.context["choices"] == []
    with pytest.raises(
        swaps.SwapRefused,
        match="Ada Associate already had the comp day for Sat 12 Jan on Mon 7 Jan",
    ):
        swaps.take_offer(
            actor=teammate.user,
            offer=offered,
            taker=teammate,
            partner_day=saturday_duty["saturday"],
            is_hand_over=True,
        )


def test_a_weekend_shift_whose_comp_day_has_a_move_asked_for_waits_for_that_decision(
    cast, lead, associate, teammate, saturday_duty
):
    CompDayRequestFactory(comp_day=saturday_duty["comp"], wanted_on=MONDAY + dt.timedelta(days=10))
    offered = offer(associate, day=saturday_duty["saturday"])
    with pytest.raises(swaps.SwapRefused, match="asked to move the comp day earned by Sat 12 Jan"):
        swaps.take_offer(
            actor=teammate.user,
            offer=offered,
            taker=teammate,
            partner_day=saturday_duty["saturday"],
            is_hand_over=True,
        )


# --- Swaps whose day has passed (review finding) ----------------------------------


def test_swaps_and_offers_whose_day_passed_are_closed_and_no_longer_asked_about(
    cast, team, lead, manager, associate, teammate, time_machine
):
    from scheduling.tasks import expire_past_swaps
    from tests.factories import ShiftSwapFactory, SwapOfferFactory

    time_machine.move_to(dt.datetime.combine(WEDNESDAY, dt.time(12), tzinfo=dt.UTC))
    past = ShiftSwapFactory(requester=teammate, partner=associate, status="proposed")
    waiting = ShiftSwapFactory(requester=associate, partner=teammate, status="accepted")
    ahead = ShiftSwapFactory(
        requester=teammate,
        partner=associate,
        status="proposed",
        requester_day=WEDNESDAY + dt.timedelta(days=1),
        partner_day=WEDNESDAY + dt.timedelta(days=2),
    )
    # Today's swap cannot happen either: the day has started.
    today = ShiftSwapFactory(
        requester=associate,
        partner=teammate,
        status="proposed",
        requester_day=WEDNESDAY,
        partner_day=WEDNESDAY + dt.timedelta(days=2),
    )
    old_offer = SwapOfferFactory(offerer=associate, on=MONDAY)
    new_offer = SwapOfferFactory(offerer=associate, on=WEDNESDAY + dt.timedelta(days=7))

    # Before the nightly job, the home card, the manager's count and the lead's
    # queue already leave out what can no longer happen.
    from scheduling.selectors.home import associate_panels, manager_columns
    from scheduling.selectors.swaps import open_swaps
    from teams.access import roles_for

    cards = associate_panels(associate.user, roles_for(associate.user))
    [card] = [c for c in cards if c.template.endswith("_swap_offers.html")]
    assert card.context["offers"] == [ahead]
    [approvals] = [
        c
        for c in manager_columns(manager, roles_for(manager), [team])
        if c.heading == "Approvals waiting"
    ]
    assert team.pk not in approvals.counts  # the only accepted swap's day has passed
    assert list(open_swaps(team)) == [ahead]

    assert list(expire_past_swaps.delay().get()) == [3, 1]
    statuses = dict(ShiftSwap.objects.values_list("pk", "status"))
    assert statuses == {
        past.pk: "cancelled",
        waiting.pk: "cancelled",
        today.pk: "cancelled",
        ahead.pk: "proposed",
    }
    assert ShiftSwap.objects.get(pk=past.pk).decision_note == swaps.PASSED
    offer_statuses = dict(SwapOffer.objects.values_list("pk", "status"))
    assert offer_statuses == {old_offer.pk: "closed", new_offer.pk: "open"}
    assert list(expire_past_swaps.delay().get()) == [0, 0]  # idempotent


def test_a_swap_whose_day_has_started_cannot_be_approved(
    cast, team, lead, associate, teammate, week, time_machine
):
    """Approving rewrote worked days: Monday's published cell changed hands at 20:00
    that Monday. A swap is for days still ahead."""
    swap = accepted(associate, teammate)
    time_machine.move_to(dt.datetime.combine(MONDAY, dt.time(20), tzinfo=dt.UTC))

    with pytest.raises(ScheduleConflict, match="has started or passed"):
        swaps.approve_swap(actor=lead, swap=swap)

    swap.refresh_from_db()
    assert swap.status == ShiftSwap.Status.ACCEPTED
    assert PublishedEntry.objects.get(associate=associate, on=MONDAY).kind == EntryKind.SHIFT
