"""Moves between teams and sites, and one bad day (issue 12, points 8, 9, 10b, 24):
events count on the team and site the person was on when they came in, a day that
cannot be rolled up waits on its own while every other day goes on, a large backlog
drains without waiting for the sweep, and /healthz shows the backlog."""

import datetime as dt

import pytest
from django.db import IntegrityError
from django.urls import reverse

from performance.models import DailyKpi, Kpi, KpiDirtyDay
from performance.services import kpis as services
from performance.services import rollups
from tests.factories import AssociateFactory, SiteFactory, TeamFactory

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 10, 20)


def row(external_id, associate, at="2026-10-20T10:00:00Z", kpi="tickets_solved"):
    return {
        "external_id": external_id,
        "associate": associate.user.username,
        "kpi": kpi,
        "occurred_at": at,
        "value": "1",
    }


def team_solved(team, day=DAY):
    found = DailyKpi.objects.filter(
        kpi__key="tickets_solved", scope="team", team=team, day=day
    ).first()
    return (found.value, found.contributors) if found else None


def test_a_team_figure_stays_as_it_was_after_someone_moves_away(team, other_team):
    people = [AssociateFactory(team=team) for _ in range(3)]
    rows = [
        row(f"e{n}-{i}", p, f"2026-10-20T1{i}:00:00Z")
        for n, p in enumerate(people)
        for i in range(n + 3)
    ]
    services.ingest_events(rows, source="test")
    rollups.rollup_dirty_days()
    before = team_solved(team)
    assert before == (12.0, 3)  # 3 + 4 + 5 tickets, 3 people
    mover = people[2]
    mover.team = other_team
    mover.save()
    rollups.rollup_day(kpi=Kpi.objects.get(key="tickets_solved"), site_id=team.site_id, day=DAY)
    assert team_solved(team) == before
    assert team_solved(other_team) is None


def test_someone_who_moves_team_within_the_site_counts_once_in_the_site_row(team, other_team):
    """A same-day move inside one site gives the mover a row on each team; the
    site's contributors count people, not those rows."""
    neighbour = TeamFactory.create(site=team.site)
    mover, stay = AssociateFactory.create(team=team), AssociateFactory.create(team=team)
    services.ingest_events([row("m1", mover), row("s1", stay)], source="test")
    mover.team = neighbour
    mover.save()
    services.ingest_events([row("m2", mover, "2026-10-20T15:00:00Z")], source="test")
    rollups.rollup_dirty_days()

    site_row = DailyKpi.objects.get(
        kpi__key="tickets_solved", scope="site", site=team.site, day=DAY
    )
    assert (site_row.value, site_row.event_count, site_row.contributors) == (3.0, 3, 2)
    assert team_solved(team) == (2.0, 2)
    assert team_solved(neighbour) == (1.0, 1)


def test_an_event_after_a_move_to_another_site_rolls_up_without_jamming(team):
    elsewhere = TeamFactory.create(site=SiteFactory(time_zone="Europe/Warsaw", country="PL"))
    mover = AssociateFactory.create(team=team)
    stay = AssociateFactory(team=team)
    services.ingest_events([row("a1", mover), row("a2", stay)], source="test")
    assert rollups.rollup_dirty_days() == 1
    mover.team = elsewhere
    mover.save()
    # The same day, now at the other site: used to raise IntegrityError after commit.
    result = services.ingest_events([row("a3", mover, "2026-10-20T15:00:00Z")], source="test")
    assert result.errors == ()
    assert rollups.rollup_dirty_days() == 1
    assert not KpiDirtyDay.objects.exists()
    assert team_solved(team) == (2.0, 2)
    assert team_solved(elsewhere) == (1.0, 1)
    mine = DailyKpi.objects.filter(kpi__key="tickets_solved", scope="associate", associate=mover)
    assert sorted((r.team_id, r.value) for r in mine) == sorted(
        [(team.pk, 1.0), (elsewhere.pk, 1.0)]
    )


