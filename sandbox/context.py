"""What every REST handler needs: the state, the log, the gateway, the message factory."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from aiohttp import web

from sandbox import permissions
from sandbox.config import SandboxConfig
from sandbox.errors import UNKNOWN_CHANNEL, ApiError, missing_access, missing_permissions, unknown
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


def require(ctx: Context, channel: Channel, needed: int) -> None:
    """Refuse as Discord does when the bot lacks ``needed`` in ``channel``.

    No View Channel: 403 50001 Missing Access; anything else missing: 403 50013.
    """
    if channel.guild_id is None:
        return
    granted = ctx.state.channel_permissions(channel, ctx.state.bot_user.id)
    if not granted & permissions.VIEW_CHANNEL:
        raise missing_access()
    if needed & ~granted:
        raise missing_permissions()
