"""The database: migrations from empty, idempotent re-runs, transactions that roll back."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from bot import db as db_module
from bot.db import WRITE_WAIT, Database, Migration, load_migrations, split_statements


async def test_migrations_from_empty_reach_the_latest_version(tmp_path: Path) -> None:
    migrations = load_migrations()
    async with await Database.open(tmp_path / "fresh.db") as db:
        assert await db.schema_version() == migrations[-1].version
        assert "user_prefs" in await db.table_names()


async def test_rerunning_migrations_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "again.db"
    async with await Database.open(path) as db:
        version = await db.schema_version()
        schema = await db.fetch_all("SELECT type, name, sql FROM sqlite_master ORDER BY name")
    async with await Database.open(path) as db:
        assert await db.migrate() == []
        assert await db.schema_version() == version
        again = await db.fetch_all("SELECT type, name, sql FROM sqlite_master ORDER BY name")
    assert [tuple(row) for row in again] == [tuple(row) for row in schema]


async def test_a_failing_migration_leaves_the_schema_untouched(tmp_path: Path) -> None:
    async with await Database.open(tmp_path / "broken.db") as db:
        version = await db.schema_version()
        tables = await db.table_names()
        broken = [
            Migration(version + 1, "good.sql", "CREATE TABLE half_done (id INTEGER);"),
            Migration(version + 2, "bad.sql", "CREATE TABLE oops (;"),
        ]
        with pytest.raises(Exception, match="syntax error"):
            await db.migrate(broken)
        assert await db.schema_version() == version
        assert await db.table_names() == tables


async def test_pragmas_are_set(tmp_path: Path) -> None:
    async with await Database.open(tmp_path / "pragmas.db") as db:
        journal = await db.fetch_one("PRAGMA journal_mode")
        foreign_keys = await db.fetch_one("PRAGMA foreign_keys")
        busy = await db.fetch_one("PRAGMA busy_timeout")
    assert journal is not None
    assert journal[0] == "wal"
    assert foreign_keys is not None
    assert foreign_keys[0] == 1
    assert busy is not None
    assert 0 < busy[0] <= 500  # a statement never stalls the thread for long: see below


async def test_a_write_waits_for_another_writer_while_reads_go_on(tmp_path: Path) -> None:
    path = tmp_path / "two-writers.db"
    async with await Database.open(path) as db:
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        loop = asyncio.get_running_loop()
        started = loop.time()

        async def write() -> float:
            async with db.transaction() as tx:
                await tx.execute("PRAGMA user_version")
            return loop.time() - started

        writing = asyncio.create_task(write())
        await asyncio.sleep(0.3)
        read_started = loop.time()
        assert await db.fetch_one("SELECT 1") is not None
        read_took = loop.time() - read_started
        await asyncio.sleep(1.0)
        other.execute("COMMIT")
        other.close()
        waited = await writing
    assert read_took < 0.5  # reads are not stuck behind the waiting write
    assert 1.2 <= waited < WRITE_WAIT  # the write waited for the lock, then went through


async def test_a_write_gives_up_after_the_write_wait(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db_module, "WRITE_WAIT", 0.3)
    path = tmp_path / "held.db"
    async with await Database.open(path) as db:
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                async with db.transaction() as tx:
                    await tx.execute("PRAGMA user_version")
        finally:
            other.execute("ROLLBACK")
            other.close()


async def _insert_then_fail(db: Database) -> None:
    async with db.transaction() as tx:
        await tx.execute(
            "INSERT INTO user_prefs (user_id, timezone, updated_at) VALUES (1, 'UTC', 'x')"
        )
        raise RuntimeError("the user action failed half-way")


async def test_a_failed_transaction_stores_nothing(tmp_path: Path) -> None:
    async with await Database.open(tmp_path / "tx.db") as db:
        with pytest.raises(RuntimeError):
            await _insert_then_fail(db)
        assert await db.fetch_all("SELECT * FROM user_prefs") == []


def test_statements_split_with_triggers() -> None:
    script = """
    -- a comment
    CREATE TABLE a (id INTEGER);
    CREATE TRIGGER t AFTER INSERT ON a BEGIN
        INSERT INTO a VALUES (1);
    END;
    """
    statements = split_statements(script)
    assert len(statements) == 2
    assert statements[1].startswith("CREATE TRIGGER")
    assert statements[1].endswith("END;")


def test_migration_files_are_numbered_without_gaps() -> None:
    versions = [m.version for m in load_migrations()]
    assert versions == list(range(1, len(versions) + 1))


async def test_scrub_leaves_no_deleted_text_in_the_files(tmp_path: Path) -> None:
    path = tmp_path / "scrub.db"
    secret = b"Quillwort secret body"
    async with await Database.open(path) as db:
        async with db.transaction() as tx:
            await tx.execute("CREATE TABLE t (body TEXT)")
            await tx.execute_many("INSERT INTO t VALUES (?)", [(secret.decode(),)] * 50)
        async with db.transaction() as tx:
            await tx.execute("DELETE FROM t")
        files = [path, path.with_name("scrub.db-wal"), path.with_name("scrub.db-shm")]
        assert any(secret in f.read_bytes() for f in files if f.exists())
        assert await db.scrub()
        assert path.with_name("scrub.db-wal").stat().st_size == 0
        assert not any(secret in f.read_bytes() for f in files if f.exists())


async def test_scrub_says_so_when_another_connection_keeps_the_log(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "busy.db"
    async with await Database.open(path) as db:
        async with db.transaction() as tx:
            await tx.execute("CREATE TABLE t (body TEXT)")
            await tx.execute("INSERT INTO t VALUES ('x')")
        reader = sqlite3.connect(path)
        try:
            reader.execute("BEGIN")
            reader.execute("SELECT * FROM t").fetchall()  # holds a snapshot of the log
            assert not await db.scrub()
        finally:
            reader.close()
        assert await db.scrub()


async def test_each_reader_keeps_a_smaller_page_cache_than_the_writer(tmp_path: Path) -> None:
    async with await Database.open(tmp_path / "caches.db") as db:
        for _ in range(db.reader_count):  # one read on each reader, in turn
            row = await db.fetch_one("PRAGMA cache_size")
            assert row is not None
            assert row[0] == -db_module.READER_CACHE_KIB
        async with db.transaction() as tx:
            writer = await tx.fetch_one("PRAGMA cache_size")
    assert writer is not None
    assert writer[0] == -2000  # SQLite's default: the writer's pages stay valid between writes


async def test_reads_go_to_readers_and_see_every_committed_write(tmp_path: Path) -> None:
    async with await Database.open(tmp_path / "readers.db") as db:
        assert db.reader_count == 2
        async with db.transaction() as tx:
            await tx.execute(
                "INSERT INTO user_prefs (user_id, timezone, updated_at) VALUES (1, 'UTC', 'x')"
            )
            inside = await tx.fetch_one("SELECT COUNT(*) FROM user_prefs")
            outside = await db.fetch_one("SELECT COUNT(*) FROM user_prefs")
        after = await db.fetch_one("SELECT COUNT(*) FROM user_prefs")
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            await db.fetch_one("DELETE FROM user_prefs RETURNING user_id")
    assert inside is not None
    assert inside[0] == 1
    assert outside is not None
    assert outside[0] == 0
    assert after is not None
    assert after[0] == 1


async def test_a_slow_read_holds_up_neither_writes_nor_other_reads(tmp_path: Path) -> None:
    async with await Database.open(tmp_path / "slow.db") as db:
        slow = asyncio.create_task(
            db.fetch_one(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000000) "
                "SELECT COUNT(*) FROM n"
            )
        )
        await asyncio.sleep(0.05)
        async with db.transaction() as tx:
            await tx.execute(
                "INSERT INTO user_prefs (user_id, timezone, updated_at) VALUES (1, 'UTC', 'x')"
            )
        quick = await db.fetch_one("SELECT COUNT(*) FROM user_prefs")
        assert not slow.done()  # the write and the second read finished first
        assert quick is not None
        assert quick[0] == 1
        counted = await slow
    assert counted is not None
    assert counted[0] == 3000000


async def test_an_in_memory_database_reads_through_its_writer() -> None:
    async with await Database.open(":memory:") as db:
        assert db.reader_count == 0
        assert await db.schema_version() > 0
