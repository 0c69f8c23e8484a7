"""Benchmark the reminder engine: restart, memory, lateness and throughput through the sandbox.

Run with `make bench` or `.venv/bin/python bench/reminders.py [--quick]`; bench/README.md
explains each line of the table and holds the last full run.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `bench` importable as a script

import argparse
import asyncio
import json
import os
import pickle
import platform
import sqlite3
import subprocess
import tempfile
import time
from collections import Counter
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

from bench._support import (
    MIB,
    Row,
    RunningBot,
    markdown_table,
    median,
    percentile,
    prewarm_recipients,
    rss_bytes,
    start_bot,
)
from bot.app import MentorCoach
from bot.clock import SystemClock, iso
from bot.db import Database
from bot.reminders.dispatcher import BATCH, DEFAULT_RATE, LATE_AFTER
from bot.reminders.planning import DIGEST, Planned
from bot.settings import Settings
from bot.storage import reminders as store
from bot.texts import catalogue
from sandbox import Sandbox
from sandbox.testing import discord_pointed_at

BACKLOG_GUILD = 900_000_000_000_000_001
BACKLOG_RECIPIENTS = 20_000
BACKLOG_START = timedelta(hours=1)
BACKLOG_HORIZON = timedelta(days=30)
JOB_CALLABLE = "bench._support:deliver"


@dataclass(frozen=True)
class Sizes:
    """How big each phase is."""

    pending: int
    """Reminders pending in the database (restart, memory, APScheduler baseline, backlog)."""
    burst: int
    """Reminders falling due at the same instant (throughput, rate limits on)."""
    lateness: int
    """Reminders whose lateness is measured (rate limits off)."""
    lateness_seconds: int
    """Over how many consecutive whole seconds those fall due."""
    repeats: int
    """Fresh processes per start-up measurement (the median is reported)."""


FULL = Sizes(pending=100_000, burst=10_000, lateness=300, lateness_seconds=60, repeats=3)
QUICK = Sizes(pending=10_000, burst=1_000, lateness=60, lateness_seconds=12, repeats=3)


# -- fixtures ------------------------------------------------------------------------------


def backlog_due(index: int, count: int, now: datetime) -> datetime:
    """Return when the `index`-th backlog reminder falls due: spread over the next 30 days."""
    return now + BACKLOG_START + BACKLOG_HORIZON * index / count


async def build_backlog(path: Path, count: int, now: datetime) -> None:
    """Create the bot's database (all migrations) holding `count` pending future reminders."""
    db = await Database.open(path)
    await db.close()
    rows = [
        (
            DIGEST,
            BACKLOG_GUILD + index % BACKLOG_RECIPIENTS,
            BACKLOG_GUILD,
            f"backlog:{index}",
            iso(backlog_due(index, count, now)),
            iso(now),
        )
        for index in range(count)
    ]
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.executemany(
            "INSERT INTO reminders (kind, session_id, recipient_id, guild_id, slot, due_at, "
            "created_at) VALUES (?, NULL, ?, ?, ?, ?, ?)",
            rows,
        )


def build_apscheduler_store(path: Path, count: int, now: datetime) -> None:
    """Store the same reminders as APScheduler jobs in its own SQLAlchemy job store.

    Each row is exactly what `scheduler.add_job(deliver, "date", run_date=due, args=[id],
    id=...)` stores with the default job options (misfire_grace_time=1, coalesce=True,
    max_instances=1): the pickled job state. Written in one transaction to save time.
    """
    from apscheduler.job import Job
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.asyncio import AsyncIOScheduler
    from apscheduler.triggers.date import DateTrigger
    from apscheduler.util import datetime_to_utc_timestamp
    from sqlalchemy import insert

    jobstore = SQLAlchemyJobStore(url=f"sqlite:///{path}")
    owner = AsyncIOScheduler(timezone="UTC")  # never started: jobs only need an owner
    jobstore.jobs_t.create(jobstore.engine, checkfirst=True)
    rows: list[dict[str, Any]] = []
    for index in range(count):
        due = backlog_due(index, count, now)
        job = Job(
            owner,
            id=f"reminder-{index + 1}",
            func=JOB_CALLABLE,
            trigger=DateTrigger(due, timezone=UTC),
            executor="default",
            args=(index + 1,),
            kwargs={},
            name="deliver",
            misfire_grace_time=1,
            coalesce=True,
            max_instances=1,
            next_run_time=due,
        )
        rows.append(
            {
                "id": job.id,
                "next_run_time": datetime_to_utc_timestamp(due),
                "job_state": pickle.dumps(job.__getstate__(), jobstore.pickle_protocol),
            }
        )
    with jobstore.engine.begin() as connection:
        connection.execute(insert(jobstore.jobs_t), rows)
    jobstore.engine.dispose()


