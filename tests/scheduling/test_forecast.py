"""Forecasting contacts per queue per interval (scheduling/forecast.py): each method
recovers a known weekly x intraday shape, the backtest picks the better method,
holidays are left out of the fit and dip the forecast, overrides touch only their
day and slots, and too little history is refused."""

import math
from datetime import date, time, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduling import forecast as fc
from scheduling.forecast import Method, NotEnoughHistory

MONDAY = date(2027, 1, 4)
SLOTS = [time(9), time(9, 30), time(10), time(10, 30), time(11), time(11, 30)]
WEEKDAY = [1.2, 1.0, 1.05, 0.95, 0.9, 0.5, 0.35]  # Monday first
INTRADAY = [0.6, 1.0, 1.4, 1.2, 0.9, 0.7]
LEVEL = 40.0


def mean(day, growth_per_day=0.0, first=MONDAY):
    """The true contacts per slot of a day: level x weekday x intraday x trend."""
    trend = 1 + growth_per_day * (day - first).days
    return {
        s: LEVEL * WEEKDAY[day.weekday()] * f * trend for s, f in zip(SLOTS, INTRADAY, strict=True)
    }


def history(weeks, growth_per_day=0.0, noise_seed=None, first=MONDAY, scale=1.0):
    """Noise-free, or Poisson draws around the truth with `noise_seed`; `scale`
    multiplies the volume (more contacts, less relative noise)."""
    rng = np.random.default_rng(noise_seed) if noise_seed is not None else None
    made = {}
    for n in range(7 * weeks):
        day = first + timedelta(days=n)
        truth = {s: v * scale for s, v in mean(day, growth_per_day, first).items()}
        made[day] = {s: float(rng.poisson(v)) if rng else v for s, v in truth.items()}
    return made


def days_after(past, count, skip=0):
    end = max(past)
    return [end + timedelta(days=skip + n) for n in range(1, count + 1)]


def total(days_forecast, days):
    return sum(sum(days_forecast[d].values()) for d in days)


@pytest.mark.parametrize("method", list(Method))
def test_each_method_recovers_a_noise_free_weekly_and_intraday_shape(method):
    past = history(weeks=8)
    ahead = days_after(past, 14)
    made = fc.forecast_method(past, ahead, set(), method)
    assert list(made.days) == ahead
    for day in ahead:
        assert list(made.days[day]) == SLOTS
        for slot, expected in mean(day).items():
            assert made.days[day][slot] == pytest.approx(expected, rel=1e-3)


def test_with_a_trend_the_trend_aware_methods_follow_it_and_naive_stays_behind():
    growth = 0.004  # +2.8 % a week
    past = history(weeks=12, growth_per_day=growth)
    last_week = days_after(past, 7, skip=21)  # the fourth week ahead
    truth = sum(sum(mean(d, growth).values()) for d in last_week)
    result = fc.forecast(past, days_after(past, 28))
    averaged = total(result.forecasts[Method.WEIGHTED_AVERAGE].days, last_week)
    smoothed = total(result.forecasts[Method.HOLT_WINTERS].days, last_week)
    naive = total(result.forecasts[Method.SEASONAL_NAIVE].days, last_week)
    assert averaged == pytest.approx(truth, rel=1e-3)
    assert smoothed == pytest.approx(truth, rel=0.01)
    # Naive repeats the last week of the history: four weeks of growth behind.
    behind = sum(sum(mean(d - timedelta(days=28), growth).values()) for d in last_week)
    assert naive == pytest.approx(behind)
    assert naive < 0.93 * truth
    tuesday = next(d for d in last_week if d.weekday() == 1)
    assert result.forecasts[Method.WEIGHTED_AVERAGE].day_basis[tuesday] == (
        "average of the last 6 Tuesdays, +14 % trend"
    )
    assert result.forecasts[Method.SEASONAL_NAIVE].day_basis[tuesday] == "same as Tue 23 Mar"


def test_the_backtest_chooses_a_trend_method_when_volume_grows():
    past = history(weeks=12, growth_per_day=0.01, noise_seed=1, scale=20)
    result = fc.forecast(past, days_after(past, 14))
    assert len(result.backtest.origins) == 4
    assert result.backtest.origins[-1] == max(past) - timedelta(days=7)
    means = result.backtest.mean_wmape
    assert result.chosen != Method.SEASONAL_NAIVE
    assert means[result.chosen] == min(means.values())
    assert means[Method.SEASONAL_NAIVE] > 1.5 * means[result.chosen]
    assert "seasonal naive" in result.accuracy
    assert result.best is result.forecasts[result.chosen]


