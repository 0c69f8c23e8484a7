"""An index of the bot's slash commands, for help texts and checks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import discord
from discord import app_commands

AnyCommand = app_commands.Command[Any, ..., Any] | app_commands.Group


@dataclass(frozen=True)
class CommandEntry:
    """One runnable slash command as a person types it."""

    name: str
    description: str
    audience: str


def _root(command: AnyCommand) -> AnyCommand:
    root = command
    while root.parent is not None:
        root = root.parent
    return root


def audience_of(command: AnyCommand) -> str:
    """Return who a command is for: its own `extras["audience"]`, else its top-level group's."""
    own = command.extras.get("audience")
    if own is not None:
        return str(own)
    return str(_root(command).extras.get("audience", "everyone"))


def _allowed(command: AnyCommand, *, in_guild: bool, permissions: discord.Permissions) -> bool:
    root = _root(command)
    if not in_guild and (root.guild_only or command.extras.get("guild_only")):
        return False
    required = root.default_permissions
    return required is None or permissions >= required


def commands_for(
    tree: app_commands.CommandTree[discord.Client],
    *,
    in_guild: bool,
    permissions: discord.Permissions,
    hidden_audiences: frozenset[str] = frozenset(),
) -> list[CommandEntry]:
    """Return the slash commands a person may run where they are, in name order.

    A command's audience ("everyone", "mentor", "student", "moderator") comes from its own
    `extras`, else from those of its top-level group; `hidden_audiences` are left out
    (mentor commands for someone without the server's mentor role). Outside a server, commands
    that need one are left out: top-level `guild_only` ones, and subcommands marked
    `extras["guild_only"]` (Discord cannot hide a subcommand by context).
    """
    entries: list[CommandEntry] = []
    for top in tree.get_commands(type=discord.AppCommandType.chat_input):
        leaves: list[AnyCommand] = (
            list(top.walk_commands()) if isinstance(top, app_commands.Group) else [top]
        )
        for command in leaves:
            if isinstance(command, app_commands.Group):
                continue
            if not _allowed(command, in_guild=in_guild, permissions=permissions):
                continue
            audience = audience_of(command)
            if audience in hidden_audiences:
                continue
            entries.append(
                CommandEntry(
                    name=command.qualified_name,
                    description=command.description,
                    audience=audience,
                )
            )
    return sorted(entries, key=lambda entry: entry.name)
