"""Who may see and change which team and associate.

Every view that reaches a team or an associate from a URL goes through one of
the `get_*_for_user` functions here. The rules (DESIGN.md, "Who uses it"):

- an associate sees their own record only;
- a lead sees and changes the teams they lead;
- a manager sees the teams they manage, read-only;
- an ops admin (superuser) sees and changes everything.

A missing object and one the user may not see are the same 404; an object the
user may see but not change is a 403. Both are logged as failed authorization.
"""

import logging
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Q, QuerySet
from django.http import Http404

from .models import (
    Application,
    Associate,
    Candidate,
    Certification,
    Interview,
    Offer,
    OnboardingItem,
    OnboardingPlan,
    Requisition,
    Scorecard,
    Team,
    TrainingAssignment,
    TrainingModule,
    User,
)

logger = logging.getLogger("teams.access")

HiringObject = TypeVar("HiringObject", Interview, Offer)

AnyUser = User | AnonymousUser


@dataclass(frozen=True)
class Roles:
    """What the roster says a user is. Computed once per request."""

    is_admin: bool
    led_team_ids: frozenset[int]
    managed_team_ids: frozenset[int]
    associate_id: int | None

    @property
    def visible_team_ids(self) -> frozenset[int]:
        return self.led_team_ids | self.managed_team_ids

    @property
    def is_lead(self) -> bool:
        return bool(self.led_team_ids)

    @property
    def is_manager(self) -> bool:
        return bool(self.managed_team_ids)

    @property
    def has_teams(self) -> bool:
        return self.is_admin or bool(self.visible_team_ids)

    def can_see_team(self, team_id: int) -> bool:
        return self.is_admin or team_id in self.visible_team_ids

    def can_change_team(self, team_id: int) -> bool:
        return self.is_admin or team_id in self.led_team_ids

    def leads(self, team_id: int, associate_id: int) -> bool:
        """Whether the user acts as this associate's lead (1:1s, feedback, goals,
        reviews). A player-coach on their own team's roster does not lead themself."""
        return self.can_change_team(team_id) and associate_id != self.associate_id


NO_ROLES = Roles(
    is_admin=False, led_team_ids=frozenset(), managed_team_ids=frozenset(), associate_id=None
)


_ROLES_SQL = (
    f"SELECT team_id, 1 FROM {Team.leads.through._meta.db_table} WHERE user_id = %s "  # noqa: S608 -- table names
    f"UNION ALL SELECT id, 0 FROM {Team._meta.db_table} WHERE manager_id = %s"
)


def roles_for(user: AnyUser) -> Roles:
    if not isinstance(user, User) or not user.is_active:
        return NO_ROLES
    cached: Roles | None = getattr(user, "_sdc_roles", None)
    if cached is not None:
        return cached
    led_ids: set[int] = set()
    managed_ids: set[int] = set()
    with connection.cursor() as cursor:  # on every request: plain SQL, no ORM to build
        cursor.execute(_ROLES_SQL, [user.pk, user.pk])
        for team_id, is_led in cursor.fetchall():
            (led_ids if is_led else managed_ids).add(team_id)
    associate_id = _associate_id(user)
    roles = Roles(
        is_admin=user.is_superuser,
        led_team_ids=frozenset(led_ids),
        managed_team_ids=frozenset(managed_ids),
        associate_id=associate_id,
    )
    user.__dict__["_sdc_roles"] = roles
    return roles


def _associate_id(user: User) -> int | None:
    """The user's roster record, from the user when it came with it (RosterBackend)."""
    if User.associate.is_cached(user):
        associate: Associate | None = getattr(user, "associate", None)
        return associate.pk if associate is not None else None
    return Associate.objects.filter(user=user).order_by().values_list("pk", flat=True).first()


def deny(user: AnyUser, what: str, object_id: int | str, *, status: int) -> None:
    """Log a refused access (the 404s and 403s of every access check) for audit."""
    logger.warning(
        "authorization failed: user=%s %s=%s status=%s",
        getattr(user, "pk", None),
        what,
        object_id,
        status,
    )


def visible_teams(user: AnyUser) -> QuerySet[Team]:
    roles = roles_for(user)
    teams = Team.objects.select_related("site", "manager")
    if roles.is_admin:
        return teams.all()
    return teams.filter(pk__in=roles.visible_team_ids)


def changeable_teams(user: AnyUser) -> QuerySet[Team]:
    roles = roles_for(user)
    teams = Team.objects.select_related("site")
    if roles.is_admin:
        return teams.all()
    return teams.filter(pk__in=roles.led_team_ids)


