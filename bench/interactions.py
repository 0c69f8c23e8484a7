"""Benchmark interactions under load, at 1x/10x/100x the program, through the sandbox (issue 14).

Run with `make bench` or `.venv/bin/python bench/interactions.py [--scale 0.05] [--quick]`;
bench/README.md explains each line of the tables and holds the last full run.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `bench` importable as a script

import argparse
import asyncio
import gc
import math
import os
import platform
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from bench._seed import (
    COMMON_WORD,
    HEAVY_MENTOR,
    PHRASE_QUERY,
    PREFIX_QUERY,
    RARE_WORD,
    STUDENT_BASE,
    Program,
    ensure_seed,
    mentor_id,
    program_at,
    seeded_now,
    working_copy,
)
from bench._support import MIB, Row, markdown_table, median, percentile
from bot.db import Database
from bot.services.sessions import HORIZON, extend_series
from bot.storage import notes as note_store
from bot.texts import tr
from sandbox import Sandbox
from sandbox.driver import Persona
from sandbox.models import InteractionRecord, User

CACHE = Path(tempfile.gettempdir()) / "mentor-coach-bench"
SERVED = Path(__file__).with_name("_served.py")
REPO = Path(__file__).resolve().parents[1]
DRIVEN_MENTORS = 200
"""Mentors (spread over the program) whose commands the load generator sends."""
NEVER = math.inf
LADDER = (100, 200, 400, 800, 1600)
TARGET_P99 = 0.250
CEILING_P99 = 1.0


@dataclass(frozen=True)
class Options:
    """What the run does."""

    scale: float
    duration: float
    ladder_duration: float
    rate: int
    only: tuple[str, ...]
    """Load-table commands to run (a name containing one of these); empty: all."""
    profile: Path | None
    """Where to write a cProfile of the bot process per command at the target rate."""
    growth_calls: int
    repeats: int
    ladder: bool
    phases: frozenset[str]
    """Which phases run: load, search, growth, other (maintenance and processes)."""


# -- the bots ------------------------------------------------------------------------------


class BotProcess:
    """A bot served by `bench/_served.py` in its own process, against the sandbox given."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    @classmethod
    async def start(cls, sb: Sandbox, kind: str, database: Path | None, log: Path) -> BotProcess:
        """Start a `kind` bot (`product` or `minimal`) and wait until it says READY."""
        with log.open("ab") as errors:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                str(SERVED),
                kind,
                sb.rest_url,
                sb.gateway_url,
                sb.token,
                str(database or ""),
                "--load",
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=errors,
                cwd=REPO,
            )
        served = cls(process)
        try:
            await asyncio.wait_for(served._line("READY"), 180)
        except BaseException:
            process.kill()
            await process.wait()
            raise RuntimeError(f"the {kind} bot did not get ready (see {log})") from None
        return served

    async def _line(self, prefix: str) -> str:
        assert self.process.stdout is not None
        while True:
            line = (await self.process.stdout.readline()).decode()
            if not line:
                raise RuntimeError("the bot process ended")
            if line.startswith(prefix):
                return line.strip()

    async def _say(self, command: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(f"{command}\n".encode())
        await self.process.stdin.drain()

    def cpu_seconds(self) -> float:
        """Return the CPU time (user + system, every thread) the bot process has used."""
        with open(f"/proc/{self.process.pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    async def rss(self) -> int:
        """Return the bot process's resident memory, in bytes."""
        await self._say("RSS")
        return int((await self._line("RSS")).split()[1])

    async def profile_start(self) -> None:
        """Start profiling the bot process's event loop thread."""
        await self._say("PROFILE START")

    async def profile_stop(self, path: Path) -> None:
        """Stop profiling and write the stats (cProfile, `pstats` readable) to `path`."""
        await self._say(f"PROFILE STOP {path}")
        await self._line("PROFILED")

    async def stop(self) -> None:
        """Close the bot and wait for its process to end."""
        await self._say("STOP")
        try:
            await asyncio.wait_for(self.process.wait(), 60)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()


@dataclass
class Stage:
    """A sandbox with a bot connected (in its own process), the personas it drives."""

    sb: Sandbox
    bot: BotProcess
    mentors: list[Persona] = field(default_factory=list)
    students: dict[int, list[int]] = field(default_factory=dict)
    """Mentor user id -> mentorship ids."""
    learners: list[Persona] = field(default_factory=list)

    async def stop(self) -> None:
        """Close the bot process."""
        await self.bot.stop()


def _add_user(sb: Sandbox, user_id: int, name: str) -> Persona:
    user = User(id=user_id, username=name, global_name=name.title())
    sb.state.users[user.id] = user
    sb.state.add_member(sb.state.default_guild(), user)
    return Persona(sb, user)


async def product_stage(sb: Sandbox, seed: Path, folder: Path, program: Program) -> Stage:
    """Start the product bot on a copy of `seed`, with the driven mentors as sandbox users."""
    guild = sb.state.default_guild()
    path = working_copy(seed, folder, guild.id)
    step = max(1, program.mentors // DRIVEN_MENTORS)
    driven = [mentor_id(index) for index in range(0, program.mentors, step)]
    students: dict[int, list[int]] = {}
    with closing(sqlite3.connect(path)) as connection:
        for mentor in driven:
            rows = connection.execute(
                "SELECT id FROM mentorships WHERE mentor_id = ? ORDER BY id", (mentor,)
            ).fetchall()
            students[mentor] = [int(row[0]) for row in rows]
    bot = await BotProcess.start(sb, "product", path, folder / "bot.log")
    stage = Stage(sb, bot, students=students)
    for index in range(0, program.mentors, step):
        stage.mentors.append(_add_user(sb, mentor_id(index), f"mentor{index}"))
    for index in range(0, program.students, step * program.students_per_mentor):
        persona = _add_user(sb, STUDENT_BASE + index, f"student{index}")
        sb.state.dm_channel(persona.id)
        stage.learners.append(persona)
    _add_user(sb, HEAVY_MENTOR, "heavy")
    return stage


async def minimal_stage(sb: Sandbox, folder: Path) -> Stage:
    """Start the minimal bot (it syncs its one command before saying READY)."""
    bot = await BotProcess.start(sb, "minimal", None, folder / "bot.log")
    stage = Stage(sb, bot)
    stage.mentors = [_add_user(sb, mentor_id(i), f"pinger{i}") for i in range(DRIVEN_MENTORS)]
    return stage


# -- one command at a sustained rate -------------------------------------------------------

Sender = Callable[[Stage, int], Awaitable[InteractionRecord]]
"""Build and dispatch interaction number `i`; return its record."""
Prepare = Callable[[Stage, int], Awaitable[None]]
"""Get `count` interactions ready before a run (not measured)."""


def slash(path: str, **options: Any) -> Sender:
    """Return a sender of `/path` by each driven mentor in turn."""

    async def send(stage: Stage, i: int) -> InteractionRecord:
        who = stage.mentors[i % len(stage.mentors)]
        values = {k: (v(stage, who, i) if callable(v) else v) for k, v in options.items()}
        record = stage.sb.interactions.command(
            who.user, stage.sb.state.find_channel("general"), path, values
        )
        await stage.sb.hub.dispatch("INTERACTION_CREATE", record.payload)
        return record

    return send


def a_student(stage: Stage, who: Persona, i: int) -> str:
    """Return one of the mentor's mentorships, as the autocomplete would give it."""
    mine = stage.students[who.id]
    return str(mine[(i // len(stage.mentors)) % len(mine)])


_slots = iter(range(10**9))


def a_free_time(stage: Stage, who: Persona, i: int) -> str:
    """Return an evening time no session of the mentor takes (30 min apart, from day 30)."""
    slot = next(_slots)
    day = (datetime.now(UTC) + timedelta(days=30 + slot // 10 // len(stage.mentors))).date()
    minutes = 19 * 60 + 30 * (slot // len(stage.mentors) % 10)
    return f"{day.isoformat()} {minutes // 60:02d}:{minutes % 60:02d}"


class NoteForms:
    """`/note add` forms opened ahead, so that only their submission is measured."""

    def __init__(self) -> None:
        self.forms: list[tuple[Persona, Any]] = []

    async def open(self, stage: Stage, count: int) -> None:
        """Open `count` forms, one after the other (not measured)."""
        self.forms.clear()
        for i in range(count):
            who = stage.mentors[i % len(stage.mentors)]
            reply = await who.slash("note add", student=a_student(stage, who, i))
            if reply.modal is None:
                raise RuntimeError(f"/note add opened no form: {reply}")
            self.forms.append((who, reply.modal))

    async def send(self, stage: Stage, i: int) -> InteractionRecord:
        """Submit form `i`."""
        who, modal = self.forms[i]
        labels = (tr("notes.field_title", who.locale), tr("notes.field_body", who.locale))
        values = (f"Week {i}", f"Talked about the {COMMON_WORD} deadline and next steps.")
        reply = await who.submit_modal(modal, dict(zip(labels, values, strict=True)), wait=False)
        return reply.record


@dataclass(frozen=True)
class Run:
    """Latencies of one sustained run, in seconds (NEVER when unanswered)."""

    rate: float
    first: list[float]
    """Dispatch to the first answer's arrival (the callback Discord's 3 s deadline is about)."""
    whole: list[float]
    """Dispatch to the last request of the answer (the followup of a deferred command)."""
    achieved: float

    def p(self, fraction: float, *, whole: bool = False) -> float:
        """Return a percentile of the first (or whole) answer latencies."""
        return percentile(self.whole if whole else self.first, fraction)


def _answers(stage: Stage, since: int) -> tuple[dict[int, datetime], dict[str, datetime]]:
    callbacks: dict[int, datetime] = {}
    webhooks: dict[str, datetime] = {}
    for request in stage.sb.requests[since:]:
        parts = request.path.strip("/").split("/")
        if parts[0] == "interactions" and parts[-1] == "callback" and request.status < 400:
            callbacks.setdefault(int(parts[1]), request.time)
        elif parts[0] == "webhooks" and len(parts) >= 3 and request.status < 400:
            webhooks[parts[2]] = max(webhooks.get(parts[2], request.time), request.time)
    return callbacks, webhooks


async def sustained(stage: Stage, send: Sender, rate: float, duration: float) -> Run:
    """Send `rate` interactions a second for `duration` seconds (open loop); time the answers."""
    loop = asyncio.get_running_loop()
    since = len(stage.sb.requests)
    count = max(1, int(rate * duration))
    sent: list[tuple[InteractionRecord, datetime]] = []
    start = loop.time()
    for i in range(count):
        delay = start + i / rate - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        at = datetime.now(UTC)
        sent.append((await send(stage, i), at))
    achieved = count / max(loop.time() - start, 1e-9)
    deadline = loop.time() + 20
    while loop.time() < deadline and not all(r.settled or r.refusal for r, _ in sent):  # noqa: ASYNC110  # polling: a waiter per state change would load the loop measured
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.2)  # followups after the first answer
    callbacks, webhooks = _answers(stage, since)
    first: list[float] = []
    whole: list[float] = []
    for record, at in sent:
        answered = callbacks.get(record.id)
        if answered is None:
            first.append(NEVER)
            whole.append(NEVER)
            continue
        first.append((answered - at).total_seconds())
        last = max(answered, webhooks.get(record.token, answered))
        whole.append((last - at).total_seconds())
    return Run(rate, first, whole, achieved)


async def settle_down(stage: Stage) -> None:
    """Let the bot finish what it still does (a backlog, tasks spawned by the last run).

    The bot is another process: wait until it uses under a tenth of a core for half a
    second (at most 60 s), then for this process's own tasks (the sandbox's).
    """
    loop = asyncio.get_running_loop()
    give_up = loop.time() + 60
    used = stage.bot.cpu_seconds()
    while loop.time() < give_up:
        await asyncio.sleep(0.5)
        now_used = stage.bot.cpu_seconds()
        if now_used - used < 0.05:
            break
        used = now_used
    for _ in range(100):
        pending = [t for t in asyncio.all_tasks() if not t.done()]
        await asyncio.sleep(0.1)
        if len([t for t in asyncio.all_tasks() if not t.done()]) <= len(pending):
            break
    gc.collect()


@dataclass(frozen=True)
class Measured:
    """One command: its run at the target rate and the highest rate meeting the ceiling."""

    name: str
    at_rate: Run
    highest: float | None
    ladder_note: str
    cpu: float
    """CPU seconds the bot process used per interaction of the run at the target rate."""
    harness_cpu: float
    """CPU seconds this process (the sandbox and the load generator) used per interaction."""


async def measure(
    stage: Stage,
    name: str,
    send: Sender,
    options: Options,
    before: Prepare | None = None,
) -> Measured:
    """Run `send` at the target rate, then up the ladder until p99 passes 1 s."""
    print(f"  {name} at {options.rate}/s ...", flush=True)
    if before is not None:
        await before(stage, int(options.rate * options.duration))
    if options.profile is not None:
        await stage.bot.profile_start()
    cpu = stage.bot.cpu_seconds()
    harness_cpu = time.process_time()
    at_rate = await sustained(stage, send, options.rate, options.duration)
    cpu = (stage.bot.cpu_seconds() - cpu) / len(at_rate.first)
    harness_cpu = (time.process_time() - harness_cpu) / len(at_rate.first)
    if options.profile is not None:
        options.profile.mkdir(parents=True, exist_ok=True)
        slug = "".join(ch if ch.isalnum() else "-" for ch in name).strip("-")
        await stage.bot.profile_stop(options.profile.resolve() / f"{slug}.prof")
    await settle_down(stage)
    highest: float | None = None
    note = ""
    if options.ladder:
        for rate in LADDER:
            if before is not None:
                await before(stage, int(rate * options.ladder_duration))
            run = await sustained(stage, send, rate, options.ladder_duration)
            await settle_down(stage)
            print(f"    {rate}/s: p99 {_ms(run.p(0.99))} (sent at {run.achieved:.0f}/s)")
            if run.p(0.99) > CEILING_P99 or run.achieved < 0.9 * rate:
                if run.achieved < 0.9 * rate:
                    note = f"generator capped at {run.achieved:.0f}/s"
                break
            highest = rate
    return Measured(name, at_rate, highest, note, cpu, harness_cpu)


def _ms(seconds: float) -> str:
    if seconds == NEVER:
        return "never"
    return f"{seconds * 1000:.1f} ms" if seconds < 10 else f"{seconds:.1f} s"


# -- phases --------------------------------------------------------------------------------


def load_commands(forms: NoteForms) -> list[tuple[str, Sender, Prepare | None]]:
    """Return (name, sender, preparation) for each command of the load table."""
    return [
        (
            f"/note search, common word ({COMMON_WORD})",
            slash("note search", query=COMMON_WORD),
            None,
        ),
        (f"/note search, rare word ({RARE_WORD})", slash("note search", query=RARE_WORD), None),
        (f"/note search, prefix ({PREFIX_QUERY})", slash("note search", query=PREFIX_QUERY), None),
        (f"/note search, phrase ({PHRASE_QUERY})", slash("note search", query=PHRASE_QUERY), None),
        ("/session list", slash("session list"), None),
        (
            "/session schedule",
            slash("session schedule", student=a_student, when=a_free_time, repeat="none"),
            None,
        ),
        ("/note add (form submitted)", forms.send, forms.open),
        ("/student show", slash("student show", student=a_student), None),
        ("/privacy export", slash("privacy export"), None),
    ]


async def load_phase(seed: Path, program: Program, options: Options, work: Path) -> list[Row]:
    """Measure the load table: each command at the target rate, beside the minimal bot's /ping.

    Each bot runs in its own process (`bench/_served.py`), as in production; the sandbox and
    the load generator share this one.
    """
    rows: list[Row] = []
    async with Sandbox(rate_limits=False) as sb:
        stage = await minimal_stage(sb, work)
        try:
            baseline = await measure(stage, "minimal bot /ping", slash("ping"), options)
            minimal_rss = await stage.bot.rss()
        finally:
            await stage.stop()
    rows.append(_load_row(baseline, baseline, target=False))
    async with Sandbox(rate_limits=False) as sb:
        stage = await product_stage(sb, seed, work, program)
        forms = NoteForms()
        started = await stage.bot.rss()
        peak = started
        try:
            for name, send, prepare in load_commands(forms):
                if options.only and not any(word in name for word in options.only):
                    continue
                measured = await measure(stage, name, send, options, prepare)
                rows.append(_load_row(measured, baseline, target=True))
                peak = max(peak, await stage.bot.rss())
        finally:
            await stage.stop()
    rows.append(
        Row(
            "bot process RSS once ready / highest after a command's runs",
            "bounded",
            f"{started / MIB:.0f} MiB / {peak / MIB:.0f} MiB "
            f"(minimal bot after its runs: {minimal_rss / MIB:.0f} MiB)",
            None,
        )
    )
    return rows


def _load_row(measured: Measured, baseline: Measured, *, target: bool) -> Row:
    run = measured.at_rate
    p50, p99 = run.p(0.5), run.p(0.99)
    whole99 = run.p(0.99, whole=True)
    ratio = p99 / baseline.at_rate.p(0.99) if baseline.at_rate.p(0.99) > 0 else NEVER
    highest = f"{measured.highest:.0f}/s" if measured.highest else "< 100/s"
    if measured.ladder_note:
        highest += f" ({measured.ladder_note})"
    late = sum(1 for v in run.first if v > 3.0)
    text = (
        f"p50 {_ms(p50)} / p99 {_ms(p99)} (x{ratio:.1f} /ping); whole answer p99 {_ms(whole99)}; "
        f"past 3 s: {late}/{len(run.first)}; bot CPU {measured.cpu * 1000:.1f} ms each "
        f"(sandbox and generator: {measured.harness_cpu * 1000:.1f} ms); "
        f"highest rate p99 <= 1 s: {highest}"
    )
    return Row(
        f"{measured.name} at {run.rate:.0f}/s",
        "p99 <= 250 ms" if target else "baseline",
        text,
        (p99 <= TARGET_P99) if target else None,
    )


SEARCH_QUERIES = (
    ("common word", COMMON_WORD),
    ("rare word", RARE_WORD),
    ("prefix", PREFIX_QUERY),
    ("phrase", PHRASE_QUERY),
    ("mid word", "chart"),
    ("two words", "python deadline"),
)


async def search_phase(seed: Path, program: Program, work: Path, calls: int) -> list[Row]:
    """Note search for the mentor with 50,000 notes: the storage call, each query `calls` times."""
    path = working_copy(seed, work, 1)
    rows: list[Row] = []
    async with await Database.open(path) as db:
        for label, query in SEARCH_QUERIES:
            await note_store.search_notes(db, HEAVY_MENTOR, query)
            timings = []
            for _ in range(calls):
                start = time.perf_counter()
                hits = await note_store.search_notes(db, HEAVY_MENTOR, query)
                timings.append(time.perf_counter() - start)
            p95 = percentile(timings, 0.95)
            whole = await _table_wide(db, query)
            rows.append(
                Row(
                    f"search, mentor with {program.heavy_notes:,} notes: {label} ({query})",
                    "p95 <= 20 ms",
                    f"p95 {_ms(p95)}, p50 {_ms(median(timings))}, {len(hits)} shown; "
                    f"matching across every author then filtering: {_ms(whole)}",
                    p95 <= 0.020,
                )
            )
    return rows


async def _table_wide(db: Database, query: str) -> float:
    """Time the former plan (match every author's notes, keep the mentor's) once."""
    words = note_store.fts_query(query)
    start = time.perf_counter()
    await db.fetch_all(
        "SELECT f.rowid, f.rank FROM notes_fts f JOIN notes n ON n.id = f.rowid "
        "WHERE f.notes_fts MATCH ? AND n.author_id = ? ORDER BY f.rank LIMIT 10",
        (f"{{title body}} : ({words})", HEAVY_MENTOR),
    )
    return time.perf_counter() - start


PER_PERSON: tuple[tuple[str, Callable[[Stage, int], Awaitable[Any]]], ...] = (
    (
        "/note search (common word)",
        lambda s, i: s.mentors[i % len(s.mentors)].slash("note search", query=COMMON_WORD),
    ),
    ("/session list, mentor", lambda s, i: s.mentors[i % len(s.mentors)].slash("session list")),
    (
        "/session list, student in DMs",
        lambda s, i: s.learners[i % len(s.learners)].slash("session list", dm=True),
    ),
    (
        "/student show",
        lambda s, i: s.mentors[i % len(s.mentors)].slash(
            "student show", student=a_student(s, s.mentors[i % len(s.mentors)], i)
        ),
    ),
    (
        "/reminders settings",
        lambda s, i: s.mentors[i % len(s.mentors)].slash("reminders settings"),
    ),
    ("/privacy export, mentor", lambda s, i: s.mentors[i % len(s.mentors)].slash("privacy export")),
    (
        "/privacy export, student",
        lambda s, i: s.learners[i % len(s.learners)].slash("privacy export", dm=True),
    ),
)


async def growth_phase(
    seeds: list[tuple[Program, Path]], options: Options, work: Path
) -> list[Row]:
    """Each per-person command, one at a time, at 1x, 10x and 100x the program."""
    medians: dict[str, list[float]] = {name: [] for name, _ in PER_PERSON}
    for program, seed in seeds:
        print(f"  growth at {program.mentors:,} mentors ...", flush=True)
        async with Sandbox(rate_limits=False) as sb:
            stage = await product_stage(sb, seed, work, program)
            try:
                for name, run in PER_PERSON:
                    await run(stage, 0)
                    timings = []
                    for i in range(options.growth_calls):
                        # A persona waits a beat after the bot's last answer before acting
                        # (`Sandbox.bot_done`): that beat is not the command's time.
                        await sb.bot_done()
                        start = time.perf_counter()
                        await run(stage, i)
                        timings.append(time.perf_counter() - start)
                    medians[name].append(median(timings))
            finally:
                await stage.stop()
    rows = []
    sizes = " / ".join(f"{p.mentors:,}" for p, _ in seeds)
    for name, values in medians.items():
        ratio = values[-1] / values[0]
        rows.append(
            Row(
                f"{name}: median at {sizes} mentors",
                "last/first <= 2",
                " / ".join(_ms(v) for v in values) + f" (x{ratio:.2f})",
                ratio <= 2,
            )
        )
    return rows


async def maintenance_phase(seed: Path, program: Program, work: Path) -> list[Row]:
    """Measure the maintenance pass at start (nothing new), and one a week later (a week to add).

    "At start" is the pass at the instant when every series comes back (each is recorded up
    to a minute after its last occurrence) and none has an occurrence to add: a minute after
    the last of them minus the horizon. At the wall clock's time instead, what it adds depends
    on the weekday and hour of the run (the seed's slots are Monday 9:00 to Friday 18:00, Paris).
    """
    path = working_copy(seed, work, 1)
    rows = []
    async with await Database.open(path) as db:
        row = await db.fetch_one("SELECT COUNT(*), MAX(materialised_until) FROM series")
        assert row is not None
        series = int(row[0])
        now = datetime.fromisoformat(str(row[1])) - HORIZON + timedelta(minutes=1)
        start = time.perf_counter()
        added = await extend_series(db, now)
        at_start = time.perf_counter() - start
        start = time.perf_counter()
        again = await extend_series(db, now + timedelta(minutes=5))
        restart = time.perf_counter() - start
        start = time.perf_counter()
        week = await extend_series(db, now + timedelta(weeks=1))
        weekly = time.perf_counter() - start
    rows.append(
        Row(
            f"maintenance at start, {series:,} series",
            "<= 1 s",
            f"{at_start:.2f} s ({added:,} sessions added); again 5 min later: "
            f"{restart:.2f} s ({again:,})",
            at_start <= 1 and restart <= 1,
        )
    )
    rows.append(
        Row(
            "  maintenance a week later (a week of occurrences, with reminders)",
            "-",
            f"{weekly:.2f} s ({week:,} sessions added, {week / max(weekly, 1e-9):,.0f}/s)",
            None,
        )
    )
    return rows


# -- fresh processes: start to ready, idle memory ------------------------------------------


def _start_sandbox_process(token: str) -> tuple[subprocess.Popen[str], str, str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "--port", "0", "--no-rate-limits", "--token", token],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert process.stdout is not None
    urls: dict[str, str] = {}
    while len(urls) < 2:
        line = process.stdout.readline()
        if not line:
            raise RuntimeError("the sandbox process ended before printing its URLs")
        key, _, value = line.partition(" ")
        if key in ("REST", "Gateway"):
            urls[key] = value.strip()
    return process, urls["REST"], urls["Gateway"]


IDLE_SECONDS = 3
"""How long a fresh bot idles after READY before its memory is read."""


def _fresh_process(
    kind: str, rest: str, gateway: str, token: str, database: Path
) -> tuple[float, int]:
    """Start a fresh bot (`bench/_served.py`, as in production): time it to READY, then its RSS."""
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, str(SERVED), kind, rest, gateway, token, str(database)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdin is not None
    assert child.stdout is not None
    ready = NEVER
    rss = 0
    try:
        for line in child.stdout:
            if line.startswith("READY"):
                ready = time.perf_counter() - start
                break
        time.sleep(IDLE_SECONDS)
        child.stdin.write("RSS\n")
        child.stdin.flush()
        for line in child.stdout:
            if line.startswith("RSS"):
                rss = int(line.split()[1])
                break
        child.stdin.write("STOP\n")
        child.stdin.flush()
        child.wait(60)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    return ready, rss


async def _maintain(path: Path) -> None:
    async with await Database.open(path) as db:
        await extend_series(db, datetime.now(UTC))


def process_phase(seed: Path, work: Path, repeats: int) -> list[Row]:
    """Start to ready and idle memory: the product bot and the minimal bot, fresh processes.

    The product bot twice: on a copy of the seed (its start-up maintenance moves every
    series' horizon), and on a copy already maintained, what a restart finds.
    """
    token = "bench-token"
    sandbox, rest, gateway = _start_sandbox_process(token)
    try:
        product: list[tuple[float, int]] = []
        restarted: list[tuple[float, int]] = []
        minimal: list[tuple[float, int]] = []
        for _ in range(repeats):
            path = working_copy(seed, work, 1)
            product.append(_fresh_process("product", rest, gateway, token, path))
            path = working_copy(seed, work, 1)
            asyncio.run(_maintain(path))
            restarted.append(_fresh_process("product", rest, gateway, token, path))
            minimal.append(_fresh_process("minimal", rest, gateway, token, path))
    finally:
        sandbox.terminate()
        sandbox.wait(10)
    ready_minimal = median([r for r, _ in minimal])
    rss_minimal = median([m for _, m in minimal]) / MIB
    rows = []
    for label, runs in (("on the seed", product), ("restart, maintained", restarted)):
        ready = median([r for r, _ in runs])
        rss = median([m for _, m in runs]) / MIB
        rows += [
            Row(
                f"process start to ready ({label}), median of {repeats}",
                "<= 1.5x minimal bot",
                f"{ready:.2f} s vs minimal bot {ready_minimal:.2f} s "
                f"(x{ready / ready_minimal:.2f})",
                ready <= 1.5 * ready_minimal,
            ),
            Row(
                f"idle memory of the bot process ({label}; RSS, 3 s after ready)",
                "<= 70 MiB",
                f"{rss:.1f} MiB (minimal bot {rss_minimal:.1f} MiB)",
                rss <= 70,
            ),
        ]
    return rows


# -- main ----------------------------------------------------------------------------------


def _load_of_machine() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} / {five:.1f} on {os.cpu_count()} cores"


async def run(options: Options) -> int:
    """Run every phase and print the tables; return the exit status."""
    began = time.perf_counter()
    now = seeded_now()
    scales = [options.scale / 100, options.scale / 10, options.scale]
    programs = [program_at(s) for s in scales]
    seeds = []
    for program in programs:
        print(f"seed: {program.label()} ...", flush=True)
        seeds.append((program, await asyncio.to_thread(ensure_seed, CACHE, program, now)))
    program, seed = seeds[-1]
    work = Path(tempfile.mkdtemp(prefix="mc-bench-", dir=CACHE))
    load_before = _load_of_machine()
    rows: list[Row] = []
    search_rows: list[Row] = []
    growth_rows: list[Row] = []
    other_rows: list[Row] = []
    if "load" in options.phases:
        print("load phase ...", flush=True)
        rows = await load_phase(seed, program, options, work)
    if "search" in options.phases:
        print("search phase ...", flush=True)
        search_rows = await search_phase(seed, program, work, calls=200)
    if "growth" in options.phases:
        print("growth phase ...", flush=True)
        growth_rows = await growth_phase(seeds, options, work)
    if "other" in options.phases:
        print("maintenance and processes ...", flush=True)
        other_rows = await maintenance_phase(seed, program, work)
        other_rows += await asyncio.to_thread(process_phase, seed, work, options.repeats)
    load_after = _load_of_machine()
    with closing(sqlite3.connect(":memory:")) as connection:
        sqlite_version = connection.execute("SELECT sqlite_version()").fetchone()[0]
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print()
    print(
        f"interactions benchmark: {stamp}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, SQLite {sqlite_version}; program: {program.label()}"
    )
    print(f"machine before: {load_before}; after: {load_after}")
    print()
    print(
        f"load: {options.rate}/s sustained for {options.duration:.0f} s per command "
        f"(ladder {options.ladder_duration:.0f} s per rate)"
    )
    for table in (rows, [*search_rows, *growth_rows, *other_rows]):
        if table:
            print(markdown_table(table))
            print()
    print(f"(total {time.perf_counter() - began:.0f} s)")
    every = [*rows, *search_rows, *growth_rows, *other_rows]
    return 0 if all(r.ok is not False for r in every) else 1


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the options and run the benchmark."""
    args = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0, help="program size, 1 = 2,000 mentors")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds per run at --rate")
    parser.add_argument("--ladder-duration", type=float, default=10.0)
    parser.add_argument("--rate", type=int, default=100)
    parser.add_argument("--no-ladder", action="store_true", help="skip the highest-rate search")
    parser.add_argument(
        "--only", action="append", default=[], help="load-table commands whose name contains this"
    )
    parser.add_argument("--profile", type=Path, help="folder for a cProfile per command")
    parser.add_argument(
        "--phases",
        default="load,search,growth,other",
        help="comma-separated phases to run: load, search, growth, other",
    )
    parser.add_argument(
        "--quick", action="store_true", help="scale 0.05, 5 s runs, short ladder, 1 process"
    )
    parsed = parser.parse_args(args)
    options = Options(
        scale=0.05 if parsed.quick else parsed.scale,
        duration=5.0 if parsed.quick else parsed.duration,
        ladder_duration=3.0 if parsed.quick else parsed.ladder_duration,
        rate=parsed.rate,
        only=tuple(parsed.only),
        profile=parsed.profile,
        phases=frozenset(parsed.phases.split(",")),
        growth_calls=10 if parsed.quick else 30,
        repeats=1 if parsed.quick else 3,
        ladder=not parsed.no_ladder,
    )
    return asyncio.run(run(options))


if __name__ == "__main__":
    sys.exit(main())
