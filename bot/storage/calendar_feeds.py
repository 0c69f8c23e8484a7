"""Personal calendar feeds: the hash of each person's secret token, and what their feed lists."""

from __future__ import annotations

from datetime import datetime

from bot.clock import from_iso, iso
from bot.db import Reader, Transaction
from bot.storage.privacy import CalendarRow, calendar_row

_FEED_COLUMNS = (
    "s.id AS id, s.starts_at AS starts_at, s.duration_minutes, s.kind, s.status, s.revision, "
    "m.guild_id, COALESCE(s.covering_mentor_id, m.mentor_id) AS holder, m.student_id, "
    "m.student_name, m.project, m.project_link, m.meeting_link, "
    "CASE WHEN s.covering_mentor_id IS NOT NULL THEN s.covering_mentor_name END AS holder_name"
)


async def replace_feed(tx: Transaction, user_id: int, token_hash: str, now: datetime) -> None:
    """Give a person a feed with this token hash; an earlier one stops working."""
    await tx.execute(
        "INSERT INTO calendar_feeds (user_id, token_hash, created_at) VALUES (?, ?, ?) "
        "ON CONFLICT (user_id) DO UPDATE SET token_hash = excluded.token_hash, "
        "created_at = excluded.created_at",
        (user_id, token_hash, iso(now)),
    )


async def feed_created_at(db: Reader, user_id: int) -> datetime | None:
    """Return when the person's current feed address was made, if they have one."""
    row = await db.fetch_one("SELECT created_at FROM calendar_feeds WHERE user_id = ?", (user_id,))
    return None if row is None else from_iso(row["created_at"])


async def feed_by_hash(db: Reader, token_hash: str) -> tuple[int, str] | None:
    """Return the owner of a token hash and the stored hash, if any."""
    row = await db.fetch_one(
        "SELECT user_id, token_hash FROM calendar_feeds WHERE token_hash = ?", (token_hash,)
    )
    return None if row is None else (int(row["user_id"]), str(row["token_hash"]))


async def feed_sessions(db: Reader, user_id: int, since: datetime) -> list[CalendarRow]:
    """Return the sessions a person's feed lists: those starting after `since`, any status.

    As a mentor, the sessions they hold (theirs, and those they cover for a peer; not the ones
    a peer covers for them); as a student, theirs. `mentor_id` is whoever holds the session.
    """
    stamp = iso(since)
    rows = await db.fetch_all(
        # Three indexed branches (usual mentor, covering peer, student), not one OR that scans.
        f"SELECT {_FEED_COLUMNS} FROM mentorships m JOIN sessions s ON s.mentorship_id = m.id "
        "WHERE m.mentor_id = ? AND s.covering_mentor_id IS NULL AND s.starts_at >= ? "
        f"UNION SELECT {_FEED_COLUMNS} FROM sessions s JOIN mentorships m "
        "ON m.id = s.mentorship_id WHERE s.covering_mentor_id = ? AND s.starts_at >= ? "
        f"UNION SELECT {_FEED_COLUMNS} FROM mentorships m JOIN sessions s "
        "ON s.mentorship_id = m.id WHERE m.student_id = ? AND s.starts_at >= ? "
        "ORDER BY starts_at, id",
        (user_id, stamp, user_id, stamp, user_id, stamp),
    )
    return [calendar_row(row, "holder") for row in rows]


async def mentor_names(db: Reader, user_id: int) -> dict[int, str]:
    """Return the names a student's mentors gave (by mentor id), for their feed's titles."""
    rows = await db.fetch_all(
        "SELECT mentor_id, mentor_name FROM mentorships "
        "WHERE student_id = ? AND mentor_name IS NOT NULL ORDER BY id",
        (user_id,),
    )
    return {int(row["mentor_id"]): str(row["mentor_name"]) for row in rows}
