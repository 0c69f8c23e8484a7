"""Hand-over messages and their restart-proof buttons: the peer's and the student's answers."""

from __future__ import annotations

import logging

import discord

from bot.app import MentorCoach, bot_of
from bot.delivery import DmClosed, send_dm
from bot.services import handovers as service
from bot.services.handovers import Asked, Pack
from bot.services.moderation import config_of
from bot.services.people import reader_locale
from bot.storage.handovers import Handover
from bot.storage.mentorships import Mentorship
from bot.textfit import clip
from bot.texts import tr
from bot.timefmt import discord_stamp
from bot.ui import PersistentButton, fit_embed

log = logging.getLogger(__name__)

COLOUR = discord.Colour.blurple()


async def _locale_of(bot: MentorCoach, user_id: int, guild_id: int) -> str | None:
    return await reader_locale(bot.db, user_id, guild_id)


async def _tell(bot: MentorCoach, user_id: int, guild_id: int, key: str, **values: object) -> bool:
    """DM a person one catalogue text in their language; False when their DMs are closed."""
    locale = await _locale_of(bot, user_id, guild_id)
    try:
        await send_dm(bot, user_id, content=tr(key, locale, **values))
    except DmClosed:
        return False
    return True


async def log_for_moderators(bot: MentorCoach, guild_id: int, key: str, **values: object) -> None:
    """Post a line to the server's log channel (ids as mentions, pinging nobody)."""
    config = await config_of(bot.db, guild_id)
    if config.log_channel_id is None:
        return
    channel = bot.get_partial_messageable(config.log_channel_id, guild_id=guild_id)
    try:
        await channel.send(
            tr(key, config.locale, **values), allowed_mentions=discord.AllowedMentions.none()
        )
    except discord.HTTPException:
        log.warning("Could not log a hand-over in guild %s", guild_id, exc_info=True)


def _what(handover: Handover, mentorship: Mentorship, locale: str | None, when: str) -> str:
    if handover.scope == "session":
        return tr("handover.what_session", locale, name=mentorship.student_name, when=when)
    return tr("handover.what_mentorship", locale, name=mentorship.student_name)


async def ask_peer(bot: MentorCoach, asked: Asked) -> bool:
    """DM the peer the request with Accept and Decline; False when their DMs are closed."""
    handover, mentorship = asked.handover, asked.mentorship
    locale = await _locale_of(bot, handover.to_mentor, handover.guild_id)
    when = "" if asked.session is None else discord_stamp(asked.session.starts_at, "F")
    embed = discord.Embed(
        title=clip(tr("handover.ask_title", locale), 256),
        description=tr(
            "handover.ask_text",
            locale,
            mentor=f"<@{handover.from_mentor}>",
            what=_what(handover, mentorship, locale, when),
            project=mentorship.project,
        ),
        colour=COLOUR,
    )
    view = discord.ui.View(timeout=None)
    view.add_item(PeerAccept(handover.id, tr("handover.accept", locale)))
    view.add_item(PeerDecline(handover.id, tr("handover.decline", locale)))
    try:
        await send_dm(bot, handover.to_mentor, embed=embed, view=view)
    except DmClosed:
        await service.unreachable(bot.db, bot.clock.now(), handover.id)
        return False
    return True


async def _ask_student(bot: MentorCoach, handover: Handover, mentorship: Mentorship) -> bool:
    locale = await _locale_of(bot, mentorship.student_id, mentorship.guild_id)
    session = None
    if handover.session_id is not None:
        pack = await service.pack_of(bot.db, mentorship, handover.session_id)
        session = pack.session
    when = "" if session is None else discord_stamp(session.starts_at, "F")
    key = "handover.student_session" if handover.scope == "session" else "handover.student_all"
    embed = discord.Embed(
        title=clip(tr("handover.student_title", locale), 256),
        description=tr(
            key,
            locale,
            mentor=f"<@{handover.from_mentor}>",
            peer=f"<@{handover.to_mentor}>",
            when=when,
        ),
        colour=COLOUR,
    )
    embed.set_footer(text=tr("handover.student_private", locale))
    view = discord.ui.View(timeout=None)
    view.add_item(StudentAgree(handover.id, tr("handover.agree", locale)))
    view.add_item(StudentRefuse(handover.id, tr("handover.refuse", locale)))
    try:
        await send_dm(bot, mentorship.student_id, embed=embed, view=view)
    except DmClosed:
        return False
    return True


def pack_embed(pack: Pack, locale: str | None) -> discord.Embed:
    """Show what the new mentor receives: shared notes, open next steps, progress, plan."""
    mentorship = pack.mentorship
    embed = discord.Embed(
        title=clip(tr("handover.pack_title", locale, name=mentorship.student_name), 256),
        description=tr("handover.pack_intro", locale, project=mentorship.project),
        colour=COLOUR,
    )
    if pack.session is not None:
        embed.add_field(
            name=tr("handover.pack_session", locale),
            value=discord_stamp(pack.session.starts_at, "F"),
            inline=False,
        )
    notes = [f"**{n.title}**\n{clip(n.body, 300)}" for n in pack.shared_notes[:5]]
    embed.add_field(
        name=tr("handover.pack_notes", locale),
        value=clip("\n\n".join(notes) or tr("handover.pack_none", locale), 1024),
        inline=False,
    )
    steps = [f"• {step.text}" for step in pack.open_steps[:15]]
    embed.add_field(
        name=tr("handover.pack_steps", locale),
        value=clip("\n".join(steps) or tr("handover.pack_none", locale), 1024),
        inline=False,
    )
    progress = [
        tr(
            "coaching.progress_line",
            locale,
            when=discord_stamp(entry.created_at, "D"),
            status=tr(f"coaching.status_{entry.status}", locale),
        )
        for entry in pack.progress
    ]
    embed.add_field(
        name=tr("handover.pack_progress", locale),
        value=clip("\n".join(progress) or tr("handover.pack_none", locale), 1024),
        inline=False,
    )
    if pack.plan is not None:
        embed.add_field(
            name=tr("coaching.prep_plan", locale),
            value=tr(
                "coaching.plan_request", locale, when=discord_stamp(pack.plan.request_by, "D")
            ),
            inline=False,
        )
    embed.set_footer(text=tr("handover.pack_private", locale))
    return fit_embed(embed)


