import datetime as dt
import logging

import redis
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import PasswordChangeForm, PasswordResetForm, SetPasswordForm
from django.core.cache import caches
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import audit, data_export, selectors
from ..access import (
    can_change_team,
    changeable_teams,
    get_associate_for_export,
    get_associate_for_user,
    get_team_for_user,
    led_teams,
    overseen_teams,
    own_associate_id,
    roles_for,
    visible_teams,
)
from ..forms.roster import AssociateForm, RosterFilterForm, SkillLevelsForm
from ..http import HtmxHttpRequest, authenticated_user
from ..models import Associate, AssociateSkill, AuditEvent, Skill, Team
from ..selectors.training import targets_of
from ..services import roster as services

logger = logging.getLogger(__name__)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = authenticated_user(request)
    # The roster's roles go to the template and to the panels other apps add.
    roles = roles_for(user)
    panels = selectors.home_panels(user, roles)
    context: dict[str, object] = {
        "roles": roles,
        "panels": [p for p in panels if p.area != "mine"],
        "my_panels": [p for p in panels if p.area == "mine"],
    }

    if (my_id := own_associate_id(user)) is not None:
        me = (
            Associate.objects.with_roster_data()
            .select_related("team__site")
            .prefetch_related("team__leads")
            .get(pk=my_id)
        )
        today = me.team.site.local_today()
        monday = today - dt.timedelta(days=today.weekday())
        context["me"] = me
        days = [monday + dt.timedelta(days=n) for n in range(7)]
        labels = selectors.week_labels(me, days)
        context["my_week"] = [
            {
                "day": day,
                "is_today": day == today,
                "hours": me.team.site.opening_hours_on(day),
                "label": labels.get(day),
            }
            for day in days
        ]

    if led := list(selectors.teams_with_headcount(led_teams(user))):
        site_today = {team.pk: team.site.local_today() for team in led}
        active = list(
            Associate.objects.active().filter(team__in=led).select_related("user", "team")
        )
        # Thin coverage only of the skills each team needs (its coverage, weekend and
        # queue needs, its people's targets): not "Billing: 0 proficient" on a team
        # that has no Billing work.
        needed = selectors.needed_skills([team.pk for team in led])
        context["led_teams"] = [
            {
                "team": team,
                "local_now": team.site.local_now(),
                "needs_skills": bool(needed[team.pk]),
                "coverage": [
                    c
                    for c in (
                        selectors.skill_coverage(team, needed=needed[team.pk])
                        if needed[team.pk]
                        else []
                    )
                    if c.is_thin
                ],
            }
            for team in led
        ]
        context["new_joiners"] = selectors.new_joiners(active, today_by_team=site_today)

    if (overseen := overseen_teams(user)) is not None:
        context["managed_teams"] = selectors.teams_with_headcount(overseen)
    if roles.is_manager:
        # What waits for the manager, per team they manage (an ops admin's "all teams"
        # stays the plain table: hundreds of teams are not a to-do list).
        managed = list(
            Team.objects.filter(pk__in=roles.managed_team_ids)
            .select_related("site")
            .order_by("name")
        )
        columns = selectors.team_columns(user, roles, managed)
        context["needs_columns"] = columns
        context["needs_rows"] = selectors.needs_table(managed, columns)

    return render(request, "teams/home.html", context)


@require_GET
def team_list(request: HttpRequest) -> HttpResponse:
    teams = selectors.teams_with_headcount(visible_teams(authenticated_user(request)))
    return render(request, "teams/team_list.html", {"teams": teams})


@require_GET
def team_detail(request: HtmxHttpRequest, team_id: int) -> HttpResponse:
    user = authenticated_user(request)
    team = get_team_for_user(user, team_id)
    form = RosterFilterForm(request.GET or None)
    associates = list(form.filter(Associate.objects.for_team(team).with_roster_data()))
    skills = list(Skill.objects.all())
    context = {
        "team": team,
        "leads": list(team.leads.all()),
        "form": form,
        "associates": associates,
        "skills": skills,
        "matrix": selectors.skills_matrix(associates, skills, today=team.site.local_today()),
        "proficiency": AssociateSkill.Proficiency,
        "can_change": can_change_team(user, team.pk),
        "today": team.site.local_today(),
    }
    template = "teams/team_detail.html#roster" if request.htmx else "teams/team_detail.html"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
