"""Keep each session's reminders in step with it, inside the session's own transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.db import Database, Transaction
from bot.reminders.kinds import SessionEvent, cancelled_by, kind_of
from bot.reminders.planning import (
    MENTOR_REVIEW,
    STUDENT_REMINDER,
    Planned,
    ReminderPrefs,
    SessionFacts,
    awake,
    lead_label,
    parse_leads,
    plan_presentation,
    plan_session,
)
from bot.services.people import zone_for
from bot.storage import reminders as store
from bot.storage.guild_config import get_config
from bot.storage.reminders import Reminder
from bot.storage.sessions import get_session, get_session_view, upcoming_sessions_of_person
from bot.vocabulary import SessionStatus


async def session_facts(tx: Transaction, session_id: int) -> SessionFacts | None:
    """Return what planning needs to know of a scheduled session."""
    view = await get_session_view(tx, session_id)
    if view is None or view.session.status != SessionStatus.SCHEDULED:
        return None
    zone = await zone_for(tx, view.mentor_id, view.guild_id)
    student_zone = await zone_for(tx, view.student_id, view.guild_id)
    return SessionFacts(
        session_id=view.session.id,
        guild_id=view.guild_id,
        mentor_id=view.mentor_id,
        student_id=view.student_id,
        starts_at=view.session.starts_at,
        duration_minutes=view.session.duration_minutes,
        mentor_zone=zone,
        student_zone=student_zone,
    )


async def server_defaults(tx: Transaction, guild_id: int) -> ReminderPrefs:
    """Return the lead times a server's moderators chose, else the built-in ones."""
    config = await get_config(tx, guild_id)
    built_in = ReminderPrefs()
    return ReminderPrefs(
        student_leads=parse_leads(config.student_leads)
        if config.student_leads
        else built_in.student_leads,
        review_lead=timedelta(hours=config.review_lead_hours)
        if config.review_lead_hours
        else built_in.review_lead,
    )


async def plan_for_sessions(tx: Transaction, session_ids: Sequence[int], now: datetime) -> None:
    """Plan the reminders of newly scheduled sessions."""
    for session_id in session_ids:
        facts = await session_facts(tx, session_id)
        if facts is None:
            continue
        defaults = await server_defaults(tx, facts.guild_id)
        mentor = await store.get_prefs(tx, facts.mentor_id, defaults)
        student = await store.get_prefs(tx, facts.student_id, defaults)
        planned = plan_session(facts, mentor=mentor, student=student, now=now)
        leads = {
            (STUDENT_REMINDER, facts.student_id): student.student_leads,
            (MENTOR_REVIEW, facts.mentor_id): [mentor.review_lead],
        }
        sent = await store.sent_slots(tx, session_id)
        planned = without_resends(planned, sent, facts, leads)
        await store.add_planned(tx, facts.session_id, facts.guild_id, planned, now)


def without_resends(
    planned: Sequence[Planned],
    sent: Sequence[tuple[str, int, str]],
    facts: SessionFacts,
    leads: dict[tuple[str, int], Sequence[timedelta]],
) -> list[Planned]:
    """Drop the reminders a lead-time change would send a second time for the same session.

    The reminders of a kind already sent at this start stand for the longest leads of the new
    settings: a review nudge sent 24 h ahead is not followed by another 12 h ahead, a student
    reminded 48 h ahead who now wants "24h, 1h" gets only the 1 h one.
    """
    start = f"@{int(facts.starts_at.timestamp())}"
    consumed: set[tuple[str, int, str]] = set()
    for (kind, recipient), wanted in leads.items():
        already = sum(
            1 for k, r, slot in sent if (k, r) == (kind, recipient) and slot.endswith(start)
        )
        for lead in sorted(wanted, reverse=True)[:already]:
            consumed.add((kind, recipient, lead_label(lead)))
    return [
        item
        for item in planned
        if (item.kind, item.recipient_id, item.slot.split("@")[0]) not in consumed
    ]


