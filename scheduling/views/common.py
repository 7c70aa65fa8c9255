"""Small helpers the scheduling views share."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.http import HttpRequest

from teams.dates import in_range
from teams.models import Team

from ..forms import WEEK_FUTURE, WEEK_PAST
from ..services.schedule import ScheduleConflict


def plain_errors(form: forms.BaseForm) -> str:
    """A form's errors as one plain sentence for a flash message."""
    return " ".join(str(message) for errors in form.errors.values() for message in errors)


def conflict_message(request: HttpRequest, error: ScheduleConflict, what: str) -> None:
    messages.error(request, f"{what} was refused and nothing changed: " + " ".join(error.reasons))


def day_param(request: HttpRequest, team: Team, name: str = "day") -> dt.date:
    """The day asked for, or today at the site if none is asked or it is out of reach."""
    today = team.site.local_today()
    raw = request.GET.get(name)
    if raw:
        try:
            asked = dt.date.fromisoformat(raw)
        except ValueError:
            return today
        if in_range(asked, past=WEEK_PAST, future=WEEK_FUTURE, today=today):
            return asked
    return today
