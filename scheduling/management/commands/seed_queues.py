"""Demo queues and 12 weeks of their volume history (run by `seed_demo`).

Each demo team gets a live and a deferred queue, needing skills its people have.
Volumes are made up so that forecasts and staffing pages have something believable to
show: Monday busiest and the weekend quiet, a morning and an after-lunch peak (e-mail
also arrives overnight, a little), a gentle upward trend, dips on the site's public
holidays, and Poisson noise around all that. Deterministic: each queue's day draws
from its own seeded generator, so a re-run on the same day writes the same figures
(upserted), and a run on a later day adds the new days and drops those that fell out
of the window.
"""

import datetime as dt
import math
import random
from argparse import ArgumentParser
from dataclasses import dataclass
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from scheduling.intervals import Interval, day_intervals, local_midnight
from scheduling.models import PublicHoliday, Queue, QueueVolume
from scheduling.services import calendar
from teams.models import Skill, Team

SEED = 20261124
WEEKS = 12
# Mon … Sun, against an average weekday.
WEEKDAY_FACTOR = (1.22, 1.08, 1.02, 1.0, 0.93, 0.42, 0.3)
HOLIDAY_FACTOR = 0.35
TREND_PER_WEEK = 0.005  # +0.5 % a week: about +6 % over the 12 weeks
# The trend counts from a fixed Monday, not from the window, so that a day's figures
# are the same whichever day the seed runs on.
TREND_FROM = dt.date(2026, 1, 5)


@dataclass(frozen=True)
class QueueSpec:
    name: str
    channel: str
    skill: str
    service_level_percent: int
    target_seconds: int
    handle_time_seconds: int | None  # None: the queue plans with its history's average
    peak: float  # contacts in the busiest half-hour of an average weekday
    aht: float  # the handle time the history is drawn around
    abandon: float  # the share of offered contacts not handled


