"""manage.py apply_retention: anonymise leavers past retention and blank old history text."""

from typing import Any

from django.core.management.base import BaseCommand

from teams import retention


class Command(BaseCommand):
    help = (
        "Anonymise leavers past SDC_RETENTION_LEAVER_DAYS and blank history text"
        " older than SDC_RETENTION_HISTORY_DAYS."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = retention.apply_retention()
        self.stdout.write(
            f"Anonymised {len(result.anonymised)} leaver(s); "
            f"blanked {result.history_rows} old history row(s)."
        )
