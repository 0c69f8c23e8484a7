"""The student's check-in form, and how its answers read for the mentor (one public home).

Opened from the Prepare button of a reminder and from `/session prepare`; read in `/prep`
and the review nudge.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import discord

from bot.app import MentorCoach, bot_of
from bot.delivery import DmClosed, send_dm
from bot.services import checkins as service
from bot.services.checkins import Answers
from bot.services.people import reader_locale
from bot.storage.checkins import Checkin, Links, SinceLastHeld
from bot.storage.sessions import SessionView
from bot.textfit import FIELD_MAX, clip
from bot.texts import Locale, tr
from bot.timefmt import discord_stamp
from bot.ui import PersistentModal, answer

log = logging.getLogger(__name__)

LABEL_MAX = 45
PLACEHOLDER_MAX = 100


class PrepareModal(PersistentModal):
    """What I did since last time, where I'm stuck, what I want to discuss, a link to my work.

    Its custom id carries the session: a check-in typed before a restart is still saved.
    """

    PREFIX = "form:checkin"

    def __init__(self, view: SessionView, locale: Locale, current: Checkin | None) -> None:
        super().__init__(tr("checkin.title", locale), view.session.id)

        def field(key: str, value: str | None, *, long: bool, limit: int) -> None:
            self.add_item(
                discord.ui.TextInput(
                    label=clip(tr(f"checkin.{key}", locale), LABEL_MAX),
                    placeholder=clip(tr(f"checkin.{key}_hint", locale), PLACEHOLDER_MAX),
                    style=discord.TextStyle.paragraph if long else discord.TextStyle.short,
                    required=False,
                    max_length=limit,
                    default=value,
                    custom_id=key,
                )
            )

        field("done", current.done if current else None, long=True, limit=service.ANSWER_MAX)
        field("stuck", current.stuck if current else None, long=True, limit=service.ANSWER_MAX)
        field("discuss", current.discuss if current else None, long=True, limit=service.ANSWER_MAX)
        field("link", current.work_link if current else None, long=False, limit=service.LINK_MAX)

    @classmethod
    async def submitted(
        cls, interaction: discord.Interaction, parts: tuple[str, ...], values: Mapping[str, str]
    ) -> None:
        """Store the check-in and thank the student."""
        bot = bot_of(interaction)
        answers = Answers(
            done=values.get("done", ""),
            stuck=values.get("stuck", ""),
            discuss=values.get("discuss", ""),
            work_link=values.get("link", ""),
        )
        done = await service.prepare_session(
            bot.db, bot.clock.now(), int(parts[0]), interaction.user.id, answers
        )
        await answer(
            interaction,
            tr(
                "checkin.saved",
                interaction.locale,
                when=discord_stamp(done.view.session.starts_at, "F"),
            ),
        )
        if done.tell_mentor:
            await tell_mentor(bot, done.view, done.checkin)


async def tell_mentor(bot: MentorCoach, view: SessionView, checkin: Checkin) -> None:
    """DM the mentor a check-in that came after their review nudge (or changed since)."""
    locale = await reader_locale(bot.db, view.mentor_id, view.guild_id)
    embed = discord.Embed(
        title=tr("checkin.late_title", locale, name=view.student_name),
        description=tr(
            "checkin.late_intro", locale, when=discord_stamp(view.session.starts_at, "F")
        ),
    )
    add_checkin_field(embed, checkin, locale)
    try:
        await send_dm(bot, view.mentor_id, embed=embed)
    except (DmClosed, discord.HTTPException):
        log.warning(
            "Could not send mentor %s the check-in of session %s", view.mentor_id, view.session.id
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
    return clip("\n".join(lines), FIELD_MAX)


def checkin_or_none(checkin: Checkin | None, locale: Locale) -> str:
    """Return the student's answers as the mentor reads them, or say there are none yet."""
    return checkin_text(checkin, locale) if checkin else tr("checkin.none_yet", locale)


def add_checkin_field(
    embed: discord.Embed, checkin: Checkin | None, locale: Locale, *, at_top: bool = True
) -> None:
    """Put the student's check-in in an embed (first, by default), or say there is none."""
    name = tr("checkin.field_title", locale)
    value = checkin_or_none(checkin, locale)
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
    return clip("\n".join(lines), FIELD_MAX)
