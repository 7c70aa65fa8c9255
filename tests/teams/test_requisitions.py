"""Requisitions: the state machine (every transition × persona, refusals change
nothing), a double click, cancelling withdraws active applications, filling from
accepted offers, the forms' refusals, the evidence beside a request, the e-mails, the
hiring overview (and its query budget) and the manager's "Requisitions to approve"."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from scheduling.models import ForecastInterval, Queue
from scheduling.selectors.capacity_overview import capacity_overview
from teams.models import Application, AuditEvent, Offer, Requisition, StageChange
from teams.selectors import staffing_gaps
from teams.selectors.requisitions import manager_columns
from teams.services import requisitions as services
from teams.services.requisitions import DEFAULT_COMPETENCIES, RequisitionRefused
from tests.conftest import client_for
from tests.factories import (
    ApplicationFactory,
    AssociateFactory,
    CompetencyFactory,
    OfferFactory,
    QueueFactory,
    RequisitionFactory,
    SkillFactory,
)

Status = Requisition.Status
Stage = Application.Stage
TODAY = dt.date(2030, 1, 8)
PERSONAS = ("associate", "teammate", "lead", "other_lead", "manager", "other_manager", "admin")


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(dt.datetime(2030, 1, 8, 12, tzinfo=dt.UTC), tick=False)


def valid_data(**overrides):
    data = {
        "title": "Payments associate",
        "level": "L2",
        "fte": "1.5",
        "reason": "growth",
        "backfill_for": "",
        "competencies": "Customer empathy\nRefund policy",
        "target_start_on": "2030-03-04",
        "justification": "The January peak.",
    }
    return data | overrides


def snapshot(requisition):
    requisition.refresh_from_db()
    return (
        requisition.status,
        requisition.title,
        requisition.approved_at,
        requisition.opened_at,
        requisition.closed_at,
        AuditEvent.objects.count(),
    )


# --- every transition × persona -------------------------------------------------------

# (url name, status before, status after, allowed personas, seen-but-refused personas)
TRANSITIONS = [
    ("requisition-approve", Status.DRAFT, Status.APPROVED, {"manager", "admin"}, {"lead"}),
    ("requisition-open", Status.APPROVED, Status.OPEN, {"lead", "admin"}, {"manager"}),
    ("requisition-cancel", Status.DRAFT, Status.CANCELLED, {"lead", "manager", "admin"}, set()),
    ("requisition-cancel", Status.APPROVED, Status.CANCELLED, {"lead", "manager", "admin"}, set()),
    ("requisition-cancel", Status.OPEN, Status.CANCELLED, {"lead", "manager", "admin"}, set()),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "before", "after", "allowed", "forbidden"), TRANSITIONS)
def test_transition_by_persona(cast, team, persona, name, before, after, allowed, forbidden):
    requisition = RequisitionFactory(team=team, status=before)
    client = client_for(cast[persona])  # (its login is an audit event of its own)
    was = snapshot(requisition)
    response = client.post(
        reverse(f"teams:{name}", args=[requisition.pk]), {"reason": "Budget moved"}
    )
    if persona in allowed:
        assert response.status_code == 302
        requisition.refresh_from_db()
        assert requisition.status == after
        assert AuditEvent.objects.count() == was[-1] + 1
    else:
        assert response.status_code == (403 if persona in forbidden else 404)
        assert snapshot(requisition) == was


@pytest.mark.parametrize("persona", PERSONAS)
def test_edit_by_persona(cast, team, persona):
    requisition = RequisitionFactory(team=team, title="Old title")
    client = client_for(cast[persona])
    was = snapshot(requisition)
    response = client.post(reverse("teams:requisition-edit", args=[requisition.pk]), valid_data())
    if persona in {"lead", "admin"}:
        assert response.status_code == 302
        requisition.refresh_from_db()
        assert requisition.title == "Payments associate"
        assert requisition.fte == Decimal("1.5")
        assert list(requisition.competencies.values_list("name", flat=True)) == [
            "Customer empathy",
            "Refund policy",
        ]
        event = AuditEvent.objects.get(action=AuditEvent.Action.REQUISITION_CHANGED)
        assert "title" in event.details["fields"]
    else:
        assert response.status_code == (403 if persona == "manager" else 404)
        assert snapshot(requisition) == was


@pytest.mark.parametrize("persona", PERSONAS)
def test_create_by_persona(cast, team, persona, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(cast[persona]).post(
            reverse("teams:requisition-create", args=[team.pk]), valid_data()
        )
    if persona in {"lead", "admin"}:
        assert response.status_code == 302
        requisition = Requisition.objects.get()
        assert response["Location"] == reverse("teams:requisition-detail", args=[requisition.pk])
        assert (requisition.status, requisition.team, requisition.created_by) == (
            Status.DRAFT,
            team,
            cast[persona],
        )
        assert AuditEvent.objects.filter(action=AuditEvent.Action.REQUISITION_CREATED).count() == 1
        assert [m.to for m in mail.outbox] == [[team.manager.email]]
    else:
        assert response.status_code == (403 if persona == "manager" else 404)
        assert not Requisition.objects.exists()
        assert mail.outbox == []


def test_the_drafts_message_says_who_approves_it(cast, team, django_capture_on_commit_callbacks):
    url = reverse("teams:requisition-create", args=[team.pk])
    with django_capture_on_commit_callbacks(execute=True):
        page = client_for(cast["lead"]).post(url, valid_data(), follow=True).content.decode()
    manager = team.manager
    assert f"{manager.display_name}, the team&#x27;s manager, is e-mailed to approve it." in page
    assert [m.to for m in mail.outbox] == [[manager.email]]

    team.manager = None
    team.save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        page = client_for(cast["lead"]).post(url, valid_data(), follow=True).content.decode()
    assert "This team has no manager: an ops admin approves it." in page
    assert "is e-mailed" not in page
    assert "asked to approve" not in page
    assert mail.outbox == []


# --- a transition from the wrong state changes nothing and says so --------------------

WRONG_STATE = [
    (
        "requisition-approve",
        "manager",
        [Status.APPROVED, Status.OPEN, Status.FILLED, Status.CANCELLED],
    ),
    ("requisition-open", "lead", [Status.DRAFT, Status.OPEN, Status.FILLED, Status.CANCELLED]),
    ("requisition-cancel", "lead", [Status.FILLED, Status.CANCELLED]),
    ("requisition-edit", "lead", [Status.APPROVED, Status.OPEN, Status.FILLED, Status.CANCELLED]),
]


@pytest.mark.parametrize(("name", "persona", "statuses"), WRONG_STATE)
def test_a_transition_from_the_wrong_state_is_refused_with_a_message(
    cast, team, name, persona, statuses
):
    client = client_for(cast[persona])
    for status in statuses:
        requisition = RequisitionFactory(team=team, status=status)
        was = snapshot(requisition)
        response = client.post(
            reverse(f"teams:{name}", args=[requisition.pk]),
            valid_data() if name == "requisition-edit" else {"reason": "Budget moved"},
            follow=True,
        )
        assert response.status_code == 200
        assert "nothing was changed" in response.content.decode()
        assert snapshot(requisition) == was, status


def test_double_approve_approves_once(cast, team, manager):
    requisition = RequisitionFactory(team=team)
    services.approve_requisition(actor=manager, requisition=requisition)
    stale = Requisition.objects.get(pk=requisition.pk)
    stale.status = Status.DRAFT  # what a second tab still shows
    with pytest.raises(RequisitionRefused, match=r"approved"):
        services.approve_requisition(actor=manager, requisition=stale)
    client = client_for(manager)
    response = client.post(reverse("teams:requisition-approve", args=[requisition.pk]), follow=True)
    assert "nothing was changed" in response.content.decode()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.REQUISITION_APPROVED).count() == 1


def test_approval_emails_the_leads(team, manager, lead, django_capture_on_commit_callbacks):
    requisition = RequisitionFactory(team=team)
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_requisition(actor=manager, requisition=requisition)
    assert [m.to for m in mail.outbox] == [[lead.email]]
    assert "approved" in mail.outbox[0].subject
    assert reverse("teams:requisition-detail", args=[requisition.pk]) in mail.outbox[0].body


def test_cancel_needs_a_reason(cast, team):
    requisition = RequisitionFactory(team=team, status=Status.OPEN)
    client = client_for(cast["lead"])
    was = snapshot(requisition)
    response = client.post(
        reverse("teams:requisition-cancel", args=[requisition.pk]), {"reason": "  "}, follow=True
    )
    assert "Not cancelled" in response.content.decode()
    assert snapshot(requisition) == was
    with pytest.raises(RequisitionRefused):
        services.cancel_requisition(actor=cast["lead"], requisition=requisition, reason="")


def test_cancel_withdraws_the_active_applications(team, lead):
    requisition = RequisitionFactory(team=team, status=Status.OPEN)
    applied = ApplicationFactory(requisition=requisition)
    interview = ApplicationFactory(requisition=requisition, stage=Stage.INTERVIEW)
    rejected = ApplicationFactory(requisition=requisition, stage=Stage.REJECTED)
    withdrawn = services.cancel_requisition(actor=lead, requisition=requisition, reason="Budget")
    assert withdrawn == 2
    requisition.refresh_from_db()
    assert (requisition.status, requisition.closed_reason) == (Status.CANCELLED, "Budget")
    assert requisition.closed_at is not None
    for application in (applied, interview):
        application.refresh_from_db()
        assert application.stage == Stage.WITHDRAWN
        assert application.closed_reason == "Requisition cancelled"
        change = StageChange.objects.get(application=application)
        assert (change.to_stage, change.reason) == (Stage.WITHDRAWN, "Requisition cancelled")
    rejected.refresh_from_db()
    assert rejected.stage == Stage.REJECTED
    assert not StageChange.objects.filter(application=rejected).exists()


def test_cancelling_a_draft_withdraws_its_applications_too(team, manager):
    requisition = RequisitionFactory(team=team, status=Status.APPROVED)
    application = ApplicationFactory(requisition=requisition, stage=Stage.SCREEN)
    assert services.cancel_requisition(actor=manager, requisition=requisition, reason="No") == 1
    application.refresh_from_db()
    assert application.stage == Stage.WITHDRAWN
    assert StageChange.objects.get(application=application).from_stage == Stage.SCREEN


def test_services_refuse_people_without_the_role(team, other_lead, lead, manager):
    from django.core.exceptions import PermissionDenied

    requisition = RequisitionFactory(team=team)
    with pytest.raises(PermissionDenied):
        services.approve_requisition(actor=lead, requisition=requisition)
    with pytest.raises(PermissionDenied):
        services.cancel_requisition(actor=other_lead, requisition=requisition, reason="x")
    requisition.status = Status.APPROVED
    requisition.save()
    with pytest.raises(PermissionDenied):
        services.open_requisition(actor=manager, requisition=requisition)
    assert Requisition.objects.get(pk=requisition.pk).status == Status.APPROVED


# --- filling ----------------------------------------------------------------------------


def test_fill_if_complete_fills_once_the_accepted_fte_adds_up(team, lead):
    requisition = RequisitionFactory(team=team, status=Status.OPEN, fte=Decimal("2.0"))
    OfferFactory(
        application__requisition=requisition, status=Offer.Status.ACCEPTED, fte=Decimal("1.0")
    )
    OfferFactory(
        application__requisition=requisition, status=Offer.Status.DECLINED, fte=Decimal("1.0")
    )
    OfferFactory(application__requisition=requisition, fte=Decimal("1.0"))  # still out
    assert services.fill_if_complete(requisition=requisition, actor=lead) is False
    assert Requisition.objects.get(pk=requisition.pk).status == Status.OPEN
    OfferFactory(
        application__requisition=requisition, status=Offer.Status.ACCEPTED, fte=Decimal("1.0")
    )
    assert services.fill_if_complete(requisition=requisition, actor=lead) is True
    requisition.refresh_from_db()
    assert requisition.status == Status.FILLED
    assert requisition.closed_at is not None
    assert services.fill_if_complete(requisition=requisition, actor=lead) is False
    assert AuditEvent.objects.filter(action=AuditEvent.Action.REQUISITION_FILLED).count() == 1


def test_fill_if_complete_leaves_a_cancelled_requisition(team, lead):
    requisition = RequisitionFactory(team=team, status=Status.CANCELLED, fte=Decimal("1.0"))
    OfferFactory(application__requisition=requisition, status=Offer.Status.ACCEPTED)
    assert services.fill_if_complete(requisition=requisition, actor=lead) is False
    assert Requisition.objects.get(pk=requisition.pk).status == Status.CANCELLED


# --- the forms --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("fte", "0"),
        ("fte", "11"),
        ("fte", "1.25"),
        ("title", "Payments\x00associate"),
        ("title", "x" * 101),
        ("target_start_on", "9999-01-01"),
        ("target_start_on", "0001-01-01"),
        ("target_start_on", "2030-01-07"),  # yesterday
        ("target_start_on", "not a date"),
        ("justification", "x" * 100_000),
        ("competencies", "\n".join(f"Competency {n}" for n in range(9))),
        ("competencies", "Empathy\nempathy"),
        ("competencies", "x" * 81),
        ("reason", "promotion"),
    ],
)
def test_the_form_refuses_bad_input(cast, team, field, value):
    response = client_for(cast["lead"]).post(
        reverse("teams:requisition-create", args=[team.pk]), valid_data(**{field: value})
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Requisition.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.REQUISITION_CREATED).exists()


def test_a_backfill_names_a_leaver_of_the_same_team(cast, team, other_team):
    outsider = AssociateFactory(team=other_team, left_on=dt.date(2029, 12, 1), is_active=False)
    still_here = AssociateFactory(team=team)
    client = client_for(cast["lead"])
    url = reverse("teams:requisition-create", args=[team.pk])
    for leaver in ("", str(outsider.pk), str(still_here.pk)):
        response = client.post(url, valid_data(reason="backfill", backfill_for=leaver))
        assert response.status_code == 200
        assert "backfill_for" in response.context["form"].errors
    assert not Requisition.objects.exists()
    with pytest.raises(RequisitionRefused):
        services.create_requisition(
            actor=cast["lead"],
            team=team,
            title="x",
            level="L1",
            fte=Decimal("1"),
            reason="backfill",
            backfill_for=outsider,
            target_start_on=TODAY,
        )


def test_a_backfill_of_a_leaver_is_drafted_with_the_default_competencies(cast, team):
    leaver = AssociateFactory(team=team, left_on=dt.date(2029, 12, 20), is_active=False)
    skill = SkillFactory(name="Payments")
    response = client_for(cast["lead"]).post(
        reverse("teams:requisition-create", args=[team.pk]),
        valid_data(
            reason="backfill", backfill_for=str(leaver.pk), competencies="", skills=[skill.pk]
        ),
    )
    assert response.status_code == 302
    requisition = Requisition.objects.get()
    assert requisition.backfill_for == leaver
    assert list(requisition.skills.all()) == [skill]
    assert tuple(requisition.competencies.values_list("name", flat=True)) == DEFAULT_COMPETENCIES


def test_editing_keeps_the_competencies_that_stay(team, lead):
    requisition = RequisitionFactory(team=team)
    kept = CompetencyFactory(requisition=requisition, name="Empathy", position=0)
    CompetencyFactory(requisition=requisition, name="Dropped", position=1)
    changed = services.update_requisition(
        actor=lead,
        requisition=requisition,
        title=requisition.title,
        level=requisition.level,
        fte=requisition.fte,
        reason=requisition.reason,
        target_start_on=TODAY,
        competencies=["New one", "Empathy"],
    )
    assert changed
    rows = list(requisition.competencies.values_list("pk", "name", "position"))
    assert rows[1] == (kept.pk, "Empathy", 1)
    assert [name for _pk, name, _pos in rows] == ["New one", "Empathy"]


def test_an_unchanged_edit_writes_nothing(team, lead):
    requisition = RequisitionFactory(team=team, target_start_on=TODAY)
    services._set_competencies(requisition, list(DEFAULT_COMPETENCIES))
    before = AuditEvent.objects.count()
    assert not services.update_requisition(
        actor=lead,
        requisition=requisition,
        title=requisition.title,
        level=requisition.level,
        fte=requisition.fte,
        reason=requisition.reason,
        target_start_on=TODAY,
    )
    assert AuditEvent.objects.count() == before


# --- the evidence -----------------------------------------------------------------------


def test_the_evidence_shows_recent_and_coming_leavers_and_no_plan(cast, team):
    recent = AssociateFactory(
        team=team, user__first_name="Rita", left_on=dt.date(2029, 11, 1), is_active=False
    )
    leaving = AssociateFactory(team=team, user__first_name="Lars", left_on=dt.date(2030, 2, 1))
    AssociateFactory(team=team, user__first_name="Olga", left_on=dt.date(2029, 9, 1))
    response = client_for(cast["lead"]).get(reverse("teams:requisition-create", args=[team.pk]))
    page = response.content.decode()
    assert [a.pk for a in response.context["evidence"].leavers] == [recent.pk, leaving.pk]
    assert "Rita" in page
    assert "Lars" in page
    evidence = page[page.index('id="evidence-heading"') :]
    assert "Olga" not in evidence
    assert "No capacity plan for this team" in page


def test_the_staffing_gap_is_the_capacity_plans_peak_week(cast, team, associate, teammate):
    queue = QueueFactory(
        team=team,
        channel=Queue.Channel.DEFERRED,
        skill=SkillFactory(name="Payments"),
        service_level_percent=90,
        target_seconds=4 * 3600,
        handle_time_seconds=600,
        shrinkage_percent=0,
        max_occupancy_percent=100,
    )
    # 900 e-mails overnight into the second week: 150 hours of work that week.
    ForecastInterval.objects.create(
        queue=queue,
        starts_at=dt.datetime(2030, 1, 13, 22, tzinfo=dt.UTC),
        contacts=900,
        handle_time_seconds=600,
    )
    gap = staffing_gaps([team.pk], 8)[team.pk]
    row = capacity_overview([team], weeks=8)[0]
    peak = max(row.total.weeks, key=lambda w: w.shortfall_fte)
    assert gap.week_starting == peak.starts_on == dt.date(2030, 1, 14)
    assert gap.shortfall_fte == pytest.approx(peak.shortfall_fte)
    assert gap.shortfall_fte > 1
    assert (gap.required_fte, gap.rostered_fte) == (
        pytest.approx(peak.required_fte),
        pytest.approx(2.0),  # associate and teammate, 39 hours each
    )
    requisition = RequisitionFactory(team=team)
    page = client_for(cast["manager"]).get(
        reverse("teams:requisition-detail", args=[requisition.pk])
    )
    assert page.context["evidence"].gap == gap
    assert "No capacity plan" not in page.content.decode()


# --- pages ------------------------------------------------------------------------------


def test_the_detail_page_shows_buttons_by_role(cast, team):
    requisition = RequisitionFactory(team=team)
    approve = reverse("teams:requisition-approve", args=[requisition.pk])
    edit = reverse("teams:requisition-edit", args=[requisition.pk])
    cancel = reverse("teams:requisition-cancel", args=[requisition.pk])
    lead_page = client_for(cast["lead"]).get(requisition_url(requisition)).content.decode()
    manager_page = client_for(cast["manager"]).get(requisition_url(requisition)).content.decode()
    assert edit in lead_page
    assert cancel in lead_page
    assert approve not in lead_page
    assert approve in manager_page
    assert cancel in manager_page
    assert edit not in manager_page
    services.approve_requisition(actor=cast["manager"], requisition=requisition)
    services.open_requisition(actor=cast["lead"], requisition=requisition)
    lead_page = client_for(cast["lead"]).get(requisition_url(requisition)).content.decode()
    assert f"/requisitions/{requisition.pk}/board/" in lead_page
    assert "Requisition approved" in lead_page
    assert "Requisition opened" in lead_page
    history = client_for(cast["lead"]).get(requisition_url(requisition)).context["history"]
    assert [e.action for e in history] == [
        AuditEvent.Action.REQUISITION_APPROVED,
        AuditEvent.Action.REQUISITION_OPENED,
    ]


def requisition_url(requisition):
    return reverse("teams:requisition-detail", args=[requisition.pk])


def test_the_hiring_overview_groups_by_team_and_filters_by_status(cast, team, other_team):
    draft = RequisitionFactory(team=team, title="Draft one")
    opened = RequisitionFactory(
        team=team,
        title="Open one",
        status=Status.OPEN,
        opened_at=dt.datetime(2029, 12, 29, 12, tzinfo=dt.UTC),
    )
    ApplicationFactory(requisition=opened)
    ApplicationFactory(requisition=opened, stage=Stage.REJECTED)
    RequisitionFactory(team=other_team, title="Theirs")
    client = client_for(cast["lead"])
    response = client.get(reverse("teams:hiring"))
    page = response.content.decode()
    assert "Draft one" in page
    assert "Open one" in page
    assert "Theirs" not in page
    rows = {r.requisition.pk: r for g in response.context["groups"] for r in g.rows}
    assert rows[opened.pk].age_days == 10
    assert rows[opened.pk].requisition.active_count == 1
    assert reverse("teams:requisition-create", args=[team.pk]) in page
    filtered = client.get(reverse("teams:hiring"), {"status": "draft"}).content.decode()
    assert "Draft one" in filtered
    assert "Open one" not in filtered
    assert draft.pk in {r.requisition.pk for g in response.context["groups"] for r in g.rows}
    # A bad filter shows everything rather than failing.
    assert client.get(reverse("teams:hiring"), {"status": "\x00"}).status_code == 200
    manager_page = client_for(cast["manager"]).get(reverse("teams:hiring")).content.decode()
    assert "Draft one" in manager_page
    assert reverse("teams:requisition-create", args=[team.pk]) not in manager_page


@pytest.mark.parametrize("count", [1, 12])
def test_the_hiring_overview_has_a_query_budget(
    cast, team, other_team, count, django_assert_max_num_queries
):
    for n in range(count):
        requisition = RequisitionFactory(team=team if n % 2 else other_team, status=Status.OPEN)
        ApplicationFactory.create_batch(2, requisition=requisition)
    client = client_for(cast["admin"])
    with django_assert_max_num_queries(8):
        assert client.get(reverse("teams:hiring")).status_code == 200


@pytest.mark.parametrize("count", [1, 10])
def test_the_detail_page_has_a_query_budget(cast, team, count, django_assert_max_num_queries):
    requisition = RequisitionFactory(team=team, status=Status.OPEN)
    ApplicationFactory.create_batch(count, requisition=requisition)
    for n in range(count):
        AssociateFactory(team=team, left_on=dt.date(2029, 12, 1 + n), is_active=False)
        CompetencyFactory(requisition=requisition)
    client = client_for(cast["lead"])
    with django_assert_max_num_queries(10):
        assert client.get(requisition_url(requisition)).status_code == 200


def test_methods_are_declared(cast, team):
    requisition = RequisitionFactory(team=team)
    client = client_for(cast["manager"])
    assert (
        client.get(reverse("teams:requisition-approve", args=[requisition.pk])).status_code == 405
    )
    assert client.post(reverse("teams:hiring")).status_code == 405


def test_the_manager_sees_requisitions_to_approve(cast, team, other_team, manager):
    RequisitionFactory.create_batch(2, team=team)
    RequisitionFactory(team=team, status=Status.APPROVED)
    RequisitionFactory(team=other_team)
    from teams.access import roles_for

    [column] = manager_columns(manager, roles_for(manager), [team])
    assert column.heading == "Requisitions to approve"
    assert column.counts[team.pk].count == 2
    assert column.counts[team.pk].url == reverse("teams:hiring") + "?status=draft"
    assert other_team.pk not in column.counts
    page = client_for(manager).get(reverse("teams:home")).content.decode()
    assert "Requisitions to approve" in page
    assert reverse("teams:hiring") + "?status=draft" in page


def test_the_nav_links_hiring_for_people_with_teams(cast):
    url = reverse("teams:hiring")
    assert url in client_for(cast["lead"]).get(reverse("teams:home")).content.decode()
    assert url not in client_for(cast["associate"]).get(reverse("teams:home")).content.decode()


@pytest.mark.parametrize("count", [1, 10])
def test_the_detail_page_with_a_capacity_plan_has_a_query_budget(
    cast, team, count, django_assert_max_num_queries
):
    QueueFactory(team=team)
    requisition = RequisitionFactory(team=team, status=Status.OPEN)
    ApplicationFactory.create_batch(count, requisition=requisition)
    for _ in range(count):
        AssociateFactory(team=team)
    client = client_for(cast["lead"])
    with django_assert_max_num_queries(20):
        response = client.get(requisition_url(requisition))
    assert response.context["evidence"].gap is not None


def test_the_overview_filter_answers_htmx_with_the_list_only(cast, team):
    RequisitionFactory(team=team, title="Draft one")
    response = client_for(cast["lead"]).get(
        reverse("teams:hiring"), {"status": "draft"}, HTTP_HX_REQUEST="true"
    )
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="requisition-list">')
    assert "Draft one" in page
    assert "<html" not in page


def test_a_stale_edit_after_approval_changes_nothing(team, lead, manager):
    requisition = RequisitionFactory(team=team, target_start_on=TODAY)
    stale = Requisition.objects.get(pk=requisition.pk)
    services.approve_requisition(actor=manager, requisition=requisition)
    with pytest.raises(RequisitionRefused, match="approved"):
        services.update_requisition(
            actor=lead,
            requisition=stale,
            title="Changed behind the manager's back",
            level=stale.level,
            fte=stale.fte,
            reason=stale.reason,
            target_start_on=TODAY,
        )
    assert Requisition.objects.get(pk=requisition.pk).title == requisition.title
