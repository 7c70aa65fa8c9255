from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from teams.access import roles_for
from teams.http import authenticated_user

from . import services
from .forms import KpiUploadForm

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
