"""Corrections of a session's recorded outcome, kept as history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.clock import from_iso, iso
from bot.db import Reader, Transaction
from bot.vocabulary import OUTCOMES


@dataclass(frozen=True)
class OutcomeChange:
    """One correction: the outcome was `old_status`, it became `new_status`."""

    session_id: int
    old_status: str
    new_status: str
    changed_by: int
    changed_at: datetime


async def correct_outcome(
    tx: Transaction, session_id: int, old: str, new: str, changed_by: int, now: datetime
) -> bool:
    """Change a recorded outcome from `old` to `new` and keep the change; False if it moved on."""
    if old not in OUTCOMES or new not in OUTCOMES:
        raise ValueError(f"not session outcomes: {old!r} -> {new!r}")
    changed = await tx.changes(
        "UPDATE sessions SET status = ?, recorded_at = ? WHERE id = ? AND status = ?",
        (new, iso(now), session_id, old),
    )
    if not changed:
        return False
    await tx.execute(
        "INSERT INTO outcome_changes (session_id, old_status, new_status, changed_by, changed_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (session_id, old, new, changed_by, iso(now)),
    )
    return True


async def changes_of(db: Reader, session_id: int) -> list[OutcomeChange]:
    """Return the corrections of a session's outcome, oldest first."""
    rows = await db.fetch_all(
        "SELECT session_id, old_status, new_status, changed_by, changed_at FROM outcome_changes "
        "WHERE session_id = ? ORDER BY changed_at, id",
        (session_id,),
    )
    return [
        OutcomeChange(
            session_id=row["session_id"],
            old_status=row["old_status"],
            new_status=row["new_status"],
            changed_by=row["changed_by"],
            changed_at=from_iso(row["changed_at"]),
        )
        for row in rows
    ]
