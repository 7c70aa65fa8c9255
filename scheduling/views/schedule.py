"""The team's schedule grid (lead), its history, and the associate's own schedule."""

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import retarget

from teams.access import can_change_team, get_own_associate, get_team_for_user
from teams.dates import in_range
from teams.http import HtmxHttpRequest, authenticated_user
from teams.models import Associate, Team

from ..access import get_team_member
from ..forms import WEEK_FUTURE, WEEK_PAST, AssignForm, CellForm, WeekForm
from ..models import EntryKind, Queue, ScheduleEntry, monday_of
from ..selectors.activities import activities_of
from ..selectors.calendar import days_from, feed_of, holidays_between, published_days
from ..selectors.capacity import capacity_days
from ..selectors.queue_plans import published_blocks
from ..selectors.schedule import (
    active_people,
    site_templates,
    templates_on,
    working_entry,
)
from ..selectors.schedule import schedule_grid as grid_of
from ..selectors.schedule import schedule_history as history_of
from ..selectors.swaps import swaps_of
from ..selectors.time_off import leave_balance, time_off_of
from ..services import schedule as services
from ..services.schedule import Change, ScheduleConflict
from .common import conflict_message


def _week_param(request: HttpRequest, team: Team) -> dt.date:
    """The week asked for, or this week if none is asked or it is not a date within
    the schedule's reach (e.g. ?week=0001-01-01)."""
    raw = request.GET.get("week") or request.POST.get("week")
    today = team.site.local_today()
    if raw:
        try:
            asked = dt.date.fromisoformat(raw)
        except ValueError:
            pass
        else:
            if in_range(asked, past=WEEK_PAST, future=WEEK_FUTURE, today=today):
                return monday_of(asked)
    return monday_of(today)


def _weeks_param(request: HttpRequest) -> int:
    return 4 if request.GET.get("weeks") == "4" else 1


def _grid_url(team: Team, monday: dt.date, weeks: int = 1) -> str:
    query = {"week": monday.isoformat()} | ({"weeks": str(weeks)} if weeks != 1 else {})
    return reverse("scheduling:schedule-grid", kwargs={"team_id": team.pk}) + "?" + urlencode(query)


def _grid_context(
    request: HttpRequest, team: Team, monday: dt.date, weeks: int
) -> dict[str, object]:
    user = authenticated_user(request)
    grid = grid_of(team, monday, weeks)
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
        rows.append((row.associate, cells, row.week_hours))
    # A row per day "needed by forecast / scheduled" once the team has queues.
    capacity = (
        capacity_days(team, grid.days) if Queue.objects.active().for_team(team).exists() else []
    )
    return {
        "team": team,
        "grid": grid,
        "rows": rows,
        "capacity": capacity,
        "week_changes": [(week, grid.week_has_changes(week.starts_on)) for week in grid.weeks],
        "monday": monday,
        "weeks": weeks,
        "today": team.site.local_today(),
        "previous": monday - dt.timedelta(days=7 * weeks),
        "next": monday + dt.timedelta(days=7 * weeks),
        "can_change": can_change_team(user, team.pk),
        "assign_form": AssignForm(team=team, days=grid.days, people=active_people(team)),
        "templates": list(site_templates(team)),
    }


@require_GET
def schedule_grid(request: HtmxHttpRequest, team_id: int) -> HttpResponse:
    team = get_team_for_user(authenticated_user(request), team_id)
    context = _grid_context(request, team, _week_param(request, team), _weeks_param(request))
    template = "scheduling/schedule/grid.html"
    return render(request, f"{template}#grid" if request.htmx else template, context)


def _cell_initial(current: ScheduleEntry | None) -> dict[str, object]:
    if current is None:
        return {}
    return {
        "assignment": f"t{current.template_id}"
        if current.template_id
        else ("custom" if current.is_shift else current.kind),
        "starts_at": current.starts_at,
        "ends_at": current.ends_at,
        "break_minutes": current.break_minutes,
        "note": current.note,
    }


