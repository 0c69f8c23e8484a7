"""Sessions: one-off or materialised from a recurring series, and their outcomes."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

import aiosqlite

from bot.clock import from_iso, from_iso_or_none, iso
from bot.db import Database, Reader, Transaction
from bot.vocabulary import OUTCOME, OUTCOMES, SessionStatus

RESPONSES: Final = ("confirmed", "declined")

_SESSION_FIELDS = (
    "id",
    "mentorship_id",
    "series_id",
    "occurrence",
    "starts_at",
    "duration_minutes",
    "kind",
    "status",
    "moved",
    "student_response",
    "student_reason",
    "responded_at",
    "recorded_at",
    "created_at",
    "covering_mentor_id",
)
_SESSION_COLUMNS = ", ".join(f"s.{field}" for field in _SESSION_FIELDS)
# A session a peer covers is that peer's: its mentor is the peer, the usual mentor is kept apart.
_VIEW_COLUMNS = (
    f"{_SESSION_COLUMNS}, m.guild_id, COALESCE(s.covering_mentor_id, m.mentor_id) AS mentor_id, "
    "CASE WHEN s.covering_mentor_id IS NOT NULL THEN m.mentor_id END AS usual_mentor_id, "
    "m.student_id, m.student_name, m.project, "
    "CASE WHEN s.covering_mentor_id IS NULL THEN m.mentor_name END AS mentor_name"
)
_JOINED = "sessions s JOIN mentorships m ON m.id = s.mentorship_id"
_SESSIONS_FIRST = "sessions s CROSS JOIN mentorships m ON m.id = s.mentorship_id"
"""The join read from the person's sessions outward (a mentor's: their mentorships' and
those they cover, through the indexes of both). Left to itself, the planner starts from the
server's mentorships when a server is given, every one of them: ~9x slower at 1,000."""
_SERIES_COLUMNS = (
    "id, mentorship_id, zone, local_start, repeat, kind, duration_minutes, "
    "materialised_until, ended_at"
)
# Epoch seconds of a stored start, and of its end: exact integer arithmetic for overlaps.
_START_EPOCH = "CAST(strftime('%s', s.starts_at) AS INTEGER)"
_END_EPOCH = f"({_START_EPOCH} + s.duration_minutes * 60)"


class NotRecordable(Exception):
    """The session is unknown or its outcome was already recorded (or it was cancelled)."""

    def __init__(self, session_id: int, status: str | None) -> None:
        super().__init__(f"session {session_id} cannot be recorded (status: {status})")
        self.session_id = session_id
        self.status = status


@dataclass(frozen=True)
class Series:
    """The rule of a recurring session: a wall-clock start in a zone, repeated."""

    id: int
    mentorship_id: int
    zone: str
    local_start: datetime
    repeat: str
    kind: str
    duration_minutes: int
    materialised_until: datetime | None
    ended_at: datetime | None


@dataclass(frozen=True)
class Session:
    """One meeting between a mentor and a student."""

    id: int
    mentorship_id: int
    series_id: int | None
    occurrence: int | None
    starts_at: datetime
    duration_minutes: int
    kind: str
    status: str
    moved: bool
    student_response: str | None
    student_reason: str | None
    responded_at: datetime | None
    recorded_at: datetime | None
    created_at: datetime
    covering_mentor_id: int | None = None
    """The peer who covers this one session (a hand-over), None for the usual mentor."""

    @property
    def ends_at(self) -> datetime:
        """Return the instant the session ends."""
        return self.starts_at + timedelta(minutes=self.duration_minutes)


@dataclass(frozen=True)
class SessionView:
    """A session with the people and project of its mentorship."""

    session: Session
    mentorship_id: int
    guild_id: int
    mentor_id: int
    student_id: int
    student_name: str
    project: str
    mentor_name: str | None = None
    usual_mentor_id: int | None = None
    """The mentorship's own mentor when a peer covers this session (`mentor_id`), else None."""


