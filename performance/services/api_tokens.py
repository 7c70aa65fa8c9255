"""API tokens: one per user (rest_framework.authtoken), made, replaced and revoked
by the user on their token page."""

from django.db import transaction
from rest_framework.authtoken.models import Token

from teams.models import User


@transaction.atomic
def rotate_api_token(*, user: User) -> Token:
    """Replace the user's API token (or make the first); the old key stops working."""
    # Lock the user so two rotations at once cannot both insert a token.
    list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk"))
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)


def revoke_api_token(*, user: User) -> bool:
    deleted, _ = Token.objects.filter(user=user).delete()
    return bool(deleted)
