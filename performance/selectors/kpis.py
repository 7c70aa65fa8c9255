"""Read-side KPI queries for the dashboards, alerts and other pages.

Everything here reads the daily rollups (`DailyKpi`), never raw events, and runs
a fixed number of queries whatever the range or the number of people.

Combining days into a period depends on the KPI's aggregation:

- count and sum: the average per associate-day (a team's 350 tickets by 10
  people is 35 each, comparable with a per-person target);
- mean: total of values / number of events (exact);
- ratio: total numerator / total denominator (exact);
- median and p90: the average of the daily figures (a period percentile cannot
  be rebuilt from daily ones; the pages say so).
"""

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from teams.models import Team

from ..models import DailyKpi, Kpi

GREEN, AMBER, RED = "green", "amber", "red"
RAG_LABELS = {GREEN: "On target", AMBER: "Watch", RED: "Off target"}
PERCENTILES = (Kpi.Aggregation.MEDIAN, Kpi.Aggregation.P90)
PER_ASSOCIATE_DAY = (Kpi.Aggregation.COUNT, Kpi.Aggregation.SUM)
MIN_PEERS_FOR_MEDIAN = 3  # fewer, and a median would give a teammate's figure away


def kpis() -> list[Kpi]:
    return list(Kpi.objects.order_by("pk"))


def rag(kpi: Kpi, value: float | None) -> str | None:
    """green / amber / red against the KPI's thresholds, in its better direction,
    judged on the exact value (0.9469 is not 0.95); `fmt` shows enough decimals
    that the figure never contradicts its colour."""
    if value is None:
        return None
    if kpi.direction == Kpi.Direction.HIGHER:
        return GREEN if value >= kpi.green_at else AMBER if value >= kpi.amber_at else RED
    return GREEN if value <= kpi.green_at else AMBER if value <= kpi.amber_at else RED


EXTRA_DECIMALS = 4  # at most this many more than the KPI's own, to agree with the colour


def shown_decimals(kpi: Kpi, value: float) -> int:
    """The KPI's decimals, or more where rounding would carry the value across a
    threshold (34.71 against 35 shows as 34.7, not 35)."""
    colour = rag(kpi, value)
    decimals = kpi.decimals
    while decimals < kpi.decimals + EXTRA_DECIMALS and rag(kpi, round(value, decimals)) != colour:
        decimals += 1
    return decimals


def is_fraction(kpi: Kpi) -> bool:
    """A ratio KPI whose unit is "ratio" (adherence: 0.95) reads as a percentage."""
    return kpi.unit == "ratio"


def fmt(kpi: Kpi, value: float | None) -> str:
    """A figure as people read it: the KPI's decimals (more where rounding would
    change its colour); a fraction as a percentage with the same precision."""
    if value is None:
        return "—"
    decimals = shown_decimals(kpi, value)
    if is_fraction(kpi):
        return f"{value * 100:,.{max(decimals - 2, 0)}f}%"
    return f"{value:,.{decimals}f}"


def period_basis(kpi: Kpi) -> str:
    """How a period figure is built, for labels and CSV headers."""
    if kpi.aggregation in PER_ASSOCIATE_DAY:
        return "per associate per day"
    if kpi.aggregation == Kpi.Aggregation.MEDIAN:
        return "average of daily medians"
    if kpi.aggregation == Kpi.Aggregation.P90:
        return "average of daily p90s"
    return ""


def basis_label(kpi: Kpi, *, per_day: bool) -> str:
    if kpi.aggregation in PER_ASSOCIATE_DAY:
        return "per day" if per_day else "total"
    if kpi.aggregation in PERCENTILES:
        return f"avg of daily {kpi.aggregation}"
    return ""


@dataclass(frozen=True)
class Sums:
    """What a set of rollup rows adds up to; enough to rebuild any period figure."""

    total: float = 0.0  # sum of daily values
    numerator: float = 0.0
    denominator: float = 0.0
    events: int = 0
    heads: int = 0  # sum of contributors (associate-days)
    days: int = 0  # rows

    def value(self, kpi: Kpi) -> float | None:
        if not self.days:
            return None
        if kpi.aggregation in PER_ASSOCIATE_DAY:
            return self.total / self.heads if self.heads else None
        if kpi.aggregation == Kpi.Aggregation.MEAN:
            return self.numerator / self.events if self.events else None
        if kpi.aggregation == Kpi.Aggregation.RATIO:
            return self.numerator / self.denominator if self.denominator else None
        return self.total / self.days

    def period_total(self, kpi: Kpi) -> float | None:
        """The period as one figure for a goal: the total for count and sum KPIs
        (10,000 tickets), else the period figure."""
        if kpi.aggregation in PER_ASSOCIATE_DAY:
            return self.total if self.days else None
        return self.value(kpi)

    @classmethod
    def of_row(cls, values: Sequence[Any]) -> "Sums":
        """One rollup row, from its `ROW_SUMS` columns."""
        return cls.of_values([*values, 1])

    @classmethod
    def of_values(cls, values: Sequence[Any]) -> "Sums":
        """From the aggregates of `_SUMS_SQL`, in its order."""
        total, numerator, denominator, events, heads, days = values
        return cls(
            total or 0.0, numerator or 0.0, denominator or 0.0, events or 0, heads or 0, days or 0
        )

    def __add__(self, other: "Sums") -> "Sums":
        return Sums(
            self.total + other.total,
            self.numerator + other.numerator,
            self.denominator + other.denominator,
            self.events + other.events,
            self.heads + other.heads,
            self.days + other.days,
        )


