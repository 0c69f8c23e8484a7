"""REST: interaction callbacks, followups and the original response, with Discord's deadlines."""

from __future__ import annotations

from aiohttp import web

from sandbox import payloads
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
    """The ``interaction_metadata`` of a message created in answer to ``record``."""
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


def register(app: web.Application, ctx: Context) -> None:
    """Add the interaction routes to ``app``."""
    state = ctx.state

    def note_refusal(request: web.Request, error: ApiError) -> None:
        """Mark the interaction refused when the bot's answer is refused (drivers stop waiting)."""
        if error.status == 429 or error.status >= 500:  # discord.py retries these
            return
        info = request.match_info
        record = None
        if "interaction_id" in info and info["interaction_id"].isdigit():
            record = state.interactions.get(int(info["interaction_id"]))
        elif "webhook_token" in info:
            record = state.interactions_by_token.get(info["webhook_token"])
        if record is not None and not record.settled and error.code != ALREADY_ACKNOWLEDGED:
            record.refusal = f"{error.status} ({error.code}) {error.message} {error.errors or ''}"
            state.notify()

    ctx.refusal_listeners.append(note_refusal)

    def settle(record: InteractionRecord) -> None:
        record.settled = True
        state.notify()

    def new_message(
        record: InteractionRecord, payload: Json, request: web.Request
    ) -> StoredMessage:
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

    async def callback(request: web.Request) -> web.Response:
        record = state.interactions.get(snowflake(request, "interaction_id"))
        if record is None or record.token != request.match_info["interaction_token"]:
            raise ApiError(404, UNKNOWN_INTERACTION, "Unknown interaction")
        if record.callback_type is not None:
            raise ApiError(400, ALREADY_ACKNOWLEDGED, "Interaction has already been acknowledged.")
        age = (state.clock.now() - record.created_at).total_seconds()
        if age > ctx.config.response_deadline:
            raise ApiError(404, UNKNOWN_INTERACTION, "Unknown interaction")
        payload = body(request)
        kind = payload.get("type")
        data = payload.get("data") or {}
        if kind not in ALLOWED.get(record.type, ()):
            errors = Errors()
            errors.add(
                ("type",), "INTERACTION_RESPONSE_TYPE_INVALID", f"Invalid response type {kind}"
            )
            raise invalid_form(errors.tree)
        assert isinstance(kind, int)
        message: StoredMessage | None = None
        if kind == MESSAGE:
            check_message(data, uploads(request), creating=True, prefix=("data",))
            record.callback_type = kind
            message = new_message(record, data, request)
            record.original_id = message.id
            record.ephemeral = message.ephemeral
        elif kind == DEFERRED:
            flags = LOADING | (int(data.get("flags") or 0) & EPHEMERAL)
            record.callback_type = kind
            message = new_message(record, {"content": "", "flags": flags}, request)
            record.original_id = message.id
            record.loading = True
            record.ephemeral = message.ephemeral
        elif kind in (DEFERRED_UPDATE, UPDATE):
            source = state.messages.get(record.source_message_id or 0)
            if source is None:
                raise unknown("Message", UNKNOWN_MESSAGE)
            if kind == UPDATE:
                check_message(data, uploads(request), creating=False, prefix=("data",))
                ctx.messages.edit(source, data, uploads(request))
                message = source
            record.callback_type = kind
            record.original_id = source.id
            record.ephemeral = source.ephemeral
        elif kind == AUTOCOMPLETE:
            errors = validate_choices(data)
            if errors:
                raise invalid_form(errors.tree)
            record.callback_type = kind
            record.choices = list(data["choices"])
        else:
            errors = validate_modal(data)
            if errors:
                raise invalid_form(errors.tree)
            record.callback_type = kind
            record.modal = dict(data)
        if kind in (MESSAGE, UPDATE, AUTOCOMPLETE, MODAL):
            settle(record)
        else:
            state.notify()
        if message is not None:
            await announce(
                ctx, "MESSAGE_CREATE" if kind in (MESSAGE, DEFERRED) else "MESSAGE_UPDATE", message
            )
        if request.query.get("with_response", "").lower() not in ("1", "true"):
            return web.Response(status=204)
        resource: Json = {"type": kind}
        if message is not None:
            resource["message"] = payloads.message_payload(state, message)
        return json_response(
            {
                "interaction": {
                    "id": str(record.id),
                    "type": record.type,
                    "activity_instance_id": None,
                    "response_message_id": None
                    if record.original_id is None
                    else str(record.original_id),
                    "response_message_loading": record.loading,
                    "response_message_ephemeral": record.ephemeral,
                },
                "resource": resource,
            }
        )

    def record_of(request: web.Request) -> InteractionRecord:
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

    def message_of(record: InteractionRecord, request: web.Request) -> StoredMessage:
        raw = request.match_info.get("message_id", "@original")
        if raw == "@original":
            message_id = record.original_id
        else:
            message_id = int(raw) if raw.isdigit() else None
            if message_id not in (record.original_id, *record.followup_ids):
                message_id = None
        message = state.messages.get(message_id or 0)
        if message is None or message.deleted:
            raise unknown("Message", UNKNOWN_MESSAGE)
        return message

    async def followup(request: web.Request) -> web.Response:
        record = record_of(request)
        payload, files = body(request), uploads(request)
        check_message(payload, files, creating=True)
        original = state.messages.get(record.original_id or 0)
        if record.loading and original is not None and not original.deleted:
            ctx.messages.edit(original, payload, files)
            original.flags &= ~LOADING
            record.loading = False
            record.original_edited = True
            message = original
            await announce(ctx, "MESSAGE_UPDATE", message)
        else:
            message = new_message(record, payload, request)
            record.followup_ids.append(message.id)
            await announce(ctx, "MESSAGE_CREATE", message)
        settle(record)
        if request.query.get("wait", "").lower() not in ("1", "true"):
            return web.Response(status=204)
        return json_response(payloads.message_payload(state, message))

    async def get_message(request: web.Request) -> web.Response:
        record = record_of(request)
        return json_response(payloads.message_payload(state, message_of(record, request)))

    async def edit_message(request: web.Request) -> web.Response:
        record = record_of(request)
        message = message_of(record, request)
        payload = body(request)
        check_message(payload, uploads(request), creating=False)
        ctx.messages.edit(message, payload, uploads(request))
        if message.id == record.original_id:
            message.flags &= ~LOADING
            record.loading = False
            record.original_edited = True
        settle(record)
        await announce(ctx, "MESSAGE_UPDATE", message)
        return json_response(payloads.message_payload(state, message))

    async def delete_message(request: web.Request) -> web.Response:
        record = record_of(request)
        message = message_of(record, request)
        message.deleted = True
        record.loading = False
        settle(record)
        return web.Response(status=204)

    callback_path = f"{API}/interactions/{{interaction_id}}/{{interaction_token}}/callback"
    app.router.add_post(callback_path, callback)
    hook = f"{API}/webhooks/{{webhook_id}}/{{webhook_token}}"
    app.router.add_post(hook, followup)
    for path in (f"{hook}/messages/@original", f"{hook}/messages/{{message_id}}"):
        app.router.add_get(path, get_message)
        app.router.add_patch(path, edit_message)
        app.router.add_delete(path, delete_message)