@dataclass(frozen=True)
class Attendance:
    """How a mentorship's sessions turned out."""

    counts: Mapping[str, int]
    """How many sessions ended each way, by outcome (every outcome, 0 when none)."""
    last_held_at: datetime | None
    """When the latest attended session started (None: none yet)."""

    @property
    def attended(self) -> int:
        """Return how many sessions the student came to."""
        return sum(
            n for status, n in self.counts.items() if OUTCOME[SessionStatus(status)].attended
        )


def _stamp(instant: datetime) -> str:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"an aware datetime is required, got {instant!r}")
    return iso(instant)


def _epoch(instant: datetime) -> int:
    _stamp(instant)
    return int(instant.timestamp())


def _row_to_session(row: aiosqlite.Row) -> Session:
    return Session(
        id=row["id"],
        mentorship_id=row["mentorship_id"],
        series_id=row["series_id"],
        occurrence=row["occurrence"],
        starts_at=from_iso(row["starts_at"]),
        duration_minutes=row["duration_minutes"],
        kind=row["kind"],
        status=row["status"],
        moved=bool(row["moved"]),
        student_response=row["student_response"],
        student_reason=row["student_reason"],
        responded_at=from_iso_or_none(row["responded_at"]),
        recorded_at=from_iso_or_none(row["recorded_at"]),
        created_at=from_iso(row["created_at"]),
        covering_mentor_id=row["covering_mentor_id"],
    )


def _row_to_view(row: aiosqlite.Row) -> SessionView:
    return SessionView(
        session=_row_to_session(row),
        mentorship_id=row["mentorship_id"],
        guild_id=row["guild_id"],
        mentor_id=row["mentor_id"],
        student_id=row["student_id"],
        student_name=row["student_name"],
        project=row["project"],
        mentor_name=row["mentor_name"],
        usual_mentor_id=row["usual_mentor_id"],
    )


def _row_to_series(row: aiosqlite.Row) -> Series:
    return Series(
        id=row["id"],
        mentorship_id=row["mentorship_id"],
        zone=row["zone"],
        local_start=datetime.fromisoformat(row["local_start"]),
        repeat=row["repeat"],
        kind=row["kind"],
        duration_minutes=row["duration_minutes"],
        materialised_until=from_iso_or_none(row["materialised_until"]),
        ended_at=from_iso_or_none(row["ended_at"]),
    )


async def add_series(
    tx: Transaction,
    mentorship_id: int,
    zone: str,
    local_start: datetime,
    repeat: str,
    kind: str,
    duration_minutes: int,
) -> int:
    """Store the rule of a series (`local_start` is naive wall-clock time in `zone`)."""
    if local_start.tzinfo is not None:
        raise ValueError("local_start must be a naive wall-clock time")
    new_id = await tx.execute(
        "INSERT INTO series (mentorship_id, zone, local_start, repeat, kind, duration_minutes) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (
            mentorship_id,
            zone,
            local_start.isoformat(timespec="seconds"),
            repeat,
            kind,
            duration_minutes,
        ),
    )
    assert new_id is not None
    return new_id


async def get_series(db: Reader, series_id: int) -> Series | None:
    """Return one series by id, if it exists."""
    row = await db.fetch_one(f"SELECT {_SERIES_COLUMNS} FROM series WHERE id = ?", (series_id,))
    return None if row is None else _row_to_series(row)


async def add_sessions(
    tx: Transaction,
    mentorship_id: int,
    series_id: int | None,
    occurrences: Sequence[tuple[int | None, datetime]],
    duration_minutes: int,
    kind: str,
    now: datetime,
) -> list[int]:
    """Insert sessions; occurrences already stored for the series are skipped.

    Return the ids of the sessions actually inserted, in the order given.
    """
    created = _stamp(now)
    inserted: list[int] = []
    for occurrence, starts_at in occurrences:
        row = await tx.fetch_one(
            "INSERT INTO sessions (mentorship_id, series_id, occurrence, starts_at, "
            "duration_minutes, kind, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (series_id, occurrence) DO NOTHING RETURNING id",
            (
                mentorship_id,
                series_id,
                occurrence,
                _stamp(starts_at),
                duration_minutes,
                kind,
                created,
            ),
        )
        if row is not None:
            inserted.append(int(row[0]))
    return inserted


