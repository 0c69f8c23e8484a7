"""Coaching records: prep ticks, next steps, project progress and presentation plans."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

import aiosqlite

from bot.clock import from_iso, from_iso_or_none, iso
from bot.db import Database, Transaction

STEP_TEXT_MAX: Final = 200
PROGRESS_STATUSES: Final = ("behind", "on_track", "ahead")

Reader = Database | Transaction

_STEP_COLUMNS = "id, mentorship_id, note_id, position, text, created_at, done_at, done_session_id"
_PROGRESS_COLUMNS = "id, mentorship_id, author_id, status, ready_for_assessment, created_at"
_PLAN_COLUMNS = (
    "id, mentorship_id, progress_id, created_by, created_at, request_by, presentation_from, "
    "presentation_until, mock_by, status, request_nudged_at, mock_nudged_at"
)


@dataclass(frozen=True)
class NextStep:
    """One agreed next step, from a line of a feedback note."""

    id: int
    mentorship_id: int
    note_id: int
    position: int
    text: str
    created_at: datetime
    done_at: datetime | None
    done_session_id: int | None

    @property
    def done(self) -> bool:
        """Return whether the step was ticked done."""
        return self.done_at is not None


@dataclass(frozen=True)
class ProgressEntry:
    """Where a student's project stood at one moment, in the mentor's view."""

    id: int
    mentorship_id: int
    author_id: int
    status: str
    ready_for_assessment: bool
    created_at: datetime


@dataclass(frozen=True)
class PresentationPlan:
    """When to request the graded presentation, and when to hold a mock one."""

    id: int
    mentorship_id: int
    progress_id: int | None
    created_by: int
    created_at: datetime
    request_by: datetime
    presentation_from: datetime
    presentation_until: datetime
    mock_by: datetime | None
    status: str
    request_nudged_at: datetime | None
    mock_nudged_at: datetime | None


def _row_to_step(row: aiosqlite.Row) -> NextStep:
    return NextStep(
        id=row["id"],
        mentorship_id=row["mentorship_id"],
        note_id=row["note_id"],
        position=row["position"],
        text=row["text"],
        created_at=from_iso(row["created_at"]),
        done_at=from_iso_or_none(row["done_at"]),
        done_session_id=row["done_session_id"],
    )


def _row_to_progress(row: aiosqlite.Row) -> ProgressEntry:
    return ProgressEntry(
        id=row["id"],
        mentorship_id=row["mentorship_id"],
        author_id=row["author_id"],
        status=row["status"],
        ready_for_assessment=bool(row["ready_for_assessment"]),
        created_at=from_iso(row["created_at"]),
    )


def _row_to_plan(row: aiosqlite.Row) -> PresentationPlan:
    return PresentationPlan(
        id=row["id"],
        mentorship_id=row["mentorship_id"],
        progress_id=row["progress_id"],
        created_by=row["created_by"],
        created_at=from_iso(row["created_at"]),
        request_by=from_iso(row["request_by"]),
        presentation_from=from_iso(row["presentation_from"]),
        presentation_until=from_iso(row["presentation_until"]),
        mock_by=from_iso_or_none(row["mock_by"]),
        status=row["status"],
        request_nudged_at=from_iso_or_none(row["request_nudged_at"]),
        mock_nudged_at=from_iso_or_none(row["mock_nudged_at"]),
    )


# -- prep ticks -------------------------------------------------------------------------------


async def ticked_items(db: Reader, session_id: int) -> set[str]:
    """Return the ids of the checklist items ticked for a session."""
    rows = await db.fetch_all("SELECT item_id FROM prep_ticks WHERE session_id = ?", (session_id,))
    return {str(row[0]) for row in rows}


async def set_ticks(
    tx: Transaction,
    session_id: int,
    ticked: Collection[str],
    shown: Collection[str],
    by: int,
    now: datetime,
) -> None:
    """Make exactly `ticked` the ticked items among `shown` (others stay as they are)."""
    wanted = set(ticked) & set(shown)
    for item_id in set(shown) - wanted:
        await tx.execute(
            "DELETE FROM prep_ticks WHERE session_id = ? AND item_id = ?", (session_id, item_id)
        )
    await tx.execute_many(
        "INSERT INTO prep_ticks (session_id, item_id, ticked_by, ticked_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (session_id, item_id) DO NOTHING",
        [(session_id, item_id, by, iso(now)) for item_id in sorted(wanted)],
    )


# -- next steps -------------------------------------------------------------------------------


async def steps_of_note(db: Reader, note_id: int) -> list[NextStep]:
    """Return a note's next steps in their order."""
    rows = await db.fetch_all(
        f"SELECT {_STEP_COLUMNS} FROM next_steps WHERE note_id = ? ORDER BY position, id",
        (note_id,),
    )
    return [_row_to_step(row) for row in rows]