def led_teams(user: AnyUser) -> QuerySet[Team]:
    """The teams the user leads (none for anyone who leads none)."""
    return Team.objects.select_related("site", "manager").filter(
        pk__in=roles_for(user).led_team_ids
    )


def overseen_teams(user: AnyUser) -> QuerySet[Team] | None:
    """The teams a manager manages, every team for an ops admin; None for anyone
    who oversees no team (so pages skip the section without a query)."""
    roles = roles_for(user)
    teams = Team.objects.select_related("site", "manager")
    if roles.is_admin:
        return teams.all()
    return teams.filter(pk__in=roles.managed_team_ids) if roles.is_manager else None


def can_change_team(user: AnyUser, team_id: int) -> bool:
    return roles_for(user).can_change_team(team_id)


def own_associate_id(user: AnyUser) -> int | None:
    """The pk of the user's own roster record, if they are on one."""
    return roles_for(user).associate_id


def get_team_for_user(user: AnyUser, team_id: int, *, for_change: bool = False) -> Team:
    roles = roles_for(user)
    if not roles.can_see_team(team_id):
        deny(user, "team", team_id, status=404)
        raise Http404("No such team.")
    if for_change and not roles.can_change_team(team_id):
        deny(user, "team", team_id, status=403)
        raise PermissionDenied("This team is read-only for you.")
    try:
        return Team.objects.select_related("site", "manager").get(pk=team_id)
    except Team.DoesNotExist:
        raise Http404("No such team.") from None


def get_own_associate(user: AnyUser) -> Associate:
    """The roster record of the user themself; 404 for people not on a roster."""
    roles = roles_for(user)
    if roles.associate_id is None:
        deny(user, "own-associate", "-", status=404)
        raise Http404("You are not on a team roster.")
    return Associate.objects.select_related("user", "team__site").get(pk=roles.associate_id)


def get_associate_for_user(
    user: AnyUser, associate_id: int, *, for_change: bool = False
) -> Associate:
    roles = roles_for(user)
    associate = (
        Associate.objects.select_related("user", "team__site", "team__manager")
        .filter(pk=associate_id)
        .first()
    )
    is_self = associate is not None and associate.pk == roles.associate_id
    if associate is None or not (is_self or roles.can_see_team(associate.team_id)):
        deny(user, "associate", associate_id, status=404)
        raise Http404("No such associate.")
    if for_change and not roles.can_change_team(associate.team_id):
        deny(user, "associate", associate_id, status=403)
        raise PermissionDenied("This record is read-only for you.")
    return associate


def get_associate_for_export(user: AnyUser, associate_id: int) -> Associate:
    """A data-access export is for ops admins only: 404 for an associate the user
    may not see, 403 for one they may see (their own record included)."""
    associate = get_associate_for_user(user, associate_id)
    if not roles_for(user).is_admin:
        deny(user, "associate-export", associate_id, status=403)
        raise PermissionDenied("Only an ops admin can download a data-access export.")
    return associate


# --- Hiring -------------------------------------------------------------------------
# Candidates are seen by the requisition's team leads, its manager, ops admins, and
# the interviewers of the candidates they interview; nobody else (associates never).
# Leads (and ops admins) run the pipeline; the team's manager (or an ops admin)
# approves a requisition. A scorecard is its interviewer's own until submitted; an
# interviewer with a scorecard still to submit on an application sees nobody else's.


def can_approve_requisitions(user: AnyUser, team_id: int) -> bool:
    roles = roles_for(user)
    return roles.is_admin or team_id in roles.managed_team_ids


def interviewed_application_ids(user: AnyUser) -> QuerySet[Application, Any]:
    """The applications the user interviews for (a pk subquery)."""
    return Application.objects.filter(
        interviews__scorecards__interviewer_id=getattr(user, "pk", None)
    ).values("pk")


def visible_applications(user: AnyUser) -> QuerySet[Application]:
    roles = roles_for(user)
    applications = Application.objects.all()
    if roles.is_admin:
        return applications
    if not isinstance(user, User):
        return applications.none()
    return applications.filter(
        Q(requisition__team_id__in=roles.visible_team_ids)
        | Q(pk__in=interviewed_application_ids(user))
    )


def visible_requisitions(user: AnyUser) -> QuerySet[Requisition]:
    roles = roles_for(user)
    requisitions = Requisition.objects.select_related("team__site")
    if roles.is_admin:
        return requisitions.all()
    return requisitions.filter(team_id__in=roles.visible_team_ids)


