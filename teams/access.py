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

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import QuerySet
from django.http import Http404

from .models import Associate, Team, User

logger = logging.getLogger("teams.access")

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
