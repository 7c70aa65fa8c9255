"""Every gate of the performance app: who may see and change KPIs, dashboards,
1:1s, feedback, goals and reviews (DESIGN.md, "People records" and "Reviews").

- The associate reads and adds to their own 1:1s (agenda, shared notes, action
  items), sees the feedback shared with them, their goals, their own KPI figures,
  and their review once it has been shared.
- A lead of the associate's current team does everything, for that team only;
  their private notes are theirs alone (filtered by author, never by role). A
  player-coach on their own team's roster does not lead themself.
- A manager sees that 1:1s happen (dates and counts) but not what was said: a
  1:1 page is 403 for them. They read shared feedback, goals and KPIs, open
  review cycles and calibrate.
- An ops admin is treated like a lead and manager of every team, but still never
  reads another person's private note.

A missing object and one the user may not see are the same 404; one the user may
see but not change is 403. Every refusal is logged through teams.access.deny.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from rest_framework import exceptions as api_exceptions

from teams.access import AnyUser, Roles, deny, get_associate_for_user, roles_for
from teams.models import Associate, Team

from .models import (
    ActionItem,
    ApiToken,
    Goal,
    Idea,
    OneOnOne,
    Procedure,
    PulseRound,
    Review,
    ReviewCycle,
)


def _not_found(user: AnyUser, what: str, object_id: int | str, message: str) -> Http404:
    deny(user, what, object_id, status=404)
    return Http404(message)


def _forbidden(user: AnyUser, what: str, object_id: int | str, message: str) -> PermissionDenied:
    deny(user, what, object_id, status=403)
    return PermissionDenied(message)


# --- Who the user is to a record ----------------------------------------------------


def is_self(user: AnyUser, associate: Associate) -> bool:
    """Whether the associate's record is the user's own."""
    return associate.pk == roles_for(user).associate_id


def leads(user: AnyUser, associate: Associate) -> bool:
    """Whether the user acts as the associate's lead (1:1s, feedback, goals)."""
    return roles_for(user).leads(associate.team_id, associate.pk)


def can_change_team(user: AnyUser, team_id: int) -> bool:
    return roles_for(user).can_change_team(team_id)


def can_see_team(user: AnyUser, team_id: int) -> bool:
    return roles_for(user).can_see_team(team_id)


def require_team_viewer(user: AnyUser, what: str) -> Roles:
    """Pages across the user's teams (1:1 overview, review cycles): 404 for anyone
    who leads or manages no team."""
    roles = roles_for(user)
    if not roles.has_teams:
        raise _not_found(user, what, "-", "You have no teams.")
    return roles


def require_own_associate_id(user: AnyUser, what: str) -> int:
    """The pk of the user's own roster record (without loading it); 404 if none."""
    associate_id = roles_for(user).associate_id
    if associate_id is None:
        raise _not_found(user, what, "-", "No such page.")
    return associate_id


# --- KPIs and dashboards ----------------------------------------------------------------


def require_kpi_importer(user: AnyUser) -> frozenset[int] | None:
    """Who uploads KPI events: ops admins for anyone (None), leads for the teams they
    lead (their ids). Managers read KPIs (403); anyone else gets 404."""
    roles = roles_for(user)
    if roles.is_admin:
        return None
    if roles.is_lead:
        return roles.led_team_ids
    if roles.is_manager:
        raise _forbidden(
            user, "kpi-import", "-", "Managers read KPIs; leads and ops admins import them."
        )
    raise _not_found(user, "kpi-import", "-", "No such page.")


def own_dashboard_instead(user: AnyUser) -> int | None:
    """An associate who oversees no team is sent to their own dashboard: its id."""
    roles = roles_for(user)
    return roles.associate_id if not roles.has_teams else None


@dataclass(frozen=True)
class TeamScope:
    """The teams a cross-team page shows, and a key naming that set (for caches)."""

    key: str
    sees_all: bool


def require_overview_scope(user: AnyUser) -> TeamScope:
    """The KPI overview's scope: every team for ops admins, else the teams the user
    leads or manages; 404 for someone with neither."""
    roles = require_team_viewer(user, "kpi-overview")
    if roles.is_admin:
        return TeamScope(key="all", sees_all=True)
    return TeamScope(key=",".join(map(str, sorted(roles.visible_team_ids))), sees_all=False)


def require_api_token_holder(user: AnyUser) -> None:
    """The API token page is for anyone with KPI figures to read: on a roster or
    overseeing a team. 404 otherwise."""
    roles = roles_for(user)
    if not (roles.has_teams or roles.associate_id is not None):
        raise _not_found(user, "api-token", "-", "No such page.")


