"""Interviews (scheduled by the team's lead, each interviewer invited with an .ics)
and scorecards (each its interviewer's own; the others' readable once theirs is in)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ..access import (
    deny,
    get_application_for_user,
    get_interview_for_user,
    get_own_scorecard,
    roles_for,
    sees_whole_application,
)
from ..forms.interviews import InterviewForm, ScorecardForm
from ..http import authenticated_user
from ..models import Interview, Rating, Scorecard
from ..selectors import interviews as selectors
from ..services import interviews as services


@require_GET
def interview_panel(request: HttpRequest, application_id: int) -> HttpResponse:
    """The application's interviews and the scorecards the user may read: the panel
    alone for htmx, else a page of its own."""
    user = authenticated_user(request)
    application = get_application_for_user(user, application_id)
    context = selectors.interview_panel(user=user, application=application)
    if getattr(request, "htmx", False):
        return render(request, "teams/interviews/_panel.html", context)
    context["sees_whole"] = sees_whole_application(user, application)
    return render(request, "teams/interviews/panel_page.html", context)


@require_http_methods(["GET", "POST"])
def interview_create(request: HttpRequest, application_id: int) -> HttpResponse:
    user = authenticated_user(request)
    application = get_application_for_user(user, application_id, for_change=True)
    team = application.requisition.team
    form = InterviewForm(request.POST or None, team=team, today=team.site.local_today())
    schedulable = selectors.can_schedule(roles_for(user), application)
    if request.method == "POST" and form.is_valid():
        try:
            services.schedule_interview(
                actor=user,
                application=application,
                title=form.cleaned_data["title"],
                starts_at=form.cleaned_data["starts_at"],
                duration_minutes=form.cleaned_data["duration_minutes"],
                location=form.cleaned_data["location"],
                interviewers=form.cleaned_data["people"],
            )
        except services.InterviewRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, "Interview scheduled; each interviewer has an invitation.")
            return redirect(selectors.application_url(application.pk))
    return render(
        request,
        "teams/interviews/form.html",
        {
            "form": form,
            "application": application,
            "team": team,
            "schedulable": schedulable,
            "back": selectors.application_url(application.pk),
        },
    )


@require_http_methods(["GET", "POST"])
def interview_edit(request: HttpRequest, interview_id: int) -> HttpResponse:
    user = authenticated_user(request)
    interview = get_interview_for_user(user, interview_id, for_change=True)
    team = interview.application.requisition.team
    form = InterviewForm(
        request.POST or None, team=team, today=team.site.local_today(), interview=interview
    )
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.update_interview(
                actor=user,
                interview=interview,
                title=form.cleaned_data["title"],
                starts_at=form.cleaned_data["starts_at"],
                duration_minutes=form.cleaned_data["duration_minutes"],
                location=form.cleaned_data["location"],
                sequence=form.cleaned_data.get("sequence"),
            )
        except services.InterviewRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(
                request,
                "Interview changed; each interviewer has the new invitation."
                if changed
                else "Nothing changed.",
            )
            return redirect(selectors.application_url(interview.application_id))
    return render(
        request,
        "teams/interviews/form.html",
        {
            "form": form,
            "interview": interview,
            "application": interview.application,
            "team": team,
            "schedulable": True,
            "back": selectors.application_url(interview.application_id),
        },
    )


@require_POST
def interview_cancel(request: HttpRequest, interview_id: int) -> HttpResponse:
    user = authenticated_user(request)
    interview = get_interview_for_user(user, interview_id, for_change=True)
    try:
        services.cancel_interview(actor=user, interview=interview)
    except services.InterviewRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, "Interview cancelled; its interviewers have been told.")
    return redirect(selectors.application_url(interview.application_id))


@require_GET
def interview_ics(request: HttpRequest, interview_id: int) -> HttpResponse:
    """The calling user's invitation: an interviewer's own, or (for the team's leads
    and ops admins) the whole panel's."""
    user = authenticated_user(request)
    interview = get_interview_for_user(user, interview_id)
    panel = list(interview.interviewers.order_by("scorecards__pk"))
    if any(person.pk == user.pk for person in panel):
        attendees = [user]
    elif roles_for(user).can_change_team(interview.application.requisition.team_id):
        attendees = panel
    else:
        deny(user, "interview-ics", interview_id, status=403)
        raise PermissionDenied("Only the interviewers and the team's lead get the invitation.")
    interview = Interview.objects.select_related(
        "application__candidate", "application__requisition__team__site", "created_by"
    ).get(pk=interview.pk)
    invitation = selectors.invitation_of(interview, attendees=attendees)
    response = HttpResponse(
        selectors.ics_of(invitation), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="interview-{interview.pk}.ics"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
def scorecard_edit(request: HttpRequest, scorecard_id: int) -> HttpResponse:
    user = authenticated_user(request)
    scorecard = get_own_scorecard(user, scorecard_id)
    interview = scorecard.interview
    application = interview.application
    competencies = list(application.requisition.competencies.all())
    scorecard = Scorecard.objects.prefetch_related(
        Prefetch("ratings", queryset=Rating.objects.select_related("competency"))
    ).get(pk=scorecard.pk)
    form = ScorecardForm(request.POST or None, competencies=competencies, scorecard=scorecard)
    if request.method == "POST":
        if scorecard.is_submitted:
            messages.info(request, "This scorecard was already submitted; nothing was changed.")
            return redirect("teams:scorecard-edit", scorecard_id=scorecard.pk)
        if form.is_valid():
            try:
                services.save_scorecard(
                    actor=user,
                    scorecard=scorecard,
                    ratings=form.ratings(),
                    recommendation=form.cleaned_data["recommendation"],
                    summary=form.cleaned_data["summary"],
                    submit=form.submitting,
                )
            except services.ScorecardRefused as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(
                    request,
                    "Scorecard submitted: you can now read the others' scorecards."
                    if form.submitting
                    else "Draft saved: only you can see it.",
                )
                if form.submitting:
                    return redirect(selectors.application_url(application.pk))
                return redirect("teams:scorecard-edit", scorecard_id=scorecard.pk)
    zone = application.requisition.team.site.zone
    return render(
        request,
        "teams/interviews/scorecard.html",
        {
            "form": form,
            "scorecard": scorecard,
            "interview": interview,
            "application": application,
            "local_start": interview.starts_at.astimezone(zone),
            "zone_name": application.requisition.team.site.time_zone,
            "ratings": {r.competency_id: r for r in scorecard.ratings.all()},
            "competencies": competencies,
            "application_url": selectors.application_url(application.pk),
        },
    )


@require_GET
def my_interviews(request: HttpRequest) -> HttpResponse:
    user = authenticated_user(request)
    return render(request, "teams/interviews/mine.html", selectors.my_interviews(user))
