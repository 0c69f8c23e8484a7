"""A committed write never looks failed, even with the database busy.

With another writer holding the database's write lock for longer than Discord's 3 s deadline,
people still get a real answer, and a retried form stores one note.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.storage import mentorships as mentorship_store
from bot.storage import notes as note_store
from bot.storage import sessions as session_store
from bot.storage.notes import Note
from sandbox.driver import Persona
from tests.e2e.conftest import World
from tests.e2e.test_reminders import advance_to, due_of, setup_pair

HOLD = 4.0
"""Seconds the other writer keeps the lock: more than Discord's 3 s, less than busy_timeout."""


@asynccontextmanager
async def another_writer_holds_the_lock(path: Path, seconds: float = HOLD) -> AsyncIterator[None]:
    """Hold the write lock from a second connection in another thread, as another process would."""
    locked = threading.Event()

    def hold() -> None:
        connection = sqlite3.connect(path, isolation_level=None)
        try:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("UPDATE user_prefs SET locale = locale")
            locked.set()
            time.sleep(seconds)
            connection.execute("COMMIT")
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    await asyncio.to_thread(locked.wait, 5)
    assert locked.is_set()
    try:
        yield
    finally:
        await asyncio.to_thread(holder.join)


async def notes_of(world: World, mentor: Persona) -> list[Note]:
    assert world.sb.guild is not None
    [mentorship] = await mentorship_store.active_for_mentor(world.db, world.sb.guild.id, mentor.id)
    return await note_store.notes_of(world.db, mentorship.id, mentor.id, limit=50)


async def mentor_with_sam(world: World) -> Persona:
    mara = world.mara
    await mara.slash("timezone set", zone="Europe/Paris")
    await mara.slash("student add", member=world.sam, project="P2", session_length=30)
    return mara


async def test_a_note_saved_while_another_writer_holds_the_lock_is_answered_not_failed(
    world: World,
) -> None:
    mara = await mentor_with_sam(world)
    forms = [await mara.slash("note add", student="Sam") for _ in range(3)]
    started = time.monotonic()
    async with another_writer_holds_the_lock(world.path):
        replies = [
            await mara.submit_modal(
                form, {"Title": f"Busy {n}", "Note": "Written under lock"}, wait=False
            )
            for n, form in enumerate(forms)
        ]
        settled = await asyncio.gather(*(world.sb.settle(reply) for reply in replies))
    assert time.monotonic() - started >= HOLD - 0.5  # the lock really was in the way
    for reply in settled:
        assert reply.deferred  # acknowledged within Discord's deadline, before the write
        assert "Note saved" in reply.content, reply.content
        assert reply.ephemeral
    assert sorted(n.title for n in await notes_of(world, mara)) == ["Busy 0", "Busy 1", "Busy 2"]


async def test_the_same_form_submitted_twice_stores_one_note(world: World) -> None:
    mara = await mentor_with_sam(world)
    form = await mara.slash("note add", student="Sam")
    values = {"Title": "Retried", "Note": "The first answer seemed lost"}
    async with another_writer_holds_the_lock(world.path):
        first = await mara.submit_modal(form, values, wait=False)
        again = await mara.submit_modal(form, values, wait=False)
        answers = await asyncio.gather(world.sb.settle(first), world.sb.settle(again))
    assert all("Note saved" in reply.content for reply in answers), [r.content for r in answers]
    [note] = await notes_of(world, mara)
    assert note.title == "Retried"
    # And once more, without any lock: still one note.
    await mara.submit_modal(form, values)
    assert len(await notes_of(world, mara)) == 1


async def test_feedback_submitted_twice_under_a_held_lock_stores_one_note(world: World) -> None:
    mara = await mentor_with_sam(world)
    form = await mara.slash("feedback", student="Sam", template="deliverable_review")
    values = {
        "expected": "A deck",
        "handed_in": "The deck",
        "skills": "Layout",
        "questions": "Tests?",
        "next_steps": "- README",
    }
    async with another_writer_holds_the_lock(world.path):
        first = await mara.submit_modal(form, values, wait=False)
        again = await mara.submit_modal(form, values, wait=False)
        answers = await asyncio.gather(world.sb.settle(first), world.sb.settle(again))
    assert all("Feedback saved" in reply.content for reply in answers), [
        reply.content for reply in answers
    ]
    assert len(await notes_of(world, mara)) == 1


async def test_commands_under_a_held_lock_answer_in_time_and_never_half_save(world: World) -> None:
    mara = await mentor_with_sam(world)
    await mara.submit_modal(
        await mara.slash("note add", student="Sam"), {"Title": "Before", "Note": "Kept"}
    )
    async with another_writer_holds_the_lock(world.path):
        # A read is not stuck behind the lock; a write that cannot wait says so, in time.
        listing = await mara.slash("note list", student="Sam")
        assert "Before" in str(listing.embeds), listing.content
        busy = await mara.slash("timezone set", zone="Asia/Tokyo")
        assert busy.ephemeral
        assert "busy right now, so nothing was saved" in busy.content, busy.content
    prefs = await world.db.fetch_one(
        "SELECT timezone FROM user_prefs WHERE user_id = ?", (mara.id,)
    )
    assert prefs is not None
    assert prefs["timezone"] == "Europe/Paris"
    saved = await mara.slash("timezone set", zone="Asia/Tokyo")
    assert "Asia/Tokyo" in saved.content


async def test_a_reminder_button_under_a_held_lock_answers_in_time(world: World) -> None:
    sam = world.sam
    session_id = await setup_pair(world, sam)
    await advance_to(world, await due_of(world, session_id, "student_reminder", "48h"))
    [reminder] = sam.dms
    async with another_writer_holds_the_lock(world.path):
        busy = await sam.click(reminder, "Confirm")
        assert busy.ephemeral
        assert "busy right now, so nothing was saved" in busy.content, busy.content
    stored = await session_store.get_session(world.db, session_id)
    assert stored is not None
    assert stored.student_response is None
    confirmed = await sam.click(reminder, "Confirm")
    assert "confirmed" in confirmed.content.lower(), confirmed.content