def associate_create(request: HttpRequest, team_id: int) -> HttpResponse:
    user = authenticated_user(request)
    team = get_team_for_user(user, team_id, for_change=True)
    form = AssociateForm(
        request.POST or None,
        teams=changeable_teams(user),
        initial={"team": team.pk, "hired_on": team.site.local_today()},
    )
    if request.method == "POST" and form.is_valid():
        associate = services.create_associate(actor=user, **form.cleaned_data)
        messages.success(
            request, f"{associate.name} was added to {associate.team} and invited by email."
        )
        return redirect("teams:associate-detail", associate_id=associate.pk)
    return render(request, "teams/associate_form.html", {"form": form, "team": team})


@require_GET
def associate_detail(request: HttpRequest, associate_id: int) -> HttpResponse:
    user = authenticated_user(request)
    associate = get_associate_for_user(user, associate_id)
    skill_levels = list(associate.skill_levels.select_related("skill"))
    # The targets not reached yet (a SkillTarget or an onboarding ramp target), beside
    # the level they are for; those of skills without a level listed after them.
    levels = {row.skill_id: row.level for row in skill_levels}
    targets = {
        skill_id: target
        for (_, skill_id), target in targets_of([associate.pk]).items()
        if not target.is_reached(levels.get(skill_id))
    }
    for row in skill_levels:
        row.target = targets.pop(row.skill_id, None)  # type: ignore[attr-defined]
    context = {
        "associate": associate,
        "skill_levels": skill_levels,
        "unrated_targets": sorted(targets.values(), key=lambda t: (t.by, t.skill_name)),
        "can_change": can_change_team(user, associate.team_id),
        "is_self": associate.pk == own_associate_id(user),
        "today": associate.team.site.local_today(),
    }
    return render(request, "teams/associate_detail.html", context)


@require_http_methods(["GET", "POST"])
def associate_edit(request: HttpRequest, associate_id: int) -> HttpResponse:
    user = authenticated_user(request)
    associate = get_associate_for_user(user, associate_id, for_change=True)
    form = AssociateForm(request.POST or None, teams=changeable_teams(user), instance=associate)
    if request.method == "POST" and form.is_valid():
        services.update_associate(actor=user, associate=associate, **form.cleaned_data)
        messages.success(request, f"Saved {associate.name}.")
        return redirect("teams:associate-detail", associate_id=associate.pk)
    return render(
        request,
        "teams/associate_form.html",
        {"form": form, "team": associate.team, "associate": associate},
    )


@require_http_methods(["GET", "POST"])
def associate_skills(request: HttpRequest, associate_id: int) -> HttpResponse:
    user = authenticated_user(request)
    associate = get_associate_for_user(user, associate_id, for_change=True)
    current = dict(associate.skill_levels.values_list("skill_id", "level"))
    form = SkillLevelsForm(request.POST or None, skills=list(Skill.objects.all()), current=current)
    if request.method == "POST" and form.is_valid():
        changed = services.set_associate_skills(
            actor=user, associate=associate, levels=form.levels()
        )
        messages.success(
            request, f"Skills saved for {associate.name}." if changed else "No skills changed."
        )
        return redirect("teams:associate-detail", associate_id=associate.pk)
    return render(request, "teams/associate_skills.html", {"form": form, "associate": associate})


@require_GET
def associate_export(request: HttpRequest, associate_id: int) -> HttpResponse:
    """Everything held about one associate, as a .zip (a data-access request)."""
    user = authenticated_user(request)
    associate = get_associate_for_export(user, associate_id)
    archive = data_export.build_subject_export(associate=associate, actor=user)
    logger.info("data-access export of associate %s by %s", associate.pk, user.username)
    audit.record(
        action=AuditEvent.Action.DATA_EXPORTED,
        actor=user,
        target=associate,
        request=request,
        team=associate.team,
    )
    response = HttpResponse(archive, content_type="application/zip")
    response["Content-Disposition"] = (
        f'attachment; filename="{data_export.export_filename(associate)}"'
    )
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def associate_deactivate(request: HttpRequest, associate_id: int) -> HttpResponse:
    user = authenticated_user(request)
    associate = get_associate_for_user(user, associate_id, for_change=True)
    if associate.user_id == user.pk:
        messages.error(request, "You cannot deactivate your own record; ask your manager.")
    elif services.deactivate_associate(
        actor=user, associate=associate, left_on=associate.team.site.local_today()
    ):
        messages.success(request, f"{associate.name} is now inactive and can no longer log in.")
    else:
        messages.info(request, f"{associate.name} was already inactive.")
    return redirect("teams:associate-detail", associate_id=associate.pk)


