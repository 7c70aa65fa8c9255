"""An import that lands while its day is being rolled up must not be lost."""

import threading
import time

import pytest
from django.db import connection, transaction

from performance import tasks
from performance.models import DailyKpi, Kpi, KpiDirtyDay
from performance.services import kpis as services
from performance.services import rollups


def _event(associate, n):
    return {
        "external_id": f"late-{n}",
        "associate": associate.user.username,
        "kpi": "tickets_solved",
        "occurred_at": "2026-11-20T10:00:00Z",
        "value": "1",
    }


@pytest.mark.django_db(transaction=True)
def test_an_event_imported_during_the_rollup_of_its_day_is_rolled_up_later(associate, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.fail("This test needs PostgreSQL's row locks: run it with DATABASE_URL set.")
    monkeypatch.setattr(tasks.rollup_dirty_days, "delay", lambda: None)  # we drive it
    services.ingest_events([_event(associate, 1)], source="feed")
    mark = KpiDirtyDay.objects.get()
    kpi = Kpi.objects.get(key="tickets_solved")
    rolled_up = threading.Event()

    def rollup():
        # What rollup_dirty_days does for one day, slowed down after its read.
        try:
            with transaction.atomic():
                held = KpiDirtyDay.objects.select_for_update().get(pk=mark.pk)
                rollups.rollup_day(kpi=kpi, site_id=held.site_id, day=held.local_date)
                rolled_up.set()
                time.sleep(1.0)  # the import runs now, after the rollup read the events
                held.delete()
        finally:
            connection.close()

    def late_import():
        try:
            rolled_up.wait(timeout=10)
            services.ingest_events([_event(associate, 2)], source="feed")
        finally:
            connection.close()

    threads = [threading.Thread(target=rollup), threading.Thread(target=late_import)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert KpiDirtyDay.objects.count() == 1, "the late event's day must be marked again"
    rollups.rollup_dirty_days()
    person = DailyKpi.objects.get(scope="associate", associate=associate)
    assert person.event_count == 2
