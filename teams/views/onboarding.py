"""Onboarding pages: a team's template, a new joiner's plan (ticking items, the
buddy), and a lead's or manager's current new joiners."""

from typing import cast

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ..access import (
    deny,
    get_onboarding_item_for_user,
    get_onboarding_plan_for_user,
    get_team_for_user,
    roles_for,
)
from ..forms.onboarding import BaseTemplateFormSet, BuddyForm, ItemDoneForm, TemplateFormSet
from ..http import HtmxHttpRequest, authenticated_user
from ..selectors import onboarding as selectors
from ..services import onboarding as services


@require_http_methods(["GET", "POST"])
def onboarding_template(request: HttpRequest, team_id: int) -> HttpResponse:
    user = authenticated_user(request)
    team = get_team_for_user(user, team_id, for_change=request.method == "POST")
    can_change = roles_for(user).can_change_team(team.pk)
    template = services.template_for(team)
    items = list(template.items.all())
    initial = [
        {"title": i.title, "kind": i.kind, "owner_role": i.owner_role, "due_day": i.due_day}
        for i in items
    ]
    formset = cast(
        BaseTemplateFormSet,
        TemplateFormSet(request.POST or None, initial=initial, prefix="items"),
    )
    if request.method == "POST" and formset.is_valid():
        count = services.save_template(actor=user, team=team, items=formset.items())
        messages.success(
            request, f"Onboarding template saved: {count} item{'s' if count != 1 else ''}."
        )
        return redirect("teams:onboarding-template", team_id=team.pk)
    context = {
        "team": team,
        "template": template,
        "items": items,
        "formset": formset,
        "can_change": can_change,
    }
    return render(request, "teams/onboarding/template.html", context)


@require_http_methods(["GET", "POST"])
def onboarding_plan(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The plan; a POST names the buddy (leads)."""
    user = authenticated_user(request)
    plan = get_onboarding_plan_for_user(user, plan_id, for_change=request.method == "POST")
    roles = roles_for(user)
    can_change = roles.can_change_team(plan.associate.team_id)
    buddy_form = (
        BuddyForm(request.POST or None, plan=plan, initial={"buddy": plan.buddy_id})
        if can_change
        else None
    )
    if request.method == "POST" and buddy_form is not None and buddy_form.is_valid():
        buddy = buddy_form.cleaned_data["buddy"]
        try:
            changed = services.set_buddy(actor=user, plan=plan, buddy=buddy)
        except services.OnboardingRefused as refused:
            messages.error(request, str(refused))
        else:
            if not changed:
                messages.info(request, "The buddy is unchanged.")
            elif buddy is not None:
                messages.success(
                    request,
                    f"{buddy.name} is the buddy: they do the buddy's items and are reminded "
                    "by e-mail; they do not see this plan, so a lead ticks the items off "
                    "when told.",
                )
            else:
                messages.success(request, "No buddy now; the buddy's open items are back with you.")
        return redirect("teams:onboarding-plan", plan_id=plan.pk)
    context = selectors.plan_page(user=user, roles=roles, plan=plan) | {
        "buddy_form": buddy_form,
        "can_change": can_change,
        "is_self": plan.associate_id == roles.associate_id,
    }
    return render(request, "teams/onboarding/plan.html", context)


@require_POST
def onboarding_item_done(request: HtmxHttpRequest, item_id: int) -> HttpResponse:
    """Tick (done=1) or untick (done=0) an item: the state wanted, so a second
    click of the same form changes nothing."""
    user = authenticated_user(request)
    item = get_onboarding_item_for_user(user, item_id, for_change=True)
    form = ItemDoneForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("Say done=1 or done=0.")
    services.set_item_done(actor=user, item=item, done=form.cleaned_data["done"] == "1")
    plan = item.plan
    if request.htmx:
        roles = roles_for(user)
        today = plan.associate.team.site.local_today()
        context = {
            "row": selectors.item_row(user=user, roles=roles, plan=plan, item=item, today=today),
            "plan": plan,
        }
        return render(request, "teams/onboarding/_item.html", context)
    return redirect("teams:onboarding-plan", plan_id=plan.pk)


@require_GET
def onboarding_list(request: HttpRequest) -> HttpResponse:
    user = authenticated_user(request)
    roles = roles_for(user)
    if not roles.has_teams:
        deny(user, "onboarding-list", "-", status=404)
        raise Http404("New joiners are listed for leads and managers.")
    rows = selectors.current_joiners(user=user)
    return render(request, "teams/onboarding/list.html", {"rows": rows})
