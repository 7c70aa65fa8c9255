"""Volume history in by CSV (the lead's upload page) and what is stored, in short.
Machines post through the API (scheduling/api/views.py) and scripts run
`manage.py import_volumes`; all go through services.volumes."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from teams.access import can_change_team, get_team_for_user
from teams.http import authenticated_user

from ..forms import VolumeUploadForm
from ..models import QueueVolume
from ..selectors.volumes import recent_volumes
from ..services import volumes as services

# A file with thousands of bad rows: the page lists this many (the command and the
# API list them all).
PROBLEMS_SHOWN = 500


@require_http_methods(["GET", "POST"])
def volume_upload(request: HttpRequest, team_id: int) -> HttpResponse:
    """Upload a CSV of volumes per queue and interval: every problem is listed by
    line, and nothing is written unless every row is right. The team's leads
    upload; managers see the summary."""
    user = authenticated_user(request)
    team = get_team_for_user(user, team_id, for_change=request.method == "POST")
    # Bound on every POST: one without a file is a form error, not a blank page.
    form = (
        VolumeUploadForm(request.POST, request.FILES)
        if request.method == "POST"
        else VolumeUploadForm()
    )
    result = None
    if request.method == "POST" and form.is_valid():
        result = services.ingest_csv(
            form.cleaned_data["file"].read(),
            team=team,
            source=QueueVolume.Source.UPLOAD,
            submitted_by=user,
        )
    problems = list(result.problems) if result else []
    return render(
        request,
        "scheduling/volumes/upload.html",
        {
            "team": team,
            "form": form,
            "can_change": can_change_team(user, team.pk),
            "result": result if result and not problems else None,
            "problems": problems[:PROBLEMS_SHOWN],
            "problem_count": len(problems),
            "hidden_count": max(len(problems) - PROBLEMS_SHOWN, 0),
            "summary": recent_volumes(team, today=team.site.local_today()),
            "zone": team.site.time_zone,
        },
    )
