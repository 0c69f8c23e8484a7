"""Nudges wait for the recipient's morning; a student's lead times stay exact."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.e2e.conftest import World
from tests.e2e.test_reminders import advance_to, due_of, setup_pair


async def test_a_late_session_nudges_the_mentor_in_the_morning_and_the_student_on_time(
    world: World,
) -> None:
    mara, sam = world.mara, world.sam
    await sam.slash("timezone set", zone="Asia/Tokyo")
    session_id = await setup_pair(world, sam, when="2026-12-04 22:00")  # Mara's zone: Paris
    start = datetime(2026, 12, 4, 21, 0, tzinfo=UTC)
    morning = datetime(2026, 12, 5, 7, 0, tzinfo=UTC)  # 08:00 in Paris, the day after

    # Sam's reminders keep their lead times, even at 06:00 and 06:00 in Tokyo.
    assert await due_of(world, session_id, "student_reminder", "48h") == start - timedelta(hours=48)
    assert await due_of(world, session_id, "student_reminder", "1h") == start - timedelta(hours=1)
    # Mara's review nudge (22:00 the day before) waits for 08:00 in Paris, still before the call.
    review = await due_of(world, session_id, "mentor_review", "24h")
    assert review == datetime(2026, 12, 4, 7, 0, tzinfo=UTC)
    # The record nudge (22:45 in Paris) waits for the next morning; no evening copy is due.
    assert await due_of(world, session_id, "record_nudge", "after") == morning

    await advance_to(world, start - timedelta(hours=24))
    assert mara.dms == []  # 22:00 in Paris: nothing at night
    await advance_to(world, review)
    [nudge] = mara.dms
    assert nudge.text.startswith("## Review Sam's project before your session\n")

    told = len(sam.dms)
    await advance_to(world, start - timedelta(hours=1))
    assert len(sam.dms) == told + 1  # exactly one hour before

    await advance_to(world, start + timedelta(minutes=45))  # 22:45 in Paris
    assert len(mara.dms) == 1
    await advance_to(world, morning)
    record = mara.dms[-1]
    assert record.buttons == ["Record the session"]
    assert len(mara.dms) == 2
    world.sb.assert_no_unexpected_errors()
