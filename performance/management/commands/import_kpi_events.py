"""Import KPI events from a CSV file, as the upload page does.

With `--as <username>` the events are recorded as that person's and limited to what
they may import (a lead: their own teams' associates); without it they are a system
import, for any team, submitted by nobody.
"""

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from performance import access
from performance.services.kpis import ingest_events, parse_csv
from teams.models import User


class Command(BaseCommand):
    help = "Import KPI events from a CSV file; nothing is written unless every row is valid."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--source", default="csv", help="Where the events come from.")
        parser.add_argument(
            "--as",
            dest="as_user",
            metavar="USERNAME",
            help="Record the events as submitted by this person, with their rights "
            "(a lead imports for their own teams). Without it: a system import.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        submitter, team_ids = self._submitter(options["as_user"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        rows, errors = parse_csv(path.read_bytes())
        if not errors:
            result = ingest_events(
                rows, source=options["source"], team_ids=team_ids, submitted_by=submitter
            )
            errors = list(result.errors)
        if errors:
            for error in errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(errors)} problem(s); nothing was imported.")
        self.stdout.write(
            f"Imported {result.created} events ({result.duplicates} already known); "
            f"{len(result.days)} day(s) queued for rollup."
        )

    def _submitter(self, username: str | None) -> tuple[User | None, frozenset[int] | None]:
        if username is None:
            return None, None
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {username!r}.")
        try:
            return user, access.require_kpi_importer(user)
        except (Http404, PermissionDenied):
            raise CommandError(
                f"{username} may not import KPI events (leads and ops admins do)."
            ) from None
