"""manage.py anonymise_candidates: rejected and withdrawn candidates past retention."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from teams.services import hiring_retention


class Command(BaseCommand):
    help = (
        "Anonymise candidates whose applications are all rejected or withdrawn and"
        " who have not moved for HIRING_RETENTION_DAYS."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = hiring_retention.anonymise_candidates()
        self.stdout.write(
            f"Anonymised {count} candidate(s) past {settings.HIRING_RETENTION_DAYS} days."
        )
