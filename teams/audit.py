"""The audit log: `record()` writes one `AuditEvent`; every app calls it directly.

    from teams import audit
    audit.record(action=AuditEvent.Action.WEEK_PUBLISHED, actor=user, target=week, team=team)

An event is written in the caller's transaction (inside a savepoint), so a change
that rolls back leaves no event, and a failed write is logged and swallowed, so the
audit never breaks the action it records. It names people and fields, never their
text: `details` keeps short plain values only, drops keys that sound secret, and is
bounded in size (`AuditEvent.DETAILS_MAX_CHARS`).

Logins, logouts and failed logins come from django.contrib.auth's signals
(connected in `TeamsConfig.ready()`); the address of the request is taken from the
request being served (`AuditRequestMiddleware`) when the caller has none to pass.
"""

import contextvars
import hashlib
import ipaddress
import json
import logging
from collections.abc import Callable, Mapping
from typing import Any

from django.db import DatabaseError, models, transaction
from django.http import HttpRequest, HttpResponse

from .models import Associate, AuditEvent, Site, Skill, Team, User

logger = logging.getLogger(__name__)

_current_request: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar(
    "audit_request", default=None
)

LABEL_CHARS = 200
VALUE_CHARS = 120  # one string in `details`
LIST_ITEMS = 30  # items of one list in `details`
USERNAME_CHARS = 64  # an attempted username, as typed
SECRET_WORDS = ("password", "secret", "token", "key", "hash")


class AuditRequestMiddleware:
    """Keep the request being served at hand, so an event written deep in a service
    still gets its address (and "anonymous" rather than "system" as its actor)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)


def record(
    *,
    action: str,
    actor: User | None,
    target: models.Model | None = None,
    target_label: str | None = None,
    request: HttpRequest | None = None,
    team: Team | None = None,
    site: Site | None = None,
    details: Mapping[str, object] | None = None,
) -> AuditEvent | None:
    """Write one audit event; None when it could not be written (logged).

    `actor` is the user who acted (None: the system, or nobody signed in).
    `target` is the object acted on; its label is the name for roster objects and
    "<kind> #<id>" for anything else (whose name may be people text), unless
    `target_label` is given. An object whose primary key is not a number (a
    session, keyed by its secret) is recorded by its kind only. `team` (and
    `site`, which defaults to the team's) is where it happened, for filtering.
    """
    if action not in AuditEvent.Action.values:
        raise ValueError(f"Unknown audit action {action!r}: add it to AuditEvent.Action.")
    request = request if request is not None else _current_request.get()
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    event = AuditEvent(
        action=action,
        actor=actor,
        actor_label=_actor_label(actor, request),
        team=team,
        site_id=site.pk if site is not None else team.site_id if team is not None else None,
        remote_addr=_address(request),
        details=bounded(details or {}),
    )
    if target is not None:
        event.target_type = target._meta.label_lower
        if isinstance(target.pk, int):
            event.target_id = target.pk
            event.target_label = (target_label or _label(target))[:LABEL_CHARS]
        else:
            event.target_label = str(target._meta.verbose_name)
    elif target_label:
        event.target_label = target_label[:LABEL_CHARS]
    try:
        with transaction.atomic():
            event.save()
    except DatabaseError:
        logger.exception("audit event %s was not written", action)
        return None
    return event


def _actor_label(actor: User | None, request: HttpRequest | None) -> str:
    if actor is not None:
        return actor.get_username()
    return "anonymous" if request is not None else "system"


def _label(target: models.Model) -> str:
    if isinstance(target, User):
        name = target.get_full_name()
        return f"{name} ({target.username})" if name else target.username
    if isinstance(target, Associate | Team | Site | Skill):
        return str(target)
    return f"{target._meta.verbose_name} #{target.pk}"


def _address(request: HttpRequest | None) -> str | None:
    raw = request.META.get("REMOTE_ADDR") if request is not None else None
    try:
        return str(ipaddress.ip_address(raw)) if raw else None
    except ValueError:
        return None


def _plain(value: object) -> object:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else list(value)
        return [_plain(item) for item in items[:LIST_ITEMS]]
    if isinstance(value, Mapping):
        return _plain_mapping(value)
    return str(value)[:VALUE_CHARS]


def _plain_mapping(value: Mapping[Any, object]) -> dict[str, object]:
    return {
        str(k)[:VALUE_CHARS]: _plain(v)
        for k, v in list(value.items())[:LIST_ITEMS]
        if not _sounds_secret(str(k))
    }


def _sounds_secret(key: str) -> bool:
    return any(word in key.lower() for word in SECRET_WORDS)


def bounded(details: Mapping[str, object]) -> dict[str, object]:
    """`details` as short plain JSON values, without secret-sounding keys, at most
    `AuditEvent.DETAILS_MAX_CHARS` long (past that, only its keys are kept)."""
    plain = _plain_mapping(details)
    if len(json.dumps(plain)) <= AuditEvent.DETAILS_MAX_CHARS:
        return plain
    keys = [k[:40] for k in list(plain)[:LIST_ITEMS]]
    return {"truncated": True, "keys": keys}


def changed_fields(before: Mapping[str, object], after: Mapping[str, object]) -> list[str]:
    """The names of the fields whose value differs (not the values: those may be
    personal, and the roster pages show the current ones)."""
    return sorted(name for name in after if before.get(name) != after[name])


# --- Logins, logouts and failed logins (django.contrib.auth signals) ------------------


def team_of(user: User) -> Team | None:
    """The team of the user's roster record, if they have one (for filtering)."""
    return Team.objects.filter(associates__user_id=user.pk).order_by("pk").first()


def on_logged_in(sender: object, request: HttpRequest | None, user: User, **kwargs: object) -> None:
    record(action=AuditEvent.Action.LOGIN, actor=user, request=request, team=team_of(user))


def on_logged_out(
    sender: object, request: HttpRequest | None, user: User | None, **kwargs: object
) -> None:
    if user is not None:
        record(action=AuditEvent.Action.LOGOUT, actor=user, request=request, team=team_of(user))


def on_login_failed(
    sender: object,
    credentials: Mapping[str, object],
    request: HttpRequest | None = None,
    **kwargs: object,
) -> None:
    """A wrong password or an unknown username; or, when django-axes refused the
    attempt (a locked-out username or address, or the failure that starts a lockout),
    a locked-out attempt. Django sends this signal once per attempt, so each is
    recorded once. Never the password: a username that matches an account is kept;
    one that matches none may be a password typed into the wrong box, so it is kept
    only as a short digest (the same text gives the same digest, so repeated tries
    of one name still show) and its length."""
    typed = str(credentials.get(User.USERNAME_FIELD) or credentials.get("username") or "")
    typed = "".join(ch for ch in typed if ch.isprintable())
    locked = bool(getattr(request, "axes_locked_out", False))
    target = User.objects.filter(username=typed[:150]).first() if typed else None
    details: dict[str, object]
    if target is not None:
        label, details = None, {"username": target.username[:USERNAME_CHARS]}
    else:
        digest = hashlib.sha256(typed.encode()).hexdigest()[:12]
        label = f"unknown username #{digest}"
        details = {"username_digest": digest, "username_length": len(typed)}
    record(
        action=AuditEvent.Action.LOGIN_LOCKED_OUT if locked else AuditEvent.Action.LOGIN_FAILED,
        actor=None,
        target=target,
        target_label=label,
        request=request,
        team=team_of(target) if target is not None else None,
        details=details,
    )
