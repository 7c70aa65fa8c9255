"""The page where people make, replace and revoke their KPI API tokens.

A new key is shown once: the POST that makes it keeps it in the session and
redirects, and the next page takes it out and shows it, so a reload shows it no
more and cannot make another token.
"""

import datetime as dt
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from teams.http import authenticated_user
from teams.models import User

from .. import access
from ..forms.api_tokens import ApiTokenForm
from ..models import ApiToken
from ..selectors.api_tokens import LISTED_AFTER_END, tokens_of
from ..services import api_tokens as services
from .common import refused

NEW_KEY_SESSION = "performance:new-api-key"


def _token_holder(request: HttpRequest) -> User:
    user = authenticated_user(request)
    access.require_api_token_holder(user)
    return user


@dataclass(frozen=True)
class NewKey:
    token: ApiToken
    key: str
    replaced: bool  # made by replacing another token


def _show_once(
    request: HttpRequest, new: services.NewApiToken, *, replaced: bool = False
) -> HttpResponse:
    # In the session until the next page takes it out: the only copy of the key
    # on the server, for one redirect.
    request.session[NEW_KEY_SESSION] = {"id": new.token.pk, "key": new.key, "replaced": replaced}
    return redirect("performance:api-token")


def _take_new_key(request: HttpRequest, user: User) -> NewKey | None:
    """The key made by the previous request, if it is still the user's token."""
    shown = request.session.pop(NEW_KEY_SESSION, None)
    if not isinstance(shown, dict):
        return None
    token_id, key = shown.get("id"), shown.get("key")
    if not isinstance(token_id, int) or not isinstance(key, str):
        return None
    token = ApiToken.objects.owned_by(user).filter(pk=token_id).first()
    if token is None or not token.matches(key):
        return None
    return NewKey(token=token, key=key, replaced=bool(shown.get("replaced")))


@never_cache
@require_http_methods(["GET", "POST"])
def api_token(request: HttpRequest) -> HttpResponse:
    """The list of the user's tokens and the form that makes one."""
    user = _token_holder(request)
    scopes = access.token_scopes_for(user)
    form = ApiTokenForm(request.POST or None, scopes=scopes)
    if request.method == "POST" and form.is_valid():
        try:
            new = services.create_api_token(
                actor=user,
                name=form.cleaned_data["name"],
                scopes=form.chosen_scopes(),
                lifetime=dt.timedelta(days=form.cleaned_data["expires_in_days"]),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _show_once(request, new)
    now = timezone.now()
    return render(
        request,
        "performance/api_tokens/token.html",
        {
            "form": form,
            "rows": tokens_of(user, now),
            "new": _take_new_key(request, user) if request.method == "GET" else None,
            "listed_days": LISTED_AFTER_END.days,
            "may_post": ApiToken.Scope.WRITE_EVENTS in scopes,
        },
    )


@require_POST
def api_token_rotate(request: HttpRequest, token_id: int) -> HttpResponse:
    """Replace a token: a new key, the same name, scopes and lifetime; the old key
    stops working at once."""
    user = _token_holder(request)
    token = access.get_api_token_for_user(user, token_id)
    try:
        new = services.rotate_api_token(actor=user, token=token)
    except ValidationError as error:
        refused(request, error)
        return redirect("performance:api-token")
    return _show_once(request, new, replaced=True)


@require_POST
def api_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    user = _token_holder(request)
    token = access.get_api_token_for_user(user, token_id)
    if services.revoke_api_token(actor=user, token=token):
        messages.success(request, f"“{token.name}” is revoked; requests using it now get 401.")
    else:
        messages.info(request, f"“{token.name}” was already revoked.")
    return redirect("performance:api-token")
