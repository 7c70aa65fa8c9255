"""The day's queue plan as the lead and an associate read it, and the solver's problem
built from the capacity day (who is free when, who may work what, what each queue needs).

Need here is agents on the queue (Erlang C or the workload), not heads on shift: the
people on the plan are the ones at work, with their breaks and protected time already
taken out, so the queue's shrinkage does not apply a second time.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings

from teams.models import Associate, AssociateSkill, Team

from .. import queue_plan as solver
from ..intervals import Interval
from ..models import Queue as QueueModel
from ..models import QueueAssignment, QueuePlan
from .capacity import CapacityDay, Person, capacity_days

PROPOSE_SECONDS = 5.0  # the solver's deterministic budget for one team's day


@dataclass(frozen=True)
class PlanCell:
    index: int
    interval: Interval
    state: str
    cell: QueueAssignment | None
    code: str = ""  # the cell's queue as the grid writes it ("PC"), "" for none
    tone: int = -1  # the queue's colour, -1 for none


def queue_codes(queues: list[QueueModel]) -> dict[int, str]:
    """Short labels for the grid: the initials of each queue's name ("Payments chat" ->
    "PC"), a digit added where two would share one."""
    codes: dict[int, str] = {}
    for queue in queues:
        words = [w for w in queue.name.replace("-", " ").split() if w]
        base = "".join(w[0] for w in words[:3]).upper() or "Q"
        code, n = base, 2
        while code in codes.values():
            code, n = f"{base}{n}", n + 1
        codes[queue.pk] = code
    return codes


@dataclass
class PlanDay:
    """Everything the queue plan page shows for one team-day."""

    team: Team
    day: dt.date
    capacity: CapacityDay
    plan: QueuePlan | None
    queues: list[QueueModel]
    required: dict[int, list[int]]  # queue id -> agents per interval
    cells: dict[tuple[int, int], QueueAssignment] = field(default_factory=dict)

    @property
    def intervals(self) -> list[Interval]:
        return self.capacity.intervals

    @property
    def people(self) -> list[Person]:
        return self.capacity.people

    def assigned(self) -> dict[int, list[int]]:
        counts = {q.pk: [0] * len(self.intervals) for q in self.queues}
        for (_person, index), cell in self.cells.items():
            if cell.queue_id in counts:
                counts[cell.queue_id][index] += 1
        return counts

    def unmet(self) -> list[tuple[QueueModel, Interval, int, int]]:
        """(queue, interval, needed, assigned) short of need, worst first."""
        assigned = self.assigned()
        short = []
        for queue in self.queues:
            for index, needed in enumerate(self.required[queue.pk]):
                have = assigned[queue.pk][index]
                if have < needed:
                    short.append((queue, self.intervals[index], needed, have))
        return sorted(short, key=lambda s: (-(s[2] - s[3]), s[1].starts_at, s[0].name))

    def rows(self) -> list[tuple[Person, list[tuple[QueueModel, str]], list[PlanCell]]]:
        """Per person: the queues they may work, and per interval a PlanCell whose state
        is "off" (not on shift), a break or activity label, or "free" (a cell to plan)."""
        result = []
        for person in self.people:
            cells = []
            for index, interval in enumerate(self.intervals):
                if not (
                    person.shift[0] <= interval.starts_at and interval.ends_at <= person.shift[1]
                ):
                    cells.append(PlanCell(index, interval, "off", None))
                    continue
                busy = person.busy_with(interval)
                if busy:
                    cells.append(PlanCell(index, interval, busy, None))
                    continue
                cell = self.cells.get((person.associate.pk, index))
                queue_id = cell.queue_id if cell is not None else None
                cells.append(
                    PlanCell(
                        index,
                        interval,
                        "free",
                        cell,
                        self.codes.get(queue_id, "") if queue_id else "",
                        self.tones.get(queue_id, -1) if queue_id else -1,
                    )
                )
            result.append((person, self.choices(person), cells))
        return result

    def choices(self, person: Person) -> list[tuple[QueueModel, str]]:
        return [(q, self.codes[q.pk]) for q in self.queues if person.can_work(q)]

    @property
    def codes(self) -> dict[int, str]:
        return queue_codes(self.queues)

    @property
    def tones(self) -> dict[int, int]:
        return {q.pk: i % 6 for i, q in enumerate(self.queues)}

    @property
    def legend(self) -> list[tuple[str, int, QueueModel]]:
        return [(self.codes[q.pk], self.tones[q.pk], q) for q in self.queues]


def _required(capacity: CapacityDay) -> dict[int, list[int]]:
    return {
        row.queue.pk: [cell.need.agents if cell.need else 0 for cell in row.cells]
        for row in capacity.rows
    }


def plan_day(team: Team, day: dt.date) -> PlanDay:
    (capacity,) = capacity_days(team, [day])
    plan = QueuePlan.objects.filter(team=team, on=day).first()
    queues = [row.queue for row in capacity.rows]
    result = PlanDay(team, day, capacity, plan, queues, _required(capacity))
    if plan is not None:
        index = {i.starts_at: n for n, i in enumerate(capacity.intervals)}
        for cell in QueueAssignment.objects.filter(plan=plan):
            if cell.starts_at in index:
                result.cells[(cell.associate_id, index[cell.starts_at])] = cell
    return result


def problem_for(plan_day: PlanDay, *, max_switches: int | None = None) -> solver.QueuePlanProblem:
    """The solver's input: each free interval of each person, the queues they are at
    least capable in (with their level), each queue's agents per interval, and the
    lead's pinned cells."""
    people = []
    for person in plan_day.people:
        available = frozenset(
            i for i, interval in enumerate(plan_day.intervals) if person.available(interval)
        )
        queues = {
            q.pk: min(person.skills.get(q.skill_id, 0), AssociateSkill.Proficiency.EXPERT)
            for q in plan_day.queues
            if person.can_work(q)
        }
        people.append(
            solver.Person(
                id=person.associate.pk,
                available=available,
                queues=queues,
                name=person.associate.name,
            )
        )
    free = {(p.id, i) for p in people for i in p.available}
    allowed = {p.id: set(p.queues) for p in people}
    pins: dict[tuple[int, int], int | None] = {}
    for (associate_id, index), cell in plan_day.cells.items():
        if not cell.pinned or (associate_id, index) not in free:
            continue  # a pin the day no longer allows (a new break, a 1:1) is dropped
        if cell.queue_id is None or cell.queue_id in allowed.get(associate_id, set()):
            pins[(associate_id, index)] = cell.queue_id
    return solver.QueuePlanProblem(
        intervals=len(plan_day.intervals),
        people=tuple(people),
        queues=tuple(
            solver.Queue(id=q.pk, required=tuple(plan_day.required[q.pk]), name=q.name)
            for q in plan_day.queues
        ),
        pins=pins,
        max_switches=settings.QUEUE_PLAN_MAX_SWITCHES if max_switches is None else max_switches,
        time_limit=PROPOSE_SECONDS,
    )


# --- what associates see -------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    starts_at: dt.datetime  # in the site's zone
    ends_at: dt.datetime
    queue: str

    @property
    def label(self) -> str:
        """ "07:00–11:00 Payments chat", in the site's wall-clock time."""
        return f"{self.starts_at:%H:%M}–{self.ends_at:%H:%M} {self.queue}"


def published_blocks(
    associate: Associate, first: dt.date, last: dt.date
) -> dict[dt.date, list[Block]]:
    """An associate's queue blocks from published plans of their team, by day. One query."""
    key = str(associate.pk)
    zone = associate.team.site.zone
    blocks: dict[dt.date, list[Block]] = defaultdict(list)
    for on, published in QueuePlan.objects.filter(
        team_id=associate.team_id, on__gte=first, on__lte=last, published_at__isnull=False
    ).values_list("on", "published_blocks"):
        for start, end, queue in published.get(key, []):
            blocks[on].append(
                Block(
                    dt.datetime.fromisoformat(start).astimezone(zone),
                    dt.datetime.fromisoformat(end).astimezone(zone),
                    queue,
                )
            )
    return dict(blocks)
