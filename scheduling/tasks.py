"""Celery tasks: each takes JSON values and calls one service or notification.

Services enqueue these on commit; the tasks import their service inside the body,
so the import points one way (services -> tasks) and no task holds business logic.
"""

import datetime as dt

from celery import shared_task


@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_jitter=True, max_retries=5)
def send_week_summary(*, associate_id: int, monday: str, is_change: bool) -> bool:
    from .notifications import send_week_summary as send

    return send(
        associate_id=associate_id, monday=dt.date.fromisoformat(monday), is_change=is_change
    )


@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_jitter=True, max_retries=5)
def notify_time_off(*, request_id: int, event: str) -> bool:
    from .notifications import notify_time_off as send

    return send(request_id=request_id, event=event)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_jitter=True, max_retries=5)
def notify_swap(*, swap_id: int, event: str) -> bool:
    from .notifications import notify_swap as send

    return send(swap_id=swap_id, event=event)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_jitter=True, max_retries=5)
def notify_rota_draft(*, proposal_id: int) -> bool:
    from .notifications import notify_rota_draft as send

    return send(proposal_id=proposal_id)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_jitter=True, max_retries=3)
def sync_holidays() -> int:
    """Yearly-ish: this and next year's public holidays for every site."""
    from .services.calendar import sync_all_public_holidays

    return sync_all_public_holidays()


@shared_task
def draft_weekend_rotas() -> list[int]:
    """Weekly: draft next period's rota where a team has none (each site's own today)."""
    from .services.rota import draft_rotas

    return draft_rotas()


@shared_task
def expire_past_swaps() -> tuple[int, int]:
    """Daily: open swaps and board offers whose day has passed are closed."""
    from .services.swaps import expire_past_swaps as expire

    return expire()


@shared_task
def settle_comp_days() -> tuple[int, int]:
    """Daily: past comp days become taken, overdue ones expire (each site's own today)."""
    from .services.comp_days import settle_comp_days as settle

    return settle()


@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_jitter=True, max_retries=5)
def remind_expiring_comp_days(days: int = 7) -> int:
    """Daily: remind people of unscheduled comp days that expire within `days`."""
    from .services.comp_days import remind_expiring_comp_days as remind

    return remind(days=days)


@shared_task
def refresh_forecasts() -> dict[str, int]:
    """Hourly: each site's queues are forecast once after the site's local midnight;
    later runs that day skip them (idempotent)."""
    from .services.forecasts import refresh_all_forecasts

    return refresh_all_forecasts()
