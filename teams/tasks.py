from celery import shared_task
from django.contrib.auth.tokens import default_token_generator
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .mail import email_people, site_url
from .models import User


@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_jitter=True, max_retries=5)
def send_invitation(*, user_id: int, invited_by_id: int) -> bool:
    """Email a new associate a link to choose their password.

    Safe to run twice: the link is a password-reset token, valid until used, and
    a user who has already set a password is not invited again.
    """
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or user.has_usable_password() or not user.email:
        return False
    inviter = User.objects.filter(pk=invited_by_id).first()
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    context = {"user": user, "inviter": inviter, "link": site_url(path)}
    return email_people(
        [user],
        subject="You have been added to SDC Ops",
        message=render_to_string("teams/email/invitation.txt", context),
    )
