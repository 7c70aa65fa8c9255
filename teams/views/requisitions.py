"""Requisitions: the hiring overview, drafting and editing a request for headcount
beside its evidence, and the state changes (approve, open, cancel)."""

from typing import Any

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ..access import (
    can_approve_requisitions,
    can_cancel_requisitions,
    can_change_team,
    get_requisition_for_cancel,
    get_requisition_for_user,
    get_team_for_user,
    require_hiring_viewer,
    visible_requisitions,
    visible_teams,
)
from ..forms.requisitions import CancelRequisitionForm, RequisitionForm, StatusFilterForm
from ..http import HtmxHttpRequest, authenticated_user
from ..models import Application, Requisition, Team
from ..selectors import requisitions as selectors
from ..services import requisitions as services
from ..services.requisitions import RequisitionRefused


@require_GET
def hiring(request: HtmxHttpRequest) -> HttpResponse:
    """A lead's teams' requisitions, a manager's teams', every team's for an ops admin."""
    user = authenticated_user(request)
    roles = require_hiring_viewer(user, "hiring")
    form = StatusFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    teams = list(visible_teams(user).order_by("site__name", "name"))
    changeable = {team.pk for team in teams if roles.can_change_team(team.pk)}
    groups = selectors.hiring_overview(visible_requisitions(user), teams, changeable, status=status)
    template = "teams/requisitions/hiring.html"
    return render(
        request,
        f"{template}#requisition-list" if request.htmx else template,
        {"form": form, "groups": groups, "status": status, "roles": roles},
    )


def _form_data(form: RequisitionForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "title": data["title"],
        "level": data["level"],
        "fte": data["fte"],
        "reason": data["reason"],
        "backfill_for": data.get("backfill_for"),
        "skills": list(data["skills"]),
        "competencies": data["competencies"],
        "target_start_on": data["target_start_on"],
        "justification": data["justification"],
    }


def _who_approves(team: Team) -> str:
    """The draft's next step as it is: the manager is e-mailed (services/requisitions.py,
    teams.notifications.email_requisition_drafted) only when there is one with an
    address; without a manager only an ops admin can approve."""
    manager = team.manager
    if manager is None:
        return "This team has no manager: an ops admin approves it."
    if not manager.is_active:
        return "This team's manager has no active login: an ops admin approves it."
    if not manager.email:
        return (
            f"{manager.display_name}, the team's manager, approves it; they have no e-mail "
            "address, so tell them."
        )
    return f"{manager.display_name}, the team's manager, is e-mailed to approve it."


@require_http_methods(["GET", "POST"])
def requisition_create(request: HttpRequest, team_id: int) -> HttpResponse:
    user = authenticated_user(request)
    team = get_team_for_user(user, team_id, for_change=True)
    form = RequisitionForm(
        request.POST or None,
        team=team,
        initial={"target_start_on": team.site.local_today()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            requisition = services.create_requisition(actor=user, team=team, **_form_data(form))
        except RequisitionRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"Requisition drafted. {_who_approves(team)}")
            return redirect("teams:requisition-detail", requisition_id=requisition.pk)
    return render(
        request,
        "teams/requisitions/form.html",
        {"form": form, "team": team, "evidence": selectors.evidence(team)},
    )


def _board_url(requisition: Requisition) -> str:
    return reverse("teams:requisition-board", kwargs={"requisition_id": requisition.pk})


@require_GET
def requisition_detail(request: HttpRequest, requisition_id: int) -> HttpResponse:
    user = authenticated_user(request)
    requisition = get_requisition_for_user(user, requisition_id)
    team = requisition.team
    is_lead = can_change_team(user, team.pk)
    can_approve = can_approve_requisitions(user, team.pk)
    stage_counts = dict(
        Application.objects.filter(requisition=requisition)
        .order_by()
        .values("stage")
        .annotate(n=Count("pk"))
        .values_list("stage", "n")
    )
    status = requisition.status
    Status = Requisition.Status
    context = {
        "requisition": requisition,
        "team": team,
        "skills": list(requisition.skills.all()),
        "competencies": list(requisition.competencies.all()),
        "evidence": selectors.evidence(team),
        "history": selectors.status_history(requisition),
        "stages": [
            (label, stage_counts.get(value, 0)) for value, label in Application.Stage.choices
        ],
        "age_days": selectors.age_days(requisition),
        "board_url": _board_url(requisition),
        "can_edit": is_lead and status == Status.DRAFT,
        "can_approve": can_approve and status == Status.DRAFT,
        "can_open": is_lead and status == Status.APPROVED,
        "can_cancel": can_cancel_requisitions(user, team.pk) and requisition.is_live,
        "cancel_form": CancelRequisitionForm(),
    }
    return render(request, "teams/requisitions/detail.html", context)


@require_http_methods(["GET", "POST"])
def requisition_edit(request: HttpRequest, requisition_id: int) -> HttpResponse:
    user = authenticated_user(request)
    requisition = get_requisition_for_user(user, requisition_id, for_change=True)
    if requisition.status != Requisition.Status.DRAFT:
        messages.error(request, "Only a draft can be edited; nothing was changed.")
        return redirect("teams:requisition-detail", requisition_id=requisition.pk)
    team = requisition.team
    form = RequisitionForm(request.POST or None, team=team, instance=requisition)
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.update_requisition(
                actor=user, requisition=requisition, **_form_data(form)
            )
        except RequisitionRefused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, "Requisition saved." if changed else "Nothing to change.")
        return redirect("teams:requisition-detail", requisition_id=requisition.pk)
    return render(
        request,
        "teams/requisitions/form.html",
        {
            "form": form,
            "team": team,
            "requisition": requisition,
            "evidence": selectors.evidence(team),
        },
    )


@require_POST
def requisition_approve(request: HttpRequest, requisition_id: int) -> HttpResponse:
    user = authenticated_user(request)
    requisition = get_requisition_for_user(user, requisition_id, for_approval=True)
    try:
        services.approve_requisition(actor=user, requisition=requisition)
    except RequisitionRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, "Requisition approved: the team's leads may open it.")
    return redirect("teams:requisition-detail", requisition_id=requisition.pk)


@require_POST
def requisition_open(request: HttpRequest, requisition_id: int) -> HttpResponse:
    user = authenticated_user(request)
    requisition = get_requisition_for_user(user, requisition_id, for_change=True)
    try:
        services.open_requisition(actor=user, requisition=requisition)
    except RequisitionRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, "Requisition open: candidates can now move through it.")
    return redirect("teams:requisition-detail", requisition_id=requisition.pk)


@require_POST
def requisition_cancel(request: HttpRequest, requisition_id: int) -> HttpResponse:
    user = authenticated_user(request)
    requisition = get_requisition_for_cancel(user, requisition_id)
    form = CancelRequisitionForm(request.POST)
    if not form.is_valid():
        errors = form.errors.get("reason") or ["Say why the requisition is cancelled."]
        messages.error(request, f"Not cancelled: {errors[0]}")
        return redirect("teams:requisition-detail", requisition_id=requisition.pk)
    try:
        withdrawn = services.cancel_requisition(
            actor=user, requisition=requisition, reason=form.cleaned_data["reason"]
        )
    except RequisitionRefused as refused:
        messages.error(request, str(refused))
    else:
        note = (
            f" {withdrawn} active application{'s' if withdrawn != 1 else ''} withdrawn."
            if withdrawn
            else ""
        )
        messages.success(request, f"Requisition cancelled.{note}")
    return redirect("teams:requisition-detail", requisition_id=requisition.pk)
