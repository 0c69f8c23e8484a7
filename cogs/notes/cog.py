"""The cog of `/note` and "Save as note": a mentor's private notes on students, shared on demand."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MentorCoach, bot_of
from bot.options import (
    MentorSessionOption,
    StudentArg,
    caller_zone,
    session_choices,
)
from bot.refusal import Refusal
from bot.services import notes as service
from bot.services import sessions as session_service
from bot.services.students import mentorship_of, resolve_student, students_of
from bot.storage.notes import TITLE_MAX, Note
from bot.storage.sessions import Session, SessionView
from bot.textfit import clip
from bot.texts import Locale, cmd, language_of, tr
from bot.ui import PagesView, ask_to_confirm, confirmation, send_pages
from bot.vocabulary import SessionStatus
from cogs.notes._views import (
    RECENT,
    SELECT_MAX,
    MessageNoteView,
    WriteNotesButton,
    edit_note_form,
    escaped,
    guild_id_of,
    local_date,
    mentor_pages,
    message_text,
    new_note_modal,
    note_reply,
    search_embed,
    share_note,
    student_view_pages,
)

log = logging.getLogger(__name__)


# -- options -------------------------------------------------------------------------------


class NoteOption(app_commands.Transformer):
    """One of the caller's own notes; autocompletes over them only."""

    async def transform(self, interaction: discord.Interaction, value: str) -> Note:
        """Resolve the chosen note, or refuse privately."""
        guild_id_of(interaction)
        return await service.note_of_author(
            bot_of(interaction).db, interaction.user.id, service.parse_note_id(value)
        )

    async def autocomplete(  # type: ignore[override]
        self, interaction: discord.Interaction, value: str
    ) -> list[app_commands.Choice[str]]:
        """Offer the caller's notes whose title or student matches."""
        if interaction.guild_id is None:
            return []
        pairs = await service.note_choices(
            bot_of(interaction).db, interaction.guild_id, interaction.user.id, value
        )
        return [app_commands.Choice(name=label, value=key) for label, key in pairs]


class NoteSessionOption(MentorSessionOption):
    """One of the caller's recent or upcoming sessions, with the chosen student if any."""

    async def autocomplete(  # type: ignore[override]
        self, interaction: discord.Interaction, value: str
    ) -> list[app_commands.Choice[str]]:
        """Offer the sessions nearest to now, of the chosen student when there is one."""
        if interaction.guild_id is None:
            return []
        bot = bot_of(interaction)
        now = bot.clock.now()
        mentorship_id = None
        typed_student = interaction.namespace.student
        if typed_student:
            try:
                student = await resolve_student(
                    bot.db, interaction.guild_id, interaction.user.id, str(typed_student)
                )
            except Refusal:
                return []
            mentorship_id = student.id
        views = await session_service.sessions_near(
            bot.db, interaction.guild_id, interaction.user.id, now, RECENT, mentorship_id
        )
        return session_choices(
            views,
            value,
            await caller_zone(interaction),
            locale=interaction.locale,
            now=bot_of(interaction).clock.now(),
        )


NoteArg = app_commands.Transform[Note, NoteOption]
NoteSessionArg = app_commands.Transform[SessionView, NoteSessionOption]


class NotePagesView(PagesView):
    """Pages that open at a chosen page."""

    def __init__(
        self, owner_id: int, locale: discord.Locale, pages: Sequence[discord.Embed], start: int
    ) -> None:
        super().__init__(owner_id, locale, pages)
        self.index = max(0, min(start, len(self.pages) - 1))
        self._sync_buttons()


async def send_pages_from(
    interaction: discord.Interaction, pages: Sequence[discord.Embed], start: int
) -> None:
    """Answer privately with the pages, opening at `start` (0-based, clamped)."""
    if len(pages) <= 1 or start <= 0:
        await send_pages(interaction, pages)
        return
    view = NotePagesView(interaction.user.id, interaction.locale, pages, start)
    view.origin = interaction
    await interaction.response.send_message(embed=view.current, view=view, ephemeral=True)


