"""`/calendar subscribe`: a private calendar link that follows every change, and its reset."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MentorCoach, bot_of
from bot.refusal import Refusal
from bot.services import calendar_feeds as service
from bot.texts import Locale, cmd, tr
from bot.timefmt import discord_stamp
from bot.ui import PersistentButton


def feed_base(bot: MentorCoach) -> str | None:
    """Return the public address of the feeds, or None when the endpoint is off."""
    if bot.endpoint_url is None:
        return None
    return bot.settings.feed_base_url or bot.endpoint_url


async def link_text(bot: MentorCoach, user_id: int, token: str, locale: Locale) -> str:
    """Say the new link, what it holds and how to keep it."""
    base = feed_base(bot)
    if base is None:
        raise Refusal("calendar_feed.off")
    count = await service.planned_count(bot.db, user_id, bot.clock.now())
    return "\n".join(
        [
            tr("calendar_feed.link", locale, url=service.feed_url(base, token)),
            tr("calendar_feed.planned", locale, count=count),
            tr("calendar_feed.keep_it", locale),
        ]
    )


def reset_view(user_id: int, locale: Locale) -> discord.ui.View:
    """Build the reply's one button: reset the link (works after a restart)."""
    view = discord.ui.View(timeout=None)
    view.add_item(ResetFeedButton(user_id, label=tr("calendar_feed.reset_button", locale)))
    return view


class ResetFeedButton(PersistentButton, template=r"feed:reset:(?P<id>[0-9]{1,20})"):
    """Replace a person's calendar link: the old address stops working at once."""

    PREFIX = "feed:reset"
    STYLE = discord.ButtonStyle.danger
    LABEL_KEY = "calendar_feed.reset_button"

    async def act(self, interaction: discord.Interaction) -> None:
        """Make a new link and show it in place of the message."""
        bot = bot_of(interaction)
        locale = interaction.locale
        if interaction.user.id != self.target_id:
            raise Refusal("calendar_feed.not_yours")
        if feed_base(bot) is None:
            raise Refusal("calendar_feed.off")
        token = await service.new_feed(bot.db, self.target_id, bot.clock.now())
        text = (
            tr("calendar_feed.reset_done", locale)
            + "\n"
            + await link_text(bot, self.target_id, token, locale)
        )
        await interaction.response.edit_message(
            content=text, view=reset_view(self.target_id, locale)
        )


class CalendarFeedCog(commands.Cog):
    """Give each person a private calendar feed of their sessions."""

    calendar = app_commands.Group(
        name="calendar", description=cmd("calendar_feed.group"), extras={"audience": "everyone"}
    )

    def __init__(self, bot: MentorCoach) -> None:
        self.bot = bot

    @calendar.command(name="subscribe", description=cmd("calendar_feed.subscribe"))
    async def subscribe(self, interaction: discord.Interaction) -> None:
        """Get a private link your calendar app subscribes to: it follows every change."""
        locale = interaction.locale
        if feed_base(self.bot) is None:
            raise Refusal("calendar_feed.off")
        await interaction.response.defer(ephemeral=True, thinking=True)
        me = interaction.user.id
        made = await service.feed_made_at(self.bot.db, me)
        if made is None:
            token = await service.new_feed(self.bot.db, me, self.bot.clock.now())
            text = await link_text(self.bot, me, token, locale)
        else:
            text = tr("calendar_feed.exists", locale, when=discord_stamp(made, "R"))
        await interaction.followup.send(text, view=reset_view(me, locale), ephemeral=True)


async def setup(bot: MentorCoach) -> None:
    """Add the cog and its restart-safe button to the bot."""
    await bot.add_cog(CalendarFeedCog(bot))
    bot.add_dynamic_items(ResetFeedButton)
