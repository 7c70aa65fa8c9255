import csv
import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import retarget

from teams.access import get_associate_for_user, get_team_for_user, roles_for, visible_teams
from teams.http import HtmxHttpRequest, authenticated_user
from teams.models import Team

from . import calendar, rota_services, selectors, services
from .access import (
    get_comp_day_for_user,
    get_comp_day_request_for_user,
    get_own_associate,
    get_swap_for_user,
    get_team_member,
    get_time_off_for_user,
)
from .forms import (
    AssignForm,
    CellForm,
    CoverageRequirementForm,
    DecisionForm,
    RotaGenerateForm,
    RotaPreferenceForm,
    RotaSettingsForm,
    RotaWishForm,
    SwapForm,
    TimeOffForm,
    WeekForm,
)
from .models import (
    CalendarFeed,
    CompDayRequest,
    CoverageRequirement,
    EntryKind,
    PublishedEntry,
    RotaPreference,
    RotaProposal,
    RotaWish,
    ScheduleEntry,
    ShiftSwap,
    ShiftTemplate,
    TimeOffRequest,
    WeekendDuty,
    entry_label,
    monday_of,
)
from .services import Change, ScheduleConflict


def _week_param(request: HttpRequest, team: Team) -> dt.date:
    raw = request.GET.get("week") or request.POST.get("week")
    if raw:
        try:
            return monday_of(dt.date.fromisoformat(raw))
        except ValueError:
            pass
    return monday_of(team.site.local_today())


def _grid_url(team: Team, monday: dt.date, weeks: int = 1) -> str:
    query = {"week": monday.isoformat()} | ({"weeks": str(weeks)} if weeks != 1 else {})
    return reverse("scheduling:schedule-grid", kwargs={"team_id": team.pk}) + "?" + urlencode(query)


def _plain_errors(form: forms.BaseForm) -> str:
    """A form's errors as one plain sentence for a flash message."""
    return " ".join(str(message) for errors in form.errors.values() for message in errors)


def _conflict_message(request: HttpRequest, error: ScheduleConflict, what: str) -> None:
    messages.error(request, f"{what} was refused and nothing changed: " + " ".join(error.reasons))


def _grid_context(
    request: HttpRequest, team: Team, monday: dt.date, weeks: int
) -> dict[str, object]:
    user = authenticated_user(request)
    grid = selectors.schedule_grid(team, monday, weeks)
    people = team.associates.filter(is_active=True).select_related("user")
    suffix = "?weeks=4" if weeks == 4 else ""
    # One reverse() per person, not per cell: a 4-week grid has hundreds of cells.
    rows = []
    for row in grid.rows:
        base = reverse(
            "scheduling:schedule-cell",
            kwargs={"team_id": team.pk, "associate_id": row.associate.pk, "day": "DAY"},
        )
        cells = [
            (day, entry, base.replace("DAY", day.isoformat()) + suffix) for day, entry in row.cells
        ]
        rows.append((row.associate, cells))
    return {
        "team": team,
        "grid": grid,
        "rows": rows,
        "monday": monday,
        "weeks": weeks,
        "today": team.site.local_today(),
        "previous": monday - dt.timedelta(days=7 * weeks),
        "next": monday + dt.timedelta(days=7 * weeks),
        "can_change": roles_for(user).can_change_team(team.pk),
        "assign_form": AssignForm(team=team, days=grid.days, people=people),
        "templates": list(ShiftTemplate.objects.filter(site_id=team.site_id)),
    }


@require_GET
def schedule_grid(request: HtmxHttpRequest, team_id: int) -> HttpResponse:
    team = get_team_for_user(authenticated_user(request), team_id)
    weeks = 4 if request.GET.get("weeks") == "4" else 1
    context = _grid_context(request, team, _week_param(request, team), weeks)
    template = "scheduling/grid.html#grid" if request.htmx else "scheduling/grid.html"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
