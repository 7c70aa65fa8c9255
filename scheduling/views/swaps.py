"""Shift swaps: an associate offers, the teammate answers, the lead decides."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from teams.access import can_change_team, get_own_associate
from teams.http import authenticated_user

from ..access import get_swap_for_user
from ..forms import SwapForm
from ..models import ShiftSwap
from ..selectors.swaps import swappable_shifts
from ..services import swaps as services
from ..services.schedule import ScheduleConflict
from .common import conflict_message


@require_http_methods(["GET", "POST"])
def swap_propose(request: HttpRequest) -> HttpResponse:
    user = authenticated_user(request)
    me = get_own_associate(user)
    mine, theirs = swappable_shifts(me, me.team.site.local_today())
    form = SwapForm(request.POST or None, my_shifts=mine, their_shifts=theirs)
    if request.method == "POST" and form.is_valid():
        partner, partner_day = form.partner_and_day()
        try:
            services.propose_swap(
                actor=user,
                requester=me,
                requester_day=form.my_day(),
                partner=partner,
                partner_day=partner_day,
                note=form.cleaned_data["note"],
            )
        except ScheduleConflict as error:
            for reason in error.reasons:
                form.add_error(None, reason)
        else:
            messages.success(
                request, f"Swap offered to {partner}. They accept, then your lead approves."
            )
            return redirect("scheduling:my-schedule")
    return render(
        request, "scheduling/swaps/swap_form.html", {"form": form, "has_shifts": bool(mine)}
    )


def _after_swap(request: HttpRequest, swap: ShiftSwap) -> HttpResponse:
    if can_change_team(request.user, swap.requester.team_id):
        return redirect("scheduling:timeoff-queue", team_id=swap.requester.team_id)
    return redirect("scheduling:my-schedule")


@require_POST
def swap_respond(request: HttpRequest, swap_id: int) -> HttpResponse:
    user = authenticated_user(request)
    swap = get_swap_for_user(user, swap_id, action="respond")
    accept = request.POST.get("answer") == "accept"
    services.respond_to_swap(actor=user, swap=swap, accept=accept)
    messages.success(
        request,
        "You accepted the swap; your lead decides next." if accept else "You declined the swap.",
    )
    return _after_swap(request, swap)


@require_POST
def swap_approve(request: HttpRequest, swap_id: int) -> HttpResponse:
    user = authenticated_user(request)
    swap = get_swap_for_user(user, swap_id, action="decide")
    try:
        services.approve_swap(actor=user, swap=swap, note=request.POST.get("note", "")[:300])
    except ScheduleConflict as error:
        conflict_message(request, error, "The swap")
    else:
        messages.success(request, f"Swap approved: {swap.requester} ⇄ {swap.partner}.")
    return _after_swap(request, swap)


@require_POST
def swap_deny(request: HttpRequest, swap_id: int) -> HttpResponse:
    user = authenticated_user(request)
    swap = get_swap_for_user(user, swap_id, action="decide")
    services.close_swap(
        actor=user,
        swap=swap,
        status=ShiftSwap.Status.DENIED,
        note=request.POST.get("note", "")[:300],
    )
    messages.success(request, "Swap denied.")
    return _after_swap(request, swap)


@require_POST
def swap_cancel(request: HttpRequest, swap_id: int) -> HttpResponse:
    user = authenticated_user(request)
    swap = get_swap_for_user(user, swap_id, action="cancel")
    services.close_swap(actor=user, swap=swap, status=ShiftSwap.Status.CANCELLED)
    messages.success(request, "Swap cancelled.")
    return _after_swap(request, swap)
