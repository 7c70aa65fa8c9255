"""Training pages: an associate's training plan (theirs to tick, the lead's to run,
the manager's to read), a team's overview, modules and certifications for leads."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ..access import (
    assignable_modules,
    can_change_team,
    get_assignment_for_user,
    get_associate_for_user,
    get_certification_for_user,
    get_module_for_user,
    get_team_for_user,
    roles_for,
)
from ..forms.training import AssignForm, CertificationForm, ModuleForm, SkillTargetForm
from ..http import authenticated_user
from ..models import Associate
from ..selectors import training as selectors
from ..services import training as services


def _plan_context(
    request: HttpRequest,
    associate: Associate,
    *,
    assign_form: AssignForm | None = None,
    target_form: SkillTargetForm | None = None,
) -> dict[str, object]:
    user = authenticated_user(request)
    today = associate.team.site.local_today()
    can_run = can_change_team(user, associate.team_id)
    roles = roles_for(user)
    return {
        "associate": associate,
        "plan": selectors.training_plan(associate, today=today),
        "today": today,
        "can_run": can_run,
        "can_tick": can_run or associate.pk == roles.associate_id,
        "assign_form": assign_form
        or AssignForm(modules=assignable_modules(associate.team), today=today),
        "target_form": target_form or SkillTargetForm(today=today),
    }


@require_http_methods(["GET", "POST"])
def associate_training(request: HttpRequest, associate_id: int) -> HttpResponse:
    """The plan; a POST (the lead's) puts a module on it."""
    user = authenticated_user(request)
    associate = get_associate_for_user(user, associate_id, for_change=request.method == "POST")
    if request.method == "POST":
        today = associate.team.site.local_today()
        form = AssignForm(request.POST, modules=assignable_modules(associate.team), today=today)
        if form.is_valid():
            module = form.cleaned_data["module"]
            if services.assign_module(
                actor=user, associate=associate, module=module, due_on=form.cleaned_data["due_on"]
            ):
                messages.success(request, f"{module.title} is on {associate.name}'s plan.")
            else:
                messages.info(request, f"{module.title} was already on {associate.name}'s plan.")
            return redirect("teams:associate-training", associate_id=associate.pk)
        context = _plan_context(request, associate, assign_form=form)
        return render(request, "teams/training/plan.html", context)
    return render(request, "teams/training/plan.html", _plan_context(request, associate))


@require_POST
def assignment_done(request: HttpRequest, assignment_id: int) -> HttpResponse:
    user = authenticated_user(request)
    assignment = get_assignment_for_user(user, assignment_id, to_tick=True)
    if services.complete_assignment(actor=user, assignment=assignment):
        messages.success(request, f"{assignment.module.title} is done.")
    else:
        messages.info(request, f"{assignment.module.title} was already done.")
    return redirect("teams:associate-training", associate_id=assignment.associate_id)


@require_POST
def assignment_remove(request: HttpRequest, assignment_id: int) -> HttpResponse:
    user = authenticated_user(request)
    assignment = get_assignment_for_user(user, assignment_id, for_change=True)
    if services.remove_assignment(actor=user, assignment=assignment):
        messages.success(request, f"{assignment.module.title} was taken off the plan.")
    return redirect("teams:associate-training", associate_id=assignment.associate_id)


@require_POST
def skill_target_set(request: HttpRequest, associate_id: int) -> HttpResponse:
    user = authenticated_user(request)
    associate = get_associate_for_user(user, associate_id, for_change=True)
    form = SkillTargetForm(request.POST, today=associate.team.site.local_today())
    if not form.is_valid():
        context = _plan_context(request, associate, target_form=form)
        return render(request, "teams/training/plan.html", context)
    data = form.cleaned_data
    changed = services.set_skill_target(
        actor=user,
        associate=associate,
        skill=data["skill"],
        level=data["level"],
        by_date=data["by_date"],
    )
    messages.success(request, "Skill target saved." if changed else "No target changed.")
    return redirect("teams:associate-training", associate_id=associate.pk)


@require_GET
def team_training(request: HttpRequest, team_id: int) -> HttpResponse:
    user = authenticated_user(request)
    team = get_team_for_user(user, team_id)
    today = team.site.local_today()
    context = {
        "team": team,
        "today": today,
        "training": selectors.team_training(team, today=today),
        "can_change": can_change_team(user, team.pk),
        "is_admin": roles_for(user).is_admin,
        "warning_days": selectors.EXPIRY_WARNING_DAYS,
    }
    return render(request, "teams/training/team.html", context)


@require_http_methods(["GET", "POST"])
def module_create(request: HttpRequest, team_id: int) -> HttpResponse:
    user = authenticated_user(request)
    team = get_team_for_user(user, team_id, for_change=True)
    form = ModuleForm(request.POST or None, initial={"unit": "minutes", "is_active": True})
    if request.method == "POST" and form.is_valid():
        module = services.save_module(actor=user, team=team, **form.values())  # type: ignore[arg-type]
        messages.success(request, f"Module {module.title} added.")
        return redirect("teams:team-training", team_id=team.pk)
    return render(request, "teams/training/module_form.html", {"form": form, "team": team})


@require_http_methods(["GET", "POST"])
def module_edit(request: HttpRequest, module_id: int) -> HttpResponse:
    user = authenticated_user(request)
    module = get_module_for_user(user, module_id)
    form = ModuleForm(request.POST or None, initial=ModuleForm.initial_for(module))
    back = module.team
    if request.method == "POST" and form.is_valid():
        services.save_module(actor=user, team=module.team, module=module, **form.values())  # type: ignore[arg-type]
        messages.success(request, f"Module {form.cleaned_data['title']} saved.")
        if back is not None:
            return redirect("teams:team-training", team_id=back.pk)
        return redirect("teams:home")
    context = {"form": form, "team": back, "module": module}
    return render(request, "teams/training/module_form.html", context)


@require_http_methods(["GET", "POST"])
def certification_create(request: HttpRequest, associate_id: int) -> HttpResponse:
    user = authenticated_user(request)
    associate = get_associate_for_user(user, associate_id, for_change=True)
    return _certification_form(request, associate)


@require_http_methods(["GET", "POST"])
def certification_edit(request: HttpRequest, certification_id: int) -> HttpResponse:
    user = authenticated_user(request)
    certification = get_certification_for_user(user, certification_id)
    initial = {
        "skill": certification.skill_id,
        "certified_on": certification.certified_on,
        "expires_on": certification.expires_on,
    }
    return _certification_form(
        request, certification.associate, initial=initial, fixed_skill=certification.skill_id
    )


def _certification_form(
    request: HttpRequest,
    associate: Associate,
    *,
    initial: dict[str, object] | None = None,
    fixed_skill: int | None = None,
) -> HttpResponse:
    user = authenticated_user(request)
    today = associate.team.site.local_today()
    data = request.POST.copy() if request.method == "POST" else None
    if data is not None and fixed_skill is not None:
        data["skill"] = str(fixed_skill)  # editing renews that skill's, never another's
    form = CertificationForm(data, today=today, initial=initial or {})
    if fixed_skill is not None:
        form.fields["skill"].disabled = True
    if request.method == "POST" and form.is_valid():
        certification, changed = services.record_certification(
            actor=user, associate=associate, **form.cleaned_data
        )
        messages.success(
            request,
            f"{certification.skill.name} certified until {certification.expires_on:%-d %b %Y}."
            if changed
            else "Nothing changed.",
        )
        return redirect("teams:associate-training", associate_id=associate.pk)
    context = {"form": form, "associate": associate, "editing": fixed_skill is not None}
    return render(request, "teams/training/certification_form.html", context)
