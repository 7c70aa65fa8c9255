"""Access to scheduling objects, built on the roster rules in teams.access."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from teams.access import AnyUser, roles_for
from teams.models import Associate, Team

from .models import CompDay, CompDayRequest, ShiftSwap, TimeOffRequest


def get_own_associate(user: AnyUser) -> Associate:
    """The roster record of the user themself; 404 for people not on a roster."""
    roles = roles_for(user)
    if roles.associate_id is None:
        raise Http404("You are not on a team roster.")
    return Associate.objects.select_related("user", "team__site").get(pk=roles.associate_id)


def get_team_member(team: Team, associate_id: int) -> Associate:
    associate = Associate.objects.select_related("user").filter(pk=associate_id, team=team).first()
    if associate is None:
        raise Http404("No such associate on this team.")
    return associate


def get_time_off_for_user(
    user: AnyUser, request_id: int, *, to_decide: bool = False, to_cancel: bool = False
) -> TimeOffRequest:
    """Owner, their leads, their managers and admins see a request; leads and
    admins decide it; the owner or a lead may cancel it."""
    roles = roles_for(user)
    request = (
        TimeOffRequest.objects.select_related("associate__user", "associate__team__site")
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        raise Http404("No such request.")
    is_owner = request.associate_id == roles.associate_id
    team_id = request.associate.team_id
    if not (is_owner or roles.can_see_team(team_id)):
        raise Http404("No such request.")
    can_decide = roles.can_change_team(team_id)
    if to_decide and not can_decide:
        raise PermissionDenied("Only the team's lead decides time off.")
    if to_cancel and not (is_owner or can_decide):
        raise PermissionDenied("Only the requester or the team's lead can cancel this.")
    return request


def get_swap_for_user(user: AnyUser, swap_id: int, *, action: str = "view") -> ShiftSwap:
    """The two people in a swap, their leads, managers and admins see it.

    action: "respond" (the partner only), "decide" (a lead of the team) or
    "cancel" (the requester, or a lead).
    """
    roles = roles_for(user)
    swap = (
        ShiftSwap.objects.select_related(
            "requester__user", "partner__user", "requester__team__site"
        )
        .filter(pk=swap_id)
        .first()
    )
    if swap is None:
        raise Http404("No such swap.")
    is_requester = swap.requester_id == roles.associate_id
    is_partner = swap.partner_id == roles.associate_id
    team_id = swap.requester.team_id
    if not (is_requester or is_partner or roles.can_see_team(team_id)):
        raise Http404("No such swap.")
    can_decide = roles.can_change_team(team_id)
    allowed = {
        "view": True,
        "respond": is_partner,
        "decide": can_decide,
        "cancel": is_requester or can_decide,
    }[action]
    if not allowed:
        raise PermissionDenied("This step of the swap is not yours to take.")
    return swap


def get_comp_day_for_user(user: AnyUser, comp_day_id: int, *, for_change: bool = False) -> CompDay:
    """The owner, their leads, managers and admins see a comp day; the owner may
    ask to move it; only a lead of the team (or an admin) moves it directly."""
    roles = roles_for(user)
    comp = (
        CompDay.objects.select_related("associate__user", "associate__team__site", "duty")
        .filter(pk=comp_day_id)
        .first()
    )
    if comp is None:
        raise Http404("No such comp day.")
    is_owner = comp.associate_id == roles.associate_id
    if not (is_owner or roles.can_see_team(comp.associate.team_id)):
        raise Http404("No such comp day.")
    if for_change and not roles.can_change_team(comp.associate.team_id):
        raise PermissionDenied("Only the team's lead schedules comp days.")
    return comp


def get_comp_day_request_for_user(user: AnyUser, request_id: int) -> CompDayRequest:
    """Only a lead of the team (or an admin) decides a comp-day request."""
    roles = roles_for(user)
    request = (
        CompDayRequest.objects.select_related("comp_day__associate__team__site")
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        raise Http404("No such request.")
    team_id = request.comp_day.associate.team_id
    if not (request.comp_day.associate_id == roles.associate_id or roles.can_see_team(team_id)):
        raise Http404("No such request.")
    if not roles.can_change_team(team_id):
        raise PermissionDenied("Only the team's lead decides comp-day requests.")
    return request
