"""People's data rights: see everything stored about you, have it erased; servers that leave."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from bot.clock import iso
from bot.db import Database
from bot.services import reminders
from bot.services.exports import ExportFile, json_bytes
from bot.storage import privacy as store
from bot.storage.calendar_feeds import feed_created_at
from bot.storage.checkins import checkins_of_student
from bot.storage.news import news_of
from bot.storage.privacy import EndedMentorship, LostStudent, PrivateNotes

log = logging.getLogger(__name__)

GRACE: Final = timedelta(days=30)
"""How long a server's data is kept after it removed the bot, in case it adds it back."""
EXPORT_FORMAT: Final = "mentor-coach-export"
EXPORT_VERSION: Final = 1


@dataclass(frozen=True)
class PersonalExport:
    """What a person gets from `/privacy export`: the file, and what it left out."""

    file: ExportFile
    private_notes: list[PrivateNotes]
    is_mentor: bool
    is_student: bool


@dataclass(frozen=True)
class Footprint:
    """What the bot holds of a person, counted before asking them to confirm an erasure."""

    mentorships_as_mentor: int
    mentorships_as_student: int
    notes_written: int


@dataclass(frozen=True)
class Erased:
    """What an erasure did; whom to tell that their mentorship ended."""

    mentorships_deleted: int
    notes_deleted: int
    ended: list[EndedMentorship]
    mentors_told: list[LostStudent]


async def export_person(
    db: Database, user_id: int, now: datetime, *, private_notes_explanation: str
) -> PersonalExport:
    """Gather everything stored about a person that they may see, as a JSON file.

    A student's mentors' unshared notes are not theirs to read: the export counts them and
    names the mentor to ask, without their text.
    """
    as_mentor = await store.mentorships_as_mentor(db, user_id)
    as_student = await store.mentorships_as_student(db, user_id)
    private = await store.private_notes_about(db, user_id)
    data: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "generated_at": iso(now),
        "user_id": str(user_id),
        "note": (
            "Times are UTC (ISO 8601). Ids of Discord users, servers and messages are "
            "given as text."
        ),
        "preferences": await store.preferences_of(db, user_id),
        "as_mentor": {
            "students": as_mentor,
            "sessions": await store.sessions_as_mentor(db, user_id),
            "notes": await store.notes_by_author(db, user_id),
            "next_steps": await store.next_steps_by_author(db, user_id),
            "progress": await store.progress_by_author(db, user_id),
            "presentation_plans": await store.plans_by_author(db, user_id),
            "expertise": await store.expertise_of(db, user_id),
        },
        "as_student": {
            "mentorships": as_student,
            "sessions": await store.sessions_as_student(db, user_id),
            "shared_notes": await store.notes_shared_with(db, user_id),
            "checkins": [
                {
                    "session_id": c.session_id,
                    "done": c.done,
                    "stuck": c.stuck,
                    "discuss": c.discuss,
                    "work_link": c.work_link,
                    "updated_at": iso(c.updated_at),
                }
                for c in await checkins_of_student(db, user_id)
            ],
            "private_notes": {
                "explanation": private_notes_explanation,
                "by_mentor": [
                    {"mentor_id": str(p.mentor_id), "guild_id": str(p.guild_id), "count": p.count}
                    for p in private
                ],
            },
        },
        "reminders": await store.reminders_to(db, user_id),
        "calendar_feed": await _calendar_feed(db, user_id),
        "session_news": [
            {
                "change": n.change.value,
                "session_id": n.session_id,
                "mentor_id": n.mentor_id,
                "starts_at": iso(n.starts_at) if n.starts_at else None,
                "status": n.status,
            }
            for n in await news_of(db, user_id)
        ],
    }
    stamp = now.strftime("%Y-%m-%d")
    return PersonalExport(
        file=ExportFile(f"mentor-coach-data-{stamp}.json", json_bytes(_ids_as_text(data))),
        private_notes=private,
        is_mentor=bool(as_mentor),
        is_student=bool(as_student),
    )


