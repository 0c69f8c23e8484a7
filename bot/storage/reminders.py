"""Reminder rows: planned with sessions, claimed and settled by the dispatcher."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import aiosqlite

from bot.clock import from_iso, from_iso_or_none, iso
from bot.db import Database, Reader, Transaction
from bot.reminders.kinds import KINDS, Recipient
from bot.reminders.planning import Planned, ReminderPrefs, format_leads, parse_leads

_COLUMNS = (
    "id, kind, session_id, recipient_id, guild_id, slot, due_at, status, attempts, deliveries, "
    "late, unsure, delivered_via, message_id, last_error, sent_at, created_at"
)


@dataclass(frozen=True)
class Reminder:
    """One reminder: what, to whom, when, and how it went."""

    id: int
    kind: str
    session_id: int | None
    recipient_id: int
    guild_id: int
    slot: str
    due_at: datetime
    status: str
    attempts: int
    deliveries: int
    late: bool
    unsure: bool
    """A send may have reached Discord without an answer: look before sending again."""
    delivered_via: str | None
    message_id: int | None
    last_error: str | None
    sent_at: datetime | None
    created_at: datetime

    @property
    def nonce(self) -> str:
        """Return the nonce its sends carry, so a retried send never makes a second message.

        It changes only once a delivery is recorded, so a snoozed reminder is a new message.
        """
        return f"rem{self.id}-{self.deliveries}"

    @property
    def reference(self) -> str:
        """Return the reference each message carries, found again in the recipient's history."""
        return f"R{self.id}.{self.deliveries}"


def _row(row: aiosqlite.Row) -> Reminder:
    return Reminder(
        id=row["id"],
        kind=row["kind"],
        session_id=row["session_id"],
        recipient_id=row["recipient_id"],
        guild_id=row["guild_id"],
        slot=row["slot"],
        due_at=from_iso(row["due_at"]),
        status=row["status"],
        attempts=row["attempts"],
        deliveries=row["deliveries"],
        late=bool(row["late"]),
        unsure=bool(row["unsure"]),
        delivered_via=row["delivered_via"],
        message_id=row["message_id"],
        last_error=row["last_error"],
        sent_at=from_iso_or_none(row["sent_at"]),
        created_at=from_iso(row["created_at"]),
    )


async def add_planned(
    tx: Transaction,
    session_id: int | None,
    guild_id: int,
    planned: Sequence[Planned],
    now: datetime,
) -> None:
    """Create reminders; one already planned is kept, a cancelled one comes back to life."""
    target = "session_id, kind, recipient_id, slot) WHERE session_id IS NOT NULL"
    if session_id is None:
        target = "kind, recipient_id, slot) WHERE session_id IS NULL"
    await tx.execute_many(
        "INSERT INTO reminders (kind, session_id, recipient_id, guild_id, slot, due_at, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
        f"ON CONFLICT ({target} DO UPDATE SET status = 'pending', due_at = excluded.due_at, "
        "attempts = 0, late = 0, unsure = 0, last_error = NULL WHERE status = 'cancelled'",
        [
            (p.kind, session_id, p.recipient_id, guild_id, p.slot, iso(p.due_at), iso(now))
            for p in planned
        ],
    )


async def cancel_waiting(
    tx: Transaction, session_ids: Sequence[int], kinds: Sequence[str] = ()
) -> int:
    """Cancel the not-yet-sent reminders of sessions (optionally only some kinds)."""
    if not session_ids:
        return 0
    marks = ", ".join("?" for _ in session_ids)
    sql = (
        f"UPDATE reminders SET status = 'cancelled' WHERE session_id IN ({marks}) "
        "AND status IN ('pending', 'sending')"
    )
    params: list[object] = list(session_ids)
    if kinds:
        sql += f" AND kind IN ({', '.join('?' for _ in kinds)})"
        params.extend(kinds)
    return await tx.changes(sql, params)


