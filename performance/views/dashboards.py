"""The KPI dashboards: a team's, one associate's and the cross-team overview.

They read the daily rollups only (selectors.dashboards), with a fixed number of
queries. Each takes ?from=&to= (site-local days) and answers htmx requests with
the dashboard fragment; ?export=csv downloads exactly the figures on the page.
"""

import datetime as dt
import hashlib
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from teams.access import get_associate_for_user, get_team_for_user, visible_teams
from teams.http import authenticated_user
from teams.models import Team
from teams.text import write_csv

from .. import access
from ..cache import rollups_version
from ..forms.dashboards import RangeForm
from ..selectors import dashboards
from ..selectors import kpis as sel

DEFAULT_RANGE_DAYS = 30


def _range(
    request: HttpRequest,
    today: dt.date,
    teams: list[Team] | None = None,
    all_label: str = "All my teams",
) -> tuple[RangeForm, sel.DateRange, Team | None]:
    yesterday = today - dt.timedelta(days=1)
    default = (yesterday - dt.timedelta(days=DEFAULT_RANGE_DAYS - 1), yesterday)
    # Fields the query leaves out show (and mean) the default range.
    data = (
        {"from": default[0].isoformat(), "to": default[1].isoformat()} | request.GET.dict()
        if request.GET
        else None
    )
    form = RangeForm(data, default=default, teams=teams, all_label=all_label)
    if request.GET and form.is_valid():
        span = sel.DateRange(form.cleaned_data["from"], form.cleaned_data["to"])
        return form, span, form.cleaned_data.get("team")
    # A bad range shows the default one, for the team chosen if that was valid.
    chosen = getattr(form, "cleaned_data", {}).get("team") if request.GET else None
    return form, sel.DateRange(*default), chosen


def _shown(request: HttpRequest, span: sel.DateRange, **changes: str) -> str:
    """The query of what the page shows (the range actually shown, not a rejected
    one), for links and the CSV export."""
    return _query(request, **span.params(), **changes)


def _fragment_key(request: HttpRequest, template: str, today: dt.date, variant: str) -> str | None:
    """Where a dashboard's rendered figures are cached: the page, its query, the
    viewer's variant, the day and the rollups' version (bumped by every rollup and
    every edit the figures show), so a change is never hidden by the cache."""
    seconds = int(getattr(settings, "KPI_DASHBOARD_CACHE_SECONDS", 60))
    if seconds <= 0 or request.GET.get("export"):
        return None
    query = [request.GET.get(name, "") for name in PARAMS]
    raw = f"{request.path}|{query}|{variant}|{today}|{rollups_version()}"
    return "kpi-dashboard:" + hashlib.sha256(raw.encode()).hexdigest()


# The part of each dashboard's template htmx swaps (HX-Target); any other target
# gets the whole page.
FRAGMENT = "dashboard"


def _cached(
    request: HttpRequest, template: str, shell: dict[str, object], key: str | None
) -> HttpResponse | None:
    fragment = cache.get(key) if key else None
    if fragment is None:
        return None
    return _page(request, template, shell, fragment)


def _page(
    request: HttpRequest, template: str, shell: dict[str, object], fragment: str
) -> HttpResponse:
    """The fragment alone for htmx, else the page around it."""
    htmx = getattr(request, "htmx", None)
    if htmx and htmx.target == FRAGMENT:
        response = HttpResponse(fragment)
    else:
        response = render(request, template, shell | {"fragment": mark_safe(fragment)})  # noqa: S308
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


def _render(
    request: HttpRequest,
    template: str,
    context: dict[str, object],
    csv_rows: Callable[[], list[list[object]]],
    *,
    form: RangeForm,
    span: sel.DateRange,
    name: str,
    shell: dict[str, object],
    key: str | None,
) -> HttpResponse:
    if request.GET.get("export") == "csv":
        if form.is_bound and not form.is_valid():
            return HttpResponseBadRequest(
                "; ".join(str(e) for errors in form.errors.values() for e in errors),
                content_type="text/plain; charset=utf-8",
            )
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="{name}-{span.start:%Y%m%d}-{span.end:%Y%m%d}.csv"'
        )
        write_csv(response, csv_rows())
        return response
    fragment = render_to_string(f"{template}#{FRAGMENT}", context | shell, request)
    if key:
        cache.set(key, fragment, int(getattr(settings, "KPI_DASHBOARD_CACHE_SECONDS", 60)))
    return _page(request, template, shell, fragment)


