"""The one form that records a session: the outcome as a radio group, and two short notes.

Opened from the record nudge and from `/session record`; a public home shared by both.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import discord

from bot.app import bot_of
from bot.errors import BaseModal
from bot.services import outcomes as service
from bot.services.people import zone_for
from bot.storage.sessions import Session, SessionView
from bot.textfit import clip
from bot.texts import Locale, tr
from bot.timefmt import discord_stamp
from bot.vocabulary import OUTCOMES, SessionStatus

log = logging.getLogger(__name__)

LABEL_MAX = 45

FollowUp = Callable[[Session, Locale], discord.ui.View | None]
"""What to offer once a session is recorded (the notes button), given by the opener."""

OPTION_MAX = 100


def outcome_options(locale: Locale, chosen: str | None) -> list[discord.RadioGroupOption]:
    """The four outcomes, the chosen one (else "held") ticked."""
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


class RecordModal(BaseModal):
    """How did the session go, what did you work on, what comes next."""

    def __init__(
        self,
        view: SessionView,
        locale: Locale,
        note_title: str,
        follow_up: FollowUp | None = None,
    ) -> None:
        super().__init__(title=clip(tr("record.title", locale, name=view.student_name), LABEL_MAX))
        self.session = view
        self.note_title = note_title
        self.follow_up = follow_up
        self.outcome: discord.ui.RadioGroup[Any] = discord.ui.RadioGroup(
            custom_id="outcome", options=outcome_options(locale, None), required=True
        )
        self.add_item(
            discord.ui.Label(
                text=clip(tr("record.outcome", locale), LABEL_MAX), component=self.outcome
            )
        )
        self.worked_on: discord.ui.TextInput[RecordModal] = discord.ui.TextInput(
            label=clip(tr("record.worked_on", locale), LABEL_MAX),
            placeholder=clip(tr("record.worked_on_hint", locale), OPTION_MAX),
            required=False,
            max_length=service.SHORT_MAX,
            custom_id="worked_on",
        )
        self.next_steps: discord.ui.TextInput[RecordModal] = discord.ui.TextInput(
            label=clip(tr("record.next_steps", locale), LABEL_MAX),
            placeholder=clip(tr("record.next_steps_hint", locale), OPTION_MAX),
            required=False,
            max_length=service.SHORT_MAX,
            custom_id="next_steps",
        )
        self.add_item(self.worked_on)
        self.add_item(self.next_steps)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Store outcome and notes together, then say what was recorded."""
        bot = bot_of(interaction)
        locale = interaction.locale
        recorded = await service.record_with_notes(
            bot.db,
            bot.clock.now(),
            self.session,
            interaction.user.id,
            self.outcome.value or "",
            worked_on=self.worked_on.value,
            next_steps=self.next_steps.value,
            note_title=self.note_title,
            labels=(tr("record.worked_on_short", locale), tr("record.next_steps_short", locale)),
        )
        text = tr(
            "sessions.recorded",
            locale,
            name=self.session.student_name,
            when=discord_stamp(recorded.session.starts_at, "D"),
            outcome=tr(f"outcome.{recorded.session.status}", locale),
        )
        if recorded.note is not None:
            text += "\n" + tr("record.note_saved", locale)
        follow_up = self.follow_up(recorded.session, locale) if self.follow_up else None
        if follow_up is None:
            await interaction.response.send_message(text, ephemeral=True)
        else:
            await interaction.response.send_message(text, view=follow_up, ephemeral=True)


async def note_title_for(interaction: discord.Interaction, view: SessionView) -> str:
    """Return the title a session's note gets: the student and the session's local date."""
    bot = bot_of(interaction)
    zone = await zone_for(bot.db, interaction.user.id, view.guild_id)
    local = view.session.starts_at.astimezone(ZoneInfo(zone))
    return tr(
        "notes.session_title", interaction.locale, name=view.student_name, date=f"{local:%d %b %Y}"
    )
