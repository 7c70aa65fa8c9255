"""`POST /api/v1/queue-volumes/`: volume history in for machines (a workforce or
telephony export), through the checks of the CSV upload (`services.volumes`) plus
the JSON shape; all intervals or none are written.

Authentication is the project's API token (`Authorization: Token <key>`, made at
/account/api-token/ with the `write_volumes` scope) or a browser session with CSRF.
Ops admins post for any team, leads for the teams they lead (a team they do not see
is a 404, one they only manage a 403); managers and associates get 403. Each
interval records who posted it.
"""

from collections.abc import Mapping

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from teams.access import get_team_for_user
from teams.api import BodyTooLarge, StrictJSONParser
from teams.models import User

from .. import access
from ..models import QueueVolume
from ..services import volumes as services
from .serializers import (
    MAX_ID,
    MAX_VOLUMES,
    QueueVolumeBatchSerializer,
    VolumeProblemsSerializer,
    VolumeRefusalSerializer,
    VolumeResultSerializer,
)

Problem = dict[str, object]

ITEM_FIELDS = frozenset(services.COLUMNS)
# 10,000 intervals of the longest fields fit in about 2 MB; DRF reads a JSON body
# whole and Django's DATA_UPLOAD_MAX_MEMORY_SIZE does not apply to it.
MAX_BODY_BYTES = 4 * 1024 * 1024


TOO_LARGE = f"The body is larger than {MAX_BODY_BYTES // (1024 * 1024)} MB; send fewer intervals."


def read_body(data: object) -> tuple[int | None, list[object], list[Problem]]:
    """The team id and intervals of a posted body, or why its shape is wrong."""
    if not isinstance(data, dict):
        return None, [], [{"field": "body", "message": "Send a JSON object with team and volumes."}]
    problems: list[Problem] = [
        {
            "field": services.quoted(name)[1:-1],
            "message": "Unknown field; only team and volumes are read.",
        }
        for name in sorted(map(str, data))[:20]
        if name not in ("team", "volumes")
    ]
    team = data.get("team")
    if isinstance(team, bool) or not isinstance(team, int) or not 1 <= team <= MAX_ID:
        problems.append({"field": "team", "message": "team is required: the team's id, a number."})
        team = None
    volumes = data.get("volumes")
    if not isinstance(volumes, list):
        problems.append({"field": "volumes", "message": "volumes is required: a list."})
        volumes = []
    elif not volumes:
        problems.append({"field": "volumes", "message": "volumes is empty; send at least one."})
    elif len(volumes) > MAX_VOLUMES:
        problems.append(
            {
                "field": "volumes",
                "message": f"{len(volumes):,} intervals in one request; the most is "
                f"{MAX_VOLUMES:,}. Split them into several requests.",
            }
        )
    return team, volumes, problems


def read_items(
    volumes: list[object],
) -> tuple[list[tuple[int, Mapping[str, object]]], list[services.Problem]]:
    """What JSON adds to the CSV rules: each interval is an object of known fields."""
    rows: list[tuple[int, Mapping[str, object]]] = []
    problems: list[services.Problem] = []
    for index, item in enumerate(volumes, start=1):
        if not isinstance(item, dict):
            problems.append(services.Problem(index, "", "an interval must be a JSON object."))
            continue
        unknown = sorted(str(name) for name in item if name not in ITEM_FIELDS)
        if unknown:
            names = ", ".join(services.quoted(n)[1:-1] for n in unknown[:5])
            more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
            problems.append(
                services.Problem(
                    index,
                    services.quoted(unknown[0])[1:-1],
                    f"unknown fields: {names}{more}; the fields are {', '.join(services.COLUMNS)}.",
                )
            )
        problems += _json_types(index, item)
        rows.append((index, item))
    return rows, problems


def _json_types(index: int, item: Mapping[str, object]) -> list[services.Problem]:
    """The JSON types the schema promises (the CSV rules read text, so they would take
    "12" for 12): counts are numbers, times are strings."""
    problems = []
    for name in ("offered", "handled", "aht_seconds"):
        value = item.get(name)
        if isinstance(value, str | bool):
            problems.append(
                services.Problem(index, name, f"{name} must be a JSON number, not {_kind(value)}.")
            )
    for name in ("starts_at", "date", "time"):
        value = item.get(name)
        if value is not None and not isinstance(value, str):
            problems.append(
                services.Problem(index, name, f"{name} must be a string, not {_kind(value)}.")
            )
    return problems


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, int | float):
        return "a number"
    return "a list" if isinstance(value, list) else "an object"


