"""Writes for goals: setting one and checking in on it. History is recorded
through save() with the acting user."""

from django.core.exceptions import ValidationError
from django.db import transaction

from teams.models import User

from ..models import Goal, GoalCheckIn


def _audited(row: object, actor: User | None) -> None:
    row._history_user = actor  # type: ignore[attr-defined]


def create_goal(*, actor: User, goal: Goal) -> Goal:
    goal.created_by = actor
    goal.full_clean(exclude=["created_by"])
    _audited(goal, actor)
    goal.save()
    return goal


@transaction.atomic
def check_in_goal(
    *, actor: User, goal: Goal, value: float | None, status: str, note: str
) -> GoalCheckIn:
    """A manual update with a note. A KPI-linked goal keeps computing its value
    from the rollups, so only its status moves."""
    if not note.strip():
        raise ValidationError("A check-in needs a note.")
    row = Goal.objects.select_for_update().get(pk=goal.pk)
    if row.kpi_id is not None:
        value = None
    check_in = GoalCheckIn(goal=row, author=actor, value=value, status=status, note=note)
    _audited(check_in, actor)
    check_in.save()
    changed = row.status != status or (value is not None and row.current_value != value)
    if changed:
        row.status = status
        if value is not None:
            row.current_value = value
        _audited(row, actor)
        row.save()
        goal.status, goal.current_value = row.status, row.current_value
    return check_in
