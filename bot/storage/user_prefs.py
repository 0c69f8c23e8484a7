"""People's own preferences (time zone, language)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.clock import iso
from bot.db import Database, Reader


@dataclass(frozen=True)
class UserPrefs:
    """What a person chose for themselves."""

    user_id: int
    timezone: str | None
    locale: str | None
    language: str | None = None
    """The language chosen for them (by themselves, or by their mentor until they choose)."""
    language_by_self: bool = False


async def get_prefs(db: Reader, user_id: int) -> UserPrefs:
    """Return a person's preferences (empty ones when they never set any)."""
    row = await db.fetch_one(
        "SELECT user_id, timezone, locale, language, language_by_self FROM user_prefs "
        "WHERE user_id = ?",
        (user_id,),
    )
    if row is None:
        return UserPrefs(user_id=user_id, timezone=None, locale=None)
    return _row_to_prefs(row)


def _row_to_prefs(row: aiosqlite.Row) -> UserPrefs:
    return UserPrefs(
        user_id=row["user_id"],
        timezone=row["timezone"],
        locale=row["locale"],
        language=row["language"],
        language_by_self=bool(row["language_by_self"]),
    )


async def prefs_of(db: Reader, user_ids: Collection[int]) -> dict[int, UserPrefs]:
    """Return several people's preferences (empty ones for those who never set any), one read."""
    found: dict[int, UserPrefs] = {}
    if user_ids:
        marks = ", ".join("?" for _ in user_ids)
        rows = await db.fetch_all(
            "SELECT user_id, timezone, locale, language, language_by_self FROM user_prefs "
            f"WHERE user_id IN ({marks})",
            list(user_ids),
        )
        found = {int(row["user_id"]): _row_to_prefs(row) for row in rows}
    return {
        user_id: found.get(user_id) or UserPrefs(user_id=user_id, timezone=None, locale=None)
        for user_id in user_ids
    }


async def set_timezone(db: Database, user_id: int, zone: str, now: datetime) -> None:
    """Record a person's time zone."""
    async with db.transaction() as tx:
        await tx.execute(
            "INSERT INTO user_prefs (user_id, timezone, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (user_id) DO UPDATE SET timezone = excluded.timezone, "
            "updated_at = excluded.updated_at",
            (user_id, zone, iso(now)),
        )


async def remember_locale(db: Database, user_id: int, locale: str, now: datetime) -> None:
    """Record the language a person's Discord client uses."""
    async with db.transaction() as tx:
        await tx.execute(
            "INSERT INTO user_prefs (user_id, locale, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (user_id) DO UPDATE SET locale = excluded.locale, "
            "updated_at = excluded.updated_at",
            (user_id, locale, iso(now)),
        )


async def set_language(
    db: Database, user_id: int, language: str | None, by_self: bool, now: datetime
) -> bool:
    """Record the language chosen for a person; return whether it was stored.

    A mentor's choice (`by_self=False`) never replaces one the person made themselves.
    """
    async with db.transaction() as tx:
        changed = await tx.changes(
            "INSERT INTO user_prefs (user_id, language, language_by_self, updated_at) "
            "VALUES (?, ?, ?, ?) "
            "ON CONFLICT (user_id) DO UPDATE SET language = excluded.language, "
            "language_by_self = excluded.language_by_self, updated_at = excluded.updated_at "
            "WHERE excluded.language_by_self = 1 OR user_prefs.language_by_self = 0",
            (user_id, language, int(by_self), iso(now)),
        )
        return changed > 0
