"""Read-side queries for goals: progress from the KPI rollups (or the last
check-in) and the change history of a goal. Fixed query counts, whatever the
number of goals.

A KPI-linked goal's period is built from the daily rollups (`DailyKpi`) by the
KPI's aggregation, as the KPI dashboards add them up (`selectors.kpis.Sums`):
count and sum are the total over the period; ratio and mean exact; median and
p90 the average of the daily figures (labelled so).
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Q

from teams.history import Change, changes
from teams.models import Associate, Team

from ..models import DailyKpi, Goal, Kpi
from .kpis import NO_SUMS, PER_ASSOCIATE_DAY, ROW_SUMS, Sums, basis_label, fmt, is_fraction


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

    def _shown(self, value: float) -> str:
        """A KPI goal's figures read as the dashboards show that KPI (its decimals,
        a fraction as a percentage); a check-in goal's as typed."""
        kpi = self.goal.kpi
        if kpi is not None:
            text = fmt(kpi, value)
            return text if is_fraction(kpi) else f"{text} {self.goal.unit}".strip()
        return f"{f'{value:,.1f}'.removesuffix('.0')} {self.goal.unit}".strip()

    @property
    def display(self) -> str:
        if self.value is None:
            return "no data yet"
        return self._shown(self.value)

    @property
    def target_display(self) -> str:
        if self.goal.kpi is not None:
            return self._shown(float(self.goal.target_value))
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
        target = self.target_display.removesuffix(unit).strip() if unit else self.target_display
        return f"{self.display} (target {target})"

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


GOAL_AUDITED = {
    "title": "title",
    "status": "status",
    "current_value": "value",
    "target_value": "target",
    "starts_on": "start",
    "ends_on": "end",
}


def goals_of(associate: Associate) -> list[Goal]:
    """The associate's own goals and their current team's."""
    return list(Goal.objects.for_associate(associate).select_related("kpi", "team"))


def team_goals(team: Team) -> list[Goal]:
    """The team's goals and those of every active associate on it."""
    return list(
        Goal.objects.filter(Q(team=team) | Q(associate__team=team, associate__is_active=True))
        .select_related("kpi", "team", "associate__user")
        .order_by("associate__user__first_name", "ends_on", "title")
    )


HISTORY_ROWS = 15


def goal_changes(goal: Goal) -> list[Change]:
    """The goal's last changes, newest first, for the history table."""
    records = list(
        goal.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : HISTORY_ROWS + 1
        ]
    )
    return changes(records, GOAL_AUDITED, limit=HISTORY_ROWS)
