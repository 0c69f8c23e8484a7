"""The playground's world file: kept aside when damaged, and the bot's database with it.

A damaged one is kept aside and a fresh world starts with a fresh bot database; a missing one
resets the bot's database too.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sandbox.launcher import start_playground

Mutation = Callable[[dict[str, Any]], Any]


def files(folder: Path, pattern: str) -> list[Path]:
    """The files of ``folder`` matching ``pattern``, sorted."""
    return sorted(folder.glob(pattern))


def read_json(path: Path) -> dict[str, Any]:
    """The JSON object saved in ``path``."""
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


async def saved_world(path: Path) -> dict[str, Any]:
    """Let the playground write a real world file (with a message) and return its data."""
    async with start_playground("127.0.0.1", 0, path) as playground:
        await playground.sandbox.persona("sam").say("hello")
    return read_json(path)


def first(key: str, mutate: Callable[[dict[str, Any]], None]) -> Mutation:
    """Change the first record of ``data[key]``."""

    def change(data: dict[str, Any]) -> dict[str, Any]:
        mutate(data[key][0])
        return data

    return change


def without(key: str) -> Mutation:
    def change(data: dict[str, Any]) -> dict[str, Any]:
        del data[key]
        return data

    return change


def setting(key: str, value: Any) -> Mutation:
    def change(data: dict[str, Any]) -> dict[str, Any]:
        data[key] = value
        return data

    return change


def message_with(key: str, value: Any) -> Mutation:
    def change(data: dict[str, Any]) -> dict[str, Any]:
        message = next(m for m in data["messages"] if m["content"] == "hello")
        message[key] = value
        return data

    return change


def guild_lists_a_missing_channel(data: dict[str, Any]) -> dict[str, Any]:
    data["guilds"][0]["channel_ids"].append(123)
    return data


def member_of_nobody(data: dict[str, Any]) -> dict[str, Any]:
    data["guilds"][0]["members"][0]["user_id"] = 424242
    return data


# Each variant turns a good world (parsed JSON) into the bytes of a damaged file.
VARIANTS: dict[str, Callable[[dict[str, Any]], bytes]] = {
    "empty file": lambda data: b"",
    "only whitespace": lambda data: b"  \n",
    "truncated JSON": lambda data: json.dumps(data).encode()[: len(json.dumps(data)) // 2],
    "not UTF-8": lambda data: b"\xff\xfe{\x00",
    "a JSON list": lambda data: b"[]",
    "a JSON string": lambda data: b'"world"',
    "JSON null": lambda data: b"null",
    "unknown format": lambda data: json.dumps({**data, "format": 99}).encode(),
}
MUTATIONS: dict[str, Mutation] = {
    "no users": without("users"),
    "no guilds": without("guilds"),
    "no channels": without("channels"),
    "no messages": without("messages"),
    "no bot user id": without("bot_user_id"),
    "an empty guild list": setting("guilds", []),
    "users as an object": setting("users", {}),
    "users as a string": setting("users", "sam"),
    "a user id as text": first("users", lambda u: u.update(id="abc")),
    "a username as a number": first("users", lambda u: u.update(username=7)),
    "a user with an unknown key": first("users", lambda u: u.update(colour="blue")),
    "a channel without id": first("channels", lambda c: c.pop("id")),
    "channel ids as text": first("guilds", lambda g: g.update(channel_ids="general")),
    "a member with no join date": first("guilds", lambda g: g["members"][0].update(joined_at=None)),
    "a guild listing a missing channel": guild_lists_a_missing_channel,
    "a member who is nobody": member_of_nobody,
    "a message timestamp as a number": message_with("timestamp", 5),
    "a message date that is no date": message_with("timestamp", "yesterday"),
    "a message in no channel": message_with("channel_id", 99),
    "attachments as text": message_with("attachments", "file.png"),
    "a clock offset as text": setting("clock_offset_seconds", "soon"),
    "a clock offset too large": setting("clock_offset_seconds", 1e300),
    "commands as a number": setting("commands", 3),
    "bot user id unknown": setting("bot_user_id", 1),
}
for name, mutation in MUTATIONS.items():
    VARIANTS[name] = lambda data, mutation=mutation: json.dumps(mutation(data)).encode()  # type: ignore[misc]


@pytest.mark.parametrize("variant", sorted(VARIANTS))
async def test_a_damaged_world_is_kept_aside_and_a_fresh_world_starts(
    variant: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "world.json"
    good = await saved_world(path)
    damaged = VARIANTS[variant](json.loads(json.dumps(good)))
    path.write_bytes(damaged)
    database = tmp_path / "mentor-coach.db"
    database.write_bytes(b"the old bot database")
    caplog.set_level(logging.INFO, logger="sandbox.launcher")

    async with start_playground("127.0.0.1", 0, path, database_path=database) as playground:
        assert playground.fresh
        sb = playground.sandbox
        assert sb.guild is not None
        assert sb.channel("general").messages == []  # a fresh world, not a half-loaded one
        assert sb.persona("sam").id != 0

    kept = files(tmp_path, "world.json.broken-*")
    assert len(kept) == 1, kept
    assert kept[0].read_bytes() == damaged  # the damaged file is kept, byte for byte
    assert read_json(path)["format"] == 1  # a fresh world is saved
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    told = [r.getMessage() for r in warnings if "unusable" in r.getMessage()]
    assert len(told) == 1, [r.getMessage() for r in warnings]
    assert kept[0].name in told[0]
    assert "started a fresh world" in told[0]
    assert not [r for r in caplog.records if r.exc_info]  # one clear line, no traceback
    assert not database.exists()  # the bot starts with a fresh database too...
    (moved,) = files(tmp_path, "mentor-coach.db.previous-world-*")
    assert moved.read_bytes() == b"the old bot database"  # ...and the old one is kept


async def test_a_good_world_keeps_the_bot_database(tmp_path: Path) -> None:
    path = tmp_path / "world.json"
    await saved_world(path)
    database = tmp_path / "mentor-coach.db"
    database.write_bytes(b"the bot database")
    async with start_playground("127.0.0.1", 0, path, database_path=database) as playground:
        assert not playground.fresh
        assert [m.content for m in playground.sandbox.channel("general").messages] == ["hello"]
    assert database.read_bytes() == b"the bot database"
    assert not files(tmp_path, "*.broken-*")
    assert not files(tmp_path, "*.previous-world-*")


async def test_deleting_the_world_file_resets_the_bot_database_with_its_wal(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "world.json"
    database = tmp_path / "mentor-coach.db"
    for suffix in ("", "-wal", "-shm"):
        database.with_name(database.name + suffix).write_bytes(suffix.encode() or b"main")
    caplog.set_level(logging.INFO, logger="sandbox.launcher")
    async with start_playground("127.0.0.1", 0, path, database_path=database) as playground:
        assert playground.fresh
    assert not database.exists()
    assert not database.with_name("mentor-coach.db-wal").exists()
    moved = sorted(p.name for p in files(tmp_path, "mentor-coach.db.previous-world-*"))
    assert len(moved) == 3
    assert [n.rsplit("Z", 1)[1] for n in moved] == ["", "-shm", "-wal"]
    assert any("was kept as" in r.getMessage() for r in caplog.records)
