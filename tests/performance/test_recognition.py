"""Recognition: the team's kudos wall, welcomes for new joiners, work anniversaries and
opt-in birthdays on the lead's home."""

import datetime as dt

import pytest
from django.urls import reverse

from performance.models import BirthdayShare, WelcomePost
from performance.services import feedback as feedback_services
from tests.conftest import client_for
from tests.factories import AssociateFactory, BirthdayShareFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.UTC)  # a Monday in Dublin


@pytest.fixture
def frozen():
    import time_machine

    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def kudos(giver, to, text):
    return feedback_services.give_kudos(
        actor=giver.user, giver=giver, to=to, situation="On the queue", behaviour=text, impact=""
    )


def test_the_wall_shows_shared_peer_kudos_of_the_team_newest_first(
    cast, associate, teammate, lead, other_associate
):
    kudos(associate, teammate, "MKOLDERKUDOS")
    kudos(teammate, associate, "MKNEWERKUDOS")
    feedback_services.give_feedback(
        actor=lead, associate=associate, kind="praise", situation="s", behaviour="MKLEADPRAISE"
    )
    feedback_services.give_feedback(
        actor=lead,
        associate=associate,
        kind="constructive",
        situation="s",
        behaviour="MKPRIVATE",
        is_private=True,
    )
    url = reverse("performance:kudos-wall", args=[associate.team_id])
    for persona in ("associate", "teammate", "lead", "manager", "admin"):
        body = client_for(cast[persona]).get(url).content.decode()
        assert body.index("MKNEWERKUDOS") < body.index("MKOLDERKUDOS"), persona
        assert "MKLEADPRAISE" not in body
        assert "MKPRIVATE" not in body
    assert client_for(other_associate.user).get(url).status_code == 404


def test_the_wall_is_paginated_with_an_htmx_fragment(associate, teammate, lead):
    for n in range(25):
        kudos(associate, teammate, f"Kudos number {n:02d}")
    url = reverse("performance:kudos-wall", args=[associate.team_id])
    client = client_for(lead)
    first = client.get(url).content.decode()
    assert "Kudos number 24" in first
    assert "Kudos number 04" not in first
    second = client.get(url, {"page": 2}, HTTP_HX_REQUEST="true").content.decode()
    assert second.lstrip().startswith('<section id="kudos"')
    assert "Kudos number 04" in second
    assert "Kudos number 24" not in second
    assert client.get(url, {"page": "zzz"}).status_code == 200


@pytest.mark.parametrize("kudos_count", [3, 30])
def test_the_wall_has_a_query_budget(
    django_assert_max_num_queries, associate, teammate, lead, kudos_count
):
    for n in range(kudos_count):
        kudos(associate, teammate, f"Thanks {n}")
    AssociateFactory(team=associate.team, hired_on=associate.team.site.local_today())
    client = client_for(lead)
    with django_assert_max_num_queries(10):
        client.get(reverse("performance:kudos-wall", args=[associate.team_id]))


def test_a_new_joiner_is_welcomed_on_the_wall_and_the_leads_home(frozen, team, lead, associate):
    noah = AssociateFactory(
        team=team,
        user=UserFactory(first_name="Noah", last_name="New"),
        hired_on=dt.date(2026, 11, 27),
    )
    AssociateFactory(team=team, hired_on=dt.date(2026, 11, 16))  # 14 days ago: not new
    AssociateFactory(team=team, hired_on=dt.date(2026, 12, 7))  # not started yet
    line = "Welcome Noah, who joined Payments on 27 Nov"
    wall = reverse("performance:kudos-wall", args=[team.pk])
    lead_client = client_for(lead)
    assert line in lead_client.get(wall).content.decode()
    assert lead_client.get(reverse("teams:home")).content.decode().count("Welcome ") == 1
    assert line in client_for(associate.user).get(reverse("teams:home")).content.decode()

    response = lead_client.post(wall, {"associate": noah.pk, "message": "Glad you're here!"})
    assert response.status_code == 302
    post = WelcomePost.objects.get(associate=noah)
    assert (post.message, post.author) == ("Glad you're here!", lead)
    assert "Glad you&#x27;re here!" in client_for(associate.user).get(wall).content.decode()
    # Only leads write it; a bad one is a form error.
    assert (
        client_for(associate.user).post(wall, {"associate": noah.pk, "message": "Hi"}).status_code
        == 403
    )
    bad = lead_client.post(wall, {"associate": noah.pk, "message": "x" * 5000})
    assert bad.status_code == 200
    assert WelcomePost.objects.get(associate=noah).message == "Glad you're here!"


def test_anniversaries_and_shared_birthdays_of_the_next_two_weeks_on_the_leads_home(
    frozen, team, lead, associate, teammate
):
    associate.hired_on = dt.date(2023, 12, 10)
    associate.save()
    teammate.hired_on = dt.date(2024, 12, 20)  # 20 days ahead: too far
    teammate.save()
    BirthdayShareFactory(associate=teammate, month=12, day=3)
    late = AssociateFactory(team=team, user=UserFactory(first_name="Lia"))
    BirthdayShareFactory(associate=late, month=12, day=31)  # too far
    body = client_for(lead).get(reverse("teams:home")).content.decode()
    assert "Ada Associate — 3 years on Thu 10 Dec" in body
    # Said once: the roster's own "Work anniversaries this week" card is gone.
    assert body.count("3 years on Thu 10 Dec") == 1
    assert "Work anniversaries this week" not in body
    assert "Tim Teammate — Thu 3 Dec" in body
    assert "2024" not in body.split("Celebrations", 1)[1].split("</section>", 1)[0]
    assert "Lia" not in body


def test_an_associate_shares_their_birthday_and_stops(frozen, associate, lead):
    url = reverse("performance:my-birthday")
    client = client_for(associate.user)
    assert client.post(url, {"share": "on", "month": "2", "day": "31"}).status_code == 200
    assert not BirthdayShare.objects.exists()
    assert client.post(url, {"share": "on", "month": "12", "day": "7"}).status_code == 302
    assert BirthdayShare.objects.get(associate=associate).day == 7
    assert (
        "Ada Associate — Mon 7 Dec" in client_for(lead).get(reverse("teams:home")).content.decode()
    )
    assert client.post(url, {}).status_code == 302
    assert not BirthdayShare.objects.exists()
    assert client.post(url, {"share": "on", "month": "2", "day": "29"}).status_code == 302


def test_a_29_february_birthday_is_on_28_february_in_other_years(associate):
    share = BirthdayShareFactory(associate=associate, month=2, day=29)
    assert share.on_in(2027) == dt.date(2027, 2, 28)
    assert share.on_in(2028) == dt.date(2028, 2, 29)


def test_a_leavers_birthday_goes_and_the_export_lists_team_life(associate, lead):
    from performance.models import PulseParticipation
    from performance.selectors.data_export import subject_export
    from performance.services.retention import REMOVED, anonymise_associate
    from tests.factories import PulseRoundFactory, WelcomePostFactory

    BirthdayShareFactory(associate=associate, month=5, day=1)
    WelcomePostFactory(associate=associate, author=lead, message="Welcome Ada!")
    PulseParticipation.objects.create(
        round=PulseRoundFactory(team=associate.team), user=associate.user
    )
    parts = {part.name: part for part in subject_export(associate)}
    assert parts["birthday_share"].rows[0]["month"] == 5
    assert parts["welcome_post"].rows[0]["message"] == "Welcome Ada!"
    assert len(parts["pulse_participation"].rows) == 1
    anonymise_associate(associate)
    assert not BirthdayShare.objects.exists()
    assert WelcomePost.objects.get().message == REMOVED
