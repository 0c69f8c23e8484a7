"""Files people take away: their notes as CSV or Markdown, their sessions as a calendar."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from bot.db import Database
from bot.refusal import Refusal
from bot.services.sessions import DURATION_MAX
from bot.storage import calendar_feeds as feed_store
from bot.storage import privacy as store
from bot.storage.mentorships import Mentorship
from bot.storage.privacy import CalendarRow
from bot.vocabulary import SessionStatus

FORMATS: Final = ("csv", "markdown")
CSV_COLUMNS: Final = (
    "note_id",
    "student",
    "project",
    "title",
    "body",
    "created_at",
    "updated_at",
    "shared_at",
    "session_id",
)
PRODID: Final = "-//Mentor Coach//Sessions//EN"
UID_DOMAIN: Final = "mentor-coach"
_FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
_IN_FILE: Final = frozenset({SessionStatus.SCHEDULED, SessionStatus.CANCELLED})
"""The sessions a calendar file lists: planned, and called off (so calendars remove them)."""


@dataclass(frozen=True)
class ExportFile:
    """A file to hand to a person: its name and bytes."""

    filename: str
    data: bytes


MAX_PARTS: Final = 10
"""More parts than this and the export is not sent: the person is told how to narrow it."""


def split_export(file: ExportFile, limit: int, *, repeat_header: bool) -> list[ExportFile]:
    """Cut a file larger than Discord's upload limit into parts of at most ``limit`` bytes.

    Parts end at line ends (a longer line is cut); a CSV repeats its header line in every
    part, so each part opens on its own. A file that fits comes back whole.
    """
    if len(file.data) <= limit:
        return [file]
    lines = _records(file.data) if repeat_header else file.data.splitlines(keepends=True)
    header = lines.pop(0) if repeat_header and lines else b""
    room = max(1, limit - len(header))
    chunks: list[bytes] = []
    current = b""
    for line in lines:
        while len(line) > room:  # a single line longer than a part: cut it
            if current:
                chunks.append(current)
                current = b""
            chunks.append(line[:room])
            line = line[room:]
        if len(current) + len(line) > room:
            chunks.append(current)
            current = b""
        current += line
    if current:
        chunks.append(current)
    stem, dot, suffix = file.filename.rpartition(".")
    if not dot:
        stem, suffix = file.filename, ""
    total = len(chunks)
    return [
        ExportFile(f"{stem}-part{n}of{total}{dot}{suffix}", header + chunk)
        for n, chunk in enumerate(chunks, start=1)
    ]


def _records(data: bytes) -> list[bytes]:
    """Split CSV bytes into whole records.

    A quoted field may hold line breaks, and a record ends only where its quotes are balanced
    (RFC 4180 doubles quotes inside fields).
    """
    records: list[bytes] = []
    current = b""
    for line in data.splitlines(keepends=True):
        current += line
        if current.count(b'"') % 2 == 0:
            records.append(current)
            current = b""
    if current:
        records.append(current)
    return records


@dataclass(frozen=True)
class NotesExport:
    """A mentor's notes as a file, and how many it holds."""

    file: ExportFile
    count: int


@dataclass(frozen=True)
class CalendarEntry:
    """One calendar event: a session from the reader's side, named for them."""

    session_id: int
    starts_at: datetime
    ends_at: datetime
    summary: str
    description: str = ""
    meeting_link: str | None = None
    cancelled: bool = False
    sequence: int = 0


# -- pure formatters --------------------------------------------------------------------------


def json_bytes(data: Mapping[str, Any]) -> bytes:
    """Return `data` as readable UTF-8 JSON: one record a line, containers of records indented.

    A record (a mapping in a list: a session, a note) and a container holding no other container
    are written on one line; the others open one level of two spaces per line. Each line comes
    from the standard library's C encoder: with an indent, `json` falls back to its pure-Python
    encoder, which was most of a `/privacy export`'s CPU. (Not orjson: once installed, discord.py
    parses the gateway with it, and it refuses the lone surrogates a user can type.)
    """
    parts: list[str] = []
    _append_json(parts, data, "")
    parts.append("\n")
    return "".join(parts).encode()


_ENCODE = json.JSONEncoder(ensure_ascii=False).encode


def _append_json(parts: list[str], value: Any, indent: str, *, record: bool = False) -> None:
    """Append `value` to `parts`: on one line, or one item a line when it holds containers."""
    is_mapping = isinstance(value, Mapping)
    items = list(value.values()) if is_mapping else value if isinstance(value, list | tuple) else []
    if (is_mapping and record) or not any(isinstance(i, Mapping | list | tuple) for i in items):
        parts.append(_ENCODE(value))
        return
    inner = indent + "  "
    parts.append("{" if is_mapping else "[")
    for index, (key, item) in enumerate(value.items() if is_mapping else enumerate(value)):
        parts.append(("\n" if index == 0 else ",\n") + inner)
        if is_mapping:
            parts.append(_ENCODE(str(key)) + ": ")
        _append_json(parts, item, inner, record=not is_mapping)
    parts.append("\n" + indent + ("}" if is_mapping else "]"))


def spreadsheet_safe(text: str) -> str:
    """Keep a spreadsheet from running a cell as a formula (OWASP CSV injection advice)."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def notes_csv(notes: Sequence[Mapping[str, Any]]) -> bytes:
    """Return notes as CSV (UTF-8 with a BOM so spreadsheets read accents), one row per note."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for note in notes:
        writer.writerow(
            [
                note["id"],
                spreadsheet_safe(str(note["student_name"])),
                spreadsheet_safe(str(note["project"])),
                spreadsheet_safe(str(note["title"])),
                spreadsheet_safe(str(note["body"])),
                note["created_at"],
                note["updated_at"],
                note["shared_at"] or "",
                "" if note["session_id"] is None else note["session_id"],
            ]
        )
    return buffer.getvalue().encode("utf-8-sig")


