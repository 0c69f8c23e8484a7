"""Private session notes: writing, editing, deleting, finding and sharing them.

Only a note's author may see or change it; its student sees it once it is shared.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.db import Database
from bot.numbers import plain_int
from bot.refusal import Refusal
from bot.services import server_content
from bot.services.coaching import feedback_body
from bot.storage import mentorships as mentorship_store
from bot.storage import notes as store
from bot.storage import sessions as session_store
from bot.storage.mentorships import Mentorship
from bot.storage.notes import BODY_MAX, TITLE_MAX, Note, NoteHit, SharedNote
from bot.storage.sessions import SessionView
from bot.textfit import clip

log = logging.getLogger(__name__)

LIST_MAX = 500
"""The most notes a list shows (newest first)."""
CHOICES_MAX = 25


@dataclass(frozen=True)
class StudentCopy:
    """What the student receives of a note, and keeps seeing everywhere once it is shared.

    A note written from a template leaves its private fields out (`withheld` names them).
    """

    title: str
    body: str
    withheld: tuple[str, ...] = ()

    @property
    def digest(self) -> str:
        """Return a fingerprint of the copy, to tell whether the student already has it."""
        text = f"{self.title}\x00{self.body}".encode("utf-8", "surrogatepass")
        return hashlib.sha256(text).hexdigest()


class ShareState(StrEnum):
    """Where a note stands with its student."""

    NEW = "new"
    """Never shared (or shared before copies were kept): sharing sends it."""
    SAME = "same"
    """The student already has exactly this copy: sharing again would send nothing new."""
    CHANGED = "changed"
    """Shared, but what the student would see has changed since: it may be sent again."""


@dataclass(frozen=True)
class Shareable:
    """A note its author may share, the mentorship whose student receives it, and the copy."""

    note: Note
    mentorship: Mentorship
    copy: StudentCopy

    @property
    def state(self) -> ShareState:
        """Say whether sharing would send something new to the student."""
        if self.note.shared_at is None or self.note.shared_digest is None:
            return ShareState.NEW
        if self.note.shared_digest == self.copy.digest:
            return ShareState.SAME
        return ShareState.CHANGED


def clean_title(title: str) -> str:
    """Return the title on one line without surrounding spaces, or refuse it."""
    text = " ".join(title.split())
    if not text:
        raise Refusal("notes.missing_title")
    if len(text) > TITLE_MAX:
        raise Refusal("common.too_long", field="title", limit=TITLE_MAX, length=len(text))
    return text


def clean_body(body: str) -> str:
    """Return the body exactly as written, or refuse it when empty or too long."""
    if not body.strip():
        raise Refusal("notes.missing_body")
    if len(body) > BODY_MAX:
        raise Refusal("common.too_long", field="note", limit=BODY_MAX, length=len(body))
    return body


def body_from_message(text: str) -> str:
    """Cut a message's text to fit a note's body, marking the cut."""
    return clip(text, BODY_MAX)


def parse_note_id(text: str) -> int:
    """Read a note id from an autocomplete value or a typed `#12`, or refuse."""
    number = plain_int(text.strip().lstrip("#"))
    if number is None:
        raise Refusal("notes.unknown")
    return number


async def note_of_author(db: Database, author_id: int, note_id: int) -> Note:
    """Return the note if `author_id` wrote it; refuse the same way when it is unknown."""
    note = await store.get_note(db, note_id)
    if note is None or note.author_id != author_id:
        raise Refusal("notes.unknown")
    return note


def _check_mentor(mentorship: Mentorship, author_id: int) -> None:
    if mentorship.mentor_id != author_id:
        raise Refusal("notes.not_your_student")


async def save_note(
    db: Database,
    now: datetime,
    mentorship: Mentorship,
    author_id: int,
    title: str,
    body: str,
    *,
    session_id: int | None = None,
    source_url: str | None = None,
    form_id: int | None = None,
) -> Note:
    """Store a new note by the mentorship's mentor, optionally linked to one of its sessions.

    With a `form_id`, the same form saved again returns the note it stored the first time.
    """
    _check_mentor(mentorship, author_id)
    clean = clean_title(title)
    text = clean_body(body)
    if session_id is not None:
        view = await session_store.get_session_view(db, session_id)
        if view is None or view.mentorship_id != mentorship.id:
            raise Refusal("notes.session_mismatch", name=mentorship.student_name)
    async with db.transaction() as tx:
        if form_id is not None:
            already = await store.note_of_form(tx, author_id, form_id)
            if already is not None:
                return already
        return await store.add_note(
            tx,
            mentorship.id,
            author_id,
            clean,
            text,
            now,
            session_id=session_id,
            source_url=source_url,
            form_id=form_id,
        )


async def save_draft(
    db: Database,
    now: datetime,
    mentorship_id: int,
    author_id: int,
    title: str,
    body: str,
    *,
    form_id: int | None = None,
    template: str | None = None,
    fields: Mapping[str, str] | None = None,
) -> Note | None:
    """Keep what a mentor typed in a form that can no longer be applied, as a note.

    A feedback form's draft keeps its `template` and `fields`, so that sharing it later shows
    the student only the template's shared fields, never a private one. Returns None when there
    is nowhere to keep it (the mentorship is gone or not theirs, or nothing was typed).
    """
    mentorship = await mentorship_store.get_mentorship(db, mentorship_id)
    if mentorship is None or mentorship.mentor_id != author_id or not body.strip():
        return None
    clean = clip(" ".join(title.split()), TITLE_MAX) or "…"
    async with db.transaction() as tx:
        if form_id is not None:
            already = await store.note_of_form(tx, author_id, form_id)
            if already is not None:
                return already
        return await store.add_note(
            tx,
            mentorship.id,
            author_id,
            clean,
            clip(body, BODY_MAX),
            now,
            form_id=form_id,
            template=template,
            fields=dict(fields) if fields is not None and template is not None else None,
        )


async def edit_note(
    db: Database, now: datetime, author_id: int, note_id: int, title: str, body: str
) -> Note:
    """Replace the title and body of the author's own note."""
    clean = clean_title(title)
    text = clean_body(body)
    async with db.transaction() as tx:
        note = await store.get_note(tx, note_id)
        if note is None or note.author_id != author_id:
            raise Refusal("notes.unknown")
        await store.update_note(tx, note_id, clean, text, now)
        updated = await store.get_note(tx, note_id)
    assert updated is not None
    return updated


