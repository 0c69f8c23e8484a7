"""Server settings and who may do what: moderators, program leads, mentors, students."""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Final

from bot.db import Database, Reader
from bot.numbers import plain_int
from bot.refusal import Refusal
from bot.reminders.planning import format_leads, parse_leads
from bot.services.people import known_languages
from bot.storage import guild_config as store
from bot.storage.guild_config import GuildConfig, SettingValue
from bot.timezones import canonical_zone

log = logging.getLogger(__name__)

CHANNEL_SETTINGS: Final = ("reminders_channel_id", "log_channel_id")
ROLE_SETTINGS: Final = ("mentor_role_id", "student_role_id", "lead_role_id")
LEAD_SETTINGS: Final = ("default_timezone", "locale", "student_leads", "review_lead_hours")
"""What a program lead (without Manage Server) may change."""

REVIEW_HOURS_MIN: Final = 1
REVIEW_HOURS_MAX: Final = 168


class Access(Enum):
    """How much of the server's setup a member may change."""

    NONE = "none"
    LEAD = "lead"
    FULL = "full"


@dataclass(frozen=True)
class Change:
    """One setting that changed: its old and new value."""

    setting: str
    old: SettingValue
    new: SettingValue


def access_of(config: GuildConfig, *, manage_guild: bool, role_ids: Collection[int]) -> Access:
    """Return what a member may change: everything with Manage Server, some as program lead."""
    if manage_guild:
        return Access.FULL
    if config.lead_role_id is not None and config.lead_role_id in role_ids:
        return Access.LEAD
    return Access.NONE


def require_access(access: Access, setting: str | None = None) -> None:
    """Refuse unless `access` allows opening the setup (or changing `setting`)."""
    if access is Access.NONE:
        raise Refusal("moderation.need_manage_server")
    if access is Access.LEAD and setting is not None and setting not in LEAD_SETTINGS:
        raise Refusal("moderation.lead_cannot_change")


def require_stats_access(access: Access) -> None:
    """Refuse program statistics to anyone but moderators and program leads."""
    if access is Access.NONE:
        raise Refusal("moderation.stats_not_allowed")


def clean_value(setting: str, value: SettingValue) -> SettingValue:
    """Return the value to store for a setting, or refuse it with the reason."""
    if value is None or value == "":
        return None
    if setting in CHANNEL_SETTINGS or setting in ROLE_SETTINGS:
        return int(value)
    text = str(value).strip()
    if setting == "default_timezone":
        zone = canonical_zone(text)
        if zone is None:
            raise Refusal("moderation.unknown_zone", zone=text[:100])
        return zone
    if setting == "locale":
        if text not in known_languages():
            raise Refusal("moderation.unknown_language", language=text[:20])
        return text
    if setting == "student_leads":
        try:
            return format_leads(parse_leads(text))
        except ValueError:
            raise Refusal("moderation.bad_leads", text=text[:100]) from None
    if setting == "review_lead_hours":
        hours = text.lower().removesuffix("h").strip()
        number = plain_int(hours, max_digits=4)
        if number is None or not REVIEW_HOURS_MIN <= number <= REVIEW_HOURS_MAX:
            raise Refusal(
                "moderation.bad_review_hours",
                text=text[:20],
                low=REVIEW_HOURS_MIN,
                high=REVIEW_HOURS_MAX,
            )
        return int(hours)
    raise KeyError(setting)


async def change_settings(
    db: Database,
    guild_id: int,
    values: dict[str, SettingValue],
    *,
    access: Access,
    actor_id: int,
    now: datetime,
) -> list[Change]:
    """Validate and store some settings at once; return those that really changed."""
    for setting in values:
        require_access(access, setting)
    cleaned = {setting: clean_value(setting, value) for setting, value in values.items()}
    async with db.transaction() as tx:
        before = await store.get_config(tx, guild_id)
        changes = [
            Change(setting, before.value(setting), value)
            for setting, value in cleaned.items()
            if before.value(setting) != value
        ]
        await store.update_settings(
            tx, guild_id, {c.setting: c.new for c in changes}, now, actor_id=actor_id
        )
    if changes:
        log.info(
            "User %s changed %s in guild %s",
            actor_id,
            ", ".join(c.setting for c in changes),
            guild_id,
        )
    return changes


async def reset_settings(db: Database, guild_id: int, *, access: Access) -> list[Change]:
    """Forget every setting of a server (moderators only); return what was set."""
    if access is not Access.FULL:
        raise Refusal("moderation.lead_cannot_reset")
    async with db.transaction() as tx:
        before = await store.reset_settings(tx, guild_id)
    return [
        Change(setting, before.value(setting), None)
        for setting in store.SETTINGS
        if before.value(setting) is not None
    ]


def mentor_allowed(config: GuildConfig, role_ids: Collection[int]) -> bool:
    """Return whether a member may act as a mentor (everyone, when no mentor role is set)."""
    return config.mentor_role_id is None or config.mentor_role_id in role_ids


async def check_mentor(db: Reader, guild_id: int, role_ids: Collection[int]) -> None:
    """Refuse a mentor command to someone without the server's mentor role."""
    config = await store.get_config(db, guild_id)
    if not mentor_allowed(config, role_ids):
        raise Refusal("moderation.mentor_role_needed", role=f"<@&{config.mentor_role_id}>")


async def check_student(db: Reader, guild_id: int, name: str, role_ids: Collection[int]) -> None:
    """Refuse to follow someone as a student without the server's student role (if one is set)."""
    config = await store.get_config(db, guild_id)
    if config.student_role_id is not None and config.student_role_id not in role_ids:
        raise Refusal(
            "moderation.student_role_needed", name=name, role=f"<@&{config.student_role_id}>"
        )


async def config_of(db: Reader, guild_id: int) -> GuildConfig:
    """Return a server's settings (the defaults when it has none yet)."""
    return await store.get_config(db, guild_id)
