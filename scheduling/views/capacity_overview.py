"""The manager's capacity overview across teams: required, scheduled and rostered FTE per
week for the next eight weeks, and the shortfall; the same table as a CSV."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from teams.access import visible_teams
from teams.http import authenticated_user
from teams.text import write_csv

from ..access import require_team_overseer
from ..selectors.capacity_overview import FULL_TIME_HOURS, WEEKS, csv_rows
from ..selectors.capacity_overview import capacity_overview as overview_of


@require_GET
def capacity_overview(request: HttpRequest) -> HttpResponse:
    """Leads (their own teams), managers (theirs) and ops admins (all): read-only."""
    user = authenticated_user(request)
    require_team_overseer(user, "capacity-overview")
    rows = overview_of(list(visible_teams(user)), weeks=WEEKS)
    if request.GET.get("export") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        first = min((r.mondays[0] for r in rows), default=None)
        stamp = f"-{first:%Y%m%d}" if first else ""
        response["Content-Disposition"] = f'attachment; filename="capacity{stamp}.csv"'
        write_csv(response, csv_rows(rows))
        return response
    return render(
        request,
        "scheduling/capacity_overview/overview.html",
        {"rows": rows, "weeks": WEEKS, "full_time_hours": FULL_TIME_HOURS},
    )
