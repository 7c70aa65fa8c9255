"""Pulse forms: an answer, the lead's questions, the cadence."""

from typing import Any

from django import forms

from teams.text import refuse_control_characters

from ..models import PulseSettings
from ..models.pulse import AGREEMENT, COMMENT_MAX_LENGTH, ENPS_QUESTION
from ..services.pulse import question_problem

ENPS_CHOICES = [(str(n), str(n)) for n in range(11)]
AGREEMENT_CHOICES = [(str(s), f"{s} · {label}") for s, label in AGREEMENT.items()]


class PulseAnswerForm(forms.Form):
    """The eNPS question, one 1–5 field per statement of the round, a comment."""

    enps = forms.TypedChoiceField(
        label=ENPS_QUESTION + " (0 = not at all, 10 = extremely)",
        choices=ENPS_CHOICES,
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "scale"}),
    )
    comment = forms.CharField(
        label="Anything else? (optional; shown to the team only in a shuffled list, "
        "and only once 5 or more have answered)",
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, questions: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        comment = self.fields.pop("comment")
        for index, text in enumerate(questions):
            self.fields[f"q{index}"] = forms.TypedChoiceField(
                label=text,
                choices=AGREEMENT_CHOICES,
                coerce=int,
                widget=forms.RadioSelect(attrs={"class": "scale"}),
            )
        self.fields["comment"] = comment
        self.question_count = len(questions)

    def scores(self) -> list[int]:
        return [self.cleaned_data[f"q{i}"] for i in range(self.question_count)]


class PulseQuestionsForm(forms.Form):
    questions = forms.CharField(
        label="Statements (one a line, 3 to 5; each answered from strongly disagree to "
        "strongly agree)",
        max_length=5 * 202,  # five lines of 200 and the browser's \r\n between them
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def clean_questions(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["questions"].splitlines()]
        lines = [line for line in lines if line]
        for line in lines:
            refuse_control_characters(line)
        if problem := question_problem(lines):
            raise forms.ValidationError(problem)
        return lines


class PulseSettingsForm(forms.ModelForm):
    class Meta:
        model = PulseSettings
        fields = ["is_enabled", "cadence_weeks"]
        labels = {"is_enabled": "Run the pulse", "cadence_weeks": "How often"}
