"""The student's check-in before a session, and the links of a mentorship."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from bot.clock import from_iso, iso
from bot.db import Reader, Transaction


@dataclass(frozen=True)
class Checkin:
    """What the student wrote before a session."""

    session_id: int
    student_id: int
    done: str | None
    stuck: str | None
    discuss: str | None
    work_link: str | None
    updated_at: datetime


@dataclass(frozen=True)
class Links:
    """Where a mentorship's project lives and where its sessions happen."""

    project_link: str | None
    meeting_link: str | None


async def save_checkin(
    tx: Transaction,
    session_id: int,
    student_id: int,
    *,
    done: str | None,
    stuck: str | None,
    discuss: str | None,
    work_link: str | None,
    now: datetime,
) -> None:
    """Store (or replace) the student's check-in for a session."""
    stamp = iso(now)
    await tx.execute(
        "INSERT INTO checkins (session_id, student_id, done, stuck, discuss, work_link, "
        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (session_id) DO UPDATE SET done = excluded.done, stuck = excluded.stuck, "
        "discuss = excluded.discuss, work_link = excluded.work_link, "
        "updated_at = excluded.updated_at",
        (session_id, student_id, done, stuck, discuss, work_link, stamp, stamp),
    )


async def checkin_of(db: Reader, session_id: int) -> Checkin | None:
    """Return the student's check-in for a session, if they wrote one."""
    row = await db.fetch_one(
        "SELECT session_id, student_id, done, stuck, discuss, work_link, updated_at "
        "FROM checkins WHERE session_id = ?",
        (session_id,),
    )
    if row is None:
        return None
    return Checkin(
        session_id=row["session_id"],
        student_id=row["student_id"],
        done=row["done"],
        stuck=row["stuck"],
        discuss=row["discuss"],
        work_link=row["work_link"],
        updated_at=from_iso(row["updated_at"]),
    )


async def checkins_of_student(db: Reader, student_id: int) -> list[Checkin]:
    """Return every check-in a student wrote (for their data export)."""
    rows = await db.fetch_all(
        "SELECT session_id FROM checkins WHERE student_id = ? ORDER BY session_id", (student_id,)
    )
    found = [await checkin_of(db, int(row["session_id"])) for row in rows]
    return [c for c in found if c is not None]


async def links_of(db: Reader, mentorship_id: int) -> Links:
    """Return a mentorship's project and meeting links."""
    row = await db.fetch_one(
        "SELECT project_link, meeting_link FROM mentorships WHERE id = ?", (mentorship_id,)
    )
    if row is None:
        return Links(None, None)
    return Links(project_link=row["project_link"], meeting_link=row["meeting_link"])


async def set_links(
    tx: Transaction, mentorship_id: int, *, project_link: str | None, meeting_link: str | None
) -> None:
    """Store a mentorship's links (None clears one)."""
    await tx.execute(
        "UPDATE mentorships SET project_link = ?, meeting_link = ? WHERE id = ?",
        (project_link, meeting_link, mentorship_id),
    )


@dataclass(frozen=True)
class SinceLastHeld:
    """What changed in a mentorship since its last held session."""

    last_held_at: datetime | None
    steps_done: list[str]
    note_titles: list[str]


async def since_last_held(
    db: Reader, mentorship_id: int, mentor_id: int, before: datetime, *, limit: int = 5
) -> SinceLastHeld:
    """Return the next steps done and the mentor's notes since the last held session."""
    row = await db.fetch_one(
        "SELECT MAX(starts_at) AS at FROM sessions WHERE mentorship_id = ? AND status = 'held' "
        "AND starts_at < ?",
        (mentorship_id, iso(before)),
    )
    last = from_iso(row["at"]) if row is not None and row["at"] else None
    since = iso(last) if last is not None else ""
    steps = await db.fetch_all(
        "SELECT text FROM next_steps WHERE mentorship_id = ? AND done_at IS NOT NULL "
        "AND done_at > ? ORDER BY done_at DESC LIMIT ?",
        (mentorship_id, since, limit),
    )
    notes = await db.fetch_all(
        "SELECT title FROM notes WHERE mentorship_id = ? AND author_id = ? AND created_at > ? "
        "ORDER BY created_at DESC LIMIT ?",
        (mentorship_id, mentor_id, since, limit),
    )
    return SinceLastHeld(
        last_held_at=last,
        steps_done=[str(r["text"]) for r in steps],
        note_titles=[str(r["title"]) for r in notes],
    )


async def links_of_many(db: Reader, mentorship_ids: Collection[int]) -> dict[int, Links]:
    """Return the project and meeting links of several mentorships, in one read."""
    if not mentorship_ids:
        return {}
    marks = ", ".join("?" for _ in mentorship_ids)
    rows = await db.fetch_all(
        f"SELECT id, project_link, meeting_link FROM mentorships WHERE id IN ({marks})",
        list(mentorship_ids),
    )
    return {
        int(row["id"]): Links(project_link=row["project_link"], meeting_link=row["meeting_link"])
        for row in rows
    }
