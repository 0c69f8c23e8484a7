"""What the bot knows of a person: their zone and language, falling back to the server's."""

from __future__ import annotations

from bot.db import Reader
from bot.storage.guild_config import get_config
from bot.storage.user_prefs import get_prefs


async def zone_of(db: Reader, user_id: int, guild_id: int | None) -> str | None:
    """Return the person's own zone, else their server's default, else None."""
    prefs = await get_prefs(db, user_id)
    if prefs.timezone:
        return prefs.timezone
    if guild_id is not None:
        config = await get_config(db, guild_id)
        return config.default_timezone
    return None


async def reader_locale(db: Reader, user_id: int, guild_id: int | None) -> str | None:
    """Return the language to write to a person in: theirs as last seen, else their server's."""
    prefs = await get_prefs(db, user_id)
    if prefs.locale:
        return prefs.locale
    if guild_id is not None:
        return (await get_config(db, guild_id)).locale
    return None
