"""Recording a session in one form (outcome and notes together), and correcting an outcome."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.db import Database, Reader
from bot.refusal import Refusal
from bot.services import reminders
from bot.services.notes import clean_title
from bot.services.students import clean_text
from bot.storage import notes as note_store
from bot.storage import outcomes as store
from bot.storage import sessions as session_store
from bot.storage.notes import Note
from bot.storage.sessions import NotRecordable, Session, SessionView
from bot.timefmt import discord_stamp
from bot.vocabulary import OUTCOMES

SHORT_MAX = 300


@dataclass(frozen=True)
class Recorded:
    """What one record form stored."""

    session: Session
    note: Note | None


def _check_can_record(view: SessionView, mentor_id: int, status: str, now: datetime) -> None:
    if view.mentor_id != mentor_id:
        raise Refusal("reminders.not_for_you")
    if status not in OUTCOMES:
        raise Refusal("record.pick_outcome")
    if view.session.starts_at > now:
        raise Refusal("sessions.not_started", when=discord_stamp(view.session.starts_at, "R"))


async def session_to_record(db: Reader, session_id: int) -> SessionView:
    """Return the session a record form names (the form may predate a restart)."""
    view = await session_store.get_session_view(db, session_id)
    if view is None:
        raise Refusal("sessions.unknown")
    return view


async def record_with_notes(
    db: Database,
    now: datetime,
    view: SessionView,
    mentor_id: int,
    status: str,
    *,
    worked_on: str | None,
    next_steps: str | None,
    note_title: str,
    labels: tuple[str, str],
) -> Recorded:
    """Record the outcome and, when written, a note on the session: both or neither."""
    _check_can_record(view, mentor_id, status, now)
    worked = clean_text(worked_on, limit=SHORT_MAX, field=labels[0])
    steps = clean_text(next_steps, limit=SHORT_MAX, field=labels[1])
    body = "\n".join(
        f"{label} {text}" for label, text in zip(labels, (worked, steps), strict=True) if text
    )
    try:
        async with db.transaction() as tx:
            session = await session_store.record_outcome(tx, view.session.id, status, now)
            await reminders.session_recorded(tx, view.session.id)
            note = None
            if body:
                note = await note_store.add_note(
                    tx,
                    view.mentorship_id,
                    mentor_id,
                    clean_title(note_title),
                    body,
                    now,
                    session_id=view.session.id,
                )
            return Recorded(session=session, note=note)
    except NotRecordable as error:
        if error.status in OUTCOMES:
            raise Refusal("record.already") from error
        raise Refusal("sessions.not_scheduled") from error


async def correct(
    db: Database, now: datetime, view: SessionView, mentor_id: int, new_status: str
) -> Session:
    """Change a recorded outcome (the change is kept); statistics read the new one."""
    _check_can_record(view, mentor_id, new_status, now)
    old = view.session.status
    if old not in OUTCOMES:
        raise Refusal("sessions.not_scheduled")
    if old == new_status:
        raise Refusal("record.same")
    async with db.transaction() as tx:
        if not await store.correct_outcome(tx, view.session.id, old, new_status, mentor_id, now):
            raise Refusal("record.changed_meanwhile")
        fresh = await session_store.get_session(tx, view.session.id)
    assert fresh is not None
    return fresh
