"""Protected time of a team: the list over a span of days (leads and the team's manager),
booking, changing and cancelling (leads). Associates see the activities they attend on
My schedule (views/schedule.py)."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from teams.access import can_change_team, get_team_for_user
from teams.http import HtmxHttpRequest, authenticated_user
from teams.models import Team

from ..access import get_activity_for_team
from ..forms import ActivityForm, ActivityRangeForm
from ..models import Activity
from ..selectors.activities import activities_between, attendee_choices, cover_warnings
from ..services import activities as services
from ..services.activities import Booked


def _list_url(team: Team, on: dt.date | None = None) -> str:
    url = reverse("scheduling:activity-list", kwargs={"team_id": team.pk})
    return url + ("?" + urlencode({"from": on.isoformat()}) if on else "")


@require_GET
def activity_list(request: HtmxHttpRequest, team_id: int) -> HttpResponse:
    user = authenticated_user(request)
    team = get_team_for_user(user, team_id)
    form = ActivityRangeForm(request.GET, today=team.site.local_today())
    first, last = form.span()
    context = {
        "team": team,
        "form": form,
        "first": first,
        "last": last,
        "activities": list(activities_between(team, first, last)),
        "can_change": can_change_team(user, team.pk),
    }
    template = "scheduling/activities/list.html"
    return render(request, f"{template}#activity-list" if request.htmx else template, context)


def _tell(request: HttpRequest, booked: Booked, done: str) -> None:
    """The booking, what the lead should know about the people, and what it does to the
    day's cover (with the nearest quiet slot)."""
    activity = booked.activity
    messages.success(request, f"{done}: {activity.title}, {activity.on:%a %-d %b}.")
    for note in booked.notes:
        messages.warning(request, note)
    for warning in cover_warnings(activity):
        messages.warning(request, warning)


def _form_page(
    request: HttpRequest, team: Team, form: ActivityForm, activity: Activity | None
) -> HttpResponse:
    return render(
        request,
        "scheduling/activities/form.html",
        {"team": team, "form": form, "activity": activity},
    )


@require_http_methods(["GET", "POST"])
def activity_create(request: HttpRequest, team_id: int) -> HttpResponse:
    user = authenticated_user(request)
    team = get_team_for_user(user, team_id, for_change=True)
    today = team.site.local_today()
    form = ActivityForm(
        request.POST or None,
        team=team,
        today=today,
        people=attendee_choices(team),
        initial={"on": today, "kind": Activity.Kind.TRAINING},
    )
    if request.method == "POST" and form.is_valid():
        try:
            data = form.cleaned_data
            booked = services.book_activity(
                actor=user,
                team=team,
                kind=data["kind"],
                title=data["title"],
                on=data["on"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                attendees=list(data["attendees"]),
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            _tell(request, booked, "Booked" if booked.created else "Already booked")
            return redirect(_list_url(team, booked.activity.on))
    return _form_page(request, team, form, None)


@require_http_methods(["GET", "POST"])
def activity_edit(request: HttpRequest, team_id: int, activity_id: int) -> HttpResponse:
    user = authenticated_user(request)
    team = get_team_for_user(user, team_id, for_change=True)
    activity = get_activity_for_team(user, team, activity_id)
    form = ActivityForm(
        request.POST or None,
        team=team,
        today=team.site.local_today(),
        people=attendee_choices(team),
        initial=ActivityForm.initial_for(activity),
    )
    if request.method == "POST" and form.is_valid():
        try:
            data = form.cleaned_data
            booked = services.change_activity(
                actor=user,
                activity=activity,
                kind=data["kind"],
                title=data["title"],
                on=data["on"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                attendees=list(data["attendees"]),
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            _tell(request, booked, "Saved")
            return redirect(_list_url(team, booked.activity.on))
    return _form_page(request, team, form, activity)


@require_POST
def activity_delete(request: HttpRequest, team_id: int, activity_id: int) -> HttpResponse:
    user = authenticated_user(request)
    team = get_team_for_user(user, team_id, for_change=True)
    activity = get_activity_for_team(user, team, activity_id)
    services.cancel_activity(actor=user, activity=activity)
    messages.success(request, f"Cancelled {activity.title} on {activity.on:%a %-d %b}.")
    return redirect(_list_url(team, activity.on))
