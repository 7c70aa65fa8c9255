"""The KPI JSON API: authentication, posting events, reading rollups, the schema. API
tokens themselves (keys, scopes, expiry, the token page) are in test_api_tokens.py."""

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from performance.api.serializers import MAX_EVENTS
from performance.models import DailyKpi, Kpi, KpiDirtyDay, KpiEvent
from performance.models.api_tokens import new_key
from tests.conftest import client_for
from tests.factories import PASSWORD, ApiTokenFactory, AssociateFactory, UserFactory

pytestmark = pytest.mark.django_db

EVENTS = reverse("performance:api-kpi-events")
ROLLUPS = reverse("performance:api-kpi-rollups")
DAY = dt.date(2026, 6, 15)  # Irish summer time: UTC+1
RANGE = {"from": "2026-06-01", "to": "2026-06-30"}


def api_for(user, **token) -> APIClient:
    """A client holding a new token of `user` (both scopes unless `token` says)."""
    client = APIClient()
    if user is not None:
        key = new_key()
        ApiTokenFactory(user=user, key=key, **token)
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def event(n, username="associate", kpi="tickets_solved", at="2026-06-15T10:00:00Z", **extra):
    return (
        {"external_id": f"t-{n}", "associate": username, "kpi": kpi, "occurred_at": at}
        | {"value": 1}
        | extra
    )


def post(client, body):
    return client.post(EVENTS, body, format="json")


@pytest.fixture
def solved():
    # Seeded by performance/migrations/0002_seed_usual_kpis.py.
    return Kpi.objects.get(key="tickets_solved")


# --- POST /api/v1/kpi-events/ ------------------------------------------------------


def test_lead_posts_events_which_are_stored_and_their_days_marked_dirty(
    lead, associate, teammate, team, solved
):
    body = {
        "source": "zendesk",
        "events": [
            event(1),
            event(2, "teammate"),
            # 23:30 UTC is 00:30 the next day in Dublin: the site-local day counts.
            event(3, at="2026-06-15T23:30:00Z"),
            event(4, kpi="csat", value=4.5),
        ],
    }
    response = post(api_for(lead), body)
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["created"] == 4
    assert data["duplicates"] == 0
    assert data["days"] == [
        {"kpi": "tickets_solved", "site": team.site_id, "day": "2026-06-15"},
        {"kpi": "tickets_solved", "site": team.site_id, "day": "2026-06-16"},
        {"kpi": "csat", "site": team.site_id, "day": "2026-06-15"},
    ]
    assert KpiEvent.objects.filter(source="zendesk").count() == 4
    assert KpiEvent.objects.get(external_id="t-3").local_date == dt.date(2026, 6, 16)
    dirty = set(KpiDirtyDay.objects.values_list("kpi__key", "site_id", "local_date"))
    assert dirty == {
        ("tickets_solved", team.site_id, DAY),
        ("tickets_solved", team.site_id, dt.date(2026, 6, 16)),
        ("csat", team.site_id, DAY),
    }


