"""A chunk of due reminders read at once says what reading each one alone says."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.db import Database
from bot.reminders.planning import DIGEST, STUDENT_REMINDER, Planned, ReminderPrefs
from bot.services.people import reader_locale
from bot.services.reminder_context import load_context, load_contexts
from bot.storage import checkins as checkin_store
from bot.storage import mentorships as mentorship_store
from bot.storage import reminders as store
from bot.storage import sessions as session_store
from bot.storage.dm_channels import dm_channel_of, remember_dm_channel
from bot.storage.guild_config import get_config, update_settings
from bot.storage.reminders import Reminder
from bot.storage.user_prefs import remember_locale, set_language
from bot.vocabulary import SessionKind

GUILD, OTHER_GUILD = 100, 200
MENTOR, STUDENT, OTHER_STUDENT, STRANGER = 1, 11, 12, 13
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
START = NOW + timedelta(days=2)


async def _session(db: Database, student: int, guild: int = GUILD) -> tuple[int, int]:
    async with db.transaction() as tx:
        mentorship = await mentorship_store.add_mentorship(
            tx, guild, MENTOR, student, "P3", None, None, 30, NOW, student_name=f"S{student}"
        )
        (session_id,) = await session_store.add_sessions(
            tx, mentorship.id, None, [(None, START)], 30, SessionKind.REGULAR, NOW
        )
    return mentorship.id, session_id


async def _plan(
    db: Database, session_id: int | None, guild: int, *planned: Planned
) -> list[Reminder]:
    async with db.transaction() as tx:
        await store.add_planned(tx, session_id, guild, planned, NOW)
    return await store.due(db, NOW + timedelta(days=30), 100)


async def _world(db: Database) -> list[Reminder]:
    """Reminders whose people and servers differ in every way a context can."""
    first, session = await _session(db, STUDENT)
    _, other_session = await _session(db, OTHER_STUDENT, OTHER_GUILD)
    async with db.transaction() as tx:
        await checkin_store.set_links(
            tx, first, project_link="https://example.org/p", meeting_link=None
        )
        await update_settings(tx, GUILD, {"locale": "fr", "reminders_channel_id": 555}, NOW)
        await store.save_prefs(tx, STUDENT, ReminderPrefs(via="channel", paused=True), NOW)
    await set_language(db, MENTOR, "de", by_self=True, now=NOW)
    await remember_locale(db, OTHER_STUDENT, "es-ES", NOW)
    await remember_dm_channel(db, MENTOR, 9001, NOW)
    await _plan(db, session, GUILD, Planned(STUDENT_REMINDER, STUDENT, "48h", NOW))
    await _plan(
        db, other_session, OTHER_GUILD, Planned(STUDENT_REMINDER, OTHER_STUDENT, "48h", NOW)
    )
    await _plan(db, None, GUILD, Planned(DIGEST, MENTOR, "d1", NOW))
    return await _plan(db, None, GUILD, Planned(DIGEST, STRANGER, "d2", NOW))


async def test_a_chunk_read_at_once_matches_each_reminder_read_alone(db: Database) -> None:
    reminders = await _world(db)
    assert len(reminders) == 4
    contexts = await load_contexts(db, reminders)
    for reminder in reminders:
        context = contexts[reminder.id]
        assert context == await load_context(db, reminder)
        assert context.locale == await reader_locale(db, reminder.recipient_id, reminder.guild_id)
        assert context.prefs == await store.get_prefs(db, reminder.recipient_id)
        assert context.config == await get_config(db, reminder.guild_id)
        assert context.dm_channel_id == await dm_channel_of(db, reminder.recipient_id)
        if reminder.session_id is None:
            assert (context.view, context.links) == (None, None)
        else:
            view = await session_store.get_session_view(db, reminder.session_id)
            assert view is not None
            assert context.view == view
            assert context.links == await checkin_store.links_of(db, view.mentorship_id)
    by_person = {r.recipient_id: contexts[r.id] for r in reminders}
    assert [by_person[p].locale for p in (STUDENT, OTHER_STUDENT, MENTOR, STRANGER)] == [
        "fr",
        "es-ES",
        "de",
        "fr",
    ]
    assert by_person[STUDENT].prefs.paused
    assert by_person[MENTOR].dm_channel_id == 9001
    assert by_person[STUDENT].links == checkin_store.Links("https://example.org/p", None)


async def test_one_claim_takes_only_pending_reminders_and_a_release_undoes_it(
    db: Database,
) -> None:
    reminders = await _world(db)
    ids = [r.id for r in reminders]
    async with db.transaction() as tx:
        await store.mark_outcome(tx, ids[0], "cancelled", "gone")
        assert await store.claim(tx, ids[1], late=False)
    async with db.transaction() as tx:
        assert await store.claim_many(tx, ids) == set(ids[2:])
    after = {r.id: r for r in [await store.get_reminder(db, i) for i in ids] if r is not None}
    assert [after[i].status for i in ids] == ["cancelled", "sending", "sending", "sending"]
    assert [after[i].attempts for i in ids[2:]] == [1, 1]
    async with db.transaction() as tx:
        await store.release(tx, ids[2:])
    back = [await store.get_reminder(db, i) for i in ids[2:]]
    assert [(r.status, r.attempts) for r in back if r is not None] == [("pending", 0)] * 2


async def test_superseded_among_a_chunk_answers_as_superseded_by_each(db: Database) -> None:
    _, session = await _session(db, STUDENT)
    due = await _plan(
        db,
        session,
        GUILD,
        Planned(STUDENT_REMINDER, STUDENT, "48h", NOW),
        Planned(STUDENT_REMINDER, STUDENT, "24h", NOW + timedelta(hours=24)),
        Planned(STUDENT_REMINDER, STUDENT, "1h", NOW + timedelta(hours=47)),
        Planned(STUDENT_REMINDER, MENTOR, "48h", NOW),
    )
    await _plan(db, None, GUILD, Planned(DIGEST, MENTOR, "d1", NOW))
    due = await store.due(db, NOW + timedelta(days=30), 100)
    for now in (NOW, NOW + timedelta(hours=30), NOW + timedelta(days=3)):
        expected = {
            r.id: later for r in due if (later := await store.superseded_by(db, r, now)) is not None
        }
        assert await store.superseded_among(db, due, now) == expected
    assert len(await store.superseded_among(db, due, NOW + timedelta(days=3))) == 2
