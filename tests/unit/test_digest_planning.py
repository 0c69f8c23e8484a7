"""The mentors' digests, planned in batches: the same reminders as one mentor at a time."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.clock import iso
from bot.db import Database
from bot.reminders.planning import DIGEST, Planned, awake, next_digest
from bot.services import digests
from bot.services.people import zone_for
from bot.storage import guild_config, user_prefs
from bot.storage import mentorships as ms

PARIS_GUILD, TOKYO_GUILD, PLAIN_GUILD = 100, 200, 300
NOW = datetime(2025, 3, 5, 14, 30, tzinfo=UTC)


async def _mentorship(db: Database, guild_id: int, mentor_id: int, student_id: int) -> int:
    async with db.transaction() as tx:
        added = await ms.add_mentorship(
            tx, guild_id, mentor_id, student_id, "P3", None, None, 30, NOW, student_name="S"
        )
    return added.id


async def _expected(db: Database, guild_id: int, mentor_id: int) -> tuple[int, str, str]:
    """The digest as planned before batching: the mentor's zone read alone, then `awake`."""
    zone = await zone_for(db, mentor_id, guild_id)
    slot, due = next_digest(NOW, zone)
    (digest,) = awake([Planned(DIGEST, mentor_id, f"{guild_id}:{slot}", due)], {mentor_id: zone})
    return mentor_id, digest.slot, iso(digest.due_at)


async def test_batched_digests_are_those_planned_one_mentor_at_a_time(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(digests, "DIGEST_BATCH", 2)
    async with db.transaction() as tx:
        await guild_config.update_settings(
            tx, PARIS_GUILD, {"default_timezone": "Europe/Paris"}, NOW
        )
        await guild_config.update_settings(tx, TOKYO_GUILD, {"default_timezone": "Asia/Tokyo"}, NOW)
    await user_prefs.set_timezone(db, 2, "America/New_York", NOW)
    # Mentor 1 in two servers (two digests), with two students in one; mentor 2 with a zone of
    # their own; mentor 3 in a server without a zone; mentor 4's only mentorship is archived.
    await _mentorship(db, PARIS_GUILD, 1, 11)
    await _mentorship(db, PARIS_GUILD, 1, 12)
    await _mentorship(db, TOKYO_GUILD, 1, 13)
    await _mentorship(db, TOKYO_GUILD, 2, 14)
    await _mentorship(db, PLAIN_GUILD, 3, 15)
    await _mentorship(db, PARIS_GUILD, 5, 16)
    archived = await _mentorship(db, PARIS_GUILD, 4, 17)
    async with db.transaction() as tx:
        await ms.archive_mentorship(tx, archived, NOW)

    assert await digests.plan_digests(db, NOW) == 5
    assert await digests.plan_digests(db, NOW) == 5  # again: nothing added twice

    rows = await db.fetch_all(
        "SELECT guild_id, recipient_id, slot, due_at, status FROM reminders "
        "WHERE kind = 'digest' ORDER BY guild_id, recipient_id"
    )
    found = {
        (row["guild_id"], row["recipient_id"], row["slot"], row["due_at"], row["status"])
        for row in rows
    }
    assert len(rows) == 5
    expected = set()
    for guild_id, mentor_id in [
        (PARIS_GUILD, 1),
        (PARIS_GUILD, 5),
        (TOKYO_GUILD, 1),
        (TOKYO_GUILD, 2),
        (PLAIN_GUILD, 3),
    ]:
        recipient, slot, due = await _expected(db, guild_id, mentor_id)
        expected.add((guild_id, recipient, slot, due, "pending"))
    assert found == expected
