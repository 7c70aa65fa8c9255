import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from teams.models import Associate, AssociateSkill, User
from tests.conftest import client_for
from tests.factories import (
    AssociateFactory,
    AssociateSkillFactory,
    QueueFactory,
    SkillFactory,
    TeamFactory,
)

pytestmark = pytest.mark.django_db


def new_person(team, **overrides):
    data = {
        "first_name": "Nora",
        "last_name": "New",
        "email": "nora.new@example.com",
        "team": str(team.pk),
        "title": "Support Associate",
        "level": "L1",
        "hired_on": "2026-11-02",
        "weekly_hours": "39",
    }
    return data | overrides


USER_FIELDS = ["pk", "username", "first_name", "last_name", "email", "password", "is_active"]


def snapshot():
    return (
        # last_login moves when a test logs in; everything else must stay put.
        list(User.objects.order_by("pk").values(*USER_FIELDS)),
        list(Associate.objects.order_by("pk").values()),
        list(AssociateSkill.objects.order_by("pk").values()),
    )


class TestCreate:
    def test_lead_adds_an_associate_who_is_invited_by_email(
        self, cast, team, lead, django_capture_on_commit_callbacks
    ):
        url = reverse("teams:associate-create", kwargs={"team_id": team.pk})
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(lead).post(url, new_person(team))
        nora = Associate.objects.select_related("user").get(user__email="nora.new@example.com")
        assert response.status_code == 302
        assert response["Location"] == reverse(
            "teams:associate-detail", kwargs={"associate_id": nora.pk}
        )
        assert nora.team == team
        assert nora.hired_on == dt.date(2026, 11, 2)
        assert nora.weekly_hours == Decimal("39")
        assert not nora.user.has_usable_password()
        assert len(mail.outbox) == 1
        assert mail.outbox[0].to == ["nora.new@example.com"]
        assert "/accounts/reset/" in mail.outbox[0].body
        assert "Lena Lead has added you" in mail.outbox[0].body

    def test_invitation_link_lets_the_new_associate_choose_a_password(
        self, cast, team, lead, django_capture_on_commit_callbacks, client
    ):
        url = reverse("teams:associate-create", kwargs={"team_id": team.pk})
        with django_capture_on_commit_callbacks(execute=True):
            client_for(lead).post(url, new_person(team))
        link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/reset/" in line)
        path = link.split("127.0.0.1:8000", 1)[1]
        form_page = client.get(path, follow=True)
        assert form_page.status_code == 200
        response = client.post(
            form_page.redirect_chain[-1][0],
            {"new_password1": "a-long-new-secret-77", "new_password2": "a-long-new-secret-77"},
        )
        assert response.status_code == 302
        assert client.login(username="nora.new", password="a-long-new-secret-77")

    @pytest.mark.parametrize(
        ("persona", "status"), [("other_lead", 404), ("manager", 403), ("associate", 404)]
    )
    def test_others_cannot_add_to_the_team(self, cast, team, persona, status):
        before = snapshot()
        url = reverse("teams:associate-create", kwargs={"team_id": team.pk})
        response = client_for(cast[persona]).post(url, new_person(team))
        assert response.status_code == status
        assert snapshot() == before
        assert mail.outbox == []

    @pytest.mark.parametrize(
        ("overrides", "field", "message"),
        [
            ({"first_name": ""}, "first_name", "This field is required."),
            ({"email": "not-an-email"}, "email", "Enter a valid email address."),
            ({"email": "ASSOCIATE@example.com"}, "email", "Someone else already uses this email"),
            ({"weekly_hours": "0"}, "weekly_hours", "greater than or equal to 1"),
            ({"weekly_hours": "60"}, "weekly_hours", "less than or equal to 48"),
            ({"hired_on": "31/02/2026"}, "hired_on", "Enter a valid date."),
            ({"level": "BOSS"}, "level", "Select a valid choice."),
        ],
    )
    def test_bad_input_shows_field_errors_and_writes_nothing(
        self, cast, team, lead, overrides, field, message
    ):
        before = snapshot()
        url = reverse("teams:associate-create", kwargs={"team_id": team.pk})
        response = client_for(lead).post(url, new_person(team, **overrides))
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert field in errors
        assert message in " ".join(errors[field])
        assert message.split("'")[0] in response.content.decode()
        assert snapshot() == before

    def test_lead_cannot_put_someone_on_a_team_they_do_not_lead(self, cast, team, other_team, lead):
        before = snapshot()
        url = reverse("teams:associate-create", kwargs={"team_id": team.pk})
        response = client_for(lead).post(url, new_person(team) | {"team": str(other_team.pk)})
        assert response.status_code == 200
        assert "team" in response.context["form"].errors
        assert snapshot() == before


