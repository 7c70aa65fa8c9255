"""The improvement board and the team's procedures (issue 16): access → form →
service → response. Every page works without JavaScript; supporting an idea
answers htmx with its button alone."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from teams.access import roles_for
from teams.http import HtmxHttpRequest, authenticated_user
from teams.models import User

from .. import access
from ..forms.improvements import DecisionForm, IdeaForm, ProcedureForm, SupportForm, TrialForm
from ..models import Idea, Procedure
from ..selectors import improvements as selectors
from ..selectors import procedures as procedure_selectors
from ..services import improvements as services
from ..services import procedures as procedure_services
from .common import plain_errors, refused

# --- The board --------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def improvement_board(request: HttpRequest, team_id: int) -> HttpResponse:
    """A team's ideas in four columns; anyone on the team (and its leads) posts one."""
    user = authenticated_user(request)
    team, found = access.get_board_team_for_user(user, team_id, to_post=request.method == "POST")
    form = IdeaForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            idea = services.post_idea(actor=user, team=team, **form.cleaned_data)
            messages.success(request, f"Idea #{idea.pk} is on the board.")
            return redirect("performance:improvement-board", team_id=team.pk)
        messages.error(request, "Nothing was posted: " + plain_errors(form))
    return render(
        request,
        "performance/improvements/board.html",
        {
            "team": team,
            "board": selectors.board(team, user),
            "form": form if found.can_post else None,
            "access": found,
        },
    )


