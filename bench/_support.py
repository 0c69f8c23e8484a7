"""Helpers for the benchmarks: memory, tables, the bot against a sandbox, bulk fixtures."""

from __future__ import annotations

import asyncio
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.app import MentorCoach
from bot.clock import Clock, iso
from bot.db import Database
from bot.settings import Settings
from bot.texts import catalogue
from sandbox import Sandbox

MIB = 1024 * 1024


def rss_bytes() -> int:
    """Return this process's resident memory (VmRSS in /proc/self/status), in bytes."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("VmRSS not found in /proc/self/status")


def percentile(values: Sequence[float], fraction: float) -> float:
    """Return the `fraction` quantile (nearest rank) of non-empty `values`."""
    ordered = sorted(values)
    rank = max(1, round(fraction * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


def median(values: Sequence[float]) -> float:
    """Return the median of non-empty `values`."""
    return statistics.median(values)


@dataclass(frozen=True)
class Row:
    """One line of the results table."""

    metric: str
    target: str
    measured: str
    ok: bool | None
    """None when the line has no target (a baseline or a detail)."""

    @property
    def verdict(self) -> str:
        """Return `yes`, `NO` or `-`."""
        if self.ok is None:
            return "-"
        return "yes" if self.ok else "NO"


def markdown_table(rows: Sequence[Row]) -> str:
    """Return the rows as a Markdown table, columns padded so it also reads as plain text."""
    header = ("metric", "target", "measured", "ok?")
    cells = [header, *((r.metric, r.target, r.measured, r.verdict) for r in rows)]
    widths = [max(len(line[i]) for line in cells) for i in range(4)]

    def line(values: Sequence[str]) -> str:
        return "| " + " | ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(cells[0]), rule, *(line(c) for c in cells[1:])])


@dataclass
class RunningBot:
    """The product bot connected to a sandbox, and the task that keeps its connection."""

    bot: MentorCoach
    task: asyncio.Task[None]

    async def stop(self) -> None:
        """Close the bot and wait for its connection task to end."""
        await self.bot.close()
        await asyncio.wait_for(self.task, 10)


async def start_bot(sb: Sandbox, db: Database, clock: Clock, path: Path) -> RunningBot:
    """Start the unmodified product bot against the sandbox and wait until it is ready.

    As `tests/e2e/conftest.py` does, except that no command sync is asked for at start
    (the product's default), so the REST log holds only what the bot does on its own.
    Only `cogs.reminders` (the renderer) must load; other failures are left in
    `bot.failed_extensions` for the caller to report.
    """
    settings = Settings(_env_file=None, database_path=path)  # type: ignore[call-arg]
    bot = MentorCoach(
        db=db, settings=settings, texts=catalogue(), clock=clock, guild_ready_timeout=0.1
    )
    task = asyncio.create_task(bot.start(sb.token))
    ready = asyncio.create_task(bot.wait_until_ready())
    await asyncio.wait({ready, task}, timeout=15, return_when=asyncio.FIRST_COMPLETED)
    if not ready.done():
        ready.cancel()
        raise RuntimeError(f"the bot did not get ready: {task}")
    if "cogs.reminders" in bot.failed_extensions:
        raise RuntimeError(f"cogs.reminders failed to load: {bot.failed_extensions}")
    return RunningBot(bot, task)


async def prewarm_recipients(sb: Sandbox, db: Database, count: int, now: datetime) -> list[int]:
    """Create `count` users with an open DM channel, known to the bot too; return their ids.

    Goes straight to the sandbox's state and the bot's `dm_channels` table: no request is
    made, so the delivery phase measures the steady state (one request per reminder).
    """
    state = sb.state
    known: list[tuple[int, int, str]] = []
    for index in range(count):
        user = state.add_user(f"bench{index:06d}", global_name=f"Bench {index}")
        known.append((user.id, state.dm_channel(user.id).id, iso(now)))
    async with db.transaction() as tx:
        await tx.execute_many(
            "INSERT INTO dm_channels (user_id, channel_id, created_at) VALUES (?, ?, ?)", known
        )
    return [user_id for user_id, _, _ in known]


async def deliver(reminder_id: int) -> None:
    """Stand for the reminder callable an APScheduler job would reference (never run here)."""
    raise NotImplementedError(reminder_id)
