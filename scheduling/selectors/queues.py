"""A team's queues as the settings page lists them: each target as the lead says it
and the handle time planning uses (set, measured from history, or the default)."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from teams.models import Team

from ..models import Queue
from .volumes import HANDLE_TIME_WEEKS, measured_handle_seconds


def duration_label(seconds: float) -> str:
    """45 s, 6 min, 5 min 48 s, 1 h 5 min: a handle time as people say it."""
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        minutes, rest = divmod(whole, 60)
        return f"{minutes} min {rest} s" if rest else f"{minutes} min"
    hours, rest = divmod(whole, 3600)
    minutes = round(rest / 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


@dataclass(frozen=True)
class QueueRow:
    queue: Queue
    measured_seconds: float | None  # the volume history's average, if it has one

    @property
    def is_from_history(self) -> bool:
        return self.queue.handle_time_seconds is None

    @property
    def planned_seconds(self) -> float:
        """The handle time the queue is planned with."""
        if self.queue.handle_time_seconds is not None:
            return self.queue.handle_time_seconds
        if self.measured_seconds is not None:
            return self.measured_seconds
        return Queue.DEFAULT_HANDLE_SECONDS

    @property
    def handle_time_label(self) -> str:
        if self.queue.handle_time_seconds is not None:
            return duration_label(self.queue.handle_time_seconds)
        if self.measured_seconds is not None:
            return f"from history: {duration_label(self.measured_seconds)}"
        return (
            f"from history: none yet, planned with {duration_label(Queue.DEFAULT_HANDLE_SECONDS)}"
        )

    @property
    def measured_label(self) -> str:
        """The history's average beside a handle time that was set ("" when there is
        none, or when the handle time already is the history's)."""
        if self.measured_seconds is None or self.is_from_history:
            return ""
        return f"history: {duration_label(self.measured_seconds)}"


def queue_rows(team: Team, *, now: dt.datetime | None = None) -> list[QueueRow]:
    """The team's queues, active first, with the handle time their history measures
    over the last HANDLE_TIME_WEEKS weeks: two queries."""
    now = now or timezone.now()
    queues = list(
        Queue.objects.for_team(team).select_related("skill").order_by("-is_active", "name")
    )
    measured = measured_handle_seconds(
        [q.pk for q in queues], since=now - dt.timedelta(weeks=HANDLE_TIME_WEEKS)
    )
    return [QueueRow(queue=q, measured_seconds=measured.get(q.pk)) for q in queues]
