"""Reminders under outages, through the sandbox with the clock controlled: once, or none."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.db import Database, Transaction
from bot.storage import reminders as reminder_store
from bot.storage import sessions as session_store
from bot.storage.guild_config import set_reminders_channel
from bot.storage.reminders import Reminder
from tests.e2e.conftest import World
from tests.e2e.test_reminders import START, advance_to, due_of, reminders_for, setup_pair

MESSAGES = "POST /channels/{channel_id}/messages"


def posts_to(world: World, channel_id: int) -> int:
    """Count the bot's message sends to a channel (each one a request Discord received)."""
    return sum(
        1
        for r in world.sb.requests
        if r.method == "POST" and r.path.endswith(f"/channels/{channel_id}/messages")
    )


async def reminder(world: World, reminder_id: int) -> Reminder:
    found = await reminder_store.get_reminder(world.db, reminder_id)
    assert found is not None
    return found


async def the_one(world: World, session_id: int, kind: str, slot: str) -> Reminder:
    [found] = [
        r
        for r in await reminders_for(world, session_id)
        if r.kind == kind and r.slot.startswith(slot)
    ]
    return found


async def crash_while_sending(world: World, reminder_id: int) -> None:
    """Leave a reminder as a crash after its claim would: `sending`, nothing recorded.

    Whether its message went out depends on whether it was sent before (the tests say).
    """
    async with world.db.transaction() as tx:
        await tx.execute(
            "UPDATE reminders SET status = 'sending', attempts = 1, message_id = NULL, "
            "sent_at = NULL, deliveries = 0 WHERE id = ?",
            (reminder_id,),
        )


async def settle(world: World) -> None:
    """Let the restarted bot finish what it resumes, then run one more round."""
    await world.sb.wait_for(lambda: world.bot.dispatcher.idle)
    await world.bot.dispatcher.recover()
    await world.bot.dispatcher.run_due()


KINDS = [
    pytest.param("student_reminder", "48h", "sam", id="embed"),  # the reference in its footer
    pytest.param("mentor_review", "24h", "mara", id="components-v2"),  # in its last text line
]
"""A student's reminder is an embed, the mentor's review nudge a Components V2 layout."""


@pytest.mark.parametrize("downtime", [timedelta(minutes=6), timedelta(hours=2)])
@pytest.mark.parametrize(("kind", "slot", "who"), KINDS)
async def test_a_crash_after_the_send_then_downtime_leaves_one_message(
    world: World, downtime: timedelta, kind: str, slot: str, who: str
) -> None:
    person = world.sb.persona(who)
    session_id = await setup_pair(world, world.sam)
    due = await due_of(world, session_id, kind, slot)
    await advance_to(world, due)
    [message] = person.dms
    first = await the_one(world, session_id, kind, slot)
    dm = world.sb.dm_channel(person).id

    async def crashed_then_down() -> None:
        await crash_while_sending(world, first.id)  # its message went out
        world.clock.set(due + downtime)  # longer than Discord's nonce window (5 min)

    await world.restart(before_start=crashed_then_down)
    await settle(world)
    after = await reminder(world, first.id)
    assert after.status == "sent"
    assert after.message_id == message.id  # found in their DMs by its reference
    assert f"R{first.id}.0" in message.text
    assert posts_to(world, dm) == 1
    assert len(person.dms) == 1


async def test_a_claim_that_never_went_out_is_sent_late_after_6_minutes(world: World) -> None:
    sam = world.sam
    session_id = await setup_pair(world, sam)
    due = await due_of(world, session_id, "student_reminder", "48h")
    world.clock.set(due - timedelta(minutes=1))
    first = await the_one(world, session_id, "student_reminder", "48h")

    async def crashed_then_down() -> None:
        await crash_while_sending(world, first.id)  # before its message
        world.clock.set(due + timedelta(minutes=6))

    await world.restart(before_start=crashed_then_down)
    await settle(world)
    [message] = sam.dms
    assert "Sent late" in message.embeds[0]["description"]
    assert f"R{first.id}.0" in message.embeds[0]["footer"]["text"]
    after = await reminder(world, first.id)
    assert (after.status, after.late, after.message_id) == ("sent", True, message.id)


