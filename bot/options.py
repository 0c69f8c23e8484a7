"""Command options shared by several features: a mentor's student, a session."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import discord
from discord import app_commands

from bot.app import bot_of
from bot.refusal import Refusal
from bot.scheduling.when import WhenError, parse_when
from bot.services.checkins import session_of_student
from bot.services.people import known_languages, language_name, zone_for
from bot.services.sessions import session_of_mentor
from bot.services.students import resolve_student, student_choices
from bot.storage import sessions as session_store
from bot.storage.mentorships import Mentorship
from bot.storage.sessions import SessionView
from bot.textfit import clip
from bot.texts import Locale, tr
from bot.timefmt import short_when, when_label
from bot.timezones import search_zones
from bot.vocabulary import OUTCOMES, SessionStatus

RECENT = timedelta(days=30)


def _guild_id(interaction: discord.Interaction) -> int:
    if interaction.guild_id is None:
        raise Refusal("errors.guild_only")
    return interaction.guild_id


class StudentOption(app_commands.Transformer):
    """One of the caller's active students; autocompletes over them only."""

    async def transform(self, interaction: discord.Interaction, value: str) -> Mentorship:
        """Resolve the chosen student, or refuse privately."""
        bot = bot_of(interaction)
        return await resolve_student(bot.db, _guild_id(interaction), interaction.user.id, value)

    async def autocomplete(  # type: ignore[override]
        self, interaction: discord.Interaction, value: str
    ) -> list[app_commands.Choice[str]]:
        """Offer the caller's students whose name or project matches."""
        if interaction.guild_id is None:
            return []
        pairs = await student_choices(
            bot_of(interaction).db, interaction.guild_id, interaction.user.id, value
        )
        return [app_commands.Choice(name=label, value=key) for label, key in pairs]


class MentorSessionOption(app_commands.Transformer):
    """One of the caller's sessions as a mentor, in a server; subclasses choose what to offer."""

    async def transform(self, interaction: discord.Interaction, value: str) -> SessionView:
        """Resolve the chosen session, or refuse privately."""
        _guild_id(interaction)
        return await session_of_mentor(bot_of(interaction).db, interaction.user.id, value)


class UpcomingSessionOption(MentorSessionOption):
    """One of the caller's scheduled sessions still to come."""

    async def autocomplete(  # type: ignore[override]
        self, interaction: discord.Interaction, value: str
    ) -> list[app_commands.Choice[str]]:
        """Offer the caller's next sessions, matching a student's name."""
        if interaction.guild_id is None:
            return []
        bot = bot_of(interaction)
        views = await session_store.sessions_of_mentor(
            bot.db,
            interaction.guild_id,
            interaction.user.id,
            after=bot.clock.now(),
            statuses=[SessionStatus.SCHEDULED],
            limit=100,
        )
        return session_choices(
            views,
            value,
            await caller_zone(interaction),
            locale=interaction.locale,
            now=bot.clock.now(),
        )


class UnrecordedSessionOption(MentorSessionOption):
    """One of the caller's recent sessions whose outcome is not recorded yet."""

    async def autocomplete(  # type: ignore[override]
        self, interaction: discord.Interaction, value: str
    ) -> list[app_commands.Choice[str]]:
        """Offer the caller's started sessions that still need an outcome."""
        if interaction.guild_id is None:
            return []
        bot = bot_of(interaction)
        now = bot.clock.now()
        views = await session_store.unrecorded_sessions(
            bot.db,
            interaction.user.id,
            ended_before=now + timedelta(days=1),
            since=now - RECENT,
            guild_id=interaction.guild_id,
            limit=100,
        )
        started = [view for view in views if view.session.starts_at <= now]
        return session_choices(
            started, value, await caller_zone(interaction), locale=interaction.locale, now=now
        )


class RecordableSessionOption(MentorSessionOption):
    """One of the caller's sessions that has started: to record, or to correct its outcome."""

    async def autocomplete(  # type: ignore[override]
        self, interaction: discord.Interaction, value: str
    ) -> list[app_commands.Choice[str]]:
        """Offer the caller's started sessions of the last weeks, unrecorded ones first."""
        if interaction.guild_id is None:
            return []
        bot = bot_of(interaction)
        now = bot.clock.now()
        views = await session_store.sessions_of_mentor(
            bot.db,
            interaction.guild_id,
            interaction.user.id,
            after=now - RECENT,
            before=now,
            statuses=[SessionStatus.SCHEDULED, *OUTCOMES],
            newest_first=True,
            limit=100,
        )
        views.sort(key=lambda v: v.session.status != SessionStatus.SCHEDULED)
        zone = await caller_zone(interaction)
        choices = []
        for view in views:
            when = when_label(view.session.starts_at, zone, interaction.locale, now)
            label = f"{when} · {view.student_name}"
            if view.session.status != SessionStatus.SCHEDULED:
                label += " · " + tr(f"outcome.{view.session.status}", interaction.locale)
            if label_matches(label, value):
                choices.append(app_commands.Choice(name=label[:100], value=str(view.session.id)))
        return choices[:25]