async def delete_note(db: Database, author_id: int, note_id: int) -> Note:
    """Delete the author's own note; return it as it was."""
    async with db.transaction() as tx:
        note = await store.get_note(tx, note_id)
        if note is None or note.author_id != author_id:
            raise Refusal("notes.unknown")
        await store.delete_note(tx, note_id)
    return note


async def student_copy(db: Database, note: Note, guild_id: int) -> StudentCopy:
    """Return what the student may see of a note: all of a plain note, a form's shared fields.

    A form whose template can no longer be read is refused: which fields are private is unknown.
    """
    if note.template is None:
        return StudentCopy(title=note.title, body=note.body)
    template = await server_content.template_of(db, guild_id, note.template, with_hidden=True)
    if template is None:
        raise Refusal("server_content.template_gone")
    values = note.fields or {}
    shown = {f.id: values[f.id] for f in template.shared_fields if values.get(f.id)}
    withheld = tuple(f.label for f in template.fields if f.private and values.get(f.id))
    return StudentCopy(title=note.title, body=feedback_body(template, shown), withheld=withheld)


async def prepare_share(db: Database, author_id: int, note_id: int) -> Shareable:
    """Return the author's note, the mentorship whose student it would go to, and its copy."""
    note = await note_of_author(db, author_id, note_id)
    mentorship = await mentorship_store.get_mentorship(db, note.mentorship_id)
    if mentorship is None:
        raise Refusal("notes.unknown")
    return await shareable(db, note, mentorship)


