"""A mentor's notes on a mentorship, shared with the student on demand, full-text searchable."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

import aiosqlite

from bot.clock import from_iso_or_none, iso
from bot.db import Database, Transaction

TITLE_MAX: Final = 100
BODY_MAX: Final = 4000
_QUERY_TOKENS_MAX: Final = 32

_FIELDS = (
    "id",
    "mentorship_id",
    "author_id",
    "session_id",
    "title",
    "body",
    "source_url",
    "template",
    "fields",
    "shared_at",
    "shared_digest",
    "created_at",
    "updated_at",
)
_COLUMNS = ", ".join(_FIELDS)
_N_COLUMNS = ", ".join(f"n.{field}" for field in _FIELDS)


@dataclass(frozen=True)
class Note:
    """A note a mentor wrote on a mentorship."""

    id: int
    mentorship_id: int
    author_id: int
    session_id: int | None
    title: str
    body: str
    source_url: str | None
    template: str | None
    fields: dict[str, str] | None
    shared_at: datetime | None
    shared_digest: str | None
    """Fingerprint of the copy the student last received (None: never shared, or unknown)."""
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class SharedNote:
    """A note as its student sees it: exactly the copy they were sent, never the note itself."""

    id: int
    mentorship_id: int
    author_id: int
    title: str
    body: str
    shared_at: datetime


@dataclass(frozen=True)
class NoteHit:
    """A note found by a search, with an excerpt of its body (matches in **bold**)."""

    note: Note
    snippet: str
    rank: float
    student_name: str = ""
    """The name of the student the note is about (read with the hit: no lookup per hit)."""


@dataclass(frozen=True)
class NoteTitle:
    """A note's id and title, for lists and autocomplete."""

    id: int
    title: str
    created_at: datetime


def _encode_fields(fields: dict[str, str] | None) -> str | None:
    if fields is None:
        return None
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in fields.items()):
        raise ValueError("note fields must map text to text")
    return json.dumps(fields, ensure_ascii=False)


def _decode_fields(text: str | None) -> dict[str, str] | None:
    if text is None:
        return None
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError("stored note fields are not a JSON object")
    return {str(k): str(v) for k, v in value.items()}


def _row_to_note(row: aiosqlite.Row) -> Note:
    return Note(
        id=row["id"],
        mentorship_id=row["mentorship_id"],
        author_id=row["author_id"],
        session_id=row["session_id"],
        title=row["title"],
        body=row["body"],
        source_url=row["source_url"],
        template=row["template"],
        fields=_decode_fields(row["fields"]),
        shared_at=from_iso_or_none(row["shared_at"]),
        shared_digest=row["shared_digest"],
        created_at=datetime.fromisoformat(row["created_at"]),
        updated_at=datetime.fromisoformat(row["updated_at"]),
    )


def _clean(text: str) -> str:
    return "".join(" " if ch == "\x00" or "\ud800" <= ch <= "\udfff" else ch for ch in text)


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _words(text: str, *, last_is_prefix: bool) -> list[str]:
    """Quote each word that has a letter or digit; a trailing `*` asks for a prefix."""
    terms: list[str] = []
    tokens = [token for token in text.split() if any(ch.isalnum() for ch in token)]
    for position, token in enumerate(tokens):
        prefix = token.endswith("*") or (last_is_prefix and position == len(tokens) - 1)
        word = token.rstrip("*")
        terms.append(_quoted(word) + ("*" if prefix else ""))
    return terms


def fts_query(text: str, *, as_you_type: bool = False) -> str:
    """Turn arbitrary user text into a safe FTS5 query; return "" when nothing is searchable.

    Every term is required. A word is matched as a word (stemmed: "relationship" finds
    "relationships"); `proj*` matches words starting with "proj"; text between double quotes
    is a phrase. An unpaired quote is ignored. With `as_you_type`, the last word is a prefix
    (what autocomplete has typed so far).
    """
    cleaned = _clean(text)
    parts = cleaned.split('"')
    if len(parts) % 2 == 0:  # an unpaired quote: every quote is an ordinary character
        parts = [cleaned.replace('"', " ")]
    terms: list[str] = []
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        if index % 2 == 1:
            words = [w for w in part.split() if any(ch.isalnum() for ch in w)]
            if words:
                terms.append(_quoted(" ".join(words)))
        else:
            terms.extend(_words(part, last_is_prefix=as_you_type and last))
    return " ".join(terms[:_QUERY_TOKENS_MAX])


def _author_match(author_id: int, query: str, columns: str) -> str:
    """Restrict a user query to one author's notes, through the author's own postings."""
    return f'author_id : "{int(author_id)}" AND {columns} : ({query})'


TITLE_RANK: Final = -2.0
"""The rank of a note whose title matches (lower ranks come first)."""
TEXT_RANK: Final = -1.0
"""The rank of a note whose text, not its title, matches."""
TITLE_WINDOW: Final = 2000
"""Title matches come first among an author's newest notes, this many."""


