"""The token page's list: a person's tokens, active first, with their status."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from teams.models import User

from ..models import ApiToken

# Tokens that ended (expired or were revoked) longer ago than this drop off the page.
LISTED_AFTER_END = dt.timedelta(days=90)


@dataclass(frozen=True)
class TokenRow:
    token: ApiToken
    status: ApiToken.Status

    @property
    def is_active(self) -> bool:
        return self.status == ApiToken.Status.ACTIVE


def tokens_of(user: User, now: dt.datetime) -> list[TokenRow]:
    """One query. Active tokens first (newest first), then those that ended in the
    last LISTED_AFTER_END."""
    since = now - LISTED_AFTER_END
    tokens = ApiToken.objects.owned_by(user).filter(
        Q(revoked_at__isnull=True, expires_at__gt=since) | Q(revoked_at__gt=since)
    )
    rows = [TokenRow(token, token.status(now)) for token in tokens]
    return sorted(rows, key=lambda row: not row.is_active)  # stable: newest first within
