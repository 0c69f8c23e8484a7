"""Per-server configuration."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Final

import aiosqlite

from bot.clock import iso
from bot.db import Database, Reader, Transaction

SETTINGS: Final = (
    "reminders_channel_id",
    "log_channel_id",
    "mentor_role_id",
    "student_role_id",
    "lead_role_id",
    "default_timezone",
    "locale",
    "student_leads",
    "review_lead_hours",
)
"""The columns a moderator may change, in the order `/config show` lists them."""

_COLUMNS = "guild_id, " + ", ".join(SETTINGS)

SettingValue = int | str | None


@dataclass(frozen=True)
class GuildConfig:
    """What a server's moderators chose (None: not chosen)."""

    guild_id: int
    default_timezone: str | None
    locale: str | None
    reminders_channel_id: int | None
    log_channel_id: int | None = None
    mentor_role_id: int | None = None
    student_role_id: int | None = None
    lead_role_id: int | None = None
    student_leads: str | None = None
    review_lead_hours: int | None = None

    def value(self, setting: str) -> SettingValue:
        """Return one setting by its column name."""
        if setting not in SETTINGS:
            raise KeyError(setting)
        value: SettingValue = getattr(self, setting)
        return value


def _row_to_config(row: aiosqlite.Row) -> GuildConfig:
    return GuildConfig(**{name: row[name] for name in ("guild_id", *SETTINGS)})


async def get_config(db: Reader, guild_id: int) -> GuildConfig:
    """Return a server's configuration (empty when never configured)."""
    row = await db.fetch_one(f"SELECT {_COLUMNS} FROM guild_config WHERE guild_id = ?", (guild_id,))
    if row is None:
        return GuildConfig(
            guild_id=guild_id, default_timezone=None, locale=None, reminders_channel_id=None
        )
    return _row_to_config(row)


async def set_reminders_channel(
    db: Database, guild_id: int, channel_id: int | None, now: datetime
) -> None:
    """Choose the channel where reminders go when a person's DMs are closed."""
    async with db.transaction() as tx:
        await update_settings(tx, guild_id, {"reminders_channel_id": channel_id}, now)


async def update_settings(
    tx: Transaction,
    guild_id: int,
    changes: Mapping[str, SettingValue],
    now: datetime,
    *,
    actor_id: int | None = None,
) -> None:
    """Store some settings of a server, creating its row when needed."""
    unknown = set(changes) - set(SETTINGS)
    if unknown:
        raise KeyError(f"not settings: {sorted(unknown)}")
    if not changes:
        return
    columns = list(changes)
    assignments = ", ".join(f"{column} = excluded.{column}" for column in columns)
    await tx.execute(
        f"INSERT INTO guild_config (guild_id, {', '.join(columns)}, updated_by, updated_at) "
        f"VALUES (?, {', '.join('?' for _ in columns)}, ?, ?) ON CONFLICT (guild_id) DO UPDATE "
        f"SET {assignments}, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        (guild_id, *(changes[c] for c in columns), actor_id, iso(now)),
    )


async def reset_settings(tx: Transaction, guild_id: int) -> GuildConfig:
    """Forget every setting of a server; return what it was."""
    row = await tx.fetch_one(f"SELECT {_COLUMNS} FROM guild_config WHERE guild_id = ?", (guild_id,))
    await tx.execute("DELETE FROM guild_config WHERE guild_id = ?", (guild_id,))
    if row is None:
        return GuildConfig(
            guild_id=guild_id, default_timezone=None, locale=None, reminders_channel_id=None
        )
    return _row_to_config(row)


async def configs_with_log_channel(db: Reader) -> list[GuildConfig]:
    """Return the settings of every server that has a log channel."""
    rows = await db.fetch_all(
        f"SELECT {_COLUMNS} FROM guild_config WHERE log_channel_id IS NOT NULL ORDER BY guild_id"
    )
    return [_row_to_config(row) for row in rows]
