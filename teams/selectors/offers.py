"""Reads for offers: the offer panel of the application page."""

from typing import Any

from ..access import roles_for
from ..forms.offers import OfferForm
from ..models import Application, Offer, OnboardingPlan, User


def offer_panel(
    *, user: User, application: Application, form: OfferForm | None = None
) -> dict[str, Any]:
    """Context for templates/teams/offers/_panel.html on the application page: at the
    offer stage without an offer, the form to make one (leads); with an offer, its
    terms and status, the answer buttons while it is open (leads), and after the hire
    the new associate and their onboarding plan. Two queries at most."""
    team = application.requisition.team
    is_lead = roles_for(user).can_change_team(team.pk)
    offer = (
        Offer.objects.select_related("associate__user", "extended_by")
        .filter(application_id=application.pk)
        .first()
    )
    plan = None
    if offer is not None and offer.associate_id is not None:
        plan = OnboardingPlan.objects.filter(associate_id=offer.associate_id).first()
    show_form = offer is None and application.stage == Application.Stage.OFFER and is_lead
    if show_form and form is None:
        form = OfferForm(
            today=team.site.local_today(),
            initial={"start_on": application.requisition.target_start_on},
        )
    return {
        "offer_application": application,
        "offer": offer,
        "offer_form": form if show_form else None,
        "offer_can_respond": is_lead
        and offer is not None
        and offer.status == Offer.Status.EXTENDED
        and application.stage == Application.Stage.OFFER,
        "offer_plan": plan,
        "offer_is_lead": is_lead,
    }
