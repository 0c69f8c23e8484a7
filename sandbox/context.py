"""What every REST handler needs: the state, the log, the gateway, the message factory."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from aiohttp import web

from sandbox.config import SandboxConfig
from sandbox.errors import UNKNOWN_CHANNEL, ApiError, unknown
from sandbox.gateway import GatewayHub
from sandbox.messages import MessageFactory, Upload
from sandbox.models import Channel, Json
from sandbox.recorder import Recorder
from sandbox.state import SandboxState

BODY = web.RequestKey("body", object)
UPLOADS = web.RequestKey("uploads", dict[str, Upload])


@dataclass
class Context:
    """Shared services of the REST handlers."""

    state: SandboxState
    recorder: Recorder
    hub: GatewayHub
    messages: MessageFactory
    config: SandboxConfig
    base_url: Callable[[], str]
    refusal_listeners: list[Callable[[web.Request, ApiError], None]] = field(default_factory=list)


def body(request: web.Request) -> Json:
    """Return the parsed JSON (or ``payload_json``) body of a request, ``{}`` if none."""
    value = request.get(BODY)
    return value if isinstance(value, dict) else {}


def raw_body(request: web.Request) -> object:
    """Return the parsed body whatever its type (a list for command sync)."""
    return request.get(BODY)


def uploads(request: web.Request) -> dict[str, Upload]:
    """Return the files of a multipart request."""
    return request.get(UPLOADS) or {}


def snowflake(request: web.Request, name: str) -> int:
    """Return a path parameter as an int (404 if it is not a number)."""
    value = request.match_info[name]
    if not value.isdigit():
        raise ApiError(404, 0, "404: Not Found")
    return int(value)


def channel_of(ctx: Context, request: web.Request) -> Channel:
    """Return the channel named in the path or raise Unknown Channel."""
    channel = ctx.state.channels.get(snowflake(request, "channel_id"))
    if channel is None:
        raise unknown("Channel", UNKNOWN_CHANNEL)
    return channel
