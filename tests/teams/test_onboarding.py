"""Onboarding: the template, the plan page, ticking, the buddy, the new joiners' list,
the home panels, ramp targets on the skills matrix, and the two daily jobs."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from teams.models import (
    AuditEvent,
    OnboardingItem,
    OnboardingPlan,
    OnboardingTemplate,
    OwnerRole,
    TemplateItem,
)
from teams.services import onboarding as services
from teams.tasks import send_onboarding_reminders, send_start_date_invitations
from tests.conftest import client_for
from tests.factories import (
    AssociateFactory,
    AssociateSkillFactory,
    OnboardingItemFactory,
    OnboardingPlanFactory,
    RampTargetFactory,
    SkillFactory,
    UserFactory,
)

START = dt.date(2030, 3, 4)  # a Monday


@pytest.fixture
def joiner(team):
    user = UserFactory(username="nina", first_name="Nina", last_name="New")
    return AssociateFactory(user=user, team=team, hired_on=START)


@pytest.fixture
def plan(joiner, lead):
    return OnboardingPlanFactory(associate=joiner, starts_on=START, created_by=lead)


@pytest.fixture
def items(plan, lead, joiner):
    return {
        "accounts": OnboardingItemFactory(
            plan=plan, title="Accounts", owner=lead, due_on=START - dt.timedelta(days=2)
        ),
        "training": OnboardingItemFactory(
            plan=plan, title="Training", owner=joiner.user, due_on=START + dt.timedelta(days=5)
        ),
        "check_in": OnboardingItemFactory(
            plan=plan, title="30-day", owner=lead, due_on=START + dt.timedelta(days=30)
        ),
    }


class TestTemplate:
    def test_a_team_gets_the_default_set_once(self, team):
        first = services.template_for(team)
        again = services.template_for(team)
        assert first == again
        titles = list(first.items.values_list("title", "due_day", "owner_role"))
        assert len(titles) == 9
        assert titles[0] == ("Accounts and tools ready", -2, OwnerRole.LEAD)
        assert ("Meet your buddy", 0, OwnerRole.BUDDY) in titles
        assert {day for _t, day, _o in titles} >= {30, 60, 90, 4, 5, 10}

    def test_the_lead_edits_it_with_the_formset(self, team, lead):
        url = reverse("teams:onboarding-template", args=[team.pk])
        page = client_for(lead).get(url)
        assert page.status_code == 200
        data = {
            "items-TOTAL_FORMS": "2",
            "items-INITIAL_FORMS": "0",
            "items-0-title": "Laptop",
            "items-0-kind": "tool",
            "items-0-owner_role": "lead",
            "items-0-due_day": "0",
            "items-1-title": "Meet the QA team",
            "items-1-kind": "other",
            "items-1-owner_role": "buddy",
            "items-1-due_day": "-3",
        }
        assert client_for(lead).post(url, data).status_code == 302
        template = OnboardingTemplate.objects.get(team=team)
        assert list(template.items.values_list("title", "due_day")) == [
            ("Meet the QA team", -3),
            ("Laptop", 0),
        ]

    @pytest.mark.parametrize(
        "bad",
        [
            {"items-0-title": "Lap\x00top"},
            {"items-0-title": "x" * 100_000},
            {"items-0-due_day": "9999"},
            {"items-0-due_day": "-31"},
            {"items-0-kind": "nonsense"},
            {"items-TOTAL_FORMS": "500"},
        ],
    )
    def test_bad_input_is_a_field_error_and_changes_nothing(self, team, lead, bad):
        before = list(services.template_for(team).items.values_list("title", flat=True))
        data = {
            "items-TOTAL_FORMS": "1",
            "items-INITIAL_FORMS": "0",
            "items-0-title": "Laptop",
            "items-0-kind": "tool",
            "items-0-owner_role": "lead",
            "items-0-due_day": "0",
        } | bad
        url = reverse("teams:onboarding-template", args=[team.pk])
        response = client_for(lead).post(url, data)
        assert response.status_code == 200
        after = list(
            TemplateItem.objects.filter(template__team=team).values_list("title", flat=True)
        )
        assert after == before

    def test_the_manager_reads_it_only(self, team, manager):
        url = reverse("teams:onboarding-template", args=[team.pk])
        page = client_for(manager).get(url)
        assert page.status_code == 200
        assert "Save template" not in page.content.decode()
        assert client_for(manager).post(url, {}).status_code == 403


class TestPlanPage:
    def test_the_joiner_sees_their_own_checklist(self, plan, items, joiner):
        response = client_for(joiner.user).get(reverse("teams:onboarding-plan", args=[plan.pk]))
        assert response.status_code == 200
        html = response.content.decode()
        assert "Your onboarding" in html
        assert "Before the first day" in html
        assert "Training" in html
        # they may tick their own item, not the lead's
        assert reverse("teams:onboarding-item-done", args=[items["training"].pk]) in html
        assert reverse("teams:onboarding-item-done", args=[items["accounts"].pk]) not in html

    def test_another_joiner_gets_a_404(self, plan, items, team, teammate):
        other = OnboardingPlanFactory(associate=teammate, starts_on=START)
        assert (
            client_for(teammate.user)
            .get(reverse("teams:onboarding-plan", args=[plan.pk]))
            .status_code
            == 404
        )
        assert (
            client_for(plan.associate.user)
            .get(reverse("teams:onboarding-plan", args=[other.pk]))
            .status_code
            == 404
        )

    def test_the_manager_reads_it_without_ticks(self, plan, items, manager):
        html = client_for(manager).get(reverse("teams:onboarding-plan", args=[plan.pk]))
        assert html.status_code == 200
        assert "Mark done" not in html.content.decode()

    def test_query_budget_independent_of_rows(
        self, plan, lead, django_assert_max_num_queries, joiner
    ):
        client = client_for(lead)
        url = reverse("teams:onboarding-plan", args=[plan.pk])
        for n in range(3):
            OnboardingItemFactory(plan=plan, owner=lead, due_on=START + dt.timedelta(days=n))
            RampTargetFactory(plan=plan, skill=SkillFactory(name=f"Skill {n}"))
        with django_assert_max_num_queries(16) as few:
            assert client.get(url).status_code == 200
        for n in range(30):
            OnboardingItemFactory(plan=plan, owner=joiner.user, due_on=START + dt.timedelta(days=n))
            RampTargetFactory(plan=plan, skill=SkillFactory(name=f"More {n}"))
        with django_assert_max_num_queries(len(few.captured_queries)):
            assert client.get(url).status_code == 200


class TestTicking:
    def url(self, item):
        return reverse("teams:onboarding-item-done", args=[item.pk])

    def test_the_joiner_ticks_their_own_once(self, items, joiner):
        client = client_for(joiner.user)
        item = items["training"]
        assert client.post(self.url(item), {"done": "1"}).status_code == 302
        item.refresh_from_db()
        done_at = item.done_at
        assert done_at is not None
        assert item.done_by == joiner.user
        client.post(self.url(item), {"done": "1"})  # a second click of the same form
        item.refresh_from_db()
        assert item.done_at == done_at

    def test_the_joiner_may_not_tick_the_leads(self, items, joiner):
        response = client_for(joiner.user).post(self.url(items["accounts"]), {"done": "1"})
        assert response.status_code == 403
        assert OnboardingItem.objects.get(pk=items["accounts"].pk).done_at is None

    @pytest.mark.parametrize(("persona", "status"), [("manager", 403), ("teammate", 404)])
    def test_others_are_refused(self, items, cast, persona, status):
        response = client_for(cast[persona]).post(self.url(items["training"]), {"done": "1"})
        assert response.status_code == status
        assert OnboardingItem.objects.get(pk=items["training"].pk).done_at is None

    def test_the_lead_ticks_any_and_htmx_gets_the_row(self, items, lead):
        item = items["training"]
        response = client_for(lead).post(self.url(item), {"done": "1"}, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        assert f'id="onboarding-item-{item.pk}"' in response.content.decode()
        client_for(lead).post(self.url(item), {"done": "0"})
        assert OnboardingItem.objects.get(pk=item.pk).done_at is None

    def test_bad_input_is_a_400(self, items, lead):
        response = client_for(lead).post(self.url(items["training"]), {"done": "\x00"})
        assert response.status_code == 400


class TestBuddy:
    def test_the_buddy_takes_the_buddy_items(self, team, lead, teammate, joiner):
        plan = services.start_plan(actor=lead, associate=joiner, skills=[], team=team)
        url = reverse("teams:onboarding-plan", args=[plan.pk])
        assert client_for(lead).post(url, {"buddy": teammate.pk}).status_code == 302
        owners = dict(plan.items.values_list("title", "owner"))
        assert owners["Meet your buddy"] == teammate.user_id
        assert owners["Shadowing on live queues (days 3–10)"] == teammate.user_id
        assert owners["Accounts and tools ready"] == lead.pk
        assert client_for(lead).post(url, {"buddy": ""}).status_code == 302
        assert dict(plan.items.values_list("title", "owner"))["Meet your buddy"] == lead.pk

    def test_the_buddy_does_not_read_the_plan(self, team, lead, teammate, joiner):
        """An associate sees only their own records (DESIGN.md): the buddy's items are
        ticked by the lead, and the buddy sees no teammate's checklist."""
        plan = services.start_plan(actor=lead, associate=joiner, skills=[], team=team)
        services.set_buddy(actor=lead, plan=plan, buddy=teammate)
        page = reverse("teams:onboarding-plan", args=[plan.pk])
        assert client_for(teammate.user).get(page).status_code == 404
        item = plan.items.get(title="Meet your buddy")
        tick = reverse("teams:onboarding-item-done", args=[item.pk])
        assert client_for(teammate.user).post(tick, {"done": "1"}).status_code == 404
        assert OnboardingItem.objects.get(pk=item.pk).done_at is None

    def test_the_message_says_the_lead_ticks_the_buddys_items(self, team, lead, teammate, joiner):
        plan = services.start_plan(actor=lead, associate=joiner, skills=[], team=team)
        url = reverse("teams:onboarding-plan", args=[plan.pk])
        html = client_for(lead).post(url, {"buddy": teammate.pk}, follow=True).content.decode()
        assert "their items are theirs" not in html
        assert "they do not see this plan, so a lead ticks the items off when told" in html

    def test_an_item_passed_to_the_buddy_is_reminded_to_them_once(
        self, team, lead, teammate, joiner
    ):
        plan = services.start_plan(actor=lead, associate=joiner, skills=[], team=team)
        assert services.send_onboarding_reminders(today=START) >= 1  # the lead's, meanwhile
        meet = plan.items.get(title="Meet your buddy")
        assert meet.owner == lead
        assert meet.reminded_at is not None
        services.set_buddy(actor=lead, plan=plan, buddy=teammate)
        meet.refresh_from_db()
        assert (meet.owner, meet.reminded_at) == (teammate.user, None)
        mail.outbox.clear()
        assert services.send_onboarding_reminders(today=START) == 1
        assert mail.outbox[0].to == [teammate.user.email]
        assert "Meet your buddy" in mail.outbox[0].subject
        assert services.send_onboarding_reminders(today=START) == 0
        # An item that stays with its owner keeps its reminder: nobody hears twice.
        accounts = plan.items.get(title="Accounts and tools ready")
        assert accounts.owner == lead
        assert accounts.reminded_at is not None

    def test_a_buddy_from_another_team_is_refused(self, plan, lead, other_associate):
        url = reverse("teams:onboarding-plan", args=[plan.pk])
        response = client_for(lead).post(url, {"buddy": other_associate.pk})
        assert response.status_code == 200  # the field's error
        assert OnboardingPlan.objects.get(pk=plan.pk).buddy is None