def schedule_cell(
    request: HtmxHttpRequest, team_id: int, associate_id: int, day: str
) -> HttpResponse:
    user = authenticated_user(request)
    team = get_team_for_user(user, team_id, for_change=True)
    associate = get_team_member(team, associate_id)
    try:
        on = dt.date.fromisoformat(day)
    except ValueError:
        raise Http404("Not a date.") from None
    templates = [t for t in ShiftTemplate.objects.filter(site_id=team.site_id) if t.applies_on(on)]
    current = ScheduleEntry.objects.filter(associate=associate, on=on).first()
    initial: dict[str, object] = {}
    if current is not None:
        initial = {
            "assignment": f"t{current.template_id}"
            if current.template_id
            else ("custom" if current.is_shift else current.kind),
            "starts_at": current.starts_at,
            "ends_at": current.ends_at,
            "break_minutes": current.break_minutes,
            "note": current.note,
        }
    form = CellForm(request.POST or None, templates=templates, initial=initial)
    monday = monday_of(on)
    weeks = 4 if request.GET.get("weeks") == "4" else 1
    if request.method == "POST" and form.is_valid():
        choice = form.cleaned_data["assignment"]
        template = form.template()
        if template is not None:
            change = Change.shift(associate, on, template)
        elif choice == "custom":
            change = Change(
                associate=associate,
                on=on,
                kind=EntryKind.SHIFT,
                starts_at=form.cleaned_data["starts_at"],
                ends_at=form.cleaned_data["ends_at"],
                break_minutes=form.cleaned_data["break_minutes"] or 0,
            )
        else:
            change = Change(associate=associate, on=on, kind=choice or None)
        change = Change(**{**change.__dict__, "note": form.cleaned_data["note"]})
        if current is not None and current.kind in services.PROTECTED_KINDS:
            form.add_error(
                None,
                f"This day is {current.get_kind_display().lower()}; change it through its request.",
            )
        else:
            try:
                services.apply_changes(actor=user, team=team, changes=[change])
            except ScheduleConflict as error:
                for reason in error.reasons:
                    form.add_error(None, reason)
            else:
                if request.htmx:
                    context = _grid_context(request, team, monday, weeks)
                    context["clear_editor"] = True
                    return render(request, "scheduling/grid.html#grid", context)
                messages.success(request, f"Saved {associate.name} on {on:%a %-d %b}.")
                return redirect(_grid_url(team, monday, weeks))
    context = {
        "team": team,
        "associate": associate,
        "on": on,
        "form": form,
        "current": current,
        "monday": monday,
        "weeks": weeks,
    }
    if request.htmx:
        response = render(request, "scheduling/cell.html#cell-editor", context)
        return retarget(response, "#cell-editor") if request.method == "POST" else response
    return render(request, "scheduling/cell.html", context)


@require_POST
def schedule_assign(request: HttpRequest, team_id: int) -> HttpResponse:
    user = authenticated_user(request)
    team = get_team_for_user(user, team_id, for_change=True)
    monday = _week_param(request, team)
    weeks = 4 if request.POST.get("weeks") == "4" else 1
    days = selectors.days_from(monday, 7 * weeks)
    people = team.associates.filter(is_active=True).select_related("user")
    form = AssignForm(request.POST, team=team, days=days, people=people)
    if not form.is_valid():
        messages.error(
            request, "Nothing was assigned: choose a shift, at least one person and one day."
        )
        return redirect(_grid_url(team, monday, weeks))
    template = form.cleaned_data["template"]
    chosen = form.chosen_days()
    associates = list(form.cleaned_data["associates"])
    try:
        written = services.assign_template(
            actor=user, team=team, associates=associates, days=chosen, template=template
        )
    except ScheduleConflict as error:
        _conflict_message(request, error, f"Assigning {template.name}")
    else:
        messages.success(
            request,
            f"{template.name} assigned: {len(associates)} "
            f"{'person' if len(associates) == 1 else 'people'} × {len(chosen)} "
            f"day{'' if len(chosen) == 1 else 's'} ({written} cells changed).",
        )
    return redirect(_grid_url(team, monday, weeks))


