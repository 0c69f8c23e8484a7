"""The one SQLite connection: pragmas, migrations and write transactions."""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosqlite

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")

Params = Sequence[Any] | dict[str, Any]
_SCRUB_ATTEMPTS = 20
_OWN_READS = ("statements in progress", "table is locked")
"""What SQLite says when a read of this same connection is still open (it ends in moments)."""
_SCRUB_BUSY_MS = 1000
"""How long a scrub waits for another connection's lock (the write lock is held meanwhile)."""
_SCRUB_PAUSE = 0.01
"""Seconds between attempts to scrub the files, times the attempt number."""


@dataclass(frozen=True)
class Migration:
    """One numbered schema change."""

    version: int
    name: str
    sql: str


def load_migrations(folder: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Read the numbered `.sql` files in order; refuse gaps and duplicates."""
    migrations: list[Migration] = []
    for path in sorted(folder.glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if match is None:
            raise ValueError(f"migration file name not understood: {path.name}")
        migrations.append(Migration(int(match.group(1)), path.name, path.read_text("utf-8")))
    for expected, migration in enumerate(migrations, start=1):
        if migration.version != expected:
            raise ValueError(f"migration {migration.name} should be number {expected:03d}")
    return migrations


def split_statements(script: str) -> list[str]:
    """Split a SQL script into complete statements (triggers included)."""
    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statement = buffer.strip()
            if statement and statement != ";":
                statements.append(statement)
            buffer = ""
    leftover = [line for line in buffer.splitlines() if not line.strip().startswith("--")]
    if "".join(leftover).strip():
        raise ValueError(f"incomplete SQL statement at the end of a migration: {buffer!r}")
    return statements


class Transaction:
    """An open write transaction: statements run inside it commit or roll back together."""

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._conn = connection

    async def execute(self, sql: str, params: Params = ()) -> int | None:
        """Run one statement; return the id of the row it inserted, if any."""
        async with self._conn.execute(sql, params) as cursor:
            return cursor.lastrowid

    async def execute_many(self, sql: str, rows: Iterable[Params]) -> None:
        """Run one statement for each row of parameters."""
        await self._conn.executemany(sql, rows)

    async def changes(self, sql: str, params: Params = ()) -> int:
        """Run one statement; return how many rows it changed."""
        async with self._conn.execute(sql, params) as cursor:
            return cursor.rowcount

    async def fetch_one(self, sql: str, params: Params = ()) -> aiosqlite.Row | None:
        """Run a query inside the transaction and return its first row, if any."""
        async with self._conn.execute(sql, params) as cursor:
            return await cursor.fetchone()

    async def fetch_all(self, sql: str, params: Params = ()) -> list[aiosqlite.Row]:
        """Run a query inside the transaction and return all its rows."""
        async with self._conn.execute(sql, params) as cursor:
            return list(await cursor.fetchall())


class Database:
    """The bot's single aiosqlite connection; writes go through `transaction()`."""

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._conn = connection
        self._write_lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path | str) -> Database:
        """Open (creating if needed) the database at `path` and bring its schema up to date."""
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        connection = await aiosqlite.connect(str(path), isolation_level=None)
        connection.row_factory = aiosqlite.Row
        database = cls(connection)
        try:
            await database._configure()
            await database.migrate()
        except BaseException:
            await connection.close()
            raise
        return database

    async def _configure(self) -> None:
        await self._conn.execute("PRAGMA journal_mode = WAL")
        await self._conn.execute("PRAGMA foreign_keys = ON")
        await self._conn.execute("PRAGMA busy_timeout = 5000")
        await self._conn.execute("PRAGMA synchronous = NORMAL")
        # Deleted content is overwritten with zeros; temporary copies never touch the disk.
        await self._conn.execute("PRAGMA secure_delete = ON")
        await self._conn.execute("PRAGMA temp_store = MEMORY")

    async def scrub(self) -> bool:
        """Leave nothing deleted readable in the files, while the bot runs; return whether it did.

        Deleted rows survive in free pages and in the write-ahead log (every version of every
        page written since the last checkpoint). VACUUM rebuilds the file from the live rows
        only (its temporary copy kept in memory), then a TRUNCATE checkpoint copies the log
        into the file and empties it. Runs between transactions, holding the write lock.
        """
        async with self._write_lock:
            previous = await self.fetch_one("PRAGMA busy_timeout")
            restore = int(previous[0]) if previous else 5000
            await self._run(f"PRAGMA busy_timeout = {_SCRUB_BUSY_MS:d}")
            try:
                done = await self._scrub_now()
            finally:
                await self._run(f"PRAGMA busy_timeout = {restore:d}")
        if not done:
            log.warning("Deleted data may remain in the files: another connection kept them busy")
        return done

    async def _run(self, sql: str) -> None:
        """Run one statement and close its cursor at once (an open one blocks VACUUM)."""
        async with self._conn.execute(sql):
            pass

    async def _scrub_now(self) -> bool:
        for attempt in range(_SCRUB_ATTEMPTS):
            if attempt:
                await asyncio.sleep(_SCRUB_PAUSE * attempt)
            try:
                await self._run("VACUUM")
                row = await self.fetch_one("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.OperationalError as error:
                if not any(mark in str(error) for mark in _OWN_READS):
                    return False  # locked by another connection (it waited busy_timeout)
                # A read of this connection is between its query and its rows: retry soon.
                log.debug("Scrub attempt %d deferred: %s", attempt + 1, type(error).__name__)
                continue
            return row is not None and int(row[0]) == 0
        return False

    async def close(self) -> None:
        """Close the connection."""
        await self._conn.close()

    async def __aenter__(self) -> Database:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def schema_version(self) -> int:
        """Return the version recorded in `PRAGMA user_version`."""
        row = await self.fetch_one("PRAGMA user_version")
        return int(row[0]) if row is not None else 0

    async def migrate(self, migrations: Iterable[Migration] | None = None) -> list[str]:
        """Apply the migrations newer than the recorded version, all in one transaction."""
        pending = [m for m in (migrations or load_migrations()) if m.version > 0]
        current = await self.schema_version()
        pending = [m for m in pending if m.version > current]
        if not pending:
            return []
        async with self.transaction() as tx:
            for migration in pending:
                for statement in split_statements(migration.sql):
                    await tx.execute(statement)
            await tx.execute(f"PRAGMA user_version = {pending[-1].version:d}")
        applied = [m.name for m in pending]
        log.info("Applied migrations: %s", ", ".join(applied))
        return applied

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """Run a write transaction (`BEGIN IMMEDIATE`); commit on success, roll back on error.

        Never await Discord inside it: keep transactions short.
        """
        async with self._write_lock:
            await self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield Transaction(self._conn)
            except BaseException:
                await self._conn.execute("ROLLBACK")
                raise
            else:
                await self._conn.execute("COMMIT")

    async def fetch_one(self, sql: str, params: Params = ()) -> aiosqlite.Row | None:
        """Run a read query and return its first row, if any."""
        async with self._conn.execute(sql, params) as cursor:
            return await cursor.fetchone()

    async def fetch_all(self, sql: str, params: Params = ()) -> list[aiosqlite.Row]:
        """Run a read query and return all its rows."""
        async with self._conn.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    async def table_names(self) -> list[str]:
        """Return the names of the schema's own tables."""
        rows = await self.fetch_all(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
        return [str(row[0]) for row in rows]


Reader = Database | Transaction
"""Anything storage reads can go through: the database, or an open transaction."""
