"""Private session notes: writing, editing, deleting, finding and sharing them.

Only a note's author may see or change it; its student sees it once it is shared.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from bot.db import Database
from bot.refusal import Refusal
from bot.storage import mentorships as mentorship_store
from bot.storage import notes as store
from bot.storage import sessions as session_store
from bot.storage.mentorships import Mentorship
from bot.storage.notes import BODY_MAX, TITLE_MAX, Note, NoteHit
from bot.storage.sessions import SessionView
from bot.textfit import clip

log = logging.getLogger(__name__)

LIST_MAX = 500
"""The most notes a list shows (newest first)."""
CHOICES_MAX = 25
_SQLITE_INT_MAX = 2**63 - 1


@dataclass(frozen=True)
class Shareable:
    """A note its author may share, and the mentorship whose student receives it."""

    note: Note
    mentorship: Mentorship


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
    wanted = text.strip().lstrip("#")
    if not wanted.isdigit() or len(wanted) > 19 or int(wanted) > _SQLITE_INT_MAX:
        raise Refusal("notes.unknown")
    return int(wanted)


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
) -> Note:
    """Store a new note by the mentorship's mentor, optionally linked to one of its sessions."""
    _check_mentor(mentorship, author_id)
    clean = clean_title(title)
    text = clean_body(body)
    if session_id is not None:
        view = await session_store.get_session_view(db, session_id)
        if view is None or view.mentorship_id != mentorship.id:
            raise Refusal("notes.session_mismatch", name=mentorship.student_name)
    async with db.transaction() as tx:
        return await store.add_note(
            tx,
            mentorship.id,
            author_id,
            clean,
            text,
            now,
            session_id=session_id,
            source_url=source_url,
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


async def prepare_share(db: Database, author_id: int, note_id: int) -> Shareable:
    """Return the author's note and the mentorship whose student it would go to."""
    note = await note_of_author(db, author_id, note_id)
    mentorship = await mentorship_store.get_mentorship(db, note.mentorship_id)
    if mentorship is None:
        raise Refusal("notes.unknown")
    return Shareable(note=note, mentorship=mentorship)


async def mark_shared(db: Database, now: datetime, author_id: int, note_id: int) -> Note:
    """Record that the author's note reached its student (call only once it did)."""
    async with db.transaction() as tx:
        note = await store.get_note(tx, note_id)
        if note is None or note.author_id != author_id:
            raise Refusal("notes.unknown")
        await store.mark_shared(tx, note_id, now)
        updated = await store.get_note(tx, note_id)
    assert updated is not None
    return updated


async def notes_on_student(db: Database, mentorship: Mentorship, author_id: int) -> list[Note]:
    """Return the author's notes on one of their students, newest first."""
    _check_mentor(mentorship, author_id)
    return await store.notes_of(db, mentorship.id, author_id, limit=LIST_MAX)


async def shared_with(db: Database, student_id: int, guild_id: int | None) -> list[Note]:
    """Return the notes shared with a student (one server, or all of them), latest first."""
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
