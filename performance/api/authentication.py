"""How the KPI API knows who calls: `Authorization: Token <key>` with a key from
/account/api-token/ (performance.models.api_tokens), or a browser session.

A missing or other scheme (`Bearer`, `Basic`) is left to the session, so a request
with neither gets 401 "Authentication credentials were not provided." and
`WWW-Authenticate: Token`. A `Token` header that is wrong in any way, whatever
bytes it holds, is a 401 with the reason (`services.api_tokens.authenticate_key`).
`request.auth` is then the ApiToken, whose scopes each view checks
(`access.require_api_scope`).
"""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from teams.models import User

from ..models.api_tokens import ApiToken
from ..services.api_tokens import KeyRefused, authenticate_key

KEYWORD = "Token"


class ApiTokenAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        parts = header.split() if isinstance(header, str) else []
        if not parts or parts[0].lower() != KEYWORD.lower():
            return None
        if len(parts) == 1:
            raise AuthenticationFailed("Invalid token header: no key after “Token”.")
        if len(parts) > 2:
            raise AuthenticationFailed("Invalid token header: the key cannot contain spaces.")
        try:
            token = authenticate_key(parts[1])
        except KeyRefused as refused:
            raise AuthenticationFailed(str(refused)) from None
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return KEYWORD


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The token in the OpenAPI schema, under the name DRF's TokenAuthentication had."""

    target_class = ApiTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "`Token <key>`, with a key made at /account/api-token/. Each key has "
                "scopes: `read_rollups` for GET /api/v1/kpi-rollups/, `write_events` "
                "for POST /api/v1/kpi-events/, `write_volumes` for POST "
                "/api/v1/queue-volumes/ (403 names a missing one), and an "
                "expiry; an expired, revoked or unknown key is a 401 that says which."
            ),
        }
