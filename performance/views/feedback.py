"""Feedback pages: a lead's feedback on an associate, and the associate's own
feedback with kudos for a teammate. Never cached (Cache-Control: no-store)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from teams.access import get_associate_for_user, get_own_associate
from teams.http import authenticated_user

from .. import access
from ..forms.feedback import FeedbackForm, KudosForm
from ..selectors import feedback as selectors
from ..services import feedback as services
from .common import plain_errors, refused


@never_cache
@require_http_methods(["GET", "POST"])
def associate_feedback(request: HttpRequest, associate_id: int) -> HttpResponse:
    """Feedback on one associate: shared feedback and kudos, plus the viewer's own
    private notes. Leads write feedback here."""
    user = authenticated_user(request)
    associate = (
        access.get_associate_to_lead(user, associate_id)
        if request.method == "POST"
        else get_associate_for_user(user, associate_id)
    )
    can_change = access.leads(user, associate)
    form = FeedbackForm(request.POST or None, today=associate.team.site.local_today())
    if request.method == "POST" and form.is_valid():
        try:
            services.give_feedback(actor=user, associate=associate, **form.cleaned_data)
        except ValidationError as error:
            refused(request, error)
            return redirect("performance:associate-feedback", associate_id=associate.pk)
        messages.success(
            request,
            "Private feedback saved: only you can read it."
            if form.cleaned_data["is_private"]
            else f"Feedback saved and shared with {associate.name}.",
        )
        return redirect("performance:associate-feedback", associate_id=associate.pk)
    if request.method == "POST":
        messages.error(request, "Nothing was saved: " + plain_errors(form))
    feedback = selectors.feedback_on(associate, viewer_id=user.pk)
    return render(
        request,
        "performance/feedback/feedback.html",
        {
            "associate": associate,
            "feedback": feedback,
            "form": form if can_change else None,
            "is_self": access.is_self(user, associate),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def my_feedback(request: HttpRequest) -> HttpResponse:
    """Feedback shared with me, and kudos I can give a teammate."""
    user = authenticated_user(request)
    me = get_own_associate(user)
    form = KudosForm(request.POST or None, giver=me)
    if request.method == "POST":
        if form.is_valid():
            try:
                kudos = services.give_kudos(
                    actor=user,
                    giver=me,
                    to=form.cleaned_data["to"],
                    situation=form.cleaned_data["situation"],
                    behaviour=form.cleaned_data["behaviour"],
                    impact=form.cleaned_data["impact"],
                )
            except ValidationError as error:
                refused(request, error)
            else:
                messages.success(request, f"Kudos sent to {kudos.associate.name}.")
                return redirect("performance:my-feedback")
        else:
            messages.error(request, "Nothing was sent: " + plain_errors(form))
    received = selectors.feedback_shared_with(me)
    given = selectors.kudos_given_by(user)
    return render(
        request,
        "performance/feedback/my_feedback.html",
        {"associate": me, "feedback": received, "given": given, "form": form},
    )
