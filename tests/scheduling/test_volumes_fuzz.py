"""Fuzzing the volume history API from its own OpenAPI schema (schemathesis, in-process
WSGI), as tests/performance/test_api_fuzz.py does for the KPI API: schema-valid and
schema-violating bodies, steered towards the lead's team and queues and past interval
starts so that many get past validation. Never a 5xx, every response as documented,
every schema-violating body refused. Bounded and derandomized."""

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

from performance.models import ApiToken
from performance.services.api_tokens import create_api_token
from tests.factories import QueueFactory

pytestmark = pytest.mark.django_db

PATH = "/api/v1/queue-volumes/"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
]
# Text PostgreSQL cannot take: a 400, never a 500.
UNSTORABLE = ("Payments chat\x00", "chat\ud800", "\udfff")


@pytest.fixture
def schema(db):
    # As in the KPI fuzz: a raw WSGI call would close the test's connection.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def roster(cast, team, other_team):
    queues = [QueueFactory(team=team, name="Payments chat"), QueueFactory(team=other_team)]
    token = create_api_token(
        actor=cast["lead"],
        name="fuzz",
        scopes=[ApiToken.Scope.WRITE_VOLUMES],
        lifetime=dt.timedelta(days=90),
    )
    return {
        "teams": [team.pk, other_team.pk],
        "queues": ["Payments chat", "payments CHAT", queues[0].pk, queues[1].pk, *UNSTORABLE],
        "token": f"Token {token.key}",
    }


def real(data, generated, values):
    return data.draw(st.sampled_from([generated, *values, *values]))


def steer(data, case, roster):
    """Point a schema-valid body at the roster, field by field (a schema-violating one
    is left as generated: steering could repair what makes it invalid)."""
    body = case.body
    if not isinstance(body, dict):
        return
    now = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
    if data.draw(st.integers(0, 3)) > 0:
        # Most bodies are one clean interval of the lead's queue, so that the accepting
        # path (201, replaced, unchanged) is fuzzed too, not only refusals.
        start = now - dt.timedelta(minutes=30 * data.draw(st.integers(1, 24 * 60)))
        offered = data.draw(st.integers(0, 50))
        body.clear()
        body["team"] = roster["teams"][0]
        body["volumes"] = [
            {
                "queue": data.draw(st.sampled_from(roster["queues"][:3])),
                "starts_at": start.isoformat(),
                "offered": offered,
                "handled": data.draw(st.integers(0, offered)),
            }
        ]
        return
    body["team"] = real(data, body.get("team"), roster["teams"])
    volumes = body.get("volumes")
    if not isinstance(volumes, list):
        return
    del volumes[2:]
    for item in volumes:
        if not isinstance(item, dict):
            continue
        item["queue"] = real(data, item.get("queue"), roster["queues"])
        start = now - dt.timedelta(minutes=30 * data.draw(st.integers(1, 24 * 60)))
        if data.draw(st.booleans()):
            item["starts_at"] = real(data, item.get("starts_at"), [start.isoformat()])
            item.pop("date", None)
            item.pop("time", None)
        offered = data.draw(st.integers(0, 50))
        item["offered"] = real(data, item.get("offered"), [offered])
        item["handled"] = real(data, item.get("handled"), [offered // 2])


@pytest.fixture(autouse=True)
def _quiet():
    logging.disable(logging.WARNING)  # refusals are logged by the hundred
    yield
    logging.disable(logging.NOTSET)


FUZZ_SETTINGS = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_response_is_documented_and_never_a_server_error(mode, schema, roster):
    statuses: collections.Counter[int] = collections.Counter()

    @FUZZ_SETTINGS
    @given(data=st.data())
    def fuzz(data):
        case = data.draw(schema[PATH]["POST"].as_strategy(generation_mode=mode))
        if mode == GenerationMode.POSITIVE:
            steer(data, case, roster)
        if case.headers:
            case.headers.pop("Authorization", None)
        headers = {"Authorization": roster["token"]}
        response = case.call(headers=headers)
        statuses[response.status_code] += 1
        case.validate_response(response, checks=CHECKS, headers=headers)

    fuzz()
    print(f"POST {PATH} {mode.value}: {dict(sorted(statuses.items()))}")
    assert not any(code >= 500 for code in statuses)
    if mode == GenerationMode.POSITIVE:
        # The steering works: a good share gets past every check.
        assert statuses[201] + statuses[200] >= sum(statuses.values()) // 8