def test_posted_events_are_rolled_up_after_commit(
    lead, associate, team, solved, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(api_for(lead), {"source": "zendesk", "events": [event(1), event(2)]})
    assert response.status_code == 201
    assert not KpiDirtyDay.objects.exists()
    row = DailyKpi.objects.get(kpi=solved, day=DAY, scope="team", team=team)
    assert row.value == 2


def test_reposting_the_same_batch_changes_nothing(lead, associate, solved):
    body = {"source": "zendesk", "events": [event(1), event(2), event(3)]}
    assert post(api_for(lead), body).status_code == 201
    response = post(api_for(lead), body)
    assert response.status_code == 200
    assert response.json() == {"created": 0, "duplicates": 3, "days": []}
    assert KpiEvent.objects.count() == 3


def test_same_external_id_from_another_source_is_a_new_event(lead, associate, solved):
    assert post(api_for(lead), {"source": "zendesk", "events": [event(1)]}).status_code == 201
    response = post(api_for(lead), {"source": "freshdesk", "events": [event(1)]})
    assert response.status_code == 201
    assert KpiEvent.objects.count() == 2


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"associate": "nobody"}, "unknown associate 'nobody'."),
        ({"kpi": "speed"}, "unknown KPI 'speed'."),
        ({"value": "lots"}, "value 'lots' is not a number."),
        ({"value": None}, "value is missing."),
        ({"value": True}, "value must be a number, not true/false."),
        ({"denominator": "NaN"}, "denominator 'NaN' is not a finite number."),
        ({"occurred_at": "yesterday"}, "occurred_at 'yesterday' is not a date-time"),
        ({"occurred_at": "2026-06-15T10:00:00"}, "occurred_at needs a time zone"),
        ({"occurred_at": "2026-02-30T10:00:00Z"}, "occurred_at '2026-02-30T10:00:00Z' is not a"),
        ({"occurred_at": 1781517600}, "occurred_at 1781517600 is not a date-time"),
        ({"value": 10**400}, "value is too large."),
        ({"denominator": [1]}, "denominator [1] is not a number."),
        ({"external_id": ""}, "external_id is missing."),
        ({"external_id": "x" * 101}, "external_id is longer than 100 characters."),
        ({"external_id": ["t-2"]}, "external_id must be a string."),
        ({"colour": "red"}, "unknown fields: colour."),
        ({"kpi": "schedule_adherence", "value": 50}, "denominator is missing."),
    ],
)
def test_a_bad_row_is_reported_by_number_and_nothing_is_written(
    lead, associate, solved, bad, message
):
    body = {"source": "zendesk", "events": [event(1), event(2) | bad, event(3)]}
    response = post(api_for(lead), body)
    assert response.status_code == 400, response.json()
    data = response.json()
    assert data["detail"].startswith("Nothing was written")
    assert len(data["errors"]) == 1, data
    assert data["errors"][0]["row"] == 2
    assert message in data["errors"][0]["message"]
    assert not KpiEvent.objects.exists()
    assert not KpiDirtyDay.objects.exists()


def test_every_problem_in_a_batch_is_listed(lead, associate, solved):
    body = {
        "source": "zendesk",
        "events": [
            event(1),
            event(2, "nobody", occurred_at="2026-06-15T10:00:00"),
            "not an event",
            event(1),  # repeats row 1
            event(5, value=False),
        ],
    }
    response = post(api_for(lead), body)
    assert response.status_code == 400
    errors = [(e["row"], e["message"]) for e in response.json()["errors"]]
    assert errors == [
        (2, "unknown associate 'nobody'."),
        (2, "occurred_at needs a time zone (e.g. Z or +01:00)."),
        (3, "an event must be a JSON object."),
        (4, "external_id 't-1' repeats row 1."),
        (5, "value must be a number, not true/false."),
    ]
    assert not KpiEvent.objects.exists()


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (["not", "an", "object"], "body", "Send a JSON object"),
        ({"events": [{}]}, "source", "source is required"),
        ({"source": "  ", "events": [{}]}, "source", "source is required"),
        ({"source": "s" * 51, "events": [{}]}, "source", "longer than 50"),
        ({"source": "zendesk"}, "events", "events is required"),
        ({"source": "zendesk", "events": "t-1"}, "events", "events is required"),
        ({"source": "zendesk", "events": {"0": {}}}, "events", "events is required"),
        ({"source": "zendesk", "events": []}, "events", "events is empty"),
        ({"source": "zendesk", "events": [{}], "dry_run": True}, "dry_run", "Unknown field"),
    ],
)
def test_a_body_of_the_wrong_shape_is_a_400_with_the_reason(lead, team, body, field, message):
    response = post(api_for(lead), body)
    assert response.status_code == 400
    data = response.json()
    assert data["detail"] == "The request body has the wrong shape."
    assert [e["field"] for e in data["errors"]] == [field]
    assert message in data["errors"][0]["message"]