def get_requisition_for_user(
    user: AnyUser, requisition_id: int, *, for_change: bool = False, for_approval: bool = False
) -> Requisition:
    roles = roles_for(user)
    requisition = (
        Requisition.objects.select_related("team__site", "team__manager", "backfill_for__user")
        .filter(pk=requisition_id)
        .first()
    )
    if requisition is None or not roles.can_see_team(requisition.team_id):
        deny(user, "requisition", requisition_id, status=404)
        raise Http404("No such requisition.")
    if for_change and not roles.can_change_team(requisition.team_id):
        deny(user, "requisition", requisition_id, status=403)
        raise PermissionDenied("Only the team's lead can change this requisition.")
    if for_approval and not can_approve_requisitions(user, requisition.team_id):
        deny(user, "requisition", requisition_id, status=403)
        raise PermissionDenied("Only the team's manager can approve this requisition.")
    return requisition


def get_application_for_user(
    user: AnyUser, application_id: int, *, for_change: bool = False
) -> Application:
    """An application (and its candidate): 404 unless the rule above lets the user see
    it; 403 to change it for anyone but the team's leads and ops admins."""
    roles = roles_for(user)
    application = (
        visible_applications(user)
        .select_related("candidate", "requisition__team__site", "requisition__team__manager")
        .filter(pk=application_id)
        .first()
    )
    if application is None:
        deny(user, "application", application_id, status=404)
        raise Http404("No such application.")
    if for_change and not roles.can_change_team(application.requisition.team_id):
        deny(user, "application", application_id, status=403)
        raise PermissionDenied("Only the team's lead can move this application.")
    return application


def get_candidate_for_user(
    user: AnyUser, candidate_id: int, *, for_change: bool = False
) -> Candidate:
    """A candidate is seen by whoever may see one of their applications; changed by
    a lead of one of their applications' teams (or an ops admin)."""
    roles = roles_for(user)
    team_ids = list(
        visible_applications(user)
        .filter(candidate_id=candidate_id)
        .values_list("requisition__team_id", flat=True)
    )
    candidate = Candidate.objects.filter(pk=candidate_id).first()
    if candidate is None or not (team_ids or roles.is_admin):
        deny(user, "candidate", candidate_id, status=404)
        raise Http404("No such candidate.")
    if for_change and not (roles.is_admin or any(roles.can_change_team(t) for t in team_ids)):
        deny(user, "candidate", candidate_id, status=403)
        raise PermissionDenied("Only the team's lead can change this candidate.")
    return candidate


def _through_application(
    user: AnyUser,
    model: type[HiringObject],
    object_id: int,
    *,
    for_change: bool,
    what: str,
    refusal: str,
) -> HiringObject:
    """An interview or an offer: seen by whoever sees its application (404 otherwise),
    changed by the team's leads and ops admins (403 otherwise)."""
    found = (
        model._default_manager.select_related(
            "application__candidate", "application__requisition__team__site"
        )
        .filter(pk=object_id, application__in=visible_applications(user))
        .first()
    )
    if found is None:
        deny(user, what, object_id, status=404)
        raise Http404(f"No such {what}.")
    team_id = found.application.requisition.team_id
    if for_change and not roles_for(user).can_change_team(team_id):
        deny(user, what, object_id, status=403)
        raise PermissionDenied(refusal)
    return found


def get_interview_for_user(
    user: AnyUser, interview_id: int, *, for_change: bool = False
) -> Interview:
    return _through_application(
        user,
        Interview,
        interview_id,
        for_change=for_change,
        what="interview",
        refusal="Only the team's lead can change this interview.",
    )


def get_own_scorecard(user: AnyUser, scorecard_id: int) -> Scorecard:
    """A scorecard is filled in by its interviewer alone; anybody else gets a 404."""
    scorecard = (
        Scorecard.objects.select_related(
            "interview__application__candidate", "interview__application__requisition__team"
        )
        .filter(pk=scorecard_id, interviewer_id=getattr(user, "pk", None))
        .first()
    )
    if scorecard is None:
        deny(user, "scorecard", scorecard_id, status=404)
        raise Http404("No such scorecard.")
    return scorecard


def readable_scorecards(user: AnyUser, application: Application) -> QuerySet[Scorecard]:
    """The scorecards of an application the user may read: their own always; the
    others' only once submitted, and only when the user has none left to submit on
    it (independent judgement). The caller has checked the application."""
    own = Q(interviewer_id=getattr(user, "pk", None))
    scorecards = Scorecard.objects.filter(interview__application=application)
    owes_one = scorecards.filter(own, submitted_at__isnull=True).exists()
    if owes_one:
        return scorecards.filter(own)
    return scorecards.filter(own | Q(submitted_at__isnull=False))


