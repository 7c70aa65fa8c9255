import functools
import logging
import os
from typing import Any

from celery import Celery
from django.db import transaction
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import RedisError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sdc_ops.settings")

app = Celery("sdc_ops")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger("sdc_ops.tasks")


def enqueue_on_commit(task: Any, **kwargs: Any) -> None:
    """Queue `task` with `kwargs` once the current transaction commits.

    The write has committed by then, so a broker that is down or frozen must not
    turn it into an error for the user: the failure is logged and the work is left
    to the periodic sweeps (dirty KPI days, daily reminders), which find it again.
    Only such broker errors are caught: a bug in an eager task (the demo, tests)
    still surfaces.
    """
    transaction.on_commit(functools.partial(_send, task, kwargs))


def _send(task: Any, kwargs: dict[str, Any]) -> None:
    try:
        task.delay(**kwargs)
    except (BrokerError, RedisError, OSError):  # the broker unreachable, refusing, frozen
        logger.exception(
            "could not queue %s %s; the periodic sweep will pick it up", task.name, kwargs
        )
