"""Per-person commands read through indexes: no query scans a table that grows with the program.

Each story runs the real commands through the sandbox while the database records every
statement it runs; each recorded statement is then planned with `EXPLAIN QUERY PLAN`.
"""

from __future__ import annotations

import re
import sqlite3

from bot.services.sessions import extend_series
from tests.e2e.conftest import World
from tests.e2e.test_privacy import seed

GROWING = frozenset(
    {
        "user_prefs",
        "mentorships",
        "series",
        "sessions",
        "notes",
        "dm_channels",
        "reminders",
        "reminder_prefs",
        "prep_ticks",
        "next_steps",
        "progress_entries",
        "presentation_plans",
    }
)
"""Tables whose size follows the number of people, sessions or notes (not of servers)."""

_NAMED = re.compile(r'\b(?:FROM|JOIN|UPDATE|INTO)\s+"?(\w+)"?(?:\s+(?:AS\s+)?(\w+))?', re.I)
_SCAN = re.compile(r"\bSCAN (\w+)(.*)")
_FIRST_ONLY = re.compile(r"ORDER BY \w+ LIMIT 1$")
_BOUNDED_INDEXES = frozenset({"reminders_interrupted", "series_ended_to_extend"})
"""Partial indexes whose rows are bounded, not growing: `reminders_interrupted` holds only the
claims in flight (at most the dispatcher's CHUNK and IN_FLIGHT, plus any a crash left behind);
`series_ended_to_extend` only the ended series not yet materialised up to their end (maintenance
takes each out the next time it runs)."""
_KEYWORDS = frozenset({"WHERE", "ON", "JOIN", "LEFT", "INNER", "SET", "VALUES", "USING", "ORDER"})


def _tables_by_alias(sql: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for table, alias in _NAMED.findall(sql):
        found[table] = table
        if alias and alias.upper() not in _KEYWORDS:
            found[alias] = table
    return found


def scans(path: str, statements: list[str]) -> list[str]:
    """Return `table: statement` for each statement whose plan scans a growing table."""
    found: list[str] = []
    with sqlite3.connect(path) as connection:
        for sql in dict.fromkeys(statements):
            head = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else ""
            if head not in {"SELECT", "WITH", "UPDATE", "DELETE", "INSERT"}:
                continue
            aliases = _tables_by_alias(sql)
            for row in connection.execute(f"EXPLAIN QUERY PLAN {sql}"):
                match = _SCAN.search(str(row[3]))
                if match is None or "VIRTUAL TABLE" in match.group(2):
                    continue
                if "INDEX" in match.group(2) and _FIRST_ONLY.search(sql):
                    continue  # an ordered walk of an index that stops at its first entry
                index = match.group(2).rsplit("INDEX", 1)[-1].split()
                if index and index[0] in _BOUNDED_INDEXES:
                    continue
                table = aliases.get(match.group(1), match.group(1))
                if table in GROWING:
                    found.append(f"{table}: {row[3]} in {sql}")
    return found


def check(world: World, story: str, statements: list[str]) -> list[str]:
    """Return what the statements recorded during `story` scan of the growing tables."""
    assert statements, f"{story}: nothing was recorded"
    return [f"{story}: {scan}" for scan in scans(str(world.path), statements)]


async def test_per_person_commands_scan_no_growing_table(world: World) -> None:
    await seed(world)
    mara, sam = world.mara, world.sam
    statements: list[str] = []
    found: list[str] = []
    await world.db.set_trace_callback(statements.append)
    try:
        stories = {
            "/session list, student in DMs": lambda: sam.slash("session list", dm=True),
            "/note list, student (shared notes)": lambda: sam.slash("note list"),
            "/reminders settings, mentor": lambda: mara.slash("reminders settings"),
            "/reminders settings, student": lambda: sam.slash("reminders settings", dm=True),
            "/student show": lambda: mara.slash("student show", student="Sam"),
            "/session list, mentor": lambda: mara.slash("session list"),
            "/privacy export, mentor": lambda: mara.slash("privacy export"),
            "/privacy export, student": lambda: sam.slash("privacy export"),
        }
        for story, run in stories.items():
            statements.clear()
            await run()
            found += check(world, story, statements)
        statements.clear()
        question = await sam.slash("privacy delete")
        done = await sam.click(question, "Delete my data")
        assert done.content, done
        found += check(world, "/privacy delete, student (erasure)", statements)
        statements.clear()
        question = await mara.slash("privacy delete")
        done = await mara.click(question, "Delete my data")
        assert done.content, done
        found += check(world, "/privacy delete, mentor (erasure)", statements)
    finally:
        await world.db.set_trace_callback(None)
    assert found == [], "\n".join(found)


async def test_maintenance_with_nothing_to_add_scans_no_growing_table(world: World) -> None:
    """The start-up pass on a maintained database reads only the series behind the horizon."""
    await seed(world)
    now = world.clock.now()
    await extend_series(world.db, now)
    statements: list[str] = []
    await world.db.set_trace_callback(statements.append)
    try:
        assert await extend_series(world.db, now) == 0
    finally:
        await world.db.set_trace_callback(None)
    assert check(world, "maintenance, nothing to add", statements) == []
