from celery import shared_task
from django.db import OperationalError

from . import services


@shared_task(
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
    acks_late=True,
    reject_on_worker_lost=True,
)
def rollup_dirty_days() -> int:
    """Recompute every KPI day marked dirty. Idempotent, so safe to run late or twice."""
    return services.rollup_dirty_days()


@shared_task(
    autoretry_for=(OperationalError,), retry_backoff=True, retry_jitter=True, max_retries=5
)
def rollup_yesterday() -> int:
    """Hourly: sites whose local day just ended get yesterday's rollups recomputed."""
    from django.utils import timezone

    return services.roll_up_yesterday(timezone.now())