class TestList:
    def test_current_joiners_of_the_users_teams(self, plan, items, lead, other_lead, team):
        done = OnboardingPlanFactory(
            associate=AssociateFactory(team=team), starts_on=dt.date(2020, 1, 6)
        )
        html = client_for(lead).get(reverse("teams:onboarding-list")).content.decode()
        assert plan.associate.name in html
        assert done.associate.name not in html  # long done
        other = client_for(other_lead).get(reverse("teams:onboarding-list")).content.decode()
        assert plan.associate.name not in other

    def test_query_budget(self, lead, team, django_assert_max_num_queries):
        client = client_for(lead)
        url = reverse("teams:onboarding-list")

        def joiners(n):
            for _ in range(n):
                made = OnboardingPlanFactory(associate=AssociateFactory(team=team))
                OnboardingItemFactory(plan=made, owner=lead)

        joiners(2)
        with django_assert_max_num_queries(12) as few:
            assert client.get(url).status_code == 200
        joiners(20)
        with django_assert_max_num_queries(len(few.captured_queries)):
            assert client.get(url).status_code == 200


class TestHome:
    def test_the_joiner_sees_their_card(self, plan, items, joiner):
        html = client_for(joiner.user).get(reverse("teams:home")).content.decode()
        assert "Your onboarding" in html
        assert "0 of 3" in html
        assert "Accounts" in html  # next
        assert reverse("teams:onboarding-plan", args=[plan.pk]) in html

    def test_the_lead_sees_overdue_items(self, plan, items, lead):
        with time_machine.travel(dt.datetime(2030, 3, 10, 12, tzinfo=dt.UTC)):
            html = client_for(lead).get(reverse("teams:home")).content.decode()
        assert "2 items overdue" in html  # accounts (day -2) and training (day 5)