async def next_due_at(db: Database) -> datetime | None:
    """Return when the earliest pending reminder falls due."""
    row = await db.fetch_one(
        "SELECT due_at FROM reminders WHERE status = 'pending' ORDER BY due_at LIMIT 1"
    )
    return None if row is None else from_iso(row["due_at"])


async def due(db: Database, now: datetime, limit: int) -> list[Reminder]:
    """Return pending reminders due by `now`, earliest first."""
    rows = await db.fetch_all(
        f"SELECT {_COLUMNS} FROM reminders WHERE status = 'pending' AND due_at <= ? "
        "ORDER BY due_at, id LIMIT ?",
        (iso(now), limit),
    )
    return [_row(row) for row in rows]


async def interrupted(db: Database) -> list[Reminder]:
    """Return reminders whose send was interrupted (claimed but never settled)."""
    rows = await db.fetch_all(
        f"SELECT {_COLUMNS} FROM reminders WHERE status = 'sending' ORDER BY due_at, id"
    )
    return [_row(row) for row in rows]


async def superseded_by(db: Reader, reminder: Reminder, now: datetime) -> int | None:
    """Return a later copy of the same kind, person and session also due by `now`, if any.

    Read through the person's reminders (`+session_id`: not the session index, whose NULL
    range holds every digest and summary of the program).
    """
    row = await db.fetch_one(
        "SELECT id FROM reminders WHERE kind = ? AND recipient_id = ? AND +session_id IS ? "
        "AND guild_id = ? AND status = 'pending' AND due_at <= ? AND id != ? "
        "AND (due_at > ? OR (due_at = ? AND id > ?)) ORDER BY due_at DESC LIMIT 1",
        (
            reminder.kind,
            reminder.recipient_id,
            reminder.session_id,
            reminder.guild_id,
            iso(now),
            reminder.id,
            iso(reminder.due_at),
            iso(reminder.due_at),
            reminder.id,
        ),
    )
    return None if row is None else int(row["id"])


async def superseded_among(
    db: Reader, reminders: Sequence[Reminder], now: datetime
) -> dict[int, int]:
    """Return, for each of these reminders that has one, `superseded_by`'s answer: one read.

    Read before they are claimed: a later copy among them is still `pending` then.
    """
    if not reminders:
        return {}
    marks = ", ".join("?" for _ in reminders)
    rows = await db.fetch_all(
        "SELECT r.id, (SELECT l.id FROM reminders l WHERE l.kind = r.kind "
        "AND l.recipient_id = r.recipient_id AND +l.session_id IS r.session_id "
        "AND l.guild_id = r.guild_id AND l.status = 'pending' AND l.due_at <= ? AND l.id != r.id "
        "AND (l.due_at > r.due_at OR (l.due_at = r.due_at AND l.id > r.id)) "
        f"ORDER BY l.due_at DESC LIMIT 1) AS later FROM reminders r WHERE r.id IN ({marks})",
        (iso(now), *(r.id for r in reminders)),
    )
    return {int(row["id"]): int(row["later"]) for row in rows if row["later"] is not None}


async def recipients_without_dm(
    db: Database, before: datetime, limit: int, *, skip: Collection[int] = ()
) -> list[int]:
    """Return people with a reminder due before `before` whose DM channel is not known yet."""
    person_kinds = [k.name for k in KINDS.values() if k.recipient is not Recipient.LOG_CHANNEL]
    kinds = ", ".join("?" for _ in person_kinds)
    skipped = f"AND r.recipient_id NOT IN ({', '.join('?' for _ in skip)}) " if skip else ""
    # Read through the due index (pending, by due time), not a walk of every recipient.
    rows = await db.fetch_all(
        "SELECT r.recipient_id FROM reminders r "
        f"WHERE r.status = 'pending' AND r.due_at < ? AND r.kind IN ({kinds}) "
        "AND NOT EXISTS (SELECT 1 FROM dm_channels d WHERE d.user_id = r.recipient_id) "
        f"{skipped}GROUP BY +r.recipient_id LIMIT ?",
        (iso(before), *person_kinds, *skip, limit),
    )
    return [int(row["recipient_id"]) for row in rows]