def get_onboarding_plan_for_user(
    user: AnyUser, plan_id: int, *, for_change: bool = False
) -> OnboardingPlan:
    """A new joiner's plan: theirs to read (and tick their own items), their team's
    leads' to run, the manager's and ops admins' to read."""
    roles = roles_for(user)
    plan = (
        OnboardingPlan.objects.select_related("associate__user", "associate__team__site")
        .filter(pk=plan_id)
        .first()
    )
    if plan is None or not may_open_onboarding_plan(user, plan):
        deny(user, "onboarding-plan", plan_id, status=404)
        raise Http404("No such onboarding plan.")
    if for_change and not roles.can_change_team(plan.associate.team_id):
        deny(user, "onboarding-plan", plan_id, status=403)
        raise PermissionDenied("Only the team's lead can change this plan.")
    return plan


def may_open_onboarding_plan(user: AnyUser, plan: OnboardingPlan) -> bool:
    """The rule of get_onboarding_plan_for_user: the new joiner, and whoever sees their
    team (its leads and manager, ops admins). Not the buddy (an associate sees only
    their own records): their reminders carry no link to the plan."""
    roles = roles_for(user)
    return plan.associate_id == roles.associate_id or roles.can_see_team(plan.associate.team_id)


# --- hiring: offers and onboarding (stems `offers`, `onboarding`) -------------------
# An offer is seen with its application (get_application_for_user) and recorded by the
# team's leads. An onboarding item is ticked by the team's leads (any item) and by the
# new joiner (the items they own); the manager reads the plan only.


def get_offer_for_user(user: AnyUser, offer_id: int, *, for_change: bool = False) -> Offer:
    return _through_application(
        user,
        Offer,
        offer_id,
        for_change=for_change,
        what="offer",
        refusal="Only the team's lead can record this offer's answer.",
    )


def get_onboarding_item_for_user(
    user: AnyUser, item_id: int, *, for_change: bool = False
) -> OnboardingItem:
    roles = roles_for(user)
    item = (
        OnboardingItem.objects.select_related("plan__associate__team__site")
        .filter(pk=item_id)
        .first()
    )
    if item is None:
        deny(user, "onboarding-item", item_id, status=404)
        raise Http404("No such onboarding item.")
    plan = item.plan
    is_self = plan.associate_id == roles.associate_id
    if not (is_self or roles.can_see_team(plan.associate.team_id)):
        deny(user, "onboarding-item", item_id, status=404)
        raise Http404("No such onboarding item.")
    may_tick = roles.can_change_team(plan.associate.team_id) or (
        is_self and item.owner_id == getattr(user, "pk", None)
    )
    if for_change and not may_tick:
        deny(user, "onboarding-item", item_id, status=403)
        raise PermissionDenied("Only the team's lead, or the item's owner, can tick this item.")
    return item


def may_tick_item(roles: Roles, plan: OnboardingPlan, item: OnboardingItem, user_id: int) -> bool:
    """The rule above for a page's checkboxes (the caller has checked the plan)."""
    return roles.can_change_team(plan.associate.team_id) or (
        plan.associate_id == roles.associate_id and item.owner_id == user_id
    )


def onboarding_plans_seen(user: AnyUser) -> QuerySet[OnboardingPlan]:
    """The plans of the teams a lead or manager sees (all for an ops admin)."""
    roles = roles_for(user)
    plans = OnboardingPlan.objects.all()
    if roles.is_admin:
        return plans
    return plans.filter(associate__team_id__in=roles.visible_team_ids)


# --- Hiring: pipeline (candidates, applications, the board) ---------------------------


def sees_whole_application(user: AnyUser, application: Application) -> bool:
    """Leads, the manager and ops admins see an application whole (notes, decisions,
    the board); an interviewer who is none of these sees the candidate's name, CV and
    their own interviews only."""
    return roles_for(user).can_see_team(application.requisition.team_id)


def get_candidate_for_export(user: AnyUser, candidate_id: int) -> Candidate:
    """A candidate's data export is for a lead of one of their requisitions' teams or an
    ops admin: 404 for a candidate the user may not see, 403 for one they may."""
    candidate = get_candidate_for_user(user, candidate_id)
    roles = roles_for(user)
    team_ids = Application.objects.filter(candidate_id=candidate_id).values_list(
        "requisition__team_id", flat=True
    )
    if not (roles.is_admin or any(roles.can_change_team(t) for t in team_ids)):
        deny(user, "candidate-export", candidate_id, status=403)
        raise PermissionDenied("Only the team's lead or an ops admin can export a candidate.")
    return candidate


