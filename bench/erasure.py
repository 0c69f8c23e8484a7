"""Benchmark `/privacy delete`: the erasure's transaction, then scrubbing the files.

Run with `make bench` or `.venv/bin/python bench/erasure.py [--quick]`. The erasure's
transaction runs before the answer (Discord waits 3 s for it); the scrub (VACUUM, then a
TRUNCATE checkpoint) runs right after the answer and holds the write lock meanwhile.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `bench` importable as a script

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, datetime

from bench._support import MIB, Row, markdown_table
from bot.clock import iso
from bot.db import Database
from bot.services import privacy

STUDENTS = 200
ERASE_TARGET = 1.0
"""Seconds the erasure's transaction may take: it runs before the answer (3 s deadline)."""
SCRUB_TARGET = 3.0
"""Seconds the scrub may hold the write lock (every other write waits for it)."""


async def build(path: Path, notes: int, now: datetime) -> None:
    """Build a server: one mentor, STUDENTS students, `notes` notes of ~2 kB spread over them."""
    async with await Database.open(path) as db, db.transaction() as tx:
        await tx.execute_many(
            "INSERT INTO mentorships (id, guild_id, mentor_id, student_id, student_name, project, "
            "goal, session_minutes, created_at) VALUES (?, 1, 2, ?, ?, ?, ?, 30, ?)",
            [
                (i, 1000 + i, f"Student {i}", f"Project {i}", f"Goal {i}", iso(now))
                for i in range(1, STUDENTS + 1)
            ],
        )
        await tx.execute_many(
            "INSERT INTO notes (mentorship_id, author_id, title, body, created_at, updated_at) "
            "VALUES (?, 2, ?, ?, ?, ?)",
            [
                (1 + i % STUDENTS, f"Note {i}", f"word{i} " * 250, iso(now), iso(now))
                for i in range(notes)
            ],
        )


def folder_mib(folder: Path) -> float:
    """Return the size of the database's files (the file, its log and index) in MiB."""
    return sum(p.stat().st_size for p in folder.iterdir()) / MIB


async def measure(notes: int) -> list[Row]:
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        await build(path, notes, now)
        async with await Database.open(path) as db:
            size = folder_mib(Path(folder))
            started = time.perf_counter()
            await privacy.erase_person(db, 1001, now)  # one student, his notes
            erase = time.perf_counter() - started
            started = time.perf_counter()
            done = await privacy.scrub_files(db)
            scrub = time.perf_counter() - started
    label = f"{notes:,} notes ({size:.0f} MiB)"
    return [
        Row(
            f"erase one student, {label}",
            f"< {ERASE_TARGET:.0f} s",
            f"{erase:.3f} s",
            erase < ERASE_TARGET,
        ),
        Row(
            f"scrub the files, {label}",
            f"< {SCRUB_TARGET:.0f} s",
            f"{scrub:.3f} s" + ("" if done else " (incomplete)"),
            done and scrub < SCRUB_TARGET,
        ),
    ]


async def main(quick: bool) -> int:
    rows: list[Row] = []
    for notes in (1_000, 10_000) if quick else (1_000, 10_000, 50_000):
        rows += await measure(notes)
    print(markdown_table(rows))
    return 0 if all(row.ok is not False for row in rows) else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller databases only")
    sys.exit(asyncio.run(main(parser.parse_args().quick)))
