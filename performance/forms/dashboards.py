import datetime as dt
from collections.abc import Sequence
from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from teams.models import Team

MAX_RANGE_DAYS = 366
FIRST_DAY = dt.date(2000, 1, 1)  # no KPI history before; keeps date arithmetic in range


class _DateInput(forms.DateInput):
    """A date input drawn in Python: the dashboards draw the range form on every
    request, and the stock widget templates cost more than their figures."""

    input_type = "date"

    def render(
        self, name: str, value: object, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        shown = "" if widget["value"] is None else format_html(' value="{}"', widget["value"])
        return format_html(
            '<input type="{}" name="{}"{}{}>',
            self.input_type,
            name,
            shown,
            flatatt(widget["attrs"]),
        )


class _Select(forms.Select):
    """A select drawn in Python (see _DateInput)."""

    def render(
        self, name: str, value: object, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option["value"], flatatt(option["attrs"]), option["label"])
                for _group, group_options, _index in widget["optgroups"]
                for option in group_options
            ),
        )
        return format_html(
            '<select name="{}"{}>{}</select>', name, flatatt(widget["attrs"]), options
        )


class RangeForm(forms.Form):
    """The date range (and, on the cross-team page, the team) a dashboard shows.
    Query parameters are `from` and `to` (site-local days, inclusive)."""

    def __init__(
        self,
        data: object,
        *,
        default: tuple[dt.date, dt.date],
        teams: Sequence[Team] | None = None,
        all_label: str = "All my teams",
    ):
        super().__init__(data)  # type: ignore[arg-type]
        self.fields["from"] = forms.DateField(
            label="From",
            required=False,
            initial=default[0],
            widget=_DateInput(format="%Y-%m-%d"),
        )
        self.fields["to"] = forms.DateField(
            label="To",
            required=False,
            initial=default[1],
            widget=_DateInput(format="%Y-%m-%d"),
        )
        self.default = default
        self.last_day = default[1] + dt.timedelta(days=1)  # the default ends yesterday
        # The teams the view already loaded: a choice field, so no second query.
        self.teams = {team.pk: team for team in teams or ()}
        if teams is not None:
            self.fields["team"] = forms.TypedChoiceField(
                choices=[("", all_label), *((team.pk, team.name) for team in teams)],
                coerce=int,
                empty_value=None,
                required=False,
                label="Team",
                widget=_Select,
            )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        # A valid team stays chosen even when the range is not.
        data["team"] = self.teams.get(data.get("team"))  # type: ignore[arg-type]
        start = data.get("from") or self.default[0]
        end = data.get("to") or self.default[1]
        if start < FIRST_DAY:
            raise forms.ValidationError(f"Choose days from {FIRST_DAY:%-d %b %Y} on.")
        if end > self.last_day:
            raise forms.ValidationError(
                f"The range can end today ({self.last_day:%-d %b %Y}) at the latest."
            )
        if start > end:
            raise forms.ValidationError("The start of the range is after its end.")
        if (end - start).days + 1 > MAX_RANGE_DAYS:
            raise forms.ValidationError(f"Choose a range of at most {MAX_RANGE_DAYS} days.")
        data["from"], data["to"] = start, end
        return data
