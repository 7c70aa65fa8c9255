"""Recognition forms: an associate's birthday to share, a lead's welcome message."""

import datetime as dt
from typing import Any

from django import forms

from teams.models import Associate
from teams.text import refuse_control_characters

from ..models.recognition import WELCOME_MAX_LENGTH

MONTHS = [(str(m), dt.date(2000, m, 1).strftime("%B")) for m in range(1, 13)]


class BirthdayForm(forms.Form):
    share = forms.BooleanField(
        label="Share my birthday with my team (day and month only, never the year)",
        required=False,
    )
    month = forms.TypedChoiceField(choices=MONTHS, coerce=int, required=False)
    day = forms.TypedChoiceField(
        choices=[(str(d), str(d)) for d in range(1, 32)], coerce=int, required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("share"):
            month, day = data.get("month"), data.get("day")
            if not month or not day:
                raise forms.ValidationError("Pick the day and the month to share.")
            try:
                dt.date(2000, month, day)
            except ValueError:
                self.add_error("day", "That month has no such day.")
        return data


class WelcomeForm(forms.Form):
    associate = forms.ModelChoiceField(queryset=Associate.objects.none(), label="New joiner")
    message = forms.CharField(
        max_length=WELCOME_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="A short welcome, shown on the kudos wall while they are new.",
    )

    def __init__(self, *args: Any, joiners: list[Associate], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["associate"]
        field.queryset = Associate.objects.filter(pk__in=[a.pk for a in joiners]).select_related(
            "user"
        )

    def clean_message(self) -> str:
        message: str = self.cleaned_data["message"].strip()
        refuse_control_characters(message.replace("\n", " ").replace("\r", " "))
        return message