def _presets(request: HttpRequest, span: sel.DateRange, today: dt.date) -> list[dict[str, object]]:
    """Links for the last 7, 30 and 90 days (ending yesterday), keeping other filters."""
    end = today - dt.timedelta(days=1)
    presets: list[dict[str, object]] = []
    for n in (7, 30, 90):
        start = end - dt.timedelta(days=n - 1)
        query = _query(request, **{"from": start.isoformat(), "to": end.isoformat()})
        presets.append({"n": n, "query": query, "current": (span.start, span.end) == (start, end)})
    return presets


# The query parameters a dashboard reads; its links carry these and nothing else, so
# a cached fragment never holds another viewer's stray parameters.
PARAMS = ("from", "to", "team", "sort", "dir")


def _query(request: HttpRequest, **changes: str) -> str:
    params = {name: request.GET[name] for name in PARAMS if name in request.GET} | changes
    return urlencode(params)


CSV_HEAD: list[object] = [
    "row",
    "name",
    "day",
    "kpi",
    "value",
    "unit",
    "basis",
    "target",
    "status",
    "change",
]


def _csv(
    kind: str, name: str, figures: list[sel.Figure], day: str = "period"
) -> list[list[object]]:
    return [
        [
            kind,
            name,
            day,
            f.kpi.key,
            "" if f.value is None else round(f.value, f.kpi.decimals + 2),
            f.kpi.unit,
            sel.period_basis(f.kpi),
            f.kpi.target,
            f.rag or "",
            "" if f.change is None else round(f.change, f.kpi.decimals + 2),
        ]
        for f in figures
    ]


def _csv_series(kind: str, charts: list[sel.Series], span: sel.DateRange) -> list[list[object]]:
    rows: list[list[object]] = []
    for chart in charts:
        for label, values in chart.lines:
            for day, value in zip(span.dates(), values, strict=True):
                if value is not None:
                    figure = sel.Figure(chart.kpi, value)
                    rows += _csv(kind, label, [figure], day=day.isoformat())
    return rows


@require_GET
def team_dashboard(request: HttpRequest, team_id: int) -> HttpResponse:
    """The lead's daily view of a team: each KPI against target, the trend, and a
    sortable table of associates with a drill-down to each."""
    user = authenticated_user(request)
    team = get_team_for_user(user, team_id)
    today = team.site.local_today()
    template = "performance/dashboards/team.html"
    shell: dict[str, object] = {"team": team}
    key = _fragment_key(request, template, today, "")
    if (hit := _cached(request, template, shell, key)) is not None:
        return hit
    form, span, _ = _range(request, today)
    sort = request.GET.get("sort", "name")
    descending = request.GET.get("dir") == "desc"
    board = dashboards.team_board(team, span, today=today, sort=sort, descending=descending)
    context: dict[str, object] = {
        "team": team,
        "form": form,
        "span": span,
        "kpis": board.kpis,
        "summary": board.summary,
        "charts": [c.chart() for c in board.charts],
        "rows": board.rows,
        "sort": sort,
        "descending": descending,
        "alerts": board.alerts,
        "query": _shown(request, span),
        "name_link": _shown(
            request, span, sort="name", dir="desc" if sort == "name" and not descending else "asc"
        ),
        "columns": [
            (
                k,
                _shown(
                    request, span, sort=k.key, dir="asc" if sort == k.key and descending else "desc"
                ),
            )
            for k in board.kpis
        ],
        "presets": _presets(request, span, today),
        "range_query": urlencode(span.params()),  # the page's own links
        "alert_days": sel.alert_days(),
    }

    def csv_rows() -> list[list[object]]:
        found = [CSV_HEAD, *_csv("team", team.name, board.summary)]
        for row in board.rows:
            found += _csv("associate", row.name, row.figures)
        return found + _csv_series("team", board.charts, span)

    return _render(
        request,
        template,
        context,
        csv_rows,
        form=form,
        span=span,
        name=f"kpis-team-{team.pk}",
        shell=shell,
        key=key,
    )