def get_api_token_for_user(user: AnyUser, token_id: int) -> ApiToken:
    """One of the user's own API tokens; anyone else's (an ops admin's included,
    who revokes others' in the Django admin) is a 404."""
    require_api_token_holder(user)
    token = ApiToken.objects.owned_by(user).filter(pk=token_id).first()
    if token is None:
        raise _not_found(user, "api-token", token_id, "No such token.")
    return token


def token_scopes_for(user: AnyUser) -> list[ApiToken.Scope]:
    """The scopes a user's new token may have: posting KPI events and queue volumes
    only for those who may post them (leads and ops admins); a token cannot do more
    than its owner."""
    roles = roles_for(user)
    if roles.is_admin or roles.is_lead:
        return list(ApiToken.Scope)
    return [ApiToken.Scope.READ_ROLLUPS]


def _api_denied(user: AnyUser, what: str, message: str) -> api_exceptions.PermissionDenied:
    deny(user, "api", what, status=403)
    return api_exceptions.PermissionDenied(message)


def require_api_scope(user: AnyUser, auth: object, scope: ApiToken.Scope) -> None:
    """A request made with an API token needs the token's scope for the endpoint
    (403 naming it). A browser session is the person themself: no scope applies."""
    if isinstance(auth, ApiToken) and not auth.has_scope(scope):
        raise _api_denied(
            user,
            f"scope:{scope.value}",
            f"This API token does not have the {scope.value} scope ({scope.label}); "
            "make a token that has it at /account/api-token/.",
        )


def require_event_poster(user: AnyUser) -> frozenset[int] | None:
    """Who posts KPI events through the API: ops admins for anyone (None), leads for
    the associates of their teams (their ids); 403 for everyone else."""
    roles = roles_for(user)
    if roles.is_admin:
        return None
    if not roles.is_lead:
        raise _api_denied(
            user,
            "kpi-events",
            "Only leads (for their own teams) and ops admins may post KPI events.",
        )
    return roles.led_team_ids


@dataclass(frozen=True)
class RollupReader:
    """What the rollups API lets a user read: everything (`sees_all`), or the team
    rows of `team_ids` and the associate rows of the people on them now, plus their
    own associate rows (`associate_id`)."""

    sees_all: bool
    team_ids: frozenset[int]
    associate_id: int | None


def require_rollup_reader(user: AnyUser, scope: str | None) -> RollupReader:
    """403 for site-wide rows (ops admins only), for team rows asked by an associate
    who oversees no team, and for someone with no KPI figures at all."""
    roles = roles_for(user)
    if roles.is_admin:
        return RollupReader(sees_all=True, team_ids=frozenset(), associate_id=roles.associate_id)
    if scope == "site":
        raise _api_denied(user, "kpi-rollups", "Site-wide figures are for ops admins only.")
    if not roles.visible_team_ids:
        if roles.associate_id is None:
            raise _api_denied(user, "kpi-rollups", "You have no KPI figures to read.")
        if scope == "team":
            raise _api_denied(
                user, "kpi-rollups", "Associates read their own figures only (scope=associate)."
            )
    return RollupReader(
        sees_all=False, team_ids=roles.visible_team_ids, associate_id=roles.associate_id
    )


# --- 1:1s, feedback and goals --------------------------------------------------------------


def get_associate_to_lead(user: AnyUser, associate_id: int) -> Associate:
    """An associate the user leads (plans 1:1s, gives feedback, sets goals for):
    404 if not visible, 403 if read-only or the user's own record."""
    associate = get_associate_for_user(user, associate_id, for_change=True)
    if not leads(user, associate):
        raise _forbidden(
            user,
            "associate",
            associate_id,
            "You cannot lead your own record; your own lead does that.",
        )
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


def can_change_goal(user: AnyUser, goal: Goal) -> bool:
    """Leads of the goal's team change it; a player-coach does not set their own."""
    roles = roles_for(user)
    team_id = goal.associate.team_id if goal.associate else goal.team_id
    return (
        team_id is not None
        and roles.can_change_team(team_id)
        and goal.associate_id != roles.associate_id
    )


