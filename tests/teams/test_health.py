import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

REDIS = "redis://127.0.0.1:6379/15"


def test_healthy_with_postgres_and_redis(client, settings):
    settings.CELERY_BROKER_URL = REDIS
    response = client.get(reverse("teams:healthz"))
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "broker": "ok",
        "cache": "local",
        "rollups": {"dirty_days": 0, "oldest_seconds": None, "failing_days": 0},
    }
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_unreachable_broker_is_503(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get(reverse("teams:healthz"))
    assert response.status_code == 503
    assert response.json()["broker"] == "unavailable"
    assert response.json()["database"] == "ok"


def test_broken_database_is_503(client, settings, monkeypatch):
    from django.db import DatabaseError

    from teams.views import roster as views

    class BrokenCursor:
        def __enter__(self):
            raise DatabaseError("connection refused")

        def __exit__(self, *exc):
            return False

    settings.CELERY_BROKER_URL = REDIS
    monkeypatch.setattr(views.connection, "cursor", BrokenCursor)
    response = client.get(reverse("teams:healthz"))
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


def test_the_demo_reports_an_eager_broker_as_healthy(client, settings):
    settings.CELERY_BROKER_URL = "memory://"
    response = client.get(reverse("teams:healthz"))
    assert response.status_code == 200
    assert response.json()["broker"] == "eager"