async def set_materialised_until(tx: Transaction, series_id: int, until: datetime) -> None:
    """Record up to when a series' occurrences exist as sessions."""
    await tx.execute(
        "UPDATE series SET materialised_until = ? WHERE id = ?", (_stamp(until), series_id)
    )


async def set_materialised_until_many(
    tx: Transaction, reached: Sequence[tuple[int, datetime]]
) -> None:
    """Record, for each (series id, instant), up to when its occurrences exist as sessions."""
    await tx.execute_many(
        "UPDATE series SET materialised_until = ? WHERE id = ?",
        [(_stamp(until), series_id) for series_id, until in reached],
    )


async def series_to_extend(db: Database, before: datetime) -> list[Series]:
    """Return the series of active mentorships not materialised up to `before`.

    A series ended in the future is returned until it is materialised up to its end;
    the caller must not create occurrences at or after `ended_at`.
    """
    # Three branches, each read through a partial index (an OR across them would read every
    # series): running series never materialised, running series behind `before`
    # (`series_to_extend`), ended series not materialised up to their end
    # (`series_ended_to_extend`, migration 018: it holds only those).
    behind = (
        "SELECT se.id, se.mentorship_id, se.zone, se.local_start, se.repeat, se.kind, "
        "se.duration_minutes, se.materialised_until, se.ended_at "
        "FROM series se JOIN mentorships m ON m.id = se.mentorship_id "
        "WHERE m.status = 'active' AND "
    )
    stamp = _stamp(before)
    rows = await db.fetch_all(
        f"{behind} se.ended_at IS NULL AND se.materialised_until IS NULL "
        f"UNION ALL {behind} se.ended_at IS NULL AND se.materialised_until < ? "
        f"UNION ALL {behind} se.ended_at IS NOT NULL "
        "AND (se.materialised_until IS NULL OR se.materialised_until < se.ended_at) "
        "AND (se.materialised_until IS NULL OR se.materialised_until < ?)",
        (stamp, stamp),
    )
    # Sorted here: an ORDER BY on the union makes SQLite walk the table in id order instead.
    return sorted((_row_to_series(row) for row in rows), key=lambda series: series.id)


async def get_session(db: Reader, session_id: int) -> Session | None:
    """Return one session by id, if it exists."""
    row = await db.fetch_one(
        f"SELECT {_SESSION_COLUMNS} FROM sessions s WHERE s.id = ?", (session_id,)
    )
    return None if row is None else _row_to_session(row)


