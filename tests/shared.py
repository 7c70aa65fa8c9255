"""What tests share that is made outside any one test: the settings every test runs
with (tests/conftest.py sets them for each test), for data made once for many."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.test import override_settings

from sdc_ops.celery import app as celery_app

TEST_SETTINGS: dict[str, object] = {
    # Dashboards render from the rollups on every request unless a test turns
    # their cache on (tests/performance/test_dashboards.py does).
    "KPI_DASHBOARD_CACHE_SECONDS": 0,
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    # Django's test client logs in without a request, which django-axes needs; the
    # throttling tests turn it on (tests/teams/test_login_throttling.py).
    "AXES_ENABLED": False,
}


def run_tasks_here() -> None:
    """Tasks run in-process so a test sees their effect; the broker itself is
    exercised by the health check tests against the real Redis."""
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True


@contextmanager
def as_in_a_test(**more: object) -> Iterator[None]:
    """Outside a test, the settings and task mode a test has (and `more` settings);
    as they were afterwards. Data made here reads in a test as if the test made it
    (say, a password hash its MD5 hasher can check)."""
    saved = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    run_tasks_here()
    try:
        with override_settings(**TEST_SETTINGS, **more):
            yield
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = saved
