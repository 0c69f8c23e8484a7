"""Read-only queries about a whole server's program, for moderators (never note content)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.clock import from_iso, from_iso_or_none, iso
from bot.db import Reader
from bot.vocabulary import OUTCOMES


@dataclass(frozen=True)
class SessionFact:
    """When one session started and how it ended ("scheduled": not recorded yet)."""

    starts_at: datetime
    status: str


@dataclass(frozen=True)
class QuietStudent:
    """An active student whose last held session (or start) is long ago."""

    mentorship_id: int
    student_id: int
    student_name: str
    mentor_id: int
    last_held_at: datetime | None
    since: datetime


@dataclass(frozen=True)
class MentorLoad:
    """How many active students one mentor follows."""

    mentor_id: int
    students: int


async def active_mentorships(db: Reader, guild_id: int) -> int:
    """Return how many mentorships are active in a server."""
    row = await db.fetch_one(
        "SELECT COUNT(*) FROM mentorships WHERE guild_id = ? AND status = 'active'", (guild_id,)
    )
    return int(row[0]) if row is not None else 0


async def outcome_counts(
    db: Reader, guild_id: int, since: datetime, until: datetime
) -> dict[str, int]:
    """Return how many sessions that started in [since, until) ended each way."""
    rows = await db.fetch_all(
        "SELECT s.status, COUNT(*) AS n FROM sessions s "
        "JOIN mentorships m ON m.id = s.mentorship_id "
        "WHERE m.guild_id = ? AND s.starts_at >= ? AND s.starts_at < ? "
        f"AND s.status IN ({', '.join('?' for _ in OUTCOMES)}) GROUP BY s.status",
        (guild_id, iso(since), iso(until), *OUTCOMES),
    )
    counts = {outcome.value: 0 for outcome in OUTCOMES}
    counts.update({str(row["status"]): int(row["n"]) for row in rows})
    return counts


async def unrecorded_sessions(db: Reader, guild_id: int, since: datetime, ended_before: int) -> int:
    """Count the sessions past and still without a recorded outcome.

    They started after `since` and ended before `ended_before` (epoch seconds).
    """
    row = await db.fetch_one(
        "SELECT COUNT(*) FROM sessions s JOIN mentorships m ON m.id = s.mentorship_id "
        "WHERE m.guild_id = ? AND s.status = 'scheduled' AND s.starts_at >= ? "
        "AND CAST(strftime('%s', s.starts_at) AS INTEGER) + s.duration_minutes * 60 < ?",
        (guild_id, iso(since), ended_before),
    )
    return int(row[0]) if row is not None else 0


async def session_facts(
    db: Reader, guild_id: int, since: datetime, until: datetime
) -> list[SessionFact]:
    """Return the sessions that started in [since, until), recorded or still to record."""
    rows = await db.fetch_all(
        "SELECT s.starts_at, s.status FROM sessions s "
        "JOIN mentorships m ON m.id = s.mentorship_id "
        "WHERE m.guild_id = ? AND s.starts_at >= ? AND s.starts_at < ? "
        "AND s.status <> 'cancelled' ORDER BY s.starts_at",
        (guild_id, iso(since), iso(until)),
    )
    return [SessionFact(from_iso(row["starts_at"]), str(row["status"])) for row in rows]


async def quiet_students(db: Reader, guild_id: int, before: datetime) -> list[QuietStudent]:
    """Return active students with no held session since `before` (nor a start after it)."""
    rows = await db.fetch_all(
        "WITH last AS ("
        " SELECT m.id, m.student_id, m.student_name, m.mentor_id, m.created_at,"
        "  (SELECT MAX(s.starts_at) FROM sessions s"
        "   WHERE s.mentorship_id = m.id AND s.status = 'held') AS last_held_at"
        " FROM mentorships m WHERE m.guild_id = ? AND m.status = 'active')"
        " SELECT *, COALESCE(last_held_at, created_at) AS since FROM last"
        " WHERE COALESCE(last_held_at, created_at) < ?"
        " ORDER BY since, student_name COLLATE NOCASE, id",
        (guild_id, iso(before)),
    )
    return [
        QuietStudent(
            mentorship_id=int(row["id"]),
            student_id=int(row["student_id"]),
            student_name=str(row["student_name"]),
            mentor_id=int(row["mentor_id"]),
            last_held_at=from_iso_or_none(row["last_held_at"]),
            since=from_iso(row["since"]),
        )
        for row in rows
    ]


async def mentor_loads(db: Reader, guild_id: int) -> list[MentorLoad]:
    """Return each mentor's number of active students, busiest first."""
    rows = await db.fetch_all(
        "SELECT mentor_id, COUNT(*) AS n FROM mentorships WHERE guild_id = ? "
        "AND status = 'active' GROUP BY mentor_id ORDER BY n DESC, mentor_id",
        (guild_id,),
    )
    return [MentorLoad(int(row["mentor_id"]), int(row["n"])) for row in rows]
