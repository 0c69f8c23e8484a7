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
from datetime import datetime
from pathlib import Path

from bot.clock import OffsetClock
from sandbox.playground import register as register_page
from sandbox.playground_store import load_state, read_saved, save_state, saved_offset, set_aside
from sandbox.server import Sandbox

log = logging.getLogger(__name__)

DEFAULT_STATE_PATH = Path("sandbox-state") / "world.json"
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
        self.fresh = fresh
        """True when no saved world was loaded: a new world, so the bot's data of the previous
        one (users, channels, reminders) must go too (`fresh_world_database`)."""
        self.next_event_at: Callable[[], Awaitable[datetime | None]] | None = None
        """Set by the bot side: when the next reminder is due (the page's "next reminder")."""
        self._save_handle: asyncio.TimerHandle | None = None

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

    def save_soon(self) -> None:
        """Save once changes have settled for a moment."""
        if self._save_handle is None:
            loop = asyncio.get_running_loop()
            self._save_handle = loop.call_later(SAVE_DELAY, self.save)


def fresh_world_database(database: Path) -> Path | None:
    """Set the bot's database aside when the world starts afresh; return where it went.

    A new world has new users, channels and guild ids: the old database's reminders would
    fail with "Unknown User". The file (and its -wal/-shm companions) is renamed, not deleted.
    """
    if not database.exists():
        return None
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    kept = database.with_name(f"{database.name}.previous-world-{stamp}")
    for suffix in ("", "-wal", "-shm"):
        part = database.with_name(database.name + suffix)
        if part.exists():
            os.replace(part, kept.with_name(kept.name + suffix))
    log.warning(
        "playground: a fresh world started, so the bot's database %s was kept as %s and the "
        "bot starts empty",
        database,
        kept,
    )
    return kept


def _load(path: Path, clock: OffsetClock, host: str, port: int) -> tuple[Sandbox, bool]:
    """A sandbox with the saved world (its clock moved on where it stopped), else a fresh one;
    and whether it is fresh."""
    saved = read_saved(path)
    if saved is not None:
        sandbox = Sandbox(clock=clock, host=host, port=port, default_world=False)
        try:
            sandbox.guild = load_state(sandbox.state, saved)
            offset = saved_offset(saved)
        except Exception as error:  # any malformed content: keep the file, start afresh
            set_aside(path, f"{type(error).__name__}: {error}")
        else:
            clock.advance(offset)
            log.info("playground world loaded from %s", path)
            return sandbox, False
    return Sandbox(clock=clock, host=host, port=port), True


@contextlib.asynccontextmanager
async def start_playground(
    host: str, port: int, state_path: Path | None = None
) -> AsyncIterator[Playground]:
    """Serve the sandbox with the playground page at ``http://host:port/`` until exit."""
    path = state_path if state_path is not None else Path.cwd() / DEFAULT_STATE_PATH
    clock = OffsetClock()
    sandbox, fresh = _load(path, clock, host, port)
    running = Playground(sandbox, clock, path, fresh=fresh)
    clock.on_change(sandbox.state.notify)
    sandbox.route_hooks.append(lambda app: register_page(app, running))
    running.save()
    await sandbox.start()
    sandbox.state.listeners.append(running.save_soon)
    try:
        yield running
    finally:
        sandbox.state.listeners.remove(running.save_soon)
        await sandbox.stop()
        running.save()
