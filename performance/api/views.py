"""The KPI JSON API for machines (people get their token at /account/api-token/,
views.api_tokens).

- `POST /api/v1/kpi-events/`: raw events in, through the checks of the CSV upload
  (`services.ingest_events`) plus the JSON shape; all rows or none are written.
- `GET /api/v1/kpi-rollups/`: daily rollups out (`DailyKpi` only), limited to what the
  caller may see under `teams.access`.

Authentication is `Authorization: Token <key>` (api/authentication.py): a person
makes keys at /account/api-token/, several if they like, each with an expiry and
scopes. Posting events needs `write_events`, reading rollups `read_rollups` (403
naming the missing one); an expired, revoked or unknown key is a 401 saying which.
A browser session also works, with CSRF, and no scope applies to it. Each event
records who posted it and with which token.

Who may do what:
- post events: ops admins for anyone; leads for associates of the teams they lead
  (anyone else in a batch is reported like an unknown username, so the API does not
  reveal who exists outside your teams); managers and associates get 403;
- read rollups: ops admins everything; leads and managers the team rows of their
  teams and the associate rows of the people on them now, whichever team a row was
  for (someone who moved away is the new lead's; another team is a 404); an
  associate only their own
  associate rows (`scope=team` or `scope=site` is a 403, a teammate or a team a 404);
  site-wide rows (`scope=site`) are for ops admins only (403 for everyone else).
"""

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException, NotAuthenticated
from rest_framework.generics import ListAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from teams.access import get_associate_for_user, get_team_for_user
from teams.api import BodyTooLarge, StrictJSONParser
from teams.models import User

from .. import access
from ..models import ApiToken, DailyKpi, Kpi, KpiEvent
from ..services import kpis as services
from .serializers import (
    MAX_EVENTS,
    DailyKpiSerializer,
    DetailSerializer,
    IngestResultSerializer,
    KpiEventBatchSerializer,
    ProblemsSerializer,
    RollupQuerySerializer,
)

Problem = dict[str, object]

EVENT_FIELDS = frozenset(services.CSV_COLUMNS)
SOURCE_MAX = KpiEvent._meta.get_field("source").max_length or 50
# 10,000 events of the longest allowed fields fit in about 5 MB; DRF reads a JSON body
# whole and Django's DATA_UPLOAD_MAX_MEMORY_SIZE does not apply to it.
MAX_BODY_BYTES = 8 * 1024 * 1024


class BadRequest(APIException):
    """A 400 whose body lists every problem: `{"detail": ..., "errors": [...]}`."""

    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(self, detail: str, errors: list[Problem]) -> None:
        super().__init__(detail)
        # Set after __init__ so DRF keeps row numbers as numbers.
        body: Any = {"detail": detail, "errors": errors}
        self.detail = body


TOO_LARGE = f"The body is larger than {MAX_BODY_BYTES // (1024 * 1024)} MB; send fewer events."


def _api_user(request: Request) -> User:
    if not isinstance(request.user, User):
        raise NotAuthenticated
    return request.user


# --- Events in ---------------------------------------------------------------------


def read_batch(data: object) -> tuple[str, list[object], list[Problem]]:
    """The source and events of a posted body, or why its shape is wrong."""
    if not isinstance(data, dict):
        return "", [], [{"field": "body", "message": "Send a JSON object with source and events."}]
    problems: list[Problem] = [
        {
            "field": services.quoted(name)[1:-1],
            "message": "Unknown field; only source and events are read.",
        }
        for name in sorted(map(str, data))[:20]
        if name not in ("source", "events")
    ]
    raw_source = data.get("source")
    source = raw_source.strip() if isinstance(raw_source, str) else ""
    if not source:
        problems.append(
            {"field": "source", "message": 'source is required: a name such as "zendesk".'}
        )
    elif len(source) > SOURCE_MAX:
        problems.append(
            {"field": "source", "message": f"source is longer than {SOURCE_MAX} characters."}
        )
    events = data.get("events")
    if not isinstance(events, list):
        problems.append({"field": "events", "message": "events is required: a list of events."})
        events = []
    elif not events:
        problems.append({"field": "events", "message": "events is empty; send at least one."})
    elif len(events) > MAX_EVENTS:
        problems.append(
            {
                "field": "events",
                "message": f"{len(events):,} events in one batch; the most is {MAX_EVENTS:,}. "
                "Split it into several requests.",
            }
        )
    return source, events, problems


