"""Contacts per queue per interval for the next weeks, from the last weeks of history,
with the words a lead repeats to a manager ("average of the last 6 Tuesdays, +4 %
trend") and how accurate each way of forecasting has been on this queue.

Pure Python over plain data (numpy, and statsmodels for Holt-Winters), no Django.

History is a mapping local date -> slot -> contacts offered, where a slot is any
hashable key of an interval within the day (the Django layer uses the local
wall-clock start time, and keys a DST day's repeated hour by the same time, so
nothing here knows about DST). A slot missing from a day of history counts as 0
contacts on that day; a date missing altogether is "no data" (filled in like a
holiday, below). A forecast day gets the slots that its weekday had in the history
window, so a Sunday the queue never opened is forecast as an empty day, and a slot
that a forecast day does not have (02:00 on a spring-forward night) is for the
caller to drop.

Three methods, each of which returns per-day, per-slot floats >= 0:

- seasonal naive: each day repeats the same weekday of the latest week that was not
  a holiday (the yardstick every other method must beat);
- weighted average: per weekday x slot, the average of the last (up to) 6 such
  weekdays, the latest counting twice as much as the oldest, times a trend factor
  from a straight line fitted to the weekly totals;
- Holt-Winters: a damped additive trend and a weekly season (multiplicative, or
  additive when some day had no contacts at all), fitted by statsmodels to the daily
  totals; each forecast day's total is spread over its slots by that weekday's
  intraday profile over the whole window. Why on daily totals: a
  half-hour holds a few contacts, too noisy for a model per slot, while the daily
  total holds hundreds and shows level, trend and weekday pattern clearly; the
  intraday profile is stable, so pooling 12 weeks of it is what keeps the slot
  figures close to the noise floor. One fit per queue instead of one per slot is
  also what keeps a nightly run of many queues fast.

`forecast()` runs all three, backtests them from rolling origins (each of the last 4
weeks of history is forecast from what came before it) and picks the one with the
lowest mean wMAPE (sum |actual - forecast| / sum actual). At most the last 12 weeks
of history are fitted; older history is read only to learn the holiday factor.

Holidays (the site's calendar) are left out of every fit: their days are filled in
from the same weekday of the weeks around them. A forecast day that is a holiday is
the normal forecast times a holiday factor: past holidays' volume against the same
weekday in the 4 weeks either side, or 0.5 when the history holds no holiday.

A lead's overrides ("+30 % on Tuesday") are applied where the need is computed
(`scheduling.selectors.capacity.override_factor`: several on one interval add up);
`forecast_handle_time()` forecasts handle time per weekday x slot.
"""

import math
import warnings
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Generic, TypeVar

import numpy as np
import numpy.typing as npt

# A slot is the caller's key of an interval (a datetime.time for the Django layer);
# the types below carry it through, so a forecast is keyed as its history was.
Slot = TypeVar("Slot", bound=Hashable)
History = Mapping[date, Mapping[Slot, float]]
DayForecast = dict[Slot, float]
Floats = npt.NDArray[np.float64]

HISTORY_WEEKS = 12  # at most this much history is fitted
MIN_HISTORY_DAYS = 14  # two weeks: one week to learn from, one to see it repeat
AVERAGE_WEEKS = 6  # the weighted average looks back at most this many weeks
BACKTEST_WEEKS = 4  # rolling origins
TREND_MIN_WEEKS = 3  # a line through two weekly totals is noise, not a trend
TREND_FACTOR_RANGE = (0.5, 2.0)  # a trend never more than doubles or halves a day
DEFAULT_HOLIDAY_FACTOR = 0.5  # when the history holds no holiday to learn from
HOLIDAY_NEIGHBOUR_WEEKS = 4  # a past holiday is compared with its weekday this near
# Forecasts are asked for 1-8 weeks ahead; two more weeks allow for history that
# arrives a few days late. Beyond that a trend would be extrapolated too far.
MAX_HORIZON_DAYS = 70

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class Method(StrEnum):
    SEASONAL_NAIVE = "seasonal_naive"
    WEIGHTED_AVERAGE = "weighted_average"
    HOLT_WINTERS = "holt_winters"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Method.SEASONAL_NAIVE: "Seasonal naive",
    Method.WEIGHTED_AVERAGE: "Weighted average",
    Method.HOLT_WINTERS: "Holt-Winters",
}

METHODS = tuple(Method)  # also the order that breaks a tie in the backtest