# --- Reviews -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Relation:
    """How a user stands to one review."""

    is_subject: bool
    is_lead: bool
    is_manager: bool
    is_admin: bool

    @property
    def can_see(self) -> bool:
        return self.is_subject or self.is_lead or self.is_manager or self.is_admin

    @property
    def is_staff(self) -> bool:
        """A lead, the manager or an ops admin: sees every step of the review."""
        return self.is_lead or self.is_manager or self.is_admin

    @property
    def writes_lead_review(self) -> bool:
        return self.is_lead or self.is_admin

    @property
    def calibrates(self) -> bool:
        return self.is_manager or self.is_admin

    @property
    def shares(self) -> bool:
        return self.is_lead or self.is_manager or self.is_admin


def relation(user: AnyUser, review: Review) -> Relation:
    roles = roles_for(user)
    team_id = review.associate.team_id
    # Nobody reviews, calibrates or shares their own review, whatever else they are.
    is_subject = roles.associate_id == review.associate_id
    return Relation(
        is_subject=is_subject,
        is_lead=not is_subject and team_id in roles.led_team_ids,
        is_manager=not is_subject and team_id in roles.managed_team_ids,
        is_admin=not is_subject and roles.is_admin,
    )


def get_review_for_user(
    user: AnyUser, review_id: int, *, subject_before_sharing: bool = False
) -> tuple[Review, Relation]:
    """The review and how the user stands to it; 404 if they may not see it. The
    associate sees it only once shared, except the self-review page
    (`subject_before_sharing`), which shows nothing but their own writing."""
    review = (
        Review.objects.select_related(
            "associate__user", "associate__team__site", "cycle", "lead_submitted_by", "shared_by"
        )
        .filter(pk=review_id)
        .first()
    )
    if review is None:
        raise _not_found(user, "review", review_id, "No such review.")
    rel = relation(user, review)
    subject_may_see = rel.is_subject and (subject_before_sharing or review.is_visible_to_associate)
    if not (rel.is_staff or subject_may_see):
        raise _not_found(user, "review", review_id, "No such review.")
    return review, rel


def forbid(user: AnyUser, path: str, message: str) -> PermissionDenied:
    """A 403 for a user who may see the review but not take this step; logged."""
    return _forbidden(user, "path", path, message)


def require_subject(user: AnyUser, path: str, rel: Relation) -> None:
    if not rel.is_subject:
        raise forbid(
            user, path, "The self review is the associate's to write; read it on the review."
        )


def require_lead_reviewer(user: AnyUser, path: str, rel: Relation) -> None:
    if not rel.writes_lead_review:
        raise forbid(user, path, "The lead review is written by a lead of the associate's team.")


def require_calibrator(user: AnyUser, path: str, rel: Relation) -> None:
    if not rel.calibrates:
        raise forbid(user, path, "Ratings are calibrated by the team's manager.")


@dataclass(frozen=True)
class CycleAccess:
    """A cycle as one user sees it: the teams whose reviews they see (None: all)."""

    cycle: ReviewCycle
    team_ids: frozenset[int] | None
    managed_team_ids: frozenset[int] | None  # None: calibrates every team (ops admin)


def get_cycle_for_user(user: AnyUser, cycle_id: int) -> CycleAccess:
    """A cycle is seen by whoever leads or manages one of its teams, or the current
    team of one of its associates (reviews move with the associate); by ops admins
    all. 404 otherwise."""
    roles = roles_for(user)
    cycle = ReviewCycle.objects.filter(pk=cycle_id).first()
    if cycle is not None and roles.is_admin:
        return CycleAccess(cycle, None, None)
    seen = roles.visible_team_ids
    if (
        cycle is None
        or not seen
        or not (
            cycle.teams.filter(pk__in=seen).exists()
            or cycle.reviews.filter(associate__team_id__in=seen).exists()
        )
    ):
        raise _not_found(user, "review_cycle", cycle_id, "No such review cycle.")
    return CycleAccess(cycle, seen, roles.managed_team_ids)


def calibrates_any(access: CycleAccess, reviews: list[Review]) -> bool:
    """Whether the user calibrates at least one of these reviews of the cycle."""
    managed = access.managed_team_ids
    return managed is None or any(r.associate.team_id in managed for r in reviews)


def require_cycle_calibrator(
    user: AnyUser, path: str, access: CycleAccess
) -> frozenset[int] | None:
    """The teams whose calibration the user does (None: all); 403 for someone who
    only follows the cycle's progress."""
    if access.team_ids is None or access.managed_team_ids is None:
        return None
    team_ids = access.team_ids & access.managed_team_ids
    if not team_ids:
        raise forbid(user, path, "Calibration is the manager's: you can follow the progress.")
    return team_ids


