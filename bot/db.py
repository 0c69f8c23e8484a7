"""The SQLite connections: pragmas, migrations, serialized writes and concurrent reads.

One writer connection runs every write transaction, one at a time. Reads go through a small
pool of reader connections (WAL lets them run beside the writer and each other), so a slow
query never holds up a write or the other reads. An in-memory database has no readers:
everything goes through the writer.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosqlite

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")

Params = Sequence[Any] | dict[str, Any]


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


READERS = 2
"""Reader connections a file database opens besides its writer."""


class Database:
    """The bot's writer connection (writes go through `transaction()`) and its readers."""

    def __init__(
        self,
        connection: aiosqlite.Connection,
        readers: Sequence[aiosqlite.Connection] = (),
    ) -> None:
        self._conn = connection
        self._write_lock = asyncio.Lock()
        self._readers = list(readers)
        self._idle: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()
        for reader in self._readers:
            self._idle.put_nowait(reader)

    @classmethod
    async def open(cls, path: Path | str, *, readers: int = READERS) -> Database:
        """Open (creating if needed) the database at `path` and bring its schema up to date.

        Then open `readers` read-only connections beside the writer (none in memory).
        """
        in_memory = str(path) == ":memory:"
        if not in_memory:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        connection = await aiosqlite.connect(str(path), isolation_level=None)
        connection.row_factory = aiosqlite.Row
        database = cls(connection)
        try:
            await database._configure()
            await database.migrate()
            if not in_memory:
                for _ in range(readers):
                    await database._add_reader(path)
        except BaseException:
            await database.close()
            raise
        return database

    async def _add_reader(self, path: Path | str) -> None:
        reader = await aiosqlite.connect(str(path), isolation_level=None)
        reader.row_factory = aiosqlite.Row
        self._readers.append(reader)
        self._idle.put_nowait(reader)
        await reader.execute("PRAGMA query_only = ON")
        await reader.execute("PRAGMA foreign_keys = ON")
        await reader.execute("PRAGMA busy_timeout = 5000")

    async def _configure(self) -> None:
        await self._conn.execute("PRAGMA journal_mode = WAL")
        await self._conn.execute("PRAGMA foreign_keys = ON")
        await self._conn.execute("PRAGMA busy_timeout = 5000")
        await self._conn.execute("PRAGMA synchronous = NORMAL")

    @property
    def reader_count(self) -> int:
        """Return how many reader connections serve reads (0: reads use the writer)."""
        return len(self._readers)

    async def set_trace_callback(self, callback: Callable[[str], object] | None) -> None:
        """Call `callback` with the text of every statement run, on every connection."""
        for connection in (self._conn, *self._readers):
            await connection.set_trace_callback(callback)  # type: ignore[arg-type]  # None stops

    async def close(self) -> None:
        """Close the readers, then the writer."""
        readers, self._readers = self._readers, []
        for reader in readers:
            await reader.close()
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

    @asynccontextmanager
    async def _reading(self) -> AsyncIterator[aiosqlite.Connection]:
        """Lend an idle reader (waiting for one if all are busy), or the writer if none."""
        if not self._readers:
            yield self._conn
            return
        reader = await self._idle.get()
        try:
            yield reader
        finally:
            self._idle.put_nowait(reader)

    async def fetch_one(self, sql: str, params: Params = ()) -> aiosqlite.Row | None:
        """Run a read query (on a reader) and return its first row, if any.

        It sees every committed write, never one still in an open transaction: read inside
        a transaction through the `Transaction`.
        """
        async with self._reading() as connection, connection.execute(sql, params) as cursor:
            return await cursor.fetchone()

    async def fetch_all(self, sql: str, params: Params = ()) -> list[aiosqlite.Row]:
        """Run a read query (on a reader) and return all its rows."""
        async with self._reading() as connection, connection.execute(sql, params) as cursor:
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
