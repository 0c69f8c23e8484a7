"""The student's check-in form, and how its answers read for the mentor (one public home).

Opened from the Prepare button of a reminder and from `/session prepare`; read in `/prep`
and the review nudge.
"""

from __future__ import annotations

import logging

import discord

from bot.app import bot_of
from bot.errors import BaseModal
from bot.services import checkins as service
from bot.services.checkins import Answers
from bot.storage.checkins import Checkin, Links, SinceLastHeld
from bot.storage.sessions import SessionView
from bot.textfit import clip
from bot.texts import Locale, tr
from bot.timefmt import discord_stamp

log = logging.getLogger(__name__)

FIELD_VALUE_MAX = 1024
LABEL_MAX = 45
PLACEHOLDER_MAX = 100


class PrepareModal(BaseModal):
    """What I did since last time, where I'm stuck, what I want to discuss, a link to my work."""

    def __init__(self, view: SessionView, locale: Locale, current: Checkin | None) -> None:
        super().__init__(title=clip(tr("checkin.title", locale), LABEL_MAX))
        self.session = view

        def field(
            key: str, value: str | None, *, long: bool, limit: int
        ) -> discord.ui.TextInput[PrepareModal]:
            item: discord.ui.TextInput[PrepareModal] = discord.ui.TextInput(
                label=clip(tr(f"checkin.{key}", locale), LABEL_MAX),
                placeholder=clip(tr(f"checkin.{key}_hint", locale), PLACEHOLDER_MAX),
                style=discord.TextStyle.paragraph if long else discord.TextStyle.short,
                required=False,
                max_length=limit,
                default=value,
                custom_id=key,
            )
            self.add_item(item)
            return item

        self.done = field(
            "done", current.done if current else None, long=True, limit=service.ANSWER_MAX
        )
        self.stuck = field(
            "stuck", current.stuck if current else None, long=True, limit=service.ANSWER_MAX
        )
        self.discuss = field(
            "discuss", current.discuss if current else None, long=True, limit=service.ANSWER_MAX
        )
        self.link = field(
            "link", current.work_link if current else None, long=False, limit=service.LINK_MAX
        )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Store the check-in and thank the student."""
        bot = bot_of(interaction)
        answers = Answers(
            done=self.done.value,
            stuck=self.stuck.value,
            discuss=self.discuss.value,
            work_link=self.link.value,
        )
        await service.prepare(bot.db, bot.clock.now(), self.session, interaction.user.id, answers)
        await interaction.response.send_message(
            tr(
                "checkin.saved",
                interaction.locale,
                when=discord_stamp(self.session.session.starts_at, "F"),
            ),
            ephemeral=True,
        )


def checkin_text(checkin: Checkin, locale: Locale) -> str:
    """Return the student's answers as the mentor reads them, each under its question."""
    lines = []
    for key, value in (
        ("done", checkin.done),
        ("stuck", checkin.stuck),
        ("discuss", checkin.discuss),
        ("link", checkin.work_link),
    ):
        if value:
            shown = value if key == "link" else discord.utils.escape_markdown(value)
            lines.append(f"**{tr(f'checkin.{key}_short', locale)}** {shown}")
    return clip("\n".join(lines), FIELD_VALUE_MAX)


def add_checkin_field(
    embed: discord.Embed, checkin: Checkin | None, locale: Locale, *, at_top: bool = True
) -> None:
    """Put the student's check-in in an embed (first, by default), or say there is none."""
    name = tr("checkin.field_title", locale)
    value = checkin_text(checkin, locale) if checkin else tr("checkin.none_yet", locale)
    if at_top:
        embed.insert_field_at(0, name=name, value=value, inline=False)
    else:
        embed.add_field(name=name, value=value, inline=False)


def links_text(links: Links, locale: Locale) -> str | None:
    """Return the mentorship's project and meeting links as lines, or None without any."""
    lines = []
    if links.project_link:
        lines.append(f"{tr('checkin.project_link', locale)} {links.project_link}")
    if links.meeting_link:
        lines.append(f"{tr('checkin.meeting_link', locale)} {links.meeting_link}")
    return "\n".join(lines) or None


def since_text(since: SinceLastHeld, locale: Locale) -> str:
    """Return what is new since the last held session: next steps done and notes."""
    lines = []
    if since.last_held_at is not None:
        lines.append(tr("checkin.since_last", locale, when=discord_stamp(since.last_held_at, "D")))
    else:
        lines.append(tr("checkin.since_none", locale))
    lines += [
        tr("checkin.step_done", locale, text=discord.utils.escape_markdown(step))
        for step in since.steps_done
    ]
    lines += [
        tr("checkin.note_written", locale, title=discord.utils.escape_markdown(title))
        for title in since.note_titles
    ]
    if not since.steps_done and not since.note_titles:
        lines.append(tr("checkin.since_nothing", locale))
    return clip("\n".join(lines), FIELD_VALUE_MAX)
