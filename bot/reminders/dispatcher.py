"""One dispatcher delivers every reminder: armed on the earliest due time, paced, restart-safe.

The database is the source of truth. A reminder is claimed (`pending` -> `sending`) before
it is sent and settled after; a send interrupted by a crash is retried at start with the
same nonce, so Discord returns the earlier message instead of sending a second one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

import aiohttp
import discord

from bot.clock import MovableClock
from bot.delivery import DmClosed, LeftServer, send_dm
from bot.metrics import record_reminder
from bot.reminders.planning import still_useful
from bot.storage import reminders as store
from bot.storage.guild_config import get_config
from bot.storage.reminders import Reminder
from bot.storage.sessions import get_session

if TYPE_CHECKING:
    from bot.app import MentorCoach

log = logging.getLogger(__name__)

BATCH = 500
MAX_SLEEP = 300.0
LATE_AFTER = timedelta(minutes=1)
RETRY_BASE = timedelta(minutes=1)
MAX_ATTEMPTS = 5
DEFAULT_RATE = 46.0
"""Sends per second: under Discord's 50 requests/s per bot, leaving room for other calls."""


@dataclass(frozen=True)
class Outgoing:
    """A reminder message as it will be sent."""

    content: str | None = None
    embed: discord.Embed | None = None
    view: discord.ui.View | None = None


class Renderer(Protocol):
    """Turns reminders into messages (the reminders cog provides it)."""

    async def render(self, reminder: Reminder, *, late: bool) -> Outgoing | None:
        """Return the message for a reminder, or None when it no longer applies."""
        ...

    async def undeliverable(
        self, reminder: Reminder, *, why: str = "closed"
    ) -> tuple[int, Outgoing] | None:
        """Return whom to tell (and what) when a reminder could not be delivered at all.

        ``why``: "closed" (DMs closed, no reminders channel), "refused" (DMs closed and the
        reminders channel refused the bot) or "left" (the recipient left the server)."""
        ...


class Pacer:
    """Space sends evenly so that a burst stays under a rate (a leaky bucket).

    A slot missed while the sender was busy elsewhere can be caught up, a few at most, so the
    average rate holds without ever exceeding `per_second + CATCH_UP` in any second.
    """

    CATCH_UP = 3

    def __init__(self, per_second: float) -> None:
        self.interval = 1.0 / per_second
        self._next = 0.0

    async def wait(self) -> None:
        """Wait for the next free slot."""
        now = time.monotonic()
        slot = max(now - self.CATCH_UP * self.interval, self._next)
        self._next = slot + self.interval
        if slot > now:
            await asyncio.sleep(slot - now)


