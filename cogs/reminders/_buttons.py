"""The buttons and forms on reminder messages: persistent, so they work after a restart."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import discord

from bot.app import MentorCoach, bot_of
from bot.checkin_ui import PrepareModal
from bot.delivery import DmClosed, send_dm
from bot.prep_ui import prep_embed, prep_view
from bot.record_ui import RecordModal
from bot.refusal import Refusal
from bot.services import reminders as reminder_service
from bot.services import sessions as session_service
from bot.services.checkins import checkin_for
from bot.services.coaching import prep_of_session
from bot.services.people import reader_locale, zone_for
from bot.storage.sessions import SessionView
from bot.texts import tr
from bot.timefmt import discord_stamp
from bot.ui import PersistentButton, PersistentModal, RestartSafeItem, answer, without_rows
from bot.vocabulary import OUTCOMES, SessionStatus

log = logging.getLogger(__name__)

COLOUR = discord.Colour.gold()
SNOOZES = (60, 180)
REASON_MAX = 300


async def _session_for(interaction: discord.Interaction, session_id: int) -> SessionView:
    view = await session_service.session_view_of(bot_of(interaction).db, session_id)
    if view is None:
        raise Refusal("sessions.unknown")
    return view


# -- buttons on reminder messages (persistent: they work after a restart) -----------------


def _button(custom_id: str, label: str, style: discord.ButtonStyle) -> discord.ui.Button[Any]:
    return discord.ui.Button(label=label[:80], style=style, custom_id=custom_id)


class ConfirmButton(PersistentButton, template=r"rem:confirm:(?P<id>[0-9]+)"):
    """The student confirms they will come."""

    PREFIX = "rem:confirm"
    STYLE = discord.ButtonStyle.success
    LABEL_KEY = "reminders.confirm_button"

    async def act(self, interaction: discord.Interaction) -> None:
        """Record the confirmation and say so on the reminder."""
        bot = bot_of(interaction)
        view = await _session_for(interaction, self.target_id)
        if view.student_id != interaction.user.id:
            raise Refusal("reminders.not_for_you")
        await session_service.respond(bot.db, bot.clock.now(), view, "confirmed", None)
        await interaction.response.edit_message(
            content=tr("reminders.confirmed", interaction.locale), view=None
        )


class DeclineButton(PersistentButton, template=r"rem:decline:(?P<id>[0-9]+)"):
    """The student can't make it: ask why, tell the mentor."""

    PREFIX = "rem:decline"
    LABEL_KEY = "reminders.decline_button"

    async def act(self, interaction: discord.Interaction) -> None:
        """Open the reason form."""
        view = await _session_for(interaction, self.target_id)
        if view.student_id != interaction.user.id:
            raise Refusal("reminders.not_for_you")
        session_service.check_answerable(view, bot_of(interaction).clock.now())
        await interaction.response.send_modal(DeclineModal(view, interaction.locale))


class DeclineModal(PersistentModal):
    """Why the student can't come (optional); its custom id carries the session."""

    PREFIX = "form:decline"

    def __init__(self, view: SessionView, locale: discord.Locale) -> None:
        super().__init__(tr("reminders.decline_title", locale), view.session.id)
        self.add_item(
            discord.ui.TextInput(
                label=tr("reminders.decline_reason", locale)[:45],
                style=discord.TextStyle.paragraph,
                required=False,
                max_length=REASON_MAX,
                custom_id="reason",
            )
        )

    @classmethod
    async def submitted(
        cls, interaction: discord.Interaction, parts: tuple[str, ...], values: Mapping[str, str]
    ) -> None:
        """Record the answer, tell the mentor (with a reschedule button), thank the student."""
        bot = bot_of(interaction)
        session = await _session_for(interaction, int(parts[0]))
        if session.student_id != interaction.user.id:
            raise Refusal("reminders.not_for_you")
        reason = values.get("reason", "").strip() or None
        already = (session.session.student_response, session.session.student_reason)
        if already != ("declined", reason):  # the same answer again tells the mentor once
            await session_service.respond(bot.db, bot.clock.now(), session, "declined", reason)
        await answer(interaction, tr("reminders.declined", interaction.locale))
        if already != ("declined", reason):
            await tell_mentor_declined(bot, session, interaction.user, reason)