class StudentSessionOption(app_commands.Transformer):
    """One of the caller's own sessions as a student, still to come (in a server or in DMs)."""

    async def transform(self, interaction: discord.Interaction, value: str) -> SessionView:
        """Resolve the chosen session, or refuse privately."""
        return await session_of_student(bot_of(interaction).db, interaction.user.id, value)

    async def autocomplete(  # type: ignore[override]
        self, interaction: discord.Interaction, value: str
    ) -> list[app_commands.Choice[str]]:
        """Offer the caller's next sessions as a student, with their mentor's name."""
        bot = bot_of(interaction)
        views = await session_store.sessions_of_student(
            bot.db,
            interaction.user.id,
            guild_id=interaction.guild_id,
            after=bot.clock.now(),
            statuses=[SessionStatus.SCHEDULED],
            limit=25,
        )
        zone = await caller_zone(interaction)
        now = bot.clock.now()
        choices = []
        for view in views:
            other = view.mentor_name or view.project
            label = f"{when_label(view.session.starts_at, zone, interaction.locale, now)} · {other}"
            if label_matches(label, value):
                choices.append(app_commands.Choice(name=label[:100], value=str(view.session.id)))
        return choices


async def caller_zone(interaction: discord.Interaction) -> str:
    """Return the zone the caller reads times in: theirs, else their server's, else the default."""
    bot = bot_of(interaction)
    return await zone_for(bot.db, interaction.user.id, interaction.guild_id)


def session_choices(
    views: list[SessionView],
    typed: str,
    zone: str,
    *,
    locale: Locale = None,
    now: datetime | None = None,
) -> list[app_commands.Choice[str]]:
    """Label sessions for autocomplete (local time and student), keeping those matching `typed`.

    With `now`, labels are in the reader's language and show the year when it is not this one.
    """
    choices = []
    for view in views:
        label = f"{_session_when(view, zone, locale, now)} · {view.student_name}"
        if label_matches(label, typed):
            choices.append(app_commands.Choice(name=label[:100], value=str(view.session.id)))
    return choices[:25]


def _session_when(view: SessionView, zone: str, locale: Locale, now: datetime | None) -> str:
    if now is None:
        return short_when(view.session.starts_at, zone)
    return when_label(view.session.starts_at, zone, locale, now)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def label_matches(label: str, typed: str) -> bool:
    """Tell whether every word typed is in the label: "Dec 4" matches "Fri 04 Dec 18:00".

    Numbers match by value ("4" is "04"), words by their start, accents and case aside.
    """
    words = re.findall(r"\w+", _fold(label))
    numbers = {int(w) for w in words if w.isdigit()}
    for token in re.findall(r"\w+", _fold(typed)):
        if token.isdigit():
            if int(token) not in numbers:
                return False
        elif not any(word.startswith(token) for word in words):
            return False
    return True


async def when_choices(
    interaction: discord.Interaction, typed: str
) -> list[app_commands.Choice[str]]:
    """Preview how a "when" text is read, in the caller's zone and language.

    The choice's value is the instant as a Discord timestamp, so what was previewed is what
    is scheduled; a text that cannot be read yet gets a hint and keeps its own value.
    """
    text = typed.strip()
    if not text:
        return []
    bot = bot_of(interaction)
    now = bot.clock.now()
    zone = await caller_zone(interaction)
    locale = interaction.locale
    try:
        instant = parse_when(text, ZoneInfo(zone), now)
    except WhenError as error:
        hint = tr(f"dates.when_hint_{error.reason.value}", locale, text=clip(text, 40))
        return [app_commands.Choice(name=clip(hint, 100), value=text[:100])]
    label = when_label(instant, zone, locale, now)
    return [app_commands.Choice(name=clip(label, 100), value=f"<t:{int(instant.timestamp())}>")]


def zone_choices(typed: str) -> list[app_commands.Choice[str]]:
    """Offer the time zones that match what is typed."""
    return [app_commands.Choice(name=name, value=name) for name in search_zones(typed)]


StudentArg = app_commands.Transform[Mentorship, StudentOption]
UpcomingSessionArg = app_commands.Transform[SessionView, UpcomingSessionOption]
UnrecordedSessionArg = app_commands.Transform[SessionView, UnrecordedSessionOption]
StudentSessionArg = app_commands.Transform[SessionView, StudentSessionOption]
RecordableSessionArg = app_commands.Transform[SessionView, RecordableSessionOption]


def language_choices() -> list[app_commands.Choice[str]]:
    """Offer the catalogue's languages, each by its own name ("English", "Français")."""
    return [
        app_commands.Choice(name=language_name(language), value=language)
        for language in known_languages()
    ]