@require_POST
def associate_reactivate(request: HttpRequest, associate_id: int) -> HttpResponse:
    user = authenticated_user(request)
    associate = get_associate_for_user(user, associate_id, for_change=True)
    if services.reactivate_associate(actor=user, associate=associate):
        messages.success(request, f"{associate.name} is active again.")
    else:
        messages.info(request, f"{associate.name} was already active.")
    return redirect("teams:associate-detail", associate_id=associate.pk)


def _broker_status() -> str:
    if settings.CELERY_BROKER_URL.startswith("memory://"):
        return "eager"  # the embedded demo: no broker, tasks run in-process
    client = redis.Redis.from_url(
        settings.CELERY_BROKER_URL, socket_connect_timeout=2, socket_timeout=2
    )
    try:
        client.ping()
    except redis.RedisError:
        return "unavailable"
    finally:
        client.close()
    return "ok"


def _database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return "unavailable"
    return "ok"


def _cache_status() -> str:
    ping = getattr(caches["default"], "ping", None)
    if ping is None:
        return "local"  # each process's own memory: nothing to reach
    return "ok" if ping() else "unavailable"


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Which part is up. The database and the broker are needed (503 without them);
    without the cache pages are still served from the database ("degraded")."""
    checks: dict[str, object] = {
        "database": _database_status(),
        "broker": _broker_status(),
        "cache": _cache_status(),
    }
    healthy = checks["database"] == "ok" and checks["broker"] in {"ok", "eager"}
    degraded = checks["cache"] == "unavailable"
    if checks["database"] == "ok":
        for part in selectors.health_reports():  # e.g. the KPI rollup backlog
            checks[part.name] = part.report
            degraded = degraded or part.degraded
    status = "unavailable" if not healthy else "degraded" if degraded else "ok"
    return JsonResponse({"status": status, **checks}, status=200 if healthy else 503)


# --- Accounts: the lockout page and a throttled password reset -----------------------


def locked_out(request: HttpRequest, response: object, credentials: object) -> HttpResponse:
    """What django-axes shows a locked-out login (AXES_LOCKOUT_CALLABLE)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes}
    return render(request, "registration/locked_out.html", context, status=429)


@login_not_required
@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    """Django's reset form, rate-limited per client and per address, with the e-mail
    sent from a task so that known and unknown addresses answer alike."""
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        client = request.META.get("REMOTE_ADDR") or "unknown"
        if not services.request_password_reset(email=form.cleaned_data["email"], client=client):
            context = {"form": form, "too_many": True}
            return render(request, "registration/password_reset_form.html", context, status=429)
        return redirect("password_reset_done")
    return render(request, "registration/password_reset_form.html", {"form": form})


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    """Django's "set a new password" page, audited: an invitation accepted (the user
    had no password yet) or a password reset done."""

    def form_valid(self, form: SetPasswordForm) -> HttpResponse:
        user = form.user
        invited = not user.has_usable_password()
        response = super().form_valid(form)
        action = (
            AuditEvent.Action.INVITATION_ACCEPTED
            if invited
            else AuditEvent.Action.PASSWORD_RESET_DONE
        )
        audit.record(action=action, actor=user, target=user, request=self.request)
        return response


class PasswordChange(auth_views.PasswordChangeView):
    """Django's password change page, audited."""

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        response = super().form_valid(form)
        user = form.user
        audit.record(
            action=AuditEvent.Action.PASSWORD_CHANGED, actor=user, target=user, request=self.request
        )
        return response