# -- start-up, each in a fresh process ----------------------------------------------------------


async def child_restart(path: Path) -> dict[str, Any]:
    """Open the existing database and arm the dispatcher; return time and memory added."""
    texts = catalogue()
    settings = Settings(_env_file=None, database_path=path)  # type: ignore[call-arg]
    before = rss_bytes()
    started = time.perf_counter()
    db = await Database.open(path)
    bot = MentorCoach(db=db, settings=settings, texts=texts, clock=SystemClock())
    recovered = await bot.reminders.recover()
    delay = await bot.reminders.seconds_until_next()
    armed = time.perf_counter() - started
    after = rss_bytes()
    polls = []
    for _ in range(5):
        poll_started = time.perf_counter()
        due = await store.due(db, SystemClock().now(), BATCH)
        polls.append(time.perf_counter() - poll_started)
    pending = (await store.count_by_status(db)).get("pending", 0)
    await db.close()
    return {
        "armed_s": armed,
        "rss_added": after - before,
        "recovered": recovered,
        "sleep_s": delay,
        "due_poll_s": median(polls),
        "due_now": len(due),
        "pending": pending,
    }


async def child_apscheduler(path: Path) -> dict[str, Any]:
    """Start APScheduler on its SQLAlchemy job store until its first pass is done."""
    import sqlalchemy.dialects.sqlite.pysqlite  # noqa: F401  (a fixed import cost, not the jobs')
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    loop = asyncio.get_running_loop()
    before = rss_bytes()
    started = time.perf_counter()
    scheduler = AsyncIOScheduler(
        jobstores={"default": SQLAlchemyJobStore(url=f"sqlite:///{path}")}, timezone="UTC"
    )
    first_pass: asyncio.Future[float | None] = loop.create_future()
    process_jobs = scheduler._process_jobs

    def process_and_tell() -> float | None:
        wait: float | None = process_jobs()
        if not first_pass.done():
            first_pass.set_result(wait)
        return wait

    scheduler._process_jobs = process_and_tell
    scheduler.start()
    delay = await first_pass
    armed = time.perf_counter() - started
    after = rss_bytes()
    jobs = scheduler.get_jobs()
    scheduler.shutdown(wait=False)
    await asyncio.sleep(0)
    return {
        "armed_s": armed,
        "rss_added": after - before,
        "sleep_s": delay,
        "jobs": len(jobs),
    }


def in_fresh_process(kind: str, path: Path) -> dict[str, Any]:
    """Run one start-up measurement in a new interpreter and return what it printed."""
    done = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the {kind} measurement failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# -- through the sandbox --------------------------------------------------------------------


async def wait_for_messages(sb: Sandbox, target: int, timeout: float) -> None:  # noqa: ASYNC109
    """Wait until the sandbox stores `target` messages in all."""
    await sb.wait_for(lambda: len(sb.state.messages) >= target, timeout)


async def wait_idle(sb: Sandbox, running: RunningBot) -> None:
    """Let the bot finish its start-up work (maintenance, first dispatcher round)."""
    await asyncio.sleep(1.0)
    await sb.wait_for(lambda: running.bot.reminders.idle, 30.0)


def reminder_id_of(nonce: object) -> int:
    """Return the reminder id carried by a message nonce (`rem{id}-{deliveries}`)."""
    text = str(nonce)
    if not text.startswith("rem"):
        raise ValueError(f"not a reminder nonce: {text!r}")
    return int(text[3:].split("-")[0])


@dataclass(frozen=True)
class Lateness:
    """Sent minus due, in seconds, for each reminder, and the first of each due second."""

    all: list[float]
    first_of_second: list[float]
    sent: int


