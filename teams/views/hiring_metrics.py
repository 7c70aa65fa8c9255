"""Hiring metrics for the teams the user sees (per team and per site), and as a CSV."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ..access import require_hiring_viewer, visible_teams
from ..http import authenticated_user
from ..selectors import hiring_metrics as selectors
from ..text import write_csv


def _metrics(request: HttpRequest) -> selectors.HiringMetrics:
    user = authenticated_user(request)
    require_hiring_viewer(user, "hiring-metrics")
    return selectors.hiring_metrics(list(visible_teams(user)))


@require_GET
def hiring_metrics(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "teams/hiring_metrics/metrics.html",
        {
            "metrics": _metrics(request),
            "pass_stages": [selectors.Stage(s).label for s in selectors.PASS_STAGES],
        },
    )


@require_GET
def hiring_metrics_csv(request: HttpRequest) -> HttpResponse:
    metrics = _metrics(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="hiring-metrics.csv"'
    write_csv(response, selectors.csv_rows(metrics))
    return response