def test_the_backtest_chooses_naive_when_the_level_has_just_jumped():
    """Volume doubled five weeks ago: the last week repeats exactly, while a 6-week
    average still remembers the old level."""
    past = history(weeks=12)
    jump = max(past) - timedelta(days=34)
    past = {
        d: {s: v * (2 if d >= jump else 1) for s, v in slots.items()} for d, slots in past.items()
    }
    result = fc.forecast(past, days_after(past, 7))
    means = result.backtest.mean_wmape
    assert result.chosen == Method.SEASONAL_NAIVE
    assert means[Method.SEASONAL_NAIVE] == pytest.approx(0.0, abs=1e-9)
    assert means[Method.WEIGHTED_AVERAGE] > 0.05
    assert result.accuracy == "Seasonal naive: 0.0% average error over the last 4 weeks"


@pytest.mark.parametrize(("weeks", "origins"), [(2, 0), (3, 1), (5, 3), (16, 4)])
def test_the_backtest_uses_as_many_origins_as_the_history_allows(weeks, origins):
    past = history(weeks=weeks, growth_per_day=0.002, noise_seed=3)
    result = fc.forecast(past, days_after(past, 7))
    assert len(result.backtest.origins) == origins
    assert all(len(scores) == origins for scores in result.backtest.wmape.values())
    if origins == 0:
        assert result.chosen == Method.WEIGHTED_AVERAGE
        assert result.notes == ["too little history to backtest: Weighted average chosen"]
        assert "no backtest yet" in result.accuracy
    # At most 12 weeks are fitted, however long the history.
    assert (result.history_to - result.history_from).days + 1 == 7 * min(weeks, 12)


def test_holidays_are_left_out_of_the_fit_and_dip_the_forecast():
    past = history(weeks=8)
    # Two Tuesdays in the history were holidays at 30 % of a normal day, the
    # latest of them the last Tuesday of the history.
    tuesdays = [d for d in past if d.weekday() == 1]
    holidays = {tuesdays[2], tuesdays[-1]}
    for day in holidays:
        past[day] = {s: v * 0.3 for s, v in past[day].items()}
    ahead = days_after(past, 14)
    next_tuesday, holiday_ahead = [d for d in ahead if d.weekday() == 1]
    holidays.add(holiday_ahead)
    result = fc.forecast(past, ahead, holidays)
    assert result.holiday_factor == pytest.approx(0.3)
    assert (
        result.holiday_basis == "holidays are taken as 30% of a normal day, as on 2 past holidays"
    )
    for method, made in result.forecasts.items():
        for slot, expected in mean(next_tuesday).items():
            assert made.days[next_tuesday][slot] == pytest.approx(expected, rel=2e-3), method
            assert made.days[holiday_ahead][slot] == pytest.approx(0.3 * expected, rel=2e-3)
        assert made.day_basis[holiday_ahead].endswith("; holiday × 0.30")
    # Naive skips the holiday and repeats the Tuesday before it.
    assert result.forecasts[Method.SEASONAL_NAIVE].day_basis[next_tuesday] == (
        f"same as Tue {tuesdays[-2].day} {tuesdays[-2]:%b}"
    )
    # Holidays are not scored in the backtest: every method is exact on the rest.
    assert max(result.backtest.mean_wmape.values()) < 1e-3


def test_without_a_past_holiday_a_holiday_ahead_is_half_a_normal_day():
    past = history(weeks=4)
    ahead = days_after(past, 3)
    result = fc.forecast(past, ahead, {ahead[1]})
    assert result.holiday_factor == fc.DEFAULT_HOLIDAY_FACTOR == 0.5
    assert result.holiday_basis.startswith("no past holiday in the history")
    made = result.forecasts[Method.WEIGHTED_AVERAGE].days
    assert sum(made[ahead[1]].values()) == pytest.approx(0.5 * sum(mean(ahead[1]).values()))
    assert sum(made[ahead[0]].values()) == pytest.approx(sum(mean(ahead[0]).values()))


