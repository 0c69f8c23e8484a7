"""Reminders as people see them: the messages, their buttons, and `/reminders`."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MentorCoach, bot_of
from bot.delivery import DmClosed, send_dm
from bot.errors import BaseModal, report_error
from bot.refusal import Refusal
from bot.reminders.dispatcher import Outgoing
from bot.reminders.planning import (
    DIGEST,
    MENTOR_REVIEW,
    PRESENTATION,
    RECORD_NUDGE,
    STUDENT_REMINDER,
    ReminderPrefs,
    format_leads,
    parse_leads,
    presentation_slot,
)
from bot.services import reminders as planning_service
from bot.services import sessions as session_service
from bot.services.coaching import prep_of_session
from bot.services.digests import build_digest
from bot.services.people import zone_of
from bot.storage import coaching as coaching_store
from bot.storage import mentorships as mentorship_store
from bot.storage import notes as note_store
from bot.storage import reminders as store
from bot.storage import sessions as session_store
from bot.storage.reminders import Reminder
from bot.storage.sessions import SessionView
from bot.texts import cmd, tr
from bot.timefmt import discord_stamp
from cogs.coaching._views import plan_text, prep_embed, prep_view

log = logging.getLogger(__name__)

COLOUR = discord.Colour.gold()
SNOOZES = (60, 180)
OUTCOMES = ("held", "cancelled_early", "cancelled_late", "no_show")
REASON_MAX = 300
LIST_WINDOW = timedelta(days=14)


async def _session_for(interaction: discord.Interaction, session_id: int) -> SessionView:
    view = await session_store.get_session_view(bot_of(interaction).db, session_id)
    if view is None:
        raise Refusal("sessions.unknown")
    return view


# -- buttons on reminder messages (persistent: they work after a restart) -----------------


def _button(custom_id: str, label: str, style: discord.ButtonStyle) -> discord.ui.Button[Any]:
    return discord.ui.Button(label=label[:80], style=style, custom_id=custom_id)


class ConfirmButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"rem:confirm:(?P<session_id>[0-9]+)",
):
    """The student confirms they will come."""

    def __init__(self, session_id: int, label: str | None = None) -> None:
        super().__init__(
            _button(
                f"rem:confirm:{session_id}",
                label or tr("reminders.confirm_button"),
                discord.ButtonStyle.success,
            )
        )
        self.session_id = session_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ConfirmButton:
        """Rebuild the button from its custom id."""
        return cls(int(match["session_id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        """Record the confirmation and say so on the reminder."""
        try:
            bot = bot_of(interaction)
            view = await _session_for(interaction, self.session_id)
            if view.student_id != interaction.user.id:
                raise Refusal("reminders.not_for_you")
            await session_service.respond(bot.db, bot.clock.now(), view, "confirmed", None)
            await interaction.response.edit_message(
                content=tr("reminders.confirmed", interaction.locale), view=None
            )
        except Exception as error:
            await report_error(interaction, error)


class DeclineButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"rem:decline:(?P<session_id>[0-9]+)",
):
    """The student can't make it: ask why, tell the mentor."""

    def __init__(self, session_id: int, label: str | None = None) -> None:
        super().__init__(
            _button(
                f"rem:decline:{session_id}",
                label or tr("reminders.decline_button"),
                discord.ButtonStyle.secondary,
            )
        )
        self.session_id = session_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> DeclineButton:
        """Rebuild the button from its custom id."""
        return cls(int(match["session_id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        """Open the reason form."""
        try:
            view = await _session_for(interaction, self.session_id)
            if view.student_id != interaction.user.id:
                raise Refusal("reminders.not_for_you")
            await interaction.response.send_modal(DeclineModal(view, interaction.locale))
        except Exception as error:
            await report_error(interaction, error)


class DeclineModal(BaseModal):
    """Why the student can't come (optional)."""

    def __init__(self, view: SessionView, locale: discord.Locale) -> None:
        super().__init__(title=tr("reminders.decline_title", locale)[:45])
        self.session = view
        self.reason: discord.ui.TextInput[DeclineModal] = discord.ui.TextInput(
            label=tr("reminders.decline_reason", locale)[:45],
            style=discord.TextStyle.paragraph,
            required=False,
            max_length=REASON_MAX,
            custom_id="reason",
        )
        self.add_item(self.reason)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Record the answer, tell the mentor (with a reschedule button), thank the student."""
        bot = bot_of(interaction)
        reason = self.reason.value.strip() or None
        await session_service.respond(bot.db, bot.clock.now(), self.session, "declined", reason)
        await interaction.response.send_message(
            tr("reminders.declined", interaction.locale), ephemeral=True
        )
        await tell_mentor_declined(bot, self.session, interaction.user, reason)


async def tell_mentor_declined(
    bot: MentorCoach, view: SessionView, student: discord.abc.User, reason: str | None
) -> None:
    """DM the mentor that the student can't come, with a button to reschedule."""
    locale = None
    text = tr(
        "reminders.mentor_declined",
        locale,
        name=view.student_name,
        when=discord_stamp(view.session.starts_at, "F"),
        reason=discord.utils.escape_markdown(reason) if reason else tr("reminders.no_reason"),
    )
    buttons = discord.ui.View(timeout=None)
    buttons.add_item(RescheduleButton(view.session.id, tr("reminders.reschedule_button")))
    try:
        await send_dm(bot, view.mentor_id, content=text, view=buttons)
    except (DmClosed, discord.HTTPException):
        log.warning("Could not tell mentor %s that a student declined", view.mentor_id)


class RescheduleButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"rem:resched:(?P<session_id>[0-9]+)",
):
    """The mentor moves a session the student can't make."""

    def __init__(self, session_id: int, label: str | None = None) -> None:
        super().__init__(
            _button(
                f"rem:resched:{session_id}",
                label or tr("reminders.reschedule_button"),
                discord.ButtonStyle.primary,
            )
        )
        self.session_id = session_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> RescheduleButton:
        """Rebuild the button from its custom id."""
        return cls(int(match["session_id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        """Open the 'new time' form."""
        try:
            view = await _session_for(interaction, self.session_id)
            if view.mentor_id != interaction.user.id:
                raise Refusal("reminders.not_for_you")
            await interaction.response.send_modal(RescheduleModal(view, interaction.locale))
        except Exception as error:
            await report_error(interaction, error)


class RescheduleModal(BaseModal):
    """Ask the mentor for the new time."""

    def __init__(self, view: SessionView, locale: discord.Locale) -> None:
        super().__init__(title=tr("reminders.reschedule_title", locale)[:45])
        self.session = view
        self.when: discord.ui.TextInput[RescheduleModal] = discord.ui.TextInput(
            label=tr("reminders.reschedule_when", locale)[:45],
            placeholder=tr("reminders.reschedule_placeholder", locale)[:100],
            max_length=100,
            custom_id="when",
        )
        self.add_item(self.when)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Move the session and confirm."""
        bot = bot_of(interaction)
        zone = await zone_of(bot.db, interaction.user.id, self.session.guild_id)
        if zone is None:
            raise Refusal("sessions.no_zone")
        moved = await session_service.reschedule(
            bot.db, bot.clock.now(), self.session, when_text=self.when.value, zone=zone
        )
        await interaction.response.send_message(
            tr(
                "sessions.rescheduled",
                interaction.locale,
                name=self.session.student_name,
                old=discord_stamp(self.session.session.starts_at, "F"),
                when=discord_stamp(moved.starts_at, "F"),
                relative=discord_stamp(moved.starts_at, "R"),
            ),
            ephemeral=True,
        )


class RecordButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"rem:record:(?P<session_id>[0-9]+):(?P<status>[a-z_]+)",
):
    """One of the four outcomes, straight from the record-the-session nudge."""

    def __init__(self, session_id: int, status: str, label: str | None = None) -> None:
        style = discord.ButtonStyle.primary if status == "held" else discord.ButtonStyle.secondary
        super().__init__(_button(f"rem:record:{session_id}:{status}", label or status, style))
        self.session_id = session_id
        self.status = status

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> RecordButton:
        """Rebuild the button from its custom id."""
        return cls(int(match["session_id"]), match["status"])

    async def callback(self, interaction: discord.Interaction) -> None:
        """Record the outcome and update the nudge."""
        try:
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
        except Exception as error:
            await report_error(interaction, error)


class SnoozeButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
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

    async def callback(self, interaction: discord.Interaction) -> None:
        """Put the reminder back in the queue and say until when."""
        try:
            bot = bot_of(interaction)
            if self.minutes not in SNOOZES:
                raise Refusal("reminders.not_for_you")
            until = bot.clock.now() + timedelta(minutes=self.minutes)
            async with bot.db.transaction() as tx:
                done = await store.snooze(tx, self.reminder_id, interaction.user.id, until)
            if not done:
                raise Refusal("reminders.not_for_you")
            bot.reminders.wake()
            await interaction.response.edit_message(
                content=tr("reminders.snoozed", interaction.locale, when=discord_stamp(until, "t")),
                view=None,
            )
        except Exception as error:
            await report_error(interaction, error)


class PrepButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"rem:prep:(?P<session_id>[0-9]+)",
):
    """Open the session's prep checklist from the review nudge."""

    def __init__(self, session_id: int, label: str | None = None) -> None:
        super().__init__(
            _button(
                f"rem:prep:{session_id}",
                label or tr("reminders.prep_button"),
                discord.ButtonStyle.primary,
            )
        )
        self.session_id = session_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> PrepButton:
        """Rebuild the button from its custom id."""
        return cls(int(match["session_id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        """Show the checklist, privately, with its ticking selects."""
        try:
            bot = bot_of(interaction)
            prep = await prep_of_session(bot.db, interaction.user.id, self.session_id)
            await interaction.response.send_message(
                embed=prep_embed(prep, interaction.locale),
                view=prep_view(prep, interaction.locale),
                ephemeral=True,
            )
        except Exception as error:
            await report_error(interaction, error)


PERSISTENT_ITEMS = (
    PrepButton,
    ConfirmButton,
    DeclineButton,
    RescheduleButton,
    RecordButton,
    SnoozeButton,
)


# -- what each reminder says --------------------------------------------------------------


class ReminderMessages:
    """Build each reminder's message from the current state of its session."""

    def __init__(self, bot: MentorCoach) -> None:
        self.bot = bot

    async def render(self, reminder: Reminder, *, late: bool) -> Outgoing | None:
        """Return the message for a reminder, or None when its session no longer needs it."""
        if reminder.kind == DIGEST:
            return await self._digest(reminder, late)
        if reminder.kind == PRESENTATION:
            return await self._presentation(reminder, late)
        if reminder.session_id is None:
            return None
        view = await session_store.get_session_view(self.bot.db, reminder.session_id)
        if view is None or view.session.status != "scheduled":
            return None
        if reminder.kind == STUDENT_REMINDER:
            return self._student(view, late)
        if reminder.kind == MENTOR_REVIEW:
            return await self._review(reminder, view, late)
        if reminder.kind == RECORD_NUDGE:
            return self._record(view, late)
        return None

    def _late_line(self, late: bool) -> str:
        return f"\n\n*{tr('reminders.late')}*" if late else ""

    def _student(self, view: SessionView, late: bool) -> Outgoing:
        session = view.session
        embed = discord.Embed(
            title=tr("reminders.student_title"),
            description=tr(
                "reminders.student_body",
                kind=tr(f"kind.{session.kind}"),
                mentor=f"<@{view.mentor_id}>",
                when=discord_stamp(session.starts_at, "F"),
                relative=discord_stamp(session.starts_at, "R"),
                minutes=session.duration_minutes,
            )
            + self._late_line(late),
            colour=COLOUR,
        )
        buttons = discord.ui.View(timeout=None)
        buttons.add_item(ConfirmButton(session.id, tr("reminders.confirm_button")))
        buttons.add_item(DeclineButton(session.id, tr("reminders.decline_button")))
        return Outgoing(embed=embed, view=buttons)

    async def _review(self, reminder: Reminder, view: SessionView, late: bool) -> Outgoing:
        session = view.session
        titles = await note_store.latest_titles(self.bot.db, view.mentorship_id, view.mentor_id)
        embed = discord.Embed(
            title=tr("reminders.review_title", name=view.student_name),
            description=tr(
                "reminders.review_body",
                when=discord_stamp(session.starts_at, "F"),
                relative=discord_stamp(session.starts_at, "R"),
                project=view.project,
            )
            + self._late_line(late),
            colour=COLOUR,
        )
        if titles:
            embed.add_field(
                name=tr("students.latest_notes"),
                value="\n".join(f"• {discord.utils.escape_markdown(t.title)}" for t in titles),
                inline=False,
            )
        buttons = discord.ui.View(timeout=None)
        buttons.add_item(PrepButton(session.id, tr("reminders.prep_button")))
        for minutes in SNOOZES:
            label = tr("reminders.snooze_button", hours=minutes // 60)
            buttons.add_item(SnoozeButton(reminder.id, minutes, label))
        return Outgoing(embed=embed, view=buttons)

    def _record(self, view: SessionView, late: bool) -> Outgoing:
        session = view.session
        embed = discord.Embed(
            title=tr("reminders.record_title"),
            description=tr(
                "reminders.record_body",
                name=view.student_name,
                when=discord_stamp(session.starts_at, "F"),
            )
            + self._late_line(late),
            colour=COLOUR,
        )
        buttons = discord.ui.View(timeout=None)
        for status in OUTCOMES:
            buttons.add_item(RecordButton(session.id, status, tr(f"reminders.record_{status}")))
        return Outgoing(embed=embed, view=buttons)

    async def _digest(self, reminder: Reminder, late: bool) -> Outgoing:
        digest = await build_digest(
            self.bot.db, reminder.guild_id, reminder.recipient_id, self.bot.clock.now()
        )
        embed = discord.Embed(title=tr("digest.title"), colour=COLOUR)
        sections = (
            ("digest.this_week", [_digest_line(v) for v in digest.this_week]),
            ("digest.unrecorded", [_digest_line(v) for v in digest.unrecorded]),
            ("digest.left_alone", [f"• {m.student_name} · {m.project}" for m in digest.left_alone]),
            (
                "digest.presentations",
                [
                    f"• {m.student_name} · {discord_stamp(plan.request_by, 'D')}"
                    for m, plan in digest.presentations
                ],
            ),
        )
        for key, lines in sections:
            embed.add_field(
                name=tr(key, count=len(lines)),
                value=("\n".join(lines) or tr("digest.none"))[:1024],
                inline=False,
            )
        embed.description = tr("digest.intro") + self._late_line(late)
        return Outgoing(embed=embed)

    async def _presentation(self, reminder: Reminder, late: bool) -> Outgoing | None:
        found = presentation_slot(reminder.slot)
        if found is None:
            return None
        mentorship_id, step = found
        mentorship = await mentorship_store.get_mentorship(self.bot.db, mentorship_id)
        plan = await coaching_store.open_plan(self.bot.db, mentorship_id)
        if mentorship is None or not mentorship.active or plan is None:
            return None
        embed = discord.Embed(
            title=tr(f"reminders.presentation_{step}_title", name=mentorship.student_name),
            description=tr(f"reminders.presentation_{step}_body", name=mentorship.student_name)
            + self._late_line(late),
            colour=COLOUR,
        )
        embed.add_field(name=tr("reminders.presentation_plan"), value=plan_text(plan, None))
        return Outgoing(embed=embed)

    async def undeliverable(self, reminder: Reminder) -> tuple[int, Outgoing] | None:
        """Tell the mentor when a student's reminder reached neither DMs nor the server."""
        if reminder.kind != STUDENT_REMINDER or reminder.session_id is None:
            return None
        view = await session_store.get_session_view(self.bot.db, reminder.session_id)
        if view is None:
            return None
        text = tr(
            "reminders.undeliverable",
            name=view.student_name,
            when=discord_stamp(view.session.starts_at, "F"),
        )
        return view.mentor_id, Outgoing(content=text)


def _digest_line(view: SessionView) -> str:
    return f"• {discord_stamp(view.session.starts_at, 'f')} · {view.student_name}"


# -- /reminders -----------------------------------------------------------------------------


VIA_CHOICES = [
    app_commands.Choice(name=cmd("reminders.via_dm"), value="dm"),
    app_commands.Choice(name=cmd("reminders.via_channel"), value="channel"),
]


class RemindersCog(commands.Cog):
    """Let people see their reminders and choose how they get them."""

    reminders = app_commands.Group(
        name="reminders", description=cmd("reminders.group"), extras={"audience": "everyone"}
    )

    def __init__(self, bot: MentorCoach) -> None:
        self.bot = bot

    @reminders.command(name="list", description=cmd("reminders.list"))
    async def list_reminders(self, interaction: discord.Interaction) -> None:
        """Show your pending reminders and the ones that went wrong."""
        locale = interaction.locale
        now = self.bot.clock.now()
        db = self.bot.db
        pending = await store.reminders_of(db, interaction.user.id, ["pending", "sending"], now)
        trouble = await store.reminders_of(
            db, interaction.user.id, ["failed", "missed"], now - LIST_WINDOW
        )
        late = [
            r
            for r in await store.reminders_of(db, interaction.user.id, ["sent"], now - LIST_WINDOW)
            if r.late
        ]
        embed = discord.Embed(title=tr("reminders.list_title", locale), colour=COLOUR)
        for title_key, items in (
            ("reminders.pending", pending),
            ("reminders.trouble", trouble),
            ("reminders.sent_late", late),
        ):
            lines = [reminder_line(r, locale) for r in items[:15]]
            if lines:
                embed.add_field(
                    name=tr(title_key, locale), value="\n".join(lines)[:1024], inline=False
                )
        if not embed.fields:
            embed.description = tr("reminders.nothing", locale)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @reminders.command(name="settings", description=cmd("reminders.settings"))
    @app_commands.describe(
        student_leads=cmd("reminders.opt_student_leads"),
        review_lead=cmd("reminders.opt_review_lead"),
        via=cmd("reminders.opt_via"),
        paused=cmd("reminders.opt_paused"),
    )
    @app_commands.choices(via=VIA_CHOICES)
    async def settings(
        self,
        interaction: discord.Interaction,
        student_leads: app_commands.Range[str, 1, 40] | None = None,
        review_lead: app_commands.Range[int, 1, 168] | None = None,
        via: app_commands.Choice[str] | None = None,
        paused: bool | None = None,
    ) -> None:
        """See or change how and when you get reminders."""
        db = self.bot.db
        current = await store.get_prefs(db, interaction.user.id)
        leads = current.student_leads
        if student_leads is not None:
            try:
                leads = parse_leads(student_leads)
            except ValueError as error:
                raise Refusal("reminders.bad_leads", text=student_leads) from error
        wanted = ReminderPrefs(
            student_leads=leads,
            review_lead=timedelta(hours=review_lead) if review_lead else current.review_lead,
            via=via.value if via else current.via,
            paused=current.paused if paused is None else paused,
        )
        if wanted != current:
            await planning_service.change_prefs(
                db, interaction.user.id, wanted, self.bot.clock.now()
            )
            self.bot.reminders.wake()
        await interaction.response.send_message(
            tr(
                "reminders.settings_now",
                interaction.locale,
                leads=format_leads(wanted.student_leads),
                review=int(wanted.review_lead.total_seconds() // 3600),
                via=tr(f"reminders.via_{wanted.via}", interaction.locale),
                paused=tr(
                    "reminders.paused_yes" if wanted.paused else "reminders.paused_no",
                    interaction.locale,
                ),
            ),
            ephemeral=True,
        )


def reminder_line(reminder: Reminder, locale: discord.Locale) -> str:
    """Describe one reminder for `/reminders list`."""
    kind = tr(f"reminders.kind_{reminder.kind}", locale)
    text = f"{discord_stamp(reminder.due_at, 'f')} · {kind}"
    if reminder.status in ("failed", "missed"):
        text += f" · **{tr(f'reminders.status_{reminder.status}', locale)}**"
    return text


async def setup(bot: MentorCoach) -> None:
    """Add the cog, its persistent buttons, and the reminder renderer."""
    bot.add_dynamic_items(*PERSISTENT_ITEMS)
    bot.reminders.renderer = ReminderMessages(bot)
    await bot.add_cog(RemindersCog(bot))
