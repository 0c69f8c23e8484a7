"""The SQL of people's data rights: what an export reads, what an erasure deletes.

Exports read plain rows (column name -> stored value): an export is what is stored.
Erasure and server purges run inside one transaction given by the caller.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

import aiosqlite

from bot.clock import from_iso, iso
from bot.db import Reader, Transaction
from bot.storage.notes import STUDENT_VISIBLE

ERASED_PERSON: Final = 0
"""Stands in for an erased mentor in the mentorships their students keep."""

Row = dict[str, Any]


def _dicts(rows: Sequence[aiosqlite.Row]) -> list[Row]:
    """Return rows of one statement as dicts (their columns are the same: named once)."""
    if not rows:
        return []
    columns = rows[0].keys()
    return [dict(zip(columns, row, strict=True)) for row in rows]


# -- export reads -----------------------------------------------------------------------------


async def preferences_of(db: Reader, user_id: int) -> Row:
    """Return a person's own settings: time zone, language and reminder preferences."""
    prefs = await db.fetch_one(
        "SELECT timezone, locale, language, language_by_self, updated_at FROM user_prefs "
        "WHERE user_id = ?",
        (user_id,),
    )
    reminders = await db.fetch_one(
        "SELECT student_leads, review_lead_hours, via, paused, updated_at FROM reminder_prefs "
        "WHERE user_id = ?",
        (user_id,),
    )
    return {
        "profile": None if prefs is None else _dicts([prefs])[0],
        "reminders": None if reminders is None else _dicts([reminders])[0],
    }


async def expertise_of(db: Reader, user_id: int) -> Row:
    """Return the projects a mentor declared, where they may be listed, and their hand-overs."""
    projects = await db.fetch_all(
        "SELECT guild_id, project, stance, created_at FROM mentor_projects WHERE mentor_id = ? "
        "ORDER BY guild_id, project",
        (user_id,),
    )
    listed = await db.fetch_all(
        "SELECT guild_id, listed_at FROM peer_listing WHERE mentor_id = ? ORDER BY guild_id",
        (user_id,),
    )
    handovers = await db.fetch_all(
        "SELECT guild_id, mentorship_id, session_id, from_mentor_id, to_mentor_id, scope, "
        "status, created_at, decided_at, peer_name FROM handovers "
        "WHERE from_mentor_id = ? OR to_mentor_id = ? ORDER BY id",
        (user_id, user_id),
    )
    return {
        "projects": _dicts(projects),
        "listed_in": _dicts(listed),
        "handovers": _dicts(handovers),
    }


async def mentorships_as_mentor(db: Reader, user_id: int) -> list[Row]:
    """Return every mentorship the person mentors (all servers, archived ones too)."""
    rows = await db.fetch_all(
        "SELECT id, guild_id, student_id, student_name, project, path, goal, session_minutes, "
        "status, created_at, archived_at FROM mentorships WHERE mentor_id = ? "
        "ORDER BY created_at, id",
        (user_id,),
    )
    return _dicts(rows)


async def mentorships_as_student(db: Reader, user_id: int) -> list[Row]:
    """Return every mentorship where the person is the student (all servers)."""
    rows = await db.fetch_all(
        "SELECT id, guild_id, mentor_id, student_name, project, path, goal, session_minutes, "
        "status, created_at, archived_at FROM mentorships WHERE student_id = ? "
        "ORDER BY created_at, id",
        (user_id,),
    )
    return _dicts(rows)


_SESSION_EXPORT = (
    "SELECT s.id, s.mentorship_id, m.guild_id, m.mentor_id, m.student_id, m.student_name, "
    "s.series_id, s.starts_at, s.duration_minutes, s.kind, s.status, s.moved, "
    "s.student_response, s.student_reason, s.responded_at, s.recorded_at, s.created_at "
    "FROM sessions s JOIN mentorships m ON m.id = s.mentorship_id "
)


async def sessions_as_mentor(db: Reader, user_id: int) -> list[Row]:
    """Return every session of the person's mentorships as a mentor, by start."""
    rows = await db.fetch_all(
        _SESSION_EXPORT + "WHERE m.mentor_id = ? ORDER BY s.starts_at, s.id", (user_id,)
    )
    return _dicts(rows)


