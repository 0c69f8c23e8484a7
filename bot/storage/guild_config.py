"""Per-server configuration."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.clock import iso
from bot.db import Database, Reader


@dataclass(frozen=True)
class GuildConfig:
    """What a server's moderators chose."""

    guild_id: int
    default_timezone: str | None
    locale: str | None
    reminders_channel_id: int | None


async def get_config(db: Reader, guild_id: int) -> GuildConfig:
    """Return a server's configuration (empty when never configured)."""
    row = await db.fetch_one(
        "SELECT guild_id, default_timezone, locale, reminders_channel_id FROM guild_config "
        "WHERE guild_id = ?",
        (guild_id,),
    )
    if row is None:
        return GuildConfig(
            guild_id=guild_id, default_timezone=None, locale=None, reminders_channel_id=None
        )
    return GuildConfig(
        guild_id=row["guild_id"],
        default_timezone=row["default_timezone"],
        locale=row["locale"],
        reminders_channel_id=row["reminders_channel_id"],
    )


async def set_reminders_channel(
    db: Database, guild_id: int, channel_id: int | None, now: datetime
) -> None:
    """Choose the channel where reminders go when a person's DMs are closed."""
    async with db.transaction() as tx:
        await tx.execute(
            "INSERT INTO guild_config (guild_id, reminders_channel_id, updated_at) "
            "VALUES (?, ?, ?) ON CONFLICT (guild_id) DO UPDATE SET "
            "reminders_channel_id = excluded.reminders_channel_id, "
            "updated_at = excluded.updated_at",
            (guild_id, channel_id, iso(now)),
        )
