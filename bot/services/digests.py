"""The mentors' weekly digest: planned as a reminder for Monday 09:00 in their zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.db import Database
from bot.reminders.planning import (
    DIGEST,
    WEEKLY_SUMMARY,
    Planned,
    awake,
    next_digest,
    next_summary,
)
from bot.services.people import effective_zone
from bot.storage import coaching as coaching_store
from bot.storage import mentorships as mentorship_store
from bot.storage import reminders as store
from bot.storage import sessions as session_store
from bot.storage.coaching import PresentationPlan
from bot.storage.guild_config import configs_with_log_channel
from bot.storage.mentorships import ActiveMentor, Mentorship
from bot.storage.sessions import SessionView
from bot.vocabulary import SessionStatus

LEFT_ALONE_AFTER = timedelta(weeks=3)
UNRECORDED_SINCE = timedelta(days=30)


@dataclass(frozen=True)
class Digest:
    """What a mentor should know on Monday morning."""

    this_week: list[SessionView]
    unrecorded: list[SessionView]
    left_alone: list[Mentorship]
    presentations: list[tuple[Mentorship, PresentationPlan]]


DIGEST_BATCH = 100
"""How many mentors' digests one read and one transaction plan: short locks, bounded reads."""


async def plan_digests(db: Database, now: datetime) -> int:
    """Make sure every active mentor has their next digest planned; return how many exist.

    `DIGEST_BATCH` mentors at a time: one read of them and their zones, then one transaction
    with one statement per server. A batch's read touches only its part of the mentorships'
    index and of the mentors' preferences: a reader's cache keeps a batch's pages, not all.
    """
    planned = 0
    after = (0, 0)
    while mentors := await mentorship_store.active_mentors_with_zones(db, after, DIGEST_BATCH):
        by_guild: dict[int, list[Planned]] = {}
        for mentor in mentors:
            by_guild.setdefault(mentor.guild_id, []).extend(_digest_of(mentor, now))
        async with db.transaction() as tx:
            for guild_id, digests in by_guild.items():
                await store.add_planned(tx, None, guild_id, digests, now)
        planned += len(mentors)
        after = (mentors[-1].guild_id, mentors[-1].mentor_id)
    return planned + await plan_weekly_summaries(db, now)


def _digest_of(mentor: ActiveMentor, now: datetime) -> list[Planned]:
    """Plan a mentor's next digest in their zone (theirs, else their server's: `zone_for`)."""
    zone = effective_zone(mentor.own_zone, mentor.server_zone)
    slot, due = next_digest(now, zone)
    digest = Planned(DIGEST, mentor.mentor_id, f"{mentor.guild_id}:{slot}", due)
    return awake([digest], {mentor.mentor_id: zone})


async def plan_weekly_summaries(db: Database, now: datetime) -> int:
    """Plan each server's next Monday 08:00 summary for its moderators' log channel.

    It is a reminder like the digest (recipient: the guild), so it is sent once, late after
    downtime while still useful, and never twice.
    """
    configs = await configs_with_log_channel(db)
    for config in configs:
        slot, due = next_summary(now, effective_zone(config.default_timezone))
        planned = Planned(WEEKLY_SUMMARY, config.guild_id, f"{config.guild_id}:{slot}", due)
        async with db.transaction() as tx:
            await store.add_planned(tx, None, config.guild_id, [planned], now)
    return len(configs)


async def build_digest(db: Database, guild_id: int, mentor_id: int, now: datetime) -> Digest:
    """Gather the week's sessions, what is unrecorded, who was left alone, what to request."""
    this_week = await session_store.sessions_of_mentor(
        db,
        guild_id,
        mentor_id,
        after=now,
        before=now + timedelta(days=7),
        statuses=[SessionStatus.SCHEDULED],
    )
    unrecorded = await session_store.unrecorded_sessions(
        db, mentor_id, ended_before=now, since=now - UNRECORDED_SINCE, guild_id=guild_id
    )
    left_alone = []
    presentations = []
    mentorships = await mentorship_store.active_for_mentor(db, guild_id, mentor_id)
    ids = [mentorship.id for mentorship in mentorships]
    last_held = await session_store.last_held_of(db, ids)
    plans = await coaching_store.open_plans_of(db, ids)
    for mentorship in mentorships:
        last = last_held.get(mentorship.id) or mentorship.created_at
        if now - last >= LEFT_ALONE_AFTER:
            left_alone.append(mentorship)
        plan = plans.get(mentorship.id)
        if plan is not None and plan.request_by <= now + timedelta(days=7):
            presentations.append((mentorship, plan))
    return Digest(
        this_week=this_week,
        unrecorded=unrecorded,
        left_alone=left_alone,
        presentations=presentations,
    )
