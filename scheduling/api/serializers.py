"""Shapes of the volume history API, for the OpenAPI schema. The body is checked by
`views.read_body` and `services.volumes.ingest_volumes` (the rules of the CSV upload);
these serializers describe it."""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..services.volumes import MAX_CONTACTS, MAX_HANDLE_SECONDS

MAX_VOLUMES = 10_000
MAX_ID = 2**63 - 1


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "minLength": 1, "maxLength": 80},
            {"type": "integer", "minimum": 1, "maximum": MAX_ID},
        ]
    }
)
class QueueField(serializers.Field[Any, Any, Any, Any]):
    """A queue by its name on the team or by its number."""


class QueueVolumeInSerializer(serializers.Serializer[Any]):
    queue = QueueField(help_text="The queue's name on the team (e.g. `Payments chat`) or its id.")
    starts_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="The interval's start with its UTC offset, e.g. `2026-03-02T09:30:00Z`. "
        "Or give `date` and `time` instead.",
    )
    date = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="The interval's start date in the site's zone, `2026-03-02`.",
    )
    time = serializers.CharField(
        required=False,
        allow_null=True,
        max_length=20,
        help_text="Its start time in the site's zone, `09:30`. In the hour the clocks go "
        "back, with the zone as the app writes it (`01:00 IST`, `01:00 GMT`) or the offset "
        "(`01:00 +01:00`); a time the clocks skip is refused.",
    )
    offered = serializers.IntegerField(min_value=0, max_value=MAX_CONTACTS)
    handled = serializers.IntegerField(
        min_value=0, max_value=MAX_CONTACTS, help_text="At most `offered`."
    )
    aht_seconds = serializers.FloatField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=MAX_HANDLE_SECONDS,
        help_text="Average handle time of the handled contacts, seconds (rounded). "
        "Leave it out when none were handled.",
    )


class QueueVolumeBatchSerializer(serializers.Serializer[Any]):
    team = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="The team whose queues these are (its id)."
    )
    volumes = QueueVolumeInSerializer(
        many=True,
        help_text=f"1 to {MAX_VOLUMES:,} intervals; all are written or none.",
    )


class VolumeResultSerializer(serializers.Serializer[Any]):
    created = serializers.IntegerField(help_text="Intervals not stored before.")
    replaced = serializers.IntegerField(help_text="Stored intervals given new figures.")
    unchanged = serializers.IntegerField(
        help_text="Stored intervals sent again with the same figures (nothing written)."
    )


# Named apart from the KPI API's components of the same shape: the schema holds both.
class VolumeProblemSerializer(serializers.Serializer[Any]):
    row = serializers.IntegerField(required=False, help_text="1-based position in `volumes`.")
    field = serializers.CharField(required=False, help_text="The field of the body or item.")
    message = serializers.CharField()


class VolumeProblemsSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField()
    # Shadows Serializer.errors for the type checker only (DRF moves fields off the class).
    errors = VolumeProblemSerializer(  # type: ignore[assignment]
        many=True, required=False, help_text="Every problem found; absent for malformed JSON."
    )


class VolumeRefusalSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField()
