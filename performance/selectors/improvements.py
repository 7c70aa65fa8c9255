"""Reads of the improvement board: a team's columns, one idea with its measured
effect, and the manager's ideas across teams. Fixed queries whatever the number of
ideas: the effects of all ideas on a page come from two reads of the rollups.

The effect (`performance.effects`) compares each day's KPI figure as the dashboards
compute it: the team's own rollup row for a whole-team pilot and for the comparison
team; for named people their rows added up per day (count and sum per associate-day,
mean and ratio exact; a median or p90 of several people is the average of their
daily figures, as the rollups keep none for a group).

Windows: during = the trial's days up to yesterday (today is not over, its rollups
are partial); before = as many days as the whole trial lasts, just before it.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet

from teams.history import Change, changes
from teams.models import Associate, Team, User

from .. import effects
from ..models import DailyKpi, Idea, Kpi, Support, Trial
from . import kpis as sel

COLUMNS = [Idea.Status.NEW, Idea.Status.TRIAL, Idea.Status.ADOPTED, Idea.Status.DROPPED]


@dataclass(frozen=True)
class Windows:
    before: sel.DateRange
    during: sel.DateRange | None  # None: the trial has no finished day yet

    @classmethod
    def of(cls, trial: Trial, today: dt.date) -> "Windows":
        length = dt.timedelta(days=trial.days)
        before = sel.DateRange(trial.starts_on - length, trial.starts_on - dt.timedelta(days=1))
        last = min(trial.ends_on, today - dt.timedelta(days=1))
        return cls(
            before, sel.DateRange(trial.starts_on, last) if last >= trial.starts_on else None
        )


def _day(kpi: Kpi, sums: sel.Sums) -> effects.Day:
    """A day's rows as (numerator, denominator) of the KPI's period figure."""
    if kpi.aggregation in sel.PER_ASSOCIATE_DAY:
        return (sums.total, float(sums.heads))
    if kpi.aggregation == Kpi.Aggregation.MEAN:
        return (sums.numerator, float(sums.events))
    if kpi.aggregation == Kpi.Aggregation.RATIO:
        return (sums.numerator, sums.denominator)
    return (sums.total, float(sums.days))


def change_number(kpi: Kpi, value: float) -> str:
    """A change as the KPI shows its figures, one decimal finer (a fraction in points)."""
    if sel.is_fraction(kpi):
        return f"{value * 100:,.{max(kpi.decimals - 2, 0) + 1}f}"
    return f"{value:,.{kpi.decimals + 1}f}"


def change_unit(kpi: Kpi) -> str:
    if sel.is_fraction(kpi):
        return "points"
    return "" if kpi.unit.startswith("/") else kpi.unit


@dataclass(frozen=True)
class TableRow:
    group: str
    before: str
    before_days: int
    during: str
    during_days: int
    change: str


@dataclass(frozen=True)
class Effect:
    idea_id: int
    windows: Windows
    result: effects.Measure | None  # None: nothing to measure yet
    sentence: str
    rows: list[TableRow] = field(default_factory=list)
    interval: str = ""

    @property
    def verdict(self) -> str:
        return self.result.verdict if self.result else ""


@dataclass(frozen=True)
class _Wanted:
    """The rollup rows the effects of some ideas need."""

    team_rows: set[int] = field(default_factory=set)
    associate_rows: set[int] = field(default_factory=set)
    kpi_ids: set[int] = field(default_factory=set)


def _groups(idea: Idea) -> tuple[tuple[str, int | frozenset[int]], int | None]:
    """The pilot as ("team", team id) or ("associates", their ids), and the
    comparison team's id."""
    trial = idea.trial
    if trial.whole_team:
        pilot: tuple[str, int | frozenset[int]] = ("team", idea.team_id)
    else:
        pilot = ("associates", frozenset(a.pk for a in trial.pilot.all()))
    return pilot, trial.comparison_team_id


