"""A team's forecasts: each queue's method and accuracy, the next weeks, the overrides."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from teams.access import can_change_team, get_team_for_user
from teams.http import authenticated_user

from ..access import get_override_for_team
from ..forms import ForecastOverrideForm
from ..selectors.forecasts import forecast_outlook
from ..services import forecasts as services


@require_http_methods(["GET", "POST"])
def forecast_page(request: HttpRequest, team_id: int) -> HttpResponse:
    user = authenticated_user(request)
    team = get_team_for_user(user, team_id, for_change=request.method == "POST")
    today = team.site.local_today()
    form = ForecastOverrideForm(request.POST or None, team=team, today=today)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.add_override(
            actor=user,
            queue=data["queue"],
            on=data["on"],
            percent=data["percent"],
            reason=data["reason"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
        )
        messages.success(request, f"Override saved: {data['queue']} {data['percent']:+d} %.")
        return redirect("scheduling:forecasts", team_id=team.pk)
    return render(
        request,
        "scheduling/forecasts/page.html",
        {
            "team": team,
            "outlook": forecast_outlook(team, today=today),
            "form": form,
            "today": today,
            "can_change": can_change_team(user, team.pk),
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@require_POST
def override_remove(request: HttpRequest, team_id: int, override_id: int) -> HttpResponse:
    user = authenticated_user(request)
    team = get_team_for_user(user, team_id, for_change=True)
    services.remove_override(actor=user, override=get_override_for_team(user, team, override_id))
    messages.success(request, "Override removed.")
    return redirect("scheduling:forecasts", team_id=team.pk)


@require_POST
def forecast_refresh(request: HttpRequest, team_id: int) -> HttpResponse:
    user = authenticated_user(request)
    team = get_team_for_user(user, team_id, for_change=True)
    done, short = [], []
    for queue in team.queues.filter(is_active=True):
        try:
            services.refresh_queue_forecast(queue=queue)
        except services.ForecastUnavailable as error:
            short.append(f"{queue.name}: {error}")
        else:
            done.append(queue.name)
    if done:
        messages.success(
            request, "Forecast again from the latest history: " + ", ".join(done) + "."
        )
    for line in short:
        messages.error(request, line)
    return redirect("scheduling:forecasts", team_id=team.pk)