async def replan_session(tx: Transaction, session_id: int, now: datetime) -> None:
    """Move a session's waiting reminders to its new time."""
    await store.cancel_waiting(tx, [session_id], cancelled_by(SessionEvent.MOVED))
    await plan_for_sessions(tx, [session_id], now)


async def forget_sessions(tx: Transaction, session_ids: Sequence[int]) -> None:
    """Cancel the waiting reminders of cancelled sessions."""
    await store.cancel_waiting(tx, session_ids, cancelled_by(SessionEvent.CANCELLED))


async def session_recorded(tx: Transaction, session_id: int) -> None:
    """Stop nudging and reminding about a session whose outcome is recorded."""
    await store.cancel_waiting(tx, [session_id], cancelled_by(SessionEvent.RECORDED))


async def change_prefs(db: Database, user_id: int, prefs: ReminderPrefs, now: datetime) -> None:
    """Store new reminder settings and re-plan the person's upcoming sessions with them."""
    async with db.transaction() as tx:
        await store.save_prefs(tx, user_id, prefs, now)
        for session_id in await upcoming_sessions_of_person(tx, user_id, now):
            await replan_session(tx, session_id, now)


async def plan_presentation_nudges(
    tx: Transaction,
    *,
    guild_id: int,
    mentor_id: int,
    mentorship_id: int,
    request_by: datetime,
    mock_by: datetime | None,
    now: datetime,
) -> None:
    """Plan the mentor's nudges for a new presentation plan."""
    planned = plan_presentation(
        mentor_id, mentorship_id, request_by=request_by, mock_by=mock_by, now=now
    )
    zone = await zone_for(tx, mentor_id, guild_id)
    await store.add_planned(tx, None, guild_id, awake(planned, {mentor_id: zone}), now)


async def planned_for_session(db: Database, session_id: int) -> list[Reminder]:
    """Return the reminders waiting for a session (what its mentor is told at scheduling)."""
    return [
        r
        for r in await store.reminders_of_session(db, session_id)
        if r.status in ("pending", "sending")
    ]


async def snooze(
    db: Database, reminder_id: int, user_id: int, until: datetime, now: datetime
) -> bool:
    """Send a delivered reminder again at `until`; False when it would no longer be useful.

    A reminder about a session that was cancelled, moved or recorded is not re-armed.
    """
    async with db.transaction() as tx:
        reminder = await store.get_reminder(tx, reminder_id)
        if reminder is None or reminder.recipient_id != user_id:
            return False
        session = (
            await get_session(tx, reminder.session_id) if reminder.session_id is not None else None
        )
        useful = kind_of(reminder.kind).still_useful(
            due_at=until,
            now=until,
            session_starts_at=session.starts_at if session else None,
            session_status=session.status if session else None,
        )
        if session is not None and reminder.slot.rpartition("@")[2] != str(
            int(session.starts_at.timestamp())
        ):
            useful = False  # the session moved: its reminders were planned again
        if not useful or now > until:
            return False
        return await store.snooze(tx, reminder_id, user_id, until)


@dataclass(frozen=True)
class ReminderList:
    """A person's reminders as `/reminders list` shows them."""

    pending: list[Reminder]
    trouble: list[Reminder]
    late: list[Reminder]


async def prefs_of(db: Database, user_id: int) -> ReminderPrefs:
    """Return how and when a person gets reminders."""
    return await store.get_prefs(db, user_id)


async def reminder_of(db: Database, reminder_id: int) -> Reminder | None:
    """Return one reminder, None when there is no such reminder."""
    return await store.get_reminder(db, reminder_id)


async def reminders_listed(
    db: Database, user_id: int, now: datetime, window: timedelta
) -> ReminderList:
    """Return a person's pending reminders, and those failed, missed or sent late lately."""
    pending = await store.reminders_of(db, user_id, ["pending", "sending"], now)
    trouble = await store.reminders_of(db, user_id, ["failed", "missed"], now - window)
    sent = await store.reminders_of(db, user_id, ["sent"], now - window)
    return ReminderList(pending=pending, trouble=trouble, late=[r for r in sent if r.late])
