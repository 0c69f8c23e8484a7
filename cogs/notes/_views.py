"""Notes as people see them: embeds, the note form, and the buttons that share and write."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

import discord

from bot import timefmt
from bot.app import MentorCoach, bot_of
from bot.options import caller_zone
from bot.refusal import Refusal
from bot.services import notes as service
from bot.services.notes import Shareable, ShareState
from bot.services.sessions import session_view_of
from bot.services.students import mentorship_of, resolve_student
from bot.sharing import note_dm, share_with_student, used_button
from bot.storage.mentorships import Mentorship
from bot.storage.notes import BODY_MAX, TITLE_MAX, Note, NoteHit, SharedNote
from bot.storage.sessions import SessionView
from bot.textfit import FIELD_MAX, clip
from bot.texts import language_of, tr
from bot.timefmt import discord_stamp
from bot.ui import OwnerView, PersistentButton, PersistentModal, answer, fit_embed

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
FOOTER_MAX = 2048


def guild_id_of(interaction: discord.Interaction) -> int:
    if interaction.guild_id is None:
        raise Refusal("errors.guild_only")
    return interaction.guild_id


def local_date(instant: datetime, zone: str, language: str | None = None) -> str:
    """Return a session's date in the reader's language and zone, with its year."""
    return timefmt.local_date(instant, zone, language)


def escaped(text: str) -> str:
    return discord.utils.escape_markdown(text)


def _excerpt(body: str) -> str:
    return escaped(clip(" ".join(body.split()), EXCERPT))


def _snippet(snippet: str) -> str:
    """Escape a search snippet's markdown but keep its `**match**` highlights."""
    return "**".join(escaped(part) for part in " ".join(snippet.split()).split("**"))


# -- embeds --------------------------------------------------------------------------------


def _share_status(note: Note, locale: discord.Locale, state: ShareState) -> str:
    """Say whether the student has the note, and whether it changed since they got it."""
    if note.shared_at is None:
        return tr("notes.not_shared", locale)
    when = discord_stamp(note.shared_at, "R")
    if state is ShareState.SAME:
        return tr("notes.shared_status", locale, when=when)
    return tr("notes.shared_status_changed", locale, when=when)


def note_embed(
    note: Note,
    locale: discord.Locale,
    *,
    student_name: str,
    session_start: datetime | None = None,
    state: ShareState = ShareState.NEW,
    withheld: Sequence[str] = (),
) -> discord.Embed:
    """Show a note in full to its author, with what its student sees of it."""
    embed = discord.Embed(
        title=clip(note.title, EMBED_TITLE_MAX),
        description=clip(note.body, EMBED_DESCRIPTION_MAX),
        colour=COLOUR,
        timestamp=note.updated_at,
    )
    embed.add_field(
        name=tr("notes.field_student", locale), value=clip(escaped(student_name), FIELD_MAX)
    )
    if session_start is not None:
        embed.add_field(
            name=tr("notes.field_session", locale), value=discord_stamp(session_start, "F")
        )
    if note.source_url:
        link = f"[{tr('notes.source_link', locale)}]({note.source_url})"
        value = link if len(link) <= FIELD_MAX else clip(note.source_url, FIELD_MAX)
        embed.add_field(name=tr("notes.field_source", locale), value=value)
    embed.add_field(name=tr("notes.field_shared", locale), value=_share_status(note, locale, state))
    if withheld:
        labels = ", ".join(escaped(label) for label in withheld)
        embed.add_field(
            name=tr("notes.field_withheld", locale),
            value=clip(tr("notes.withheld", locale, fields=labels), FIELD_MAX),
            inline=False,
        )
    embed.set_footer(text=clip(tr("notes.footer", locale, id=note.id), FOOTER_MAX))
    return fit_embed(embed)


def student_view_pages(notes: Sequence[SharedNote], locale: discord.Locale) -> list[discord.Embed]:
    """One page per note shared with the reader, latest first: the copy they were sent."""
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
    heading = f"**#{note.id} · {escaped(note.title)}**"
    return f"{heading}\n{' · '.join(marks)} — {_excerpt(note.body)}"


def mentor_pages(
    notes: Sequence[Note], student: Mentorship, locale: discord.Locale
) -> list[discord.Embed]:
    """Cut the author's notes on a student into pages of PAGE_SIZE."""
    title = clip(tr("notes.list_title", locale, name=student.student_name), EMBED_TITLE_MAX)
    if not notes:
        text = tr("notes.list_none", locale, name=escaped(student.student_name))
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
        embed.add_field(name=clip(name, FIELD_NAME_MAX), value=clip(value, FIELD_MAX), inline=False)
    return fit_embed(embed)