class TestSkillsMatrix:
    def test_a_ramp_target_not_reached_shows(self, plan, team, lead, joiner):
        payments = SkillFactory(name="Payments")
        chat = SkillFactory(name="Chat")
        AssociateSkillFactory(associate=joiner, skill=payments, level=1)
        AssociateSkillFactory(associate=joiner, skill=chat, level=3)
        RampTargetFactory(plan=plan, skill=payments, by_day=60)
        RampTargetFactory(plan=plan, skill=chat, by_day=60)
        html = client_for(lead).get(reverse("teams:team-detail", args=[team.pk])).content.decode()
        assert "target Proficient by 3 May" in html  # 4 Mar + 60 days
        assert html.count("target Proficient") == 1  # chat is reached
        detail = client_for(joiner.user).get(reverse("teams:associate-detail", args=[joiner.pk]))
        assert "target Proficient by 3 May" in detail.content.decode()

    def test_no_query_per_row(self, team, lead, django_assert_max_num_queries):
        url = reverse("teams:team-detail", args=[team.pk])
        skill = SkillFactory(name="Payments")

        def joiners(n):
            for _ in range(n):
                made = OnboardingPlanFactory(associate=AssociateFactory(team=team))
                RampTargetFactory(plan=made, skill=skill)

        joiners(1)
        client = client_for(lead)
        with django_assert_max_num_queries(30) as few:
            client.get(url)
        joiners(10)
        with django_assert_max_num_queries(len(few.captured_queries)):
            client.get(url)


