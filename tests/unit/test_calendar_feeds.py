"""Calendar feeds: only a token's hash is stored, a reset kills the old token, the feed's rows."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from icalendar import Calendar

from bot.db import Database
from bot.services import calendar_feeds as service
from bot.storage import calendar_feeds as store
from bot.storage import mentorships as ms
from bot.storage import sessions as ss
from bot.vocabulary import SessionKind

GUILD = 100
ALICE, BOB = 1, 2  # mentors
CHLOE = 11  # a student
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
MEET = "https://meet.example.org/chloe"


async def _mentorship(db: Database) -> int:
    async with db.transaction() as tx:
        added = await ms.add_mentorship(
            tx, GUILD, ALICE, CHLOE, "P3 · Dashboard", None, None, 30, NOW, student_name="Chloe"
        )
        await tx.execute("UPDATE mentorships SET meeting_link = ? WHERE id = ?", (MEET, added.id))
    return added.id


async def _session(db: Database, mentorship_id: int, start: datetime) -> int:
    async with db.transaction() as tx:
        (session_id,) = await ss.add_sessions(
            tx, mentorship_id, None, [(None, start)], 30, SessionKind.REGULAR, NOW
        )
    return session_id


async def test_only_the_hash_is_stored_and_a_reset_kills_the_old_token(db: Database) -> None:
    token = await service.new_feed(db, ALICE, NOW)
    assert service.TOKEN_PATTERN.fullmatch(token)
    row = await db.fetch_one("SELECT token_hash, created_at FROM calendar_feeds")
    assert row is not None
    assert row["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert token not in row["token_hash"]
    assert await service.feed_made_at(db, ALICE) == NOW
    assert await service.owner_of(db, token) == ALICE
    assert await service.owner_of(db, token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert await service.owner_of(db, "../../etc/passwd") is None
    assert await service.owner_of(db, "") is None

    later = NOW + timedelta(days=1)
    renewed = await service.new_feed(db, ALICE, later)
    assert renewed != token
    assert await service.owner_of(db, token) is None
    assert await service.owner_of(db, renewed) == ALICE
    assert await service.feed_made_at(db, ALICE) == later
    rows = await db.fetch_all("SELECT user_id FROM calendar_feeds")
    assert [r["user_id"] for r in rows] == [ALICE]  # one feed per person


def test_feed_addresses_are_webcal_on_the_public_base() -> None:
    token = "x" * 43
    assert service.feed_url("https://mc.example.org/", token) == (
        f"webcal://mc.example.org/calendar/{token}.ics"
    )
    assert service.feed_url("http://127.0.0.1:8080", token) == (
        f"webcal://127.0.0.1:8080/calendar/{token}.ics"
    )
    assert service.feed_url("https://example.org/coach", token).startswith(
        "webcal://example.org/coach/calendar/"
    )


async def test_the_feed_lists_what_each_person_holds_with_status_and_sequence(
    db: Database,
) -> None:
    mentorship = await _mentorship(db)
    old = await _session(db, mentorship, NOW - timedelta(days=45))  # too old for the feed
    held = await _session(db, mentorship, NOW - timedelta(days=7))
    late = await _session(db, mentorship, NOW + timedelta(days=2))
    covered = await _session(db, mentorship, NOW + timedelta(days=9))
    async with db.transaction() as tx:
        await tx.execute("UPDATE sessions SET status = 'held' WHERE id = ?", (held,))
        await tx.execute("UPDATE sessions SET status = 'cancelled_late' WHERE id = ?", (late,))
        await ss.bump_revision(tx, [late])
        await ss.cover_session(tx, covered, BOB, "Bob")

    since = NOW - service.HISTORY
    alice = [r.session_id for r in await store.feed_sessions(db, ALICE, since)]
    assert alice == [held, late]  # not the one Bob covers, nor the old one
    bob = await store.feed_sessions(db, BOB, since)
    assert [(r.session_id, r.mentor_id) for r in bob] == [(covered, BOB)]
    chloe = await store.feed_sessions(db, CHLOE, since)
    assert [r.session_id for r in chloe] == [held, late, covered]
    assert old not in [r.session_id for r in chloe]
    assert await service.planned_count(db, CHLOE, NOW) == 1

    events = {
        str(e["uid"]): e
        for e in Calendar.from_ical(await service.feed_of(db, CHLOE, NOW)).walk("VEVENT")
    }
    assert str(events[f"session-{held}@mentor-coach"]["status"]) == "CONFIRMED"
    cancelled = events[f"session-{late}@mentor-coach"]
    assert str(cancelled["status"]) == "CANCELLED"
    assert int(cancelled["sequence"]) == 1
    assert str(cancelled["url"]) == MEET
    assert "P3 · Dashboard" in str(cancelled["description"])
    assert str(cancelled["summary"]) == "Regular session with your mentor"
    # The peer who covers one session is named by the name he gave as he accepted.
    covering = events[f"session-{covered}@mentor-coach"]
    assert str(covering["summary"]) == "Regular session with your mentor Bob"

    token = await service.new_feed(db, CHLOE, NOW)
    assert await service.feed_for_token(db, token, NOW) == await service.feed_of(db, CHLOE, NOW)
    assert await service.feed_for_token(db, "B" * 43, NOW) is None
