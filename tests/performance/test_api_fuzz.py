"""Fuzzing the KPI JSON API from its own OpenAPI schema (schemathesis, in-process WSGI).

Requests are generated from /api/schema/ in both modes (schema-valid and
schema-violating), then steered towards a real roster: usernames, KPI keys, team and
associate ids and a date range that exist, plus text PostgreSQL cannot store (NUL
bytes, lone surrogates), so that many requests get past validation. Each runs as a
lead, an associate and with no token. Every response must be no 5xx, a documented
status code and content type, match the response schema, and a schema-violating
request must be refused. Examples are bounded
and derandomized, so CI makes the same requests every run.
"""

import collections
import datetime as dt
import logging

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from performance.models import ApiToken, Kpi
from performance.services.api_tokens import create_api_token
from tests.factories import DailyKpiFactory

pytestmark = pytest.mark.django_db

EVENTS, ROLLUPS = "/api/v1/kpi-events/", "/api/v1/kpi-rollups/"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
]
DAYS = (dt.date(2026, 6, 1), dt.date(2026, 6, 2))
# Text PostgreSQL cannot take: it must come back as a 400, never a 500.
UNSTORABLE = ("associate\x00", "associate\ud800", "\udfff")


@pytest.fixture
def schema(db):
    # A raw WSGI call ends with request_finished, whose close_old_connections would
    # close the test's connection mid-transaction; Django's test client unhooks it too.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def roster(cast, team, other_team, associate, teammate, other_associate):
    kpis = list(Kpi.objects.order_by("key"))
    for day in DAYS:
        for kpi in kpis[:3]:
            for person in (associate, teammate, other_associate):
                DailyKpiFactory(kpi=kpi, day=day, associate=person)
    return {
        "usernames": ["associate", "teammate", "other_associate", "lead", *UNSTORABLE],
        "kpis": [k.key for k in kpis],
        "teams": [team.pk, other_team.pk],
        "associates": [associate.pk, teammate.pk, other_associate.pk],
        "tokens": {
            name: "Token "
            + create_api_token(
                actor=cast[name],
                name="fuzz",
                scopes=list(ApiToken.Scope),
                lifetime=dt.timedelta(days=90),
            ).key
            for name in ("lead", "associate")
        },
    }


def real(data, generated, values):
    """The generated value, or (more often) one the roster has."""
    return data.draw(st.sampled_from([generated, *values, *values]))


def steer(data, case, roster, *, positive):
    """Point a generated case at the roster, field by field. A negative case is left
    as generated: steering could repair the very field that makes it invalid."""
    if not positive:
        return
    if isinstance(case.body, dict) and isinstance(case.body.get("events"), list):
        now = dt.datetime.now(dt.UTC)
        if data.draw(st.integers(0, 3)) > 0:  # one bad event fails a batch: often send one
            del case.body["events"][1:]
        if data.draw(st.integers(0, 3)) > 0:
            # Most batches are one clean event of a real person and KPI, so the
            # accepting path (201, dirty day, duplicates) is fuzzed too, not only refusals.
            at = now - dt.timedelta(hours=data.draw(st.integers(1, 24 * 60)))
            case.body.clear()
            case.body["events"] = [
                {
                    "external_id": f"fuzz-{data.draw(st.integers(1, 10**6))}",
                    "associate": data.draw(st.sampled_from(["associate", "teammate"])),
                    "kpi": data.draw(st.sampled_from(["tickets_solved", "csat", "qa_score"])),
                    "occurred_at": at.isoformat(),
                    "value": data.draw(st.sampled_from([1, 4])),
                }
            ]
            case.body["source"] = "fuzz"
            return
        for item in case.body["events"]:
            if not isinstance(item, dict):
                continue
            item["associate"] = real(data, item.get("associate"), roster["usernames"])
            item["kpi"] = real(data, item.get("kpi"), roster["kpis"])
            at = now - dt.timedelta(hours=data.draw(st.integers(1, 24 * 60)))
            item["occurred_at"] = real(data, item.get("occurred_at"), [at.isoformat()])
            item["value"] = real(data, item.get("value"), [1, 4])
            serial = data.draw(st.integers(1, 10**6))
            item["external_id"] = real(data, item.get("external_id"), [f"fuzz-{serial}"])
            item["denominator"] = real(data, item.get("denominator"), [None])
    if isinstance(case.query, dict):
        first = DAYS[0].isoformat()
        case.query["from"] = real(data, case.query.get("from"), [first])
        case.query["to"] = real(data, case.query.get("to"), [first, DAYS[1].isoformat()])
        for name in ("team", "associate", "kpi"):
            if name in case.query:
                case.query[name] = real(data, case.query[name], roster[f"{name}s"])


@pytest.fixture(autouse=True)
def _quiet():
    # Thousands of refusals are logged (teams.access.deny, django.request 4xx).
    logging.disable(logging.WARNING)
    yield
    logging.disable(logging.NOTSET)


FUZZ_SETTINGS = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    # One roster per test, reused by its examples; generated bodies can be large.
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize(("path", "method"), [(EVENTS, "POST"), (ROLLUPS, "GET")])
@pytest.mark.parametrize("persona", ["lead", "associate", "anonymous"])
def test_every_response_is_documented_and_never_a_server_error(
    persona, path, method, mode, schema, roster
):
    statuses: collections.Counter[int] = collections.Counter()

    @FUZZ_SETTINGS
    @given(data=st.data())
    def fuzz(data):
        case = data.draw(schema[path][method].as_strategy(generation_mode=mode))
        steer(data, case, roster, positive=mode == GenerationMode.POSITIVE)
        if case.headers:  # the token is ours to set (or leave out)
            case.headers.pop("Authorization", None)
        token = roster["tokens"].get(persona)
        headers = {"Authorization": token} if token else {}
        response = case.call(headers=headers)
        statuses[response.status_code // 100] += 1
        case.validate_response(response, checks=CHECKS, headers=headers)

    fuzz()
    print(f"{persona} {method} {mode.value}: {dict(sorted(statuses.items()))}")
    assert not statuses[5]
    if persona == "anonymous":
        assert not statuses[2]  # nothing without a token
    elif persona == "lead" and mode == GenerationMode.POSITIVE:
        # The roster steering works: a good share gets past validation.
        assert statuses[2] >= sum(statuses.values()) // 8
