"""Far dates typed or put in a URL (issue 12, point 14; issue 13, point 1): each is
a field error or the current week, never a 500 now or later, and nothing is written."""

import datetime as dt

import pytest
from django.urls import reverse

from performance.models import ActionItem, Goal, OneOnOne, OneOnOneCadence, ReviewCycle
from scheduling.models import RotaProposal, TimeOffRequest
from tests.conftest import client_for
from tests.factories import ActionItemFactory, OneOnOneFactory

pytestmark = pytest.mark.django_db

FAR = ["0001-01-01", "1900-01-01", "9999-12-27", "9999-12-31"]


@pytest.mark.parametrize("week", FAR)
@pytest.mark.parametrize("page", ["scheduling:schedule-grid", "scheduling:schedule-history"])
def test_the_grid_and_its_history_show_this_week_for_a_far_week(cast, team, lead, page, week):
    response = client_for(lead).get(reverse(page, args=[team.pk]), {"week": week})
    assert response.status_code == 200
    today = team.site.local_today()
    assert response.context["monday"] == today - dt.timedelta(days=today.weekday())


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_far_grid_cell_is_a_404(cast, team, lead, associate, day):
    url = reverse("scheduling:schedule-cell", args=[team.pk, associate.pk, day])
    assert client_for(lead).get(url).status_code == 404


@pytest.mark.parametrize("first_on", ["9999-12-31", "0001-01-01", "2000-01-03"])
def test_a_far_cadence_is_refused_and_the_pages_still_work(cast, lead, associate, first_on):
    client = client_for(lead)
    response = client.post(
        reverse("performance:cadence-set", args=[associate.pk]),
        {
            "frequency": "weekly",
            "first_on": first_on,
            "starts_at_time": "10:00",
            "duration_minutes": "30",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "Choose a day between" in response.content.decode()
    assert not OneOnOneCadence.objects.exists()
    assert not OneOnOne.objects.exists()
    page = reverse("performance:associate-one-on-ones", args=[associate.pk])
    assert client.get(page).status_code == 200
    assert client_for(associate.user).get(reverse("performance:my-one-on-ones")).status_code == 200


@pytest.mark.parametrize("on", ["9999-12-31", "0001-01-01"])
def test_a_1on1_planned_on_a_far_day_is_refused(cast, lead, associate, on):
    response = client_for(lead).post(
        reverse("performance:one-on-one-plan", args=[associate.pk]),
        {"on": on, "at": "10:00", "kind": "regular", "duration_minutes": "30"},
        follow=True,
    )
    assert response.status_code == 200
    assert "Choose a day between" in response.content.decode()
    assert not OneOnOne.objects.exists()


def test_leave_asked_for_9999_is_a_field_error(cast, associate):
    response = client_for(associate.user).post(
        reverse("scheduling:timeoff-request"),
        {"first_day": "9999-12-30", "last_day": "9999-12-31", "type": "vacation", "note": ""},
    )
    assert response.status_code == 200
    assert "at most 18 months ahead" in response.content.decode()
    assert not TimeOffRequest.objects.exists()


@pytest.mark.parametrize(
    ("starts", "ends"), [("2026-01-01", "9999-12-31"), ("0001-01-01", "2026-12-31")]
)
def test_a_goal_over_far_dates_is_refused(cast, lead, associate, starts, ends):
    response = client_for(lead).post(
        reverse("performance:associate-goals", args=[associate.pk]),
        {"title": "Far", "starts_on": starts, "ends_on": ends, "target_value": "3"},
        follow=True,
    )
    assert response.status_code == 200
    assert "Choose a date between" in response.content.decode()
    assert not Goal.objects.exists()


def test_a_review_cycle_with_a_far_date_is_a_field_error(cast, admin, team):
    response = client_for(admin).post(
        reverse("performance:cycle-create"),
        {
            "name": "Far",
            "period_start": "2026-07-01",
            "period_end": "2026-12-31",
            "self_review_due_on": "2027-01-10",
            "lead_review_due_on": "2027-01-20",
            "calibration_due_on": "9999-12-31",
            "teams": [team.pk],
        },
    )
    assert response.status_code == 400  # the form again, with its field errors
    assert "Choose a date between" in response.content.decode()
    assert not ReviewCycle.objects.exists()


@pytest.mark.parametrize("first_day", ["0001-01-01", "9999-12-27"])
def test_a_rota_from_a_far_monday_is_refused(cast, team, lead, first_day):
    response = client_for(lead).post(
        reverse("scheduling:rota-generate", args=[team.pk]),
        {"first_day": first_day, "weeks": "4"},
        follow=True,
    )
    assert response.status_code == 200
    assert "Nothing was generated" in response.content.decode()
    assert not RotaProposal.objects.exists()


@pytest.mark.parametrize("next_", ["abc", "https://evil.example/", "//evil.example/x", ""])
def test_an_action_item_toggle_with_a_bad_next_goes_back_to_its_1on1(cast, lead, associate, next_):
    """Issue 12, point 15: the toggle is saved and the redirect is a safe page."""
    meeting = OneOnOneFactory(associate=associate, lead=lead)
    item = ActionItemFactory(raised_in=meeting)
    response = client_for(lead).post(
        reverse("performance:action-item-toggle", args=[item.pk]), {"done": "1", "next": next_}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("performance:one-on-one-detail", args=[meeting.pk])
    assert ActionItem.objects.get(pk=item.pk).done_at is not None


def test_an_action_item_toggle_goes_back_to_a_safe_next(cast, lead, associate):
    meeting = OneOnOneFactory(associate=associate, lead=lead)
    item = ActionItemFactory(raised_in=meeting)
    back_to = reverse("performance:one-on-one-overview")
    response = client_for(lead).post(
        reverse("performance:action-item-toggle", args=[item.pk]), {"done": "1", "next": back_to}
    )
    assert response["Location"] == back_to
