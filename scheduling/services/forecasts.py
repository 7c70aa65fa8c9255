"""Forecast writes: refreshing a queue's forecast from its volume history (nightly, per
site after its local midnight, idempotent) and the lead's overrides (audited).

The arithmetic is `scheduling.forecast` (pure); this module turns UTC intervals into
the site-local days and wall-clock slots it works on and back. On a fall-back night the
repeated hour's two intervals share a slot: history averages them, and the forecast
gives both the slot's figure. On a spring-forward night the skipped slots have no
interval and are dropped.
"""

import datetime as dt
import logging
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from teams import audit
from teams.models import AuditEvent, Site, User

from .. import forecast as engine
from ..intervals import day_intervals
from ..models import (
    ForecastInterval,
    ForecastOverride,
    PublicHoliday,
    Queue,
    QueueForecast,
    QueueVolume,
)

logger = logging.getLogger(__name__)

FORECAST_WEEKS = 8
# The backtest's four origins each get a full 12-week window.
HISTORY_WEEKS = engine.HISTORY_WEEKS + engine.BACKTEST_WEEKS
# Older holidays still teach the holiday factor.
HOLIDAY_HISTORY_DAYS = 366


class ForecastUnavailable(Exception):
    """Why a queue has no forecast (too little history): the message says so."""


