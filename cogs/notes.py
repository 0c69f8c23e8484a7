"""`/note` and "Save as note": a mentor's private notes on students, shared on demand."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MentorCoach, bot_of
from bot.delivery import DmClosed, send_dm
from bot.errors import BaseModal, report_error
from bot.options import StudentArg
from bot.refusal import Refusal
from bot.services import notes as service
from bot.services.people import zone_of
from bot.services.sessions import session_of_mentor
from bot.services.students import resolve_student
from bot.storage import mentorships as mentorship_store
from bot.storage import sessions as session_store
from bot.storage.mentorships import Mentorship
from bot.storage.notes import BODY_MAX, TITLE_MAX, Note, NoteHit
from bot.storage.sessions import SessionView
from bot.textfit import clip
from bot.texts import cmd, tr
from bot.timefmt import discord_stamp, short_when
from bot.ui import DEFAULT_TIMEOUT, OwnerView, PagesView, ask_to_confirm, fit_embed, send_pages

log = logging.getLogger(__name__)

COLOUR = discord.Colour.gold()
PAGE_SIZE = 8
EXCERPT = 160
RECENT = timedelta(days=30)
SELECT_MAX = 25
MODAL_TITLE_MAX = 45
EMBED_TITLE_MAX = 256
EMBED_DESCRIPTION_MAX = 4096
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FOOTER_MAX = 2048

SaveNote = Callable[[discord.Interaction, str, str], Awaitable[None]]


def _guild_id(interaction: discord.Interaction) -> int:
    if interaction.guild_id is None:
        raise Refusal("errors.guild_only")
    return interaction.guild_id


async def _zone(interaction: discord.Interaction) -> str:
    bot = bot_of(interaction)
    zone = await zone_of(bot.db, interaction.user.id, interaction.guild_id)
    return zone or bot.settings.default_timezone


def _local_date(instant: datetime, zone: str) -> str:
    return f"{instant.astimezone(ZoneInfo(zone)):%d %b %Y}"


def _escape(text: str) -> str:
    return discord.utils.escape_markdown(text)


def _excerpt(body: str) -> str:
    return _escape(clip(" ".join(body.split()), EXCERPT))


def _snippet(snippet: str) -> str:
    """Escape a search snippet's markdown but keep its `**match**` highlights."""
    return "**".join(_escape(part) for part in " ".join(snippet.split()).split("**"))


# -- embeds --------------------------------------------------------------------------------


def note_embed(
    note: Note,
    locale: discord.Locale,
    *,
    student_name: str,
    session_start: datetime | None = None,
) -> discord.Embed:
    """Show a note in full to its author."""
    embed = discord.Embed(
        title=clip(note.title, EMBED_TITLE_MAX),
        description=clip(note.body, EMBED_DESCRIPTION_MAX),
        colour=COLOUR,
        timestamp=note.updated_at,
    )
    embed.add_field(
        name=tr("notes.field_student", locale), value=clip(_escape(student_name), FIELD_VALUE_MAX)
    )
    if session_start is not None:
        embed.add_field(
            name=tr("notes.field_session", locale), value=discord_stamp(session_start, "F")
        )
    if note.source_url:
        link = f"[{tr('notes.source_link', locale)}]({note.source_url})"
        value = link if len(link) <= FIELD_VALUE_MAX else clip(note.source_url, FIELD_VALUE_MAX)
        embed.add_field(name=tr("notes.field_source", locale), value=value)
    embed.add_field(
        name=tr("notes.field_shared", locale),
        value=discord_stamp(note.shared_at, "R")
        if note.shared_at
        else tr("notes.not_shared", locale),
        inline=False,
    )
    embed.set_footer(text=clip(tr("notes.footer", locale, id=note.id), FOOTER_MAX))
    return fit_embed(embed)


def shared_embed(
    note: Note, locale: discord.Locale | str | None, *, mentor_name: str, server: str | None
) -> discord.Embed:
    """Show a shared note to its student, naming the mentor who wrote it."""
    embed = discord.Embed(
        title=clip(note.title, EMBED_TITLE_MAX),
        description=clip(note.body, EMBED_DESCRIPTION_MAX),
        colour=COLOUR,
    )
    embed.set_author(name=clip(tr("notes_dm.author", locale, mentor=mentor_name), EMBED_TITLE_MAX))
    embed.add_field(
        name=tr("notes.field_mentor", locale),
        value=clip(f"<@{note.author_id}> ({_escape(mentor_name)})", FIELD_VALUE_MAX),
    )
    footer = (
        tr("notes_dm.footer", locale, server=server)
        if server
        else tr("notes_dm.footer_no_server", locale)
    )
    embed.set_footer(text=clip(footer, FOOTER_MAX))
    return fit_embed(embed)


