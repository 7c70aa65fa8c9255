"""Writes for recognition: an associate shares (or stops sharing) their birthday;
a lead welcomes a new joiner. Atomic, idempotent, keyword-only, with the actor."""

from django.core.exceptions import ValidationError
from django.db import transaction

from teams.models import Associate, User

from ..models import BirthdayShare, WelcomePost
from ..models.recognition import WELCOME_MAX_LENGTH
from ..selectors.recognition import WELCOME_DAYS


@transaction.atomic
def share_birthday(*, actor: User, associate: Associate, month: int, day: int) -> BirthdayShare:
    if associate.user_id != actor.pk:
        raise ValidationError("Only the associate themself shares their birthday.")
    share = BirthdayShare(associate=associate, month=month, day=day)
    share.clean()
    row, _ = BirthdayShare.objects.update_or_create(
        associate=associate, defaults={"month": month, "day": day}
    )
    return row


@transaction.atomic
def stop_sharing_birthday(*, actor: User, associate: Associate) -> None:
    if associate.user_id != actor.pk:
        raise ValidationError("Only the associate themself shares their birthday.")
    BirthdayShare.objects.filter(associate=associate).delete()


@transaction.atomic
def welcome(*, actor: User, associate: Associate, message: str) -> WelcomePost:
    """The lead's welcome message for a new joiner (replaces an earlier one)."""
    message = message.strip()
    if not message or len(message) > WELCOME_MAX_LENGTH:
        raise ValidationError(f"A welcome takes 1 to {WELCOME_MAX_LENGTH} characters.")
    locked = Associate.objects.select_for_update().select_related("team__site").get(pk=associate.pk)
    days = (locked.team.site.local_today() - locked.hired_on).days
    if not locked.is_active or not 0 <= days < WELCOME_DAYS:
        raise ValidationError(f"Welcome messages are for the first {WELCOME_DAYS} days.")
    row, _ = WelcomePost.objects.update_or_create(
        associate=locked, defaults={"message": message, "author": actor}
    )
    return row
