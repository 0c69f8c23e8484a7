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
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from bot.refusal import Refusal

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")

Params = Sequence[Any] | dict[str, Any]
_T = TypeVar("_T")
_SCRUB_ATTEMPTS = 20
_OWN_READS = ("statements in progress", "table is locked")
"""What SQLite says when a read of this same connection is still open (it ends in moments)."""
_SCRUB_BUSY_MS = 1000
"""How long a scrub waits for another connection's lock (the write lock is held meanwhile)."""
_SCRUB_PAUSE = 0.01
"""Seconds between attempts to scrub the files, times the attempt number."""

BUSY_TIMEOUT_MS = 200
"""How long one statement may block the connection's thread on another process's lock.

Short, so that a writer elsewhere never stalls the reads every command needs before its
answer (Discord allows 3 s); waiting for the write lock happens in `transaction()` instead.
"""
WRITE_WAIT = 5.0
"""Seconds a transaction waits for another process's write lock before giving up."""

answer_deadline: ContextVar[Callable[[], float | None] | None] = ContextVar(
    "answer_deadline", default=None
)
"""For the task handling an interaction: the loop time by which it must still be answered
(None once it is). A write that would wait past it is refused, so that the person gets a
real answer ("busy, nothing saved") instead of a late one that Discord shows as failed."""


class DatabaseError(Exception):
    """The database cannot be used as it is; the message is one line for the operator."""


class DatabaseTooNew(DatabaseError):
    """The database was written by a newer Mentor Coach than this one."""


class DatabaseReadOnly(DatabaseError):
    """The bot cannot write to its database file (or its folder)."""


class MigrationFailed(DatabaseError):
    """A migration failed; everything it and the ones after it did was rolled back."""


class _WriteChecked(Exception):
    """Raised inside `check_writable`'s transaction so that its test write is rolled back."""


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


def _run_one(connection: sqlite3.Connection, sql: str, params: Params) -> tuple[int | None, int]:
    """Run one statement and close its cursor; return (last row id, rows changed)."""
    cursor = connection.execute(sql, params)
    try:
        return cursor.lastrowid, cursor.rowcount
    finally:
        cursor.close()


def _first_row(connection: sqlite3.Connection, sql: str, params: Params) -> Any:
    """Run a query, return its first row (or None) and close its cursor."""
    cursor = connection.execute(sql, params)
    try:
        return cursor.fetchone()
    finally:
        cursor.close()


def _all_rows(connection: sqlite3.Connection, sql: str, params: Params) -> list[Any]:
    """Run a query, return all its rows and close its cursor."""
    cursor = connection.execute(sql, params)
    try:
        return cursor.fetchall()
    finally:
        cursor.close()


async def _in_thread(
    connection: aiosqlite.Connection,
    work: Callable[[sqlite3.Connection, str, Params], _T],
    sql: str,
    params: Params,
) -> _T:
    """Run `work` on the connection's own thread: one hop there and back per statement.

    (aiosqlite's cursor API takes three: execute, fetch, close; each waits for a loop turn
    to come back, which is what a busy bot has least of.) It queues through
    `Connection._execute`, what aiosqlite's own `execute_fetchall` uses (pinned in
    constraints.txt; `tests/unit/test_db.py` runs every path).
    """
    queue: Callable[..., Awaitable[_T]] = connection._execute
    return await queue(lambda: work(connection._conn, sql, params))


def _roll_back(connection: sqlite3.Connection, _sql: str, _params: Params) -> None:
    """Roll back the open transaction, if there is one."""
    if connection.in_transaction:
        connection.rollback()