async def sessions_as_student(db: Reader, user_id: int) -> list[Row]:
    """Return every session of the person's mentorships as a student, by start."""
    rows = await db.fetch_all(
        _SESSION_EXPORT + "WHERE m.student_id = ? ORDER BY s.starts_at, s.id", (user_id,)
    )
    return _dicts(rows)


async def notes_by_author(db: Reader, author_id: int) -> list[Row]:
    """Return every note the person wrote, with its student's name and project, oldest first."""
    rows = await db.fetch_all(
        "SELECT n.id, n.mentorship_id, m.guild_id, m.student_id, m.student_name, m.project, "
        "n.session_id, n.title, n.body, n.source_url, n.template, n.fields, n.shared_at, "
        "n.created_at, n.updated_at "
        "FROM notes n JOIN mentorships m ON m.id = n.mentorship_id "
        "WHERE n.author_id = ? ORDER BY n.created_at, n.id",
        (author_id,),
    )
    return _dicts(rows)


async def next_steps_by_author(db: Reader, author_id: int) -> list[Row]:
    """Return the next steps agreed in the person's notes."""
    rows = await db.fetch_all(
        "SELECT st.id, st.note_id, st.mentorship_id, st.position, st.text, st.created_at, "
        "st.done_at, st.done_session_id FROM next_steps st JOIN notes n ON n.id = st.note_id "
        "WHERE n.author_id = ? ORDER BY st.note_id, st.position, st.id",
        (author_id,),
    )
    return _dicts(rows)


async def progress_by_author(db: Reader, author_id: int) -> list[Row]:
    """Return the project progress the person recorded as a mentor."""
    rows = await db.fetch_all(
        "SELECT p.id, p.mentorship_id, m.student_name, p.status, p.ready_for_assessment, "
        "p.created_at FROM progress_entries p JOIN mentorships m ON m.id = p.mentorship_id "
        "WHERE p.author_id = ? ORDER BY p.created_at, p.id",
        (author_id,),
    )
    return _dicts(rows)


async def plans_by_author(db: Reader, author_id: int) -> list[Row]:
    """Return the presentation plans the person made as a mentor."""
    rows = await db.fetch_all(
        "SELECT p.id, p.mentorship_id, m.student_name, p.created_at, p.request_by, "
        "p.presentation_from, p.presentation_until, p.mock_by, p.status "
        "FROM presentation_plans p JOIN mentorships m ON m.id = p.mentorship_id "
        "WHERE p.created_by = ? ORDER BY p.created_at, p.id",
        (author_id,),
    )
    return _dicts(rows)


async def notes_shared_with(db: Reader, student_id: int) -> list[Row]:
    """Return the copies of notes shared with the person as a student: exactly what they were sent.

    Never the note itself: it may hold private fields, or have changed since it was sent.
    """
    rows = await db.fetch_all(
        "SELECT n.id, n.mentorship_id, m.guild_id, n.author_id, n.session_id, "
        "n.shared_title AS title, n.shared_body AS body, n.shared_at "
        "FROM notes n JOIN mentorships m ON m.id = n.mentorship_id "
        f"WHERE m.student_id = ? AND {STUDENT_VISIBLE} ORDER BY n.shared_at, n.id",
        (student_id,),
    )
    return _dicts(rows)


@dataclass(frozen=True)
class PrivateNotes:
    """How many unshared notes one mentor keeps on a student (their content is the mentor's)."""

    mentor_id: int
    guild_id: int
    count: int


async def private_notes_about(db: Reader, student_id: int) -> list[PrivateNotes]:
    """Count the unshared notes mentors keep about the person, per mentor and server."""
    rows = await db.fetch_all(
        "SELECT n.author_id, m.guild_id, COUNT(*) AS count FROM notes n "
        "JOIN mentorships m ON m.id = n.mentorship_id "
        f"WHERE m.student_id = ? AND NOT ({STUDENT_VISIBLE}) "
        "GROUP BY n.author_id, m.guild_id ORDER BY n.author_id, m.guild_id",
        (student_id,),
    )
    return [
        PrivateNotes(mentor_id=int(row[0]), guild_id=int(row[1]), count=int(row[2])) for row in rows
    ]