async def _views(
    db: Reader,
    where: list[str],
    params: list[Any],
    *,
    after: datetime | None,
    before: datetime | None,
    statuses: tuple[str, ...] | list[str] | None,
    limit: int,
    offset: int,
    newest_first: bool | None,
    sessions_first: bool = False,
) -> list[SessionView]:
    if after is not None:
        where.append("s.starts_at >= ?")
        params.append(_stamp(after))
    if before is not None:
        where.append("s.starts_at < ?")
        params.append(_stamp(before))
    if statuses is not None:
        if not statuses:
            return []
        where.append(f"s.status IN ({', '.join('?' for _ in statuses)})")
        params.extend(statuses)
    if newest_first is None:
        newest_first = before is not None and after is None
    direction = "DESC" if newest_first else "ASC"
    rows = await db.fetch_all(
        f"SELECT {_VIEW_COLUMNS} FROM {_SESSIONS_FIRST if sessions_first else _JOINED} "
        f"WHERE {' AND '.join(where)} "
        f"ORDER BY s.starts_at {direction}, s.id {direction} LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )
    return [_row_to_view(row) for row in rows]


async def get_session_view(db: Reader, session_id: int) -> SessionView | None:
    """Return one session with its mentorship's people, if it exists."""
    row = await db.fetch_one(
        f"SELECT {_VIEW_COLUMNS} FROM sessions s JOIN mentorships m ON m.id = s.mentorship_id "
        "WHERE s.id = ?",
        (session_id,),
    )
    return None if row is None else _row_to_view(row)


async def upcoming_sessions_of_person(db: Reader, user_id: int, after: datetime) -> list[int]:
    """Return the ids of scheduled sessions after `after` where the person mentors or learns."""
    rows = await db.fetch_all(
        "SELECT s.id FROM sessions s JOIN mentorships m ON m.id = s.mentorship_id "
        "WHERE s.status = 'scheduled' AND s.starts_at > ? "
        "AND (m.mentor_id = ? OR m.student_id = ? OR s.covering_mentor_id = ?) "
        "ORDER BY s.starts_at",
        (_stamp(after), user_id, user_id, user_id),
    )
    return [int(row["id"]) for row in rows]


async def sessions_of_mentor(
    db: Reader,
    guild_id: int | None,
    mentor_id: int,
    *,
    after: datetime | None = None,
    before: datetime | None = None,
    statuses: tuple[str, ...] | list[str] | None = None,
    limit: int = 25,
    offset: int = 0,
    newest_first: bool | None = None,
    mentorship_id: int | None = None,
) -> list[SessionView]:
    """Return a mentor's sessions in a server (None: every server) or one mentorship.

    Those of their mentorships (a session a peer covers too, its `usual_mentor_id` set), and
    the sessions they cover for a peer. Starting in [after, before); ordered by start; newest
    first when only `before` is given (unless `newest_first` says).
    """
    where = [
        "(s.mentorship_id IN (SELECT id FROM mentorships WHERE mentor_id = ?) "
        "OR s.covering_mentor_id = ?)"
    ]
    params: list[Any] = [mentor_id, mentor_id]
    if guild_id is not None:
        where.append("m.guild_id = ?")
        params.append(guild_id)
    if mentorship_id is not None:
        where.append("m.id = ?")
        params.append(mentorship_id)
    return await _views(
        db,
        where,
        params,
        after=after,
        before=before,
        statuses=statuses,
        limit=limit,
        offset=offset,
        newest_first=newest_first,
        sessions_first=mentorship_id is None,
    )


async def sessions_of_student(
    db: Database,
    student_id: int,
    *,
    guild_id: int | None = None,
    after: datetime | None = None,
    before: datetime | None = None,
    statuses: tuple[str, ...] | list[str] | None = None,
    limit: int = 25,
    offset: int = 0,
    newest_first: bool | None = None,
) -> list[SessionView]:
    """Return a student's sessions (in one server, or everywhere), starting in [after, before).

    Ordered by start; newest first when only `before` is given (unless `newest_first` says).
    """
    where, params = ["m.student_id = ?"], [student_id]
    if guild_id is not None:
        where.append("m.guild_id = ?")
        params.append(guild_id)
    return await _views(
        db,
        where,
        params,
        after=after,
        before=before,
        statuses=statuses,
        limit=limit,
        offset=offset,
        newest_first=newest_first,
    )


async def clashes(
    db: Reader,
    mentor_id: int,
    starts_at: datetime,
    duration_minutes: int,
    exclude_session_id: int | None = None,
) -> list[SessionView]:
    """Return the mentor's scheduled sessions (any mentorship) overlapping the interval.

    Intervals are half-open: a session ending exactly when another starts does not clash.
    """
    start = _epoch(starts_at)
    end = start + duration_minutes * 60
    end_text = _stamp(starts_at + timedelta(minutes=duration_minutes))
    rows = await db.fetch_all(
        f"SELECT {_VIEW_COLUMNS} FROM sessions s JOIN mentorships m ON m.id = s.mentorship_id "
        "WHERE m.mentor_id = ? AND s.status = 'scheduled' AND s.starts_at < ? "
        f"AND {_START_EPOCH} < ? AND {_END_EPOCH} > ? AND s.id IS NOT ? "
        "ORDER BY s.starts_at, s.id",
        (mentor_id, end_text, end, start, exclude_session_id),
    )
    return [_row_to_view(row) for row in rows]


async def reschedule(tx: Transaction, session_id: int, new_start: datetime) -> bool:
    """Move a scheduled session; it no longer follows its series' rule.

    The student's earlier answer concerned the old time, so it is cleared.
    Return whether the session was scheduled (and so moved).
    """
    changed = await tx.changes(
        "UPDATE sessions SET starts_at = ?, moved = 1, student_response = NULL, "
        "student_reason = NULL, responded_at = NULL WHERE id = ? AND status = 'scheduled'",
        (_stamp(new_start), session_id),
    )
    return changed > 0


async def cover_session(
    tx: Transaction, session_id: int, mentor_id: int, mentor_name: str | None
) -> bool:
    """Give a scheduled session to a covering peer; return whether it was still scheduled."""
    changed = await tx.changes(
        "UPDATE sessions SET covering_mentor_id = ?, covering_mentor_name = ? "
        "WHERE id = ? AND status = 'scheduled'",
        (mentor_id, mentor_name, session_id),
    )
    return changed > 0


async def cancel_session(tx: Transaction, session_id: int) -> bool:
    """Cancel a scheduled session (by the mentor); return whether it was scheduled."""
    changed = await tx.changes(
        "UPDATE sessions SET status = 'cancelled' WHERE id = ? AND status = 'scheduled'",
        (session_id,),
    )
    return changed > 0


async def cancel_series_from(tx: Transaction, series_id: int, from_instant: datetime) -> list[int]:
    """Cancel the series' scheduled sessions from `from_instant` on and end the series there.

    Return the ids of the cancelled sessions.
    """
    stamp = _stamp(from_instant)
    rows = await tx.fetch_all(
        "UPDATE sessions SET status = 'cancelled' WHERE series_id = ? AND status = 'scheduled' "
        "AND starts_at >= ? RETURNING id",
        (series_id, stamp),
    )
    await tx.execute(
        "UPDATE series SET ended_at = ? WHERE id = ? AND (ended_at IS NULL OR ended_at > ?)",
        (stamp, series_id, stamp),
    )
    return sorted(int(row[0]) for row in rows)


async def record_outcome(tx: Transaction, session_id: int, status: str, now: datetime) -> Session:
    """Record how a scheduled session turned out; raise `NotRecordable` otherwise."""
    if status not in OUTCOMES:
        raise ValueError(f"not a session outcome: {status!r}")
    row = await tx.fetch_one(
        "UPDATE sessions SET status = ?, recorded_at = ? WHERE id = ? AND status = 'scheduled' "
        f"RETURNING {', '.join(_SESSION_FIELDS)}",
        (status, _stamp(now), session_id),
    )
    if row is None:
        current = await tx.fetch_one("SELECT status FROM sessions WHERE id = ?", (session_id,))
        raise NotRecordable(session_id, None if current is None else current["status"])
    return _row_to_session(row)


async def unrecorded_sessions(
    db: Database,
    mentor_id: int,
    ended_before: datetime,
    since: datetime,
    *,
    guild_id: int | None = None,
    limit: int = 25,
) -> list[SessionView]:
    """Return the mentor's scheduled sessions that started since `since` and ended by now.

    Most recent first (for the autocomplete of recording an outcome).
    """
    sql = (
        f"SELECT {_VIEW_COLUMNS} FROM {_SESSIONS_FIRST} "
        "WHERE (s.mentorship_id IN (SELECT id FROM mentorships WHERE mentor_id = ?) "
        "AND s.covering_mentor_id IS NULL OR s.covering_mentor_id = ?) "
        "AND s.status = 'scheduled' AND s.starts_at >= ? "
        f"AND s.starts_at < ? AND {_END_EPOCH} <= ?"
    )
    params: list[Any] = [
        mentor_id,
        mentor_id,
        _stamp(since),
        _stamp(ended_before),
        _epoch(ended_before),
    ]
    if guild_id is not None:
        sql += " AND m.guild_id = ?"
        params.append(guild_id)
    rows = await db.fetch_all(
        sql + " ORDER BY s.starts_at DESC, s.id DESC LIMIT ?", [*params, limit]
    )
    return [_row_to_view(row) for row in rows]


async def set_student_response(
    tx: Transaction, session_id: int, response: str, reason: str | None, now: datetime
) -> bool:
    """Store the student's answer to a scheduled session; return whether it was scheduled."""
    if response not in RESPONSES:
        raise ValueError(f"not a student response: {response!r}")
    changed = await tx.changes(
        "UPDATE sessions SET student_response = ?, student_reason = ?, responded_at = ? "
        "WHERE id = ? AND status = 'scheduled'",
        (response, reason, _stamp(now), session_id),
    )
    return changed > 0


async def attendance(db: Database, mentorship_id: int) -> Attendance:
    """Count a mentorship's recorded outcomes and find its last attended session."""
    rows = await db.fetch_all(
        "SELECT status, COUNT(*) AS n, MAX(starts_at) AS latest FROM sessions "
        f"WHERE mentorship_id = ? AND status IN ({', '.join('?' for _ in OUTCOMES)}) "
        "GROUP BY status",
        (mentorship_id, *OUTCOMES),
    )
    counts = dict.fromkeys(map(str, OUTCOMES), 0)
    counts.update({str(row["status"]): int(row["n"]) for row in rows})
    attended = [
        str(row["latest"]) for row in rows if OUTCOME[SessionStatus(row["status"])].attended
    ]
    return Attendance(counts=counts, last_held_at=from_iso_or_none(max(attended, default=None)))


async def next_session(db: Reader, mentorship_id: int, after: datetime) -> Session | None:
    """Return the mentorship's first scheduled session starting at or after `after`."""
    row = await db.fetch_one(
        f"SELECT {_SESSION_COLUMNS} FROM sessions s WHERE s.mentorship_id = ? "
        "AND s.status = 'scheduled' AND s.starts_at >= ? ORDER BY s.starts_at, s.id LIMIT 1",
        (mentorship_id, _stamp(after)),
    )
    return None if row is None else _row_to_session(row)


async def last_recorded(db: Database, mentorship_id: int) -> Session | None:
    """Return the mentorship's latest session (by start) whose outcome was recorded."""
    row = await db.fetch_one(
        f"SELECT {_SESSION_COLUMNS} FROM sessions s WHERE s.mentorship_id = ? "
        "AND s.recorded_at IS NOT NULL ORDER BY s.starts_at DESC, s.id DESC LIMIT 1",
        (mentorship_id,),
    )
    return None if row is None else _row_to_session(row)


async def bump_revision(tx: Transaction, session_ids: Sequence[int]) -> None:
    """Count one more change (move, cancellation) of each session, for calendars."""
    if session_ids:
        await tx.execute(
            "UPDATE sessions SET revision = revision + 1 "
            f"WHERE id IN ({', '.join('?' for _ in session_ids)})",
            list(session_ids),
        )


async def get_session_views(db: Reader, session_ids: Collection[int]) -> dict[int, SessionView]:
    """Return sessions with their mentorship's people, by id (those that exist), in one read."""
    if not session_ids:
        return {}
    marks = ", ".join("?" for _ in session_ids)
    rows = await db.fetch_all(
        f"SELECT {_VIEW_COLUMNS} FROM sessions s JOIN mentorships m ON m.id = s.mentorship_id "
        f"WHERE s.id IN ({marks})",
        list(session_ids),
    )
    return {int(row["id"]): _row_to_view(row) for row in rows}


async def last_held_of(db: Reader, mentorship_ids: Collection[int]) -> dict[int, datetime]:
    """Return when each mentorship's last held session started (those with one), in one read."""
    if not mentorship_ids:
        return {}
    marks = ", ".join("?" for _ in mentorship_ids)
    rows = await db.fetch_all(
        "SELECT mentorship_id, MAX(starts_at) AS last_held_at FROM sessions "
        f"WHERE mentorship_id IN ({marks}) AND status = 'held' GROUP BY mentorship_id",
        list(mentorship_ids),
    )
    return {int(row["mentorship_id"]): from_iso(row["last_held_at"]) for row in rows}