class TestEdit:
    def test_lead_edits_an_associate(self, cast, associate, lead):
        url = reverse("teams:associate-edit", kwargs={"associate_id": associate.pk})
        data = new_person(
            associate.team,
            first_name="Adaline",
            email="adaline@example.com",
            level="L3",
            title="Senior Support Associate",
            weekly_hours="30",
        )
        response = client_for(lead).post(url, data)
        assert response.status_code == 302
        associate.refresh_from_db()
        associate.user.refresh_from_db()
        assert associate.user.first_name == "Adaline"
        assert associate.user.email == "adaline@example.com"
        assert associate.level == "L3"
        assert associate.weekly_hours == Decimal("30")

    def test_edit_form_is_prefilled(self, cast, associate, lead):
        url = reverse("teams:associate-edit", kwargs={"associate_id": associate.pk})
        response = client_for(lead).get(url)
        assert response.status_code == 200
        html = response.content.decode()
        assert 'value="associate@example.com"' in html
        # A date input only shows an ISO date.
        assert 'type="date" name="hired_on" value="2024-03-01"' in html

    @pytest.mark.parametrize(
        ("persona", "status"),
        [("other_lead", 404), ("manager", 403), ("other_manager", 404), ("associate", 403)],
    )
    def test_others_cannot_edit(self, cast, associate, persona, status):
        before = snapshot()
        url = reverse("teams:associate-edit", kwargs={"associate_id": associate.pk})
        response = client_for(cast[persona]).post(
            url, new_person(associate.team, first_name="Hacked")
        )
        assert response.status_code == status
        assert snapshot() == before

    def test_bad_edit_writes_nothing(self, cast, associate, lead):
        before = snapshot()
        url = reverse("teams:associate-edit", kwargs={"associate_id": associate.pk})
        response = client_for(lead).post(
            url, new_person(associate.team, email="teammate@example.com")
        )
        assert response.status_code == 200
        assert "email" in response.context["form"].errors
        assert snapshot() == before

    def test_a_hire_date_years_ahead_is_refused(self, cast, associate, lead):
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


