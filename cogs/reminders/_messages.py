"""What each reminder says: its embed and buttons, built from the session as it is now.

The review nudge and the weekly digest are Components V2 layouts (a section per session, its
action beside it); the other reminders are embeds with a row of buttons.

Rendering only: what a reminder needs is read by `services.reminder_context`, for a whole
chunk of due reminders at once (the dispatcher's `context_of`).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import discord

from bot.app import MentorCoach
from bot.checkin_ui import checkin_or_none, links_text, since_text
from bot.progress_ui import note_titles, plan_text
from bot.reminders.dispatcher import KindRenderer, Outgoing
from bot.reminders.planning import (
    DIGEST,
    MENTOR_REVIEW,
    PRESENTATION,
    RECORD_NUDGE,
    STUDENT_REMINDER,
    is_soon,
    presentation_slot,
)
from bot.services import reminder_context
from bot.services.digests import Digest, build_digest
from bot.services.reminder_context import ReminderContext
from bot.storage.checkins import Links
from bot.storage.reminders import Reminder
from bot.storage.sessions import SessionView
from bot.textfit import fit_lines
from bot.texts import Locale, tr
from bot.timefmt import discord_stamp
from bot.ui import (
    V2_ADDED_TEXT,
    V2_TEXT_MAX,
    fit_layout,
    mentor_mention,
)
from bot.vocabulary import SessionStatus
from cogs.reminders._buttons import (
    COLOUR,
    SNOOZES,
    ConfirmButton,
    DeclineButton,
    PrepareButton,
    PrepButton,
    RecordFormButton,
    SnoozeButton,
)

log = logging.getLogger(__name__)

GROUP_TEXT_MAX = 700
"""Characters of one digest group shown as plain lines (four fit with the rest in 4000)."""
DIGEST_SECTIONS = 8
"""Sessions shown as a section with a button (3 components each); the rest as plain lines."""

_Build = Callable[[Reminder, bool, Locale], Awaitable[Outgoing | None]]
_SessionBuild = Callable[
    [Reminder, SessionView, ReminderContext, bool, Locale], Awaitable[Outgoing | None]
]


# -- what each reminder says --------------------------------------------------------------


class ReminderMessages:
    """Build each reminder's message from the current state of its session."""

    def __init__(self, bot: MentorCoach) -> None:
        self.bot = bot

    def renderers(self) -> dict[str, KindRenderer]:
        """Return this cog's renderer of each kind (the registry's kinds, but the summary's)."""
        return {
            STUDENT_REMINDER: self._session_kind(self._student),
            MENTOR_REVIEW: self._session_kind(self._review),
            RECORD_NUDGE: self._session_kind(self._record),
            DIGEST: self._with_locale(self._digest),
            PRESENTATION: self._with_locale(self._presentation),
        }

    def _with_locale(self, build: _Build) -> KindRenderer:
        async def render(reminder: Reminder, late: bool) -> Outgoing | None:
            context = await self.bot.dispatcher.context_of(reminder)
            return await build(reminder, late, context.locale)

        return render

    def _session_kind(self, build: _SessionBuild) -> KindRenderer:
        async def render(reminder: Reminder, late: bool) -> Outgoing | None:
            if reminder.session_id is None:
                return None
            context = await self.bot.dispatcher.context_of(reminder)
            view = context.view
            if view is None or view.session.status != SessionStatus.SCHEDULED:
                return None
            return await build(reminder, view, context, late, context.locale)

        return render

    def _late_line(self, late: bool, locale: Locale) -> str:
        return f"\n\n*{tr('reminders.late', locale)}*" if late else ""

    async def _student(
        self,
        reminder: Reminder,
        view: SessionView,
        context: ReminderContext,
        late: bool,
        locale: Locale,
    ) -> Outgoing:
        session = view.session
        links = links_text(context.links or Links(None, None), locale)
        title = _title_key(reminder, "student")
        embed = discord.Embed(
            title=tr(title, locale),
            description=tr(
                "reminders.student_body",
                locale,
                kind=tr(f"kind.{session.kind}", locale),
                mentor=mentor_mention(view.mentor_id, locale),
                when=discord_stamp(session.starts_at, "F"),
                relative=discord_stamp(session.starts_at, "R"),
                minutes=session.duration_minutes,
            )
            + self._late_line(late, locale),
            colour=COLOUR,
        )
        if links:
            embed.add_field(name=tr("checkin.links_title", locale), value=links, inline=False)
        buttons = discord.ui.View(timeout=None)
        buttons.add_item(ConfirmButton(session.id, tr("reminders.confirm_button", locale)))
        buttons.add_item(DeclineButton(session.id, tr("reminders.decline_button", locale)))
        buttons.add_item(PrepareButton(session.id, tr("checkin.button", locale)))
        return Outgoing(embed=embed, view=buttons)

    async def _review(
        self,
        reminder: Reminder,
        view: SessionView,
        context: ReminderContext,
        late: bool,
        locale: Locale,
    ) -> Outgoing:
        session = view.session
        details = await reminder_context.review_details(self.bot.db, view)
        head = tr(_title_key(reminder, "review"), locale, name=view.student_name)
        body = tr(
            "reminders.review_body",
            locale,
            when=discord_stamp(session.starts_at, "F"),
            relative=discord_stamp(session.starts_at, "R"),
            project=view.project,
        )
        box = discord.ui.Container[discord.ui.LayoutView](accent_colour=COLOUR)
        box.add_item(
            discord.ui.Section(
                f"## {head}\n{body}{self._late_line(late, locale)}",
                accessory=PrepButton(session.id, tr("reminders.prep_button", locale)),
            )
        )
        box.add_item(discord.ui.Separator())
        blocks = [(tr("checkin.field_title", locale), checkin_or_none(details.checkin, locale))]
        links = links_text(context.links or Links(None, None), locale)
        if links:
            blocks.append((tr("checkin.links_title", locale), links))
        blocks.append((tr("checkin.since_title", locale), since_text(details.since, locale)))
        if details.titles:
            blocks.append((tr("students.latest_notes", locale), note_titles(details.titles)))
        if details.fit.outside:
            blocks.append(
                (
                    tr("expertise.outside_title", locale),
                    tr("expertise.outside", locale, project=view.project),
                )
            )
        for name, value in blocks:
            box.add_item(discord.ui.TextDisplay(f"### {name}\n{value}"))
        snoozes = discord.ui.ActionRow[discord.ui.LayoutView]()
        for minutes in SNOOZES:
            label = tr("reminders.snooze_button", locale, hours=minutes // 60)
            snoozes.add_item(SnoozeButton(reminder.id, minutes, label))
        box.add_item(snoozes)
        layout = discord.ui.LayoutView(timeout=None)
        layout.add_item(box)
        return Outgoing(view=fit_layout(layout, V2_TEXT_MAX - V2_ADDED_TEXT))

    async def _record(
        self,
        reminder: Reminder,
        view: SessionView,
        context: ReminderContext,
        late: bool,
        locale: Locale,
    ) -> Outgoing:
        session = view.session
        embed = discord.Embed(
            title=tr("reminders.record_title", locale),
            description=tr(
                "reminders.record_body",
                locale,
                name=view.student_name,
                when=discord_stamp(session.starts_at, "F"),
            )
            + self._late_line(late, locale),
            colour=COLOUR,
        )
        buttons = discord.ui.View(timeout=None)
        buttons.add_item(RecordFormButton(session.id, tr("record.button", locale)))
        return Outgoing(embed=embed, view=buttons)

    async def _digest(self, reminder: Reminder, late: bool, locale: Locale) -> Outgoing:
        digest = await build_digest(
            self.bot.db, reminder.guild_id, reminder.recipient_id, self.bot.clock.now()
        )
        return Outgoing(view=digest_layout(digest, self._late_line(late, locale), locale))

    async def _presentation(
        self, reminder: Reminder, late: bool, locale: Locale
    ) -> Outgoing | None:
        found = presentation_slot(reminder.slot)
        if found is None:
            return None
        mentorship_id, step = found
        presentation = await reminder_context.open_presentation(self.bot.db, mentorship_id)
        if presentation is None:
            return None
        mentorship, plan = presentation
        embed = discord.Embed(
            title=tr(f"reminders.presentation_{step}_title", locale, name=mentorship.student_name),
            description=tr(
                f"reminders.presentation_{step}_body", locale, name=mentorship.student_name
            )
            + self._late_line(late, locale),
            colour=COLOUR,
        )
        embed.add_field(
            name=tr("reminders.presentation_plan", locale), value=plan_text(plan, locale)
        )
        return Outgoing(embed=embed)

    async def undeliverable(
        self, reminder: Reminder, *, why: str = "closed"
    ) -> tuple[int, Outgoing] | None:
        """Tell the mentor when a student's reminder reached neither DMs nor the server.

        And why: DMs closed, the channel refused the bot, or the student left the server.
        """
        if reminder.kind != STUDENT_REMINDER or reminder.session_id is None:
            return None
        found = await reminder_context.session_for_notice(self.bot.db, reminder.session_id)
        if found is None:
            return None
        view, locale = found
        text = tr(
            {
                "left": "reminders.undeliverable_left",
                "refused": "reminders.undeliverable_refused",
            }.get(why, "reminders.undeliverable"),
            locale,
            name=view.student_name,
            when=discord_stamp(view.session.starts_at, "F"),
        )
        return view.mentor_id, Outgoing(content=text)


def digest_layout(digest: Digest, late_line: str, locale: Locale) -> discord.ui.LayoutView:
    """Lay out the weekly digest: a section per session with its button, then the students.

    The first `DIGEST_SECTIONS` sessions (this week's, then the unrecorded) get a section with
    their action beside them (open the prep, record the session); the rest are plain lines.
    """
    box = discord.ui.Container[discord.ui.LayoutView](accent_colour=COLOUR)
    box.add_item(
        discord.ui.TextDisplay(
            f"## {tr('digest.title', locale)}\n{tr('digest.intro', locale)}{late_line}"
        )
    )
    sections = DIGEST_SECTIONS
    for key, views in (
        ("digest.this_week", digest.this_week),
        ("digest.unrecorded", digest.unrecorded),
    ):
        heading = f"### {tr(key, locale, count=len(views))}"
        box.add_item(discord.ui.Separator())
        if not views:
            box.add_item(discord.ui.TextDisplay(f"{heading}\n{tr('digest.none', locale)}"))
            continue
        box.add_item(discord.ui.TextDisplay(heading))
        for view in views[:sections]:
            box.add_item(
                discord.ui.Section(_digest_line(view), accessory=_digest_action(key, view, locale))
            )
        rest = [_digest_line(view) for view in views[sections:]]
        if rest:
            box.add_item(discord.ui.TextDisplay(fit_lines(rest, GROUP_TEXT_MAX)))
        sections = max(0, sections - len(views))
    plain = (
        ("digest.left_alone", [f"• {m.student_name} · {m.project}" for m in digest.left_alone]),
        (
            "digest.presentations",
            [
                f"• {m.student_name} · {discord_stamp(plan.request_by, 'D')}"
                for m, plan in digest.presentations
            ],
        ),
    )
    for key, lines in plain:
        heading = f"### {tr(key, locale, count=len(lines))}"
        shown = fit_lines(lines, GROUP_TEXT_MAX) or tr("digest.none", locale)
        box.add_item(discord.ui.Separator())
        box.add_item(discord.ui.TextDisplay(f"{heading}\n{shown}"))
    layout = discord.ui.LayoutView(timeout=None)
    layout.add_item(box)
    return fit_layout(layout, V2_TEXT_MAX - V2_ADDED_TEXT)


def _digest_action(key: str, view: SessionView, locale: Locale) -> PrepButton | RecordFormButton:
    """Return the button beside a session of the digest: prepare it, or record it."""
    if key == "digest.unrecorded":
        return RecordFormButton(view.session.id, tr("record.button", locale))
    return PrepButton(view.session.id, tr("reminders.prep_button", locale))


def _digest_line(view: SessionView) -> str:
    return f"• {discord_stamp(view.session.starts_at, 'f')} · {view.student_name}"


def _title_key(reminder: Reminder, who: str) -> str:
    """Return the title of a session reminder: "starting soon" when its lead time had passed."""
    return f"reminders.{who}_soon_title" if is_soon(reminder.slot) else f"reminders.{who}_title"
