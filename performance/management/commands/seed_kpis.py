"""Ninety days of believable KPI history for the demo center (run by `seed_demo`).

For the demo teams (the first three, as in `seed_schedule`) every associate gets
events on the days they worked, up to yesterday (site-local): the published or
draft schedule where there is one, weekend duties, no events on comp days and
public holidays, otherwise weekdays on a rotating Early/Mid/Late shift. Each
person has a stable level per KPI around its target, teams differ a little,
every day has noise, new joiners ramp up, and in each team one person improves
and one slips (in the lead's team the slipper is out of green on their last
days, which the lead's home page flags).

Fast: events are written in bulk without per-row validation (they are built
valid: site-local day from the site's zone, unique external ids, source "demo"),
then every touched (KPI, site, day) is rolled up with the service's `rollup_day`
and its dirty-day marks are cleared.
Idempotent and deterministic: a re-run deletes the "demo" events and writes the
same ones again (each person-day draws from its own seeded generator).
"""

# ruff: noqa: S311 -- seeded pseudo-random numbers make repeatable demo data, not secrets.

import datetime as dt
import math
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from performance.models import DailyKpi, Kpi, KpiDirtyDay, KpiEvent
from performance.selectors.kpis import GREEN, rag
from performance.services.rollups import aggregate, rollup_day
from teams.models import Associate, Site, Team

SOURCE = "demo"
DAYS = 90
DEMO_TEAMS = 3
SEED = 20261125
# Figures are drawn in "bands": 0 is the green line of the KPI, +1 is one
# green-to-amber distance better, -1 is the amber line, below that is red.
TEAM_OFFSETS = (0.45, -0.1, 0.1)
DAILY_NOISE = 0.55
RAMP_DAYS = 60  # new joiners reach their own level over their first two months
SLIP_DAYS = 5  # the lead's-team slipper is out of green on their last days worked
FIRST_MONDAY = dt.date(2026, 1, 5)  # anchors the weekly shift rotation


@dataclass(frozen=True)
class Shift:
    starts_at: dt.datetime  # aware
    minutes: int  # scheduled (paid) minutes
    span: int  # minutes from start to end, break included


@dataclass
class Profile:
    levels: dict[str, float]
    trends: dict[str, float] = field(default_factory=dict)  # change over the window, in bands
    ramp_from: dt.date | None = None
    slipping_kpi: str = ""  # out of green on the last SLIP_DAYS days worked


Draw = list[tuple[dt.datetime, float, float | None]]
# kpi id, associate id, occurred_at, local_date, value, denominator, external id
Row = tuple[int, int, int, int, dt.datetime, dt.date, float, float | None, str]
Generator = Callable[[random.Random, Kpi, float, Shift], Draw]


def _at(rng: random.Random, shift: Shift, *, early: int = 10, late: int = 5) -> dt.datetime:
    """A moment inside the shift, in UTC (so a DST day adds no phantom hour)."""
    offset = rng.uniform(early, max(early + 1, shift.span - late))
    return shift.starts_at.astimezone(dt.UTC) + dt.timedelta(minutes=offset)


def _tickets(rng: random.Random, kpi: Kpi, level: float, shift: Shift) -> Draw:
    expected = level * shift.minutes / 480
    count = max(0, round(rng.gauss(expected, 2.0)))
    return [(_at(rng, shift), 1.0, None) for _ in range(count)]


def _csat(rng: random.Random, kpi: Kpi, level: float, shift: Shift) -> Draw:
    # Answers 1 to 5, or % satisfied when the KPI is defined on a 0–100 scale.
    percent = kpi.target > 5
    mean = min(max((level / 20 if percent else level), 2.5), 4.97)
    events: Draw = []
    for _ in range(rng.randint(1, 4)):
        answer = min(5, max(1, round(rng.gauss(mean + 0.15, 0.65))))
        value = (100.0 if answer >= 4 else 0.0) if percent else float(answer)
        events.append((_at(rng, shift, early=60), value, None))
    return events


def _qa(rng: random.Random, kpi: Kpi, level: float, shift: Shift) -> Draw:
    reviews = 2 if rng.random() < 0.2 else 1
    return [
        (_at(rng, shift), float(min(100, max(40, round(rng.gauss(level, 3.0))))), None)
        for _ in range(reviews)
    ]


def _first_response(rng: random.Random, kpi: Kpi, level: float, shift: Shift) -> Draw:
    # A sample of the day's tickets; the day's p90 lands near `level` (the p90 of a
    # handful of values sits nearer their 80th percentile, hence 0.9 not 1.28 sigmas).
    sigma = 0.55
    median = max(level, 5) / math.exp(0.9 * sigma)
    return [
        (_at(rng, shift), float(max(1, round(rng.lognormvariate(math.log(median), sigma)))), None)
        for _ in range(rng.randint(3, 6))
    ]


