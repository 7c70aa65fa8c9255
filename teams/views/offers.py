"""The offer panel's two forms: extend an offer, record the candidate's answer."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ..access import get_application_for_user, get_offer_for_user
from ..forms.offers import OfferForm, OfferResponseForm
from ..http import HtmxHttpRequest, authenticated_user
from ..models import Application
from ..selectors.offers import offer_panel
from ..services import offers as services


def _application_url(application: Application) -> str:
    return reverse("teams:application-detail", kwargs={"application_id": application.pk})


def _answer(
    request: HtmxHttpRequest,
    application: Application,
    form: OfferForm | None = None,
    *,
    error: str = "",
) -> HttpResponse:
    """htmx: the panel in place, a refusal inside it (role="alert"); else back to the
    application page, a refusal queued as a message."""
    if request.htmx:
        user = authenticated_user(request)
        context = offer_panel(user=user, application=application, form=form)
        return render(request, "teams/offers/_panel.html", context | {"offer_error": error})
    if error:
        messages.error(request, error)
    return redirect(_application_url(application))


@require_POST
def offer_extend(request: HtmxHttpRequest, application_id: int) -> HttpResponse:
    user = authenticated_user(request)
    application = get_application_for_user(user, application_id, for_change=True)
    form = OfferForm(request.POST, today=application.requisition.team.site.local_today())
    if not form.is_valid():
        if request.htmx:  # the form is in the panel with its fields' errors
            return _answer(request, application, form, error="No offer made: see the fields.")
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return _answer(request, application, form)
    try:
        offer = services.extend_offer(actor=user, application=application, **form.cleaned_data)
    except services.OfferRefused as refused:
        return _answer(request, application, error=str(refused))
    messages.success(request, f"Offer extended: start on {offer.start_on:%-d %b %Y}.")
    return _answer(request, application)


@require_POST
def offer_respond(request: HtmxHttpRequest, offer_id: int) -> HttpResponse:
    user = authenticated_user(request)
    offer = get_offer_for_user(user, offer_id, for_change=True)
    application = offer.application
    form = OfferResponseForm(request.POST)
    if not form.is_valid():
        return _answer(
            request, application, error="Choose whether the offer was accepted or declined."
        )
    try:
        associate = services.record_response(
            actor=user, offer=offer, accepted=form.cleaned_data["response"] == "accept"
        )
    except services.OfferRefused as refused:
        application.refresh_from_db(fields=["stage", "stage_changed_at", "closed_reason"])
        return _answer(request, application, error=str(refused))
    if associate is not None:
        messages.success(
            request,
            f"{associate.name} is hired: on the roster from "
            f"{associate.hired_on:%-d %b %Y}, onboarding started; their login invitation "
            "goes out on the start date.",
        )
    else:
        messages.info(request, "Offer declined: the application is withdrawn.")
    application.refresh_from_db(fields=["stage", "stage_changed_at", "closed_reason"])
    return _answer(request, application)
