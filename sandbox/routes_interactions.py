"""REST: interaction callbacks, followups and the original response, with Discord's deadlines."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from sandbox import payloads
from sandbox.app_keys import context
from sandbox.context import Context, body, snowflake, uploads
from sandbox.errors import (
    ALREADY_ACKNOWLEDGED,
    INVALID_WEBHOOK_TOKEN,
    UNKNOWN_INTERACTION,
    UNKNOWN_MESSAGE,
    UNKNOWN_WEBHOOK,
    ApiError,
    invalid_form,
    json_response,
    unknown,
)
from sandbox.messages import check_message
from sandbox.models import EPHEMERAL, LOADING, InteractionRecord, Json, StoredMessage
from sandbox.routes_messages import announce
from sandbox.validation import Errors, validate_choices, validate_modal

API = "/api/v10"
MESSAGE, DEFERRED, DEFERRED_UPDATE, UPDATE, AUTOCOMPLETE, MODAL = 4, 5, 6, 7, 8, 9
COMMAND, COMPONENT, AUTOCOMPLETE_INTERACTION, MODAL_SUBMIT = 2, 3, 4, 5
ALLOWED: dict[int, tuple[int, ...]] = {
    COMMAND: (MESSAGE, DEFERRED, MODAL),
    COMPONENT: (MESSAGE, DEFERRED, DEFERRED_UPDATE, UPDATE, MODAL),
    AUTOCOMPLETE_INTERACTION: (AUTOCOMPLETE,),
    MODAL_SUBMIT: (MESSAGE, DEFERRED, DEFERRED_UPDATE, UPDATE),
}


def interaction_metadata(ctx: Context, record: InteractionRecord) -> Json:
    """Build the ``interaction_metadata`` of a message created in answer to ``record``."""
    state = ctx.state
    owners = {"0": str(record.guild_id)} if record.guild_id else {"1": str(record.user_id)}
    metadata: Json = {
        "id": str(record.id),
        "type": record.type,
        "user": payloads.user_payload(state.users[record.user_id]),
        "authorizing_integration_owners": owners,
    }
    if record.type == COMMAND:
        metadata["name"] = record.label
        metadata["command_type"] = 1
    if record.source_message_id is not None:
        metadata["interacted_message_id"] = str(record.source_message_id)
    if record.original_id is not None and record.callback_type in (MESSAGE, DEFERRED):
        metadata["original_response_message_id"] = str(record.original_id)
    return metadata


def note_refusal(request: web.Request, error: ApiError) -> None:
    """Mark the interaction refused when the bot's answer is refused (drivers stop waiting).

    A refusal listener of the middleware (``Context.refusal_listeners``).
    """
    if error.status == 429 or error.status >= 500:  # discord.py retries these
        return
    state = context(request).state
    info = request.match_info
    record = None
    if "interaction_id" in info and info["interaction_id"].isdigit():
        record = state.interactions.get(int(info["interaction_id"]))
    elif "webhook_token" in info:
        record = state.interactions_by_token.get(info["webhook_token"])
    if record is not None and not record.settled and error.code != ALREADY_ACKNOWLEDGED:
        record.refusal = f"{error.status} ({error.code}) {error.message} {error.errors or ''}"
        state.notify()


def settle(ctx: Context, record: InteractionRecord) -> None:
    """Mark ``record`` answered by the bot (drivers waiting for it go on)."""
    record.settled = True
    ctx.state.notify()


def asked(request: web.Request, flag: str) -> bool:
    """Whether the query string turns ``flag`` on (``?wait=1``, ``?with_response=true``)."""
    return request.query.get(flag, "").lower() in ("1", "true")


def new_message(
    ctx: Context, record: InteractionRecord, payload: Json, request: web.Request
) -> StoredMessage:
    """Post a message from the bot in answer to ``record`` (ephemeral if its flags say so)."""
    state = ctx.state
    ephemeral = bool(int(payload.get("flags") or 0) & EPHEMERAL)
    kind = {COMMAND: 20}.get(record.type, 0)
    return ctx.messages.create(
        channel_id=record.channel_id,
        author_id=state.bot_user.id,
        payload=payload,
        uploads=uploads(request),
        type=kind,
        webhook_id=state.application_id,
        application_id=state.application_id,
        interaction_id=record.id,
        interaction_metadata=interaction_metadata(ctx, record),
        visible_to=record.user_id if ephemeral else None,
    )


# -- the interaction callback ---------------------------------------------------------------

Respond = Callable[[Context, InteractionRecord, Json, web.Request], StoredMessage | None]


def unanswered(ctx: Context, request: web.Request) -> InteractionRecord:
    """Find the interaction of a callback: known, token right, not answered yet, within 3 s."""
    state = ctx.state
    record = state.interactions.get(snowflake(request, "interaction_id"))
    if record is None or record.token != request.match_info["interaction_token"]:
        raise ApiError(404, UNKNOWN_INTERACTION, "Unknown interaction")
    if record.callback_type is not None:
        raise ApiError(400, ALREADY_ACKNOWLEDGED, "Interaction has already been acknowledged.")
    age = (state.clock.now() - record.created_at).total_seconds()
    if age > ctx.config.response_deadline:
        raise ApiError(404, UNKNOWN_INTERACTION, "Unknown interaction")
    return record


def check_response_type(record: InteractionRecord, kind: object) -> int:
    """Refuse a callback type the interaction's type does not allow (50035)."""
    if kind not in ALLOWED.get(record.type, ()):
        errors = Errors()
        errors.add(("type",), "INTERACTION_RESPONSE_TYPE_INVALID", f"Invalid response type {kind}")
        raise invalid_form(errors.tree)
    assert isinstance(kind, int)
    return kind