async def tell_mentor_declined(
    bot: MentorCoach, view: SessionView, student: discord.abc.User, reason: str | None
) -> None:
    """DM the mentor that the student can't come, with a button to reschedule."""
    locale = await reader_locale(bot.db, view.mentor_id, view.guild_id)
    text = tr(
        "reminders.mentor_declined",
        locale,
        name=view.student_name,
        when=discord_stamp(view.session.starts_at, "F"),
        reason=discord.utils.escape_markdown(reason)
        if reason
        else tr("reminders.no_reason", locale),
    )
    buttons = discord.ui.View(timeout=None)
    buttons.add_item(RescheduleButton(view.session.id, tr("reminders.reschedule_button", locale)))
    try:
        await send_dm(bot, view.mentor_id, content=text, view=buttons)
    except (DmClosed, discord.HTTPException):
        log.warning("Could not tell mentor %s that a student declined", view.mentor_id)


class RescheduleButton(PersistentButton, template=r"rem:resched:(?P<id>[0-9]+)"):
    """The mentor moves a session the student can't make."""

    PREFIX = "rem:resched"
    STYLE = discord.ButtonStyle.primary
    LABEL_KEY = "reminders.reschedule_button"

    async def act(self, interaction: discord.Interaction) -> None:
        """Open the 'new time' form."""
        view = await _session_for(interaction, self.target_id)
        if view.mentor_id != interaction.user.id:
            raise Refusal("reminders.not_for_you")
        await interaction.response.send_modal(RescheduleModal(view, interaction.locale))


class RescheduleModal(PersistentModal):
    """Ask the mentor for the new time; its custom id carries the session."""

    PREFIX = "form:reschedule"

    def __init__(self, view: SessionView, locale: discord.Locale) -> None:
        super().__init__(tr("reminders.reschedule_title", locale), view.session.id)
        self.add_item(
            discord.ui.TextInput(
                label=tr("reminders.reschedule_when", locale)[:45],
                placeholder=tr("reminders.reschedule_placeholder", locale)[:100],
                max_length=100,
                custom_id="when",
            )
        )

    @classmethod
    async def submitted(
        cls, interaction: discord.Interaction, parts: tuple[str, ...], values: Mapping[str, str]
    ) -> None:
        """Move the session and confirm."""
        bot = bot_of(interaction)
        session = await _session_for(interaction, int(parts[0]))
        if session.mentor_id != interaction.user.id:
            raise Refusal("reminders.not_for_you")
        zone = await zone_for(bot.db, interaction.user.id, session.guild_id)
        moved = await session_service.reschedule(
            bot.db, bot.clock.now(), session, when_text=values.get("when", ""), zone=zone
        )
        await answer(
            interaction,
            tr(
                "sessions.rescheduled",
                interaction.locale,
                name=session.student_name,
                old=discord_stamp(session.session.starts_at, "F"),
                when=discord_stamp(moved.starts_at, "F"),
                relative=discord_stamp(moved.starts_at, "R"),
            ),
        )


class RecordButton(
    RestartSafeItem[discord.ui.Button[discord.ui.View]],
    template=r"rem:record:(?P<session_id>[0-9]+):(?P<status>[a-z_]+)",
):
    """One of the four outcomes, straight from the record-the-session nudge."""

    def __init__(self, session_id: int, status: str, label: str | None = None) -> None:
        style = (
            discord.ButtonStyle.primary
            if status == SessionStatus.HELD
            else discord.ButtonStyle.secondary
        )
        super().__init__(_button(f"rem:record:{session_id}:{status}", label or status, style))
        self.session_id = session_id
        self.status = status

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> RecordButton:
        """Rebuild the button from its custom id."""
        return cls(int(match["session_id"]), match["status"])

    async def act(self, interaction: discord.Interaction) -> None:
        """Record the outcome and update the nudge."""
        bot = bot_of(interaction)
        if self.status not in OUTCOMES:
            raise Refusal("sessions.unknown")
        view = await _session_for(interaction, self.session_id)
        if view.mentor_id != interaction.user.id:
            raise Refusal("reminders.not_for_you")
        recorded = await session_service.record(bot.db, bot.clock.now(), view, self.status)
        text = tr(
            "sessions.recorded",
            interaction.locale,
            name=view.student_name,
            when=discord_stamp(recorded.starts_at, "D"),
            outcome=tr(f"outcome.{recorded.status}", interaction.locale),
        )
        await interaction.response.edit_message(content=text, embed=None, view=None)


