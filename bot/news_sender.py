"""Send session news: one DM per student and minute, restart-safe, never doubled.

The database holds the queue (`bot.storage.news`). A batch is claimed (`pending` ->
`sending`) before it is sent and settled after; a send a crash interrupted is retried at start
with the same nonce, so Discord returns the earlier message instead of sending a second one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Any, Protocol

import aiohttp
import discord

from bot.clock import MovableClock
from bot.delivery import DmClosed, send_dm
from bot.services.news import fold
from bot.storage import news as store
from bot.storage.guild_config import get_config
from bot.storage.news import News
from bot.storage.reminders import get_prefs as get_reminder_prefs

if TYPE_CHECKING:
    from bot.app import MentorCoach

log = logging.getLogger(__name__)

MAX_SLEEP = 60.0
STOP_GRACE = 5.0


class NewsRenderer(Protocol):
    """Turns a batch of changes into the student's message (the news cog provides it)."""

    async def render(self, recipient_id: int, items: list[News]) -> discord.Embed:
        """Return the message telling the recipient of these changes."""
        ...


class NewsSender:
    """One task that sends each student's waiting changes once they are due."""

    def __init__(self, bot: MentorCoach) -> None:
        self.bot = bot
        self.renderer: NewsRenderer | None = None
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        if isinstance(bot.clock, MovableClock):
            bot.clock.on_change(self.wake)

    def start(self) -> None:
        """Start the sender task."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="session-news")

    async def stop(self) -> None:
        """Stop the sender task, letting a round that is sending finish first.

        Cancelling in the middle of a round could leave a database transaction open; the flag
        ends the loop at its next turn, and only a task stuck longer than `STOP_GRACE` is
        cancelled.
        """
        self._stopping = True
        self.wake()
        if self._task is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._task), STOP_GRACE)
            except TimeoutError:
                self._task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._task
            self._task = None

    def wake(self) -> None:
        """Look again now: a change was queued or the clock moved."""
        self._wake.set()

    async def _run(self) -> None:
        await self.bot.wait_until_ready()
        while not self._stopping:
            self._wake.clear()
            try:
                await self.recover()
                await self.run_due()
            except Exception:
                log.exception("Sending session news failed a round; it goes on")
            delay = await self._seconds_until_next()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(delay):
                    await self._wake.wait()

    async def _seconds_until_next(self) -> float:
        upcoming = await store.next_due_at(self.bot.db)
        if upcoming is None:
            return MAX_SLEEP
        return min(MAX_SLEEP, max(0.0, (upcoming - self.bot.clock.now()).total_seconds()))

    async def recover(self) -> int:
        """Finish the batches a crash interrupted, with their nonces; return how many."""
        async with self._lock:
            batches = await store.interrupted_batches(self.bot.db)
            for batch in batches:
                log.warning("Resuming interrupted session news %s", batch)
                await self._deliver(batch)
            return len(batches)

    async def run_due(self) -> int:
        """Send every student's due changes; return how many messages were handled."""
        handled = 0
        async with self._lock:
            for recipient_id in await store.due_recipients(self.bot.db, self.bot.clock.now()):
                async with self.bot.db.transaction() as tx:
                    batch = await store.claim(tx, recipient_id, self.bot.clock.now())
                if batch is not None:
                    await self._deliver(batch)
                    handled += 1
        return handled

    async def _deliver(self, batch: str) -> None:
        db, now = self.bot.db, self.bot.clock.now()
        items = fold(await store.of_batch(db, batch))
        if (
            not items
            or self.renderer is None
            or not await store.wants_news(db, items[0].recipient_id)
        ):
            async with db.transaction() as tx:
                await store.settle(tx, batch, "dropped", now)
            return
        recipient = items[0].recipient_id
        embed = await self.renderer.render(recipient, items)
        try:
            message = await self._send(recipient, items[0].guild_id, embed, batch)
        except (discord.DiscordServerError, aiohttp.ClientError, TimeoutError) as error:
            log.warning("Session news %s will be retried: %s", batch, error)
            return
        except (discord.HTTPException, _Undeliverable) as error:
            log.warning("Session news %s could not be delivered: %s", batch, error)
            async with db.transaction() as tx:
                await store.settle(tx, batch, "failed", now)
            return
        async with db.transaction() as tx:
            await store.settle(tx, batch, "sent", self.bot.clock.now(), message.id)

    async def _send(
        self, recipient: int, guild_id: int, embed: discord.Embed, nonce: str
    ) -> discord.Message:
        prefs = await get_reminder_prefs(self.bot.db, recipient)
        if prefs.via != "channel":
            try:
                return await send_dm(self.bot, recipient, embed=embed, nonce=nonce)
            except DmClosed:
                log.info("DMs closed for %s; session news goes to the reminders channel", recipient)
        config = await get_config(self.bot.db, guild_id)
        if config.reminders_channel_id is None:
            raise _Undeliverable("DMs closed and no reminders channel is set")
        channel = self.bot.get_partial_messageable(config.reminders_channel_id, guild_id=guild_id)
        options: dict[str, Any] = {
            "content": f"<@{recipient}>",
            "embed": embed,
            "allowed_mentions": discord.AllowedMentions(
                everyone=False, roles=False, users=[discord.Object(recipient)]
            ),
            "nonce": nonce,
        }
        return await channel.send(**options)


class _Undeliverable(Exception):
    """Neither a DM nor the server's reminders channel could take the message."""
