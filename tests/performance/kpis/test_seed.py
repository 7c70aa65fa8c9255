"""The demo's 90 days of KPI history (`seed_kpis`, run by `seed_demo`): figures on the
days people worked, believable and mixed, an alert for the lead, and re-runs that
change nothing."""

import datetime as dt
import io
import statistics
import zoneinfo
from collections import defaultdict

import pytest
import time_machine
from django.core.management import call_command

from performance.management.commands import seed_kpis
from performance.models import DailyKpi, Kpi, KpiDirtyDay, KpiEvent
from performance.services import rollups
from scheduling.models import CompDay, PublicHoliday, WeekendDuty
from teams.management.commands import seed_demo
from teams.models import Associate, Team
from tests.factories import AssociateFactory, KpiEventFactory, SiteFactory, TeamFactory

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)  # a Wednesday
YESTERDAY = dt.date(2026, 11, 24)
FIRST = YESTERDAY - dt.timedelta(days=89)
DUBLIN = zoneinfo.ZoneInfo("Europe/Dublin")


def rag(kpi, value):
    if kpi.direction == Kpi.Direction.LOWER:
        return "green" if value <= kpi.green_at else "amber" if value <= kpi.amber_at else "red"
    return "green" if value >= kpi.green_at else "amber" if value >= kpi.amber_at else "red"


def seed(name="seed_kpis"):
    with time_machine.travel(NOW, tick=False):
        call_command(name, stdout=io.StringIO())


def rollup_state():
    return sorted(
        DailyKpi.objects.values_list(
            "kpi__key", "day", "scope", "team_id", "associate_id", "value", "event_count"
        )
    )


def test_seed_demo_runs_it_after_the_schedule():
    assert seed_demo.OTHER_SEEDS.index("seed_kpis") > seed_demo.OTHER_SEEDS.index("seed_schedule")


