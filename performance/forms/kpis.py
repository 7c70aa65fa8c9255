"""The KPI events upload form."""

from django import forms

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class KpiUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text=(
            "Columns: external_id, associate (username), kpi (key), occurred_at "
            "(ISO 8601 with time zone), value, denominator (ratio KPIs)."
        ),
    )
    source = forms.SlugField(
        max_length=50,
        initial="csv",
        help_text="Where the events come from; ids are unique per source.",
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file is larger than 20 MB; split it or use the API.")
        return upload