def student_view_pages(notes: Sequence[Note], locale: discord.Locale) -> list[discord.Embed]:
    """One page per note shared with the reader, latest first."""
    title = tr("notes.shared_title", locale)
    if not notes:
        return [
            discord.Embed(title=title, description=tr("notes.shared_none", locale), colour=COLOUR)
        ]
    pages = []
    for number, note in enumerate(notes, start=1):
        embed = discord.Embed(
            title=clip(note.title, EMBED_TITLE_MAX),
            description=clip(note.body, EMBED_DESCRIPTION_MAX),
            colour=COLOUR,
        )
        embed.set_author(name=title)
        embed.add_field(name=tr("notes.field_mentor", locale), value=f"<@{note.author_id}>")
        if note.shared_at is not None:
            embed.add_field(
                name=tr("notes.field_shared_on", locale), value=discord_stamp(note.shared_at, "D")
            )
        embed.set_footer(
            text=tr("common.page", locale, page=number, pages=len(notes), total=len(notes))
        )
        pages.append(fit_embed(embed))
    return pages


def _list_line(note: Note, locale: discord.Locale) -> str:
    marks = [discord_stamp(note.created_at, "d")]
    if note.session_id is not None:
        marks.append(tr("notes.list_line_session", locale))
    if note.shared_at is not None:
        marks.append(tr("notes.list_line_shared", locale))
    heading = f"**#{note.id} · {_escape(note.title)}**"
    return f"{heading}\n{' · '.join(marks)} — {_excerpt(note.body)}"


def mentor_pages(
    notes: Sequence[Note], student: Mentorship, locale: discord.Locale
) -> list[discord.Embed]:
    """Cut the author's notes on a student into pages of PAGE_SIZE."""
    title = clip(tr("notes.list_title", locale, name=student.student_name), EMBED_TITLE_MAX)
    if not notes:
        text = tr("notes.list_none", locale, name=_escape(student.student_name))
        return [discord.Embed(title=title, description=text, colour=COLOUR)]
    chunks = [notes[i : i + PAGE_SIZE] for i in range(0, len(notes), PAGE_SIZE)]
    pages = []
    for number, chunk in enumerate(chunks, start=1):
        embed = discord.Embed(
            title=title,
            description=clip(
                "\n\n".join(_list_line(note, locale) for note in chunk), EMBED_DESCRIPTION_MAX
            ),
            colour=COLOUR,
        )
        embed.set_footer(
            text=tr("common.page", locale, page=number, pages=len(chunks), total=len(notes))
        )
        pages.append(fit_embed(embed))
    return pages


def search_embed(
    hits: Sequence[NoteHit], names: dict[int, str], query: str, locale: discord.Locale
) -> discord.Embed:
    """Show the author's best matches, each with the excerpt around its match."""
    embed = discord.Embed(
        title=clip(tr("notes.search_title", locale, query=query), EMBED_TITLE_MAX), colour=COLOUR
    )
    for hit in hits:
        note = hit.note
        name = f"#{note.id} · {note.title} · {names.get(note.mentorship_id, '?')}"
        value = _snippet(hit.snippet) or _excerpt(note.body)
        value = f"{value}\n{discord_stamp(note.created_at, 'd')}"
        embed.add_field(
            name=clip(name, FIELD_NAME_MAX), value=clip(value, FIELD_VALUE_MAX), inline=False
        )
    return fit_embed(embed)


async def describe(bot: MentorCoach, note: Note, locale: discord.Locale) -> discord.Embed:
    """Build the author's view of a note, with its student and session."""
    mentorship = await mentorship_store.get_mentorship(bot.db, note.mentorship_id)
    session = (
        await session_store.get_session_view(bot.db, note.session_id)
        if note.session_id is not None
        else None
    )
    return note_embed(
        note,
        locale,
        student_name=mentorship.student_name if mentorship else "?",
        session_start=session.session.starts_at if session else None,
    )


def share_view(note: Note, locale: discord.Locale) -> discord.ui.View:
    """A view with the note's Share button (a dynamic item: it survives restarts)."""
    view = discord.ui.View(timeout=None)
    view.add_item(ShareNoteButton(note.id, label=tr("notes.share_button", locale)))
    return view


async def send_note(
    interaction: discord.Interaction, note: Note, text: str, *, bot: MentorCoach
) -> None:
    """Answer privately with the note and its Share button."""
    embed = await describe(bot, note, interaction.locale)
    await interaction.response.send_message(
        text, embed=embed, view=share_view(note, interaction.locale), ephemeral=True
    )


