"""Coverage requirements of a team, and the coverage overview across teams."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from teams.access import can_change_team, get_team_for_user, visible_teams
from teams.http import authenticated_user

from ..access import get_requirement_for_team, require_team_overseer
from ..forms import CoverageRequirementForm
from ..selectors.coverage import coverage_overview as overview_of
from ..selectors.coverage import requirements_for


@require_http_methods(["GET", "POST"])
def coverage_requirements(request: HttpRequest, team_id: int) -> HttpResponse:
    user = authenticated_user(request)
    team = get_team_for_user(user, team_id, for_change=request.method == "POST")
    form = CoverageRequirementForm(request.POST or None, team=team)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Requirement added.")
        return redirect("scheduling:coverage-requirements", team_id=team.pk)
    return render(
        request,
        "scheduling/coverage/requirements.html",
        {
            "team": team,
            "form": form,
            "requirements": requirements_for(team),
            "can_change": can_change_team(user, team.pk),
        },
    )


@require_POST
def coverage_requirement_delete(
    request: HttpRequest, team_id: int, requirement_id: int
) -> HttpResponse:
    user = authenticated_user(request)
    team = get_team_for_user(user, team_id, for_change=True)
    get_requirement_for_team(user, team, requirement_id).delete()
    messages.success(request, "Requirement removed.")
    return redirect("scheduling:coverage-requirements", team_id=team.pk)


@require_GET
def coverage_overview(request: HttpRequest) -> HttpResponse:
    user = authenticated_user(request)
    require_team_overseer(user)
    rows = overview_of(list(visible_teams(user)), weeks=4)
    return render(request, "scheduling/coverage/overview.html", {"rows": rows})
