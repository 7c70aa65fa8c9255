"""Scheduling's gates: every refusal is logged on teams.access, like every other app's."""

import datetime as dt
import logging

import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import CompDayFactory, TimeOffRequestFactory
from tests.scheduling.conftest import MONDAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def audit(caplog):
    caplog.set_level(logging.WARNING, logger="teams.access")
    return caplog


def test_another_teams_lead_gets_404_and_it_is_logged(cast, associate, other_lead, audit):
    time_off = TimeOffRequestFactory(associate=associate)
    url = reverse("scheduling:timeoff-approve", kwargs={"request_id": time_off.pk})
    assert client_for(other_lead).post(url).status_code == 404
    assert f"user={other_lead.pk} time-off={time_off.pk} status=404" in audit.text


def test_the_owner_deciding_their_own_time_off_gets_403_and_it_is_logged(cast, associate, audit):
    time_off = TimeOffRequestFactory(associate=associate)
    url = reverse("scheduling:timeoff-approve", kwargs={"request_id": time_off.pk})
    assert client_for(associate.user).post(url).status_code == 403
    assert f"user={associate.user.pk} time-off={time_off.pk} status=403" in audit.text


def test_a_teammate_asking_to_move_a_comp_day_not_theirs_is_refused_and_logged(
    cast, associate, teammate, audit
):
    comp = CompDayFactory(duty__associate=associate, on=MONDAY + dt.timedelta(days=7))
    url = reverse("scheduling:my-comp-day-request", kwargs={"comp_day_id": comp.pk})
    assert client_for(teammate.user).post(url, {"on": "2030-01-15"}).status_code == 404
    assert f"user={teammate.user.pk} comp-day={comp.pk} status=404" in audit.text


def test_the_lead_asking_for_an_associates_comp_day_gets_403_and_it_is_logged(
    cast, associate, lead, audit
):
    comp = CompDayFactory(duty__associate=associate, on=MONDAY + dt.timedelta(days=7))
    url = reverse("scheduling:my-comp-day-request", kwargs={"comp_day_id": comp.pk})
    assert client_for(lead).post(url, {"on": "2030-01-15"}).status_code == 403
    assert f"user={lead.pk} comp-day={comp.pk} status=403" in audit.text


def test_an_associate_on_the_coverage_overview_gets_404_and_it_is_logged(cast, associate, audit):
    assert client_for(associate.user).get(reverse("scheduling:coverage-overview")).status_code == (
        404
    )
    assert f"user={associate.user.pk} coverage-overview=- status=404" in audit.text


def test_a_wrong_calendar_token_is_logged_without_the_token(client, audit):
    url = reverse("scheduling:calendar-feed", kwargs={"token": "not-a-token"})
    assert client.get(url).status_code == 404
    [logged] = [r.getMessage() for r in audit.records if r.name == "teams.access"]
    assert logged.endswith("calendar-feed=- status=404")
    assert "not-a-token" not in logged
