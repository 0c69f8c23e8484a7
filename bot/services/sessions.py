"""Sessions: scheduling series, moving, cancelling and recording them."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.db import Database, Reader, Transaction
from bot.numbers import plain_int
from bot.refusal import Refusal
from bot.scheduling.recurrence import Repeat, SeriesRule
from bot.scheduling.when import WhenError, WhenProblem, parse_when
from bot.services import news, reminders
from bot.storage import news as news_store
from bot.storage import sessions as store
from bot.storage import time_off as time_off_store
from bot.storage.mentorships import Mentorship
from bot.storage.news import Change
from bot.storage.sessions import NotRecordable, Session, SessionView
from bot.timefmt import discord_stamp
from bot.vocabulary import SessionKind, SessionStatus

log = logging.getLogger(__name__)

CANCELLED_WINDOW = timedelta(weeks=4)
"""How far back the list of cancelled sessions reaches."""
HORIZON = timedelta(weeks=12)
"""How far ahead the occurrences of a series exist as sessions."""
DURATION_MIN = 15
DURATION_MAX = 180
WHEN_PROBLEM_KEYS = {
    WhenProblem.UNREADABLE: "when.unreadable",
    WhenProblem.NO_TIME: "when.no_time",
    WhenProblem.IN_PAST: "when.in_past",
    WhenProblem.TOO_FAR: "when.too_far",
    WhenProblem.NONEXISTENT: "when.nonexistent",
}


@dataclass(frozen=True)
class Scheduled:
    """What `/session schedule` created."""

    first: Session
    series_id: int
    count: int
    repeat: Repeat
    zone: str


def read_when(text: str, zone: str, now: datetime) -> datetime:
    """Read a 'when' text in the mentor's zone, or refuse with examples."""
    try:
        return parse_when(text, ZoneInfo(zone), now)
    except WhenError as error:
        raise Refusal(WHEN_PROBLEM_KEYS[error.reason], text=text[:100], zone=zone) from error


def check_duration(minutes: int) -> None:
    """Refuse a session length outside what a session can be."""
    if not DURATION_MIN <= minutes <= DURATION_MAX:
        raise Refusal("sessions.bad_duration", low=DURATION_MIN, high=DURATION_MAX)


async def _refuse_clash(
    db: Reader,
    mentor_id: int,
    starts_at: datetime,
    minutes: int,
    exclude: int | None = None,
) -> None:
    found = await store.clashes(db, mentor_id, starts_at, minutes, exclude_session_id=exclude)
    if found:
        other = found[0]
        raise Refusal(
            "sessions.clash",
            when=discord_stamp(other.session.starts_at, "F"),
            student=other.student_name,
        )


async def schedule(
    db: Database,
    now: datetime,
    mentorship: Mentorship,
    *,
    when_text: str,
    zone: str,
    repeat: Repeat,
    kind: str,
    duration: int | None,
    mentor_name: str | None = None,
) -> Scheduled:
    """Create a session (or a series of them) for a mentorship; the student is told."""
    if kind not in set(SessionKind):
        raise Refusal("sessions.bad_kind")
    minutes = duration or mentorship.session_minutes
    check_duration(minutes)
    start = read_when(when_text, zone, now)
    rule = SeriesRule.from_utc(start, zone, repeat)
    until = max(now + HORIZON, start + timedelta(seconds=1))
    planned = rule.indexed_occurrences(start, until)
    async with db.transaction() as tx:
        for _, instant in planned:
            await _refuse_clash(tx, mentorship.mentor_id, instant, minutes)
        series_id = await store.add_series(
            tx, mentorship.id, zone, rule.local_start, repeat.value, kind, minutes
        )
        ids = await store.add_sessions(tx, mentorship.id, series_id, planned, minutes, kind, now)
        await store.set_materialised_until(tx, series_id, until)
        await reminders.plan_for_sessions(tx, ids, now)
        if mentor_name:
            await news_store.set_mentor_name(tx, mentorship.id, mentor_name)
        first_view = await store.get_session_view(tx, ids[0])
        assert first_view is not None
        if repeat is Repeat.NONE:
            await news.tell(tx, news.change_of(first_view, Change.SCHEDULED), now)
        else:
            await news.tell(
                tx,
                news.change_of(first_view, Change.SERIES, repeat=repeat.value, zone=zone),
                now,
            )
        first = first_view.session
    return Scheduled(first=first, series_id=series_id, count=len(ids), repeat=repeat, zone=zone)


