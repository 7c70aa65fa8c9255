import datetime as dt
from typing import Any

from django import forms

from teams.dates import YEAR, check_date
from teams.models import Team

from ..models import Rating, Review
from ..selectors.reviews import NOT_RATED, SORTS, CalibrationOptions, CalibrationQuery

RATING_CHOICES = [("", "— not rated yet —"), *Rating.choices]


def _text(
    label: str, *, required: bool = False, rows: int = 4, help_text: str = ""
) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
        max_length=10_000,
        help_text=help_text,
        strip=True,
    )


DATES = (
    "period_start",
    "period_end",
    "self_review_due_on",
    "lead_review_due_on",
    "calibration_due_on",
)


class CycleForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="e.g. H2 2026 review")
    period_start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    self_review_due_on = forms.DateField(
        label="Self reviews due", widget=forms.DateInput(attrs={"type": "date"})
    )
    lead_review_due_on = forms.DateField(
        label="Lead reviews due", widget=forms.DateInput(attrs={"type": "date"})
    )
    calibration_due_on = forms.DateField(
        label="Calibration due", widget=forms.DateInput(attrs={"type": "date"})
    )
    teams = forms.ModelMultipleChoiceField(
        queryset=Team.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Every active associate of these teams gets a review.",
    )

    def __init__(self, *args: Any, teams: list[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["teams"]
        assert isinstance(field, forms.ModelMultipleChoiceField)  # noqa: S101 - narrows for mypy
        field.queryset = Team.objects.filter(pk__in=[t.pk for t in teams]).select_related("site")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in DATES:
            if isinstance(day := data.get(name), dt.date):
                try:
                    check_date(day, past=2 * YEAR, future=3 * YEAR)
                except forms.ValidationError as error:
                    self.add_error(name, error)
        start: dt.date | None = data.get("period_start")
        end: dt.date | None = data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "The period cannot end before it starts.")
        dues = [
            data.get(k) for k in ("self_review_due_on", "lead_review_due_on", "calibration_due_on")
        ]
        if all(dues) and not (dues[0] <= dues[1] <= dues[2]):  # type: ignore[operator]
            raise forms.ValidationError(
                "Due dates go in order: self review, then lead review, then calibration."
            )
        return data


class SelfReviewForm(forms.Form):
    achievements = _text("What did you achieve in this period?", rows=6)
    challenges = _text("What was hard, and what did you learn?")
    growth = _text("Where do you want to grow next?")


class LeadReviewForm(forms.Form):
    goal_outcomes = _text("Goal outcomes", help_text="Pre-filled from the period's goals.")
    feedback_highlights = _text(
        "Feedback highlights",
        help_text="Pre-filled from the period's shared feedback (never private notes).",
    )
    lead_summary = _text("Summary", rows=6)
    rating = forms.TypedChoiceField(
        choices=RATING_CHOICES, coerce=int, empty_value=None, required=False
    )
    rating_justification = _text(
        "Why this rating", help_text="Required with a rating: what in the period supports it."
    )
    edit_reason = forms.CharField(
        label="Why change a shared review?",
        required=False,
        max_length=500,
        help_text="The associate is told, and the review goes back to calibration.",
    )


class CalibrateForm(forms.Form):
    rating = forms.TypedChoiceField(choices=Rating.choices, coerce=int)
    reason = forms.CharField(
        max_length=1000, help_text="Required: why the rating changes in calibration."
    )


class AcknowledgeForm(forms.Form):
    comment = _text("Comment (optional)", rows=3)


def _ignored(what: str) -> dict[str, str]:
    return {"invalid_choice": f"Not {what} of this calibration, so not applied."}


class CalibrationFilterForm(forms.Form):
    """The calibration page's filters and sort, read from the query string so that a
    view can be bookmarked. A value that is not one of the choices (a team outside
    the viewer's, a rating off the scale) is reported and left out; the rest apply."""

    PARAMS = ("team", "step", "rating", "lead", "changed", "sort", "dir")

    team = forms.TypedChoiceField(
        coerce=int, empty_value=None, required=False, error_messages=_ignored("a team")
    )
    step = forms.ChoiceField(
        choices=[("", "Any step"), *Review.State.choices],
        required=False,
        error_messages=_ignored("a step"),
    )
    rating = forms.ChoiceField(
        choices=[
            ("", "Any rating"),
            *((str(value), label) for value, label in Rating.choices),
            (NOT_RATED, "Not rated yet"),
        ],
        required=False,
        error_messages=_ignored("a rating"),
    )
    lead = forms.TypedChoiceField(
        coerce=int, empty_value=None, required=False, error_messages=_ignored("a lead")
    )
    changed = forms.ChoiceField(
        label="Changed in calibration",
        choices=[("", "Either"), ("yes", "Yes"), ("no", "No")],
        required=False,
        error_messages=_ignored("a choice"),
    )
    sort = forms.ChoiceField(label="Sort by", required=False, error_messages=_ignored("a sort"))
    dir = forms.ChoiceField(
        label="Order",
        choices=[("asc", "Ascending"), ("desc", "Descending")],
        required=False,
        error_messages=_ignored("an order"),
    )

    def __init__(self, data: Any, *, options: CalibrationOptions) -> None:
        super().__init__(data)
        self.fields["team"].choices = [  # type: ignore[attr-defined]
            ("", "All teams"),
            *((t.pk, t.name) for t in options.teams),
        ]
        self.fields["lead"].choices = [  # type: ignore[attr-defined]
            ("", "Any lead"),
            *((u.pk, u.display_name) for u in options.leads),
        ]
        self.fields["sort"].choices = [  # type: ignore[attr-defined]
            *((key, key.capitalize()) for key in SORTS),
            *((k.key, k.name) for k in options.kpis),
        ]

    def query(self) -> CalibrationQuery:
        """What the page applies: the valid values (everything, unfiltered, when the
        form is not bound)."""
        if not self.is_bound:
            return CalibrationQuery()
        self.is_valid()
        data = self.cleaned_data  # the fields that passed
        rating = data.get("rating") or None
        changed = data.get("changed") or None
        return CalibrationQuery(
            team_id=data.get("team"),
            state=data.get("step") or None,
            rating=rating if rating in (None, NOT_RATED) else int(rating),
            lead_id=data.get("lead"),
            changed=None if changed is None else changed == "yes",
            sort=data.get("sort") or "name",
            descending=data.get("dir") == "desc",
        )
