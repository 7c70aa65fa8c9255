"""The production stack as processes, on loopback: gunicorn (2 workers), a Celery
worker (not eager, 2 pool processes, as docker-compose.yml runs it) and Celery beat,
against PostgreSQL and a redis-server of the test's own (broker and shared cache).

- Events posted to gunicorn's API with a token are rolled up by the worker, and the
  dashboard gunicorn serves to a logged-in lead shows them; beat sends its sweeps.
- A worker SIGKILLed in the middle of a backfill and started again leaves every
  rollup row identical to a clean computation of the same events.
- The worker outlives its broker being killed and restarted under a running task:
  the task's work is done and new work is taken after recovery (Celery 5.7.0's
  worker died here without the guard in sdc_ops/celery.py).

The processes use the pytest-django test database with committed transactions
(transaction=True), reached through DATABASE_URL like tests/test_backup.py. A task
is held at a chosen point by a row lock the test takes on a stale rollup row the task
must rewrite, so "mid-backfill" and "under a running task" are moments the test
picks, not timing luck. Every wait is bounded and a failed one shows the process
logs; every process is killed in a finalizer.
"""

import contextlib
import datetime as dt
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable, Iterator
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.request import HTTPCookieProcessor, Request, build_opener

import psycopg
import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from performance.defaults import ensure_usual_kpis
from performance.models import DailyKpi, Kpi, KpiDirtyDay, KpiEvent
from teams.models import User
from tests.conftest import needs
from tests.factories import PASSWORD, AssociateFactory, SiteFactory, TeamFactory, UserFactory

