"""The seeded demo, built once per test process and copied back into each test
that asks for it.

`seed_demo` takes seconds; the browser journeys, the backup test and the seed's
own tests each start from what it builds. On PostgreSQL every table is copied out
(COPY, binary) right after one real run, on the day of the run, and copied back into
a test's database in a fraction of a second: the rows, and so every id and every
reference between them, are the ones `seed_demo` wrote. Elsewhere (SQLite) a test
simply runs `seed_demo` itself.
"""

import datetime as dt
import fcntl
import io
import pickle
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from performance.cache import bump_rollups_version
from tests.shared import as_in_a_test

DEMO_ZONE = zoneinfo.ZoneInfo("Europe/Dublin")  # the demo site's zone


# As `make demo DEMO_ADDR=127.0.0.1:8123` serves it (the seed only prints it).
SEED_SITE_URL = "http://127.0.0.1:8123"


def today() -> tuple[dt.date, ...]:
    """The days the seed can read as "today": a copy from another day is stale."""
    now = timezone.now()
    return (dt.date.today(), now.date(), now.astimezone(DEMO_ZONE).date())


@dataclass
class Copy:
    """Every table's rows, as PostgreSQL's binary COPY writes them."""

    tables: dict[str, bytes] = field(default_factory=dict)
    output: str = ""  # what the seed printed
    day: tuple[dt.date, ...] = ()  # today() when it was seeded

    @classmethod
    def take(cls) -> "Copy":
        copy = cls()
        with connection.cursor() as cursor:
            for table in _with_rows(cursor, _tables()):
                data = bytearray()
                with cursor.cursor.copy(f'COPY "{table}" TO STDOUT (FORMAT BINARY)') as out:
                    for block in out:
                        data += block
                copy.tables[table] = bytes(data)
        return copy

    def put(self) -> None:
        """Make the database hold exactly these rows: every table emptied and the rows
        written back. Inside the caller's transaction if there is one (a test's), else
        in one of its own.

        As a superuser (the tests' `postgres`), the rows go in with row triggers off
        (session_replication_role): they were consistent when copied, so checking
        every foreign key again would only take seconds; only the tables with rows
        are emptied. Otherwise every table is truncated and the keys are checked."""
        tables = _tables()
        assert set(self.tables) <= set(tables), "the schema changed since the copy"
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('is_superuser') = 'on'")
            quick = cursor.fetchone()[0]
            if quick:
                cursor.execute("SELECT current_setting('session_replication_role')")
                role = cursor.fetchone()[0]
                cursor.execute("SET LOCAL session_replication_role = replica")
                for table in _with_rows(cursor, tables):
                    cursor.execute(f'DELETE FROM "{table}"')  # noqa: S608 -- Django's tables
            else:
                for sql in connection.ops.sql_flush(no_style(), tables):
                    cursor.execute(sql)
            for table, data in self.tables.items():
                with cursor.cursor.copy(f'COPY "{table}" FROM STDIN (FORMAT BINARY)') as into:
                    into.write(data)
            if quick:  # SET LOCAL would last to the end of a test's transaction
                cursor.execute("SELECT set_config('session_replication_role', %s, true)", [role])
            _raise_sequences(cursor)
        forget_cached_rows()


def _tables() -> list[str]:
    return sorted(connection.introspection.django_table_names(only_existing=True))


def _with_rows(cursor, tables: list[str]) -> list[str]:
    """The tables that hold at least one row, in one query."""
    exists = "SELECT '{0}' WHERE EXISTS (SELECT 1 FROM \"{0}\")"  # Django's table names
    cursor.execute(" UNION ALL ".join(exists.format(table) for table in tables))
    return [row[0] for row in cursor.fetchall()]


def _raise_sequences(cursor) -> None:
    """Each id sequence past the highest id written back; never lowered (setval is
    not undone by a rollback, and a lower value would hand out an id already taken)."""
    selects = []
    for model in apps.get_models(include_auto_created=True):
        pk = model._meta.pk
        if isinstance(pk, models.AutoField | models.BigAutoField | models.SmallAutoField):
            table, column = model._meta.db_table, pk.column
            sequence = f"pg_get_serial_sequence('\"{table}\"', '{column}')"
            selects.append(
                f'SELECT setval({sequence}, max("{column}")) FROM "{table}"'  # noqa: S608
                f' HAVING max("{column}") > COALESCE((SELECT last_value FROM pg_sequences'
                f" WHERE format('%I.%I', schemaname, sequencename) = {sequence}), 0)"
            )
    cursor.execute(" UNION ALL ".join(selects))


def forget_cached_rows() -> None:
    """What this process keeps of rows that were just replaced: content type ids,
    and the dashboards' cached figures (their version goes up, as after a rollup)."""
    ContentType.objects.clear_cache()
    bump_rollups_version()


def seed() -> str:
    """Run `seed_demo` as a test does, and return what it printed. It is served at
    SEED_SITE_URL, not at the settings' default, so that a test can tell that what it
    prints follows the setting."""
    out = io.StringIO()
    with as_in_a_test(SITE_URL=SEED_SITE_URL):
        call_command("seed_demo", stdout=out)
    return out.getvalue()


def made_once(shared: Path | None) -> Copy:
    """The copy for this test process. With `shared`, a directory that the processes of
    one `pytest -n` run share, the first to get here seeds and leaves the copy there,
    and the others load it (waiting on a lock while it is being made)."""
    if shared is None:
        return made_outside_the_tests()
    shared.mkdir(exist_ok=True)
    with (shared / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        path = shared / ("copy-" + "-".join(map(str, today())))
        if path.exists():
            with path.open("rb") as saved:
                return pickle.load(saved)  # noqa: S301 -- written just now, by this run
        copy = made_outside_the_tests()
        with path.with_suffix(".part").open("wb") as out:
            pickle.dump(copy, out)
        path.with_suffix(".part").rename(path)
        return copy


def made_outside_the_tests() -> Copy:
    """Seed the demo outside any test (the caller unblocks the database), copy it, and
    put the database back as it was, so the tests after see what they would have."""
    before = Copy.take()
    try:
        day = today()
        output = seed()
        copy = Copy.take()
    finally:
        before.put()
    copy.output, copy.day = output, day
    return copy