def test_demo_history_is_believable_alerts_the_lead_and_reruns_change_nothing(monkeypatch):
    # The demo center and its schedule, then this seed exactly as seed_demo runs it
    # (other apps' seeds are left out: they are not under test here).
    monkeypatch.setattr(seed_demo, "OTHER_SEEDS", ["seed_schedule"])
    seed("seed_demo")
    seed()
    kpis = {k.pk: k for k in Kpi.objects.all()}
    assert {k.key for k in kpis.values()} >= set(seed_kpis.GENERATORS)
    demo_teams = list(Team.objects.order_by("pk")[:3])
    people = list(Associate.objects.filter(team__in=demo_teams).select_related("user"))

    days = defaultdict(set)  # (associate, kpi) -> days with a figure
    figures = defaultdict(list)  # (associate, kpi) -> [(day, value)]
    colours: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for kpi_id, associate_id, day, value in DailyKpi.objects.filter(
        scope=DailyKpi.Scope.ASSOCIATE
    ).values_list("kpi_id", "associate_id", "day", "value"):
        assert FIRST <= day <= YESTERDAY
        days[associate_id, kpi_id].add(day)
        figures[associate_id, kpi_id].append((day, value))
        colours[kpi_id][rag(kpis[kpi_id], value)] += 1

    # Figures on the days people worked: nearly every weekday of the 90 for those
    # here all along, only after hiring for joiners, only before leaving for leavers.
    for person in people:
        for kpi_id in kpis:
            worked = days[person.pk, kpi_id]
            if person.is_active and person.hired_on <= FIRST:
                assert 60 <= len(worked) <= 70, (person.user.username, kpis[kpi_id].key)
            if worked:
                assert min(worked) >= person.hired_on
            if person.left_on:
                assert max(worked) < person.left_on
    joiners = [p for p in people if p.hired_on > FIRST + dt.timedelta(days=14)]
    assert joiners
    assert all(days[p.pk, k] for p in joiners for k in kpis)

    # Team and site rollups on every day anyone worked.
    for kpi_id in kpis:
        for team in demo_teams:
            team_days = set(
                DailyKpi.objects.filter(kpi_id=kpi_id, scope="team", team=team).values_list(
                    "day", flat=True
                )
            )
            assert len(team_days) >= 60
        site_days = DailyKpi.objects.filter(kpi_id=kpi_id, scope="site").count()
        assert site_days >= 64  # every weekday, and weekends somebody worked

    # Sane figures on each KPI's own scale.
    by_key = {k.key: k for k in kpis.values()}
    ranges = {
        "tickets_solved": (5, 70),
        "csat": (1, 5),
        "qa_score": (40, 100),
        "first_response_time": (1, 600),
        "handle_time": (1, 120),
        "schedule_adherence": (0.6, 1),
    }
    for key, (low, high) in ranges.items():
        rows = DailyKpi.objects.filter(kpi=by_key[key])
        if key == "tickets_solved":  # team and site counts are totals of many people
            rows = rows.filter(scope="associate")
        values = list(rows.values_list("value", flat=True))
        assert low <= min(values) <= max(values) <= high, (key, min(values), max(values))
    csat_answers = set(
        KpiEvent.objects.filter(kpi=by_key["csat"]).values_list("value", flat=True).distinct()
    )
    assert csat_answers <= {1, 2, 3, 4, 5}
    adherence = KpiEvent.objects.filter(kpi=by_key["schedule_adherence"])
    for value, denominator in adherence.values_list("value", "denominator"):
        assert denominator is not None
        assert 0 < value <= denominator <= 600

    # A mix of colours on every KPI, mostly but not all green.
    for kpi_id, counts in colours.items():
        total = sum(counts.values())
        assert set(counts) == {"green", "amber", "red"}, (kpis[kpi_id].key, dict(counts))
        assert 0.4 <= counts["green"] / total <= 0.9, (kpis[kpi_id].key, dict(counts))

    # The lead's team has someone out of green on their last three days with
    # figures, the latest being yesterday: the home page alert.
    lead_team = Team.objects.get(name="Payments Support", leads__username="lead")
    alerted = set()
    for person in people:
        if person.team_id != lead_team.pk or not person.is_active:
            continue
        for kpi_id, kpi in kpis.items():
            recent = sorted(figures[person.pk, kpi_id])[-3:]
            is_current = bool(recent) and recent[-1][0] == YESTERDAY
            if is_current and all(rag(kpi, v) != "green" for _day, v in recent):
                alerted.add((person.user.username, kpi.key))
    assert alerted
    assert len({username for username, _key in alerted}) <= 6  # an alert, not a wall of them

    # Movers: someone improved and someone slipped by more than a green-to-amber
    # distance between the first and the last month.
    moved = set()
    for (_associate_id, kpi_id), series in figures.items():
        kpi = kpis[kpi_id]
        series.sort()
        if series[0][0] > FIRST + dt.timedelta(days=7) or len(series) < 50:
            continue
        first = statistics.mean(v for _d, v in series[:20])
        last = statistics.mean(v for _d, v in series[-20:])
        better = (last - first) * (1 if kpi.direction == Kpi.Direction.HIGHER else -1)
        if abs(better) > abs(kpi.green_at - kpi.amber_at):
            moved.add("improved" if better > 0 else "slipped")
    assert moved == {"improved", "slipped"}

    # Events: from the demo source, at plausible local times on their own local day.
    assert not KpiEvent.objects.exclude(source="demo").exists()
    for occurred_at, local_date in KpiEvent.objects.values_list("occurred_at", "local_date"):
        local = occurred_at.astimezone(DUBLIN)
        assert local.date() == local_date
        assert dt.time(7) <= local.time() <= dt.time(19)
    assert not KpiDirtyDay.objects.exists()

    # Re-running writes the same events and the same rollups.
    before = (KpiEvent.objects.count(), rollup_state())
    seed()
    assert (KpiEvent.objects.count(), rollup_state()) == before


