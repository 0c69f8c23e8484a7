"""Hand-overs: a mentor asks a peer to take one session, or the whole mentorship."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

import aiosqlite

from bot.clock import from_iso, from_iso_or_none, iso
from bot.db import Reader, Transaction

SCOPES: Final = ("session", "mentorship")
OPEN: Final = ("asked", "peer_accepted")
_COLUMNS = (
    "id, guild_id, mentorship_id, session_id, from_mentor_id, to_mentor_id, scope, status, "
    "created_at, decided_at, peer_name"
)


@dataclass(frozen=True)
class Handover:
    """One request to hand a session or a mentorship over to a peer."""

    id: int
    guild_id: int
    mentorship_id: int
    session_id: int | None
    from_mentor: int
    to_mentor: int
    scope: str
    status: str
    created_at: datetime
    decided_at: datetime | None
    peer_name: str | None = None
    """The name the peer went by when they accepted (for the student's calendar feed)."""


def _row(row: aiosqlite.Row) -> Handover:
    return Handover(
        id=row["id"],
        guild_id=row["guild_id"],
        mentorship_id=row["mentorship_id"],
        session_id=row["session_id"],
        from_mentor=row["from_mentor_id"],
        to_mentor=row["to_mentor_id"],
        scope=row["scope"],
        status=row["status"],
        created_at=from_iso(row["created_at"]),
        decided_at=from_iso_or_none(row["decided_at"]),
        peer_name=row["peer_name"],
    )


async def add_handover(
    tx: Transaction,
    guild_id: int,
    mentorship_id: int,
    session_id: int | None,
    from_mentor: int,
    to_mentor: int,
    scope: str,
    now: datetime,
) -> Handover:
    """Record a new request, waiting for the peer's answer."""
    row = await tx.fetch_one(
        "INSERT INTO handovers (guild_id, mentorship_id, session_id, from_mentor_id, to_mentor_id, "
        f"scope, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING {_COLUMNS}",
        (guild_id, mentorship_id, session_id, from_mentor, to_mentor, scope, iso(now)),
    )
    assert row is not None
    return _row(row)


async def get_handover(db: Reader, handover_id: int) -> Handover | None:
    """Return a hand-over by id."""
    row = await db.fetch_one(f"SELECT {_COLUMNS} FROM handovers WHERE id = ?", (handover_id,))
    return None if row is None else _row(row)


async def open_for(db: Reader, mentorship_id: int) -> Handover | None:
    """Return the hand-over of a mentorship still waiting for an answer, if any."""
    row = await db.fetch_one(
        f"SELECT {_COLUMNS} FROM handovers WHERE mentorship_id = ? "
        "AND status IN ('asked', 'peer_accepted') ORDER BY id DESC LIMIT 1",
        (mentorship_id,),
    )
    return None if row is None else _row(row)


async def move_status(
    tx: Transaction, handover_id: int, expected: str, status: str, now: datetime
) -> bool:
    """Move a hand-over from `expected` to `status`; False when it was no longer `expected`."""
    changed = await tx.changes(
        "UPDATE handovers SET status = ?, decided_at = ? WHERE id = ? AND status = ?",
        (status, iso(now), handover_id, expected),
    )
    return changed > 0


async def set_peer_name(tx: Transaction, handover_id: int, name: str) -> None:
    """Keep the name the peer goes by, as they accept."""
    await tx.execute("UPDATE handovers SET peer_name = ? WHERE id = ?", (name, handover_id))


async def future_sessions(tx: Transaction, mentorship_id: int, now: datetime) -> list[int]:
    """Return the ids of a mentorship's scheduled sessions still to come."""
    rows = await tx.fetch_all(
        "SELECT id FROM sessions WHERE mentorship_id = ? AND status = 'scheduled' "
        "AND starts_at > ? ORDER BY starts_at",
        (mentorship_id, iso(now)),
    )
    return [int(row["id"]) for row in rows]


async def change_mentor(
    tx: Transaction, mentorship_id: int, mentor_id: int, mentor_name: str | None
) -> None:
    """Give a mentorship to another mentor, under the name they accepted with.

    Its notes keep their authors. An unknown name is forgotten, never left as the former
    mentor's (the student's calendar would name the new mentor by it).
    """
    await tx.execute(
        "UPDATE mentorships SET mentor_id = ?, mentor_name = ? WHERE id = ?",
        (mentor_id, mentor_name, mentorship_id),
    )
