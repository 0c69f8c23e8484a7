"""`/student`: the mentor's students: add, list, show, edit, archive."""

from __future__ import annotations

import logging
from collections.abc import Mapping

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MentorCoach, bot_of
from bot.checkin_ui import links_text
from bot.content import STARTING_POINTS
from bot.options import StudentArg, language_choices
from bot.progress_ui import attendance_line, note_titles, progress_text
from bot.refusal import Refusal
from bot.scheduling.recurrence import Repeat
from bot.services import checkins as checkin_service
from bot.services import sessions as session_service
from bot.services import students as service
from bot.services.checkins import LINK_MAX
from bot.services.moderation import check_mentor, check_student
from bot.services.people import zone_for
from bot.storage.mentorships import Mentorship
from bot.storage.sessions import Session
from bot.textfit import FIELD_MAX, clip
from bot.texts import cmd, tr
from bot.timefmt import discord_stamp
from bot.ui import PersistentModal, answer, ask_to_confirm, confirmation

log = logging.getLogger(__name__)

COLOUR = discord.Colour.teal()
LENGTH_CHOICES = [
    app_commands.Choice(name=cmd("students.length_30"), value=30),
    app_commands.Choice(name=cmd("students.length_45"), value=45),
]
START_CHOICES = [
    app_commands.Choice(name=cmd(f"coaching.start_{start}"), value=start)
    for start in STARTING_POINTS
]
LANGUAGE_CHOICES = language_choices()


