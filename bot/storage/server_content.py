"""A server's own feedback templates and prep checklists, and the built-ins it hides."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

import aiosqlite

from bot.clock import from_iso, iso
from bot.db import Reader, Transaction

CONTENT_KINDS: Final = ("template", "checklist")
SOURCE_MAX: Final = 4000
"""The longest TOML text stored: what one modal text input holds, so edit can show it."""

_COLUMNS = "guild_id, kind, key, title, source, created_at, updated_at, updated_by"


@dataclass(frozen=True)
class ServerEntry:
    """One template or checklist a server wrote, as checked TOML text."""

    guild_id: int
    kind: str
    key: str
    title: str
    source: str
    created_at: datetime
    updated_at: datetime
    updated_by: int | None


def _row_to_entry(row: aiosqlite.Row) -> ServerEntry:
    return ServerEntry(
        guild_id=int(row["guild_id"]),
        kind=str(row["kind"]),
        key=str(row["key"]),
        title=str(row["title"]),
        source=str(row["source"]),
        created_at=from_iso(row["created_at"]),
        updated_at=from_iso(row["updated_at"]),
        updated_by=None if row["updated_by"] is None else int(row["updated_by"]),
    )


async def get_entry(db: Reader, guild_id: int, kind: str, key: str) -> ServerEntry | None:
    """Return a server's own template or checklist, if it has one with this key."""
    row = await db.fetch_one(
        f"SELECT {_COLUMNS} FROM server_content WHERE guild_id = ? AND kind = ? AND key = ?",
        (guild_id, kind, key),
    )
    return None if row is None else _row_to_entry(row)


async def entries_of(db: Reader, guild_id: int, kind: str) -> list[ServerEntry]:
    """Return a server's own templates or checklists, by title."""
    rows = await db.fetch_all(
        f"SELECT {_COLUMNS} FROM server_content WHERE guild_id = ? AND kind = ? "
        "ORDER BY title COLLATE NOCASE, key",
        (guild_id, kind),
    )
    return [_row_to_entry(row) for row in rows]


async def insert_entry(
    tx: Transaction,
    guild_id: int,
    kind: str,
    key: str,
    title: str,
    source: str,
    actor_id: int,
    now: datetime,
) -> bool:
    """Store a new entry; return False (storing nothing) when the key is taken."""
    return (
        await tx.changes(
            "INSERT INTO server_content (guild_id, kind, key, title, source, created_at, "
            "updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (guild_id, kind, key) DO NOTHING",
            (guild_id, kind, key, title, source, iso(now), iso(now), actor_id),
        )
        > 0
    )


async def update_entry(
    tx: Transaction,
    guild_id: int,
    kind: str,
    key: str,
    title: str,
    source: str,
    actor_id: int,
    now: datetime,
) -> bool:
    """Replace an entry's text and title; return False when there is no such entry."""
    return (
        await tx.changes(
            "UPDATE server_content SET title = ?, source = ?, updated_at = ?, updated_by = ? "
            "WHERE guild_id = ? AND kind = ? AND key = ?",
            (title, source, iso(now), actor_id, guild_id, kind, key),
        )
        > 0
    )


async def delete_entry(tx: Transaction, guild_id: int, kind: str, key: str) -> bool:
    """Delete an entry; return whether there was one."""
    return (
        await tx.changes(
            "DELETE FROM server_content WHERE guild_id = ? AND kind = ? AND key = ?",
            (guild_id, kind, key),
        )
        > 0
    )


async def hidden_keys(db: Reader, guild_id: int, kind: str) -> set[str]:
    """Return the built-in templates or checklists a server hides."""
    rows = await db.fetch_all(
        "SELECT key FROM hidden_built_ins WHERE guild_id = ? AND kind = ?", (guild_id, kind)
    )
    return {str(row[0]) for row in rows}


async def is_hidden(db: Reader, guild_id: int, kind: str, key: str) -> bool:
    """Return whether a server hides one built-in template or checklist."""
    row = await db.fetch_one(
        "SELECT 1 FROM hidden_built_ins WHERE guild_id = ? AND kind = ? AND key = ?",
        (guild_id, kind, key),
    )
    return row is not None


async def set_hidden(
    tx: Transaction,
    guild_id: int,
    kind: str,
    key: str,
    hidden: bool,
    actor_id: int,
    now: datetime,
) -> bool:
    """Hide or show a built-in for a server; return whether that changed anything."""
    if hidden:
        changed = await tx.changes(
            "INSERT INTO hidden_built_ins (guild_id, kind, key, hidden_at, hidden_by) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (guild_id, kind, key) DO NOTHING",
            (guild_id, kind, key, iso(now), actor_id),
        )
    else:
        changed = await tx.changes(
            "DELETE FROM hidden_built_ins WHERE guild_id = ? AND kind = ? AND key = ?",
            (guild_id, kind, key),
        )
    return changed > 0
