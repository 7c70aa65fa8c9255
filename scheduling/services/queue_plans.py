"""Queue plan writes: propose (the solver), change a cell by hand (kept by the next
proposal), publish (what associates see). Each runs under the team's lock."""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from teams import audit
from teams.models import Associate, AuditEvent, Team, User

from .. import queue_plan as solver
from ..models import Queue as QueueModel
from ..models import QueueAssignment, QueuePlan
from ..selectors.queue_plans import PlanDay, plan_day, problem_for
from .schedule import lock_team


class QueuePlanRefused(Exception):
    """A change the day does not allow; the message says why."""


@dataclass(frozen=True)
class Proposal:
    plan: QueuePlan
    unmet: int
    status: str


def _plan_for(team: Team, day: dt.date) -> QueuePlan:
    plan, _created = QueuePlan.objects.get_or_create(team=team, on=day)
    return plan


@transaction.atomic
def propose(*, actor: User, team: Team, day: dt.date) -> Proposal:
    """Assign everyone on shift to queues for the day. Cells the lead set by hand stay
    as they are; every other cell is replaced."""
    lock_team(team)
    plan = _plan_for(team, day)
    current = plan_day(team, day)
    if not current.people:
        raise QueuePlanRefused("Nobody is on shift that day: plan the schedule first.")
    if not current.queues:
        raise QueuePlanRefused("The team has no queues to plan.")
    result = solver.solve(problem_for(current))
    intervals = current.intervals
    QueueAssignment.objects.filter(plan=plan, pinned=False).delete()
    kept = {
        (cell.associate_id, cell.starts_at)
        for cell in QueueAssignment.objects.filter(plan=plan, pinned=True)
    }
    rows = [
        QueueAssignment(
            plan=plan, associate_id=person, starts_at=intervals[index].starts_at, queue_id=queue
        )
        for person, cells in result.assignment.items()
        for index, queue in cells.items()
        if (person, intervals[index].starts_at) not in kept
    ]
    QueueAssignment.objects.bulk_create(rows)
    now = timezone.now()
    plan.interval_minutes = (
        int((intervals[1].starts_at - intervals[0].starts_at).seconds // 60)
        if len(intervals) > 1
        else 30
    )
    plan.proposed_at = now
    plan.changed_at = now
    plan.proposal = {
        "status": result.status,
        "unmet": result.total_unmet,
        "gap_percent": round(result.gap_percent, 2),
        "switches": sum(result.switches.values()),
        "idle": result.idle,
        "levels": [[level.name, level.value, level.bound] for level in result.levels],
    }
    plan.save()
    return Proposal(plan, result.total_unmet, result.status)


@transaction.atomic
def set_cell(
    *,
    actor: User,
    team: Team,
    day: dt.date,
    associate: Associate,
    index: int,
    queue: QueueModel | None,
) -> QueueAssignment:
    """The lead puts one person on a queue (or off the queues) for one interval. Refused
    outside their shift, in a break or protected time, or on a queue they lack the skill
    for. The cell is pinned: a new proposal keeps it."""
    lock_team(team)
    current = plan_day(team, day)
    if not 0 <= index < len(current.intervals):
        raise QueuePlanRefused("That interval is not in the day's opening hours.")
    interval = current.intervals[index]
    person = next((p for p in current.people if p.associate.pk == associate.pk), None)
    if person is None:
        raise QueuePlanRefused(f"{associate.name} is not on shift that day.")
    if not person.available(interval):
        why = person.busy_with(interval) or "off shift"
        raise QueuePlanRefused(f"{associate.name} is not free at {interval.label} ({why}).")
    if queue is not None and (queue.team_id != team.pk or not person.can_work(queue)):
        raise QueuePlanRefused(f"{associate.name} is not at least capable in {queue.skill}.")
    plan = _plan_for(team, day)
    cell, _created = QueueAssignment.objects.update_or_create(
        plan=plan,
        associate=associate,
        starts_at=interval.starts_at,
        defaults={"queue": queue, "pinned": True},
    )
    plan.changed_at = timezone.now()
    plan.save(update_fields=["changed_at"])
    return cell


def blocks_of(current: PlanDay) -> dict[str, list[list[str]]]:
    """Each person's day as blocks of one queue: [[start ISO, end ISO, queue name]]."""
    names = {q.pk: q.name for q in current.queues}
    blocks: dict[str, list[list[str]]] = {}
    for person in current.people:
        runs: list[list[str]] = []
        last_queue, last_end = None, None
        for index, interval in enumerate(current.intervals):
            cell = current.cells.get((person.associate.pk, index))
            queue = cell.queue_id if cell is not None and person.available(interval) else None
            if queue is None:
                last_queue = None
                continue
            if queue == last_queue and last_end == interval.starts_at:
                runs[-1][1] = interval.ends_at.isoformat()
            else:
                runs.append(
                    [interval.starts_at.isoformat(), interval.ends_at.isoformat(), names[queue]]
                )
            last_queue, last_end = queue, interval.ends_at
        if runs:
            blocks[str(person.associate.pk)] = runs
    return blocks


@transaction.atomic
def publish(*, actor: User, team: Team, day: dt.date) -> QueuePlan:
    """What associates see of the day from now on. Publishing again with no change since
    writes nothing new (a double click)."""
    lock_team(team)
    plan = QueuePlan.objects.select_for_update().filter(team=team, on=day).first()
    if plan is None or (plan.proposed_at is None and not plan.assignments.exists()):
        raise QueuePlanRefused("Propose a plan first: there is nothing to publish.")
    if plan.published_at is not None and not plan.has_unpublished_changes:
        return plan
    plan.published_blocks = blocks_of(plan_day(team, day))
    plan.published_at = timezone.now()
    plan.published_by = actor
    plan.save()
    audit.record(
        action=AuditEvent.Action.QUEUE_PLAN_PUBLISHED,
        actor=actor,
        target=plan,
        team=team,
        details={"on": day.isoformat(), "people": len(plan.published_blocks)},
    )
    return plan
