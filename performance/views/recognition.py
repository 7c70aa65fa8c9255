"""Recognition pages: a team's kudos wall (shared peer kudos, newest first, with its
new joiners' welcome and the lead's welcome message) and an associate's own
birthday setting. Never cached (Cache-Control: no-store)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from teams.access import get_own_associate, roles_for
from teams.http import HtmxHttpRequest, authenticated_user

from .. import access
from ..forms.recognition import BirthdayForm, WelcomeForm
from ..models import BirthdayShare
from ..selectors import recognition as selectors
from ..services import recognition as services
from .common import plain_errors, refused

KUDOS_PER_PAGE = 20


@never_cache
@require_http_methods(["GET", "POST"])
def kudos_wall(request: HtmxHttpRequest, team_id: int) -> HttpResponse:
    user = authenticated_user(request)
    team = access.get_team_life_for_user(
        user, team_id, "kudos-wall", for_change=request.method == "POST"
    )
    today = team.site.local_today()
    people = selectors.team_people([team.pk])
    welcomes = selectors.welcomes(people, {team.pk: today})
    can_change = access.can_change_team(user, team.pk)
    form = WelcomeForm(
        request.POST if request.method == "POST" else None, joiners=[w.associate for w in welcomes]
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                services.welcome(
                    actor=user,
                    associate=form.cleaned_data["associate"],
                    message=form.cleaned_data["message"],
                )
            except ValidationError as error:
                refused(request, error)
            else:
                messages.success(request, "Welcome message posted on the wall.")
                return redirect("performance:kudos-wall", team_id=team.pk)
        else:
            messages.error(request, "Nothing was posted: " + plain_errors(form))
    page = Paginator(selectors.kudos_wall(team), KUDOS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "team": team,
        "page": page,
        "welcomes": welcomes,
        "form": form if can_change and welcomes else None,
        "tab": "kudos",
        "show_tabs": roles_for(user).can_see_team(team.pk),
    }
    template = "performance/recognition/kudos_wall.html"
    return render(request, f"{template}#kudos" if request.htmx else template, context)


@never_cache
@require_http_methods(["GET", "POST"])
def my_birthday(request: HttpRequest) -> HttpResponse:
    """Share my birthday (day and month) with my team, or stop sharing it."""
    user = authenticated_user(request)
    me = get_own_associate(user)
    share = BirthdayShare.objects.filter(associate=me).first()
    initial = {"share": share is not None, "month": share.month, "day": share.day} if share else {}
    form = BirthdayForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            try:
                if form.cleaned_data["share"]:
                    services.share_birthday(
                        actor=user,
                        associate=me,
                        month=form.cleaned_data["month"],
                        day=form.cleaned_data["day"],
                    )
                    messages.success(request, "Your team will see your birthday (never the year).")
                else:
                    services.stop_sharing_birthday(actor=user, associate=me)
                    messages.success(request, "Your birthday is not shared.")
            except ValidationError as error:
                refused(request, error)
            return redirect("performance:my-birthday")
        messages.error(request, "Nothing was saved: " + plain_errors(form))
    return render(
        request,
        "performance/recognition/my_birthday.html",
        {"associate": me, "form": form, "share": share},
    )
