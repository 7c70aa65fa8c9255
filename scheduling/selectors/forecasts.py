"""The forecast page: per queue the method, its accuracy against seasonal naive, the next
weeks' daily contacts (with the lead's overrides) and the overrides themselves."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from teams.models import Team

from ..models import ForecastInterval, ForecastOverride, Queue, QueueForecast, monday_of
from .capacity import override_factor


@dataclass(frozen=True)
class QueueOutlook:
    queue: Queue
    forecast: QueueForecast | None
    weeks: list[tuple[dt.date, list[tuple[dt.date, float | None]]]]  # Monday, 7 days
    overrides: list[ForecastOverride]

    @property
    def scores(self) -> list[tuple[str, int]]:
        """Each method's backtest error as the page names it: ("Seasonal naive …", 40)."""
        if self.forecast is None:
            return []
        labels = dict(QueueForecast.Method.choices)
        return [
            (str(labels.get(method, method)), round(score * 100))
            for method, score in self.forecast.scores.items()
        ]


def forecast_outlook(team: Team, *, today: dt.date, weeks: int = 8) -> list[QueueOutlook]:
    """Five queries whatever the number of queues."""
    zone = team.site.zone
    queues = list(Queue.objects.active().for_team(team).select_related("skill"))
    first = monday_of(today)
    last = first + dt.timedelta(days=7 * weeks - 1)
    start = dt.datetime.combine(first, dt.time(0), tzinfo=zone)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
    overrides: dict[int, list[ForecastOverride]] = defaultdict(list)
    for override in ForecastOverride.objects.filter(queue__in=queues, on__gte=today).select_related(
        "created_by"
    ):
        overrides[override.queue_id].append(override)
    by_day: dict[tuple[int, dt.date], list[ForecastOverride]] = defaultdict(list)
    for queue_id, rules in overrides.items():
        for rule in rules:
            by_day[(queue_id, rule.on)].append(rule)
    totals: dict[tuple[int, dt.date], float] = defaultdict(float)
    for queue_id, starts_at, contacts in ForecastInterval.objects.filter(
        queue__in=queues, starts_at__gte=start, starts_at__lt=end
    ).values_list("queue_id", "starts_at", "contacts"):
        local = starts_at.astimezone(zone)
        rules = by_day.get((queue_id, local.date()), [])
        factor = 1 + override_factor(rules, local.time().replace(fold=0)) / 100
        totals[(queue_id, local.date())] += contacts * factor
    forecasts = {f.queue_id: f for f in QueueForecast.objects.filter(queue__in=queues)}
    result = []
    for queue in queues:
        rows = []
        for week in range(weeks):
            monday = first + dt.timedelta(days=7 * week)
            days = [monday + dt.timedelta(days=i) for i in range(7)]
            rows.append(
                (monday, [(d, totals.get((queue.pk, d)) if d >= today else None) for d in days])
            )
        result.append(QueueOutlook(queue, forecasts.get(queue.pk), rows, overrides[queue.pk]))
    return result
