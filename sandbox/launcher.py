"""Start the playground: the sandbox Discord, its web page, a world clock and a saved world.

``bot/__main__.py`` runs the product bot against it when no Discord token is set::

    async with start_playground("127.0.0.1", 8765) as playground:
        ...  # playground.rest_url, .gateway_url, .token, .web_url, .clock
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
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

    def __init__(self, sandbox: Sandbox, clock: OffsetClock, state_path: Path) -> None:
        self.sandbox = sandbox
        self.clock = clock
        self.state_path = state_path
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


def _load(path: Path, clock: OffsetClock, host: str, port: int) -> Sandbox:
    """A sandbox with the saved world (its clock moved on where it stopped), else a fresh one."""
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
            return sandbox
    return Sandbox(clock=clock, host=host, port=port)


@contextlib.asynccontextmanager
async def start_playground(
    host: str, port: int, state_path: Path | None = None
) -> AsyncIterator[Playground]:
    """Serve the sandbox with the playground page at ``http://host:port/`` until exit."""
    path = state_path if state_path is not None else Path.cwd() / DEFAULT_STATE_PATH
    clock = OffsetClock()
    sandbox = _load(path, clock, host, port)
    running = Playground(sandbox, clock, path)
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