def _cell_change(form: CellForm, associate: Associate, on: dt.date) -> Change:
    """What the cell form asks for, as one Change."""
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
    return Change(**{**change.__dict__, "note": form.cleaned_data["note"]})


@require_http_methods(["GET", "POST"])
def schedule_cell(
    request: HtmxHttpRequest, team_id: int, associate_id: int, day: str
) -> HttpResponse:
    user = authenticated_user(request)
    team = get_team_for_user(user, team_id, for_change=True)
    associate = get_team_member(user, team, associate_id)
    try:
        on = dt.date.fromisoformat(day)
    except ValueError:
        raise Http404("Not a date.") from None
    if not in_range(on, past=WEEK_PAST, future=WEEK_FUTURE, today=team.site.local_today()):
        raise Http404("That day is beyond the schedule's reach.")
    current = working_entry(associate, on)
    form = CellForm(
        request.POST or None, templates=templates_on(team, on), initial=_cell_initial(current)
    )
    monday, weeks = monday_of(on), _weeks_param(request)
    if request.method == "POST" and form.is_valid():
        if current is not None and current.kind in services.PROTECTED_KINDS:
            form.add_error(
                None,
                f"This day is {current.get_kind_display().lower()}; change it through its request.",
            )
        else:
            try:
                services.apply_changes(
                    actor=user, team=team, changes=[_cell_change(form, associate, on)]
                )
            except ScheduleConflict as error:
                for reason in error.reasons:
                    form.add_error(None, reason)
            else:
                if request.htmx:
                    context = _grid_context(request, team, monday, weeks) | {"clear_editor": True}
                    return render(request, "scheduling/schedule/grid.html#grid", context)
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
        response = render(request, "scheduling/schedule/cell.html#cell-editor", context)
        return retarget(response, "#cell-editor") if request.method == "POST" else response
    return render(request, "scheduling/schedule/cell.html", context)


@require_POST
def schedule_assign(request: HttpRequest, team_id: int) -> HttpResponse:
    user = authenticated_user(request)
    team = get_team_for_user(user, team_id, for_change=True)
    monday = _week_param(request, team)
    weeks = 4 if request.POST.get("weeks") == "4" else 1
    days = days_from(monday, 7 * weeks)
    form = AssignForm(request.POST, team=team, days=days, people=active_people(team))
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
        conflict_message(request, error, f"Assigning {template.name}")
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
        conflict_message(request, error, "Copying last week")
    else:
        messages.success(
            request,
            f"Copied the week of {source:%-d %b} into empty cells: {written} cells. Weekend "
            "shifts are not copied: the weekend rota plans them, each with its comp day.",
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
    return render(
        request,
        "scheduling/schedule/history.html",
        {"team": team, "monday": monday, "history": history_of(team, monday)},
    )


@require_GET
def my_schedule(request: HttpRequest) -> HttpResponse:
    associate = get_own_associate(request.user)
    today = associate.team.site.local_today()
    days = days_from(monday_of(today), 28)
    entries = published_days(associate, days[0], days[-1])
    holidays = holidays_between(associate.team, days[0], days[-1])
    booked = activities_of(associate, days[0], days[-1])
    blocks = published_blocks(associate, days[0], days[-1])
    feed = feed_of(associate)
    return render(
        request,
        "scheduling/schedule/my_schedule.html",
        {
            "associate": associate,
            "today": today,
            "today_entry": entries.get(today),
            "today_activities": booked.get(today, []),
            "today_blocks": blocks.get(today, []),
            "weeks": [
                [
                    (d, entries.get(d), holidays.get(d), booked.get(d, []), blocks.get(d, []))
                    for d in days[i : i + 7]
                ]
                for i in range(0, 28, 7)
            ],
            "requests": time_off_of(associate),
            "balance": leave_balance(associate, today.year, today),
            "swaps": swaps_of(associate),
            "feed_url": request.build_absolute_uri(
                reverse("scheduling:calendar-feed", kwargs={"token": feed.token})
            )
            if feed
            else None,
        },
    )
