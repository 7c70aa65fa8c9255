"""Who submitted each KPI event (issue 12, point 20): the uploader, the API caller and
the token they used, or the person the import command names with --as."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from rest_framework.test import APIClient

from performance.models import Kpi, KpiEvent
from performance.models.api_tokens import new_key
from performance.services import kpis as services
from tests.conftest import client_for
from tests.factories import ApiTokenFactory

pytestmark = pytest.mark.django_db

HEADER = "external_id,associate,kpi,occurred_at,value\n"
AT = "2026-11-20T10:00:00Z"


def csv_of(*associates) -> str:
    return HEADER + "".join(
        f"e{n},{a.user.username},tickets_solved,{AT},1\n" for n, a in enumerate(associates)
    )


def test_the_upload_page_records_the_uploader(lead, associate):
    upload = SimpleUploadedFile("k.csv", csv_of(associate).encode(), content_type="text/csv")
    response = client_for(lead).post(
        reverse("performance:kpi-import"), {"file": upload, "source": "csv"}
    )
    assert response.status_code == 200
    event = KpiEvent.objects.get()
    assert (event.submitted_by, event.api_token) == (lead, None)


def test_an_api_post_records_the_caller_and_the_token(lead, associate):
    key = new_key()
    token = ApiTokenFactory(user=lead, key=key, name="Zendesk")
    ApiTokenFactory(user=lead, name="Another")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    body = {
        "source": "zendesk",
        "events": [
            {
                "external_id": "t-1",
                "associate": associate.user.username,
                "kpi": "tickets_solved",
                "occurred_at": AT,
                "value": 1,
            }
        ],
    }
    response = client.post(reverse("performance:api-kpi-events"), body, format="json")
    assert response.status_code == 201
    event = KpiEvent.objects.get()
    assert (event.submitted_by, event.api_token) == (lead, token)
    assert list(token.events.all()) == [event]


def test_a_browser_session_post_records_the_person_and_no_token(lead, associate):
    body = {
        "source": "zendesk",
        "events": [
            {
                "external_id": "t-1",
                "associate": associate.user.username,
                "kpi": "tickets_solved",
                "occurred_at": AT,
                "value": 1,
            }
        ],
    }
    response = client_for(lead).post(
        reverse("performance:api-kpi-events"), body, content_type="application/json"
    )
    assert response.status_code == 201
    event = KpiEvent.objects.get()
    assert (event.submitted_by, event.api_token) == (lead, None)


def test_a_resent_event_keeps_who_first_sent_it(lead, admin, associate):
    row = {
        "external_id": "e1",
        "associate": associate.user.username,
        "kpi": "tickets_solved",
        "occurred_at": AT,
        "value": 1,
    }
    services.ingest_events([row], source="csv", submitted_by=lead)
    again = services.ingest_events([row], source="csv", submitted_by=admin)
    assert again.duplicates == 1
    assert KpiEvent.objects.get().submitted_by == lead


def test_deleting_a_token_keeps_its_events_without_the_link(lead, associate):
    token = ApiTokenFactory(user=lead)
    row = {
        "external_id": "e1",
        "associate": associate.user.username,
        "kpi": "tickets_solved",
        "occurred_at": AT,
        "value": 1,
    }
    services.ingest_events([row], source="csv", submitted_by=lead, api_token=token)
    token.delete()
    event = KpiEvent.objects.get()
    assert (event.submitted_by, event.api_token) == (lead, None)


# --- the command ---------------------------------------------------------------------


def test_the_command_with_as_records_that_person(lead, associate, tmp_path):
    path = tmp_path / "k.csv"
    path.write_text(csv_of(associate))
    call_command("import_kpi_events", str(path), "--as", "lead")
    assert KpiEvent.objects.get().submitted_by == lead


def test_the_command_without_as_is_a_system_import(associate, other_associate, tmp_path):
    path = tmp_path / "k.csv"
    path.write_text(csv_of(associate, other_associate))  # any team
    call_command("import_kpi_events", str(path))
    assert set(KpiEvent.objects.values_list("submitted_by", flat=True)) == {None}
    assert KpiEvent.objects.count() == 2


def test_the_command_as_a_lead_imports_for_their_teams_only(
    lead, associate, other_associate, tmp_path
):
    path = tmp_path / "k.csv"
    path.write_text(csv_of(associate, other_associate))
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_kpi_events", str(path), "--as", "lead")
    assert not KpiEvent.objects.exists()


@pytest.mark.parametrize(
    ("username", "message"),
    [
        ("nobody", r"No active user 'nobody'\."),
        ("manager", "manager may not import KPI events"),
        ("associate", "associate may not import KPI events"),
    ],
)
def test_the_command_refuses_someone_who_may_not_import(
    username, message, cast, associate, tmp_path
):
    path = tmp_path / "k.csv"
    path.write_text(csv_of(associate))
    with pytest.raises(CommandError, match=message):
        call_command("import_kpi_events", str(path), "--as", username)
    assert not KpiEvent.objects.exists()


def test_the_command_refuses_a_deactivated_user(lead, associate, tmp_path):
    lead.is_active = False
    lead.save()
    path = tmp_path / "k.csv"
    path.write_text(csv_of(associate))
    with pytest.raises(CommandError, match=r"No active user 'lead'\."):
        call_command("import_kpi_events", str(path), "--as", "lead")


# --- where an ops admin inspects events ---------------------------------------------


def test_the_admin_shows_who_submitted_each_event_and_with_which_token(
    admin, lead, associate, django_assert_max_num_queries
):
    row = {
        "associate": associate.user.username,
        "kpi": "tickets_solved",
        "occurred_at": AT,
        "value": 1,
    }
    for n in range(10):
        token = ApiTokenFactory(user=lead, name=f"Feed {n}")
        services.ingest_events(
            [row | {"external_id": f"e{n}"}], source="csv", submitted_by=lead, api_token=token
        )
    page = client_for(admin)
    changelist = reverse("admin:performance_kpievent_changelist")
    with django_assert_max_num_queries(12):
        html = page.get(changelist).content.decode()
    assert "Submitted by" in html
    assert html.count('<td class="field-submitted_by nowrap">lead</td>') == 10
    assert '<td class="field-api_token nowrap">Feed 7 (sdc_' in html
    event = KpiEvent.objects.get(external_id="e3")
    change = page.get(reverse("admin:performance_kpievent_change", args=[event.pk]))
    assert "Feed 3" in change.content.decode()
    # Searchable by submitter.
    found = page.get(changelist, {"q": "lead"}).content.decode()
    assert "e3" in found


def test_an_event_added_in_the_admin_is_submitted_by_that_admin(admin, associate):
    response = client_for(admin).post(
        reverse("admin:performance_kpievent_add"),
        {
            "kpi": Kpi.objects.get(key="tickets_solved").pk,
            "associate": associate.pk,
            "occurred_at_0": "2026-11-20",
            "occurred_at_1": "10:00:00",
            "value": "1",
            "source": "admin",
            "external_id": "fix-1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert KpiEvent.objects.get().submitted_by == admin
    assert dt.date(2026, 11, 20) == KpiEvent.objects.get().local_date
