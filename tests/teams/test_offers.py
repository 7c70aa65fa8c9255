"""Offers and the hire: one transaction, nothing twice, refusals change nothing."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.template.loader import render_to_string
from django.urls import reverse

from teams.models import (
    Application,
    Associate,
    AssociateSkill,
    AuditEvent,
    Offer,
    OnboardingItem,
    OnboardingPlan,
    RampTarget,
    Requisition,
    User,
)
from teams.selectors.offers import offer_panel
from teams.services import offers as services
from tests.conftest import client_for
from tests.factories import (
    ApplicationFactory,
    CandidateFactory,
    OfferFactory,
    RequisitionFactory,
    SkillFactory,
    UserFactory,
)

Action = AuditEvent.Action
Stage = Application.Stage


@pytest.fixture
def requisition(team):
    requisition = RequisitionFactory(
        team=team, status=Requisition.Status.OPEN, title="Payments associate", level="L2"
    )
    requisition.skills.set([SkillFactory(name="Payments"), SkillFactory(name="Live chat")])
    return requisition


@pytest.fixture
def application(requisition):
    candidate = CandidateFactory(name="Nina Newhire", email="nina.newhire@example.com")
    return ApplicationFactory(candidate=candidate, requisition=requisition, stage=Stage.OFFER)


def start(team, days=14):
    return team.site.local_today() + dt.timedelta(days=days)


@pytest.fixture
def offer(application, lead, team):
    return services.extend_offer(
        actor=lead,
        application=application,
        start_on=start(team),
        fte=Decimal("1.0"),
        weekly_hours=Decimal("30.0"),
    )


def counts():
    return (
        User.objects.count(),
        Associate.objects.count(),
        AssociateSkill.objects.count(),
        OnboardingPlan.objects.count(),
        OnboardingItem.objects.count(),
        RampTarget.objects.count(),
        AuditEvent.objects.exclude(action__startswith="auth.").count(),  # logins aside
    )


class TestExtend:
    def test_the_lead_extends_an_offer_at_the_offer_stage(self, offer, lead, application):
        assert offer.status == Offer.Status.EXTENDED
        assert offer.extended_by == lead
        assert offer.weekly_hours == Decimal("30.0")
        assert AuditEvent.objects.filter(action=Action.OFFER_EXTENDED).count() == 1

    def test_a_second_offer_is_refused(self, offer, lead, application, team):
        with pytest.raises(services.OfferRefused, match="already has an offer"):
            services.extend_offer(
                actor=lead,
                application=application,
                start_on=start(team, 20),
                fte=Decimal("0.5"),
                weekly_hours=Decimal("20"),
            )
        assert Offer.objects.get().start_on == start(team)

    @pytest.mark.parametrize("stage", [Stage.INTERVIEW, Stage.SCREEN, Stage.REJECTED])
    def test_only_at_the_offer_stage(self, application, lead, team, stage):
        Application.objects.filter(pk=application.pk).update(stage=stage)
        with pytest.raises(services.OfferRefused, match="offer stage"):
            services.extend_offer(
                actor=lead,
                application=application,
                start_on=start(team),
                fte=Decimal("1.0"),
                weekly_hours=Decimal("39"),
            )
        assert not Offer.objects.exists()

    @pytest.mark.parametrize("days", [-1, 366, 3000])
    def test_start_dates_from_today_to_a_year_ahead(self, application, lead, team, days):
        with pytest.raises(services.OfferRefused, match="start date"):
            services.extend_offer(
                actor=lead,
                application=application,
                start_on=start(team, days),
                fte=Decimal("1.0"),
                weekly_hours=Decimal("39"),
            )
        assert not Offer.objects.exists()

    def test_the_manager_may_not(self, application, manager, team):
        with pytest.raises(services.OfferRefused):
            services.extend_offer(
                actor=manager,
                application=application,
                start_on=start(team),
                fte=Decimal("1.0"),
                weekly_hours=Decimal("39"),
            )

    @pytest.mark.parametrize(
        "data",
        [
            {"start_on": "0001-01-01", "fte": "1.0", "weekly_hours": "39"},
            {"start_on": "9999-12-31", "fte": "1.0", "weekly_hours": "39"},
            {"start_on": "2030-01-07\x00", "fte": "1.0", "weekly_hours": "39"},
            {"start_on": "x" * 100_000, "fte": "1.0", "weekly_hours": "39"},
            {"start_on": "", "fte": "1.5", "weekly_hours": "39"},
            {"fte": "0.05", "weekly_hours": "49"},
        ],
    )
    def test_bad_input_is_a_message_not_a_500(self, application, lead, data):
        response = client_for(lead).post(reverse("teams:offer-extend", args=[application.pk]), data)
        assert response.status_code == 302
        assert not Offer.objects.exists()

    def test_the_form_posts_an_offer_and_htmx_gets_the_panel(self, application, lead, team):
        data = {"start_on": start(team).isoformat(), "fte": "0.8", "weekly_hours": "31.2"}
        url = reverse("teams:offer-extend", args=[application.pk])
        response = client_for(lead).post(url, data, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        assert "Accepted: hire" in response.content.decode()
        again = client_for(lead).post(url, data)  # a second click
        assert again.status_code == 302
        assert Offer.objects.count() == 1


class TestAccept:
    def test_the_hire_makes_everything_in_one_go(self, offer, lead, team, requisition):
        associate = services.record_response(actor=lead, offer=offer, accepted=True)
        assert associate is not None
        user = associate.user
        assert user.email == "nina.newhire@example.com"
        assert user.username == "nina.newhire"
        assert (user.first_name, user.last_name) == ("Nina", "Newhire")
        assert not user.has_usable_password()
        assert associate.team == team
        assert associate.hired_on == offer.start_on
        assert (associate.title, associate.level) == ("Payments associate", "L2")
        assert associate.weekly_hours == Decimal("30.0")
        levels = {s.skill.name: s.level for s in associate.skill_levels.select_related("skill")}
        assert levels == {"Payments": 1, "Live chat": 1}
        plan = associate.onboarding_plan
        assert plan.starts_on == offer.start_on
        items = list(plan.items.order_by("due_on", "pk"))
        assert len(items) == 9
        assert items[0].due_on == offer.start_on - dt.timedelta(days=2)
        owners = {item.title: item.owner for item in items}
        assert owners["Product training modules"] == user
        assert owners["Meet your buddy"] == lead  # no buddy yet
        assert owners["First 1:1 in week one"] == lead
        targets = {t.skill.name: (t.level, t.by_day) for t in plan.ramp_targets.all()}
        assert targets == {"Payments": (3, 60), "Live chat": (3, 60)}
        offer.refresh_from_db()
        assert (offer.status, offer.associate) == (Offer.Status.ACCEPTED, associate)
        assert Application.objects.get(pk=offer.application_id).stage == Stage.HIRED
        requisition.refresh_from_db()
        assert requisition.status == Requisition.Status.FILLED
        assert requisition.closed_at is not None
        actions = set(AuditEvent.objects.values_list("action", flat=True))
        assert {
            Action.OFFER_ACCEPTED,
            Action.ASSOCIATE_CREATED,
            Action.ONBOARDING_STARTED,
            Action.REQUISITION_FILLED,
            Action.APPLICATION_MOVED,
        } <= actions
        assert mail.outbox == []  # the invitation waits for the start date
        assert plan.invitation_sent_at is None

    def test_a_repeated_accept_creates_nothing_twice(self, offer, lead):
        first = services.record_response(actor=lead, offer=offer, accepted=True)
        before = counts()
        again = services.record_response(actor=lead, offer=Offer.objects.get(), accepted=True)
        assert again == first
        assert counts() == before

    def test_two_posts_hire_once(self, offer, lead):
        url = reverse("teams:offer-respond", args=[offer.pk])
        client = client_for(lead)
        assert client.post(url, {"response": "accept"}).status_code == 302
        before = counts()
        assert client.post(url, {"response": "accept"}).status_code == 302
        assert counts() == before
        assert Associate.objects.filter(user__email="nina.newhire@example.com").count() == 1

    @pytest.mark.parametrize(
        "step", ["fill_if_complete", "move_application", "start_plan", "bulk_create"]
    )
    def test_a_failing_step_leaves_nothing(self, offer, lead, monkeypatch, step):
        def boom(*args, **kwargs):
            raise RuntimeError("the database went away")

        if step == "start_plan":
            monkeypatch.setattr(services.onboarding, "start_plan", boom)
        elif step == "fill_if_complete":
            monkeypatch.setattr(services.requisitions, "fill_if_complete", boom)
        elif step == "bulk_create":
            monkeypatch.setattr(RampTarget.objects, "bulk_create", boom)
        else:
            monkeypatch.setattr(services, step, boom)
        before = counts()
        with pytest.raises(RuntimeError):
            services.record_response(actor=lead, offer=offer, accepted=True)
        assert counts() == before
        assert not User.objects.filter(email="nina.newhire@example.com").exists()
        offer.refresh_from_db()
        assert (offer.status, offer.associate_id) == (Offer.Status.EXTENDED, None)
        assert Application.objects.get(pk=offer.application_id).stage == Stage.OFFER
        assert Requisition.objects.get().status == Requisition.Status.OPEN

    def test_no_email_is_refused(self, offer, lead, application):
        application.candidate.email = ""
        application.candidate.save()
        before = counts()
        with pytest.raises(services.OfferRefused, match="e-mail"):
            services.record_response(actor=lead, offer=offer, accepted=True)
        assert counts() == before

    def test_an_email_with_a_login_already_is_refused(self, offer, lead):
        UserFactory(username="someone", email="Nina.Newhire@example.com")
        before = counts()
        with pytest.raises(services.OfferRefused, match="already has a login"):
            services.record_response(actor=lead, offer=offer, accepted=True)
        assert counts() == before
        assert Offer.objects.get().status == Offer.Status.EXTENDED

    def test_part_of_the_fte_leaves_the_requisition_open(self, offer, lead, requisition):
        Requisition.objects.filter(pk=requisition.pk).update(fte=Decimal("2.0"))
        services.record_response(actor=lead, offer=offer, accepted=True)
        assert Requisition.objects.get().status == Requisition.Status.OPEN
        assert not AuditEvent.objects.filter(action=Action.REQUISITION_FILLED).exists()

    def test_username_taken_gets_a_number(self, offer, lead):
        UserFactory(username="nina.newhire", email="other@example.com")
        associate = services.record_response(actor=lead, offer=offer, accepted=True)
        assert associate is not None
        assert associate.user.username == "nina.newhire2"


class TestDecline:
    def test_decline_withdraws_the_application(self, offer, lead):
        assert services.record_response(actor=lead, offer=offer, accepted=False) is None
        offer.refresh_from_db()
        assert offer.status == Offer.Status.DECLINED
        application = Application.objects.get(pk=offer.application_id)
        assert (application.stage, application.closed_reason) == (
            Stage.WITHDRAWN,
            "Offer declined",
        )
        assert AuditEvent.objects.filter(action=Action.OFFER_DECLINED).count() == 1
        assert not Associate.objects.filter(user__email="nina.newhire@example.com").exists()

    def test_a_declined_offer_is_not_accepted_later(self, offer, lead):
        services.record_response(actor=lead, offer=offer, accepted=False)
        before = counts()
        services.record_response(actor=lead, offer=offer, accepted=False)  # a second click
        with pytest.raises(services.OfferRefused):
            services.record_response(actor=lead, offer=offer, accepted=True)
        assert counts() == before

    def test_an_accepted_offer_is_not_declined(self, offer, lead):
        services.record_response(actor=lead, offer=offer, accepted=True)
        before = counts()
        with pytest.raises(services.OfferRefused):
            services.record_response(actor=lead, offer=offer, accepted=False)
        assert counts() == before


REFUSED = {
    "associate": 404,
    "teammate": 404,
    "other_lead": 404,
    "other_manager": 404,
    "manager": 403,
}


@pytest.mark.parametrize("persona", sorted(REFUSED))
@pytest.mark.parametrize("transition", ["extend", "accept", "decline"])
def test_refusals_change_nothing(persona, transition, cast, application, lead, team):
    if transition == "extend":
        url = reverse("teams:offer-extend", args=[application.pk])
        data = {"start_on": start(team).isoformat(), "fte": "1.0", "weekly_hours": "39"}
    else:
        offer = OfferFactory(application=application, start_on=start(team))
        url = reverse("teams:offer-respond", args=[offer.pk])
        data = {"response": transition}
    before = counts(), Offer.objects.filter(status=Offer.Status.EXTENDED).count()
    response = client_for(cast[persona]).post(url, data)
    assert response.status_code == REFUSED[persona]
    assert (counts(), Offer.objects.filter(status=Offer.Status.EXTENDED).count()) == before
    assert Application.objects.get(pk=application.pk).stage == Stage.OFFER


class TestPanel:
    def test_the_lead_gets_the_form_at_the_offer_stage(self, application, lead):
        html = render_to_string(
            "teams/offers/_panel.html", offer_panel(user=lead, application=application)
        )
        assert "Extend offer" in html

    def test_accepted_hire_asks_first(self, offer, lead, application):
        html = render_to_string(
            "teams/offers/_panel.html", offer_panel(user=lead, application=application)
        )
        (button,) = re.findall(r"<button[^>]*>Accepted: hire</button>", html)
        assert 'data-confirm="Record that the candidate accepted? This hires them' in button

    def test_the_manager_reads_only(self, offer, manager, application):
        context = offer_panel(user=manager, application=application)
        html = render_to_string("teams/offers/_panel.html", context)
        assert "Extend offer" not in html
        assert "Accepted: hire" not in html
        assert "Extended" in html

    def test_after_the_hire_links_to_the_associate_and_the_plan(self, offer, lead, application):
        associate = services.record_response(actor=lead, offer=offer, accepted=True)
        assert associate is not None
        application.refresh_from_db()
        html = render_to_string(
            "teams/offers/_panel.html", offer_panel(user=lead, application=application)
        )
        assert reverse("teams:associate-detail", args=[associate.pk]) in html
        assert reverse("teams:onboarding-plan", args=[associate.onboarding_plan.pk]) in html
        assert "Accepted: hire" not in html

    def test_no_form_before_the_offer_stage(self, application, lead):
        Application.objects.filter(pk=application.pk).update(stage=Stage.INTERVIEW)
        application.refresh_from_db()
        context = offer_panel(user=lead, application=application)
        assert context["offer_form"] is None


class TestAfterTheReview:
    def test_an_internal_move_is_not_offered_as_a_new_hire(self, application, lead, team):
        UserFactory(username="nina", email="Nina.Newhire@example.com")
        with pytest.raises(services.OfferRefused, match="internal move"):
            services.extend_offer(
                actor=lead,
                application=application,
                start_on=start(team),
                fte=Decimal("1.0"),
                weekly_hours=Decimal("39.0"),
            )
        assert not Offer.objects.exists()

    def test_a_withdrawal_declines_the_open_offer_and_a_rejection_hides_its_buttons(
        self, offer, lead, application
    ):
        from teams.selectors.offers import offer_panel
        from teams.services.applications import move_application

        move_application(
            actor=lead, application=application, to_stage=Stage.REJECTED, reason="Budget cut."
        )
        offer.refresh_from_db()
        assert offer.status == Offer.Status.EXTENDED
        application.refresh_from_db()
        assert offer_panel(user=lead, application=application)["offer_can_respond"] is False

    def test_withdrawing_with_an_offer_open_declines_it(self, offer, lead, application):
        from teams.services.applications import move_application

        move_application(
            actor=lead,
            application=application,
            to_stage=Stage.WITHDRAWN,
            reason="Took another job.",
        )
        offer.refresh_from_db()
        assert offer.status == Offer.Status.DECLINED


class TestRefusalsWithHtmx:
    """A refusal answered to htmx is in the panel it swaps in, and not also queued for
    a later page; without htmx it is a message on the application page."""

    def later_page(self, client, application):
        return client.get(reverse("teams:application-detail", args=[application.pk]))

    def test_a_refused_answer_is_in_the_panel_once(self, offer, lead, application):
        application.candidate.email = ""
        application.candidate.save()
        client = client_for(lead)
        url = reverse("teams:offer-respond", args=[offer.pk])
        response = client.post(url, {"response": "accept"}, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        html = response.content.decode()
        assert 'id="offer-panel"' in html
        assert "<html" not in html
        assert '<p role="alert" class="errorlist">' in html
        assert "e-mail address first" in html
        assert "Accepted: hire" in html  # still open: the buttons stay
        later = self.later_page(client, application).content.decode()
        assert "e-mail address first" not in later

    def test_a_refused_offer_is_in_the_panel_once(self, offer, lead, application, team):
        client = client_for(lead)
        data = {"start_on": start(team, 20).isoformat(), "fte": "0.5", "weekly_hours": "20"}
        url = reverse("teams:offer-extend", args=[application.pk])
        html = client.post(url, data, HTTP_HX_REQUEST="true").content.decode()
        assert 'role="alert"' in html
        assert "already has an offer; nothing was changed" in html
        later = self.later_page(client, application).content.decode()
        assert "already has an offer" not in later

    def test_an_unreadable_answer_is_in_the_panel_once(self, offer, lead, application):
        client = client_for(lead)
        url = reverse("teams:offer-respond", args=[offer.pk])
        html = client.post(url, {"response": "maybe"}, HTTP_HX_REQUEST="true").content.decode()
        assert "Choose whether the offer was accepted or declined." in html
        later = self.later_page(client, application).content.decode()
        assert "Choose whether the offer" not in later

    def test_bad_fields_are_shown_in_the_panels_form(self, application, lead):
        client = client_for(lead)
        url = reverse("teams:offer-extend", args=[application.pk])
        data = {"start_on": "", "fte": "1.0", "weekly_hours": "39"}
        html = client.post(url, data, HTTP_HX_REQUEST="true").content.decode()
        assert 'role="alert"' in html
        assert "No offer made: see the fields." in html
        assert 'class="errorlist"' in html
        assert "No offer made" not in self.later_page(client, application).content.decode()
        assert not Offer.objects.exists()

    def test_without_htmx_the_refusal_is_a_message_on_the_application_page(
        self, offer, lead, application
    ):
        application.candidate.email = ""
        application.candidate.save()
        url = reverse("teams:offer-respond", args=[offer.pk])
        response = client_for(lead).post(url, {"response": "accept"}, follow=True)
        assert response.redirect_chain[-1][0] == reverse(
            "teams:application-detail", args=[application.pk]
        )
        assert "e-mail address first" in response.content.decode()
        assert '<p role="alert" class="errorlist">' not in response.content.decode()
