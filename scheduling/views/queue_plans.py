"""The day's queue plan: the lead proposes it, adjusts cells in place, publishes it."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from teams.access import can_change_team, get_team_for_user
from teams.http import HtmxHttpRequest, authenticated_user
from teams.models import Team

from ..access import get_team_member
from ..forms import QueueCellForm
from ..models import Queue
from ..selectors.queue_plans import PlanDay, plan_day
from ..services import queue_plans as services
from .common import day_param, plain_errors


def _context(request: HttpRequest, team: Team, current: PlanDay) -> dict[str, object]:
    user = authenticated_user(request)
    return {
        "team": team,
        "day": current.day,
        "current": current,
        "rows": current.rows(),
        "unmet": current.unmet()[:12],
        "can_change": can_change_team(user, team.pk),
    }


def _page(team: Team, day: object) -> str:
    url = reverse("scheduling:queue-plan", kwargs={"team_id": team.pk})
    return f"{url}?day={day}"


@require_GET
def queue_plan(request: HtmxHttpRequest, team_id: int) -> HttpResponse:
    team = get_team_for_user(authenticated_user(request), team_id)
    current = plan_day(team, day_param(request, team))
    return render(request, "scheduling/queue_plans/day.html", _context(request, team, current))


@require_POST
def queue_plan_propose(request: HttpRequest, team_id: int) -> HttpResponse:
    user = authenticated_user(request)
    team = get_team_for_user(user, team_id, for_change=True)
    day = day_param(request, team)
    try:
        proposal = services.propose(actor=user, team=team, day=day)
    except services.QueuePlanRefused as error:
        messages.error(request, str(error))
    else:
        if proposal.unmet:
            messages.warning(
                request,
                f"Proposed: {proposal.unmet} agent-interval{'s' if proposal.unmet != 1 else ''} "
                "of need cannot be met with the people on shift (listed below).",
            )
        else:
            messages.success(request, "Proposed: every queue's need is met.")
    return redirect(_page(team, day))


@require_POST
def queue_plan_cell(request: HtmxHttpRequest, team_id: int) -> HttpResponse:
    user = authenticated_user(request)
    team = get_team_for_user(user, team_id, for_change=True)
    day = day_param(request, team)
    current = plan_day(team, day)
    form = QueueCellForm(request.POST, current=current)
    status = 200
    if form.is_valid():
        data = form.cleaned_data
        associate = get_team_member(user, team, data["associate"])
        queue = Queue.objects.filter(team=team, pk=data["queue"]).first() if data["queue"] else None
        try:
            services.set_cell(
                actor=user,
                team=team,
                day=day,
                associate=associate,
                index=data["index"],
                queue=queue,
            )
        except services.QueuePlanRefused as error:
            messages.error(request, str(error))
            status = 400
        current = plan_day(team, day)
    else:
        messages.error(request, plain_errors(form))
        status = 400
    if request.htmx:
        return render(
            request,
            "scheduling/queue_plans/day.html#plan",
            _context(request, team, current),
            status=status,
        )
    return redirect(_page(team, day))


@require_POST
def queue_plan_publish(request: HttpRequest, team_id: int) -> HttpResponse:
    user = authenticated_user(request)
    team = get_team_for_user(user, team_id, for_change=True)
    day = day_param(request, team)
    try:
        services.publish(actor=user, team=team, day=day)
    except services.QueuePlanRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Published: the team sees its queues for {day:%a %-d %b}.")
    return redirect(_page(team, day))
