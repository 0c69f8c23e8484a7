"""Session news: changes to a student's sessions, queued a short while, then sent as one DM."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import aiosqlite

from bot.clock import from_iso, from_iso_or_none, iso
from bot.db import Reader, Transaction


class Change(StrEnum):
    """What happened to a student's sessions."""

    SCHEDULED = "scheduled"
    SERIES = "series"
    RESCHEDULED = "rescheduled"
    CANCELLED = "cancelled"
    SERIES_CANCELLED = "series_cancelled"
    ARCHIVED = "archived"
    TIME_OFF = "time_off"


@dataclass(frozen=True)
class News:
    """One change, as queued for its recipient."""

    id: int
    recipient_id: int
    guild_id: int
    mentorship_id: int
    mentor_id: int
    session_id: int | None
    change: Change
    starts_at: datetime | None
    old_starts_at: datetime | None
    detail: dict[str, Any]
    due_at: datetime
    status: str
    batch: str | None


@dataclass(frozen=True)
class NewChange:
    """A change to queue (what the services know when they make it)."""

    recipient_id: int
    guild_id: int
    mentorship_id: int
    mentor_id: int
    change: Change
    session_id: int | None = None
    starts_at: datetime | None = None
    old_starts_at: datetime | None = None
    detail: dict[str, Any] | None = None


_FIELDS = (
    "id, recipient_id, guild_id, mentorship_id, mentor_id, session_id, change, starts_at, "
    "old_starts_at, detail, due_at, status, batch"
)


def _row(row: aiosqlite.Row) -> News:
    return News(
        id=row["id"],
        recipient_id=row["recipient_id"],
        guild_id=row["guild_id"],
        mentorship_id=row["mentorship_id"],
        mentor_id=row["mentor_id"],
        session_id=row["session_id"],
        change=Change(row["change"]),
        starts_at=from_iso_or_none(row["starts_at"]),
        old_starts_at=from_iso_or_none(row["old_starts_at"]),
        detail=json.loads(row["detail"]),
        due_at=from_iso(row["due_at"]),
        status=row["status"],
        batch=row["batch"],
    )


def _iso_or_none(instant: datetime | None) -> str | None:
    return None if instant is None else iso(instant)


async def add(tx: Transaction, change: NewChange, now: datetime, window: timedelta) -> datetime:
    """Queue a change; it joins the recipient's waiting ones (they all go out together).

    Return when the recipient's message is due: `window` after the first change still waiting.
    """
    row = await tx.fetch_one(
        "SELECT MIN(due_at) AS due FROM session_news WHERE recipient_id = ? AND status = 'pending'",
        (change.recipient_id,),
    )
    due = from_iso(row["due"]) if row is not None and row["due"] else now + window
    await tx.execute(
        "INSERT INTO session_news (recipient_id, guild_id, mentorship_id, mentor_id, session_id, "
        "change, starts_at, old_starts_at, detail, due_at, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            change.recipient_id,
            change.guild_id,
            change.mentorship_id,
            change.mentor_id,
            change.session_id,
            change.change.value,
            _iso_or_none(change.starts_at),
            _iso_or_none(change.old_starts_at),
            json.dumps(change.detail or {}, sort_keys=True),
            iso(due),
            iso(now),
        ),
    )
    return due


async def next_due_at(db: Reader) -> datetime | None:
    """Return when the earliest waiting message is due."""
    row = await db.fetch_one("SELECT MIN(due_at) AS due FROM session_news WHERE status = 'pending'")
    return None if row is None or row["due"] is None else from_iso(row["due"])


async def due_recipients(db: Reader, now: datetime) -> list[int]:
    """Return the people whose waiting changes are due."""
    rows = await db.fetch_all(
        "SELECT DISTINCT recipient_id FROM session_news WHERE status = 'pending' AND due_at <= ? "
        "ORDER BY recipient_id",
        (iso(now),),
    )
    return [int(row["recipient_id"]) for row in rows]