def check_rows(
    events: list[object],
) -> tuple[list[Mapping[str, object]], list[services.RowError], set[int]]:
    """What JSON adds to the CSV rules (`ingest_events` checks the rest): each event
    is an object with known fields, and its external id a string (or an integer).
    Returns the rows for `ingest_events`, the problems, and the rows that were not
    objects at all (the service's complaints about those are noise)."""
    rows: list[Mapping[str, object]] = []
    errors: list[services.RowError] = []
    not_objects: set[int] = set()
    for index, item in enumerate(events, start=1):
        if not isinstance(item, dict):
            errors.append(services.RowError(index, "an event must be a JSON object."))
            not_objects.add(index)
            rows.append({})
            continue
        unknown = sorted(str(name) for name in item if name not in EVENT_FIELDS)
        if unknown:
            names = ", ".join(services.quoted(n)[1:-1] for n in unknown[:5])
            more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
            errors.append(services.RowError(index, f"unknown fields: {names}{more}."))
        external_id = item.get("external_id")
        if isinstance(external_id, bool) or not isinstance(external_id, str | int | None):
            errors.append(services.RowError(index, "external_id must be a string."))
            item = item | {"external_id": f"(row {index})"}  # reported once, here
        rows.append(item)
    return rows, errors, not_objects


def post_events(
    *,
    data: object,
    team_ids: frozenset[int] | None,
    submitted_by: User,
    api_token: ApiToken | None,
) -> tuple[int, dict[str, object]]:
    """Check and write one posted batch (for associates of `team_ids`; None: anyone)
    as `submitted_by`, with `api_token` (None: a browser session): (HTTP status, body)."""
    source, events, problems = read_batch(data)
    if problems:
        return 400, {"detail": "The request body has the wrong shape.", "errors": problems}
    rows, row_errors, not_objects = check_rows(events)
    with transaction.atomic():
        result = services.ingest_events(
            rows,
            source=source,
            team_ids=team_ids,
            submitted_by=submitted_by,
            api_token=api_token,
        )
        row_errors += [e for e in result.errors if e.row not in not_objects]
        if row_errors:
            # The service wrote the rows it found valid; the JSON checks say no.
            transaction.set_rollback(True)
    if row_errors:
        unique = sorted(dict.fromkeys(row_errors), key=lambda e: e.row)
        return 400, {
            "detail": f"Nothing was written: {len(unique)} problem"
            f"{'' if len(unique) == 1 else 's'} in the batch.",
            "errors": [{"row": e.row, "message": e.message} for e in unique],
        }
    keys = dict(
        Kpi.objects.filter(pk__in={k for k, _s, _d in result.days}).values_list("pk", "key")
    )
    body: dict[str, object] = {
        "created": result.created,
        "duplicates": result.duplicates,
        "days": [
            {"kpi": keys[kpi_id], "site": site_id, "day": day.isoformat()}
            for kpi_id, site_id, day in result.days
        ],
    }
    return (201 if result.created else 200), body


_EVENT_EXAMPLE = {
    "source": "zendesk",
    "events": [
        {
            "external_id": "ticket-81723-solved",
            "associate": "associate",
            "kpi": "tickets_solved",
            "occurred_at": "2026-11-24T14:05:00Z",
            "value": 1,
        },
        {
            "external_id": "csat-5521",
            "associate": "associate",
            "kpi": "csat",
            "occurred_at": "2026-11-24T15:30:00+00:00",
            "value": 5,
        },
    ],
}


class KpiEventsView(APIView):
    parser_classes = [StrictJSONParser]

    @extend_schema(
        operation_id="kpi_events_create",
        summary="Post raw KPI events",
        description=(
            "Every event is checked first; if any has a problem nothing is written and "
            "each problem is listed with its row (1-based position in `events`). An event "
            "whose (source, external_id) is already stored is counted as a duplicate and "
            "changes nothing. The days touched are rolled up right after. Ops admins post "
            "for anyone, leads for the associates of their own teams (others are reported "
            "as unknown associates); managers and associates get 403. A token needs the "
            "`write_events` scope (403 otherwise). Numbers may also be sent as numeric "
            "strings."
        ),
        request=KpiEventBatchSerializer,
        responses={
            201: OpenApiResponse(IngestResultSerializer, "At least one new event written."),
            200: OpenApiResponse(IngestResultSerializer, "Every event was already known."),
            400: OpenApiResponse(
                ProblemsSerializer, "Bad JSON, wrong shape or bad rows; nothing written."
            ),
            401: OpenApiResponse(
                DetailSerializer, "No token, or an unknown, expired or revoked one."
            ),
            403: OpenApiResponse(
                DetailSerializer,
                "Managers and associates may not post; or the token lacks `write_events`.",
            ),
            413: OpenApiResponse(DetailSerializer, "The body is larger than 8 MB."),
            415: OpenApiResponse(DetailSerializer, "The body is not application/json."),
        },
        examples=[OpenApiExample("Two events", value=_EVENT_EXAMPLE, request_only=True)],
    )
    def post(self, request: Request) -> Response:
        user = _api_user(request)
        access.require_api_scope(user, request.auth, ApiToken.Scope.WRITE_EVENTS)
        team_ids = access.require_event_poster(user)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_BODY_BYTES:
            raise BodyTooLarge(TOO_LARGE)
        token = request.auth if isinstance(request.auth, ApiToken) else None
        code, body = post_events(
            data=request.data, team_ids=team_ids, submitted_by=user, api_token=token
        )
        return Response(body, status=code)


