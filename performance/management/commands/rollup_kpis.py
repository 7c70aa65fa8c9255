import datetime as dt
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from performance.models import Kpi
from performance.services.rollups import rollup_day
from teams.models import Site


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date like 2026-11-01.") from None


class Command(BaseCommand):
    help = "Recompute daily KPI rollups for a range of site-local days (backfill)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--from", dest="first", required=True, type=_date)
        parser.add_argument("--to", dest="last", required=True, type=_date)

    def handle(self, *args: Any, **options: Any) -> None:
        first, last = options["first"], options["last"]
        if last < first:
            raise CommandError("--to is before --from.")
        days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
        kpis, sites = list(Kpi.objects.all()), list(Site.objects.all())
        rows = 0
        for number, day in enumerate(days, start=1):
            for site in sites:
                for kpi in kpis:
                    rows += rollup_day(kpi=kpi, site_id=site.pk, day=day)
            # One line a day: a progress bar that also reads well in a log file.
            self.stdout.write(f"[{number}/{len(days)}] {day:%Y-%m-%d} rolled up")
        self.stdout.write(self.style.SUCCESS(f"{len(days)} days, {rows} rollup rows."))
