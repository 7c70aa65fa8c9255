"""Bad input found by a review as a new user: each gets a clear error and writes nothing."""

import datetime as dt

import pytest
from django.urls import reverse

from scheduling import services
from scheduling.models import (
    CompDay,
    CompDayRequest,
    CoverageRequirement,
    RotaWish,
    ScheduleEntry,
    WeekendDuty,
)
from scheduling.services import Change, ScheduleConflict
from tests.conftest import client_for
from tests.scheduling.conftest import MONDAY

pytestmark = pytest.mark.django_db


def test_a_break_as_long_as_the_shift_is_refused(cast, team, lead, associate):
    url = reverse(
        "scheduling:schedule-cell",
        kwargs={"team_id": team.pk, "associate_id": associate.pk, "day": MONDAY.isoformat()},
    )
    response = client_for(lead).post(
        url,
        {"assignment": "custom", "starts_at": "09:00", "ends_at": "10:00", "break_minutes": "120"},
    )
    assert "The break must be shorter than the shift." in response.content.decode()
    assert not ScheduleEntry.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"day_kind": "weekday", "min_headcount": "0"}, "greater than or equal to 1"),
        ({"day_kind": "weekday", "min_headcount": "99999999999"}, "less than or equal to 500"),
        (
            {"day_kind": "weekday", "min_headcount": "2", "template": "weekend"},
            "is not a shift for these days",
        ),
    ],
)
def test_coverage_needs_must_make_sense(cast, team, lead, weekend, data, message):
    if data.get("template") == "weekend":
        data = data | {"template": str(weekend.pk)}
    response = client_for(lead).post(
        reverse("scheduling:coverage-requirements", kwargs={"team_id": team.pk}), data
    )
    assert message in response.content.decode()
    assert not CoverageRequirement.objects.exists()


def test_a_hire_date_years_ahead_is_refused(cast, associate, lead):
    url = reverse("teams:associate-edit", kwargs={"associate_id": associate.pk})
    response = client_for(lead).post(
        url,
        {
            "first_name": "Ada",
            "last_name": "Associate",
            "email": "associate@example.com",
            "team": str(associate.team_id),
            "title": "Support Associate",
            "level": "L1",
            "hired_on": "2099-01-01",
            "weekly_hours": "39",
        },
    )
    assert "Enter a hire date within the next year." in response.content.decode()
    associate.refresh_from_db()
    assert associate.hired_on == dt.date(2024, 3, 1)


def test_wishes_more_than_a_year_ahead_are_refused(cast, associate):
    response = client_for(associate.user).post(
        reverse("scheduling:my-rota-wish"), {"on": "2099-01-03", "kind": "volunteer"}, follow=True
    )
    assert "within the next year" in response.content.decode()
    assert "<ul" not in response.context["messages"]._loaded_messages[0].message
    assert not RotaWish.objects.exists()


def test_a_comp_day_request_after_expiry_is_refused_and_one_request_stays_open(
    cast, associate, time_machine
):
    time_machine.move_to(dt.datetime(2030, 1, 1, 12, tzinfo=dt.UTC))
    duty = WeekendDuty.objects.create(associate=associate, on=MONDAY + dt.timedelta(days=5))
    comp = CompDay.objects.create(
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


def test_swapping_identical_shifts_is_refused(cast, team, lead, associate, teammate, early):
    services.apply_changes(
        actor=lead,
        team=team,
        changes=[Change.shift(associate, MONDAY, early), Change.shift(teammate, MONDAY, early)],
    )
    services.publish_week(actor=lead, team=team, monday=MONDAY)
    with pytest.raises(ScheduleConflict, match="nothing to swap"):
        services.propose_swap(
            actor=associate.user,
            requester=associate,
            requester_day=MONDAY,
            partner=teammate,
            partner_day=MONDAY,
        )
