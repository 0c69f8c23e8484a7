"""Per-server configuration."""

from __future__ import annotations

from dataclasses import dataclass

from bot.db import Reader


@dataclass(frozen=True)
class GuildConfig:
    """What a server's moderators chose."""

    guild_id: int
    default_timezone: str | None
    locale: str | None


async def get_config(db: Reader, guild_id: int) -> GuildConfig:
    """Return a server's configuration (empty when never configured)."""
    row = await db.fetch_one(
        "SELECT guild_id, default_timezone, locale FROM guild_config WHERE guild_id = ?",
        (guild_id,),
    )
    if row is None:
        return GuildConfig(guild_id=guild_id, default_timezone=None, locale=None)
    return GuildConfig(
        guild_id=row["guild_id"], default_timezone=row["default_timezone"], locale=row["locale"]
    )
