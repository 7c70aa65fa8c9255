from typing import Any

from celery import shared_task
from django.db import OperationalError
from django.urls import reverse

from teams.mail import email_people, site_url

from . import services

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


@shared_task(**ROLLUP_TASK)
def rollup_dirty_days() -> int:
    """Recompute every KPI day marked dirty. Idempotent, so safe to run late or twice."""
    return services.rollup_dirty_days()


@shared_task(**ROLLUP_TASK)
def rollup_yesterday() -> int:
    """Hourly: sites whose local day just ended get yesterday's rollups recomputed."""
    from django.utils import timezone

    return services.roll_up_yesterday(timezone.now())


# --- Review cycles ------------------------------------------------------------------


@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_jitter=True, max_retries=5)
def notify_review(*, review_id: int, event: str) -> bool:
    """Tell the associate that their review was shared, or edited after sharing; tell
    the leads that a self review is in."""
    from .models import Review

    review = (
        Review.objects.select_related("associate__user", "associate__team", "cycle")
        .filter(pk=review_id)
        .first()
    )
    if review is None:
        return False
    if event == "self_submitted":
        link = site_url(reverse("performance:review-lead", args=[review.pk]))
        return email_people(
            review.associate.team.leads.all(),
            subject=f"{review.associate} submitted their self review for {review.cycle}",
            message=f"Write your review here (due {review.cycle.lead_review_due_on:%-d %b}):"
            f"\n\n{link}\n\n— SDC Ops",
        )
    link = site_url(reverse("performance:review-detail", args=[review.pk]))
    if event == "reopened":
        subject = f"Your review for {review.cycle} was changed"
        body = (
            "Your review was changed after it had been shared with you. It is back with your "
            "manager for calibration and will be shared with you again; what changed and why "
            f"is in its history.\n\n{link}\n\n— SDC Ops"
        )
    else:
        subject = f"Your review for {review.cycle} is ready"
        body = f"Your review is ready to read and acknowledge:\n\n{link}\n\n— SDC Ops"
    return email_people([review.associate.user], subject=subject, message=body)


@shared_task(
    autoretry_for=(OSError, OperationalError), retry_backoff=True, retry_jitter=True, max_retries=5
)
def remind_review_steps() -> int:
    """Daily: self review, lead review and calibration due soon. Each reminder is
    recorded with a unique key, so running twice sends once."""
    from . import review_services

    return review_services.send_due_reminders()


@shared_task(
    autoretry_for=(OSError, OperationalError), retry_backoff=True, retry_jitter=True, max_retries=5
)
def remind_one_on_ones_tomorrow() -> int:
    """Hourly: both sides of tomorrow's 1:1s (in each site's zone, from 08:00 local).
    Each reminder is claimed with a unique row, so running twice sends once."""
    from django.utils import timezone

    from . import people_services

    return people_services.send_one_on_one_reminders(timezone.now())


@shared_task(
    autoretry_for=(OSError, OperationalError), retry_backoff=True, retry_jitter=True, max_retries=5
)
def remind_action_items_due() -> int:
    """Hourly: owners of open action items due today (site-local), once per item."""
    from django.utils import timezone

    from . import people_services

    return people_services.send_action_item_reminders(timezone.now())