async def note_reply(
    bot: MentorCoach,
    note: Note,
    locale: discord.Locale,
    *,
    mentorship: Mentorship | None = None,
) -> tuple[discord.Embed, discord.ui.View]:
    """Build the author's view of a note (student, session) and its Share button.

    `mentorship`: the note's, when the caller has just read it; else it is read here, once.
    """
    if mentorship is None:
        mentorship = await mentorship_of(bot.db, note.mentorship_id)
    session = (
        await session_view_of(bot.db, note.session_id) if note.session_id is not None else None
    )
    target = await share_state(bot, note, mentorship)
    state = target.state if target else ShareState.NEW
    embed = note_embed(
        note,
        locale,
        student_name=mentorship.student_name if mentorship else "?",
        session_start=session.session.starts_at if session else None,
        state=state,
        withheld=target.copy.withheld if target else (),
    )
    return embed, share_view(note.id, locale, state)


async def share_state(
    bot: MentorCoach, note: Note, mentorship: Mentorship | None
) -> Shareable | None:
    """Return what sharing the note would send (None when it cannot be shared any more)."""
    if mentorship is None:
        return None
    try:
        return await service.shareable(bot.db, note, mentorship)
    except Refusal:
        return None


def share_view(note_id: int, locale: discord.Locale, state: ShareState) -> discord.ui.View:
    """Build a view with the note's Share button (restart-proof), shown used once it was used."""
    view = discord.ui.View(timeout=None)
    button = ShareNoteButton(note_id, label=tr("notes.share_button", locale))
    if state is ShareState.SAME:
        used_button(button, tr("notes.shared_button", locale))
    view.add_item(button)
    return view


async def send_note(
    interaction: discord.Interaction,
    note: Note,
    text: str,
    *,
    bot: MentorCoach,
    mentorship: Mentorship | None = None,
) -> None:
    """Answer privately with the note and its Share button (after a defer too)."""
    embed, view = await note_reply(bot, note, interaction.locale, mentorship=mentorship)
    await answer(interaction, text, embed=embed, view=view)


# -- sharing -------------------------------------------------------------------------------


async def share_note(interaction: discord.Interaction, note_id: int) -> None:
    """DM the note's student copy to its student, once; record it only once the DM went through."""
    locale = interaction.locale

    async def redraw(state: ShareState) -> discord.ui.View:
        return share_view(note_id, locale, state)

    await share_with_student(interaction, note_id, render=note_dm(interaction), redraw=redraw)


class ShareNoteButton(PersistentButton, template=r"note:share:(?P<id>[0-9]+)"):
    """Send a note to its student by DM; only its author may."""

    PREFIX = "note:share"
    STYLE = discord.ButtonStyle.primary
    LABEL_KEY = "notes.share_button"

    async def act(self, interaction: discord.Interaction) -> None:
        """Share the note."""
        await share_note(interaction, self.target_id)


# -- writing -------------------------------------------------------------------------------


NOTE_TITLE = "note-title"
NOTE_BODY = "note-body"


def _note_inputs(modal: PersistentModal, locale: discord.Locale, title: str, body: str) -> None:
    modal.add_item(
        discord.ui.TextInput(
            label=clip(tr("notes.field_title", locale), MODAL_TITLE_MAX),
            custom_id=NOTE_TITLE,
            placeholder=clip(tr("notes.title_placeholder", locale), 100),
            default=clip(title, TITLE_MAX) or None,
            max_length=TITLE_MAX,
        )
    )
    modal.add_item(
        discord.ui.TextInput(
            label=clip(tr("notes.field_body", locale), MODAL_TITLE_MAX),
            custom_id=NOTE_BODY,
            style=discord.TextStyle.paragraph,
            placeholder=clip(tr("notes.body_placeholder", locale), 100),
            default=clip(body, BODY_MAX) or None,
            max_length=BODY_MAX,
        )
    )


def message_url(guild_id: int | None, channel_id: int, message_id: int) -> str | None:
    """Return a message's link from its ids (None without a message)."""
    if not message_id:
        return None
    return f"https://discord.com/channels/{guild_id or '@me'}/{channel_id}/{message_id}"


async def keep_as_draft(
    interaction: discord.Interaction,
    refusal: Refusal,
    *,
    mentorship_id: int,
    title: str,
    body: str,
    form_id: int | None,
) -> None:
    """Answer why a form could not be applied, keeping what was typed as a draft note."""
    bot = bot_of(interaction)
    draft = await service.save_draft(
        bot.db, bot.clock.now(), mentorship_id, interaction.user.id, title, body, form_id=form_id
    )
    if draft is None:
        raise refusal  # the router answers it, with what was typed attached
    why = tr(refusal.key, interaction.locale, **refusal.values)
    text = f"{why}\n{tr('notes.kept_as_draft', interaction.locale, id=draft.id)}"
    await send_note(interaction, draft, text, bot=bot)