async def test_a_claim_no_longer_useful_after_2_hours_sends_nothing(world: World) -> None:
    sam = world.sam
    session_id = await setup_pair(world, sam)
    due = await due_of(world, session_id, "student_reminder", "1h")
    world.clock.set(due - timedelta(seconds=5))
    one_hour = await the_one(world, session_id, "student_reminder", "1h")
    before = len(sam.dms)

    async def crashed_then_down() -> None:
        await crash_while_sending(world, one_hour.id)  # before its message
        world.clock.set(due + timedelta(hours=2))  # the session started an hour ago

    await world.restart(before_start=crashed_then_down)
    await settle(world)
    assert len(sam.dms) == before
    assert (await reminder(world, one_hour.id)).status == "missed"


@pytest.mark.timeout(90)
@pytest.mark.parametrize(("kind", "slot", "who"), KINDS)
async def test_discord_storing_the_message_but_answering_502_for_8_minutes(
    world: World, kind: str, slot: str, who: str
) -> None:
    person = world.sb.persona(who)
    session_id = await setup_pair(world, world.sam)
    due = await due_of(world, session_id, kind, slot)
    first = await the_one(world, session_id, kind, slot)
    await advance_to(world, due - timedelta(seconds=1))  # what falls due before is sent
    world.sb.faults.fail(MESSAGES, status=502, times=5, after_handling=True)  # discord.py's 5 tries
    await advance_to(world, due)
    assert len(person.dms) == 1  # stored by Discord, though the bot only ever saw 502s
    pending = await reminder(world, first.id)
    assert (pending.status, pending.unsure) == ("pending", True)
    dm = world.sb.dm_channel(person).id
    for minutes in (1, 3, 8):  # the retries while Discord is still unwell, then after
        await advance_to(world, due + timedelta(minutes=minutes))
    after = await reminder(world, first.id)
    assert after.status == "sent"
    assert after.message_id == person.dms[0].id
    assert len(person.dms) == 1
    assert posts_to(world, dm) == 5


async def test_a_v2_nudge_posted_in_the_reminders_channel_is_found_there_after_a_crash(
    world: World,
) -> None:
    mara = world.mara
    session_id = await setup_pair(world, world.sam)
    assert world.sb.guild is not None
    channel = world.sb.channel("reminders")
    await set_reminders_channel(world.db, world.sb.guild.id, channel.id, START)
    await mara.slash("reminders settings", via="channel")
    due = await due_of(world, session_id, "mentor_review", "24h")
    await advance_to(world, due)
    [posted] = channel.messages
    first = await the_one(world, session_id, "mentor_review", "24h")
    # No content in a V2 message: its first text is the mention, which pings Mara alone.
    assert (posted.content, posted.embeds) == ("", [])
    assert posted.text.startswith(f"{mara.mention}\n## Review Sam's project before your session")
    assert posted.pinged_users == [mara.user]
    assert posted.text.endswith(f"-# Ref. R{first.id}.0")

    async def crashed_then_down() -> None:
        await crash_while_sending(world, first.id)  # its message went out
        world.clock.set(due + timedelta(hours=2))  # past Discord's nonce window

    await world.restart(before_start=crashed_then_down)
    await settle(world)
    after = await reminder(world, first.id)
    assert (after.status, after.message_id) == ("sent", posted.id)  # found in the channel
    assert posts_to(world, channel.id) == 1
    assert mara.dms == []


