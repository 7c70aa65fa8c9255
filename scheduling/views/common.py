"""Small helpers the scheduling views share."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest

from ..services.schedule import ScheduleConflict


def plain_errors(form: forms.BaseForm) -> str:
    """A form's errors as one plain sentence for a flash message."""
    return " ".join(str(message) for errors in form.errors.values() for message in errors)


def conflict_message(request: HttpRequest, error: ScheduleConflict, what: str) -> None:
    messages.error(request, f"{what} was refused and nothing changed: " + " ".join(error.reasons))
