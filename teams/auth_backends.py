"""Django's model backend, loading a session's user with their roster record."""

from typing import Any

from django.contrib.auth.backends import ModelBackend

from .models import User


class RosterBackend(ModelBackend):
    """As ModelBackend; the user of a session arrives with their Associate (if any)
    in the same query, which every request's roles need (`teams.access.roles_for`)."""

    def get_user(self, user_id: Any) -> User | None:
        user = User._default_manager.select_related("associate").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
