"""A team's queues: the lead adds and changes them, managers read them."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from teams.access import can_change_team, get_team_for_user
from teams.http import authenticated_user

from ..access import get_queue_for_team
from ..forms import QueueForm
from ..selectors.queues import queue_rows


@require_http_methods(["GET", "POST"])
def queue_list(request: HttpRequest, team_id: int) -> HttpResponse:
    """The team's queues, and (for its leads) the form that adds one."""
    user = authenticated_user(request)
    team = get_team_for_user(user, team_id, for_change=request.method == "POST")
    form = QueueForm(request.POST or None, team=team)
    if request.method == "POST" and form.is_valid():
        queue = form.save()
        messages.success(request, f"Queue “{queue.name}” added.")
        return redirect("scheduling:queue-list", team_id=team.pk)
    return render(
        request,
        "scheduling/queues/list.html",
        {
            "team": team,
            "form": form,
            "rows": queue_rows(team),
            "can_change": can_change_team(user, team.pk),
        },
    )


@require_http_methods(["GET", "POST"])
def queue_edit(request: HttpRequest, team_id: int, queue_id: int) -> HttpResponse:
    """Change one queue's settings (the team's leads only)."""
    user = authenticated_user(request)
    team = get_team_for_user(user, team_id, for_change=True)
    queue = get_queue_for_team(user, team, queue_id)
    form = QueueForm(request.POST or None, instance=queue, team=team)
    if request.method == "POST" and form.is_valid():
        if form.has_changed():
            form.save()
            messages.success(request, f"Queue “{queue.name}” saved.")
        else:
            messages.info(request, "Nothing changed.")
        return redirect("scheduling:queue-list", team_id=team.pk)
    return render(
        request, "scheduling/queues/edit.html", {"team": team, "queue": queue, "form": form}
    )
