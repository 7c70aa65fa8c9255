"""What scheduling adds to the home page (registered in SchedulingConfig.ready):
the manager's columns (coverage gaps in the next 14 days, approvals waiting) and
the associate's cards (swap offers to answer, leave and comp-day balances, the
next weekend duty). Each function runs a fixed number of queries."""

import datetime as dt
from collections import Counter
from collections.abc import Sequence

from django.db.models import Count
from django.urls import reverse

from teams.access import Roles
from teams.models import Associate, Team, User
from teams.selectors import HomePanel, TeamColumn, TeamCount

from ..models import CompDayRequest, ShiftSwap, TimeOffRequest
from .comp_days import as_seen_by_associate, balance_of, duties_of
from .coverage import coverage_overview
from .single_points import SinglePoint, first_per_warning, single_points
from .time_off import leave_balance

GAP_HORIZON_DAYS = 14


def manager_columns(user: User, roles: Roles, teams: Sequence[Team]) -> list[TeamColumn]:
    """Coverage gaps and approvals waiting, per team. Nine queries."""
    ids = [t.pk for t in teams]
    today = {t.pk: t.site.local_today() for t in teams}
    # Teams on sites to the west are a day behind: a swap of theirs due tomorrow
    # stays counted; those whose day has come are closed by the nightly job.
    earliest_today = min(today.values(), default=dt.date.today())
    # Three weeks from this Monday always hold today and the 13 days after it.
    gaps: dict[int, TeamCount] = {}
    for row in coverage_overview(list(teams), weeks=3):
        first = today[row.team.pk]
        last = first + dt.timedelta(days=GAP_HORIZON_DAYS - 1)
        days = {day for day, _line in row.gaps if first <= day <= last}
        if days:
            gaps[row.team.pk] = TeamCount(
                len(days),
                reverse("scheduling:schedule-grid", args=[row.team.pk]),
                f"first {min(days):%a %-d %b}",
            )
    waiting: Counter[int] = Counter()
    kinds: dict[int, list[str]] = {}
    pending = (
        (
            "time off",
            "associate__team_id",
            TimeOffRequest.objects.filter(
                associate__team_id__in=ids, status=TimeOffRequest.Status.PENDING
            ),
        ),
        (
            "swap",
            "requester__team_id",
            # Not those whose day has passed (the nightly job closes them).
            ShiftSwap.objects.filter(
                requester__team_id__in=ids,
                status=ShiftSwap.Status.ACCEPTED,
                requester_day__gt=earliest_today,
                partner_day__gt=earliest_today,
            ),
        ),
        (
            "comp day",
            "comp_day__associate__team_id",
            CompDayRequest.objects.filter(
                comp_day__associate__team_id__in=ids, status=CompDayRequest.Status.PENDING
            ),
        ),
    )
    for label, team_field, queryset in pending:
        grouped = queryset.order_by().values(team_field).annotate(n=Count("pk"))
        for team_id, count in grouped.values_list(team_field, "n"):
            waiting[team_id] += count
            kinds.setdefault(team_id, []).append(f"{count} {label}")
    approvals = {
        team_id: TeamCount(
            count, reverse("scheduling:timeoff-queue", args=[team_id]), " · ".join(kinds[team_id])
        )
        for team_id, count in waiting.items()
    }
    return [
        TeamColumn(f"Coverage gaps, next {GAP_HORIZON_DAYS} days", gaps, order=20),
        TeamColumn("Approvals waiting", approvals, order=30),
    ]


def associate_panels(user: User, roles: Roles) -> list[HomePanel]:
    """Swap offers to answer, leave and comp-day balances, the next weekend duty.
    Ten queries."""
    if roles.associate_id is None:
        return []
    me = Associate.objects.select_related("team__site").get(pk=roles.associate_id)
    today = me.team.site.local_today()
    panels = []
    offers = list(
        ShiftSwap.objects.filter(
            partner=me,
            status=ShiftSwap.Status.PROPOSED,
            requester_day__gt=today,
            partner_day__gt=today,
        )
        .select_related("requester__user")
        .order_by("requester_day")
    )
    if offers:
        panels.append(
            HomePanel("scheduling/home/_swap_offers.html", {"offers": offers}, 10, "mine")
        )
    visible = as_seen_by_associate(me, duties_of(me), today)
    upcoming = [d for d in visible if d.on >= today]
    panels.append(
        HomePanel(
            "scheduling/home/_balances.html",
            {
                "leave": leave_balance(me, today.year, today),
                "comp": balance_of(visible, today),
                "next_duty": upcoming[0] if upcoming else None,
            },
            40,
            "mine",
        )
    )
    return panels


SINGLE_POINT_LINES = 5


def single_points_panel(user: User, roles: Roles) -> list[HomePanel]:
    """A lead's single points of failure in the next four weeks, at most five lines
    with a link to each team's four-week grid. Eight queries, however big the teams."""
    if not roles.is_lead:
        return []
    teams = list(Team.objects.filter(pk__in=roles.led_team_ids).select_related("site"))
    found = single_points(teams)
    by_pk = {t.pk: t for t in teams}
    ordered: list[tuple[SinglePoint, Team]] = sorted(
        (
            (point, by_pk[team_id])
            for team_id, points in found.items()
            for point in first_per_warning(points)
        ),
        key=lambda pair: (pair[0].on, pair[1].name, pair[0].need.skill_name),
    )
    if not ordered:
        return []
    lines = []
    for point, team in ordered[:SINGLE_POINT_LINES]:
        monday = point.on - dt.timedelta(days=point.on.weekday())
        url = reverse("scheduling:schedule-grid", args=[team.pk])
        lines.append({"point": point, "team": team, "url": f"{url}?week={monday}&weeks=4"})
    grids = [
        {"team": team, "url": reverse("scheduling:schedule-grid", args=[team.pk]) + "?weeks=4"}
        for team in sorted({team for _point, team in ordered}, key=lambda t: t.name)
    ]
    return [
        HomePanel(
            "scheduling/home/_single_points.html",
            {
                "lines": lines,
                "more": max(len(ordered) - SINGLE_POINT_LINES, 0),
                "grids": grids,
                "several_teams": len(teams) > 1,
            },
            order=25,
        )
    ]
