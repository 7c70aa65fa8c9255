"""Time off: the associate asks, the team's lead decides from the queue."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from teams.access import can_change_team, get_own_associate, get_team_for_user
from teams.http import HtmxHttpRequest, authenticated_user

from ..access import get_time_off_for_user
from ..forms import DecisionForm, TimeOffForm
from ..models import TimeOffRequest
from ..selectors.comp_days import pending_comp_day_requests
from ..selectors.swaps import swap_queue
from ..selectors.time_off import recent_time_off, request_summary, time_off_queue
from ..services import time_off as services
from ..services.schedule import ScheduleConflict
from .common import conflict_message


@require_GET
def timeoff_queue(request: HttpRequest, team_id: int) -> HttpResponse:
    """What waits for the team's lead: time off with its effect on cover, swaps, comp days."""
    user = authenticated_user(request)
    team = get_team_for_user(user, team_id)
    return render(
        request,
        "scheduling/time_off/queue.html",
        {
            "team": team,
            "pending": time_off_queue(team, team.site.local_today()),
            "swaps": swap_queue(team),
            "comp_requests": pending_comp_day_requests(team),
            "recent": recent_time_off(team),
            "can_change": can_change_team(user, team.pk),
        },
    )


def _after_decision(request: HttpRequest, time_off: TimeOffRequest) -> HttpResponse:
    if can_change_team(request.user, time_off.associate.team_id):
        return redirect("scheduling:timeoff-queue", team_id=time_off.associate.team_id)
    return redirect("scheduling:my-schedule")


def _decide_time_off(request: HttpRequest, request_id: int, *, approve: bool) -> HttpResponse:
    user = authenticated_user(request)
    time_off = get_time_off_for_user(user, request_id, to_decide=True)
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    decide = services.approve_time_off if approve else services.deny_time_off
    doing, done = ("Approving", "Approved") if approve else ("Denying", "Denied")
    try:
        decide(actor=user, request=time_off, note=note)
    except ScheduleConflict as error:
        conflict_message(request, error, f"{doing} {time_off.associate}'s time off")
    else:
        messages.success(request, f"{done} {time_off.associate}'s time off.")
    return _after_decision(request, time_off)


@require_POST
def timeoff_approve(request: HttpRequest, request_id: int) -> HttpResponse:
    return _decide_time_off(request, request_id, approve=True)


@require_POST
def timeoff_deny(request: HttpRequest, request_id: int) -> HttpResponse:
    return _decide_time_off(request, request_id, approve=False)


@require_POST
def timeoff_cancel(request: HttpRequest, request_id: int) -> HttpResponse:
    user = authenticated_user(request)
    time_off = get_time_off_for_user(user, request_id, to_cancel=True)
    services.cancel_time_off(actor=user, request=time_off)
    messages.success(request, "The time-off request is cancelled.")
    return _after_decision(request, time_off)


@require_http_methods(["GET", "POST"])
def timeoff_request(request: HtmxHttpRequest) -> HttpResponse:
    """The request form. A GET with the form's fields (htmx sends one as the dates
    change) counts the working days and checks the balance without saving; htmx
    gets just that summary."""
    user = authenticated_user(request)
    associate = get_own_associate(user)
    today = associate.team.site.local_today()
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = TimeOffForm(data, associate=associate, today=today)
    is_valid = form.is_valid()
    if request.method == "POST" and is_valid:
        try:
            services.request_time_off(actor=user, associate=associate, **form.cleaned_data)
        except ValidationError as refused:  # a request that got in first (double submit)
            form.add_error(None, refused)
        else:
            messages.success(request, "Your request is with your lead.")
            return redirect("scheduling:my-schedule")
    template = "scheduling/time_off/request_form.html"
    return render(
        request,
        f"{template}#leave-summary" if request.htmx else template,
        {
            "form": form,
            "associate": associate,
            "summary": form.summary or request_summary(associate, today),
            # Live, as the dates change: say what is wrong once both dates are in.
            "show_errors": bool(
                request.htmx and request.GET.get("first_day") and request.GET.get("last_day")
            ),
        },
    )
