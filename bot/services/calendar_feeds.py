"""A person's private calendar feed: a secret address that calendar apps subscribe to.

Only the SHA-256 of the secret token is stored: the database never holds a working address, and
an address cannot be shown again, only replaced (a reset). The feed lists the sessions the person
holds as a mentor and theirs as a student, from a month back: a moved session keeps its UID with
a higher SEQUENCE, a cancelled one stays with STATUS:CANCELLED, so calendars update in place.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from bot.db import Database, Reader
from bot.services.exports import CalendarEntry, calendar_ics
from bot.services.people import reader_locale
from bot.storage import calendar_feeds as store
from bot.storage.privacy import CalendarRow
from bot.texts import Locale, tr
from bot.vocabulary import OUTCOME, SessionStatus

log = logging.getLogger(__name__)

TOKEN_BYTES: Final = 32
TOKEN_PATTERN: Final = re.compile(r"[A-Za-z0-9_-]{43}")
"""What `secrets.token_urlsafe(32)` gives: anything else is refused before any lookup."""
FEED_PATH: Final = "/calendar/{token}.ics"
HISTORY: Final = timedelta(days=30)
"""How far back a feed lists sessions (so last weeks' stay in the calendar)."""
REFRESH: Final = timedelta(hours=1)
"""How often calendar apps are asked to fetch the feed again."""
CANCELLED: Final = frozenset(
    {SessionStatus.CANCELLED, *(status for status, o in OUTCOME.items() if o.cancelled)}
)
"""What calendars show as cancelled: called off by the mentor, or a cancelling outcome."""


def token_hash(token: str) -> str:
    """Return the SHA-256 of a token, as stored."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def feed_url(base: str, token: str) -> str:
    """Return the `webcal://` address of a feed on a base like `https://host[:port][/prefix]`."""
    root = base.rstrip("/")
    for scheme in ("https://", "http://", "webcal://"):
        if root.startswith(scheme):
            root = root[len(scheme) :]
            break
    return "webcal://" + root + FEED_PATH.format(token=token)


async def new_feed(db: Database, user_id: int, now: datetime) -> str:
    """Give the person a new secret feed token (any earlier address stops working); return it."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    async with db.transaction() as tx:
        await store.replace_feed(tx, user_id, token_hash(token), now)
    log.info("Calendar feed made for user %s", user_id)
    return token


async def feed_made_at(db: Reader, user_id: int) -> datetime | None:
    """Return when the person's current feed address was made (None: they have none)."""
    return await store.feed_created_at(db, user_id)


async def owner_of(db: Reader, token: str) -> int | None:
    """Return whose feed a token opens, or None (a malformed or unknown token)."""
    if not TOKEN_PATTERN.fullmatch(token):
        return None
    wanted = token_hash(token)
    found = await store.feed_by_hash(db, wanted)
    if found is None or not hmac.compare_digest(found[1], wanted):
        return None
    return found[0]


@dataclass(frozen=True)
class FeedTexts:
    """How one reader's feed names their sessions, in their language."""

    locale: Locale
    mentor_names: dict[int, str]

    def summary(self, row: CalendarRow, user_id: int) -> str:
        """Name a session from the reader's side."""
        kind = tr(f"kind.{row.kind}", self.locale)
        if row.mentor_id == user_id:
            return tr("exports.summary_as_mentor", self.locale, kind=kind, name=row.student_name)
        name = row.holder_name or self.mentor_names.get(row.mentor_id)
        if name is None:  # a mentor who left, or whose name is unknown: "with your mentor"
            return tr("calendar_feed.summary_unnamed", self.locale, kind=kind)
        return tr("exports.summary_as_student", self.locale, kind=kind, name=name)

    def description(self, row: CalendarRow) -> str:
        """Describe a session: project, links and length."""
        lines = [tr("exports.ics_project", self.locale, project=row.project)]
        if row.project_link:
            lines.append(tr("exports.ics_project_link", self.locale, link=row.project_link))
        if row.meeting_link:
            lines.append(tr("exports.ics_meeting_link", self.locale, link=row.meeting_link))
        lines.append(tr("exports.ics_minutes", self.locale, minutes=row.duration_minutes))
        return "\n".join(lines)


async def feed_of(db: Reader, user_id: int, now: datetime) -> bytes:
    """Return the person's feed: their sessions from a month back, in their language."""
    rows = await store.feed_sessions(db, user_id, now - HISTORY)
    names = await store.mentor_names(db, user_id)
    texts: dict[int, FeedTexts] = {}
    entries = []
    for row in rows:
        if row.guild_id not in texts:
            locale = await reader_locale(db, user_id, row.guild_id)
            texts[row.guild_id] = FeedTexts(locale, names)
        words = texts[row.guild_id]
        entries.append(
            CalendarEntry(
                session_id=row.session_id,
                starts_at=row.starts_at,
                ends_at=row.starts_at + timedelta(minutes=row.duration_minutes),
                summary=words.summary(row, user_id),
                description=words.description(row),
                meeting_link=row.meeting_link,
                cancelled=row.status in CANCELLED,
                sequence=row.revision,
            )
        )
    locale = await reader_locale(db, user_id, None)
    return calendar_ics(entries, now, name=tr("calendar_feed.name", locale), refresh=REFRESH)


async def feed_for_token(db: Reader, token: str, now: datetime) -> bytes | None:
    """Return the feed a token opens, or None when it opens none."""
    user_id = await owner_of(db, token)
    if user_id is None:
        return None
    return await feed_of(db, user_id, now)


async def planned_count(db: Reader, user_id: int, now: datetime) -> int:
    """Count the sessions still planned in the person's feed."""
    rows = await store.feed_sessions(db, user_id, now)
    return sum(1 for row in rows if row.status == SessionStatus.SCHEDULED)
