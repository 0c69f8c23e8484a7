"""The test driver: personas who use slash commands, buttons, selects and modals."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sandbox import payloads
from sandbox.gateway import DIRECT_MESSAGES, GUILD_MESSAGES, MESSAGE_CONTENT
from sandbox.models import Channel, InteractionRecord, Json, StoredMessage, User
from sandbox.views import MessageView, Reply, walk_components

if TYPE_CHECKING:
    from sandbox.server import Sandbox
    from sandbox.state import SandboxState

Target = Reply | MessageView | StoredMessage | int
FILE_UPLOAD, RADIO_GROUP, CHECKBOX = 19, 21, 23


class Persona:
    """A user of the sandbox Discord, driven by a test."""

    def __init__(self, sandbox: Sandbox, user: User) -> None:
        self._sb = sandbox
        self.user = user

    @property
    def id(self) -> int:
        """The user's snowflake."""
        return self.user.id

    @property
    def name(self) -> str:
        """The username."""
        return self.user.username

    @property
    def mention(self) -> str:
        """``<@id>``, as in message content."""
        return f"<@{self.user.id}>"

    @property
    def locale(self) -> str:
        """The persona's client language."""
        return self.user.locale

    def __repr__(self) -> str:
        return f"<Persona {self.name} id={self.id}>"

    # -- where ----------------------------------------------------------------

    def _channel(self, channel: str | Channel | None, dm: bool) -> Channel:
        state = self._sb.state
        if dm:
            return state.dm_channel(self.id)
        if isinstance(channel, Channel):
            return channel
        return state.find_channel(channel or "general")

    # -- interactions -------------------------------------------------------------

    async def slash(
        self,
        command: str,
        *,
        dm: bool = False,
        channel: str | Channel | None = None,
        wait: bool = True,
        **options: Any,
    ) -> Reply:
        """Run ``/command [group] [sub]`` with ``options``; wait for the bot's answer."""
        await self._look(False)
        record = self._sb.interactions.command(
            self.user, self._channel(channel, dm), command, options
        )
        return await self._sb.deliver(record, wait=wait)

    async def autocomplete(
        self,
        command: str,
        option: str,
        typed: str,
        *,
        dm: bool = False,
        channel: str | Channel | None = None,
        **options: Any,
    ) -> list[Json]:
        """Type ``typed`` into ``option`` of ``/command``; return the bot's choices."""
        values = {**options, option: typed}
        where = self._channel(channel, dm)
        record = self._sb.interactions.command(self.user, where, command, values, focused=option)
        reply = await self._sb.deliver(record, wait=True)
        return reply.choices

    async def user_command(
        self, name: str, target: Persona | User, *, channel: str | Channel | None = None
    ) -> Reply:
        """Run the user context-menu command ``name`` on ``target``."""
        await self._look(False)
        where = self._channel(channel, False)
        record = self._sb.interactions.context_command(self.user, where, name, 2, target)
        return await self._sb.deliver(record, wait=True)

    async def message_command(self, name: str, target: Target) -> Reply:
        """Run the message context-menu command ``name`` on a message."""
        await self._look(False)
        message = self._message(target)
        where = self._sb.state.channels[message.channel_id]
        record = self._sb.interactions.context_command(self.user, where, name, 3, message)
        return await self._sb.deliver(record, wait=True)

    def _message(self, target: Target) -> StoredMessage:
        state = self._sb.state
        if isinstance(target, Reply):
            view = target.message
            if view is None:
                raise AssertionError(f"{target.record.label}: there is no message to act on")
            message_id = view.id
        elif isinstance(target, MessageView | StoredMessage):
            message_id = target.id
        else:
            message_id = target
        message = state.messages.get(message_id)
        if message is None or message.deleted:
            raise AssertionError(f"message {message_id} does not exist (or was deleted)")
        if message.visible_to is not None and message.visible_to != self.id:
            raise AssertionError(f"{self.name} cannot see ephemeral message {message_id}")
        return message

    def _component(self, message: StoredMessage, wanted: str, kinds: tuple[int, ...]) -> Json:
        candidates = [c for c in walk_components(message.components) if c.get("type") in kinds]
        for component in candidates:
            if wanted in (
                component.get("label"),
                component.get("custom_id"),
                component.get("placeholder"),
            ):
                if component.get("disabled"):
                    raise AssertionError(f"{wanted!r} is disabled")
                if component.get("style") == 5:
                    raise AssertionError(f"{wanted!r} is a link button: it sends no interaction")
                return component
        labels = [c.get("label") or c.get("placeholder") or c.get("custom_id") for c in candidates]
        raise AssertionError(f"no component {wanted!r} on message {message.id}; found {labels}")

    async def _look(self, impatient: bool) -> None:
        """Wait until what the bot sent has reached it (unless a test races it on purpose)."""
        if not impatient:
            await self._sb.bot_done()

    async def click(
        self, target: Target, button: str, *, wait: bool = True, impatient: bool = False
    ) -> Reply:
        """Click the button labelled (or with custom id) ``button`` on a message.

        Like a person, wait first until the bot's answers were delivered (``Sandbox.bot_done``);
        ``impatient=True`` clicks at once, to provoke the race on purpose.
        """
        await self._look(impatient)
        message = self._message(target)
        component = self._component(message, button, (2,))
        record = self._sb.interactions.component(self.user, message, component, None)
        return await self._sb.deliver(record, wait=wait)

    async def select(
        self,
        target: Target,
        select: str,
        values: list[Any],
        *,
        wait: bool = True,
        impatient: bool = False,
    ) -> Reply:
        """Pick ``values`` in the select menu identified by custom id or placeholder."""
        await self._look(impatient)
        message = self._message(target)
        component = self._component(message, select, (3, 5, 6, 7, 8))
        picked = [str(getattr(v, "id", v)) for v in values]
        if component["type"] == 3:
            allowed = [o["value"] for o in component.get("options") or []]
            wrong = [v for v in picked if v not in allowed]
            if wrong:
                raise AssertionError(f"{wrong} are not options of {select!r}: {allowed}")
        low, high = component.get("min_values", 1), component.get("max_values", 1)
        if not low <= len(picked) <= high:
            raise AssertionError(f"{select!r} takes {low}..{high} values, got {len(picked)}")
        record = self._sb.interactions.component(self.user, message, component, picked)
        if component["type"] != 3:
            try:
                resolve_select(self._sb.state, record, component, picked)
            except ValueError as error:
                raise AssertionError(str(error)) from error
        return await self._sb.deliver(record, wait=wait)

    async def submit_modal(
        self,
        modal: Reply | Json | None,
        values: dict[str, Any],
        *,
        wait: bool = True,
        impatient: bool = False,
    ) -> Reply:
        """Fill the modal's inputs (by custom id or label) with ``values`` and submit it."""
        await self._look(impatient)
        data = modal.modal if isinstance(modal, Reply) else modal
        if data is None:
            raise AssertionError("the bot did not open a modal")
        source = self._sb.state.interactions[int(data["_interaction_id"])]
        if source.user_id != self.id:
            raise AssertionError(f"{self.name} cannot submit a modal shown to someone else")
        remaining = dict(values)
        components = [self._fill(c, remaining) for c in data.get("components") or []]
        if remaining:
            raise AssertionError(f"the modal has no field {sorted(remaining)}")
        record = self._sb.interactions.modal_submit(
            self.user, source, data, [c for c in components if c is not None]
        )
        return await self._sb.deliver(record, wait=wait)

    def _fill(
        self, component: Json, remaining: dict[str, Any], label: str | None = None
    ) -> Json | None:
        kind = component.get("type")
        if kind == 1:
            inner = [self._fill(c, remaining) for c in component.get("components") or []]
            return {"type": 1, "components": [c for c in inner if c is not None]}
        if kind == 18:
            filled = self._fill(component["component"], remaining, component.get("label"))
            return {"type": 18, "component": filled}
        custom_id = component.get("custom_id")
        if custom_id is None:
            return None
        keys = [k for k in (custom_id, label, component.get("label")) if k is not None]
        key = next((k for k in keys if k in remaining), None)
        if kind == 4:
            if key is None:
                value = component.get("value") or ""
                if component.get("required", True) and not value:
                    raise AssertionError(f"modal field {keys[-1]!r} is required")
            else:
                value = str(remaining.pop(key))
            low, high = component.get("min_length", 0), component.get("max_length", 4000)
            if value and not low <= len(value) <= high:
                raise AssertionError(f"modal field {keys[-1]!r} takes {low}..{high} characters")
            return {"type": 4, "custom_id": custom_id, "value": value}
        given = remaining.pop(key) if key is not None else None
        if kind == CHECKBOX:
            return {"type": kind, "custom_id": custom_id, "value": bool(given)}
        if kind == RADIO_GROUP:
            return {"type": kind, "custom_id": custom_id, "value": _radio_value(component, given)}
        if kind == FILE_UPLOAD and given:
            raise AssertionError("the driver cannot fill file-upload fields yet")
        picked = [] if given is None else given if isinstance(given, list) else [given]
        return {"type": kind, "custom_id": custom_id, "values": [str(v) for v in picked]}

    # -- messages -----------------------------------------------------------------

    async def say(
        self, content: str, *, channel: str | Channel | None = None, dm: bool = False
    ) -> MessageView:
        """Post ``content`` as this persona (the bot gets MESSAGE_CREATE if its intents allow)."""
        state = self._sb.state
        where = self._channel(channel, dm)
        message = state.store_message(
            StoredMessage(
                id=state.ids.next(),
                channel_id=where.id,
                author_id=self.id,
                content=content,
                timestamp=state.clock.now(),
                guild_id=where.guild_id,
            )
        )
        data = payloads.gateway_message_payload(state, message)
        hub = self._sb.hub
        mentioned = f"<@{state.bot_user.id}>" in content
        if not dm and not mentioned and not hub.wants(MESSAGE_CONTENT):
            data["content"] = ""
        await hub.dispatch("MESSAGE_CREATE", data, intent=DIRECT_MESSAGES if dm else GUILD_MESSAGES)
        return MessageView(state, message.id)

    @property
    def dms(self) -> list[MessageView]:
        """Messages the bot sent to this persona by DM, oldest first."""
        state = self._sb.state
        channel_id = state.dm_channels.get(self.id)
        if channel_id is None:
            return []
        return [
            MessageView(state, m.id)
            for m in state.visible_messages(channel_id)
            if m.author_id == state.bot_user.id
        ]

    @property
    def ephemerals(self) -> list[MessageView]:
        """Ephemeral messages the bot showed to this persona, oldest first."""
        state = self._sb.state
        return [
            MessageView(state, m.id)
            for m in state.messages.values()
            if m.visible_to == self.id and not m.deleted
        ]