_BASIS = {
    Method.SEASONAL_NAIVE: "each day repeats the same weekday of the latest week that was "
    "not a holiday",
    Method.WEIGHTED_AVERAGE: f"each interval is the average of the same weekday and time "
    f"over the last {AVERAGE_WEEKS} weeks (the latest counts twice as much as the oldest), "
    "adjusted by the trend of the weekly totals",
    Method.HOLT_WINTERS: "Holt-Winters exponential smoothing of the daily totals (weekly "
    f"pattern, damped trend), spread over the day like the last {HISTORY_WEEKS} weeks of "
    "the same weekday",
}


class NotEnoughHistory(ValueError):
    """Fewer than MIN_HISTORY_DAYS of history: say so instead of guessing."""


@dataclass(frozen=True)
class MethodForecast(Generic[Slot]):
    method: Method
    basis: str  # the method in plain words
    days: dict[date, DayForecast[Slot]]  # forecast day -> slot -> contacts (>= 0)
    day_basis: dict[date, str]  # forecast day -> why, e.g. "average of the last 6 Tuesdays"

    @property
    def label(self) -> str:
        return self.method.label


@dataclass(frozen=True)
class Backtest:
    """Accuracy from rolling origins: each origin is the last day of history a method
    was given; the week after it was forecast and compared with what happened."""

    origins: list[date]
    wmape: dict[Method, list[float]]  # per method, one per origin (oldest first)

    @property
    def mean_wmape(self) -> dict[Method, float]:
        return {m: sum(v) / len(v) for m, v in self.wmape.items() if v}


@dataclass(frozen=True)
class QueueForecast(Generic[Slot]):
    chosen: Method
    forecasts: dict[Method, MethodForecast[Slot]]
    backtest: Backtest
    holiday_factor: float
    holiday_basis: str  # how the holiday factor was found
    history_from: date  # the fitted window
    history_to: date
    notes: list[str] = field(default_factory=list)

    @property
    def best(self) -> MethodForecast[Slot]:
        return self.forecasts[self.chosen]

    @property
    def accuracy(self) -> str:
        """The line the forecast page shows, e.g. "Holt-Winters: 8.1 % average error
        over the last 4 weeks (seasonal naive: 12.3 %)"."""
        means = self.backtest.mean_wmape
        if self.chosen not in means:
            return f"{self.chosen.label}: no backtest yet (3 weeks of history with contacts needed)"
        weeks = len(self.backtest.origins)
        span = "the last week" if weeks == 1 else f"the last {weeks} weeks"
        text = f"{self.chosen.label}: {means[self.chosen]:.1%} average error over {span}"
        naive = means.get(Method.SEASONAL_NAIVE)
        if self.chosen != Method.SEASONAL_NAIVE and naive is not None:
            text += f" (seasonal naive: {naive:.1%})"
        return text


# --- preparing the history -------------------------------------------------------


@dataclass(frozen=True)
class _Grid(Generic[Slot]):
    """Days x slots of history, a row per calendar day from `first` to the last day."""

    first: date
    slots: list[Slot]
    values: Floats  # 0 where a day or slot is missing
    present: npt.NDArray[np.bool_]  # days x slots: the slot was in that day's history
    clean: npt.NDArray[np.bool_]  # days: in the history and not a holiday


@dataclass(frozen=True)
class _Window:
    """The fitted stretch of the grid: rows start..stop-1 (at most 12 weeks)."""

    end: date  # the last day of history it holds
    values: Floats
    filled: Floats  # holidays and missing days filled in from the weeks around them
    clean: npt.NDArray[np.bool_]
    weekdays: npt.NDArray[np.int_]
    seen: npt.NDArray[np.bool_]  # 7 x slots: slots each weekday had on its clean days

    @property
    def length(self) -> int:
        return len(self.clean)

    def clean_days_of(self, weekday: int) -> npt.NDArray[np.int_]:
        return np.flatnonzero(self.clean & (self.weekdays == weekday))


def _ordered_slots(history: History[Slot], dates: Iterable[date]) -> list[Slot]:
    slots: dict[Slot, None] = {}
    for day in dates:
        for slot in history[day]:
            slots.setdefault(slot, None)
    try:
        return sorted(slots)  # type: ignore[type-var]
    except TypeError:  # keys without an order keep the order they came in
        return list(slots)


