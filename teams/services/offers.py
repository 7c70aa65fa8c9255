"""Offers and the hire: an offer extended on an application at the offer stage, and
the candidate's answer. An accepted offer makes, in one transaction, the new joiner's
login (no password until the invitation on their start date), their roster record on
the requisition's team with the requisition's skills at "learning", their onboarding
plan with ramp targets, the application's move to hired and, when the accepted offers
cover its FTE, the requisition's close. A repeated accept changes nothing.

A refusal raises `OfferRefused` with a message for the person and changes nothing.
"""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from .. import audit
from ..access import can_change_team
from ..models import (
    Application,
    Associate,
    AssociateSkill,
    AuditEvent,
    Offer,
    Requisition,
    User,
)
from . import onboarding, requisitions
from .applications import ApplicationMoveRefused, lock_application, move_application
from .roster import _unique_username

Action = AuditEvent.Action
Stage = Application.Stage

FTE_RANGE = (Decimal("0.1"), Decimal("1.0"))
HOURS_RANGE = (Decimal("1"), Decimal("48"))
START_WITHIN_DAYS = 366  # today through a year ahead


class OfferRefused(Exception):
    """The offer (or its answer) is not allowed now; the message says why."""


def start_window(today: dt.date) -> tuple[dt.date, dt.date]:
    """The start dates an offer may name: the site's today through a year ahead."""
    return today, today + dt.timedelta(days=START_WITHIN_DAYS - 1)


def _refuse_unless_lead(actor: User, team_id: int) -> None:
    if not can_change_team(actor, team_id):
        raise OfferRefused("Only the team's lead can make or record an offer.")


@transaction.atomic
def extend_offer(
    *,
    actor: User,
    application: Application,
    start_on: dt.date,
    fte: Decimal,
    weekly_hours: Decimal,
) -> Offer:
    """Offer the candidate the job. One offer per application: a second click is
    refused, and the first offer stands."""
    locked = lock_application(application.pk)
    team = locked.requisition.team
    _refuse_unless_lead(actor, team.pk)
    if Offer.objects.filter(application=locked).exists():
        raise OfferRefused("This application already has an offer; nothing was changed.")
    if locked.stage != Stage.OFFER:
        raise OfferRefused(
            f"An offer is made at the offer stage; this application is at "
            f"{locked.get_stage_display()}."
        )
    if locked.requisition.status != Requisition.Status.OPEN:
        raise OfferRefused(
            f"The requisition is {locked.requisition.get_status_display().lower()}: "
            "offers are made while it is open."
        )
    email = locked.candidate.email.strip()
    if email and User.objects.filter(email__iexact=email).exists():
        # An internal move (or a returning leaver): they are not hired as a new login.
        raise OfferRefused(
            f"{email} already has a login: an internal move is made from that person's "
            "profile (Edit: team), not by hiring them again."
        )
    first, last = start_window(team.site.local_today())
    if not first <= start_on <= last:
        raise OfferRefused(f"Choose a start date from {first:%-d %b %Y} to {last:%-d %b %Y}.")
    if not FTE_RANGE[0] <= fte <= FTE_RANGE[1]:
        raise OfferRefused("FTE is from 0.1 to 1.0.")
    if not HOURS_RANGE[0] <= weekly_hours <= HOURS_RANGE[1]:
        raise OfferRefused("Weekly hours are from 1 to 48.")
    offer = Offer.objects.create(
        application=locked,
        start_on=start_on,
        fte=fte,
        weekly_hours=weekly_hours,
        extended_by=actor,
    )
    audit.record(
        action=Action.OFFER_EXTENDED,
        actor=actor,
        target=offer,
        team=team,
        details={"application": locked.pk, "start_on": start_on.isoformat(), "fte": str(fte)},
    )
    return offer


def record_response(*, actor: User, offer: Offer, accepted: bool) -> Associate | None:
    """The candidate's answer, recorded by the lead: the new associate for an accepted
    offer (the same one for a repeated click), None for a declined one."""
    if accepted:
        return _accept(actor=actor, offer=offer)
    _decline(actor=actor, offer=offer)
    return None


