"""Read-side queries for 1:1s, feedback and goals. Each runs a fixed number of
queries, whatever the length of an associate's history.

KPI figures come from the daily rollups (`DailyKpi`), never raw events, and are
added up as the KPI dashboards do (`kpi_selectors.Sums`), so both agree. A period
is built from the days by the KPI's aggregation:

- count and sum: the total over the period (goals); the context panel shows it per
  day with data, comparable with the KPI's per-day target;
- ratio: total numerator / total denominator (exact);
- mean: total numerator / total events (exact);
- median and p90: the average of the daily figures, an approximation the pages
  label as such ("avg of daily p90").
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, OuterRef, Q, Subquery

from teams.models import Associate
from teams.selectors import ScheduleEvent, schedule_events

from . import kpi_selectors
from .kpi_selectors import NO_SUMS, PER_ASSOCIATE_DAY, PERCENTILES, ROW_SUMS, Sums
from .models import (
    ActionItem,
    AgendaItem,
    DailyKpi,
    Feedback,
    Goal,
    Kpi,
    OneOnOne,
    OneOnOneCadence,
    PrivateNote,
)

DEFAULT_WINDOW_DAYS = 30  # context window when there is no earlier 1:1
RECENT_FEEDBACK = 5


# --- KPI periods from daily rollups ----------------------------------------------------


def basis_label(kpi: Kpi, *, per_day: bool) -> str:
    if kpi.aggregation in PER_ASSOCIATE_DAY:
        return "per day" if per_day else "total"
    if kpi.aggregation in PERCENTILES:
        return f"avg of daily {kpi.aggregation}"
    return ""


# --- 1:1 lists --------------------------------------------------------------------------


@dataclass(frozen=True)
class OneOnOneRow:
    associate: Associate
    cadence: OneOnOneCadence | None
    next_meeting: OneOnOne | None
    last_held_on: dt.date | None
    held_count: int  # in the last 90 days
    is_overdue: bool


def one_on_one_rows(
    associates: Sequence[Associate], today_by_team: Mapping[int, dt.date]
) -> list[OneOnOneRow]:
    """Cadence, next meeting, last held date and a 90-day count per associate; a
    1:1 is overdue once its site-local day has passed. Three queries whatever the
    team size or history."""
    ids = [a.pk for a in associates]
    today = min(today_by_team.values(), default=dt.date.today())  # for the 90-day count
    cadences = {c.associate_id: c for c in OneOnOneCadence.objects.filter(associate_id__in=ids)}
    scheduled = {
        m.associate_id: m
        for m in OneOnOne.objects.scheduled().filter(associate_id__in=ids).select_related("lead")
    }
    held: dict[int, dict[str, Any]] = {
        row["associate_id"]: dict(row)
        for row in OneOnOne.objects.held()
        .filter(associate_id__in=ids)
        .order_by()
        .values("associate_id")
        .annotate(
            last_on=Max("on"),
            recent=Count("pk", filter=Q(on__gte=today - dt.timedelta(days=90))),
        )
    }
    rows = []
    for associate in associates:
        meeting = scheduled.get(associate.pk)
        stats = held.get(associate.pk, {})
        rows.append(
            OneOnOneRow(
                associate=associate,
                cadence=cadences.get(associate.pk),
                next_meeting=meeting,
                last_held_on=stats.get("last_on"),
                held_count=stats.get("recent", 0),
                is_overdue=meeting is not None and meeting.on < today_by_team[associate.team_id],
            )
        )
    return rows


def overdue_one_on_ones(
    team_ids: Iterable[int], today_by_team: dict[int, dt.date]
) -> list[OneOnOne]:
    """Scheduled 1:1s whose site-local date has passed, oldest first. One query."""
    earliest = max(today_by_team.values(), default=dt.date.max)
    meetings = (
        OneOnOne.objects.scheduled()
        .filter(associate__team_id__in=list(team_ids), associate__is_active=True, on__lt=earliest)
        .select_related("associate__user", "associate__team")
        .order_by("on")
    )
    return [m for m in meetings if m.on < today_by_team[m.associate.team_id]]


# --- The 1:1 page --------------------------------------------------------------------


def previous_meeting(one_on_one: OneOnOne) -> OneOnOne | None:
    return (
        OneOnOne.objects.held()
        .filter(associate_id=one_on_one.associate_id, starts_at__lt=one_on_one.starts_at)
        .exclude(pk=one_on_one.pk)
        .order_by("-starts_at")
        .first()
    )


def action_items_for(one_on_one: OneOnOne, previous: OneOnOne | None) -> list[ActionItem]:
    """Raised in this 1:1, or raised earlier and open — or done since the previous
    1:1, so the lead sees what was closed. Open items carry over until done."""
    carried = Q(raised_in__starts_at__lt=one_on_one.starts_at) & (
        Q(done_at__isnull=True)
        | (Q(done_at__gte=previous.starts_at) if previous is not None else Q())
    )
    return list(
        ActionItem.objects.filter(associate_id=one_on_one.associate_id)
        .filter(Q(raised_in=one_on_one) | carried)
        .select_related("owner", "raised_in")
        .order_by("done_at", "due_on", "pk")
    )


@dataclass(frozen=True)
class KpiLine:
    kpi: Kpi
    value: float | None
    before: float | None  # the same-length window just before

    @property
    def display(self) -> str:
        return kpi_selectors.fmt(self.kpi, self.value)

    @property
    def before_display(self) -> str:
        return kpi_selectors.fmt(self.kpi, self.before)

    @property
    def target_display(self) -> str:
        return kpi_selectors.fmt(self.kpi, self.kpi.target)

    @property
    def basis(self) -> str:
        return basis_label(self.kpi, per_day=True)

    @property
    def rag(self) -> str | None:
        return kpi_selectors.rag(self.kpi, self.value)

    @property
    def trend(self) -> str:
        """better / worse / same / "" (no comparison), in the KPI's direction."""
        if self.value is None or self.before is None:
            return ""
        if round(self.value - self.before, self.kpi.decimals + 1) == 0:
            return "same"
        higher = self.value > self.before
        return "better" if higher == (self.kpi.direction == Kpi.Direction.HIGHER) else "worse"


