"""What the bot knows of a person: their zone and language, falling back to the server's."""

from __future__ import annotations

from datetime import datetime

from bot.db import Database, Reader
from bot.refusal import Refusal
from bot.settings import Settings
from bot.storage.guild_config import GuildConfig, get_config
from bot.storage.user_prefs import UserPrefs, get_prefs, set_language, set_timezone
from bot.texts import catalogue

_default_zone = Settings.model_fields["default_timezone"].default
"""The `DEFAULT_TIMEZONE` setting, which the bot sets when it starts (`use_default_zone`)."""


def use_default_zone(zone: str) -> None:
    """Make `zone` the one for people and servers that chose none (`DEFAULT_TIMEZONE`)."""
    global _default_zone  # one setting for the process, set once at start
    _default_zone = zone


def effective_zone(*chosen: str | None) -> str:
    """Return the first zone chosen (the person's, then the server's), else `DEFAULT_TIMEZONE`.

    Every fallback to a zone goes through here: planning, digests, statistics, scheduling.
    """
    return next((zone for zone in chosen if zone), _default_zone)


async def zone_of(db: Reader, user_id: int, guild_id: int | None) -> str | None:
    """Return the person's own zone, else their server's default, else None."""
    prefs = await get_prefs(db, user_id)
    if prefs.timezone:
        return prefs.timezone
    if guild_id is not None:
        config = await get_config(db, guild_id)
        return config.default_timezone
    return None


async def zone_for(db: Reader, user_id: int, guild_id: int | None) -> str:
    """Return the zone a person's times are read and planned in (see `effective_zone`)."""
    return effective_zone(await zone_of(db, user_id, guild_id))


async def reader_locale(db: Reader, user_id: int, guild_id: int | None) -> str | None:
    """Return the language to write to a person in, known before they ever use a command.

    The language they chose (or their mentor chose for them at `/student add`), else the one
    their Discord client was last seen in, else their server's.
    """
    prefs = await get_prefs(db, user_id)
    if prefs.language or prefs.locale or guild_id is None:
        return locale_of(prefs, None)
    return locale_of(prefs, await get_config(db, guild_id))


def locale_of(prefs: UserPrefs, config: GuildConfig | None) -> str | None:
    """Return `reader_locale`'s answer from what was already read (`config`: their server's)."""
    return prefs.language or prefs.locale or (config.locale if config is not None else None)


def known_languages() -> list[str]:
    """Return the languages a person may choose: the folders of the catalogue."""
    return catalogue().languages


def language_name(language: str) -> str:
    """Return a language's own name ("English", "Français") for a choice label.

    The catalogue names its languages (`moderation.language_<code>`, in that language); Babel
    names a folder just added. The command options ask at start, and Babel's locale data
    would stay in memory for them.
    """
    own = catalogue().raw(f"moderation.language_{language}", language)
    if own is not None:
        return own
    import babel  # a language the catalogue does not name yet

    try:
        name = babel.Locale.parse(language).get_display_name(language) or language
    except (babel.UnknownLocaleError, ValueError):
        return language
    return name[:1].upper() + name[1:]


async def choose_language(
    db: Database, user_id: int, language: str, *, by_self: bool, now: datetime
) -> bool:
    """Record a person's language (one of the catalogue's); a mentor's never replaces theirs."""
    if language not in known_languages():
        raise Refusal("people.unknown_language", language=language[:20])
    return await set_language(db, user_id, language, by_self, now)


async def own_zone(db: Reader, user_id: int) -> str | None:
    """Return the time zone a person chose, None when they chose none."""
    return (await get_prefs(db, user_id)).timezone


async def choose_zone(db: Database, user_id: int, zone: str, now: datetime) -> None:
    """Remember a person's time zone (a canonical zone name)."""
    await set_timezone(db, user_id, zone, now)