# -- the cog -------------------------------------------------------------------------------


class NotesCog(commands.Cog):
    """Let mentors keep private notes on their students and share them."""

    note = app_commands.Group(
        name="note", description=cmd("notes.group"), extras={"audience": "mentor"}
    )

    def __init__(self, bot: MentorCoach) -> None:
        self.bot = bot
        self.save_menu = app_commands.ContextMenu(
            name=cmd("notes.menu_save"),
            callback=self.save_as_note,
            extras={"audience": "mentor"},
        )
        self.save_menu.guild_only = True

    async def cog_load(self) -> None:
        """Add the message command, which cannot live in a group."""
        self.bot.tree.add_command(self.save_menu)

    async def cog_unload(self) -> None:
        """Remove the message command."""
        self.bot.tree.remove_command(self.save_menu.name, type=self.save_menu.type)

    @note.command(name="add", description=cmd("notes.add"))
    @app_commands.describe(student=cmd("students.opt_student"), session=cmd("notes.opt_session"))
    async def add(
        self,
        interaction: discord.Interaction,
        student: StudentArg,
        session: NoteSessionArg | None = None,
    ) -> None:
        """Write a private note on one of your students."""
        locale = interaction.locale
        if session is not None and session.mentorship_id != student.id:
            raise Refusal("notes.session_mismatch", name=escaped(student.student_name))
        title = ""
        if session is not None:
            date = local_date(
                session.session.starts_at,
                await caller_zone(interaction),
                language_of(interaction.locale),
            )
            title = tr("notes.session_title", locale, name=student.student_name, date=date)
        await interaction.response.send_modal(
            new_note_modal(
                interaction,
                student,
                heading=tr("notes.modal_new", locale, name=student.student_name),
                title=title,
                session_id=session.session.id if session else None,
            )
        )

    @note.command(name="list", description=cmd("notes.list"), extras={"audience": "everyone"})
    @app_commands.describe(student=cmd("notes.opt_list_student"), page=cmd("notes.opt_page"))
    async def list_notes(
        self,
        interaction: discord.Interaction,
        student: StudentArg | None = None,
        page: app_commands.Range[int, 1, 1000] | None = None,
    ) -> None:
        """List your notes on a student, or the notes your mentor shared with you."""
        locale = interaction.locale
        following = (
            await students_of(self.bot.db, interaction.guild_id, interaction.user.id)
            if student is None and interaction.guild_id is not None
            else []
        )
        if following:  # a mentor's own notes, student by student
            pages = []
            for mentorship in following:
                mine = await service.notes_on_student(self.bot.db, mentorship, interaction.user.id)
                if mine:
                    pages += mentor_pages(mine, mentorship, locale)
            if not pages:
                pages = [
                    discord.Embed(
                        title=tr("loop.own_notes_title", locale),
                        description=tr("loop.own_notes_none", locale),
                    )
                ]
        elif student is None:
            shared = await service.shared_with(
                self.bot.db, interaction.user.id, interaction.guild_id
            )
            pages = student_view_pages(shared, locale)
        else:
            mine = await service.notes_on_student(self.bot.db, student, interaction.user.id)
            pages = mentor_pages(mine, student, locale)
        await send_pages_from(interaction, pages, (page or 1) - 1)

    @note.command(name="search", description=cmd("notes.search"))
    @app_commands.describe(query=cmd("notes.opt_query"), student=cmd("notes.opt_search_student"))
    async def search(
        self,
        interaction: discord.Interaction,
        query: app_commands.Range[str, 1, 100],
        student: StudentArg | None = None,
    ) -> None:
        """Search your own notes."""
        guild_id_of(interaction)
        locale = interaction.locale
        await interaction.response.defer(ephemeral=True, thinking=True)
        hits = await service.search(self.bot.db, interaction.user.id, query, student)
        shown = escaped(" ".join(query.split()))
        if not hits:
            await interaction.followup.send(
                tr("notes.search_none", locale, query=shown), ephemeral=True
            )
            return
        names = {hit.note.mentorship_id: hit.student_name or "?" for hit in hits}
        await interaction.followup.send(
            embed=search_embed(hits, names, shown, locale), ephemeral=True
        )

    @note.command(name="show", description=cmd("notes.show"))
    @app_commands.describe(note=cmd("notes.opt_note"))
    async def show(self, interaction: discord.Interaction, note: NoteArg) -> None:
        """Show one of your notes in full."""
        embed, view = await note_reply(self.bot, note, interaction.locale)
        await interaction.response.send_message(embed=embed, view=view, ephemeral=True)

    @note.command(name="edit", description=cmd("notes.edit"))
    @app_commands.describe(note=cmd("notes.opt_note"))
    async def edit(self, interaction: discord.Interaction, note: NoteArg) -> None:
        """Edit one of your notes."""
        await interaction.response.send_modal(edit_note_form(note, interaction.locale))

    @note.command(name="delete", description=cmd("notes.delete"))
    @app_commands.describe(note=cmd("notes.opt_note"))
    async def delete(self, interaction: discord.Interaction, note: NoteArg) -> None:
        """Delete one of your notes."""
        locale = interaction.locale
        mentorship = await mentorship_of(self.bot.db, note.mentorship_id)
        name = escaped(mentorship.student_name) if mentorship else "?"
        title = escaped(clip(note.title, TITLE_MAX))

        await ask_to_confirm(
            interaction,
            tr("notes.delete_question", locale, title=title, name=name),
            confirm_label=tr("notes.delete_button", locale),
            action="note.delete",
            parts=[note.id],
        )

    @note.command(name="share", description=cmd("notes.share"))
    @app_commands.describe(note=cmd("notes.opt_note"))
    async def share(self, interaction: discord.Interaction, note: NoteArg) -> None:
        """Send one of your notes to its student by DM."""
        await share_note(interaction, note.id)

    async def save_as_note(
        self, interaction: discord.Interaction, message: discord.Message
    ) -> None:
        """Offer to file a message as a note on one of the caller's students."""
        guild_id = guild_id_of(interaction)
        text = message_text(message)
        if not text.strip():
            raise Refusal("notes.empty_message")
        students = await students_of(self.bot.db, guild_id, interaction.user.id)
        if not students:
            raise Refusal("notes.no_students")
        students.sort(key=lambda m: (m.student_id != message.author.id, m.student_name.casefold()))
        locale = interaction.locale
        view = MessageNoteView(
            interaction.user.id,
            locale,
            students[:SELECT_MAX],
            author_id=message.author.id,
            title=clip(tr("notes.message_title", locale, name=message.author.display_name), 100),
            body=service.body_from_message(text),
            source=(message.channel.id, message.id),
        )
        view.origin = interaction
        await interaction.response.send_message(
            tr("notes.pick_student", locale), view=view, ephemeral=True
        )


@confirmation("note.delete")
async def delete_confirmed(interaction: discord.Interaction, parts: tuple[str, ...]) -> str:
    """Delete the note the question was about (if it is still the clicker's)."""
    gone = await service.delete_note(bot_of(interaction).db, interaction.user.id, int(parts[0]))
    return tr("notes.deleted", interaction.locale, title=escaped(gone.title))


def write_notes_view(session: Session, locale: Locale) -> discord.ui.View | None:
    """Offer to write the notes of a held session, however its outcome was recorded."""
    if session.status != SessionStatus.HELD:
        return None
    view = discord.ui.View(timeout=None)
    view.add_item(WriteNotesButton(session.id, label=tr("sessions.write_notes", locale)))
    return view
