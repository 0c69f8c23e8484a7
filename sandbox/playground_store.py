"""Keep the playground's world in a JSON file so ids, DMs and messages survive restarts."""

from __future__ import annotations

import base64
import json
import logging
import os
import types
import typing
from dataclasses import asdict, fields, is_dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sandbox.models import (
    DM_CHANNEL,
    Channel,
    Guild,
    Json,
    Member,
    Role,
    StoredAttachment,
    StoredMessage,
    User,
)
from sandbox.state import SandboxState

log = logging.getLogger(__name__)

FORMAT = 1
MESSAGE_TIMES = ("timestamp", "edited_timestamp")


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _parse_time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def _attachment(attachment: StoredAttachment) -> Json:
    data = asdict(attachment)
    data["data"] = base64.b64encode(attachment.data).decode("ascii")
    return data


def _message(message: StoredMessage) -> Json:
    data = {f.name: getattr(message, f.name) for f in fields(message)}
    data["attachments"] = [_attachment(a) for a in message.attachments]
    for key in MESSAGE_TIMES:
        data[key] = _time(data[key])
    return data


def _guild(guild: Guild) -> Json:
    return {
        "id": guild.id,
        "name": guild.name,
        "owner_id": guild.owner_id,
        "locale": guild.locale,
        "roles": [asdict(r) for r in guild.roles.values()],
        "channel_ids": list(guild.channel_ids),
        "members": [{**asdict(m), "joined_at": _time(m.joined_at)} for m in guild.members.values()],
    }


def dump_state(state: SandboxState, clock_offset: timedelta) -> Json:
    """Return the world as plain JSON data (interactions and tokens are left out)."""
    return {
        "format": FORMAT,
        "clock_offset_seconds": clock_offset.total_seconds(),
        "bot_user_id": state.bot_user.id,
        "users": [asdict(u) for u in state.users.values()],
        "guilds": [_guild(g) for g in state.guilds.values()],
        "channels": [asdict(c) for c in state.channels.values()],
        "messages": [_message(state.messages[i]) for i in sorted(state.messages)],
        "commands": [
            {"scope": scope, "commands": commands} for scope, commands in state.commands.items()
        ],
        "command_ids": [[*key, value] for key, value in state.command_ids.items()],
    }


def save_state(path: Path, state: SandboxState, clock_offset: timedelta) -> None:
    """Write the world to ``path`` atomically (a temporary file, then a rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(dump_state(state, clock_offset), indent=1), encoding="utf-8")
    os.replace(temporary, path)


class UnreadableWorld(Exception):
    """The state file exists but does not hold a world this playground can load."""


def read_saved(path: Path) -> Json | None:
    """Return the saved world, or None when there is none; raise when it cannot be read."""
    if not path.exists():
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise UnreadableWorld(f"cannot read it ({error})") from error
    if not text.strip():
        raise UnreadableWorld("it is empty")
    try:
        data: Any = json.loads(text)
    except ValueError as error:
        raise UnreadableWorld(f"it is not valid JSON ({error})") from error
    if not isinstance(data, dict):
        raise UnreadableWorld(f"it holds a JSON {type(data).__name__}, not an object")
    if data.get("format") != FORMAT:
        raise UnreadableWorld(f"unknown format {data.get('format')!r} (expected {FORMAT})")
    return data


def keep_aside(path: Path, now: datetime | None = None) -> Path:
    """Rename an unreadable state file next to itself with a timestamp; return the new path."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.broken-{stamp}")
    counter = 1
    while target.exists():
        counter += 1
        target = path.with_name(f"{path.name}.broken-{stamp}-{counter}")
    os.replace(path, target)
    return target


def _check_type(value: Any, hint: Any, where: str) -> None:
    """Raise ``TypeError`` unless ``value`` matches the (simple) annotation ``hint``."""
    origin = typing.get_origin(hint)
    if hint is Any:
        return
    if origin in (typing.Union, types.UnionType):
        _check_union(value, hint, where)
    elif hint is type(None):
        if value is not None:
            raise TypeError(f"{where} should be null")
    elif origin is list:
        _check_list(value, hint, where)
    elif origin is dict:
        _check_dict(value, hint, where)
    elif is_dataclass(hint):
        _check_record(value, where)
    elif isinstance(hint, type):
        _check_plain(value, hint, where)


def _check_union(value: Any, hint: Any, where: str) -> None:
    """``value`` matches one of the union's options (else the first option's error)."""
    errors = []
    for option in typing.get_args(hint):
        try:
            _check_type(value, option, where)
        except TypeError as error:
            errors.append(error)
        else:
            return
    raise errors[0]


def _check_list(value: Any, hint: Any, where: str) -> None:
    """Check a list: its every item matches the item type."""
    if not isinstance(value, list):
        raise TypeError(f"{where} should be a list")
    (item,) = typing.get_args(hint)
    for index, element in enumerate(value):
        _check_type(element, item, f"{where}[{index}]")


