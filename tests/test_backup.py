"""Backup and restore, as the README documents them: scripts/backup.sh dumps the
demo database, scripts/restore.sh restores it into a fresh one, and the app
pointed at the copy serves the same figures."""

import os
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from teams.models import Team, User

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql" or shutil.which("pg_dump") is None,
        reason="backups are of PostgreSQL (the deployment's database) with its client tools",
    ),
]

# Run in a fresh process on the restored database: the pages as a lead sees them.
SERVE = """
import os
from django.test.utils import setup_test_environment
setup_test_environment()
from django.test import Client
from django.urls import reverse
from teams.models import User
client = Client()
client.force_login(User.objects.get(username=os.environ["AS_USER"]))
for url in os.environ["URLS"].split(" "):
    response = client.get(url)
    print(response.status_code, len(response.content))
    print(response.content.decode())
"""


def _url(name: str) -> str:
    settings = connection.settings_dict
    return f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{name}"


def _serve(database_url: str, urls: list[str]) -> str:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"CACHE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env |= {
        "DATABASE_URL": database_url,
        "CELERY_TASK_ALWAYS_EAGER": "true",
        "KPI_DASHBOARD_CACHE_SECONDS": "0",
        "AS_USER": "lead",
        "URLS": " ".join(urls),
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SERVE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )
    # The pages' CSRF tokens are new for every session; nothing else may differ.
    return re.sub(r'(CSRFToken": "|csrfmiddlewaretoken" value=")[^"]+', r"\1…", done.stdout)


def test_a_restored_backup_serves_the_same_figures(seeded_demo, tmp_path):
    team = Team.objects.get(leads__username="lead")
    urls = [
        reverse("performance:team-dashboard", args=[team.pk]) + "?export=csv",
        reverse("teams:team-detail", args=[team.pk]),
        reverse("scheduling:rota-payroll", args=[team.pk]),
        reverse("performance:api-kpi-rollups") + "?from=2026-09-01&to=2026-12-31&scope=team",
    ]
    client = Client()
    client.force_login(User.objects.get(username="lead"))
    for url in urls:
        assert client.get(url).status_code == 200, url

    source = connection.settings_dict["NAME"]
    dump = tmp_path / "demo.dump"
    env = os.environ | {"DATABASE_URL": _url(source)}
    subprocess.run([ROOT / "scripts/backup.sh", dump], env=env, check=True, capture_output=True)
    assert dump.stat().st_size > 0

    copy = f"test_restore_{uuid.uuid4().hex[:8]}"
    server = ["-h", connection.settings_dict["HOST"], "-U", connection.settings_dict["USER"]]
    subprocess.run(["createdb", *server, copy], check=True)
    try:
        subprocess.run(
            [ROOT / "scripts/restore.sh", dump, _url(copy)], check=True, capture_output=True
        )
        served = _serve(_url(source), urls)  # the copy serves this, before and after
        assert _serve(_url(copy), urls) == served
        # Restoring into a database that is not empty is refused, changing nothing.
        again = subprocess.run(
            [ROOT / "scripts/restore.sh", dump, _url(copy)], capture_output=True, text=True
        )
        assert again.returncode != 0
        assert _serve(_url(copy), urls) == served
    finally:
        subprocess.run(["dropdb", *server, "--force", copy], check=True)
