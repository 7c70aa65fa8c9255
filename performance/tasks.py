"""Celery tasks of the performance app: each takes JSON values and calls one
service, imported inside the body (services import this module to enqueue)."""

from typing import Any

from celery import shared_task
from django.db import OperationalError

# A rollup retries with backoff when the database is unavailable, and goes back to
# the queue if its worker dies mid-day (each day is one transaction, so rerunning
# is safe).
ROLLUP_TASK: dict[str, Any] = {
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "retry_jitter": True,
    "max_retries": 5,
    "acks_late": True,
    "reject_on_worker_lost": True,
}
# E-mail retries when the mail server or the database is briefly unavailable; each
# reminder is claimed once (a unique row), so a retry never sends twice.
MAIL_TASK: dict[str, Any] = {
    "autoretry_for": (OSError, OperationalError),
    "retry_backoff": True,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task(**ROLLUP_TASK)
def rollup_dirty_days() -> int:
    """Recompute every KPI day marked dirty. Idempotent, so safe to run late or twice."""
    from .services import rollups

    return rollups.rollup_dirty_days()


@shared_task(**ROLLUP_TASK)
def rollup_yesterday() -> int:
    """Hourly: sites whose local day just ended get yesterday's rollups recomputed."""
    from django.utils import timezone

    from .services import rollups

    return rollups.roll_up_yesterday(timezone.now())


@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_jitter=True, max_retries=5)
def notify_review(*, review_id: int, event: str) -> bool:
    """Tell the associate that their review was shared, or edited after sharing; tell
    the leads that a self review is in."""
    from .services import reviews

    return reviews.notify(review_id=review_id, event=event)


@shared_task(**MAIL_TASK)
def remind_review_steps() -> int:
    """Daily: self review, lead review and calibration due soon (each site's local
    day). Each reminder is recorded with a unique key, so running twice sends once."""
    from django.utils import timezone

    from .services import reviews

    return reviews.send_due_reminders(timezone.now())


@shared_task(**MAIL_TASK)
def remind_one_on_ones_tomorrow() -> int:
    """Hourly: both sides of tomorrow's 1:1s (in each site's zone, from 08:00 local).
    Each reminder is claimed with a unique row, so running twice sends once."""
    from django.utils import timezone

    from .services import one_on_ones

    return one_on_ones.send_one_on_one_reminders(timezone.now())


@shared_task(**MAIL_TASK)
def remind_action_items_due() -> int:
    """Hourly: owners of open action items due today (site-local), once per item."""
    from django.utils import timezone

    from .services import one_on_ones

    return one_on_ones.send_action_item_reminders(timezone.now())


# issue 16: pulse
@shared_task(**MAIL_TASK)
def run_pulse_rounds() -> dict[str, int]:
    """Hourly: each team's pulse rounds on its site's local day (open when due, close
    after a week, remind once mid-round). Idempotent, so running twice does nothing more."""
    from django.utils import timezone

    from .services import pulse

    return pulse.run_pulse_rounds(timezone.now())