def _check_dict(value: Any, hint: Any, where: str) -> None:
    """Check an object: its keys and values match the key and value types."""
    if not isinstance(value, dict):
        raise TypeError(f"{where} should be an object")
    key_hint, value_hint = typing.get_args(hint)
    for key, element in value.items():
        _check_type(key, key_hint, f"{where} key")
        _check_type(element, value_hint, f"{where}[{key!r}]")


def _check_plain(value: Any, hint: type, where: str) -> None:
    """Check an instance of a plain class (no booleans for numbers; an int is a float)."""
    if hint in (int, float) and isinstance(value, bool):
        raise TypeError(f"{where} should be a number, not {value!r}")
    if hint is float and isinstance(value, int):
        return
    if not isinstance(value, hint):
        raise TypeError(f"{where} should be {hint.__name__}, not {type(value).__name__}")


def _check_record(record: Any, where: str) -> None:
    """Check every field of a loaded dataclass against its annotation."""
    hints = typing.get_type_hints(type(record))
    for item in fields(record):
        _check_type(getattr(record, item.name), hints[item.name], f"{where}.{item.name}")


def check_world(state: SandboxState) -> None:
    """Raise ``TypeError``/``KeyError`` when a loaded world is ill-typed or refers to nothing."""
    for user in state.users.values():
        _check_record(user, f"user {user.id!r}")
    for channel in state.channels.values():
        _check_record(channel, f"channel {channel.id!r}")
        if channel.guild_id is not None and channel.guild_id not in state.guilds:
            raise KeyError(f"channel {channel.id} is in unknown guild {channel.guild_id}")
    for guild in state.guilds.values():
        _check_guild(state, guild)
    for message in state.messages.values():
        _check_record(message, f"message {message.id!r}")
        if message.channel_id not in state.channels or message.author_id not in state.users:
            raise KeyError(f"message {message.id} has an unknown channel or author")
    for scope, commands in state.commands.items():
        _check_type(scope, int | None, "command scope")
        _check_type(commands, list[dict[str, Any]], f"commands of {scope}")
    if not state.guilds:
        raise KeyError("the world has no guild")


def _check_guild(state: SandboxState, guild: Guild) -> None:
    """Check a loaded guild: well typed, its channels and members known."""
    _check_record(guild, f"guild {guild.id!r}")
    for channel_id in guild.channel_ids:
        if channel_id not in state.channels:
            raise KeyError(f"guild {guild.id} lists unknown channel {channel_id}")
    for member in guild.members.values():
        if member.user_id not in state.users:
            raise KeyError(f"guild {guild.id} has unknown member {member.user_id}")


def saved_offset(data: Json) -> timedelta:
    """Read the world clock's offset when the world was saved."""
    seconds = data.get("clock_offset_seconds") or 0
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        raise TypeError("clock_offset_seconds should be a number")
    return timedelta(seconds=float(seconds))


def load_state(state: SandboxState, data: Json) -> Guild:
    """Replace the world in ``state`` (a fresh one) with saved ``data``; return the main guild."""
    state.users = {u["id"]: User(**u) for u in data["users"]}
    state.bot_user = state.users[data["bot_user_id"]]
    state.application_id = state.bot_user.id
    state.guilds = {}
    for raw in data["guilds"]:
        guild = Guild(
            id=raw["id"],
            name=raw["name"],
            owner_id=raw["owner_id"],
            locale=raw["locale"],
            channel_ids=list(raw["channel_ids"]),
        )
        guild.roles = {r["id"]: Role(**r) for r in raw["roles"]}
        for m in raw["members"]:
            joined = _parse_time(m["joined_at"])
            assert joined is not None
            guild.members[m["user_id"]] = Member(**{**m, "joined_at": joined})
        state.guilds[guild.id] = guild
    state.channels = {c["id"]: Channel(**c) for c in data["channels"]}
    state.channel_messages = {c: [] for c in state.channels}
    state.dm_channels = {
        c.recipient_id: c.id
        for c in state.channels.values()
        if c.type == DM_CHANNEL and c.recipient_id is not None
    }
    state.messages = {}
    state.attachments = {}
    for raw in data["messages"]:
        attachments = [
            StoredAttachment(**{**a, "data": base64.b64decode(a["data"])})
            for a in raw["attachments"]
        ]
        times = {key: _parse_time(raw[key]) for key in MESSAGE_TIMES}
        message = StoredMessage(**{**raw, **times, "attachments": attachments})
        state.messages[message.id] = message
        state.channel_messages.setdefault(message.channel_id, []).append(message.id)
        for attachment in attachments:
            state.attachments[attachment.id] = attachment
    state.commands = {entry["scope"]: entry["commands"] for entry in data.get("commands", [])}
    state.command_ids = {
        (scope, kind, name): value for scope, kind, name, value in data.get("command_ids", [])
    }
    check_world(state)
    state.notify()
    return next(iter(state.guilds.values()))