async def claim(tx: Transaction, recipient_id: int, now: datetime) -> str | None:
    """Mark a recipient's due changes as being sent, under one batch id; return it.

    The batch id is the message's nonce: a send retried after a crash is not doubled.
    """
    rows = await tx.fetch_all(
        "SELECT id FROM session_news WHERE recipient_id = ? AND status = 'pending' "
        "AND due_at <= ? ORDER BY id",
        (recipient_id, iso(now)),
    )
    if not rows:
        return None
    ids = [int(row["id"]) for row in rows]
    batch = f"news-{ids[0]}"
    await tx.execute(
        f"UPDATE session_news SET status = 'sending', batch = ? "
        f"WHERE id IN ({', '.join('?' for _ in ids)})",
        [batch, *ids],
    )
    return batch


async def interrupted_batches(db: Reader) -> list[str]:
    """Return the batches a crash interrupted while they were being sent."""
    rows = await db.fetch_all(
        "SELECT DISTINCT batch FROM session_news WHERE status = 'sending' ORDER BY batch"
    )
    return [str(row["batch"]) for row in rows]


async def of_batch(db: Reader, batch: str) -> list[News]:
    """Return the changes of one batch, oldest first."""
    rows = await db.fetch_all(
        f"SELECT {_FIELDS} FROM session_news WHERE batch = ? ORDER BY id", (batch,)
    )
    return [_row(row) for row in rows]


async def settle(
    tx: Transaction, batch: str, status: str, now: datetime, message_id: int | None = None
) -> None:
    """Record how a batch ended: sent, failed or dropped."""
    await tx.execute(
        "UPDATE session_news SET status = ?, message_id = ?, sent_at = ? WHERE batch = ?",
        (status, message_id, iso(now), batch),
    )


async def news_of(db: Reader, recipient_id: int) -> list[News]:
    """Return everything queued or sent to a person (for their data export)."""
    rows = await db.fetch_all(
        f"SELECT {_FIELDS} FROM session_news WHERE recipient_id = ? ORDER BY id", (recipient_id,)
    )
    return [_row(row) for row in rows]


async def wants_news(db: Reader, user_id: int) -> bool:
    """Tell whether a person wants to hear of changes to their sessions (the default)."""
    row = await db.fetch_one("SELECT session_news FROM user_prefs WHERE user_id = ?", (user_id,))
    return row is None or row["session_news"] is None or bool(row["session_news"])


async def set_wants_news(tx: Transaction, user_id: int, wanted: bool, now: datetime) -> None:
    """Record whether a person wants to hear of changes to their sessions."""
    await tx.execute(
        "INSERT INTO user_prefs (user_id, session_news, updated_at) VALUES (?, ?, ?) "
        "ON CONFLICT (user_id) DO UPDATE SET session_news = excluded.session_news, "
        "updated_at = excluded.updated_at",
        (user_id, int(wanted), iso(now)),
    )


async def set_mentor_name(tx: Transaction, mentorship_id: int, name: str) -> None:
    """Remember the mentor's display name on a mentorship, as the mentor last gave it."""
    await tx.execute(
        "UPDATE mentorships SET mentor_name = ? WHERE id = ? AND mentor_name IS NOT ?",
        (name[:100], mentorship_id, name[:100]),
    )


async def mentor_name(db: Reader, mentorship_id: int) -> str | None:
    """Return the mentor's display name on a mentorship, if known."""
    row = await db.fetch_one("SELECT mentor_name FROM mentorships WHERE id = ?", (mentorship_id,))
    return None if row is None else row["mentor_name"]


async def drop_waiting(tx: Transaction, recipient_id: int, now: datetime) -> None:
    """Drop a person's changes still waiting to be sent."""
    await tx.execute(
        "UPDATE session_news SET status = 'dropped', sent_at = ? "
        "WHERE recipient_id = ? AND status = 'pending'",
        (iso(now), recipient_id),
    )
