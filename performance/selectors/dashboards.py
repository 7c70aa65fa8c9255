"""What each KPI dashboard shows, built from the daily rollups (`selectors.kpis`)
with a fixed number of queries whatever the range or the number of people."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse
from django.utils.http import urlencode

from teams.models import Associate, Team

from ..models import DailyKpi, Kpi
from . import kpis as sel

MOVERS = 5


@dataclass(frozen=True)
class TeamBoard:
    kpis: list[Kpi]
    summary: list[sel.Figure]
    charts: list[sel.Series]
    rows: list[sel.Row]
    alerts: list[tuple[str, sel.Alert]]


def team_board(
    team: Team, span: sel.DateRange, *, today: dt.date, sort: str, descending: bool
) -> TeamBoard:
    """A team's KPIs against target, the trend, one sortable row per associate (leavers
    stay listed for the days they have figures in the range), and the alerts of the
    team and the people on it now."""
    kpi_list = sel.kpis()
    # The team's rows (under None) and each associate's, now and before, in one query.
    sums = sel.period_sums(
        (DailyKpi.Scope.TEAM, DailyKpi.Scope.ASSOCIATE), span, "associate_id", team_ids=[team.pk]
    )
    charts = sel.series(
        kpi_list, span, [(team.name, sel.daily_sums("team", span, team_ids=[team.pk]))]
    )
    with_figures = {person for (person, _), (now, _) in sums.items() if person and now.days}
    associates = (
        Associate.objects.filter(team=team)
        .filter(Q(left_on__isnull=True) | Q(pk__in=with_figures))
        .select_related("user")
    )
    rows = [
        sel.Row(
            key=a.pk,
            name=a.name,
            url=reverse("performance:associate-dashboard", args=[a.pk]),
            figures=sel.figures(kpi_list, sums, a.pk),
            note=f"left {a.left_on:%-d %b %Y}" if a.left_on else "",
        )
        for a in associates
    ]
    # Alerts for the team and the people on it now (not for someone who has left).
    members = {a.pk: a.name for a in associates if a.left_on is None}
    alerts = [
        (team.name if alert.scope == "team" else members[alert.subject_id], alert)
        for alert in sel.alerts([team.pk], today=today, kpi_list=kpi_list)
        if alert.scope == "team" or alert.subject_id in members
    ]
    return TeamBoard(
        kpis=kpi_list,
        summary=sel.figures(kpi_list, sums, None),
        charts=charts,
        rows=sel.sort_rows(rows, kpi_list, sort, descending),
        alerts=alerts,
    )


@dataclass(frozen=True)
class AssociateBoard:
    figures: list[tuple[sel.Figure, sel.Figure]]  # (the associate's, the team median)
    charts: list[sel.Series]


def associate_board(associate: Associate, span: sel.DateRange) -> AssociateBoard:
    """One associate's KPIs, each beside the team median (never another person's
    figure), and their daily trend."""
    kpi_list = sel.kpis()
    team = associate.team
    mine = sel.period_sums(
        (DailyKpi.Scope.ASSOCIATE,), span, "associate_id", associate_ids=[associate.pk]
    )
    peers = sel.sums_by("associate", span, "associate_id", team_ids=[team.pk])
    figures = []
    for figure in sel.figures(kpi_list, mine, associate.pk):
        kpi = figure.kpi
        median = sel.median_or_none(s.value(kpi) for (_, k), s in peers.items() if k == kpi.pk)
        figures.append((figure, sel.Figure(kpi, median)))
    charts = sel.series(
        kpi_list,
        span,
        [(associate.name, sel.daily_sums("associate", span, associate_ids=[associate.pk]))],
    )
    return AssociateBoard(figures=figures, charts=charts)


# A median or p90 of several teams is not the average of theirs, and the rollups
# keep no cross-team one: each team's figure stands alone.
_NOT_COMBINED: dict[str, str] = {
    Kpi.Aggregation.MEDIAN: "medians of several teams do not average: see each team",
    Kpi.Aggregation.P90: "p90s of several teams do not average: see each team",
}


@dataclass(frozen=True)
class OverviewBoard:
    kpis: list[Kpi]
    overall: list[sel.Figure]
    rows: list[sel.Row]
    charts: list[sel.Series]
    best: list[tuple[sel.Row, sel.Figure]]
    worst: list[tuple[sel.Row, sel.Figure]]


def overview_board(teams: Sequence[Team], span: sel.DateRange, *, label: str) -> OverviewBoard:
    """Teams × KPIs, the trend across the teams, and the biggest movers against the
    previous period."""
    ids = [t.pk for t in teams]
    kpi_list = sel.kpis()
    sums = sel.period_sums((DailyKpi.Scope.TEAM,), span, "team_id", team_ids=ids)
    rows = [
        sel.Row(
            key=t.pk,
            name=t.name,
            url=f"{reverse('performance:team-dashboard', args=[t.pk])}?{urlencode(span.params())}",
            figures=sel.figures(kpi_list, sums, t.pk),
        )
        for t in teams
    ]
    overall = []
    for kpi in kpi_list:
        pairs = [pair for (_, k), pair in sums.items() if k == kpi.pk]
        if kpi.aggregation in sel.PERCENTILES and len(pairs) > 1:
            overall.append(sel.Figure(kpi, None, None, withheld=_NOT_COMBINED[kpi.aggregation]))
            continue
        total_now = sum((now for now, _ in pairs), sel.NO_SUMS)
        total_before = sum((before for _, before in pairs), sel.NO_SUMS)
        overall.append(sel.Figure(kpi, total_now.value(kpi), total_before.value(kpi)))
    charts = sel.series(kpi_list, span, [(label, sel.daily_sums("team", span, team_ids=ids))])
    if len(teams) > 1:  # the same holds for each day of the trend
        charts = [c for c in charts if c.kpi.aggregation not in sel.PERCENTILES]
    moves = [(f.score, row, f) for row in rows for f in row.figures if f.score is not None]
    best = [(row, f) for score, row, f in sorted(moves, key=lambda m: -m[0]) if score > 0]
    worst = [(row, f) for score, row, f in sorted(moves, key=lambda m: m[0]) if score < 0]
    return OverviewBoard(
        kpis=kpi_list,
        overall=overall,
        rows=rows,
        charts=charts,
        best=best[:MOVERS],
        worst=worst[:MOVERS],
    )
