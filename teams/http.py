from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from .models import User


class HtmxHttpRequest(HttpRequest):
    """A request that went through django-htmx's middleware (for type checking)."""

    htmx: HtmxDetails


def authenticated_user(request: HttpRequest) -> User:
    # LoginRequiredMiddleware guarantees an authenticated user on every view that
    # is not marked login_not_required; this narrows the type for the checker.
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user
