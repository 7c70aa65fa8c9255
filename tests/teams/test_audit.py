"""The audit log: one event per thing that happened, written by `teams.audit.record`
in the caller's transaction, never changed or deleted, read by ops admins in the
Django admin."""

import datetime as dt
import hashlib
import json
import re

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from teams import audit
from teams.models import AssociateSkill, AuditEvent, AuditLogIsAppendOnly, Skill, User
from teams.services import roster as services
from tests.conftest import client_for
from tests.factories import (
    PASSWORD,
    AuditEventFactory,
    SkillFactory,
    TeamFactory,
    UserFactory,
)
from tests.teams.test_roster import new_person

pytestmark = pytest.mark.django_db

Action = AuditEvent.Action
LOGIN = "/accounts/login/"


def events(action: str | None = None) -> list[AuditEvent]:
    rows = AuditEvent.objects.order_by("pk")
    return list(rows.filter(action=action) if action else rows)


def everything_written() -> str:
    """Every audit row, every column, as one string (to look for what must not be there)."""
    return json.dumps(list(AuditEvent.objects.values()), default=str)


# --- record() -------------------------------------------------------------------------


class TestRecord:
    def test_writes_one_event_with_actor_target_team_and_site(self, lead, associate, team):
        event = audit.record(action=Action.ASSOCIATE_LEFT, actor=lead, target=associate, team=team)

        assert events() == [event]
        assert event is not None
        assert (event.actor, event.actor_label) == (lead, "lead")
        assert (event.target_type, event.target_id) == ("teams.associate", associate.pk)
        assert event.target_label == "Ada Associate"
        assert (event.team, event.site_id) == (team, team.site_id)

    def test_an_unknown_action_is_a_programming_error(self, lead):
        with pytest.raises(ValueError, match="Unknown audit action"):
            audit.record(action="roster.made_up", actor=lead)
        assert events() == []

    def test_without_an_actor_or_a_request_the_actor_is_the_system(self):
        event = audit.record(action=Action.REMINDER_CLAIMED, actor=None)

        assert event is not None
        assert (event.actor, event.actor_label, event.remote_addr) == (None, "system", None)

    def test_details_are_short_plain_values_without_secrets_and_bounded(self, lead):
        event = audit.record(
            action=Action.USER_CHANGED,
            actor=lead,
            details={
                "fields": ["first_name", "is_staff"],
                "password": "hunter2",
                "new_token_key": "abc123",
                "note": "x" * 500,
                "on": dt.date(2026, 1, 2),
            },
        )

        assert event is not None
        assert event.details == {
            "fields": ["first_name", "is_staff"],
            "note": "x" * audit.VALUE_CHARS,
            "on": "2026-01-02",
        }
        huge = audit.record(
            action=Action.USER_CHANGED,
            actor=lead,
            details={f"field{n}": "y" * 100 for n in range(25)},
        )
        assert huge is not None
        assert len(json.dumps(huge.details)) <= AuditEvent.DETAILS_MAX_CHARS
        assert huge.details["truncated"] is True
        assert "hunter2" not in everything_written()
        assert "abc123" not in everything_written()

    def test_an_object_keyed_by_a_secret_is_recorded_by_kind_never_by_its_key(self, lead):
        session = Session.objects.create(
            session_key="SECRET-SESSION-KEY-0123456789abcd",
            session_data="",
            expire_date=timezone.now(),
        )

        event = audit.record(action=Action.LOGOUT, actor=lead, target=session)

        assert event is not None
        assert (event.target_type, event.target_id, event.target_label) == (
            "sessions.session",
            None,
            "session",
        )
        assert "SECRET-SESSION-KEY" not in everything_written()

    def test_other_apps_objects_are_labelled_by_kind_and_id_not_by_their_text(
        self, lead, associate
    ):
        from tests.factories import ActionItemFactory

        item = ActionItemFactory(text="PEOPLE-TEXT-MARKER")

        event = audit.record(action=Action.REMINDER_CLAIMED, actor=None, target=item)

        assert event is not None
        assert event.target_label == f"action item #{item.pk}"
        assert "PEOPLE-TEXT-MARKER" not in everything_written()

    def test_the_address_comes_from_the_request_and_a_bad_one_is_left_out(self, lead, rf):
        good = rf.get("/", REMOTE_ADDR="192.0.2.7")
        bad = rf.get("/", REMOTE_ADDR="not-an-address")

        first = audit.record(action=Action.LOGIN, actor=lead, request=good)
        second = audit.record(action=Action.LOGIN, actor=lead, request=bad)

        assert first is not None
        assert second is not None
        assert (first.remote_addr, second.remote_addr) == ("192.0.2.7", None)

    def test_a_failed_write_is_logged_and_does_not_break_the_caller(
        self, lead, associate, monkeypatch, caplog
    ):
        def broken(self, *args, **kwargs):
            raise DatabaseError("disk full")

        monkeypatch.setattr(AuditEvent, "save", broken)
        with transaction.atomic():
            assert audit.record(action=Action.LOGIN, actor=lead) is None
            # The caller's transaction is still usable.
            assert services.deactivate_associate(
                actor=lead, associate=associate, left_on=dt.date(2026, 11, 1)
            )
        associate.refresh_from_db()
        assert not associate.is_active
        assert "audit event auth.login was not written" in caplog.text

    def test_a_rolled_back_change_leaves_no_audit_event(self, lead, associate):
        class Boom(Exception):
            pass

        def deactivate_then_fail():
            with transaction.atomic():
                services.deactivate_associate(
                    actor=lead, associate=associate, left_on=dt.date(2026, 11, 1)
                )
                assert len(events(Action.ASSOCIATE_LEFT)) == 1
                raise Boom

        with pytest.raises(Boom):
            deactivate_then_fail()

        associate.refresh_from_db()
        assert associate.is_active
        assert events(Action.ASSOCIATE_LEFT) == []