@require_POST
def schedule_copy(request: HttpRequest, team_id: int) -> HttpResponse:
    user = authenticated_user(request)
    team = get_team_for_user(user, team_id, for_change=True)
    form = WeekForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose the Monday of the week to fill.")
        return redirect(_grid_url(team, monday_of(team.site.local_today())))
    target = form.cleaned_data["week"]
    source = target - dt.timedelta(days=7)
    try:
        written = services.copy_week(
            actor=user, team=team, source_monday=source, target_monday=target
        )
    except ScheduleConflict as error:
        _conflict_message(request, error, "Copying last week")
    else:
        messages.success(
            request, f"Copied the week of {source:%-d %b} into empty cells: {written} cells."
        )
    return redirect(_grid_url(team, target))


@require_POST
def schedule_publish(request: HttpRequest, team_id: int) -> HttpResponse:
    user = authenticated_user(request)
    team = get_team_for_user(user, team_id, for_change=True)
    form = WeekForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose the Monday of the week to publish.")
        return redirect(_grid_url(team, monday_of(team.site.local_today())))
    monday = form.cleaned_data["week"]
    changed = services.publish_week(actor=user, team=team, monday=monday)
    messages.success(
        request,
        f"Published the week of {monday:%-d %b}. "
        + (
            f"{len(changed)} associate(s) notified by email."
            if changed
            else "Nobody's week changed."
        ),
    )
    return redirect(_grid_url(team, monday))


@require_GET
def schedule_history(request: HttpRequest, team_id: int) -> HttpResponse:
    team = get_team_for_user(authenticated_user(request), team_id)
    monday = _week_param(request, team)
    sunday = monday + dt.timedelta(days=6)
    records = list(
        ScheduleEntry.history.filter(associate__team=team, on__gte=monday, on__lte=sunday)
        .select_related("history_user", "associate__user", "template")
        .order_by("-history_date")[:200]
    )
    # Every version of the records shown, in one query, to find each one's "before".
    older = ScheduleEntry.history.filter(id__in={r.id for r in records}).order_by(
        "id", "history_date"
    )
    chains: dict[int, list[object]] = {}
    for row in older:
        chains.setdefault(row.id, []).append(row)
    changes = []
    for record in records:
        chain = chains.get(record.id, [])
        index = next(i for i, r in enumerate(chain) if r.history_id == record.history_id)  # type: ignore[attr-defined]
        before = chain[index - 1] if index > 0 else None
        changes.append(
            {
                "record": record,
                "after": "removed" if record.history_type == "-" else entry_label(record),
                "before": entry_label(before) if before is not None else None,
            }
        )
    return render(
        request,
        "scheduling/history.html",
        {"team": team, "monday": monday, "changes": changes},
    )


@require_http_methods(["GET", "POST"])
def coverage_requirements(request: HttpRequest, team_id: int) -> HttpResponse:
    user = authenticated_user(request)
    team = get_team_for_user(user, team_id, for_change=request.method == "POST")
    can_change = roles_for(user).can_change_team(team.pk)
    form = CoverageRequirementForm(request.POST or None, team=team)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Requirement added.")
        return redirect("scheduling:coverage-requirements", team_id=team.pk)
    requirements = CoverageRequirement.objects.filter(team=team).select_related("template", "skill")
    return render(
        request,
        "scheduling/coverage_requirements.html",
        {"team": team, "form": form, "requirements": requirements, "can_change": can_change},
    )


@require_POST
def coverage_requirement_delete(
    request: HttpRequest, team_id: int, requirement_id: int
) -> HttpResponse:
    team = get_team_for_user(authenticated_user(request), team_id, for_change=True)
    deleted, _ = CoverageRequirement.objects.filter(team=team, pk=requirement_id).delete()
    if not deleted:
        raise Http404("No such requirement.")
    messages.success(request, "Requirement removed.")
    return redirect("scheduling:coverage-requirements", team_id=team.pk)


# --- Time off --------------------------------------------------------------------


