"""The comp-day ledger: an associate's weekend duties and comp days, moving a comp day."""

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from teams.access import can_change_team, get_associate_for_user
from teams.dates import YEAR, in_range
from teams.http import authenticated_user

from ..access import can_see_team, get_comp_day_for_user, get_comp_day_request_for_user
from ..selectors.comp_days import as_seen_by_associate, balance_of, duties_of
from ..services import comp_days as services
from ..services.schedule import ScheduleConflict, published_weeks
from .common import conflict_message


@require_GET
def associate_ledger(request: HttpRequest, associate_id: int) -> HttpResponse:
    user = authenticated_user(request)
    associate = get_associate_for_user(user, associate_id)
    today = associate.team.site.local_today()
    duties = duties_of(associate, newest_first=True)
    if not can_see_team(user, associate.team_id):
        duties = as_seen_by_associate(associate, duties, today)
    return render(
        request,
        "scheduling/comp_days/ledger.html",
        {
            "associate": associate,
            "duties": duties,
            "balance": balance_of(duties, today),
            "today": today,
            "can_change": can_change_team(user, associate.team_id),
        },
    )


def _comp_day_date(request: HttpRequest) -> dt.date | None:
    try:
        day = dt.date.fromisoformat(request.POST.get("on", ""))
    except ValueError:
        messages.error(request, "Nothing changed: choose a date.")
        return None
    if not in_range(day, past=YEAR, future=YEAR):
        messages.error(request, "Nothing changed: choose a date within a year of today.")
        return None
    return day


@require_POST
def my_comp_day_request(request: HttpRequest, comp_day_id: int) -> HttpResponse:
    user = authenticated_user(request)
    comp = get_comp_day_for_user(user, comp_day_id, for_request=True)
    wanted = _comp_day_date(request)
    if wanted is not None:
        try:
            services.request_comp_day(actor=user, comp_day=comp, wanted_on=wanted)
        except services.CompDayRequestRefused as refused:
            messages.error(request, f"Nothing changed: {refused}")
        else:
            messages.success(request, f"Asked for {wanted:%A %-d %b} off; your lead decides.")
    return redirect("scheduling:my-rota")


@require_POST
def comp_day_schedule(request: HttpRequest, comp_day_id: int) -> HttpResponse:
    user = authenticated_user(request)
    comp = get_comp_day_for_user(user, comp_day_id, for_change=True)
    wanted = _comp_day_date(request)
    if wanted is not None:
        was = comp.on
        try:
            services.move_comp_day(actor=user, comp_day=comp, to=wanted)
        except ScheduleConflict as error:
            conflict_message(request, error, "Scheduling the comp day")
        else:
            days = [d for d in (was, wanted) if d is not None]
            published = published_weeks(comp.associate.team, days)
            messages.success(
                request,
                f"Comp day scheduled on {wanted:%A %-d %b}."
                + (
                    f" Its week is published, so the change is published now and "
                    f"{comp.associate.name} has been told."
                    if published
                    else ""
                ),
            )
    return redirect("scheduling:ledger", associate_id=comp.associate_id)


@require_POST
def comp_day_request_decide(request: HttpRequest, request_id: int, decision: str) -> HttpResponse:
    if decision not in {"approve", "deny"}:
        raise Http404("No such decision.")
    user = authenticated_user(request)
    ask = get_comp_day_request_for_user(user, request_id)
    try:
        services.decide_comp_day_request(actor=user, request=ask, approve=decision == "approve")
    except ScheduleConflict as error:
        conflict_message(request, error, "Moving the comp day")
    else:
        messages.success(
            request,
            "Comp-day request approved." if decision == "approve" else "Comp-day request denied.",
        )
    return redirect("scheduling:timeoff-queue", team_id=ask.comp_day.associate.team_id)
