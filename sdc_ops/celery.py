import functools
import logging
import os
from typing import Any

from celery import Celery
from django.db import transaction
from kombu.exceptions import OperationalError as BrokerError
from kombu.transport import redis as redis_transport
from redis.exceptions import ConnectionError as RedisConnectionError
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


def _a_released_transport_is_a_lost_connection() -> None:
    """Celery 5.7.0's worker closes the broker connection a second time after it drops
    (https://github.com/celery/celery/pull/10242). The redis transport has been let
    go by then, so a channel that opens a new pool for it (to restore unacknowledged
    messages, or to acknowledge a task that was running) fails with "AttributeError:
    'NoneType' object has no attribute 'hostname'", which no error handler expects:
    "Unrecoverable error", and the worker exits. Raised as the lost connection it is,
    it is handled like one: the worker reconnects, and a message it could not restore
    or acknowledge is delivered again after the visibility timeout (rollups are
    idempotent). tests/test_production_stack.py kills the broker under a running task."""
    channel: Any = redis_transport.Channel
    connparams = getattr(channel, "_connparams", None)
    if connparams is None:  # kombu changed: the broker test shows whether this is still needed
        return

    def _connparams(self: Any, asynchronous: bool = False) -> dict[str, Any]:
        transport = self.connection
        if transport is None or transport.client is None:
            raise RedisConnectionError("the broker connection was closed")
        result: dict[str, Any] = connparams(self, asynchronous=asynchronous)
        return result

    channel._connparams = _connparams


_a_released_transport_is_a_lost_connection()