def test_more_than_the_batch_limit_is_refused_whole(lead, associate, solved):
    body = {"source": "zendesk", "events": [event(n) for n in range(MAX_EVENTS + 1)]}
    response = post(api_for(lead), body)
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "field": "events",
            "message": "10,001 events in one batch; the most is 10,000. "
            "Split it into several requests.",
        }
    ]
    assert not KpiEvent.objects.exists()


def test_the_batch_limit_itself_is_accepted(lead, associate, solved):
    body = {"source": "zendesk", "events": [event(n) for n in range(MAX_EVENTS)]}
    response = post(api_for(lead), body)
    assert response.status_code == 201
    assert response.json()["created"] == MAX_EVENTS


def test_malformed_json_is_a_400_not_a_500(lead, team):
    response = api_for(lead).post(
        EVENTS, data='{"source": "zendesk", "events": [', content_type="application/json"
    )
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


def test_json_nested_too_deeply_is_a_400_not_a_500(lead, team):
    deep = '{"source": "zendesk", "events": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = api_for(lead).post(EVENTS, data=deep, content_type="application/json")
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]


def test_a_body_over_the_size_limit_is_a_413_and_nothing_is_read(
    lead, team, associate, solved, monkeypatch
):
    monkeypatch.setattr("performance.api.views.MAX_BODY_BYTES", 100)
    response = post(api_for(lead), {"source": "zendesk", "events": [event(1), event(2)]})
    assert response.status_code == 413
    assert "send fewer events" in response.json()["detail"]
    assert not KpiEvent.objects.exists()


def test_a_body_that_is_not_json_is_a_415(lead, team):
    response = api_for(lead).post(EVENTS, data="source=zendesk", content_type="text/plain")
    assert response.status_code == 415
    assert "Unsupported media type" in response.json()["detail"]


def test_lead_posting_for_another_teams_associate_gets_400_and_nothing_is_written(
    lead, associate, other_associate, solved
):
    """400, not 403: a batch is checked row by row, and a lead's rows may only name
    associates of their own teams. Anyone else is reported exactly like a username
    that does not exist, so the API does not tell a lead who works on other teams."""
    body = {"source": "zendesk", "events": [event(1), event(2, "other_associate")]}
    response = post(api_for(lead), body)
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"row": 2, "message": "unknown associate 'other_associate'."}
    ]
    assert not KpiEvent.objects.exists()


def test_admin_posts_for_associates_of_any_team(admin, associate, other_associate, solved):
    body = {"source": "zendesk", "events": [event(1), event(2, "other_associate")]}
    response = post(api_for(admin), body)
    assert response.status_code == 201
    assert KpiEvent.objects.count() == 2


@pytest.mark.parametrize("persona", ["manager", "other_manager", "associate", "teammate"])
def test_managers_and_associates_may_not_post(persona, cast, solved):
    body = {"source": "zendesk", "events": [event(1)]}
    response = post(api_for(cast[persona]), body)
    assert response.status_code == 403
    assert "Only leads" in response.json()["detail"]
    assert not KpiEvent.objects.exists()


def test_no_token_is_a_401_with_the_scheme_to_use(associate, solved):
    response = post(APIClient(), {"source": "zendesk", "events": [event(1)]})
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["detail"] == "Authentication credentials were not provided."
    assert APIClient().get(ROLLUPS, RANGE).status_code == 401
    assert not KpiEvent.objects.exists()


@pytest.mark.parametrize(
    "header", ["Token not-a-real-key", "Token", "Bearer abc", "Token a b", "Basic dTpw"]
)
def test_a_wrong_token_is_a_401(header, lead, associate, solved):
    ApiTokenFactory(user=lead)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = post(client, {"source": "zendesk", "events": [event(1)]})
    assert response.status_code == 401, response.content
    assert not KpiEvent.objects.exists()