@dataclass(frozen=True)
class GoalProgress:
    goal: Goal
    value: float | None
    computed: bool  # from KPI rollups (True) or the last check-in (False)
    today: dt.date | None = None  # site-local; None: judge by the figures alone

    @property
    def percent(self) -> int | None:
        """How far to the target, 0–100, in the KPI's direction when linked."""
        if self.value is None or not self.goal.target_value:
            return None
        lower_is_better = (
            self.goal.kpi is not None and self.goal.kpi.direction == Kpi.Direction.LOWER
        )
        if lower_is_better:
            ratio = self.goal.target_value / self.value if self.value else 1.0
        else:
            ratio = self.value / self.goal.target_value
        return max(0, min(100, round(ratio * 100)))

    @property
    def is_met(self) -> bool:
        return self.percent == 100

    @property
    def status(self) -> str:
        """The status to show: the stored one (set by check-ins) unless the figures
        contradict it. A goal at its target reads as achieved, except a KPI level
        ("keep CSAT at 4.6") which is only achieved once its period is over; a
        KPI-linked goal short of its target is never "on track" (at risk within
        5% of it, or for totals when keeping pace; off track otherwise); over
        once its period ended short of the target, it is missed. A lead's more
        cautious status (at risk, off track) stands while the figures allow it."""
        stored = self.goal.status
        settled = (Goal.Status.ACHIEVED, Goal.Status.MISSED, Goal.Status.DROPPED)
        if stored in settled or self.percent is None:
            return stored
        ended = self.today is not None and self.today > self.goal.ends_on
        kpi = self.goal.kpi
        if kpi is None:
            return Goal.Status.ACHIEVED if self.is_met else stored
        computed: str
        if self.is_met:
            if kpi.aggregation in PER_ASSOCIATE_DAY or ended:
                return Goal.Status.ACHIEVED
            computed = Goal.Status.ON_TRACK
        elif ended:
            return Goal.Status.MISSED
        elif kpi.aggregation in PER_ASSOCIATE_DAY:
            computed = self._pace_status()
        else:
            computed = Goal.Status.AT_RISK if self.percent >= 95 else Goal.Status.OFF_TRACK
        order = [Goal.Status.ON_TRACK, Goal.Status.AT_RISK, Goal.Status.OFF_TRACK]
        return max(computed, stored, key=lambda s: order.index(Goal.Status(s)))

    def _pace_status(self) -> str:
        """A total on its way (e.g. 10,000 tickets): on track while at least where
        a steady pace would have it, at risk within 80% of that, else off track."""
        if self.today is None or self.percent is None:
            return Goal.Status.AT_RISK
        days = (self.goal.ends_on - self.goal.starts_on).days + 1
        elapsed = min(days, max(1, (self.today - self.goal.starts_on).days + 1))
        expected = 100 * elapsed / days
        if self.percent >= expected:
            return Goal.Status.ON_TRACK
        return Goal.Status.AT_RISK if self.percent >= 0.8 * expected else Goal.Status.OFF_TRACK

    @property
    def status_display(self) -> str:
        return str(Goal.Status(self.status).label)

    @property
    def is_warning(self) -> bool:
        return self.status in (Goal.Status.AT_RISK, Goal.Status.OFF_TRACK, Goal.Status.MISSED)

    @property
    def display(self) -> str:
        if self.value is None:
            return "no data yet"
        decimals = self.goal.kpi.decimals if self.goal.kpi else 1
        text = f"{self.value:,.{decimals}f}".removesuffix(".0")
        return f"{text} {self.goal.unit}".strip()

    @property
    def target_display(self) -> str:
        return f"{self.goal.target_value:,g} {self.goal.unit}".strip()

    @property
    def summary(self) -> str:
        """e.g. "1 of 3 macros", "8,339 of 10,000 tickets", "4.83 / 5 (target 4.6)"."""
        if self.value is None:
            return f"no data yet (target {self.target_display})"
        unit = self.goal.unit
        if unit and not unit.startswith("/"):
            number = self.display.removesuffix(unit).strip()
            return f"{number} of {self.target_display}"
        return f"{self.display} (target {self.goal.target_value:,g})"

    @property
    def basis(self) -> str:
        return basis_label(self.goal.kpi, per_day=False) if self.goal.kpi else "check-in"