@dataclass(frozen=True)
class CycleListScope:
    roles: Roles
    team_ids: frozenset[int] | None  # whose reviews are counted (None: all)
    can_open: bool


def require_cycle_list_viewer(user: AnyUser) -> CycleListScope:
    """The review cycles page: leads, managers and ops admins (404 otherwise)."""
    roles = require_team_viewer(user, "review_cycles")
    return CycleListScope(
        roles=roles,
        team_ids=None if roles.is_admin else roles.visible_team_ids,
        can_open=roles.is_admin or roles.is_manager,
    )


def require_cycle_opener(user: AnyUser, path: str) -> list[Team]:
    """Review cycles are opened by a manager (for the teams they manage) or an ops
    admin (for any): the teams they may open one for. 403 for a lead, 404 for
    anyone else."""
    roles = roles_for(user)
    if not (roles.is_admin or roles.is_manager):
        if roles.is_lead:
            raise forbid(user, path, "Review cycles are opened by a manager or an ops admin.")
        raise _not_found(user, "review_cycles", "new", "No such page.")
    return cycle_teams_for(user)


def cycle_teams_for(user: AnyUser) -> list[Team]:
    """The teams a user may open a review cycle for."""
    roles = roles_for(user)
    teams = Team.objects.select_related("site").order_by("site__name", "name")
    if roles.is_admin:
        return list(teams)
    return list(teams.filter(pk__in=roles.managed_team_ids))


def cycle_opening_refusal(user: AnyUser, teams: list[Team]) -> str | None:
    """Why the user may not open a cycle for these teams, if they may not."""
    roles = roles_for(user)
    if not (roles.is_admin or roles.is_manager):
        return "Review cycles are opened by a manager or an ops admin."
    foreign = [t.name for t in teams if not roles.is_admin and t.pk not in roles.managed_team_ids]
    if foreign:
        return f"You do not manage {', '.join(foreign)}."
    return None


# --- The improvement board and procedures (issue 16) --------------------------------------
# A team's board and playbook are read by everyone on its roster (associates
# included), its leads, its manager and ops admins. Everyone on the team and its
# leads post ideas and support them; leads (and ops admins) triage ideas and edit
# procedures; the manager reads. Another team's people get a 404.


@dataclass(frozen=True)
class BoardAccess:
    """How a user stands to one team's board and playbook."""

    is_member: bool  # on the team's roster
    can_triage: bool  # a lead of the team or an ops admin

    @property
    def can_post(self) -> bool:
        return self.is_member or self.can_triage

    @property
    def can_edit_procedures(self) -> bool:
        return self.can_triage


def _member_team_id(user: AnyUser) -> int | None:
    associate_id = roles_for(user).associate_id
    if associate_id is None:
        return None
    return (
        Associate.objects.filter(pk=associate_id, left_on__isnull=True)
        .values_list("team_id", flat=True)
        .first()
    )


def board_access(user: AnyUser, team_id: int) -> BoardAccess | None:
    """None: the user may not see the team's board at all."""
    roles = roles_for(user)
    can_see = roles.can_see_team(team_id)
    is_member = _member_team_id(user) == team_id
    if not (can_see or is_member):
        return None
    return BoardAccess(is_member=is_member, can_triage=roles.can_change_team(team_id))


def get_board_team_for_user(
    user: AnyUser, team_id: int, *, to_post: bool = False, to_edit: bool = False
) -> tuple[Team, BoardAccess]:
    """A team's improvement board or procedures: 404 if unseen, 403 if the user may
    read but not post (`to_post`) or not edit procedures (`to_edit`)."""
    found = board_access(user, team_id)
    team = Team.objects.select_related("site").filter(pk=team_id).first()
    if found is None or team is None:
        raise _not_found(user, "board", team_id, "No such team.")
    if to_post and not found.can_post:
        raise _forbidden(user, "board", team_id, "The team's people and its leads post ideas.")
    if to_edit and not found.can_edit_procedures:
        raise _forbidden(user, "procedures", team_id, "The team's leads edit its procedures.")
    return team, found


