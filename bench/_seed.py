"""A seeded program for the interaction benchmark: mentors, students, sessions and notes.

Built once per size with plain `sqlite3` (after the product's own migrations) and cached, since
the full size (2,000 mentors, 20,000 students, 500,000 sessions, 1,000,000 notes) takes minutes.
"""

from __future__ import annotations

import asyncio
import random
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from pathlib import Path

from bot.clock import iso
from bot.db import Database
from bot.scheduling.recurrence import Repeat, SeriesRule

SEED_GUILD = 1
"""The guild id stored in a seed; rebound to the sandbox's guild when the seed is used."""
MENTOR_BASE = 10**15
STUDENT_BASE = 2 * 10**15
HEAVY_MENTOR = 3 * 10**15
"""The mentor with `Program.heavy_notes` notes (search p95)."""
ZONE = "Europe/Paris"
COMMON_WORD = "project"
RARE_WORD = "kaleidoscope"
PREFIX_QUERY = "deadl*"
PHRASE_QUERY = '"next steps"'
_SEED_VERSION = 3
_WORDS = [
    "project",
    "session",
    "review",
    "student",
    "feedback",
    "portfolio",
    "dashboard",
    "deadline",
    "presentation",
    "practice",
    "module",
    "skills",
    "python",
    "data",
    "model",
    "report",
    "chart",
    "slides",
    "meeting",
    "goals",
    "progress",
    "motivation",
    "workload",
    "planning",
    "question",
    "answer",
    "example",
    "exercise",
    "quiz",
    "notebook",
    "github",
    "branch",
    "commit",
    "test",
    "function",
    "class",
    "api",
    "database",
    "query",
    "index",
    "design",
    "mockup",
    "interview",
    "career",
    "job",
    "network",
    "linkedin",
    "resume",
    "confidence",
    "stress",
    "family",
    "relationships",
    "evaluation",
    "mentor",
    "assessment",
    "criteria",
    "deliverable",
    "milestone",
    "sprint",
    "blocker",
    "solution",
    "docs",
    "reading",
    "video",
    "course",
    "lesson",
    "weekly",
    "monthly",
    "schedule",
    "timing",
    "calendar",
    "reminder",
    "pause",
    "holiday",
]
_SYLLABLES = "ba ce di fo gu ka le mi no pu ra se ti vo zu tar mel sin dor"


@dataclass(frozen=True)
class Program:
    """How big a seeded program is; per-person data is the same at every size."""

    mentors: int
    students_per_mentor: int = 10
    sessions_per_mentorship: int = 25
    """13 held weekly sessions, then 12 scheduled ones (the 12-week horizon)."""
    notes_per_mentorship: int = 50
    heavy_notes: int = 50_000

    @property
    def students(self) -> int:
        """Return the number of students (one mentorship each)."""
        return self.mentors * self.students_per_mentor

    @property
    def sessions(self) -> int:
        """Return the number of sessions."""
        return self.students * self.sessions_per_mentorship

    @property
    def notes(self) -> int:
        """Return the number of notes, the heavy mentor's excluded."""
        return self.students * self.notes_per_mentorship

    def label(self) -> str:
        """Return a short description of the sizes."""
        return (
            f"{self.mentors:,} mentors, {self.students:,} students, {self.sessions:,} sessions, "
            f"{self.notes:,} notes (+{self.heavy_notes:,} of one mentor)"
        )


FULL_MENTORS = 2_000


def program_at(scale: float) -> Program:
    """Return the program at `scale` times the full size (2,000 mentors)."""
    return Program(mentors=max(2, round(FULL_MENTORS * scale)))


def mentor_id(index: int) -> int:
    """Return the user id of mentor `index`."""
    return MENTOR_BASE + index


def _vocabulary(rng: random.Random) -> tuple[list[str], list[float]]:
    syllables = _SYLLABLES.split()
    invented = {
        "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) for _ in range(4000)
    }
    words = [*_WORDS, *sorted(invented - set(_WORDS))]
    weights = [1 / (rank + 1) for rank in range(len(words))]  # Zipf: "project" is commonest
    return words, list(accumulate(weights))


def _texts(rng: random.Random, count: int) -> Iterator[tuple[str, str]]:
    words, cumulative = _vocabulary(rng)
    for _ in range(count):
        body = rng.choices(words, cum_weights=cumulative, k=30)
        if rng.random() < 0.2:
            body.insert(rng.randrange(len(body)), "next steps")
        if rng.random() < 1 / 20_000:
            body.insert(rng.randrange(len(body)), RARE_WORD)
        title = " ".join(rng.choices(words, cum_weights=cumulative, k=3)).capitalize()
        yield title, " ".join(body) + "."


def seed_path(cache: Path, program: Program) -> Path:
    """Return where the seed of `program` is cached."""
    return cache / f"seed-v{_SEED_VERSION}-{program.mentors}m-{program.heavy_notes}h.db"