def goal_progress(goals: Sequence[Goal], today: dt.date) -> list[GoalProgress]:
    """Progress of each goal: KPI-linked goals from the rollups over their period up
    to `today`; others from their last check-in. At most two queries (associate and
    team rollups), whatever the number of goals."""
    linked = [g for g in goals if g.kpi_id is not None and g.starts_on <= today]
    sums: dict[int, Sums] = {}
    for scope, key in (("associate", "associate_id"), ("team", "team_id")):
        mine = [g for g in linked if getattr(g, key) is not None]
        if not mine:
            continue
        rows = DailyKpi.objects.filter(
            scope=scope,
            kpi_id__in={g.kpi_id for g in mine},
            **{f"{key}__in": {getattr(g, key) for g in mine}},
            day__gte=min(g.starts_on for g in mine),
            day__lte=min(max(g.ends_on for g in mine), today),
        ).values_list(key, "kpi_id", "day", *ROW_SUMS)
        by_owner: dict[tuple[int | None, int | None], list[tuple[dt.date, Sums]]] = defaultdict(
            list
        )
        for owner, kpi_id, day, *values in rows:
            by_owner[(owner, kpi_id)].append((day, Sums.of_row(values)))
        for goal in mine:
            last = min(goal.ends_on, today)
            for day, row in by_owner[(getattr(goal, key), goal.kpi_id)]:
                if goal.starts_on <= day <= last:
                    sums[goal.pk] = sums.get(goal.pk, NO_SUMS) + row
    result = []
    for goal in goals:
        if goal.kpi is not None:
            value = sums[goal.pk].period_total(goal.kpi) if goal.pk in sums else None
            result.append(GoalProgress(goal, value, computed=True, today=today))
        else:
            result.append(GoalProgress(goal, goal.current_value, computed=False, today=today))
    return result


@dataclass
class ContextPanel:
    since: dt.date
    until: dt.date
    kpis: list[KpiLine] = field(default_factory=list)
    events: list[ScheduleEvent] = field(default_factory=list)
    open_items: list[ActionItem] = field(default_factory=list)
    feedback: list[Feedback] = field(default_factory=list)
    goals: list[GoalProgress] = field(default_factory=list)


def context_panel(
    one_on_one: OneOnOne, *, previous: OneOnOne | None, viewer_id: int, today: dt.date
) -> ContextPanel:
    """What prepares the lead: KPIs vs target since the last 1:1 (with the trend
    against the window before), schedule events in that window, open action
    items, recent feedback the viewer may read, and goal progress."""
    associate = one_on_one.associate
    until = min(one_on_one.on, today)
    since = previous.on if previous is not None else until - dt.timedelta(DEFAULT_WINDOW_DAYS)
    if since > until:
        since = until
    kpis = kpi_selectors.kpis()
    # The window and the same-length one before it, as the KPI dashboards build them.
    sums = kpi_selectors.period_sums(
        (DailyKpi.Scope.ASSOCIATE,),
        kpi_selectors.DateRange(since, until),
        "associate_id",
        associate_ids=[associate.pk],
    )
    lines = []
    for kpi in kpis:
        if (pair := sums.get((associate.pk, kpi.pk))) is not None:
            now, before = pair
            lines.append(KpiLine(kpi, now.value(kpi), before.value(kpi)))

    goals = list(
        Goal.objects.for_associate(associate)
        .filter(starts_on__lte=until, ends_on__gte=since)
        .exclude(status=Goal.Status.DROPPED)
        .select_related("kpi")
    )
    return ContextPanel(
        since=since,
        until=until,
        kpis=lines,
        events=schedule_events(associate, since, until),
        open_items=list(
            ActionItem.objects.open()
            .filter(associate=associate)
            .select_related("owner")
            .order_by("due_on", "pk")
        ),
        feedback=list(
            Feedback.objects.filter(associate=associate)
            .visible_to(viewer_id)
            .select_related("author", "kpi")[:RECENT_FEEDBACK]
        ),
        goals=goal_progress(goals, today),
    )


