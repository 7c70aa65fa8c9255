"""Every e-mail the roster sends: one function each, the body from a template."""

import datetime as dt
from typing import TYPE_CHECKING

from django.contrib.auth.tokens import default_token_generator
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .access import may_open_onboarding_plan
from .mail import email_people, email_with_calendar, site_url
from .models import (
    Certification,
    OnboardingItem,
    OnboardingPlan,
    Requisition,
    TrainingAssignment,
    User,
)

if TYPE_CHECKING:
    from .models import Interview
    from .selectors.interviews import Invitation


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


# --- hiring: onboarding -----------------------------------------------------------------


def email_onboarding_reminder(item: OnboardingItem, *, owner: User, today: dt.date) -> bool:
    """An onboarding item's owner, once: it is due soon (or late). An owner who may not
    open the plan (a buddy: not the joiner, not of the team's leads or manager) gets no
    link to it (it would be a 404 for them) but whom to tell when it is done."""
    plan = item.plan
    may_open = may_open_onboarding_plan(owner, plan)
    context = {
        "owner": owner,
        "item": item,
        "joiner": plan.associate,
        "is_late": item.due_on < today,
        "link": (
            site_url(reverse("teams:onboarding-plan", kwargs={"plan_id": plan.pk}))
            if may_open
            else ""
        ),
        "tell": "" if may_open else _who_ticks(plan),
    }
    late = "overdue" if item.due_on < today else f"due {item.due_on:%a %-d %b}"
    return email_people(
        [owner],
        subject=f"Onboarding {plan.associate.name}: {item.title[:60]} ({late})",
        message=render_to_string("teams/email/onboarding_reminder.txt", context),
    )


def _who_ticks(plan: OnboardingPlan) -> str:
    """Whom a buddy tells that their item is done: the lead who hired (they made the
    plan), else the team's leads, by name."""
    if plan.created_by is not None and plan.created_by.is_active:
        return plan.created_by.display_name
    leads = [lead.display_name for lead in plan.associate.team.leads.filter(is_active=True)]
    return " or ".join(leads) or "the team's lead"


# --- hiring: interviews ------------------------------------------------------------------


def email_interview_invitation(
    interviewer: User, *, invitation: "Invitation", method: str, rescheduled: bool = False
) -> bool:
    """An interviewer's invitation (METHOD:REQUEST) or its cancellation
    (METHOD:CANCEL), the .ics attached."""
    from .selectors.interviews import ics_of

    context = {
        "interviewer": interviewer,
        "invitation": invitation,
        "cancelled": method == "CANCEL",
        "rescheduled": rescheduled,
        "link": site_url(reverse("teams:my-interviews")),
    }
    verb = "Cancelled" if method == "CANCEL" else "Changed" if rescheduled else "Invitation"
    return email_with_calendar(
        interviewer,
        subject=f"{verb}: {invitation.summary}"[:200],
        message=render_to_string("teams/email/interview_invitation.txt", context),
        ics=ics_of(invitation, method=method),
        method=method,
    )


def email_scorecards_complete(leads: list[User], *, interview: "Interview", link: str) -> bool:
    """To the team's leads: every scorecard of an interview is in."""
    context = {"interview": interview, "link": link, "count": interview.scorecards.count()}
    return email_people(
        leads,
        subject=f"Scorecards in: {interview.application.candidate.name}"[:200],
        message=render_to_string("teams/email/scorecards_complete.txt", context),
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