@require_GET
def timeoff_queue(request: HttpRequest, team_id: int) -> HttpResponse:
    user = authenticated_user(request)
    team = get_team_for_user(user, team_id)
    pending = list(
        TimeOffRequest.objects.filter(
            associate__team=team, status=TimeOffRequest.Status.PENDING
        ).select_related("associate__user", "associate__team__site")
    )
    impacts = services.time_off_impacts(team, pending)
    recent = (
        TimeOffRequest.objects.filter(associate__team=team)
        .exclude(status=TimeOffRequest.Status.PENDING)
        .select_related("associate__user", "decided_by")
        .order_by("-decided_at")[:20]
    )
    return render(
        request,
        "scheduling/timeoff_queue.html",
        {
            "team": team,
            "pending": [(r, impacts[r.pk]) for r in pending],
            "swaps": ShiftSwap.objects.filter(
                requester__team=team, status__in=ShiftSwap.OPEN
            ).select_related("requester__user", "partner__user"),
            "comp_requests": CompDayRequest.objects.filter(
                comp_day__associate__team=team, status=CompDayRequest.Status.PENDING
            ).select_related("comp_day__associate__user"),
            "recent": recent,
            "can_change": roles_for(user).can_change_team(team.pk),
        },
    )


def _after_decision(request: HttpRequest, time_off: TimeOffRequest) -> HttpResponse:
    if roles_for(request.user).can_change_team(time_off.associate.team_id):
        return redirect("scheduling:timeoff-queue", team_id=time_off.associate.team_id)
    return redirect("scheduling:my-schedule")


def _decide_time_off(request: HttpRequest, request_id: int, *, approve: bool) -> HttpResponse:
    user = authenticated_user(request)
    time_off = get_time_off_for_user(user, request_id, to_decide=True)
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    decide = services.approve_time_off if approve else services.deny_time_off
    doing, done = ("Approving", "Approved") if approve else ("Denying", "Denied")
    try:
        decide(actor=user, request=time_off, note=note)
    except ScheduleConflict as error:
        _conflict_message(request, error, f"{doing} {time_off.associate}'s time off")
    else:
        messages.success(request, f"{done} {time_off.associate}'s time off.")
    return _after_decision(request, time_off)


@require_POST
def timeoff_approve(request: HttpRequest, request_id: int) -> HttpResponse:
    return _decide_time_off(request, request_id, approve=True)


@require_POST
def timeoff_deny(request: HttpRequest, request_id: int) -> HttpResponse:
    return _decide_time_off(request, request_id, approve=False)


@require_POST
def timeoff_cancel(request: HttpRequest, request_id: int) -> HttpResponse:
    user = authenticated_user(request)
    time_off = get_time_off_for_user(user, request_id, to_cancel=True)
    services.cancel_time_off(actor=user, request=time_off)
    messages.success(request, "The time-off request is cancelled.")
    return _after_decision(request, time_off)


# --- The associate's own pages ------------------------------------------------------


@require_GET
def my_schedule(request: HttpRequest) -> HttpResponse:
    associate = get_own_associate(request.user)
    site = associate.team.site
    today = site.local_today()
    monday = monday_of(today)
    days = selectors.days_from(monday, 28)
    entries = {e.on: e for e in selectors.published_schedule(associate, days[0], days[-1])}
    holidays = selectors.holidays_between(associate.team, days[0], days[-1])
    feed = CalendarFeed.objects.filter(associate=associate).first()
    return render(
        request,
        "scheduling/my_schedule.html",
        {
            "associate": associate,
            "today": today,
            "today_entry": entries.get(today),
            "weeks": [
                [(d, entries.get(d), holidays.get(d)) for d in days[i : i + 7]]
                for i in range(0, 28, 7)
            ],
            "requests": TimeOffRequest.objects.filter(associate=associate).order_by("-first_day")[
                :20
            ],
            "balance": selectors.leave_balance(associate, today.year, today),
            "swaps": ShiftSwap.objects.filter(Q(requester=associate) | Q(partner=associate))
            .select_related("requester__user", "partner__user")
            .order_by("-created_at")[:20],
            "feed_url": request.build_absolute_uri(
                reverse("scheduling:calendar-feed", kwargs={"token": feed.token})
            )
            if feed
            else None,
        },
    )


