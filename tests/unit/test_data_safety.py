"""Keeping the data safe: backups, restores, upgrades, and refusals to start.

Backups while the bot runs, restores, upgrades, and refusing to start on a database that is
newer than the code, read-only, or whose migration fails.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

import bot.db
from bot.__main__ import NO_TOKEN, main
from bot.backup import BackupError, backup_file, restore_file
from bot.db import (
    Database,
    DatabaseReadOnly,
    DatabaseTooNew,
    Migration,
    MigrationFailed,
    load_migrations,
    split_statements,
)
from bot.log_format import _OurHandler
from bot.storage.mentorships import get_mentorship
from bot.storage.sessions import get_session
from bot.vocabulary import SessionStatus

LATEST = load_migrations()[-1].version
GUILD, MENTOR, STUDENT = 10, 20, 30


@pytest.fixture(autouse=True)
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """A token (never used: every start here stops before Discord) and a database in tmp."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DISCORD_TOKEN", "not-a-real-token")
    path = tmp_path / "state" / "mentor-coach.db"
    monkeypatch.setenv("DATABASE_PATH", str(path))
    yield path
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _OurHandler)]:
        root.removeHandler(handler)


def make_old_database(path: Path, upto: int) -> None:
    """A database as the first `upto` migrations made it, with a mentorship and a session."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.closing(sqlite3.connect(path)) as connection:
        for migration in load_migrations()[:upto]:
            for statement in split_statements(migration.sql):
                connection.execute(statement)
        connection.execute(f"PRAGMA user_version = {upto}")
        connection.execute(
            "INSERT INTO user_prefs (user_id, timezone, updated_at) VALUES (?, 'Europe/Paris', ?)",
            (MENTOR, "2026-01-05T10:00:00+00:00"),
        )
        connection.execute(
            "INSERT INTO mentorships (id, guild_id, mentor_id, student_id, student_name, project, "
            "session_minutes, created_at) VALUES (1, ?, ?, ?, 'Sam', 'P2 · Portfolio', 30, ?)",
            (GUILD, MENTOR, STUDENT, "2026-01-05T10:00:00+00:00"),
        )
        connection.execute(
            "INSERT INTO sessions (id, mentorship_id, starts_at, duration_minutes, kind, "
            "created_at) VALUES (1, 1, ?, 30, 'discovery', ?)",
            ("2026-01-12T17:00:00+00:00", "2026-01-05T10:00:00+00:00"),
        )
        connection.commit()


def stderr_lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return [line for line in err.splitlines() if line.strip()]


async def test_upgrading_a_database_of_the_first_migrations_keeps_its_data(
    cli_env: Path,
) -> None:
    make_old_database(cli_env, upto=2)
    async with await Database.open(cli_env) as db:
        assert await db.schema_version() == LATEST
        mentorship = await get_mentorship(db, 1)
        assert mentorship is not None
        assert (mentorship.student_name, mentorship.project) == ("Sam", "P2 · Portfolio")
        session = await get_session(db, 1)
        assert session is not None
        assert session.starts_at == datetime(2026, 1, 12, 17, 0, tzinfo=UTC)
        assert session.status == SessionStatus.SCHEDULED
        prefs = await db.fetch_one("SELECT timezone FROM user_prefs WHERE user_id = ?", (MENTOR,))
        assert prefs is not None
        assert prefs["timezone"] == "Europe/Paris"
    # The automatic backup holds the database as it was before the upgrade.
    [backup] = (cli_env.parent / "backups").glob("*.db")
    assert f"v002-before-{LATEST:03d}" in backup.name
    with contextlib.closing(sqlite3.connect(backup)) as copy:
        assert copy.execute("PRAGMA user_version").fetchone()[0] == 2
        assert copy.execute("SELECT student_name FROM mentorships").fetchall() == [("Sam",)]
    # Opening again migrates nothing, so no second backup.
    async with await Database.open(cli_env) as db:
        assert await db.schema_version() == LATEST
    assert len(list((cli_env.parent / "backups").glob("*.db"))) == 1


async def test_a_new_database_gets_no_backup(cli_env: Path) -> None:
    async with await Database.open(cli_env):
        pass
    assert not (cli_env.parent / "backups").exists()


def test_a_database_newer_than_the_code_refuses_to_start(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_old_database(cli_env, upto=LATEST)
    with contextlib.closing(sqlite3.connect(cli_env)) as connection:
        connection.execute(f"PRAGMA user_version = {LATEST + 1}")
    with pytest.raises(DatabaseTooNew):
        asyncio.run(Database.open(cli_env))
    assert main(["run"]) == 2
    assert stderr_lines(capsys) == [
        f"The database is at version {LATEST + 1}, newer than this Mentor Coach (which knows "
        f"versions up to {LATEST}): install the newer version again, or restore a backup made "
        "before the upgrade."
    ]
    with contextlib.closing(sqlite3.connect(cli_env)) as connection:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == LATEST + 1


def test_a_failing_migration_is_rolled_back_and_named(
    cli_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    make_old_database(cli_env, upto=LATEST)
    broken = [
        *load_migrations(),
        Migration(LATEST + 1, f"{LATEST + 1:03d}_half.sql", "CREATE TABLE half_done (id INT);"),
        Migration(LATEST + 2, f"{LATEST + 2:03d}_broken.sql", "INSERT INTO nowhere VALUES (1);"),
    ]
    monkeypatch.setattr(bot.db, "load_migrations", lambda: broken)
    with pytest.raises(MigrationFailed, match=f"{LATEST + 2:03d}_broken.sql"):
        asyncio.run(Database.open(cli_env))
    assert main(["run"]) == 2
    last = stderr_lines(capsys)[-1]
    assert last == (
        f"Migration {LATEST + 2:03d}_broken.sql failed (no such table: nowhere); it was rolled "
        f"back and the database is unchanged, still at version {LATEST}."
    )
    with contextlib.closing(sqlite3.connect(cli_env)) as connection:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == LATEST
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
        assert "half_done" not in tables
        assert connection.execute("SELECT COUNT(*) FROM mentorships").fetchone()[0] == 1
    assert list((cli_env.parent / "backups").glob(f"*v{LATEST:03d}-before-*.db"))


@pytest.fixture
def immutable(cli_env: Path) -> Iterator[Path]:
    """The database file made read-only even for root (chattr +i), else the test is skipped."""
    make_old_database(cli_env, upto=LATEST)
    with contextlib.closing(sqlite3.connect(cli_env)) as connection:
        connection.execute("PRAGMA journal_mode = WAL")
    chattr = shutil.which("chattr")
    if chattr is None:
        pytest.skip("chattr is not installed: cannot make a file read-only for root")
    done = subprocess.run([chattr, "+i", str(cli_env)], capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"chattr +i is refused here: {done.stderr.decode().strip()}")
    try:
        yield cli_env
    finally:
        subprocess.run([chattr, "-i", str(cli_env)], check=True)


def test_a_read_only_database_is_detected_at_start(
    immutable: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(DatabaseReadOnly):
        asyncio.run(Database.open(immutable))
    assert main(["run"]) == 2
    [line] = stderr_lines(capsys)
    assert line.startswith(f"The database {immutable} is read-only (")
    assert line.endswith("give the bot's user write access to it and to its folder.")


def test_run_without_a_token_says_so_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DISCORD_TOKEN")
    assert main(["run"]) == 2
    assert stderr_lines(capsys) == [NO_TOKEN]


def test_a_backup_while_the_bot_writes_is_consistent_and_restores(
    cli_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_old_database(cli_env, upto=LATEST)
    # The bot's connection stays open: the new row is in the WAL, not yet in the file.
    with contextlib.closing(sqlite3.connect(cli_env)) as running:
        running.execute("PRAGMA journal_mode = WAL")
        running.execute(
            "INSERT INTO user_prefs (user_id, timezone, updated_at) VALUES (1, 'UTC', 'x')"
        )
        running.commit()
        assert (cli_env.parent / (cli_env.name + "-wal")).stat().st_size > 0
        assert main(["backup", str(tmp_path / "nightly") + "/"]) == 0
        out = capsys.readouterr().out
        [copy] = (tmp_path / "nightly").glob("mentor-coach-*.db")
        assert out.strip() == f"Backed up {cli_env} (version {LATEST}) to {copy}."
        running.execute("DELETE FROM user_prefs")
        running.commit()
    with contextlib.closing(sqlite3.connect(copy)) as connection:
        rows = connection.execute("SELECT user_id FROM user_prefs ORDER BY user_id").fetchall()
        assert rows == [(1,), (MENTOR,)]
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)

    assert main(["restore", str(copy)]) == 0
    assert "the database it replaced is in" in capsys.readouterr().out
    with contextlib.closing(sqlite3.connect(cli_env)) as connection:
        rows = connection.execute("SELECT user_id FROM user_prefs ORDER BY user_id").fetchall()
        assert rows == [(1,), (MENTOR,)]
    [kept] = (cli_env.parent / "backups").glob("*before-restore*.db")
    with contextlib.closing(sqlite3.connect(kept)) as connection:
        assert connection.execute("SELECT COUNT(*) FROM user_prefs").fetchone() == (0,)


def test_restore_refuses_a_damaged_or_newer_backup(cli_env: Path, tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(b"not a database at all" * 100)
    with pytest.raises(BackupError, match="not a readable SQLite database"):
        restore_file(damaged, cli_env, LATEST)
    newer = tmp_path / "newer.db"
    with contextlib.closing(sqlite3.connect(newer)) as connection:
        connection.execute(f"PRAGMA user_version = {LATEST + 1}")
    with pytest.raises(BackupError, match="newer than this Mentor Coach"):
        restore_file(newer, cli_env, LATEST)
    assert not cli_env.exists()
    with pytest.raises(BackupError, match="There is no database"):
        backup_file(cli_env, tmp_path / "copy.db")
