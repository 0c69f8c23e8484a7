"""REST: who am I, the gateway URL, users, guilds, channels and DM channels."""

from __future__ import annotations

from aiohttp import web

from sandbox import payloads
from sandbox.app_keys import context
from sandbox.context import body, channel_of, snowflake
from sandbox.errors import (
    UNKNOWN_GUILD,
    UNKNOWN_MEMBER,
    UNKNOWN_USER,
    json_response,
    unknown,
)
from sandbox.models import Guild

API = "/api/v10"


def guild_of(request: web.Request) -> Guild:
    """Find the guild named in the path, or 404 Unknown Guild."""
    guild = context(request).state.guilds.get(snowflake(request, "guild_id"))
    if guild is None:
        raise unknown("Guild", UNKNOWN_GUILD)
    return guild


async def me(request: web.Request) -> web.StreamResponse:
    """Serve the bot user."""
    return json_response(payloads.client_user_payload(context(request).state.bot_user))


async def application(request: web.Request) -> web.StreamResponse:
    """Serve the bot's application."""
    state = context(request).state
    owner = state.users[state.default_guild().owner_id] if state.guilds else state.bot_user
    return json_response(
        {
            "id": str(state.application_id),
            "name": state.bot_user.username,
            "description": "Local sandbox application",
            "icon": None,
            "bot_public": False,
            "bot_require_code_grant": False,
            "owner": payloads.user_payload(owner),
            "team": None,
            "verify_key": "0" * 64,
            "flags": 0,
            "summary": "",
            "tags": [],
            "bot": payloads.user_payload(state.bot_user),
            "approximate_guild_count": len(state.guilds),
            "redirect_uris": [],
            "interactions_endpoint_url": None,
        }
    )


async def gateway(request: web.Request) -> web.StreamResponse:
    """Serve the gateway URL."""
    return json_response({"url": context(request).hub.url()})


async def gateway_bot(request: web.Request) -> web.StreamResponse:
    """Serve the gateway URL with shards and the session start limit."""
    limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
    url = context(request).hub.url()
    return json_response({"url": url, "shards": 1, "session_start_limit": limit})


async def get_user(request: web.Request) -> web.StreamResponse:
    """Serve a user by id."""
    user = context(request).state.users.get(snowflake(request, "user_id"))
    if user is None:
        raise unknown("User", UNKNOWN_USER)
    return json_response(payloads.user_payload(user))


async def create_dm(request: web.Request) -> web.StreamResponse:
    """Open (or return) the DM channel with a user."""
    state = context(request).state
    recipient = str(body(request).get("recipient_id"))
    user = state.users.get(int(recipient)) if recipient.isdigit() else None
    if user is None:
        raise unknown("User", UNKNOWN_USER)
    channel = state.dm_channel(user.id)
    return json_response(payloads.channel_payload(state, channel))


async def get_guild(request: web.Request) -> web.StreamResponse:
    """Serve a guild."""
    return json_response(payloads.rest_guild_payload(context(request).state, guild_of(request)))


async def guild_channels(request: web.Request) -> web.StreamResponse:
    """Serve a guild's channels (threads left out)."""
    state = context(request).state
    guild = guild_of(request)
    channels = [state.channels[c] for c in guild.channel_ids]
    return json_response(
        [payloads.channel_payload(state, c) for c in channels if c.type not in (11, 12)]
    )


async def guild_roles(request: web.Request) -> web.StreamResponse:
    """Serve a guild's roles."""
    return json_response([payloads.role_payload(r) for r in guild_of(request).roles.values()])


async def guild_member(request: web.Request) -> web.StreamResponse:
    """One member of a guild."""
    member = guild_of(request).members.get(snowflake(request, "user_id"))
    if member is None:
        raise unknown("Member", UNKNOWN_MEMBER)
    return json_response(payloads.member_payload(context(request).state, member))


async def guild_members(request: web.Request) -> web.StreamResponse:
    """Serve a page of a guild's members (``limit``, ``after``)."""
    guild = guild_of(request)
    limit = int(request.query.get("limit", "1"))
    after = int(request.query.get("after", "0"))
    members = sorted(
        (m for m in guild.members.values() if m.user_id > after), key=lambda m: m.user_id
    )
    state = context(request).state
    return json_response([payloads.member_payload(state, m) for m in members[:limit]])


async def get_channel(request: web.Request) -> web.StreamResponse:
    """Serve a channel."""
    ctx = context(request)
    return json_response(payloads.channel_payload(ctx.state, channel_of(ctx, request)))


routes = [
    web.get(f"{API}/users/@me", me),
    web.get(f"{API}/oauth2/applications/@me", application),
    web.get(f"{API}/applications/@me", application),
    web.get(f"{API}/gateway", gateway),
    web.get(f"{API}/gateway/bot", gateway_bot),
    web.post(f"{API}/users/@me/channels", create_dm),
    web.get(f"{API}/users/{{user_id}}", get_user),
    web.get(f"{API}/guilds/{{guild_id}}", get_guild),
    web.get(f"{API}/guilds/{{guild_id}}/channels", guild_channels),
    web.get(f"{API}/guilds/{{guild_id}}/roles", guild_roles),
    web.get(f"{API}/guilds/{{guild_id}}/members", guild_members),
    web.get(f"{API}/guilds/{{guild_id}}/members/{{user_id}}", guild_member),
    web.get(f"{API}/channels/{{channel_id}}", get_channel),
]
"""The basic routes, in registration order."""