# -- sharing -------------------------------------------------------------------------------


async def share_note(interaction: discord.Interaction, note_id: int) -> None:
    """DM the note to its student; mark it shared only once the DM went through."""
    bot = bot_of(interaction)
    locale = interaction.locale
    target = await service.prepare_share(bot.db, interaction.user.id, note_id)
    name = _escape(target.mentorship.student_name)
    await interaction.response.defer(ephemeral=True, thinking=True)
    guild = bot.get_guild(target.mentorship.guild_id)
    embed = shared_embed(
        target.note,
        interaction.guild_locale,
        mentor_name=interaction.user.display_name,
        server=guild.name if guild else None,
    )
    try:
        await send_dm(bot, target.mentorship.student_id, embed=embed)
    except DmClosed:
        log.info("Note %s not shared: the student's DMs are closed", note_id)
        await interaction.followup.send(tr("notes.dm_closed", locale, name=name), ephemeral=True)
        return
    await service.mark_shared(bot.db, bot.clock.now(), interaction.user.id, note_id)
    await interaction.followup.send(tr("notes.shared", locale, name=name), ephemeral=True)


class ShareNoteButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"note:share:(?P<note_id>[0-9]+)",
):
    """Send a note to its student by DM; only its author may."""

    def __init__(self, note_id: int, *, label: str | None = None) -> None:
        super().__init__(
            discord.ui.Button(
                label=label or tr("notes.share_button"),
                style=discord.ButtonStyle.primary,
                custom_id=f"note:share:{note_id}",
            )
        )
        self.note_id = note_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> ShareNoteButton:
        """Rebuild the button from its custom id."""
        return cls(int(match["note_id"]), label=getattr(item, "label", None))

    async def callback(self, interaction: discord.Interaction) -> None:
        """Share the note, reporting any refusal privately."""
        try:
            await share_note(interaction, self.note_id)
        except Exception as error:
            await report_error(interaction, error)


# -- writing -------------------------------------------------------------------------------


class NoteModal(BaseModal):
    """The note form: a title and a body, maybe pre-filled."""

    def __init__(
        self,
        heading: str,
        locale: discord.Locale,
        *,
        on_save: SaveNote,
        title: str = "",
        body: str = "",
    ) -> None:
        super().__init__(title=clip(heading, MODAL_TITLE_MAX), timeout=DEFAULT_TIMEOUT)
        self._on_save = on_save
        self.note_title: discord.ui.TextInput[NoteModal] = discord.ui.TextInput(
            label=clip(tr("notes.field_title", locale), MODAL_TITLE_MAX),
            custom_id="note-title",
            placeholder=clip(tr("notes.title_placeholder", locale), 100),
            default=clip(title, TITLE_MAX) or None,
            max_length=TITLE_MAX,
        )
        self.note_body: discord.ui.TextInput[NoteModal] = discord.ui.TextInput(
            label=clip(tr("notes.field_body", locale), MODAL_TITLE_MAX),
            custom_id="note-body",
            style=discord.TextStyle.paragraph,
            placeholder=clip(tr("notes.body_placeholder", locale), 100),
            default=clip(body, BODY_MAX) or None,
            max_length=BODY_MAX,
        )
        self.add_item(self.note_title)
        self.add_item(self.note_body)

    async def on_submit(self, interaction: discord.Interaction, /) -> None:
        """Save what was written."""
        await self._on_save(interaction, self.note_title.value, self.note_body.value)


def new_note_modal(
    bot: MentorCoach,
    mentorship: Mentorship,
    locale: discord.Locale,
    *,
    heading: str,
    title: str = "",
    body: str = "",
    session_id: int | None = None,
    source_url: str | None = None,
) -> NoteModal:
    """Return the form that saves a new note on `mentorship`."""

    async def save(done: discord.Interaction, note_title: str, note_body: str) -> None:
        note = await service.save_note(
            bot.db,
            bot.clock.now(),
            mentorship,
            done.user.id,
            note_title,
            note_body,
            session_id=session_id,
            source_url=source_url,
        )
        text = tr("notes.saved", done.locale, name=_escape(mentorship.student_name))
        await send_note(done, note, text, bot=bot)

    return NoteModal(heading, locale, on_save=save, title=title, body=body)


class WriteNotesButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"note:write:(?P<session_id>[0-9]+)",
):
    """Open the note form linked to a session; only the session's mentor may."""

    def __init__(self, session_id: int, *, label: str | None = None) -> None:
        super().__init__(
            discord.ui.Button(
                label=label or tr("notes.write_button"),
                style=discord.ButtonStyle.primary,
                custom_id=f"note:write:{session_id}",
            )
        )
        self.session_id = session_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> WriteNotesButton:
        """Rebuild the button from its custom id."""
        return cls(int(match["session_id"]), label=getattr(item, "label", None))

    async def callback(self, interaction: discord.Interaction) -> None:
        """Open the note form for this session, or refuse privately."""
        try:
            bot = bot_of(interaction)
            view, mentorship = await service.session_for_notes(
                bot.db, interaction.user.id, self.session_id
            )
            await interaction.response.send_modal(
                await session_note_modal(interaction, view, mentorship)
            )
        except Exception as error:
            await report_error(interaction, error)


async def session_note_modal(
    interaction: discord.Interaction, view: SessionView, mentorship: Mentorship
) -> NoteModal:
    """Return the note form linked to a session, its title pre-filled."""
    locale = interaction.locale
    date = _local_date(view.session.starts_at, await _zone(interaction))
    return new_note_modal(
        bot_of(interaction),
        mentorship,
        locale,
        heading=tr("notes.modal_session", locale, name=mentorship.student_name),
        title=tr("notes.session_title", locale, name=mentorship.student_name, date=date),
        session_id=view.session.id,
    )


class StudentSelect(discord.ui.Select["MessageNoteView"]):
    """Pick which student a saved message is about."""

    async def callback(self, interaction: discord.Interaction) -> None:
        """Open the note form for the picked student."""
        assert self.view is not None
        await self.view.picked(interaction, self.values[0])


class MessageNoteView(OwnerView):
    """The caller's students, to file a message under one of them as a note."""

    def __init__(
        self,
        owner_id: int,
        locale: discord.Locale,
        students: Sequence[Mentorship],
        *,
        author_id: int,
        title: str,
        body: str,
        source_url: str,
    ) -> None:
        super().__init__(owner_id)
        self.note_title = title
        self.note_body = body
        self.source_url = source_url
        options = [
            discord.SelectOption(
                label=clip(m.student_name, 100),
                description=clip(m.project, 100),
                value=str(m.id),
                default=m.student_id == author_id,
            )
            for m in students
        ]
        self.add_item(
            StudentSelect(
                placeholder=clip(tr("notes.pick_student", locale), 150),
                options=options,
                min_values=1,
                max_values=1,
            )
        )

    async def picked(self, interaction: discord.Interaction, value: str) -> None:
        """Open the pre-filled note form for the chosen student."""
        bot = bot_of(interaction)
        mentorship = await resolve_student(
            bot.db, _guild_id(interaction), interaction.user.id, value
        )
        await interaction.response.send_modal(
            new_note_modal(
                bot,
                mentorship,
                interaction.locale,
                heading=tr("notes.modal_message", interaction.locale),
                title=self.note_title,
                body=self.note_body,
                source_url=self.source_url,
            )
        )


def message_text(message: discord.Message) -> str:
    """Return what a message says: its text, else its embeds' text, else its attachments."""
    if message.content.strip():
        return message.content
    parts = [part for embed in message.embeds for part in (embed.title, embed.description) if part]
    parts += [attachment.url for attachment in message.attachments]
    return "\n".join(parts)


# -- options -------------------------------------------------------------------------------


class NoteOption(app_commands.Transformer):
    """One of the caller's own notes; autocompletes over them only."""

    async def transform(self, interaction: discord.Interaction, value: str) -> Note:
        """Resolve the chosen note, or refuse privately."""
        _guild_id(interaction)
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