class StudentsCog(commands.Cog):
    """Let mentors manage the students they follow."""

    student = app_commands.Group(
        name="student",
        description=cmd("students.group"),
        guild_only=True,
        extras={"audience": "mentor"},
    )

    def __init__(self, bot: MentorCoach) -> None:
        self.bot = bot
        self.profile_menu = app_commands.ContextMenu(
            name=cmd("menus.profile"), callback=self.open_profile, extras={"audience": "mentor"}
        )
        self.schedule_menu = app_commands.ContextMenu(
            name=cmd("menus.schedule"),
            callback=self.schedule_for,
            extras={"audience": "mentor"},
        )
        for menu in (self.profile_menu, self.schedule_menu):
            menu.guild_only = True

    async def cog_load(self) -> None:
        """Add the user commands, which cannot live in a group."""
        self.bot.tree.add_command(self.profile_menu)
        self.bot.tree.add_command(self.schedule_menu)

    async def cog_unload(self) -> None:
        """Remove the user commands."""
        for menu in (self.profile_menu, self.schedule_menu):
            self.bot.tree.remove_command(menu.name, type=menu.type)

    async def _followed(
        self, interaction: discord.Interaction, member: discord.Member | discord.User
    ) -> Mentorship:
        """Return the caller's active mentorship of a member, or refuse privately."""
        if interaction.guild_id is None:
            raise Refusal("errors.guild_only")
        if isinstance(interaction.user, discord.Member):
            roles = [role.id for role in interaction.user.roles]
            await check_mentor(self.bot.db, interaction.guild_id, roles)
        found = await service.followed(
            self.bot.db, interaction.guild_id, interaction.user.id, member.id
        )
        if found is None:
            raise Refusal("menus.not_followed", name=member.display_name)
        return found

    async def open_profile(
        self, interaction: discord.Interaction, member: discord.Member | discord.User
    ) -> None:
        """Open the card of a student you follow, from their name."""
        student = await self._followed(interaction, member)
        embed = await self.student_card(student, interaction.user.id, interaction.locale)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    async def schedule_for(
        self, interaction: discord.Interaction, member: discord.Member | discord.User
    ) -> None:
        """Schedule a session with a student you follow, from their name."""
        student = await self._followed(interaction, member)
        await interaction.response.send_modal(ScheduleModal(student, interaction.locale))

    async def student_card(
        self, student: Mentorship, mentor_id: int, locale: discord.Locale
    ) -> discord.Embed:
        """Build a student's card: profile, links, attendance, next session, progress, notes."""
        card = await service.card_of(self.bot.db, student, mentor_id, self.bot.clock.now())
        embed = profile_embed(student, locale)
        counts = card.attendance
        embed.add_field(
            name=tr("students.attendance", locale),
            value=attendance_line(counts, locale),
            inline=False,
        )
        if counts.last_held_at is not None:
            embed.add_field(
                name=tr("students.last_held", locale),
                value=discord_stamp(counts.last_held_at, "D"),
            )
        upcoming = card.upcoming
        embed.add_field(
            name=tr("students.next", locale),
            value=discord_stamp(upcoming.starts_at)
            if upcoming
            else tr("students.not_planned", locale),
        )
        history = progress_text(card.progress, card.plan, locale)
        if history is not None:
            embed.add_field(name=tr("students.progress", locale), value=history, inline=False)
        embed.add_field(
            name=tr("students.latest_notes", locale),
            value=note_titles(card.notes) or tr("students.no_notes", locale),
            inline=False,
        )
        links = links_text(card.links, locale)
        if links:
            embed.add_field(name=tr("checkin.links_title", locale), value=links, inline=False)
        return embed

    @student.command(name="add", description=cmd("students.add"))
    @app_commands.describe(
        member=cmd("students.opt_member"),
        project=cmd("students.opt_project"),
        path=cmd("students.opt_path"),
        goal=cmd("students.opt_goal"),
        session_length=cmd("students.opt_length"),
        starting_point=cmd("students.opt_starting_point"),
        language=cmd("students.opt_language"),
    )
    @app_commands.choices(session_length=LENGTH_CHOICES)
    @app_commands.choices(starting_point=START_CHOICES, language=LANGUAGE_CHOICES)
    async def add(
        self,
        interaction: discord.Interaction,
        member: discord.Member,
        project: app_commands.Range[str, 1, service.PROJECT_MAX],
        session_length: app_commands.Choice[int],
        path: app_commands.Range[str, 1, service.PATH_MAX] | None = None,
        goal: app_commands.Range[str, 1, service.GOAL_MAX] | None = None,
        starting_point: app_commands.Choice[str] | None = None,
        language: app_commands.Choice[str] | None = None,
    ) -> None:
        """Start following a student."""
        assert interaction.guild_id is not None
        roles = [role.id for role in member.roles]
        await check_student(self.bot.db, interaction.guild_id, member.display_name, roles)
        mentorship = await service.start_mentorship(
            self.bot.db,
            service.NewStudent(
                guild_id=interaction.guild_id,
                mentor_id=interaction.user.id,
                student_id=member.id,
                student_name=member.display_name,
                student_is_bot=member.bot,
                project=project,
                path=path,
                goal=goal,
                session_minutes=session_length.value,
                starting_point=None if starting_point is None else starting_point.value,
                language=None if language is None else language.value,
            ),
            self.bot.clock.now(),
        )
        embed = profile_embed(mentorship, interaction.locale)
        await interaction.response.send_message(
            tr("students.added", interaction.locale, name=mentorship.student_name),
            embed=embed,
            ephemeral=True,
        )

    @student.command(name="list", description=cmd("students.list"))
    async def list_students(self, interaction: discord.Interaction) -> None:
        """List your students with their next and last sessions."""
        assert interaction.guild_id is not None
        locale = interaction.locale
        mine = await service.students_of(self.bot.db, interaction.guild_id, interaction.user.id)
        if not mine:
            await interaction.response.send_message(tr("students.none", locale), ephemeral=True)
            return
        now = self.bot.clock.now()
        embed = discord.Embed(title=tr("students.list_title", locale), colour=COLOUR)
        for mentorship in sorted(mine, key=lambda m: m.student_name.casefold())[:25]:
            upcoming, last = await service.next_and_last(self.bot.db, mentorship.id, now)
            embed.add_field(
                name=mentorship.student_name[:256],
                value=clip(summary_lines(mentorship, upcoming, last, locale), FIELD_MAX),
                inline=False,
            )
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @student.command(name="show", description=cmd("students.show"))
    @app_commands.describe(student=cmd("students.opt_student"))
    async def show(self, interaction: discord.Interaction, student: StudentArg) -> None:
        """Show a student's profile, attendance and latest notes."""
        embed = await self.student_card(student, interaction.user.id, interaction.locale)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @student.command(name="edit", description=cmd("students.edit"))
    @app_commands.describe(
        student=cmd("students.opt_student"),
        project=cmd("students.opt_project"),
        path=cmd("students.opt_path_edit"),
        goal=cmd("students.opt_goal_edit"),
        session_length=cmd("students.opt_length"),
        starting_point=cmd("students.opt_starting_point"),
        project_link=cmd("checkin.opt_project_link"),
        meeting_link=cmd("checkin.opt_meeting_link"),
    )
    @app_commands.choices(session_length=LENGTH_CHOICES)
    @app_commands.choices(starting_point=START_CHOICES)
    async def edit(
        self,
        interaction: discord.Interaction,
        student: StudentArg,
        project: app_commands.Range[str, 1, service.PROJECT_MAX] | None = None,
        path: app_commands.Range[str, 1, service.PATH_MAX] | None = None,
        goal: app_commands.Range[str, 1, service.GOAL_MAX] | None = None,
        session_length: app_commands.Choice[int] | None = None,
        starting_point: app_commands.Choice[str] | None = None,
        project_link: app_commands.Range[str, 1, LINK_MAX] | None = None,
        meeting_link: app_commands.Range[str, 1, LINK_MAX] | None = None,
    ) -> None:
        """Change a student's project, path, goal, session length or links."""
        checkin_service.check_links(project_link=project_link, meeting_link=meeting_link)
        only_links = (project_link, meeting_link) != (None, None) and (
            project,
            path,
            goal,
            session_length,
            starting_point,
        ) == (None, None, None, None, None)
        updated = (
            student
            if only_links
            else await service.edit_mentorship(
                self.bot.db,
                student,
                project=project,
                path=path,
                goal=goal,
                session_minutes=session_length.value if session_length else None,
                starting_point=starting_point.value if starting_point else None,
            )
        )
        links = await checkin_service.set_links(
            self.bot.db, student, project_link=project_link, meeting_link=meeting_link
        )
        embed = profile_embed(updated, interaction.locale)
        shown_links = links_text(links, interaction.locale)
        if shown_links:
            embed.add_field(
                name=tr("checkin.links_title", interaction.locale), value=shown_links, inline=False
            )
        await interaction.response.send_message(
            tr("students.edited", interaction.locale, name=updated.student_name),
            embed=embed,
            ephemeral=True,
        )

    @student.command(name="archive", description=cmd("students.archive"))
    @app_commands.describe(student=cmd("students.opt_student"))
    async def archive(self, interaction: discord.Interaction, student: StudentArg) -> None:
        """End a mentorship; its history is kept and future sessions are cancelled."""
        locale = interaction.locale

        await ask_to_confirm(
            interaction,
            tr("students.archive_question", locale, name=student.student_name),
            confirm_label=tr("students.archive_button", locale),
            action="student.archive",
            parts=[student.id],
        )


