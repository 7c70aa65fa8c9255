"""The form that makes an API token: a name, its scopes and how long it lasts."""

from typing import Any

from django import forms

from teams.text import refuse_control_characters

from ..models.api_tokens import DEFAULT_LIFETIME_DAYS, MAX_LIFETIME_DAYS, ApiToken


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=ApiToken._meta.get_field("name").max_length,
        validators=[refuse_control_characters],
        help_text="What uses it, e.g. “Zendesk sync”; each of your active tokens has its own.",
    )
    scopes = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple,
        help_text="What programs holding it may do; give it only what it needs.",
        error_messages={"required": "Choose at least one scope."},
    )
    expires_in_days = forms.IntegerField(
        label="Expires in (days)",
        min_value=1,
        max_value=MAX_LIFETIME_DAYS,
        initial=DEFAULT_LIFETIME_DAYS,
        help_text=f"1 to {MAX_LIFETIME_DAYS}; after that the key gets 401 and you make a new one.",
    )

    def __init__(self, *args: Any, scopes: list[ApiToken.Scope], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["scopes"]
        assert isinstance(field, forms.MultipleChoiceField)  # noqa: S101
        field.choices = [(s.value, s.label) for s in scopes]
        field.initial = [ApiToken.Scope.READ_ROLLUPS.value]

    def chosen_scopes(self) -> list[ApiToken.Scope]:
        return [ApiToken.Scope(value) for value in self.cleaned_data["scopes"]]
