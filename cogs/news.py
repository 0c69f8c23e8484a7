"""Session news as the student reads it: what changed, when, with whom."""

from __future__ import annotations

import logging
from datetime import datetime

import discord

from bot.app import MentorCoach
from bot.services import news as service
from bot.services.people import reader_locale
from bot.storage.news import Change, News
from bot.textfit import fit_lines
from bot.texts import Locale, tr
from bot.timefmt import discord_stamp

log = logging.getLogger(__name__)

COLOUR = discord.Colour.teal()
DESCRIPTION_MAX = 4096


class SessionNewsMessages:
    """Build the one message that tells a student what changed in their sessions."""

    def __init__(self, bot: MentorCoach) -> None:
        self.bot = bot

    async def render(self, recipient_id: int, items: list[News]) -> discord.Embed:
        """Return the embed listing the changes, grouped by mentor."""
        locale = await reader_locale(self.bot.db, recipient_id, items[0].guild_id)
        groups: dict[int, list[News]] = {}
        for item in items:
            groups.setdefault(item.mentorship_id, []).append(item)
        names = {m: await service.mentor_name(self.bot.db, m) for m in groups}
        if len(groups) == 1:
            [(mentorship_id, only)] = groups.items()
            title = _with_mentor(names[mentorship_id], only[0].mentor_id, locale, title=True)
            lines = [news_line(item, locale) for item in only]
        else:
            title = tr("news.title", locale)
            lines = []
            for mentorship_id, group in groups.items():
                name = _with_mentor(names[mentorship_id], group[0].mentor_id, locale, title=False)
                lines.append(f"**{name}**")
                lines.extend(news_line(item, locale) for item in group)
        embed = discord.Embed(
            title=title[:256], description=fit_lines(lines, DESCRIPTION_MAX), colour=COLOUR
        )
        embed.set_footer(text=tr("news.footer", locale))
        return embed


def _with_mentor(name: str | None, mentor_id: int, locale: Locale, *, title: bool) -> str:
    if name:
        return tr("news.title_with" if title else "news.group_with", locale, name=name)
    return tr("news.title" if title else "news.group_unknown", locale)


def news_line(item: News, locale: Locale) -> str:
    """Describe one change, its times as Discord timestamps."""
    detail = item.detail
    facts = {
        "kind": tr(f"kind.{detail.get('kind', 'regular')}", locale),
        "minutes": detail.get("minutes", 0),
        "mentor": f"<@{item.mentor_id}>",
        "count": detail.get("count", 0),
    }
    if item.starts_at is not None:
        facts["when"] = discord_stamp(item.starts_at, "F")
        facts["relative"] = discord_stamp(item.starts_at, "R")
    if item.old_starts_at is not None:
        facts["old"] = discord_stamp(item.old_starts_at, "F")
    key = f"news.{item.change.value}"
    if item.change is Change.TIME_OFF:
        facts["first"] = discord_stamp(datetime.fromisoformat(detail["first"]), "D")
        facts["last"] = discord_stamp(datetime.fromisoformat(detail["last"]), "D")
        if item.starts_at is None:
            key = "news.time_off_no_resume"
    elif item.change is Change.SERIES:
        key = f"news.series_{detail.get('repeat', 'weekly')}"
    elif item.change is Change.RESCHEDULED and detail.get("asked"):
        key = "news.rescheduled_asked"
    return tr(key, locale, **facts)


async def setup(bot: MentorCoach) -> None:
    """Give the session-news sender its messages."""
    bot.news.renderer = SessionNewsMessages(bot)
