"""One pacer for every request the bot makes that Discord counts against its global limit.

Discord allows a bot 50 requests a second in all, whatever the route; discord.py learns of
that limit only from a 429, so the bot paces itself. Every REST request goes through
discord.py's one aiohttp session, whose trace (the bot's one `http_trace`, shared with the
metrics) makes it wait for its slot just before it leaves (`pace_requests`): reminders,
session news, shared notes, DMs of every kind, log-channel posts, DM-channel opens, history
reads, and each retry discord.py makes share the one budget.

Interaction endpoints are not bound to the global limit (Discord's docs): interaction
callbacks (`/interactions/...`) and what is sent with an interaction's token
(`/webhooks/{application_id}/{token}...`) never wait, so an answer meets its 3 s deadline
while reminders fill the second.
"""

from __future__ import annotations

import asyncio
import time
from bisect import bisect_right
from collections import deque
from types import SimpleNamespace

import aiohttp
import discord

GLOBAL_LIMIT = 50
"""Discord's global limit: requests per second per bot."""
DEFAULT_RATE = 48
"""Requests per second: two under the limit, for requests held up by a pause (see `Pacer`)."""
LAG = 0.04
"""How late a request may reach Discord's counter after its slot in the loop's normal run."""
CATCH_UP = 1
"""Slots missed during a stall that may go at once afterwards (within the pacer's rules)."""
LEFT_LATE = 0.01
"""A request that leaves more than this after its slot is counted from when it left."""


class Pacer:
    """Space requests so that Discord never counts more than its global limit in one second.

    Discord counts a request when it arrives, which is a little after the pacer let it go: a
    few milliseconds of the event loop's turns and aiohttp's connection, or a whole pause
    (a garbage collection of tens of milliseconds) during which nothing runs and after which
    the requests held up go out together with the slots that follow. Spacing the slots alone
    (48 a second and a catch-up slot after a stall) filled up to 49 of a second's 50, so the
    requests held up by a pause made the 51st: a 429 (bench/README.md, reminders).

    So the slots keep three rules, on the times the pacer hands out:

    - they are spaced `1 / per_second` apart; after a stall (the sender was busy elsewhere), up
      to `catch_up` missed slots may go at once, so the average rate holds;
    - at most `per_second` of them within any second: the requests a pause holds back (the
      one or two let go in the few milliseconds before it) still make at most `limit` with
      the slots that follow;
    - at most `limit` within any `1 + lag` seconds: a request arriving up to `lag` late
      still shares its second with at most `limit - 1` others.

    A request may also leave well after its slot without any pause: the first requests of a
    burst open new connections (30-40 ms each in the sandbox, in the bot's loop), and a busy
    loop delays the write. Counted from its slot, such a request reached Discord up to `lag`
    after that, and the 51st slot after it fell within its second: a 429
    (tests/e2e/test_reminder_burst.py). So the time a request leaves, when more than
    `left_late` after its slot, replaces the slot in the rules (`sent`): `lag` is then only
    the way from the bot to Discord's counter.

    Slots are handed out in call order, so several tasks may share one pacer.
    """

    def __init__(
        self,
        per_second: int = DEFAULT_RATE,
        *,
        limit: int = GLOBAL_LIMIT,
        lag: float = LAG,
        catch_up: int = CATCH_UP,
        left_late: float = LEFT_LATE,
    ) -> None:
        if per_second * (1.0 + lag) > limit:
            raise ValueError(f"{per_second}/s does not fit {limit} per {1.0 + lag} s")
        self.interval = 1.0 / per_second
        self.rules = ((per_second, 1.0), (limit, 1.0 + lag))
        """(slots, within seconds): never more slots than that within that many seconds."""
        self.lag = lag
        self.catch_up = catch_up
        self.left_late = left_late
        self._next = 0.0
        self._recent: deque[float] = deque(maxlen=max(limit, per_second))
        """The latest slots handed out, oldest first."""

    def reserve(self, now: float) -> float:
        """Take the next slot for a request asked for at `now`; return when it may go."""
        slot = max(now - self.catch_up * self.interval, self._next)
        start = max(slot, now)
        for count, seconds in self.rules:
            if len(self._recent) >= count:
                # the count-th latest slot must have left the window that ends at `start`
                start = max(start, self._recent[-count] + seconds)
        if start > max(slot, now):  # held back by a rule: no catch-up owed from before
            slot = start
        self._recent.append(start)
        self._next = slot + self.interval
        return start

    def woke(self, start: float, now: float) -> float:
        """Note that the request of the slot at `start` goes at `now`; return when it counts.

        Later than `lag`, the loop was paused: that request, and those let go up to `lag`
        before it (still on their way), reach Discord now, together. They are counted at
        `now`, so the rules hold for what Discord sees.
        """
        if now - start <= self.lag:
            return start
        later = []  # slots other callers took for after now: they stay as they are
        while self._recent and self._recent[-1] > now:
            later.append(self._recent.pop())
        held = 0
        while self._recent and self._recent[-1] >= start - self.lag:
            self._recent.pop()
            held += 1
        self._recent.extend([now] * held + later[::-1])
        return now

    def sent(self, counted: float, at: float) -> None:
        """Note that the request counted at `counted` (what `wait` returned) left at `at`.

        More than `left_late` after, the request is counted from `at` in the rules of the
        slots handed out from now on. A slot no longer among the latest, or moved since by
        `woke`, is left as it is.
        """
        if at - counted <= self.left_late:
            return
        try:
            self._recent.remove(counted)
        except ValueError:
            return
        self._recent.insert(bisect_right(self._recent, at), at)

    async def wait(self) -> float:
        """Wait for the next slot; return the time the request is counted from (for `sent`)."""
        now = time.monotonic()
        start = self.reserve(now)
        if start <= now:
            return start
        await asyncio.sleep(start - now)
        return self.woke(start, time.monotonic())


def counts_globally(path: str) -> bool:
    """Tell whether Discord counts a request to this API path (after `/api/v10`) globally.

    Not the interaction endpoints: callbacks, and followups or edits of the original answer
    with the interaction's token (a webhook path with a token).
    """
    if path.startswith("/interactions/"):
        return False
    parts = path.split("/")  # "", "webhooks", id, token, ...
    return not (len(parts) >= 4 and parts[1] == "webhooks" and parts[3] != "")


def pace_requests(trace: aiohttp.TraceConfig, pacer: Pacer) -> None:
    """Make each counted API request of the session `trace` is given to wait for its slot.

    aiohttp awaits `on_request_start` before it connects, after discord.py has waited for the
    route's own bucket: the slot is taken when the request is about to leave, and once its
    headers are written the pacer learns when it did leave (`Pacer.sent`). Requests outside
    the API (the gateway's socket, the CDN) are not counted and do not wait.
    """

    async def wait_for_slot(
        _session: aiohttp.ClientSession,
        context: SimpleNamespace,
        params: aiohttp.TraceRequestStartParams,
    ) -> None:
        url = str(params.url)
        base = discord.http.Route.BASE  # read now: tests point it at the sandbox
        if url.startswith(base + "/") and counts_globally(url[len(base) :]):
            context.paced = await pacer.wait()

    async def note_departure(
        _session: aiohttp.ClientSession,
        context: SimpleNamespace,
        _params: aiohttp.TraceRequestHeadersSentParams,
    ) -> None:
        counted = getattr(context, "paced", None)
        if counted is not None:
            pacer.sent(counted, time.monotonic())

    trace.on_request_start.append(wait_for_slot)
    trace.on_request_headers_sent.append(note_departure)
