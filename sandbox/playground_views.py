"""What the playground page shows: the world, the commands and messages as one persona sees them."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from sandbox.interaction_factory import SUB_COMMAND, SUB_COMMAND_GROUP
from sandbox.models import (
    DM_CHANNEL,
    LOADING,
    PRIVATE_THREAD,
    PUBLIC_THREAD,
    TEXT_CHANNEL,
    Channel,
    Json,
    StoredAttachment,
    StoredMessage,
    User,
)
from sandbox.server import Sandbox
from sandbox.validation import COMPONENTS_V2

if TYPE_CHECKING:
    from sandbox.state import SandboxState

MESSAGE_LIMIT = 100
"""The page shows at most this many recent messages of a channel."""


def display_name(state: SandboxState, user: User, guild_id: int | None = None) -> str:
    """Return the name Discord shows: the nickname, else the global name, else the username."""
    if guild_id is not None:
        member = state.guilds[guild_id].members.get(user.id)
        if member is not None and member.nick:
            return member.nick
    return user.global_name or user.username


def localized(item: Json, key: str, locale: str) -> str:
    """``item[key]`` in ``locale`` when the bot localised it (e.g. a description)."""
    translations = item.get(f"{key}_localizations") or {}
    language = locale.split("-")[0]
    return str(translations.get(locale) or translations.get(language) or item.get(key) or "")


def leaf_commands(sb: Sandbox, user: User, channel: Channel, locale: str) -> list[Json]:
    """Chat-input commands this user can run here, one entry per subcommand path."""
    state = sb.state
    scopes: list[int | None] = [None] if channel.guild_id is None else [channel.guild_id, None]
    entries: list[Json] = []
    seen: set[str] = set()
    for scope in scopes:
        for command in state.commands.get(scope, []):
            if command.get("type", 1) != 1 or command["name"] in seen:
                continue
            try:
                sb.interactions.check_visible(command, user, channel)
            except AssertionError:
                continue
            seen.add(command["name"])
            entries.extend(_leaves(command, [command["name"]], locale))
    return sorted(entries, key=lambda e: str(e["path"]))


CONTEXT_KINDS = {2: "user", 3: "message"}
"""Application command types shown in the right-click menus: user and message commands."""


def context_commands(sb: Sandbox, user: User, channel: Channel, locale: str) -> Json:
    """List the user and message commands this user can run here, as the right-click menus do."""
    state = sb.state
    scopes: list[int | None] = [None] if channel.guild_id is None else [channel.guild_id, None]
    found: Json = {"user": [], "message": []}
    seen: set[tuple[int, str]] = set()
    for scope in scopes:
        for command in state.commands.get(scope, []):
            kind = command.get("type", 1)
            if kind not in CONTEXT_KINDS or (kind, command["name"]) in seen:
                continue
            try:
                sb.interactions.check_visible(command, user, channel)
            except AssertionError:
                continue
            seen.add((kind, command["name"]))
            found[CONTEXT_KINDS[kind]].append(
                {"name": command["name"], "label": localized(command, "name", locale)}
            )
    for entries in found.values():
        entries.sort(key=lambda e: str(e["label"]).casefold())
    return found


def _leaves(node: Json, path: list[str], locale: str) -> list[Json]:
    options: list[Json] = node.get("options") or []
    nested = [o for o in options if o["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP)]
    if not nested:
        return [
            {
                "path": " ".join(path),
                "description": localized(node, "description", locale),
                "options": [_option(o, locale) for o in options],
            }
        ]
    found: list[Json] = []
    for option in nested:
        found.extend(_leaves(option, [*path, option["name"]], locale))
    return found


def _option(option: Json, locale: str) -> Json:
    result: Json = {
        key: option[key]
        for key in (
            "name",
            "type",
            "required",
            "autocomplete",
            "min_value",
            "max_value",
            "min_length",
            "max_length",
            "channel_types",
        )
        if key in option
    }
    result["label"] = localized(option, "name", locale)
    result["description"] = localized(option, "description", locale)
    if option.get("choices"):
        result["choices"] = [
            {"name": localized(c, "name", locale), "value": c["value"]} for c in option["choices"]
        ]
    return result


def option_definitions(sb: Sandbox, channel: Channel, path: str) -> dict[str, Json]:
    """Return the options of the (sub)command ``path`` by name, as synced."""
    words = path.split()
    node = sb.interactions.find_command(words[0], 1, channel.guild_id)
    for word in words[1:]:
        node = next((o for o in node.get("options") or [] if o["name"] == word), {})
    return {o["name"]: o for o in node.get("options") or []}


def world_view(sb: Sandbox, user: User) -> Json:
    """Everything the page needs besides messages, as ``user`` sees it."""
    state = sb.state
    guild = state.default_guild()
    general = next(
        (state.channels[c] for c in guild.channel_ids if state.channels[c].type == TEXT_CHANNEL),
        None,
    )
    channels = [
        {
            "id": str(c.id),
            "name": c.name,
            "type": c.type,
            "topic": c.topic,
            "thread": c.type in (PUBLIC_THREAD, PRIVATE_THREAD),
        }
        for c in (state.channels[i] for i in guild.channel_ids)
        if c.type in (TEXT_CHANNEL, PUBLIC_THREAD, PRIVATE_THREAD)
    ]
    roles = sorted(
        (r for r in guild.roles.values() if r.id != guild.id and not r.managed),
        key=lambda r: -r.position,
    )
    members = []
    for member in guild.members.values():
        member_user = state.users[member.user_id]
        role_names = [guild.roles[r].name for r in member.roles if r in guild.roles]
        members.append(
            {
                "id": str(member_user.id),
                "username": member_user.username,
                "name": display_name(state, member_user, guild.id),
                "bot": member_user.bot,
                "locale": member_user.locale,
                "roles": [n for n in role_names if n != state.bot_user.username],
            }
        )
    dm_id = state.dm_channels.get(user.id)
    known_dm = state.channels.get(dm_id) if dm_id else None
    dm_channel = known_dm or Channel(id=0, type=DM_CHANNEL)
    return {
        "version": state.version,
        "bot": {"id": str(state.bot_user.id), "name": state.bot_user.username},
        "guild": {"id": str(guild.id), "name": guild.name},
        "me": str(user.id),
        "channels": channels,
        "dm": {"id": str(dm_id) if dm_id else None},
        "members": members,
        "roles": [{"id": str(r.id), "name": r.name} for r in roles],
        "commands": {
            "guild": [] if general is None else leaf_commands(sb, user, general, user.locale),
            "dm": leaf_commands(sb, user, dm_channel, user.locale),
        },
        "context_commands": {
            "guild": {"user": [], "message": []}
            if general is None
            else context_commands(sb, user, general, user.locale),
            "dm": context_commands(sb, user, dm_channel, user.locale),
        },
        "names": {
            "users": {str(u.id): display_name(state, u, guild.id) for u in state.users.values()},
            "roles": {str(r.id): r.name for r in guild.roles.values()},
            "channels": {str(c.id): c.name for c in state.channels.values() if c.name},
        },
    }


def _attachment(attachment: StoredAttachment) -> Json:
    kind = attachment.content_type or ""
    image = kind.startswith("image/") or attachment.filename.lower().endswith(
        (".png", ".jpg", ".jpeg", ".gif", ".webp")
    )
    return {
        "filename": attachment.filename,
        "size": attachment.size,
        "url": urlsplit(attachment.url).path,  # the host:port may differ after a restart
        "content_type": kind or None,
        "image": image,
        "description": attachment.description,
    }


ATTACHMENT_SCHEME = "attachment://"
EMBED_MEDIA = ("image", "thumbnail")


def _embeds(message: StoredMessage) -> tuple[list[Json], set[str]]:
    """Point the embeds' ``attachment://name`` media at the files; return them and those names.

    Discord shows a file an embed refers to inside the embed, not again below the message.
    """
    files = {a.filename: a for a in message.attachments}
    used: set[str] = set()
    embeds: list[Json] = []
    for embed in message.embeds:
        shown = dict(embed)
        for key in EMBED_MEDIA:
            media = embed.get(key)
            if not isinstance(media, dict):
                continue
            url = media.get("url")
            if isinstance(url, str) and url.startswith(ATTACHMENT_SCHEME):
                name = url.removeprefix(ATTACHMENT_SCHEME)
                attachment = files.get(name)
                if attachment is not None:
                    shown[key] = {**media, "url": urlsplit(attachment.url).path}
                    used.add(name)
        embeds.append(shown)
    return embeds, used


def message_view(state: SandboxState, message: StoredMessage) -> Json:
    """One message as the page renders it."""
    author = state.users[message.author_id]
    embeds, in_embeds = _embeds(message)
    result: Json = {
        "id": str(message.id),
        "author": {
            "id": str(author.id),
            "name": display_name(state, author, message.guild_id),
            "bot": author.bot,
        },
        "content": message.content,
        "timestamp": message.timestamp.isoformat(),
        "edited": message.edits > 0,
        "ephemeral": message.ephemeral,
        "loading": bool(message.flags & LOADING),
        "embeds": embeds,
        "components": message.components,
        "components_v2": bool(message.flags & COMPONENTS_V2),
        "attachments": [_attachment(a) for a in message.attachments if a.filename not in in_embeds],
        "interaction": None,
    }
    metadata = message.interaction_metadata
    if metadata is not None:
        user = state.users.get(int(metadata["user"]["id"]))
        result["interaction"] = {
            "user": display_name(state, user, message.guild_id) if user else "someone",
            "command": metadata.get("name"),
        }
    return result


def messages_view(state: SandboxState, channel: Channel | None, viewer: User) -> list[Json]:
    """List the channel's recent messages ``viewer`` can see (their ephemerals included)."""
    if channel is None:
        return []
    ids = state.channel_messages.get(channel.id, [])
    visible = [
        state.messages[i]
        for i in ids
        if not state.messages[i].deleted and state.messages[i].visible_to in (None, viewer.id)
    ]
    return [message_view(state, m) for m in visible[-MESSAGE_LIMIT:]]


def convert_options(
    sb: Sandbox, channel: Channel, path: str, raw: dict[str, Any], focused: str | None = None
) -> dict[str, Any]:
    """Turn the page's form values (text) into what the driver takes for each option type."""
    definitions = option_definitions(sb, channel, path)
    values: dict[str, Any] = {}
    for name, value in raw.items():
        if (value is None or value == "") and name != focused:
            continue  # an empty focused option is still sent: Discord asks on focus
        kind = definitions.get(name, {}).get("type")
        if name == focused or kind is None:
            values[name] = "" if value is None else value
        elif kind == 5:  # boolean
            values[name] = value if isinstance(value, bool) else str(value).lower() == "true"
        elif kind in (6, 7, 8) and str(value).isdigit():  # user, channel, role by id
            values[name] = int(value)
        elif kind == 9 and str(value).isdigit():  # mentionable: a user or a role
            user = sb.state.users.get(int(value))
            values[name] = user if user is not None else int(value)
        elif kind == 11 and isinstance(value, dict):  # attachment: {filename, data (base64)}
            values[name] = (str(value["filename"]), base64.b64decode(value["data"]))
        else:
            values[name] = value
    return values
