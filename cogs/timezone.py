"""`/timezone`: each person's own time zone, read by every feature that shows or reads times."""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MentorCoach
from bot.options import zone_choices
from bot.refusal import Refusal
from bot.services.people import choose_zone, own_zone
from bot.texts import cmd, tr
from bot.timefmt import discord_stamp, local_clock
from bot.timezones import canonical_zone

log = logging.getLogger(__name__)


class TimezoneCog(commands.Cog):
    """Let people set and see their time zone."""

    timezone = app_commands.Group(
        name="timezone",
        description=cmd("timezone.group"),
        extras={"audience": "everyone"},
    )

    def __init__(self, bot: MentorCoach) -> None:
        self.bot = bot

    @timezone.command(name="set", description=cmd("timezone.set"))
    @app_commands.describe(zone=cmd("timezone.set_zone"))
    async def set_zone(
        self, interaction: discord.Interaction, zone: app_commands.Range[str, 1, 100]
    ) -> None:
        """Set your time zone."""
        name = canonical_zone(zone)
        if name is None:
            raise Refusal("timezone.unknown", zone=discord.utils.escape_markdown(zone))
        now = self.bot.clock.now()
        await choose_zone(self.bot.db, interaction.user.id, name, now)
        await interaction.response.send_message(
            tr(
                "timezone.saved",
                interaction.locale,
                zone=name,
                local=local_clock(now, ZoneInfo(name)),
                stamp=discord_stamp(now, "t"),
            ),
            ephemeral=True,
        )

    @set_zone.autocomplete("zone")
    async def zone_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Offer the zones that match what is typed."""
        return zone_choices(current)

    @timezone.command(name="show", description=cmd("timezone.show"))
    async def show_zone(self, interaction: discord.Interaction) -> None:
        """Show your time zone."""
        zone = await own_zone(self.bot.db, interaction.user.id)
        if zone is None:
            text = tr("timezone.unset", interaction.locale)
        else:
            now = self.bot.clock.now()
            text = tr(
                "timezone.current",
                interaction.locale,
                zone=zone,
                local=local_clock(now, ZoneInfo(zone)),
            )
        await interaction.response.send_message(text, ephemeral=True)


async def setup(bot: MentorCoach) -> None:
    """Add the cog to the bot."""
    await bot.add_cog(TimezoneCog(bot))