async def add_note(
    tx: Transaction,
    mentorship_id: int,
    author_id: int,
    title: str,
    body: str,
    now: datetime,
    *,
    session_id: int | None = None,
    source_url: str | None = None,
    template: str | None = None,
    fields: dict[str, str] | None = None,
    form_id: int | None = None,
) -> Note:
    """Store a new note and return it (`form_id`: the form it was typed in, if any)."""
    stamp = iso(now)
    row = await tx.fetch_one(
        "INSERT INTO notes (mentorship_id, author_id, session_id, title, body, source_url, "
        "template, fields, created_at, updated_at, form_id) "
        f"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING {_COLUMNS}",
        (
            mentorship_id,
            author_id,
            session_id,
            title,
            body,
            source_url,
            template,
            _encode_fields(fields),
            stamp,
            stamp,
            form_id,
        ),
    )
    assert row is not None
    return _row_to_note(row)


async def note_of_form(db: Database | Transaction, author_id: int, form_id: int) -> Note | None:
    """Return the note an author already saved from this form, if any."""
    row = await db.fetch_one(
        f"SELECT {_COLUMNS} FROM notes WHERE author_id = ? AND form_id = ?", (author_id, form_id)
    )
    return None if row is None else _row_to_note(row)


async def get_note(db: Database | Transaction, note_id: int) -> Note | None:
    """Return one note by id, if it exists."""
    row = await db.fetch_one(f"SELECT {_COLUMNS} FROM notes WHERE id = ?", (note_id,))
    return None if row is None else _row_to_note(row)


async def notes_of(
    db: Database, mentorship_id: int, author_id: int, limit: int = 10, offset: int = 0
) -> list[Note]:
    """Return an author's notes on a mentorship, newest first."""
    rows = await db.fetch_all(
        f"SELECT {_COLUMNS} FROM notes WHERE mentorship_id = ? AND author_id = ? "
        "ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?",
        (mentorship_id, author_id, limit, offset),
    )
    return [_row_to_note(row) for row in rows]


async def count_notes(db: Database, mentorship_id: int, author_id: int) -> int:
    """Count an author's notes on a mentorship."""
    row = await db.fetch_one(
        "SELECT COUNT(*) FROM notes WHERE mentorship_id = ? AND author_id = ?",
        (mentorship_id, author_id),
    )
    return 0 if row is None else int(row[0])


async def update_note(tx: Transaction, note_id: int, title: str, body: str, now: datetime) -> bool:
    """Replace a note's title and body; return whether the note exists."""
    changed = await tx.changes(
        "UPDATE notes SET title = ?, body = ?, updated_at = ? WHERE id = ?",
        (title, body, iso(now), note_id),
    )
    return changed > 0


async def delete_note(tx: Transaction, note_id: int) -> bool:
    """Delete a note; return whether it existed."""
    return await tx.changes("DELETE FROM notes WHERE id = ?", (note_id,)) > 0


async def mark_shared(
    tx: Transaction, note_id: int, now: datetime, *, title: str, body: str, digest: str
) -> bool:
    """Record the copy the student was sent now (what they will see); return whether it exists."""
    changed = await tx.changes(
        "UPDATE notes SET shared_at = ?, shared_title = ?, shared_body = ?, shared_digest = ? "
        "WHERE id = ?",
        (iso(now), title, body, digest, note_id),
    )
    return changed > 0


STUDENT_VISIBLE: Final = "n.shared_at IS NOT NULL AND n.shared_body IS NOT NULL"
"""The SQL condition of a note its student may see (always through its shared copy)."""


async def shared_with_student(
    db: Database, student_id: int, guild_id: int | None, *, limit: int = 25, offset: int = 0
) -> list[SharedNote]:
    """Return the copies shared with a student (in one server, or everywhere), latest first."""
    sql = (
        "SELECT n.id, n.mentorship_id, n.author_id, n.shared_title, n.shared_body, n.shared_at "
        "FROM notes n JOIN mentorships m ON m.id = n.mentorship_id "
        f"WHERE m.student_id = ? AND {STUDENT_VISIBLE}"
    )
    params: list[Any] = [student_id]
    if guild_id is not None:
        sql += " AND m.guild_id = ?"
        params.append(guild_id)
    rows = await db.fetch_all(
        sql + " ORDER BY n.shared_at DESC, n.id DESC LIMIT ? OFFSET ?", [*params, limit, offset]
    )
    return [
        SharedNote(
            id=row["id"],
            mentorship_id=row["mentorship_id"],
            author_id=row["author_id"],
            title=row["shared_title"] or "",
            body=row["shared_body"],
            shared_at=datetime.fromisoformat(row["shared_at"]),
        )
        for row in rows
    ]


