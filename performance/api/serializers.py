"""Shapes of the KPI JSON API (performance/api.py): what it reads, what it answers.

The event batch is checked by `api.read_batch` and `services.ingest_events` (the
same rules as the CSV upload); the request serializers here describe it for the
OpenAPI schema. Query parameters and rollup rows go through these serializers.
"""

import datetime as dt
from typing import Any

from rest_framework import serializers

from ..models import DailyKpi, Kpi

MAX_EVENTS = 10_000
MAX_RANGE_DAYS = 366
MAX_ID = 2**63 - 1


class KpiEventInSerializer(serializers.Serializer[Any]):
    external_id = serializers.CharField(
        max_length=100, help_text="Unique per source; sending it again changes nothing."
    )
    associate = serializers.CharField(help_text="The associate's username.")
    kpi = serializers.SlugField(help_text="A KPI key, e.g. `tickets_solved`.")
    occurred_at = serializers.DateTimeField(
        help_text="ISO 8601 with a time zone, e.g. `2026-11-24T14:05:00Z` or `…+01:00`."
    )
    value = serializers.FloatField()
    denominator = serializers.FloatField(
        required=False, allow_null=True, help_text="Required for ratio KPIs."
    )


class KpiEventBatchSerializer(serializers.Serializer[Any]):
    # `source` and `errors` (below) shadow Serializer attributes for the type checker
    # only: DRF's metaclass moves declared fields off the class.
    source = serializers.CharField(  # type: ignore[assignment]
        max_length=50, help_text="Where the events come from, e.g. `zendesk`."
    )
    events = KpiEventInSerializer(
        many=True,
        help_text=f"1 to {MAX_EVENTS:,} events; all are written or none.",
    )


class DirtyDaySerializer(serializers.Serializer[Any]):
    kpi = serializers.SlugField()
    site = serializers.IntegerField()
    day = serializers.DateField()


class IngestResultSerializer(serializers.Serializer[Any]):
    created = serializers.IntegerField(help_text="Events written.")
    duplicates = serializers.IntegerField(help_text="Events already known (skipped).")
    days = DirtyDaySerializer(many=True, help_text="(KPI, site, local day) queued for rollup.")


class ProblemSerializer(serializers.Serializer[Any]):
    row = serializers.IntegerField(required=False, help_text="1-based position in `events`.")
    field = serializers.CharField(required=False, help_text="The body field or query parameter.")
    message = serializers.CharField()


class ProblemsSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField()
    errors = ProblemSerializer(  # type: ignore[assignment]
        many=True, required=False, help_text="Every problem found; absent for malformed JSON."
    )


class DetailSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField()


class RollupQuerySerializer(serializers.Serializer[Any]):
    # `from` is a Python keyword: declared as `from_`, exposed as `from` (get_fields).
    from_ = serializers.DateField(help_text="First day (site-local), YYYY-MM-DD.")
    to = serializers.DateField(help_text=f"Last day, inclusive; at most {MAX_RANGE_DAYS} days.")
    scope = serializers.ChoiceField(
        choices=DailyKpi.Scope.choices,
        required=False,
        help_text="Default: every scope you may read. `site` is for ops admins only.",
    )
    team = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, help_text="A team id."
    )
    associate = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, help_text="An associate id."
    )
    kpi = serializers.SlugField(required=False, help_text="A KPI key.")

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return dict(sorted(fields.items(), key=lambda item: item[0] != "from"))

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        # DRF reads `kpi=` as if kpi were left out, yet the schema says an empty value
        # is not a key (nor `team=` an id): say so rather than answer for every KPI.
        blank: dict[str, Any] = {
            name: [f"`{name}` is empty; leave it out to read every {name}."]
            for name, field in self.fields.items()
            if not field.required and data.get(name) == ""
        }
        try:
            attrs = super().to_internal_value(data)
        except serializers.ValidationError as error:
            detail: dict[Any, Any] = error.detail if isinstance(error.detail, dict) else {}
            raise serializers.ValidationError(blank | detail) from None
        if blank:
            raise serializers.ValidationError(blank)
        return attrs

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        first: dt.date = attrs["from"]
        last: dt.date = attrs["to"]
        if last < first:
            raise serializers.ValidationError({"to": "`to` is before `from`."})
        if (last - first).days + 1 > MAX_RANGE_DAYS:
            raise serializers.ValidationError(
                {"to": f"The range is longer than {MAX_RANGE_DAYS} days; ask for less."}
            )
        return attrs


class DailyKpiSerializer(serializers.ModelSerializer[DailyKpi]):
    kpi: serializers.SlugRelatedField[Kpi] = serializers.SlugRelatedField(
        slug_field="key", read_only=True
    )
    site = serializers.IntegerField(source="site_id", read_only=True)
    team = serializers.IntegerField(source="team_id", read_only=True, allow_null=True)
    associate = serializers.CharField(
        source="associate.user.username",
        read_only=True,
        allow_null=True,
        help_text="Username; null for team and site rows.",
    )

    class Meta:
        model = DailyKpi
        fields = (
            "kpi",
            "day",
            "scope",
            "site",
            "team",
            "associate",
            "value",
            "numerator",
            "denominator",
            "event_count",
        )
        read_only_fields = fields