async def replace_note_steps(
    tx: Transaction, mentorship_id: int, note_id: int, texts: Sequence[str], now: datetime
) -> list[NextStep]:
    """Make a note's steps the given lines; a line kept from before keeps its done state."""
    existing = await steps_of_note(tx, note_id)
    by_text: dict[str, NextStep] = {}
    for step in existing:
        by_text.setdefault(step.text, step)
    kept: set[int] = set()
    for position, text in enumerate(texts):
        if len(text) > STEP_TEXT_MAX or not text:
            raise ValueError(f"a next step holds 1 to {STEP_TEXT_MAX} characters")
        old = by_text.pop(text, None)
        if old is not None:
            kept.add(old.id)
            await tx.execute("UPDATE next_steps SET position = ? WHERE id = ?", (position, old.id))
        else:
            await tx.execute(
                "INSERT INTO next_steps (mentorship_id, note_id, position, text, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (mentorship_id, note_id, position, text, iso(now)),
            )
    for step in existing:
        if step.id not in kept:
            await tx.execute("DELETE FROM next_steps WHERE id = ?", (step.id,))
    return await steps_of_note(tx, note_id)


async def prep_steps(db: Reader, mentorship_id: int, session_id: int) -> list[NextStep]:
    """Return the steps a session's prep shows: still open, or ticked done for this session.

    Oldest first; steps agreed in notes linked to this very session are not shown (they are
    the outcome of it, not a preparation for it).
    """
    rows = await db.fetch_all(
        f"SELECT {_STEP_COLUMNS} FROM next_steps "
        "WHERE mentorship_id = ? AND (done_at IS NULL OR done_session_id = ?) "
        "AND note_id NOT IN (SELECT id FROM notes WHERE session_id = ?) "
        "ORDER BY created_at, note_id, position, id",
        (mentorship_id, session_id, session_id),
    )
    return [_row_to_step(row) for row in rows]


async def open_steps(db: Reader, mentorship_id: int) -> list[NextStep]:
    """Return a mentorship's open steps, oldest first."""
    rows = await db.fetch_all(
        f"SELECT {_STEP_COLUMNS} FROM next_steps WHERE mentorship_id = ? AND done_at IS NULL "
        "ORDER BY created_at, note_id, position, id",
        (mentorship_id,),
    )
    return [_row_to_step(row) for row in rows]


async def set_steps_done(
    tx: Transaction,
    session_id: int,
    done: Collection[int],
    shown: Collection[int],
    now: datetime,
) -> None:
    """Among `shown` steps, mark `done` ones done at this session and reopen the others."""
    wanted = set(done) & set(shown)
    for step_id in sorted(set(shown)):
        if step_id in wanted:
            await tx.execute(
                "UPDATE next_steps SET done_at = ?, done_session_id = ? "
                "WHERE id = ? AND done_at IS NULL",
                (iso(now), session_id, step_id),
            )
        else:
            await tx.execute(
                "UPDATE next_steps SET done_at = NULL, done_session_id = NULL "
                "WHERE id = ? AND done_session_id = ?",
                (step_id, session_id),
            )


# -- notes and sessions, as coaching needs them -----------------------------------------------


