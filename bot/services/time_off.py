"""A mentor's time off: their sessions in the range are cancelled, series resume after.

Each student is told once (one line in their session news, with when sessions resume);
reminders of the cancelled sessions are dropped; occurrences that series materialise later
inside the range are cancelled as they appear (`sessions.skip_time_off`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.db import Database, Reader, Transaction
from bot.refusal import Refusal
from bot.scheduling.when import WhenError, parse_day
from bot.services import news, reminders
from bot.services.sessions import WHEN_PROBLEM_KEYS
from bot.storage import sessions as session_store
from bot.storage import time_off as store
from bot.storage.news import Change, NewChange
from bot.storage.sessions import SessionView
from bot.vocabulary import SessionStatus

MAX_DAYS = 92
"""The longest time off at once (about three months)."""


@dataclass(frozen=True)
class Away:
    """A range of time off as read, and the sessions it touches."""

    first_day: date
    last_day: date
    zone: str
    starts_at: datetime
    ends_at: datetime
    sessions: list[SessionView]


def read_range(first: str, last: str, zone: str, now: datetime) -> tuple[date, date]:
    """Read the first and last day away, or refuse with the problem."""
    where = ZoneInfo(zone)
    days = []
    for text in (first, last):
        try:
            days.append(parse_day(text, where, now))
        except WhenError as error:
            raise Refusal(WHEN_PROBLEM_KEYS[error.reason], text=text[:100], zone=zone) from error
    first_day, last_day = days
    if last_day < first_day:
        raise Refusal("away.backwards")
    if (last_day - first_day).days >= MAX_DAYS:
        raise Refusal("away.too_long", days=MAX_DAYS)
    return first_day, last_day


async def preview(
    db: Database, now: datetime, mentor_id: int, first_day: date, last_day: date, zone: str
) -> Away:
    """Return the range on the clocks of `zone` and the mentor's sessions planned in it."""
    where = ZoneInfo(zone)
    starts_at = datetime.combine(first_day, time(0), tzinfo=where)
    ends_at = datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=where)
    sessions = await _planned_in(db, now, mentor_id, starts_at, ends_at)
    return Away(first_day, last_day, zone, starts_at, ends_at, sessions)


async def take_time_off(db: Database, now: datetime, mentor_id: int, away: Away) -> int:
    """Store the time off, cancel the sessions in it and tell each student once; return count."""
    async with db.transaction() as tx:
        await store.add_time_off(
            tx,
            mentor_id,
            away.first_day,
            away.last_day,
            away.zone,
            away.starts_at,
            away.ends_at,
            now,
        )
        current = await _planned_in(tx, now, mentor_id, away.starts_at, away.ends_at)
        cancelled = await _cancel(tx, [v.session.id for v in current])
        by_mentorship: dict[int, list[SessionView]] = {}
        for view in current:
            by_mentorship.setdefault(view.mentorship_id, []).append(view)
        for mentorship_id, views in by_mentorship.items():
            resume = await session_store.next_session(tx, mentorship_id, away.ends_at)
            first = views[0]
            await news.tell(
                tx,
                NewChange(
                    recipient_id=first.student_id,
                    guild_id=first.guild_id,
                    mentorship_id=mentorship_id,
                    mentor_id=mentor_id,
                    change=Change.TIME_OFF,
                    starts_at=resume.starts_at if resume else None,
                    detail={
                        "count": len(views),
                        "first": _midday(away.first_day, away.zone).isoformat(),
                        "last": _midday(away.last_day, away.zone).isoformat(),
                    },
                ),
                now,
            )
        return cancelled


async def _planned_in(
    db: Reader, now: datetime, mentor_id: int, starts_at: datetime, ends_at: datetime
) -> list[SessionView]:
    """Return the sessions the mentor holds in the range (not those a peer covers for them)."""
    views = await session_store.sessions_of_mentor(
        db,
        None,
        mentor_id,
        after=max(starts_at, now),
        before=ends_at,
        statuses=[SessionStatus.SCHEDULED],
        limit=1000,
    )
    return [view for view in views if view.mentor_id == mentor_id]


async def _cancel(tx: Transaction, session_ids: Sequence[int]) -> int:
    cancelled = [sid for sid in session_ids if await session_store.cancel_session(tx, sid)]
    await reminders.forget_sessions(tx, cancelled)
    await session_store.bump_revision(tx, cancelled)
    return len(cancelled)


def _midday(day: date, zone: str) -> datetime:
    """Noon of a day in a zone: shown as a Discord date, it reads as that day nearly everywhere."""
    return datetime.combine(day, time(12), tzinfo=ZoneInfo(zone))