def respond_message(
    ctx: Context, record: InteractionRecord, data: Json, request: web.Request
) -> StoredMessage | None:
    """Type 4: a message in the channel."""
    check_message(data, uploads(request), creating=True, prefix=("data",))
    record.callback_type = MESSAGE
    message = new_message(ctx, record, data, request)
    record.original_id = message.id
    record.ephemeral = message.ephemeral
    return message


def respond_deferred(
    ctx: Context, record: InteractionRecord, data: Json, request: web.Request
) -> StoredMessage | None:
    """Type 5: "the bot is thinking…", a loading message the first followup fills."""
    flags = LOADING | (int(data.get("flags") or 0) & EPHEMERAL)
    record.callback_type = DEFERRED
    message = new_message(ctx, record, {"content": "", "flags": flags}, request)
    record.original_id = message.id
    record.loading = True
    record.ephemeral = message.ephemeral
    return message


def source_of(ctx: Context, record: InteractionRecord) -> StoredMessage:
    """Find the message whose component was used, or 404 10008."""
    source = ctx.state.messages.get(record.source_message_id or 0)
    if source is None:
        raise unknown("Message", UNKNOWN_MESSAGE)
    return source


def respond_deferred_update(
    ctx: Context, record: InteractionRecord, data: Json, request: web.Request
) -> StoredMessage | None:
    """Type 6: acknowledge a component; its message is edited later."""
    source = source_of(ctx, record)
    record.callback_type = DEFERRED_UPDATE
    record.original_id = source.id
    record.ephemeral = source.ephemeral
    return None


def respond_update(
    ctx: Context, record: InteractionRecord, data: Json, request: web.Request
) -> StoredMessage | None:
    """Type 7: edit the component's message now."""
    source = source_of(ctx, record)
    check_message(data, uploads(request), creating=False, prefix=("data",))
    ctx.messages.edit(source, data, uploads(request))
    record.callback_type = UPDATE
    record.original_id = source.id
    record.ephemeral = source.ephemeral
    return source


def respond_choices(
    ctx: Context, record: InteractionRecord, data: Json, request: web.Request
) -> StoredMessage | None:
    """Type 8: autocomplete choices."""
    errors = validate_choices(data)
    if errors:
        raise invalid_form(errors.tree)
    record.callback_type = AUTOCOMPLETE
    record.choices = list(data["choices"])
    return None


def respond_modal(
    ctx: Context, record: InteractionRecord, data: Json, request: web.Request
) -> StoredMessage | None:
    """Type 9: open a modal."""
    errors = validate_modal(data)
    if errors:
        raise invalid_form(errors.tree)
    record.callback_type = MODAL
    record.modal = dict(data)
    return None


RESPONDERS: dict[int, Respond] = {
    MESSAGE: respond_message,
    DEFERRED: respond_deferred,
    DEFERRED_UPDATE: respond_deferred_update,
    UPDATE: respond_update,
    AUTOCOMPLETE: respond_choices,
    MODAL: respond_modal,
}
"""What each callback type does (the type is checked against ``ALLOWED`` first)."""


def callback_resource(
    ctx: Context, record: InteractionRecord, kind: int, message: StoredMessage | None
) -> Json:
    """Build the answer to ``?with_response=1``: the interaction and the resource it created."""
    resource: Json = {"type": kind}
    if message is not None:
        resource["message"] = payloads.message_payload(ctx.state, message)
    return {
        "interaction": {
            "id": str(record.id),
            "type": record.type,
            "activity_instance_id": None,
            "response_message_id": None if record.original_id is None else str(record.original_id),
            "response_message_loading": record.loading,
            "response_message_ephemeral": record.ephemeral,
        },
        "resource": resource,
    }