async def search_notes(
    db: Database,
    author_id: int,
    query: str,
    mentorship_id: int | None = None,
    limit: int = 10,
    *,
    as_you_type: bool = False,
) -> list[NoteHit]:
    """Search the author's own notes: title matches first, then text matches, newest first.

    The index is asked for the author's postings only, and read from the newest note back
    until `limit` are found, so the cost follows the author's notes (and stops early), never
    the whole table. (BM25 ranking would read every author's postings of each word to weigh
    it, ~100 ms for a common word at 1M notes.) Two statements: the ids of title matches
    (nothing else read), then every hit with its excerpt.
    """
    words = fts_query(query, as_you_type=as_you_type)
    if not words:
        return []
    titled = await _title_matches(db, author_id, words, mentorship_id, limit)
    return await _hits(db, author_id, words, mentorship_id, limit, titled)


async def _title_matches(
    db: Database, author_id: int, words: str, mentorship_id: int | None, limit: int
) -> list[int]:
    """Return the ids of the author's notes whose title matches, newest first.

    Looked for among the author's newest `TITLE_WINDOW` notes only: when titles rarely match
    (a phrase that only bodies hold), looking for them costs one check per matching note,
    and the window keeps that bounded for an author with tens of thousands. Only row ids
    are read, the title clause first (fewer candidates than the author's postings).
    """
    sql = "SELECT notes_fts.rowid FROM notes_fts"
    params: list[Any] = [f'title : ({words}) AND author_id : "{int(author_id)}"']
    if mentorship_id is not None:
        sql += " JOIN notes n ON n.id = notes_fts.rowid"
    sql += (
        " WHERE notes_fts MATCH ? AND notes_fts.rowid >= COALESCE((SELECT id FROM notes "
        "WHERE author_id = ? ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET ?), 0)"
    )
    params += [author_id, TITLE_WINDOW - 1]
    if mentorship_id is not None:
        sql += " AND n.mentorship_id = ?"
        params.append(mentorship_id)
    rows = await db.fetch_all(sql + " ORDER BY notes_fts.rowid DESC LIMIT ?", [*params, limit])
    return [int(row[0]) for row in rows]


_HIT_SELECT: Final = (
    f"SELECT {_N_COLUMNS}, snippet(notes_fts, 2, '**', '**', '…', 12) AS snippet, "
    "m.student_name FROM notes_fts JOIN notes n ON n.id = notes_fts.rowid "
    "JOIN mentorships m ON m.id = n.mentorship_id WHERE notes_fts MATCH ?"
)


async def _hits(
    db: Database,
    author_id: int,
    words: str,
    mentorship_id: int | None,
    limit: int,
    titled: list[int],
) -> list[NoteHit]:
    """Read the title matches, then the newest text matches up to `limit`, in one statement.

    The title matches are read within their id range (the author's postings between the
    first and the last), never by one index lookup per id.
    """
    match = _author_match(author_id, words, "{title body}")
    of_mentorship = [] if mentorship_id is None else [mentorship_id]
    extra = "" if mentorship_id is None else " AND n.mentorship_id = ?"
    marks = ", ".join("?" for _ in titled)
    parts: list[str] = []
    params: list[Any] = []
    if titled:
        parts.append(
            f"SELECT * FROM ({_HIT_SELECT}{extra} AND notes_fts.rowid BETWEEN ? AND ? "
            f"AND +notes_fts.rowid IN ({marks}))"
        )
        params += [match, *of_mentorship, min(titled), max(titled), *titled]
    if len(titled) < limit:
        skip = f" AND notes_fts.rowid NOT IN ({marks})" if titled else ""
        parts.append(
            f"SELECT * FROM ({_HIT_SELECT}{extra}{skip} ORDER BY notes_fts.rowid DESC LIMIT ?)"
        )
        params += [match, *of_mentorship, *titled, limit - len(titled)]
    rows = await db.fetch_all(" UNION ALL ".join(parts), params)
    first = set(titled)
    hits = [
        NoteHit(
            note=_row_to_note(row),
            snippet=row["snippet"],
            rank=TITLE_RANK if row["id"] in first else TEXT_RANK,
            student_name=row["student_name"],
        )
        for row in rows
    ]
    hits.sort(key=lambda hit: (hit.rank, -hit.note.id))
    return hits


async def latest_titles(
    db: Database, mentorship_id: int, author_id: int, n: int = 3
) -> list[NoteTitle]:
    """Return the titles of an author's latest notes on a mentorship, newest first."""
    rows = await db.fetch_all(
        "SELECT id, title, created_at FROM notes WHERE mentorship_id = ? AND author_id = ? "
        "ORDER BY created_at DESC, id DESC LIMIT ?",
        (mentorship_id, author_id, n),
    )
    return [
        NoteTitle(
            id=row["id"], title=row["title"], created_at=datetime.fromisoformat(row["created_at"])
        )
        for row in rows
    ]
