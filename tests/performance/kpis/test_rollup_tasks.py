"""Rollup hardening: a failed rollup keeps the previous figures, the Celery tasks
retry transient database errors with backoff, and an import re-rolls exactly the
days it touched from a task enqueued on commit."""

import datetime as dt
import re

import pytest
from celery.app import autoretry
from django.db import OperationalError, connection

from performance import tasks
from performance.models import DailyKpi, Kpi, KpiDirtyDay
from performance.services import kpis as services
from performance.services import rollups
from tests.factories import AssociateFactory, SiteFactory, TeamFactory

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 6, 15)
OTHER_DAY = dt.date(2026, 6, 14)


def row(external_id, associate, kpi, at, value=1, denominator=""):
    return {
        "external_id": external_id,
        "associate": associate.user.username,
        "kpi": kpi,
        "occurred_at": at,
        "value": str(value),
        "denominator": str(denominator),
    }


def snapshot(**filters):
    """Every rollup row (with its primary key, so a re-write shows) and its figures."""
    return {
        (r.pk, r.kpi_id, r.day, r.scope, r.site_id, r.team_id, r.associate_id): (
            r.value,
            r.event_count,
            r.contributors,
        )
        for r in DailyKpi.objects.filter(**filters)
    }


@pytest.fixture
def rolled_up(associate, teammate):
    """Two days of two seeded KPIs, rolled up."""
    rows = [
        row("s1", associate, "tickets_solved", "2026-06-15T09:00:00Z"),
        row("s2", teammate, "tickets_solved", "2026-06-15T10:00:00Z"),
        row("s3", associate, "tickets_solved", "2026-06-14T10:00:00Z"),
        row("h1", associate, "handle_time", "2026-06-15T09:00:00Z", 12),
        row("h2", teammate, "handle_time", "2026-06-15T11:00:00Z", 8),
        row("h3", teammate, "handle_time", "2026-06-14T11:00:00Z", 5),
    ]
    assert services.ingest_events(rows, source="test").errors == ()
    assert rollups.rollup_dirty_days() == 4
    return snapshot()


class FailingInsert:
    """A database error on the statement that writes the new rollup rows, i.e.
    after the day's stale rows were deleted in the same transaction."""

    def __init__(self):
        self.deleted_first = False

    def __call__(self, execute, sql, params, many, context):
        if re.search(r'DELETE FROM "?performance_dailykpi', sql):
            self.deleted_first = True
        if re.search(r'(INSERT|MERGE) INTO "?performance_dailykpi', sql):
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)


def test_a_rollup_failing_after_the_delete_keeps_the_previous_rows(rolled_up, site):
    failure = FailingInsert()
    solved = Kpi.objects.get(key="tickets_solved")
    with connection.execute_wrapper(failure), pytest.raises(OperationalError):
        rollups.rollup_day(kpi=solved, site_id=site.pk, day=DAY)
    assert failure.deleted_first  # the failure really came after the delete
    assert snapshot() == rolled_up


def test_a_failing_dirty_day_stays_dirty_and_keeps_its_rows(rolled_up, associate, site):
    services.ingest_events(
        [row("late", associate, "tickets_solved", "2026-06-15T16:00:00Z")], source="test"
    )
    failure = FailingInsert()
    with connection.execute_wrapper(failure), pytest.raises(OperationalError):
        rollups.rollup_dirty_days()
    assert snapshot() == rolled_up
    assert list(KpiDirtyDay.objects.values_list("kpi__key", "site_id", "local_date")) == [
        ("tickets_solved", site.pk, DAY)
    ]
    # The retry (or the next sweep) finishes the job.
    assert rollups.rollup_dirty_days() == 1
    assert DailyKpi.objects.get(kpi__key="tickets_solved", scope="site", day=DAY).value == 3


@pytest.mark.parametrize("task", [tasks.rollup_dirty_days, tasks.rollup_yesterday])
def test_the_rollup_tasks_retry_transient_database_errors_with_backoff(task):
    assert task.autoretry_for == (OperationalError,)
    assert task.retry_backoff is True
    assert task.retry_jitter is True
    assert task.max_retries == 5
    assert task.acks_late is True


