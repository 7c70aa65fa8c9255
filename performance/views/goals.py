"""Goal pages: an associate's goals, a team's, one goal with its check-ins and
change history. Never cached (Cache-Control: no-store)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from teams.access import get_associate_for_user, get_own_associate, get_team_for_user
from teams.http import authenticated_user

from .. import access
from ..forms.goals import CheckInForm, GoalForm
from ..selectors import goals as selectors
from ..services import goals as services
from .common import plain_errors, refused


@never_cache
@require_http_methods(["GET", "POST"])
def associate_goals(request: HttpRequest, associate_id: int) -> HttpResponse:
    user = authenticated_user(request)
    associate = (
        access.get_associate_to_lead(user, associate_id)
        if request.method == "POST"
        else get_associate_for_user(user, associate_id)
    )
    today = associate.team.site.local_today()
    form = GoalForm(request.POST or None, initial={"starts_on": today})
    if request.method == "POST":
        if form.is_valid():
            goal = form.save(commit=False)
            goal.associate = associate
            try:
                services.create_goal(actor=user, goal=goal)
            except ValidationError as error:
                refused(request, error)
            else:
                messages.success(request, f"Goal “{goal.title}” set for {associate.name}.")
                return redirect("performance:associate-goals", associate_id=associate.pk)
        else:
            messages.error(request, "Nothing was saved: " + plain_errors(form))
    goals = selectors.goals_of(associate)
    return render(
        request,
        "performance/goals/goals.html",
        {
            "associate": associate,
            "progress": selectors.goal_progress(goals, today),
            "form": form if access.leads(user, associate) else None,
            "is_self": access.is_self(user, associate),
        },
    )


@never_cache
@require_GET
def my_goals(request: HttpRequest) -> HttpResponse:
    user = authenticated_user(request)
    me = get_own_associate(user)
    today = me.team.site.local_today()
    goals = selectors.goals_of(me)
    return render(
        request,
        "performance/goals/goals.html",
        {
            "associate": me,
            "progress": selectors.goal_progress(goals, today),
            "form": None,
            "is_self": True,
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def team_goals(request: HttpRequest, team_id: int) -> HttpResponse:
    """The team's goals and every associate's, with progress; leads add team goals."""
    user = authenticated_user(request)
    team = get_team_for_user(user, team_id, for_change=request.method == "POST")
    today = team.site.local_today()
    form = GoalForm(request.POST or None, initial={"starts_on": today})
    if request.method == "POST":
        if form.is_valid():
            goal = form.save(commit=False)
            goal.team = team
            try:
                services.create_goal(actor=user, goal=goal)
            except ValidationError as error:
                refused(request, error)
            else:
                messages.success(request, f"Team goal “{goal.title}” set.")
                return redirect("performance:team-goals", team_id=team.pk)
        else:
            messages.error(request, "Nothing was saved: " + plain_errors(form))
    goals = selectors.team_goals(team)
    return render(
        request,
        "performance/goals/team_goals.html",
        {
            "team": team,
            "progress": selectors.goal_progress(goals, today),
            "form": form if access.can_change_team(user, team.pk) else None,
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def goal_detail(request: HttpRequest, goal_id: int) -> HttpResponse:
    """A goal's progress, check-ins and change history; leads check in here."""
    user = authenticated_user(request)
    goal = access.get_goal_for_user(user, goal_id, for_change=request.method == "POST")
    site = goal.associate.team.site if goal.associate else goal.team.site  # type: ignore[union-attr]
    today = site.local_today()
    form = CheckInForm(request.POST or None, initial={"status": goal.status})
    if request.method == "POST":
        if form.is_valid():
            try:
                services.check_in_goal(actor=user, goal=goal, **form.cleaned_data)
            except ValidationError as error:
                refused(request, error)
            else:
                messages.success(request, "Check-in saved.")
                return redirect("performance:goal-detail", goal_id=goal.pk)
        else:
            messages.error(request, "Nothing was saved: " + plain_errors(form))
    can_change = access.can_change_goal(user, goal)
    return render(
        request,
        "performance/goals/goal_detail.html",
        {
            "goal": goal,
            "progress": selectors.goal_progress([goal], today)[0],
            "check_ins": list(goal.check_ins.select_related("author")),
            "history": selectors.goal_changes(goal),
            "form": form if can_change else None,
        },
    )
