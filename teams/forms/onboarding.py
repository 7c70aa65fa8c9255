from django import forms
from django.db.models import QuerySet

from ..models import Associate, ItemKind, OnboardingPlan, OwnerRole
from ..text import refuse_control_characters

MAX_TEMPLATE_ITEMS = 60


class TemplateItemForm(forms.Form):
    title = forms.CharField(max_length=150, validators=[refuse_control_characters])
    kind = forms.ChoiceField(choices=ItemKind.choices, initial=ItemKind.OTHER)
    owner_role = forms.ChoiceField(label="Owner", choices=OwnerRole.choices)
    due_day = forms.IntegerField(
        label="Due day",
        min_value=-30,
        max_value=365,
        initial=0,
        help_text="Days after the start date (0 = the first day, negative = before it).",
    )


class BaseTemplateFormSet(forms.BaseFormSet):  # type: ignore[type-arg,unused-ignore]
    def items(self) -> list[dict[str, object]]:
        """The kept rows (not deleted, not left empty), in due-day order."""
        kept = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        rows = [{k: v for k, v in data.items() if k != "DELETE"} for data in kept]
        return sorted(rows, key=lambda row: int(str(row["due_day"])))


TemplateFormSet = forms.formset_factory(
    TemplateItemForm,
    formset=BaseTemplateFormSet,
    extra=2,
    can_delete=True,
    max_num=MAX_TEMPLATE_ITEMS,
    validate_max=True,
    absolute_max=MAX_TEMPLATE_ITEMS,
)


def _name(associate: Associate) -> str:
    return associate.name


class BuddyForm(forms.Form):
    buddy = forms.ModelChoiceField(
        queryset=Associate.objects.none(), required=False, empty_label="No buddy yet"
    )

    def __init__(self, *args: object, plan: OnboardingPlan, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["buddy"]
        field.queryset = self.candidates(plan)  # type: ignore[attr-defined]
        field.label_from_instance = _name  # type: ignore[attr-defined]

    @staticmethod
    def candidates(plan: OnboardingPlan) -> QuerySet[Associate]:
        return (
            Associate.objects.active()
            .filter(team_id=plan.associate.team_id)
            .exclude(pk=plan.associate_id)
            .select_related("user")
        )


class ItemDoneForm(forms.Form):
    done = forms.ChoiceField(choices=[("1", "Done"), ("0", "Not done")])