class NewNoteForm(PersistentModal):
    """The form of a new note: ids (form, mentorship, session, source channel, source message)."""

    PREFIX = "form:note:new"

    @classmethod
    async def submitted(
        cls, interaction: discord.Interaction, parts: tuple[str, ...], values: Mapping[str, str]
    ) -> None:
        """Save the note once, however often the same form is submitted."""
        form_id, mentorship_id, session_id, channel_id, message_id = map(int, parts)
        bot = bot_of(interaction)
        title, body = values.get(NOTE_TITLE, ""), values.get(NOTE_BODY, "")
        mentorship = await mentorship_of(bot.db, mentorship_id)
        try:
            if mentorship is None:
                raise Refusal("notes.not_your_student")
            note = await service.save_note(
                bot.db,
                bot.clock.now(),
                mentorship,
                interaction.user.id,
                title,
                body,
                session_id=session_id or None,
                source_url=message_url(interaction.guild_id, channel_id, message_id),
                form_id=form_id,
            )
        except Refusal as refusal:
            await keep_as_draft(
                interaction,
                refusal,
                mentorship_id=mentorship_id,
                title=title,
                body=body,
                form_id=form_id,
            )
            return
        text = tr("notes.saved", interaction.locale, name=escaped(mentorship.student_name))
        await send_note(interaction, note, text, bot=bot, mentorship=mentorship)


class EditNoteForm(PersistentModal):
    """The form that edits a note: ids (note)."""

    PREFIX = "form:note:edit"

    @classmethod
    async def submitted(
        cls, interaction: discord.Interaction, parts: tuple[str, ...], values: Mapping[str, str]
    ) -> None:
        """Replace the note's title and body (the same edit twice changes nothing more)."""
        [note_id] = map(int, parts)
        bot = bot_of(interaction)
        edited = await service.edit_note(
            bot.db,
            bot.clock.now(),
            interaction.user.id,
            note_id,
            values.get(NOTE_TITLE, ""),
            values.get(NOTE_BODY, ""),
        )
        await send_note(interaction, edited, tr("notes.edited", interaction.locale), bot=bot)


def edit_note_form(note: Note, locale: discord.Locale) -> EditNoteForm:
    """Return the form that edits `note`, filled with its title and body."""
    form = EditNoteForm(tr("notes.modal_edit", locale), note.id)
    _note_inputs(form, locale, note.title, note.body)
    return form


def new_note_modal(
    interaction: discord.Interaction,
    mentorship: Mentorship,
    *,
    heading: str,
    title: str = "",
    body: str = "",
    session_id: int | None = None,
    source: tuple[int, int] | None = None,
) -> NewNoteForm:
    """Return the form that saves a new note on `mentorship` (once, however often sent)."""
    channel_id, message_id = source or (0, 0)
    form = NewNoteForm(
        heading, interaction.id, mentorship.id, session_id or 0, channel_id, message_id
    )
    _note_inputs(form, interaction.locale, title, body)
    return form


class WriteNotesButton(PersistentButton, template=r"note:write:(?P<id>[0-9]+)"):
    """Open the note form linked to a session; only the session's mentor may."""

    PREFIX = "note:write"
    STYLE = discord.ButtonStyle.primary
    LABEL_KEY = "notes.write_button"

    async def act(self, interaction: discord.Interaction) -> None:
        """Open the note form for this session."""
        bot = bot_of(interaction)
        view, mentorship = await service.session_for_notes(
            bot.db, interaction.user.id, self.target_id
        )
        await interaction.response.send_modal(
            await session_note_modal(interaction, view, mentorship)
        )


async def session_note_modal(
    interaction: discord.Interaction, view: SessionView, mentorship: Mentorship
) -> NewNoteForm:
    """Return the note form linked to a session, its title pre-filled."""
    locale = interaction.locale
    date = local_date(
        view.session.starts_at, await caller_zone(interaction), language_of(interaction.locale)
    )
    return new_note_modal(
        interaction,
        mentorship,
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
        source: tuple[int, int],
    ) -> None:
        super().__init__(owner_id)
        self.note_title = title
        self.note_body = body
        self.source = source
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
            bot.db, guild_id_of(interaction), interaction.user.id, value
        )
        await interaction.response.send_modal(
            new_note_modal(
                interaction,
                mentorship,
                heading=tr("notes.modal_message", interaction.locale),
                title=self.note_title,
                body=self.note_body,
                source=self.source,
            )
        )


def message_text(message: discord.Message) -> str:
    """Return what a message says: its text, else its embeds' text, else its attachments."""
    if message.content.strip():
        return message.content
    parts = [part for embed in message.embeds for part in (embed.title, embed.description) if part]
    parts += [attachment.url for attachment in message.attachments]
    return "\n".join(parts)