@transaction.atomic
def _decline(*, actor: User, offer: Offer) -> bool:
    locked = _locked(offer)
    team = locked.application.requisition.team
    _refuse_unless_lead(actor, team.pk)
    if locked.status == Offer.Status.DECLINED:
        return False  # a repeated click
    if locked.status == Offer.Status.ACCEPTED:
        raise OfferRefused("This offer was accepted: the candidate is hired.")
    locked.status = Offer.Status.DECLINED
    locked.responded_at = timezone.now()
    locked.save(update_fields=["status", "responded_at"])
    try:
        move_application(
            actor=actor,
            application=locked.application,
            to_stage=Stage.WITHDRAWN,
            reason="Offer declined",
        )
    except ApplicationMoveRefused as refused:
        raise OfferRefused(str(refused)) from refused
    audit.record(action=Action.OFFER_DECLINED, actor=actor, target=locked, team=team)
    offer.status, offer.responded_at = locked.status, locked.responded_at
    return True


@transaction.atomic
def _accept(*, actor: User, offer: Offer) -> Associate:
    locked = _locked(offer)
    if locked.status == Offer.Status.ACCEPTED and locked.associate is not None:
        return locked.associate  # a repeated click creates nothing twice
    application = locked.application
    requisition = application.requisition
    team = requisition.team
    _refuse_unless_lead(actor, team.pk)
    if locked.status == Offer.Status.DECLINED:
        raise OfferRefused("This offer was declined.")
    if application.stage != Stage.OFFER:
        raise OfferRefused(
            f"The application is at {application.get_stage_display()}, not at the offer stage."
        )
    candidate = application.candidate
    email = candidate.email.strip()
    if not email:
        raise OfferRefused("Add the candidate's e-mail address first: it becomes their login.")
    if User.objects.filter(email__iexact=email).exists():
        raise OfferRefused(
            "Somebody already has a login with this e-mail address; nothing was created."
        )
    first_name, _, last_name = candidate.name.strip().partition(" ")
    user = User.objects.create_user(
        username=_unique_username(email),
        email=email,
        first_name=first_name[:150],
        last_name=last_name.strip()[:150],
        password=None,  # unusable until they follow the invitation on their start date
    )
    associate = Associate.objects.create(
        user=user,
        team=team,
        title=requisition.title,
        level=requisition.level,
        hired_on=locked.start_on,
        weekly_hours=locked.weekly_hours,
    )
    audit.record(action=Action.ASSOCIATE_CREATED, actor=actor, target=associate, team=team)
    skills = list(requisition.skills.all())
    AssociateSkill.objects.bulk_create(
        AssociateSkill(associate=associate, skill=skill, level=AssociateSkill.Proficiency.LEARNING)
        for skill in skills
    )
    onboarding.start_plan(actor=actor, associate=associate, skills=skills, team=team)
    locked.status = Offer.Status.ACCEPTED
    locked.responded_at = timezone.now()
    locked.associate = associate
    locked.save(update_fields=["status", "responded_at", "associate"])
    try:
        move_application(actor=actor, application=application, to_stage=Stage.HIRED, via_offer=True)
    except ApplicationMoveRefused as refused:
        raise OfferRefused(str(refused)) from refused
    requisitions.fill_if_complete(requisition=requisition, actor=actor)
    audit.record(
        action=Action.OFFER_ACCEPTED,
        actor=actor,
        target=locked,
        team=team,
        details={"associate": associate.pk, "application": application.pk},
    )
    offer.status, offer.responded_at, offer.associate = (
        locked.status,
        locked.responded_at,
        associate,
    )
    return associate


def _locked(offer: Offer) -> Offer:
    lock_application(offer.application_id)  # the requisition and application first
    return (
        Offer.objects.select_for_update(of=("self",))
        .select_related(
            "application__candidate", "application__requisition__team__site", "associate"
        )
        .get(pk=offer.pk)
    )
