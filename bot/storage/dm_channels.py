"""The DM channel the bot opened with each person."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from bot.clock import iso
from bot.db import Database, Reader


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


async def dm_channels_of(db: Reader, user_ids: Collection[int]) -> dict[int, int]:
    """Return the known DM channel of each of these people who has one, in one read."""
    if not user_ids:
        return {}
    marks = ", ".join("?" for _ in user_ids)
    rows = await db.fetch_all(
        f"SELECT user_id, channel_id FROM dm_channels WHERE user_id IN ({marks})", list(user_ids)
    )
    return {int(row["user_id"]): int(row["channel_id"]) for row in rows}
