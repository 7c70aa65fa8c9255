"""The weekend rota: the lead generates, reviews and accepts it; associates state wishes."""

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from teams.access import can_change_team, get_own_associate, get_team_for_user
from teams.http import authenticated_user
from teams.models import Team
from teams.text import write_csv

from ..access import get_proposal_for_team
from ..forms import RotaGenerateForm, RotaPreferenceForm, RotaSettingsForm, RotaWishForm
from ..models import monday_of
from ..selectors.comp_days import own_ledger, upcoming_duties, weekend_days_by_month
from ..selectors.rota import (
    explained_duties,
    fairness_rows,
    latest_proposal,
    preference_of,
    proposal_grid,
    wishes_of,
)
from ..services import rota as services
from ..services.schedule import ScheduleConflict
from .common import conflict_message, plain_errors

GENERATE_FIELDS = ("first_day", "weeks")


def _generate_form(request: HttpRequest, team: Team, today: dt.date) -> RotaGenerateForm:
    """The generate form: what the lead typed last (carried back in the query after a
    generate, refused or not), else the first unpublished Monday and 4 weeks."""
    typed = {name: request.GET[name] for name in GENERATE_FIELDS if name in request.GET}
    if typed:
        return RotaGenerateForm(typed)
    return RotaGenerateForm(
        initial={
            "first_day": services.first_unpublished_monday(
                team, monday_of(today) + dt.timedelta(days=7)
            ),
            "weeks": 4,
        }
    )


def _back_to_rota(request: HttpRequest, team: Team) -> HttpResponse:
    """Back to the rota page, keeping the generate form's inputs as typed."""
    typed = {name: request.POST.get(name, "")[:20] for name in GENERATE_FIELDS}
    url = reverse("scheduling:rota", kwargs={"team_id": team.pk})
    return redirect(url + "?" + urlencode(typed))


@require_GET
def rota(request: HttpRequest, team_id: int) -> HttpResponse:
    user = authenticated_user(request)
    team = get_team_for_user(user, team_id)
    proposal = latest_proposal(team)
    today = team.site.local_today()
    settings = services.settings_for(team)
    pool = services.pool_of(team, settings)
    return render(
        request,
        "scheduling/rota/rota.html",
        {
            "team": team,
            "proposal": proposal,
            "proposal_grid": proposal_grid(proposal),
            "fairness": fairness_rows(proposal),
            "explained": explained_duties(proposal),
            "upcoming": upcoming_duties(pool, today),
            "can_change": can_change_team(user, team.pk),
            "generate_form": _generate_form(request, team, today),
            "settings_form": RotaSettingsForm(instance=settings, team=team),
            "settings": settings,
            "skill_needs": list(settings.skill_needs.all()) if settings.pk else [],
            "pooled": pool[1:],
        },
    )


@require_POST
def rota_generate(request: HttpRequest, team_id: int) -> HttpResponse:
    user = authenticated_user(request)
    team = get_team_for_user(user, team_id, for_change=True)
    form = RotaGenerateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Nothing was generated: " + plain_errors(form))
        return _back_to_rota(request, team)
    first = form.cleaned_data["first_day"]
    last = first + dt.timedelta(days=7 * form.cleaned_data["weeks"] - 1)
    proposal = services.generate_rota(actor=user, team=team, first=first, last=last)
    if proposal.conflicts:
        messages.error(request, "The rota cannot meet every need: " + " ".join(proposal.conflicts))
    else:
        messages.success(
            request, f"Proposed {len(proposal.duties)} weekend duties. Review and accept below."
        )
    return _back_to_rota(request, team)


def _chosen_duties(values: list[str]) -> set[tuple[int, dt.date]]:
    """The "associate_id:YYYY-MM-DD" values of the accept form; ValueError names a bad one."""
    keys = set()
    for value in values:
        associate_id, _, day = value.partition(":")
        try:
            keys.add((int(associate_id), dt.date.fromisoformat(day)))
        except ValueError:
            raise ValueError(value) from None
    return keys


