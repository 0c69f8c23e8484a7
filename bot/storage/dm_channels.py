"""The DM channel the bot opened with each person."""

from __future__ import annotations

from datetime import datetime

from bot.clock import iso
from bot.db import Database


async def dm_channel_of(db: Database, user_id: int) -> int | None:
    """Return the known DM channel id with a person, if any."""
    row = await db.fetch_one("SELECT channel_id FROM dm_channels WHERE user_id = ?", (user_id,))
    return None if row is None else int(row["channel_id"])


async def remember_dm_channel(db: Database, user_id: int, channel_id: int, now: datetime) -> None:
    """Remember the DM channel opened with a person."""
    async with db.transaction() as tx:
        await tx.execute(
            "INSERT INTO dm_channels (user_id, channel_id, created_at) VALUES (?, ?, ?) "
            "ON CONFLICT (user_id) DO UPDATE SET channel_id = excluded.channel_id",
            (user_id, channel_id, iso(now)),
        )