@pytest.fixture
def roster():
    """A small team with no schedule: weekdays are worked, one weekend duty, one
    comp day and one public holiday say otherwise."""
    site = SiteFactory(name="Dublin", time_zone="Europe/Dublin")
    team = TeamFactory(site=site, name="Small")
    settled = [AssociateFactory(team=team, hired_on=dt.date(2024, 1, 8)) for _ in range(5)]
    joiner = AssociateFactory(team=team, hired_on=dt.date(2026, 11, 2))
    leaver = AssociateFactory(
        team=team, hired_on=dt.date(2023, 1, 9), is_active=False, left_on=dt.date(2026, 10, 1)
    )
    saturday = dt.date(2026, 10, 24)  # the night before the clocks go back
    WeekendDuty.objects.create(associate=settled[0], on=saturday)
    duty = WeekendDuty.objects.create(associate=settled[0], on=dt.date(2026, 10, 25))
    CompDay.objects.create(
        duty=duty,
        associate=settled[0],
        on=dt.date(2026, 10, 28),
        status=CompDay.Status.TAKEN,
        expires_on=dt.date(2026, 11, 24),
    )
    PublicHoliday.objects.create(site=site, on=dt.date(2026, 10, 26), name="October Bank Holiday")
    return settled, joiner, leaver


def worked_days(associate):
    return set(KpiEvent.objects.filter(associate=associate).values_list("local_date", flat=True))


def test_events_only_on_days_worked(roster):
    settled, joiner, leaver = roster
    seed()
    weekdays = {
        FIRST + dt.timedelta(days=n)
        for n in range(90)
        if (FIRST + dt.timedelta(days=n)).weekday() < 5
    } - {dt.date(2026, 10, 26)}
    assert worked_days(settled[1]) == weekdays
    # The weekend duty is worked, the comp day is not.
    assert worked_days(settled[0]) == (
        weekdays | {dt.date(2026, 10, 24), dt.date(2026, 10, 25)}
    ) - {dt.date(2026, 10, 28)}
    assert worked_days(joiner) == {d for d in weekdays if d >= joiner.hired_on}
    assert worked_days(leaver) == {d for d in weekdays if d < leaver.left_on}


def test_events_keep_their_local_day_across_the_clock_change(roster):
    settled, _joiner, _leaver = roster
    seed()
    for day in (dt.date(2026, 10, 23), dt.date(2026, 10, 25), dt.date(2026, 10, 27)):
        events = KpiEvent.objects.filter(associate=settled[0], local_date=day)
        assert events.exists()
        for event in events:
            local = event.occurred_at.astimezone(DUBLIN)
            assert local.date() == day
            assert dt.time(7) <= local.time() <= dt.time(19)
    # Sunday 25 October is a weekend shift, 09:00–17:30 local, on either side of the change.
    sunday = KpiEvent.objects.filter(associate=settled[0], local_date=dt.date(2026, 10, 25))
    assert all(
        dt.time(9) <= e.occurred_at.astimezone(DUBLIN).time() <= dt.time(17, 30) for e in sunday
    )


def test_rerun_replaces_demo_events_and_keeps_other_sources(roster):
    settled, _joiner, _leaver = roster
    kpi = Kpi.objects.get(key="tickets_solved")
    day = dt.date(2026, 11, 20)
    KpiEventFactory(
        kpi=kpi,
        associate=settled[2],
        occurred_at=dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC),
        local_date=day,
        value=1,
        source="csv",
        external_id="real-1",
    )
    seed()
    demo_count = KpiEvent.objects.filter(source="demo").count()
    first = rollup_state()
    solved = DailyKpi.objects.get(kpi=kpi, scope="associate", associate=settled[2], day=day)
    assert (
        solved.event_count
        == KpiEvent.objects.filter(kpi=kpi, associate=settled[2], local_date=day).count()
    )
    seed()
    assert KpiEvent.objects.filter(source="demo").count() == demo_count
    assert KpiEvent.objects.filter(source="csv").count() == 1
    assert rollup_state() == first
    # A stale demo event from an earlier run (say, a day that left the window) goes,
    # and so do its rollups.
    KpiEventFactory(
        kpi=kpi,
        associate=settled[2],
        occurred_at=dt.datetime(2026, 6, 1, 10, tzinfo=dt.UTC),
        local_date=dt.date(2026, 6, 1),
        value=1,
        source="demo",
        external_id="old-window",
    )
    rollups.rollup_day(kpi=kpi, site_id=settled[2].team.site_id, day=dt.date(2026, 6, 1))
    assert DailyKpi.objects.filter(day=dt.date(2026, 6, 1)).exists()
    seed()
    assert not KpiEvent.objects.filter(external_id="old-window").exists()
    assert not DailyKpi.objects.filter(day=dt.date(2026, 6, 1)).exists()
    assert rollup_state() == first