async def lateness_phase(path: Path, sizes: Sizes) -> Lateness:
    """Real bot, real clock, no rate limits: reminders due at whole seconds over a minute."""
    async with Sandbox(rate_limits=False) as sb:
        with discord_pointed_at(sb):
            db = await Database.open(path)
            try:
                now = datetime.now(UTC)
                recipients = await prewarm_recipients(sb, db, sizes.lateness, now)
                running = await start_bot(sb, db, SystemClock(), path)
                try:
                    await wait_idle(sb, running)
                    assert sb.guild is not None
                    first = int(time.time()) + 3
                    planned = [
                        Planned(
                            DIGEST,
                            recipient,
                            f"lateness:{index}",
                            datetime.fromtimestamp(first + index % sizes.lateness_seconds, UTC),
                        )
                        for index, recipient in enumerate(recipients)
                    ]
                    base = len(sb.state.messages)
                    async with db.transaction() as tx:
                        await store.add_planned(tx, None, sb.guild.id, planned, now)
                    running.bot.reminders.wake()
                    await wait_for_messages(sb, base + len(planned), sizes.lateness_seconds + 60)
                    await wait_idle(sb, running)
                finally:
                    await running.stop()
                rows = await db.fetch_all(
                    "SELECT id, due_at, status FROM reminders WHERE slot LIKE 'lateness:%'"
                )
            finally:
                await db.close()
    due_at = {row["id"]: datetime.fromisoformat(row["due_at"]) for row in rows}
    sent = sum(1 for row in rows if row["status"] == "sent")
    late = {
        reminder_id_of(m.nonce): (m.timestamp - due_at[reminder_id_of(m.nonce)]).total_seconds()
        for m in list(sb.state.messages.values())[base:]
    }
    by_second: dict[datetime, float] = {}
    for reminder_id, seconds in late.items():
        due = due_at[reminder_id]
        by_second[due] = min(seconds, by_second.get(due, seconds))
    return Lateness(all=list(late.values()), first_of_second=list(by_second.values()), sent=sent)


@dataclass(frozen=True)
class Throughput:
    """What the delivery of one burst cost."""

    delivered: int
    seconds: float
    first_after_wake: float
    steady_rate: float
    longest_gap: float
    rate_limited: int
    global_rate_limited: int
    requests: Counter[str]
    statuses: dict[str, int]
    flagged_late: int
    unexpected_errors: int
    failed_extensions: list[str]


async def throughput_phase(path: Path, sizes: Sizes) -> Throughput:
    """Rate limits on: `burst` reminders due at the same instant, DM channels already known."""
    async with Sandbox(rate_limits=True) as sb:
        with discord_pointed_at(sb):
            db = await Database.open(path)
            try:
                now = datetime.now(UTC)
                recipients = await prewarm_recipients(sb, db, sizes.burst, now)
                running = await start_bot(sb, db, SystemClock(), path)
                failed = sorted(running.bot.failed_extensions)
                try:
                    await wait_idle(sb, running)
                    assert sb.guild is not None
                    now = datetime.now(UTC)
                    planned = [
                        Planned(DIGEST, recipient, f"burst:{index}", now)
                        for index, recipient in enumerate(recipients)
                    ]
                    async with db.transaction() as tx:
                        await store.add_planned(tx, None, sb.guild.id, planned, now)
                    base = len(sb.state.messages)
                    requests_before = len(sb.requests)
                    limited_before = sb.stats.rate_limited
                    global_before = sb.stats.global_rate_limited
                    woke = datetime.now(UTC)
                    running.bot.reminders.wake()
                    timeout = sizes.burst / (DEFAULT_RATE * 0.5) + 60
                    await wait_for_messages(sb, base + len(planned), timeout)
                    await wait_idle(sb, running)
                finally:
                    await running.stop()
                statuses = dict(
                    Counter(
                        row["status"]
                        for row in await db.fetch_all(
                            "SELECT status FROM reminders WHERE slot LIKE 'burst:%'"
                        )
                    )
                )
                flagged = await db.fetch_one(
                    "SELECT COUNT(*) AS n FROM reminders WHERE slot LIKE 'burst:%' AND late = 1"
                )
            finally:
                await db.close()
    messages = list(sb.state.messages.values())[base:]
    stamps = sorted(m.timestamp for m in messages)
    first, last = stamps[0], stamps[-1]
    gaps = [(b - a).total_seconds() for a, b in pairwise(stamps)]
    requests = Counter(f"{r.method} {r.route}" for r in sb.requests[requests_before:])
    return Throughput(
        delivered=len(messages),
        seconds=(last - woke).total_seconds(),
        first_after_wake=(first - woke).total_seconds(),
        steady_rate=(len(stamps) - 1) / max((last - first).total_seconds(), 1e-9),
        longest_gap=max(gaps, default=0.0),
        rate_limited=sb.stats.rate_limited - limited_before,
        global_rate_limited=sb.stats.global_rate_limited - global_before,
        requests=requests,
        statuses=statuses,
        flagged_late=int(flagged["n"]) if flagged is not None else 0,
        unexpected_errors=len(sb.unexpected_errors),
        failed_extensions=failed,
    )


