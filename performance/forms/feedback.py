"""Feedback forms: a lead's feedback and a peer's kudos."""

import datetime as dt
from typing import Any

from django import forms

from teams.models import Associate

from ..models import Feedback
from .one_on_ones import DATE

FEEDBACK_LOOKBACK = dt.timedelta(days=2 * 366)  # feedback about a day at most ~2 years ago


def feedback_day_problem(about_on: dt.date | None, today: dt.date) -> str | None:
    """Why a feedback's "about the day" is not sensible on site-local `today`."""
    if about_on is None:
        return None
    if about_on > today:
        return "Feedback is about a day that has happened: the date cannot be in the future."
    if about_on < today - FEEDBACK_LOOKBACK:
        return "Feedback is about the last two years: pick a more recent day."
    return None


class FeedbackForm(forms.ModelForm):
    class Meta:
        model = Feedback
        fields = ["kind", "situation", "behaviour", "impact", "kpi", "about_on", "is_private"]
        labels = {
            "situation": "Situation (when and where)",
            "behaviour": "Behaviour (what they did)",
            "impact": "Impact (what it led to)",
            "kpi": "Related KPI",
            "about_on": "About the day",
            "is_private": "Keep private (my own record; the associate does not see it)",
        }
        widgets = {
            "situation": forms.Textarea(attrs={"rows": 2}),
            "behaviour": forms.Textarea(attrs={"rows": 2}),
            "impact": forms.Textarea(attrs={"rows": 2}),
            "about_on": DATE,
        }

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["about_on"].widget.attrs.update(
            min=(today - FEEDBACK_LOOKBACK).isoformat(), max=today.isoformat()
        )

    def clean_about_on(self) -> dt.date | None:
        about_on: dt.date | None = self.cleaned_data.get("about_on")
        problem = feedback_day_problem(about_on, self.today)
        if problem:
            raise forms.ValidationError(problem)
        return about_on


class KudosForm(forms.Form):
    to = forms.ModelChoiceField(label="To", queryset=Associate.objects.none())
    situation = forms.CharField(label="Situation", widget=forms.Textarea(attrs={"rows": 2}))
    behaviour = forms.CharField(label="What they did", widget=forms.Textarea(attrs={"rows": 2}))
    impact = forms.CharField(
        label="Why it mattered", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, giver: Associate, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101
        field.queryset = (
            Associate.objects.active()
            .filter(team_id=giver.team_id)
            .exclude(pk=giver.pk)
            .select_related("user")
        )