class Dispatcher:
    """The reminder engine: one task, woken early when an earlier reminder appears."""

    def __init__(self, bot: MentorCoach, *, rate: float = DEFAULT_RATE) -> None:
        self.bot = bot
        self.renderer: Renderer | None = None
        self.pacer = Pacer(rate)
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        if isinstance(bot.clock, MovableClock):
            bot.clock.on_change(self.wake)

    def start(self) -> None:
        """Start the dispatcher task."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="reminder-dispatcher")

    async def stop(self) -> None:
        """Stop the dispatcher task.

        The flag ends the loop even if a cancellation is lost: Python 3.11's `asyncio.wait_for`
        swallows one that arrives just as the awaited event is set.
        """
        self._stopping = True
        self.wake()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    @property
    def idle(self) -> bool:
        """Tell whether no delivery round is running right now."""
        return not self._lock.locked()

    def wake(self) -> None:
        """Re-arm now: a reminder was planned or the clock moved."""
        self._wake.set()

    async def _run(self) -> None:
        await self.bot.wait_until_ready()
        await self.recover()
        while not self._stopping:
            self._wake.clear()
            try:
                await self.run_due()
            except Exception:
                log.exception("The reminder dispatcher failed a round; it goes on")
            delay = await self.seconds_until_next()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(delay):
                    await self._wake.wait()

    async def seconds_until_next(self) -> float:
        """Return how long to sleep before the earliest pending reminder (capped)."""
        upcoming = await store.next_due_at(self.bot.db)
        if upcoming is None:
            return MAX_SLEEP
        return min(MAX_SLEEP, max(0.0, (upcoming - self.bot.clock.now()).total_seconds()))

    async def recover(self) -> int:
        """Finish the sends a crash interrupted, reusing their nonces; return how many."""
        async with self._lock:
            interrupted = await store.interrupted(self.bot.db)
            for reminder in interrupted:
                log.warning("Resuming interrupted reminder %s", reminder.id)
                await self._deliver(reminder, late=reminder.late)
            return len(interrupted)

    async def run_due(self) -> int:
        """Deliver every reminder due by now; return how many were handled."""
        handled = 0
        async with self._lock:
            started = self.bot.clock.now()
            while batch := await store.due(self.bot.db, self.bot.clock.now(), BATCH):
                for reminder in batch:
                    await self._handle(reminder, started)
                    handled += 1
        return handled

    async def _handle(self, reminder: Reminder, started: datetime) -> None:
        """Send one due reminder; late means it fell due well before this round began."""
        now = self.bot.clock.now()
        late = started - reminder.due_at > LATE_AFTER
        if late and not await self._still_useful(reminder, now):
            async with self.bot.db.transaction() as tx:
                await store.mark_outcome(tx, reminder.id, "missed", "fell due while offline")
            record_reminder(reminder.kind, "missed")
            return
        async with self.bot.db.transaction() as tx:
            if not await store.claim(tx, reminder.id, late=late):
                return
            claimed = await store.get_reminder(tx, reminder.id)
        assert claimed is not None
        await self._deliver(claimed, late=late)

    async def _still_useful(self, reminder: Reminder, now: datetime) -> bool:
        session = (
            await get_session(self.bot.db, reminder.session_id)
            if reminder.session_id is not None
            else None
        )
        return still_useful(
            reminder.kind,
            due_at=reminder.due_at,
            now=now,
            session_starts_at=session.starts_at if session else None,
            session_status=session.status if session else None,
        )

    async def _deliver(self, reminder: Reminder, *, late: bool) -> None:
        """Send a claimed reminder and settle it: sent, retried later, failed or cancelled."""
        db = self.bot.db
        if self.renderer is None:
            raise RuntimeError("no reminder renderer is registered")
        outgoing = await self.renderer.render(reminder, late=late)
        prefs = await store.get_prefs(db, reminder.recipient_id)
        if outgoing is None or prefs.paused:
            reason = "paused by the recipient" if prefs.paused else "no longer applies"
            async with db.transaction() as tx:
                await store.mark_outcome(tx, reminder.id, "cancelled", reason)
            record_reminder(reminder.kind, "cancelled")
            return
        try:
            via, message = await self._send(
                reminder, outgoing, prefer_channel=prefs.via == "channel"
            )
        except (discord.DiscordServerError, aiohttp.ClientError, TimeoutError) as error:
            await self._retry_or_fail(reminder, f"temporary: {error}")
            return
        except RecipientLeft as error:
            await self._fail(reminder, str(error), why="left")
            return
        except discord.Forbidden as error:  # the reminders channel does not let the bot post
            await self._fail(reminder, str(error), why="refused")
            return
        except (discord.HTTPException, Undeliverable) as error:
            await self._fail(reminder, str(error))
            return
        now = self.bot.clock.now()
        async with db.transaction() as tx:
            await store.mark_sent(tx, reminder.id, via=via, message_id=message.id, now=now)
        record_reminder(reminder.kind, "sent", lateness=(now - reminder.due_at).total_seconds())

    async def _send(
        self, reminder: Reminder, outgoing: Outgoing, *, prefer_channel: bool
    ) -> tuple[str, discord.Message]:
        await self.pacer.wait()
        if not prefer_channel:
            try:
                message = await send_dm(
                    self.bot,
                    reminder.recipient_id,
                    content=outgoing.content,
                    embed=outgoing.embed,
                    view=outgoing.view,
                    nonce=reminder.nonce,
                )
                return "dm", message
            except LeftServer as error:  # pinging them in a channel they left is pointless
                raise RecipientLeft(reminder.recipient_id) from error
            except DmClosed:
                log.info("DMs closed for %s; trying the reminders channel", reminder.recipient_id)
        return "channel", await self._post_in_channel(reminder, outgoing)

    async def _post_in_channel(self, reminder: Reminder, outgoing: Outgoing) -> discord.Message:
        config = await get_config(self.bot.db, reminder.guild_id)
        if config.reminders_channel_id is None:
            raise Undeliverable("DMs closed and no reminders channel is set")
        channel = self.bot.get_partial_messageable(
            config.reminders_channel_id, guild_id=reminder.guild_id
        )
        mention = f"<@{reminder.recipient_id}>"
        options: dict[str, Any] = {
            "content": f"{mention} {outgoing.content or ''}".strip(),
            "allowed_mentions": discord.AllowedMentions(
                everyone=False, roles=False, users=[discord.Object(reminder.recipient_id)]
            ),
            "nonce": reminder.nonce,
        }
        if outgoing.embed is not None:
            options["embed"] = outgoing.embed
        if outgoing.view is not None:
            options["view"] = outgoing.view
        await self.pacer.wait()
        return await channel.send(**options)

    async def _retry_or_fail(self, reminder: Reminder, error: str) -> None:
        if reminder.attempts >= MAX_ATTEMPTS:
            await self._fail(reminder, error)
            return
        delay = RETRY_BASE * (2 ** (reminder.attempts - 1))
        async with self.bot.db.transaction() as tx:
            await store.retry_later(tx, reminder.id, self.bot.clock.now() + delay, error)
        record_reminder(reminder.kind, "retried")
        log.warning("Reminder %s will be retried in %s: %s", reminder.id, delay, error)

    async def _fail(self, reminder: Reminder, error: str, *, why: str = "closed") -> None:
        async with self.bot.db.transaction() as tx:
            await store.mark_outcome(tx, reminder.id, "failed", error[:500])
        record_reminder(reminder.kind, "failed")
        log.warning("Reminder %s failed: %s", reminder.id, error)
        if self.renderer is None:
            return
        notice = await self.renderer.undeliverable(reminder, why=why)
        if notice is None:
            return
        recipient, outgoing = notice
        try:
            await send_dm(self.bot, recipient, content=outgoing.content, embed=outgoing.embed)
        except (DmClosed, discord.HTTPException):
            log.warning("Could not tell %s that reminder %s failed", recipient, reminder.id)


class Undeliverable(Exception):
    """Neither a DM nor the server's reminders channel could take the reminder."""


class RecipientLeft(Undeliverable):
    """The recipient shares no server with the bot any more (DM refused with 50278)."""

    def __init__(self, user_id: int) -> None:
        super().__init__(f"recipient {user_id} left the server")
