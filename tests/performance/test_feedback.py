"""Feedback: a lead's notes (private or shared), peers' kudos, and the days
feedback may be about."""

import pytest
from django.urls import reverse

from performance.models import (
    Feedback,
)

from .conftest import TODAY

pytestmark = pytest.mark.django_db


def test_private_feedback_is_the_authors_own_and_shared_reaches_the_associate(
    login, lead, associate, manager
):
    url = reverse("performance:associate-feedback", args=[associate.pk])
    client = login(lead)
    base = {"kind": "praise", "situation": "Outage", "behaviour": "Calm", "impact": "CSAT held"}
    client.post(url, base)
    client.post(url, base | {"kind": "constructive", "behaviour": "Hidden", "is_private": "on"})
    assert Feedback.objects.count() == 2
    mine = login(associate.user).get(reverse("performance:my-feedback")).content.decode()
    assert "Calm" in mine
    assert "Hidden" not in mine
    assert "Hidden" not in login(manager).get(url).content.decode()
    assert "Hidden" in client.get(url).content.decode()


def test_feedback_needs_situation_and_behaviour(login, lead, associate):
    url = reverse("performance:associate-feedback", args=[associate.pk])
    assert login(lead).post(url, {"kind": "praise", "situation": "x"}).status_code == 200
    assert not Feedback.objects.exists()


def test_associate_gives_a_teammate_kudos_but_not_themself_or_another_team(
    login, associate, teammate, other_associate
):
    client = login(associate.user)
    url = reverse("performance:my-feedback")
    kudos = {"situation": "Friday rush", "behaviour": "Took my chats", "impact": ""}
    assert client.post(url, kudos | {"to": str(teammate.pk)}).status_code == 302
    client.post(url, kudos | {"to": str(associate.pk)})
    client.post(url, kudos | {"to": str(other_associate.pk)})
    given = Feedback.objects.get()
    assert (given.associate, given.source, given.is_private) == (teammate, "peer", False)
    assert "Took my chats" in login(teammate.user).get(url).content.decode()


@pytest.mark.parametrize("about", ["2030-01-01", "2026-11-26", "2020-01-01"])
def test_feedback_about_a_future_or_ancient_day_is_refused_with_a_field_error(
    login, lead, associate, frozen, about
):
    url = reverse("performance:associate-feedback", args=[associate.pk])
    data = {"kind": "praise", "situation": "Outage", "behaviour": "Calm", "about_on": about}
    response = login(lead).post(url, data)
    assert response.status_code == 200
    assert response.context["form"].errors["about_on"]
    assert not Feedback.objects.exists()


def test_feedback_about_today_is_accepted(login, lead, associate, frozen):
    url = reverse("performance:associate-feedback", args=[associate.pk])
    data = {"kind": "praise", "situation": "Outage", "behaviour": "Calm", "about_on": "2026-11-25"}
    assert login(lead).post(url, data).status_code == 302
    assert Feedback.objects.get().about_on == TODAY
