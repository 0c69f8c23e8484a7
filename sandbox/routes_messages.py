"""REST: channel messages (send, read, edit, delete) and threads."""

from __future__ import annotations

from aiohttp import web

from sandbox import payloads
from sandbox import permissions as perm
from sandbox.app_keys import context
from sandbox.context import Context, body, channel_of, require, snowflake, uploads
from sandbox.errors import (
    CANNOT_DM,
    INVALID_CHANNEL_TYPE,
    NO_MUTUAL_GUILD,
    UNKNOWN_MESSAGE,
    ApiError,
    invalid_form,
    json_response,
    unknown,
)
from sandbox.gateway import DIRECT_MESSAGES, GUILD_MESSAGES, GUILDS
from sandbox.messages import Upload, check_message
from sandbox.models import DM_CHANNEL, PRIVATE_THREAD, PUBLIC_THREAD, Channel, Json, StoredMessage
from sandbox.state import SandboxState
from sandbox.validation import Errors

API = "/api/v10"


async def announce(ctx: Context, event: str, message: StoredMessage) -> None:
    """Send MESSAGE_CREATE/UPDATE for a visible message, if the bot's intents ask for it."""
    if message.visible_to is not None:
        return
    channel = ctx.state.channels[message.channel_id]
    intent = DIRECT_MESSAGES if channel.type == DM_CHANNEL else GUILD_MESSAGES
    await ctx.hub.dispatch(
        event, payloads.gateway_message_payload(ctx.state, message), intent=intent
    )


def message_of(state: SandboxState, channel: Channel, request: web.Request) -> StoredMessage:
    """Find the message named in the path, in ``channel`` and visible to all, or 404 10008."""
    message = state.messages.get(snowflake(request, "message_id"))
    if (
        message is None
        or message.deleted
        or message.channel_id != channel.id
        or message.visible_to is not None  # ephemeral: only the interaction webhook sees it
    ):
        raise unknown("Message", UNKNOWN_MESSAGE)
    return message


def check_dm(state: SandboxState, channel: Channel) -> None:
    """Refuse a DM to a bot (50007), a user sharing no guild (50278) or with DMs closed."""
    recipient = state.users[channel.recipient_id or 0]
    if recipient.bot:
        raise ApiError(403, CANNOT_DM, "Cannot send messages to this user")
    if not state.shares_guild(recipient.id, state.bot_user.id):
        raise ApiError(
            403,
            NO_MUTUAL_GUILD,
            "Cannot send messages to this user due to having no mutual guilds",
            expected=True,
        )
    if not recipient.dms_open:
        raise ApiError(403, CANNOT_DM, "Cannot send messages to this user", expected=True)


def needed_to_send(channel: Channel, payload: Json, files: dict[str, Upload]) -> int:
    """Return the permissions a message needs: send (in threads), embeds, files, replies."""
    thread = channel.type in (PUBLIC_THREAD, PRIVATE_THREAD)
    needed = perm.SEND_MESSAGES_IN_THREADS if thread else perm.SEND_MESSAGES
    if payload.get("embeds"):
        needed |= perm.EMBED_LINKS
    if files:
        needed |= perm.ATTACH_FILES
    if payload.get("message_reference"):
        needed |= perm.READ_MESSAGE_HISTORY
    return needed


def check_reference(state: SandboxState, channel: Channel, payload: Json) -> None:
    """Refuse a reply to an unknown message (or drop it with ``fail_if_not_exists: false``)."""
    reference = payload.get("message_reference")
    if not isinstance(reference, dict) or reference.get("type", 0) != 0:
        return
    raw = reference.get("message_id")
    target = state.messages.get(int(str(raw))) if str(raw).isdigit() else None
    where = int(reference.get("channel_id") or channel.id)
    if target is None or target.deleted or target.channel_id != where:
        if reference.get("fail_if_not_exists", True):
            errors = Errors()
            errors.add(
                ("message_reference",), "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message"
            )
            raise invalid_form(errors.tree)
        payload.pop("message_reference")


async def create(request: web.Request) -> web.StreamResponse:
    """Send a message for the bot (a DM or in a guild channel)."""
    ctx = context(request)
    state = ctx.state
    channel = channel_of(ctx, request)
    payload, files = body(request), uploads(request)
    if channel.type == DM_CHANNEL:
        check_dm(state, channel)
    else:
        require(ctx, channel, needed_to_send(channel, payload, files))
    check_message(payload, files, creating=True, limit=ctx.config.attachment_size_limit)
    check_reference(state, channel, payload)
    earlier = ctx.messages.find_nonce(state.bot_user.id, payload)
    if earlier is not None:
        return json_response(payloads.message_payload(state, earlier))
    message = ctx.messages.create(
        channel_id=channel.id, author_id=state.bot_user.id, payload=payload, uploads=files
    )
    await announce(ctx, "MESSAGE_CREATE", message)
    return json_response(payloads.message_payload(state, message))


def reads_history(state: SandboxState, channel: Channel) -> bool:
    """Whether the bot may read ``channel``'s history (always in DMs)."""
    return channel.guild_id is None or bool(
        state.channel_permissions(channel, state.bot_user.id) & perm.READ_MESSAGE_HISTORY
    )


