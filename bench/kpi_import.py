"""KPI import benchmark: a 50,000-row CSV through validation, insert and rollups.

    DATABASE_URL=postgres://... python bench/kpi_import.py

Runs in a throwaway test database seeded with the demo center. Prints the time to
parse, validate, insert and roll up the file, as a ratio to reading the same CSV
with the csv module alone (the baseline, measured in the same run).
"""

import csv
import io
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sdc_ops.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

ROWS = 50_000


def main() -> None:
    if connection.vendor != "postgresql":
        raise SystemExit("Run the benchmark on PostgreSQL: set DATABASE_URL.")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        run()
    finally:
        connection.creation.destroy_test_db(settings.DATABASES["default"]["NAME"], verbosity=0)


def run() -> None:
    from performance.models import DailyKpi
    from performance.services import kpis as services
    from teams.models import Associate

    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", stdout=quiet)
    names = list(Associate.objects.values_list("user__username", flat=True))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["external_id", "associate", "kpi", "occurred_at", "value"])
    for n in range(ROWS):
        day, hour, minute = 1 + n % 20, 8 + n % 10, n % 60
        writer.writerow(
            [
                f"b{n}",
                names[n % len(names)],
                "tickets_solved",
                f"2026-11-{day:02d}T{hour:02d}:{minute:02d}:00Z",
                "1",
            ]
        )
    data = buffer.getvalue().encode()

    start = time.perf_counter()
    list(csv.DictReader(io.StringIO(data.decode())))
    baseline = time.perf_counter() - start

    start = time.perf_counter()
    rows, errors = services.parse_csv(data)
    result = services.ingest_events(rows, source="bench")  # rollups run on commit (eager)
    total = time.perf_counter() - start
    assert not errors
    assert not result.errors
    print(f"{ROWS:,} rows, {len(names)} associates, {len(result.days)} site-days")
    print(f"baseline (csv.DictReader only): {baseline:.3f} s")
    print(
        f"parse + validate + insert + roll up: {total:.2f} s "
        f"({total / baseline:.0f}x baseline); {DailyKpi.objects.count()} rollup rows"
    )


if __name__ == "__main__":
    main()
