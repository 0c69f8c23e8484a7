"""Program statistics: the counts a moderator sees, per period, per server, never notes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.db import Database
from bot.services import people
from bot.services import program_stats as service
from bot.storage import mentorships as ms
from bot.storage import program as store
from bot.storage import sessions as ss
from bot.storage.program import MentorLoad, SessionFact
from bot.vocabulary import SessionKind, SessionStatus

GUILD, OTHER_GUILD = 100, 200
ANNA, BEN = 1, 2  # mentors
CARL, DORA, EVA, FRED, GINA = 11, 12, 13, 14, 15  # students
NOW = datetime(2025, 3, 12, 12, 0, tzinfo=UTC)  # a Wednesday
LONG_AGO = NOW - timedelta(days=60)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "stats.db")
    await seed(database)
    yield database
    await database.close()


async def seed(db: Database) -> None:
    """Anna follows Carl and Dora, Ben follows Eva, Fred (archived) and Gina (new)."""
    async with db.transaction() as tx:

        async def follow(guild: int, mentor: int, student: int, since: datetime) -> int:
            added = await ms.add_mentorship(
                tx, guild, mentor, student, "P", None, None, 30, since, student_name=f"S{student}"
            )
            return added.id

        carl = await follow(GUILD, ANNA, CARL, LONG_AGO)
        dora = await follow(GUILD, ANNA, DORA, LONG_AGO)
        await follow(GUILD, BEN, EVA, LONG_AGO)
        fred = await follow(GUILD, BEN, FRED, LONG_AGO)
        await follow(GUILD, BEN, GINA, NOW - timedelta(days=3))
        elsewhere = await follow(OTHER_GUILD, ANNA, CARL, LONG_AGO)
        plan: dict[int, list[tuple[timedelta, str | None]]] = {
            carl: [
                (timedelta(days=2), SessionStatus.HELD),
                (timedelta(days=9), SessionStatus.CANCELLED_LATE),
                (timedelta(days=16), SessionStatus.NO_SHOW),
                (timedelta(days=40), SessionStatus.HELD),
                (timedelta(hours=3), None),  # ended less than a day ago
                (timedelta(days=-2), None),  # still to come
            ],
            dora: [
                (timedelta(days=5), None),  # left unrecorded
                (timedelta(days=25), SessionStatus.HELD),
                (timedelta(days=20), SessionStatus.CANCELLED_EARLY),
                (timedelta(days=6), SessionStatus.CANCELLED),
            ],
            fred: [(timedelta(days=3), SessionStatus.HELD)],
            elsewhere: [(timedelta(days=1), SessionStatus.HELD)],
        }
        for mentorship_id, sessions in plan.items():
            for ago, outcome in sessions:
                start = NOW - ago
                (session_id,) = await ss.add_sessions(
                    tx, mentorship_id, None, [(None, start)], 30, SessionKind.REGULAR, LONG_AGO
                )
                if outcome == "cancelled":
                    await ss.cancel_session(tx, session_id)
                elif outcome is not None:
                    await ss.record_outcome(tx, session_id, outcome, start)
        await ms.archive_mentorship(tx, fred, NOW - timedelta(days=1))


async def test_counts_over_thirty_days(db: Database) -> None:
    stats = await service.program_stats(db, GUILD, NOW, 30)
    assert stats.active_mentorships == 4
    assert stats.outcomes == {"held": 3, "cancelled_early": 1, "cancelled_late": 1, "no_show": 1}
    assert stats.unrecorded == 1
    assert [(q.student_id, q.mentor_id, q.last_held_at) for q in stats.quiet] == [
        (EVA, BEN, None),
        (DORA, ANNA, NOW - timedelta(days=25)),
    ]
    assert stats.quiet[0].since == LONG_AGO
    assert stats.loads == [MentorLoad(ANNA, 2), MentorLoad(BEN, 2)]


async def test_the_period_bounds_the_session_counts(db: Database) -> None:
    week = await service.program_stats(db, GUILD, NOW, 7)
    assert week.outcomes == {"held": 2, "cancelled_early": 0, "cancelled_late": 0, "no_show": 0}
    assert week.unrecorded == 1
    quarter = await service.program_stats(db, GUILD, NOW, 90)
    assert quarter.outcomes[SessionStatus.HELD] == 4
    with pytest.raises(ValueError, match="period"):
        await service.program_stats(db, GUILD, NOW, 14)


async def test_mentor_loads_busiest_first_and_only_active(db: Database) -> None:
    async with db.transaction() as tx:
        await ms.add_mentorship(tx, GUILD, BEN, 99, "P", None, None, 30, NOW, student_name="Extra")
    assert await store.mentor_loads(db, GUILD) == [MentorLoad(BEN, 3), MentorLoad(ANNA, 2)]
    assert await store.mentor_loads(db, OTHER_GUILD) == [MentorLoad(ANNA, 1)]


async def test_a_held_session_takes_a_student_off_the_quiet_list(db: Database) -> None:
    dora = await ms.find_active(db, GUILD, ANNA, DORA)
    assert dora is not None
    async with db.transaction() as tx:
        (session_id,) = await ss.add_sessions(
            tx, dora.id, None, [(None, NOW - timedelta(days=20))], 30, SessionKind.REGULAR, NOW
        )
        await ss.record_outcome(tx, session_id, SessionStatus.HELD, NOW)
    quiet = await store.quiet_students(db, GUILD, NOW - service.QUIET_AFTER)
    assert [q.student_id for q in quiet] == [EVA]


async def test_sessions_per_week_by_outcome(db: Database) -> None:
    stats = await service.program_stats(db, GUILD, NOW, 30)
    weeks = {w.week_start: {k: v for k, v in w.counts.items() if v} for w in stats.weeks}
    assert weeks == {
        date(2025, 2, 10): {"held": 1},
        date(2025, 2, 17): {"cancelled_early": 1},
        date(2025, 2, 24): {"no_show": 1},
        date(2025, 3, 3): {"cancelled_late": 1, "unrecorded": 1, "held": 1},
        date(2025, 3, 10): {"held": 1, "unrecorded": 1},
    }


def test_weeks_start_on_monday_in_the_server_zone() -> None:
    sunday_night_utc = datetime(2025, 3, 9, 23, 30, tzinfo=UTC)  # Monday 00:30 in Paris
    facts = [SessionFact(sunday_night_utc, SessionStatus.HELD)]
    since, until = datetime(2025, 3, 3, tzinfo=UTC), datetime(2025, 3, 12, tzinfo=UTC)
    in_utc = service.weekly_counts(facts, since, until, ZoneInfo("UTC"))
    in_paris = service.weekly_counts(facts, since, until, ZoneInfo("Europe/Paris"))
    assert [(w.week_start, w.counts[SessionStatus.HELD]) for w in in_utc] == [
        (date(2025, 3, 3), 1),
        (date(2025, 3, 10), 0),
    ]
    assert [(w.week_start, w.counts[SessionStatus.HELD]) for w in in_paris] == [
        (date(2025, 3, 3), 0),
        (date(2025, 3, 10), 1),
    ]


async def test_the_chart_is_a_png(db: Database) -> None:
    stats = await service.program_stats(db, GUILD, NOW, 90)
    png = service.render_chart(stats.weeks, {"held": "Held"}, "Sessions per week")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(png) > 1000


async def test_a_server_without_a_zone_counts_weeks_in_the_default_timezone(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(people, "_default_zone", "UTC")
    in_utc = await service.program_stats(db, GUILD, NOW, 30)
    people.use_default_zone("Pacific/Kiritimati")  # UTC+14: Sunday noon UTC is Monday there
    by_default = await service.program_stats(db, GUILD, NOW, 30)
    chosen = await service.program_stats(db, GUILD, NOW, 30, "Pacific/Kiritimati")
    assert by_default.weeks == chosen.weeks
    assert by_default.weeks != in_utc.weeks
