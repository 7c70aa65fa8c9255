"""Rows an independent checker sends to break ingestion (issue 12, points 6, 6b, 7;
issue 13, point 2): each is refused by row, with a message quoting at most ~80
characters, through the service, the upload page, the command and the API, and
nothing is written."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from rest_framework.test import APIClient

from performance.models import DailyKpi, Kpi, KpiDirtyDay, KpiEvent
from performance.models.api_tokens import new_key
from performance.services import kpis as services
from tests.conftest import client_for
from tests.factories import ApiTokenFactory

pytestmark = pytest.mark.django_db

GOOD_AT = "2026-11-20T10:00:00Z"

HOSTILE = [
    # 6. crashes
    ({"occurred_at": "0001-01-01T00:00:00Z"}, "is before 2000"),
    ({"occurred_at": "0001-01-01T00:00:00+01:00"}, "is out of range"),
    ({"occurred_at": "9999-12-31T23:30-01:00"}, "is out of range"),
    ({"occurred_at": "2026-11-20T10:00:00+23:59"}, "offset beyond ±14:00"),
    ({"occurred_at": "2026-11-20T10:00:00-16:00"}, "offset beyond ±14:00"),
    ({"external_id": "e\x001"}, "external_id contains a NUL byte"),
    ({"value": "1\x00"}, "value contains a NUL byte"),
    # 7. accepted when it should be refused
    ({"occurred_at": "9999-12-31T10:00:00Z"}, "more than a day in the future"),
    ({"occurred_at": "2099-01-01T10:00:00Z"}, "more than a day in the future"),
    ({"occurred_at": "1999-12-31T10:00:00Z"}, "is before 2000"),
    ({"value": "1_5"}, "value '1_5' is not a number."),
    ({"value": "\u0664"}, "is not a number."),  # Arabic-Indic four
    ({"value": "0x10"}, "is not a number."),
    ({"external_id": "=HYPERLINK(1)"}, "which a spreadsheet would run as a formula"),
    ({"external_id": "+1"}, "formula"),
    ({"external_id": "-1"}, "formula"),
    ({"external_id": "@SUM(A1)"}, "formula"),
    # 6b and issue 13 point 2: each KPI's own range
    ({"kpi": "csat", "value": "99999999999999999999"}, "csat must be between 1 and 5"),
    ({"kpi": "csat", "value": "-5"}, "csat must be between 1 and 5, not -5."),
    ({"kpi": "csat", "value": "0"}, "csat must be between 1 and 5"),
    ({"kpi": "qa_score", "value": "1e308"}, "qa_score must be between 0 and 100"),
    ({"kpi": "qa_score", "value": "100.5"}, "qa_score must be between 0 and 100"),
    ({"kpi": "handle_time", "value": "-1"}, "handle_time must be between 0 and 1440"),
    ({"kpi": "tickets_solved", "value": "2.5"}, "2.5 is not a whole number"),
    ({"kpi": "tickets_solved", "value": "-1"}, "tickets_solved must be between 0 and 1000"),
    ({"kpi": "schedule_adherence", "value": "30", "denominator": "0"}, "above 0"),
    ({"kpi": "schedule_adherence", "value": "30", "denominator": "-60"}, "above 0"),
    ({"kpi": "schedule_adherence", "value": "30", "denominator": "1e200"}, "at most 1e+09"),
    ({"kpi": "csat", "value": "5", "denominator": "1e200"}, "denominator must be within"),
]


def _row(associate, **changes):
    return {
        "external_id": "e1",
        "associate": associate.user.username,
        "kpi": "tickets_solved",
        "occurred_at": GOOD_AT,
        "value": "1",
    } | changes


@pytest.mark.parametrize(("changes", "message"), HOSTILE)
def test_the_service_refuses_it_by_row(associate, changes, message):
    result = services.ingest_events([_row(associate, **changes)], source="csv")
    assert [e.row for e in result.errors] == [1], result.errors
    assert message in result.errors[0].message
    assert KpiEvent.objects.count() == 0
    assert KpiDirtyDay.objects.count() == 0


def test_values_at_the_edges_of_the_range_are_accepted(associate):
    rows = [
        _row(associate, external_id="a", kpi="csat", value="1"),
        _row(associate, external_id="b", kpi="csat", value="5"),
        _row(associate, external_id="c", kpi="qa_score", value="0"),
        _row(associate, external_id="d", kpi="qa_score", value="100"),
        _row(associate, external_id="e", kpi="csat", value="4.5"),
        _row(associate, external_id="f", value="1.0"),
        _row(associate, external_id="g", value="+1e0"),
        _row(associate, external_id="h", occurred_at="2000-01-01T00:00:00Z"),
        _row(associate, external_id="i", occurred_at="2026-11-20T10:00:00+14:00"),
    ]
    result = services.ingest_events(rows, source="csv")
    assert result.errors == ()
    assert result.created == len(rows)


def test_an_error_message_quotes_at_most_about_80_characters(associate):
    result = services.ingest_events([_row(associate, value="9" * 5000 + "x")], source="csv")
    [error] = result.errors
    assert len(error.message) < 120
    assert error.message.endswith("… is not a number.")


def test_a_ten_row_upload_with_a_year_1_row_lists_every_bad_row(lead, associate):
    """Issue 13, point 1: this used to be a 500 instead of the list."""
    header = "external_id,associate,kpi,occurred_at,value\n"
    name = associate.user.username
    lines = [f"y1,{name},tickets_solved,0001-01-01T00:00:00+01:00,1"]
    lines += [f"bad{n},{name},csat,{GOOD_AT},{n + 6}" for n in range(9)]
    upload = SimpleUploadedFile(
        "k.csv", (header + "\n".join(lines) + "\n").encode(), content_type="text/csv"
    )
    response = client_for(lead).post(
        reverse("performance:kpi-import"), {"file": upload, "source": "csv"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing was imported: 10 problems" in html
    assert "is out of range" in html
    assert html.count("csat must be between 1 and 5") == 9
    assert KpiEvent.objects.count() == 0


def test_a_cell_over_the_csv_field_limit_is_reported_not_a_500(lead, associate):
    header = "external_id,associate,kpi,occurred_at,value\n"
    good = f"e1,{associate.user.username},tickets_solved,{GOOD_AT},1\n"
    huge = f"e2,{associate.user.username},tickets_solved,{GOOD_AT},{'1' * 140_000}\n"
    upload = SimpleUploadedFile("k.csv", (header + good + huge).encode(), content_type="text/csv")
    response = client_for(lead).post(
        reverse("performance:kpi-import"), {"file": upload, "source": "csv"}
    )
    assert response.status_code == 200
    assert "Row 2" in response.content.decode()
    assert "field larger than field limit" in response.content.decode()
    assert KpiEvent.objects.count() == 0


def test_a_nul_byte_in_an_upload_is_reported_by_row(lead, associate):
    header = "external_id,associate,kpi,occurred_at,value\n"
    body = f"e\x001,{associate.user.username},tickets_solved,{GOOD_AT},1\n"
    upload = SimpleUploadedFile("k.csv", (header + body).encode(), content_type="text/csv")
    response = client_for(lead).post(
        reverse("performance:kpi-import"), {"file": upload, "source": "csv"}
    )
    assert response.status_code == 200
    assert "Row 1: external_id contains a NUL byte." in response.content.decode()
    assert KpiEvent.objects.count() == 0


def test_the_command_reports_them_without_a_traceback(associate, tmp_path):
    path = tmp_path / "k.csv"
    path.write_text(
        "external_id,associate,kpi,occurred_at,value\n"
        f"e1,{associate.user.username},tickets_solved,9999-12-31T23:30-01:00,1\n"
    )
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_kpi_events", str(path))
    assert KpiEvent.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        *HOSTILE,
        ({"value": 1e200}, "tickets_solved must be between 0 and 1000"),
        ({"kpi": "csat", "value": 99999999999999999999}, "csat must be between 1 and 5"),
        ({"kpi": "qa_score", "value": 1e308}, "qa_score must be between 0 and 100"),
    ],
)
def test_the_api_refuses_it_with_a_400_naming_the_row(lead, associate, changes, message):
    client = APIClient()
    key = new_key()
    ApiTokenFactory(user=lead, key=key)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    body = {"source": "zendesk", "events": [_row(associate, value=1) | changes]}
    response = client.post(
        reverse("performance:api-kpi-events"), json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 400, response.content[:300]
    [error] = response.json()["errors"]
    assert error["row"] == 1
    assert message in error["message"]
    assert KpiEvent.objects.count() == 0


def test_an_ops_admin_editing_or_deleting_an_event_has_its_day_rolled_up_again(
    cast, associate, django_capture_on_commit_callbacks
):
    """Issue 13, point 2: the admin repairs the rollup itself, as an import does."""
    with django_capture_on_commit_callbacks(execute=True):
        services.ingest_events(
            [_row(associate, kpi="csat", value="5"), _row(associate, external_id="e2", kpi="csat")],
            source="csv",
        )
    csat = Kpi.objects.get(key="csat")

    def team_csat():
        return DailyKpi.objects.get(kpi=csat, scope="team", team=associate.team).value

    assert team_csat() == 3.0
    admin = client_for(cast["admin"])
    event = KpiEvent.objects.get(external_id="e2")
    url = reverse("admin:performance_kpievent_change", args=[event.pk])
    form = {
        "kpi": csat.pk,
        "associate": associate.pk,
        "occurred_at_0": "2026-11-20",
        "occurred_at_1": "10:00:00",
        "value": "3",
        "denominator": "",
        "source": "csv",
        "external_id": "e2",
    }
    refused = admin.post(url, form | {"value": "99"})
    assert refused.status_code == 200
    assert "csat must be between 1 and 5" in refused.content.decode()
    assert KpiEvent.objects.get(pk=event.pk).value == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert admin.post(url, form).status_code == 302
    assert team_csat() == 4.0
    delete = reverse("admin:performance_kpievent_delete", args=[event.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert admin.post(delete, {"post": "yes"}).status_code == 302
    assert team_csat() == 5.0


def test_a_huge_unknown_field_name_is_reported_briefly(lead, associate):
    client = APIClient()
    key = new_key()
    ApiTokenFactory(user=lead, key=key)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    event = _row(associate, value=1) | {"x" * 100_000: 1}
    body = {"source": "zendesk", "events": [event], "y" * 100_000: 1}
    response = client.post(
        reverse("performance:api-kpi-events"), json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 400
    assert len(response.content) < 2_000