ROOT = Path(__file__).resolve().parent.parent
WAIT_SECONDS = 60.0  # the bound of every wait for the stack
pytestmark = pytest.mark.stack
STACK_DB = pytest.mark.django_db(transaction=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def api_token(user) -> str:
    """The user's API key: the one place this module makes a token."""
    from performance.models import ApiToken
    from performance.services.api_tokens import create_api_token

    return create_api_token(actor=user, name="stack test", scopes=list(ApiToken.Scope)).key


# --- Processes ------------------------------------------------------------------


class Service:
    """One process (and the processes it forks) in a session of its own, so a kill
    takes the whole group, as when a machine or container dies."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], logs: Path) -> None:
        self.name, self.argv, self.env = name, argv, env
        self.log = logs / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> "Service":
        with self.log.open("ab") as out:
            out.write(f"--- started: {' '.join(self.argv)}\n".encode())
            out.flush()
            self.process = subprocess.Popen(
                self.argv,
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    @property
    def is_running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):  # the whole group is gone already
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.text().splitlines()[-lines:])


class Stack:
    """The processes of one test, their settings, and bounded waits that fail with
    the logs of every process attached."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.services: list[Service] = []
        self.locks: list[psycopg.Connection] = []
        self.redis_port = free_port()
        self.redis_dir = logs / "redis"
        self.redis_dir.mkdir()
        self.redis: Service | None = None
        self.web_port = free_port()
        self.env = self._environment()

    def _environment(self) -> dict[str, str]:
        redis = f"redis://127.0.0.1:{self.redis_port}"
        dropped = {"DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL", "CACHE_URL"}
        return {k: v for k, v in os.environ.items() if k not in dropped} | {
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": f"{redis}/0",
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "CACHE_URL": f"{redis}/1",
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            # Plain HTTP on loopback: no TLS redirect, no Secure-only cookies.
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "SECURE_HSTS_SECONDS": "0",
            "STATIC_MANIFEST": "false",  # no collectstatic here
            "PYTHONWARNINGS": "ignore::UserWarning",  # WhiteNoise: no collected files
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            "KPI_ROLLUP_SWEEP_SECONDS": "3",
            "PYTHONUNBUFFERED": "1",
        }

    # The processes, as docker-compose.yml and the README's systemd units run them.

    def start_redis(self) -> None:
        # An append-only file synced on every write, as a broker that keeps its queue
        # across a restart (the compose file's Redis runs with --appendonly yes).
        argv = [
            "redis-server",
            "--port",
            str(self.redis_port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "yes",
            "--appendfsync",
            "always",
            "--dir",
            str(self.redis_dir),
        ]
        self.redis = self._add(Service("redis", argv, self.env, self.logs)).start()
        self.wait_for(self._redis_answers, "redis-server to answer PING")

    def _redis_answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.redis_port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def worker(self) -> Service:
        argv = [sys.executable, "-m", "celery", "-A", "sdc_ops", "worker"]
        argv += ["--loglevel", "INFO", "--concurrency", "2"]
        return self._add(Service("worker", argv, self.env, self.logs))

    def beat(self) -> Service:
        argv = [sys.executable, "-m", "celery", "-A", "sdc_ops", "beat", "--loglevel", "INFO"]
        argv += ["--schedule", str(self.logs / "celerybeat-schedule")]
        return self._add(Service("beat", argv, self.env, self.logs))

    def web(self) -> Service:
        argv = [sys.executable, "-m", "gunicorn", "sdc_ops.wsgi:application"]
        argv += ["--bind", f"127.0.0.1:{self.web_port}", "--workers", "2"]
        argv += ["--access-logfile", "-", "--timeout", "60"]
        return self._add(Service("web", argv, self.env, self.logs))

    def _add(self, service: Service) -> Service:
        self.services.append(service)
        return service

    def wait_until_ready(self, *services: Service) -> None:
        for service in services:
            ready = {
                "worker": lambda s=service: " ready." in s.text(),
                "beat": lambda s=service: "beat: Starting..." in s.text(),
                "web": lambda: self.http("/healthz").status == 200,
            }[service.name]
            self.wait_for(ready, f"{service.name} to start", watch=service)

    # Waiting, and showing why a wait failed.

    def wait_for(
        self, condition: Callable[[], object], what: str, watch: Service | None = None
    ) -> None:
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            try:
                if condition():
                    return
            except OSError:
                pass
            if watch is not None and not watch.is_running:
                pytest.fail(f"{watch.name} exited while waiting for {what}\n{self.report()}")
            time.sleep(0.1)
        pytest.fail(f"timed out after {WAIT_SECONDS:.0f} s waiting for {what}\n{self.report()}")

    def report(self) -> str:
        return "\n".join(
            f"===== {s.name} (running: {s.is_running}) =====\n{s.tail()}" for s in self.services
        )

    # Talking to it.

    def http(self, path: str, **options: object) -> "Answer":
        return Browser(f"http://127.0.0.1:{self.web_port}").send(path, **options)

    def hold_row(self, row: DailyKpi) -> psycopg.Connection:
        """Lock one rollup row from another connection until released: a rollup that
        must rewrite it waits there, in the middle of its task."""
        held = psycopg.connect(database_url(), autocommit=False)
        held.execute("SELECT 1 FROM performance_dailykpi WHERE id = %s FOR UPDATE", [row.pk])
        self.locks.append(held)
        return held

    def wait_until_a_rollup_waits_on_the_lock(self) -> None:
        def waiting() -> bool:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
                row = cursor.fetchone()
                return bool(row and row[0])

        self.wait_for(waiting, "a rollup to reach the locked row")

    def stop(self) -> None:
        for held in self.locks:
            held.close()
        for service in reversed(self.services):
            service.kill()


def database_url() -> str:
    db = connection.settings_dict
    password = f":{urllib.parse.quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    user = urllib.parse.quote(db["USER"] or "")
    return (
        f"postgres://{user}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )


class Answer:
    def __init__(self, status: int, headers: dict[str, str], body: str) -> None:
        self.status, self.headers, self.body = status, headers, body


class Browser:
    """A client with a cookie jar, for gunicorn over plain HTTP (stdlib only)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = build_opener(HTTPCookieProcessor(CookieJar()))

    def send(
        self,
        path: str,
        *,
        form: dict[str, str] | None = None,
        payload: object = None,
        token: str = "",
    ) -> Answer:
        headers = {"Authorization": f"Token {token}"} if token else {}
        data = None
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
        elif payload is not None:
            data = json.dumps(payload).encode()
            headers["Content-Type"] = "application/json"
        request = Request(self.base + path, data=data, headers=headers)  # noqa: S310
        try:
            with self.opener.open(request, timeout=30) as response:
                body = response.read().decode()
                return Answer(response.status, dict(response.headers), body)
        except HTTPError as error:
            return Answer(error.code, dict(error.headers), error.read().decode())

    def log_in(self, username: str, password: str) -> None:
        page = self.send(reverse("login"))
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
        assert token, page.body[:500]
        form = {"username": username, "password": password}
        answer = self.send(reverse("login"), form=form | {"csrfmiddlewaretoken": token[1]})
        assert answer.status == 200, answer.body[:500]
        assert 'name="password"' not in answer.body, "the login was refused"


@pytest.fixture
def stack(tmp_path, transactional_db) -> Iterator[Stack]:
    needs(connection.vendor == "postgresql", "PostgreSQL (the deployment's database)")
    needs(shutil.which("redis-server") is not None, "redis-server")
    running = Stack(tmp_path)
    try:
        running.start_redis()
        yield running
    finally:
        running.stop()


@pytest.fixture
def publishing(stack, monkeypatch):
    """This test process queueing tasks on the stack's broker for real (not eager),
    as the web processes do."""
    from sdc_ops.celery import app

    url = stack.env["CELERY_BROKER_URL"]
    monkeypatch.setenv("CELERY_BROKER_URL", url)
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    app.conf.broker_url = url
    app.conf.task_always_eager = False
    fresh_broker_connections(app)
    yield app
    app.conf.update(saved)
    fresh_broker_connections(app)


def fresh_broker_connections(app) -> None:
    """Drop Celery's pooled broker connections, so the next publish connects anew."""
    from kombu import pools

    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


# --- Data ---------------------------------------------------------------------------


def a_team(people: int = 3):
    ensure_usual_kpis(Kpi)  # a flushed test database has lost the seeded KPIs
    site = SiteFactory(name="Dublin", time_zone="Europe/Dublin", country="IE")
    lead = UserFactory(username="stack_lead")
    # A hash that the processes' default hashers read (the tests' own is MD5).
    hasher = PBKDF2PasswordHasher()
    User.objects.filter(pk=lead.pk).update(password=hasher.encode(PASSWORD, hasher.salt()))
    team = TeamFactory(site=site, name="Payments", leads=[lead])
    associates = [
        AssociateFactory(
            user=UserFactory(username=f"stack_{n}", first_name=name, last_name="Stack"), team=team
        )
        for n, name in enumerate(["Ada", "Bo", "Cy", "Di"][:people])
    ]
    return lead, team, associates


def events_for(associates, days: list[dt.date]) -> list[dict[str, object]]:
    """Per associate and day: n+1 tickets solved, and handle times to take a median of."""
    rows: list[dict[str, object]] = []
    for n, person in enumerate(associates):
        for day in days:
            at = f"{day.isoformat()}T10:{n:02d}:00Z"  # mid-morning in Dublin: the same day
            for t in range(n + 1):
                rows.append(event(person, "tickets_solved", at, 1, f"{day}-{n}-t{t}"))
            for m, minutes in enumerate((8 + n, 11.5 + 2 * n, 30 - n)):
                rows.append(event(person, "handle_time", at, minutes, f"{day}-{n}-h{m}"))
    return rows


def event(person, kpi: str, at: str, value: float, external_id: str) -> dict[str, object]:
    return {
        "external_id": external_id,
        "associate": person.user.username,
        "kpi": kpi,
        "occurred_at": at,
        "value": value,
    }


def recent_days(count: int) -> list[dt.date]:
    yesterday = timezone.now().date() - dt.timedelta(days=1)
    return [yesterday - dt.timedelta(days=n) for n in range(count)][::-1]


def rollup_rows() -> list[tuple[object, ...]]:
    """Every rollup row as its figures (not its id), in a fixed order."""
    fields = [f.attname for f in DailyKpi._meta.concrete_fields if f.name != "id"]
    return sorted(DailyKpi.objects.values_list(*fields), key=repr)


def stale_team_row(team, kpi_key: str, day: dt.date) -> DailyKpi:
    """A wrong team figure for `day`, as left by an earlier run: the rollup of that day
    must rewrite it (so it waits on its lock)."""
    return DailyKpi.objects.create(
        kpi=Kpi.objects.get(key=kpi_key),
        day=day,
        scope=DailyKpi.Scope.TEAM,
        site=team.site,
        team=team,
        value=-1.0,
        numerator=-1.0,
        event_count=1,
        contributors=1,
    )


def ingest(rows: list[dict[str, object]]) -> None:
    from performance.services.kpis import ingest_events

    result = ingest_events(rows, source="stack")
    assert not result.errors, result.errors


# --- The tests ------------------------------------------------------------------------


@STACK_DB
def test_events_posted_to_gunicorn_are_rolled_up_by_the_worker_and_shown_on_the_dashboard(
    stack,
):
    lead, team, associates = a_team()
    worker, beat, web = stack.worker().start(), stack.beat().start(), stack.web().start()
    stack.wait_until_ready(web, worker, beat)
    assert json.loads(stack.http("/healthz").body)["broker"] == "ok"

    [day] = recent_days(1)
    dashboard = reverse("performance:team-dashboard", args=[team.pk])
    dashboard += f"?from={day}&to={day}&export=csv"
    browser = Browser(f"http://127.0.0.1:{stack.web_port}")
    browser.log_in(lead.username, PASSWORD)
    before = browser.send(dashboard)
    assert before.status == 200, before.body[:500]
    # Nothing rolled up yet, and this answer is now in the cache shared through Redis.
    assert "team,Payments,period,tickets_solved,," in before.body, before.body

    posted = browser.send(
        reverse("performance:api-kpi-events"),
        payload={"source": "zendesk", "events": events_for(associates, [day])},
        token=api_token(lead),
    )
    assert posted.status == 201, posted.body
    assert json.loads(posted.body)["created"] == 15

    team_rows = DailyKpi.objects.filter(day=day, scope=DailyKpi.Scope.TEAM, team=team)
    stack.wait_for(lambda: team_rows.count() == 2, "the worker to roll up the posted day")
    assert not KpiDirtyDay.objects.exists()
    figures = {row.kpi.key: (row.value, row.event_count) for row in team_rows}
    # 1 + 2 + 3 tickets; the median of the nine handle times 8, 9, 10, 11.5, 13.5,
    # 15.5, 28, 29, 30.
    assert figures == {"tickets_solved": (6.0, 6), "handle_time": (13.5, 9)}

    # The worker's rollup invalidated the page gunicorn had cached in Redis.
    csv = browser.send(dashboard)
    assert csv.status == 200
    lines = csv.body.splitlines()
    assert "team,Payments,period,handle_time,13.5," in csv.body, lines
    # Tickets are per associate per day on the page; the median is the day's.
    assert "team,Payments,period,tickets_solved,2.0," in lines[1], lines
    assert "associate,Cy Stack,period,tickets_solved,3.0," in csv.body, lines
    page = browser.send(reverse("performance:team-dashboard", args=[team.pk]))
    assert page.status == 200
    assert "Payments" in page.body
    stack.wait_for(
        lambda: "Sending due task rollup-dirty-kpi-days" in beat.text(),
        "beat to send the dirty-day sweep",
    )


@STACK_DB
def test_a_worker_killed_mid_backfill_and_restarted_leaves_the_rollups_of_a_clean_run(
    stack, publishing
):
    _, team, associates = a_team()
    days = recent_days(40)
    held = stack.hold_row(stale_team_row(team, "tickets_solved", days[20]))
    worker, beat = stack.worker().start(), stack.beat().start()
    stack.wait_until_ready(worker, beat)

    ingest(events_for(associates, days))  # 40 days × 2 KPIs to roll up, queued on commit
    dirty = KpiDirtyDay.objects.count()
    assert dirty == 80
    stack.wait_until_a_rollup_waits_on_the_lock()
    left = KpiDirtyDay.objects.count()
    assert 0 < left < dirty, f"{dirty - left} of {dirty} days rolled up: not mid-backfill"
    worker.kill()  # SIGKILL, the worker and its pool processes: no goodbye, no ack
    held.rollback()  # the killed worker's day is rolled back by the database
    worker.start()
    stack.wait_for(
        lambda: not KpiDirtyDay.objects.exists(),
        "the restarted worker to finish the backfill (beat sweeps every 3 s)",
        watch=worker,
    )
    after_restart = rollup_rows()

    from performance.services.rollups import rollup_day

    DailyKpi.objects.all().delete()
    kpis = {kpi.pk: kpi for kpi in Kpi.objects.all()}
    for kpi_id, site_id, day in KpiEvent.objects.values_list(
        "kpi_id", "site_id", "local_date"
    ).distinct():
        rollup_day(kpi=kpis[kpi_id], site_id=site_id, day=day)
    assert after_restart == rollup_rows()
    assert len(after_restart) == 40 * 2 * (3 + 1 + 1)  # associates, team and site


@STACK_DB
def test_the_worker_survives_its_broker_dying_under_a_running_task_and_finishes_the_work(
    stack, publishing
):
    _, team, associates = a_team()
    first, second = recent_days(2)
    held = stack.hold_row(stale_team_row(team, "tickets_solved", first))
    worker = stack.worker().start()
    stack.wait_until_ready(worker)

    ingest(events_for(associates, [first]))
    stack.wait_until_a_rollup_waits_on_the_lock()  # the task is running, inside the day
    assert stack.redis is not None
    stack.redis.kill()  # SIGKILL: the broker drops every connection at once
    time.sleep(0.3)  # down for a moment, as in a restart
    stack.start_redis()  # and back, with its queue (the append-only file)
    held.rollback()

    solved = DailyKpi.objects.filter(kpi__key="tickets_solved", scope=DailyKpi.Scope.TEAM)
    stack.wait_for(
        lambda: solved.filter(day=first, value=6.0).exists(),
        "the running task to finish its day",
        watch=worker,
    )
    # The worker reconnects and takes new work: the next day's task is rolled up.
    fresh_broker_connections(publishing)
    ingest(events_for(associates, [second]))
    stack.wait_for(
        lambda: solved.filter(day=second, value=6.0).exists() and not KpiDirtyDay.objects.exists(),
        "the worker to roll up work queued after the broker came back",
        watch=worker,
    )
    assert worker.is_running, stack.report()
    assert "Unrecoverable error" not in worker.text(), stack.report()


def test_compose_restarts_every_service_that_dies_and_redis_keeps_its_queue():
    import yaml

    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    assert {name: service.get("restart") for name, service in services.items()} == dict.fromkeys(
        ("postgres", "redis", "web", "worker", "beat"), "unless-stopped"
    )
    redis = services["redis"]["command"]
    assert redis[redis.index("--appendonly") + 1] == "yes"


def test_a_channel_whose_broker_transport_was_released_reports_a_lost_connection():
    """The guard in sdc_ops/celery.py, without a broker: after a drop, Celery 5.7.0
    asks such a channel for a new pool, and the AttributeError it got killed the
    worker. A connection error is what the worker's handlers expect."""
    from types import SimpleNamespace

    from kombu.transport.redis import Channel, get_redis_error_classes
    from redis.exceptions import ConnectionError as RedisConnectionError

    import sdc_ops.celery  # noqa: F401 -- installs the guard, as every process does

    channel: Any = object.__new__(Channel)
    channel.connection = SimpleNamespace(client=None)
    with pytest.raises(RedisConnectionError):
        channel._connparams()
    assert issubclass(RedisConnectionError, get_redis_error_classes().connection_errors)