NO_SUMS = Sums()
ROW_SUMS = ("value", "numerator", "denominator", "event_count", "contributors")


def day_value(kpi: Kpi, value: float, contributors: int) -> float:
    """One rollup row's figure as the dashboards show it (count/sum per associate-day)."""
    if kpi.aggregation in PER_ASSOCIATE_DAY and contributors:
        return value / contributors
    return value


@dataclass(frozen=True)
class DateRange:
    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> "DateRange":
        """The period of the same length just before this one."""
        end = self.start - dt.timedelta(days=1)
        return DateRange(end - dt.timedelta(days=self.days - 1), end)

    def params(self) -> dict[str, str]:
        """The range as the dashboards' query parameters (`from`, `to`)."""
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}

    def dates(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=n) for n in range(self.days)]

    def __str__(self) -> str:
        return f"{self.start:%-d %b %Y} – {self.end:%-d %b %Y}"


# The dashboards' queries are written in SQL (portable to the SQLite demo): most of
# a dashboard's time went on the ORM building these statements and converting
# their rows, not on the database. Each reads the covering index alone.
_SUMS_SQL = (
    "SUM(value), SUM(numerator), SUM(denominator), SUM(event_count), SUM(contributors), COUNT(*)"
)
KEYS = ("associate_id", "team_id")  # what period figures may be keyed by


@dataclass(frozen=True)
class _Where:
    """Rollup rows of some scopes over some days, for some teams or associates."""

    scopes: Sequence[str]
    start: dt.date
    end: dt.date
    team_ids: Collection[int] | None = None
    associate_ids: Collection[int] | None = None

    @property
    def empty(self) -> bool:
        return any(ids is not None and not ids for ids in (self.team_ids, self.associate_ids))

    def sql(self) -> tuple[str, list[Any]]:
        clauses = [f"scope IN ({_marks(self.scopes)})", "day BETWEEN %s AND %s"]
        params: list[Any] = [*self.scopes, self.start, self.end]
        for column, ids in (("team_id", self.team_ids), ("associate_id", self.associate_ids)):
            if ids is not None:
                clauses.append(f"{column} IN ({_marks(ids)})")
                params += list(ids)
        return " AND ".join(clauses), params


def _marks(values: Collection[Any]) -> str:
    return ", ".join(["%s"] * len(values))


def _select(columns: str, where: _Where, tail: str, params: Sequence[Any] = ()) -> list[Any]:
    """Rows of `SELECT columns FROM the rollups WHERE … tail`; params are the
    columns' own, before the WHERE clause's."""
    if where.empty:
        return []
    condition, where_params = where.sql()
    sql = f"SELECT {columns} FROM {DailyKpi._meta.db_table} WHERE {condition} {tail}"  # noqa: S608 -- fixed names, values as parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *where_params])
        return cursor.fetchall()


def _key(key: str) -> str:
    """A column period figures may be keyed by (it goes into the SQL text)."""
    if key not in KEYS:
        raise ValueError(f"Period sums are keyed by one of {KEYS}, not {key!r}.")
    return key


def _date(value: dt.date | str) -> dt.date:
    """A day from a raw query (SQLite hands back text)."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def sums_by(
    scope: str,
    span: DateRange,
    key: str,
    *,
    team_ids: Collection[int] | None = None,
    associate_ids: Collection[int] | None = None,
) -> dict[tuple[int, int], Sums]:
    """{(key id, kpi id): Sums} over the range, e.g. key="associate_id"."""
    where = _Where((scope,), span.start, span.end, team_ids, associate_ids)
    rows = _select(f"{_key(key)}, kpi_id, {_SUMS_SQL}", where, "GROUP BY 1, 2")
    return {(subject, kpi_id): Sums.of_values(sums) for subject, kpi_id, *sums in rows}


def period_sums(
    scopes: Sequence[str],
    span: DateRange,
    key: str,
    *,
    team_ids: Collection[int] | None = None,
    associate_ids: Collection[int] | None = None,
) -> dict[tuple[int | None, int], tuple[Sums, Sums]]:
    """{(key id, kpi id): (Sums over the range, Sums over the period before it)}, in
    one query. With several scopes, key tells their rows apart: with key
    "associate_id" and scopes team and associate, the team's rows are under None."""
    where = _Where(scopes, span.previous().start, span.end, team_ids, associate_ids)
    rows = _select(
        f"{_key(key)}, kpi_id, CASE WHEN day >= %s THEN 1 ELSE 0 END, {_SUMS_SQL}",
        where,
        "GROUP BY 1, 2, 3",
        [span.start],
    )
    found: dict[tuple[int | None, int], tuple[Sums, Sums]] = {}
    for subject, kpi_id, is_current, *values in rows:
        now, previous = found.get((subject, kpi_id), (NO_SUMS, NO_SUMS))
        sums = Sums.of_values(values)
        found[(subject, kpi_id)] = (sums, previous) if is_current else (now, sums)
    return found