@require_http_methods(["GET", "POST"])
def timeoff_request(request: HttpRequest) -> HttpResponse:
    user = authenticated_user(request)
    associate = get_own_associate(user)
    today = associate.team.site.local_today()
    form = TimeOffForm(request.POST or None, associate=associate, today=today)
    if request.method == "POST" and form.is_valid():
        services.request_time_off(actor=user, associate=associate, **form.cleaned_data)
        messages.success(request, "Your request is with your lead.")
        return redirect("scheduling:my-schedule")
    return render(request, "scheduling/timeoff_form.html", {"form": form, "associate": associate})


@require_POST
def calendar_rotate(request: HttpRequest) -> HttpResponse:
    associate = get_own_associate(request.user)
    services.rotate_calendar_feed(associate=associate)
    messages.success(request, "Your calendar link is ready. Any older link no longer works.")
    return redirect("scheduling:my-schedule")


@require_POST
def calendar_revoke(request: HttpRequest) -> HttpResponse:
    associate = get_own_associate(request.user)
    services.revoke_calendar_feed(associate=associate)
    messages.success(request, "Your calendar link is switched off.")
    return redirect("scheduling:my-schedule")


@login_not_required
@never_cache
@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    feed = (
        CalendarFeed.objects.select_related("associate__user", "associate__team__site")
        .filter(token=token, associate__is_active=True)
        .first()
    )
    if feed is None:
        raise Http404("No such calendar.")
    body = calendar.ics_for(feed.associate, host=request.get_host())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="sdc-ops-schedule.ics"'
    return response


# --- Managers ---------------------------------------------------------------------


@require_GET
def coverage_overview(request: HttpRequest) -> HttpResponse:
    user = authenticated_user(request)
    if not roles_for(user).has_teams:
        raise Http404("You do not lead or manage a team.")
    teams = list(visible_teams(user))
    rows = selectors.coverage_overview(teams, weeks=4)
    return render(request, "scheduling/coverage_overview.html", {"rows": rows})


# --- Shift swaps ------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def swap_propose(request: HttpRequest) -> HttpResponse:
    user = authenticated_user(request)
    me = get_own_associate(user)
    today = me.team.site.local_today()
    upcoming = (
        PublishedEntry.objects.filter(
            associate__team=me.team,
            associate__is_active=True,
            kind=EntryKind.SHIFT,
            on__gt=today,
            on__lte=today + dt.timedelta(days=42),
        )
        .select_related("associate__user")
        .order_by("on", "associate__user__first_name")
    )
    mine = [e for e in upcoming if e.associate_id == me.pk]
    theirs = [e for e in upcoming if e.associate_id != me.pk]
    form = SwapForm(request.POST or None, my_shifts=mine, their_shifts=theirs)
    if request.method == "POST" and form.is_valid():
        partner, partner_day = form.partner_and_day()
        try:
            services.propose_swap(
                actor=user,
                requester=me,
                requester_day=form.my_day(),
                partner=partner,
                partner_day=partner_day,
                note=form.cleaned_data["note"],
            )
        except ScheduleConflict as error:
            for reason in error.reasons:
                form.add_error(None, reason)
        else:
            messages.success(
                request, f"Swap offered to {partner}. They accept, then your lead approves."
            )
            return redirect("scheduling:my-schedule")
    return render(request, "scheduling/swap_form.html", {"form": form, "has_shifts": bool(mine)})


def _after_swap(request: HttpRequest, swap: ShiftSwap) -> HttpResponse:
    if roles_for(request.user).can_change_team(swap.requester.team_id):
        return redirect("scheduling:timeoff-queue", team_id=swap.requester.team_id)
    return redirect("scheduling:my-schedule")


@require_POST
def swap_respond(request: HttpRequest, swap_id: int) -> HttpResponse:
    user = authenticated_user(request)
    swap = get_swap_for_user(user, swap_id, action="respond")
    accept = request.POST.get("answer") == "accept"
    services.respond_to_swap(actor=user, swap=swap, accept=accept)
    messages.success(
        request,
        "You accepted the swap; your lead decides next." if accept else "You declined the swap.",
    )
    return _after_swap(request, swap)