async def reminders_of_session(db: Reader, session_id: int) -> list[Reminder]:
    """Return every reminder of a session, soonest first."""
    rows = await db.fetch_all(
        f"SELECT {_COLUMNS} FROM reminders WHERE session_id = ? ORDER BY due_at, id",
        (session_id,),
    )
    return [_row(row) for row in rows]


async def get_reminder(db: Reader, reminder_id: int) -> Reminder | None:
    """Return one reminder by id."""
    row = await db.fetch_one(f"SELECT {_COLUMNS} FROM reminders WHERE id = ?", (reminder_id,))
    return None if row is None else _row(row)


async def claim(tx: Transaction, reminder_id: int, *, late: bool) -> bool:
    """Mark a pending reminder as being sent; return False if someone else took it."""
    changed = await tx.changes(
        "UPDATE reminders SET status = 'sending', attempts = attempts + 1, late = ? "
        "WHERE id = ? AND status = 'pending'",
        (int(late), reminder_id),
    )
    return changed == 1


async def claim_many(tx: Transaction, reminder_ids: Collection[int]) -> set[int]:
    """Mark pending reminders as being sent, in one statement; return those it took.

    As `claim` for each (its `late` flag left as stored): one not pending any more is skipped.
    """
    if not reminder_ids:
        return set()
    marks = ", ".join("?" for _ in reminder_ids)
    rows = await tx.fetch_all(
        "UPDATE reminders SET status = 'sending', attempts = attempts + 1 "
        f"WHERE id IN ({marks}) AND status = 'pending' RETURNING id",
        list(reminder_ids),
    )
    return {int(row["id"]) for row in rows}


async def release(tx: Transaction, reminder_ids: Collection[int]) -> None:
    """Put back claims never acted on (nothing was sent): pending, the attempt not counted."""
    if not reminder_ids:
        return
    marks = ", ".join("?" for _ in reminder_ids)
    await tx.execute(
        "UPDATE reminders SET status = 'pending', attempts = max(attempts - 1, 0) "
        f"WHERE id IN ({marks}) AND status = 'sending'",
        list(reminder_ids),
    )


async def mark_sent(
    tx: Transaction,
    reminder_id: int,
    *,
    via: str,
    message_id: int,
    now: datetime,
    late: bool = False,
) -> None:
    """Record a delivered reminder (`late`: it went out late because the bot was down)."""
    await tx.execute(
        "UPDATE reminders SET status = 'sent', delivered_via = ?, message_id = ?, sent_at = ?, "
        "last_error = NULL, unsure = 0, late = ?, deliveries = deliveries + 1 WHERE id = ?",
        (via, message_id, iso(now), int(late), reminder_id),
    )


async def mark_outcome(tx: Transaction, reminder_id: int, status: str, error: str | None) -> None:
    """Record a reminder that was missed, failed or cancelled, with the reason."""
    await tx.execute(
        "UPDATE reminders SET status = ?, last_error = ? WHERE id = ?",
        (status, error, reminder_id),
    )


async def retry_later(
    tx: Transaction, reminder_id: int, due_at: datetime, error: str, *, unsure: bool
) -> None:
    """Put a reminder back in the queue after a temporary failure.

    `unsure`: the failed send may have reached Discord, so the next attempt looks first.
    """
    await tx.execute(
        "UPDATE reminders SET status = 'pending', due_at = ?, last_error = ?, "
        "unsure = max(unsure, ?) WHERE id = ?",
        (iso(due_at), error, int(unsure), reminder_id),
    )


async def snooze(tx: Transaction, reminder_id: int, recipient_id: int, due_at: datetime) -> bool:
    """Send a delivered reminder again later; only its recipient may."""
    changed = await tx.changes(
        "UPDATE reminders SET status = 'pending', due_at = ?, late = 0, unsure = 0 "
        "WHERE id = ? AND recipient_id = ? AND status = 'sent'",
        (iso(due_at), reminder_id, recipient_id),
    )
    return changed == 1


