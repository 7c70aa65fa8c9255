import datetime as dt
from typing import Any

from django import forms

from teams.dates import YEAR, check_date
from teams.models import User

from ..models import OneOnOne, OneOnOneCadence

# <input type=date> takes only ISO dates: any other format renders the field blank.
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class CadenceForm(forms.ModelForm):
    class Meta:
        model = OneOnOneCadence
        fields = ["frequency", "first_on", "starts_at_time", "duration_minutes"]
        labels = {
            "first_on": "First (or next) 1:1 on",
            "starts_at_time": "At (site time)",
            "duration_minutes": "Minutes",
        }
        widgets = {"first_on": DATE, "starts_at_time": TIME}

    def clean_first_on(self) -> dt.date:
        return check_date(self.cleaned_data["first_on"], past=YEAR, future=YEAR, what="a day")

    def clean_duration_minutes(self) -> int:
        minutes: int = self.cleaned_data["duration_minutes"]
        if not 5 <= minutes <= 240:
            raise forms.ValidationError("A 1:1 lasts between 5 and 240 minutes.")
        return minutes


class PlanForm(forms.Form):
    on = forms.DateField(label="Date", widget=DATE)
    at = forms.TimeField(label="At (site time)", widget=TIME, initial=dt.time(10, 0))
    kind = forms.ChoiceField(label="Type", choices=OneOnOne.Kind.choices)
    duration_minutes = forms.IntegerField(label="Minutes", min_value=5, max_value=240, initial=30)

    def clean_on(self) -> dt.date:
        return check_date(self.cleaned_data["on"], past=YEAR, future=YEAR, what="a day")


class AgendaForm(forms.Form):
    text = forms.CharField(label="Add to the agenda", max_length=300)


class SharedNotesForm(forms.ModelForm):
    class Meta:
        model = OneOnOne
        fields = ["shared_notes"]
        labels = {"shared_notes": "Shared notes (you and the associate)"}
        widgets = {"shared_notes": forms.Textarea(attrs={"rows": 6})}


class CareerForm(forms.ModelForm):
    class Meta:
        model = OneOnOne
        fields = [
            "aspirations",
            "strengths",
            "growth_areas",
            "next_steps",
            "target_role",
            "target_timeline",
        ]
        labels = {"next_steps": "Agreed next steps", "target_timeline": "Timeline"}
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in ("aspirations", "strengths", "growth_areas", "next_steps")
        }


class PrivateNoteForm(forms.Form):
    text = forms.CharField(
        label="Private notes (only you can read these)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


ACTION_ITEM_HORIZON = dt.timedelta(days=366)  # due at most about a year after the 1:1


def action_item_due_problem(due_on: dt.date | None, meeting_on: dt.date) -> str | None:
    """Why a due date is not sensible for an item raised in a 1:1 on `meeting_on`."""
    if due_on is None:
        return None
    if due_on < meeting_on:
        return f"The due date cannot be before the 1:1 ({meeting_on:%-d %b %Y})."
    if due_on > meeting_on + ACTION_ITEM_HORIZON:
        return "The due date must be within a year of the 1:1."
    return None


class ActionItemForm(forms.Form):
    text = forms.CharField(label="Action item", max_length=300)
    owner = forms.ChoiceField(label="Owner")
    due_on = forms.DateField(label="Due", required=False, widget=DATE)

    def __init__(self, *args: Any, people: list[User], meeting_on: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.meeting_on = meeting_on
        due = self.fields["due_on"]
        due.widget.attrs.update(
            min=meeting_on.isoformat(), max=(meeting_on + ACTION_ITEM_HORIZON).isoformat()
        )
        self.people = {str(p.pk): p for p in people}
        field = self.fields["owner"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101
        field.choices = [(str(p.pk), p.display_name) for p in people]

    def clean_owner(self) -> User:
        return self.people[self.cleaned_data["owner"]]

    def clean_due_on(self) -> dt.date | None:
        due_on: dt.date | None = self.cleaned_data.get("due_on")
        problem = action_item_due_problem(due_on, self.meeting_on)
        if problem:
            raise forms.ValidationError(problem)
        return due_on