def _grid(history: History[Slot], holidays: Collection[date], days_back: int) -> _Grid[Slot]:
    last = max(history)
    first = max(min(history), last - timedelta(days=days_back - 1))
    n = (last - first).days + 1
    dates = [d for d in sorted(history) if d >= first]
    slots = _ordered_slots(history, dates)
    column = {slot: i for i, slot in enumerate(slots)}
    values = np.zeros((n, len(slots)))
    present = np.zeros((n, len(slots)), dtype=bool)
    clean = np.zeros(n, dtype=bool)
    for day in dates:
        row = (day - first).days
        for slot, contacts in history[day].items():
            volume = float(contacts)
            if volume < 0 or not math.isfinite(volume):
                raise ValueError(f"contacts on {day} at {slot!r} must be finite, not negative")
            values[row, column[slot]] = volume
            present[row, column[slot]] = True
        clean[row] = day not in holidays
    return _Grid(first=first, slots=slots, values=values, present=present, clean=clean)


def _window(grid: _Grid[Slot], stop: int) -> _Window:
    start = max(0, stop - 7 * HISTORY_WEEKS)
    values = grid.values[start:stop]
    clean = grid.clean[start:stop]
    weekdays = (np.arange(start, stop) + grid.first.weekday()) % 7
    filled = values.copy()
    seen = np.zeros((7, len(grid.slots)), dtype=bool)
    for weekday in range(7):
        own = np.flatnonzero(clean & (weekdays == weekday))
        seen[weekday] = grid.present[start:stop][own].any(axis=0)
        for row in np.flatnonzero(~clean & (weekdays == weekday)):
            # The nearest clean same weekday before and after: a trend stays a trend.
            before, after = own[own < row], own[own > row]
            near = [*before[-1:], *after[:1]]
            filled[row] = values[near].mean(axis=0) if near else 0.0
    return _Window(
        end=grid.first + timedelta(days=stop - 1),
        values=values,
        filled=filled,
        clean=clean,
        weekdays=weekdays,
        seen=seen,
    )


# --- the three methods -----------------------------------------------------------
# Each takes a window and the horizons (days after its last day) and returns a
# row per horizon (slots x float, unseen slots 0) and a reason per row.