def ensure_seed(cache: Path, program: Program, now: datetime) -> Path:
    """Return the cached seed of `program`, building it first if needed."""
    path = seed_path(cache, program)
    if path.exists():
        return path
    cache.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    asyncio.run(_migrate(partial))
    with closing(sqlite3.connect(partial)) as connection:
        connection.execute("PRAGMA synchronous = OFF")
        connection.execute("PRAGMA cache_size = -262144")
        _fill(connection, program, now)
        connection.commit()
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    partial.rename(path)
    return path


async def _migrate(path: Path) -> None:
    async with await Database.open(path, readers=0):
        pass


def _fill(connection: sqlite3.Connection, program: Program, now: datetime) -> None:
    rng = random.Random(14)
    anchor = (now - timedelta(days=now.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0, tzinfo=None
    )
    created = iso(now - timedelta(weeks=14))
    connection.execute("BEGIN")
    people = [(mentor_id(i), ZONE, created) for i in range(program.mentors)]
    people.append((HEAVY_MENTOR, ZONE, created))
    people += [(STUDENT_BASE + j, "Europe/London", created) for j in range(program.students)]
    connection.executemany(
        "INSERT INTO user_prefs (user_id, timezone, updated_at) VALUES (?, ?, ?)", people
    )
    mentorships = []
    for i in range(program.mentors):
        for k in range(program.students_per_mentor):
            j = i * program.students_per_mentor + k
            mentorships.append((mentor_id(i), STUDENT_BASE + j, f"Student {j}", k))
    heavy_students = 10
    for k in range(heavy_students):
        mentorships.append((HEAVY_MENTOR, STUDENT_BASE + k, f"Student {k}", k))
    sessions: list[tuple[object, ...]] = []
    series: list[tuple[object, ...]] = []
    notes: list[tuple[object, ...]] = []
    texts = _texts(rng, program.notes + program.heavy_notes)
    for number, (mentor, student, name, slot) in enumerate(mentorships, start=1):
        connection.execute(
            "INSERT INTO mentorships (id, guild_id, mentor_id, student_id, student_name, project, "
            "session_minutes, created_at) VALUES (?, ?, ?, ?, ?, ?, 30, ?)",
            (number, SEED_GUILD, mentor, student, name, "P3 · Dashboard", created),
        )
        if mentor == HEAVY_MENTOR:
            for _ in range(program.heavy_notes // heavy_students):
                title, body = next(texts)
                notes.append((number, mentor, title, body, created, created))
            continue
        local_start = anchor - timedelta(weeks=13) + timedelta(days=slot % 5, hours=9 + slot)
        rule = SeriesRule(ZONE, local_start, Repeat.WEEKLY)
        last = program.sessions_per_mentorship - 1
        series.append(
            (
                number,
                number,
                ZONE,
                local_start.isoformat(),
                iso(rule.nth(last) + timedelta(minutes=1)),
            )
        )
        for n in range(program.sessions_per_mentorship):
            starts = rule.nth(n)
            held = starts < now
            sessions.append(
                (
                    number,
                    number,
                    n,
                    iso(starts),
                    "held" if held else "scheduled",
                    iso(starts + timedelta(hours=1)) if held else None,
                    created,
                )
            )
        for _ in range(program.notes_per_mentorship):
            title, body = next(texts)
            notes.append((number, mentor, title, body, created, created))
        if len(notes) >= 50_000:
            _flush(connection, series, sessions, notes)
    _flush(connection, series, sessions, notes)


def _flush(
    connection: sqlite3.Connection,
    series: list[tuple[object, ...]],
    sessions: list[tuple[object, ...]],
    notes: list[tuple[object, ...]],
) -> None:
    connection.executemany(
        "INSERT INTO series (id, mentorship_id, zone, local_start, repeat, kind, "
        "duration_minutes, materialised_until) VALUES (?, ?, ?, ?, 'weekly', 'regular', 30, ?)",
        series,
    )
    connection.executemany(
        "INSERT INTO sessions (mentorship_id, series_id, occurrence, starts_at, duration_minutes, "
        "kind, status, recorded_at, created_at) VALUES (?, ?, ?, ?, 30, 'regular', ?, ?, ?)",
        sessions,
    )
    connection.executemany(
        "INSERT INTO notes (mentorship_id, author_id, title, body, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        notes,
    )
    series.clear()
    sessions.clear()
    notes.clear()


def working_copy(seed: Path, folder: Path, guild_id: int) -> Path:
    """Copy a seed into `folder` and rebind its mentorships to the sandbox's guild."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / seed.name
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(seed, target)
    with closing(sqlite3.connect(target)) as connection:
        connection.execute("UPDATE mentorships SET guild_id = ?", (guild_id,))
        connection.commit()
    return target


def seeded_now() -> datetime:
    """Return the instant seeds are built around (the real current time)."""
    return datetime.now(UTC)