class TestDeactivate:
    def test_lead_deactivates_and_the_associates_session_ends(self, cast, associate, lead):
        associate_client = client_for(associate.user)
        assert associate_client.get(reverse("teams:home")).status_code == 200

        url = reverse("teams:associate-deactivate", kwargs={"associate_id": associate.pk})
        response = client_for(lead).post(url)

        assert response.status_code == 302
        associate.refresh_from_db()
        assert not associate.is_active
        assert associate.left_on == associate.team.site.local_today()
        assert not User.objects.get(pk=associate.user_id).is_active
        after = associate_client.get(reverse("teams:home"))
        assert after.status_code == 302
        assert after["Location"].startswith(reverse("login"))

    def test_deactivating_twice_changes_nothing_more(self, cast, associate, lead):
        url = reverse("teams:associate-deactivate", kwargs={"associate_id": associate.pk})
        client = client_for(lead)
        client.post(url)
        before = snapshot()
        response = client.post(url, follow=True)
        assert snapshot() == before
        assert "was already inactive" in response.content.decode()

    def test_reactivate_restores_access(self, cast, associate, lead):
        client = client_for(lead)
        client.post(reverse("teams:associate-deactivate", kwargs={"associate_id": associate.pk}))
        client.post(reverse("teams:associate-reactivate", kwargs={"associate_id": associate.pk}))
        associate.refresh_from_db()
        assert associate.is_active
        assert associate.left_on is None
        assert client_for(associate.user).get(reverse("teams:home")).status_code == 200

    @pytest.mark.parametrize(
        ("persona", "status"), [("other_lead", 404), ("manager", 403), ("teammate", 404)]
    )
    def test_others_cannot_deactivate(self, cast, associate, persona, status):
        before = snapshot()
        url = reverse("teams:associate-deactivate", kwargs={"associate_id": associate.pk})
        assert client_for(cast[persona]).post(url).status_code == status
        assert snapshot() == before

    def test_a_lead_cannot_deactivate_their_own_record(self, cast, team, lead):
        own = AssociateFactory(user=lead, team=team, level="LEAD")
        before = snapshot()
        url = reverse("teams:associate-deactivate", kwargs={"associate_id": own.pk})
        response = client_for(lead).post(url, follow=True)
        assert "cannot deactivate your own record" in response.content.decode()
        assert snapshot() == before

    def test_get_is_not_allowed(self, cast, associate, lead):
        url = reverse("teams:associate-deactivate", kwargs={"associate_id": associate.pk})
        assert client_for(lead).get(url).status_code == 405


class TestSkills:
    def test_lead_sets_changes_and_removes_skills(self, cast, associate, lead):
        chat, phone = SkillFactory(name="Live chat"), SkillFactory(name="Phone")
        AssociateSkillFactory(associate=associate, skill=phone, level=2)
        url = reverse("teams:associate-skills", kwargs={"associate_id": associate.pk})
        response = client_for(lead).post(url, {f"skill_{chat.pk}": "4", f"skill_{phone.pk}": ""})
        assert response.status_code == 302
        assert dict(associate.skill_levels.values_list("skill__name", "level")) == {"Live chat": 4}

    def test_saving_the_same_levels_writes_nothing(self, cast, associate, lead):
        chat = SkillFactory(name="Live chat")
        row = AssociateSkillFactory(associate=associate, skill=chat, level=3)
        url = reverse("teams:associate-skills", kwargs={"associate_id": associate.pk})
        response = client_for(lead).post(url, {f"skill_{chat.pk}": "3"}, follow=True)
        assert "No skills changed." in response.content.decode()
        assert AssociateSkill.objects.get().pk == row.pk

    def test_an_unknown_level_is_a_field_error(self, cast, associate, lead):
        chat = SkillFactory(name="Live chat")
        url = reverse("teams:associate-skills", kwargs={"associate_id": associate.pk})
        response = client_for(lead).post(url, {f"skill_{chat.pk}": "9"})
        assert response.status_code == 200
        assert f"skill_{chat.pk}" in response.context["form"].errors
        assert not AssociateSkill.objects.exists()

    @pytest.mark.parametrize(("persona", "status"), [("other_lead", 404), ("manager", 403)])
    def test_others_cannot_set_skills(self, cast, associate, persona, status):
        chat = SkillFactory(name="Live chat")
        url = reverse("teams:associate-skills", kwargs={"associate_id": associate.pk})
        assert client_for(cast[persona]).post(url, {f"skill_{chat.pk}": "4"}).status_code == status
        assert not AssociateSkill.objects.exists()


