"""Sessions: series materialised once, clashes between students, outcomes recorded once."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from bot.db import Database
from bot.services.sessions import HORIZON, extend_series
from bot.storage import mentorships as ms
from bot.storage import sessions as ss
from bot.vocabulary import OUTCOMES, SessionKind, SessionStatus
from tests.unit.clocks import wall_clock

GUILD = 100
ALICE, BOB = 1, 2  # mentors
CHLOE, DAVID = 11, 12  # students
NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
MONDAY_6PM = datetime(2025, 3, 10, 17, 0, tzinfo=UTC)  # 18:00 in Paris


async def _mentorship(db: Database, mentor: int = ALICE, student: int = CHLOE) -> int:
    async with db.transaction() as tx:
        added = await ms.add_mentorship(
            tx, GUILD, mentor, student, "P3", None, None, 30, NOW, student_name="Student"
        )
    return added.id


async def _one_off(db: Database, mentorship_id: int, start: datetime, minutes: int = 30) -> int:
    async with db.transaction() as tx:
        (session_id,) = await ss.add_sessions(
            tx, mentorship_id, None, [(None, start)], minutes, SessionKind.REGULAR, NOW
        )
    return session_id


def _weekly(count: int, first: int = 0) -> list[tuple[int | None, datetime]]:
    return [(n, MONDAY_6PM + timedelta(weeks=n)) for n in range(first, first + count)]


async def test_re_materialising_a_series_is_idempotent(db: Database) -> None:
    mentorship = await _mentorship(db)
    async with db.transaction() as tx:
        series_id = await ss.add_series(
            tx,
            mentorship,
            "Europe/Paris",
            wall_clock(2025, 3, 10, 18, 0),
            "weekly",
            SessionKind.REGULAR,
            30,
        )
        first = await ss.add_sessions(
            tx, mentorship, series_id, _weekly(4), 30, SessionKind.REGULAR, NOW
        )
        await ss.set_materialised_until(tx, series_id, MONDAY_6PM + timedelta(weeks=4))
    async with db.transaction() as tx:
        again = await ss.add_sessions(
            tx, mentorship, series_id, _weekly(6), 30, SessionKind.REGULAR, NOW
        )
    assert len(first) == 4
    assert len(again) == 2  # only occurrences 4 and 5 are new
    views = await ss.sessions_of_mentor(db, GUILD, ALICE)
    assert [v.session.occurrence for v in views] == [0, 1, 2, 3, 4, 5]
    assert all(v.session.series_id == series_id for v in views)
    series = await ss.get_series(db, series_id)
    assert series is not None
    assert series.local_start == wall_clock(2025, 3, 10, 18, 0)
    assert series.local_start.tzinfo is None
    assert series.materialised_until == MONDAY_6PM + timedelta(weeks=4)


async def test_a_moved_occurrence_is_not_recreated(db: Database) -> None:
    mentorship = await _mentorship(db)
    async with db.transaction() as tx:
        series_id = await ss.add_series(
            tx, mentorship, "UTC", wall_clock(2025, 3, 10, 17, 0), "weekly", SessionKind.REGULAR, 30
        )
        ids = await ss.add_sessions(
            tx, mentorship, series_id, _weekly(2), 30, SessionKind.REGULAR, NOW
        )
        assert await ss.reschedule(tx, ids[1], MONDAY_6PM + timedelta(weeks=1, days=1))
    async with db.transaction() as tx:
        assert (
            await ss.add_sessions(
                tx, mentorship, series_id, _weekly(2), 30, SessionKind.REGULAR, NOW
            )
            == []
        )
    moved = await ss.get_session(db, ids[1])
    assert moved is not None
    assert moved.moved
    assert moved.starts_at == MONDAY_6PM + timedelta(weeks=1, days=1)


async def test_series_to_extend_lists_series_behind_the_horizon(db: Database) -> None:
    mentorship = await _mentorship(db)
    async with db.transaction() as tx:
        fresh = await ss.add_series(
            tx, mentorship, "UTC", wall_clock(2025, 3, 10, 17, 0), "weekly", SessionKind.REGULAR, 30
        )
        done = await ss.add_series(
            tx, mentorship, "UTC", wall_clock(2025, 3, 11, 17, 0), "weekly", SessionKind.REGULAR, 30
        )
        await ss.set_materialised_until(tx, done, NOW + timedelta(weeks=8))
    horizon = NOW + timedelta(weeks=4)
    assert [s.id for s in await ss.series_to_extend(db, horizon)] == [fresh]
    assert [s.id for s in await ss.series_to_extend(db, NOW + timedelta(weeks=9))] == [
        fresh,
        done,
    ]


async def test_cancelling_a_series_from_an_instant(db: Database) -> None:
    mentorship = await _mentorship(db)
    async with db.transaction() as tx:
        series_id = await ss.add_series(
            tx, mentorship, "UTC", wall_clock(2025, 3, 10, 17, 0), "weekly", SessionKind.REGULAR, 30
        )
        ids = await ss.add_sessions(
            tx, mentorship, series_id, _weekly(4), 30, SessionKind.REGULAR, NOW
        )
        await ss.set_materialised_until(tx, series_id, MONDAY_6PM + timedelta(weeks=4))
    cut = MONDAY_6PM + timedelta(weeks=2)
    async with db.transaction() as tx:
        cancelled = await ss.cancel_series_from(tx, series_id, cut)
    assert cancelled == ids[2:]
    statuses = [v.session.status for v in await ss.sessions_of_mentor(db, GUILD, ALICE)]
    assert statuses == [
        SessionStatus.SCHEDULED,
        SessionStatus.SCHEDULED,
        SessionStatus.CANCELLED,
        SessionStatus.CANCELLED,
    ]
    series = await ss.get_series(db, series_id)
    assert series is not None
    assert series.ended_at == cut
    assert await ss.series_to_extend(db, NOW + timedelta(weeks=52)) == []


async def test_clashes_across_two_students_of_the_same_mentor(db: Database) -> None:
    with_chloe = await _mentorship(db, ALICE, CHLOE)
    with_david = await _mentorship(db, ALICE, DAVID)
    bob_with_chloe = await _mentorship(db, BOB, CHLOE)
    chloe_session = await _one_off(db, with_chloe, MONDAY_6PM, 45)  # 17:00-17:45
    await _one_off(db, bob_with_chloe, MONDAY_6PM, 30)  # another mentor: never a clash

    overlapping = await ss.clashes(db, ALICE, MONDAY_6PM + timedelta(minutes=30), 30)
    assert [v.session.id for v in overlapping] == [chloe_session]
    assert overlapping[0].student_id == CHLOE
    assert overlapping[0].mentorship_id == with_chloe
    assert overlapping[0].project == "P3"
    assert overlapping[0].mentor_id == ALICE

    # Touching intervals do not clash, on either side.
    assert await ss.clashes(db, ALICE, MONDAY_6PM + timedelta(minutes=45), 30) == []
    assert await ss.clashes(db, ALICE, MONDAY_6PM - timedelta(minutes=30), 30) == []
    # One that contains the other does.
    assert len(await ss.clashes(db, ALICE, MONDAY_6PM - timedelta(minutes=5), 60)) == 1

    david_session = await _one_off(db, with_david, MONDAY_6PM + timedelta(hours=2))
    async with db.transaction() as tx:
        found = await ss.clashes(tx, ALICE, MONDAY_6PM + timedelta(minutes=10), 30)
        assert [v.session.id for v in found] == [chloe_session]
        # A session never clashes with itself when it is being moved.
        assert await ss.clashes(tx, ALICE, MONDAY_6PM, 45, exclude_session_id=chloe_session) == []
        assert await ss.cancel_session(tx, chloe_session)
    # Cancelled sessions free the slot.
    assert await ss.clashes(db, ALICE, MONDAY_6PM, 45) == []
    assert [
        v.session.id for v in await ss.clashes(db, ALICE, MONDAY_6PM + timedelta(hours=2), 30)
    ] == [david_session]


async def test_reschedule_then_attendance_counts(db: Database) -> None:
    mentorship = await _mentorship(db)
    ids = [await _one_off(db, mentorship, MONDAY_6PM + timedelta(weeks=n)) for n in range(5)]
    async with db.transaction() as tx:
        assert await ss.set_student_response(tx, ids[0], "confirmed", None, NOW)
        assert await ss.reschedule(tx, ids[0], MONDAY_6PM + timedelta(hours=1))
    moved = await ss.get_session(db, ids[0])
    assert moved is not None
    assert moved.moved
    assert moved.student_response is None
    assert moved.starts_at == MONDAY_6PM + timedelta(hours=1)

    later = MONDAY_6PM + timedelta(weeks=6)
    async with db.transaction() as tx:
        await ss.record_outcome(tx, ids[0], SessionStatus.HELD, later)
        await ss.record_outcome(tx, ids[1], SessionStatus.HELD, later)
        await ss.record_outcome(tx, ids[2], SessionStatus.CANCELLED_EARLY, later)
        await ss.record_outcome(tx, ids[3], SessionStatus.NO_SHOW, later)
        assert await ss.cancel_session(tx, ids[4])
        assert not await ss.reschedule(tx, ids[4], later)  # only scheduled sessions move
    counts = await ss.attendance(db, mentorship)
    assert counts == ss.Attendance(
        counts={"held": 2, "cancelled_early": 1, "cancelled_late": 0, "no_show": 1},
        last_held_at=MONDAY_6PM + timedelta(weeks=1),
    )
    assert counts.attended == 2
    last = await ss.last_recorded(db, mentorship)
    assert last is not None
    assert last.id == ids[3]


async def test_attendance_of_a_new_mentorship_is_empty(db: Database) -> None:
    mentorship = await _mentorship(db)
    assert await ss.attendance(db, mentorship) == ss.Attendance(
        {"held": 0, "cancelled_early": 0, "cancelled_late": 0, "no_show": 0}, None
    )
    assert await ss.last_recorded(db, mentorship) is None
    assert await ss.next_session(db, mentorship, NOW) is None


async def test_an_outcome_is_recorded_only_once(db: Database) -> None:
    mentorship = await _mentorship(db)
    session_id = await _one_off(db, mentorship, MONDAY_6PM)
    recorded_at = MONDAY_6PM + timedelta(hours=1)
    async with db.transaction() as tx:
        recorded = await ss.record_outcome(
            tx, session_id, SessionStatus.CANCELLED_LATE, recorded_at
        )
    assert recorded.status == SessionStatus.CANCELLED_LATE
    assert recorded.recorded_at == recorded_at
    with pytest.raises(ss.NotRecordable) as refused:
        async with db.transaction() as tx:
            await ss.record_outcome(tx, session_id, SessionStatus.HELD, recorded_at)
    assert refused.value.status == SessionStatus.CANCELLED_LATE
    with pytest.raises(ss.NotRecordable):
        async with db.transaction() as tx:
            await ss.record_outcome(tx, 999, SessionStatus.HELD, recorded_at)
    with pytest.raises(ValueError, match="not a session outcome"):
        async with db.transaction() as tx:
            await ss.record_outcome(tx, session_id, SessionStatus.SCHEDULED, recorded_at)
    stored = await ss.get_session(db, session_id)
    assert stored is not None
    assert stored.status == SessionStatus.CANCELLED_LATE


async def test_unrecorded_sessions_are_the_ended_scheduled_ones(db: Database) -> None:
    mentorship = await _mentorship(db)
    old = await _one_off(db, mentorship, MONDAY_6PM - timedelta(weeks=5))
    ended = await _one_off(db, mentorship, MONDAY_6PM - timedelta(days=1))
    just_ended = await _one_off(db, mentorship, MONDAY_6PM - timedelta(minutes=30))
    await _one_off(db, mentorship, MONDAY_6PM - timedelta(minutes=10))  # still running
    recorded = await _one_off(db, mentorship, MONDAY_6PM - timedelta(days=2))
    async with db.transaction() as tx:
        await ss.record_outcome(tx, recorded, SessionStatus.HELD, MONDAY_6PM)
    found = await ss.unrecorded_sessions(
        db, ALICE, ended_before=MONDAY_6PM, since=MONDAY_6PM - timedelta(weeks=4)
    )
    assert [v.session.id for v in found] == [just_ended, ended]
    assert old not in [v.session.id for v in found]
    assert await ss.unrecorded_sessions(db, BOB, MONDAY_6PM, NOW - timedelta(weeks=9)) == []


async def test_student_response_and_next_session(db: Database) -> None:
    mentorship = await _mentorship(db)
    first = await _one_off(db, mentorship, MONDAY_6PM)
    second = await _one_off(db, mentorship, MONDAY_6PM + timedelta(weeks=1))
    async with db.transaction() as tx:
        assert await ss.set_student_response(tx, first, "declined", "Exam that day", NOW)
        with pytest.raises(ValueError, match="not a student response"):
            await ss.set_student_response(tx, first, "maybe", None, NOW)
    declined = await ss.get_session(db, first)
    assert declined is not None
    assert declined.student_response == "declined"
    assert declined.student_reason == "Exam that day"
    assert declined.responded_at == NOW
    upcoming = await ss.next_session(db, mentorship, NOW)
    assert upcoming is not None
    assert upcoming.id == first
    async with db.transaction() as tx:
        await ss.cancel_session(tx, first)
    upcoming = await ss.next_session(db, mentorship, NOW)
    assert upcoming is not None
    assert upcoming.id == second
    assert upcoming.ends_at == upcoming.starts_at + timedelta(minutes=30)


async def test_listing_past_and_upcoming_sessions(db: Database) -> None:
    with_chloe = await _mentorship(db, ALICE, CHLOE)
    bob_with_chloe = await _mentorship(db, BOB, CHLOE)
    past = [await _one_off(db, with_chloe, NOW - timedelta(weeks=n)) for n in (1, 2)]
    future = [await _one_off(db, with_chloe, NOW + timedelta(weeks=n)) for n in (1, 2)]
    bob_future = await _one_off(db, bob_with_chloe, NOW + timedelta(days=3))

    upcoming = await ss.sessions_of_mentor(db, GUILD, ALICE, after=NOW)
    assert [v.session.id for v in upcoming] == future
    history = await ss.sessions_of_mentor(db, GUILD, ALICE, before=NOW)
    assert [v.session.id for v in history] == past  # newest first
    page = await ss.sessions_of_mentor(db, GUILD, ALICE, limit=1, offset=1)
    assert [v.session.id for v in page] == [past[0]]
    assert await ss.sessions_of_mentor(db, GUILD, ALICE, statuses=[SessionStatus.HELD]) == []
    assert await ss.sessions_of_mentor(db, GUILD, ALICE, statuses=[]) == []

    student_upcoming = await ss.sessions_of_student(db, CHLOE, after=NOW)
    assert [v.session.id for v in student_upcoming] == [bob_future, *future]
    assert {v.mentor_id for v in student_upcoming} == {ALICE, BOB}
    assert await ss.sessions_of_student(db, CHLOE, guild_id=GUILD + 1) == []


async def test_naive_instants_are_refused(db: Database) -> None:
    mentorship = await _mentorship(db)
    with pytest.raises(ValueError, match="aware"):
        async with db.transaction() as tx:
            await ss.add_sessions(
                tx,
                mentorship,
                None,
                [(None, wall_clock(2025, 3, 10, 18, 0))],
                30,
                SessionKind.REGULAR,
                NOW,
            )
    with pytest.raises(ValueError, match="naive"):
        async with db.transaction() as tx:
            await ss.add_series(
                tx, mentorship, "UTC", MONDAY_6PM, "weekly", SessionKind.REGULAR, 30
            )


async def test_deleting_a_series_keeps_its_sessions(db: Database) -> None:
    mentorship = await _mentorship(db)
    async with db.transaction() as tx:
        series_id = await ss.add_series(
            tx, mentorship, "UTC", wall_clock(2025, 3, 10, 17, 0), "weekly", SessionKind.REGULAR, 30
        )
        ids = await ss.add_sessions(
            tx, mentorship, series_id, _weekly(2), 30, SessionKind.REGULAR, NOW
        )
        await tx.execute("DELETE FROM series WHERE id = ?", (series_id,))
    kept = await ss.get_session(db, ids[0])
    assert kept is not None
    assert kept.series_id is None


async def _series_at_horizon(db: Database, count: int) -> list[int]:
    """`count` weekly series, each materialised as far as maintenance would at NOW."""
    ids = []
    for index in range(count):
        mentorship = await _mentorship(db, ALICE + 10 * index, CHLOE + 10 * index)
        async with db.transaction() as tx:
            ids.append(
                await ss.add_series(
                    tx,
                    mentorship,
                    "Europe/Paris",
                    wall_clock(2025, 3, 10, 18, 0),
                    "weekly",
                    "regular",
                    30,
                )
            )
    return ids


async def test_maintenance_adds_only_what_is_new_and_skips_series_with_nothing_to_add(
    db: Database,
) -> None:
    await _series_at_horizon(db, 3)
    first = await extend_series(db, NOW)
    assert first == 3 * 11  # Mondays 10 March .. 19 May: before 26 May 09:00 (3 March + 12 w)
    # An hour later nothing is due: no series even comes back to be looked at.
    assert await ss.series_to_extend(db, NOW + timedelta(hours=1) + HORIZON) == []
    assert await extend_series(db, NOW + timedelta(hours=1)) == 0
    # A week later, one more occurrence each, continuing the numbering.
    assert await extend_series(db, NOW + timedelta(weeks=1)) == 3
    rows = await db.fetch_all("SELECT series_id, MAX(occurrence) FROM sessions GROUP BY series_id")
    assert [row[1] for row in rows] == [11, 11, 11]
    count = await db.fetch_one("SELECT COUNT(*) FROM sessions")
    assert count is not None
    assert count[0] == 3 * 12


async def test_the_schema_checks_the_same_kinds_and_statuses_as_the_vocabulary(
    db: Database,
) -> None:
    row = await db.fetch_one("SELECT sql FROM sqlite_master WHERE name = 'sessions'")
    assert row is not None
    checks = {
        column: set(re.findall(r"'([a-z_]+)'", values))
        for column, values in re.findall(r"CHECK \((kind|status) IN \(([^)]*)\)\)", row["sql"])
    }
    assert checks == {"kind": set(SessionKind), "status": set(SessionStatus)}
    assert set(OUTCOMES) < set(SessionStatus)


async def test_a_mentors_sessions_are_read_from_the_mentor_not_the_server(db: Database) -> None:
    """In a server with many mentorships, the plan starts from the mentor's own (issue 14)."""
    async with db.transaction() as tx:
        for student in range(1000, 1200):
            await ms.add_mentorship(
                tx, GUILD, BOB, student, "P3", None, None, 30, NOW, student_name="S"
            )
    mine = await _mentorship(db)
    await _one_off(db, mine, MONDAY_6PM)
    statements: list[str] = []
    await db.set_trace_callback(statements.append)
    upcoming = await ss.sessions_of_mentor(db, GUILD, ALICE, after=NOW)
    unrecorded = await ss.unrecorded_sessions(
        db, ALICE, MONDAY_6PM + timedelta(hours=1), NOW, guild_id=GUILD
    )
    await db.set_trace_callback(None)
    assert [v.mentorship_id for v in upcoming] == [v.mentorship_id for v in unrecorded] == [mine]
    reads = [sql for sql in statements if sql.startswith("SELECT") and "FROM sessions" in sql]
    assert len(reads) == 2
    for sql in reads:
        plan = [str(row[3]) for row in await db.fetch_all(f"EXPLAIN QUERY PLAN {sql}")]
        assert not any("(guild_id=?)" in step for step in plan), plan