def test_a_weekday_the_queue_never_opens_is_forecast_as_an_empty_day():
    past = {d: slots for d, slots in history(weeks=4).items() if d.weekday() != 6}
    # Saturdays open only the first three slots.
    for day in past:
        if day.weekday() == 5:
            past[day] = {s: v for s, v in past[day].items() if s < time(10, 30)}
    ahead = days_after(past, 7)  # history ends on a Saturday: Sunday to Saturday
    result = fc.forecast(past, ahead)
    for made in result.forecasts.values():
        by_weekday = {d.weekday(): made.days[d] for d in ahead}
        assert by_weekday[6] == {}
        assert list(by_weekday[5]) == SLOTS[:3]
        assert list(by_weekday[0]) == SLOTS
    assert result.forecasts[Method.SEASONAL_NAIVE].day_basis[ahead[0]] == "no Sunday in the history"


def test_too_little_history_is_refused_with_a_clear_message():
    short = {d: s for d, s in history(weeks=2).items() if d > MONDAY}
    with pytest.raises(NotEnoughHistory, match=r"Only 13 days of history \(2027-01-05 to"):
        fc.forecast(short, days_after(short, 7))
    with pytest.raises(NotEnoughHistory, match="at least 14"):
        fc.forecast_method(short, days_after(short, 7), set(), Method.HOLT_WINTERS)
    with pytest.raises(NotEnoughHistory, match="no history yet"):
        fc.forecast({}, [MONDAY])


def test_bad_volumes_and_days_outside_the_horizon_are_refused():
    past = history(weeks=2)
    end = max(past)
    with pytest.raises(ValueError, match="not within 70 days after the history"):
        fc.forecast(past, [end])
    with pytest.raises(ValueError, match="not within 70 days after the history"):
        fc.forecast(past, [end + timedelta(days=71)])
    past[end] = {SLOTS[0]: -1.0}
    with pytest.raises(ValueError, match="must be finite, not negative"):
        fc.forecast(past, [end + timedelta(days=1)])


def test_the_same_history_gives_the_same_forecast():
    past = history(weeks=6, growth_per_day=0.003, noise_seed=5)
    ahead = days_after(past, 10)
    assert fc.forecast(past, ahead) == fc.forecast(past, ahead)


def test_handle_time_is_a_weighted_average_per_weekday_and_slot_with_a_fallback():
    past = {}
    for n in range(28):
        day = MONDAY + timedelta(days=n)
        # 09:00 is handled in 300 s on Mondays, 200 s otherwise; 09:30 sees 2 contacts.
        seconds = 300.0 if day.weekday() == 0 else 200.0
        past[day] = {time(9): (20.0, seconds), time(9, 30): (2.0, 1000.0)}
    ahead = days_after(past, 2)  # a Monday and a Tuesday
    made = fc.forecast_handle_time(past, ahead)
    overall = (4 * 20 * 300 + 24 * 20 * 200 + 28 * 2 * 1000) / (28 * 22)
    assert made[ahead[0]] == {time(9): pytest.approx(300.0), time(9, 30): pytest.approx(overall)}
    assert made[ahead[1]][time(9)] == pytest.approx(200.0)
    # Recent weeks weigh more: a Monday that got slower shows it.
    past[ahead[0] - timedelta(days=7)][time(9)] = (20.0, 600.0)
    slower = fc.forecast_handle_time(past, ahead)[ahead[0]][time(9)]
    assert 300 + 300 / 4 < slower < 600
    empty = {d: {time(9): (0.0, 0.0)} for d in past}
    assert fc.forecast_handle_time(empty, ahead, default_seconds=420) == {
        ahead[0]: {time(9): 420},
        ahead[1]: {time(9): 420},
    }


@settings(max_examples=15, deadline=None)
@given(
    weeks=st.integers(min_value=2, max_value=6),
    volumes=st.lists(st.floats(min_value=0, max_value=5000), min_size=1, max_size=60),
    holiday_days=st.sets(st.integers(min_value=0, max_value=41), max_size=5),
    ahead=st.integers(min_value=1, max_value=56),
)
def test_forecasts_are_finite_and_never_negative(weeks, volumes, holiday_days, ahead):
    past = {}
    for n in range(7 * weeks):
        values = [volumes[(n * 3 + i) % len(volumes)] for i in range(3)]
        past[MONDAY + timedelta(days=n)] = dict(zip(SLOTS[:3], values, strict=True))
    holidays = {MONDAY + timedelta(days=n) for n in holiday_days}
    days = days_after(past, ahead)
    holidays.add(days[-1])
    result = fc.forecast(past, days, holidays)
    for made in result.forecasts.values():
        assert set(made.days) == set(days)
        for slots in made.days.values():
            assert all(math.isfinite(v) and v >= 0 for v in slots.values())
    assert all(math.isfinite(s) for scores in result.backtest.wmape.values() for s in scores)