# --- hiring: requisitions ------------------------------------------------------------
# The hiring pages (overview, metrics) are for people who lead or manage a team (ops
# admins too); a requisition is cancelled by its team's lead, its manager or an ops admin.


def require_hiring_viewer(user: AnyUser, what: str = "hiring") -> Roles:
    """Cross-team hiring pages: 404 for anyone who leads or manages no team."""
    roles = roles_for(user)
    if not roles.has_teams:
        deny(user, what, "-", status=404)
        raise Http404("You do not lead or manage a team.")
    return roles


def can_cancel_requisitions(user: AnyUser, team_id: int) -> bool:
    return can_change_team(user, team_id) or can_approve_requisitions(user, team_id)


def get_requisition_for_cancel(user: AnyUser, requisition_id: int) -> Requisition:
    """404 for a requisition the user may not see; 403 unless they lead the team,
    manage it, or are an ops admin."""
    requisition = get_requisition_for_user(user, requisition_id)
    if not can_cancel_requisitions(user, requisition.team_id):
        deny(user, "requisition", requisition_id, status=403)
        raise PermissionDenied("Only the team's lead or manager can cancel this requisition.")
    return requisition


# --- issue 16: training ------------------------------------------------------------
# A training plan is its associate's to read and tick, their team's leads' to run
# (assign, remove, tick), the manager's and ops admins' to read. Modules are a team's
# (its leads keep them) or center-wide (ops admins keep those). Certifications and
# skill targets are recorded by the team's leads.


def get_assignment_for_user(
    user: AnyUser, assignment_id: int, *, to_tick: bool = False, for_change: bool = False
) -> TrainingAssignment:
    roles = roles_for(user)
    assignment = (
        TrainingAssignment.objects.select_related("associate__team__site", "module")
        .filter(pk=assignment_id)
        .first()
    )
    is_self = assignment is not None and assignment.associate_id == roles.associate_id
    if assignment is None or not (is_self or roles.can_see_team(assignment.associate.team_id)):
        deny(user, "training-assignment", assignment_id, status=404)
        raise Http404("No such training.")
    can_run = roles.can_change_team(assignment.associate.team_id)
    if (to_tick and not (is_self or can_run)) or (for_change and not can_run):
        deny(user, "training-assignment", assignment_id, status=403)
        raise PermissionDenied("Only the associate or their lead can change this training.")
    return assignment


def assignable_modules(team: Team) -> QuerySet[TrainingModule]:
    """The modules a team's lead may put on a plan: the team's and the center's."""
    return (
        TrainingModule.objects.filter(Q(team=team) | Q(team__isnull=True), is_active=True)
        .select_related("skill")
        .order_by("skill__name", "title")
    )


def get_module_for_user(user: AnyUser, module_id: int) -> TrainingModule:
    """A module to edit: a team's, by its leads; a center-wide one, by ops admins."""
    roles = roles_for(user)
    module = TrainingModule.objects.select_related("team", "skill").filter(pk=module_id).first()
    seen = module is not None and (
        roles.is_admin
        or (module.team_id is not None and roles.can_see_team(module.team_id))
        or (module.team_id is None and roles.has_teams)
    )
    if module is None or not seen:
        deny(user, "training-module", module_id, status=404)
        raise Http404("No such module.")
    if not (roles.is_admin or (module.team_id and roles.can_change_team(module.team_id))):
        deny(user, "training-module", module_id, status=403)
        raise PermissionDenied("Only the team's lead can change this module.")
    return module


def get_certification_for_user(user: AnyUser, certification_id: int) -> Certification:
    """A certification to change: by the associate's team's leads."""
    roles = roles_for(user)
    certification = (
        Certification.objects.select_related("associate__user", "associate__team__site", "skill")
        .filter(pk=certification_id)
        .first()
    )
    is_self = certification is not None and certification.associate_id == roles.associate_id
    if certification is None or not (
        is_self or roles.can_see_team(certification.associate.team_id)
    ):
        deny(user, "certification", certification_id, status=404)
        raise Http404("No such certification.")
    if not roles.can_change_team(certification.associate.team_id):
        deny(user, "certification", certification_id, status=403)
        raise PermissionDenied("Only the team's lead can change a certification.")
    return certification