MAINTENANCE_BATCH = 500
"""How many series one maintenance transaction extends: short write locks, few commits."""


async def extend_series(db: Database, now: datetime) -> int:
    """Materialise the next occurrences of every running series; return how many were added.

    A series is recorded as materialised up to its next occurrence not yet created, so only the
    series with an occurrence to add come back; each continues from where it stopped. The work
    follows the occurrences added, not the series' age or count; `MAINTENANCE_BATCH` series
    per transaction.
    """
    until = now + HORIZON
    added = 0
    behind = await store.series_to_extend(db, until)
    for first in range(0, len(behind), MAINTENANCE_BATCH):
        async with db.transaction() as tx:
            reached: list[tuple[int, datetime]] = []
            for series in behind[first : first + MAINTENANCE_BATCH]:
                count, up_to = await _extend_one(tx, series, until, now)
                added += count
                reached.append((series.id, up_to))
            await store.set_materialised_until_many(tx, reached)
    if added:
        log.info("Materialised %d upcoming sessions", added)
    return added


async def skip_time_off(tx: Transaction, session_ids: Sequence[int]) -> int:
    """Cancel new occurrences that fall in their mentor's time off (students were told then)."""
    views = [v for v in [await store.get_session_view(tx, i) for i in session_ids] if v]
    if not views:
        return 0
    covered = await time_off_store.time_off_covering(
        tx, views[0].mentor_id, [v.session.starts_at for v in views]
    )
    doomed = [v.session.id for v, away in zip(views, covered, strict=True) if away]
    cancelled = [i for i in doomed if await store.cancel_session(tx, i)]
    await reminders.forget_sessions(tx, cancelled)
    await store.bump_revision(tx, cancelled)
    return len(cancelled)


async def _extend_one(
    tx: Transaction, series: store.Series, until: datetime, now: datetime
) -> tuple[int, datetime]:
    """Add a series' occurrences before `until`; return how many, and where it now stands.

    It now stands at its next occurrence not created (one walk finds both), or at its end: no
    occurrence lies in between, so recording that instant is as true as recording `until`.
    """
    rule = SeriesRule(series.zone, series.local_start, Repeat(series.repeat))
    end = until if series.ended_at is None else min(until, series.ended_at)
    start = series.materialised_until or rule.nth(0)
    planned, following = rule.walk(start, end)
    if planned:
        ids = await store.add_sessions(
            tx,
            series.mentorship_id,
            series.id,
            planned,
            series.duration_minutes,
            series.kind,
            now,
        )
        await reminders.plan_for_sessions(tx, ids, now)
        await skip_time_off(tx, ids)
    else:
        ids = []
    if series.ended_at is not None:
        following = min(following, series.ended_at)
    return len(ids), following


async def visible_sessions(
    db: Database,
    now: datetime,
    *,
    viewer_id: int,
    guild_id: int | None,
    mentorship: Mentorship | None,
    past: bool,
    cancelled: bool = False,
    limit: int = 200,
) -> list[SessionView]:
    """Return the sessions a person may see: as the mentor, and as the student.

    With a mentorship, only its sessions (the caller is its mentor). In a DM, the person's
    sessions in every server. Upcoming means still planned; cancelled ones (recent and to
    come) are their own list.
    """
    statuses: list[str] | None = None
    if cancelled:
        after, before, statuses = now - CANCELLED_WINDOW, None, ["cancelled"]
    elif past:
        after, before = None, now
    else:
        after, before, statuses = now, None, [SessionStatus.SCHEDULED]
    if mentorship is not None:
        views = await store.sessions_of_mentor(
            db,
            mentorship.guild_id,
            viewer_id,
            after=after,
            before=before,
            statuses=statuses,
            limit=limit,
            mentorship_id=mentorship.id,
        )
    else:
        views = await store.sessions_of_mentor(
            db, guild_id, viewer_id, after=after, before=before, statuses=statuses, limit=limit
        )
        views += await store.sessions_of_student(
            db,
            viewer_id,
            guild_id=guild_id,
            after=after,
            before=before,
            statuses=statuses,
            limit=limit,
        )
    views.sort(key=lambda view: view.session.starts_at, reverse=past)
    return views