def test_an_operational_error_is_retried_and_the_retry_does_the_work(
    rolled_up, associate, monkeypatch
):
    services.ingest_events(
        [row("late", associate, "tickets_solved", "2026-06-15T16:00:00Z")], source="test"
    )
    real = rollups.rollup_dirty_days
    attempts = []

    def flaky(**kwargs):
        attempts.append(tasks.rollup_dirty_days.request.retries)
        if len(attempts) == 1:
            raise OperationalError("could not serialize access")
        return real(**kwargs)

    backoffs = []
    real_backoff = autoretry.get_exponential_backoff_interval

    def spy(**kwargs):
        backoffs.append(kwargs)
        return real_backoff(**kwargs)

    monkeypatch.setattr(rollups, "rollup_dirty_days", flaky)
    monkeypatch.setattr(autoretry, "get_exponential_backoff_interval", spy)
    # throw=False: let apply() run the retry, as a worker would, instead of raising it.
    result = tasks.rollup_dirty_days.apply(throw=False)
    assert result.get() == 1
    assert attempts == [0, 1]  # the second attempt is the first retry
    assert backoffs == [{"factor": 1, "retries": 0, "maximum": 600, "full_jitter": True}]
    assert DailyKpi.objects.get(kpi__key="tickets_solved", scope="site", day=DAY).value == 3


def test_an_import_rerolls_exactly_its_days_from_a_task_enqueued_on_commit(
    rolled_up, associate, teammate, site, django_capture_on_commit_callbacks
):
    late = [
        row("late1", associate, "tickets_solved", "2026-06-15T16:00:00Z"),
        row("late2", teammate, "handle_time", "2026-06-14T16:00:00Z", 9),
    ]
    with django_capture_on_commit_callbacks() as callbacks:
        result = services.ingest_events(late, source="test")
    solved, handle = Kpi.objects.get(key="tickets_solved"), Kpi.objects.get(key="handle_time")
    assert sorted(result.days) == sorted(
        [(solved.pk, site.pk, DAY), (handle.pk, site.pk, OTHER_DAY)]
    )
    # Nothing is re-rolled before the commit; the commit enqueues the rollup task.
    assert snapshot() == rolled_up
    assert len(callbacks) == 1
    callbacks[0]()  # eager in tests: the task runs now
    assert not KpiDirtyDay.objects.exists()
    untouched = {
        k: v
        for k, v in rolled_up.items()
        if (k[1], k[2]) not in {(solved.pk, DAY), (handle.pk, OTHER_DAY)}
    }
    after = snapshot()
    assert {k: v for k, v in after.items() if k in untouched} == untouched  # same rows, same ids
    assert DailyKpi.objects.get(kpi=solved, scope="site", day=DAY).value == 3
    assert DailyKpi.objects.get(kpi=handle, scope="site", day=OTHER_DAY).value == 7  # median 5, 9
    assert len(after) == len(rolled_up)


def test_a_late_event_leaves_other_sites_alone(rolled_up, associate):
    elsewhere = SiteFactory(name="Kraków", time_zone="Europe/Warsaw", country="PL")
    stranger = AssociateFactory(team=TeamFactory(site=elsewhere))
    services.ingest_events(
        [row("k1", stranger, "tickets_solved", "2026-06-15T09:00:00Z")], source="test"
    )
    rollups.rollup_dirty_days()
    before = snapshot(site=elsewhere)
    services.ingest_events(
        [row("late", associate, "tickets_solved", "2026-06-15T16:00:00Z")], source="test"
    )
    assert rollups.rollup_dirty_days() == 1
    assert snapshot(site=elsewhere) == before


def test_an_evening_event_west_of_utc_rolls_up_on_its_local_day(kpis_seeded):
    """23:30 in New York is 03:30 (summer) the next day in UTC: the rollup is on the
    local day."""
    new_york = SiteFactory(name="New York", time_zone="America/New_York", country="US")
    person = AssociateFactory(team=TeamFactory(site=new_york))
    services.ingest_events(
        [row("ny", person, "tickets_solved", "2026-06-15T23:30:00-04:00")], source="test"
    )
    rollups.rollup_dirty_days()
    assert list(DailyKpi.objects.filter(scope="site").values_list("day", "value")) == [(DAY, 1)]


def test_the_autumn_dst_day_has_25_hours_of_events(kpis_seeded, associate, site):
    # Dublin falls back on 2026-10-25: 01:30 happens twice (IST then GMT).
    times = ["2026-10-24T23:30:00Z", "2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z"]
    times += ["2026-10-25T23:30:00Z"]  # 23:30 GMT on the 25th: still the 25th
    rows = [row(f"d{n}", associate, "tickets_solved", at) for n, at in enumerate(times)]
    services.ingest_events(rows, source="test")
    rollups.rollup_dirty_days()
    by_day = dict(DailyKpi.objects.filter(scope="site").values_list("day", "value"))
    assert by_day == {dt.date(2026, 10, 25): 4}


