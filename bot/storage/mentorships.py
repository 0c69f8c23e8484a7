"""Mentorships: one mentor following one student on a project, in one server."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any, Final, Literal

import aiosqlite

from bot.clock import from_iso, from_iso_or_none, iso
from bot.db import Database, Reader, Transaction


class _Unset(Enum):
    UNSET = "unset"


UNSET: Final = _Unset.UNSET
"""Marks an `update_mentorship` field that the caller leaves as it is."""

_COLUMNS = (
    "id, guild_id, mentor_id, student_id, student_name, project, path, goal, session_minutes, "
    "status, created_at, archived_at, starting_point"
)


class AlreadyMentoring(Exception):
    """The mentor already has an active mentorship with this student in this server."""

    def __init__(self, guild_id: int, mentor_id: int, student_id: int) -> None:
        super().__init__(
            f"mentor {mentor_id} already mentors student {student_id} in guild {guild_id}"
        )
        self.guild_id = guild_id
        self.mentor_id = mentor_id
        self.student_id = student_id


@dataclass(frozen=True)
class Mentorship:
    """A mentor following a student on a project."""

    id: int
    guild_id: int
    mentor_id: int
    student_id: int
    student_name: str
    project: str
    path: str | None
    goal: str | None
    session_minutes: int
    status: str
    created_at: datetime
    archived_at: datetime | None
    starting_point: str | None = None
    """Where the student starts from (`bot.content.STARTING_POINTS`), if the mentor said."""

    @property
    def active(self) -> bool:
        """Return whether the mentorship is still running."""
        return self.status == "active"


def _row_to_mentorship(row: aiosqlite.Row) -> Mentorship:
    created = from_iso(row["created_at"])
    return Mentorship(
        id=row["id"],
        guild_id=row["guild_id"],
        mentor_id=row["mentor_id"],
        student_id=row["student_id"],
        student_name=row["student_name"],
        project=row["project"],
        path=row["path"],
        goal=row["goal"],
        session_minutes=row["session_minutes"],
        status=row["status"],
        created_at=created,
        archived_at=from_iso_or_none(row["archived_at"]),
        starting_point=row["starting_point"],
    )


def _is_active_duplicate(error: sqlite3.IntegrityError) -> bool:
    message = str(error)
    return "UNIQUE constraint failed" in message and "mentorships.mentor_id" in message


async def add_mentorship(
    tx: Transaction,
    guild_id: int,
    mentor_id: int,
    student_id: int,
    project: str,
    path: str | None,
    goal: str | None,
    session_minutes: int,
    now: datetime,
    *,
    student_name: str,
) -> Mentorship:
    """Start a mentorship; raise `AlreadyMentoring` when an active one exists."""
    try:
        new_id = await tx.execute(
            "INSERT INTO mentorships (guild_id, mentor_id, student_id, student_name, project, "
            "path, goal, session_minutes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                guild_id,
                mentor_id,
                student_id,
                student_name,
                project,
                path,
                goal,
                session_minutes,
                iso(now),
            ),
        )
    except sqlite3.IntegrityError as error:
        if _is_active_duplicate(error):
            raise AlreadyMentoring(guild_id, mentor_id, student_id) from error
        raise
    row = await tx.fetch_one(f"SELECT {_COLUMNS} FROM mentorships WHERE id = ?", (new_id,))
    assert row is not None
    return _row_to_mentorship(row)


async def get_mentorship(db: Database, mentorship_id: int) -> Mentorship | None:
    """Return one mentorship by id, if it exists."""
    row = await db.fetch_one(f"SELECT {_COLUMNS} FROM mentorships WHERE id = ?", (mentorship_id,))
    return None if row is None else _row_to_mentorship(row)


async def active_for_mentor(db: Database, guild_id: int, mentor_id: int) -> list[Mentorship]:
    """Return a mentor's active mentorships in a server, oldest first."""
    rows = await db.fetch_all(
        f"SELECT {_COLUMNS} FROM mentorships WHERE guild_id = ? AND mentor_id = ? "
        "AND status = 'active' ORDER BY created_at, id",
        (guild_id, mentor_id),
    )
    return [_row_to_mentorship(row) for row in rows]


async def find_active(
    db: Reader, guild_id: int, mentor_id: int, student_id: int
) -> Mentorship | None:
    """Return the active mentorship of this mentor and student in a server, if any."""
    row = await db.fetch_one(
        f"SELECT {_COLUMNS} FROM mentorships WHERE guild_id = ? AND mentor_id = ? "
        "AND student_id = ? AND status = 'active'",
        (guild_id, mentor_id, student_id),
    )
    return None if row is None else _row_to_mentorship(row)