def _handle_time(rng: random.Random, kpi: Kpi, level: float, shift: Shift) -> Draw:
    sigma = 0.35
    return [
        (
            _at(rng, shift),
            max(1.0, round(rng.lognormvariate(math.log(max(level, 2)), sigma), 1)),
            None,
        )
        for _ in range(rng.randint(3, 6))
    ]


def _adherence(rng: random.Random, kpi: Kpi, level: float, shift: Shift) -> Draw:
    ratio = min(1.0, max(0.6, rng.gauss(level, 0.012)))
    ends_at = shift.starts_at.astimezone(dt.UTC) + dt.timedelta(minutes=shift.span - 1)
    return [(ends_at, float(round(shift.minutes * ratio)), float(shift.minutes))]


GENERATORS: dict[str, Generator] = {
    "tickets_solved": _tickets,
    "csat": _csat,
    "qa_score": _qa,
    "first_response_time": _first_response,
    "handle_time": _handle_time,
    "schedule_adherence": _adherence,
}
# (KPI that slips, a second one that slips with it); the improver's two KPIs.
SLIPS = ("handle_time", "schedule_adherence")
IMPROVES = ("tickets_solved", "qa_score")


def is_green(kpi: Kpi, value: float) -> bool:
    """As the dashboards colour it (at the KPI's decimals)."""
    return rag(kpi, value) == GREEN


def _value_at(kpi: Kpi, bands: float) -> float:
    """The KPI's figure `bands` green-to-amber distances better than the green line."""
    return kpi.green_at + bands * (kpi.green_at - kpi.amber_at)