@require_GET
def associate_dashboard(request: HttpRequest, associate_id: int) -> HttpResponse:
    """One associate's KPIs against target and against the team median. The
    associate sees this for themself; their lead and manager see it as a
    drill-down. No other individual's figure appears here."""
    user = authenticated_user(request)
    associate = get_associate_for_user(user, associate_id)
    team = associate.team
    today = team.site.local_today()
    template = "performance/dashboards/associate.html"
    shell: dict[str, object] = {
        "associate": associate,
        "team": team,
        "is_self": access.is_self(user, associate),
        "can_see_team": access.can_see_team(user, team.pk),
    }
    key = _fragment_key(request, template, today, f"{shell['is_self']}")
    if (hit := _cached(request, template, shell, key)) is not None:
        return hit
    form, span, _ = _range(request, today)
    board = dashboards.associate_board(associate, span)
    context: dict[str, object] = {
        "form": form,
        "span": span,
        "figures": board.figures,
        "charts": [c.chart() for c in board.charts],
        "query": _shown(request, span),
        "min_peers": sel.MIN_PEERS_FOR_MEDIAN,
        "presets": _presets(request, span, today),
        "range_query": urlencode(span.params()),  # the page's own links
    }

    def csv_rows() -> list[list[object]]:
        return [
            CSV_HEAD,
            *_csv("associate", associate.name, [f for f, _ in board.figures]),
            *_csv("team median", team.name, [m for _, m in board.figures]),
            *_csv_series("associate", board.charts, span),
        ]

    return _render(
        request,
        template,
        context,
        csv_rows,
        form=form,
        span=span,
        name=f"kpis-{associate.user.username}",
        shell=shell,
        key=key,
    )


@require_GET
def kpi_overview(request: HttpRequest) -> HttpResponse:
    """The manager's cross-team dashboard: teams × KPIs, the trend across the
    chosen teams, and the biggest movers against the previous period. A lead sees
    their own teams here; an associate is sent to their own dashboard."""
    user = authenticated_user(request)
    if (own_id := access.own_dashboard_instead(user)) is not None:
        return redirect("performance:associate-dashboard", own_id)
    scope = access.require_overview_scope(user)
    teams = list(visible_teams(user).order_by("name"))
    today = sel.sites_today(teams)
    template = "performance/dashboards/overview.html"
    shell: dict[str, object] = {}
    key = _fragment_key(request, template, today, scope.key)
    if (hit := _cached(request, template, shell, key)) is not None:
        return hit
    form, span, chosen = _range(
        request, today, teams=teams, all_label="All teams" if scope.sees_all else "All my teams"
    )
    team_param = {"team": str(chosen.pk) if chosen else ""} if "team" in request.GET else {}
    label = chosen.name if chosen is not None else "All teams shown"
    board = dashboards.overview_board([chosen] if chosen else teams, span, label=label)
    context: dict[str, object] = {
        "form": form,
        "span": span,
        "kpis": board.kpis,
        "overall": board.overall,
        "rows": board.rows,
        "charts": [c.chart() for c in board.charts],
        "best": board.best,
        "worst": board.worst,
        "chosen": chosen,
        "presets": _presets(request, span, today),
        "query": _shown(request, span, **team_param),
    }

    def csv_rows() -> list[list[object]]:
        found = [CSV_HEAD, *_csv("all teams shown", label, board.overall)]
        for row in board.rows:
            found += _csv("team", row.name, row.figures)
        for kind, movers in (("most improved", board.best), ("most declined", board.worst)):
            for row, figure in movers:
                found += _csv(kind, row.name, [figure])
        return found + _csv_series("all teams shown", board.charts, span)

    return _render(
        request,
        template,
        context,
        csv_rows,
        form=form,
        span=span,
        name="kpis-teams" if chosen is None else f"kpis-team-{chosen.pk}",
        shell=shell,
        key=key,
    )