@pytest.fixture
def kpis_seeded(db):
    assert Kpi.objects.filter(key="tickets_solved").exists()  # the data migration's KPIs


@pytest.mark.parametrize("people", [2, 20])
def test_a_dirty_day_is_rolled_up_in_the_same_queries_whatever_its_size(
    people, site, django_assert_num_queries
):
    team = TeamFactory(site=site)
    staff = [AssociateFactory(team=team) for _ in range(people)]
    rows = [
        row(f"q{n}", staff[n % people], "handle_time", f"2026-06-15T{8 + n % 10:02d}:00:00Z", n)
        for n in range(people * 10)
    ]
    services.ingest_events(rows, source="test")
    # Lock the dirty day; the merge (make the scratch table, empty it, compute the
    # day into it, delete groups without events, merge); clear the mark; find no
    # next one; and a savepoint and its release around each of the three
    # transactions (the sweep's two, rollup_day's own).
    with django_assert_num_queries(14):
        assert rollups.rollup_dirty_days() == 1
    assert DailyKpi.objects.filter(scope="associate").count() == people


def _row_versions():
    """Each rollup row's id and PostgreSQL row version (xmin changes on any write)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, xmin::text FROM performance_dailykpi ORDER BY id")
        return dict(cursor.fetchall())


def test_rerolling_an_unchanged_day_writes_nothing(rolled_up, site):
    """Issue 12, point 10: a merge that writes only what changed."""
    before = _row_versions()
    for kpi in Kpi.objects.filter(key__in=["tickets_solved", "handle_time"]):
        assert rollups.rollup_day(kpi=kpi, site_id=site.pk, day=DAY) == 0
    assert _row_versions() == before
    assert snapshot() == rolled_up


def test_a_late_event_rewrites_only_the_rows_it_changes(rolled_up, associate, teammate, site):
    before = _row_versions()
    services.ingest_events(
        [row("late", associate, "tickets_solved", "2026-06-15T16:00:00Z")], source="test"
    )
    solved = Kpi.objects.get(key="tickets_solved")
    written = rollups.rollup_day(kpi=solved, site_id=site.pk, day=DAY)
    assert written == 3  # the associate's row, the team's and the site's
    after = _row_versions()
    assert after.keys() == before.keys()  # the same rows, no delete-and-insert
    changed = {pk for pk in after if after[pk] != before[pk]}
    rows = DailyKpi.objects.filter(pk__in=changed)
    assert {(r.scope, r.associate_id) for r in rows} == {
        ("associate", associate.pk),
        ("team", None),
        ("site", None),
    }
    mate = DailyKpi.objects.get(kpi=solved, day=DAY, scope="associate", associate=teammate)
    assert mate.pk not in changed


def test_a_day_whose_events_are_gone_loses_its_rows(rolled_up, teammate, site):
    from performance.models import KpiEvent

    solved = Kpi.objects.get(key="tickets_solved")
    KpiEvent.objects.filter(kpi=solved, associate=teammate, local_date=DAY).delete()
    rollups.rollup_day(kpi=solved, site_id=site.pk, day=DAY)
    assert not DailyKpi.objects.filter(kpi=solved, day=DAY, associate=teammate).exists()
    assert DailyKpi.objects.get(kpi=solved, day=DAY, scope="site").value == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL query plan")
def test_a_days_rollup_reads_only_its_own_sites_events_through_the_index(db):
    """Issue 12, point 11: a late one-event fix spent its time in the day's aggregate,
    which found the KPI's events of the day through (kpi, day) and then threw away
    every other site's. The index now leads with (kpi, site, day), so the site is
    part of the index condition, not a filter over the rows read."""
    sql = rollups._FRESH_SQL.format(agg=rollups._AGGREGATES[Kpi.Aggregation.SUM])
    select = sql[sql.index("SELECT") : sql.index("INSERT INTO")].strip().rstrip(")")
    select = select[: select.rindex("HAVING")]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("EXPLAIN " + select, {"kpi": 1, "site": 1, "day": dt.date(2026, 11, 24)})
        plan = "\n".join(line for (line,) in cursor.fetchall())
    index_cond = next(line for line in plan.splitlines() if "Index Cond" in line)
    assert "site_id" in index_cond, plan
    assert "Filter" not in plan, plan