class TestTeamPage:
    @pytest.fixture
    def roster(self, team):
        chat, phone = SkillFactory(name="Live chat"), SkillFactory(name="Phone")
        zoe = AssociateFactory(team=team, user__first_name="Zoe", user__last_name="Quinn")
        AssociateSkillFactory(associate=zoe, skill=chat, level=4)
        max_ = AssociateFactory(team=team, user__first_name="Max", user__last_name="Byrne")
        AssociateSkillFactory(associate=max_, skill=chat, level=1)
        AssociateSkillFactory(associate=max_, skill=phone, level=3)
        AssociateFactory(
            team=team, user__first_name="Gone", is_active=False, left_on=dt.date(2026, 1, 1)
        )
        return {"chat": chat, "phone": phone}

    def names(self, response):
        return [a.user.first_name for a in response.context["associates"]]

    def test_shows_active_roster_and_skills_matrix(self, cast, team, lead, roster):
        response = client_for(lead).get(reverse("teams:team-detail", kwargs={"team_id": team.pk}))
        assert sorted(self.names(response)) == ["Ada", "Max", "Tim", "Zoe"]
        html = response.content.decode()
        assert "Skills matrix" in html
        assert '<span class="lvl lvl-4" title="4">4</span>' in html
        assert "Add associate" in html

    def test_search_filters_by_name(self, cast, team, lead, roster):
        url = reverse("teams:team-detail", kwargs={"team_id": team.pk})
        response = client_for(lead).get(url, {"q": "quinn"})
        assert self.names(response) == ["Zoe"]

    def test_skill_and_level_filter(self, cast, team, lead, roster):
        url = reverse("teams:team-detail", kwargs={"team_id": team.pk})
        client = client_for(lead)
        chat = roster["chat"].pk
        assert sorted(self.names(client.get(url, {"skill": chat}))) == ["Max", "Zoe"]
        assert self.names(client.get(url, {"skill": chat, "min_level": 3})) == ["Zoe"]

    def test_status_filter_shows_leavers(self, cast, team, lead, roster):
        url = reverse("teams:team-detail", kwargs={"team_id": team.pk})
        response = client_for(lead).get(url, {"status": "inactive"})
        assert self.names(response) == ["Gone"]

    def test_htmx_request_gets_only_the_roster_fragment(self, cast, team, lead, roster):
        url = reverse("teams:team-detail", kwargs={"team_id": team.pk})
        response = client_for(lead).get(url, {"q": "zoe"}, headers={"HX-Request": "true"})
        html = response.content.decode()
        assert html.lstrip().startswith('<div id="roster"')
        assert "<html" not in html
        assert "Zoe" in html
        assert "Max" not in html

    def test_manager_sees_the_team_read_only(self, cast, team, manager, roster):
        response = client_for(manager).get(
            reverse("teams:team-detail", kwargs={"team_id": team.pk})
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert "Add associate" not in html
        assert "Read-only" in html

    def test_post_is_not_allowed(self, cast, team, lead):
        url = reverse("teams:team-detail", kwargs={"team_id": team.pk})
        assert client_for(lead).post(url).status_code == 405

    def test_query_count_does_not_grow_with_the_roster(self, team, lead):
        skills = [SkillFactory(name=f"Skill {n}") for n in range(6)]
        client = client_for(lead)
        url = reverse("teams:team-detail", kwargs={"team_id": team.pk})

        def add(count):
            for _ in range(count):
                person = AssociateFactory(team=team)
                for skill in skills[:3]:
                    AssociateSkillFactory(associate=person, skill=skill, level=2)

        def queries():
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            return len(ctx)

        add(5)
        small = queries()
        add(45)
        assert team.associates.count() == 50
        assert queries() == small

    def test_team_page_with_50_associates_stays_within_budget(
        self, team, lead, django_assert_max_num_queries
    ):
        skills = [SkillFactory(name=f"Skill {n}") for n in range(6)]
        for _ in range(50):
            person = AssociateFactory(team=team)
            for skill in skills:
                AssociateSkillFactory(associate=person, skill=skill, level=3)
        client = client_for(lead)
        url = reverse("teams:team-detail", kwargs={"team_id": team.pk})
        # 10, and the matrix's targets, ramp targets and certifications (issue 16).
        with django_assert_max_num_queries(13):
            response = client.get(url)
        assert len(response.context["associates"]) == 50


class TestHome:
    def test_associate_sees_their_week_in_the_site_time_zone(self, cast, associate, time_machine):
        # 23:30 on Sunday in UTC is already Monday 00:30 in Dublin (summer time).
        time_machine.move_to(dt.datetime(2026, 6, 14, 23, 30, tzinfo=dt.UTC))
        response = client_for(associate.user).get(reverse("teams:home"))
        week = response.context["my_week"]
        assert [d["day"] for d in week if d["is_today"]] == [dt.date(2026, 6, 15)]
        assert week[0]["day"] == dt.date(2026, 6, 15)
        assert "My week" in response.content.decode()

    def test_lead_sees_team_today_with_thin_skills_and_joiners(self, cast, team, lead):
        chat = SkillFactory(name="Live chat")
        # Listed because the team needs it (issue 16: a queue, coverage or target).
        QueueFactory(team=team, skill=chat)
        AssociateSkillFactory(
            associate=AssociateFactory(team=team, hired_on=team.site.local_today()),
            skill=chat,
            level=4,
        )
        response = client_for(lead).get(reverse("teams:home"))
        html = response.content.decode()
        assert "My team today" in html
        assert "Live chat</span>: 1 proficient" in html
        assert len(response.context["new_joiners"]) == 1

    def test_manager_sees_their_teams_only(self, cast, team, other_team, manager):
        response = client_for(manager).get(reverse("teams:home"))
        assert [t.name for t in response.context["managed_teams"]] == ["Payments"]

    def test_navigation_shows_only_what_the_persona_may_use(self, cast, associate, lead):
        associate_html = client_for(associate.user).get(reverse("teams:home")).content.decode()
        lead_html = client_for(lead).get(reverse("teams:home")).content.decode()
        # As links: an associate's "Team board" (/teams/<id>/improvements/) has the
        # team list's path inside it.
        team_list = f'href="{reverse("teams:team-list")}"'
        assert team_list not in associate_html
        assert reverse("admin:index") not in associate_html
        assert team_list in lead_html
        assert reverse("admin:index") not in lead_html

    def test_home_query_budget_for_a_lead_with_two_teams(
        self, cast, team, lead, site, django_assert_max_num_queries
    ):
        second = TeamFactory(site=site, leads=[lead])
        client = client_for(lead)

        def grow(n: int) -> int:
            for t in (team, second):
                for _ in range(n):
                    AssociateFactory(team=t)
            with CaptureQueriesContext(connection) as queries:
                assert client.get(reverse("teams:home")).status_code == 200
            return len(queries)

        small = grow(2)
        # Session, user and roles 3; hiring's panels 4 (the led teams, new joiners'
        # overdue items, stale applications, scorecards to submit); issue 16: the single
        # points of failure 6 (teams, the schedule, coverage, weekend and queue skill
        # needs, holidays); the KPI alerts panel 3 (KPIs, rollups, teams) and the
        # overdue 1:1s 2; the celebrations 2 (teams, their people with their shares and
        # welcomes); the roster's "My team today" 3 (teams with headcounts, leads, the
        # active people); and the skills each team needs 5 (scheduling's three needs,
        # skill targets, ramp targets: only those are listed as thin).
        with django_assert_max_num_queries(28):
            assert client.get(reverse("teams:home")).status_code == 200
        assert grow(13) == small  # none of it grows with the teams' size


def test_headcount_counts_associates_not_the_teams_own_leads(team, lead, associate, teammate):
    from teams.models import Associate, Team
    from teams.selectors import teams_with_headcount
    from tests.factories import AssociateFactory

    AssociateFactory(user=lead, team=team)  # a player-coach is on the roster too
    Associate.objects.filter(pk=teammate.pk).update(is_active=False)

    counted = teams_with_headcount(Team.objects.filter(pk=team.pk)).get()

    assert (counted.active_count, counted.inactive_count) == (1, 1)
