"""Every scheduling gate, built on the roster rules in teams.access.

A missing object and one the user may not see are the same 404; one they may see
but not change is a 403. Every refusal is logged through teams.access.deny.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions as api_exceptions

from teams.access import AnyUser, deny, roles_for
from teams.models import Associate, Team

from .models import (
    Activity,
    CalendarFeed,
    CompDay,
    CompDayRequest,
    CoverageRequirement,
    ForecastOverride,
    Queue,
    RotaProposal,
    ShiftSwap,
    SwapOffer,
    TimeOffRequest,
)


def _not_found(user: AnyUser, what: str, object_id: int | str, message: str) -> Http404:
    deny(user, what, object_id, status=404)
    return Http404(message)


def _forbidden(user: AnyUser, what: str, object_id: int | str, message: str) -> PermissionDenied:
    deny(user, what, object_id, status=403)
    return PermissionDenied(message)


def can_see_team(user: AnyUser, team_id: int) -> bool:
    """Leads, managers and admins see a team's whole plan and ledger."""
    return roles_for(user).can_see_team(team_id)


def require_team_overseer(user: AnyUser, what: str = "coverage-overview") -> None:
    """Cross-team pages (the coverage and capacity overviews) are for people who lead or
    manage a team; `what` names the page in the refusal's log line."""
    if not roles_for(user).has_teams:
        raise _not_found(user, what, "-", "You do not lead or manage a team.")


# The API token scope that posts volume history. Tokens are performance's
# (performance/models/api_tokens.py, which defines the same value); scheduling reads
# the request's credential through its `has_scope`, never its model.
VOLUME_SCOPE = "write_volumes"


def require_volume_poster(user: AnyUser, auth: object) -> None:
    """Who posts volume history through the API: leads (for their own teams, which
    `teams.access.get_team_for_user` checks per request) and ops admins; 403 for
    everyone else, and for a token without the write_volumes scope. A browser
    session (`auth` None) is the person themself: no scope applies."""
    if auth is not None:
        has_scope = getattr(auth, "has_scope", None)
        if not (callable(has_scope) and has_scope(VOLUME_SCOPE)):
            deny(user, "api", f"scope:{VOLUME_SCOPE}", status=403)
            raise api_exceptions.PermissionDenied(
                f"This API token does not have the {VOLUME_SCOPE} scope (Post queue "
                "volumes); make a token that has it at /account/api-token/."
            )
    roles = roles_for(user)
    if not (roles.is_admin or roles.is_lead):
        deny(user, "api", "queue-volumes", status=403)
        raise api_exceptions.PermissionDenied(
            "Only leads (for their own teams) and ops admins may post volume history."
        )


def get_team_member(user: AnyUser, team: Team, associate_id: int) -> Associate:
    associate = Associate.objects.select_related("user").filter(pk=associate_id, team=team).first()
    if associate is None:
        raise _not_found(user, "associate", associate_id, "No such associate on this team.")
    return associate


def get_activity_for_team(user: AnyUser, team: Team, activity_id: int) -> Activity:
    """An activity of a team the caller has already been let into (get_team_for_user):
    another team's activity is a 404, like a missing one."""
    activity = (
        Activity.objects.select_related("team__site").filter(team=team, pk=activity_id).first()
    )
    if activity is None:
        raise _not_found(user, "activity", activity_id, "No such activity.")
    return activity


def get_requirement_for_team(user: AnyUser, team: Team, requirement_id: int) -> CoverageRequirement:
    requirement = CoverageRequirement.objects.filter(team=team, pk=requirement_id).first()
    if requirement is None:
        raise _not_found(user, "coverage-requirement", requirement_id, "No such requirement.")
    return requirement


def get_override_for_team(user: AnyUser, team: Team, override_id: int) -> ForecastOverride:
    override = (
        ForecastOverride.objects.filter(queue__team=team, pk=override_id)
        .select_related("queue__team")
        .first()
    )
    if override is None:
        raise _not_found(user, "forecast-override", override_id, "No such override.")
    return override


def get_queue_for_team(user: AnyUser, team: Team, queue_id: int) -> Queue:
    """A queue of `team` (reached through the team, so its access is the team's)."""
    queue = Queue.objects.select_related("skill").filter(team=team, pk=queue_id).first()
    if queue is None:
        raise _not_found(user, "queue", queue_id, "No such queue on this team.")
    return queue


def get_proposal_for_team(user: AnyUser, team: Team, proposal_id: int) -> RotaProposal:
    proposal = RotaProposal.objects.filter(team=team, pk=proposal_id).first()
    if proposal is None:
        raise _not_found(user, "rota-proposal", proposal_id, "No such proposal.")
    return proposal


