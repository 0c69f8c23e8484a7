"""`/help`: what the bot does and the commands open to the caller."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot import __version__
from bot.app import MentorCoach
from bot.commands_index import CommandEntry, commands_for
from bot.services.moderation import Access, access_of, mentor_allowed
from bot.storage.guild_config import get_config
from bot.textfit import chunk_lines
from bot.texts import catalogue, cmd, tr

AUDIENCE_ORDER = ("everyone", "mentor", "student", "moderator")
EMBED_COLOUR = discord.Colour.teal()
FIELD_MAX = 1024


class HelpCog(commands.Cog):
    """Explain the bot."""

    def __init__(self, bot: MentorCoach) -> None:
        self.bot = bot

    @app_commands.command(
        name="help", description=cmd("help.command"), extras={"audience": "everyone"}
    )
    async def help(self, interaction: discord.Interaction) -> None:
        """Show what Mentor Coach does and the commands open to you."""
        hidden: set[str] = set()
        gating: str | None = None
        if interaction.guild_id is not None and isinstance(interaction.user, discord.Member):
            config = await get_config(self.bot.db, interaction.guild_id)
            role_ids = [role.id for role in interaction.user.roles]
            if not mentor_allowed(config, role_ids):
                hidden.add("mentor")
            manage = interaction.permissions.manage_guild
            if access_of(config, manage_guild=manage, role_ids=role_ids) is Access.NONE:
                hidden.add("moderator")
            gating = (
                tr("moderation.help_gating_off", interaction.locale)
                if config.mentor_role_id is None
                else tr(
                    "moderation.help_gating_on",
                    interaction.locale,
                    role=f"<@&{config.mentor_role_id}>",
                )
            )
        entries = commands_for(
            self.bot.tree,
            in_guild=interaction.guild is not None,
            permissions=interaction.permissions,
            hidden_audiences=frozenset(hidden),
        )
        embed = help_embed(entries, interaction.locale)
        if gating is not None:
            embed.add_field(
                name=tr("moderation.help_gating_title", interaction.locale), value=gating
            )
        await interaction.response.send_message(embed=embed, ephemeral=True)


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
        for number, chunk in enumerate(chunk_lines(lines, FIELD_MAX)):
            name = tr(f"help.audience_{audience}", locale) if number == 0 else "\u200b"
            embed.add_field(name=name, value=chunk, inline=False)
    if not entries:
        embed.add_field(name="\u200b", value=tr("help.none", locale), inline=False)
    embed.set_footer(text=f"{tr('help.footer', locale)} · Mentor Coach {__version__}")
    return embed


async def setup(bot: MentorCoach) -> None:
    """Add the cog to the bot."""
    await bot.add_cog(HelpCog(bot))