class TestInvitations:
    @pytest.fixture(autouse=True)
    def _not_invited_yet(self, joiner):
        joiner.user.set_unusable_password()  # as the hire makes them
        joiner.user.save()

    def test_not_before_the_start_date_then_once(self, plan):
        before = START - dt.timedelta(days=1)
        assert services.send_start_date_invitations(today=before) == 0
        assert mail.outbox == []
        assert services.send_start_date_invitations(today=START) == 1
        assert len(mail.outbox) == 1
        assert mail.outbox[0].to == [plan.associate.user.email]
        assert services.send_start_date_invitations(today=START) == 0
        assert len(mail.outbox) == 1
        assert OnboardingPlan.objects.get(pk=plan.pk).invitation_sent_at is not None

    @pytest.mark.parametrize("days", [-2, 3])
    def test_a_start_date_moved_earlier_or_later_moves_the_invitation(self, plan, joiner, days):
        """The lead moved the start (earlier or later) after the plan was made."""
        joiner.hired_on = START + dt.timedelta(days=days)
        joiner.save()
        assert services.send_start_date_invitations(today=joiner.hired_on - dt.timedelta(1)) == 0
        assert services.send_start_date_invitations(today=joiner.hired_on) == 1

    def test_the_beat_task_uses_the_sites_day_and_morning(self, plan):
        # 23:30 UTC on 3 March is 23:30 in Dublin (winter): still the day before.
        with time_machine.travel(dt.datetime(2030, 3, 3, 23, 30, tzinfo=dt.UTC)):
            assert send_start_date_invitations() == 0
        # The hourly sweeps of the start date's night (00:25 … 07:25) wait for 08:00.
        for hour in (0, 7):
            with time_machine.travel(dt.datetime(2030, 3, 4, hour, 25, tzinfo=dt.UTC)):
                assert send_start_date_invitations() == 0
        assert mail.outbox == []
        with time_machine.travel(dt.datetime(2030, 3, 4, 8, 25, tzinfo=dt.UTC)):
            assert send_start_date_invitations() == 1
            assert send_start_date_invitations() == 0
        assert len(mail.outbox) == 1

    def test_from_eight_in_the_sites_own_zone(self, plan, site):
        site.time_zone = "Asia/Kolkata"  # UTC+5:30
        site.save()
        kolkata = site.zone
        at = dt.datetime(2030, 3, 4, 7, 59, tzinfo=kolkata)
        assert services.send_start_date_invitations(now=at) == 0
        assert services.send_start_date_invitations(now=at.astimezone(dt.UTC)) == 0
        assert mail.outbox == []
        eight = dt.datetime(2030, 3, 4, 8, 0, tzinfo=kolkata)  # 02:30 UTC
        assert services.send_start_date_invitations(now=eight.astimezone(dt.UTC)) == 1
        assert len(mail.outbox) == 1

    def test_a_sweep_missed_on_the_start_date_is_caught_up_the_next_night(self, plan):
        night_after = dt.datetime(2030, 3, 5, 0, 25, tzinfo=dt.UTC)
        assert services.send_start_date_invitations(now=night_after) == 1

    def test_a_moved_start_date_moves_the_invitation(self, plan, joiner):
        # The plan copied the start date at the hire; the lead moves it a week later.
        joiner.hired_on = START + dt.timedelta(days=7)
        joiner.save()
        assert services.send_start_date_invitations(today=START) == 0
        assert services.send_start_date_invitations(today=START + dt.timedelta(days=6)) == 0
        assert mail.outbox == []
        assert services.send_start_date_invitations(today=START + dt.timedelta(days=7)) == 1
        assert mail.outbox[0].to == [joiner.user.email]

    def test_a_leaver_is_not_invited(self, plan):
        plan.associate.is_active = False
        plan.associate.save()
        assert services.send_start_date_invitations(today=START) == 0
        assert mail.outbox == []

    def test_a_failed_send_is_retried_next_run(self, plan, monkeypatch):
        from teams.services import roster

        def down(**kwargs):
            raise OSError("smtp down")

        monkeypatch.setattr(roster, "send_invitation", down)
        with pytest.raises(OSError, match="smtp down"):
            services.send_start_date_invitations(today=START)
        assert OnboardingPlan.objects.get(pk=plan.pk).invitation_sent_at is None
        monkeypatch.undo()
        assert services.send_start_date_invitations(today=START) == 1