def get_idea_for_user(
    user: AnyUser, idea_id: int, *, to_support: bool = False, to_triage: bool = False
) -> tuple[Idea, BoardAccess]:
    """An idea of a board the user sees (404 otherwise); 403 to support it for someone
    who only reads, and to triage it for anyone but the team's leads and ops admins."""
    idea = (
        Idea.objects.select_related(
            "team__site", "kpi", "author", "decided_by", "trial__comparison_team"
        )
        .filter(pk=idea_id)
        .first()
    )
    found = None if idea is None else board_access(user, idea.team_id)
    if idea is None or found is None:
        raise _not_found(user, "idea", idea_id, "No such idea.")
    if to_support and not found.can_post:
        raise _forbidden(user, "idea", idea_id, "The team's people and its leads support ideas.")
    if to_triage and not found.can_triage:
        raise _forbidden(user, "idea", idea_id, "The team's leads decide on ideas.")
    return idea, found


def get_procedure_for_user(
    user: AnyUser, procedure_id: int, *, to_edit: bool = False
) -> tuple[Procedure, BoardAccess]:
    procedure = (
        Procedure.objects.select_related("team__site", "updated_by", "adopted_from_idea")
        .filter(pk=procedure_id)
        .first()
    )
    found = None if procedure is None else board_access(user, procedure.team_id)
    if procedure is None or found is None:
        raise _not_found(user, "procedure", procedure_id, "No such procedure.")
    if to_edit and not found.can_edit_procedures:
        raise _forbidden(user, "procedure", procedure_id, "The team's leads edit procedures.")
    return procedure, found


def comparison_teams_for(user: AnyUser, team: Team) -> list[Team]:
    """Teams a trial of `team` may be compared with: the teams the user sees and the
    other teams of the same site (their KPI figures are compared, not their people)."""
    roles = roles_for(user)
    teams = Team.objects.select_related("site").exclude(pk=team.pk).order_by("name")
    if not roles.is_admin:
        teams = teams.filter(Q(pk__in=roles.visible_team_ids) | Q(site_id=team.site_id))
    return list(teams)


def improvement_teams_for(user: AnyUser) -> list[Team]:
    """The manager's cross-team list of ideas: every team for ops admins, the teams the
    user leads or manages otherwise; 404 for anyone who oversees no team."""
    roles = require_team_viewer(user, "improvements")
    teams = Team.objects.select_related("site").order_by("name")
    if roles.is_admin:
        return list(teams)
    return list(teams.filter(pk__in=roles.visible_team_ids))


# --- issue 16: pulse and recognition -------------------------------------------------------
# A team's pulse results and its kudos wall are the team's: its active associates (a
# player-coach lead on the roster included), its leads, its manager and ops admins
# read them. Leads (and ops admins) change the pulse's questions and cadence and
# write welcome messages; anyone else who may read gets a 403. A round is answered
# by the team's active associates only (404 for everyone else: not even an ops
# admin answers for a team).


def own_team_id(user: AnyUser) -> int | None:
    """The team of the user's own active roster record, if any (one query)."""
    associate_id = roles_for(user).associate_id
    if associate_id is None:
        return None
    return (
        Associate.objects.filter(pk=associate_id, is_active=True)
        .values_list("team_id", flat=True)
        .first()
    )


def may_see_team_life(user: AnyUser, team_id: int) -> bool:
    return roles_for(user).can_see_team(team_id) or own_team_id(user) == team_id


def get_team_life_for_user(
    user: AnyUser, team_id: int, what: str, *, for_change: bool = False
) -> Team:
    """The team whose pulse or kudos wall the user reads (or changes: leads, ops
    admins). 404 for a team the user is not part of, 403 to change it otherwise."""
    if not may_see_team_life(user, team_id):
        raise _not_found(user, what, team_id, "No such team.")
    team = Team.objects.select_related("site", "manager").filter(pk=team_id).first()
    if team is None:
        raise _not_found(user, what, team_id, "No such team.")
    if for_change and not roles_for(user).can_change_team(team_id):
        raise _forbidden(user, what, team_id, "Only the team's lead can change this.")
    return team


def get_pulse_round_for_user(user: AnyUser, round_id: int) -> PulseRound:
    """A round's results page: for whoever reads the team's pulse."""
    round_ = PulseRound.objects.select_related("team__site").filter(pk=round_id).first()
    if round_ is None or not may_see_team_life(user, round_.team_id):
        raise _not_found(user, "pulse-round", round_id, "No such pulse round.")
    return round_


def get_pulse_round_to_answer(user: AnyUser, round_id: int) -> PulseRound:
    """A round to answer: only for an active associate of its team."""
    round_ = PulseRound.objects.select_related("team__site").filter(pk=round_id).first()
    if round_ is None or own_team_id(user) != round_.team_id:
        raise _not_found(user, "pulse-answer", round_id, "No such pulse round.")
    return round_