async def _calendar_feed(db: Database, user_id: int) -> dict[str, str] | None:
    """Say whether the person has a calendar link, and since when (never the link itself)."""
    made = await feed_created_at(db, user_id)
    return None if made is None else {"created_at": iso(made)}


_SNOWFLAKE_KEYS: Final = frozenset(
    {
        *("guild_id", "mentor_id", "student_id", "author_id", "recipient_id", "user_id"),
        *("from_mentor_id", "to_mentor_id"),
    }
)


_CONTAINERS: Final = frozenset({dict, list})


def _ids_as_text(value: Any) -> Any:
    """Write Discord ids as text: JavaScript and many JSON readers lose digits beyond 2**53.

    An export holds thousands of rows: each is copied and its few id columns rewritten, and
    its values are walked only when one of them is a dict or a list.
    """
    if isinstance(value, list):
        return [_ids_as_text(item) for item in value]
    if not isinstance(value, dict):
        return value
    written = dict(value)
    for key in _SNOWFLAKE_KEYS.intersection(written):
        if isinstance(written[key], int):
            written[key] = str(written[key])
    if not _CONTAINERS.isdisjoint(map(type, written.values())):
        for key, item in written.items():
            if isinstance(item, dict | list):
                written[key] = _ids_as_text(item)
    return written


async def footprint(db: Database, user_id: int) -> Footprint:
    """Count what an erasure would remove or end."""
    as_mentor = await store.mentorships_as_mentor(db, user_id)
    as_student = await store.mentorships_as_student(db, user_id)
    notes = await store.notes_by_author(db, user_id)
    return Footprint(
        mentorships_as_mentor=sum(1 for m in as_mentor if m["status"] == "active"),
        mentorships_as_student=len(as_student),
        notes_written=len(notes),
    )


async def erase_person(db: Database, user_id: int, now: datetime) -> Erased:
    """Erase a person in one transaction; the caller then scrubs the files and tells people."""
    async with db.transaction() as tx:
        counts = await store.erase_person(tx, user_id, now)
        for session_id in counts.uncovered:  # back with their usual mentor: their nudges too
            await reminders.replan_session(tx, session_id, now)
    log.info(
        "Erased user %s: %d mentorships as student deleted, %d as mentor ended, %d notes",
        user_id,
        counts.mentorships_deleted,
        len(counts.mentorships_ended),
        counts.notes_deleted,
    )
    return Erased(
        mentorships_deleted=counts.mentorships_deleted,
        notes_deleted=counts.notes_deleted,
        ended=counts.mentorships_ended,
        mentors_told=counts.mentors_told,
    )


async def scrub_files(db: Database) -> bool:
    """Overwrite what erasures left in the database files (free pages, the log); say if done.

    Runs after the erasure's answer went out: it takes up to a second on a large database.
    """
    done = await db.scrub()
    log.info("Database files scrubbed after an erasure" if done else "Scrub incomplete")
    return done


async def guild_left(db: Database, guild_id: int, now: datetime) -> datetime:
    """Start a server's grace period; return when its data will be purged."""
    async with db.transaction() as tx:
        purge_after = await store.record_departure(tx, guild_id, now, now + GRACE)
    log.info("Removed from server %s; its data is purged after %s", guild_id, iso(purge_after))
    return purge_after


async def guild_back(db: Database, guild_id: int) -> bool:
    """Cancel a server's pending purge (the bot was added back); return whether one was due."""
    if await store.departure_of(db, guild_id) is None:
        return False
    async with db.transaction() as tx:
        cancelled = await store.cancel_departure(tx, guild_id)
    if cancelled:
        log.info("Back in server %s; its data is kept", guild_id)
    return cancelled


async def purge_departed_guilds(db: Database, now: datetime) -> int:
    """Delete the data of servers whose grace period is over; return how many were purged.

    One transaction per server, so a failure leaves the others done.
    """
    purged = 0
    for guild_id in await store.departures_due(db, now):
        async with db.transaction() as tx:
            done = await store.purge_guild(tx, guild_id, now)
        if not done:
            continue
        log.info("Purged the data of server %s, %s after it removed the bot", guild_id, GRACE)
        purged += 1
    if purged:
        await db.scrub()
    return purged
