"""The page where people get, replace and revoke their KPI API token."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from rest_framework.authtoken.models import Token

from teams.http import authenticated_user
from teams.models import User

from .. import access
from ..services.api_tokens import revoke_api_token, rotate_api_token


def _token_holder(request: HttpRequest) -> User:
    user = authenticated_user(request)
    access.require_api_token_holder(user)
    return user


NEW_KEY_SESSION = "performance:new-api-key"


@never_cache
@require_GET
def api_token(request: HttpRequest) -> HttpResponse:
    user = _token_holder(request)
    token = Token.objects.filter(user=user).first()
    # A key just made is shown on the first page after it, once; reloading hides it.
    new_key = request.session.pop(NEW_KEY_SESSION, None)
    if token is None or new_key != token.key:
        new_key = None
    return render(
        request, "performance/api_tokens/token.html", {"token": token, "new_key": new_key}
    )


@require_POST
def api_token_rotate(request: HttpRequest) -> HttpResponse:
    """Make a new key and show it once, after a redirect, so reloading the page
    cannot replace the key again."""
    token = rotate_api_token(user=_token_holder(request))
    request.session[NEW_KEY_SESSION] = token.key
    return redirect("performance:api-token")


@require_POST
def api_token_revoke(request: HttpRequest) -> HttpResponse:
    if revoke_api_token(user=_token_holder(request)):
        messages.success(request, "Your API token is revoked; requests using it now get 401.")
    else:
        messages.info(request, "You had no API token.")
    return redirect("performance:api-token")