class RecordFormButton(PersistentButton, template=r"rem:recform:(?P<id>[0-9]+)"):
    """Open the one form that records the session: outcome and short notes."""

    PREFIX = "rem:recform"
    STYLE = discord.ButtonStyle.primary
    LABEL_KEY = "record.button"

    async def act(self, interaction: discord.Interaction) -> None:
        """Open the record form (a recorded session says how to correct it)."""
        view = await _session_for(interaction, self.target_id)
        if view.mentor_id != interaction.user.id:
            raise Refusal("reminders.not_for_you")
        if view.session.status != SessionStatus.SCHEDULED:
            raise Refusal(
                "record.already"
                if view.session.status != SessionStatus.CANCELLED
                else "sessions.not_scheduled"
            )
        await interaction.response.send_modal(RecordModal(view, interaction.locale))


class SnoozeButton(
    RestartSafeItem[discord.ui.Button[discord.ui.View]],
    template=r"rem:snooze:(?P<reminder_id>[0-9]+):(?P<minutes>[0-9]+)",
):
    """Send this nudge again a little later."""

    def __init__(self, reminder_id: int, minutes: int, label: str | None = None) -> None:
        super().__init__(
            _button(
                f"rem:snooze:{reminder_id}:{minutes}",
                label or f"{minutes} min",
                discord.ButtonStyle.secondary,
            )
        )
        self.reminder_id = reminder_id
        self.minutes = minutes

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> SnoozeButton:
        """Rebuild the button from its custom id."""
        return cls(int(match["reminder_id"]), int(match["minutes"]))

    async def act(self, interaction: discord.Interaction) -> None:
        """Put the reminder back in the queue and say until when."""
        bot = bot_of(interaction)
        if self.minutes not in SNOOZES:
            raise Refusal("reminders.not_for_you")
        now = bot.clock.now()
        until = now + timedelta(minutes=self.minutes)
        reminder = await reminder_service.reminder_of(bot.db, self.reminder_id)
        if reminder is None or reminder.recipient_id != interaction.user.id:
            raise Refusal("reminders.not_for_you")
        if not await reminder_service.snooze(
            bot.db, self.reminder_id, interaction.user.id, until, now
        ):
            await _settle(interaction, tr("reminders.snooze_stale", interaction.locale))
            return
        bot.dispatcher.wake()
        await _settle(
            interaction,
            tr("reminders.snoozed", interaction.locale, when=discord_stamp(until, "t")),
        )


async def _settle(interaction: discord.Interaction, text: str) -> None:
    """Show `text` on the message clicked, without its row of buttons.

    A Components V2 message (the review nudge) keeps its layout and gets the text where the
    buttons were: its reference stays its last line.
    """
    message = interaction.message
    if message is not None and message.flags.components_v2:
        await interaction.response.edit_message(view=without_rows(message, text))
        return
    await interaction.response.edit_message(content=text, view=None)


class PrepButton(PersistentButton, template=r"rem:prep:(?P<id>[0-9]+)"):
    """Open the session's prep checklist from the review nudge."""

    PREFIX = "rem:prep"
    STYLE = discord.ButtonStyle.primary
    LABEL_KEY = "reminders.prep_button"

    async def act(self, interaction: discord.Interaction) -> None:
        """Show the checklist, privately, with its ticking selects."""
        bot = bot_of(interaction)
        prep = await prep_of_session(bot.db, interaction.user.id, self.target_id)
        await interaction.response.send_message(
            embed=prep_embed(prep, interaction.locale),
            view=prep_view(prep, interaction.locale),
            ephemeral=True,
        )


class PrepareButton(PersistentButton, template=r"rem:prepare:(?P<id>[0-9]+)"):
    """The student prepares the session: the check-in form."""

    PREFIX = "rem:prepare"
    STYLE = discord.ButtonStyle.primary
    LABEL_KEY = "checkin.button"

    async def act(self, interaction: discord.Interaction) -> None:
        """Open the check-in form, filled with what the student wrote before."""
        bot = bot_of(interaction)
        view = await _session_for(interaction, self.target_id)
        if view.student_id != interaction.user.id:
            raise Refusal("reminders.not_for_you")
        session_service.check_answerable(view, bot.clock.now())
        current = await checkin_for(bot.db, view.session.id)
        await interaction.response.send_modal(PrepareModal(view, interaction.locale, current))


PERSISTENT_ITEMS = (
    RecordFormButton,
    PrepareButton,
    PrepButton,
    ConfirmButton,
    DeclineButton,
    RescheduleButton,
    RecordButton,
    SnoozeButton,
)
