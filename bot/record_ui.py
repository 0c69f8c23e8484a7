"""The one form that records a session: the outcome as a radio group, and two short notes.

Opened from the record nudge and from `/session record`; a public home shared by both.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

import discord

from bot.app import bot_of
from bot.services import outcomes as service
from bot.services.people import zone_for
from bot.storage.sessions import Session, SessionView
from bot.textfit import clip
from bot.texts import Locale, tr
from bot.timefmt import discord_stamp
from bot.ui import PersistentModal, answer
from bot.vocabulary import OUTCOMES, SessionStatus

log = logging.getLogger(__name__)

LABEL_MAX = 45

FollowUp = Callable[[Session, Locale], discord.ui.View | None]
"""What to offer once a session is recorded (the notes button), given by the opener."""

OPTION_MAX = 100


def outcome_options(locale: Locale, chosen: str | None) -> list[discord.RadioGroupOption]:
    """Build the four outcome options, the chosen one (else "held") ticked."""
    picked = chosen if chosen in OUTCOMES else SessionStatus.HELD
    return [
        discord.RadioGroupOption(
            label=clip(tr(f"reminders.record_{status}", locale), OPTION_MAX),
            value=status,
            description=clip(tr(f"record.hint_{status}", locale), OPTION_MAX),
            default=status == picked,
        )
        for status in OUTCOMES
    ]


_follow_up: FollowUp | None = None


def offer_after_recording(follow_up: FollowUp | None) -> None:
    """Say what to offer once a session is recorded (the notes cog: its write-notes button)."""
    global _follow_up
    _follow_up = follow_up


def follow_up_view(session: Session, locale: Locale) -> discord.ui.View | None:
    """Return what to offer once `session` is recorded (None when nothing is offered)."""
    return _follow_up(session, locale) if _follow_up else None


class RecordModal(PersistentModal):
    """How did the session go, what did you work on, what comes next.

    Its custom id carries the session: a record typed before a restart is still saved.
    """

    PREFIX = "form:record"

    def __init__(self, view: SessionView, locale: Locale) -> None:
        super().__init__(tr("record.title", locale, name=view.student_name), view.session.id)
        outcome: discord.ui.RadioGroup[Any] = discord.ui.RadioGroup(
            custom_id="outcome", options=outcome_options(locale, None), required=True
        )
        self.add_item(
            discord.ui.Label(text=clip(tr("record.outcome", locale), LABEL_MAX), component=outcome)
        )
        for key in ("worked_on", "next_steps"):
            self.add_item(
                discord.ui.TextInput(
                    label=clip(tr(f"record.{key}", locale), LABEL_MAX),
                    placeholder=clip(tr(f"record.{key}_hint", locale), OPTION_MAX),
                    required=False,
                    max_length=service.SHORT_MAX,
                    custom_id=key,
                )
            )

    @classmethod
    async def submitted(
        cls, interaction: discord.Interaction, parts: tuple[str, ...], values: Mapping[str, str]
    ) -> None:
        """Store outcome and notes together, then say what was recorded."""
        bot = bot_of(interaction)
        locale = interaction.locale
        view = await service.session_to_record(bot.db, int(parts[0]))
        recorded = await service.record_with_notes(
            bot.db,
            bot.clock.now(),
            view,
            interaction.user.id,
            values.get("outcome", ""),
            worked_on=values.get("worked_on", ""),
            next_steps=values.get("next_steps", ""),
            note_title=await note_title_for(interaction, view),
            labels=(tr("record.worked_on_short", locale), tr("record.next_steps_short", locale)),
        )
        text = tr(
            "sessions.recorded",
            locale,
            name=view.student_name,
            when=discord_stamp(recorded.session.starts_at, "D"),
            outcome=tr(f"outcome.{recorded.session.status}", locale),
        )
        if recorded.note is not None:
            text += "\n" + tr("record.note_saved", locale)
        follow_up = follow_up_view(recorded.session, locale)
        if follow_up is None:
            await answer(interaction, text)
        else:
            await answer(interaction, text, view=follow_up)


async def note_title_for(interaction: discord.Interaction, view: SessionView) -> str:
    """Return the title a session's note gets: the student and the session's local date."""
    bot = bot_of(interaction)
    zone = await zone_for(bot.db, interaction.user.id, view.guild_id)
    local = view.session.starts_at.astimezone(ZoneInfo(zone))
    return tr(
        "notes.session_title", interaction.locale, name=view.student_name, date=f"{local:%d %b %Y}"
    )