async def reminders_to(db: Reader, user_id: int) -> list[Row]:
    """Return the reminders addressed to the person, sent or planned."""
    rows = await db.fetch_all(
        "SELECT id, kind, session_id, guild_id, due_at, status, delivered_via, sent_at, "
        "created_at FROM reminders WHERE recipient_id = ? ORDER BY due_at, id",
        (user_id,),
    )
    return _dicts(rows)


# -- notes export and calendar ----------------------------------------------------------------


@dataclass(frozen=True)
class CalendarRow:
    """One upcoming session as a calendar shows it, from one person's side."""

    session_id: int
    starts_at: datetime
    duration_minutes: int
    kind: str
    guild_id: int
    mentor_id: int
    """Whoever holds the session: its usual mentor, or the peer who covers it."""
    student_id: int
    student_name: str
    status: str = "scheduled"
    revision: int = 0
    project: str = ""
    project_link: str | None = None
    meeting_link: str | None = None
    holder_name: str | None = None
    """The name of the peer who covers it, when one does and it is known."""


def calendar_row(row: aiosqlite.Row, mentor_column: str = "mentor_id") -> CalendarRow:
    """Read a session of a calendar; `mentor_column` names whoever holds the session."""
    return CalendarRow(
        session_id=int(row["id"]),
        starts_at=from_iso(row["starts_at"]),
        duration_minutes=int(row["duration_minutes"]),
        kind=str(row["kind"]),
        guild_id=int(row["guild_id"]),
        mentor_id=int(row[mentor_column]),
        student_id=int(row["student_id"]),
        student_name=str(row["student_name"]),
        status=str(row["status"]),
        revision=int(row["revision"]),
        project=str(row["project"]),
        project_link=row["project_link"],
        meeting_link=row["meeting_link"],
        holder_name=row["holder_name"],
    )


# -- erasure ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class EndedMentorship:
    """A running mentorship that ended because its mentor was erased."""

    mentorship_id: int
    guild_id: int
    student_id: int
    project: str


@dataclass(frozen=True)
class LostStudent:
    """What a mentor lost when their student was erased: counts only, never content."""

    mentor_id: int
    guild_id: int
    mentorships: int
    sessions: int
    notes: int


@dataclass(frozen=True)
class ErasureCounts:
    """What an erasure removed or ended."""

    mentorships_deleted: int
    mentorships_ended: list[EndedMentorship]
    notes_deleted: int
    mentors_told: list[LostStudent] = field(default_factory=list)
    uncovered: list[int] = field(default_factory=list)
    """Sessions to come the person covered for a peer: their usual mentor holds them again."""