class TestReminders:
    def test_each_owner_once(self, items, lead, joiner):
        day = START - dt.timedelta(days=3)  # accounts due in 1 day; the joiner has not started
        assert services.send_onboarding_reminders(today=day) == 1
        assert mail.outbox[-1].to == [lead.email]
        assert "Accounts" in mail.outbox[-1].subject
        assert services.send_onboarding_reminders(today=day) == 0
        later = START + dt.timedelta(days=4)  # training due tomorrow, the joiner's
        assert send_onboarding_reminders.apply(kwargs={}).successful()  # no-op at real today
        assert services.send_onboarding_reminders(today=later) == 1
        assert mail.outbox[-1].to == [joiner.user.email]
        assert services.send_onboarding_reminders(today=later) == 0
        assert AuditEvent.objects.filter(action=AuditEvent.Action.REMINDER_CLAIMED).count() == 2

    def test_the_buddys_reminder_has_no_link_to_a_plan_they_cannot_open(
        self, team, lead, teammate, joiner
    ):
        plan = services.start_plan(actor=lead, associate=joiner, skills=[], team=team)
        services.set_buddy(actor=lead, plan=plan, buddy=teammate)
        services.send_onboarding_reminders(today=START)
        by_owner = {tuple(m.to): m for m in mail.outbox}
        path = reverse("teams:onboarding-plan", args=[plan.pk])
        buddys = by_owner[(teammate.user.email,)]
        assert "Meet your buddy" in buddys.subject
        assert path not in buddys.body
        assert "When it is done, tell Lena Lead: they tick it off on" in buddys.body
        assert client_for(teammate.user).get(path).status_code == 404  # as it stays
        leads = by_owner[(lead.email,)]  # the lead opens the plan: the link
        assert path in leads.body
        assert "tell " not in leads.body

    def test_the_joiners_own_reminder_links_to_their_plan(self, items, joiner):
        services.send_onboarding_reminders(today=START + dt.timedelta(days=4))
        (own,) = [m for m in mail.outbox if m.to == [joiner.user.email]]
        assert reverse("teams:onboarding-plan", args=[items["training"].plan_id]) in own.body

    def test_a_done_item_is_not_reminded(self, items, lead):
        OnboardingItem.objects.filter(pk=items["accounts"].pk).update(
            done_at=dt.datetime.now(dt.UTC)
        )
        assert services.send_onboarding_reminders(today=START) == 0