def get_calendar_feed(user: AnyUser, token: str) -> CalendarFeed:
    """The public iCal feed: the token is the credential (never logged)."""
    feed = (
        CalendarFeed.objects.select_related("associate__user", "associate__team__site")
        .filter(token=token, associate__is_active=True)
        .first()
    )
    if feed is None:
        raise _not_found(user, "calendar-feed", "-", "No such calendar.")
    return feed


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
        raise _not_found(user, "time-off", request_id, "No such request.")
    is_owner = request.associate_id == roles.associate_id
    team_id = request.associate.team_id
    if not (is_owner or roles.can_see_team(team_id)):
        raise _not_found(user, "time-off", request_id, "No such request.")
    can_decide = roles.can_change_team(team_id)
    if to_decide and not can_decide:
        raise _forbidden(user, "time-off", request_id, "Only the team's lead decides time off.")
    if to_cancel and not (is_owner or can_decide):
        raise _forbidden(
            user, "time-off", request_id, "Only the requester or the team's lead can cancel this."
        )
    return request


def get_swap_for_user(user: AnyUser, swap_id: int, *, action: str = "view") -> ShiftSwap:
    """The two people in a swap, their leads, managers and admins see it.

    action: "respond" (the partner only), "decide" (a lead of the team) or
    "cancel" (either of the two people, or a lead).
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
        raise _not_found(user, "swap", swap_id, "No such swap.")
    is_requester = swap.requester_id == roles.associate_id
    is_partner = swap.partner_id == roles.associate_id
    team_id = swap.requester.team_id
    if not (is_requester or is_partner or roles.can_see_team(team_id)):
        raise _not_found(user, "swap", swap_id, "No such swap.")
    can_decide = roles.can_change_team(team_id)
    allowed = {
        "view": True,
        "respond": is_partner,
        "decide": can_decide,
        "cancel": is_requester or is_partner or can_decide,
    }[action]
    if not allowed:
        raise _forbidden(user, "swap", swap_id, "This step of the swap is not yours to take.")
    return swap


def _own_team_id(associate_id: int | None) -> int | None:
    if associate_id is None:
        return None
    return (
        Associate.objects.filter(pk=associate_id, is_active=True)
        .values_list("team_id", flat=True)
        .first()
    )


def get_swap_board_team(user: AnyUser, team_id: int) -> Team:
    """A team's swap board is for its own associates, its leads, managers and admins."""
    roles = roles_for(user)
    team = Team.objects.select_related("site").filter(pk=team_id).first()
    if team is None or not (
        _own_team_id(roles.associate_id) == team_id or roles.can_see_team(team_id)
    ):
        raise _not_found(user, "swap-board", team_id, "No such team.")
    return team


def get_offer_for_user(user: AnyUser, offer_id: int, *, action: str = "view") -> SwapOffer:
    """An offer on a swap board: seen by the board's people (another team's is a 404).

    action: "take" (a teammate of the offerer, not the offerer) or "withdraw"
    (the offerer, or a lead of the team).
    """
    roles = roles_for(user)
    offer = (
        SwapOffer.objects.select_related("offerer__user", "offerer__team__site")
        .filter(pk=offer_id)
        .first()
    )
    if offer is None:
        raise _not_found(user, "swap-offer", offer_id, "No such offer.")
    team_id = offer.offerer.team_id
    is_offerer = offer.offerer_id == roles.associate_id
    is_teammate = not is_offerer and _own_team_id(roles.associate_id) == team_id
    if not (is_offerer or is_teammate or roles.can_see_team(team_id)):
        raise _not_found(user, "swap-offer", offer_id, "No such offer.")
    allowed = {
        "view": True,
        "take": is_teammate,
        "withdraw": is_offerer or roles.can_change_team(team_id),
    }[action]
    if not allowed:
        raise _forbidden(
            user, "swap-offer", offer_id, "This offer is not yours to take or withdraw."
        )
    return offer


def get_comp_day_for_user(
    user: AnyUser, comp_day_id: int, *, for_change: bool = False, for_request: bool = False
) -> CompDay:
    """The owner, their leads, managers and admins see a comp day; only the owner
    asks to move it (for_request); only a lead of the team (or an admin) moves it
    directly (for_change)."""
    roles = roles_for(user)
    comp = (
        CompDay.objects.select_related("associate__user", "associate__team__site", "duty")
        .filter(pk=comp_day_id)
        .first()
    )
    if comp is None:
        raise _not_found(user, "comp-day", comp_day_id, "No such comp day.")
    is_owner = comp.associate_id == roles.associate_id
    if not (is_owner or roles.can_see_team(comp.associate.team_id)):
        raise _not_found(user, "comp-day", comp_day_id, "No such comp day.")
    if for_change and not roles.can_change_team(comp.associate.team_id):
        raise _forbidden(user, "comp-day", comp_day_id, "Only the team's lead schedules comp days.")
    if for_request and not is_owner:
        raise _forbidden(
            user,
            "comp-day",
            comp_day_id,
            "Only the person who earned a comp day asks to move it.",
        )
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
        raise _not_found(user, "comp-day-request", request_id, "No such request.")
    team_id = request.comp_day.associate.team_id
    if not (request.comp_day.associate_id == roles.associate_id or roles.can_see_team(team_id)):
        raise _not_found(user, "comp-day-request", request_id, "No such request.")
    if not roles.can_change_team(team_id):
        raise _forbidden(
            user, "comp-day-request", request_id, "Only the team's lead decides comp-day requests."
        )
    return request
