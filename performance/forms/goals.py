"""Goal forms: setting a goal and checking in on it."""

import datetime as dt
from typing import Any

from django import forms

from teams.dates import YEAR, check_date

from ..models import Goal, Kpi
from ..models.kpis import MAX_MAGNITUDE
from .one_on_ones import DATE


class GoalForm(forms.ModelForm):
    class Meta:
        model = Goal
        fields = ["title", "description", "starts_on", "ends_on", "kpi", "target_value", "unit"]
        labels = {"kpi": "Linked KPI (progress computes itself)", "target_value": "Target"}
        widgets = {
            "starts_on": DATE,
            "ends_on": DATE,
            "description": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["kpi"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101
        field.queryset = Kpi.objects.order_by("name")
        field.required = False

    def _check_target(self, target: float, kpi: Kpi | None) -> None:
        """A target a goal could reach: not negative, and within the KPI's own range
        where it has one (a ratio's target is a fraction, so only >= 0 there)."""
        if not 0 <= target <= MAX_MAGNITUDE:
            self.add_error("target_value", f"Choose a target between 0 and {MAX_MAGNITUDE:,.0f}.")
        elif kpi is not None and kpi.aggregation != Kpi.Aggregation.RATIO:
            low = kpi.min_value if kpi.min_value is not None else 0
            high = kpi.max_value if kpi.max_value is not None else MAX_MAGNITUDE
            if not low <= target <= high:
                self.add_error(
                    "target_value",
                    f"{kpi.name} goes from {low:g} to {high:g}: choose a target there.",
                )

    def clean_starts_on(self) -> dt.date:
        return check_date(self.cleaned_data["starts_on"], past=2 * YEAR, future=3 * YEAR)

    def clean_ends_on(self) -> dt.date:
        return check_date(self.cleaned_data["ends_on"], past=2 * YEAR, future=3 * YEAR)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", "The period must end on or after its start.")
        kpi = data.get("kpi")
        target = data.get("target_value")
        if isinstance(target, float):
            self._check_target(target, kpi)
        if kpi is not None and not data.get("unit"):
            data["unit"] = kpi.unit
        return data


class CheckInForm(forms.Form):
    status = forms.ChoiceField(label="Status", choices=Goal.Status.choices)
    value = forms.FloatField(label="Where it stands now", required=False)
    note = forms.CharField(label="Note", widget=forms.Textarea(attrs={"rows": 2}))
