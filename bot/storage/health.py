"""The reads behind the health endpoint: how far behind the dispatcher is, what failed lately."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.clock import from_iso, iso
from bot.db import Reader


async def oldest_due_pending(db: Reader, now: datetime) -> datetime | None:
    """Return the due time of the oldest pending reminder that is due by `now`, if any."""
    row = await db.fetch_one(
        "SELECT MIN(due_at) AS due_at FROM reminders WHERE status = 'pending' AND due_at <= ?",
        (iso(now),),
    )
    return from_iso(row["due_at"]) if row is not None and row["due_at"] is not None else None


async def failed_since(db: Reader, since: datetime) -> int:
    """Count the reminders due since `since` that failed."""
    row = await db.fetch_one(
        "SELECT COUNT(*) AS n FROM reminders WHERE status = 'failed' AND due_at >= ?",
        (iso(since),),
    )
    return int(row["n"]) if row is not None else 0


DAY = timedelta(hours=24)
