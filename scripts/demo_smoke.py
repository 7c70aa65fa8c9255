"""Smoke test of the demo path: SQLite, Celery eager, seeded, served.

Runs what `make demo` runs (migrate, seed_demo — twice, to prove it is
idempotent) against a throwaway SQLite file, logs in as every demo persona,
then starts the real development server and asks it for /healthz and the
login page.
"""

import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    tmp = tempfile.mkdtemp(prefix="sdc-demo-smoke-")
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/demo.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sdc_ops.settings")

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    assert settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")
    assert settings.CELERY_TASK_ALWAYS_EAGER, "the demo must run Celery tasks eagerly"

    call_command("migrate", verbosity=0, interactive=False)
    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", stdout=quiet)
    from teams.management.commands.seed_demo import DEMO_PASSWORD
    from teams.models import Associate, AssociateSkill, User

    counts = (User.objects.count(), Associate.objects.count(), AssociateSkill.objects.count())
    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", stdout=quiet)
    again = (User.objects.count(), Associate.objects.count(), AssociateSkill.objects.count())
    assert counts == again, f"seed_demo is not idempotent: {counts} then {again}"

    setup_test_environment()
    for username in ("associate", "associate2", "lead", "lead2", "manager", "admin"):
        client = Client()
        # Through the login page, as a person logs in (and past the login throttle).
        response = client.post(
            "/accounts/login/", {"username": username, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 302, (username, response.status_code)
        response = client.get("/")
        assert response.status_code == 200, (username, response.status_code)
    print(f"demo smoke: seeded {counts[1]} associates; every persona logs in")

    port = "8765"
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(60):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    body = r.read().decode()
                    break
            except OSError:
                time.sleep(0.5)
        else:
            raise SystemExit("demo smoke: the server did not answer /healthz")
        assert '"database": "ok"' in body and '"broker": "eager"' in body, body
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5) as r:
            assert r.status == 200 and b"Log in to SDC Ops" in r.read()
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}/static/vendor/pico/pico.min.css", timeout=5
        ) as r:
            assert r.status == 200
    finally:
        server.terminate()
        server.wait(timeout=10)
    print("demo smoke: runserver answers /healthz, the login page and static files")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