def figures(
    kpi_list: Sequence[Kpi],
    sums: Mapping[tuple[int | None, int], tuple[Sums, Sums]],
    subject: int | None,
) -> list["Figure"]:
    """One subject's figure for each KPI, with the change since the period before."""
    found = []
    for kpi in kpi_list:
        now, before = sums.get((subject, kpi.pk), (NO_SUMS, NO_SUMS))
        found.append(Figure(kpi, now.value(kpi), before.value(kpi)))
    return found


def daily_sums(
    scope: str,
    span: DateRange,
    *,
    team_ids: Collection[int] | None = None,
    associate_ids: Collection[int] | None = None,
) -> dict[tuple[dt.date, int], Sums]:
    """{(day, kpi id): Sums} over the range, adding up every row of that day."""
    where = _Where((scope,), span.start, span.end, team_ids, associate_ids)
    rows = _select(f"day, kpi_id, {_SUMS_SQL}", where, "GROUP BY 1, 2")
    return {(_date(day), kpi_id): Sums.of_values(sums) for day, kpi_id, *sums in rows}


# --- Pieces the dashboards are made of ------------------------------------------------


@dataclass(frozen=True)
class Figure:
    kpi: Kpi
    value: float | None
    previous: float | None = None
    withheld: str = ""  # why there is no figure, e.g. a p90 across several teams

    @cached_property
    def rag(self) -> str | None:
        return rag(self.kpi, self.value)

    @property
    def display(self) -> str:
        return fmt(self.kpi, self.value)

    @property
    def rag_label(self) -> str:
        return RAG_LABELS.get(self.rag or "", "No data")

    @property
    def basis(self) -> str:
        return self.withheld or period_basis(self.kpi)

    @property
    def target_display(self) -> str:
        return fmt(self.kpi, self.kpi.target)

    @cached_property
    def change(self) -> float | None:
        """Change since the previous period, at the KPI's precision (0 when it would
        show as zero, so "+0" never reads as an improvement)."""
        if self.value is None or self.previous is None:
            return None
        return round(self.value - self.previous, self.kpi.decimals) + 0.0

    @property
    def improved(self) -> bool | None:
        """Whether the change since the previous period is in the better direction."""
        change = self.change
        if change is None or change == 0:
            return None
        return (change > 0) == (self.kpi.direction == Kpi.Direction.HIGHER)

    @property
    def change_display(self) -> str:
        change = self.change
        if change is None:
            return ""
        return f"{change:+,.{self.kpi.decimals}f}"

    @property
    def score(self) -> float | None:
        """Change in the better direction, relative to the target (for ranking movers)."""
        change = self.change
        if change is None or not self.kpi.target:
            return None
        sign = 1 if self.kpi.direction == Kpi.Direction.HIGHER else -1
        return sign * change / abs(self.kpi.target)


@dataclass(frozen=True)
class Series:
    """One KPI's daily figures over a range, ready for a chart."""

    kpi: Kpi
    labels: list[str]
    lines: list[tuple[str, list[float | None]]]  # (label, values by day)

    def chart(self) -> dict[str, object]:
        return {
            "id": f"chart-{self.kpi.key}",
            "title": self.kpi.name,
            "unit": self.kpi.unit,
            "basis": period_basis(self.kpi) if self.kpi.aggregation in PERCENTILES else "",
            "decimals": self.kpi.decimals,
            "target": self.kpi.target,
            "labels": self.labels,
            "lines": [
                {
                    "label": label,
                    "data": [None if v is None else round(v, self.kpi.decimals + 2) for v in vs],
                }
                for label, vs in self.lines
            ],
        }


def _value_on(by_day: dict[tuple[dt.date, int], Sums], day: dt.date, kpi: Kpi) -> float | None:
    sums = by_day.get((day, kpi.pk))
    return None if sums is None else sums.value(kpi)


