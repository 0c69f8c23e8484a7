"""Sending a note to its student, once: the one flow behind every Share and Send button.

The student receives the note's student copy (a form's private fields left out), and that
copy, recorded at the moment it was sent, is all they ever see of the note afterwards.
Sharing the same copy again sends nothing: the author is told when it was shared; a note
whose copy changed since is sent again only when the author asks for it.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Awaitable, Callable
from typing import Any

import discord

from bot.app import bot_of
from bot.delivery import DmClosed, send_dm
from bot.services import notes as service
from bot.services.notes import Shareable, ShareState
from bot.services.people import reader_locale
from bot.textfit import FIELD_MAX, clip
from bot.texts import Locale, tr
from bot.timefmt import discord_stamp
from bot.ui import PersistentButton, fit_embed

log = logging.getLogger(__name__)

NONCE_MAX = 25
COLOUR = discord.Colour.gold()
EMBED_TITLE_MAX = 256
EMBED_DESCRIPTION_MAX = 4096
FOOTER_MAX = 2048

Render = Callable[[Shareable, Locale], discord.Embed]
"""Build the DM the student receives from the note's student copy."""
Redraw = Callable[[ShareState], Awaitable[discord.ui.View | None]]
"""Return the clicked message's buttons as they should look now (None: leave them)."""

_locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()


def _lock(note_id: int) -> asyncio.Lock:
    """Return the lock that lets one share of a note run at a time (a double click waits)."""
    lock = _locks.get(note_id)
    if lock is None:
        lock = asyncio.Lock()
        _locks[note_id] = lock
    return lock


def nonce_of(target: Shareable) -> str:
    """Return the DM's nonce: the same send retried within minutes is one message.

    It names the copy sent and the one the student had before, so a note changed and then
    changed back is a new send, not a repeat of the first one.
    """
    before = (target.note.shared_digest or "-")[:4]
    return f"n{target.note.id}.{before}.{target.copy.digest}"[:NONCE_MAX]


async def share_with_student(
    interaction: discord.Interaction,
    note_id: int,
    *,
    render: Render,
    redraw: Redraw | None = None,
    again: bool = False,
    sent_key: str = "notes.shared",
    closed_key: str = "notes.dm_closed",
) -> None:
    """DM the note's student copy, unless they have it already; record it once it went through.

    From a button, the button's message is redrawn to show the note is shared.
    """
    bot = bot_of(interaction)
    locale = interaction.locale
    from_button = interaction.type is discord.InteractionType.component
    if from_button:
        await interaction.response.defer()
    else:
        await interaction.response.defer(ephemeral=True, thinking=True)
    view: discord.ui.View | None = None
    async with _lock(note_id):
        target = await service.prepare_share(bot.db, interaction.user.id, note_id)
        name = discord.utils.escape_markdown(target.mentorship.student_name)
        state = target.state
        shared_at = target.note.shared_at
        when = discord_stamp(shared_at, "F") if shared_at is not None else ""
        if state is ShareState.SAME:
            text = tr("notes.already_shared", locale, name=name, when=when)
        elif state is ShareState.CHANGED and not again:
            text = tr("notes.changed_since", locale, name=name, when=when)
            view = discord.ui.View(timeout=None)
            view.add_item(ShareAgainButton(note_id, label=tr("notes.share_again_button", locale)))
        else:
            student = target.mentorship.student_id
            student_locale = await reader_locale(bot.db, student, target.mentorship.guild_id)
            embed = render(target, student_locale or interaction.guild_locale)
            try:
                await send_dm(bot, student, embed=embed, nonce=nonce_of(target))
            except DmClosed:
                log.info("Note %s not shared: the student's DMs are closed", note_id)
                await interaction.followup.send(tr(closed_key, locale, name=name), ephemeral=True)
                return
            await service.mark_shared(
                bot.db, bot.clock.now(), interaction.user.id, note_id, target.copy
            )
            log.info("Note %s shared with its student (%d characters)", note_id, len(embed))
            state = ShareState.SAME
            text = tr(sent_key, locale, name=name)
    if from_button and redraw is not None:
        redrawn = await redraw(state)
        if redrawn is not None:
            await interaction.edit_original_response(view=redrawn)
    if view is None:
        await interaction.followup.send(text, ephemeral=True)
    else:
        await interaction.followup.send(text, view=view, ephemeral=True)


def used_button(button: discord.ui.Item[Any], label: str) -> discord.ui.Item[Any]:
    """Show a button as used: relabelled and disabled (it would send nothing new)."""
    item = getattr(button, "item", button)
    if isinstance(item, discord.ui.Button):
        item.label = label
        item.disabled = True
        item.style = discord.ButtonStyle.secondary
    return button


class ShareAgainButton(PersistentButton, template=r"note:again:(?P<id>[0-9]{1,20})"):
    """Send a shared note's new version to its student; only its author may."""

    PREFIX = "note:again"
    STYLE = discord.ButtonStyle.primary
    LABEL_KEY = "notes.share_again_button"

    async def act(self, interaction: discord.Interaction) -> None:
        """Send the note's current student copy."""
        locale = interaction.locale

        async def redraw(state: ShareState) -> discord.ui.View | None:
            view = discord.ui.View(timeout=None)
            again = ShareAgainButton(self.target_id, label=tr("notes.share_again_button", locale))
            if state is ShareState.SAME:
                used_button(again, tr("notes.shared_button", locale))
            view.add_item(again)
            return view

        await share_with_student(
            interaction, self.target_id, render=note_dm(interaction), redraw=redraw, again=True
        )


def note_dm(interaction: discord.Interaction) -> Render:
    """Return the renderer of a note's DM: its student copy, naming the mentor and server."""
    bot = bot_of(interaction)
    mentor_name = interaction.user.display_name

    def render(target: Shareable, locale: Locale) -> discord.Embed:
        guild = bot.get_guild(target.mentorship.guild_id)
        return copy_embed(
            target, locale, mentor_name=mentor_name, server=guild.name if guild else None
        )

    return render


def copy_embed(
    target: Shareable, locale: Locale, *, mentor_name: str, server: str | None
) -> discord.Embed:
    """Show a note's student copy to its student, naming the mentor who wrote it."""
    copy = target.copy
    embed = discord.Embed(
        title=clip(copy.title, EMBED_TITLE_MAX),
        description=clip(copy.body, EMBED_DESCRIPTION_MAX),
        colour=COLOUR,
    )
    embed.set_author(name=clip(tr("notes_dm.author", locale, mentor=mentor_name), EMBED_TITLE_MAX))
    mention = f"<@{target.note.author_id}> ({discord.utils.escape_markdown(mentor_name)})"
    embed.add_field(name=tr("notes.field_mentor", locale), value=clip(mention, FIELD_MAX))
    footer = (
        tr("notes_dm.footer", locale, server=server)
        if server
        else tr("notes_dm.footer_no_server", locale)
    )
    embed.set_footer(text=clip(footer, FOOTER_MAX))
    return fit_embed(embed)
