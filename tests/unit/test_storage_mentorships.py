"""Mentorships: a mentor takes a student on, never twice at once, and archives them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.db import Database
from bot.storage import mentorships as ms
from bot.storage import sessions as ss
from bot.vocabulary import SessionKind, SessionStatus
from tests.unit.clocks import wall_clock

GUILD = 100
ALICE, BOB = 1, 2  # mentors
CHLOE, DAVID = 11, 12  # students
NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


async def _add(
    db: Database, mentor: int = ALICE, student: int = CHLOE, *, at: datetime = NOW
) -> ms.Mentorship:
    async with db.transaction() as tx:
        return await ms.add_mentorship(
            tx,
            GUILD,
            mentor,
            student,
            "P2 Website",
            "Web developer",
            "Get hired",
            30,
            at,
            student_name="Chloé",
        )


async def test_a_mentor_adds_a_student(db: Database) -> None:
    added = await _add(db)
    assert added.mentor_id == ALICE
    assert added.student_id == CHLOE
    assert added.project == "P2 Website"
    assert added.path == "Web developer"
    assert added.session_minutes == 30
    assert added.active
    assert added.created_at == NOW
    assert added.created_at.tzinfo is not None
    assert added.archived_at is None
    assert await ms.get_mentorship(db, added.id) == added
    assert await ms.find_active(db, GUILD, ALICE, CHLOE) == added
    assert await ms.active_for_mentor(db, GUILD, ALICE) == [added]
    assert await ms.mentorships_of_student(db, CHLOE, GUILD) == [added]
    assert await ms.mentorships_of_student(db, CHLOE, None) == [added]
    assert await ms.get_mentorship(db, 999) is None


async def test_the_same_student_twice_is_refused(db: Database) -> None:
    await _add(db)
    with pytest.raises(ms.AlreadyMentoring):
        await _add(db)
    assert len(await ms.active_for_mentor(db, GUILD, ALICE)) == 1


async def test_another_mentor_may_mentor_the_same_student(db: Database) -> None:
    first = await _add(db, ALICE, CHLOE)
    second = await _add(db, BOB, CHLOE, at=NOW + timedelta(days=1))
    assert await ms.mentorships_of_student(db, CHLOE, GUILD) == [first, second]
    assert await ms.active_for_mentor(db, GUILD, BOB) == [second]


async def test_a_mentor_lists_students_oldest_first(db: Database) -> None:
    later = await _add(db, ALICE, DAVID, at=NOW + timedelta(hours=1))
    earlier = await _add(db, ALICE, CHLOE, at=NOW)
    assert await ms.active_for_mentor(db, GUILD, ALICE) == [earlier, later]
    assert await ms.active_for_mentor(db, GUILD + 1, ALICE) == []


async def test_session_length_must_be_30_or_45(db: Database) -> None:
    with pytest.raises(Exception, match="CHECK constraint failed"):
        async with db.transaction() as tx:
            await ms.add_mentorship(
                tx, GUILD, ALICE, CHLOE, "P1", None, None, 60, NOW, student_name="C"
            )


async def test_update_changes_only_the_given_fields(db: Database) -> None:
    added = await _add(db)
    async with db.transaction() as tx:
        updated = await ms.update_mentorship(tx, added.id, goal=None, session_minutes=45)
    assert updated is not None
    assert updated.goal is None
    assert updated.session_minutes == 45
    assert updated.project == added.project
    assert updated.path == added.path
    async with db.transaction() as tx:
        same = await ms.update_mentorship(tx, added.id)
        missing = await ms.update_mentorship(tx, 999, project="x")
    assert same == updated
    assert missing is None


async def test_archive_cancels_future_sessions_and_ends_series(db: Database) -> None:
    added = await _add(db)
    async with db.transaction() as tx:
        series_id = await ss.add_series(
            tx,
            added.id,
            "Europe/Paris",
            wall_clock(2025, 3, 1, 18, 0),
            "weekly",
            SessionKind.REGULAR,
            30,
        )
        past, future_a, future_b = await ss.add_sessions(
            tx,
            added.id,
            series_id,
            [
                (0, NOW - timedelta(days=2)),
                (1, NOW + timedelta(days=5)),
                (2, NOW + timedelta(days=12)),
            ],
            30,
            SessionKind.REGULAR,
            NOW - timedelta(days=7),
        )
        one_off = (
            await ss.add_sessions(
                tx, added.id, None, [(None, NOW + timedelta(days=1))], 30, SessionKind.REGULAR, NOW
            )
        )[0]
    async with db.transaction() as tx:
        cancelled = await ms.archive_mentorship(tx, added.id, NOW)
    assert cancelled == sorted([future_a, future_b, one_off])
    archived = await ms.get_mentorship(db, added.id)
    assert archived is not None
    assert not archived.active
    assert archived.archived_at == NOW
    past_session = await ss.get_session(db, past)
    assert past_session is not None
    assert past_session.status == SessionStatus.SCHEDULED
    series = await ss.get_series(db, series_id)
    assert series is not None
    assert series.ended_at == NOW
    assert await ss.series_to_extend(db, NOW + timedelta(days=60)) == []
    assert await ms.find_active(db, GUILD, ALICE, CHLOE) is None
    assert await ms.mentorships_of_student(db, CHLOE, GUILD) == []
    assert await ms.mentorships_of_student(db, CHLOE, GUILD, include_archived=True) == [archived]
    async with db.transaction() as tx:
        assert await ms.archive_mentorship(tx, added.id, NOW) == []


async def test_after_archiving_the_student_can_be_taken_again(db: Database) -> None:
    first = await _add(db)
    async with db.transaction() as tx:
        await ms.archive_mentorship(tx, first.id, NOW)
    again = await _add(db, at=NOW + timedelta(days=30))
    assert again.id != first.id
    assert again.active


async def test_deleting_a_mentorship_removes_its_sessions_and_series(db: Database) -> None:
    added = await _add(db)
    async with db.transaction() as tx:
        series_id = await ss.add_series(
            tx, added.id, "UTC", wall_clock(2025, 3, 4, 10, 0), "weekly", SessionKind.REGULAR, 30
        )
        await ss.add_sessions(
            tx, added.id, series_id, [(0, NOW + timedelta(days=1))], 30, SessionKind.REGULAR, NOW
        )
        await tx.execute("DELETE FROM mentorships WHERE id = ?", (added.id,))
    assert await db.fetch_all("SELECT id FROM sessions") == []
    assert await db.fetch_all("SELECT id FROM series") == []