def notes_markdown(notes: Sequence[Mapping[str, Any]], *, heading: str, shared: str) -> bytes:
    """Return notes as Markdown: a section per student, a subsection per note, oldest first.

    `heading` titles the document; `shared` is the label put before a shared date.
    """
    lines = [f"# {heading}", ""]
    current: tuple[Any, ...] | None = None
    for note in notes:
        student = (note["student_name"], note["project"])
        if student != current:
            current = student
            lines += [f"## {note['student_name']} · {note['project']}", ""]
        stamp = f"*{note['created_at']}*"
        if note["shared_at"]:
            stamp += f" · *{shared} {note['shared_at']}*"
        lines += [f"### {note['title']}", "", stamp, "", str(note["body"]).rstrip(), ""]
    return ("\n".join(lines).rstrip() + "\n").encode()


def calendar_ics(
    entries: Sequence[CalendarEntry],
    now: datetime,
    *,
    name: str | None = None,
    refresh: timedelta | None = None,
) -> bytes:
    """Return an iCalendar file: one event per session, instants in UTC, stable UIDs.

    A subscribed feed gives its `name` and how often calendars should `refresh` it.
    """
    from icalendar import Calendar, Event  # here, not at start: ~3 MiB for one command

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if name:
        calendar.add("x-wr-calname", name)
    if refresh is not None:
        calendar.add("refresh-interval", refresh, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", refresh)
    stamp = now.astimezone(UTC)
    for entry in entries:
        event = Event()
        event.add("uid", session_uid(entry.session_id))
        event.add("dtstamp", stamp)
        event.add("dtstart", entry.starts_at.astimezone(UTC))
        event.add("dtend", entry.ends_at.astimezone(UTC))
        event.add("summary", entry.summary)
        event.add("sequence", entry.sequence)
        event.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
        if entry.description:
            event.add("description", entry.description)
        if entry.meeting_link:
            event.add("location", entry.meeting_link)
            event.add("url", entry.meeting_link)
        calendar.add_component(event)
    return bytes(calendar.to_ical())


def session_uid(session_id: int) -> str:
    """Return the calendar UID of a session: the same in every export."""
    return f"session-{session_id}@{UID_DOMAIN}"


# -- what a person exports --------------------------------------------------------------------


async def notes_file(
    db: Database,
    author_id: int,
    file_format: str,
    *,
    student: Mentorship | None,
    guild_id: int | None,
    heading: str,
    shared: str,
    today: datetime,
) -> NotesExport:
    """Export the author's own notes (on one student, in one server, or everywhere)."""
    if file_format not in FORMATS:
        raise Refusal("exports.bad_format")
    notes = await store.notes_by_author(db, author_id)
    if student is not None:
        notes = [n for n in notes if n["mentorship_id"] == student.id]
    elif guild_id is not None:
        notes = [n for n in notes if n["guild_id"] == guild_id]
    if not notes:
        if student is not None:
            raise Refusal("exports.no_notes_on", name=student.student_name)
        raise Refusal("exports.no_notes")
    notes.sort(key=lambda n: (str(n["student_name"]).casefold(), n["created_at"], n["id"]))
    stem = f"notes-{today:%Y-%m-%d}"
    if file_format == "csv":
        return NotesExport(ExportFile(f"{stem}.csv", notes_csv(notes)), len(notes))
    markdown = notes_markdown(notes, heading=heading, shared=shared)
    return NotesExport(ExportFile(f"{stem}.md", markdown), len(notes))


async def upcoming_sessions(db: Database, user_id: int, now: datetime) -> list[CalendarRow]:
    """Return the sessions of the person's calendar feed not yet over, planned or cancelled.

    The same sessions as the feed, from the same side: those they hold as a mentor (theirs, and
    those they cover for a peer; not the ones a peer covers for them) and theirs as a student,
    with the covering peer's name. Cancelled ones stay, so a re-imported file marks them so.
    """
    rows = await feed_store.feed_sessions(db, user_id, now - timedelta(minutes=DURATION_MAX))
    return [
        row
        for row in rows
        if row.status in _IN_FILE and row.starts_at + timedelta(minutes=row.duration_minutes) > now
    ]


def calendar_file(
    rows: Sequence[CalendarRow],
    now: datetime,
    *,
    summary: Callable[[CalendarRow], str],
    description: Callable[[CalendarRow], str] | None = None,
) -> ExportFile:
    """Build the `.ics` of the given sessions, each named by `summary`; refuse when none is planned.

    A moved session keeps its UID with a higher SEQUENCE; a cancelled one is marked so.
    """
    if not any(row.status == SessionStatus.SCHEDULED for row in rows):
        raise Refusal("exports.no_sessions")
    entries = [
        CalendarEntry(
            session_id=row.session_id,
            starts_at=row.starts_at,
            ends_at=row.starts_at + timedelta(minutes=row.duration_minutes),
            summary=summary(row),
            description=description(row) if description else "",
            meeting_link=row.meeting_link,
            cancelled=row.status == "cancelled",
            sequence=row.revision,
        )
        for row in rows
    ]
    return ExportFile("mentor-coach-sessions.ics", calendar_ics(entries, now))
