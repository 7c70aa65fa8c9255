"""Page benchmarks on PostgreSQL with a large center.

Builds a center of 2,000 associates with `seed_demo --associates 2000` in a
throwaway database, then times pages against a baseline measured in the same
run (the /healthz request, which does one trivial query). Figures are ratios
to that baseline plus query counts, so they compare across machines.

    make bench            # or: DATABASE_URL=postgres://... python bench/roster.py
"""

import functools
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sdc_ops.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

ROUNDS = 30


def timed(fn: Callable[[], object], rounds: int = ROUNDS) -> float:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def main() -> None:
    if connection.vendor != "postgresql":
        raise SystemExit("Run the benchmark on PostgreSQL: set DATABASE_URL.")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        run()
    finally:
        connection.creation.destroy_test_db(settings.DATABASES["default"]["NAME"], verbosity=0)


def run() -> None:
    from teams.models import Associate, Team, User

    quiet = open(os.devnull, "w")  # noqa: SIM115
    seed_small = timed(lambda: call_command("seed_demo", stdout=quiet), rounds=1)
    seed_large = timed(lambda: call_command("seed_demo", associates=2000, stdout=quiet), rounds=1)
    print(
        f"seed_demo: default center {seed_small:.2f}s; 2,000 associates {seed_large:.2f}s "
        f"({seed_large / seed_small:.1f}x the default center)"
    )

    lead, manager, associate = Client(), Client(), Client()
    associate.force_login(User.objects.get(username="associate"))
    lead.force_login(User.objects.get(username="lead"))
    manager.force_login(User.objects.get(username="manager"))
    team = Team.objects.get(name="Payments Support")
    big = Team.objects.get(name="Team 004")
    # Put 200 people on one team to show the page does not grow in queries.
    movers = list(
        Associate.objects.exclude(team__in=[team, big]).values_list("pk", flat=True)[:190]
    )
    Associate.objects.filter(pk__in=movers).update(team=big)
    from django.contrib.auth import get_user_model

    big.leads.add(get_user_model().objects.get(username="lead"))

    health = reverse("teams:healthz")
    baseline = timed(lambda: lead.get(health))
    cases = [
        ("team page, 12 associates", lead, reverse("teams:team-detail", args=[team.pk])),
        ("team page, 200 associates", lead, reverse("teams:team-detail", args=[big.pk])),
        ("team page, 200, search 'a'", lead, reverse("teams:team-detail", args=[big.pk]) + "?q=a"),
        ("lead home", lead, reverse("teams:home")),
        (f"manager home, {Team.objects.count()} teams", manager, reverse("teams:home")),
        ("team list (manager)", manager, reverse("teams:team-list")),
        ("schedule grid, 1 week", lead, reverse("scheduling:schedule-grid", args=[team.pk])),
        (
            "schedule grid, 4 weeks",
            lead,
            reverse("scheduling:schedule-grid", args=[team.pk]) + "?weeks=4",
        ),
        ("schedule grid, 200 people", lead, reverse("scheduling:schedule-grid", args=[big.pk])),
        ("time-off queue", lead, reverse("scheduling:timeoff-queue", args=[team.pk])),
        ("my schedule (associate)", associate, reverse("scheduling:my-schedule")),
        (
            f"coverage overview, {Team.objects.count()} teams",
            manager,
            reverse("scheduling:coverage-overview"),
        ),
    ]
    print(f"baseline /healthz median: {baseline * 1000:.2f} ms over {ROUNDS} requests")
    print(f"{'page':<32} {'x baseline':>10} {'queries':>8}")
    for label, client, url in cases:
        median = timed(functools.partial(client.get, url))
        print(f"{label:<32} {median / baseline:>10.1f} {queries(client, url):>8}")


if __name__ == "__main__":
    main()