def post_volumes(*, data: object, user: User) -> tuple[int, dict[str, object]]:
    """Check and write one posted body as `user`: (HTTP status, body). A team the
    user may not change raises the 404 or 403 of teams.access."""
    team_id, volumes, problems = read_body(data)
    if problems or team_id is None:
        return 400, {"detail": "The request body has the wrong shape.", "errors": problems}
    team = get_team_for_user(user, team_id, for_change=True)
    rows, item_problems = read_items(volumes)
    result = services.ingest_volumes(
        rows,
        team=team,
        source=QueueVolume.Source.API,
        submitted_by=user,
        problems=item_problems,
        row_word="item",
    )
    # One problem per field: where the JSON checks found one, the rules' own about
    # the same field (e.g. "12" read as text) would only repeat it.
    flagged = {(p.row, p.field) for p in item_problems}
    found = [p for p in result.problems if p in item_problems or (p.row, p.field) not in flagged]
    if found:
        count = len(found)
        return 400, {
            "detail": f"Nothing was written: {count} problem{'' if count == 1 else 's'} "
            "in the intervals.",
            "errors": [
                {"row": p.row, "field": p.field, "message": p.message}
                if p.field
                else {"row": p.row, "message": p.message}
                for p in found
            ],
        }
    body: dict[str, object] = {
        "created": result.created,
        "replaced": result.replaced,
        "unchanged": result.unchanged,
    }
    return (201 if result.written else 200), body


_EXAMPLE = {
    "team": 1,
    "volumes": [
        {
            "queue": "Payments chat",
            "starts_at": "2026-03-02T09:00:00Z",
            "offered": 42,
            "handled": 40,
            "aht_seconds": 352,
        },
        {
            "queue": "Payments chat",
            "date": "2026-10-25",
            "time": "01:00 GMT",
            "offered": 3,
            "handled": 3,
            "aht_seconds": 410.5,
        },
    ],
}


def _api_user(request: Request) -> User:
    if not isinstance(request.user, User):
        raise NotAuthenticated
    return request.user


class QueueVolumesView(APIView):
    parser_classes = [StrictJSONParser]

    @extend_schema(
        operation_id="queue_volumes_create",
        summary="Post volume history per queue and interval",
        description=(
            "Contacts offered and handled, and the average handle time, per queue and "
            "interval, for one team. Each interval is named by its queue (name on the team "
            "or id) and its start: `starts_at` with its UTC offset, or `date` and `time` in "
            "the site's zone. A start must be one of the queue's interval boundaries, not in "
            "the future and at most 5 years ago; each queue and interval once per request. "
            "Every interval is checked first; if any has a problem nothing is written and "
            "each problem is listed with its row (1-based position in `volumes`) and field. "
            "An interval already stored is replaced by the new figures (`replaced`); sent "
            "again with the same figures it changes nothing (`unchanged`). Ops admins post "
            "for any team, leads for their own teams (a team you cannot see is a 404, one "
            "you only manage a 403); managers and associates get 403. A token needs the "
            "`write_volumes` scope (403 otherwise)."
        ),
        request=QueueVolumeBatchSerializer,
        responses={
            201: OpenApiResponse(VolumeResultSerializer, "At least one interval written."),
            200: OpenApiResponse(
                VolumeResultSerializer, "Every interval was already stored as sent."
            ),
            400: OpenApiResponse(
                VolumeProblemsSerializer, "Bad JSON, wrong shape or bad intervals; nothing written."
            ),
            401: OpenApiResponse(
                VolumeRefusalSerializer, "No token, or an unknown, expired or revoked one."
            ),
            403: OpenApiResponse(
                VolumeRefusalSerializer,
                "Not a lead of the team nor an ops admin; or the token lacks `write_volumes`.",
            ),
            404: OpenApiResponse(VolumeRefusalSerializer, "A team that is not yours."),
            413: OpenApiResponse(VolumeRefusalSerializer, "The body is larger than 4 MB."),
            415: OpenApiResponse(VolumeRefusalSerializer, "The body is not application/json."),
        },
        examples=[OpenApiExample("Two intervals", value=_EXAMPLE, request_only=True)],
    )
    def post(self, request: Request) -> Response:
        user = _api_user(request)
        access.require_volume_poster(user, request.auth)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_BODY_BYTES:
            raise BodyTooLarge(TOO_LARGE)
        code, body = post_volumes(data=request.data, user=user)
        return Response(body, status=code)
