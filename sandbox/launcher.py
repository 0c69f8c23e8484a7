"""Start the playground: the sandbox Discord, its web page, a world clock and a saved world.

``bot/__main__.py`` runs the product bot against it when no Discord token is set::

    async with start_playground("127.0.0.1", 8765) as playground:
        ...  # playground.rest_url, .gateway_url, .token, .web_url, .clock
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.clock import OffsetClock
from sandbox.playground import register as register_page
from sandbox.playground_store import (
    UnreadableWorld,
    keep_aside,
    load_state,
    read_saved,
    save_state,
    saved_offset,
)
from sandbox.server import Sandbox

log = logging.getLogger(__name__)

DEFAULT_STATE_PATH = Path("sandbox-state") / "world.json"
HOUR = timedelta(hours=1)
MAX_HOURLY_STEPS = 24 * 62
"""A longer move of the clock jumps the rest at once (the hourly jobs run no more)."""
SAVE_DELAY = 0.5
"""Seconds to gather changes before writing the state file."""


class Playground:
    """A running playground: the sandbox, its page and the world clock the bot shares."""

    def __init__(
        self, sandbox: Sandbox, clock: OffsetClock, state_path: Path, *, fresh: bool = False
    ) -> None:
        self.sandbox = sandbox
        self.clock = clock
        self.state_path = state_path
        self.next_event_at: Callable[[], Awaitable[datetime | None]] | None = None
        """Set by the bot side: when the next reminder is due (the page's "next reminder")."""
        self._save_handle: asyncio.TimerHandle | None = None
        self.fresh = fresh
        """True when this run started a fresh world (none was saved, or it was unreadable)."""
        self._jobs: set[asyncio.Task[None]] = set()
        self._hourly: list[Callable[[], Awaitable[None]]] = []

    @property
    def rest_url(self) -> str:
        """The value for ``discord.http.Route.BASE``."""
        return self.sandbox.rest_url

    @property
    def gateway_url(self) -> str:
        """The value for ``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY``."""
        return self.sandbox.gateway_url

    @property
    def token(self) -> str:
        """The bot token the sandbox accepts."""
        return self.sandbox.token

    @property
    def web_url(self) -> str:
        """The page to open in a browser."""
        return f"{self.sandbox.base_url}/"

    def save(self) -> None:
        """Write the world to the state file now."""
        if self._save_handle is not None:
            self._save_handle.cancel()
            self._save_handle = None
        try:
            save_state(self.state_path, self.sandbox.state, self.clock.offset)
        except OSError:
            log.exception("cannot save the playground state to %s", self.state_path)

    def follow_clock(self, job: Callable[[], Awaitable[None]]) -> None:
        """Run ``job`` each time the world clock moves (one run at a time, coalesced).

        The bot's periodic work (planning digests, extending series) runs on real-time
        intervals; this makes it follow the world clock, as reminders do.
        """
        again = False

        async def run() -> None:
            nonlocal again
            while True:
                again = False
                try:
                    await job()
                except Exception:
                    log.exception("a job following the world clock failed")
                if not again:
                    return

        def moved() -> None:
            nonlocal again
            if self._jobs:
                again = True
                return
            task = asyncio.get_running_loop().create_task(run())
            self._jobs.add(task)
            task.add_done_callback(self._jobs.discard)

        self.clock.on_change(moved)

    async def idle(self) -> None:
        """Wait until the jobs started by clock moves are done."""
        while self._jobs:
            await asyncio.gather(*self._jobs, return_exceptions=True)

    def every_world_hour(self, job: Callable[[], Awaitable[None]]) -> None:
        """Run ``job`` at each hour of world time the page's clock buttons move through."""
        self._hourly.append(job)

    def follow_scheduler(self, scheduler: Any) -> None:
        """Make an APScheduler's jobs follow the world clock (the bot's ``bot.scheduler``).

        Interval jobs (maintenance: digests, series) run after each move of the clock; cron
        jobs (the hourly tick of the weekly summary) run at each world hour moved through.
        """

        def jobs(kind: type) -> list[Callable[[], Awaitable[None]]]:
            return [job.func for job in scheduler.get_jobs() if isinstance(job.trigger, kind)]

        async def interval_jobs() -> None:
            for run in jobs(IntervalTrigger):
                await run()

        async def cron_jobs() -> None:
            for run in jobs(CronTrigger):
                await run()

        self.follow_clock(interval_jobs)
        self.every_world_hour(cron_jobs)

    async def advance(self, delta: timedelta) -> None:
        """Move the world clock by ``delta``, stopping at each world hour for the hourly jobs.

        The clock ends exactly ``delta`` further ahead of real time, however long the stops take.
        """
        target_offset = self.clock.offset + delta
        steps = 0
        while self._hourly and steps < MAX_HOURLY_STEPS:
            now = self.clock.now()
            next_hour = now.replace(minute=0, second=0, microsecond=0) + HOUR
            if self.clock.offset + (next_hour - now) > target_offset:
                break
            self.clock.advance(next_hour - now)
            steps += 1
            await self.idle()
            for job in self._hourly:
                try:
                    await job()
                except Exception:
                    log.exception("an hourly job following the world clock failed")
        remaining = target_offset - self.clock.offset
        if remaining > timedelta(0):
            self.clock.advance(remaining)
            await self.idle()

    def cancel_jobs(self) -> None:
        """Stop the jobs started by clock moves (the playground is closing)."""
        for task in list(self._jobs):
            task.cancel()

    def save_soon(self) -> None:
        """Save once changes have settled for a moment."""
        if self._save_handle is None:
            loop = asyncio.get_running_loop()
            self._save_handle = loop.call_later(SAVE_DELAY, self.save)


def _load(path: Path, clock: OffsetClock, host: str, port: int) -> tuple[Sandbox, bool]:
    """Load the saved world (its clock moved on where it stopped), else a fresh one; True if fresh.

    A state file that cannot be loaded, for whatever reason, is renamed aside with a timestamp
    (never overwritten) and told in one log line.
    """
    try:
        saved = read_saved(path)
        if saved is None:
            log.info("no playground world at %s; starting a fresh world", path)
            return Sandbox(clock=clock, host=host, port=port), True
        sandbox = Sandbox(clock=clock, host=host, port=port, default_world=False)
        guild = load_state(sandbox.state, saved)
        offset = saved_offset(saved)
    except Exception as error:  # anything in a damaged file: keep it, start afresh
        reason = error.args[0] if isinstance(error, UnreadableWorld) else repr(error)
        kept = keep_aside(path)
        log.warning(
            "playground: %s is unusable (%s); kept it as %s and started a fresh world",
            path,
            reason,
            kept,
        )
        return Sandbox(clock=clock, host=host, port=port), True
    sandbox.guild = guild
    clock.advance(offset)
    log.info("playground world loaded from %s", path)
    return sandbox, False


DATABASE_SIDE_FILES = ("", "-wal", "-shm", "-journal")


def fresh_world_database(database: Path) -> Path | None:
    """Move the bot's database (and its WAL files) aside; return where, or None if absent.

    A fresh world has new ids: the old database's mentorships and reminders would point at
    people who no longer exist ("Unknown User"), so a fresh world starts a fresh database too.
    """
    if not database.exists():
        return None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = database.with_name(f"{database.name}.previous-world-{stamp}")
    for suffix in DATABASE_SIDE_FILES:
        source = database.with_name(database.name + suffix)
        if source.exists():
            os.replace(source, target.with_name(target.name + suffix))
    log.warning(
        "playground: a fresh world started, so the bot's database %s was kept as %s and the "
        "bot starts empty",
        database,
        target,
    )
    return target


@contextlib.asynccontextmanager
async def start_playground(
    host: str, port: int, state_path: Path | None = None, *, database_path: Path | None = None
) -> AsyncIterator[Playground]:
    """Serve the sandbox with the playground page at ``http://host:port/`` until exit.

    ``database_path`` is the bot's database: when the world starts afresh, it is moved aside.
    """
    path = state_path if state_path is not None else Path.cwd() / DEFAULT_STATE_PATH
    clock = OffsetClock()
    sandbox, fresh = _load(path, clock, host, port)
    if fresh and database_path is not None:
        fresh_world_database(database_path)
    running = Playground(sandbox, clock, path, fresh=fresh)
    clock.on_change(sandbox.state.notify)
    sandbox.route_hooks.append(lambda app: register_page(app, running))
    running.save()
    await sandbox.start()
    sandbox.state.listeners.append(running.save_soon)
    try:
        yield running
    finally:
        running.cancel_jobs()
        sandbox.state.listeners.remove(running.save_soon)
        await sandbox.stop()
        running.save()
