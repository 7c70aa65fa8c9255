import csv
import datetime as dt
import hashlib
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods

from teams.access import get_associate_for_user, get_team_for_user, roles_for, visible_teams
from teams.http import authenticated_user
from teams.models import Associate, Team

from . import kpi_selectors as sel
from . import services
from .forms import KpiUploadForm, RangeForm
from .models import DailyKpi

PREVIEW_ROWS = 20


@require_http_methods(["GET", "POST"])
def kpi_import(request: HttpRequest) -> HttpResponse:
    """Upload KPI events as CSV: every problem is listed by row, and nothing is
    written unless every row is valid. Leads upload for their own teams."""
    roles = roles_for(authenticated_user(request))
    if not (roles.is_admin or roles.is_lead):
        if roles.is_manager:
            raise PermissionDenied("Managers read KPIs; leads and ops admins import them.")
        raise Http404("No such page.")
    form = KpiUploadForm(request.POST or None, request.FILES or None)
    context: dict[str, object] = {"form": form}
    if request.method == "POST" and form.is_valid():
        rows, errors = services.parse_csv(form.cleaned_data["file"].read())
        result = None
        if not errors:
            result = services.ingest_events(
                rows,
                source=form.cleaned_data["source"],
                team_ids=None if roles.is_admin else roles.led_team_ids,
            )
            errors = list(result.errors)
        context |= {
            "errors": errors,
            "result": result if not errors else None,
            "preview": rows[:PREVIEW_ROWS],
            "row_count": len(rows),
        }
    return render(request, "performance/kpi_import.html", context)


