"""Training forms: a module, a module on a plan, a certification, a skill target."""

import datetime as dt

from django import forms
from django.db.models import QuerySet

from ..dates import YEAR, check_date
from ..models import AssociateSkill, Skill, TrainingModule
from ..models.training import MAX_MODULE_MINUTES
from ..text import refuse_control_characters

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ModuleForm(forms.Form):
    title = forms.CharField(max_length=150, validators=[refuse_control_characters])
    skill = forms.ModelChoiceField(queryset=Skill.objects.all())
    length = forms.IntegerField(min_value=1, max_value=MAX_MODULE_MINUTES)
    unit = forms.ChoiceField(choices=[("minutes", "minutes"), ("hours", "hours")])
    description = forms.CharField(
        required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    is_active = forms.BooleanField(
        required=False, initial=True, label="Active (can be put on training plans)"
    )

    def clean_description(self) -> str:
        text: str = self.cleaned_data["description"]
        if "\x00" in text:
            raise forms.ValidationError("Remove the control characters from the text.")
        return text

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        length, unit = data.get("length"), data.get("unit")
        if isinstance(length, int) and unit:
            minutes = length * 60 if unit == "hours" else length
            if minutes > MAX_MODULE_MINUTES:
                self.add_error("length", "A module is at most 100 hours.")
            else:
                data["length_minutes"] = minutes
        return data

    def values(self) -> dict[str, object]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "skill": data["skill"],
            "length_minutes": data["length_minutes"],
            "description": data["description"],
            "is_active": data["is_active"],
        }

    @staticmethod
    def initial_for(module: TrainingModule) -> dict[str, object]:
        hours = module.length_minutes % 60 == 0
        return {
            "title": module.title,
            "skill": module.skill_id,
            "length": module.length_minutes // 60 if hours else module.length_minutes,
            "unit": "hours" if hours else "minutes",
            "description": module.description,
            "is_active": module.is_active,
        }


class AssignForm(forms.Form):
    module = forms.ModelChoiceField(queryset=TrainingModule.objects.none())
    due_on = forms.DateField(label="Due", widget=DATE_WIDGET)

    def __init__(
        self, *args: object, modules: QuerySet[TrainingModule], today: dt.date, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["module"].queryset = modules  # type: ignore[attr-defined]
        self.today = today

    def clean_due_on(self) -> dt.date:
        day: dt.date = self.cleaned_data["due_on"]
        return check_date(day, past=YEAR, future=2 * YEAR, today=self.today, what="a due date")


class CertificationForm(forms.Form):
    skill = forms.ModelChoiceField(queryset=Skill.objects.all())
    certified_on = forms.DateField(label="Certified on", widget=DATE_WIDGET)
    expires_on = forms.DateField(label="Valid until", widget=DATE_WIDGET)

    def __init__(self, *args: object, today: dt.date, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.today = today

    def clean_certified_on(self) -> dt.date:
        day: dt.date = self.cleaned_data["certified_on"]
        return check_date(day, past=10 * YEAR, future=YEAR, today=self.today, what="a date")

    def clean_expires_on(self) -> dt.date:
        day: dt.date = self.cleaned_data["expires_on"]
        return check_date(day, past=10 * YEAR, future=10 * YEAR, today=self.today, what="a date")

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        certified, expires = data.get("certified_on"), data.get("expires_on")
        if isinstance(certified, dt.date) and isinstance(expires, dt.date) and expires <= certified:
            self.add_error("expires_on", "A certification is valid until after it was given.")
        return data


class SkillTargetForm(forms.Form):
    skill = forms.ModelChoiceField(queryset=Skill.objects.all())
    level = forms.TypedChoiceField(
        choices=[("", "No target (remove)"), *AssociateSkill.Proficiency.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    by_date = forms.DateField(label="By", widget=DATE_WIDGET, required=False)

    def __init__(self, *args: object, today: dt.date, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.today = today

    def clean_by_date(self) -> dt.date | None:
        day: dt.date | None = self.cleaned_data["by_date"]
        if day is None:
            return None
        return check_date(day, past=YEAR, future=3 * YEAR, today=self.today, what="a date")

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("level") is not None and data.get("by_date") is None and "by_date" in data:
            self.add_error("by_date", "Choose when the target is for.")
        return data