async def erase_person(tx: Transaction, user_id: int, now: datetime) -> ErasureCounts:
    """Remove every trace of a person, inside the caller's transaction.

    As a student: their mentorships go, and with them (cascades) series, sessions, every note
    about them, next steps, progress, plans, prep ticks and the sessions' reminders.
    As a mentor: their notes, progress entries, plans and prep ticks go; their mentorships are
    archived with `ERASED_PERSON` in place of their id, future sessions cancelled with their
    reminders, so students keep their own history. Sessions they covered for a peer: those to
    come go back to their usual mentor (`uncovered`, for their reminders to be planned again),
    past ones name `ERASED_PERSON`; the name they went by goes either way.
    Everywhere: their preferences, DM channel, calendar feed and reminders; a server setting,
    template or checklist they changed keeps its value but no longer names them.
    """
    stamp = iso(now)
    previous = await tx.fetch_one("PRAGMA secure_delete")
    await tx.execute("PRAGMA secure_delete = ON")

    # As a student: first count what each mentor loses (to tell them, without any content).
    lost = await tx.fetch_all(
        "SELECT m.mentor_id, m.guild_id, COUNT(DISTINCT m.id) AS mentorships, "
        "(SELECT COUNT(*) FROM sessions s JOIN mentorships x ON x.id = s.mentorship_id "
        " WHERE x.student_id = m.student_id AND x.mentor_id = m.mentor_id "
        " AND x.guild_id = m.guild_id) AS sessions, "
        "(SELECT COUNT(*) FROM notes n JOIN mentorships x ON x.id = n.mentorship_id "
        " WHERE x.student_id = m.student_id AND x.mentor_id = m.mentor_id "
        " AND x.guild_id = m.guild_id) AS notes "
        "FROM mentorships m WHERE m.student_id = ? AND m.mentor_id != ? "
        "GROUP BY m.mentor_id, m.guild_id ORDER BY m.mentor_id, m.guild_id",
        (user_id, ERASED_PERSON),
    )
    mentors_told = [
        LostStudent(
            mentor_id=int(row["mentor_id"]),
            guild_id=int(row["guild_id"]),
            mentorships=int(row["mentorships"]),
            sessions=int(row["sessions"]),
            notes=int(row["notes"]),
        )
        for row in lost
    ]
    mentorships_deleted = await tx.changes(
        "DELETE FROM mentorships WHERE student_id = ?", (user_id,)
    )

    # As a mentor.
    active = await tx.fetch_all(
        "SELECT id, guild_id, student_id, project FROM mentorships "
        "WHERE mentor_id = ? AND status = 'active' ORDER BY id",
        (user_id,),
    )
    ended = [
        EndedMentorship(
            mentorship_id=int(row["id"]),
            guild_id=int(row["guild_id"]),
            student_id=int(row["student_id"]),
            project=str(row["project"]),
        )
        for row in active
    ]
    notes_deleted = await tx.changes("DELETE FROM notes WHERE author_id = ?", (user_id,))
    await tx.execute("DELETE FROM progress_entries WHERE author_id = ?", (user_id,))
    await tx.execute("DELETE FROM presentation_plans WHERE created_by = ?", (user_id,))
    await tx.execute("DELETE FROM prep_ticks WHERE ticked_by = ?", (user_id,))
    mentored = "SELECT id FROM mentorships WHERE mentor_id = ?"
    await tx.execute(
        "UPDATE reminders SET status = 'cancelled' WHERE status IN ('pending', 'sending') "
        "AND session_id IN (SELECT id FROM sessions WHERE status = 'scheduled' "
        f"AND starts_at >= ? AND mentorship_id IN ({mentored}))",
        (stamp, user_id),
    )
    await tx.execute(
        "UPDATE sessions SET status = 'cancelled' WHERE status = 'scheduled' AND starts_at >= ? "
        f"AND mentorship_id IN ({mentored})",
        (stamp, user_id),
    )
    await tx.execute(
        f"UPDATE series SET ended_at = ? WHERE ended_at IS NULL AND mentorship_id IN ({mentored})",
        (stamp, user_id),
    )
    await tx.execute(
        "UPDATE mentorships SET mentor_id = ?, mentor_name = NULL, status = 'archived', "
        "archived_at = COALESCE(archived_at, ?) WHERE mentor_id = ?",
        (ERASED_PERSON, stamp, user_id),
    )

    uncovered = await tx.fetch_all(
        "UPDATE sessions SET covering_mentor_id = NULL, covering_mentor_name = NULL "
        "WHERE covering_mentor_id = ? AND status = 'scheduled' AND starts_at >= ? RETURNING id",
        (user_id, stamp),
    )
    await tx.execute(
        "UPDATE sessions SET covering_mentor_id = ?, covering_mentor_name = NULL "
        "WHERE covering_mentor_id = ?",
        (ERASED_PERSON, user_id),
    )

    # Everywhere.
    await tx.execute("DELETE FROM reminders WHERE recipient_id = ?", (user_id,))
    await tx.execute(
        "DELETE FROM session_news WHERE recipient_id = ? OR mentor_id = ?", (user_id, user_id)
    )
    await tx.execute(
        "UPDATE outcome_changes SET changed_by = ? WHERE changed_by = ?", (ERASED_PERSON, user_id)
    )
    await tx.execute("DELETE FROM time_off WHERE mentor_id = ?", (user_id,))
    await tx.execute("DELETE FROM reminder_prefs WHERE user_id = ?", (user_id,))
    await tx.execute("DELETE FROM user_prefs WHERE user_id = ?", (user_id,))
    await tx.execute("DELETE FROM dm_channels WHERE user_id = ?", (user_id,))
    await tx.execute("DELETE FROM calendar_feeds WHERE user_id = ?", (user_id,))
    await tx.execute("UPDATE guild_config SET updated_by = NULL WHERE updated_by = ?", (user_id,))
    await tx.execute("UPDATE server_content SET updated_by = NULL WHERE updated_by = ?", (user_id,))
    await tx.execute("UPDATE hidden_built_ins SET hidden_by = NULL WHERE hidden_by = ?", (user_id,))
    await tx.execute("DELETE FROM mentor_projects WHERE mentor_id = ?", (user_id,))
    await tx.execute("DELETE FROM peer_listing WHERE mentor_id = ?", (user_id,))
    await tx.execute(
        "DELETE FROM handovers WHERE from_mentor_id = ? OR to_mentor_id = ?", (user_id, user_id)
    )

    # Deleted notes leave their words in the full-text index until its segments merge.
    await tx.execute("INSERT INTO notes_fts (notes_fts) VALUES ('optimize')")
    await tx.execute(f"PRAGMA secure_delete = {int(previous[0]) if previous else 0:d}")
    return ErasureCounts(
        mentorships_deleted=mentorships_deleted,
        mentorships_ended=ended,
        notes_deleted=notes_deleted,
        mentors_told=mentors_told,
        uncovered=[int(row["id"]) for row in uncovered],
    )


