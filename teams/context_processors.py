from django.http import HttpRequest

from .access import roles_for


def navigation(request: HttpRequest) -> dict[str, object]:
    """The roles that decide which navigation links a user sees."""
    return {"roles": roles_for(request.user)}
