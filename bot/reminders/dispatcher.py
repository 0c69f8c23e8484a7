"""One dispatcher delivers every reminder: armed on the earliest due time, paced, restart-safe.

The database is the source of truth. A reminder is claimed (`pending` -> `sending`) before it
is sent and settled after (`sent`, back to `pending` for a retry, `failed`, `missed` or
`cancelled`). Exactly once, whatever the outage:

- every message carries the reminder's reference (`R<id>.<delivery>`) in its embed footer (a
  Components V2 message: in a small last line of text), and its sends a nonce (Discord
  dedupes those for a few minutes only);
- a send whose outcome is unknown (a crash, a 5xx, a timeout, any error after the claim) marks
  the row `unsure`; before sending it again the dispatcher reads the recipient's latest
  messages (DM and reminders channel, or the log channel) and, if the reference is there,
  records that message instead of sending; if not, it re-sends only while the kind says the
  reminder is still useful;
- a claim that did not settle (an error in the database after the send, a full disk) is found
  again by the next round, without a restart;
- persistent errors back off (1 s doubling to a minute) and are logged once per change.

Due reminders go in chunks: one statement claims a chunk, a few reads fetch what all of its
reminders need (`services.reminder_context`), then each is rendered and sent in turn. A round
stopped by an error puts the chunk's untouched claims back; a crash leaves at most a chunk of
claims, which the next start looks for before sending, as any interrupted send.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

import aiohttp
import discord

from bot.clock import MovableClock
from bot.delivery import (
    CANNOT_DM,
    NO_MUTUAL_GUILD,
    DmClosed,
    find_in_history,
    open_dm_channel,
    send_dm,
)
from bot.metrics import record_reminder
from bot.reminders.kinds import Kind, Recipient, UnknownKind, kind_of
from bot.services.reminder_context import ReminderContext, load_context, load_contexts
from bot.storage import reminders as store
from bot.storage.dm_channels import dm_channel_of
from bot.storage.reminders import Reminder
from bot.texts import tr

if TYPE_CHECKING:
    from bot.app import MentorCoach

log = logging.getLogger(__name__)

BATCH = 500
CHUNK = 24
"""Reminders claimed and read together: half a second of sends at 48/s."""
MAX_SLEEP = 300.0
LATE_AFTER = timedelta(minutes=1)
RETRY_BASE = timedelta(minutes=1)
MAX_ATTEMPTS = 5
IN_FLIGHT = 16
"""Sends awaiting Discord's answer at once (at 150 ms a request, 48/s needs about 8)."""
OPEN_AHEAD = timedelta(hours=24)
"""DM channels of the people with a reminder due this soon are opened ahead of time."""
OPEN_BATCH = 50
OPEN_YIELD = 0.5
DM_HISTORY = 50
CHANNEL_HISTORY = 100
"""How many latest messages are read when looking for a reminder that may have gone out."""
BACKOFF_FIRST = 1.0
BACKOFF_MAX = 60.0
TEMPORARY = (discord.DiscordServerError, aiohttp.ClientError, TimeoutError)


@dataclass(frozen=True)
class Outgoing:
    """A reminder message as it will be sent.

    A Components V2 message is a `LayoutView` alone (no content, no embed): its text is in it.
    """

    content: str | None = None
    embed: discord.Embed | None = None
    view: discord.ui.View | discord.ui.LayoutView | None = None


KindRenderer = Callable[[Reminder, bool], Awaitable[Outgoing | None]]
"""Build the message of one reminder (`late`: say it is late), or None when it no longer applies."""


class Renderer(Protocol):
    """Tells whom to warn about an undeliverable reminder (the reminders cog provides it)."""

    async def undeliverable(
        self, reminder: Reminder, *, why: str = "closed"
    ) -> tuple[int, Outgoing] | None:
        """Return whom to tell (and what) when a reminder could not be delivered at all.

        `why`: "closed" (DMs closed, no channel), "left" (left the server), "refused" (the
        reminders channel refuses the bot).
        """
        ...


