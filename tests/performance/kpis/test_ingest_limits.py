"""Inputs that fit the format but not the database: reported, never a 500."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from performance.models import KpiEvent
from performance.services import kpis as services
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _row(associate, **changes):
    return {
        "external_id": "e1",
        "associate": associate.user.username,
        "kpi": "tickets_solved",
        "occurred_at": "2026-11-20T10:00:00Z",
        "value": "1",
    } | changes


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"occurred_at": "2026-02-30T10:00:00Z"}, "no such date"),
        ({"external_id": "x" * 101}, "longer than 100 characters"),
        # Values a JSON caller can send: the service itself refuses them.
        ({"value": True}, "value must be a number, not true/false."),
        ({"value": 10**400}, "value is too large."),
        ({"denominator": False}, "denominator must be a number, not true/false."),
    ],
)
def test_impossible_dates_and_overlong_ids_are_row_errors(associate, changes, message):
    result = services.ingest_events([_row(associate, **changes)], source="csv")
    assert [e.row for e in result.errors] == [1]
    assert message in result.errors[0].message
    assert KpiEvent.objects.count() == 0


def test_an_overlong_source_is_refused(associate):
    result = services.ingest_events([_row(associate)], source="s" * 51)
    assert "1 to 50 characters" in result.errors[0].message
    assert KpiEvent.objects.count() == 0


def test_the_upload_form_reports_them_too(lead, associate):
    header = "external_id,associate,kpi,occurred_at,value\n"
    body = f"e1,{associate.user.username},tickets_solved,2026-02-30T10:00:00Z,1\n"
    upload = SimpleUploadedFile("k.csv", (header + body).encode(), content_type="text/csv")
    response = client_for(lead).post(
        reverse("performance:kpi-import"), {"file": upload, "source": "s" * 51}
    )
    assert response.status_code == 200
    assert "at most 50 characters" in response.content.decode()
    upload.seek(0)
    response = client_for(lead).post(
        reverse("performance:kpi-import"), {"file": upload, "source": "csv"}
    )
    assert "Row 1" in response.content.decode()
    assert "no such date" in response.content.decode()
    assert KpiEvent.objects.count() == 0