def test_a_day_that_fails_waits_on_its_own_and_the_others_are_rolled_up(
    team, associate, monkeypatch, client, admin
):
    services.ingest_events(
        [row("b1", associate), row("b2", associate, "2026-10-21T10:00:00Z"),
         row("b3", associate, "2026-10-22T10:00:00Z")],
        source="test",
    )  # fmt: skip
    real = rollups.rollup_day

    def broken_on_the_first_day(*, kpi, site_id, day):
        if day == DAY:
            raise IntegrityError('duplicate key value violates "one_associate_rollup_a_day"')
        return real(kpi=kpi, site_id=site_id, day=day)

    monkeypatch.setattr(rollups, "rollup_day", broken_on_the_first_day)
    assert rollups.rollup_dirty_days() == 2  # the oldest failed; the two after it did not wait
    [stuck] = KpiDirtyDay.objects.all()
    assert stuck.local_date == DAY
    assert stuck.attempts == 1
    assert "one_associate_rollup_a_day" in stuck.last_error
    assert stuck.retry_at is not None
    assert rollups.rollup_dirty_days() == 0  # waiting for its retry time: not tried again now
    assert KpiDirtyDay.objects.get().attempts == 1
    health = client.get(reverse("teams:healthz")).json()
    assert health["status"] == "degraded"
    assert health["rollups"]["dirty_days"] == 1
    assert health["rollups"]["failing_days"] == 1
    # An ops admin sees it, with its error, in the admin.
    from tests.conftest import client_for

    page = client_for(admin).get(reverse("admin:performance_kpidirtyday_changelist"))
    assert "one_associate_rollup_a_day" in page.content.decode()
    # Once fixed and due again, it is rolled up.
    monkeypatch.setattr(rollups, "rollup_day", real)
    KpiDirtyDay.objects.update(retry_at=None)
    assert rollups.rollup_dirty_days() == 1
    assert client.get(reverse("teams:healthz")).json()["status"] == "ok"


def test_a_backlog_beyond_one_run_queues_the_task_again(
    team, associate, django_capture_on_commit_callbacks
):
    rows = [row(f"c{n}", associate, f"2026-10-{n + 1:02d}T10:00:00Z") for n in range(5)]
    services.ingest_events(rows, source="test")
    with django_capture_on_commit_callbacks(execute=True):
        rollups.rollup_dirty_days(limit=2)  # queues itself again (eager here) until done
    assert not KpiDirtyDay.objects.exists()
    assert DailyKpi.objects.filter(scope="site", kpi__key="tickets_solved").count() == 5


def test_new_events_make_a_waiting_day_due_again(team, associate):
    services.ingest_events([row("d1", associate)], source="test")
    KpiDirtyDay.objects.update(attempts=2, retry_at=dt.datetime(2099, 1, 1, tzinfo=dt.UTC))
    services.ingest_events([row("d2", associate, "2026-10-20T11:00:00Z")], source="test")
    assert KpiDirtyDay.objects.get().retry_at is None
    assert rollups.rollup_dirty_days() == 1


def test_the_hourly_job_goes_on_past_a_day_that_fails(team, associate, monkeypatch):
    real = rollups.rollup_day
    solved = Kpi.objects.get(key="tickets_solved")

    def broken_for_tickets(*, kpi, site_id, day):
        if kpi == solved:
            raise IntegrityError("duplicate key")
        return real(kpi=kpi, site_id=site_id, day=day)

    monkeypatch.setattr(rollups, "rollup_day", broken_for_tickets)
    # 23:15 UTC on 20 Oct is 00:15 in Dublin (summer time): the 20th just ended there.
    done = rollups.roll_up_yesterday(dt.datetime(2026, 10, 20, 23, 15, tzinfo=dt.UTC))
    assert done == Kpi.objects.count() - 1  # every other KPI was rolled up
    [waiting] = KpiDirtyDay.objects.all()
    assert (waiting.kpi, waiting.local_date, waiting.attempts) == (solved, DAY, 1)