def test_a_deactivated_users_token_stops_working(lead, associate):
    client = api_for(associate.user)
    assert client.get(ROLLUPS, RANGE).status_code == 200
    associate.user.is_active = False
    associate.user.save()
    response = client.get(ROLLUPS, RANGE)
    assert response.status_code == 401
    assert response.json()["detail"] == "User inactive or deleted."


def test_get_is_not_allowed_on_events_nor_post_on_rollups(lead):
    assert api_for(lead).get(EVENTS).status_code == 405
    assert api_for(lead).post(ROLLUPS, {}, format="json").status_code == 405


# --- GET /api/v1/kpi-rollups/ ------------------------------------------------------


def roll(kpi, day, *, team=None, associate=None, site=None, value=1.0):
    """One rollup row as the rollup job would write it."""
    if associate is not None:
        team, scope = associate.team, "associate"
    else:
        scope = "team" if team is not None else "site"
    return DailyKpi.objects.create(
        kpi=kpi,
        day=day,
        scope=scope,
        site=site or team.site,
        team=team,
        associate=associate,
        value=value,
        numerator=value,
        denominator=None,
        event_count=1,
    )


@pytest.fixture
def figures(solved, site, team, other_team, associate, teammate, other_associate):
    """A day of figures for both teams and the site."""
    return {
        "associate": roll(solved, DAY, associate=associate, value=3),
        "teammate": roll(solved, DAY, associate=teammate, value=5),
        "other_associate": roll(solved, DAY, associate=other_associate, value=7),
        "team": roll(solved, DAY, team=team, value=8),
        "other_team": roll(solved, DAY, team=other_team, value=7),
        "site": roll(solved, DAY, site=site, value=15),
    }


def rows(response):
    assert response.status_code == 200, response.content
    return {(r["scope"], r["team"], r["associate"], r["value"]) for r in response.json()["results"]}


def test_rollup_rows_carry_every_field(admin, figures, team):
    response = api_for(admin).get(ROLLUPS, RANGE | {"scope": "associate", "team": team.pk})
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 2
    assert data["results"][0] == {
        "kpi": "tickets_solved",
        "day": "2026-06-15",
        "scope": "associate",
        "site": team.site_id,
        "team": team.pk,
        "associate": "associate",
        "value": 3.0,
        "numerator": 3.0,
        "denominator": None,
        "event_count": 1,
    }


def test_admin_reads_every_row(admin, figures):
    assert len(rows(api_for(admin).get(ROLLUPS, RANGE))) == 6


def test_admin_reads_site_rows(admin, figures, site):
    assert rows(api_for(admin).get(ROLLUPS, RANGE | {"scope": "site"})) == {
        ("site", None, None, 15.0)
    }


@pytest.mark.parametrize("persona", ["lead", "manager"])
def test_lead_and_manager_read_their_own_teams_only(persona, cast, figures, team):
    assert rows(api_for(cast[persona]).get(ROLLUPS, RANGE)) == {
        ("associate", team.pk, "associate", 3.0),
        ("associate", team.pk, "teammate", 5.0),
        ("team", team.pk, None, 8.0),
    }


def test_lead_filters_by_team_scope_associate_and_kpi(lead, figures, team, associate):
    client = api_for(lead)
    assert rows(client.get(ROLLUPS, RANGE | {"scope": "team"})) == {("team", team.pk, None, 8.0)}
    assert rows(client.get(ROLLUPS, RANGE | {"associate": associate.pk})) == {
        ("associate", team.pk, "associate", 3.0)
    }
    assert len(rows(client.get(ROLLUPS, RANGE | {"team": team.pk, "kpi": "tickets_solved"}))) == 3
    assert rows(client.get(ROLLUPS, RANGE | {"kpi": "csat"})) == set()
    assert rows(client.get(ROLLUPS, {"from": "2026-06-16", "to": "2026-06-30"})) == set()


