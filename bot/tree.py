"""The command tree: the mentor-role gate before every slash command, one error handler after."""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from bot.commands_index import audience_of
from bot.deadlines import drop_if_too_late
from bot.errors import has_lone_surrogate, report_error, watch_answer_deadline
from bot.refusal import Refusal
from bot.services.moderation import check_mentor

log = logging.getLogger(__name__)


class MentorTree(app_commands.CommandTree[discord.Client]):
    """The command tree whose single error handler answers every failure privately."""

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """Open mentor commands only to the server's mentor role, when one is set.

        Only slash commands are gated: autocomplete answers and the buttons of messages
        already sent stay usable by their owners. Every command's writes are bounded by
        Discord's answer deadline while it is not answered (`answer_deadline`); anything too
        late to answer is dropped.
        """
        if drop_if_too_late(interaction):
            return False
        watch_answer_deadline(interaction)
        if has_lone_surrogate(interaction.data):
            if interaction.type is discord.InteractionType.autocomplete:
                await interaction.response.autocomplete([])
            else:
                await report_error(interaction, Refusal("errors.bad_text"))
            return False
        if interaction.type is not discord.InteractionType.application_command:
            return True
        command = interaction.command
        db = getattr(self.client, "db", None)
        if (
            db is None
            or interaction.guild_id is None
            or not isinstance(interaction.user, discord.Member)
            or command is None
            or isinstance(command, app_commands.ContextMenu)
            or audience_of(command) != "mentor"
        ):
            return True
        try:
            await check_mentor(db, interaction.guild_id, [r.id for r in interaction.user.roles])
        except Refusal as refusal:
            await report_error(interaction, refusal)
            return False
        return True

    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        """Turn any command error into a private message."""
        await report_error(interaction, error)