def _idea_page(
    request: HttpRequest,
    idea: Idea,
    found: access.BoardAccess,
    *,
    trial_form: TrialForm | None = None,
    decision_form: DecisionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = authenticated_user(request)
    card = selectors.idea_card(idea, user)
    procedures = procedure_selectors.procedures_of(idea.team) if found.can_triage else []
    if found.can_triage and idea.status == Idea.Status.NEW and trial_form is None:
        trial_form = _trial_form(user, idea, None)
    if found.can_triage and idea.is_open and decision_form is None:
        decision_form = DecisionForm(procedures=procedures)
    return render(
        request,
        "performance/improvements/idea.html",
        {
            "idea": idea,
            "team": idea.team,
            "card": card,
            "access": found,
            "supporters": selectors.supporters(idea),
            "log": selectors.decision_log(idea),
            "procedures": idea.procedures.order_by("title"),
            # The before/during figures per group are the staff's (the team's KPIs are
            # its leads' and manager's); the team reads the sentence.
            "shows_figures": roles_for(user).can_see_team(idea.team_id),
            "trial_form": trial_form if found.can_triage else None,
            "decision_form": decision_form if found.can_triage and idea.is_open else None,
        },
        status=status,
    )


def _trial_form(user: User, idea: Idea, data: object) -> TrialForm:
    today = idea.team.site.local_today()
    return TrialForm(
        data,
        team=idea.team,
        comparison_teams=access.comparison_teams_for(user, idea.team),
        today=today,
        initial={"starts_on": today, "ends_on": today + dt.timedelta(days=27)},
    )


@require_GET
def idea_detail(request: HttpRequest, idea_id: int) -> HttpResponse:
    """An idea, its supporters, its trial and measured effect, and its decision log."""
    user = authenticated_user(request)
    idea, found = access.get_idea_for_user(user, idea_id)
    return _idea_page(request, idea, found)


@require_POST
def idea_support(request: HtmxHttpRequest, idea_id: int) -> HttpResponse:
    """Support an idea or take it back (the wanted state: a second click is harmless)."""
    user = authenticated_user(request)
    idea, _found = access.get_idea_for_user(user, idea_id, to_support=True)
    form = SupportForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            services.set_support(actor=user, idea=idea, supported=form.cleaned_data["supported"])
        except ValidationError as problem:
            error = " ".join(problem.messages)
    else:
        error = plain_errors(form)
    if request.htmx:
        card = selectors.idea_card(idea, user)
        return render(
            request,
            "performance/improvements/_support.html",
            {"card": card, "can_support": True, "support_error": error},
        )
    if error:
        messages.error(request, "Nothing was changed: " + error)
    if request.POST.get("back") == "board":
        return redirect("performance:improvement-board", team_id=idea.team_id)
    return redirect("performance:idea-detail", idea_id=idea.pk)


@require_POST
def idea_trial(request: HttpRequest, idea_id: int) -> HttpResponse:
    """The lead starts a new idea's trial: its period, pilot and comparison team."""
    user = authenticated_user(request)
    idea, found = access.get_idea_for_user(user, idea_id, to_triage=True)
    form = _trial_form(user, idea, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.start_trial(
                actor=user,
                idea=idea,
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                pilot=list(data["pilot"]),
                comparison_team=data["comparison_team"],
            )
        except ValidationError as error:
            refused(request, error)
        else:
            messages.success(request, f"Idea #{idea.pk} is on trial.")
        return redirect("performance:idea-detail", idea_id=idea.pk)
    messages.error(request, "The trial was not started: " + plain_errors(form))
    return _idea_page(request, idea, found, trial_form=form)


@require_POST
def idea_decide(request: HttpRequest, idea_id: int) -> HttpResponse:
    """The lead adopts or drops an idea with a note; adopting may go on to a procedure."""
    user = authenticated_user(request)
    idea, found = access.get_idea_for_user(user, idea_id, to_triage=True)
    procedures = procedure_selectors.procedures_of(idea.team)
    form = DecisionForm(request.POST, procedures=procedures)
    if not form.is_valid():
        messages.error(request, "Nothing was decided: " + plain_errors(form))
        return _idea_page(request, idea, found, decision_form=form)
    data = form.cleaned_data
    try:
        services.decide_idea(actor=user, idea=idea, outcome=data["outcome"], note=data["note"])
    except ValidationError as error:
        refused(request, error)
        return redirect("performance:idea-detail", idea_id=idea.pk)
    messages.success(request, f"Idea #{idea.pk} is {idea.get_status_display().lower()}.")
    target = data["procedure"]
    if idea.status == Idea.Status.ADOPTED and target == "new":
        return redirect(
            reverse("performance:procedure-create", args=[idea.team_id]) + f"?idea={idea.pk}"
        )
    if idea.status == Idea.Status.ADOPTED and target:
        return redirect(reverse("performance:procedure-edit", args=[target]) + f"?idea={idea.pk}")
    return redirect("performance:idea-detail", idea_id=idea.pk)


@require_GET
def improvement_list(request: HttpRequest) -> HttpResponse:
    """Every idea of the teams the user leads or manages, with its measured effect."""
    user = authenticated_user(request)
    teams = access.improvement_teams_for(user)
    status = request.GET.get("status", "")
    return render(
        request,
        "performance/improvements/list.html",
        {
            "cards": selectors.across_teams(teams, user, status=status),
            "status": status if status in Idea.Status.values else "",
            "statuses": Idea.Status.choices,
        },
    )


# --- Procedures -------------------------------------------------------------------------


@require_GET
def procedure_list(request: HttpRequest, team_id: int) -> HttpResponse:
    user = authenticated_user(request)
    team, found = access.get_board_team_for_user(user, team_id)
    return render(
        request,
        "performance/improvements/procedures.html",
        {"team": team, "procedures": procedure_selectors.procedures_of(team), "access": found},
    )


@require_GET
def procedure_detail(request: HttpRequest, procedure_id: int) -> HttpResponse:
    user = authenticated_user(request)
    procedure, found = access.get_procedure_for_user(user, procedure_id)
    versions = procedure_selectors.versions(procedure)
    return render(
        request,
        "performance/improvements/procedure.html",
        {
            "procedure": procedure,
            "team": procedure.team,
            "html": procedure_selectors.render_markdown(procedure.body),
            "latest": versions[0] if versions else None,
            "access": found,
        },
    )


def _idea_to_link(request: HttpRequest, user: User, team_id: int, raw: object) -> Idea | None:
    """The adopted idea a procedure edit comes from (?idea= or the form's field)."""
    try:
        idea_id = int(str(raw))
    except ValueError:
        return None
    if not 0 < idea_id < 2**31:
        return None
    try:
        idea, _found = access.get_idea_for_user(user, idea_id, to_triage=True)
    except (Http404, PermissionDenied):
        return None
    return idea if idea.team_id == team_id and idea.status == Idea.Status.ADOPTED else None


def _procedure_form_page(
    request: HttpRequest,
    *,
    user: User,
    team_id: int,
    procedure: Procedure | None,
) -> HttpResponse:
    team = (
        procedure.team
        if procedure
        else access.get_board_team_for_user(user, team_id, to_edit=True)[0]
    )
    idea = _idea_to_link(
        request, user, team.pk, request.POST.get("idea") or request.GET.get("idea", "")
    )
    latest = procedure_selectors.versions(procedure)[0] if procedure else None
    initial = {
        "title": procedure.title if procedure else "",
        "body": procedure.body if procedure else "",
        "why": f"Adopted from idea #{idea.pk}" if idea else "",
        "version": latest.record.history_id if latest else None,
        "idea": idea.pk if idea else None,
    }
    if idea and not procedure:
        initial["title"] = idea.proposal.splitlines()[0][:200] if idea.proposal else ""
        initial["body"] = f"## Why\n\n{idea.problem}\n\n## What we do\n\n{idea.proposal}\n"
    form = ProcedureForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = procedure_services.save_procedure(
                actor=user,
                team=team,
                procedure=procedure,
                title=data["title"],
                body=data["body"],
                why=data["why"],
                seen_version=data["version"],
                adopted_from_idea=idea,
            )
        except ValidationError as error:
            refused(request, error)
        else:
            messages.success(request, f"“{saved.title}” saved.")
            return redirect("performance:procedure-detail", procedure_id=saved.pk)
    elif request.method == "POST":
        messages.error(request, "Nothing was saved: " + plain_errors(form))
    return render(
        request,
        "performance/improvements/procedure_form.html",
        {"team": team, "procedure": procedure, "form": form, "idea": idea},
    )


@require_http_methods(["GET", "POST"])
def procedure_create(request: HttpRequest, team_id: int) -> HttpResponse:
    user = authenticated_user(request)
    return _procedure_form_page(request, user=user, team_id=team_id, procedure=None)


@require_http_methods(["GET", "POST"])
def procedure_edit(request: HttpRequest, procedure_id: int) -> HttpResponse:
    user = authenticated_user(request)
    procedure, _found = access.get_procedure_for_user(user, procedure_id, to_edit=True)
    return _procedure_form_page(request, user=user, team_id=procedure.team_id, procedure=procedure)


@require_GET
def procedure_versions(request: HttpRequest, procedure_id: int) -> HttpResponse:
    user = authenticated_user(request)
    procedure, found = access.get_procedure_for_user(user, procedure_id)
    return render(
        request,
        "performance/improvements/versions.html",
        {
            "procedure": procedure,
            "team": procedure.team,
            "versions": procedure_selectors.versions(procedure),
            "access": found,
        },
    )


@require_GET
def procedure_version(request: HttpRequest, procedure_id: int, version_id: int) -> HttpResponse:
    user = authenticated_user(request)
    procedure, found = access.get_procedure_for_user(user, procedure_id)
    version = procedure_selectors.version(procedure, version_id)
    if version is None:
        raise Http404("No such version.")
    return render(
        request,
        "performance/improvements/version.html",
        {
            "procedure": procedure,
            "team": procedure.team,
            "version": version,
            "html": procedure_selectors.render_markdown(version.record.body),
            "access": found,
        },
    )
