"""Many reminders due at once, through a slow Discord: never a 429, one request each."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from bot.clock import iso
from bot.reminders.dispatcher import GLOBAL_LIMIT
from bot.reminders.planning import STUDENT_REMINDER, slot_for
from tests.e2e.conftest import World

BURST = 150
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
