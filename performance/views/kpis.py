"""The KPI events upload page (CSV). Machines post events through the API
(performance/api/views.py); both go through services.kpis.ingest_events."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from teams.http import authenticated_user

from .. import access
from ..forms.kpis import KpiUploadForm
from ..services import kpis as services

PREVIEW_ROWS = 20


@require_http_methods(["GET", "POST"])
def kpi_import(request: HttpRequest) -> HttpResponse:
    """Upload KPI events as CSV: every problem is listed by row, and nothing is
    written unless every row is valid. Leads upload for their own teams."""
    user = authenticated_user(request)
    team_ids = access.require_kpi_importer(user)
    form = KpiUploadForm(request.POST or None, request.FILES or None)
    context: dict[str, object] = {"form": form}
    if request.method == "POST" and form.is_valid():
        rows, errors = services.parse_csv(form.cleaned_data["file"].read())
        result = None
        if not errors:
            result = services.ingest_events(
                rows,
                source=form.cleaned_data["source"],
                team_ids=team_ids,
                submitted_by=user,
            )
            errors = list(result.errors)
        context |= {
            "errors": errors,
            "result": result if not errors else None,
            "preview": rows[:PREVIEW_ROWS],
            "row_count": len(rows),
        }
    return render(request, "performance/kpis/import.html", context)