# -- servers that removed the bot -------------------------------------------------------------


async def record_departure(
    tx: Transaction, guild_id: int, departed_at: datetime, purge_after: datetime
) -> datetime:
    """Remember that a server removed the bot; an earlier departure keeps its date.

    Return when the server's data is to be purged.
    """
    row = await tx.fetch_one(
        "INSERT INTO guild_departures (guild_id, departed_at, purge_after) VALUES (?, ?, ?) "
        "ON CONFLICT (guild_id) DO UPDATE SET guild_id = guild_id RETURNING purge_after",
        (guild_id, iso(departed_at), iso(purge_after)),
    )
    assert row is not None
    return from_iso(row["purge_after"])


async def departure_of(db: Reader, guild_id: int) -> datetime | None:
    """Return when a departed server's data is to be purged, if it is waiting for that."""
    row = await db.fetch_one(
        "SELECT purge_after FROM guild_departures WHERE guild_id = ?", (guild_id,)
    )
    return None if row is None else from_iso(row["purge_after"])


async def cancel_departure(tx: Transaction, guild_id: int) -> bool:
    """Forget a server's departure (the bot is back); return whether one was waiting."""
    return await tx.changes("DELETE FROM guild_departures WHERE guild_id = ?", (guild_id,)) > 0


async def departures_due(db: Reader, now: datetime) -> list[int]:
    """Return the servers whose grace period is over."""
    rows = await db.fetch_all(
        "SELECT guild_id FROM guild_departures WHERE purge_after <= ? ORDER BY purge_after",
        (iso(now),),
    )
    return [int(row[0]) for row in rows]


async def purge_guild(tx: Transaction, guild_id: int, now: datetime) -> bool:
    """Delete everything stored for a server whose grace period is over; return whether it was.

    A server whose departure was cancelled meanwhile (the bot is back) is left alone.
    """
    due = await tx.changes(
        "DELETE FROM guild_departures WHERE guild_id = ? AND purge_after <= ?",
        (guild_id, iso(now)),
    )
    if not due:
        return False
    previous = await tx.fetch_one("PRAGMA secure_delete")
    await tx.execute("PRAGMA secure_delete = ON")
    await tx.execute("DELETE FROM mentorships WHERE guild_id = ?", (guild_id,))
    await tx.execute("DELETE FROM reminders WHERE guild_id = ?", (guild_id,))
    await tx.execute("DELETE FROM session_news WHERE guild_id = ?", (guild_id,))
    await tx.execute("DELETE FROM guild_config WHERE guild_id = ?", (guild_id,))
    await tx.execute("DELETE FROM server_content WHERE guild_id = ?", (guild_id,))
    await tx.execute("DELETE FROM hidden_built_ins WHERE guild_id = ?", (guild_id,))
    await tx.execute("DELETE FROM mentor_projects WHERE guild_id = ?", (guild_id,))
    await tx.execute("DELETE FROM peer_listing WHERE guild_id = ?", (guild_id,))
    await tx.execute("DELETE FROM handovers WHERE guild_id = ?", (guild_id,))
    await tx.execute("INSERT INTO notes_fts (notes_fts) VALUES ('optimize')")
    await tx.execute(f"PRAGMA secure_delete = {int(previous[0]) if previous else 0:d}")
    return True