def _history(
    queue: Queue, since: dt.date, until: dt.date
) -> tuple[dict[dt.date, dict[dt.time, float]], dict[dt.date, dict[dt.time, tuple[float, float]]]]:
    zone = queue.team.site.zone
    start = dt.datetime.combine(since, dt.time(0), tzinfo=zone)
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
    offered: dict[dt.date, dict[dt.time, list[float]]] = defaultdict(lambda: defaultdict(list))
    handled: dict[dt.date, dict[dt.time, list[tuple[float, float]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    rows = QueueVolume.objects.filter(
        queue=queue, starts_at__gte=start, starts_at__lt=end
    ).values_list("starts_at", "offered", "handled", "handle_time_seconds")
    for starts_at, count, done, aht in rows:
        local = starts_at.astimezone(zone)
        slot = local.time().replace(fold=0)
        offered[local.date()][slot].append(float(count))
        if aht:
            handled[local.date()][slot].append((float(done), float(aht)))
    volume = {d: {s: sum(v) / len(v) for s, v in slots.items()} for d, slots in offered.items()}
    handle = {
        d: {
            s: (
                sum(c for c, _a in v) / len(v),
                sum(c * a for c, a in v) / max(sum(c for c, _a in v), 1e-9),
            )
            for s, v in slots.items()
        }
        for d, slots in handled.items()
    }
    return volume, handle


@transaction.atomic
def refresh_queue_forecast(*, queue: Queue, today: dt.date | None = None) -> QueueForecast:
    """Forecast the queue's next FORECAST_WEEKS weeks from today (site-local) and replace
    its stored forecast. Running it again on the same day with the same history writes
    the same rows. Raises ForecastUnavailable with too little history (and leaves any
    earlier forecast as it was)."""
    queue = Queue.objects.select_for_update().select_related("team__site").get(pk=queue.pk)
    site = queue.team.site
    today = today or site.local_today()
    yesterday = today - dt.timedelta(days=1)
    volume, handle = _history(
        queue, yesterday - dt.timedelta(days=7 * HISTORY_WEEKS - 1), yesterday
    )
    days = [today + dt.timedelta(days=i) for i in range(7 * FORECAST_WEEKS)]
    holidays = set(
        PublicHoliday.objects.filter(
            site=site, on__gte=today - dt.timedelta(days=HOLIDAY_HISTORY_DAYS), on__lte=days[-1]
        ).values_list("on", flat=True)
    )
    if volume:
        # Days with no rows at all between the first and the last are days the queue
        # was closed: zero contacts, not missing data.
        first = min(volume)
        for offset in range((yesterday - first).days + 1):
            volume.setdefault(first + dt.timedelta(days=offset), {})
    try:
        result = engine.forecast(volume, days, holidays)
    except engine.NotEnoughHistory as error:
        raise ForecastUnavailable(str(error)) from error
    best = result.best
    handle_times = engine.forecast_handle_time(
        handle, days, holidays, default_seconds=queue.handle_time_seconds
    )
    rows = []
    for day in days:
        slots = best.days.get(day, {})
        times = handle_times.get(day, {})
        for interval in day_intervals(day, site.zone, queue.interval_minutes):
            contacts = slots.get(interval.local_time)
            if contacts is None:
                continue
            aht = times.get(interval.local_time) or queue.handle_time_seconds
            rows.append(
                ForecastInterval(
                    queue=queue,
                    starts_at=interval.starts_at,
                    contacts=round(contacts, 3),
                    handle_time_seconds=float(aht or Queue.DEFAULT_HANDLE_SECONDS),
                )
            )
    first_instant = day_intervals(today, site.zone, queue.interval_minutes)[0].starts_at
    ForecastInterval.objects.filter(queue=queue, starts_at__gte=first_instant).delete()
    ForecastInterval.objects.bulk_create(rows, batch_size=2000)
    means = result.backtest.mean_wmape
    saved, _created = QueueForecast.objects.update_or_create(
        queue=queue,
        defaults={
            "made_at": timezone.now(),
            "made_for": today,
            "method": str(result.chosen),
            "basis": best.basis[:300],
            "wmape": means.get(result.chosen),
            "naive_wmape": means.get(engine.Method.SEASONAL_NAIVE),
            "history_days": (result.history_to - result.history_from).days + 1,
            "first_day": days[0],
            "last_day": days[-1],
            "scores": {str(m): round(v, 4) for m, v in means.items()},
            "day_basis": {d.isoformat(): text for d, text in best.day_basis.items()},
            "notes": [*result.notes, result.holiday_basis],
        },
    )
    return saved


def refresh_site_forecasts(*, site: Site, force: bool = False) -> dict[str, int]:
    """Refresh every active queue of the site not yet refreshed today (site-local): the
    hourly sweep calls it for every site, so each is refreshed once after its own
    midnight; a repeat the same day does nothing. One queue failing does not stop the
    others."""
    today = site.local_today()
    counts = {"refreshed": 0, "skipped": 0, "unavailable": 0}
    queues = Queue.objects.active().filter(team__site=site).select_related("forecast")
    for queue in queues:
        made = getattr(queue, "forecast", None)
        if not force and made is not None and made.made_for >= today:
            counts["skipped"] += 1
            continue
        try:
            refresh_queue_forecast(queue=queue, today=today)
        except ForecastUnavailable as error:
            counts["unavailable"] += 1
            logger.info("No forecast for queue %s: %s", queue.pk, error)
        else:
            counts["refreshed"] += 1
    return counts


def refresh_all_forecasts() -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for site in Site.objects.filter(teams__queues__is_active=True).distinct():
        for key, value in refresh_site_forecasts(site=site).items():
            totals[key] += value
    return dict(totals)


# --- overrides ----------------------------------------------------------------------------


@transaction.atomic
def add_override(
    *,
    actor: User,
    queue: Queue,
    on: dt.date,
    percent: int,
    reason: str,
    starts_at: dt.time | None = None,
    ends_at: dt.time | None = None,
) -> ForecastOverride:
    override = ForecastOverride(
        queue=queue,
        on=on,
        starts_at=starts_at,
        ends_at=ends_at,
        percent=percent,
        reason=reason,
        created_by=actor,
    )
    override.full_clean()
    override.save()
    audit.record(
        action=AuditEvent.Action.FORECAST_OVERRIDDEN,
        actor=actor,
        target=override,
        team=queue.team,
        details={"queue": queue.name, "on": on.isoformat(), "percent": percent},
    )
    return override


@transaction.atomic
def remove_override(*, actor: User, override: ForecastOverride) -> None:
    audit.record(
        action=AuditEvent.Action.FORECAST_OVERRIDE_REMOVED,
        actor=actor,
        target=override,
        team=override.queue.team,
        details={"queue": override.queue.name, "on": override.on.isoformat()},
    )
    override.delete()