async def session_of_mentor(db: Database, mentor_id: int, text: str) -> SessionView:
    """Find one of the mentor's sessions from an autocomplete value, or refuse."""
    number = plain_int(text)
    view = await store.get_session_view(db, number) if number is not None else None
    if view is None or view.mentor_id != mentor_id:
        raise Refusal("sessions.unknown")
    return view


async def reschedule(
    db: Database, now: datetime, view: SessionView, *, when_text: str, zone: str
) -> Session:
    """Move one scheduled session to a new time."""
    if view.session.status != SessionStatus.SCHEDULED:
        raise Refusal("sessions.not_scheduled")
    start = read_when(when_text, zone, now)
    async with db.transaction() as tx:
        await _refuse_clash(
            tx, view.mentor_id, start, view.session.duration_minutes, exclude=view.session.id
        )
        await store.reschedule(tx, view.session.id, start)
        await store.bump_revision(tx, [view.session.id])
        await reminders.replan_session(tx, view.session.id, now)
        moved = await store.get_session(tx, view.session.id)
        assert moved is not None
        asked = view.session.student_response == "declined"
        await news.tell(
            tx,
            news.change_of(
                view,
                Change.RESCHEDULED,
                starts_at=moved.starts_at,
                old_starts_at=view.session.starts_at,
                asked=asked,
            ),
            now,
        )
    return moved


async def cancel(
    db: Database, view: SessionView, *, whole_series: bool, now: datetime
) -> list[int]:
    """Cancel one scheduled session, or it and the rest of its series; return the ids.

    The student is told.
    """
    if view.session.status != SessionStatus.SCHEDULED:
        raise Refusal("sessions.not_scheduled")
    async with db.transaction() as tx:
        series = whole_series and view.session.series_id is not None
        if series and view.session.series_id is not None:
            ids = await store.cancel_series_from(tx, view.session.series_id, view.session.starts_at)
        else:
            ids = [view.session.id] if await store.cancel_session(tx, view.session.id) else []
        await reminders.forget_sessions(tx, ids)
        await store.bump_revision(tx, ids)
        if ids:
            change = Change.SERIES_CANCELLED if series else Change.CANCELLED
            await news.tell(tx, news.change_of(view, change, count=len(ids)), now)
        return ids


async def record(db: Database, now: datetime, view: SessionView, status: str) -> Session:
    """Record how a session went; only once, and only once it has started."""
    if view.session.starts_at > now:
        raise Refusal("sessions.not_started", when=discord_stamp(view.session.starts_at, "R"))
    try:
        async with db.transaction() as tx:
            recorded = await store.record_outcome(tx, view.session.id, status, now)
            await reminders.session_recorded(tx, view.session.id)
            return recorded
    except NotRecordable as error:
        raise Refusal("sessions.already_recorded") from error


def check_answerable(view: SessionView, now: datetime) -> None:
    """Refuse an answer to a reminder once the session has started, or is no longer planned."""
    if view.session.status != "cancelled" and view.session.starts_at <= now:
        raise Refusal("loop.started", when=discord_stamp(view.session.starts_at, "R"))
    if view.session.status != SessionStatus.SCHEDULED:
        raise Refusal("sessions.not_scheduled")


async def respond(
    db: Database, now: datetime, view: SessionView, response: str, reason: str | None
) -> None:
    """Store the student's answer to a reminder (confirmed, or declined with a reason)."""
    check_answerable(view, now)
    async with db.transaction() as tx:
        await store.set_student_response(tx, view.session.id, response, reason, now)


async def session_view_of(db: Reader, session_id: int) -> SessionView | None:
    """Return a session with its mentorship's people, None when there is no such session."""
    return await store.get_session_view(db, session_id)


async def sessions_near(
    db: Reader,
    guild_id: int,
    mentor_id: int,
    now: datetime,
    within: timedelta,
    mentorship_id: int | None = None,
) -> list[SessionView]:
    """Return a mentor's sessions not cancelled within `within` of now, the nearest first."""
    views = await store.sessions_of_mentor(
        db,
        guild_id,
        mentor_id,
        after=now - within,
        before=now + within,
        limit=200,
        mentorship_id=mentorship_id,
    )
    views = [v for v in views if v.session.status != "cancelled"]
    views.sort(key=lambda v: abs((v.session.starts_at - now).total_seconds()))
    return views