class Command(BaseCommand):
    help = "Create (or refresh) 90 days of demo KPI events and their daily rollups."

    def handle(self, *args: Any, **options: Any) -> None:
        kpis = [k for k in Kpi.objects.order_by("key") if k.key in GENERATORS]
        teams = list(Team.objects.select_related("site").order_by("pk")[:DEMO_TEAMS])
        with transaction.atomic():
            touched = set(
                KpiEvent.objects.filter(source=SOURCE)
                .values_list("kpi_id", "site_id", "local_date")
                .distinct()
            )
            KpiEvent.objects.filter(source=SOURCE).delete()
            rows: list[Row] = []
            people = 0
            for index, team in enumerate(teams):
                built, count = self._team(team, index, kpis)
                touched |= {(r[0], r[3], r[5]) for r in built}  # kpi, site, local day
                rows.extend(built)
                people += count
            _insert(rows)
            by_kpi = {k.pk: k for k in Kpi.objects.filter(pk__in={t[0] for t in touched})}
            for kpi_id, site_id, day in sorted(touched):
                rollup_day(kpi=by_kpi[kpi_id], site_id=site_id, day=day)
            # Those rollups are fresh: nothing is left for the sweep on these days.
            days: dict[tuple[int, int], list[dt.date]] = defaultdict(list)
            for kpi_id, site_id, day in touched:
                days[kpi_id, site_id].append(day)
            for (kpi_id, site_id), on in days.items():
                KpiDirtyDay.objects.filter(
                    kpi_id=kpi_id, site_id=site_id, local_date__in=on
                ).delete()
        rollups = DailyKpi.objects.filter(
            site_id__in={t.site_id for t in teams}, kpi__in=kpis
        ).count()
        self.stdout.write(
            f"Demo KPIs ready: {len(rows)} events over {DAYS} days for the {people} people "
            "on the teams (associates, their leads and, up to their last day, leavers), "
            f"{rollups} daily rollups."
        )

    def _team(self, team: Team, index: int, kpis: list[Kpi]) -> tuple[list[Row], int]:
        site = team.site
        last = site.local_today() - dt.timedelta(days=1)
        first = last - dt.timedelta(days=DAYS - 1)
        people = [
            a
            for a in team.associates.select_related("user").order_by("pk")
            if a.is_active or a.left_on is not None
        ]
        shifts = _shifts(site, people, first, last)
        profiles = self._profiles(team, index, people, first, last, shifts, kpis)
        zone = site.zone
        rows: list[Row] = []
        for person in people:
            profile = profiles[person.pk]
            username = person.user.username
            worked = sorted(day for (pk, day) in shifts if pk == person.pk)
            slip_from = worked[-SLIP_DAYS] if len(worked) >= SLIP_DAYS else first
            for day in worked:
                shift = shifts[person.pk, day]
                rng = random.Random(f"{SEED}:{username}:{day.isoformat()}")
                progress = (day - first).days / (DAYS - 1)
                ramp = 0.0
                if profile.ramp_from is not None:
                    ramp = -1.8 * max(0.0, 1 - (day - profile.ramp_from).days / RAMP_DAYS)
                for kpi in kpis:
                    bands = (
                        profile.levels[kpi.key]
                        + profile.trends.get(kpi.key, 0.0) * progress
                        + ramp
                        + rng.gauss(0, DAILY_NOISE)
                    )
                    must_slip = kpi.key == profile.slipping_kpi and day >= slip_from
                    if must_slip:
                        bands = min(bands, -0.8)
                    draw = GENERATORS[kpi.key](rng, kpi, _value_at(kpi, bands), shift)
                    for _ in range(20):
                        if not must_slip or not draw or not _green_day(kpi, draw):
                            break
                        draw = GENERATORS[kpi.key](rng, kpi, _value_at(kpi, bands), shift)
                    stem = f"{kpi.key}:{username}:{day:%Y%m%d}"
                    rows.extend(
                        (
                            kpi.pk,
                            person.pk,
                            team.pk,
                            team.site_id,
                            at,
                            at.astimezone(zone).date(),
                            value,
                            denominator,
                            f"{stem}:{n}",
                        )
                        for n, (at, value, denominator) in enumerate(draw)
                    )
        return rows, len(people)

    @staticmethod
    def _profiles(
        team: Team,
        index: int,
        people: list[Associate],
        first: dt.date,
        last: dt.date,
        shifts: dict[tuple[int, dt.date], Shift],
        kpis: list[Kpi],
    ) -> dict[int, Profile]:
        team_rng = random.Random(f"{SEED}:team:{team.name}")
        team_offset = TEAM_OFFSETS[index] if index < len(TEAM_OFFSETS) else 0.0
        team_levels = {k.key: team_offset + team_rng.gauss(0, 0.25) for k in kpis}
        profiles = {}
        for person in people:
            rng = random.Random(f"{SEED}:{person.user.username}")
            general = rng.gauss(0.4, 0.4) + (0.4 if person.level == Associate.Level.LEAD else 0)
            profiles[person.pk] = Profile(
                levels={k: v + general + rng.gauss(0, 0.35) for k, v in team_levels.items()},
                ramp_from=person.hired_on if person.hired_on > first - dt.timedelta(60) else None,
            )
        # Movers: settled people who were here the whole window.
        settled = [
            p
            for p in people
            if p.is_active and p.level != Associate.Level.LEAD and p.hired_on < first
        ]
        if len(settled) < 4:
            return profiles
        slipper, improver = settled[3], settled[-2]
        # Prefer a slipper who worked each of the last three days, so the run of
        # days out of green is consecutive on the calendar as well.
        recent = [last - dt.timedelta(days=n) for n in range(3)]
        for person in settled[3:-2]:
            if all((person.pk, day) in shifts for day in recent):
                slipper = person
                break
        slipping = profiles[slipper.pk]
        for key in SLIPS:
            slipping.levels[key] = max(slipping.levels[key], 0.6) + 0.4
            slipping.trends[key] = -2.4
        slipping.slipping_kpi = SLIPS[0] if index == 0 else ""
        improving = profiles[improver.pk]
        for key in IMPROVES:
            improving.levels[key] = min(improving.levels[key], -0.6) - 0.6
            improving.trends[key] = 2.0
        return profiles


_COLUMNS = (
    "kpi_id, associate_id, team_id, site_id, occurred_at, local_date, value, denominator, "
    "external_id, source, received_at"
)
COPY_SQL = "COPY performance_kpievent (" + _COLUMNS + ") FROM STDIN"
INSERT_SQL = "INSERT INTO performance_kpievent (" + _COLUMNS + ") VALUES (" + "%s, " * 10 + "%s)"


def _insert(rows: list[Row]) -> None:
    """Write the events without per-row validation (they are built valid).

    Not bulk_create: building a model instance per row and preparing each value
    costs several times the insert itself at a hundred thousand rows. PostgreSQL
    takes COPY; other databases one prepared INSERT with their own value adapters
    (what bulk_create would send)."""
    now = timezone.now()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(COPY_SQL) as copy:
                for row in rows:
                    copy.write_row((*row, SOURCE, now))
            return
        ops = connection.ops
        received_at = ops.adapt_datetimefield_value(now)
        cursor.executemany(
            INSERT_SQL,
            [
                (
                    *row[:4],
                    ops.adapt_datetimefield_value(row[4]),
                    ops.adapt_datefield_value(row[5]),
                    *row[6:],
                    SOURCE,
                    received_at,
                )
                for row in rows
            ],
        )


def _green_day(kpi: Kpi, draw: Draw) -> bool:
    values = [value for _at, value, _d in draw]
    denominators = [d for _at, _v, d in draw if d is not None]
    return is_green(kpi, aggregate(kpi.aggregation, values, denominators))