def effects_of(ideas: Sequence[Idea], *, today: dt.date | None = None) -> dict[int, Effect]:
    """{idea id: Effect} of every idea with a trial (pass them with `trial`, its
    `comparison_team` and `pilot` loaded): two queries at most, for any number.
    `today` default: each idea's own site's."""
    tried = [i for i in ideas if _has_trial(i)]
    if not tried:
        return {}
    wanted = _Wanted()
    windows: dict[int, Windows] = {}
    for idea in tried:
        windows[idea.pk] = Windows.of(idea.trial, today or idea.team.site.local_today())
        (kind, ids), comparison = _groups(idea)
        if isinstance(ids, int):
            wanted.team_rows.add(ids)
        else:
            wanted.associate_rows.update(ids)
        if comparison is not None:
            wanted.team_rows.add(comparison)
        wanted.kpi_ids.add(idea.kpi_id)
    start = min(w.before.start for w in windows.values())
    end = max((w.during or w.before).end for w in windows.values())
    team_days, associate_days = _read(wanted, start, end)
    found = {}
    for idea in tried:
        (kind, ids), comparison = _groups(idea)
        pilot = (
            team_days[(ids, idea.kpi_id)]  # type: ignore[index]
            if kind == "team"
            else _added(associate_days, ids, idea.team_id, idea.kpi_id)  # type: ignore[arg-type]
        )
        other = team_days[(comparison, idea.kpi_id)] if comparison is not None else None
        found[idea.pk] = _effect(idea, windows[idea.pk], pilot, other)
    return found


def _has_trial(idea: Idea) -> bool:
    try:
        return idea.trial is not None
    except Trial.DoesNotExist:
        return False


ROW = ("value", "numerator", "denominator", "event_count", "contributors")


def _read(
    wanted: _Wanted, start: dt.date, end: dt.date
) -> tuple[
    defaultdict[tuple[int, int], dict[dt.date, sel.Sums]],
    dict[tuple[int, int], dict[tuple[int, dt.date], sel.Sums]],
]:
    """Team rows by (team, kpi) → day, and associate rows by (associate, kpi) →
    (team, day) (a person counts for the pilot's team only)."""
    team_days: defaultdict[tuple[int, int], dict[dt.date, sel.Sums]] = defaultdict(dict)
    rows = DailyKpi.objects.filter(kpi_id__in=wanted.kpi_ids, day__range=(start, end))
    if wanted.team_rows:
        for team_id, kpi_id, day, *values in rows.filter(
            scope=DailyKpi.Scope.TEAM, team_id__in=wanted.team_rows
        ).values_list("team_id", "kpi_id", "day", *ROW):
            days = team_days[(team_id, kpi_id)]
            days[day] = days.get(day, sel.NO_SUMS) + sel.Sums.of_row(values)
    associate_days: dict[tuple[int, int], dict[tuple[int, dt.date], sel.Sums]] = defaultdict(dict)
    if wanted.associate_rows:
        for associate_id, team_id, kpi_id, day, *values in rows.filter(
            scope=DailyKpi.Scope.ASSOCIATE, associate_id__in=wanted.associate_rows
        ).values_list("associate_id", "team_id", "kpi_id", "day", *ROW):
            days_of = associate_days[(associate_id, kpi_id)]
            key = (team_id, day)
            days_of[key] = days_of.get(key, sel.NO_SUMS) + sel.Sums.of_row(values)
    return team_days, associate_days


def _added(
    associate_days: dict[tuple[int, int], dict[tuple[int, dt.date], sel.Sums]],
    ids: Iterable[int],
    team_id: int,
    kpi_id: int,
) -> dict[dt.date, sel.Sums]:
    days: dict[dt.date, sel.Sums] = {}
    for associate_id in ids:
        for (on_team, day), sums in associate_days.get((associate_id, kpi_id), {}).items():
            if on_team == team_id:
                days[day] = days.get(day, sel.NO_SUMS) + sums
    return days


def _within(
    kpi: Kpi, days: dict[dt.date, sel.Sums], span: sel.DateRange | None
) -> list[effects.Day]:
    if span is None:
        return []
    return [_day(kpi, sums) for day, sums in sorted(days.items()) if span.start <= day <= span.end]


