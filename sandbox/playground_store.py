"""Keep the playground's world in a JSON file so ids, DMs and messages survive restarts."""

from __future__ import annotations

import base64
import json
import logging
import os
from dataclasses import asdict, fields
from datetime import datetime, timedelta
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


def set_aside(path: Path, reason: str) -> Path | None:
    """Keep an unusable world file next to where it was (never overwrite it); say so in one
    clear line. Return where it went (None if it could not be moved)."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    kept = path.with_name(f"{path.name}.broken-{stamp}")
    number = 1
    while kept.exists():
        number += 1
        kept = path.with_name(f"{path.name}.broken-{stamp}-{number}")
    try:
        os.replace(path, kept)
    except OSError as error:
        log.warning(
            "playground: %s is unusable (%s) and could not be set aside (%s); starting a fresh "
            "world in memory",
            path,
            reason,
            error,
        )
        return None
    log.warning(
        "playground: %s is unusable (%s); kept it as %s and started a fresh world",
        path,
        reason,
        kept,
    )
    return kept


def read_saved(path: Path) -> Json | None:
    """Return the saved world, or None when there is none (an unreadable one is set aside)."""
    if not path.exists():
        return None
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        set_aside(path, f"not readable JSON: {error}")
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        set_aside(path, "not a playground world (unknown format)")
        return None
    return data


def saved_offset(data: Json) -> timedelta:
    """The world clock's offset when the world was saved."""
    return timedelta(seconds=float(data.get("clock_offset_seconds") or 0))


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
    state.notify()
    return next(iter(state.guilds.values()))