class NoteSessionOption(app_commands.Transformer):
    """One of the caller's recent or upcoming sessions, with the chosen student if any."""

    async def transform(self, interaction: discord.Interaction, value: str) -> SessionView:
        """Resolve the chosen session, or refuse privately."""
        _guild_id(interaction)
        return await session_of_mentor(bot_of(interaction).db, interaction.user.id, value)

    async def autocomplete(  # type: ignore[override]
        self, interaction: discord.Interaction, value: str
    ) -> list[app_commands.Choice[str]]:
        """Offer the sessions nearest to now, of the chosen student when there is one."""
        if interaction.guild_id is None:
            return []
        bot = bot_of(interaction)
        now = bot.clock.now()
        views = await session_store.sessions_of_mentor(
            bot.db,
            interaction.guild_id,
            interaction.user.id,
            after=now - RECENT,
            before=now + RECENT,
            limit=200,
        )
        typed_student = interaction.namespace.student
        if typed_student:
            try:
                student = await resolve_student(
                    bot.db, interaction.guild_id, interaction.user.id, str(typed_student)
                )
            except Refusal:
                return []
            views = [v for v in views if v.mentorship_id == student.id]
        views = [v for v in views if v.session.status != "cancelled"]
        views.sort(key=lambda v: abs((v.session.starts_at - now).total_seconds()))
        zone = await _zone(interaction)
        folded = value.strip().casefold()
        choices = []
        for view in views:
            label = f"{short_when(view.session.starts_at, zone)} · {view.student_name}"
            if folded and folded not in label.casefold():
                continue
            choices.append(app_commands.Choice(name=clip(label, 100), value=str(view.session.id)))
        return choices[:25]


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
            raise Refusal("notes.session_mismatch", name=_escape(student.student_name))
        title = ""
        if session is not None:
            date = _local_date(session.session.starts_at, await _zone(interaction))
            title = tr("notes.session_title", locale, name=student.student_name, date=date)
        await interaction.response.send_modal(
            new_note_modal(
                self.bot,
                student,
                locale,
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
        if student is None:
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
        _guild_id(interaction)
        locale = interaction.locale
        hits = await service.search(self.bot.db, interaction.user.id, query, student)
        shown = _escape(" ".join(query.split()))
        if not hits:
            await interaction.response.send_message(
                tr("notes.search_none", locale, query=shown), ephemeral=True
            )
            return
        names: dict[int, str] = {}
        for mentorship_id in {hit.note.mentorship_id for hit in hits}:
            mentorship = await mentorship_store.get_mentorship(self.bot.db, mentorship_id)
            names[mentorship_id] = mentorship.student_name if mentorship else "?"
        await interaction.response.send_message(
            embed=search_embed(hits, names, shown, locale), ephemeral=True
        )

    @note.command(name="show", description=cmd("notes.show"))
    @app_commands.describe(note=cmd("notes.opt_note"))
    async def show(self, interaction: discord.Interaction, note: NoteArg) -> None:
        """Show one of your notes in full."""
        embed = await describe(self.bot, note, interaction.locale)
        await interaction.response.send_message(
            embed=embed, view=share_view(note, interaction.locale), ephemeral=True
        )

    @note.command(name="edit", description=cmd("notes.edit"))
    @app_commands.describe(note=cmd("notes.opt_note"))
    async def edit(self, interaction: discord.Interaction, note: NoteArg) -> None:
        """Edit one of your notes."""
        bot = self.bot
        note_id = note.id

        async def save(done: discord.Interaction, title: str, body: str) -> None:
            edited = await service.edit_note(
                bot.db, bot.clock.now(), done.user.id, note_id, title, body
            )
            await send_note(done, edited, tr("notes.edited", done.locale), bot=bot)

        await interaction.response.send_modal(
            NoteModal(
                tr("notes.modal_edit", interaction.locale),
                interaction.locale,
                on_save=save,
                title=note.title,
                body=note.body,
            )
        )

    @note.command(name="delete", description=cmd("notes.delete"))
    @app_commands.describe(note=cmd("notes.opt_note"))
    async def delete(self, interaction: discord.Interaction, note: NoteArg) -> None:
        """Delete one of your notes."""
        locale = interaction.locale
        mentorship = await mentorship_store.get_mentorship(self.bot.db, note.mentorship_id)
        name = _escape(mentorship.student_name) if mentorship else "?"
        title = _escape(clip(note.title, TITLE_MAX))

        async def confirmed(done: discord.Interaction) -> str:
            gone = await service.delete_note(self.bot.db, done.user.id, note.id)
            return tr("notes.deleted", done.locale, title=_escape(gone.title))

        await ask_to_confirm(
            interaction,
            tr("notes.delete_question", locale, title=title, name=name),
            confirm_label=tr("notes.delete_button", locale),
            on_confirm=confirmed,
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
        guild_id = _guild_id(interaction)
        text = message_text(message)
        if not text.strip():
            raise Refusal("notes.empty_message")
        students = await mentorship_store.active_for_mentor(
            self.bot.db, guild_id, interaction.user.id
        )
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
            source_url=message.jump_url,
        )
        view.origin = interaction
        await interaction.response.send_message(
            tr("notes.pick_student", locale), view=view, ephemeral=True
        )


async def setup(bot: MentorCoach) -> None:
    """Register the persistent buttons and add the cog."""
    bot.add_dynamic_items(WriteNotesButton, ShareNoteButton)
    await bot.add_cog(NotesCog(bot))


async def teardown(bot: MentorCoach) -> None:
    """Forget the persistent buttons."""
    bot.remove_dynamic_items(WriteNotesButton, ShareNoteButton)
