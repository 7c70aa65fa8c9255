import datetime as dt

from django import forms
from django.db.models import QuerySet

from ..models import Associate, AssociateSkill, Skill, Team, User
from ..text import refuse_control_characters


class AssociateForm(forms.Form):
    """Create or edit an associate: the person (User) and their roster record."""

    first_name = forms.CharField(max_length=150, validators=[refuse_control_characters])
    last_name = forms.CharField(max_length=150, validators=[refuse_control_characters])
    email = forms.EmailField(help_text="The invitation to set a password goes here.")
    team = forms.ModelChoiceField(queryset=Team.objects.none(), empty_label=None)
    title = forms.CharField(
        max_length=100, initial="Support Associate", validators=[refuse_control_characters]
    )
    level = forms.ChoiceField(choices=Associate.Level.choices, initial=Associate.Level.L1)
    hired_on = forms.DateField(
        label="Hire date",
        # A date input takes ISO dates whatever the language of the page.
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    weekly_hours = forms.DecimalField(
        label="Contracted hours per week",
        min_value=1,
        max_value=48,
        max_digits=4,
        decimal_places=1,
        initial=39,
    )

    def __init__(
        self,
        *args: object,
        teams: QuerySet[Team],
        instance: Associate | None = None,
        **kwargs: object,
    ) -> None:
        self.instance = instance
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    "first_name": instance.user.first_name,
                    "last_name": instance.user.last_name,
                    "email": instance.user.email,
                    "team": instance.team_id,
                    "title": instance.title,
                    "level": instance.level,
                    "hired_on": instance.hired_on,
                    "weekly_hours": instance.weekly_hours,
                },
            )
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]
        if instance is not None:
            self.fields["email"].help_text = ""

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"].strip().lower()
        others = User.objects.filter(email__iexact=email)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.user_id)
        if others.exists():
            raise forms.ValidationError("Someone else already uses this email address.")
        return email

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        hired_on = cleaned.get("hired_on")
        if isinstance(hired_on, dt.date) and not (
            dt.date(1970, 1, 1) <= hired_on <= dt.date.today() + dt.timedelta(days=366)
        ):
            self.add_error("hired_on", "Enter a hire date within the next year.")
        left_on = self.instance.left_on if self.instance is not None else None
        if left_on and isinstance(hired_on, dt.date) and hired_on > left_on:
            self.add_error("hired_on", "The hire date cannot be after the leaving date.")
        return cleaned


class SkillLevelsForm(forms.Form):
    """One select per skill: no level, or a proficiency 1–4."""

    def __init__(
        self, *args: object, skills: list[Skill], current: dict[int, int], **kwargs: object
    ):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        choices = [("", "—"), *AssociateSkill.Proficiency.choices]
        self.skills = skills
        for skill in skills:
            self.fields[f"skill_{skill.pk}"] = forms.TypedChoiceField(
                label=skill.name,
                choices=choices,
                coerce=int,
                empty_value=None,
                required=False,
                initial=current.get(skill.pk, ""),
            )

    def levels(self) -> dict[Skill, int | None]:
        return {skill: self.cleaned_data[f"skill_{skill.pk}"] for skill in self.skills}


class RosterFilterForm(forms.Form):
    STATUS_CHOICES = [("active", "Active"), ("inactive", "Left / inactive"), ("all", "Everyone")]

    q = forms.CharField(
        label="Search",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Name or title"}),
    )
    skill = forms.ModelChoiceField(
        queryset=Skill.objects.all(), required=False, empty_label="Any skill"
    )
    min_level = forms.TypedChoiceField(
        label="At level",
        help_text="Applies with a skill chosen.",
        choices=[("", "Any level"), *AssociateSkill.Proficiency.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    status = forms.ChoiceField(choices=STATUS_CHOICES, required=False, initial="active")

    def filter(self, associates: QuerySet[Associate]) -> QuerySet[Associate]:
        data = self.cleaned_data if self.is_valid() else {}
        status = data.get("status") or "active"
        if status == "active":
            associates = associates.filter(is_active=True)
        elif status == "inactive":
            associates = associates.filter(is_active=False)
        if data.get("q"):
            associates = associates.search(data["q"])  # type: ignore[attr-defined]
        skill, min_level = data.get("skill"), data.get("min_level")
        if skill is not None:
            associates = associates.filter(
                skill_levels__skill=skill, skill_levels__level__gte=min_level or 1
            )
        return associates