USER_SELECT, ROLE_SELECT, MENTIONABLE_SELECT, CHANNEL_SELECT = 5, 6, 7, 8


def resolve_select(
    state: SandboxState, record: InteractionRecord, component: Json, picked: list[str]
) -> None:
    """Fill ``data.resolved`` of a user, role, mentionable or channel select, as Discord does.

    Raise ``ValueError`` for an id the select does not offer (a role in a channel select, a
    channel of a type outside ``channel_types``).
    """
    kind = component["type"]
    guild = state.guilds.get(record.guild_id or 0)
    resolved: dict[str, dict[str, Json]] = {}
    for raw in picked:
        item_id = int(raw) if raw.isdigit() else 0
        user = state.users.get(item_id)
        role = guild.roles.get(item_id) if guild is not None else None
        channel = state.channels.get(item_id)
        if kind in (USER_SELECT, MENTIONABLE_SELECT) and user is not None:
            resolved.setdefault("users", {})[raw] = payloads.user_payload(user)
            member = guild.members.get(user.id) if guild is not None else None
            if member is not None and guild is not None:
                perms = state.member_permissions(guild.id, user.id)
                resolved.setdefault("members", {})[raw] = payloads.member_payload(
                    state, member, with_user=False, permissions=perms
                )
        elif kind in (ROLE_SELECT, MENTIONABLE_SELECT) and role is not None:
            resolved.setdefault("roles", {})[raw] = payloads.role_payload(role)
        elif kind == CHANNEL_SELECT and channel is not None:
            wanted = component.get("channel_types")
            if wanted and channel.type not in wanted:
                raise ValueError(f"#{channel.name} is not offered by this select")
            data = payloads.channel_payload(state, channel)
            if guild is not None:
                data["permissions"] = str(state.member_permissions(guild.id, record.user_id))
            resolved.setdefault("channels", {})[raw] = data
        else:
            raise ValueError(f"{raw!r} is not offered by this select")
    record.payload["data"]["resolved"] = resolved


def _radio_value(group: Json, given: Any) -> str | None:
    """Return what a radio group submits: the one picked, else its default, as the client does."""
    options = group.get("options") or []
    values = [str(option.get("value")) for option in options]
    if given is None:
        default = next((o.get("value") for o in options if o.get("default")), None)
        if default is None and group.get("required", True):
            raise AssertionError(f"radio group {group.get('custom_id')!r} is required")
        return None if default is None else str(default)
    labels = {str(o.get("label")): str(o.get("value")) for o in options}
    value = labels.get(str(given), str(given))
    if value not in values:
        raise AssertionError(
            f"{given!r} is not an option of radio group {group.get('custom_id')!r}"
        )
    return value
