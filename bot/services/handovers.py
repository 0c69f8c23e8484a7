"""Handing a session or a whole mentorship over to a peer, with the peer's and student's yes.

The mentor asks a peer who agreed to be listed; the peer accepts or declines; the student is
then asked to agree. Only when both said yes does anything move: for a mentorship, the new
mentor takes it over (its sessions, open next steps, progress and presentation plan come with
it; reminders are planned again for them) and receives the notes the student was shown.
Private notes keep their author and never move. Every step is kept in `handovers`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from bot.db import Database, Reader
from bot.refusal import Refusal
from bot.services import reminders
from bot.storage import coaching as coaching_store
from bot.storage import expertise as expertise_store
from bot.storage import handovers as store
from bot.storage import mentorships as mentorship_store
from bot.storage import notes as note_store
from bot.storage import sessions as session_store
from bot.storage.coaching import NextStep, PresentationPlan, ProgressEntry
from bot.storage.handovers import SCOPES, Handover
from bot.storage.mentorships import Mentorship
from bot.storage.notes import SharedNote
from bot.storage.sessions import Session

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Asked:
    """A request just made: what the peer is asked to take."""

    handover: Handover
    mentorship: Mentorship
    session: Session | None


@dataclass(frozen=True)
class Pack:
    """What the new mentor receives: what the student was shown, and where things stand."""

    mentorship: Mentorship
    shared_notes: list[SharedNote]
    open_steps: list[NextStep]
    progress: list[ProgressEntry]
    plan: PresentationPlan | None
    session: Session | None


async def ask(
    db: Database,
    now: datetime,
    mentorship: Mentorship,
    mentor_id: int,
    peer_id: int,
    scope: str,
) -> Asked:
    """Ask a listed peer to take the next session or the mentorship; refuse what cannot be."""
    if scope not in SCOPES:
        raise Refusal("handover.bad_scope")
    if peer_id == mentor_id:
        raise Refusal("handover.not_yourself")
    if not await expertise_store.is_listed(db, mentorship.guild_id, peer_id):
        raise Refusal("handover.peer_not_listed")
    session = None
    if scope == "session":
        session = await session_store.next_session(db, mentorship.id, now)
        if session is None:
            raise Refusal("handover.no_session", name=mentorship.student_name)
    async with db.transaction() as tx:
        if await store.open_for(tx, mentorship.id) is not None:
            raise Refusal("handover.already_open", name=mentorship.student_name)
        handover = await store.add_handover(
            tx,
            mentorship.guild_id,
            mentorship.id,
            None if session is None else session.id,
            mentor_id,
            peer_id,
            scope,
            now,
        )
    log.info("Hand-over %s asked (%s) in guild %s", handover.id, scope, mentorship.guild_id)
    return Asked(handover, mentorship, session)


async def _open(db: Database, handover_id: int) -> tuple[Handover, Mentorship]:
    handover = await store.get_handover(db, handover_id)
    if handover is None:
        raise Refusal("handover.gone")
    mentorship = await mentorship_store.get_mentorship(db, handover.mentorship_id)
    if mentorship is None or not mentorship.active:
        raise Refusal("handover.gone")
    return handover, mentorship


async def peer_answers(
    db: Database,
    now: datetime,
    handover_id: int,
    peer_id: int,
    accept: bool,
    peer_name: str | None = None,
) -> tuple[Handover, Mentorship]:
    """Record the peer's yes or no; only the peer asked may answer, and only once.

    `peer_name`: the name they go by, kept with a yes for the student's calendar feed.
    """
    handover, mentorship = await _open(db, handover_id)
    if handover.to_mentor != peer_id:
        raise Refusal("handover.not_for_you")
    status = "peer_accepted" if accept else "peer_declined"
    async with db.transaction() as tx:
        if not await store.move_status(tx, handover_id, "asked", status, now):
            raise Refusal("handover.answered")
        if accept and peer_name:
            await store.set_peer_name(tx, handover_id, peer_name)
    log.info("Hand-over %s: peer answered %s", handover_id, status)
    return await _reread(db, handover_id), mentorship


async def student_answers(
    db: Database, now: datetime, handover_id: int, student_id: int, agree: bool
) -> tuple[Handover, Pack | None]:
    """Record the student's answer; on yes, hand the session or mentorship over."""
    handover, mentorship = await _open(db, handover_id)
    if mentorship.student_id != student_id:
        raise Refusal("handover.not_for_you")
    if not agree:
        async with db.transaction() as tx:
            if not await store.move_status(
                tx, handover_id, "peer_accepted", "student_declined", now
            ):
                raise Refusal("handover.answered")
        return await _reread(db, handover_id), None
    async with db.transaction() as tx:
        if not await store.move_status(tx, handover_id, "peer_accepted", "done", now):
            raise Refusal("handover.answered")
        if handover.scope == "mentorship":
            taken = await mentorship_store.find_active(
                tx, mentorship.guild_id, handover.to_mentor, mentorship.student_id
            )
            if taken is not None:
                raise Refusal("handover.already_mentors", name=mentorship.student_name)
            await store.change_mentor(tx, mentorship.id, handover.to_mentor, handover.peer_name)
            for session_id in await store.future_sessions(tx, mentorship.id, now):
                await reminders.replan_session(tx, session_id, now)
        elif handover.session_id is not None:
            # One session: the peer covers it (its reminders, nudges, list and record follow);
            # the mentorship, its notes and the next sessions stay with the usual mentor.
            if not await session_store.cover_session(
                tx, handover.session_id, handover.to_mentor, handover.peer_name
            ):
                raise Refusal("handover.session_gone")
            await reminders.replan_session(tx, handover.session_id, now)
    log.info("Hand-over %s done (%s)", handover_id, handover.scope)
    moved = await mentorship_store.get_mentorship(db, mentorship.id)
    assert moved is not None
    return await _reread(db, handover_id), await pack_of(db, moved, handover.session_id)


async def pack_of(db: Database, mentorship: Mentorship, session_id: int | None) -> Pack:
    """Gather what a new mentor needs: shared notes only, open steps, progress, plan."""
    shared = [
        note
        for note in await note_store.shared_with_student(
            db, mentorship.student_id, mentorship.guild_id, limit=100
        )
        if note.mentorship_id == mentorship.id
    ]
    session = None
    if session_id is not None:
        view = await session_store.get_session_view(db, session_id)
        session = None if view is None else view.session
    return Pack(
        mentorship=mentorship,
        shared_notes=shared,
        open_steps=await coaching_store.open_steps(db, mentorship.id),
        progress=await coaching_store.progress_history(db, mentorship.id),
        plan=await coaching_store.open_plan(db, mentorship.id),
        session=session,
    )


async def _reread(db: Reader, handover_id: int) -> Handover:
    handover = await store.get_handover(db, handover_id)
    assert handover is not None
    return handover


async def unreachable(db: Database, now: datetime, handover_id: int) -> None:
    """Close a request the peer could not receive (their DMs are closed)."""
    async with db.transaction() as tx:
        await store.move_status(tx, handover_id, "asked", "unreachable", now)
