import datetime as dt
from decimal import Decimal

from django import forms

from ..services.offers import start_window


class OfferForm(forms.Form):
    start_on = forms.DateField(
        label="Start date", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    fte = forms.DecimalField(
        label="FTE",
        min_value=Decimal("0.1"),
        max_value=Decimal("1.0"),
        max_digits=3,
        decimal_places=1,
        initial=Decimal("1.0"),
    )
    weekly_hours = forms.DecimalField(
        label="Contracted hours per week",
        min_value=1,
        max_value=48,
        max_digits=4,
        decimal_places=1,
        initial=Decimal("39.0"),
    )

    def __init__(self, *args: object, today: dt.date, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.first, self.last = start_window(today)
        widget = self.fields["start_on"].widget
        widget.attrs.update({"min": self.first.isoformat(), "max": self.last.isoformat()})

    def clean_start_on(self) -> dt.date:
        start_on: dt.date = self.cleaned_data["start_on"]
        if not self.first <= start_on <= self.last:
            raise forms.ValidationError(
                f"Choose a start date from {self.first:%-d %b %Y} to {self.last:%-d %b %Y}."
            )
        return start_on


class OfferResponseForm(forms.Form):
    response = forms.ChoiceField(choices=[("accept", "Accepted"), ("decline", "Declined")])
