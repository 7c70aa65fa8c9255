"""Helpers for the demo seed commands."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.test import override_settings

from sdc_ops.celery import app as celery_app


@contextmanager
def nobody_emailed() -> Iterator[None]:
    """While demo data is built, nobody is emailed: the tasks it queues (published
    weeks, review steps) run in this process, not on a Celery worker with its own
    mail settings, and their mail goes to Django's dummy backend."""
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            yield
    finally:
        celery_app.conf.task_always_eager = eager
