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
