import datetime as dt
from typing import Any

from django import forms

from ..models import Associate, Requisition, Skill, Team
from ..services.requisitions import (
    COMPETENCY_CHARS,
    DEFAULT_COMPETENCIES,
    MAX_COMPETENCIES,
    backfill_choices,
    competency_problems,
    start_window,
)
from ..text import refuse_control_characters

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class LeaverChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} (last day {obj.left_on:%-d %b %Y})"


class RequisitionForm(forms.Form):
    """Draft or edit a requisition of `team`."""

    title = forms.CharField(
        max_length=100, initial="Support Associate", validators=[refuse_control_characters]
    )
    level = forms.ChoiceField(choices=Associate.Level.choices, initial=Associate.Level.L1)
    fte = forms.DecimalField(
        label="FTE",
        min_value=0.1,
        max_value=10,
        max_digits=3,
        decimal_places=1,
        initial=1,
        help_text="Full-time equivalents this opening adds (0.1–10).",
    )
    reason = forms.ChoiceField(choices=Requisition.Reason.choices, initial="growth")
    backfill_for = LeaverChoiceField(
        queryset=None,
        required=False,
        label="Backfill for",
        help_text="For a backfill: the team's leaver this opening replaces.",
    )
    skills = forms.ModelMultipleChoiceField(
        queryset=Skill.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    competencies = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=(COMPETENCY_CHARS + 2) * MAX_COMPETENCIES,
        help_text=(
            f"What interviewers score, one per line (at most {MAX_COMPETENCIES}). Left empty: "
            + ", ".join(DEFAULT_COMPETENCIES)
            + "."
        ),
    )
    target_start_on = forms.DateField(label="Target start", widget=DATE_INPUT)
    justification = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=4000
    )

    def __init__(
        self, *args: Any, team: Team, instance: Requisition | None = None, **kwargs: Any
    ) -> None:
        self.team = team
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    "title": instance.title,
                    "level": instance.level,
                    "fte": instance.fte,
                    "reason": instance.reason,
                    "backfill_for": instance.backfill_for_id,
                    "skills": list(instance.skills.values_list("pk", flat=True)),
                    "competencies": "\n".join(instance.competencies.values_list("name", flat=True)),
                    "target_start_on": instance.target_start_on,
                    "justification": instance.justification,
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["backfill_for"].queryset = backfill_choices(team)  # type: ignore[attr-defined]

    def clean_competencies(self) -> list[str]:
        text: str = self.cleaned_data.get("competencies") or ""
        names = [line.strip() for line in text.splitlines() if line.strip()]
        for name in names:
            refuse_control_characters(name)
        if problems := competency_problems(names):
            raise forms.ValidationError(problems)
        return names

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        reason, leaver = cleaned.get("reason"), cleaned.get("backfill_for")
        if (
            reason == Requisition.Reason.BACKFILL
            and leaver is None
            and "backfill_for" not in self.errors
        ):
            self.add_error("backfill_for", "Name the leaver this backfill replaces.")
        if reason == Requisition.Reason.GROWTH and leaver is not None:
            self.add_error("backfill_for", "Only a backfill names a leaver: leave this empty.")
        start = cleaned.get("target_start_on")
        first, last = start_window(self.team)
        if isinstance(start, dt.date) and not first <= start <= last:
            self.add_error(
                "target_start_on",
                f"Choose a date from {first:%-d %b %Y} to {last:%-d %b %Y}.",
            )
        return cleaned


class StatusFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("", "Every status"), *Requisition.Status.choices], required=False
    )


class CancelRequisitionForm(forms.Form):
    reason = forms.CharField(
        max_length=300,
        label="Why is it cancelled?",
        validators=[refuse_control_characters],
    )