@pytest.mark.parametrize("persona", ["lead", "manager"])
def test_another_team_or_its_associate_is_a_404(
    persona, cast, figures, other_team, other_associate
):
    client = api_for(cast[persona])
    assert client.get(ROLLUPS, RANGE | {"team": other_team.pk}).status_code == 404
    assert client.get(ROLLUPS, RANGE | {"associate": other_associate.pk}).status_code == 404
    assert client.get(ROLLUPS, RANGE | {"team": 999_999}).status_code == 404


@pytest.mark.parametrize("persona", ["lead", "manager", "associate"])
def test_site_rows_are_for_ops_admins_only(persona, cast, figures):
    response = api_for(cast[persona]).get(ROLLUPS, RANGE | {"scope": "site"})
    assert response.status_code == 403
    assert response.json()["detail"] == "Site-wide figures are for ops admins only."


def test_associate_reads_only_their_own_figures(associate, figures):
    client = api_for(associate.user)
    expected = {("associate", associate.team_id, "associate", 3.0)}
    assert rows(client.get(ROLLUPS, RANGE)) == expected
    assert rows(client.get(ROLLUPS, RANGE | {"scope": "associate"})) == expected
    assert rows(client.get(ROLLUPS, RANGE | {"associate": associate.pk})) == expected


def test_associate_gets_nothing_of_a_teammate_or_the_team(
    associate, teammate, other_associate, team, figures
):
    client = api_for(associate.user)
    assert client.get(ROLLUPS, RANGE | {"associate": teammate.pk}).status_code == 404
    assert client.get(ROLLUPS, RANGE | {"associate": other_associate.pk}).status_code == 404
    assert client.get(ROLLUPS, RANGE | {"team": team.pk}).status_code == 404
    response = client.get(ROLLUPS, RANGE | {"scope": "team"})
    assert response.status_code == 403
    assert "own figures only" in response.json()["detail"]


def test_player_coach_reads_their_team_and_their_own_row(lead, figures, team, other_team):
    """A lead who is also an associate on another team reads everything of the team
    they lead and, of the other team, their own associate row only."""
    me = AssociateFactory(user=lead, team=other_team)
    roll(Kpi.objects.get(key="tickets_solved"), DAY, associate=me, value=2)
    got = rows(api_for(lead).get(ROLLUPS, RANGE))
    assert ("associate", other_team.pk, "lead", 2.0) in got
    assert ("associate", other_team.pk, "other_associate", 7.0) not in got
    assert ("team", other_team.pk, None, 7.0) not in got
    assert ("team", team.pk, None, 8.0) in got


def test_a_user_with_no_role_gets_403(figures):
    nobody = UserFactory(username="nobody")
    response = api_for(nobody).get(ROLLUPS, RANGE)
    assert response.status_code == 403
    assert post(api_for(nobody), {"source": "x", "events": [event(1)]}).status_code == 403


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({}, "from", "required"),
        ({"from": "2026-06-01"}, "to", "required"),
        ({"from": "2026-02-30", "to": "2026-03-01"}, "from", "wrong format"),
        ({"from": "01/06/2026", "to": "2026-06-30"}, "from", "wrong format"),
        ({"from": "2026-06-30", "to": "2026-06-01"}, "to", "before"),
        ({"from": "2026-01-01", "to": "2027-01-02"}, "to", "longer than 366 days"),
        (RANGE | {"scope": "galaxy"}, "scope", "not a valid choice"),
        (RANGE | {"team": "payments"}, "team", "valid integer"),
        (RANGE | {"associate": "0"}, "associate", "greater than or equal to 1"),
        (RANGE | {"kpi": "speed"}, "kpi", "No KPI has this key."),
    ],
)
def test_bad_query_parameters_are_a_400_with_the_reason(lead, team, params, field, message):
    response = api_for(lead).get(ROLLUPS, params)
    assert response.status_code == 400
    data = response.json()
    assert data["detail"] == "Bad query parameters."
    assert any(e["field"] == field and message in e["message"] for e in data["errors"]), data


def test_a_range_of_366_days_is_accepted(lead, team):
    response = api_for(lead).get(ROLLUPS, {"from": "2028-01-01", "to": "2028-12-31"})
    assert response.status_code == 200


