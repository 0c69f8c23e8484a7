"""REST: channel messages (send, read, edit, delete) and threads."""

from __future__ import annotations

from aiohttp import web

from sandbox import payloads
from sandbox.context import Context, body, channel_of, snowflake, uploads
from sandbox.errors import (
    CANNOT_DM,
    UNKNOWN_MESSAGE,
    ApiError,
    invalid_form,
    json_response,
    unknown,
)
from sandbox.gateway import DIRECT_MESSAGES, GUILD_MESSAGES, GUILDS
from sandbox.messages import check_message
from sandbox.models import DM_CHANNEL, PRIVATE_THREAD, PUBLIC_THREAD, Channel, StoredMessage
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


def register(app: web.Application, ctx: Context) -> None:
    """Add the message and thread routes to ``app``."""
    state = ctx.state

    def message_of(channel: Channel, request: web.Request) -> StoredMessage:
        message = state.messages.get(snowflake(request, "message_id"))
        if message is None or message.deleted or message.channel_id != channel.id:
            raise unknown("Message", UNKNOWN_MESSAGE)
        return message

    async def create(request: web.Request) -> web.Response:
        channel = channel_of(ctx, request)
        payload, files = body(request), uploads(request)
        if channel.type == DM_CHANNEL:
            recipient = state.users[channel.recipient_id or 0]
            if not recipient.dms_open or recipient.bot:
                raise ApiError(
                    403,
                    CANNOT_DM,
                    "Cannot send messages to this user",
                    expected=not recipient.dms_open,
                )
        check_message(payload, files, creating=True)
        earlier = ctx.messages.find_nonce(state.bot_user.id, payload)
        if earlier is not None:
            return json_response(payloads.message_payload(state, earlier))
        message = ctx.messages.create(
            channel_id=channel.id, author_id=state.bot_user.id, payload=payload, uploads=files
        )
        await announce(ctx, "MESSAGE_CREATE", message)
        return json_response(payloads.message_payload(state, message))

    async def history(request: web.Request) -> web.Response:
        channel = channel_of(ctx, request)
        limit = max(1, min(100, int(request.query.get("limit", "50"))))
        messages = state.visible_messages(channel.id)
        if "before" in request.query:
            messages = [m for m in messages if m.id < int(request.query["before"])]
        if "after" in request.query:
            messages = [m for m in messages if m.id > int(request.query["after"])][:limit]
        messages = list(reversed(messages))[:limit]
        return json_response([payloads.message_payload(state, m) for m in messages])

    async def get_one(request: web.Request) -> web.Response:
        message = message_of(channel_of(ctx, request), request)
        return json_response(payloads.message_payload(state, message))

    async def edit(request: web.Request) -> web.Response:
        message = message_of(channel_of(ctx, request), request)
        if message.author_id != state.bot_user.id:
            raise ApiError(403, 50005, "Cannot edit a message authored by another user")
        payload = body(request)
        check_message(payload, uploads(request), creating=False)
        ctx.messages.edit(message, payload, uploads(request))
        await announce(ctx, "MESSAGE_UPDATE", message)
        return json_response(payloads.message_payload(state, message))

    async def delete(request: web.Request) -> web.Response:
        channel = channel_of(ctx, request)
        message = message_of(channel, request)
        message.deleted = True
        state.notify()
        event = {"id": str(message.id), "channel_id": str(channel.id)}
        if channel.guild_id is not None:
            event["guild_id"] = str(channel.guild_id)
        intent = DIRECT_MESSAGES if channel.type == DM_CHANNEL else GUILD_MESSAGES
        await ctx.hub.dispatch("MESSAGE_DELETE", event, intent=intent)
        return web.Response(status=204)

    async def create_thread(request: web.Request) -> web.Response:
        parent = channel_of(ctx, request)
        payload = body(request)
        errors = Errors()
        errors.length(("name",), payload.get("name"), 1, 100)
        if errors:
            raise invalid_form(errors.tree)
        kind = int(payload.get("type") or PRIVATE_THREAD)
        if "message_id" in request.match_info:
            kind = PUBLIC_THREAD
        guild = state.guilds[parent.guild_id or 0]
        thread = state.add_channel(guild, str(payload["name"]), type=kind)
        thread.parent_id = parent.id
        thread.owner_id = state.bot_user.id
        thread.thread_member_ids.append(state.bot_user.id)
        data = payloads.channel_payload(state, thread)
        await ctx.hub.dispatch("THREAD_CREATE", {**data, "newly_created": True}, intent=GUILDS)
        return json_response(data, status=201)

    async def add_thread_member(request: web.Request) -> web.Response:
        thread = channel_of(ctx, request)
        user_id = snowflake(request, "user_id")
        if user_id not in thread.thread_member_ids:
            thread.thread_member_ids.append(user_id)
            state.notify()
        return web.Response(status=204)

    base = f"{API}/channels/{{channel_id}}"
    app.router.add_post(f"{base}/messages", create)
    app.router.add_get(f"{base}/messages", history)
    app.router.add_get(f"{base}/messages/{{message_id}}", get_one)
    app.router.add_patch(f"{base}/messages/{{message_id}}", edit)
    app.router.add_delete(f"{base}/messages/{{message_id}}", delete)
    app.router.add_post(f"{base}/threads", create_thread)
    app.router.add_post(f"{base}/messages/{{message_id}}/threads", create_thread)
    app.router.add_put(f"{base}/thread-members/{{user_id}}", add_thread_member)
