"""`/session`: schedule, list, cancel, reschedule and record sessions."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MentorCoach
from bot.options import StudentArg, UnrecordedSessionArg, UpcomingSessionArg
from bot.refusal import Refusal
from bot.scheduling.recurrence import Repeat
from bot.services import sessions as service
from bot.services.people import zone_of
from bot.storage.sessions import SessionView
from bot.texts import cmd, tr
from bot.timefmt import discord_stamp
from bot.ui import LazyPages, ask_to_confirm, send_pages

log = logging.getLogger(__name__)

COLOUR = discord.Colour.blurple()
PAGE_SIZE = 8
KIND_CHOICES = [app_commands.Choice(name=cmd(f"kind.{k}"), value=k) for k in service.KINDS]
REPEAT_CHOICES = [app_commands.Choice(name=cmd(f"repeat.{r.value}"), value=r.value) for r in Repeat]
OUTCOME_CHOICES = [
    app_commands.Choice(name=cmd(f"outcome.{o}"), value=o)
    for o in ("held", "cancelled_early", "cancelled_late", "no_show")
]
WHEN_CHOICES = [
    app_commands.Choice(name=cmd("sessions.upcoming"), value="upcoming"),
    app_commands.Choice(name=cmd("sessions.past"), value="past"),
]
SCOPE_CHOICES = [
    app_commands.Choice(name=cmd("sessions.scope_one"), value="one"),
    app_commands.Choice(name=cmd("sessions.scope_series"), value="series"),
]


class SessionsCog(commands.Cog):
    """Let mentors plan and record sessions, and students see theirs."""

    session = app_commands.Group(
        name="session", description=cmd("sessions.group"), extras={"audience": "mentor"}
    )

    def __init__(self, bot: MentorCoach) -> None:
        self.bot = bot

    async def _mentor_zone(self, interaction: discord.Interaction) -> str:
        zone = await zone_of(self.bot.db, interaction.user.id, interaction.guild_id)
        if zone is None:
            raise Refusal("sessions.no_zone")
        return zone

    @session.command(name="schedule", description=cmd("sessions.schedule"))
    @app_commands.describe(
        student=cmd("students.opt_student"),
        when=cmd("sessions.opt_when"),
        repeat=cmd("sessions.opt_repeat"),
        kind=cmd("sessions.opt_kind"),
        duration=cmd("sessions.opt_duration"),
    )
    @app_commands.choices(repeat=REPEAT_CHOICES, kind=KIND_CHOICES)
    async def schedule(
        self,
        interaction: discord.Interaction,
        student: StudentArg,
        when: app_commands.Range[str, 1, 100],
        repeat: app_commands.Choice[str] | None = None,
        kind: app_commands.Choice[str] | None = None,
        duration: app_commands.Range[int, service.DURATION_MIN, service.DURATION_MAX] | None = None,
    ) -> None:
        """Schedule a session, once or every week."""
        zone = await self._mentor_zone(interaction)
        done = await service.schedule(
            self.bot.db,
            self.bot.clock.now(),
            student,
            when_text=when,
            zone=zone,
            repeat=Repeat(repeat.value) if repeat else Repeat.NONE,
            kind=kind.value if kind else "regular",
            duration=duration,
        )
        locale = interaction.locale
        first = done.first
        text = tr(
            "sessions.scheduled",
            locale,
            kind=tr(f"kind.{first.kind}", locale),
            name=student.student_name,
            when=discord_stamp(first.starts_at, "F"),
            relative=discord_stamp(first.starts_at, "R"),
            minutes=first.duration_minutes,
        )
        if done.repeat is not Repeat.NONE:
            text += "\n" + tr(
                f"sessions.repeats_{done.repeat.value}", locale, zone=done.zone, count=done.count
            )
        await interaction.response.send_message(text, ephemeral=True)

    @session.command(name="list", description=cmd("sessions.list"), extras={"audience": "everyone"})
    @app_commands.describe(
        student=cmd("sessions.opt_list_student"), when=cmd("sessions.opt_list_when")
    )
    @app_commands.choices(when=WHEN_CHOICES)
    async def list_sessions(
        self,
        interaction: discord.Interaction,
        student: StudentArg | None = None,
        when: app_commands.Choice[str] | None = None,
    ) -> None:
        """List your sessions: as a mentor, or as a student."""
        past = when is not None and when.value == "past"
        views = await service.visible_sessions(
            self.bot.db,
            self.bot.clock.now(),
            viewer_id=interaction.user.id,
            guild_id=interaction.guild_id,
            mentorship=student,
            past=past,
        )
        pages = session_pages(views, interaction.user.id, interaction.locale, past=past)
        await send_pages(interaction, pages)

    @session.command(name="cancel", description=cmd("sessions.cancel"))
    @app_commands.describe(session=cmd("sessions.opt_session"), scope=cmd("sessions.opt_scope"))
    @app_commands.choices(scope=SCOPE_CHOICES)
    async def cancel(
        self,
        interaction: discord.Interaction,
        session: UpcomingSessionArg,
        scope: app_commands.Choice[str] | None = None,
    ) -> None:
        """Cancel one session or the rest of its series."""
        whole = scope is not None and scope.value == "series"
        if whole and session.session.series_id is None:
            whole = False
        locale = interaction.locale

        async def confirmed(done: discord.Interaction) -> str:
            fresh = await service.session_of_mentor(
                self.bot.db, done.user.id, str(session.session.id)
            )
            ids = await service.cancel(self.bot.db, fresh, whole_series=whole)
            return tr("sessions.cancelled", done.locale, count=len(ids))

        key = "sessions.cancel_series_question" if whole else "sessions.cancel_question"
        await ask_to_confirm(
            interaction,
            tr(
                key,
                locale,
                name=session.student_name,
                when=discord_stamp(session.session.starts_at, "F"),
            ),
            confirm_label=tr("sessions.cancel_button", locale),
            on_confirm=confirmed,
        )

    @session.command(name="reschedule", description=cmd("sessions.reschedule"))
    @app_commands.describe(session=cmd("sessions.opt_session"), when=cmd("sessions.opt_when"))
    async def reschedule(
        self,
        interaction: discord.Interaction,
        session: UpcomingSessionArg,
        when: app_commands.Range[str, 1, 100],
    ) -> None:
        """Move one session to another time."""
        zone = await self._mentor_zone(interaction)
        moved = await service.reschedule(
            self.bot.db, self.bot.clock.now(), session, when_text=when, zone=zone
        )
        await interaction.response.send_message(
            tr(
                "sessions.rescheduled",
                interaction.locale,
                name=session.student_name,
                old=discord_stamp(session.session.starts_at, "F"),
                when=discord_stamp(moved.starts_at, "F"),
                relative=discord_stamp(moved.starts_at, "R"),
            ),
            ephemeral=True,
        )

    @session.command(name="record", description=cmd("sessions.record"))
    @app_commands.describe(
        session=cmd("sessions.opt_record_session"), status=cmd("sessions.opt_status")
    )
    @app_commands.choices(status=OUTCOME_CHOICES)
    async def record(
        self,
        interaction: discord.Interaction,
        session: UnrecordedSessionArg,
        status: app_commands.Choice[str],
    ) -> None:
        """Record how a session went."""
        recorded = await service.record(self.bot.db, self.bot.clock.now(), session, status.value)
        locale = interaction.locale
        text = tr(
            "sessions.recorded",
            locale,
            name=session.student_name,
            when=discord_stamp(recorded.starts_at, "D"),
            outcome=tr(f"outcome.{recorded.status}", locale),
        )
        if recorded.status != "held":
            await interaction.response.send_message(text, ephemeral=True)
            return
        from cogs.notes import WriteNotesButton

        view = discord.ui.View(timeout=None)
        view.add_item(WriteNotesButton(recorded.id, label=tr("sessions.write_notes", locale)))
        await interaction.response.send_message(text, view=view, ephemeral=True)


def session_line(view: SessionView, viewer_id: int, locale: discord.Locale) -> str:
    """Describe one session for a list, from the viewer's side."""
    session = view.session
    other = (
        tr("sessions.with_student", locale, name=view.student_name)
        if view.mentor_id == viewer_id
        else tr("sessions.with_mentor", locale, mention=f"<@{view.mentor_id}>")
    )
    parts = [
        f"{discord_stamp(session.starts_at, 'F')} · {other}",
        tr(f"kind.{session.kind}", locale),
        tr("students.minutes", locale, minutes=session.duration_minutes),
    ]
    if session.status != "scheduled":
        parts.append(f"**{tr(f'outcome.{session.status}', locale)}**")
    elif session.student_response:
        parts.append(tr(f"sessions.response_{session.student_response}", locale))
    return " · ".join(parts)


def session_pages(
    views: Sequence[SessionView], viewer_id: int, locale: discord.Locale, *, past: bool
) -> Sequence[discord.Embed]:
    """Cut a list of sessions into embeds of PAGE_SIZE lines, each built when first shown."""
    title = tr("sessions.past_title" if past else "sessions.upcoming_title", locale)
    if not views:
        return [discord.Embed(title=title, description=tr("sessions.none", locale), colour=COLOUR)]
    count = -(-len(views) // PAGE_SIZE)

    def page(index: int) -> discord.Embed:
        chunk = views[index * PAGE_SIZE : (index + 1) * PAGE_SIZE]
        embed = discord.Embed(
            title=title,
            description="\n".join(session_line(v, viewer_id, locale) for v in chunk),
            colour=COLOUR,
        )
        embed.set_footer(
            text=tr("common.page", locale, page=index + 1, pages=count, total=len(views))
        )
        return embed

    return LazyPages(count, page)


async def setup(bot: MentorCoach) -> None:
    """Add the cog to the bot."""
    await bot.add_cog(SessionsCog(bot))
