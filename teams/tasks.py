"""Roster tasks: each a few lines that call one service (JSON arguments only)."""

from celery import shared_task


@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_jitter=True, max_retries=5)
def send_invitation(*, user_id: int, invited_by_id: int) -> bool:
    from .services import roster as services

    return services.send_invitation(user_id=user_id, invited_by_id=invited_by_id)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_jitter=True, max_retries=5)
def send_password_reset(*, email: str) -> int:
    from .services import roster as services

    return services.send_password_reset(email=email)


@shared_task
def apply_retention() -> dict[str, object]:
    from . import retention

    result = retention.apply_retention()
    return {"anonymised": result.anonymised, "history_rows": result.history_rows}


# --- issue 16: training


@shared_task
def send_training_reminders() -> int:
    from .services import training

    return training.send_training_reminders()


@shared_task
def send_certification_reminders() -> int:
    from .services import training

    return training.send_certification_reminders()