@require_POST
def rota_accept(request: HttpRequest, team_id: int, proposal_id: int) -> HttpResponse:
    user = authenticated_user(request)
    team = get_team_for_user(user, team_id, for_change=True)
    proposal = get_proposal_for_team(user, team, proposal_id)
    keys: set[tuple[int, dt.date]] | None = None
    if "all" not in request.POST:
        try:
            keys = _chosen_duties(request.POST.getlist("duty"))
        except ValueError as error:
            messages.error(request, f"Nothing was accepted: {error.args[0]!r} is not a duty.")
            return redirect("scheduling:rota", team_id=team.pk)
        if not keys:
            messages.error(request, "Choose the duties to accept, or accept all.")
            return redirect("scheduling:rota", team_id=team.pk)
    try:
        added = services.accept_rota(actor=user, proposal=proposal, keys=keys)
    except ScheduleConflict as error:
        conflict_message(request, error, "Accepting the rota")
    else:
        messages.success(
            request,
            f"Accepted {added} weekend duties with their comp days as draft schedule entries. "
            "Publish the weeks to tell people.",
        )
    return redirect("scheduling:rota", team_id=team.pk)


@require_POST
def rota_settings(request: HttpRequest, team_id: int) -> HttpResponse:
    user = authenticated_user(request)
    team = get_team_for_user(user, team_id, for_change=True)
    form = RotaSettingsForm(request.POST, instance=services.settings_for(team), team=team)
    if form.is_valid():
        form.save()
        messages.success(request, "Rota settings saved.")
    else:
        messages.error(
            request,
            "Settings not saved: "
            + "; ".join(f"{f}: {' '.join(str(m) for m in e)}" for f, e in form.errors.items()),
        )
    return redirect("scheduling:rota", team_id=team.pk)


@require_GET
def rota_payroll_csv(request: HttpRequest, team_id: int) -> HttpResponse:
    """Weekend days worked per month per associate, for payroll."""
    team = get_team_for_user(authenticated_user(request), team_id)
    rows = weekend_days_by_month(team, before=team.site.local_today())
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="weekend-days-{team.pk}.csv"'
    lines: list[list[object]] = [["month", "associate_id", "associate", "weekend_days_worked"]]
    for row in rows:
        name = f"{row['associate__user__first_name']} {row['associate__user__last_name']}".strip()
        lines.append([f"{row['month']:%Y-%m}", row["associate_id"], name, row["days"]])
    write_csv(response, lines)  # a name that reads as a formula is written as text
    return response


@require_GET
def my_rota(request: HttpRequest) -> HttpResponse:
    me = get_own_associate(request.user)
    today = me.team.site.local_today()
    ledger = own_ledger(me, today)
    return render(
        request,
        "scheduling/rota/my_rota.html",
        {
            "associate": me,
            "duties": [d for d in ledger.duties if d.on >= today],
            "balance": ledger.balance,
            "position": ledger.position,
            "team_size": ledger.team_size,
            "wishes": wishes_of(me, today),
            "wish_form": RotaWishForm(),
            "preference_form": RotaPreferenceForm(instance=preference_of(me)),
        },
    )


@require_POST
def my_rota_wish(request: HttpRequest) -> HttpResponse:
    me = get_own_associate(request.user)
    form = RotaWishForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Not saved: " + plain_errors(form))
        return redirect("scheduling:my-rota")
    on, kind = form.cleaned_data["on"], form.cleaned_data["kind"]
    if on < me.team.site.local_today():
        messages.error(request, "That day has passed.")
        return redirect("scheduling:my-rota")
    services.set_rota_wish(associate=me, on=on, kind=kind)
    if kind == "clear":
        messages.success(request, f"No preference for {on:%a %-d %b}.")
    else:
        messages.success(request, "Saved. The next rota your lead generates takes it into account.")
    return redirect("scheduling:my-rota")


@require_POST
def my_rota_preference(request: HttpRequest) -> HttpResponse:
    me = get_own_associate(request.user)
    form = RotaPreferenceForm(request.POST, instance=preference_of(me))
    if form.is_valid():
        form.save()
        messages.success(request, "Preferred weekday off saved.")
    else:
        messages.error(request, "Not saved: choose a weekday.")
    return redirect("scheduling:my-rota")