async def history(request: web.Request) -> web.StreamResponse:
    """Serve a channel's messages, newest first (``limit``, ``before``, ``after``)."""
    ctx = context(request)
    state = ctx.state
    channel = channel_of(ctx, request)
    require(ctx, channel, perm.VIEW_CHANNEL)
    if not reads_history(state, channel):
        return json_response([])  # Discord shows no history without Read Message History
    limit = max(1, min(100, int(request.query.get("limit", "50"))))
    messages = state.visible_messages(channel.id)
    if "before" in request.query:
        messages = [m for m in messages if m.id < int(request.query["before"])]
    if "after" in request.query:
        messages = [m for m in messages if m.id > int(request.query["after"])][:limit]
    messages = list(reversed(messages))[:limit]
    return json_response([payloads.message_payload(state, m) for m in messages])


async def get_one(request: web.Request) -> web.StreamResponse:
    """One message of a channel."""
    ctx = context(request)
    channel = channel_of(ctx, request)
    require(ctx, channel, perm.VIEW_CHANNEL | perm.READ_MESSAGE_HISTORY)
    message = message_of(ctx.state, channel, request)
    return json_response(payloads.message_payload(ctx.state, message))


async def edit(request: web.Request) -> web.StreamResponse:
    """Edit one of the bot's messages."""
    ctx = context(request)
    state = ctx.state
    channel = channel_of(ctx, request)
    require(ctx, channel, perm.VIEW_CHANNEL)
    message = message_of(state, channel, request)
    if message.author_id != state.bot_user.id:
        raise ApiError(403, 50005, "Cannot edit a message authored by another user")
    payload = body(request)
    if payload.get("embeds"):
        require(ctx, channel, perm.EMBED_LINKS)
    if uploads(request):
        require(ctx, channel, perm.ATTACH_FILES)
    check_message(payload, uploads(request), creating=False, limit=ctx.config.attachment_size_limit)
    ctx.messages.edit(message, payload, uploads(request))
    await announce(ctx, "MESSAGE_UPDATE", message)
    return json_response(payloads.message_payload(state, message))


async def delete(request: web.Request) -> web.StreamResponse:
    """Delete a message for the bot (another's needs Manage Messages)."""
    ctx = context(request)
    state = ctx.state
    channel = channel_of(ctx, request)
    require(ctx, channel, perm.VIEW_CHANNEL)
    message = message_of(state, channel, request)
    if message.author_id != state.bot_user.id:
        require(ctx, channel, perm.MANAGE_MESSAGES)
    message.deleted = True
    state.notify()
    event = {"id": str(message.id), "channel_id": str(channel.id)}
    if channel.guild_id is not None:
        event["guild_id"] = str(channel.guild_id)
    intent = DIRECT_MESSAGES if channel.type == DM_CHANNEL else GUILD_MESSAGES
    await ctx.hub.dispatch("MESSAGE_DELETE", event, intent=intent)
    return web.Response(status=204)


def check_thread_name(payload: Json) -> None:
    """Refuse a thread name outside 1-100 characters (50035)."""
    errors = Errors()
    errors.length(("name",), payload.get("name"), 1, 100)
    if errors:
        raise invalid_form(errors.tree)


async def create_thread(request: web.Request) -> web.StreamResponse:
    """Start a thread for the bot (private by default; public from a message)."""
    ctx = context(request)
    state = ctx.state
    parent = channel_of(ctx, request)
    payload = body(request)
    if parent.guild_id is None or parent.type in (PUBLIC_THREAD, PRIVATE_THREAD):
        raise ApiError(400, INVALID_CHANNEL_TYPE, "Cannot execute action on this channel type")
    from_message = "message_id" in request.match_info
    if from_message:
        message_of(state, parent, request)
    check_thread_name(payload)
    kind = int(payload.get("type") or PRIVATE_THREAD)
    if from_message:
        kind = PUBLIC_THREAD
    private = kind == PRIVATE_THREAD
    require(ctx, parent, perm.CREATE_PRIVATE_THREADS if private else perm.CREATE_PUBLIC_THREADS)
    guild = state.guilds[parent.guild_id or 0]
    thread = state.add_channel(guild, str(payload["name"]), type=kind)
    thread.parent_id = parent.id
    thread.owner_id = state.bot_user.id
    thread.thread_member_ids.append(state.bot_user.id)
    data = payloads.channel_payload(state, thread)
    await ctx.hub.dispatch("THREAD_CREATE", {**data, "newly_created": True}, intent=GUILDS)
    return json_response(data, status=201)


async def add_thread_member(request: web.Request) -> web.StreamResponse:
    """Add a user to a thread for the bot."""
    ctx = context(request)
    thread = channel_of(ctx, request)
    if thread.type not in (PUBLIC_THREAD, PRIVATE_THREAD):
        raise ApiError(400, INVALID_CHANNEL_TYPE, "Cannot execute action on this channel type")
    require(ctx, thread, perm.SEND_MESSAGES_IN_THREADS)
    user_id = snowflake(request, "user_id")
    if user_id not in thread.thread_member_ids:
        thread.thread_member_ids.append(user_id)
        ctx.state.notify()
    return web.Response(status=204)


BASE = f"{API}/channels/{{channel_id}}"
routes = [
    web.post(f"{BASE}/messages", create),
    web.get(f"{BASE}/messages", history),
    web.get(f"{BASE}/messages/{{message_id}}", get_one),
    web.patch(f"{BASE}/messages/{{message_id}}", edit),
    web.delete(f"{BASE}/messages/{{message_id}}", delete),
    web.post(f"{BASE}/threads", create_thread),
    web.post(f"{BASE}/messages/{{message_id}}/threads", create_thread),
    web.put(f"{BASE}/thread-members/{{user_id}}", add_thread_member),
]
"""The message and thread routes, in registration order."""
