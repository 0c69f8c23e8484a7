"""`/privacy` and `/export`: people's copy of their data, its erasure, and files to take away."""

from __future__ import annotations

import asyncio
import io
import logging
from datetime import UTC, datetime, timedelta

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MentorCoach, bot_of
from bot.delivery import DmClosed, send_dm
from bot.options import StudentArg
from bot.refusal import Refusal
from bot.services import exports
from bot.services import privacy as service
from bot.services.calendar_feeds import FeedTexts
from bot.services.exports import ExportFile
from bot.services.people import reader_locale
from bot.services.privacy import Erased
from bot.storage.privacy import CalendarRow
from bot.texts import cmd, tr
from bot.ui import ask_to_confirm, confirmation, mentor_mention
from bot.vocabulary import SessionStatus

log = logging.getLogger(__name__)

FORMAT_CHOICES = [
    app_commands.Choice(name=cmd("exports.format_csv"), value="csv"),
    app_commands.Choice(name=cmd("exports.format_markdown"), value="markdown"),
]


def _file(export: ExportFile) -> discord.File:
    return discord.File(io.BytesIO(export.data), filename=export.filename)


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MiB"


class PrivacyCog(commands.Cog):
    """Let people see, take away and erase what the bot stores about them."""

    privacy = app_commands.Group(
        name="privacy", description=cmd("privacy.group"), extras={"audience": "everyone"}
    )
    export = app_commands.Group(
        name="export", description=cmd("exports.group"), extras={"audience": "everyone"}
    )

    def __init__(self, bot: MentorCoach) -> None:
        self.bot = bot
        self._notices: set[asyncio.Task[None]] = set()

    async def cog_unload(self) -> None:
        """Let the DMs still being sent finish."""
        if self._notices:
            await asyncio.gather(*self._notices, return_exceptions=True)

    # -- /privacy ---------------------------------------------------------------------------

    @privacy.command(name="export", description=cmd("privacy.export"))
    async def export_data(self, interaction: discord.Interaction) -> None:
        """Get a file of everything Mentor Coach stores about you."""
        locale = interaction.locale
        await interaction.response.defer(ephemeral=True, thinking=True)
        done = await service.export_person(
            self.bot.db,
            interaction.user.id,
            self.bot.clock.now(),
            private_notes_explanation=tr("privacy.private_notes_explanation", interaction.locale),
        )
        lines = [tr("privacy.export_ready", locale)]
        if done.private_notes:
            mentors = ", ".join(
                tr(
                    "privacy.private_notes_line",
                    locale,
                    mentor=mentor_mention(p.mentor_id, locale),
                    count=p.count,
                )
                for p in done.private_notes
            )
            lines.append(tr("privacy.private_notes", locale, mentors=mentors))
        elif not (done.is_mentor or done.is_student):
            lines.append(tr("privacy.export_empty", locale))
        await interaction.followup.send("\n".join(lines), file=_file(done.file), ephemeral=True)

    @privacy.command(name="delete", description=cmd("privacy.delete"))
    async def delete_data(self, interaction: discord.Interaction) -> None:
        """Delete everything Mentor Coach stores about you."""
        locale = interaction.locale
        user_id = interaction.user.id
        found = await service.footprint(self.bot.db, user_id)
        details = []
        if found.mentorships_as_mentor or found.notes_written:
            details.append(
                tr(
                    "privacy.delete_as_mentor",
                    locale,
                    notes=found.notes_written,
                    count=found.mentorships_as_mentor,
                )
            )
        if found.mentorships_as_student:
            details.append(
                tr("privacy.delete_as_student", locale, count=found.mentorships_as_student)
            )
        details.append(tr("privacy.delete_nothing_yet", locale))
        await ask_to_confirm(
            interaction,
            tr("privacy.delete_question", locale, details="\n".join(details)),
            confirm_label=tr("privacy.delete_button", locale),
            action="privacy.delete",  # a restart-safe question; only the asker can confirm it
            parts=[int(self.bot.clock.now().timestamp())],
        )

    async def erase(self, interaction: discord.Interaction) -> str:
        """Erase the person who confirmed; return what to tell them."""
        user_id = interaction.user.id
        erased = await service.erase_person(self.bot.db, user_id, self.bot.clock.now())
        self.bot.dispatcher.wake()
        # After the answer (Discord waits 3 s for it): scrub the files, then tell people.
        task = asyncio.create_task(self._after_erasure(user_id, erased))
        self._notices.add(task)
        task.add_done_callback(self._notices.discard)
        return tr("privacy.deleted", interaction.locale)

    async def _after_erasure(self, user_id: int, erased: Erased) -> None:
        """Leave nothing of the person in the files, then tell whom the erasure concerns."""
        await service.scrub_files(self.bot.db)
        await self._tell_people(user_id, erased)

    async def _tell_people(self, user_id: int, erased: Erased) -> None:
        """DM each student whose mentorship ended, each mentor whose student was erased."""
        for lost in erased.mentors_told:
            locale = await reader_locale(self.bot.db, lost.mentor_id, lost.guild_id)
            guild = self.bot.get_guild(lost.guild_id)
            text = tr(
                "privacy.student_erased_dm",
                locale,
                student=f"<@{user_id}>",
                server=guild.name if guild else lost.guild_id,
                mentorships=lost.mentorships,
                sessions=lost.sessions,
                notes=lost.notes,
            )
            try:
                await send_dm(self.bot, lost.mentor_id, content=text)
            except DmClosed:
                log.info("Mentor %s does not accept DMs; not told", lost.mentor_id)
            except discord.HTTPException:
                log.warning("Could not tell mentor %s", lost.mentor_id, exc_info=True)
        for ended in erased.ended:
            locale = await reader_locale(self.bot.db, ended.student_id, ended.guild_id)
            text = tr("privacy.mentorship_ended_dm", locale, project=ended.project)
            try:
                await send_dm(self.bot, ended.student_id, content=text)
            except DmClosed:
                log.info("Student %s does not accept DMs; not told", ended.student_id)
            except discord.HTTPException:
                log.warning("Could not tell student %s", ended.student_id, exc_info=True)

    # -- /export ----------------------------------------------------------------------------

    @export.command(name="notes", description=cmd("exports.notes"))
    @app_commands.describe(
        student=cmd("exports.opt_student"), file_format=cmd("exports.opt_format")
    )
    @app_commands.rename(file_format="format")
    @app_commands.choices(file_format=FORMAT_CHOICES)
    async def export_notes(
        self,
        interaction: discord.Interaction,
        file_format: app_commands.Choice[str],
        student: StudentArg | None = None,
    ) -> None:
        """Export your notes on your students as a file."""
        locale = interaction.locale
        now = self.bot.clock.now()
        await interaction.response.defer(ephemeral=True, thinking=True)
        done = await exports.notes_file(
            self.bot.db,
            interaction.user.id,
            file_format.value,
            student=student,
            guild_id=interaction.guild_id,
            heading=tr("exports.markdown_heading", locale),
            shared=tr("exports.markdown_shared", locale),
            today=now,
        )
        limit = interaction.filesize_limit
        parts = exports.split_export(
            done.file, limit, repeat_header=done.file.filename.endswith(".csv")
        )
        if len(parts) > exports.MAX_PARTS:
            await interaction.followup.send(
                tr("exports.too_large", locale, size=_mib(len(done.file.data))), ephemeral=True
            )
            return
        text = tr("exports.notes_ready", locale, count=done.count)
        if len(parts) > 1:
            text += "\n" + tr("exports.in_parts", locale, parts=len(parts), limit=_mib(limit))
        await interaction.followup.send(text, file=_file(parts[0]), ephemeral=True)
        for part in parts[1:]:
            await interaction.followup.send(file=_file(part), ephemeral=True)

    @export.command(name="calendar", description=cmd("exports.calendar"))
    async def export_calendar(self, interaction: discord.Interaction) -> None:
        """Get your upcoming sessions as a calendar file (.ics)."""
        locale = interaction.locale
        me = interaction.user.id
        now = self.bot.clock.now()
        await interaction.response.defer(ephemeral=True, thinking=True)
        rows = await exports.upcoming_sessions(self.bot.db, me, now)
        # A covered session names the peer as the feed does (by the name he accepted under).
        mentors = {row.mentor_id for row in rows if row.mentor_id != me and not row.holder_name}
        names = {mentor_id: await self._name_of(mentor_id) for mentor_id in mentors}
        texts = FeedTexts(locale, {i: name for i, name in names.items() if name is not None})

        def summary(row: CalendarRow) -> str:
            return texts.summary(row, me)

        done = exports.calendar_file(rows, now, summary=summary, description=texts.description)
        planned = sum(1 for row in rows if row.status == SessionStatus.SCHEDULED)
        await interaction.followup.send(
            tr("exports.calendar_ready", locale, count=planned), file=_file(done), ephemeral=True
        )

    async def _name_of(self, user_id: int) -> str | None:
        user = self.bot.get_user(user_id)
        if user is None:
            try:
                user = await self.bot.fetch_user(user_id)
            except discord.HTTPException:
                return None
        return user.display_name

    # -- servers ----------------------------------------------------------------------------

    @commands.Cog.listener()
    async def on_guild_remove(self, guild: discord.Guild) -> None:
        """Start the grace period after which the server's data is purged."""
        await service.guild_left(self.bot.db, guild.id, self.bot.clock.now())

    @commands.Cog.listener()
    async def on_guild_join(self, guild: discord.Guild) -> None:
        """Keep the server's data: the bot is back before the purge."""
        await service.guild_back(self.bot.db, guild.id)

    @commands.Cog.listener()
    async def on_guild_available(self, guild: discord.Guild) -> None:
        """Keep the data of a server the bot is in (it may have been re-added while offline)."""
        await service.guild_back(self.bot.db, guild.id)


DELETE_QUESTION_LIFETIME = timedelta(minutes=15)
"""How long the Delete button of `/privacy delete` stays good: then the question is asked anew."""


@confirmation("privacy.delete")
async def delete_confirmed(interaction: discord.Interaction, parts: tuple[str, ...]) -> str:
    """Erase the asker, in this process or one started since, while the question is fresh."""
    bot = bot_of(interaction)
    asked = datetime.fromtimestamp(int(parts[0]), UTC)
    if bot.clock.now() - asked > DELETE_QUESTION_LIFETIME:
        raise Refusal("privacy.delete_expired")
    cog = bot.get_cog(PrivacyCog.__cog_name__)
    assert isinstance(cog, PrivacyCog)
    return await cog.erase(interaction)


async def setup(bot: MentorCoach) -> None:
    """Add the cog to the bot."""
    await bot.add_cog(PrivacyCog(bot))