def test_rollups_are_paginated_in_a_stable_order(admin, solved, team, associate, teammate):
    for offset in range(5):
        day = DAY + dt.timedelta(days=offset)
        roll(solved, day, associate=teammate)
        roll(solved, day, associate=associate)
        roll(solved, day, team=team)
    client = api_for(admin)
    seen = []
    url: str | None = ROLLUPS
    params: dict[str, object] | None = RANGE | {"page_size": 4}
    while url:
        response = client.get(url, params)
        assert response.status_code == 200
        data = response.json()
        assert data["count"] == 15
        seen += [(r["day"], r["scope"], r["associate"]) for r in data["results"]]
        url, params = data["next"], None
    assert len(seen) == 15
    assert len(set(seen)) == 15
    assert seen == sorted(seen, key=lambda r: (r[0], r[1], r[2] or ""))
    assert client.get(ROLLUPS, RANGE | {"page": 99}).status_code == 404


def _queries(client, params):
    with CaptureQueriesContext(connection) as context:
        response = client.get(ROLLUPS, params)
    assert response.status_code == 200
    return len(context.captured_queries), response.json()["count"]


def test_reading_rollups_takes_the_same_few_queries_for_any_amount_of_data(
    lead, solved, team, associate, django_assert_max_num_queries
):
    client = api_for(lead)
    params = RANGE | {"team": team.pk, "kpi": "tickets_solved", "page_size": 1000}
    roll(solved, DAY, associate=associate)
    client.get(ROLLUPS, params)  # the token's first use is written down (last_used_at)
    few, count = _queries(client, params)
    assert count == 1
    people = AssociateFactory.create_batch(30, team=team)
    for offset in range(10):
        day = DAY + dt.timedelta(days=offset)
        DailyKpi.objects.bulk_create(
            DailyKpi(
                kpi=solved,
                day=day,
                scope="associate",
                site_id=team.site_id,
                team=team,
                associate=person,
                value=1,
                numerator=1,
                event_count=1,
            )
            for person in people
        )
    many, count = _queries(client, params)
    assert count == 301
    assert many == few
    # token, roles (2), team, KPI, count, page
    with django_assert_max_num_queries(7):
        client.get(ROLLUPS, params)


# --- session use, the schema -------------------------------------------------------


def test_a_logged_in_browser_session_also_reads_rollups(lead, figures):
    response = client_for(lead).get(ROLLUPS, RANGE)
    assert response.status_code == 200
    assert response.json()["count"] == 3


def test_a_browser_session_post_needs_the_csrf_token(lead, team, associate, solved):
    browser = Client(enforce_csrf_checks=True)
    assert browser.login(username=lead.username, password=PASSWORD)
    body = json.dumps({"source": "zendesk", "events": [event(1)]})
    response = browser.post(EVENTS, body, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not KpiEvent.objects.exists()
    # A token request carries no cookie, so CSRF does not apply to it.
    assert post(api_for(lead), json.loads(body)).status_code == 201


def test_the_schema_is_valid_openapi_with_every_endpoint(db):
    response = APIClient().get(reverse("api-schema"), {"format": "json"})
    assert response.status_code == 200
    schema = json.loads(response.content)
    validate_schema(schema)
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == {
        "/api/v1/kpi-events/",
        "/api/v1/kpi-rollups/",
        "/api/v1/queue-volumes/",
    }
    post_op = schema["paths"]["/api/v1/kpi-events/"]["post"]
    assert {"200", "201", "400", "401", "403"} <= set(post_op["responses"])
    get_op = schema["paths"]["/api/v1/kpi-rollups/"]["get"]
    names = {p["name"] for p in get_op["parameters"]}
    assert {"from", "to", "scope", "team", "associate", "kpi", "page"} <= names
    assert "tokenAuth" in schema["components"]["securitySchemes"]


def test_the_schema_generates_without_warnings(tmp_path):
    # --fail-on-warn: an undocumented parameter or response would fail here.
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml")
    )
    assert "/api/v1/kpi-rollups/" in (tmp_path / "schema.yml").read_text()


