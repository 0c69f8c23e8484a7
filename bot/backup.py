"""Backups of the SQLite database: consistent copies while the bot runs, and restores.

SQLite's online backup API copies a snapshot page by page, so a copy taken while the bot writes
is consistent. A copy is written beside its target first and renamed when complete and checked,
so a half-written backup never has the final name.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite

PARTIAL_SUFFIX = ".partial"


class BackupError(Exception):
    """A backup or restore could not be done; the message is one line for the operator."""


def backup_name(database: Path, label: str = "") -> str:
    """Name a copy of `database`: its stem, a label and a UTC timestamp."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    middle = f"-{label}" if label else ""
    return f"{database.stem}{middle}-{stamp}.db"


def resolve_target(database: Path, target: str | Path) -> Path:
    """Resolve `target`: a folder (existing, or ending in a slash) gets a timestamped file in it."""
    path = Path(target)
    if path.is_dir() or str(target).endswith(("/", os.sep)):
        return path / backup_name(database)
    return path


def _check(path: Path) -> int:
    """Return the schema version of a database file after an integrity check."""
    try:
        with contextlib.closing(sqlite3.connect(path)) as connection:
            [result] = connection.execute("PRAGMA integrity_check").fetchone()
            if result != "ok":
                raise BackupError(f"{path} is damaged: {result}")
            return int(connection.execute("PRAGMA user_version").fetchone()[0])
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a readable SQLite database: {error}") from None


def _copy(source: Path, target: Path) -> int:
    """Copy `source` into `target` (through a partial file); return the schema version."""
    if not source.is_file():
        raise BackupError(f"There is no database at {source}.")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + PARTIAL_SUFFIX)
    partial.unlink(missing_ok=True)
    try:
        with (
            contextlib.closing(sqlite3.connect(source)) as src,
            contextlib.closing(sqlite3.connect(partial)) as dst,
        ):
            src.backup(dst)
        version = _check(partial)
        os.replace(partial, target)
    except sqlite3.Error as error:
        raise BackupError(f"Cannot copy {source} to {target}: {error}") from None
    finally:
        partial.unlink(missing_ok=True)
    return version


def backup_file(database: Path, target: str | Path) -> tuple[Path, int]:
    """Make a consistent copy of the live database; return where it went and its version."""
    final = resolve_target(database, target)
    return final, _copy(database, final)


def restore_file(backup: Path, database: Path, latest_version: int) -> Path | None:
    """Put a backup back in place of the database (stop the bot first).

    The backup is checked first (readable, intact, not newer than the code); the database it
    replaces is kept in `backups/` beside it. Return where that copy went, if there was one.
    """
    if not backup.is_file():
        raise BackupError(f"There is no backup at {backup}.")
    version = _check(backup)
    if version > latest_version:
        raise BackupError(
            f"{backup} is at version {version}, newer than this Mentor Coach ({latest_version})."
        )
    kept: Path | None = None
    if database.is_file():
        kept = database.parent / "backups" / backup_name(database, "before-restore")
        _copy(database, kept)
    database.parent.mkdir(parents=True, exist_ok=True)
    try:
        with (
            contextlib.closing(sqlite3.connect(backup)) as src,
            contextlib.closing(sqlite3.connect(database)) as dst,
        ):
            src.backup(dst)
    except sqlite3.Error as error:
        raise BackupError(f"Cannot restore {backup} into {database}: {error}") from None
    return kept


async def backup_connection(connection: aiosqlite.Connection, target: Path) -> None:
    """Copy an open aiosqlite database into `target` (the automatic backup before migrating)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + PARTIAL_SUFFIX)
    partial.unlink(missing_ok=True)
    destination = sqlite3.connect(partial, check_same_thread=False)
    try:
        await connection.backup(destination)
    finally:
        destination.close()
    os.replace(partial, target)
