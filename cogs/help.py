"""`/help`: what the bot does and the commands open to the caller."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot import __version__
from bot.app import MentorCoach
from bot.commands_index import CommandEntry, commands_for
from bot.services import moderation, students
from bot.services.moderation import Access, access_of, mentor_allowed
from bot.textfit import FIELD_MAX, chunk_lines
from bot.texts import cmd, tr

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
        hidden: set[str] = set()
        gating: str | None = None
        if interaction.guild_id is not None and isinstance(interaction.user, discord.Member):
            config = await moderation.config_of(self.bot.db, interaction.guild_id)
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
        learning = await students.mentors_of(self.bot.db, interaction.user.id)
        mentoring = (
            await students.students_of(self.bot.db, interaction.guild_id, interaction.user.id)
            if interaction.guild_id is not None
            else []
        )
        embed = help_embed(
            entries, interaction.locale, student_first=bool(learning) and not mentoring
        )
        if gating is not None:
            embed.add_field(
                name=tr("moderation.help_gating_title", interaction.locale), value=gating
            )
        await interaction.response.send_message(embed=embed, ephemeral=True)


LOOPS: tuple[tuple[str, tuple[tuple[str, tuple[str, ...]], ...]], ...] = (
    (
        "mentor",
        (
            ("plan", ("student add", "session schedule", "session reschedule", "session away")),
            ("prepare", ("prep", "note list")),
            ("record", ("session record", "feedback", "note add")),
            ("month", ("session statement", "session list", "export calendar")),
        ),
    ),
    (
        "student",
        (
            ("told", ("reminders settings",)),
            ("prepare", ("session prepare",)),
            ("see", ("session list", "note list", "export calendar")),
        ),
    ),
    ("moderator", (("run", ("setup", "program stats", "config show")),)),
)
"""Each person's loop, step by step, with the commands of each step (shown if open to them)."""


def help_embed(
    entries: list[CommandEntry], locale: discord.Locale, *, student_first: bool = False
) -> discord.Embed:
    """Build the help card: each loop the caller takes part in, then every other command.

    A student who mentors nobody here reads the student loop first.
    """
    embed = discord.Embed(
        title=tr("help.title", locale), description=tr("help.intro", locale), colour=EMBED_COLOUR
    )
    open_to_caller = {entry.name for entry in entries}
    shown: set[str] = set()
    loops = sorted(LOOPS, key=lambda loop: loop[0] != "student") if student_first else LOOPS
    for audience, steps in loops:
        lines = []
        for step, names in steps:
            found = [name for name in names if name in open_to_caller]
            if found:
                shown.update(found)
                commands_text = " ".join(f"`/{name}`" for name in found)
                lines.append(f"**{tr(f'help.step_{audience}_{step}', locale)}** · {commands_text}")
        if lines:
            embed.add_field(
                name=tr(f"help.loop_{audience}", locale), value="\n".join(lines), inline=False
            )
    rest = [f"`/{entry.name}`" for entry in entries if entry.name not in shown]
    for number, chunk in enumerate(chunk_lines([" ".join(rest)] if rest else [], FIELD_MAX)):
        name = tr("help.more", locale) if number == 0 else "\u200b"
        embed.add_field(name=name, value=chunk, inline=False)
    if not entries:
        embed.add_field(name="\u200b", value=tr("help.none", locale), inline=False)
    embed.set_footer(text=f"{tr('help.footer', locale)} · Mentor Coach {__version__}")
    return embed


async def setup(bot: MentorCoach) -> None:
    """Add the cog to the bot."""
    await bot.add_cog(HelpCog(bot))
