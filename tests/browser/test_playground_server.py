"""The playground's server side with the product bot, without a browser.

Digests follow the world clock: the bot plans each mentor's weekly digest in a maintenance job
that runs every few hours of real time; moving the world clock by weeks must still bring one
digest a week. The modal API refuses an empty required field, as the page does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

import aiohttp
import discord

from bot.db import Database
from bot.reminders.planning import DIGEST
from bot.services import moderation as moderation_service
from bot.services.moderation import Access
from bot.storage.reminders import count_by_status, reminders_of
from bot.texts import tr
from sandbox.launcher import Playground, start_playground
from sandbox.testing import discord_pointed_at
from tests.browser.conftest import Live
from tests.e2e.conftest import start_bot

DAY = timedelta(days=1)


async def digests_sent(live: Live, mentor_id: int) -> list[str]:
    """The slots of the digests the bot sent to ``mentor_id``."""
    since = live.playground.clock.now() - timedelta(days=400)
    sent = await reminders_of(live.db, mentor_id, ["sent"], since, limit=500)
    return [r.slot for r in sent if r.kind == DIGEST]


async def dispatcher_idle(live: Live) -> None:
    """Wait until the reminder dispatcher's round is over (it has no event to wait on)."""
    async with asyncio.timeout(10):
        while not live.bot.dispatcher.idle:  # noqa: ASYNC110
            await asyncio.sleep(0.02)


def digest_dms(live: Live) -> list[str]:
    """The texts of the digests the bot sent to Mara by DM (headed by the digest's title)."""
    mara = live.playground.sandbox.persona("mara")
    title = tr("digest.title", discord.Locale(mara.locale))
    return [m.text for m in mara.dms if m.text.startswith(f"## {title}\n")]


async def test_weekly_digests_follow_the_world_clock(live: Live) -> None:
    sb = live.playground.sandbox
    mara, sam = sb.persona("mara"), sb.persona("sam")
    await mara.slash("student add", member=sam, project="Python", session_length=30)

    for _ in range(21):  # three weeks, a day at a time, as the page's "+1 day" button does
        live.playground.clock.advance(DAY)
        await live.playground.idle()
        await asyncio.sleep(0.05)  # let the woken dispatcher start its round
        await dispatcher_idle(live)

    await sb.wait_for(lambda: len(digest_dms(live)) >= 3, timeout=10)
    assert len(digest_dms(live)) == 3, digest_dms(live)  # one a week, none doubled
    slots = await digests_sent(live, mara.id)
    assert len(slots) == 3
    assert len(set(slots)) == 3, slots
    sb.assert_no_unexpected_errors()


async def press_clock(live: Live, step: str) -> None:
    """What the page's clock buttons do: POST /playground/clock."""
    url = live.playground.web_url + "playground/clock"
    async with aiohttp.ClientSession() as http, http.post(url, json={"advance": step}) as answer:
        assert (await answer.json())["ok"] is True


async def test_the_weekly_summary_follows_the_world_clock_buttons(live: Live) -> None:
    """The summary's job ticks hourly in real time; "+1 day" moves through each world hour."""
    sb = live.playground.sandbox
    assert sb.guild is not None
    mod_log = sb.channel("mod-log")
    await moderation_service.change_settings(
        live.db,
        sb.guild.id,
        {"log_channel_id": mod_log.id},
        access=Access.FULL,
        actor_id=sb.persona("morgan").id,
        now=live.playground.clock.now(),
    )
    title = tr("moderation.weekly_title", "en-US")

    def summaries() -> list[str]:
        return [m.content for m in mod_log.messages if (m.embeds or [{}])[0].get("title") == title]

    before = len(summaries())
    start = live.playground.clock.offset
    for _ in range(7):  # a week, a day at a time: Monday 08:00 (UTC, the server's zone) once
        await press_clock(live, "day")
    assert live.playground.clock.offset - start == timedelta(days=7)  # exactly, despite the stops
    await sb.wait_for(lambda: len(summaries()) > before, timeout=10)
    assert len(summaries()) == before + 1
    sb.assert_no_unexpected_errors()


async def test_the_server_refuses_an_empty_required_modal_field(live: Live) -> None:
    """The page's check has a twin on the server: the API refuses an empty required input."""
    sb = live.playground.sandbox
    mara, sam = sb.persona("mara"), sb.persona("sam")
    await mara.slash("student add", member=sam, project="Python", session_length=30)
    said = await sam.say("a message to keep")
    reply = await mara.message_command("Save as note", said)
    assert reply.message is not None
    picked = await mara.select(reply, "Which student is this note about?", [reply_value(reply)])
    assert picked.modal is not None
    url = live.playground.web_url + "playground/modal"
    payload = {
        "persona": str(mara.id),
        "interaction": str(picked.record.id),
        "values": {"note-title": "Title", "note-body": ""},
    }
    async with aiohttp.ClientSession() as http, http.post(url, json=payload) as response:
        answer = await response.json()
    assert answer == {"ok": False, "error": "Please fill in: Note.", "missing": ["Note"]}


def reply_value(reply: object) -> str:
    """The value of the first option of the first select of a reply's message."""
    message = reply.message  # type: ignore[attr-defined]
    select = message.components[0]["components"][0]
    return str(select["options"][0]["value"])


async def with_bot(
    playground: Playground, database: Path, act: Callable[[Playground, Database], Awaitable[None]]
) -> None:
    """Run the product bot on ``database`` against the playground while ``act`` runs."""
    with discord_pointed_at(playground.sandbox):
        db = await Database.open(database)
        running = await start_bot(playground.sandbox, db, playground.clock, database)
        playground.follow_scheduler(running.bot.scheduler)
        try:
            await act(playground, db)
        finally:
            await running.stop()
            await db.close()


def remove(path: Path) -> None:
    path.unlink()


async def test_a_fresh_world_leaves_no_orphan_reminders(tmp_path: Path) -> None:
    """Deleting world.json starts afresh, the bot's database too: no "Unknown User" later."""
    world, database = tmp_path / "world.json", tmp_path / "mentor-coach.db"

    async def plan_a_digest(playground: Playground, db: Database) -> None:
        sb = playground.sandbox
        mara, sam = sb.persona("mara"), sb.persona("sam")
        await mara.slash("student add", member=sam, project="Python", session_length=30)
        await playground.advance(timedelta(hours=1))  # the maintenance plans Mara's digest
        assert (await count_by_status(db)).get("pending", 0) >= 1

    async with start_playground("127.0.0.1", 0, world, database_path=database) as playground:
        await with_bot(playground, database, plan_a_digest)
    remove(world)  # "start afresh"

    async def two_weeks_later(playground: Playground, db: Database) -> None:
        assert await count_by_status(db) == {}  # the old people's reminders are not here
        await playground.advance(timedelta(days=14))
        await dispatcher_idle_on(playground)
        playground.sandbox.assert_no_unexpected_errors()  # no DM to an unknown user

    async with start_playground("127.0.0.1", 0, world, database_path=database) as playground:
        assert playground.fresh
        await with_bot(playground, database, two_weeks_later)
    assert len(files_named(tmp_path, "mentor-coach.db.previous-world-*")) >= 1


async def dispatcher_idle_on(playground: Playground) -> None:
    """Give the woken reminder dispatcher time for its round."""
    await playground.idle()
    await asyncio.sleep(0.2)


def files_named(folder: Path, pattern: str) -> list[Path]:
    return sorted(folder.glob(pattern))
