"""The associate's iCal feed: a secret link they rotate or revoke, served without login."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from teams.access import get_own_associate

from ..access import get_calendar_feed
from ..selectors.calendar import ics_for
from ..services import calendar as services


@require_POST
def calendar_rotate(request: HttpRequest) -> HttpResponse:
    associate = get_own_associate(request.user)
    services.rotate_calendar_feed(associate=associate)
    messages.success(request, "Your calendar link is ready. Any older link no longer works.")
    return redirect("scheduling:my-schedule")


@require_POST
def calendar_revoke(request: HttpRequest) -> HttpResponse:
    associate = get_own_associate(request.user)
    services.revoke_calendar_feed(associate=associate)
    messages.success(request, "Your calendar link is switched off.")
    return redirect("scheduling:my-schedule")


@login_not_required
@never_cache
@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    feed = get_calendar_feed(request.user, token)
    body = ics_for(feed.associate)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="sdc-ops-schedule.ics"'
    return response
