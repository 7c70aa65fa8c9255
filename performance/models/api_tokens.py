"""API tokens: the keys programs send to the KPI API (`Authorization: Token <key>`).

A person holds several, each with a name, scopes (read rollups, post KPI events,
post queue volumes: at least one), an expiry and a revocation. Only a SHA-256
digest of the key is stored: the key is shown once, when it is made, and cannot
be read back. The key's first characters (`prefix`) are public; they find the row,
and the digest is compared in constant time.

SHA-256, not a password hash: a key is 32 random bytes (or, for keys migrated from
rest_framework.authtoken, 20), so there is nothing to guess and a slow hash would
only slow every request. Nor an HMAC keyed with SECRET_KEY: that would break every
client the day the secret is rotated, and buys nothing against a leaked table when
the keys themselves cannot be guessed.
"""

import datetime as dt
import hashlib
import hmac
import re
import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

# New keys look like `sdc_1a2b3c4d_<43 characters>`; keys migrated from
# rest_framework.authtoken are 40 hex digits. The first 12 characters of either are
# the public prefix that finds the row.
KEY_TAG = "sdc_"
PREFIX_LENGTH = 12
# Every key either kind can be: anything else is refused before a query is made
# (a NUL byte would be a 500 on PostgreSQL, a megabyte header a wasted digest).
KEY_SHAPE = re.compile(r"[A-Za-z0-9_-]{40,64}", re.ASCII)

DEFAULT_LIFETIME_DAYS = 90
MAX_LIFETIME_DAYS = 365
# last_used_at is written at most once per this interval per token, so a client
# polling every second does not write a row per request.
LAST_USED_EVERY = dt.timedelta(minutes=1)


def new_key() -> str:
    return f"{KEY_TAG}{secrets.token_hex(4)}_{secrets.token_urlsafe(32)}"


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def key_prefix(key: str) -> str:
    return key[:PREFIX_LENGTH]


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def owned_by(self, user: object) -> "ApiTokenQuerySet":
        return self.filter(user=user)

    def live(self, now: dt.datetime) -> "ApiTokenQuerySet":
        """Tokens that authenticate at `now`: neither revoked nor expired."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)

    def not_revoked(self) -> "ApiTokenQuerySet":
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """One key of one person. Revoked and expired tokens stay listed (with when they
    were last used) until their owner is deleted."""

    class Scope(models.TextChoices):
        READ_ROLLUPS = "read_rollups", "Read KPI rollups"
        WRITE_EVENTS = "write_events", "Post KPI events"
        # Checked by scheduling (scheduling.access.VOLUME_SCOPE, the same value)
        # through has_scope, so that scheduling never imports this model.
        WRITE_VOLUMES = "write_volumes", "Post queue volumes"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        EXPIRED = "expired", "Expired"
        REVOKED = "revoked", "Revoked"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=60, help_text="What the token is for, e.g. “Zendesk sync”.")
    prefix = models.CharField(
        max_length=PREFIX_LENGTH, db_index=True, help_text="The key's public first characters."
    )
    key_digest = models.CharField(max_length=64, help_text="SHA-256 of the key, hex.")
    has_read_scope = models.BooleanField("read KPI rollups", default=False)
    has_write_scope = models.BooleanField("post KPI events", default=False)
    has_volume_scope = models.BooleanField("post queue volumes", default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(has_read_scope=True)
                | Q(has_write_scope=True)
                | Q(has_volume_scope=True),
                name="api_token_has_a_scope",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("created_at")), name="api_token_expires_after_made"
            ),
            # Names tell a person's tokens apart; a revoked one frees its name.
            models.UniqueConstraint(
                fields=["user", "name"],
                condition=Q(revoked_at__isnull=True),
                name="api_token_name_once_per_user",
            ),
        ]
        ordering = ["-created_at", "-pk"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def matches(self, key: str) -> bool:
        return hmac.compare_digest(self.key_digest, key_digest(key))

    def has_scope(self, scope: str) -> bool:
        """Whether the token may do `scope` (a Scope, or its value: another app asks
        with the plain string)."""
        flags = {
            ApiToken.Scope.READ_ROLLUPS.value: self.has_read_scope,
            ApiToken.Scope.WRITE_EVENTS.value: self.has_write_scope,
            ApiToken.Scope.WRITE_VOLUMES.value: self.has_volume_scope,
        }
        return flags.get(str(scope), False)

    @property
    def scope_labels(self) -> list[str]:
        return [str(s.label) for s in ApiToken.Scope if self.has_scope(s)]

    def status(self, now: dt.datetime) -> "ApiToken.Status":
        # A token revoked after it had expired (its name taken by a new one) reads
        # as expired: that is what ended it.
        if self.revoked_at is not None and self.revoked_at < self.expires_at:
            return ApiToken.Status.REVOKED
        if self.expires_at <= now:
            return ApiToken.Status.EXPIRED
        return ApiToken.Status.ACTIVE