def summary_lines(
    mentorship: Mentorship,
    upcoming: Session | None,
    last: Session | None,
    locale: discord.Locale,
) -> str:
    """Return a student's project, next session and last recorded one, a line each."""
    next_text = (
        discord_stamp(upcoming.starts_at) if upcoming else tr("students.not_planned", locale)
    )
    last_text = tr("students.never", locale)
    if last is not None:
        outcome = tr(f"outcome.{last.status}", locale)
        last_text = f"{discord_stamp(last.starts_at, 'D')} ({outcome})"
    return "\n".join(
        [
            tr("students.line_project", locale, project=mentorship.project),
            tr("students.line_next", locale, when=next_text),
            tr("students.line_last", locale, when=last_text),
        ]
    )


class ScheduleModal(PersistentModal):
    """When (and how often) the session with this student takes place.

    Its custom id carries the mentorship: a time typed before a restart is still scheduled.
    """

    PREFIX = "form:schedule"

    def __init__(self, student: Mentorship, locale: discord.Locale) -> None:
        super().__init__(tr("menus.schedule_title", locale, name=student.student_name), student.id)
        self.add_item(
            discord.ui.TextInput(
                label=clip(tr("reminders.reschedule_when", locale), 45),
                placeholder=clip(tr("reminders.reschedule_placeholder", locale), 100),
                max_length=100,
                custom_id="when",
            )
        )
        repeat: discord.ui.RadioGroup[ScheduleModal] = discord.ui.RadioGroup(
            custom_id="repeat",
            options=[
                discord.RadioGroupOption(
                    label=clip(tr(f"repeat.{r.value}", locale), 100),
                    value=r.value,
                    default=r is Repeat.NONE,
                )
                for r in Repeat
            ],
        )
        self.add_item(discord.ui.Label(text=clip(tr("menus.repeat", locale), 45), component=repeat))

    @classmethod
    async def submitted(
        cls, interaction: discord.Interaction, parts: tuple[str, ...], values: Mapping[str, str]
    ) -> None:
        """Schedule the session and say when it is."""
        bot = bot_of(interaction)
        if interaction.guild_id is None:
            raise Refusal("errors.guild_only")
        student = await service.resolve_student(
            bot.db, interaction.guild_id, interaction.user.id, parts[0]
        )
        zone = await zone_for(bot.db, interaction.user.id, student.guild_id)
        repeat = values.get("repeat") or Repeat.NONE.value
        if repeat not in {r.value for r in Repeat}:
            raise Refusal("errors.bad_value", value=repeat[:100])
        done = await session_service.schedule(
            bot.db,
            bot.clock.now(),
            student,
            when_text=values.get("when", ""),
            zone=zone,
            repeat=Repeat(repeat),
            kind="regular",
            duration=None,
            mentor_name=interaction.user.display_name,
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
        await answer(interaction, text)


def profile_embed(mentorship: Mentorship, locale: discord.Locale) -> discord.Embed:
    """Show who a student is to their mentor: project, path, goal, session length."""
    embed = discord.Embed(title=mentorship.student_name[:256], colour=COLOUR)
    embed.add_field(name=tr("students.project", locale), value=mentorship.project, inline=False)
    if mentorship.path:
        embed.add_field(name=tr("students.path", locale), value=mentorship.path)
    if mentorship.goal:
        embed.add_field(name=tr("students.goal", locale), value=mentorship.goal, inline=False)
    embed.add_field(
        name=tr("students.length", locale),
        value=tr("students.minutes", locale, minutes=mentorship.session_minutes),
    )
    if mentorship.starting_point:
        embed.add_field(
            name=tr("students.starting_point", locale),
            value=tr(f"coaching.start_{mentorship.starting_point}", locale),
        )
    embed.set_footer(text=tr("students.private_footer", locale))
    return embed


@confirmation("student.archive")
async def archive_confirmed(interaction: discord.Interaction, parts: tuple[str, ...]) -> str:
    """End the mentorship the question was about, if it is still active and the clicker's."""
    bot = bot_of(interaction)
    current = await service.mentorship_of(bot.db, int(parts[0]))
    if current is None or not current.active or current.mentor_id != interaction.user.id:
        raise Refusal("students.unknown", text=current.student_name if current else "?")
    cancelled = await service.end_mentorship(bot.db, current, bot.clock.now())
    return tr(
        "students.archived", interaction.locale, name=current.student_name, count=len(cancelled)
    )


async def setup(bot: MentorCoach) -> None:
    """Add the cog to the bot."""
    await bot.add_cog(StudentsCog(bot))