# --- Rollups out -------------------------------------------------------------------


def visible_rollups(user: User, params: Mapping[str, Any]) -> QuerySet[DailyKpi]:
    """The rollup rows the query asks for, limited to what `user` may read."""
    query = RollupQuerySerializer(data=params)
    if not query.is_valid():
        raise BadRequest(
            "Bad query parameters.",
            [
                {"field": name, "message": str(message)}
                for name, messages_ in query.errors.items()
                for message in messages_
            ],
        )
    wanted = query.validated_data
    scope = wanted.get("scope")
    reader = access.require_rollup_reader(user, scope)
    rows = DailyKpi.objects.filter(day__range=(wanted["from"], wanted["to"]))
    if not reader.sees_all:
        # A person's own rows follow the person: they are read by whoever sees the
        # associate now (as the dashboards do), so a former lead keeps the team's
        # figures but not the rows of someone who has moved on.
        visible = (~Q(scope=DailyKpi.Scope.ASSOCIATE) & Q(team_id__in=reader.team_ids)) | Q(
            scope=DailyKpi.Scope.ASSOCIATE, associate__team_id__in=reader.team_ids
        )
        if reader.associate_id is not None:
            visible |= Q(scope=DailyKpi.Scope.ASSOCIATE, associate_id=reader.associate_id)
        rows = rows.filter(visible)
    if scope:
        rows = rows.filter(scope=scope)
    if "team" in wanted:
        rows = rows.filter(team=get_team_for_user(user, wanted["team"]))
    if "associate" in wanted:
        rows = rows.filter(associate=get_associate_for_user(user, wanted["associate"]))
    if "kpi" in wanted:
        kpi = Kpi.objects.filter(key=wanted["kpi"]).first()
        if kpi is None:
            raise BadRequest(
                "Bad query parameters.", [{"field": "kpi", "message": "No KPI has this key."}]
            )
        rows = rows.filter(kpi=kpi)
    return rows.select_related("kpi", "associate__user").order_by(
        "day", "kpi__key", "scope", "team_id", "associate_id", "pk"
    )


class RollupPagination(PageNumberPagination):
    """DRF's page numbers, strict: `page` and `page_size` are whole numbers from 1
    or a 400 (DRF would read `page=` as 1 and ignore `page_size=abc`); a page past
    the last is a 404, a page_size over 5,000 gives 5,000 rows."""

    page_size = 500
    page_size_query_param = "page_size"
    max_page_size = 5000
    last_page_strings = ()

    def _positive(self, request: Request, name: str, default: int) -> int:
        raw = request.query_params.get(name)
        if raw is None:
            return default
        if not (raw.isascii() and raw.isdigit() and len(raw) <= 18 and int(raw) >= 1):
            raise BadRequest(
                "Bad query parameters.",
                [{"field": name, "message": f"{name} must be a whole number from 1."}],
            )
        return int(raw)

    def get_page_size(self, request: Request) -> int:
        return min(self._positive(request, "page_size", self.page_size), self.max_page_size)

    def get_page_number(self, request: Request, paginator: Any) -> int:
        return self._positive(request, "page", 1)


class KpiRollupsView(ListAPIView[DailyKpi]):
    serializer_class = DailyKpiSerializer
    pagination_class = RollupPagination

    def get_queryset(self) -> QuerySet[DailyKpi]:
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return DailyKpi.objects.none()
        return visible_rollups(_api_user(self.request), self.request.query_params)

    @extend_schema(
        operation_id="kpi_rollups_list",
        summary="Read daily KPI rollups",
        description=(
            "Daily figures per associate, team and site (site-local days), ordered by day, "
            "KPI, scope, team and associate; paginated. `from` and `to` are required and "
            "span at most 366 days. Ops admins read everything; leads and managers the "
            "associate and team rows of their own teams (another team: 404); associates "
            "only their own associate rows (team or site scope: 403; a teammate: 404). "
            "`scope=site` is for ops admins only (403). A token needs the `read_rollups` "
            "scope (403 otherwise)."
        ),
        parameters=[RollupQuerySerializer],
        responses={
            200: DailyKpiSerializer(many=True),
            400: OpenApiResponse(ProblemsSerializer, "Missing or bad query parameters."),
            401: OpenApiResponse(
                DetailSerializer, "No token, or an unknown, expired or revoked one."
            ),
            403: OpenApiResponse(
                DetailSerializer, "A scope you may not read; or the token lacks `read_rollups`."
            ),
            404: OpenApiResponse(DetailSerializer, "A team or associate that is not yours."),
        },
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        access.require_api_scope(_api_user(request), request.auth, ApiToken.Scope.READ_ROLLUPS)
        return super().get(request, *args, **kwargs)
