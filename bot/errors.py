"""One place that turns errors into short, private answers (the command tree: `bot.tree`)."""

from __future__ import annotations

import asyncio
import logging
import secrets

import discord
from discord import app_commands

from bot.db import answer_deadline
from bot.deadlines import age_of, drop_if_too_late, too_late
from bot.log_privacy import describe_interaction
from bot.refusal import Refusal
from bot.texts import tr, word

log = logging.getLogger(__name__)

UNKNOWN_INTERACTION = 10062
"""Discord's code for an interaction answered too late (or twice)."""


def new_reference() -> str:
    """Return a short id that a user can quote and that the log carries."""
    return secrets.token_hex(4)


def describe_error(error: BaseException, locale: discord.Locale | str | None) -> str | None:
    """Return the text for a known error, or None for an unexpected one."""
    if isinstance(error, app_commands.CommandInvokeError):
        error = error.original
    if isinstance(error, app_commands.TransformerError) and isinstance(error.__cause__, Refusal):
        error = error.__cause__
    if isinstance(error, Refusal):
        return tr(error.key, locale, **{k: word(v, locale) for k, v in error.values.items()})
    if isinstance(error, app_commands.NoPrivateMessage):
        return tr("errors.guild_only", locale)
    if isinstance(error, app_commands.MissingPermissions | app_commands.BotMissingPermissions):
        names = ", ".join(p.replace("_", " ") for p in error.missing_permissions)
        key = "errors.missing_permissions"
        if isinstance(error, app_commands.BotMissingPermissions):
            key = "errors.bot_missing_permissions"
        return tr(key, locale, permissions=names)
    if isinstance(error, app_commands.CommandOnCooldown):
        return tr("errors.cooldown", locale, seconds=f"{error.retry_after:.0f}")
    if isinstance(error, app_commands.TransformerError):
        return tr("errors.bad_value", locale, value=str(error.value)[:100])
    if isinstance(error, app_commands.CheckFailure):
        return tr("errors.not_allowed", locale)
    if isinstance(error, discord.Forbidden) and error.code == 50007:
        return tr("errors.dm_closed", locale)
    return None


async def send_private(interaction: discord.Interaction, text: str) -> None:
    """Answer ephemerally, whether or not the interaction was already answered."""
    if interaction.response.is_done():
        await interaction.followup.send(text, ephemeral=True)
    else:
        await interaction.response.send_message(text, ephemeral=True)


async def report_error(interaction: discord.Interaction, error: BaseException) -> None:
    """Tell the user what went wrong; log what we did not expect, with a reference."""
    try:
        text = describe_error(error, interaction.locale)
    except (KeyError, ValueError, TypeError, IndexError):  # a catalogue text that cannot be worded
        log.exception("Could not word the answer to interaction %s", interaction.id)
        text = None
    original = getattr(error, "original", error)
    if isinstance(original, discord.NotFound) and original.code == UNKNOWN_INTERACTION:
        # Discord no longer knows the interaction: any other answer would be refused too.
        log.warning(
            "Interaction %s of user %s expired before its answer arrived",
            interaction.id,
            interaction.user.id,
        )
        return
    if too_late(interaction):
        # A first answer now would be refused: never send it (the error is still logged).
        if text is None:
            log.error(
                "Unexpected error in interaction %s of user %s, too late to answer",
                interaction.id,
                interaction.user.id,
                exc_info=getattr(error, "original", error),
            )
        return
    if text is None:
        reference = new_reference()
        original = getattr(error, "original", error)
        log.error(
            "Unexpected error (ref %s) in %s by user %s",
            reference,
            describe_interaction(interaction),  # kinds, ids and lengths: never what was typed
            interaction.user.id,
            exc_info=original,
        )
        text = tr("errors.unexpected", interaction.locale, ref=reference)
    try:
        await send_private(interaction, text)
    except discord.HTTPException:
        log.warning("Could not deliver an error message to user %s", interaction.user.id)


def has_lone_surrogate(value: object) -> bool:
    """Tell whether any text in `value` (nested lists and dicts too) holds a lone surrogate.

    Such text cannot be stored or shown (it is not valid Unicode); Discord's JSON can carry it.
    """
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if any("\ud800" <= ch <= "\udfff" for ch in item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


ANSWER_WITHIN = 2.5
"""Seconds after Discord created an interaction by which it must be answered (it allows 3)."""


def watch_answer_deadline(interaction: discord.Interaction) -> None:
    """Bound the current task's database writes by the interaction's answer deadline."""
    loop = asyncio.get_running_loop()
    # Counted from Discord's creation of the interaction, not from its arrival here: the
    # gateway's own delay is part of the 3 s (and of `too_late`'s limit).
    answer_by = loop.time() + ANSWER_WITHIN - age_of(interaction).total_seconds()

    def remaining() -> float | None:
        return None if interaction.response.is_done() else answer_by

    answer_deadline.set(remaining)


class BaseView(discord.ui.View):
    """A view whose errors are answered like command errors; too-late clicks are dropped."""

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        """Drop a click whose answer could no longer arrive in time."""
        return not drop_if_too_late(interaction)

    async def on_error(
        self,
        interaction: discord.Interaction,
        error: Exception,
        item: discord.ui.Item[discord.ui.View],
        /,
    ) -> None:
        """Report a failure in a button, select or its callback."""
        await report_error(interaction, error)


class BaseModal(discord.ui.Modal):
    """A modal whose errors are answered like command errors; too-late submits are dropped."""

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        """Drop a submitted form whose answer could no longer arrive in time."""
        return not drop_if_too_late(interaction)

    async def on_error(  # type: ignore[override]  # discord.py's Modal narrows BaseView's
        self, interaction: discord.Interaction, error: Exception, /
    ) -> None:
        """Report a failure while handling a submitted modal."""
        await report_error(interaction, error)