class Health:
    """The dispatcher's error state: logged once per change, with a growing back-off."""

    def __init__(self) -> None:
        self.failing: str | None = None
        self.failures = 0
        self.total = 0
        """Every error since start (never reset): a round stops at its first new one."""
        self._this_round = False

    def failed(self, where: str, error: BaseException) -> None:
        """Note an error; log it only when it differs from the one already reported."""
        self._this_round = True
        self.failures += 1
        self.total += 1
        # One cause (a full disk) fails every step that writes: log the cause once, not
        # once per step it reaches.
        signature = f"{type(error).__name__}: {error}"
        if signature != self.failing:
            self.failing = signature
            log.error(
                "Reminder dispatcher: %s failed; backing off and retrying",
                where,
                exc_info=error,
            )

    def round_done(self) -> None:
        """End a round: a clean one after errors is logged as the recovery."""
        if not self._this_round and self.failing is not None:
            log.warning("Reminder dispatcher recovered after %d failed attempts", self.failures)
            self.failing = None
            self.failures = 0
        self._this_round = False

    @property
    def backoff(self) -> float | None:
        """Return how long to wait before the next attempt while failing, else None."""
        if self.failing is None:
            return None
        return float(min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** min(self.failures - 1, 10)))


@dataclass(frozen=True)
class _Ready:
    """What was read for a claimed reminder along with the rest of its chunk."""

    context: ReminderContext
    later: int | None
    """The later copy that supersedes it, if any (looked for when the kind collapses)."""
    looked: bool
    """Whether `later` was looked for."""


class Undeliverable(Exception):
    """Neither a DM nor the server's reminders channel could take the reminder."""