class Transaction:
    """An open write transaction: statements run inside it commit or roll back together."""

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._conn = connection

    async def execute(self, sql: str, params: Params = ()) -> int | None:
        """Run one statement; return the id of the row it inserted, if any."""
        try:
            last_id, _ = await _in_thread(self._conn, _run_one, sql, params)
        except UnicodeEncodeError:  # a lone surrogate that no check stopped: refuse, roll back
            raise Refusal("errors.bad_text") from None
        return last_id

    async def execute_many(self, sql: str, rows: Iterable[Params]) -> None:
        """Run one statement for each row of parameters."""
        await self._conn.executemany(sql, rows)

    async def changes(self, sql: str, params: Params = ()) -> int:
        """Run one statement; return how many rows it changed."""
        _, changed = await _in_thread(self._conn, _run_one, sql, params)
        return changed

    async def fetch_one(self, sql: str, params: Params = ()) -> aiosqlite.Row | None:
        """Run a query inside the transaction and return its first row, if any."""
        row: aiosqlite.Row | None = await _in_thread(self._conn, _first_row, sql, params)
        return row

    async def fetch_all(self, sql: str, params: Params = ()) -> list[aiosqlite.Row]:
        """Run a query inside the transaction and return all its rows."""
        return await _in_thread(self._conn, _all_rows, sql, params)


