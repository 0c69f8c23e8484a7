"""`/setup`, `/config`, `/program stats` and the weekly summary in the log channel."""

from __future__ import annotations

from bot.app import MentorCoach
from bot.reminders.planning import WEEKLY_SUMMARY
from cogs.moderation.cog import ModerationCog

__all__ = ["ModerationCog", "setup"]


async def setup(bot: MentorCoach) -> None:
    """Add the cog; it renders the weekly summary, which the reminder dispatcher posts."""
    cog = ModerationCog(bot)
    await bot.add_cog(cog)
    bot.dispatcher.add_renderer(WEEKLY_SUMMARY, cog.weekly_summary)
