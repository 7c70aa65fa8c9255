"""Reads of the volume history: what the upload page summarises, and the handle time
the history measures (the queue settings show it; planning uses it when a queue has
no handle time of its own)."""

import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import Count, F, Sum
from django.db.models.functions import TruncDate

from teams.models import Team

from ..intervals import local_midnight
from ..models import Queue, QueueVolume

# The history a measured handle time averages over: the forecast's longest window.
HANDLE_TIME_WEEKS = 12
SUMMARY_DAYS = 14


def measured_handle_seconds(queue_ids: Collection[int], *, since: dt.datetime) -> dict[int, float]:
    """Each queue's average handle time since `since`, weighted by contacts handled
    (intervals without a handle time are left out): one query."""
    if not queue_ids:
        return {}
    rows = (
        QueueVolume.objects.filter(
            queue_id__in=queue_ids,
            starts_at__gte=since,
            handle_time_seconds__isnull=False,
            handled__gt=0,
        )
        .values("queue_id")
        .annotate(
            seconds=Sum(F("handled") * F("handle_time_seconds")),
            contacts=Sum("handled"),
        )
        .order_by()
    )
    return {r["queue_id"]: r["seconds"] / r["contacts"] for r in rows if r["contacts"]}


@dataclass(frozen=True)
class DayFigures:
    day: dt.date
    offered: int | None  # None: nothing stored for the day
    handled: int | None
    intervals: int


@dataclass(frozen=True)
class QueueSummary:
    queue: Queue
    days: list[DayFigures]

    @property
    def offered(self) -> int:
        return sum(d.offered or 0 for d in self.days)

    @property
    def missing_days(self) -> int:
        return sum(1 for d in self.days if d.offered is None)


@dataclass(frozen=True)
class VolumeSummary:
    days: list[dt.date]
    queues: list[QueueSummary]


def recent_volumes(team: Team, *, today: dt.date, days: int = SUMMARY_DAYS) -> VolumeSummary:
    """Contacts offered and handled per queue per site-local day for the `days` days
    before `today` (the days an upload usually fills): two queries."""
    zone = team.site.zone
    first = today - dt.timedelta(days=days)
    day_list = [first + dt.timedelta(days=n) for n in range(days)]
    queues = list(Queue.objects.for_team(team).select_related("skill").order_by("name"))
    rows = (
        QueueVolume.objects.filter(
            queue__team=team,
            starts_at__gte=local_midnight(first, zone),
            starts_at__lt=local_midnight(today, zone),
        )
        .annotate(day=TruncDate("starts_at", tzinfo=zone))
        .values("queue_id", "day")
        .annotate(offered_sum=Sum("offered"), handled_sum=Sum("handled"), count=Count("pk"))
        .order_by()
    )
    figures: dict[int, dict[dt.date, DayFigures]] = defaultdict(dict)
    for row in rows:
        figures[row["queue_id"]][row["day"]] = DayFigures(
            row["day"], row["offered_sum"], row["handled_sum"], row["count"]
        )
    return VolumeSummary(
        days=day_list,
        queues=[
            QueueSummary(
                queue=queue,
                days=[figures[queue.pk].get(d, DayFigures(d, None, None, 0)) for d in day_list],
            )
            for queue in queues
        ],
    )