@require_POST
def swap_approve(request: HttpRequest, swap_id: int) -> HttpResponse:
    user = authenticated_user(request)
    swap = get_swap_for_user(user, swap_id, action="decide")
    try:
        services.approve_swap(actor=user, swap=swap, note=request.POST.get("note", "")[:300])
    except ScheduleConflict as error:
        _conflict_message(request, error, "The swap")
    else:
        messages.success(request, f"Swap approved: {swap.requester} ⇄ {swap.partner}.")
    return _after_swap(request, swap)


@require_POST
def swap_deny(request: HttpRequest, swap_id: int) -> HttpResponse:
    user = authenticated_user(request)
    swap = get_swap_for_user(user, swap_id, action="decide")
    services.close_swap(
        actor=user,
        swap=swap,
        status=ShiftSwap.Status.DENIED,
        note=request.POST.get("note", "")[:300],
    )
    messages.success(request, "Swap denied.")
    return _after_swap(request, swap)


@require_POST
def swap_cancel(request: HttpRequest, swap_id: int) -> HttpResponse:
    user = authenticated_user(request)
    swap = get_swap_for_user(user, swap_id, action="cancel")
    services.close_swap(actor=user, swap=swap, status=ShiftSwap.Status.CANCELLED)
    messages.success(request, "Swap cancelled.")
    return _after_swap(request, swap)


# --- Weekend rota and comp-day ledger -----------------------------------------------------


def _proposal_grid(proposal: RotaProposal | None) -> dict[str, object]:
    """People x weekend days of a proposal, each cell marked new, kept or removed."""
    if proposal is None or proposal.conflicts:
        return {"days": [], "rows": []}
    first, last = proposal.first_day, proposal.last_day
    days = [
        first + dt.timedelta(days=n)
        for n in range((last - first).days + 1)
        if (first + dt.timedelta(days=n)).weekday() >= 5
    ]
    marks: dict[int, dict[str, str]] = {}
    names: dict[int, str] = {}
    for item in proposal.duties:
        names[item["associate_id"]] = item["name"]
        mark = "removed" if item.get("removed") else ("new" if item.get("is_new") else "kept")
        marks.setdefault(item["associate_id"], {})[item["on"]] = mark
    rows = [
        (names[pid], [marks[pid].get(d.isoformat(), "") for d in days])
        for pid in sorted(marks, key=lambda pid: names[pid])
    ]
    return {"days": days, "rows": rows}


