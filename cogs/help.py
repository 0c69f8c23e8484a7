"""`/help`: what the bot does and the commands open to the caller."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MentorCoach
from bot.commands_index import CommandEntry, commands_for
from bot.texts import catalogue, cmd, tr

AUDIENCE_ORDER = ("everyone", "mentor", "student", "moderator")
EMBED_COLOUR = discord.Colour.teal()


class HelpCog(commands.Cog):
    """Explain the bot."""

    def __init__(self, bot: MentorCoach) -> None:
        self.bot = bot

    @app_commands.command(
        name="help", description=cmd("help.command"), extras={"audience": "everyone"}
    )
    async def help(self, interaction: discord.Interaction) -> None:
        """Show what Mentor Coach does and the commands open to you."""
        entries = commands_for(
            self.bot.tree,
            in_guild=interaction.guild is not None,
            permissions=interaction.permissions,
        )
        await interaction.response.send_message(
            embed=help_embed(entries, interaction.locale), ephemeral=True
        )


def help_embed(entries: list[CommandEntry], locale: discord.Locale) -> discord.Embed:
    """Build the help card: the intro, then one field per audience."""
    embed = discord.Embed(
        title=tr("help.title", locale), description=tr("help.intro", locale), colour=EMBED_COLOUR
    )
    for audience in AUDIENCE_ORDER:
        lines = [
            f"`/{entry.name}` {catalogue().localise_english(entry.description, locale)}"
            for entry in entries
            if entry.audience == audience
        ]
        if lines:
            embed.add_field(
                name=tr(f"help.audience_{audience}", locale),
                value="\n".join(lines)[:1024],
                inline=False,
            )
    if not entries:
        embed.add_field(name="\u200b", value=tr("help.none", locale), inline=False)
    embed.set_footer(text=tr("help.footer", locale))
    return embed


async def setup(bot: MentorCoach) -> None:
    """Add the cog to the bot."""
    await bot.add_cog(HelpCog(bot))
