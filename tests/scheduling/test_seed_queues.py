"""The demo's queues and their 12 weeks of volume history (`seed_queues`, run by
`seed_demo`): the shapes a lead would recognise, holiday dips, and re-runs that
change nothing."""

import datetime as dt
import io
import random
import statistics
import zoneinfo
from collections import defaultdict

import pytest
import time_machine
from django.core.management import call_command

from scheduling.management.commands.seed_queues import DEMO_QUEUES, poisson
from scheduling.models import PublicHoliday, Queue, QueueVolume
from teams.management.commands import seed_demo
from tests.factories import SiteFactory, SkillFactory, TeamFactory

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)  # a Wednesday
YESTERDAY = dt.date(2026, 11, 24)
FIRST = YESTERDAY - dt.timedelta(days=83)
DUBLIN = zoneinfo.ZoneInfo("Europe/Dublin")


def make_teams(names) -> None:
    site = SiteFactory(name="Dublin Delivery Center", time_zone="Europe/Dublin", country="IE")
    for spec in (s for specs in DEMO_QUEUES.values() for s in specs):
        SkillFactory(name=spec.skill)
    for name in names:
        TeamFactory(site=site, name=name)


@pytest.fixture
def payments(db):
    """One demo team (each seeds the same way; one keeps the tests quick)."""
    make_teams(["Payments Support"])


def seed(**options: int) -> None:
    with time_machine.travel(NOW, tick=False):
        call_command("seed_queues", stdout=io.StringIO(), **options)


def state() -> list[tuple[object, ...]]:
    return sorted(
        QueueVolume.objects.values_list(
            "queue__name", "starts_at", "offered", "handled", "handle_time_seconds"
        )
    )


def by_day(queue: Queue) -> dict[dt.date, int]:
    days: dict[dt.date, int] = defaultdict(int)
    for starts_at, offered in QueueVolume.objects.filter(queue=queue).values_list(
        "starts_at", "offered"
    ):
        days[starts_at.astimezone(DUBLIN).date()] += offered
    return days


def test_seed_demo_runs_it_after_the_schedule():
    assert seed_demo.OTHER_SEEDS.index("seed_queues") > seed_demo.OTHER_SEEDS.index("seed_schedule")


def test_each_demo_team_gets_a_live_and_a_deferred_queue(db):
    make_teams(DEMO_QUEUES)
    seed(weeks=1)
    queues = {q.name: q for q in Queue.objects.select_related("team", "skill")}
    assert {(q.team.name, q.channel) for q in queues.values()} == {
        (team, channel) for team in DEMO_QUEUES for channel in ("live", "deferred")
    }
    assert queues["Payments chat"].target_label() == "80 % in 60 s"
    assert queues["Payments e-mail"].target_label() == "90 % within 4 h"
    assert queues["Payments chat"].skill.name == "Live chat"
    for queue in queues.values():
        assert set(by_day(queue)) == {YESTERDAY - dt.timedelta(days=n) for n in range(7)}


def test_twelve_weeks_up_to_yesterday_live_while_open_and_e_mail_all_day(payments):
    seed()
    chat, email = Queue.objects.get(name="Payments chat"), Queue.objects.get(channel="deferred")
    for queue in (chat, email):
        days = by_day(queue)
        assert (min(days), max(days), len(days)) == (FIRST, YESTERDAY, 84)
    # Live queues only while the site is open (07:00–19:00 weekdays, 09:00–17:30
    # weekends: 60 × 24 + 24 × 17); e-mail around the clock, 50 half-hours on the
    # night the clocks go back.
    assert QueueVolume.objects.filter(queue=chat).count() == 60 * 24 + 24 * 17
    assert QueueVolume.objects.filter(queue=email).count() == 84 * 48 + 2
    handled = QueueVolume.objects.filter(handled__gt=0)
    assert not handled.filter(handle_time_seconds__isnull=True).exists()
    assert not QueueVolume.objects.filter(handled=0, handle_time_seconds__isnull=False).exists()
    assert set(QueueVolume.objects.values_list("source", flat=True)) == {"demo"}


def test_the_history_has_a_weekly_and_an_intraday_shape_a_trend_and_holiday_dips(payments):
    seed()
    chat = Queue.objects.get(name="Payments chat")
    days = by_day(chat)
    holidays = set(PublicHoliday.objects.values_list("on", flat=True))
    assert dt.date(2026, 10, 26) in holidays  # the October bank holiday, a Monday
    weekday: dict[int, list[int]] = defaultdict(list)
    for day, offered in days.items():
        if day not in holidays:
            weekday[day.weekday()].append(offered)
    mean = {d: statistics.mean(v) for d, v in weekday.items()}
    assert mean[0] == max(mean.values())  # Monday busiest
    assert max(mean[5], mean[6]) < 0.5 * min(mean[d] for d in range(5))  # weekends low
    assert days[dt.date(2026, 10, 26)] < 0.5 * mean[0]  # the holiday dips
    first_weeks = sum(v for d, v in days.items() if d < FIRST + dt.timedelta(weeks=4))
    last_weeks = sum(v for d, v in days.items() if d > YESTERDAY - dt.timedelta(weeks=4))
    assert last_weeks > first_weeks  # a gentle upward trend

    slots: dict[str, list[int]] = defaultdict(list)
    for starts_at, offered in QueueVolume.objects.filter(queue=chat).values_list(
        "starts_at", "offered"
    ):
        local = starts_at.astimezone(DUBLIN)
        if local.weekday() < 5:
            slots[f"{local:%H:%M}"].append(offered)
    at = {slot: statistics.mean(v) for slot, v in slots.items()}
    morning, lunch, afternoon = at["10:30"], at["12:30"], at["14:30"]
    assert morning > 2 * at["07:30"]
    assert morning > 1.4 * lunch
    assert afternoon > 1.3 * lunch
    assert at["18:30"] < 0.5 * afternoon


def test_re_running_it_changes_nothing_and_a_later_day_moves_the_window(payments):
    seed(weeks=2)
    first = state()
    seed(weeks=2)
    assert state() == first
    assert Queue.objects.count() == 2
    start = YESTERDAY - dt.timedelta(days=13)
    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        call_command("seed_queues", weeks=2, stdout=io.StringIO())
    days = by_day(Queue.objects.get(name="Payments chat"))
    assert (min(days), max(days)) == (
        start + dt.timedelta(days=1),
        YESTERDAY + dt.timedelta(days=1),
    )
    # The days both runs cover keep their figures: each day has its own generator.
    kept = [row for row in first if row[0] == "Payments chat" and row[1].date() > start]
    assert kept == [
        row for row in state() if row[0] == "Payments chat" and start < row[1].date() <= YESTERDAY
    ]


def test_poisson_draws_have_the_mean_and_spread_they_should():
    rng = random.Random(7)  # noqa: S311 -- test data
    for mean in (0.4, 6.0, 75.0):
        draws = [poisson(rng, mean) for _ in range(4000)]
        assert statistics.mean(draws) == pytest.approx(mean, rel=0.06, abs=0.05)
        assert statistics.variance(draws) == pytest.approx(mean, rel=0.12, abs=0.08)
    assert poisson(rng, 0) == 0
