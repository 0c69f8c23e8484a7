"""Build INTERACTION_CREATE payloads from the synced command tree, as Discord's client would."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from sandbox import payloads, permissions
from sandbox.models import (
    Channel,
    InteractionRecord,
    Json,
    Role,
    StoredAttachment,
    StoredMessage,
    User,
)
from sandbox.state import SandboxState

COMMAND, COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 2, 3, 4, 5
SUB_COMMAND, SUB_COMMAND_GROUP = 1, 2
STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = range(3, 12)


def as_user(value: Any) -> User | None:
    """Return the user behind a User or a Persona-like object (with ``.user``)."""
    if isinstance(value, User):
        return value
    user = getattr(value, "user", None)
    return user if isinstance(user, User) else None


class InteractionFactory:
    """Create interaction records and their gateway payloads."""

    def __init__(self, state: SandboxState, base_url: Any, attachment_size_limit: int) -> None:
        self.state = state
        self.base_url = base_url
        self.attachment_size_limit = attachment_size_limit

    # -- envelope --------------------------------------------------------------

    def envelope(
        self,
        kind: int,
        user: User,
        channel: Channel,
        data: Json,
        *,
        label: str,
        message: StoredMessage | None = None,
    ) -> InteractionRecord:
        """Create and register an interaction of ``kind`` by ``user`` in ``channel``."""
        state = self.state
        interaction_id = state.ids.next()
        token = f"sandbox-{interaction_id}-{secrets.token_urlsafe(32)}"
        payload: Json = {
            "id": str(interaction_id),
            "application_id": str(state.application_id),
            "type": kind,
            "data": data,
            "token": token,
            "version": 1,
            "locale": user.locale,
            "entitlements": [],
            "entitlement_sku_ids": [],
            "attachment_size_limit": self.attachment_size_limit,
            "channel_id": str(channel.id),
            "channel": payloads.channel_payload(state, channel),
        }
        if channel.guild_id is not None:
            guild = state.guilds[channel.guild_id]
            member = guild.members.get(user.id)
            if member is None:
                raise AssertionError(f"{user.username} is not a member of {guild.name}")
            perms = state.channel_permissions(channel, user.id)
            payload["channel"]["permissions"] = str(perms)
            payload.update(
                {
                    "guild_id": str(guild.id),
                    "guild": {"id": str(guild.id), "locale": guild.locale, "features": []},
                    "guild_locale": guild.locale,
                    "member": payloads.member_payload(state, member, permissions=perms),
                    "app_permissions": str(state.channel_permissions(channel, state.bot_user.id)),
                    "authorizing_integration_owners": {"0": str(guild.id)},
                    "context": 0,
                }
            )
        else:
            payload["channel"]["permissions"] = str(permissions.DM_PERMISSIONS)
            payload.update(
                {
                    "user": payloads.user_payload(user),
                    "app_permissions": str(permissions.DM_PERMISSIONS),
                    "authorizing_integration_owners": {"0": "0"},
                    "context": 1,
                }
            )
        if message is not None:
            payload["message"] = payloads.message_payload(state, message)
        record = InteractionRecord(
            id=interaction_id,
            token=token,
            type=kind,
            user_id=user.id,
            channel_id=channel.id,
            guild_id=channel.guild_id,
            created_at=state.clock.now(),
            label=label,
            payload=payload,
            source_message_id=None if message is None else message.id,
        )
        state.interactions[record.id] = record
        state.interactions_by_token[token] = record
        return record

    # -- application commands ---------------------------------------------------

    def find_command(self, name: str, kind: int, guild_id: int | None) -> Json:
        """Return the synced command ``name`` visible where the user is."""
        scopes: list[int | None] = [guild_id, None] if guild_id is not None else [None]
        for scope in scopes:
            for command in self.state.commands.get(scope, []):
                if command["name"] == name and command["type"] == kind:
                    return command
        where = "this guild or globally" if guild_id else "globally (DMs see global commands only)"
        synced = sorted(
            c["name"]
            for scope in scopes
            for c in self.state.commands.get(scope, [])
            if c["type"] == kind
        )
        raise AssertionError(f"command {name!r} is not synced {where}; synced: {synced}")

    def check_visible(self, command: Json, user: User, channel: Channel) -> None:
        """Refuse a command the user could not see in Discord's client."""
        contexts = command.get("contexts")
        if channel.guild_id is None:
            if command.get("dm_permission") is False or (
                contexts is not None and 1 not in contexts
            ):
                raise AssertionError(f"/{command['name']} is not available in DMs")
            return
        if contexts is not None and 0 not in contexts:
            raise AssertionError(f"/{command['name']} is not available in guilds")
        required = command.get("default_member_permissions")
        if required is not None:
            have = self.state.member_permissions(channel.guild_id, user.id)
            needed = int(required)
            if needed == 0 or (have & needed != needed and not have & permissions.ADMINISTRATOR):
                raise AssertionError(
                    f"{user.username} cannot see /{command['name']}: it needs permissions {needed}"
                )

    def command(
        self,
        user: User,
        channel: Channel,
        path: str,
        values: dict[str, Any],
        *,
        focused: str | None = None,
    ) -> InteractionRecord:
        """Create a chat-input (type 2) or autocomplete (type 4) interaction."""
        words = path.strip().lstrip("/").split()
        if not words:
            raise AssertionError("empty command path")
        command = self.find_command(words[0], 1, channel.guild_id)
        self.check_visible(command, user, channel)
        resolved: dict[str, dict[str, Json]] = {}
        options = self._walk(command, words[1:], dict(values), resolved, focused, channel)
        data: Json = {
            "id": command["id"],
            "name": command["name"],
            "type": 1,
            "options": options,
        }
        if "guild_id" in command:
            data["guild_id"] = command["guild_id"]
        if resolved:
            data["resolved"] = resolved
        kind = AUTOCOMPLETE if focused is not None else COMMAND
        return self.envelope(kind, user, channel, data, label=" ".join(words))

    def context_command(
        self, user: User, channel: Channel, name: str, kind: int, target: Any
    ) -> InteractionRecord:
        """Create a user (kind 2) or message (kind 3) context-menu interaction."""
        command = self.find_command(name, kind, channel.guild_id)
        self.check_visible(command, user, channel)
        resolved: dict[str, dict[str, Json]] = {}
        if kind == 2:
            target_user = as_user(target)
            if target_user is None:
                raise AssertionError("a user command needs a Persona or User target")
            target_id = self._resolve_user(target_user, resolved, channel)
        else:
            if not isinstance(target, StoredMessage):
                target = getattr(target, "stored", None)
            if not isinstance(target, StoredMessage):
                raise AssertionError("a message command needs a message target")
            target_id = str(target.id)
            resolved["messages"] = {target_id: payloads.message_payload(self.state, target)}
        data: Json = {
            "id": command["id"],
            "name": name,
            "type": kind,
            "target_id": target_id,
            "resolved": resolved,
        }
        if "guild_id" in command:
            data["guild_id"] = command["guild_id"]
        return self.envelope(COMMAND, user, channel, data, label=name)

    def _walk(
        self,
        node: Json,
        words: list[str],
        values: dict[str, Any],
        resolved: dict[str, dict[str, Json]],
        focused: str | None,
        channel: Channel,
    ) -> list[Json]:
        definitions: list[Json] = node.get("options") or []
        if words:
            for option in definitions:
                if option["name"] == words[0] and option["type"] in (
                    SUB_COMMAND,
                    SUB_COMMAND_GROUP,
                ):
                    inner = self._walk(option, words[1:], values, resolved, focused, channel)
                    return [{"type": option["type"], "name": option["name"], "options": inner}]
            names = [
                o["name"] for o in definitions if o["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP)
            ]
            raise AssertionError(f"/{node['name']} has no subcommand {words[0]!r}; it has {names}")
        if any(o["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP) for o in definitions):
            names = [o["name"] for o in definitions]
            raise AssertionError(f"/{node['name']} needs a subcommand: one of {names}")
        given = {
            key.replace("_", "-") if key not in {o["name"] for o in definitions} else key: v
            for key, v in values.items()
        }
        known = {o["name"] for o in definitions}
        unknown_names = sorted(set(given) - known)
        if unknown_names:
            raise AssertionError(
                f"/{node['name']} has no option {unknown_names}; options: {sorted(known)}"
            )
        result: list[Json] = []
        for option in definitions:
            name = option["name"]
            if name not in given:
                if option.get("required") and focused is None:
                    raise AssertionError(f"/{node['name']}: option {name!r} is required")
                continue
            if name == focused:
                result.append(
                    {
                        "type": option["type"],
                        "name": name,
                        "value": str(given[name]),
                        "focused": True,
                    }
                )
                continue
            value = self._convert(option, given[name], resolved, channel)
            result.append({"type": option["type"], "name": name, "value": value})
        if focused is not None and focused not in given:
            raise AssertionError(f"the focused option {focused!r} needs a typed value")
        return result

    def _convert(
        self, option: Json, raw: Any, resolved: dict[str, dict[str, Json]], channel: Channel
    ) -> Any:
        kind, name = option["type"], option["name"]
        if kind in (STRING, INTEGER, NUMBER, BOOLEAN):
            value = _scalar(option, raw)
        else:
            value = self._reference(option, raw, resolved, channel)
        if kind in (INTEGER, NUMBER):
            _check_range(option, value)
        choices = option.get("choices")
        if choices and value not in [c["value"] for c in choices]:
            raise AssertionError(f"option {name!r}: {value!r} is not one of the choices {choices}")
        return value

    def _reference(
        self, option: Json, raw: Any, resolved: dict[str, dict[str, Json]], channel: Channel
    ) -> str:
        """Resolve a user, role, mentionable, channel or attachment option; return its id."""
        kind, name = option["type"], option["name"]
        if kind in (USER, MENTIONABLE) and as_user(raw) is not None:
            user = as_user(raw)
            assert user is not None
            return self._resolve_user(user, resolved, channel)
        if kind == USER:
            user = (
                self.state.users.get(raw)
                if isinstance(raw, int)
                else self.state.find_user(str(raw))
            )
            if user is None:
                raise AssertionError(f"option {name!r}: unknown user {raw!r}")
            return self._resolve_user(user, resolved, channel)
        if kind in (ROLE, MENTIONABLE):
            return self._resolve_role(raw, resolved, channel)
        if kind == CHANNEL:
            return self._resolve_channel(raw, resolved, channel)
        if kind == ATTACHMENT:
            return self._resolve_attachment(raw, resolved, channel)
        raise AssertionError(f"option {name!r}: unsupported type {kind}")

    def _resolve_user(
        self, user: User, resolved: dict[str, dict[str, Json]], channel: Channel
    ) -> str:
        key = str(user.id)
        resolved.setdefault("users", {})[key] = payloads.user_payload(user)
        if channel.guild_id is not None:
            member = self.state.guilds[channel.guild_id].members.get(user.id)
            if member is not None:
                perms = self.state.member_permissions(channel.guild_id, user.id)
                data = payloads.member_payload(
                    self.state, member, with_user=False, permissions=perms
                )
                resolved.setdefault("members", {})[key] = data
        return key

    def _resolve_role(
        self, raw: Any, resolved: dict[str, dict[str, Json]], channel: Channel
    ) -> str:
        if channel.guild_id is None:
            raise AssertionError("role options only work in a guild")
        if isinstance(raw, Role):
            role = raw
        elif isinstance(raw, int):
            role = self.state.guilds[channel.guild_id].roles[raw]
        else:
            role = self.state.find_role(str(raw), channel.guild_id)
        resolved.setdefault("roles", {})[str(role.id)] = payloads.role_payload(role)
        return str(role.id)

    def _resolve_channel(
        self, raw: Any, resolved: dict[str, dict[str, Json]], here: Channel
    ) -> str:
        if isinstance(raw, Channel):
            target = raw
        elif isinstance(raw, int):
            target = self.state.channels[raw]
        else:
            target = getattr(raw, "channel", None) or self.state.find_channel(
                str(raw), here.guild_id
            )
        assert isinstance(target, Channel)
        data = payloads.channel_payload(self.state, target)
        data["permissions"] = str(permissions.ALL)
        resolved.setdefault("channels", {})[str(target.id)] = data
        return str(target.id)

    def _resolve_attachment(
        self, raw: Any, resolved: dict[str, dict[str, Json]], channel: Channel
    ) -> str:
        if isinstance(raw, Path):
            filename, data = raw.name, raw.read_bytes()
        elif isinstance(raw, tuple) and len(raw) == 2:
            filename, data = str(raw[0]), bytes(raw[1])
        else:
            raise AssertionError("an attachment option takes (filename, bytes) or a Path")
        attachment_id = self.state.ids.next()
        attachment = StoredAttachment(
            id=attachment_id,
            filename=filename,
            size=len(data),
            data=data,
            url=f"{self.base_url()}/attachments/{channel.id}/{attachment_id}/{filename}",
        )
        self.state.attachments[attachment_id] = attachment
        resolved.setdefault("attachments", {})[str(attachment_id)] = payloads.attachment_payload(
            attachment
        )
        return str(attachment_id)

    # -- components and modals ----------------------------------------------------

    def component(
        self, user: User, message: StoredMessage, component: Json, values: list[str] | None
    ) -> InteractionRecord:
        """Create a component (type 3) interaction on ``message``."""
        channel = self.state.channels[message.channel_id]
        data: Json = {"custom_id": component["custom_id"], "component_type": component["type"]}
        if values is not None:
            data["values"] = values
        label = f"component {component['custom_id']!r}"
        return self.envelope(COMPONENT, user, channel, data, label=label, message=message)

    def modal_submit(
        self, user: User, source: InteractionRecord, modal: Json, components: list[Json]
    ) -> InteractionRecord:
        """Create a modal submit (type 5) interaction answering ``modal``."""
        channel = self.state.channels[source.channel_id]
        message = self.state.messages.get(source.source_message_id or 0)
        data: Json = {"custom_id": modal["custom_id"], "components": components}
        label = f"modal {modal.get('title')!r}"
        return self.envelope(MODAL_SUBMIT, user, channel, data, label=label, message=message)


def _scalar(option: Json, raw: Any) -> Any:
    """Convert a string (within its lengths), integer, number or boolean option's value."""
    kind = option["type"]
    if kind == STRING:
        value = str(raw)
        low, high = option.get("min_length", 0), option.get("max_length", 6000)
        if not low <= len(value) <= high:
            raise AssertionError(f"option {option['name']!r}: length must be within {low}..{high}")
        return value
    if kind == INTEGER:
        return int(raw)
    if kind == NUMBER:
        return float(raw)
    return bool(raw)


def _check_range(option: Json, value: Any) -> None:
    """Check an integer or number option is within its ``min_value``/``max_value``."""
    low, high = option.get("min_value"), option.get("max_value")
    if (low is not None and value < low) or (high is not None and value > high):
        raise AssertionError(f"option {option['name']!r}: {value} is outside {low}..{high}")