async def set_note_fields(tx: Transaction, note_id: int, fields: dict[str, str]) -> None:
    """Replace the structured fields of a note written from a feedback template."""
    await tx.execute(
        "UPDATE notes SET fields = ? WHERE id = ?",
        (json.dumps(fields, ensure_ascii=False), note_id),
    )


async def latest_started_session(db: Reader, mentorship_id: int, now: datetime) -> int | None:
    """Return the id of the mentorship's latest session that has started and was not cancelled."""
    row = await db.fetch_one(
        "SELECT id FROM sessions WHERE mentorship_id = ? AND starts_at <= ? "
        "AND status IN ('scheduled', 'held') ORDER BY starts_at DESC, id DESC LIMIT 1",
        (mentorship_id, iso(now)),
    )
    return None if row is None else int(row[0])


# -- progress and presentation plans ----------------------------------------------------------


async def add_progress(
    tx: Transaction,
    mentorship_id: int,
    author_id: int,
    status: str,
    ready_for_assessment: bool,
    now: datetime,
) -> ProgressEntry:
    """Store where the project stands now."""
    if status not in PROGRESS_STATUSES:
        raise ValueError(f"not a progress status: {status!r}")
    row = await tx.fetch_one(
        "INSERT INTO progress_entries (mentorship_id, author_id, status, ready_for_assessment, "
        f"created_at) VALUES (?, ?, ?, ?, ?) RETURNING {_PROGRESS_COLUMNS}",
        (mentorship_id, author_id, status, int(ready_for_assessment), iso(now)),
    )
    assert row is not None
    return _row_to_progress(row)


async def progress_history(db: Reader, mentorship_id: int, limit: int = 5) -> list[ProgressEntry]:
    """Return a mentorship's latest progress entries, newest first."""
    rows = await db.fetch_all(
        f"SELECT {_PROGRESS_COLUMNS} FROM progress_entries WHERE mentorship_id = ? "
        "ORDER BY created_at DESC, id DESC LIMIT ?",
        (mentorship_id, limit),
    )
    return [_row_to_progress(row) for row in rows]


async def open_plan(db: Reader, mentorship_id: int) -> PresentationPlan | None:
    """Return the mentorship's open presentation plan, if any."""
    row = await db.fetch_one(
        f"SELECT {_PLAN_COLUMNS} FROM presentation_plans WHERE mentorship_id = ? "
        "AND status = 'open'",
        (mentorship_id,),
    )
    return None if row is None else _row_to_plan(row)


async def add_plan(
    tx: Transaction,
    mentorship_id: int,
    progress_id: int | None,
    created_by: int,
    now: datetime,
    *,
    request_by: datetime,
    presentation_from: datetime,
    presentation_until: datetime,
    mock_by: datetime | None,
) -> PresentationPlan:
    """Store an open presentation plan (the caller checks there is none yet)."""
    row = await tx.fetch_one(
        "INSERT INTO presentation_plans (mentorship_id, progress_id, created_by, created_at, "
        "request_by, presentation_from, presentation_until, mock_by) "
        f"VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING {_PLAN_COLUMNS}",
        (
            mentorship_id,
            progress_id,
            created_by,
            iso(now),
            iso(request_by),
            iso(presentation_from),
            iso(presentation_until),
            None if mock_by is None else iso(mock_by),
        ),
    )
    assert row is not None
    return _row_to_plan(row)


async def open_plans_of(db: Reader, mentorship_ids: Collection[int]) -> dict[int, PresentationPlan]:
    """Return the open presentation plan of each mentorship that has one, in one read."""
    if not mentorship_ids:
        return {}
    marks = ", ".join("?" for _ in mentorship_ids)
    rows = await db.fetch_all(
        f"SELECT {_PLAN_COLUMNS} FROM presentation_plans WHERE mentorship_id IN ({marks}) "
        "AND status = 'open'",
        list(mentorship_ids),
    )
    return {int(row["mentorship_id"]): _row_to_plan(row) for row in rows}
