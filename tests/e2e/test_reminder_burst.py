"""Many reminders due at once, through a slow Discord: never a 429, one request each.

Other sends share Discord's global limit with them (session news in the same seconds), and
interaction answers, which that limit does not bind, never wait behind them.
"""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest

from bot.clock import iso
from bot.pacing import DEFAULT_RATE, GLOBAL_LIMIT
from bot.reminders.planning import STUDENT_REMINDER, slot_for
from bot.storage import news
from bot.storage.news import Change, NewChange
from tests.e2e.conftest import World

BURST = 150
NEWS = 40
BACKLOG = 6 * DEFAULT_RATE
"""Slots taken ahead in the interaction test: the pacer's next free slot is 6 s away."""
MESSAGES = "/channels/{channel_id}/messages"


async def plan_students_due_now(world: World, count: int) -> None:
    """Give a mentor `count` students, each with a 48 h reminder due now (DMs already open)."""
    state, guild = world.sb.state, world.sb.guild
    assert guild is not None
    now = world.clock.now()
    starts = now + timedelta(hours=48)
    mentor = world.mara.id
    students = []
    for index in range(count):
        user = state.add_user(f"burst{index:03d}", global_name=f"Burst {index}")
        state.add_member(guild, user)
        students.append((user.id, state.dm_channel(user.id).id))
    async with world.db.transaction() as tx:
        await tx.execute_many(
            "INSERT INTO dm_channels (user_id, channel_id, created_at) VALUES (?, ?, ?)",
            [(student, channel, iso(now)) for student, channel in students],
        )
        for student, _ in students:
            mentorship = await tx.execute(
                "INSERT INTO mentorships (guild_id, mentor_id, student_id, student_name, "
                "project, session_minutes, created_at) VALUES (?, ?, ?, ?, 'P2', 30, ?)",
                (guild.id, mentor, student, f"Student {student}", iso(now)),
            )
            session = await tx.execute(
                "INSERT INTO sessions (mentorship_id, starts_at, duration_minutes, kind, "
                "created_at) VALUES (?, ?, 30, 'regular', ?)",
                (mentorship, iso(starts), iso(now)),
            )
            await tx.execute(
                "INSERT INTO reminders (kind, session_id, recipient_id, guild_id, slot, due_at, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    STUDENT_REMINDER,
                    session,
                    student,
                    guild.id,
                    slot_for("48h", starts),
                    iso(now),
                    iso(now),
                ),
            )


@pytest.mark.sandbox_options(latency="lognormal:150ms:600ms;seed=5")
async def test_reminders_due_at_once_stay_under_discords_global_limit(world: World) -> None:
    await plan_students_due_now(world, BURST)
    sb = world.sb
    requests_before, limited_before = len(sb.requests), sb.stats.rate_limited

    started = time.monotonic()
    await world.bot.dispatcher.run_due()
    took = time.monotonic() - started

    assert sb.stats.rate_limited == limited_before  # not one 429, global or per route
    sends = [r for r in sb.requests[requests_before:] if r.route == MESSAGES]
    assert len(sends) == BURST == len(sb.requests) - requests_before  # one request each
    statuses = await world.db.fetch_all("SELECT status FROM reminders")
    assert [row["status"] for row in statuses] == ["sent"] * BURST
    # under the limit, but at its pace: 150 at 48/s is ~3.1 s
    assert (BURST - GLOBAL_LIMIT) / GLOBAL_LIMIT < took < BURST / 30


async def queue_news_due_now(world: World, count: int) -> None:
    """Queue, due now, the news of the first `count` burst students' sessions (as scheduled)."""
    now = world.clock.now()
    rows = await world.db.fetch_all(
        "SELECT m.id AS mentorship, m.guild_id, m.mentor_id, m.student_id, s.id AS session, "
        "s.starts_at FROM mentorships m JOIN sessions s ON s.mentorship_id = m.id "
        "ORDER BY m.id LIMIT ?",
        (count,),
    )
    async with world.db.transaction() as tx:
        for row in rows:
            change = NewChange(
                recipient_id=row["student_id"],
                guild_id=row["guild_id"],
                mentorship_id=row["mentorship"],
                mentor_id=row["mentor_id"],
                change=Change.SCHEDULED,
                session_id=row["session"],
                starts_at=world.clock.now() + timedelta(hours=48),
                detail={"kind": "regular", "minutes": 30},
            )
            await news.add(tx, change, now, timedelta(0))


@pytest.mark.sandbox_options(latency="lognormal:150ms:600ms;seed=5")
async def test_session_news_during_a_reminder_burst_share_the_global_limit(world: World) -> None:
    await plan_students_due_now(world, BURST)
    await queue_news_due_now(world, NEWS)
    sb = world.sb
    requests_before, limited_before = len(sb.requests), sb.stats.rate_limited

    await asyncio.gather(world.bot.dispatcher.run_due(), world.bot.news.run_due())

    assert sb.stats.global_rate_limited == 0
    assert sb.stats.rate_limited == limited_before  # not one 429, global or per route
    sends = [r for r in sb.requests[requests_before:] if r.route == MESSAGES]
    assert len(sends) == BURST + NEWS == len(sb.requests) - requests_before  # one request each
    statuses = await world.db.fetch_all("SELECT status FROM reminders")
    assert [row["status"] for row in statuses] == ["sent"] * BURST
    told = await world.db.fetch_all("SELECT status FROM session_news")
    assert [row["status"] for row in told] == ["sent"] * NEWS


@pytest.mark.sandbox_options(latency="lognormal:150ms:600ms;seed=5")
async def test_interaction_answers_do_not_wait_behind_a_full_pacer(world: World) -> None:
    await plan_students_due_now(world, BURST)
    sb = world.sb
    requests_before, limited_before = len(sb.requests), sb.stats.rate_limited
    pacer = world.bot.pacer
    now = time.monotonic()
    for _ in range(BACKLOG):  # as if 6 s of requests were queued before the burst
        pacer.reserve(now)

    burst = asyncio.create_task(world.bot.dispatcher.run_due())
    # an immediate answer (a callback) and a deferred one (callback, then a followup with
    # the interaction's token): neither is bound to the global limit, neither waits
    shown = await world.sam.slash("help")
    exported = await world.olga.slash("privacy export")
    sent_meanwhile = [r for r in sb.requests[requests_before:] if r.route == MESSAGES]
    await burst

    assert shown.text
    assert exported.deferred
    assert exported.attachments
    assert sent_meanwhile == []  # answered while every reminder still waited for its slot
    assert sb.stats.rate_limited == limited_before
    statuses = await world.db.fetch_all("SELECT status FROM reminders")
    assert [row["status"] for row in statuses] == ["sent"] * BURST
