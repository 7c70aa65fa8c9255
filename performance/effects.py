"""The measured effect of a trial: difference in differences with a bootstrap
interval (pure: plain numbers in, numbers and words out; no Django).

Each day of a group is a pair (numerator, denominator) whose sums over any set of
days give the KPI's period figure as the dashboards compute it: Σ numerator /
Σ denominator (count and sum: total / associate-days; mean: sum of values / events;
ratio: exact; median and p90: sum of daily figures / days). A day whose denominator
is not above 0 has no figure and is left out.

effect = (during − before) of the pilot − (during − before) of the comparison
(or the pilot's change alone without one). The 90 % interval resamples days with
replacement within each of the four cells (B = 2,000, a fixed seed: the same figures
always give the same interval) and takes the 5th and 95th percentiles.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

Day = tuple[float, float]  # (numerator, denominator)

RESAMPLES = 2_000
SEED = 16
MIN_DAYS = 7
LIKELY_REAL = "likely real"
NOISE = "could be noise"
WRONG_WAY = "moved the wrong way"


def usable(days: Sequence[Day]) -> list[Day]:
    return [(n, d) for n, d in days if d > 0]


def period_value(days: Sequence[Day]) -> float | None:
    days = usable(days)
    if not days:
        return None
    return sum(n for n, _ in days) / sum(d for _, d in days)


@dataclass(frozen=True)
class Cell:
    group: str  # "pilot" or "comparison"
    side: str  # "before" or "during"
    value: float | None
    days: int  # days with figures


@dataclass(frozen=True)
class Measure:
    pilot_before: Cell
    pilot_during: Cell
    comparison_before: Cell | None
    comparison_during: Cell | None
    pilot_change: float | None
    comparison_change: float | None
    effect: float | None
    low: float | None = None
    high: float | None = None
    verdict: str = ""  # LIKELY_REAL, NOISE or WRONG_WAY when there is an interval
    reason: str = ""  # why there is no interval (or no effect at all)

    @property
    def has_comparison(self) -> bool:
        return self.comparison_before is not None

    @property
    def has_interval(self) -> bool:
        return self.low is not None and self.high is not None


def _change(before: float | None, during: float | None) -> float | None:
    return None if before is None or during is None else during - before


def _resampled(days: list[Day], rng: np.random.Generator, resamples: int) -> np.ndarray:
    numerators = np.array([n for n, _ in days], dtype=float)
    denominators = np.array([d for _, d in days], dtype=float)
    picks = rng.integers(0, len(days), size=(resamples, len(days)))
    result: np.ndarray = numerators[picks].sum(axis=1) / denominators[picks].sum(axis=1)
    return result


def verdict_of(low: float, high: float, expected_up: bool) -> str:
    """Likely real when the interval leaves out 0 on the expected side, the wrong way
    when it leaves it out on the other side, else noise."""
    if low > 0:
        return LIKELY_REAL if expected_up else WRONG_WAY
    if high < 0:
        return WRONG_WAY if expected_up else LIKELY_REAL
    return NOISE


def measure(
    pilot_before: Sequence[Day],
    pilot_during: Sequence[Day],
    comparison_before: Sequence[Day] | None = None,
    comparison_during: Sequence[Day] | None = None,
    *,
    expected_up: bool,
    resamples: int = RESAMPLES,
    seed: int = SEED,
    min_days: int = MIN_DAYS,
) -> Measure:
    """The effect of a trial on its KPI; `comparison_*` None: no comparison group."""
    groups = [("pilot", usable(pilot_before), usable(pilot_during))]
    if comparison_before is not None and comparison_during is not None:
        groups.append(("comparison", usable(comparison_before), usable(comparison_during)))
    cells = {
        (group, side): Cell(group, side, period_value(days), len(days))
        for group, before, during in groups
        for side, days in (("before", before), ("during", during))
    }
    pilot_change = _change(cells["pilot", "before"].value, cells["pilot", "during"].value)
    comparison_change = None
    effect = pilot_change
    if len(groups) == 2:
        comparison_change = _change(
            cells["comparison", "before"].value, cells["comparison", "during"].value
        )
        effect = (
            None
            if pilot_change is None or comparison_change is None
            else (pilot_change - comparison_change)
        )
    common = {
        "pilot_before": cells["pilot", "before"],
        "pilot_during": cells["pilot", "during"],
        "comparison_before": cells.get(("comparison", "before")),
        "comparison_during": cells.get(("comparison", "during")),
        "pilot_change": pilot_change,
        "comparison_change": comparison_change,
        "effect": effect,
    }
    short = [cell for cell in cells.values() if cell.days < min_days]
    if short:
        reason = "; ".join(
            f"the {cell.group} has {_days(cell.days)} with figures {cell.side} the trial"
            for cell in short
        )
        return Measure(
            **common,  # type: ignore[arg-type]
            reason=f"No interval yet: {reason} ({min_days} are needed on each side).",
        )
    rng = np.random.default_rng(seed)
    samples = {
        key: _resampled(days, rng, resamples)
        for (group, before, during) in groups
        for key, days in (((group, "before"), before), ((group, "during"), during))
    }
    draws = samples["pilot", "during"] - samples["pilot", "before"]
    if len(groups) == 2:
        draws = draws - (samples["comparison", "during"] - samples["comparison", "before"])
    low, high = (float(v) for v in np.percentile(draws, [5, 95]))
    return Measure(
        **common,  # type: ignore[arg-type]
        low=low,
        high=high,
        verdict=verdict_of(low, high, expected_up),
    )


def _days(count: int) -> str:
    return f"{count} day{'' if count == 1 else 's'}"


def _moved(change: float, show: Callable[[float], str]) -> str:
    if change > 0:
        return f"rose {show(change)}"
    if change < 0:
        return f"fell {show(-change)}"
    return "did not move"


def _span(low: float, high: float, show: Callable[[float], str]) -> str:
    """ "0.6–3.0", or "−0.5 to 1.3" where a bound is below zero (a true minus sign)."""

    def signed(value: float) -> str:
        return ("−" if value < 0 else "") + show(abs(value))

    if low >= 0:
        return f"{show(low)}–{show(high)}"
    return f"{signed(low)} to {signed(high)}"


def sentence(
    result: Measure,
    *,
    name: str,
    number: Callable[[float], str],
    unit: str = "",
    comparison: str = "",
) -> str:
    """The effect in one plain sentence, e.g. "First response time (p90) fell 1.8 min
    against a fall of 0.2 min in Connect Onboarding: 1.6 min lower (90 % interval
    0.6–3.0): likely real". `number` writes a magnitude (no sign, no unit)."""

    def show(value: float) -> str:
        return f"{number(value)} {unit}".strip()

    if result.pilot_change is None:
        return f"{name}: no figures for the pilot {_missing(result, 'pilot')} the trial yet."
    text = f"{name} {_moved(result.pilot_change, show)}"
    effect = result.effect
    if result.has_comparison:
        if result.comparison_change is None or effect is None:
            return (
                f"{text}; {comparison or 'the comparison team'} has no figures "
                f"{_missing(result, 'comparison')} the trial, so nothing to compare with."
            )
        moved = result.comparison_change
        their = (
            f"a rise of {show(moved)}"
            if moved > 0
            else f"a fall of {show(-moved)}"
            if moved < 0
            else "no change"
        )
        text += f" against {their} in {comparison}"
        word = "higher" if effect > 0 else "lower"
        sign = 1 if effect >= 0 else -1
        text += f": {show(abs(effect))} {word}" if effect else ": no difference"
    else:
        sign = 1 if effect is not None and effect >= 0 else -1
    if not result.has_interval:
        return f"{text}. {result.reason}"
    low, high = sorted((sign * (result.low or 0.0), sign * (result.high or 0.0)))
    text += f" (90 % interval {_span(low, high, number)}): {result.verdict}"
    if not result.has_comparison:
        text += " (no comparison team: it may have moved anyway)"
    return text


def _missing(result: Measure, group: str) -> str:
    before = result.pilot_before if group == "pilot" else result.comparison_before
    return "before" if before is not None and before.value is None else "during"