READERS = 2
"""Reader connections a file database opens besides its writer."""
READER_CACHE_KIB = 1024
"""Page cache of each reader (SQLite's default is 2,000 KiB), filled lazily, up to this.

Idle memory is a target (bench/interactions.py). In WAL mode a reader drops its whole cache
whenever a write happened since its last read, so under traffic it rarely holds more than
one read's pages (a per-person read touches tens); the default's second megabyte mostly kept
what the start-up maintenance pass had read (every series) in an idle bot.
"""


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
    async def open(
        cls, path: Path | str, *, backup_dir: Path | None = None, readers: int = READERS
    ) -> Database:
        """Open (creating if needed) the database at `path` and bring its schema up to date.

        Refuse a database newer than the code or one that cannot be written (DatabaseError,
        one line); back it up into `backup_dir` (default: `backups/` beside it) before migrating.
        Then open `readers` read-only connections beside the writer (none in memory).
        """
        in_memory = str(path) == ":memory:"
        if not in_memory:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        connection = await aiosqlite.connect(str(path), isolation_level=None)
        connection.row_factory = aiosqlite.Row
        database = cls(connection)
        try:
            try:
                await database._configure()
                await database.check_startable(load_migrations())
            except sqlite3.Error as error:
                raise _open_error(path, error) from None
            await database.backup_before_migrating(path, backup_dir)
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
        await reader.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS:d}")
        await reader.execute(f"PRAGMA cache_size = -{READER_CACHE_KIB:d}")

    async def _configure(self) -> None:
        await self._conn.execute("PRAGMA journal_mode = WAL")
        await self._conn.execute("PRAGMA foreign_keys = ON")
        await self._conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS:d}")
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
                await self._apply(tx, migration)
            await tx.execute(f"PRAGMA user_version = {pending[-1].version:d}")
        applied = [m.name for m in pending]
        log.info("Applied migrations: %s", ", ".join(applied))
        return applied

    async def _apply(self, tx: Transaction, migration: Migration) -> None:
        """Run one migration's statements; a failure names the migration and the reason."""
        for statement in split_statements(migration.sql):
            try:
                await tx.execute(statement)
            except sqlite3.Error as error:
                raise MigrationFailed(
                    f"Migration {migration.name} failed ({error}); it was rolled back and the "
                    f"database is unchanged, still at version {await self.schema_version()}."
                ) from None

    async def check_startable(self, migrations: Sequence[Migration]) -> None:
        """Refuse a database newer than the code, or one the bot cannot write to."""
        current = await self.schema_version()
        latest = migrations[-1].version if migrations else 0
        if current > latest:
            raise DatabaseTooNew(
                f"The database is at version {current}, newer than this Mentor Coach "
                f"(which knows versions up to {latest}): install the newer version again, "
                "or restore a backup made before the upgrade."
            )
        await self.check_writable()

    async def check_writable(self) -> None:
        """Write once and roll back; a read-only file raises sqlite3.OperationalError.

        (`BEGIN IMMEDIATE` alone succeeds on a read-only file: only a write tells.) It goes
        through `transaction()`, so it waits for other writers as every write does.
        """
        try:
            async with self.transaction() as tx:
                version = await self.schema_version()
                await tx.execute(f"PRAGMA user_version = {version:d}")
                raise _WriteChecked
        except _WriteChecked:
            pass

    async def backup_before_migrating(
        self, path: Path | str, backup_dir: Path | None = None
    ) -> Path | None:
        """Copy a database that has data into `backup_dir` before migrations change it."""
        if str(path) == ":memory:":
            return None
        current = await self.schema_version()
        pending = [m for m in load_migrations() if m.version > current]
        if current == 0 or not pending:
            return None
        from bot.backup import backup_connection, backup_name  # here: keeps db.py's imports short

        folder = backup_dir if backup_dir is not None else Path(path).parent / "backups"
        target = folder / backup_name(
            Path(path), f"v{current:03d}-before-{pending[-1].version:03d}"
        )
        await backup_connection(self._conn, target)
        log.info("Backed up the database to %s before migrating", target)
        return target

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """Run a write transaction (`BEGIN IMMEDIATE`); commit on success, roll back on error.

        Never await Discord inside it: keep transactions short.
        """
        async with self._our_turn():
            try:
                await self._begin_immediate()
            except BaseException:  # cancelled while BEGIN was queued: it may still open one
                await asyncio.shield(self._roll_back_if_open())
                raise
            try:
                yield Transaction(self._conn)
            except BaseException:
                await asyncio.shield(self._roll_back_if_open())
                raise
            else:
                await self._conn.execute("COMMIT")

    async def _roll_back_if_open(self) -> None:
        """Roll back any open transaction, on the connection's thread, after any queued BEGIN.

        A cancelled writer thus never leaves the connection inside a transaction.
        """
        await _in_thread(self._conn, _roll_back, "", ())

    @asynccontextmanager
    async def _our_turn(self) -> AsyncIterator[None]:
        """Wait for this process's other writers, within the answer deadline if there is one."""
        answer_by = answer_deadline.get()
        must_answer = answer_by() if answer_by is not None else None
        try:
            async with asyncio.timeout_at(must_answer):
                await self._write_lock.acquire()
        except TimeoutError:
            raise Refusal("errors.busy") from None
        try:
            yield
        finally:
            self._write_lock.release()

    async def _begin_immediate(self) -> None:
        """Take the write lock, waiting (without blocking the thread) while another holds it."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + WRITE_WAIT
        pause = 0.01
        while True:
            try:
                await self._conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or loop.time() >= deadline:
                    raise
            answer_by = answer_deadline.get()
            must_answer = answer_by() if answer_by is not None else None
            if must_answer is not None and loop.time() + pause >= must_answer:
                raise Refusal("errors.busy")
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.1)

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
        async with self._reading() as connection:
            row: aiosqlite.Row | None = await _in_thread(connection, _first_row, sql, params)
            return row

    async def fetch_all(self, sql: str, params: Params = ()) -> list[aiosqlite.Row]:
        """Run a read query (on a reader) and return all its rows."""
        async with self._reading() as connection:
            return await _in_thread(connection, _all_rows, sql, params)

    async def table_names(self) -> list[str]:
        """Return the names of the schema's own tables."""
        rows = await self.fetch_all(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
        return [str(row[0]) for row in rows]


def _open_error(path: Path | str, error: sqlite3.Error) -> DatabaseError:
    """One line for a database that cannot even be opened or checked."""
    text = str(error)
    if "readonly" in text or "read-only" in text:
        return DatabaseReadOnly(
            f"The database {path} is read-only ({text}): give the bot's user write access to it "
            "and to its folder."
        )
    return DatabaseError(f"Cannot open the database {path}: {text}.")


Reader = Database | Transaction
"""Anything storage reads can go through: the database, or an open transaction."""
