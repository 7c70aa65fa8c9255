from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from performance.services.kpis import ingest_events, parse_csv


class Command(BaseCommand):
    help = "Import KPI events from a CSV file; nothing is written unless every row is valid."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--source", default="csv", help="Where the events come from.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        rows, errors = parse_csv(path.read_bytes())
        if not errors:
            result = ingest_events(rows, source=options["source"])
            errors = list(result.errors)
        if errors:
            for error in errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(errors)} problem(s); nothing was imported.")
        self.stdout.write(
            f"Imported {result.created} events ({result.duplicates} already known); "
            f"{len(result.days)} day(s) queued for rollup."
        )