async def mentorships_of_student(
    db: Database, student_id: int, guild_id: int | None, *, include_archived: bool = False
) -> list[Mentorship]:
    """Return a student's mentorships (in one server, or everywhere), oldest first."""
    sql = f"SELECT {_COLUMNS} FROM mentorships WHERE student_id = ?"
    params: list[Any] = [student_id]
    if guild_id is not None:
        sql += " AND guild_id = ?"
        params.append(guild_id)
    if not include_archived:
        sql += " AND status = 'active'"
    rows = await db.fetch_all(sql + " ORDER BY created_at, id", params)
    return [_row_to_mentorship(row) for row in rows]


async def update_mentorship(
    tx: Transaction,
    mentorship_id: int,
    *,
    project: str | Literal[_Unset.UNSET] = UNSET,
    path: str | Literal[_Unset.UNSET] | None = UNSET,
    goal: str | Literal[_Unset.UNSET] | None = UNSET,
    session_minutes: int | Literal[_Unset.UNSET] = UNSET,
) -> Mentorship | None:
    """Change only the given fields; return the mentorship as it now is (None if unknown)."""
    changes: dict[str, Any] = {}
    if project is not UNSET:
        changes["project"] = project
    if path is not UNSET:
        changes["path"] = path
    if goal is not UNSET:
        changes["goal"] = goal
    if session_minutes is not UNSET:
        changes["session_minutes"] = session_minutes
    if changes:
        assignments = ", ".join(f"{column} = :{column}" for column in changes)
        await tx.execute(
            f"UPDATE mentorships SET {assignments} WHERE id = :id",
            {**changes, "id": mentorship_id},
        )
    row = await tx.fetch_one(f"SELECT {_COLUMNS} FROM mentorships WHERE id = ?", (mentorship_id,))
    return None if row is None else _row_to_mentorship(row)


async def archive_mentorship(tx: Transaction, mentorship_id: int, now: datetime) -> list[int]:
    """Archive an active mentorship, cancel its future sessions and end its series.

    Return the ids of the sessions it cancelled (nothing happens if it is not active).
    """
    stamp = iso(now)
    archived = await tx.changes(
        "UPDATE mentorships SET status = 'archived', archived_at = ? "
        "WHERE id = ? AND status = 'active'",
        (stamp, mentorship_id),
    )
    if not archived:
        return []
    rows = await tx.fetch_all(
        "UPDATE sessions SET status = 'cancelled' WHERE mentorship_id = ? "
        "AND status = 'scheduled' AND starts_at >= ? RETURNING id",
        (mentorship_id, stamp),
    )
    await tx.execute(
        "UPDATE series SET ended_at = ? WHERE mentorship_id = ? AND ended_at IS NULL",
        (stamp, mentorship_id),
    )
    return sorted(int(row[0]) for row in rows)


@dataclass(frozen=True)
class ActiveMentor:
    """A mentor with at least one active mentorship in a server, and the zones they may use."""

    guild_id: int
    mentor_id: int
    own_zone: str | None
    """The zone the mentor chose (`user_prefs`), if any."""
    server_zone: str | None
    """The server's default zone (`guild_config`), if any."""


async def active_mentors_with_zones(
    db: Reader, after: tuple[int, int], limit: int
) -> list[ActiveMentor]:
    """Return the next `limit` (server, mentor) pairs with an active mentorship, and their zones.

    In (guild_id, mentor_id) order after `after` ((0, 0) first): a batch reads only its part of
    the index, so a caller going through every mentor never holds all their pages at once.
    """
    rows = await db.fetch_all(
        "SELECT a.guild_id, a.mentor_id, p.timezone AS own_zone, "
        "g.default_timezone AS server_zone "
        "FROM (SELECT DISTINCT guild_id, mentor_id FROM mentorships "
        "      WHERE status = 'active' AND (guild_id, mentor_id) > (?, ?) "
        "      ORDER BY guild_id, mentor_id LIMIT ?) a "
        "LEFT JOIN user_prefs p ON p.user_id = a.mentor_id "
        "LEFT JOIN guild_config g ON g.guild_id = a.guild_id "
        "ORDER BY a.guild_id, a.mentor_id",
        (after[0], after[1], limit),
    )
    return [
        ActiveMentor(
            guild_id=int(row["guild_id"]),
            mentor_id=int(row["mentor_id"]),
            own_zone=row["own_zone"],
            server_zone=row["server_zone"],
        )
        for row in rows
    ]


async def set_starting_point(
    tx: Transaction, mentorship_id: int, starting_point: str | None
) -> None:
    """Record where the student of a mentorship starts from (None: not said)."""
    await tx.execute(
        "UPDATE mentorships SET starting_point = ? WHERE id = ?", (starting_point, mentorship_id)
    )
