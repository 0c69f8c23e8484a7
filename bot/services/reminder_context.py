"""What delivering a reminder needs to know, read in a few queries for a whole batch of them.

The dispatcher reads the context of every reminder of a batch at once (one read per table,
not one per reminder): the recipient's reminder settings and reading language, their DM
channel, the server's settings, and the session with its mentorship's people and links.
The renderers (the reminders cog) only render from it; the few kinds that need more (the
mentor's review nudge, the digest, the presentation nudge) read it here too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.db import Database, Reader
from bot.reminders.planning import ReminderPrefs
from bot.services import expertise
from bot.services.expertise import Fit
from bot.services.people import locale_of, reader_locale
from bot.storage import checkins as checkin_store
from bot.storage import coaching as coaching_store
from bot.storage import mentorships as mentorship_store
from bot.storage import notes as note_store
from bot.storage import reminders as reminder_store
from bot.storage import sessions as session_store
from bot.storage import user_prefs
from bot.storage.checkins import Checkin, Links, SinceLastHeld
from bot.storage.coaching import PresentationPlan
from bot.storage.dm_channels import dm_channels_of
from bot.storage.guild_config import GuildConfig, get_config
from bot.storage.mentorships import Mentorship
from bot.storage.notes import NoteTitle
from bot.storage.reminders import Reminder
from bot.storage.sessions import SessionView


@dataclass(frozen=True)
class ReminderContext:
    """Everything the dispatcher and the renderers read about one reminder, read at once."""

    locale: str | None
    """The recipient's reading language (`people.reader_locale`'s rule)."""
    prefs: ReminderPrefs
    """The recipient's reminder settings."""
    config: GuildConfig
    """The reminder's server's settings (its reminders and log channels)."""
    dm_channel_id: int | None
    """The recipient's DM channel, when already opened."""
    view: SessionView | None
    """The reminder's session with its mentorship's people (None: no session, or gone)."""
    links: Links | None
    """The project and meeting links of that session's mentorship."""


async def load_contexts(db: Reader, reminders: Sequence[Reminder]) -> dict[int, ReminderContext]:
    """Return the context of each reminder (by id): six reads for the whole batch."""
    if not reminders:
        return {}
    recipients = {r.recipient_id for r in reminders}
    sessions = {r.session_id for r in reminders if r.session_id is not None}
    prefs = await reminder_store.prefs_of(db, recipients)
    people = await user_prefs.prefs_of(db, recipients)
    configs = {guild: await get_config(db, guild) for guild in {r.guild_id for r in reminders}}
    channels = await dm_channels_of(db, recipients)
    views = await session_store.get_session_views(db, sessions)
    links = await checkin_store.links_of_many(db, {v.mentorship_id for v in views.values()})
    contexts: dict[int, ReminderContext] = {}
    for reminder in reminders:
        config = configs[reminder.guild_id]
        view = views.get(reminder.session_id) if reminder.session_id is not None else None
        contexts[reminder.id] = ReminderContext(
            locale=locale_of(people[reminder.recipient_id], config),
            prefs=prefs[reminder.recipient_id],
            config=config,
            dm_channel_id=channels.get(reminder.recipient_id),
            view=view,
            links=links.get(view.mentorship_id) if view is not None else None,
        )
    return contexts


async def load_context(db: Reader, reminder: Reminder) -> ReminderContext:
    """Return one reminder's context (a batch of one)."""
    return (await load_contexts(db, [reminder]))[reminder.id]


@dataclass(frozen=True)
class ReviewDetails:
    """What the mentor's review nudge shows beside the session."""

    checkin: Checkin | None
    since: SinceLastHeld
    titles: list[NoteTitle]
    fit: Fit


async def review_details(db: Database, view: SessionView) -> ReviewDetails:
    """Return what a review nudge shows: check-in, changes, latest notes, expertise fit."""
    return ReviewDetails(
        checkin=await checkin_store.checkin_of(db, view.session.id),
        since=await checkin_store.since_last_held(
            db, view.mentorship_id, view.mentor_id, view.session.starts_at
        ),
        titles=await note_store.latest_titles(db, view.mentorship_id, view.mentor_id),
        fit=await expertise.fit_of(db, view.guild_id, view.mentor_id, view.project),
    )


async def open_presentation(
    db: Database, mentorship_id: int
) -> tuple[Mentorship, PresentationPlan] | None:
    """Return an active mentorship with its open presentation plan (None: either is gone)."""
    mentorship = await mentorship_store.get_mentorship(db, mentorship_id)
    if mentorship is None or not mentorship.active:
        return None
    plan = await coaching_store.open_plan(db, mentorship_id)
    return None if plan is None else (mentorship, plan)


async def session_for_notice(db: Reader, session_id: int) -> tuple[SessionView, str | None] | None:
    """Return a session with its mentor's reading language, for telling them of a failure."""
    view = await session_store.get_session_view(db, session_id)
    if view is None:
        return None
    return view, await reader_locale(db, view.mentor_id, view.guild_id)
