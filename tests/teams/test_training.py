"""Skills and training: plans × persona, refusals change nothing, a double tick, the
reminders once each, the home's thin coverage of needed skills only, query budgets."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from scheduling.models import EntryKind
from teams.models import AuditEvent, Certification, TrainingAssignment, TrainingModule
from teams.services import training as services
from tests.conftest import client_for
from tests.factories import (
    AssociateFactory,
    AssociateSkillFactory,
    CertificationFactory,
    CoverageRequirementFactory,
    OnboardingPlanFactory,
    QueueFactory,
    RampTargetFactory,
    ScheduleEntryFactory,
    SkillFactory,
    SkillTargetFactory,
    TrainingAssignmentFactory,
    TrainingModuleFactory,
)

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 12, 7)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


def plan_url(associate):
    return reverse("teams:associate-training", args=[associate.pk])


@pytest.fixture
def assignment(associate, team):
    module = TrainingModuleFactory(team=team, title="Billing basics", length_minutes=90)
    return TrainingAssignmentFactory(associate=associate, module=module, due_on=TODAY)


class TestPlanByPersona:
    def test_the_associate_sees_and_ticks_their_own(self, cast, associate, assignment):
        client = client_for(associate.user)
        html = client.get(plan_url(associate)).content.decode()
        assert "Billing basics" in html
        assert "1 h 30 min" in html
        assert "Put a module on the plan" not in html
        response = client.post(reverse("teams:training-done", args=[assignment.pk]))
        assert response.status_code == 302
        assignment.refresh_from_db()
        assert assignment.done_at is not None
        assert assignment.done_by == associate.user

    def test_a_second_tick_changes_nothing(self, cast, associate, assignment):
        client = client_for(associate.user)
        client.post(reverse("teams:training-done", args=[assignment.pk]))
        first = TrainingAssignment.objects.get(pk=assignment.pk).done_at
        client_for(cast["lead"]).post(reverse("teams:training-done", args=[assignment.pk]))
        again = TrainingAssignment.objects.get(pk=assignment.pk)
        assert again.done_at == first
        assert again.done_by == associate.user

    def test_overdue_is_marked(self, cast, associate, team):
        TrainingAssignmentFactory(
            associate=associate, module__team=team, due_on=TODAY - dt.timedelta(days=1)
        )
        assert "Overdue" in client_for(associate.user).get(plan_url(associate)).content.decode()

    def test_the_lead_assigns_once_and_removes(self, cast, lead, associate, team):
        module = TrainingModuleFactory(team=team)
        data = {"module": module.pk, "due_on": "2026-12-20"}
        client = client_for(lead)
        assert client.post(plan_url(associate), data).status_code == 302
        assert client.post(plan_url(associate), data).status_code == 302  # a second click
        [assignment] = TrainingAssignment.objects.filter(associate=associate)
        client.post(reverse("teams:training-remove", args=[assignment.pk]))
        assert not TrainingAssignment.objects.filter(associate=associate).exists()

    def test_another_teams_module_cannot_be_assigned(self, cast, lead, associate, other_team):
        module = TrainingModuleFactory(team=other_team)
        response = client_for(lead).post(
            plan_url(associate), {"module": module.pk, "due_on": "2026-12-20"}
        )
        assert response.status_code == 200
        assert not TrainingAssignment.objects.exists()

    def test_a_center_wide_module_can(self, cast, lead, associate):
        module = TrainingModuleFactory(team=None)
        client_for(lead).post(plan_url(associate), {"module": module.pk, "due_on": "2026-12-20"})
        assert TrainingAssignment.objects.filter(associate=associate, module=module).exists()

    @pytest.mark.parametrize("due_on", ["0001-01-01", "9999-12-31", "2026-13-01", "x\x00"])
    def test_a_wild_due_date_is_a_field_error(self, cast, lead, associate, team, due_on):
        module = TrainingModuleFactory(team=team)
        response = client_for(lead).post(
            plan_url(associate), {"module": module.pk, "due_on": due_on}
        )
        assert response.status_code == 200
        assert not TrainingAssignment.objects.exists()

    def test_the_manager_reads_but_changes_nothing(self, cast, manager, associate, assignment):
        client = client_for(manager)
        html = client.get(plan_url(associate)).content.decode()
        assert "Billing basics" in html
        assert "Remove" not in html
        for url in ("teams:training-done", "teams:training-remove"):
            assert client.post(reverse(url, args=[assignment.pk])).status_code == 403
        module = TrainingModuleFactory(team=assignment.module.team)
        response = client.post(plan_url(associate), {"module": module.pk, "due_on": "2026-12-20"})
        assert response.status_code == 403
        assignment.refresh_from_db()
        assert assignment.done_at is None
        assert TrainingAssignment.objects.count() == 1

    def test_a_teammate_gets_a_404_and_changes_nothing(self, cast, teammate, associate, assignment):
        client = client_for(teammate.user)
        assert client.get(plan_url(associate)).status_code == 404
        assert client.post(reverse("teams:training-done", args=[assignment.pk])).status_code == 404
        assignment.refresh_from_db()
        assert assignment.done_at is None

    def test_the_associate_cannot_remove_their_training(self, cast, associate, assignment):
        response = client_for(associate.user).post(
            reverse("teams:training-remove", args=[assignment.pk])
        )
        assert response.status_code == 403
        assert TrainingAssignment.objects.filter(pk=assignment.pk).exists()


class TestModulesAndCertifications:
    def test_the_lead_creates_a_module_in_hours(self, cast, lead, team):
        response = client_for(lead).post(
            reverse("teams:training-module-create", args=[team.pk]),
            {
                "title": "Refunds",
                "skill": SkillFactory().pk,
                "length": "2",
                "unit": "hours",
                "is_active": "on",
            },
        )
        assert response.status_code == 302
        module = TrainingModule.objects.get(title="Refunds")
        assert (module.team, module.length_minutes) == (team, 120)

    def test_too_long_and_nul_bytes_are_field_errors(self, cast, lead, team):
        response = client_for(lead).post(
            reverse("teams:training-module-create", args=[team.pk]),
            {
                "title": "x\x00",
                "skill": SkillFactory().pk,
                "length": "101",
                "unit": "hours",
                "description": "y" * 100_000,
            },
        )
        assert response.status_code == 200
        assert set(response.context["form"].errors) == {"title", "length", "description"}
        assert not TrainingModule.objects.exists()

    def test_a_center_wide_module_is_the_ops_admins(self, cast, lead, admin):
        module = TrainingModuleFactory(team=None)
        url = reverse("teams:training-module-edit", args=[module.pk])
        assert client_for(lead).get(url).status_code == 403
        assert client_for(admin).get(url).status_code == 200

    def test_the_lead_records_and_renews_a_certification(self, cast, lead, associate):
        billing = SkillFactory(name="Billing")
        client = client_for(lead)
        client.post(
            reverse("teams:certification-create", args=[associate.pk]),
            {"skill": billing.pk, "certified_on": "2026-05-01", "expires_on": "2027-04-30"},
        )
        certification = Certification.objects.get(associate=associate)
        Certification.objects.filter(pk=certification.pk).update(reminded_at=NOW)
        html = client.get(plan_url(associate)).content.decode()
        assert "Billing certified until 30 Apr 2027" in html
        other = SkillFactory()
        client.post(
            reverse("teams:certification-edit", args=[certification.pk]),
            {"skill": other.pk, "certified_on": "2027-04-01", "expires_on": "2028-04-30"},
        )
        certification.refresh_from_db()
        assert certification.skill == billing  # editing renews that skill's, never another's
        assert certification.expires_on == dt.date(2028, 4, 30)
        assert certification.reminded_at is None  # re-armed
        assert AuditEvent.objects.filter(action=AuditEvent.Action.SKILLS_CHANGED).count() == 2

    def test_a_certification_must_expire_after_it_was_given(self, cast, lead, associate):
        response = client_for(lead).post(
            reverse("teams:certification-create", args=[associate.pk]),
            {"skill": SkillFactory().pk, "certified_on": "2026-05-01", "expires_on": "2026-05-01"},
        )
        assert "expires_on" in response.context["form"].errors
        assert not Certification.objects.exists()

    def test_skill_target_set_and_removed(self, cast, lead, associate):
        skill = SkillFactory(name="Billing")
        client = client_for(lead)
        url = reverse("teams:skill-target-set", args=[associate.pk])
        client.post(url, {"skill": skill.pk, "level": "3", "by_date": "2027-06-30"})
        assert (
            "Billing: Proficient by 30 Jun 2027" in client.get(plan_url(associate)).content.decode()
        )
        client.post(url, {"skill": skill.pk, "level": ""})
        assert associate.skill_targets.count() == 0


class TestTeamPagesAndMatrix:
    def test_the_overview_lists_overdue_and_expiring(self, cast, lead, team, associate, teammate):
        TrainingAssignmentFactory(
            associate=associate,
            module__team=team,
            module__title="Refunds",
            due_on=TODAY - dt.timedelta(days=2),
        )
        CertificationFactory(
            associate=teammate,
            skill=SkillFactory(name="Billing"),
            certified_on=dt.date(2026, 1, 1),
            expires_on=dt.date(2027, 1, 30),
        )
        CertificationFactory(
            associate=associate,
            skill=SkillFactory(name="Far"),
            certified_on=dt.date(2026, 1, 1),
            expires_on=dt.date(2028, 1, 30),
        )
        html = client_for(lead).get(reverse("teams:team-training", args=[team.pk])).content.decode()
        assert "Refunds" in html
        assert "certified until 30 Jan" in html
        assert "Far" not in html

    def test_the_matrix_shows_targets_and_certification_badges(
        self, cast, lead, team, associate, teammate
    ):
        billing = SkillFactory(name="Billing")
        AssociateSkillFactory(associate=associate, skill=billing, level=2)
        SkillTargetFactory(
            associate=associate, skill=billing, level=3, by_date=dt.date(2027, 3, 31)
        )
        CertificationFactory(
            associate=associate,
            skill=billing,
            certified_on=dt.date(2026, 1, 1),
            expires_on=dt.date(2027, 1, 15),
        )
        chat = SkillFactory(name="Chat")
        plan = OnboardingPlanFactory(associate=teammate, starts_on=dt.date(2026, 12, 1))
        RampTargetFactory(plan=plan, skill=chat, level=3, by_day=60)
        CertificationFactory(
            associate=teammate,
            skill=chat,
            certified_on=dt.date(2025, 1, 1),
            expires_on=dt.date(2026, 11, 1),
        )
        html = client_for(lead).get(reverse("teams:team-detail", args=[team.pk])).content.decode()
        assert "target Proficient by 31 Mar" in html
        assert "cert until 15 Jan" in html
        assert "target Proficient by 30 Jan" in html  # the ramp target: day 60 of 1 Dec
        assert "cert expired" in html

    @pytest.mark.parametrize("pages", ["matrix", "plan", "overview"])
    def test_query_budgets_do_not_grow_with_rows(
        self, cast, lead, team, associate, pages, django_assert_max_num_queries
    ):
        def grow():
            for _ in range(6):
                a = AssociateFactory(team=team)
                skill = SkillFactory()
                AssociateSkillFactory(associate=a, skill=skill)
                SkillTargetFactory(associate=a, skill=skill)
                CertificationFactory(
                    associate=a,
                    skill=skill,
                    certified_on=dt.date(2026, 1, 1),
                    expires_on=dt.date(2027, 1, 1),
                )
                TrainingAssignmentFactory(
                    associate=associate, module__team=team, due_on=dt.date(2026, 1, 1)
                )
                TrainingAssignmentFactory(
                    associate=a, module__team=team, due_on=dt.date(2026, 1, 1)
                )

        url = {
            "matrix": reverse("teams:team-detail", args=[team.pk]),
            "plan": plan_url(associate),
            "overview": reverse("teams:team-training", args=[team.pk]),
        }[pages]
        client = client_for(lead)
        grow()
        client.get(url)
        with django_assert_max_num_queries(18) as small:
            client.get(url)
        grow()
        with django_assert_max_num_queries(len(small)):
            client.get(url)


class TestReminders:
    def test_training_due_soon_or_overdue_is_reminded_once(self, cast, associate, team, lead):
        soon = TrainingAssignmentFactory(
            associate=associate, module__team=team, due_on=TODAY + dt.timedelta(days=3)
        )
        late = TrainingAssignmentFactory(
            associate=associate, module__team=team, due_on=TODAY - dt.timedelta(days=5)
        )
        TrainingAssignmentFactory(
            associate=associate, module__team=team, due_on=TODAY + dt.timedelta(days=4)
        )  # not yet
        done = TrainingAssignmentFactory(associate=associate, module__team=team, due_on=TODAY)
        services.complete_assignment(actor=lead, assignment=done)
        assert services.send_training_reminders() == 2
        assert services.send_training_reminders() == 0
        assert len(mail.outbox) == 2
        assert set(mail.outbox[0].to) == {associate.user.email, lead.email}
        subjects = {m.subject for m in mail.outbox}
        assert any("overdue" in s for s in subjects)
        assert {soon.pk, late.pk} == set(
            TrainingAssignment.objects.filter(reminded_at__isnull=False).values_list(
                "pk", flat=True
            )
        )

    def test_a_certification_expiring_within_30_days_is_reminded_once(self, cast, associate, lead):
        CertificationFactory(
            associate=associate,
            certified_on=dt.date(2026, 1, 1),
            expires_on=TODAY + dt.timedelta(days=30),
        )
        CertificationFactory(
            associate=associate,
            certified_on=dt.date(2026, 1, 1),
            expires_on=TODAY + dt.timedelta(days=31),
        )
        assert services.send_certification_reminders() == 1
        assert services.send_certification_reminders() == 0
        [message] = mail.outbox
        assert set(message.to) == {associate.user.email, lead.email}
        assert "expires 6 Jan" in message.subject
        assert AuditEvent.objects.filter(action=AuditEvent.Action.REMINDER_CLAIMED).count() == 1

    def test_the_tasks_call_the_services(self, cast, associate, team):
        from teams import tasks

        TrainingAssignmentFactory(associate=associate, module__team=team, due_on=TODAY)
        assert tasks.send_training_reminders.delay().get() == 1
        assert tasks.send_certification_reminders.delay().get() == 0


class TestHomeListsOnlyNeededSkills:
    def test_billing_is_not_listed_on_a_team_without_a_billing_need(self, cast, lead, team):
        SkillFactory(name="Billing")
        html = client_for(lead).get(reverse("teams:home")).content.decode()
        assert "Billing" not in html
        assert "No skill needs recorded" in html

    @pytest.mark.parametrize("source", ["coverage", "queue", "target", "ramp"])
    def test_a_needed_skill_is_listed(self, cast, lead, team, associate, source):
        billing = SkillFactory(name="Billing")
        SkillFactory(name="Spanish")
        if source == "coverage":
            CoverageRequirementFactory(
                team=team, day_kind="weekday", skill=billing, min_headcount=1
            )
        elif source == "queue":
            QueueFactory(team=team, skill=billing)
        elif source == "target":
            SkillTargetFactory(associate=associate, skill=billing)
        else:
            RampTargetFactory(plan=OnboardingPlanFactory(associate=associate), skill=billing)
        html = client_for(lead).get(reverse("teams:home")).content.decode()
        assert "Billing</span>: 0 proficient" in html
        assert "Spanish" not in html

    def test_two_proficient_people_are_not_thin(self, cast, lead, team, associate, teammate):
        billing = SkillFactory(name="Billing")
        QueueFactory(team=team, skill=billing)
        for a in (associate, teammate):
            AssociateSkillFactory(associate=a, skill=billing, level=3)
        html = client_for(lead).get(reverse("teams:home")).content.decode()
        assert "Every skill the team needs has at least two proficient associates." in html


def test_the_data_access_export_holds_the_training(cast, admin, associate, assignment):
    import io
    import json
    import zipfile

    CertificationFactory(associate=associate, skill=SkillFactory(name="Billing"))
    response = client_for(admin).get(reverse("teams:associate-export", args=[associate.pk]))
    rows = json.loads(zipfile.ZipFile(io.BytesIO(response.content)).read("training.json"))
    assert {row["kind"] for row in rows} == {"training", "certification"}
    assert any(row.get("module") == "Billing basics" for row in rows)


def test_seed_training_is_idempotent_and_leaves_a_single_point_next_week(cast, team, lead):
    from io import StringIO

    from django.core.management import call_command

    from scheduling.models import CoverageRequirement
    from scheduling.selectors.single_points import single_points

    skills = {n: SkillFactory(name=n) for n in ("Billing", "Disputes", "Live chat", "Payments")}
    people = [AssociateFactory(team=team) for _ in range(5)]
    AssociateSkillFactory(associate=people[0], skill=skills["Disputes"], level=2)
    next_monday = TODAY + dt.timedelta(days=7)
    for person in people:
        for day in range(5):
            ScheduleEntryFactory(
                associate=person,
                on=next_monday + dt.timedelta(days=day),
                kind=EntryKind.SHIFT,
                starts_at=dt.time(9),
                ends_at=dt.time(17),
            )

    def counts():
        return (
            TrainingModule.objects.count(),
            TrainingAssignment.objects.count(),
            Certification.objects.count(),
            CoverageRequirement.objects.count(),
        )

    call_command("seed_training", stdout=StringIO())
    first = counts()
    call_command("seed_training", stdout=StringIO())
    assert counts() == first
    assert TrainingAssignment.objects.filter(done_at__isnull=False).exists()
    assert TrainingAssignment.objects.overdue_on(TODAY).exists()
    assert Certification.objects.filter(expires_on__lte=TODAY + dt.timedelta(days=30)).exists()
    found = [
        p
        for p in single_points([team])[team.pk]
        if p.kind == "single" and next_monday <= p.on < next_monday + dt.timedelta(days=7)
    ]
    assert found
    assert found[0].need.skill_name == "Disputes"
