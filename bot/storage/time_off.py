"""A mentor's time off: the ranges in which their sessions do not take place."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from bot.clock import from_iso, iso
from bot.db import Reader, Transaction


async def add_time_off(
    tx: Transaction,
    mentor_id: int,
    first_day: date,
    last_day: date,
    zone: str,
    starts_at: datetime,
    ends_at: datetime,
    now: datetime,
) -> int:
    """Store a range of time off; return its id."""
    new_id = await tx.execute(
        "INSERT INTO time_off (mentor_id, first_day, last_day, zone, starts_at, ends_at, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            mentor_id,
            first_day.isoformat(),
            last_day.isoformat(),
            zone,
            iso(starts_at),
            iso(ends_at),
            iso(now),
        ),
    )
    assert new_id is not None
    return new_id


async def time_off_covering(db: Reader, mentor_id: int, instants: Sequence[datetime]) -> list[bool]:
    """Tell, for each instant, whether the mentor is away then."""
    if not instants:
        return []
    rows = await db.fetch_all(
        "SELECT starts_at, ends_at FROM time_off WHERE mentor_id = ? AND ends_at > ?",
        (mentor_id, iso(min(instants))),
    )
    ranges = [(from_iso(r["starts_at"]), from_iso(r["ends_at"])) for r in rows]
    return [any(start <= at < end for start, end in ranges) for at in instants]