class Dispatcher:
    """The reminder engine: one task, woken early when an earlier reminder appears."""

    def __init__(self, bot: MentorCoach, *, in_flight: int = IN_FLIGHT) -> None:
        self.bot = bot
        self.renderer: Renderer | None = None
        self.renderers: dict[str, KindRenderer] = {}
        """One renderer per kind of the registry, added by the cogs at start."""
        self.health = Health()
        self._slots = asyncio.Semaphore(in_flight)
        self._sending: dict[int, asyncio.Task[None]] = {}
        self._ready: dict[int, _Ready] = {}
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._opener: asyncio.Task[int] | None = None
        self._unopenable: set[int] = set()
        self._reported: set[int] = set()
        self._stopping = False
        self.started_at = bot.clock.now()
        """When this process began delivering: a reminder due well before was missed by downtime."""
        if isinstance(bot.clock, MovableClock):
            bot.clock.on_change(self.wake)

    def add_renderer(self, kind: str, render: KindRenderer) -> None:
        """Register the renderer of a kind (refused for a kind the registry does not declare)."""
        self.renderers[kind_of(kind).name] = render

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
        for task in (self._task, self._opener, *self._sending.values()):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._task = None
        self._opener = None

    @property
    def idle(self) -> bool:
        """Tell whether no delivery round is running right now."""
        return not self._lock.locked() and not self._sending

    def wake(self) -> None:
        """Re-arm now: a reminder was planned or the clock moved."""
        self._wake.set()

    async def _run(self) -> None:
        await self.bot.wait_until_ready()
        self.started_at = self.bot.clock.now()
        while not self._stopping:
            self._wake.clear()
            delay = MAX_SLEEP
            try:
                await self.recover()
                await self.run_due()
                self._open_ahead()
                delay = await self.seconds_until_next()
            except Exception as error:
                self.health.failed("a delivery round", error)
            self.health.round_done()
            backoff = self.health.backoff
            if backoff is not None:
                delay = min(delay, backoff)
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
        """Settle the claims nobody is working on (a crash, an error after the send).

        Each may have gone out: it is looked for first, and re-sent only while still useful.
        """
        async with self._lock:
            stuck = [
                replace(r, unsure=True)
                for r in await store.interrupted(self.bot.db)
                if r.id not in self._sending
            ]
            errors = self.health.total
            for reminder in stuck:
                if reminder.id not in self._reported:
                    self._reported.add(reminder.id)
                    log.warning("Settling interrupted reminder %s", reminder.id)
                await self._handle(reminder)
                if self.health.total > errors:
                    break
            await self._drain()
            return len(stuck)

    async def run_due(self) -> int:
        """Deliver every reminder due by now, in due order; return how many were handled."""
        handled = 0
        async with self._lock:
            errors = self.health.total
            while self.health.total == errors and (
                batch := await store.due(self.bot.db, self.bot.clock.now(), BATCH)
            ):
                for start in range(0, len(batch), CHUNK):
                    handled += await self._handle_chunk(batch[start : start + CHUNK], errors)
                    if self.health.total > errors:
                        break  # the next round backs off, then starts again from the earliest
            await self._drain()
        return handled

    async def _handle_chunk(self, chunk: list[Reminder], errors: int) -> int:
        """Claim a chunk of pending reminders at once, read what they need, then handle each.

        Return how many were handled. At the round's first error the claims not acted on
        yet are put back, so no send is left to look for.
        """
        db = self.bot.db
        known = [r for r in chunk if r.kind in self.renderers]
        for reminder in chunk:
            if reminder.kind not in self.renderers:
                await self._handle(reminder)  # fails it, or says no renderer is registered
                if self.health.total > errors:
                    return len(chunk) - len(known)
        try:
            collapsing = [r for r in known if kind_of(r.kind).collapses]
            later = await store.superseded_among(db, collapsing, self.bot.clock.now())
            async with db.transaction() as tx:
                claimed = await store.claim_many(tx, [r.id for r in known])
        except Exception as error:
            self.health.failed("claiming reminders", error)
            return len(chunk) - len(known)
        taken = [r for r in known if r.id in claimed]
        try:
            contexts = await load_contexts(db, taken)
        except Exception as error:
            self.health.failed("reading reminders", error)
            await self._release(taken)
            return len(chunk) - len(known)
        looked = {r.id for r in collapsing}
        for reminder in taken:
            self._ready[reminder.id] = _Ready(
                contexts[reminder.id], later.get(reminder.id), reminder.id in looked
            )
        done = 0
        try:
            for reminder in taken:
                await self._handle(
                    replace(reminder, status="sending", attempts=reminder.attempts + 1)
                )
                done += 1
                if self.health.total > errors:
                    await self._release(taken[done:])
                    break
        except asyncio.CancelledError:  # stopped mid-chunk: the rest never started sending
            await self._release(taken[done:])
            raise
        finally:
            self._ready.clear()
        return len(chunk)

    async def _release(self, reminders: list[Reminder]) -> None:
        """Put back claims never acted on; if even that fails, `recover()` settles them."""
        if not reminders:
            return
        with contextlib.suppress(Exception):
            async with self.bot.db.transaction() as tx:
                await store.release(tx, [r.id for r in reminders])

    async def context_of(self, reminder: Reminder) -> ReminderContext:
        """Return what delivering a reminder needs: read with its chunk, or now."""
        ready = self._ready.get(reminder.id)
        if ready is not None:
            return ready.context
        return await load_context(self.bot.db, reminder)

    async def _drain(self) -> None:
        while self._sending:
            await asyncio.gather(*self._sending.values(), return_exceptions=True)

    # -- one reminder ----------------------------------------------------------------------

    async def _handle(self, reminder: Reminder) -> None:
        """Check, claim, render and start sending one reminder; settle it whatever happens."""
        try:
            await self._prepare(reminder)
        except Exception as error:
            self.health.failed("preparing a reminder", error)
            await self._settle_after_error(reminder, error)

    async def _prepare(self, reminder: Reminder) -> None:
        db = self.bot.db
        now = self.bot.clock.now()
        try:
            kind = kind_of(reminder.kind)
        except UnknownKind:
            await self._outcome(reminder, "failed", f"unknown kind {reminder.kind!r}")
            return
        if reminder.status == "pending":
            async with db.transaction() as tx:
                if not await store.claim(tx, reminder.id, late=reminder.late):
                    return
        ready = self._ready.get(reminder.id)
        if ready is None:  # not read with a chunk (an interrupted send, a single claim)
            ready = _Ready(await load_context(db, reminder), None, looked=False)
            self._ready[reminder.id] = ready
        try:
            await self._prepare_claimed(reminder, kind, ready, now)
        finally:
            self._ready.pop(reminder.id, None)

    async def _prepare_claimed(
        self, reminder: Reminder, kind: Kind, ready: _Ready, now: datetime
    ) -> None:
        db = self.bot.db
        context = ready.context
        if reminder.unsure:
            found = await self._find_delivered(reminder, kind, context)
            if found is not None:
                via, message_id = found
                log.info("Reminder %s had gone out (message %s)", reminder.id, message_id)
                async with db.transaction() as tx:
                    await store.mark_sent(
                        tx, reminder.id, via=via, message_id=message_id, now=now, late=reminder.late
                    )
                return
        if not self._still_useful(reminder, kind, now, context):
            await self._outcome(reminder, "missed", "no longer useful when it could be sent")
            return
        if kind.collapses:
            later = ready.later if ready.looked else await store.superseded_by(db, reminder, now)
            if later is not None:
                await self._outcome(reminder, "cancelled", f"superseded by reminder {later}")
                return
        late = self._is_late(reminder, now)
        render = self.renderers.get(kind.name)
        if render is None:
            raise RuntimeError(f"no renderer is registered for {kind.name!r} reminders")
        outgoing = await render(reminder, late)
        if outgoing is None or (
            context.prefs.paused and kind.recipient is not Recipient.LOG_CHANNEL
        ):
            reason = "paused by the recipient" if outgoing is not None else "no longer applies"
            await self._outcome(reminder, "cancelled", reason)
            return
        outgoing = self._with_reference(reminder, outgoing, context)
        # A free place, then the send: its request waits for its slot in the bot's pacer
        # (`bot.pacing`), shared with every other request the bot makes.
        await self._slots.acquire()
        task = asyncio.create_task(self._send_and_settle(reminder, kind, outgoing, context, late))
        self._sending[reminder.id] = task

    def _is_late(self, reminder: Reminder, now: datetime) -> bool:
        """Late means the bot was down (or Discord unreachable) when it fell due.

        A clock moved forward while the bot runs is not downtime.
        """
        self.started_at = min(self.started_at, now)  # a clock moved back (tests, playground)
        if reminder.due_at < self.started_at - LATE_AFTER:
            return True
        return reminder.unsure and now - reminder.due_at > LATE_AFTER

    def _still_useful(
        self, reminder: Reminder, kind: Kind, now: datetime, context: ReminderContext
    ) -> bool:
        session = context.view.session if context.view is not None else None
        return kind.still_useful(
            due_at=reminder.due_at,
            now=now,
            session_starts_at=session.starts_at if session else None,
            session_status=session.status if session else None,
        )

    def _with_reference(
        self, reminder: Reminder, outgoing: Outgoing, context: ReminderContext
    ) -> Outgoing:
        """Put the reminder's reference in its embed footer (added to one if present).

        A Components V2 message gets it as a small last line of text.
        """
        reference = tr("reminders.reference", context.locale, ref=reminder.reference)
        if isinstance(outgoing.view, discord.ui.LayoutView):
            outgoing.view.add_item(discord.ui.TextDisplay(f"-# {reference}"))
            return outgoing
        embed = outgoing.embed or discord.Embed(description=outgoing.content)
        footer = embed.footer.text
        embed.set_footer(text=f"{footer} · {reference}" if footer else reference)
        content = outgoing.content if outgoing.embed is not None else None
        return Outgoing(content=content, embed=embed, view=outgoing.view)

    async def _send_and_settle(
        self,
        reminder: Reminder,
        kind: Kind,
        outgoing: Outgoing,
        context: ReminderContext,
        late: bool,
    ) -> None:
        try:
            try:
                via, message = await self._send(reminder, kind, outgoing, context)
            except TEMPORARY as error:
                await self._retry_or_fail(reminder, f"temporary: {error}", unsure=True)
                return
            except RecipientLeft as error:  # pinging them in a channel they left is pointless
                await self._fail(reminder, str(error), why="left")
                return
            except discord.Forbidden as error:  # the reminders channel does not let the bot post
                await self._fail(reminder, str(error), why="refused")
                return
            except (discord.HTTPException, Undeliverable) as error:
                await self._fail(reminder, str(error))
                return
            now = self.bot.clock.now()
            async with self.bot.db.transaction() as tx:
                await store.mark_sent(
                    tx, reminder.id, via=via, message_id=message.id, now=now, late=late
                )
            lateness = (now - reminder.due_at).total_seconds()
            record_reminder(reminder.kind, "sent", lateness=lateness)
        except Exception as error:
            self.health.failed("settling a sent reminder", error)
            await self._settle_after_error(reminder, error)
        finally:
            self._slots.release()
            self._sending.pop(reminder.id, None)

    async def _settle_after_error(self, reminder: Reminder, error: Exception) -> None:
        """Put a reminder back for a retry after an unexpected error; it may have gone out.

        If even that fails (the database refuses writes), the row stays claimed and the next
        round's `recover()` finds it.
        """
        with contextlib.suppress(Exception):
            await self._retry_or_fail(reminder, f"error: {type(error).__name__}", unsure=True)

    async def _send(
        self, reminder: Reminder, kind: Kind, outgoing: Outgoing, context: ReminderContext
    ) -> tuple[str, discord.Message]:
        config = context.config
        if kind.recipient is Recipient.LOG_CHANNEL:
            if config.log_channel_id is None:
                raise Undeliverable("no log channel is set")
            channel = self.bot.get_partial_messageable(
                config.log_channel_id, guild_id=reminder.guild_id
            )
            message = await channel.send(
                **self._options(outgoing, reminder), allowed_mentions=discord.AllowedMentions.none()
            )
            return "channel", message
        if context.prefs.via != "channel":
            try:
                return "dm", await self._send_dm(reminder, outgoing, context)
            except DmClosed:
                log.info("DMs closed for %s; trying the reminders channel", reminder.recipient_id)
        return "channel", await self._post_in_channel(reminder, outgoing, context)

    def _options(self, outgoing: Outgoing, reminder: Reminder) -> dict[str, Any]:
        given = {
            "content": outgoing.content,
            "embed": outgoing.embed,
            "view": outgoing.view,
            "nonce": reminder.nonce,
        }
        return {key: value for key, value in given.items() if value is not None}

    async def _send_dm(
        self, reminder: Reminder, outgoing: Outgoing, context: ReminderContext
    ) -> discord.Message:
        channel_id = context.dm_channel_id
        if channel_id is None:  # opened since it was read (another reminder of theirs)?
            channel_id = await dm_channel_of(self.bot.db, reminder.recipient_id)
        if channel_id is None:  # not opened ahead (planned less than a day before): open now
            channel_id = await open_dm_channel(self.bot, reminder.recipient_id)
        channel = self.bot.get_partial_messageable(channel_id, type=discord.ChannelType.private)
        try:
            return await channel.send(**self._options(outgoing, reminder))
        except discord.Forbidden as error:
            if error.code == NO_MUTUAL_GUILD:
                raise RecipientLeft(reminder.recipient_id) from error
            if error.code == CANNOT_DM:
                raise DmClosed(reminder.recipient_id) from error
            raise

    async def _post_in_channel(
        self, reminder: Reminder, outgoing: Outgoing, context: ReminderContext
    ) -> discord.Message:
        config = context.config
        if config.reminders_channel_id is None:
            raise Undeliverable("DMs closed and no reminders channel is set")
        channel = self.bot.get_partial_messageable(
            config.reminders_channel_id, guild_id=reminder.guild_id
        )
        mention = f"<@{reminder.recipient_id}>"
        options = self._options(outgoing, reminder)
        if isinstance(outgoing.view, discord.ui.LayoutView):  # no content: the mention leads
            options["view"] = _led_by(mention, outgoing.view)
        else:
            options["content"] = f"{mention} {outgoing.content or ''}".strip()
        options["allowed_mentions"] = discord.AllowedMentions(
            everyone=False, roles=False, users=[discord.Object(reminder.recipient_id)]
        )
        return await channel.send(**options)

    async def _find_delivered(
        self, reminder: Reminder, kind: Kind, context: ReminderContext
    ) -> tuple[str, int] | None:
        """Look for a reminder that may have gone out in the places it could have gone.

        Raises on an HTTP error: without an answer the reminder is retried later, not re-sent.
        """
        config = context.config
        places: list[tuple[str, int, int]] = []
        if kind.recipient is Recipient.LOG_CHANNEL:
            if config.log_channel_id is not None:
                places.append(("channel", config.log_channel_id, CHANNEL_HISTORY))
        else:
            dm = context.dm_channel_id
            if dm is not None:
                places.append(("dm", dm, DM_HISTORY))
            if config.reminders_channel_id is not None:
                places.append(("channel", config.reminders_channel_id, CHANNEL_HISTORY))
        for via, channel_id, limit in places:
            found = await find_in_history(self.bot, channel_id, reminder.reference, limit)
            if found is not None:
                return via, found
        return None

    # -- outcomes --------------------------------------------------------------------------

    async def _outcome(self, reminder: Reminder, status: str, reason: str) -> None:
        async with self.bot.db.transaction() as tx:
            await store.mark_outcome(tx, reminder.id, status, reason)
        record_reminder(reminder.kind, status)

    async def _retry_or_fail(self, reminder: Reminder, error: str, *, unsure: bool) -> None:
        attempts = max(reminder.attempts + (reminder.status == "pending"), 1)
        if attempts >= MAX_ATTEMPTS:
            await self._fail(reminder, error)
            return
        delay = RETRY_BASE * (2 ** (attempts - 1))
        async with self.bot.db.transaction() as tx:
            await store.retry_later(
                tx, reminder.id, self.bot.clock.now() + delay, error, unsure=unsure
            )
        record_reminder(reminder.kind, "retried")
        log.info("Reminder %s will be retried in %s: %s", reminder.id, delay, error)

    async def _fail(self, reminder: Reminder, error: str, *, why: str = "closed") -> None:
        await self._outcome(reminder, "failed", error[:500])
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

    # -- DM channels opened ahead of time -------------------------------------------------

    def _open_ahead(self) -> None:
        """Open, in the background, the DM channels of people with a reminder due soon."""
        if self._opener is None or self._opener.done():
            self._opener = asyncio.create_task(self.open_dm_channels_ahead(), name="dm-opener")

    async def open_dm_channels_ahead(self) -> int:
        """Open the DM channels of people with a reminder due within a day; return how many.

        Opening is Discord's most limited route (10 per 10 s in the sandbox); doing it here,
        hours ahead, keeps it out of the send loop, so a due reminder costs one request.
        """
        opened = 0
        try:
            horizon = self.bot.clock.now() + OPEN_AHEAD
            people = await store.recipients_without_dm(
                self.bot.db, horizon, OPEN_BATCH, skip=self._unopenable
            )
            while people:
                for user_id in people:
                    while self._lock.locked():  # noqa: ASYNC110 (sends first; this is hours ahead)
                        await asyncio.sleep(OPEN_YIELD)
                    try:
                        await open_dm_channel(self.bot, user_id)
                        opened += 1
                    except discord.HTTPException:
                        self._unopenable.add(user_id)
                people = await store.recipients_without_dm(
                    self.bot.db, horizon, OPEN_BATCH, skip=self._unopenable
                )
        except Exception as error:
            self.health.failed("opening DM channels ahead", error)
        return opened


def _led_by(text: str, layout: discord.ui.LayoutView) -> discord.ui.LayoutView:
    """Return a layout that shows `text` first, then the items of `layout`."""
    led = discord.ui.LayoutView(timeout=None)
    led.add_item(discord.ui.TextDisplay(text))
    for item in layout.children:
        layout.remove_item(item)
        led.add_item(item)
    return led


class RecipientLeft(Undeliverable):
    """The recipient shares no server with the bot any more (DM refused with 50278)."""

    def __init__(self, user_id: int) -> None:
        super().__init__(f"recipient {user_id} left the server")
