"""A mentor's monthly statement: their sessions of a month by student, kind and length.

What a mentor checks against the platform's statement before invoicing: held sessions,
no-shows, late and early cancellations, and sessions whose outcome was never recorded.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Final
from zoneinfo import ZoneInfo

from bot.db import Database
from bot.refusal import Refusal
from bot.services.exports import spreadsheet_safe
from bot.storage import sessions as store
from bot.storage.sessions import SessionView
from bot.vocabulary import OUTCOME, PRESENTATION_KINDS, STATEMENT_OUTCOMES, SessionStatus

COLUMNS: Final[tuple[str, ...]] = (*STATEMENT_OUTCOMES, "unrecorded", "planned")
"""The statement's columns: the outcomes in statement order, then unrecorded and planned."""
CSV_HEADERS = ("when", "student", "kind", "minutes", "outcome", "session")
_MONTH = re.compile(
    r"^\s*(?P<year>\d{4})[-/.](?P<month>\d{1,2})\s*$|^\s*(?P<m2>\d{1,2})[-/.](?P<y2>\d{4})\s*$"
)


@dataclass
class StatementRow:
    """One student, session kind and length, with how its sessions of the month ended."""

    student: str
    kind: str
    minutes: int
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COLUMNS, 0))


@dataclass(frozen=True)
class Statement:
    """A month of a mentor's sessions."""

    month: date
    zone: str
    rows: list[StatementRow]
    sessions: list[tuple[SessionView, str]]

    @property
    def totals(self) -> dict[str, int]:
        """Return the counts of every column over all rows."""
        return {c: sum(row.counts[c] for row in self.rows) for c in COLUMNS}

    @property
    def presentations_held(self) -> int:
        """Return how many presentation sessions (mock or preparation) were held."""
        return sum(
            n
            for row in self.rows
            if row.kind in PRESENTATION_KINDS
            for status, n in row.counts.items()
            if status in OUTCOME and OUTCOME[SessionStatus(status)].attended
        )


def read_month(text: str | None, zone: str, now: datetime) -> date:
    """Read `2026-12` or `12/2026` (default: this month in the zone); refuse anything else."""
    if text is None or not text.strip():
        local = now.astimezone(ZoneInfo(zone))
        return date(local.year, local.month, 1)
    match = _MONTH.match(text)
    if match is None:
        raise Refusal("statement.bad_month", text=text[:40])
    year = int(match["year"] or match["y2"])
    month = int(match["month"] or match["m2"])
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        raise Refusal("statement.bad_month", text=text[:40])
    return date(year, month, 1)


def month_bounds(month: date, zone: str) -> tuple[datetime, datetime]:
    """Return the first instant of the month and of the next one, on the zone's clocks."""
    where = ZoneInfo(zone)
    following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    start = datetime(month.year, month.month, 1, tzinfo=where)
    end = datetime(following.year, following.month, 1, tzinfo=where)
    return start, end


def outcome_of(view: SessionView, now: datetime) -> str | None:
    """Return the statement column of a session (None: cancelled by the mentor, not counted)."""
    status = view.session.status
    if status in COLUMNS:
        return status
    if status == SessionStatus.SCHEDULED:
        return "unrecorded" if view.session.starts_at <= now else "planned"
    return None


async def statement(
    db: Database, now: datetime, mentor_id: int, guild_id: int | None, month: date, zone: str
) -> Statement:
    """Gather the mentor's sessions of a month (in one server, or all of them from DMs)."""
    start, end = month_bounds(month, zone)
    views = await store.sessions_of_mentor(
        db, guild_id, mentor_id, after=start, before=end, newest_first=False, limit=2000
    )
    rows: dict[tuple[str, str, int], StatementRow] = {}
    counted: list[tuple[SessionView, str]] = []
    for view in views:
        if view.mentor_id != mentor_id:  # a peer covered it: it is on the peer's statement
            continue
        column = outcome_of(view, now)
        if column is None:
            continue
        key = (view.student_name, view.session.kind, view.session.duration_minutes)
        row = rows.setdefault(key, StatementRow(*key))
        row.counts[column] += 1
        counted.append((view, column))
    ordered = sorted(rows.values(), key=lambda r: (r.student.casefold(), r.kind, r.minutes))
    return Statement(month=month, zone=zone, rows=ordered, sessions=counted)


def statement_csv(done: Statement, headers: Sequence[str]) -> bytes:
    """Return one line per session: local date and time, student, kind, minutes, outcome."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    where = ZoneInfo(done.zone)
    for view, column in done.sessions:
        local = view.session.starts_at.astimezone(where)
        writer.writerow(
            [
                local.strftime("%Y-%m-%d %H:%M"),
                spreadsheet_safe(view.student_name),
                view.session.kind,
                view.session.duration_minutes,
                column,
                view.session.id,
            ]
        )
    return out.getvalue().encode("utf-8-sig")
