"""Every e-mail the roster sends: one function each, the body from a template."""

from django.contrib.auth.tokens import default_token_generator
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .mail import email_people, site_url
from .models import Requisition, User


def email_invitation(user: User, *, inviter: User | None) -> bool:
    """A new associate's link to choose their password (a password-reset token,
    valid until used)."""
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


# --- hiring: requisitions ------------------------------------------------------------


def _requisition_context(requisition: Requisition) -> dict[str, object]:
    return {
        "requisition": requisition,
        "team": requisition.team,
        "link": site_url(reverse("teams:requisition-detail", args=[requisition.pk])),
    }


def email_requisition_drafted(requisition: Requisition) -> bool:
    """The team's manager: a draft waits for their approval."""
    manager = requisition.team.manager
    if manager is None:
        return False
    return email_people(
        [manager],
        subject=f"Requisition to approve: {requisition.title} on {requisition.team.name}",
        message=render_to_string(
            "teams/email/requisition_drafted.txt",
            _requisition_context(requisition) | {"manager": manager},
        ),
    )


def email_requisition_approved(requisition: Requisition) -> bool:
    """The team's leads: they may open it to candidates."""
    return email_people(
        requisition.team.leads.all(),
        subject=f"Requisition approved: {requisition.title} on {requisition.team.name}",
        message=render_to_string(
            "teams/email/requisition_approved.txt", _requisition_context(requisition)
        ),
    )
