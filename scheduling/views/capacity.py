"""A team's day and week, scheduled against required: the heat-map of each queue's
intervals, the gaps worst first, the sentence behind every figure, protected time."""

import datetime as dt

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from teams.access import can_change_team, get_team_for_user
from teams.http import HtmxHttpRequest, authenticated_user

from ..models import monday_of
from ..selectors.capacity import CapacityDay, capacity_days
from .common import day_param

GAPS_SHOWN = 8


def _why(request: HttpRequest, day: CapacityDay) -> dict[str, object] | None:
    """The cell asked about with ?why=<queue id>:<interval index>, if it exists."""
    raw = request.GET.get("why", "")
    queue_id, _, index = raw.partition(":")
    if not (queue_id.isdigit() and index.isdigit()):
        return None
    row = next((r for r in day.rows if r.queue.pk == int(queue_id)), None)
    if row is None or int(index) >= len(row.cells):
        raise Http404("No such interval.")
    cell = row.cells[int(index)]
    busy = [
        (person, person.busy_with(cell.interval))
        for person in day.people
        if person.can_work(row.queue) and person.busy_with(cell.interval)
    ]
    return {"row": row, "cell": cell, "busy": busy}


@require_GET
def capacity_day(request: HtmxHttpRequest, team_id: int) -> HttpResponse:
    user = authenticated_user(request)
    team = get_team_for_user(user, team_id)
    day = day_param(request, team)
    (capacity,) = capacity_days(team, [day])
    why = _why(request, capacity)
    if request.htmx and why is not None:
        return render(request, "scheduling/capacity/day.html#why", {"why": why, "team": team})
    return render(
        request,
        "scheduling/capacity/day.html",
        {
            "team": team,
            "capacity": capacity,
            "day": day,
            "gaps": capacity.gaps[:GAPS_SHOWN],
            "gap_count": len(capacity.gaps),
            "why": why,
            "previous": day - dt.timedelta(days=1),
            "next": day + dt.timedelta(days=1),
            "today": team.site.local_today(),
            "can_change": can_change_team(user, team.pk),
        },
    )


@require_GET
def capacity_week(request: HttpRequest, team_id: int) -> HttpResponse:
    user = authenticated_user(request)
    team = get_team_for_user(user, team_id)
    monday = monday_of(day_param(request, team, "week"))
    days = capacity_days(team, [monday + dt.timedelta(days=i) for i in range(7)])
    labels = _week_labels(days)
    rows = []
    for day in days:
        by_label = {cell.interval.label: cell for cell in day.total}
        rows.append((day, [by_label.get(label) for label in labels]))
    return render(
        request,
        "scheduling/capacity/week.html",
        {
            "team": team,
            "monday": monday,
            "days": days,
            # Weekend days open later: their rows have empty cells so columns align by time.
            "labels": labels,
            "rows": rows,
            "previous": monday - dt.timedelta(days=7),
            "next": monday + dt.timedelta(days=7),
            "today": team.site.local_today(),
        },
    )


def _week_labels(days: list[CapacityDay]) -> list[str]:
    """Every interval label the week has, in time order (weekday and weekend hours differ)."""
    seen: dict[str, dt.time] = {}
    for day in days:
        for interval in day.intervals:
            seen.setdefault(interval.label, interval.local_time)
    return sorted(seen, key=lambda label: (seen[label], label))