Times = tuple[dt.time, dt.time, int]  # starts, ends, break minutes


@dataclass
class _Plan:
    """What the schedule says about a site's people over the period."""

    planned: dict[tuple[int, dt.date], Times | None]
    off: set[tuple[int, dt.date]]
    duty_days: set[tuple[int, dt.date]]
    holidays: set[dt.date]
    rotation: list[Times]
    weekend: Times


def _shifts(
    site: Site, people: list[Associate], first: dt.date, last: dt.date
) -> dict[tuple[int, dt.date], Shift]:
    """Who worked which day, and when. The schedule where there is one (published,
    else draft; weekend duties; comp days and holidays off), weekdays otherwise.

    Read through the app registry: this is demo data, and performance does not
    import scheduling (the demo also works without it)."""
    plan = _plan(site, [p.pk for p in people], first, last)
    zone = site.zone
    shifts = {}
    for position, person in enumerate(people):
        day = max(first, person.hired_on)
        end = min(last, person.left_on - dt.timedelta(days=1)) if person.left_on else last
        while day <= end:
            key = (person.pk, day)
            times: tuple[dt.time, dt.time, int] | None
            if key in plan.planned:
                times = plan.planned[key]
            elif key in plan.duty_days:
                times = plan.weekend
            elif key in plan.off or day in plan.holidays or day.weekday() >= 5:
                times = None
            else:
                week = (day - FIRST_MONDAY).days // 7
                times = plan.rotation[(position + week) % len(plan.rotation)]
            if times is not None:
                starts, ends, pause = times
                starts_at = dt.datetime.combine(day, starts, tzinfo=zone)
                span = round(
                    (
                        dt.datetime.combine(day, ends, tzinfo=zone).astimezone(dt.UTC)
                        - starts_at.astimezone(dt.UTC)
                    ).total_seconds()
                    / 60
                )
                if span > pause:
                    shifts[key] = Shift(starts_at=starts_at, minutes=span - pause, span=span)
            day += dt.timedelta(days=1)
    return shifts


def _plan(site: Site, ids: list[int], first: dt.date, last: dt.date) -> _Plan:
    """The schedule facts of `_shifts`, read through the app registry."""
    planned: dict[tuple[int, dt.date], Times | None] = {}
    off: set[tuple[int, dt.date]] = set()
    duty_days: set[tuple[int, dt.date]] = set()
    holidays: set[dt.date] = set()
    rotation: list[Times] = []
    weekend: Times | None = None
    if apps.is_installed("scheduling"):
        published = apps.get_model("scheduling", "PublishedEntry")
        draft = apps.get_model("scheduling", "ScheduleEntry")
        for model in (draft, published):  # published wins: it is what people were told
            for pk, on, kind, starts, ends, pause in model.objects.filter(
                associate_id__in=ids, on__gte=first, on__lte=last
            ).values_list("associate_id", "on", "kind", "starts_at", "ends_at", "break_minutes"):
                planned[pk, on] = None
                if kind == "shift" and starts is not None and ends is not None:
                    planned[pk, on] = (starts, ends, pause)
        duty_days = set(
            apps.get_model("scheduling", "WeekendDuty")
            .objects.filter(associate_id__in=ids, on__gte=first, on__lte=last)
            .values_list("associate_id", "on")
        )
        off = {
            (pk, on)
            for pk, on in apps.get_model("scheduling", "CompDay")
            .objects.filter(associate_id__in=ids, on__gte=first, on__lte=last)
            .exclude(status="expired")
            .values_list("associate_id", "on")
            if on is not None
        }
        holidays = set(
            apps.get_model("scheduling", "PublicHoliday")
            .objects.filter(site=site, on__gte=first, on__lte=last)
            .values_list("on", flat=True)
        )
        templates = list(
            apps.get_model("scheduling", "ShiftTemplate")
            .objects.filter(site=site)
            .order_by("starts_at", "name")
            .values_list("starts_at", "ends_at", "break_minutes", "applies_to")
        )
        rotation = [(s, e, b) for s, e, b, applies in templates if applies != "weekend"]
        weekend = next(((s, e, b) for s, e, b, applies in templates if applies != "weekday"), None)
    if not rotation:
        rotation = [(site.weekday_opens_at, _plus(site.weekday_opens_at, 510), 30)]
    if weekend is None:
        weekend = (site.weekend_opens_at, site.weekend_closes_at, 30)

    return _Plan(planned, off, duty_days, holidays, rotation, weekend)


def _plus(time: dt.time, minutes: int) -> dt.time:
    moved = dt.datetime.combine(dt.date(2026, 1, 1), time) + dt.timedelta(minutes=minutes)
    return moved.time() if moved.date() == dt.date(2026, 1, 1) else dt.time(23, 59)
