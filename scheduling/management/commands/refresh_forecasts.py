"""Forecast every active queue now (the hourly beat job does it after each site's midnight)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from teams.models import Site

from ...services.forecasts import refresh_site_forecasts


class Command(BaseCommand):
    help = "Refresh the forecasts of every active queue (already done today: skipped)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="Refresh even if done today.")

    def handle(self, *args: Any, **options: Any) -> None:
        for site in Site.objects.filter(teams__queues__is_active=True).distinct():
            counts = refresh_site_forecasts(site=site, force=options["force"])
            self.stdout.write(
                f"{site.name}: {counts['refreshed']} refreshed, {counts['skipped']} already "
                f"done today, {counts['unavailable']} without enough history"
            )