# -- the table -------------------------------------------------------------------------------


def copy_database(source: Path, target: Path) -> Path:
    """Copy a closed SQLite database file (its WAL was checkpointed at close)."""
    target.write_bytes(source.read_bytes())
    return target


def run(sizes: Sizes) -> tuple[list[Row], list[str]]:
    """Run every phase; return the table and the notes under it."""
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench-reminders-") as folder:
        tmp = Path(folder)
        now = datetime.now(UTC)
        backlog = tmp / "backlog.db"
        asyncio.run(build_backlog(backlog, sizes.pending, now))
        restarts = [in_fresh_process("restart", backlog) for _ in range(sizes.repeats)]

        jobs = tmp / "apscheduler.db"
        baseline: list[dict[str, Any]] = []
        try:
            build_apscheduler_store(jobs, sizes.pending, now)
        except ImportError as error:
            notes.append(f"APScheduler baseline skipped: {error} (pip install SQLAlchemy)")
        else:
            baseline = [in_fresh_process("apscheduler", jobs) for _ in range(sizes.repeats)]
            notes.append(
                f"database files: bot {backlog.stat().st_size / MIB:.1f} MiB, "
                f"APScheduler job store {jobs.stat().st_size / MIB:.1f} MiB"
            )

        lateness = asyncio.run(lateness_phase(copy_database(backlog, tmp / "late.db"), sizes))
        burst = asyncio.run(throughput_phase(copy_database(backlog, tmp / "burst.db"), sizes))

    armed = median([r["armed_s"] for r in restarts])
    rss = median([r["rss_added"] for r in restarts])
    rows = [
        Row(
            f"restart to armed, {sizes.pending:,} pending (median of {sizes.repeats})",
            "<= 1 s",
            f"{armed * 1000:.0f} ms",
            armed <= 1.0,
        ),
        Row("  resident memory added", "<= 50 MiB", f"{rss / MIB:.1f} MiB", rss <= 50 * MIB),
    ]
    if baseline:
        aps_armed = median([r["armed_s"] for r in baseline])
        aps_rss = median([r["rss_added"] for r in baseline])
        rows += [
            Row(
                f"APScheduler 3.11 SQLAlchemyJobStore, {sizes.pending:,} jobs: start to armed",
                "baseline",
                f"{aps_armed * 1000:.0f} ms",
                None,
            ),
            Row("  resident memory added", "baseline", f"{aps_rss / MIB:.1f} MiB", None),
        ]
    late_p99 = percentile(lateness.all, 0.99)
    rows += [
        Row(
            f"lateness, {len(lateness.all)} reminders, limits off: p50 / p99 / max",
            "p99 <= 1 s",
            f"{percentile(lateness.all, 0.5):.3f} / {late_p99:.3f} / {max(lateness.all):.3f} s",
            late_p99 <= 1.0 and len(lateness.all) == sizes.lateness,
        ),
        Row(
            f"  first of each due second ({len(lateness.first_of_second)}): p50 / max",
            "-",
            f"{percentile(lateness.first_of_second, 0.5):.3f} / "
            f"{max(lateness.first_of_second):.3f} s",
            None,
        ),
    ]
    per_second = burst.delivered / burst.seconds
    requests = sum(burst.requests.values())
    per_reminder = requests / burst.delivered
    rows += [
        Row(
            f"{sizes.burst:,} due at once, limits on: delivered per second",
            ">= 45/s",
            f"{per_second:.2f}/s ({burst.delivered:,} in {burst.seconds:.1f} s)",
            per_second >= 45.0 and burst.delivered == sizes.burst,
        ),
        Row(
            "  first message after wake() / steady rate (first to last) / longest gap",
            "-",
            f"{burst.first_after_wake * 1000:.0f} ms / {burst.steady_rate:.2f}/s / "
            f"{burst.longest_gap * 1000:.0f} ms",
            None,
        ),
        Row(
            "  429s received",
            "0",
            f"{burst.rate_limited} ({burst.global_rate_limited} global)",
            burst.rate_limited == 0,
        ),
        Row(
            "  REST requests per reminder",
            "<= 1.02",
            f"{per_reminder:.3f} ({requests:,} requests)",
            per_reminder <= 1.02,
        ),
        Row(
            "  marked sent / flagged late (due > 1 min before sending)",
            "-",
            f"{burst.statuses.get('sent', 0):,} / {burst.flagged_late:,}",
            None,
        ),
        Row(
            f"one due() poll with {sizes.pending:,} pending, none due",
            "-",
            f"{median([r['due_poll_s'] for r in restarts]) * 1000:.1f} ms",
            None,
        ),
    ]
    notes += [
        "restart: Database.open (migrations already applied) + MentorCoach(...) + "
        "Dispatcher.recover() + seconds_until_next(), what the dispatcher task does once the "
        f"bot is ready; {restarts[0]['recovered']} interrupted sends; fresh process each, "
        "RSS read from /proc/self/status after imports and before opening",
        "APScheduler: AsyncIOScheduler + SQLAlchemyJobStore (SQLite file), from construction "
        f"until its first _process_jobs() pass returned; {baseline[0]['jobs'] if baseline else 0:,}"
        " jobs stored",
        "reminders: kind `digest`, rendered by the product's own renderer "
        "(cogs.reminders.ReminderMessages; mentors with no mentorship, so a short embed); "
        "planned with bot.storage.reminders.add_planned, then Dispatcher.wake()",
        f"every phase runs on a copy of the {sizes.pending:,}-pending database; the sandbox runs "
        "in the bot's process and event loop, OpenAPI validation on",
        f"lateness: message stored by the sandbox minus due_at; due_at is stored to the second, "
        f"so {sizes.lateness} reminders fall due {sizes.lateness // sizes.lateness_seconds} "
        f"at each of {sizes.lateness_seconds} whole seconds and queue behind the "
        f"{DEFAULT_RATE:.0f}/s pacer",
        "throughput: delivered / (last message stored - wake()); REST requests counted in "
        f"sb.requests from wake() to idle: {dict(burst.requests)}",
    ]
    if burst.failed_extensions:
        notes.append(f"extensions that failed to load (not reminders): {burst.failed_extensions}")
    if burst.unexpected_errors:
        notes.append(f"the sandbox recorded {burst.unexpected_errors} unexpected 4xx")
    if any(status != "sent" for status in burst.statuses):
        notes.append(f"burst statuses: {burst.statuses}")
    if lateness.sent != sizes.lateness:
        notes.append(f"lateness: only {lateness.sent} of {sizes.lateness} marked sent")
    return rows, notes


def describe_machine() -> str:
    """Return one line naming the machine and the date."""
    return (
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"pacer {DEFAULT_RATE:.0f}/s, late after {LATE_AFTER.total_seconds():.0f} s"
    )


def main(argv: list[str] | None = None) -> int:
    """Print the benchmark table (or, internally, run one start-up measurement)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="10,000 pending and 1,000 at once (a fast check)"
    )
    parser.add_argument("--child", choices=("restart", "apscheduler"), help=argparse.SUPPRESS)
    parser.add_argument("path", nargs="?", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is not None:
        measure = child_restart if args.child == "restart" else child_apscheduler
        print(json.dumps(asyncio.run(measure(args.path))))
        return 0
    sizes = QUICK if args.quick else FULL
    started = time.perf_counter()
    print(f"reminder engine benchmark ({'quick' if args.quick else 'full'}): {describe_machine()}")
    rows, notes = run(sizes)
    print()
    print(markdown_table(rows))
    print()
    for note in notes:
        print(f"- {note}")
    print(f"\n(total {time.perf_counter() - started:.0f} s)")
    return 0 if all(row.ok is not False for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