def test_the_docs_page_serves_swagger_ui_from_local_static_files(db):
    response = APIClient().get(reverse("api-docs"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn." not in html
    assert "https://" not in html
    # Its start-up script comes from a URL (the Content Security Policy allows no
    # inline script), and points at the local schema.
    script = APIClient().get(reverse("api-docs"), {"script": ""})
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert reverse("api-schema") in script.content.decode()
    assert f'src="{reverse("api-docs")}?script="' in html


def test_a_former_lead_reads_the_teams_rows_but_not_someone_who_moved_away(
    lead, manager, other_lead, figures, team, other_team, associate
):
    associate.team = other_team
    associate.save()
    kept = {("associate", team.pk, "teammate", 5.0), ("team", team.pk, None, 8.0)}
    for user in (lead, manager):
        client = api_for(user)
        assert rows(client.get(ROLLUPS, RANGE)) == kept
        assert rows(client.get(ROLLUPS, RANGE | {"scope": "associate"})) == {
            ("associate", team.pk, "teammate", 5.0)
        }
        assert rows(client.get(ROLLUPS, RANGE | {"scope": "associate", "team": team.pk})) == {
            ("associate", team.pk, "teammate", 5.0)
        }
        assert client.get(ROLLUPS, RANGE | {"associate": associate.pk}).status_code == 404
    # The person's own rows went with them to their new lead, days on the old team too.
    assert ("associate", team.pk, "associate", 3.0) in rows(api_for(other_lead).get(ROLLUPS, RANGE))
    assert rows(api_for(other_lead).get(ROLLUPS, RANGE | {"associate": associate.pk})) == {
        ("associate", team.pk, "associate", 3.0)
    }


# --- Text PostgreSQL cannot store (found by tests/performance/test_api_fuzz.py) ---------


@pytest.mark.parametrize(
    ("field", "raw", "message"),
    [
        ("associate", "associate\x00", "associate contains a NUL byte."),
        ("associate", "associate\ud800", "associate contains a lone surrogate"),
        ("external_id", "t-\udfff", "external_id contains a lone surrogate"),
        ("kpi", "csat\ud83d", "kpi contains a lone surrogate"),
    ],
)
def test_a_nul_byte_or_lone_surrogate_in_an_event_is_a_400_not_a_500(
    lead, associate, field, raw, message
):
    # Sent as JSON text: "\ud800" is valid JSON that decodes to a lone surrogate.
    body = json.dumps({"source": "zendesk", "events": [event(1) | {field: raw}]})
    response = api_for(lead).post(EVENTS, body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["message"].startswith(message)
    assert not KpiEvent.objects.exists()


def test_a_lone_surrogate_in_the_source_is_a_400_not_a_500(lead, associate):
    body = json.dumps({"source": "zen\udc00desk", "events": [event(1)]})
    response = api_for(lead).post(EVENTS, body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert not KpiEvent.objects.exists()


@pytest.mark.parametrize("name", ["scope", "team", "associate", "kpi"])
def test_an_empty_optional_query_parameter_is_a_400_not_ignored(lead, associate, name):
    # The schema says kpi has a key's pattern, team an integer...: "" is neither, and
    # reading it as "every KPI" hid a client's bug (found by the fuzz test).
    response = api_for(lead).get(ROLLUPS, RANGE | {name: ""})
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": name, "message": f"`{name}` is empty; leave it out to read every {name}."}
    ]


@pytest.mark.parametrize(
    ("name", "raw"), [("page", ""), ("page", "0"), ("page_size", "abc"), ("page_size", "0")]
)
def test_a_page_or_page_size_that_is_not_a_whole_number_from_1_is_a_400(lead, associate, name, raw):
    response = api_for(lead).get(ROLLUPS, RANGE | {name: raw})
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": name, "message": f"{name} must be a whole number from 1."}
    ]
