from django import forms

from ..models import Application
from ..text import refuse_control_characters_in_text

Stage = Application.Stage


class MoveForm(forms.Form):
    """One card's move: where to, why, and the stage the person saw (so a stale page
    or a second click is refused by the service rather than applied twice)."""

    to_stage = forms.ChoiceField(label="Move to", choices=Stage.choices)
    reason = forms.CharField(
        max_length=4000,
        required=False,
        help_text="Needed for a rejection or withdrawal, a move to Offer and any move out "
        "of Interview (a decision: kept with the scorecards it rested on).",
    )
    from_stage = forms.ChoiceField(choices=Stage.choices, widget=forms.HiddenInput)

    def clean_reason(self) -> str:
        reason: str = self.cleaned_data["reason"].strip()
        refuse_control_characters_in_text(reason)  # the application page's is a textarea
        return reason