async def reminders_of(
    db: Database, recipient_id: int, statuses: Sequence[str], since: datetime, limit: int = 50
) -> list[Reminder]:
    """Return a person's reminders in the given statuses, due since `since`, soonest first."""
    marks = ", ".join("?" for _ in statuses)
    rows = await db.fetch_all(
        f"SELECT {_COLUMNS} FROM reminders WHERE recipient_id = ? AND status IN ({marks}) "
        "AND due_at >= ? ORDER BY due_at LIMIT ?",
        (recipient_id, *statuses, iso(since), limit),
    )
    return [_row(row) for row in rows]


async def get_prefs(
    db: Reader, user_id: int, defaults: ReminderPrefs | None = None
) -> ReminderPrefs:
    """Return a person's reminder settings, `defaults` (or the built-in ones) filled in."""
    row = await db.fetch_one(
        "SELECT student_leads, review_lead_hours, via, paused FROM reminder_prefs "
        "WHERE user_id = ?",
        (user_id,),
    )
    return _prefs_of_row(row, defaults or ReminderPrefs())


async def prefs_of(db: Reader, user_ids: Collection[int]) -> dict[int, ReminderPrefs]:
    """Return several people's reminder settings (the built-in ones filled in), in one read."""
    found: dict[int, aiosqlite.Row] = {}
    if user_ids:
        marks = ", ".join("?" for _ in user_ids)
        rows = await db.fetch_all(
            "SELECT user_id, student_leads, review_lead_hours, via, paused FROM reminder_prefs "
            f"WHERE user_id IN ({marks})",
            list(user_ids),
        )
        found = {int(row["user_id"]): row for row in rows}
    defaults = ReminderPrefs()
    return {user_id: _prefs_of_row(found.get(user_id), defaults) for user_id in user_ids}


def _prefs_of_row(row: aiosqlite.Row | None, defaults: ReminderPrefs) -> ReminderPrefs:
    if row is None:
        return defaults
    return ReminderPrefs(
        student_leads=parse_leads(row["student_leads"])
        if row["student_leads"]
        else defaults.student_leads,
        review_lead=timedelta(hours=row["review_lead_hours"])
        if row["review_lead_hours"]
        else defaults.review_lead,
        via=row["via"] or defaults.via,
        paused=bool(row["paused"]),
    )


async def save_prefs(tx: Transaction, user_id: int, prefs: ReminderPrefs, now: datetime) -> None:
    """Store a person's reminder settings."""
    await tx.execute(
        "INSERT INTO reminder_prefs (user_id, student_leads, review_lead_hours, via, paused, "
        "updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET "
        "student_leads = excluded.student_leads, review_lead_hours = excluded.review_lead_hours, "
        "via = excluded.via, paused = excluded.paused, updated_at = excluded.updated_at",
        (
            user_id,
            format_leads(prefs.student_leads),
            int(prefs.review_lead.total_seconds() // 3600),
            prefs.via,
            int(prefs.paused),
            iso(now),
        ),
    )


async def count_by_status(db: Database) -> dict[str, int]:
    """Count reminders per status (for health checks and benchmarks)."""
    rows = await db.fetch_all("SELECT status, COUNT(*) AS n FROM reminders GROUP BY status")
    return {row["status"]: row["n"] for row in rows}


async def sent_slots(db: Reader, session_id: int) -> list[tuple[str, int, str]]:
    """Return (kind, recipient, slot) of the reminders of a session already sent."""
    rows = await db.fetch_all(
        "SELECT kind, recipient_id, slot FROM reminders WHERE session_id = ? AND status = 'sent'",
        (session_id,),
    )
    return [(str(r["kind"]), int(r["recipient_id"]), str(r["slot"])) for r in rows]
