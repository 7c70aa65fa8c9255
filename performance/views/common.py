"""What the 1:1, feedback and goal pages share: form errors and refusals as
flash messages, and the safe "back to where you were" redirect."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme


def plain_errors(form: forms.BaseForm) -> str:
    return " ".join(str(message) for errors in form.errors.values() for message in errors)


def refused(request: HttpRequest, error: ValidationError) -> None:
    messages.error(request, "Nothing was changed: " + " ".join(error.messages))


def back(request: HttpRequest, fallback: str) -> HttpResponse:
    """Back to `next` if it is a path on this site, else to `fallback`. (Never
    `redirect(next)`: that reads "abc" as a URL name and fails after the write.)"""
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(fallback)
