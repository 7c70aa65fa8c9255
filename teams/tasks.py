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


# --- hiring: onboarding (daily; each site's own day; claimed, so each sent once)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_jitter=True, max_retries=5)
def send_start_date_invitations() -> int:
    from .services import onboarding as services

    return services.send_start_date_invitations()


@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_jitter=True, max_retries=5)
def send_onboarding_reminders() -> int:
    from .services import onboarding as services

    return services.send_onboarding_reminders()


# --- hiring: retention (nightly)


@shared_task
def anonymise_candidates() -> int:
    from .services import hiring_retention

    return hiring_retention.anonymise_candidates()


# --- hiring: interviews (invitations and their changes, after the commit)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_jitter=True, max_retries=5)
def send_interview_invitations(
    *, interview_id: int, sequence: int, interviewer_ids: list[int] | None = None
) -> int:
    from .services import interviews as services

    return services.send_interview_invitations(
        interview_id=interview_id, sequence=sequence, interviewer_ids=interviewer_ids
    )


@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_jitter=True, max_retries=5)
def send_interview_cancellations(
    *, invitation: dict[str, object], interviewer_ids: list[int]
) -> int:
    from .services import interviews as services

    return services.send_interview_cancellations(
        invitation=invitation, interviewer_ids=interviewer_ids
    )


@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_jitter=True, max_retries=5)
def notify_scorecards_complete(*, interview_id: int) -> bool:
    from .services import interviews as services

    return services.notify_scorecards_complete(interview_id=interview_id)


# --- hiring: requisitions


@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_jitter=True, max_retries=5)
def send_requisition_email(*, requisition_id: int, event: str) -> bool:
    from .services import requisitions as services

    return services.send_requisition_email(requisition_id=requisition_id, event=event)


# --- issue 16: training


@shared_task
def send_training_reminders() -> int:
    from .services import training

    return training.send_training_reminders()


@shared_task
def send_certification_reminders() -> int:
    from .services import training

    return training.send_certification_reminders()
