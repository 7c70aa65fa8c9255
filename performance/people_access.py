"""Who may see and change 1:1s, feedback and goals (DESIGN.md, "People records").

- The associate reads and adds to their own 1:1s (agenda, shared notes, action
  items), sees the feedback shared with them and their goals.
- A lead of the associate's current team does everything, for that team only;
  their private notes are theirs alone (filtered by author, never by role).
- A manager sees that 1:1s happen (dates and counts) but not what was said: a
  1:1 page is 403 for them. They read shared feedback and goals.
- An ops admin is treated like a lead of every team, but still never reads
  another person's private note.

A missing object and one the user may not see are the same 404; one the user may
see but not change is 403. Both are logged by teams.access.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from teams.access import AnyUser, deny, get_associate_for_user, roles_for
from teams.models import Associate

from .models import ActionItem, Goal, OneOnOne


def get_own_associate(user: AnyUser) -> Associate:
    """The roster record of the user themself; 404 for people not on a roster."""
    roles = roles_for(user)
    if roles.associate_id is None:
        raise Http404("You are not on a team roster.")
    return Associate.objects.select_related("user", "team__site").get(pk=roles.associate_id)


def get_associate_to_lead(user: AnyUser, associate_id: int) -> Associate:
    """An associate the user leads (plans 1:1s, gives feedback, sets goals for):
    404 if not visible, 403 if read-only or the user's own record."""
    associate = get_associate_for_user(user, associate_id, for_change=True)
    if not roles_for(user).leads(associate.team_id, associate.pk):
        deny(user, "associate", associate_id, status=403)
        raise PermissionDenied("You cannot lead your own record; your own lead does that.")
    return associate


def get_one_on_one_for_user(
    user: AnyUser, one_on_one_id: int, *, lead_only: bool = False
) -> OneOnOne:
    """A 1:1 its associate or a lead of their team may open. Managers get 403:
    they may know it exists, not read it. `lead_only` refuses the associate too."""
    roles = roles_for(user)
    one_on_one = (
        OneOnOne.objects.select_related("associate__user", "associate__team__site", "lead")
        .filter(pk=one_on_one_id)
        .first()
    )
    if one_on_one is None:
        deny(user, "one_on_one", one_on_one_id, status=404)
        raise Http404("No such 1:1.")
    team_id = one_on_one.associate.team_id
    is_self = one_on_one.associate_id == roles.associate_id
    if not (is_self or roles.can_see_team(team_id)):
        deny(user, "one_on_one", one_on_one_id, status=404)
        raise Http404("No such 1:1.")
    is_lead = roles.leads(team_id, one_on_one.associate_id)
    if not is_lead and (lead_only or not is_self):
        deny(user, "one_on_one", one_on_one_id, status=403)
        raise PermissionDenied("Only the associate and their lead can open this 1:1.")
    return one_on_one


def get_action_item_for_user(user: AnyUser, item_id: int) -> ActionItem:
    """An action item its associate or a lead of their team may tick."""
    roles = roles_for(user)
    item = ActionItem.objects.select_related("associate__team").filter(pk=item_id).first()
    if item is None:
        deny(user, "action_item", item_id, status=404)
        raise Http404("No such action item.")
    team_id = item.associate.team_id
    is_self = item.associate_id == roles.associate_id
    if not (is_self or roles.can_see_team(team_id)):
        deny(user, "action_item", item_id, status=404)
        raise Http404("No such action item.")
    if not (is_self or roles.can_change_team(team_id)):
        deny(user, "action_item", item_id, status=403)
        raise PermissionDenied("This action item is read-only for you.")
    return item


def get_goal_for_user(user: AnyUser, goal_id: int, *, for_change: bool = False) -> Goal:
    """A goal of an associate (seen by them and their team's leads and manager) or
    of a team (seen by its members too). Only leads change goals."""
    roles = roles_for(user)
    goal = (
        Goal.objects.select_related("associate__user", "associate__team__site", "team__site", "kpi")
        .filter(pk=goal_id)
        .first()
    )
    if goal is None:
        deny(user, "goal", goal_id, status=404)
        raise Http404("No such goal.")
    # A database constraint: a goal is for an associate or a team.
    team_id = goal.associate.team_id if goal.associate else (goal.team_id or 0)
    is_own = goal.associate_id is not None and goal.associate_id == roles.associate_id
    my_team_id = None
    if roles.associate_id is not None and goal.team_id is not None:
        my_team_id = (
            Associate.objects.filter(pk=roles.associate_id)
            .values_list("team_id", flat=True)
            .first()
        )
    is_my_team = goal.team_id is not None and goal.team_id == my_team_id
    if not (is_own or is_my_team or roles.can_see_team(team_id)):
        deny(user, "goal", goal_id, status=404)
        raise Http404("No such goal.")
    if for_change and not (
        roles.can_change_team(team_id) and not is_own
    ):  # a player-coach does not set their own goals
        deny(user, "goal", goal_id, status=403)
        raise PermissionDenied("This goal is read-only for you.")
    return goal