# --- Append-only ----------------------------------------------------------------------


class TestAppendOnly:
    def test_the_model_refuses_to_change_or_delete_an_event(self, lead):
        event = AuditEvent.objects.get(pk=AuditEventFactory(actor=lead).pk)

        event.action = Action.LOGOUT
        with pytest.raises(AuditLogIsAppendOnly):
            event.save()
        with pytest.raises(AuditLogIsAppendOnly):
            event.delete()
        with pytest.raises(AuditLogIsAppendOnly):
            AuditEvent.objects.filter(pk=event.pk).update(action=Action.LOGOUT)
        with pytest.raises(AuditLogIsAppendOnly):
            AuditEvent.objects.filter(pk=event.pk).update(actor=None, action=Action.LOGOUT)
        # bulk_update runs without a savepoint of its own: give it one.
        with pytest.raises(AuditLogIsAppendOnly), transaction.atomic():
            AuditEvent.objects.bulk_update([event], ["action"])
        with pytest.raises(AuditLogIsAppendOnly):
            AuditEvent.objects.all().delete()
        assert AuditEvent.objects.get(pk=event.pk).action == Action.LOGIN

    def test_postgresql_refuses_update_and_delete_in_raw_sql(self, lead):
        if connection.vendor != "postgresql":
            pytest.fail("This test needs PostgreSQL's trigger: run it with DATABASE_URL set.")
        event = AuditEventFactory(actor=lead)

        for sql in (
            "UPDATE teams_auditevent SET action = 'auth.logout'",
            "UPDATE teams_auditevent SET actor_label = 'someone else'",
            "UPDATE teams_auditevent SET actor_id = NULL, target_label = 'x'",
            "DELETE FROM teams_auditevent",
        ):
            with (
                pytest.raises(DatabaseError, match="append-only"),
                transaction.atomic(),
                connection.cursor() as cursor,
            ):
                cursor.execute(sql)
        row = AuditEvent.objects.values("action", "actor_label", "target_label").get()
        assert row == {"action": "auth.login", "actor_label": "lead", "target_label": ""}
        assert AuditEvent.objects.get().pk == event.pk

    def test_deleting_a_user_or_team_forgets_the_link_and_keeps_the_label(self, site):
        gone = UserFactory(username="gone")
        old_team = TeamFactory(site=site, name="Old team")
        event = audit.record(action=Action.TEAM_CHANGED, actor=gone, target=old_team, team=old_team)
        assert event is not None

        old_team.delete()
        gone.delete()

        row = AuditEvent.objects.get(pk=event.pk)
        assert (row.actor_id, row.team_id, row.site_id) == (None, None, site.pk)
        assert (row.actor_label, row.target_label) == ("gone", "Old team")


# --- Logins ---------------------------------------------------------------------------