def _effect(
    idea: Idea,
    windows: Windows,
    pilot: dict[dt.date, sel.Sums],
    comparison: dict[dt.date, sel.Sums] | None,
) -> Effect:
    kpi = idea.kpi
    trial = idea.trial
    if windows.during is None:
        return Effect(
            idea.pk,
            windows,
            None,
            f"The trial starts on {trial.starts_on:%-d %b %Y}: its effect is measured from "
            "its first finished day.",
        )
    result = effects.measure(
        _within(kpi, pilot, windows.before),
        _within(kpi, pilot, windows.during),
        None if comparison is None else _within(kpi, comparison, windows.before),
        None if comparison is None else _within(kpi, comparison, windows.during),
        expected_up=idea.direction == Idea.Direction.UP,
    )
    other = trial.comparison_team.name if trial.comparison_team else ""
    unit = change_unit(kpi)
    text = effects.sentence(
        result,
        name=kpi.name,
        number=lambda v: change_number(kpi, v),
        unit=unit,
        comparison=other,
    )
    rows = [_table_row(kpi, "Pilot", result.pilot_before, result.pilot_during)]
    if result.comparison_before is not None and result.comparison_during is not None:
        rows.append(_table_row(kpi, other, result.comparison_before, result.comparison_during))
    interval = ""
    if result.low is not None and result.high is not None:
        interval = f"{_signed(kpi, result.low)} to {_signed(kpi, result.high)} {unit}".strip()
    return Effect(idea.pk, windows, result, text, rows, interval)


def _signed(kpi: Kpi, value: float) -> str:
    return ("+" if value >= 0 else "−") + change_number(kpi, abs(value))


def _table_row(kpi: Kpi, group: str, before: effects.Cell, during: effects.Cell) -> TableRow:
    change = ""
    if before.value is not None and during.value is not None:
        change = _signed(kpi, during.value - before.value)
    return TableRow(
        group=group,
        before=sel.fmt(kpi, before.value),
        before_days=before.days,
        during=sel.fmt(kpi, during.value),
        during_days=during.days,
        change=change,
    )


# --- Pages -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Card:
    idea: Idea
    support_count: int
    is_supported: bool
    effect: Effect | None


def _pilot() -> "Prefetch[str]":
    return Prefetch(
        "trial__pilot",
        queryset=Associate.objects.select_related("user").order_by("user__first_name", "pk"),
    )


def ideas_with_effects(ideas_qs: QuerySet[Idea], user: User) -> list[Card]:
    """Cards for the ideas of a queryset: supporters counted, the user's support,
    the trial and its measured effect. Five queries whatever the number of ideas."""
    ideas = list(
        ideas_qs.select_related(
            "team__site", "kpi", "author", "trial__comparison_team", "decided_by"
        )
        .annotate(
            support_count=Count("supports", distinct=True),
            is_supported=Exists(Support.objects.filter(idea=OuterRef("pk"), user=user)),
        )
        .prefetch_related(_pilot())
    )
    found = effects_of(ideas)
    return [Card(i, i.support_count, i.is_supported, found.get(i.pk)) for i in ideas]


@dataclass(frozen=True)
class Board:
    columns: list[tuple[str, str, list[Card]]]  # (status, label, cards)


def board(team: Team, user: User) -> Board:
    cards = ideas_with_effects(Idea.objects.filter(team=team), user)
    return Board(
        columns=[
            (status.value, status.label, [c for c in cards if c.idea.status == status])
            for status in COLUMNS
        ]
    )


def idea_card(idea: Idea, user: User) -> Card:
    return ideas_with_effects(Idea.objects.filter(pk=idea.pk), user)[0]


DECISION_FIELDS = {"status": "Status", "decision_note": "Decision note"}


def decision_log(idea: Idea) -> list[Change]:
    """Who moved the idea, when and why (its history, newest first)."""
    records = list(idea.history.select_related("history_user").order_by("-history_id"))
    return changes(records, DECISION_FIELDS)


def supporters(idea: Idea) -> list[str]:
    return [
        s.user.get_full_name() or s.user.username
        for s in Support.objects.filter(idea=idea).select_related("user").order_by("created_at")
    ]


def across_teams(teams: Sequence[Team], user: User, *, status: str = "") -> list[Card]:
    """The manager's list: every idea of the teams, open ones first, newest first."""
    ideas = Idea.objects.filter(team__in=teams)
    if status in Idea.Status.values:
        ideas = ideas.filter(status=status)
    cards = ideas_with_effects(ideas, user)
    order: dict[str, int] = {s.value: n for n, s in enumerate(COLUMNS)}
    return sorted(cards, key=lambda c: (order[c.idea.status], -c.idea.pk))