LIVE, DEFERRED = Queue.Channel.LIVE, Queue.Channel.DEFERRED
DEMO_QUEUES: dict[str, list[QueueSpec]] = {
    "Payments Support": [
        QueueSpec("Payments chat", LIVE, "Live chat", 80, 60, None, 13.0, 430, 0.05),
        QueueSpec("Payments e-mail", DEFERRED, "Payments", 90, 4 * 3600, 540, 8.0, 540, 0.0),
    ],
    "Connect Onboarding": [
        QueueSpec("Connect chat", LIVE, "Connect", 80, 90, None, 10.0, 480, 0.04),
        QueueSpec("Connect tickets", DEFERRED, "Email queue", 90, 8 * 3600, 720, 6.0, 720, 0.0),
    ],
    "Billing & Invoicing": [
        QueueSpec("Billing phone", LIVE, "Phone", 80, 20, 360, 11.0, 350, 0.06),
        QueueSpec("Billing e-mail", DEFERRED, "Billing", 90, 4 * 3600, None, 5.0, 600, 0.0),
    ],
}


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw: Knuth's product of uniforms, in chunks of mean at most 30 (a
    sum of Poisson draws is Poisson) so that exp(-mean) never underflows."""
    count = 0
    while mean > 0:
        chunk = min(mean, 30.0)
        mean -= chunk
        limit, product = math.exp(-chunk), rng.random()
        while product > limit:
            count += 1
            product *= rng.random()
    return count


def intraday(hour: float, *, is_live: bool) -> float:
    """The day's shape at a local hour (0–24), about 1.0 at the busiest: a morning
    peak around 10:30, a dip at lunch and a second peak after it. E-mail is flatter
    and keeps arriving, a little, through the night."""
    morning = math.exp(-(((hour - 10.5) / 1.4) ** 2))
    afternoon = 0.85 * math.exp(-(((hour - 14.6) / 1.5) ** 2))
    day = (0.18 + morning + afternoon) / 1.2
    if is_live:
        return day
    return 0.3 + 0.7 * day if 7 <= hour < 21 else 0.12


# One interval as it is written: queue id, UTC start, offered, handled, handle time.
Row = tuple[int, dt.datetime, int, int, int | None]


def day_volumes(
    queue: Queue, spec: QueueSpec, day: dt.date, intervals: list[Interval], *, level: float
) -> list[Row]:
    """One day of a queue: `level` carries the weekday, trend and holiday factors."""
    rng = random.Random(f"{SEED}:{spec.name}:{day.isoformat()}")  # noqa: S311 -- demo data
    scale = queue.interval_minutes / 30
    rows = []
    for interval in intervals:
        local = interval.local_start
        middle = local.hour + (local.minute + queue.interval_minutes / 2) / 60
        mean = spec.peak * scale * level * intraday(middle, is_live=queue.is_live)
        offered = poisson(rng, mean)
        handled = offered
        if spec.abandon:
            handled -= sum(1 for _ in range(offered) if rng.random() < spec.abandon)
        aht = None
        if handled:
            aht = max(30, round(spec.aht * (1 + rng.gauss(0, 0.6 / math.sqrt(handled)))))
        rows.append((queue.pk, interval.starts_at, offered, handled, aht))
    return rows


_COLUMNS = "queue_id, starts_at, offered, handled, handle_time_seconds, source, received_at"
COPY_SQL = f"COPY {QueueVolume._meta.db_table} ({_COLUMNS}) FROM STDIN"
INSERT_SQL = (
    f"INSERT INTO {QueueVolume._meta.db_table} ({_COLUMNS}) VALUES ({', '.join(['%s'] * 7)})"  # noqa: S608 -- names from the model
)


def _insert(rows: list[Row]) -> None:
    """Write the rows without model instances or per-value preparation, as seed_kpis
    does (they are built valid): bulk_create spends most of its time on those.
    PostgreSQL takes COPY; other databases one prepared INSERT with their adapters."""
    now = timezone.now()
    source = QueueVolume.Source.DEMO.value
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(COPY_SQL) as copy:
                for row in rows:
                    copy.write_row((*row, source, now))
            return
        adapt = connection.ops.adapt_datetimefield_value
        received_at = adapt(now)
        cursor.executemany(
            INSERT_SQL,
            [(q, adapt(at), *figures, source, received_at) for q, at, *figures in rows],
        )


class Command(BaseCommand):
    help = "Create demo queues for the demo teams and 12 weeks of their volume history."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--weeks", type=int, default=WEEKS, help=f"Weeks of history (default {WEEKS})."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        weeks: int = options["weeks"]
        if not 1 <= weeks <= 104:
            raise CommandError("--weeks must be from 1 to 104.")
        skills = {s.name: s for s in Skill.objects.all()}
        total = 0
        teams = Team.objects.select_related("site").filter(name__in=DEMO_QUEUES).order_by("pk")
        for team in teams:
            total += self._team(team, skills, weeks)
        self.stdout.write(
            f"Demo queues ready: {Queue.objects.filter(team__in=teams).count()} queues, "
            f"{total:,} intervals of volume history ({weeks} weeks up to yesterday)."
        )

    @transaction.atomic
    def _team(self, team: Team, skills: dict[str, Skill], weeks: int) -> int:
        site = team.site
        last = site.local_today() - dt.timedelta(days=1)
        first = last - dt.timedelta(days=7 * weeks - 1)
        calendar.sync_public_holidays(site=site, years=sorted({first.year, last.year}))
        holidays = set(
            PublicHoliday.objects.filter(site=site, on__range=(first, last)).values_list(
                "on", flat=True
            )
        )
        rows: list[Row] = []
        for spec in DEMO_QUEUES[team.name]:
            skill = skills.get(spec.skill)
            if skill is None:
                continue
            queue, _ = Queue.objects.update_or_create(
                team=team,
                name=spec.name,
                defaults={
                    "channel": spec.channel,
                    "skill": skill,
                    "service_level_percent": spec.service_level_percent,
                    "target_seconds": spec.target_seconds,
                    "handle_time_seconds": spec.handle_time_seconds,
                },
            )
            # The window is written afresh, and days that fell out of it go: the demo
            # keeps its weeks.
            window_ends = local_midnight(last + dt.timedelta(days=1), site.zone)
            QueueVolume.objects.filter(queue=queue, starts_at__lt=window_ends).filter(
                Q(source=QueueVolume.Source.DEMO)
                | Q(starts_at__gte=local_midnight(first, site.zone))
            ).delete()
            for offset in range(7 * weeks):
                day = first + dt.timedelta(days=offset)
                if queue.is_live:
                    opens, closes = site.opening_hours_on(day)
                    intervals = day_intervals(
                        day, site.zone, queue.interval_minutes, opens=opens, closes=closes
                    )
                else:
                    intervals = day_intervals(day, site.zone, queue.interval_minutes)
                age = max((day - TREND_FROM).days, 0) / 7
                level = WEEKDAY_FACTOR[day.weekday()] * (1 + TREND_PER_WEEK * age)
                if day in holidays:
                    level *= HOLIDAY_FACTOR
                rows += day_volumes(queue, spec, day, intervals, level=level)
        _insert(rows)
        return len(rows)
