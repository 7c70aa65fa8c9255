"""Reads for the requisition pages: the hiring overview, a requisition's evidence (the
staffing gap and the leavers) and its status history, and the manager's "Requisitions
to approve" column. A fixed number of queries each, whatever the number of rows."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from ..models import Application, Associate, AuditEvent, Requisition, Team, User
from . import StaffingGap, TeamColumn, TeamCount, staffing_gaps

if TYPE_CHECKING:
    from ..access import Roles

GAP_WEEKS = 8
LEAVER_DAYS = 90
STATUS_ACTIONS = (
    AuditEvent.Action.REQUISITION_CREATED,
    AuditEvent.Action.REQUISITION_CHANGED,
    AuditEvent.Action.REQUISITION_APPROVED,
    AuditEvent.Action.REQUISITION_OPENED,
    AuditEvent.Action.REQUISITION_FILLED,
    AuditEvent.Action.REQUISITION_CANCELLED,
)


@dataclass(frozen=True)
class Evidence:
    """What a request for headcount stands on."""

    team: Team
    gap: StaffingGap | None  # None: no capacity plan for the team
    leavers: list[Associate]
    weeks: int = GAP_WEEKS
    leaver_days: int = LEAVER_DAYS


def leavers(team: Team) -> list[Associate]:
    """The team's associates who left in the last 90 days (site-local) or are leaving."""
    since = team.site.local_today() - dt.timedelta(days=LEAVER_DAYS)
    return list(
        Associate.objects.filter(team=team, left_on__gte=since)
        .select_related("user")
        .order_by("left_on", "pk")
    )


def evidence(team: Team) -> Evidence:
    return Evidence(
        team=team, gap=staffing_gaps([team.pk], GAP_WEEKS).get(team.pk), leavers=leavers(team)
    )


def age_days(requisition: Requisition, now: dt.datetime | None = None) -> int:
    """Days since it opened (since it was drafted, before it opens)."""
    since = requisition.opened_at or requisition.created_at
    return max(((now or timezone.now()) - since).days, 0)


def with_active_count(requisitions: QuerySet[Requisition]) -> QuerySet[Requisition]:
    return requisitions.annotate(
        active_count=Count(
            "applications", filter=Q(applications__stage__in=Application.ACTIVE_STAGES)
        )
    )


@dataclass
class OverviewRow:
    requisition: Requisition
    age_days: int


@dataclass
class OverviewGroup:
    team: Team
    rows: list[OverviewRow] = field(default_factory=list)
    can_request: bool = False


def hiring_overview(
    requisitions: QuerySet[Requisition],
    teams: Sequence[Team],
    changeable_team_ids: set[int],
    *,
    status: str = "",
) -> list[OverviewGroup]:
    """The requisitions grouped by team (every team in `teams`, with none too, so a lead
    can start one); one query for the requisitions."""
    if status:
        requisitions = requisitions.filter(status=status)
    groups = {
        team.pk: OverviewGroup(team, can_request=team.pk in changeable_team_ids) for team in teams
    }
    now = timezone.now()
    for requisition in with_active_count(requisitions).order_by("team_id", "-created_at", "-pk"):
        group = groups.get(requisition.team_id)
        if group is not None:
            group.rows.append(OverviewRow(requisition, age_days(requisition, now)))
    order = {value: n for n, value in enumerate(Requisition.Status.values)}
    for group in groups.values():  # by status (draft first), the newest first within each
        group.rows.sort(key=lambda row: order[row.requisition.status])
    return [g for g in groups.values() if g.rows or (g.can_request and not status)]


def status_history(requisition: Requisition) -> list[AuditEvent]:
    """Who drafted, changed, approved, opened, filled or cancelled it, oldest first."""
    return list(
        AuditEvent.objects.about(requisition)
        .filter(action__in=STATUS_ACTIONS)
        .order_by("occurred_at", "pk")
    )


def manager_columns(user: User, roles: "Roles", teams: Sequence[Team]) -> list[TeamColumn]:
    """The manager's "Requisitions to approve": drafts per team. One query."""
    drafts = (
        Requisition.objects.filter(team__in=list(teams), status=Requisition.Status.DRAFT)
        .order_by()
        .values("team_id")
        .annotate(n=Count("pk"))
        .values_list("team_id", "n")
    )
    url = reverse("teams:hiring") + "?status=draft"
    counts = {team_id: TeamCount(n, url) for team_id, n in drafts}
    return [TeamColumn("Requisitions to approve", counts, order=60)]