# --- Dashboards ------------------------------------------------------------------------
# They read the daily rollups only (kpi_selectors), with a fixed number of queries.
# Each takes ?from=&to= (site-local days) and answers htmx requests with the
# dashboard fragment; ?export=csv downloads exactly the figures on the page.

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
    raw = f"{request.path}|{query}|{variant}|{today}|{sel.rollups_version()}"
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
        csv.writer(response).writerows(csv_rows())
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
    kpi_list = sel.kpis()
    # The team's rows (under None) and each associate's, now and before, in one query.
    sums = sel.period_sums(
        (DailyKpi.Scope.TEAM, DailyKpi.Scope.ASSOCIATE), span, "associate_id", team_ids=[team.pk]
    )
    summary = sel.figures(kpi_list, sums, None)
    charts = sel.series(
        kpi_list, span, [(team.name, sel.daily_sums("team", span, team_ids=[team.pk]))]
    )
    # Leavers stay listed for the days they have figures in the range shown.
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
    sort = request.GET.get("sort", "name")
    descending = request.GET.get("dir") == "desc"
    rows = sel.sort_rows(rows, kpi_list, sort, descending)
    # Alerts for the team and the people on it now (not for someone who has left).
    members = {a.pk: a.name for a in associates if a.left_on is None}
    alerts = [
        (team.name if alert.scope == "team" else members[alert.subject_id], alert)
        for alert in sel.alerts([team.pk], today=today, kpi_list=kpi_list)
        if alert.scope == "team" or alert.subject_id in members
    ]
    context: dict[str, object] = {
        "team": team,
        "form": form,
        "span": span,
        "kpis": kpi_list,
        "summary": summary,
        "charts": [c.chart() for c in charts],
        "rows": rows,
        "sort": sort,
        "descending": descending,
        "alerts": alerts,
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
            for k in kpi_list
        ],
        "presets": _presets(request, span, today),
        "range_query": urlencode(span.params()),  # the page's own links
        "alert_days": sel.alert_days(),
    }

    def csv_rows() -> list[list[object]]:
        found = [CSV_HEAD, *_csv("team", team.name, summary)]
        for row in rows:
            found += _csv("associate", row.name, row.figures)
        return found + _csv_series("team", charts, span)

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
    roles = roles_for(user)
    template = "performance/dashboards/associate.html"
    shell: dict[str, object] = {
        "associate": associate,
        "team": team,
        "is_self": roles.associate_id == associate.pk,
        "can_see_team": roles.can_see_team(team.pk),
    }
    key = _fragment_key(request, template, today, f"{shell['is_self']}")
    if (hit := _cached(request, template, shell, key)) is not None:
        return hit
    form, span, _ = _range(request, today)
    kpi_list = sel.kpis()
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
    context: dict[str, object] = {
        "form": form,
        "span": span,
        "figures": figures,
        "charts": [c.chart() for c in charts],
        "query": _shown(request, span),
        "min_peers": sel.MIN_PEERS_FOR_MEDIAN,
        "presets": _presets(request, span, today),
        "range_query": urlencode(span.params()),  # the page's own links
    }

    def csv_rows() -> list[list[object]]:
        return [
            CSV_HEAD,
            *_csv("associate", associate.name, [f for f, _ in figures]),
            *_csv("team median", team.name, [m for _, m in figures]),
            *_csv_series("associate", charts, span),
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


MOVERS = 5


@require_GET
def kpi_overview(request: HttpRequest) -> HttpResponse:
    """The manager's cross-team dashboard: teams × KPIs, the trend across the
    chosen teams, and the biggest movers against the previous period. A lead sees
    their own teams here; an associate is sent to their own dashboard."""
    user = authenticated_user(request)
    roles = roles_for(user)
    if not roles.has_teams:
        if roles.associate_id is not None:
            return redirect("performance:associate-dashboard", roles.associate_id)
        raise Http404("No teams to show.")
    teams = list(visible_teams(user).order_by("name"))
    today = sel.sites_today(teams)
    template = "performance/dashboards/overview.html"
    shell: dict[str, object] = {}
    scope = "all" if roles.is_admin else ",".join(map(str, sorted(roles.visible_team_ids)))
    key = _fragment_key(request, template, today, scope)
    if (hit := _cached(request, template, shell, key)) is not None:
        return hit
    form, span, chosen = _range(
        request, today, teams=teams, all_label="All teams" if roles.is_admin else "All my teams"
    )
    team_list = [chosen] if chosen is not None else teams
    team_param = {"team": str(chosen.pk) if chosen else ""} if "team" in request.GET else {}
    ids = [t.pk for t in team_list]
    kpi_list = sel.kpis()
    sums = sel.period_sums((DailyKpi.Scope.TEAM,), span, "team_id", team_ids=ids)
    rows = [
        sel.Row(
            key=t.pk,
            name=t.name,
            url=f"{reverse('performance:team-dashboard', args=[t.pk])}?{urlencode(span.params())}",
            figures=sel.figures(kpi_list, sums, t.pk),
        )
        for t in team_list
    ]
    overall = []
    for kpi in kpi_list:
        pairs = [pair for (_, k), pair in sums.items() if k == kpi.pk]
        total_now = sum((now for now, _ in pairs), sel.NO_SUMS)
        total_before = sum((before for _, before in pairs), sel.NO_SUMS)
        overall.append(sel.Figure(kpi, total_now.value(kpi), total_before.value(kpi)))
    label = chosen.name if chosen is not None else "All teams shown"
    charts = sel.series(kpi_list, span, [(label, sel.daily_sums("team", span, team_ids=ids))])
    moves = [(f.score, row, f) for row in rows for f in row.figures if f.score is not None]
    best = [(row, f) for score, row, f in sorted(moves, key=lambda m: -m[0]) if score > 0]
    worst = [(row, f) for score, row, f in sorted(moves, key=lambda m: m[0]) if score < 0]
    best, worst = best[:MOVERS], worst[:MOVERS]
    context: dict[str, object] = {
        "form": form,
        "span": span,
        "kpis": kpi_list,
        "overall": overall,
        "rows": rows,
        "charts": [c.chart() for c in charts],
        "best": best,
        "worst": worst,
        "chosen": chosen,
        "presets": _presets(request, span, today),
        "query": _shown(request, span, **team_param),
    }

    def csv_rows() -> list[list[object]]:
        found = [CSV_HEAD, *_csv("all teams shown", label, overall)]
        for row in rows:
            found += _csv("team", row.name, row.figures)
        for kind, movers in (("most improved", best), ("most declined", worst)):
            for row, figure in movers:
                found += _csv(kind, row.name, [figure])
        return found + _csv_series("all teams shown", charts, span)

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