async def _close(interaction: discord.Interaction, key: str) -> None:
    """Replace the question and its buttons with what was decided."""
    await interaction.response.edit_message(
        content=tr(key, interaction.locale), embed=None, view=None
    )


class PeerAccept(PersistentButton, template=r"handover-peer-yes:(?P<id>[0-9]{1,20})"):
    """The peer takes the session or the mentorship (the student is asked next)."""

    PREFIX = "handover-peer-yes"
    STYLE = discord.ButtonStyle.success
    LABEL_KEY = "handover.accept"

    async def act(self, interaction: discord.Interaction) -> None:
        """Record the yes, then ask the student and tell the mentor."""
        bot = bot_of(interaction)
        handover, mentorship = await service.peer_answers(
            bot.db,
            bot.clock.now(),
            self.target_id,
            interaction.user.id,
            True,
            peer_name=interaction.user.display_name,
        )
        await _close(interaction, "handover.peer_accepted")
        reached = await _ask_student(bot, handover, mentorship)
        key = "handover.mentor_peer_yes" if reached else "handover.mentor_student_closed"
        await _tell(
            bot,
            handover.from_mentor,
            handover.guild_id,
            key,
            peer=f"<@{handover.to_mentor}>",
            name=mentorship.student_name,
        )


class PeerDecline(PersistentButton, template=r"handover-peer-no:(?P<id>[0-9]{1,20})"):
    """The peer cannot take it: the mentor is told, nothing moves."""

    PREFIX = "handover-peer-no"
    STYLE = discord.ButtonStyle.secondary
    LABEL_KEY = "handover.decline"

    async def act(self, interaction: discord.Interaction) -> None:
        """Record the no and tell the mentor."""
        bot = bot_of(interaction)
        handover, mentorship = await service.peer_answers(
            bot.db, bot.clock.now(), self.target_id, interaction.user.id, False
        )
        await _close(interaction, "handover.peer_declined")
        await _tell(
            bot,
            handover.from_mentor,
            handover.guild_id,
            "handover.mentor_peer_no",
            peer=f"<@{handover.to_mentor}>",
            name=mentorship.student_name,
        )


class StudentAgree(PersistentButton, template=r"handover-student-yes:(?P<id>[0-9]{1,20})"):
    """The student agrees: the hand-over happens."""

    PREFIX = "handover-student-yes"
    STYLE = discord.ButtonStyle.success
    LABEL_KEY = "handover.agree"

    async def act(self, interaction: discord.Interaction) -> None:
        """Hand over, send the new mentor what they need, tell everyone, log it."""
        bot = bot_of(interaction)
        handover, pack = await service.student_answers(
            bot.db, bot.clock.now(), self.target_id, interaction.user.id, True
        )
        assert pack is not None
        await _close(interaction, "handover.student_agreed")
        locale = await _locale_of(bot, handover.to_mentor, handover.guild_id)
        try:
            await send_dm(bot, handover.to_mentor, embed=pack_embed(pack, locale))
        except DmClosed:
            log.info("Hand-over %s: the new mentor's DMs are closed", handover.id)
        name = pack.mentorship.student_name
        key = (
            "handover.mentor_done_session"
            if handover.scope == "session"
            else "handover.mentor_done_mentorship"
        )
        await _tell(
            bot,
            handover.from_mentor,
            handover.guild_id,
            key,
            peer=f"<@{handover.to_mentor}>",
            name=name,
        )
        await log_for_moderators(
            bot,
            handover.guild_id,
            f"handover.log_{handover.scope}",
            mentor=f"<@{handover.from_mentor}>",
            peer=f"<@{handover.to_mentor}>",
            student=f"<@{pack.mentorship.student_id}>",
        )


class StudentRefuse(PersistentButton, template=r"handover-student-no:(?P<id>[0-9]{1,20})"):
    """The student prefers not: nothing moves, both mentors are told."""

    PREFIX = "handover-student-no"
    STYLE = discord.ButtonStyle.secondary
    LABEL_KEY = "handover.refuse"

    async def act(self, interaction: discord.Interaction) -> None:
        """Record the no and tell both mentors."""
        bot = bot_of(interaction)
        handover, _ = await service.student_answers(
            bot.db, bot.clock.now(), self.target_id, interaction.user.id, False
        )
        await _close(interaction, "handover.student_refused")
        for mentor in (handover.from_mentor, handover.to_mentor):
            await _tell(bot, mentor, handover.guild_id, "handover.mentor_student_no")
        await log_for_moderators(
            bot,
            handover.guild_id,
            "handover.log_refused",
            mentor=f"<@{handover.from_mentor}>",
            peer=f"<@{handover.to_mentor}>",
        )


HANDOVER_BUTTONS = (PeerAccept, PeerDecline, StudentAgree, StudentRefuse)
