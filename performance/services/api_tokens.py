"""API tokens: made, replaced and revoked by their owner on the token page (an ops
admin also revokes in the Django admin), and checked on every API request.

`create_api_token` and `revoke_api_token` are the only writes that make or end a
token (replacing one calls both), so each is the one place to record it.
"""

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from teams import audit
from teams.models import AuditEvent, User

from ..models.api_tokens import (
    DEFAULT_LIFETIME_DAYS,
    KEY_SHAPE,
    LAST_USED_EVERY,
    MAX_LIFETIME_DAYS,
    ApiToken,
    key_digest,
    key_prefix,
    new_key,
)

# A person with more live tokens than this has lost track of them.
MAX_LIVE_TOKENS = 20


@dataclass(frozen=True)
class NewApiToken:
    token: ApiToken
    key: str  # the only time the key exists outside the client: show it once


def _audit(action: str, *, actor: User, token: ApiToken, **details: object) -> None:
    """Token events in the audit log: named (a token's name is its owner's label for
    it, not people text), with its scopes and owner; never the key or its digest."""
    audit.record(
        action=action,
        actor=actor,
        target=token,
        target_label=f"API token “{token.name}” of {token.user.username}",
        details={"scopes": ", ".join(token.scope_labels), **details},
    )


@transaction.atomic
def create_api_token(
    *,
    actor: User,
    name: str,
    scopes: Collection[ApiToken.Scope],
    lifetime: dt.timedelta = dt.timedelta(days=DEFAULT_LIFETIME_DAYS),
    audited: bool = True,
) -> NewApiToken:
    """A new token (audited) of `actor`'s own. ValidationError (by field) for a name already
    on one of their live tokens, no scope, a lifetime outside 1 day to a year, or
    too many live tokens."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the token a name."})
    if not scopes:
        raise ValidationError({"scopes": "Choose at least one scope."})
    if not dt.timedelta(days=1) <= lifetime <= dt.timedelta(days=MAX_LIFETIME_DAYS):
        raise ValidationError(
            {"expires_in_days": f"A token lasts from 1 to {MAX_LIFETIME_DAYS} days."}
        )
    # Lock the owner, so two requests at once cannot both take a name or the last slot.
    list(User.objects.select_for_update().filter(pk=actor.pk).values_list("pk"))
    now = timezone.now()
    mine = ApiToken.objects.owned_by(actor).not_revoked()
    # An expired token lets its name go: it is revoked as well (it still reads as
    # expired), so the unique name among unrevoked tokens is free again.
    for expired in mine.filter(name=name, expires_at__lte=now):
        revoke_api_token(actor=actor, token=expired)
    if mine.filter(name=name).exists():
        raise ValidationError({"name": f"You already have an active token named “{name}”."})
    if mine.live(now).count() >= MAX_LIVE_TOKENS:
        raise ValidationError(f"You have {MAX_LIVE_TOKENS} active tokens; revoke one first.")
    key = new_key()
    token = ApiToken.objects.create(
        user=actor,
        name=name,
        prefix=key_prefix(key),
        key_digest=key_digest(key),
        has_read_scope=ApiToken.Scope.READ_ROLLUPS in scopes,
        has_write_scope=ApiToken.Scope.WRITE_EVENTS in scopes,
        has_volume_scope=ApiToken.Scope.WRITE_VOLUMES in scopes,
        created_at=now,
        expires_at=now + lifetime,
    )
    if audited:
        _audit(
            AuditEvent.Action.API_TOKEN_CREATED,
            actor=actor,
            token=token,
            expires=token.expires_at.date().isoformat(),
        )
    return NewApiToken(token=token, key=key)


@transaction.atomic
def revoke_api_token(*, actor: User, token: ApiToken, audited: bool = True) -> bool:
    """End a token now (its owner on the token page, an ops admin in the admin).
    False if it was already revoked; an expired one is marked revoked too. Audited
    when it ends a token."""
    revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    token.refresh_from_db(fields=["revoked_at"])
    if revoked and audited:
        _audit(AuditEvent.Action.API_TOKEN_REVOKED, actor=actor, token=token)
    return bool(revoked)


@transaction.atomic
def rotate_api_token(*, actor: User, token: ApiToken) -> NewApiToken:
    """Replace a live token: a new key with the same name, scopes and lifetime, and
    the old key stops working. ValidationError if it is revoked or expired."""
    locked = ApiToken.objects.select_for_update().get(pk=token.pk)
    now = timezone.now()
    if locked.status(now) != ApiToken.Status.ACTIVE:
        raise ValidationError("Only an active token can be replaced; make a new one instead.")
    lifetime = min(locked.expires_at - locked.created_at, dt.timedelta(days=MAX_LIFETIME_DAYS))
    revoke_api_token(actor=actor, token=locked, audited=False)
    made = create_api_token(
        actor=actor,
        name=locked.name,
        scopes=[s for s in ApiToken.Scope if locked.has_scope(s)],
        lifetime=max(lifetime, dt.timedelta(days=1)),
        audited=False,
    )
    _audit(AuditEvent.Action.API_TOKEN_ROTATED, actor=actor, token=made.token, replaced=locked.pk)
    return made


# --- Checking a key ----------------------------------------------------------------


class KeyRefused(Exception):
    """Why a key does not authenticate, in words for the client."""


# "Invalid token" is DRF's wording, which clients already know.
MALFORMED = "Invalid token: this is not the shape of an API key (sdc_… or 40 hex digits)."
UNKNOWN = "Invalid token: no API token has this key."


def authenticate_key(key: str) -> ApiToken:
    """The live token `key` opens (with its user loaded), or KeyRefused with the
    reason. Whether a token is expired or revoked is told only to someone who holds
    its key; anything else is just invalid. Marks the token used, at most
    once per LAST_USED_EVERY."""
    if not KEY_SHAPE.fullmatch(key):
        raise KeyRefused(MALFORMED)  # never queried: NUL bytes, megabytes, non-ASCII
    candidates = ApiToken.objects.select_related("user").filter(prefix=key_prefix(key))
    # `prefix` is not unique (a migrated key chose its own): compare each, in
    # constant time.
    token = next((t for t in candidates if t.matches(key)), None)
    if token is None:
        raise KeyRefused(UNKNOWN)
    now = timezone.now()
    status = token.status(now)
    if status == ApiToken.Status.REVOKED:
        raise KeyRefused("This API token has been revoked.")
    if status == ApiToken.Status.EXPIRED:
        raise KeyRefused(
            f"This API token expired on {token.expires_at:%Y-%m-%d %H:%M} UTC; "
            "make a new one at /account/api-token/."
        )
    if not token.user.is_active:
        raise KeyRefused("User inactive or deleted.")
    _mark_used(token, now)
    return token


def _mark_used(token: ApiToken, now: dt.datetime) -> None:
    due = token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY
    if not due:
        return
    # Conditional, so of several requests at once only one writes.
    stale = ApiToken.objects.filter(pk=token.pk).exclude(last_used_at__gt=now - LAST_USED_EVERY)
    if stale.update(last_used_at=now):
        token.last_used_at = now
