"""Forms of the improvement board and the procedures: every field bounded, every
date in a sensible range, so bad input is a field error, never a 500."""

import datetime as dt
from typing import Any

from django import forms

from teams.dates import YEAR, check_date
from teams.models import Associate, Team

from ..models import Idea, Kpi, Procedure
from ..models.procedures import MAX_BODY
from ..services.improvements import MAX_TRIAL_DAYS, MIN_PILOT
from .one_on_ones import DATE

MAX_TEXT = 2_000


class IdeaForm(forms.Form):
    problem = forms.CharField(
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What gets in the way today.",
    )
    proposal = forms.CharField(
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What we would do differently.",
    )
    kpi = forms.ModelChoiceField(
        queryset=Kpi.objects.order_by("name"), label="The KPI it should move"
    )
    direction = forms.ChoiceField(choices=Idea.Direction.choices, label="Which way")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("problem", "proposal"):
            if name in data and not data[name].strip():
                self.add_error(name, "Write a few words.")
        return data


class SupportForm(forms.Form):
    supported = forms.TypedChoiceField(
        choices=[("1", "support"), ("0", "withdraw")], coerce=lambda v: v == "1"
    )


class TrialForm(forms.Form):
    starts_on = forms.DateField(widget=DATE, label="First day")
    ends_on = forms.DateField(widget=DATE, label="Last day")
    pilot_mode = forms.ChoiceField(
        choices=[("team", "The whole team"), ("named", "The people ticked below")],
        widget=forms.RadioSelect,
        initial="team",
        label="Pilot group",
    )
    pilot = forms.ModelMultipleChoiceField(
        queryset=Associate.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Pilot people",
        help_text=f"At least {MIN_PILOT} when the pilot is not the whole team.",
    )
    comparison_team = forms.ModelChoiceField(
        queryset=Team.objects.none(),
        required=False,
        label="Comparison team (optional)",
        help_text="A team carrying on as before: its change is taken off the pilot's.",
    )

    def __init__(
        self, *args: Any, team: Team, comparison_teams: list[Team], today: dt.date, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        pilot = self.fields["pilot"]
        assert isinstance(pilot, forms.ModelMultipleChoiceField)  # noqa: S101
        pilot.queryset = (
            Associate.objects.filter(team=team, left_on__isnull=True)
            .select_related("user")
            .order_by("user__first_name", "user__last_name")
        )
        comparison = self.fields["comparison_team"]
        assert isinstance(comparison, forms.ModelChoiceField)  # noqa: S101
        comparison.queryset = Team.objects.filter(pk__in=[t.pk for t in comparison_teams])

    def clean_starts_on(self) -> dt.date:
        return check_date(
            self.cleaned_data["starts_on"],
            past=YEAR,
            future=YEAR,
            today=self.today,
            what="a first day",
        )

    def clean_ends_on(self) -> dt.date:
        return check_date(
            self.cleaned_data["ends_on"],
            past=YEAR,
            future=2 * YEAR,
            today=self.today,
            what="a last day",
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends:
            if ends < starts:
                self.add_error("ends_on", "The trial ends on or after its first day.")
            elif (ends - starts).days + 1 > MAX_TRIAL_DAYS:
                self.add_error("ends_on", f"A trial lasts at most {MAX_TRIAL_DAYS} days.")
        if data.get("pilot_mode") == "named":
            if len(data.get("pilot") or []) < MIN_PILOT:
                self.add_error(
                    "pilot",
                    f"Tick at least {MIN_PILOT} people (fewer, and the team would read a "
                    "person's own figures), or try it with the whole team.",
                )
        else:
            data["pilot"] = []
        return data


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=[(Idea.Status.ADOPTED, "Adopt"), (Idea.Status.DROPPED, "Drop")],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Decision note",
        help_text="What was decided and why: the team reads it on the idea.",
    )
    procedure = forms.ChoiceField(
        required=False,
        label="Then write it into a procedure (when adopting)",
    )

    def __init__(self, *args: Any, procedures: list[Procedure], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        procedure = self.fields["procedure"]
        assert isinstance(procedure, forms.ChoiceField)  # noqa: S101
        procedure.choices = [("", "No"), ("new", "A new procedure")] + [
            (str(p.pk), f"Edit “{p.title}”") for p in procedures
        ]

    def clean_note(self) -> str:
        note: str = self.cleaned_data["note"]
        if not note.strip():
            raise forms.ValidationError("Write what was decided and why.")
        return note


class ProcedureForm(forms.Form):
    title = forms.CharField(max_length=200)
    body = forms.CharField(
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text="Markdown: # headings, lists, **bold**, [links](https://…). Raw HTML shows as "
        "text.",
    )
    why = forms.CharField(
        max_length=500,
        label="Why this change",
        help_text="Kept with this version, with your name.",
    )
    version = forms.IntegerField(
        required=False, widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1
    )
    idea = forms.IntegerField(
        required=False, widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("title", "why"):
            if name in data and not data[name].strip():
                self.add_error(name, "Write a few words.")
        if "title" in data:
            data["title"] = data["title"].strip()
        return data
