"""Shift swaps: an associate asks a teammate (or offers a shift on the team's swap
board), the teammate answers (or takes it), the lead decides."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from teams.access import can_change_team, get_own_associate, own_associate_id
from teams.http import HtmxHttpRequest, authenticated_user
from teams.models import Associate

from ..access import can_see_team, get_offer_for_user, get_swap_board_team, get_swap_for_user
from ..forms import SwapOfferForm, SwapPickForm, SwapRequestForm, TakeOfferForm
from ..models import ShiftSwap, SwapOffer
from ..selectors.swaps import (
    SWAP_HORIZON_DAYS,
    board_member,
    my_swappable_shifts,
    offer_choices,
    offered_shift,
    swap_board,
    swap_choices,
)
from ..services import swaps as services
from ..services.schedule import ScheduleConflict
from .common import conflict_message


def _file_errors(
    form: SwapRequestForm | SwapOfferForm | TakeOfferForm, error: services.SwapRefused
) -> None:
    for field, reasons in error.by_field.items():
        for reason in reasons:
            form.add_error(field if field in form.fields else None, reason)


@require_http_methods(["GET", "POST"])
def swap_propose(request: HtmxHttpRequest) -> HttpResponse:
    """Pick my shift, then a teammate and their day from a short list that follows
    the pick (htmx swaps #swap-options; without JavaScript the pick is a GET)."""
    user = authenticated_user(request)
    me = get_own_associate(user)
    today = me.team.site.local_today()
    mine = my_swappable_shifts(me, today)
    form = SwapRequestForm(request.POST or None)
    if request.method == "POST":
        pick = SwapPickForm({"mine": request.POST.get("mine", "")}, my_shifts=mine)
        if form.is_valid():
            day = form.cleaned_data["mine"]
            partner_id, partner_day, _ = form.cleaned_data["theirs"]
            partner = Associate.objects.select_related("user").filter(pk=partner_id).first()
            try:
                if partner is None:
                    raise services.SwapRefused({"theirs": ["Swap with someone on your own team."]})
                services.propose_swap(
                    actor=user,
                    requester=me,
                    requester_day=day,
                    partner=partner,
                    partner_day=partner_day,
                    note=form.cleaned_data["note"],
                )
            except services.SwapRefused as error:
                _file_errors(form, error)
            else:
                messages.success(
                    request, f"Swap asked of {partner}. They accept, then your lead approves."
                )
                return redirect("scheduling:my-schedule")
    else:
        pick = SwapPickForm(request.GET if "mine" in request.GET else None, my_shifts=mine)
    day = pick.cleaned_data["mine"] if pick.is_bound and pick.is_valid() else None
    context = {
        "pick": pick,
        "form": form,
        "day": day,
        "choices": swap_choices(me, day, today) if day else [],
        "has_shifts": bool(mine),
        "team": me.team,
        "horizon_weeks": SWAP_HORIZON_DAYS // 7,
    }
    template = "scheduling/swaps/swap_form.html"
    return render(request, f"{template}#swap-options" if request.htmx else template, context)


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


# The swap board ----------------------------------------------------------------


def _board(
    request: HttpRequest, team_id: int, *, offer_form: SwapOfferForm | None = None
) -> HttpResponse:
    user = authenticated_user(request)
    team = get_swap_board_team(user, team_id)
    today = team.site.local_today()
    me = board_member(own_associate_id(user), team)
    if me is not None and offer_form is None:
        offer_form = SwapOfferForm(my_shifts=my_swappable_shifts(me, today))
    return render(
        request,
        "scheduling/swaps/board.html",
        {
            "team": team,
            "today": today,
            "board": swap_board(team, today),
            "me": me,
            "offer_form": offer_form if me is not None else None,
            "can_change": can_change_team(user, team.pk),
            "show_tabs": can_see_team(user, team.pk),
        },
    )


@require_GET
def swap_board_page(request: HttpRequest, team_id: int) -> HttpResponse:
    """The team's open offers, for its associates and its leads."""
    return _board(request, team_id)


@require_POST
def swap_offer_create(request: HttpRequest) -> HttpResponse:
    user = authenticated_user(request)
    me = get_own_associate(user)
    today = me.team.site.local_today()
    form = SwapOfferForm(request.POST, my_shifts=my_swappable_shifts(me, today))
    if form.is_valid():
        try:
            offer = services.offer_shift(
                actor=user, offerer=me, on=form.cleaned_data["on"], note=form.cleaned_data["note"]
            )
        except services.SwapRefused as error:
            _file_errors(form, error)
        else:
            messages.success(
                request, f"Your {offer.on:%a %-d %b} shift is on the swap board for your team."
            )
            return redirect("scheduling:swap-board", team_id=me.team_id)
    return _board(request, me.team_id, offer_form=form)


@require_http_methods(["GET", "POST"])
def swap_offer_take(request: HttpRequest, offer_id: int) -> HttpResponse:
    """A teammate takes a shift from the board, choosing what they give in return."""
    user = authenticated_user(request)
    offer = get_offer_for_user(user, offer_id, action="take")
    me = get_own_associate(user)
    today = me.team.site.local_today()
    form = TakeOfferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _partner_id, partner_day, is_hand_over = form.cleaned_data["theirs"]
        try:
            services.take_offer(
                actor=user,
                offer=offer,
                taker=me,
                partner_day=partner_day,
                is_hand_over=is_hand_over,
            )
        except services.SwapRefused as error:
            _file_errors(form, error)
        else:
            messages.success(
                request,
                f"You took {offer.offerer}'s {offer.on:%a %-d %b} shift; your lead approves next.",
            )
            return redirect("scheduling:swap-board", team_id=offer.offerer.team_id)
    offer.refresh_from_db(fields=["status"])
    is_open = offer.status == SwapOffer.Status.OPEN and offer.on > today
    return render(
        request,
        "scheduling/swaps/take.html",
        {
            "offer": offer,
            "form": form,
            "is_open": is_open,
            "choices": offer_choices(offer, me, today) if is_open else [],
            "shift": offered_shift(offer),
        },
    )


@require_POST
def swap_offer_withdraw(request: HttpRequest, offer_id: int) -> HttpResponse:
    user = authenticated_user(request)
    offer = get_offer_for_user(user, offer_id, action="withdraw")
    try:
        services.withdraw_offer(actor=user, offer=offer)
    except ScheduleConflict as error:
        conflict_message(request, error, "Withdrawing the offer")
    else:
        messages.success(request, f"The {offer.on:%a %-d %b} shift is off the swap board.")
    return redirect("scheduling:swap-board", team_id=offer.offerer.team_id)
