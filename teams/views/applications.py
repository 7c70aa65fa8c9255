"""A requisition's board, an application's page and the move of a card."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from ..access import (
    can_change_team,
    get_application_for_user,
    get_requisition_for_user,
    sees_whole_application,
    visible_applications,
)
from ..forms.applications import MoveForm
from ..http import HtmxHttpRequest, authenticated_user
from ..models import Requisition, User
from ..selectors import applications as selectors
from ..selectors.interviews import interview_panel
from ..selectors.offers import offer_panel
from ..services.applications import ApplicationMoveRefused, move_application


def _board_context(
    user: User, requisition: Requisition, *, notice: str = "", error: str = ""
) -> dict[str, object]:
    can_move = can_change_team(user, requisition.team_id)
    return {
        "requisition": requisition,
        "team": requisition.team,
        "board": selectors.board(requisition, can_move=can_move),
        "can_change": can_move,
        "is_open": requisition.status == Requisition.Status.OPEN,
        "notice": notice,
        "error": error,
        "stale_days": settings.HIRING_STALE_DAYS,
    }


@require_GET
def requisition_board(request: HtmxHttpRequest, requisition_id: int) -> HttpResponse:
    user = authenticated_user(request)
    requisition = get_requisition_for_user(user, requisition_id)
    template = "teams/applications/board.html"
    if request.htmx:
        template += "#board"
    return render(request, template, _board_context(user, requisition))


@require_POST
def application_move(request: HtmxHttpRequest, application_id: int) -> HttpResponse:
    user = authenticated_user(request)
    application = get_application_for_user(user, application_id, for_change=True)
    name = application.candidate.name
    form = MoveForm(request.POST)
    notice = error = ""
    if not form.is_valid():
        error = "Nothing was changed: " + " ".join(
            f"{form.fields[f].label or f}: {' '.join(str(m) for m in e)}"
            for f, e in form.errors.items()
        )
    else:
        try:
            moved = move_application(
                actor=user,
                application=application,
                to_stage=form.cleaned_data["to_stage"],
                reason=form.cleaned_data["reason"],
                from_stage=form.cleaned_data["from_stage"],
            )
        except ApplicationMoveRefused as refused:
            error = str(refused)
        else:
            notice = f"{name} moved to {moved.get_stage_display()}."
    requisition = application.requisition
    if request.htmx:
        context = _board_context(user, requisition, notice=notice, error=error)
        return render(request, "teams/applications/board.html#board", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, notice)
    if request.POST.get("back") == "application":
        return redirect("teams:application-detail", application_id=application.pk)
    return redirect("teams:requisition-board", requisition_id=requisition.pk)


@require_GET
def application_detail(request: HtmxHttpRequest, application_id: int) -> HttpResponse:
    user = authenticated_user(request)
    application = get_application_for_user(user, application_id)
    whole = sees_whole_application(user, application)
    can_move = can_change_team(user, application.requisition.team_id)
    context: dict[str, object] = {
        "application": application,
        "candidate": application.candidate,
        "requisition": application.requisition,
        "team": application.requisition.team,
        "sees_whole": whole,
        "can_change": can_move,
    }
    if whole:
        context["history"] = selectors.stage_history(application)
        context["decisions"] = selectors.decisions(application)
        context["card"] = selectors.card(application, timezone.now(), can_move=can_move)
        context["other_applications"] = list(
            visible_applications(user)
            .filter(candidate=application.candidate)
            .exclude(pk=application.pk)
            .select_related("requisition__team")
        )
    context |= interview_panel(user=user, application=application)
    context |= offer_panel(user=user, application=application)
    response = render(request, "teams/applications/detail.html", context)
    response["Cache-Control"] = "no-store"
    return response