async def shareable(db: Database, note: Note, mentorship: Mentorship) -> Shareable:
    """Return what sharing a note just read, with its mentorship, would send (no re-read)."""
    copy = await student_copy(db, note, mentorship.guild_id)
    return Shareable(note=note, mentorship=mentorship, copy=copy)


async def mark_shared(
    db: Database, now: datetime, author_id: int, note_id: int, copy: StudentCopy
) -> Note:
    """Record the copy that reached the author's student (call only once it did).

    The student sees this copy, and only this copy, until the note is shared again.
    """
    async with db.transaction() as tx:
        note = await store.get_note(tx, note_id)
        if note is None or note.author_id != author_id:
            raise Refusal("notes.unknown")
        await store.mark_shared(
            tx, note_id, now, title=copy.title, body=copy.body, digest=copy.digest
        )
        updated = await store.get_note(tx, note_id)
    assert updated is not None
    return updated


async def notes_on_student(db: Database, mentorship: Mentorship, author_id: int) -> list[Note]:
    """Return the author's notes on one of their students, newest first."""
    _check_mentor(mentorship, author_id)
    return await store.notes_of(db, mentorship.id, author_id, limit=LIST_MAX)


async def shared_with(db: Database, student_id: int, guild_id: int | None) -> list[SharedNote]:
    """Return the copies shared with a student (one server, or all of them), latest first."""
    return await store.shared_with_student(db, student_id, guild_id, limit=LIST_MAX)


async def search(
    db: Database, author_id: int, query: str, mentorship: Mentorship | None = None
) -> list[NoteHit]:
    """Search the author's own notes (on one student if given), best match first."""
    if mentorship is not None:
        _check_mentor(mentorship, author_id)
    return await store.search_notes(
        db, author_id, query, mentorship.id if mentorship is not None else None
    )


async def session_for_notes(
    db: Database, author_id: int, session_id: int
) -> tuple[SessionView, Mentorship]:
    """Return one of the author's sessions and its mentorship, to write notes on it."""
    view = await session_store.get_session_view(db, session_id)
    if view is None or view.mentor_id != author_id:
        raise Refusal("notes.not_your_session")
    mentorship = await mentorship_store.get_mentorship(db, view.mentorship_id)
    if mentorship is None:
        raise Refusal("notes.not_your_session")
    return view, mentorship


async def note_choices(
    db: Database, guild_id: int, author_id: int, typed: str
) -> list[tuple[str, str]]:
    """Return up to 25 (label, value) pairs for the author's notes on their students here."""
    folded = typed.strip().casefold()
    wanted_id = folded.lstrip("#")
    found: list[tuple[datetime, int, str]] = []
    mentorships = await mentorship_store.active_for_mentor(db, guild_id, author_id)
    for mentorship in mentorships:
        for title in await store.latest_titles(db, mentorship.id, author_id, n=LIST_MAX):
            label = f"{title.title} · {mentorship.student_name}"
            if folded and folded not in label.casefold() and wanted_id != str(title.id):
                continue
            found.append((title.created_at, title.id, label))
    found.sort(key=lambda item: (item[0], item[1]), reverse=True)
    choices = [(clip(label, 100), str(note_id)) for _, note_id, label in found[:CHOICES_MAX]]
    if folded and not wanted_id.isdigit() and len(choices) < CHOICES_MAX:
        # Words typed so far, the last one a prefix, in every note's text (best match first).
        names = {m.id: m.student_name for m in mentorships}
        offered = {key for _, key in choices}
        hits = await store.search_notes(db, author_id, typed, limit=CHOICES_MAX, as_you_type=True)
        for hit in hits:
            name = names.get(hit.note.mentorship_id)
            if name is not None and str(hit.note.id) not in offered:
                choices.append((clip(f"{hit.note.title} · {name}", 100), str(hit.note.id)))
                offered.add(str(hit.note.id))
    return choices[:CHOICES_MAX]