@dataclass(frozen=True)
class Change:
    """One audited save: who, when, and each changed field's before and after."""

    at: dt.datetime
    user: Any
    kind: str
    fields: list[tuple[str, str, str]]


def _shown(record: Any, name: str) -> object:
    """A field's value as the page shows it (choice labels, not keys)."""
    display = getattr(record, f"get_{name}_display", None)
    return display() if display is not None else getattr(record, name)


def changes(records: Sequence[Any], fields: dict[str, str], *, limit: int) -> list[Change]:
    """Changes between consecutive history records (newest first). `records` holds
    one more than `limit`, so the oldest shown row still has its "before"."""
    found = []
    for index, record in enumerate(records[:limit]):
        before = records[index + 1] if index + 1 < len(records) else None
        diffs = []
        for name, label in fields.items():
            new = _shown(record, name)
            old = _shown(before, name) if before is not None else None
            if before is None and new in ("", None):
                continue
            if before is None or old != new:
                diffs.append(
                    (label, "" if old is None else str(old), "" if new is None else str(new))
                )
        found.append(Change(record.history_date, record.history_user, record.history_type, diffs))
    return found


ONE_ON_ONE_AUDITED = {
    "status": "status",
    "on": "date",
    "kind": "type",
    "shared_notes": "shared notes",
    "aspirations": "aspirations",
    "strengths": "strengths",
    "growth_areas": "growth areas",
    "next_steps": "next steps",
    "target_role": "target role",
    "target_timeline": "timeline",
}
GOAL_AUDITED = {
    "title": "title",
    "status": "status",
    "current_value": "value",
    "target_value": "target",
    "starts_on": "start",
    "ends_on": "end",
}
HISTORY_ROWS = 15


def one_on_one_changes(one_on_one: OneOnOne) -> list[Change]:
    records = list(
        one_on_one.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : HISTORY_ROWS + 1
        ]
    )
    return changes(records, ONE_ON_ONE_AUDITED, limit=HISTORY_ROWS)


def goal_changes(goal: Goal) -> list[Change]:
    records = list(
        goal.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : HISTORY_ROWS + 1
        ]
    )
    return changes(records, GOAL_AUDITED, limit=HISTORY_ROWS)


def agenda_for(one_on_one: OneOnOne) -> list[AgendaItem]:
    return list(one_on_one.agenda_items.select_related("added_by"))


def private_note_for(one_on_one: OneOnOne, author_id: int) -> PrivateNote | None:
    """The viewer's own private note, never anyone else's."""
    return PrivateNote.objects.filter(one_on_one=one_on_one, author_id=author_id).first()


NOTE_FIELDS = ("shared_notes", "aspirations", "strengths", "growth_areas", "next_steps")


def held_meetings(associate: Associate, *, with_notes: bool = True) -> list[OneOnOne]:
    """Past 1:1s, newest first. A held one carries `held_on`, the site-local day it
    was marked held (which may be later than the day it was planned for). Without
    notes (for a manager), what was said is not even loaded."""
    zone = associate.team.site.zone
    found = OneOnOne.objects.for_associate(associate)
    if not with_notes:
        found = found.defer(*NOTE_FIELDS)
    meetings: list[OneOnOne] = list(
        found.exclude(status=OneOnOne.Status.SCHEDULED)
        .select_related("lead")
        .annotate(
            action_count=Subquery(
                ActionItem.objects.filter(raised_in=OuterRef("pk"))
                .order_by()
                .values("raised_in")
                .annotate(n=Count("pk"))
                .values("n")[:1]
            ),
        )
    )
    for meeting in meetings:
        meeting.held_on = (  # type: ignore[attr-defined]
            meeting.held_at.astimezone(zone).date() if meeting.held_at is not None else None
        )
    return meetings
