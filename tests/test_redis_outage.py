"""Redis down or frozen: pages, logins and sessions are served from the database.

Each test starts its own redis-server on a free loopback port (so stopping it
touches nobody else), uses it as the cache with cached_db sessions, as deployed
with CACHE_URL, and then freezes it (SIGSTOP) or kills it.
"""

import shutil
import signal
import socket
import subprocess
import time

import pytest
from django.core.cache import caches
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server"),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def redis_server():
    port = _free_port()
    process = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            break
        except OSError:
            time.sleep(0.05)
    yield process, f"redis://127.0.0.1:{port}/0"
    process.send_signal(signal.SIGCONT)
    process.kill()
    process.wait()


@pytest.fixture
def shared_cache(settings, redis_server):
    process, url = redis_server
    settings.CACHES = {"default": {"BACKEND": "sdc_ops.cache.ResilientRedisCache", "LOCATION": url}}
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.KPI_DASHBOARD_CACHE_SECONDS = 60
    yield process
    caches["default"].close()


def _logged_in(client, user):
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    return client


def test_the_cache_works_while_redis_is_up(shared_cache, client, lead, team):
    _logged_in(client, lead)
    assert client.get(reverse("teams:team-detail", args=[team.pk])).status_code == 200
    caches["default"].set("probe", 1)
    assert caches["default"].get("probe") == 1
    assert client.get(reverse("teams:healthz")).json()["cache"] == "ok"


@pytest.mark.parametrize("outage", ["frozen", "refusing"])
def test_pages_sessions_and_logins_survive_a_redis_outage(
    outage, shared_cache, client, lead, team, settings
):
    settings.CELERY_BROKER_URL = "memory://"
    _logged_in(client, lead)  # a session begun while Redis was up
    if outage == "frozen":
        shared_cache.send_signal(signal.SIGSTOP)
    else:
        shared_cache.kill()
        shared_cache.wait()
    backend = caches["default"]
    # The session is read from the database; the page is built without the cache.
    page = client.get(reverse("performance:team-dashboard", args=[team.pk]))
    assert page.status_code == 200
    assert not backend.is_available  # it gave up on Redis, and will not wait on it again
    assert client.get(reverse("teams:team-detail", args=[team.pk])).status_code == 200
    # A new login works and its session lasts.
    other = _logged_in(client.__class__(), lead)
    assert other.get(reverse("teams:home")).status_code == 200
    # Logging out ends the session although the cache could not be told.
    client.post(reverse("logout"))
    assert client.get(reverse("teams:home")).status_code == 302
    health = client.get(reverse("teams:healthz"))
    assert health.status_code == 200
    assert health.json() == {
        "status": "degraded",
        "database": "ok",
        "broker": "eager",
        "cache": "unavailable",
        "rollups": {"dirty_days": 0, "oldest_seconds": None, "failing_days": 0},
    }


def test_the_cache_is_used_again_once_redis_is_back(shared_cache, client, lead, monkeypatch):
    from sdc_ops import cache as cache_module

    shared_cache.send_signal(signal.SIGSTOP)
    backend = caches["default"]
    assert backend.get("probe", "missed") == "missed"
    shared_cache.send_signal(signal.SIGCONT)
    monkeypatch.setattr(cache_module, "RETRY_SECONDS", 0.0)
    backend._down_until = 0.0  # the back-off has passed
    backend.set("probe", 2)
    assert backend.get("probe") == 2


def test_a_logout_during_an_outage_stays_a_logout_once_redis_is_back(
    shared_cache, client, lead, monkeypatch
):
    from sdc_ops import cache as cache_module

    _logged_in(client, lead)
    stolen = client.cookies["sessionid"].value  # e.g. a copy of the cookie elsewhere
    shared_cache.send_signal(signal.SIGSTOP)
    client.post(reverse("logout"))  # the database forgets it; the frozen cache cannot
    shared_cache.send_signal(signal.SIGCONT)
    monkeypatch.setattr(cache_module, "RETRY_SECONDS", 0.0)
    caches["default"]._down_until = 0.0
    replay = client.__class__()
    replay.cookies["sessionid"] = stolen
    assert replay.get(reverse("teams:home")).status_code == 302  # to the login page


# --- The broker: a write that committed answers success --------------------------


@pytest.fixture
def broker(redis_server, monkeypatch):
    """Celery really publishing to the private Redis (not eager), as deployed."""
    from sdc_ops.celery import app

    process, url = redis_server
    monkeypatch.setenv("CELERY_BROKER_URL", url)  # Celery reads it before its config
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    app.conf.broker_url = url
    app.conf.task_always_eager = False
    _fresh_connections(app)
    yield process
    app.conf.update(saved)
    _fresh_connections(app)


def _fresh_connections(app):
    """Drop Celery's pooled broker connections, so the next publish connects anew."""
    from kombu import pools

    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


def _post_events(lead, associate):
    from rest_framework.test import APIClient

    from performance.models import Kpi
    from performance.models.api_tokens import new_key
    from tests.factories import ApiTokenFactory

    kpi = Kpi.objects.get(key="tickets_solved")
    client = APIClient()
    key = new_key()
    ApiTokenFactory(user=lead, key=key)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    body = {
        "source": "zendesk",
        "events": [
            {
                "external_id": "outage-1",
                "associate": associate.user.username,
                "kpi": kpi.key,
                "occurred_at": "2026-06-15T10:00:00Z",
                "value": 1,
            }
        ],
    }
    return client.post(reverse("performance:api-kpi-events"), body, format="json")


def test_posted_events_queue_their_rollup_while_the_broker_is_up(
    broker, lead, associate, django_capture_on_commit_callbacks
):
    import redis

    with django_capture_on_commit_callbacks(execute=True):
        response = _post_events(lead, associate)
    assert response.status_code == 201
    queued = redis.Redis.from_url(f"redis://127.0.0.1:{_port(broker)}/0").llen("celery")
    assert queued == 1


def _port(process) -> int:
    return int(process.args[process.args.index("--port") + 1])


@pytest.mark.parametrize("outage", ["frozen", "refusing"])
def test_posted_events_are_kept_and_answered_201_while_the_broker_is_down(
    outage, broker, lead, associate, django_capture_on_commit_callbacks, caplog
):
    from performance.models import KpiDirtyDay, KpiEvent

    if outage == "frozen":
        broker.send_signal(signal.SIGSTOP)
    else:
        broker.kill()
        broker.wait()
    with django_capture_on_commit_callbacks(execute=True):
        response = _post_events(lead, associate)
    assert response.status_code == 201
    assert KpiEvent.objects.filter(external_id="outage-1").count() == 1
    # The day stays marked dirty, so the periodic sweep rolls it up later.
    assert KpiDirtyDay.objects.count() == 1
    assert "could not queue performance.tasks.rollup_dirty_days" in caplog.text