def series(
    kpi_list: Sequence[Kpi],
    span: DateRange,
    lines: Sequence[tuple[str, dict[tuple[dt.date, int], Sums]]],
) -> list[Series]:
    dates = span.dates()
    labels = [f"{d:%-d %b}" for d in dates]
    return [
        Series(
            kpi=kpi,
            labels=labels,
            lines=[(label, [_value_on(by_day, d, kpi) for d in dates]) for label, by_day in lines],
        )
        for kpi in kpi_list
    ]


@dataclass
class Row:
    """A line of a dashboard table: a person or a team, with one figure per KPI."""

    key: int
    name: str
    figures: list[Figure] = field(default_factory=list)
    url: str = ""
    note: str = ""  # e.g. "left 10 Nov"

    def figure(self, kpi_id: int) -> Figure | None:
        return next((f for f in self.figures if f.kpi.pk == kpi_id), None)


def sort_rows(rows: list[Row], kpi_list: Sequence[Kpi], sort: str, descending: bool) -> list[Row]:
    """Sort by name, or by a KPI key (rows without a figure last, whatever the direction)."""
    kpi = next((k for k in kpi_list if k.key == sort), None)
    if kpi is None:
        return sorted(rows, key=lambda r: r.name.lower(), reverse=descending)
    present = [r for r in rows if (f := r.figure(kpi.pk)) is not None and f.value is not None]
    missing = [r for r in rows if r not in present]

    def value_of(row: Row) -> float:
        figure = row.figure(kpi.pk)
        return figure.value if figure is not None and figure.value is not None else 0.0

    return sorted(present, key=value_of, reverse=descending) + missing


def median_or_none(values: Iterable[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    if len(known) < MIN_PEERS_FOR_MEDIAN:
        return None
    return statistics.median(known)


# --- Alerts ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Alert:
    kpi: Kpi
    scope: str  # "associate" or "team"
    subject_id: int
    days: int  # consecutive days out of green, counting back from the latest
    latest: float
    latest_day: dt.date
    longer: bool = False  # the run may go back further than the days looked at

    @property
    def rag(self) -> str | None:
        return rag(self.kpi, self.latest)

    @property
    def days_display(self) -> str:
        """Like "9 days"; "9+ days" when the run may go back further than that."""
        return f"{self.days}{'+' if self.longer else ''} days"

    @property
    def latest_display(self) -> str:
        return fmt(self.kpi, self.latest)


def sites_today(teams: Iterable[Team]) -> dt.date:
    """The "today" of a page across teams: the earliest of their sites' local dates,
    so the day before it has ended at every site (the server's date without teams)."""
    return min((team.site.local_today() for team in teams), default=timezone.localdate())


def alert_days() -> int:
    return int(getattr(settings, "KPI_ALERT_DAYS", 3))


def alerts(
    team_ids: Iterable[int], *, today: dt.date, kpi_list: Sequence[Kpi] | None = None
) -> list[Alert]:
    """KPIs out of green for N (default 3) consecutive days of data, for associates
    and teams, counting back from the latest day. Days without figures (days off)
    neither break nor extend a run; a run whose latest figure is older than N days
    is stale and not shown. One query (two without kpi_list)."""
    n = alert_days()
    lookback = DateRange(today - dt.timedelta(days=n * 3 + 4), today)
    kpi_by_id = {k.pk: k for k in (kpis() if kpi_list is None else kpi_list)}
    where = _Where(
        (DailyKpi.Scope.ASSOCIATE, DailyKpi.Scope.TEAM),
        lookback.start,
        lookback.end,
        team_ids=set(team_ids),
    )
    rows = _select(
        "kpi_id, team_id, associate_id, day, value, contributors", where, "ORDER BY day DESC"
    )
    runs: dict[tuple[str, int, int], list[tuple[dt.date, float]]] = defaultdict(list)
    for kpi_id, team_id, associate_id, day, value, heads in rows:
        if kpi_id in kpi_by_id:
            key = (
                ("team", team_id, kpi_id)
                if associate_id is None
                else ("associate", associate_id, kpi_id)
            )
            runs[key].append((_date(day), day_value(kpi_by_id[kpi_id], value, heads)))
    stale = today - dt.timedelta(days=n)
    found = []
    for (scope, subject, kpi_id), days in runs.items():
        kpi = kpi_by_id[kpi_id]
        if days[0][0] < stale:
            continue
        streak = 0
        for _day, value in days:
            if rag(kpi, value) == GREEN:
                break
            streak += 1
        if streak >= n:
            # No green day, and the run reaches the first days looked at (a weekend
            # off allowed): it may go back further.
            longer = streak == len(days) and days[-1][0] <= lookback.start + dt.timedelta(days=3)
            found.append(Alert(kpi, scope, subject, streak, days[0][1], days[0][0], longer))
    return sorted(found, key=lambda a: (a.scope != "team", -a.days, a.kpi.name))
