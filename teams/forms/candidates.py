from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import RegexValidator

from ..models import Candidate
from ..services.candidates import check_cv, check_cv_name
from ..text import refuse_control_characters

phone_characters = RegexValidator(
    r"^[0-9+()./\- ]*$", "A phone number has digits, spaces and + ( ) - . / only."
)


class CandidateForm(forms.Form):
    """A candidate's details and CV. `raw_file_names` are the names the upload came
    with before Django stripped any folders from them (teams/views/candidates.py)."""

    name = forms.CharField(max_length=150, validators=[refuse_control_characters])
    email = forms.EmailField(max_length=254, required=False)
    phone = forms.CharField(max_length=40, required=False, validators=[phone_characters])
    source = forms.ChoiceField(choices=Candidate.Source.choices)
    notes = forms.CharField(
        max_length=8000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Seen by the team's leads and manager, never by interviewers.",
    )
    cv = forms.FileField(
        label="CV",
        required=False,
        help_text="PDF, DOCX or DOC, up to the size limit.",
        widget=forms.FileInput(attrs={"accept": ".pdf,.docx,.doc"}),
    )

    def __init__(
        self,
        *args: object,
        raw_file_names: list[str] | None = None,
        instance: Candidate | None = None,
        **kwargs: object,
    ) -> None:
        self.raw_file_names = raw_file_names or []
        self.cv_raw_name: str | None = None
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {f: getattr(instance, f) for f in ("name", "email", "phone", "source", "notes")},
            )
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if instance is not None and instance.cv_name:
            self.fields[
                "cv"
            ].help_text = (
                f"Now: {instance.cv_name}. Choose a file to replace it (PDF, DOCX or DOC)."
            )

    def clean_cv(self) -> UploadedFile | None:
        for raw in self.raw_file_names:  # a name with a path is refused, not trimmed
            check_cv_name(raw)
        upload: UploadedFile | None = self.cleaned_data.get("cv")
        if upload is None:
            return None
        self.cv_raw_name = self.raw_file_names[-1] if self.raw_file_names else None
        check_cv(upload, raw_name=self.cv_raw_name)
        return upload