def _try(client, username, password, address="10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


class TestLogins:
    def test_a_login_and_a_logout_are_recorded_with_the_address(self, lead):
        client = Client()
        assert _try(client, "lead", PASSWORD, address="10.0.0.7").status_code == 302
        client.post(reverse("logout"), REMOTE_ADDR="10.0.0.7")

        login, logout = events()
        assert (login.action, login.actor, login.remote_addr) == (Action.LOGIN, lead, "10.0.0.7")
        assert login.team is None  # a lead without a roster record of their own
        assert (logout.action, logout.actor, logout.remote_addr) == (
            Action.LOGOUT,
            lead,
            "10.0.0.7",
        )

    def test_someone_on_the_roster_logs_in_on_their_team(self, associate):
        assert _try(Client(), "associate", PASSWORD).status_code == 302

        (login,) = events()
        assert (login.actor, login.team, login.site_id) == (
            associate.user,
            associate.team,
            associate.team.site_id,
        )

    def test_a_failed_login_records_the_username_tried_and_the_address_not_the_password(self, lead):
        assert _try(Client(), "lead", "Wrong-Secret-1", address="10.0.0.8").status_code == 200
        assert _try(Client(), "n" * 300, "Wrong-Secret-2", address="10.0.0.9").status_code == 200

        known, unknown = events()
        assert known.action == Action.LOGIN_FAILED
        assert (known.actor, known.actor_label, known.remote_addr) == (
            None,
            "anonymous",
            "10.0.0.8",
        )
        assert (known.target_type, known.target_id) == ("teams.user", lead.pk)
        assert known.details == {"username": "lead"}
        # A name that matches no account may be a password typed into the wrong
        # box: only its digest and length are kept, never the text.
        digest = hashlib.sha256(("n" * 300).encode()).hexdigest()[:12]
        assert unknown.details == {"username_digest": digest, "username_length": 300}
        assert unknown.target_label == f"unknown username #{digest}"
        assert unknown.target_id is None
        assert "Wrong-Secret" not in everything_written()
        assert _try(Client(), "Hunter2-Password!", "x", address="10.0.0.9").status_code == 200
        assert "Hunter2" not in everything_written()

    def test_each_locked_out_attempt_is_recorded_once(self, lead, settings):
        settings.AXES_ENABLED = True
        settings.AXES_FAILURE_LIMIT = 5
        client = Client()
        statuses = [_try(client, "lead", "wrong").status_code for _ in range(5)]
        statuses.append(_try(client, "lead", PASSWORD).status_code)

        assert statuses == [200, 200, 200, 200, 429, 429]
        # Four wrong passwords; the fifth starts the lockout, the sixth is refused unchecked.
        assert [e.action for e in events()] == [Action.LOGIN_FAILED] * 4 + [
            Action.LOGIN_LOCKED_OUT
        ] * 2
        assert all(e.target_id == lead.pk for e in events())


# --- Invitations and passwords ----------------------------------------------------------


def _link_in(message) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", message.body)
    assert match, message.body
    return match.group(1)


def _set_password(link: str) -> None:
    client = Client()
    form = client.get(link, follow=True)
    assert form.status_code == 200
    new = "a-New-password-2026"
    done = client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302, done.content.decode()[:500]


class TestInvitationsAndPasswords:
    def test_an_invitation_is_recorded_when_sent_and_when_accepted(
        self, lead, team, django_capture_on_commit_callbacks
    ):
        url = reverse("teams:associate-create", kwargs={"team_id": team.pk})
        with django_capture_on_commit_callbacks(execute=True):
            assert client_for(lead).post(url, new_person(team)).status_code == 302
        nora = User.objects.get(email="nora.new@example.com")

        (sent,) = events(Action.INVITATION_SENT)
        assert (sent.actor, sent.target_id, sent.team) == (lead, nora.pk, team)
        _set_password(_link_in(mail.outbox[0]))
        (accepted,) = events(Action.INVITATION_ACCEPTED)
        assert (accepted.actor, accepted.target_id, accepted.team) == (nora, nora.pk, None)
        assert events(Action.PASSWORD_RESET_DONE) == []

    def test_a_reset_is_recorded_when_mailed_and_when_used(
        self, lead, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            Client().post(reverse("password_reset"), {"email": lead.email})

        (sent,) = events(Action.PASSWORD_RESET_SENT)
        assert (sent.actor, sent.target_id) == (None, lead.pk)
        _set_password(_link_in(mail.outbox[0]))
        (done,) = events(Action.PASSWORD_RESET_DONE)
        assert (done.actor, done.target_id) == (lead, lead.pk)
        assert events(Action.INVITATION_ACCEPTED) == []

    def test_a_reset_for_an_unknown_address_writes_nothing(
        self, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            Client().post(reverse("password_reset"), {"email": "nobody@example.com"})
        assert events() == []

    def test_a_password_change_is_recorded(self, lead):
        client = client_for(lead)
        new = "a-Changed-password-2026"
        response = client.post(
            reverse("password_change"),
            {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
        )

        assert response.status_code == 302
        (changed,) = events(Action.PASSWORD_CHANGED)
        assert (changed.actor, changed.target_id) == (lead, lead.pk)
        assert new not in everything_written()


# --- The roster -------------------------------------------------------------------------


def _edit(associate, **overrides):
    data = {
        "first_name": associate.user.first_name,
        "last_name": associate.user.last_name,
        "email": associate.user.email,
        "team": str(associate.team_id),
        "title": associate.title,
        "level": associate.level,
        "hired_on": associate.hired_on.isoformat(),
        "weekly_hours": str(associate.weekly_hours),
    }
    return data | overrides


def roster_events() -> list[AuditEvent]:
    return [e for e in events() if e.action.startswith("roster.")]


class TestRoster:
    def test_adding_an_associate_is_recorded_once(self, lead, team):
        url = reverse("teams:associate-create", kwargs={"team_id": team.pk})
        client_for(lead).post(url, new_person(team))

        (created,) = roster_events()
        assert created.action == Action.ASSOCIATE_CREATED
        assert (created.actor, created.team, created.site_id) == (lead, team, team.site_id)
        assert created.target_label == "Nora New"

    def test_an_edit_records_the_names_of_the_fields_changed_not_their_values(
        self, lead, associate
    ):
        url = reverse("teams:associate-edit", kwargs={"associate_id": associate.pk})
        client = client_for(lead)
        client.post(url, _edit(associate, title="Senior Support Wizard", level="L3"))
        associate.refresh_from_db()
        client.post(url, _edit(associate))  # nothing changed: nothing recorded

        (changed,) = roster_events()
        assert changed.action == Action.ASSOCIATE_CHANGED
        assert (changed.actor, changed.target_id, changed.team) == (
            lead,
            associate.pk,
            associate.team,
        )
        assert changed.details == {"fields": ["level", "title"]}
        assert "Senior Support Wizard" not in everything_written()

    def test_a_move_to_another_team_is_recorded_on_the_new_team(
        self, admin, associate, team, other_team
    ):
        url = reverse("teams:associate-edit", kwargs={"associate_id": associate.pk})
        client_for(admin).post(url, _edit(associate, team=str(other_team.pk)))

        (moved,) = roster_events()
        assert moved.action == Action.ASSOCIATE_MOVED
        assert (moved.actor, moved.team) == (admin, other_team)
        assert moved.details == {
            "from_team": "Payments",
            "from_team_id": team.pk,
            "to_team": "Connect",
        }

    def test_skills_added_removed_and_relevelled_are_one_event(self, lead, associate):
        chat, email, phone = (Skill.objects.create(name=n) for n in ("Chat", "Email", "Phone"))
        AssociateSkill.objects.create(associate=associate, skill=email, level=1)
        AssociateSkill.objects.create(associate=associate, skill=phone, level=2)

        changed = services.set_associate_skills(
            actor=lead, associate=associate, levels={chat: 2, email: 3, phone: None}
        )
        services.set_associate_skills(
            actor=lead, associate=associate, levels={chat: 2, email: 3, phone: None}
        )

        assert changed == 3
        (event,) = roster_events()
        assert event.action == Action.SKILLS_CHANGED
        assert (event.actor, event.target_id, event.team) == (lead, associate.pk, associate.team)
        assert event.details == {
            "added": {"Chat": 2},
            "removed": ["Phone"],
            "levels": {"Email": [1, 3]},
        }

    def test_leaving_and_coming_back_are_recorded_once_each(self, lead, associate):
        client = client_for(lead)
        for name in ("associate-deactivate", "associate-deactivate", "associate-reactivate"):
            client.post(reverse(f"teams:{name}", kwargs={"associate_id": associate.pk}))

        left, back = roster_events()
        assert (left.action, back.action) == (Action.ASSOCIATE_LEFT, Action.ASSOCIATE_REACTIVATED)
        assert left.details == {"left_on": associate.team.site.local_today().isoformat()}
        assert {left.actor, back.actor} == {lead}

    def test_the_data_access_export_is_recorded(self, admin, associate):
        client_for(admin).get(
            reverse("teams:associate-export", kwargs={"associate_id": associate.pk})
        )

        (exported,) = events(Action.DATA_EXPORTED)
        assert (exported.actor, exported.target_id, exported.team) == (
            admin,
            associate.pk,
            associate.team,
        )

    def test_anonymising_a_leaver_is_recorded_under_their_new_name(self, associate):
        from teams import retention

        services.deactivate_associate(
            actor=associate.user, associate=associate, left_on=dt.date(2024, 3, 1)
        )
        assert retention.anonymise_associate(associate_id=associate.pk)

        (event,) = events(Action.ANONYMISED)
        assert (event.actor_label, event.target_id) == ("system", associate.pk)
        assert event.target_label == f"Former associate #{associate.pk}"
        # Retention leaves the log as it was: the earlier event keeps its name and actor.
        (left,) = events(Action.ASSOCIATE_LEFT)
        assert (left.actor_label, left.target_label) == ("associate", "Ada Associate")


class TestRosterInTheAdmin:
    def test_changing_team_leads_names_who_came_and_went(self, admin, team, lead, other_lead):
        url = reverse("admin:teams_team_change", args=[team.pk])
        response = client_for(admin).post(
            url,
            {
                "name": team.name,
                "site": team.site_id,
                "leads": [other_lead.pk],
                "manager": team.manager_id,
                "_save": "Save",
            },
        )

        assert response.status_code == 302
        (event,) = roster_events()  # leads only: no "team changed" besides
        assert event.action == Action.TEAM_LEADS_CHANGED
        assert (event.actor, event.target_id, event.team) == (admin, team.pk, team)
        assert event.details == {"added": ["other_lead"], "removed": ["lead"]}

    def test_renaming_a_team_records_the_field(self, admin, team, lead):
        url = reverse("admin:teams_team_change", args=[team.pk])
        client_for(admin).post(
            url,
            {
                "name": "Payments EMEA",
                "site": team.site_id,
                "leads": [lead.pk],
                "manager": team.manager_id,
                "_save": "Save",
            },
        )

        (event,) = roster_events()
        assert event.action == Action.TEAM_CHANGED
        assert event.details == {"fields": ["Name"]}

    def test_adding_a_user_and_setting_their_password_are_recorded_without_it(self, admin):
        client = client_for(admin)
        secret = "Admin-Set-Password-77"
        client.post(
            reverse("admin:teams_user_add"),
            {
                "username": "newbie",
                "usable_password": "true",
                "password1": secret,
                "password2": secret,
                "_save": "Save",
            },
        )
        newbie = User.objects.get(username="newbie")
        client.post(
            reverse("admin:auth_user_password_change", args=[newbie.pk]),
            {"usable_password": "true", "password1": secret + "x", "password2": secret + "x"},
        )

        created, changed = roster_events()
        assert (created.action, created.actor, created.target_id) == (
            Action.USER_CREATED,
            admin,
            newbie.pk,
        )
        assert (changed.action, changed.details) == (Action.USER_CHANGED, {"fields": ["password"]})
        assert secret not in everything_written()

    def test_deleting_an_associates_skill_in_the_admin_is_recorded(self, admin, associate):
        row = AssociateSkill.objects.create(
            associate=associate, skill=SkillFactory(name="Chat"), level=2
        )
        url = reverse("admin:teams_associateskill_delete", args=[row.pk])
        assert client_for(admin).post(url, {"post": "yes"}).status_code == 302

        (event,) = roster_events()
        assert event.action == Action.SKILLS_CHANGED
        assert (event.target_id, event.team) == (associate.pk, associate.team)
        assert event.details == {"removed": ["Chat: Capable"]}


# --- The admin list ---------------------------------------------------------------------


CHANGELIST = "admin:teams_auditevent_changelist"


@pytest.fixture
def logbook(lead, associate, team, other_team):
    """A few events of several kinds, actors, teams and days."""
    old = timezone.now() - dt.timedelta(days=40)
    AuditEventFactory(actor=lead, action=Action.LOGIN, target_label="LOGIN-ROW")
    AuditEventFactory(
        actor=lead,
        action=Action.WEEK_PUBLISHED,
        team=team,
        site=team.site,
        target_label="PUBLISHED-ROW",
    )
    AuditEventFactory(
        actor=None,
        actor_label="system",
        action=Action.REMINDER_CLAIMED,
        team=other_team,
        target_label="REMINDER-ROW",
    )
    AuditEventFactory(
        actor=associate.user,
        action=Action.LOGIN,
        occurred_at=old,
        target_label="OLD-ROW",
    )


def _rows(response) -> set[str]:
    return set(re.findall(r"[A-Z]+-ROW", response.content.decode()))


class TestAdminList:
    def test_an_ops_admin_filters_by_action_actor_team_date_and_text(
        self, admin, lead, team, logbook
    ):
        client = client_for(admin)
        url = reverse(CHANGELIST)
        # The admin's own login (client_for) is in the log too; the planted rows:
        assert _rows(client.get(url)) == {"LOGIN-ROW", "PUBLISHED-ROW", "REMINDER-ROW", "OLD-ROW"}
        assert _rows(client.get(url, {"action": "schedule.week_published"})) == {"PUBLISHED-ROW"}
        assert _rows(client.get(url, {"actor": str(lead.pk)})) == {"LOGIN-ROW", "PUBLISHED-ROW"}
        assert _rows(client.get(url, {"actor": "system"})) == {"REMINDER-ROW"}
        assert _rows(client.get(url, {"team__id__exact": str(team.pk)})) == {"PUBLISHED-ROW"}
        since = (timezone.now() - dt.timedelta(days=7)).isoformat()
        recent = client.get(url, {"occurred_at__gte": since})
        assert "OLD-ROW" not in _rows(recent)
        assert "LOGIN-ROW" in _rows(recent)
        assert _rows(client.get(url, {"q": "REMINDER"})) == {"REMINDER-ROW"}
        for bad in (
            {"actor": "nobody"},
            {"actor": "²"},
            {"actor": "9" * 30},
            {"q": "'; DROP TABLE"},
            {"q": "10.0.0"},
        ):
            assert client.get(url, bad).status_code == 200

    def test_the_list_links_an_actor_to_their_events_and_reads_details_plainly(
        self, admin, lead, logbook
    ):
        AuditEventFactory(
            actor=lead,
            action=Action.SKILLS_CHANGED,
            details={"added": {"Chat": 2}, "removed": ["Phone"], "levels": {"Email": [1, 3]}},
        )
        page = client_for(admin).get(reverse(CHANGELIST)).content.decode()
        assert f"?actor={lead.pk}" in page
        for part in ("added: Chat (2)", "removed: Phone", "levels: Email (1 → 3)"):  # in any order
            assert part in page

    def test_nobody_adds_changes_or_deletes_an_event_in_the_admin(self, admin, logbook):
        client = client_for(admin)
        event = AuditEvent.objects.get(target_label="LOGIN-ROW")
        change = reverse("admin:teams_auditevent_change", args=[event.pk])

        assert client.get(reverse("admin:teams_auditevent_add")).status_code == 403
        view = client.get(change)
        assert view.status_code == 200  # readable
        assert 'name="_save"' not in view.content.decode()
        assert client.post(change, {"action": "auth.logout"}).status_code == 403
        delete = reverse("admin:teams_auditevent_delete", args=[event.pk])
        assert client.get(delete).status_code == 403
        assert client.post(delete, {"post": "yes"}).status_code == 403
        bulk = client.post(
            reverse(CHANGELIST),
            {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
        )
        assert bulk.status_code in (200, 302)
        assert AuditEvent.objects.get(pk=event.pk).action == Action.LOGIN

    def test_the_list_takes_a_fixed_number_of_queries(
        self, admin, site, django_assert_max_num_queries
    ):
        teams = [TeamFactory(site=site) for _ in range(10)]
        users = [UserFactory() for _ in range(10)]
        for n in range(200):
            AuditEventFactory(
                actor=users[n % 10],
                action=Action.values[n % len(Action.values)],
                team=teams[n % 10],
                site=site,
                details={"fields": ["title"]},
            )
        client = client_for(admin)
        url = reverse(CHANGELIST)
        # Session, user, the team and site filters, a count, the page of rows (with their
        # team), the admin's roles; picking an actor adds their name.
        with django_assert_max_num_queries(7):
            assert client.get(url).status_code == 200
        with django_assert_max_num_queries(8):
            assert client.get(url, {"actor": str(users[0].pk), "q": "user"}).status_code == 200