async def test_a_database_error_after_the_send_settles_without_a_restart(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    sam = world.sam
    session_id = await setup_pair(world, sam)
    due = await due_of(world, session_id, "student_reminder", "48h")
    first = await the_one(world, session_id, "student_reminder", "48h")
    real_mark_sent = reminder_store.mark_sent
    calls: list[int] = []

    async def failing_once(tx: Transaction, reminder_id: int, **options: Any) -> None:
        calls.append(reminder_id)
        if len(calls) == 1:
            raise sqlite3.OperationalError("disk I/O error")
        await real_mark_sent(tx, reminder_id, **options)

    monkeypatch.setattr(reminder_store, "mark_sent", failing_once)
    await advance_to(world, due)
    assert len(sam.dms) == 1
    retried = await reminder(world, first.id)
    assert (retried.status, retried.unsure) == ("pending", True)
    await advance_to(world, due + timedelta(minutes=1))  # the retry looks before sending
    after = await reminder(world, first.id)
    assert (after.status, after.message_id) == ("sent", sam.dms[0].id)
    assert len(sam.dms) == 1


class Disk:
    """A disk that can fill up: every write of the bot's database then fails as SQLite does."""

    def __init__(self, db: Database, *, full: bool) -> None:
        self.db = db
        self.full = full

    def fill(self) -> None:
        """From now on, writes fail."""
        self.full = True

    def free(self) -> None:
        """Writes work again."""
        self.full = False


@asynccontextmanager
async def disk(db: Database, *, full: bool = True) -> AsyncIterator[Disk]:
    """Patch the bot's transactions to fail with "database or disk is full" while it is full."""
    real = Database.transaction
    state = Disk(db, full=full)

    @asynccontextmanager
    async def transaction(self: Database) -> AsyncIterator[Transaction]:
        if state.full and self is db:
            raise sqlite3.OperationalError("database or disk is full")
        async with real(self) as tx:
            yield tx

    Database.transaction = transaction  # type: ignore[method-assign]
    try:
        yield state
    finally:
        Database.transaction = real  # type: ignore[method-assign]


async def test_a_full_disk_then_freed_delivers_every_due_reminder_once(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    sam, sofia, mara = world.sam, world.sofia, world.mara
    first = await setup_pair(world, sam)
    await sofia.slash("reminders settings", session_news=False)  # reminders only, here
    await mara.slash("student add", member=sofia, project="P3", session_length=45)
    await mara.slash("session schedule", student="Sofia", when="2026-12-04 18:30")
    due = await due_of(world, first, "student_reminder", "48h")
    sent_before_full = await the_one(world, first, "student_reminder", "48h")
    await advance_to(world, due - timedelta(minutes=30))
    caplog.set_level(logging.INFO, logger="bot.reminders.dispatcher")
    async with disk(world.db) as full:
        world.clock.set(due + timedelta(minutes=31))  # both 48 h reminders are due
        await world.sb.wait_for(lambda: world.bot.dispatcher.health.failures >= 3, timeout=15)
        assert sam.dms == []
        assert sofia.dms == []
        lines = [r for r in caplog.records if r.name == "bot.reminders.dispatcher"]
        assert len(lines) <= 2, [r.getMessage() for r in lines]  # not one per attempt
        full.free()
        world.bot.dispatcher.wake()
        await world.sb.wait_for(lambda: len(sam.dms) == 1 and len(sofia.dms) == 1, timeout=10)
    await world.sb.wait_for(lambda: world.bot.dispatcher.health.failing is None)
    await world.bot.dispatcher.run_due()
    assert len(sam.dms) == 1
    assert len(sofia.dms) == 1
    assert (await reminder(world, sent_before_full.id)).status == "sent"
    lines = [r for r in caplog.records if r.name == "bot.reminders.dispatcher"]
    assert len(lines) <= 3, [r.getMessage() for r in lines]  # the error, then the recovery
    assert "recovered" in lines[-1].getMessage()


async def test_a_full_disk_right_after_a_send_leaves_no_claim_stuck(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    sam = world.sam
    session_id = await setup_pair(world, sam)
    due = await due_of(world, session_id, "student_reminder", "48h")
    first = await the_one(world, session_id, "student_reminder", "48h")
    async with disk(world.db, full=False) as full:

        async def the_disk_fills(tx: Transaction, reminder_id: int, **options: Any) -> None:
            full.fill()
            raise sqlite3.OperationalError("database or disk is full")

        monkeypatch.setattr(reminder_store, "mark_sent", the_disk_fills)
        await advance_to(world, due)  # claimed, sent, then nothing can be written
        assert len(sam.dms) == 1
        assert (await reminder(world, first.id)).status == "sending"
        monkeypatch.undo()
        full.free()
        world.bot.dispatcher.wake()  # no restart: the next round finds the claim
        await world.sb.wait_for(lambda: world.bot.dispatcher.health.failing is None, timeout=10)
    await world.sb.wait_for(lambda: world.bot.dispatcher.idle)
    after = await reminder(world, first.id)
    assert (after.status, after.message_id) == ("sent", sam.dms[0].id)
    assert len(sam.dms) == 1


async def test_snoozing_the_nudge_of_a_cancelled_session_does_not_re_arm_it(world: World) -> None:
    mara = world.mara
    session_id = await setup_pair(world, world.sam)
    await advance_to(world, await due_of(world, session_id, "mentor_review", "24h"))
    [nudge] = mara.dms
    question = await mara.slash("session cancel", session=str(session_id))
    await mara.click(question, "Cancel session")
    answer = await mara.click(nudge, "Remind me in 1 h")
    assert answer.message is not None
    assert answer.message.id == nudge.id  # said on the nudge itself
    said, reference = nudge.text.split("\n")[-2:]
    assert "no longer planned" in said  # where the buttons were, above the reference
    assert reference.startswith("-# Ref. R")
    assert nudge.buttons == ["Open prep checklist"]  # snoozing is over
    review = await the_one(world, session_id, "mentor_review", "24h")
    assert review.status == "sent"
    await advance_to(world, world.clock.now() + timedelta(hours=2))
    assert [m.id for m in mara.dms if m.embeds or m.components] == [nudge.id]


async def test_a_session_30_minutes_ahead_gets_starting_soon_reminders_at_once(
    world: World,
) -> None:
    sam, mara = world.sam, world.mara
    world.clock.set(START)
    await mara.slash("timezone set", zone="Europe/Paris")
    await mara.slash("student add", member=sam, project="P2", session_length=30)
    reply = await mara.slash("session schedule", student="Sam", when="in 30 minutes")
    assert '"starting soon" reminder now' in reply.content
    assert "review nudge comes now" in reply.content
    await world.sb.wait_for(lambda: len(sam.dms) == 1 and len(mara.dms) == 1)
    [reminder_dm] = sam.dms
    assert reminder_dm.embeds[0]["title"] == "Your session starts soon"
    assert reminder_dm.buttons == ["Confirm", "I can't make it", "Prepare"]
    assert "Sent late" not in reminder_dm.embeds[0]["description"]
    assert mara.dms[0].text.startswith("## Your session with Sam starts soon\n")
    assert "Sent late" not in mara.dms[0].text


async def test_a_clock_moved_forward_is_not_downtime_and_nudges_collapse(world: World) -> None:
    mara = world.mara
    session_id = await setup_pair(world, world.sam)
    world.clock.set(datetime(2026, 12, 4, 16, 0, tzinfo=UTC))
    await world.bot.dispatcher.run_due()
    before = len(mara.dms)
    await advance_to(world, datetime(2026, 12, 4, 21, 0, tzinfo=UTC))  # past "after" and "evening"
    assert len(mara.dms) == before + 1
    nudge = mara.dms[-1]
    assert nudge.embeds[0]["title"] == "How did the session go?"
    assert "Sent late" not in nudge.embeds[0]["description"]
    statuses = {
        r.slot.split("@")[0]: r.status
        for r in await reminders_for(world, session_id)
        if r.kind == "record_nudge"
    }
    assert statuses == {"after": "cancelled", "evening": "sent"}


async def test_the_weekly_summary_is_posted_once_across_a_restart_at_its_hour(
    world: World,
) -> None:
    assert world.sb.guild is not None
    mod_log = world.sb.channel("mod-log")
    async with world.db.transaction() as tx:
        await tx.execute(
            "INSERT INTO guild_config (guild_id, log_channel_id, default_timezone, updated_at) "
            "VALUES (?, ?, 'Europe/Paris', 'x')",
            (world.sb.guild.id, mod_log.id),
        )
    world.clock.set(datetime(2026, 12, 6, 12, 0, tzinfo=UTC))  # Sunday
    await world.bot.maintain()
    await world.bot.maintain()  # planning twice plans one summary
    rows = await world.db.fetch_all("SELECT due_at FROM reminders WHERE kind = 'weekly_summary'")
    assert [row["due_at"] for row in rows] == ["2026-12-07T07:00:00+00:00"]  # 08:00 in Paris

    async def down_across_its_hour() -> None:
        world.clock.set(datetime(2026, 12, 7, 7, 40, tzinfo=UTC))

    await world.restart(before_start=down_across_its_hour)
    await world.sb.wait_for(lambda: len(mod_log.messages) == 1)
    await world.bot.maintain()
    await world.restart()
    await settle(world)
    [summary] = mod_log.messages
    assert summary.payload["embeds"][0]["title"] == "Weekly program summary"
    assert "Sent late" in summary.payload["embeds"][0]["description"]
    assert summary.pinged_users == []
    statuses = [
        row["status"]
        for row in await world.db.fetch_all(
            "SELECT status FROM reminders WHERE kind = 'weekly_summary' ORDER BY due_at"
        )
    ]
    assert statuses == ["sent", "pending"]  # this week's, once; next week's planned


async def test_a_reminder_posted_in_the_channel_is_found_there_after_a_crash(
    world: World,
) -> None:
    sam = world.sam
    session_id = await setup_pair(world, sam)
    assert world.sb.guild is not None
    channel = world.sb.channel("reminders")
    await set_reminders_channel(world.db, world.sb.guild.id, channel.id, START)
    await sam.slash("reminders settings", via="channel")
    due = await due_of(world, session_id, "student_reminder", "48h")
    await advance_to(world, due)
    [posted] = channel.messages
    first = await the_one(world, session_id, "student_reminder", "48h")

    async def crashed_then_down() -> None:
        await crash_while_sending(world, first.id)  # its message went out
        world.clock.set(due + timedelta(minutes=10))

    await world.restart(before_start=crashed_then_down)
    await settle(world)
    assert [m.id for m in channel.messages] == [posted.id]
    assert (await reminder(world, first.id)).message_id == posted.id


async def test_an_error_mid_chunk_puts_the_rest_back_unclaimed(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    sam, sofia, mara = world.sam, world.sofia, world.mara
    first = await setup_pair(world, sam)
    await sofia.slash("reminders settings", session_news=False)
    await mara.slash("student add", member=sofia, project="P3", session_length=45)
    await mara.slash("session schedule", student="Sofia", when="2026-12-04 18:30")
    [sofias_session] = [
        v.session.id
        for v in await session_store.sessions_of_mentor(world.db, None, mara.id)
        if v.student_id == sofia.id
    ]
    due = await due_of(world, first, "student_reminder", "48h")
    sams = await the_one(world, first, "student_reminder", "48h")
    sofias = await the_one(world, sofias_session, "student_reminder", "48h")
    await advance_to(world, due - timedelta(minutes=30))
    dispatcher = world.bot.dispatcher
    await dispatcher.stop()  # rounds run by hand below, one at a time
    render = dispatcher.renderers["student_reminder"]

    async def breaks_on_sams(reminder: Reminder, late: bool) -> Any:
        if reminder.id == sams.id:
            raise RuntimeError("a bug in one renderer")
        return await render(reminder, late)

    monkeypatch.setitem(dispatcher.renderers, "student_reminder", breaks_on_sams)
    world.clock.set(due + timedelta(minutes=31))  # both 48 h reminders fall in one chunk
    await dispatcher.run_due()
    assert dispatcher.health.failures == 1
    assert sam.dms == []
    assert sofia.dms == []
    # Sofia's claim was put back untouched: nothing to look for, no attempt counted.
    put_back = await reminder(world, sofias.id)
    assert (put_back.status, put_back.attempts, put_back.unsure) == ("pending", 0, False)
    assert await reminder_store.interrupted(world.db) == []
    retried = await reminder(world, sams.id)
    assert (retried.status, retried.unsure) == ("pending", True)  # it may have gone out
    monkeypatch.undo()
    await dispatcher.run_due()
    assert len(sofia.dms) == 1
    await advance_to(world, due + timedelta(minutes=33))  # Sam's retry looks, then sends
    assert len(sam.dms) == 1
    assert len(sofia.dms) == 1
    assert (await reminder(world, sams.id)).status == "sent"
    assert (await reminder(world, sofias.id)).attempts == 1


async def test_a_restart_mid_chunk_leaves_no_claim_to_look_for(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    sam, sofia, mara = world.sam, world.sofia, world.mara
    first = await setup_pair(world, sam)
    await sofia.slash("reminders settings", session_news=False)
    await mara.slash("student add", member=sofia, project="P3", session_length=45)
    await mara.slash("session schedule", student="Sofia", when="2026-12-04 18:30")
    due = await due_of(world, first, "student_reminder", "48h")
    sams = await the_one(world, first, "student_reminder", "48h")
    await advance_to(world, due - timedelta(minutes=30))
    dispatcher = world.bot.dispatcher
    render = dispatcher.renderers["student_reminder"]
    rendering = asyncio.Event()

    async def stalls_on_sams(reminder: Reminder, late: bool) -> Any:
        if reminder.id == sams.id:
            rendering.set()
            await asyncio.Event().wait()  # the restart comes while Sam's is being rendered
        return await render(reminder, late)

    dispatcher.renderers["student_reminder"] = stalls_on_sams
    caplog.set_level(logging.WARNING, logger="bot.reminders.dispatcher")
    world.clock.set(due + timedelta(minutes=31))  # both 48 h reminders fall in one chunk
    await world.sb.wait_for(rendering.is_set, timeout=10)
    claimed: list[Reminder] = []

    async def look() -> None:
        claimed.extend(await reminder_store.interrupted(world.db))

    await world.restart(before_start=look)
    assert claimed == []  # the stop put the chunk's claims back: nothing went out
    await settle(world)
    assert len(sam.dms) == 1
    assert len(sofia.dms) == 1
    assert not [r for r in caplog.records if "interrupted" in r.getMessage()]
    assert (await reminder(world, sams.id)).attempts == 1
