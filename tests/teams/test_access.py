import logging

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from teams.access import get_associate_for_user, get_team_for_user, roles_for
from tests.factories import TeamFactory

pytestmark = pytest.mark.django_db


def test_roles_follow_the_roster(cast, team, other_team, associate):
    assert roles_for(cast["lead"]).led_team_ids == {team.pk}
    assert roles_for(cast["manager"]).managed_team_ids == {team.pk}
    assert roles_for(cast["associate"]).associate_id == associate.pk
    assert not roles_for(cast["associate"]).has_teams
    assert roles_for(cast["admin"]).can_change_team(other_team.pk)


def test_roles_are_computed_once_per_user_object(cast, django_assert_num_queries):
    lead = cast["lead"]
    with django_assert_num_queries(2):
        roles_for(lead)
        roles_for(lead)


def test_an_inactive_user_has_no_roles(cast, team):
    lead = cast["lead"]
    lead.is_active = False
    assert not roles_for(lead).can_see_team(team.pk)


def test_a_missing_team_and_a_foreign_team_are_the_same_404(cast, other_team):
    with pytest.raises(Http404):
        get_team_for_user(cast["lead"], other_team.pk)
    with pytest.raises(Http404):
        get_team_for_user(cast["lead"], 999_999)


def test_admin_gets_a_404_for_a_team_that_does_not_exist(cast):
    with pytest.raises(Http404):
        get_team_for_user(cast["admin"], 999_999)


def test_visible_but_read_only_is_403(cast, team, associate):
    with pytest.raises(PermissionDenied):
        get_team_for_user(cast["manager"], team.pk, for_change=True)
    with pytest.raises(PermissionDenied):
        get_associate_for_user(cast["associate"], associate.pk, for_change=True)


def test_a_lead_of_two_teams_changes_both(cast, site, lead):
    second = TeamFactory(site=site, leads=[lead])
    assert get_team_for_user(lead, second.pk, for_change=True) == second


def test_failed_authorization_is_logged(cast, other_team, caplog):
    with caplog.at_level(logging.WARNING, logger="teams.access"), pytest.raises(Http404):
        get_team_for_user(cast["lead"], other_team.pk)
    assert f"user={cast['lead'].pk} team={other_team.pk} status=404" in caplog.text


@pytest.mark.django_db
def test_the_session_user_comes_with_their_roster_record_and_old_sessions_stay_valid(lead):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tests.factories import AssociateFactory

    AssociateFactory(user=lead)
    client = Client()
    client.force_login(lead)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    lookups = [q for q in queries if 'WHERE "teams_associate"."user_id"' in q["sql"]]
    assert lookups == []  # the roster record came with the user
    # A session begun with Django's ModelBackend (before RosterBackend) still works.
    old = Client()
    old.force_login(lead, backend="django.contrib.auth.backends.ModelBackend")
    assert old.get("/").status_code == 200


def test_led_and_overseen_teams_follow_the_roster(cast, team, other_team):
    from teams.access import led_teams, overseen_teams

    assert list(led_teams(cast["lead"])) == [team]
    assert list(led_teams(cast["manager"])) == []
    assert overseen_teams(cast["lead"]) is None
    assert overseen_teams(cast["associate"]) is None
    assert list(overseen_teams(cast["manager"])) == [team]
    assert set(overseen_teams(cast["admin"])) == {team, other_team}


def test_not_being_on_a_roster_is_a_logged_404(cast, caplog):
    from teams.access import get_own_associate

    with caplog.at_level(logging.WARNING, logger="teams.access"), pytest.raises(Http404):
        get_own_associate(cast["manager"])
    assert f"user={cast['manager'].pk} own-associate=- status=404" in caplog.text
    assert get_own_associate(cast["associate"]).user == cast["associate"]