@require_GET
def rota(request: HttpRequest, team_id: int) -> HttpResponse:
    user = authenticated_user(request)
    team = get_team_for_user(user, team_id)
    proposal = RotaProposal.objects.filter(team=team).first()
    today = team.site.local_today()
    next_monday = monday_of(today) + dt.timedelta(days=7)
    settings = rota_services.settings_for(team)
    fairness = sorted(
        (proposal.fairness or {}).values() if proposal else [],
        key=lambda row: (-row["total"], row["name"]),
    )
    pool = rota_services.pool_of(team, settings)
    upcoming = (
        WeekendDuty.objects.filter(associate__team__in=pool, on__gte=today)
        .select_related("associate__user", "comp_day")
        .order_by("on", "associate__user__first_name")[:60]
    )
    return render(
        request,
        "scheduling/rota.html",
        {
            "team": team,
            "proposal": proposal,
            "proposal_grid": _proposal_grid(proposal),
            "fairness": fairness,
            "explained": [
                d
                | {
                    "day": dt.date.fromisoformat(d["on"]),
                    "comp_day": dt.date.fromisoformat(d["comp_on"]),
                }
                for d in (proposal.duties if proposal else [])
                if not d.get("removed")
            ],
            "upcoming": upcoming,
            "can_change": roles_for(user).can_change_team(team.pk),
            "generate_form": RotaGenerateForm(initial={"first_day": next_monday, "weeks": 4}),
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
        messages.error(request, "Nothing was generated: " + _plain_errors(form))
        return redirect("scheduling:rota", team_id=team.pk)
    first = form.cleaned_data["first_day"]
    last = first + dt.timedelta(days=7 * form.cleaned_data["weeks"] - 1)
    proposal = rota_services.generate_rota(actor=user, team=team, first=first, last=last)
    if proposal.conflicts:
        messages.error(request, "The rota cannot meet every need: " + " ".join(proposal.conflicts))
    else:
        messages.success(
            request, f"Proposed {len(proposal.duties)} weekend duties. Review and accept below."
        )
    return redirect("scheduling:rota", team_id=team.pk)


@require_POST
def rota_accept(request: HttpRequest, team_id: int, proposal_id: int) -> HttpResponse:
    user = authenticated_user(request)
    team = get_team_for_user(user, team_id, for_change=True)
    proposal = RotaProposal.objects.filter(team=team, pk=proposal_id).first()
    if proposal is None:
        raise Http404("No such proposal.")
    keys: set[tuple[int, dt.date]] | None = None
    if "all" not in request.POST:
        keys = set()
        for value in request.POST.getlist("duty"):
            associate_id, _, day = value.partition(":")
            try:
                keys.add((int(associate_id), dt.date.fromisoformat(day)))
            except ValueError:
                messages.error(request, f"Nothing was accepted: {value!r} is not a duty.")
                return redirect("scheduling:rota", team_id=team.pk)
        if not keys:
            messages.error(request, "Choose the duties to accept, or accept all.")
            return redirect("scheduling:rota", team_id=team.pk)
    try:
        added = rota_services.accept_rota(actor=user, proposal=proposal, keys=keys)
    except ScheduleConflict as error:
        _conflict_message(request, error, "Accepting the rota")
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
    form = RotaSettingsForm(request.POST, instance=rota_services.settings_for(team), team=team)
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
    rows = (
        WeekendDuty.objects.filter(associate__team=team, on__lt=team.site.local_today())
        .annotate(month=TruncMonth("on"))
        .values(
            "month", "associate_id", "associate__user__first_name", "associate__user__last_name"
        )
        .annotate(days=Count("pk"))
        .order_by("month", "associate__user__last_name", "associate__user__first_name")
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="weekend-days-{team.pk}.csv"'
    writer = csv.writer(response)
    writer.writerow(["month", "associate_id", "associate", "weekend_days_worked"])
    for row in rows:
        name = f"{row['associate__user__first_name']} {row['associate__user__last_name']}".strip()
        writer.writerow([f"{row['month']:%Y-%m}", row["associate_id"], name, row["days"]])
    return response


@require_GET
def associate_ledger(request: HttpRequest, associate_id: int) -> HttpResponse:
    user = authenticated_user(request)
    associate = get_associate_for_user(user, associate_id)
    today = associate.team.site.local_today()
    duties = list(
        WeekendDuty.objects.filter(associate=associate).select_related("comp_day").order_by("-on")
    )
    if not roles_for(user).can_see_team(associate.team_id):
        duties = rota_services.as_seen_by_associate(associate, duties, today)
    return render(
        request,
        "scheduling/ledger.html",
        {
            "associate": associate,
            "duties": duties,
            "balance": rota_services.balance_of(duties, today),
            "today": today,
            "can_change": roles_for(user).can_change_team(associate.team_id),
        },
    )


@require_GET
def my_rota(request: HttpRequest) -> HttpResponse:
    me = get_own_associate(request.user)
    today = me.team.site.local_today()
    team_ids = list(me.team.associates.filter(is_active=True).values_list("pk", flat=True))
    balances = rota_services.balances(team_ids, today)
    # Position by weekend days already worked: drafts must not show through.
    counts = sorted(((b.worked, pid) for pid, b in balances.items()), key=lambda row: row[0])
    position = next(i for i, (_n, pid) in enumerate(counts, start=1) if pid == me.pk)
    mine = list(WeekendDuty.objects.filter(associate=me).select_related("comp_day").order_by("on"))
    visible = rota_services.as_seen_by_associate(me, mine, today)
    return render(
        request,
        "scheduling/my_rota.html",
        {
            "associate": me,
            "duties": [d for d in visible if d.on >= today],
            "balance": rota_services.balance_of(visible, today),
            "position": position,
            "team_size": len(counts),
            "wishes": RotaWish.objects.filter(associate=me, on__gte=today),
            "wish_form": RotaWishForm(),
            "preference_form": RotaPreferenceForm(
                instance=RotaPreference.objects.filter(associate=me).first()
                or RotaPreference(associate=me)
            ),
        },
    )


@require_POST
def my_rota_wish(request: HttpRequest) -> HttpResponse:
    me = get_own_associate(request.user)
    form = RotaWishForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Not saved: " + _plain_errors(form))
        return redirect("scheduling:my-rota")
    on, kind = form.cleaned_data["on"], form.cleaned_data["kind"]
    if on < me.team.site.local_today():
        messages.error(request, "That day has passed.")
    elif kind == "clear":
        RotaWish.objects.filter(associate=me, on=on).delete()
        messages.success(request, f"No preference for {on:%a %-d %b}.")
    else:
        RotaWish.objects.update_or_create(associate=me, on=on, defaults={"kind": kind})
        messages.success(request, "Saved. The next rota your lead generates takes it into account.")
    return redirect("scheduling:my-rota")


@require_POST
def my_rota_preference(request: HttpRequest) -> HttpResponse:
    me = get_own_associate(request.user)
    instance = RotaPreference.objects.filter(associate=me).first() or RotaPreference(associate=me)
    form = RotaPreferenceForm(request.POST, instance=instance)
    if form.is_valid():
        form.save()
        messages.success(request, "Preferred weekday off saved.")
    else:
        messages.error(request, "Not saved: choose a weekday.")
    return redirect("scheduling:my-rota")


def _comp_day_date(request: HttpRequest) -> dt.date | None:
    try:
        return dt.date.fromisoformat(request.POST.get("on", ""))
    except ValueError:
        messages.error(request, "Nothing changed: choose a date.")
        return None


@require_POST
def my_comp_day_request(request: HttpRequest, comp_day_id: int) -> HttpResponse:
    user = authenticated_user(request)
    comp = get_comp_day_for_user(user, comp_day_id)
    if comp.associate_id != roles_for(user).associate_id:
        raise PermissionDenied("Only the person who earned a comp day asks to move it.")
    wanted = _comp_day_date(request)
    if wanted is not None:
        if wanted.weekday() >= 5 or wanted <= comp.associate.team.site.local_today():
            messages.error(request, "Nothing changed: ask for a weekday after today.")
        elif wanted > comp.expires_on:
            messages.error(
                request, f"Nothing changed: this comp day expires on {comp.expires_on:%a %-d %b}."
            )
        else:
            # One open request per comp day: a new ask replaces the last one.
            comp.requests.filter(status=CompDayRequest.Status.PENDING).delete()
            CompDayRequest.objects.create(comp_day=comp, wanted_on=wanted)
            messages.success(request, f"Asked for {wanted:%A %-d %b} off; your lead decides.")
    return redirect("scheduling:my-rota")


@require_POST
def comp_day_schedule(request: HttpRequest, comp_day_id: int) -> HttpResponse:
    user = authenticated_user(request)
    comp = get_comp_day_for_user(user, comp_day_id, for_change=True)
    wanted = _comp_day_date(request)
    if wanted is not None:
        try:
            rota_services.move_comp_day(actor=user, comp_day=comp, to=wanted)
        except ScheduleConflict as error:
            _conflict_message(request, error, "Scheduling the comp day")
        else:
            messages.success(request, f"Comp day scheduled on {wanted:%A %-d %b}.")
    return redirect("scheduling:ledger", associate_id=comp.associate_id)


@require_POST
def comp_day_request_decide(request: HttpRequest, request_id: int, decision: str) -> HttpResponse:
    if decision not in {"approve", "deny"}:
        raise Http404("No such decision.")
    user = authenticated_user(request)
    ask = get_comp_day_request_for_user(user, request_id)
    try:
        rota_services.decide_comp_day_request(
            actor=user, request=ask, approve=decision == "approve"
        )
    except ScheduleConflict as error:
        _conflict_message(request, error, "Moving the comp day")
    else:
        messages.success(
            request,
            "Comp-day request approved." if decision == "approve" else "Comp-day request denied.",
        )
    return redirect("scheduling:timeoff-queue", team_id=ask.comp_day.associate.team_id)