def _short(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def _seasonal_naive(window: _Window, horizons: Sequence[int]) -> tuple[Floats, list[str]]:
    rows = np.zeros((len(horizons), window.values.shape[1]))
    why = []
    for i, h in enumerate(horizons):
        weekday = int((window.weekdays[-1] + h) % 7)
        own = window.clean_days_of(weekday)
        if not len(own):
            why.append(f"no {WEEKDAYS[weekday]} in the history")
            continue
        rows[i] = window.values[own[-1]]
        back = int(window.length - 1 - own[-1])
        why.append(f"same as {_short(window.end - timedelta(days=back))}")
    return rows, why


def _recency_weights(count: int) -> Floats:
    """Latest first; the latest weighs twice as much as the oldest, linearly between."""
    if count == 1:
        return np.ones(1)
    return 2.0 - np.arange(count) / (count - 1)


def _weekly_trend(window: _Window) -> tuple[float, float] | None:
    """A straight line (intercept, slope per day) through the weekly totals, or None
    with under TREND_MIN_WEEKS full weeks. Each week sits at its volume-weighted centre
    day, so a week whose busy days come first is not dated as if they came last."""
    weeks = window.length // 7
    if weeks < TREND_MIN_WEEKS:
        return None
    daily = window.filled.sum(axis=1)
    centres, totals = [], []
    for k in range(weeks):
        stop = window.length - 7 * k
        days = np.arange(stop - 7, stop)
        total = float(daily[days].sum())
        centres.append(float(days @ daily[days]) / total if total > 0 else float(days.mean()))
        totals.append(total)
    slope, intercept = np.polyfit(centres, totals, 1)
    return float(intercept), float(slope)


def _trend_factor(line: tuple[float, float] | None, at: float, centre: float) -> float:
    if line is None:
        return 1.0
    intercept, slope = line
    base = intercept + slope * centre
    if base <= 0:
        return 1.0
    low, high = TREND_FACTOR_RANGE
    return min(high, max(low, (intercept + slope * at) / base))


def _weighted_average(window: _Window, horizons: Sequence[int]) -> tuple[Floats, list[str]]:
    line = _weekly_trend(window)
    means: dict[int, tuple[Floats, float, int]] = {}
    for weekday in range(7):
        own = window.clean_days_of(weekday)[::-1][:AVERAGE_WEEKS]
        if len(own):
            weights = _recency_weights(len(own))
            total = float(weights.sum())
            means[weekday] = (
                weights @ window.values[own] / total,
                float(weights @ own) / total,
                len(own),
            )
    rows = np.zeros((len(horizons), window.values.shape[1]))
    why = []
    for i, h in enumerate(horizons):
        weekday = int((window.weekdays[-1] + h) % 7)
        if weekday not in means:
            why.append(f"no {WEEKDAYS[weekday]} in the history")
            continue
        mean, centre, count = means[weekday]
        factor = _trend_factor(line, window.length - 1 + h, centre)
        rows[i] = mean * factor
        name = WEEKDAYS[weekday]
        days = f"the last {name}" if count == 1 else f"average of the last {count} {name}s"
        if line is None:
            why.append(f"{days} (too little history for a trend)")
        elif round((factor - 1) * 100) == 0:
            why.append(f"{days}, no trend")
        else:
            why.append(f"{days}, {(factor - 1) * 100:+.0f} % trend")
    return rows, why


def _holt_winters_totals(daily: Floats, steps: int) -> tuple[Floats, str | None]:
    """Daily totals `steps` days ahead, and a note when the model could not be fitted
    (then each weekday's recent average stands in, so a forecast always exists)."""
    # Imported here: statsmodels (with scipy) takes a second or more to import, which
    # only the processes that forecast should pay, not every web worker.
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    if not daily.any():
        return np.zeros(steps), None
    # Multiplicative weekdays fit volume that grows (a Monday stays 1.3 x the week);
    # a day with no contacts at all (a closed Sunday) needs the additive form.
    seasonal = "mul" if (daily > 0).all() else "add"
    # The heuristic start (a classical decomposition) needs three weeks; it leaves
    # the optimizer four parameters instead of eleven, which is most of the speed.
    initial = "heuristic" if len(daily) >= 21 else "estimated"
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            model = ExponentialSmoothing(
                daily,
                trend="add",
                damped_trend=True,
                seasonal=seasonal,
                seasonal_periods=7,
                initialization_method=initial,
            )
            fitted = model.fit(method="least_squares", use_brute=False)
            totals = np.asarray(fitted.forecast(steps), dtype=float)
        if np.isfinite(totals).all():
            return np.maximum(totals, 0.0), None
    except (ValueError, ArithmeticError, np.linalg.LinAlgError):
        pass
    weekdays = np.arange(len(daily)) % 7
    fallback = np.array(
        [daily[weekdays == (len(daily) + h) % 7][-AVERAGE_WEEKS:].mean() for h in range(steps)]
    )
    return fallback, "Holt-Winters could not be fitted; weekday averages used"


def _holt_winters(window: _Window, horizons: Sequence[int]) -> tuple[Floats, list[str]]:
    rows = np.zeros((len(horizons), window.values.shape[1]))
    if not horizons:
        return rows, []
    totals, note = _holt_winters_totals(window.filled.sum(axis=1), max(horizons))
    why = []
    for i, h in enumerate(horizons):
        weekday = int((window.weekdays[-1] + h) % 7)
        own = window.clean_days_of(weekday)
        profile = window.values[own].sum(axis=0)
        if not profile.sum():
            why.append(f"no {WEEKDAYS[weekday]} with contacts in the history")
            continue
        rows[i] = totals[h - 1] * profile / profile.sum()
        reason = f"daily total by Holt-Winters, spread like the last {len(own)} "
        reason += f"{WEEKDAYS[weekday]}s" if len(own) > 1 else WEEKDAYS[weekday]
        why.append(f"{reason}; {note}" if note else reason)
    return rows, why


_RUN = {
    Method.SEASONAL_NAIVE: _seasonal_naive,
    Method.WEIGHTED_AVERAGE: _weighted_average,
    Method.HOLT_WINTERS: _holt_winters,
}


# --- holidays, backtest, the whole forecast --------------------------------------


def holiday_factor(history: History[Slot], holidays: Collection[date]) -> tuple[float, str]:
    """How busy a holiday is against a normal day: each past holiday in the history
    against the mean of the same weekday in the weeks around it that were not
    holidays (all of the history given, not only the fitted weeks: holidays are
    rare). With none to learn from, DEFAULT_HOLIDAY_FACTOR."""
    totals = {day: float(sum(slots.values())) for day, slots in history.items()}
    actual = expected = 0.0
    learned = 0
    for day in sorted(set(holidays) & totals.keys()):
        near = [
            totals[other]
            for k in range(1, HOLIDAY_NEIGHBOUR_WEEKS + 1)
            for other in (day - timedelta(weeks=k), day + timedelta(weeks=k))
            if other in totals and other not in holidays
        ]
        if near and sum(near) > 0:
            actual += totals[day]
            expected += sum(near) / len(near)
            learned += 1
    if not learned:
        return DEFAULT_HOLIDAY_FACTOR, (
            f"no past holiday in the history: holidays are taken as "
            f"{DEFAULT_HOLIDAY_FACTOR:.0%} of a normal day"
        )
    factor = actual / expected
    past = "1 past holiday" if learned == 1 else f"{learned} past holidays"
    return factor, f"holidays are taken as {factor:.0%} of a normal day, as on {past}"


def _check_history(history: History[Slot]) -> None:
    if not history:
        raise NotEnoughHistory(
            f"There is no history yet; a forecast needs at least {MIN_HISTORY_DAYS} days."
        )
    first, last = min(history), max(history)
    span = (last - first).days + 1
    if span < MIN_HISTORY_DAYS:
        raise NotEnoughHistory(
            f"Only {span} day{'s' if span != 1 else ''} of history ({first} to {last}); "
            f"a forecast needs at least {MIN_HISTORY_DAYS} (two weeks)."
        )


def _wmape(actual: Floats, forecast: Floats) -> float | None:
    total = float(actual.sum())
    return float(np.abs(actual - forecast).sum()) / total if total > 0 else None


def _backtest(grid: _Grid[Slot], methods: Sequence[Method]) -> Backtest:
    """Each of the last BACKTEST_WEEKS weeks as an origin: fit on what came before it
    (at least MIN_HISTORY_DAYS), forecast its 7 days, score them. Holidays and days
    without history are not scored (the holiday factor is the same for every method),
    nor a week without contacts. With less history there are fewer origins, and with
    under three weeks none (then the weighted average is chosen)."""
    n = len(grid.clean)
    origins: list[date] = []
    wmape: dict[Method, list[float]] = {m: [] for m in methods}
    for weeks_back in range(BACKTEST_WEEKS, 0, -1):
        stop = n - 7 * weeks_back
        if stop < MIN_HISTORY_DAYS:
            continue
        window = _window(grid, stop)
        scored = np.flatnonzero(grid.clean[stop : stop + 7]) + 1  # horizons
        actual = grid.values[stop + scored - 1]
        scores = {}
        for method in methods:
            rows, _why = _RUN[method](window, [int(h) for h in scored])
            scores[method] = _wmape(actual, rows)
        if any(s is None for s in scores.values()):
            continue
        origins.append(window.end)
        for method, score in scores.items():
            wmape[method].append(float(score))  # type: ignore[arg-type]
    return Backtest(origins=origins, wmape=wmape)


def _horizons(days: Iterable[date], end: date) -> list[date]:
    wanted = sorted(set(days))
    for day in wanted:
        if not 0 < (day - end).days <= MAX_HORIZON_DAYS:
            raise ValueError(
                f"{day} is not within {MAX_HORIZON_DAYS} days after the history (ends {end})"
            )
    return wanted


def _method_forecast(
    method: Method,
    window: _Window,
    slots: list[Slot],
    days: list[date],
    holidays: Collection[date],
    factor: float,
) -> MethodForecast:
    horizons = [(day - window.end).days for day in days]
    rows, why = _RUN[method](window, horizons)
    out: dict[date, DayForecast[Slot]] = {}
    reasons: dict[date, str] = {}
    for day, h, row, reason in zip(days, horizons, rows, why, strict=True):
        weekday = int((window.weekdays[-1] + h) % 7)
        scale = factor if day in holidays else 1.0
        out[day] = {
            slot: max(0.0, float(value) * scale)
            for slot, value, seen in zip(slots, row, window.seen[weekday], strict=True)
            if seen
        }
        reasons[day] = f"{reason}; holiday × {factor:.2f}" if day in holidays else reason
    return MethodForecast(method=method, basis=_BASIS[method], days=out, day_basis=reasons)


def forecast_method(
    history: History[Slot], days: Iterable[date], holidays: Collection[date], method: Method
) -> MethodForecast[Slot]:
    """One method's forecast of `days`, without the backtest."""
    _check_history(history)
    grid = _grid(history, holidays, 7 * HISTORY_WEEKS)
    window = _window(grid, len(grid.clean))
    factor, _basis = holiday_factor(history, holidays)
    wanted = _horizons(days, window.end)
    return _method_forecast(method, window, grid.slots, wanted, holidays, factor)


def forecast(
    history: History[Slot],
    days: Iterable[date],
    holidays: Collection[date] = frozenset(),
    methods: Sequence[Method] = METHODS,
) -> QueueForecast[Slot]:
    """Forecast `days` (each 1 to MAX_HORIZON_DAYS days after the last day of
    history) with every method, backtest them and choose the most accurate.
    Raises NotEnoughHistory with under two weeks of history, ValueError for a
    negative or non-finite volume or a day outside the horizon."""
    _check_history(history)
    grid = _grid(history, holidays, 7 * (HISTORY_WEEKS + BACKTEST_WEEKS))
    window = _window(grid, len(grid.clean))
    wanted = _horizons(days, window.end)
    factor, holiday_basis = holiday_factor(history, holidays)
    backtest = _backtest(grid, methods)
    means = backtest.mean_wmape
    notes = []
    if means:
        chosen = min(methods, key=lambda m: (means[m], methods.index(m)))
    else:
        chosen = Method.WEIGHTED_AVERAGE if Method.WEIGHTED_AVERAGE in methods else methods[0]
        notes.append(f"too little history to backtest: {chosen.label} chosen")
    if 0 < len(backtest.origins) < BACKTEST_WEEKS:
        notes.append(f"backtested on {len(backtest.origins)} of {BACKTEST_WEEKS} weeks")
    return QueueForecast(
        chosen=chosen,
        forecasts={
            m: _method_forecast(m, window, grid.slots, wanted, holidays, factor) for m in methods
        },
        backtest=backtest,
        holiday_factor=factor,
        holiday_basis=holiday_basis,
        history_from=window.end - timedelta(days=window.length - 1),
        history_to=window.end,
        notes=notes,
    )


# --- handle time ---------------------------------------------------


HandleHistory = Mapping[date, Mapping[Slot, tuple[float, float]]]


def forecast_handle_time(
    history: HandleHistory[Slot],
    days: Iterable[date],
    holidays: Collection[date] = frozenset(),
    default_seconds: float | None = None,
    min_contacts: float = 10,
) -> dict[date, dict[Slot, float]]:
    """Average handle time (seconds) per forecast day and slot. History: local date
    -> slot -> (contacts handled, their average handle time in seconds). Per weekday
    x slot, the average over the last 6 such weekdays that were not holidays,
    weighted by contacts handled and by recency as in the volume forecast; a weekday
    x slot with fewer than `min_contacts` handled takes the queue's overall average
    over the window, and a queue with nothing handled takes `default_seconds` (the
    queue's set handle time); with neither, the slot is left out."""
    if not history:
        return {day: {} for day in sorted(set(days))}
    end = max(history)
    start = end - timedelta(days=7 * HISTORY_WEEKS - 1)
    usable = {d: v for d, v in history.items() if d >= start and d not in holidays}
    handled = seconds = 0.0
    by_weekday: dict[int, list[date]] = {w: [] for w in range(7)}
    for day in sorted(usable, reverse=True):
        by_weekday[day.weekday()].append(day)
        for count, average in usable[day].values():
            handled += count
            seconds += count * average
    overall = seconds / handled if handled > 0 else default_seconds
    out: dict[date, dict[Slot, float]] = {}
    for day in _horizons(days, end):
        recent = by_weekday[day.weekday()][:AVERAGE_WEEKS]
        weights = _recency_weights(len(recent)) if recent else np.ones(0)
        sums: dict[Slot, list[float]] = {}
        for weight, past in zip(weights, recent, strict=True):
            for slot, (count, average) in usable[past].items():
                entry = sums.setdefault(slot, [0.0, 0.0, 0.0])
                entry[0] += weight * count
                entry[1] += weight * count * average
                entry[2] += count
        out[day] = {}
        for slot, (weighted, weighted_seconds, count) in sums.items():
            if count >= min_contacts and weighted > 0:
                out[day][slot] = weighted_seconds / weighted
            elif overall is not None:
                out[day][slot] = overall
    return out