async def callback(request: web.Request) -> web.StreamResponse:
    """Take the bot's first answer to an interaction (types 4-9)."""
    ctx = context(request)
    record = unanswered(ctx, request)
    payload = body(request)
    kind = payload.get("type")
    data = payload.get("data") or {}
    kind = check_response_type(record, kind)
    message = RESPONDERS[kind](ctx, record, data, request)
    if kind in (MESSAGE, UPDATE, AUTOCOMPLETE, MODAL):
        settle(ctx, record)
    else:
        ctx.state.notify()
    if message is not None:
        event = "MESSAGE_CREATE" if kind in (MESSAGE, DEFERRED) else "MESSAGE_UPDATE"
        await announce(ctx, event, message)
    if not asked(request, "with_response"):
        return web.Response(status=204)
    return json_response(callback_resource(ctx, record, kind, message))


# -- followups and the original response ------------------------------------------------------


def record_of(ctx: Context, request: web.Request) -> InteractionRecord:
    """Find the interaction of a webhook route: this app's, token valid (15 min), answered."""
    state = ctx.state
    if snowflake(request, "webhook_id") != state.application_id:
        raise unknown("Webhook", UNKNOWN_WEBHOOK)
    record = state.interactions_by_token.get(request.match_info["webhook_token"])
    if record is None:
        raise ApiError(401, INVALID_WEBHOOK_TOKEN, "Invalid Webhook Token")
    if state.clock.now() - record.created_at > ctx.config.token_lifetime:
        raise ApiError(401, INVALID_WEBHOOK_TOKEN, "Invalid Webhook Token")
    if record.callback_type is None:
        raise unknown("Webhook", UNKNOWN_WEBHOOK)
    return record


def message_of(ctx: Context, record: InteractionRecord, request: web.Request) -> StoredMessage:
    """``@original`` or one of the interaction's followups, or 404 10008."""
    raw = request.match_info.get("message_id", "@original")
    if raw == "@original":
        message_id = record.original_id
    else:
        message_id = int(raw) if raw.isdigit() else None
        if message_id not in (record.original_id, *record.followup_ids):
            message_id = None
    message = ctx.state.messages.get(message_id or 0)
    if message is None or message.deleted:
        raise unknown("Message", UNKNOWN_MESSAGE)
    return message


async def followup(request: web.Request) -> web.StreamResponse:
    """Post a followup message (the first after a type-5 defer fills the loading message)."""
    ctx = context(request)
    record = record_of(ctx, request)
    payload, files = body(request), uploads(request)
    check_message(payload, files, creating=True)
    original = ctx.state.messages.get(record.original_id or 0)
    if record.loading and original is not None and not original.deleted:
        ctx.messages.edit(original, payload, files)
        original.flags &= ~LOADING
        record.loading = False
        record.original_edited = True
        message = original
        await announce(ctx, "MESSAGE_UPDATE", message)
    else:
        message = new_message(ctx, record, payload, request)
        record.followup_ids.append(message.id)
        await announce(ctx, "MESSAGE_CREATE", message)
    settle(ctx, record)
    if not asked(request, "wait"):
        return web.Response(status=204)
    return json_response(payloads.message_payload(ctx.state, message))


async def get_message(request: web.Request) -> web.StreamResponse:
    """``@original`` or a followup."""
    ctx = context(request)
    record = record_of(ctx, request)
    return json_response(payloads.message_payload(ctx.state, message_of(ctx, record, request)))


async def edit_message(request: web.Request) -> web.StreamResponse:
    """Edit ``@original`` (ends its loading state) or a followup."""
    ctx = context(request)
    record = record_of(ctx, request)
    message = message_of(ctx, record, request)
    payload = body(request)
    check_message(payload, uploads(request), creating=False)
    ctx.messages.edit(message, payload, uploads(request))
    if message.id == record.original_id:
        message.flags &= ~LOADING
        record.loading = False
        record.original_edited = True
    settle(ctx, record)
    await announce(ctx, "MESSAGE_UPDATE", message)
    return json_response(payloads.message_payload(ctx.state, message))


async def delete_message(request: web.Request) -> web.StreamResponse:
    """Delete ``@original`` or a followup."""
    ctx = context(request)
    record = record_of(ctx, request)
    message = message_of(ctx, record, request)
    message.deleted = True
    record.loading = False
    settle(ctx, record)
    return web.Response(status=204)


HOOK = f"{API}/webhooks/{{webhook_id}}/{{webhook_token}}"
routes = [
    web.post(f"{API}/interactions/{{interaction_id}}/{{interaction_token}}/callback", callback),
    web.post(HOOK, followup),
    *(
        route
        for path in (f"{HOOK}/messages/@original", f"{HOOK}/messages/{{message_id}}")
        for route in (
            web.get(path, get_message),
            web.patch(path, edit_message),
            web.delete(path, delete_message),
        )
    ),
]
"""The interaction routes, in registration order."""
