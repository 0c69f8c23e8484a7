"""Discord's error shapes and a JSON response with the exact content type."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

Json = dict[str, Any]


def json_response(
    body: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    """Return ``body`` as JSON with ``Content-Type: application/json`` exactly."""
    response = web.Response(body=json.dumps(body).encode(), status=status, headers=headers or {})
    response.headers["Content-Type"] = "application/json"
    return response


class ApiError(Exception):
    """An error Discord would answer with; raised by handlers, rendered by the middleware."""

    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        errors: Json | None = None,
        *,
        expected: bool = False,
        headers: dict[str, str] | None = None,
        retry_after: float | None = None,
        is_global: bool = False,
    ) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors
        self.expected = expected
        self.headers = headers or {}
        self.retry_after = retry_after
        self.is_global = is_global

    def body(self) -> Json:
        """Return the JSON body Discord sends for this error."""
        if self.retry_after is not None:
            return {
                "message": self.message,
                "retry_after": self.retry_after,
                "global": self.is_global,
            }
        body: Json = {"message": self.message, "code": self.code}
        if self.errors:
            body["errors"] = self.errors
        return body


def not_found() -> ApiError:
    """Unknown route."""
    return ApiError(404, 0, "404: Not Found")


def unauthorized() -> ApiError:
    """Missing or wrong bot token."""
    return ApiError(401, 0, "401: Unauthorized")


def unknown(kind: str, code: int) -> ApiError:
    """Refuse an unknown object, e.g. ``unknown("Channel", 10003)``."""
    return ApiError(404, code, f"Unknown {kind}")


def invalid_form(errors: Json) -> ApiError:
    """Invalid Form Body with Discord's nested ``errors`` tree."""
    return ApiError(400, 50035, "Invalid Form Body", errors)


UNKNOWN_CHANNEL = 10003
UNKNOWN_GUILD = 10004
UNKNOWN_MEMBER = 10007
UNKNOWN_MESSAGE = 10008
UNKNOWN_USER = 10013
UNKNOWN_WEBHOOK = 10015
UNKNOWN_COMMAND = 10063
UNKNOWN_INTERACTION = 10062
ALREADY_ACKNOWLEDGED = 40060
CANNOT_DM = 50007
INVALID_WEBHOOK_TOKEN = 50027
EMPTY_MESSAGE = 50006
INVALID_FORM_BODY = 50035
MISSING_ACCESS = 50001
MISSING_PERMISSIONS = 50013
INVALID_CHANNEL_TYPE = 50024
NO_MUTUAL_GUILD = 50278
ENTITY_TOO_LARGE = 40005


def missing_permissions() -> ApiError:
    """403 Missing Permissions (an expected refusal: only a test takes permissions away)."""
    return ApiError(403, MISSING_PERMISSIONS, "Missing Permissions", expected=True)


def missing_access() -> ApiError:
    """403 Missing Access: the bot cannot see the channel."""
    return ApiError(403, MISSING_ACCESS, "Missing Access", expected=True)
