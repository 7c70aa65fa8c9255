"""Settings come from the environment; production values pass check --deploy."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x" * 20 + "a-long-random-production-secret-9f8e7d6c5b4a3",
    "ALLOWED_HOSTS": "sdc-ops.example.com",
    "DATABASE_URL": "postgres://sdc@db.example.com:5432/sdc",
    "CELERY_BROKER_URL": "redis://redis.example.com:6379/0",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # Start from a clean slate: no settings variables from the test run, and not
    # the browser tests' DJANGO_ALLOW_ASYNC_UNSAFE, which --deploy rightly flags.
    dropped = {*PRODUCTION, "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    base = {k: v for k, v in os.environ.items() if k not in dropped}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=base | env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_with_production_variables():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


def test_missing_secret_key_stops_start_up_with_a_clear_message():
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is false" in result.stderr


def test_a_malformed_boolean_is_refused_by_name():
    result = manage("check", env=PRODUCTION | {"DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr


def test_no_variables_gives_the_embedded_demo():
    code = (
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.DEBUG)"
    )
    result = manage("shell", "--no-imports", "-c", code, env={})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "True", "True"]


def test_database_url_selects_postgresql_with_health_checks():
    code = (
        "from django.conf import settings as s; d = s.DATABASES['default'];"
        "print(d['ENGINE'], d['CONN_HEALTH_CHECKS'], s.CELERY_TASK_ALWAYS_EAGER)"
    )
    result = manage("shell", "--no-imports", "-c", code, env=PRODUCTION | {"DEBUG": "true"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.postgresql", "True", "False"]


def test_sessions_are_cached_only_in_a_shared_cache():
    """A per-process cache would let another worker accept a session logged out
    elsewhere: sessions use the cache only when it is Redis (CACHE_URL)."""
    code = "from django.conf import settings as s; print(s.SESSION_ENGINE.rsplit('.', 1)[1])"
    alone = manage("shell", "--no-imports", "-c", code, env={"CACHE_URL": ""})
    shared = manage(
        "shell", "--no-imports", "-c", code, env={"CACHE_URL": "redis://127.0.0.1:6379/15"}
    )
    assert (alone.stdout.split(), shared.stdout.split()) == (["db"], ["cached_db"])


def test_hsts_subdomains_and_preload_are_opt_in():
    code = (
        "from django.conf import settings as s;"
        "print(s.SECURE_HSTS_SECONDS > 0, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD)"
    )
    result = manage("shell", "--no-imports", "-c", code, env=PRODUCTION)
    assert result.stdout.split() == ["True", "False", "False"], result.stderr
    opted = PRODUCTION | {"SECURE_HSTS_INCLUDE_SUBDOMAINS": "true", "SECURE_HSTS_PRELOAD": "true"}
    result = manage("shell", "--no-imports", "-c", code, env=opted)
    assert result.stdout.split() == ["True", "True", "True"], result.stderr
    assert manage("check", "--deploy", "--fail-level", "WARNING", env=opted).returncode == 0


def test_the_dirty_day_sweep_runs_as_often_as_configured_and_expires_before_the_next():
    code = (
        "from django.conf import settings as s;"
        "e = s.CELERY_BEAT_SCHEDULE['rollup-dirty-kpi-days'];"
        "print(e['schedule'].total_seconds(), e['options']['expires'])"
    )
    default = manage("shell", "--no-imports", "-c", code, env={})
    assert default.stdout.split() == ["600.0", "540.0"], default.stderr
    fast = manage("shell", "--no-imports", "-c", code, env={"KPI_ROLLUP_SWEEP_SECONDS": "3"})
    assert fast.stdout.split() == ["3.0", "2.7"], fast.stderr
    refused = manage("check", env={"KPI_ROLLUP_SWEEP_SECONDS": "0"})
    assert refused.returncode != 0
    assert "KPI_ROLLUP_SWEEP_SECONDS=0 must be at least 1" in refused.stderr
