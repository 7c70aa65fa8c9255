"""Retention: anonymise leavers' personal data, and blank old versions of people
text in the change history, after the periods in settings.

Aggregates stay: KPI events and rollups, the comp-day ledger and schedule cells
keep their rows (they point at the associate by id, and a team's figures must not
change when a leaver is anonymised); only what names or describes the person
goes, and their sign-in attempts recorded by django-axes.
Idempotent: an anonymised associate carries `anonymised_at` and is skipped, and
blanking text that is already blank writes nothing.
"""

import datetime as dt
from dataclasses import dataclass

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import audit
from .models import Associate, AuditEvent, Candidate, Site, User
from .selectors import history_retention_providers, retention_providers
from .services.hiring_retention import anonymise_candidate


@dataclass(frozen=True)
class RetentionResult:
    anonymised: list[int]
    history_rows: int


def former_name(associate_id: int) -> tuple[str, str]:
    return "Former associate", f"#{associate_id}"


def leavers_due(*, today: dt.date | None = None) -> list[int]:
    """Leavers whose leaving day is past retention on their site's own calendar
    (`today`, when given, stands for every site's local day)."""
    due: list[int] = []
    for site in Site.objects.order_by("pk"):
        cutoff = (today or site.local_today()) - dt.timedelta(
            days=settings.SDC_RETENTION_LEAVER_DAYS
        )
        due += Associate.objects.filter(
            team__site=site,
            is_active=False,
            left_on__isnull=False,
            left_on__lte=cutoff,
            anonymised_at__isnull=True,
        ).values_list("pk", flat=True)
    return sorted(due)


@transaction.atomic
def anonymise_associate(*, associate_id: int, actor: User | None = None) -> bool:
    """Scrub one leaver's personal data; False when already done or not a leaver."""
    locked = Associate.objects.select_for_update().select_related("user").get(pk=associate_id)
    if locked.anonymised_at is not None or locked.is_active:
        return False
    user = locked.user
    _forget_sign_in_attempts(user.username)
    user.first_name, user.last_name = former_name(locked.pk)
    user.username = f"former-associate-{locked.pk}"
    user.email = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()
    for provider in retention_providers:
        provider(locked)
    # The candidate record they were hired from (CV, notes, scorecards' words) goes too.
    hired_from = Candidate.objects.filter(applications__offer__associate=locked)
    for candidate_id in hired_from.values_list("pk", flat=True).distinct():
        anonymise_candidate(candidate_id=candidate_id, now=timezone.now())
    locked.anonymised_at = timezone.now()
    locked.save(update_fields=["anonymised_at"])
    # Named as they are now ("Former associate #id"); their earlier audit events keep
    # the names they had: the audit log is append-only (see ARCHITECTURE.md, Audit).
    audit.record(action=AuditEvent.Action.ANONYMISED, actor=actor, target=locked, team=locked.team)
    return True


def _forget_sign_in_attempts(username: str) -> None:
    """django-axes keeps sign-in attempts and logins by username and address."""
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(username=username).delete()


def apply_retention(
    *, today: dt.date | None = None, now: dt.datetime | None = None
) -> RetentionResult:
    """The nightly job: every leaver past retention, then the old history versions."""
    now = now or timezone.now()
    anonymised = [pk for pk in leavers_due(today=today) if anonymise_associate(associate_id=pk)]
    cutoff = now - dt.timedelta(days=settings.SDC_RETENTION_HISTORY_DAYS)
    with transaction.atomic():
        history_rows = sum(provider(cutoff) for provider in history_retention_providers)
    return RetentionResult(anonymised=anonymised, history_rows=history_rows)
