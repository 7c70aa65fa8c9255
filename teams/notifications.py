"""Every e-mail the roster sends: one function each, the body from a template."""

from django.contrib.auth.tokens import default_token_generator
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .mail import email_people, site_url
from .models import Certification, TrainingAssignment, User


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


# --- issue 16: training


def email_training_due(assignment: TrainingAssignment, *, leads: list[User], overdue: bool) -> bool:
    """An open training due soon (or overdue): to the associate and their leads."""
    associate = assignment.associate
    path = reverse("teams:associate-training", kwargs={"associate_id": associate.pk})
    context = {
        "assignment": assignment,
        "associate": associate,
        "overdue": overdue,
        "link": site_url(path),
    }
    state = "overdue" if overdue else f"due {assignment.due_on:%-d %b}"
    return email_people(
        [associate.user, *leads],
        subject=f"Training {state}: {assignment.module.title} ({associate.name})",
        message=render_to_string("teams/email/training_due.txt", context),
    )


def email_certification_expiring(
    certification: Certification, *, leads: list[User], expired: bool
) -> bool:
    """A certification that expires soon: to the associate and their leads."""
    associate = certification.associate
    path = reverse("teams:associate-training", kwargs={"associate_id": associate.pk})
    context = {
        "certification": certification,
        "associate": associate,
        "expired": expired,
        "link": site_url(path),
    }
    return email_people(
        [associate.user, *leads],
        subject=f"{certification.skill.name} certification "
        f"{'expired' if expired else 'expires'} {certification.expires_on:%-d %b} "
        f"({associate.name})",
        message=render_to_string("teams/email/certification_expiring.txt", context),
    )
