"""The product bot connected to a fresh sandbox: what every end-to-end story starts from."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import MentorCoach
from bot.clock import ManualClock
from bot.db import Database
from bot.settings import Settings
from bot.texts import catalogue
from sandbox import Sandbox
from sandbox.driver import Persona
from sandbox.pytest_plugin import sb

__all__ = ["sb", "world"]


@dataclass
class RunningBot:
    """The product bot and the task that keeps its connection."""

    bot: MentorCoach
    task: asyncio.Task[None]

    async def stop(self) -> None:
        """Close the bot and wait for its connection task to end."""
        await self.bot.close()
        await asyncio.wait_for(self.task, 10)


@dataclass
class World:
    """The sandbox, the bot connected to it, the bot's database and its clock."""

    sb: Sandbox
    running: RunningBot
    db: Database
    clock: ManualClock
    path: Path

    @property
    def bot(self) -> MentorCoach:
        """Return the bot now connected."""
        return self.running.bot

    async def restart(self, before_start: Callable[[], Awaitable[None]] | None = None) -> None:
        """Stop the bot and start a new one on the same database (as after a crash)."""
        await self.running.stop()
        if before_start is not None:
            await before_start()
        self.running = await start_bot(self.sb, self.db, self.clock, self.path)

    def __getattr__(self, name: str) -> Persona:
        """Return a persona by name: `world.mara`, `world.sam`."""
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self.sb.persona(name)
        except KeyError:
            raise AttributeError(name) from None


async def start_bot(sb: Sandbox, db: Database, clock: ManualClock, path: Path) -> RunningBot:
    """Start the product bot against the sandbox and wait until it is ready."""
    settings = Settings(_env_file=None, database_path=path)  # type: ignore[call-arg]
    bot = MentorCoach(
        db=db,
        settings=settings,
        texts=catalogue(),
        clock=clock,
        sync_globally_on_start=True,
        guild_ready_timeout=0.1,
    )
    task = asyncio.create_task(bot.start(sb.token))
    ready = asyncio.create_task(bot.wait_until_ready())
    await asyncio.wait({ready, task}, timeout=15, return_when=asyncio.FIRST_COMPLETED)
    if not ready.done():
        ready.cancel()
        raise AssertionError(f"the bot did not get ready: {task}")
    assert not bot.failed_extensions, bot.failed_extensions
    return RunningBot(bot, task)


STORY_START = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
"""Where every story's clock starts: a Tuesday, 09:00 in Paris, whatever the day CI runs.

Reminders wait for waking hours, weeks start on Mondays and "tomorrow 18:00" may fall inside a
lead window: a clock taken from the real time made stories pass or fail by the hour of the run.
`STORY_START=now` (or an ISO instant) starts the stories elsewhere, to look for such a story.
"""


def story_start() -> datetime:
    """Return the instant the bot's clock starts at in a story (see STORY_START)."""
    chosen = os.environ.get("STORY_START", "").strip()
    if not chosen:
        return STORY_START
    if chosen == "now":
        return datetime.now(UTC)
    return datetime.fromisoformat(chosen).astimezone(UTC)


@pytest.fixture
def clock() -> ManualClock:
    """The bot's clock, starting at STORY_START (tests move it on purpose)."""
    return ManualClock(story_start())


@pytest.fixture
async def world(sb: Sandbox, clock: ManualClock, tmp_path: Path) -> AsyncIterator[World]:
    """A sandbox with the product bot logged in, ready and its commands synced."""
    path = tmp_path / "mentor-coach.db"
    db = await Database.open(path)
    running = await start_bot(sb, db, clock, path)
    try:
        world = World(sb=sb, running=running, db=db, clock=clock, path=path)
        yield world
    finally:
        await world.running.stop()
        await db.close()
