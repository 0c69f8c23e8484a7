"""`/session`: schedule, list, cancel, reschedule and record sessions."""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MentorCoach, bot_of
from bot.checkin_ui import PrepareModal
from bot.options import (
    RecordableSessionArg,
    StudentArg,
    StudentSessionArg,
    UpcomingSessionArg,
    caller_zone,
    label_matches,
    when_choices,
)
from bot.record_ui import RecordModal, follow_up_view
from bot.refusal import Refusal
from bot.reminder_ui import planned_summary
from bot.scheduling.recurrence import Repeat
from bot.services import checkins as checkin_service
from bot.services import outcomes as outcome_service
from bot.services import reminders as reminder_service
from bot.services import sessions as service
from bot.services import statement as statement_service
from bot.services import time_off as time_off_service
from bot.services.people import zone_for
from bot.services.sessions import check_answerable
from bot.storage.privacy import ERASED_PERSON
from bot.storage.sessions import SessionView
from bot.textfit import clip
from bot.texts import Locale, cmd, tr
from bot.timefmt import discord_stamp
from bot.ui import LazyPages, ask_to_confirm, confirmation, send_pages
from bot.vocabulary import OUTCOMES, SessionKind, SessionStatus

log = logging.getLogger(__name__)

COLOUR = discord.Colour.blurple()
PAGE_SIZE = 8
KIND_CHOICES = [app_commands.Choice(name=cmd(f"kind.{k}"), value=k) for k in SessionKind]
REPEAT_CHOICES = [app_commands.Choice(name=cmd(f"repeat.{r.value}"), value=r.value) for r in Repeat]
OUTCOME_CHOICES = [app_commands.Choice(name=cmd(f"outcome.{o}"), value=o) for o in OUTCOMES]
WHEN_CHOICES = [
    app_commands.Choice(name=cmd("sessions.upcoming"), value="upcoming"),
    app_commands.Choice(name=cmd("sessions.past"), value="past"),
    app_commands.Choice(name=cmd("loop.cancelled_filter"), value="cancelled"),
]
SCOPE_CHOICES = [
    app_commands.Choice(name=cmd("sessions.scope_one"), value="one"),
    app_commands.Choice(name=cmd("sessions.scope_series"), value="series"),
]


class SessionsCog(commands.Cog):
    """Let mentors plan and record sessions, and students see theirs."""

    session = app_commands.Group(
        name="session", description=cmd("sessions.group"), extras={"audience": "mentor"}
    )

    def __init__(self, bot: MentorCoach) -> None:
        self.bot = bot

    async def _mentor_zone(self, interaction: discord.Interaction) -> str:
        return await zone_for(self.bot.db, interaction.user.id, interaction.guild_id)

    @session.command(
        name="schedule", description=cmd("sessions.schedule"), extras={"guild_only": True}
    )
    @app_commands.describe(
        student=cmd("students.opt_student"),
        when=cmd("sessions.opt_when"),
        repeat=cmd("sessions.opt_repeat"),
        kind=cmd("sessions.opt_kind"),
        duration=cmd("sessions.opt_duration"),
    )
    @app_commands.choices(repeat=REPEAT_CHOICES, kind=KIND_CHOICES)
    async def schedule(
        self,
        interaction: discord.Interaction,
        student: StudentArg,
        when: app_commands.Range[str, 1, 100],
        repeat: app_commands.Choice[str] | None = None,
        kind: app_commands.Choice[str] | None = None,
        duration: app_commands.Range[int, service.DURATION_MIN, service.DURATION_MAX] | None = None,
    ) -> None:
        """Schedule a session, once or every week."""
        zone = await self._mentor_zone(interaction)
        done = await service.schedule(
            self.bot.db,
            self.bot.clock.now(),
            student,
            when_text=when,
            zone=zone,
            repeat=Repeat(repeat.value) if repeat else Repeat.NONE,
            kind=kind.value if kind else SessionKind.REGULAR,
            duration=duration,
            mentor_name=interaction.user.display_name,
        )
        locale = interaction.locale
        first = done.first
        text = tr(
            "sessions.scheduled",
            locale,
            kind=tr(f"kind.{first.kind}", locale),
            name=student.student_name,
            when=discord_stamp(first.starts_at, "F"),
            relative=discord_stamp(first.starts_at, "R"),
            minutes=first.duration_minutes,
        )
        if done.repeat is not Repeat.NONE:
            text += "\n" + tr(
                f"sessions.repeats_{done.repeat.value}", locale, zone=done.zone, count=done.count
            )
        planned = await reminder_service.planned_for_session(self.bot.db, first.id)
        if line := planned_summary(planned, student.student_name, locale):
            text += "\n" + line
        self.bot.dispatcher.wake()
        await interaction.response.send_message(text, ephemeral=True)

    @session.command(name="list", description=cmd("sessions.list"), extras={"audience": "everyone"})
    @app_commands.describe(
        student=cmd("sessions.opt_list_student"), when=cmd("sessions.opt_list_when")
    )
    @app_commands.choices(when=WHEN_CHOICES)
    async def list_sessions(
        self,
        interaction: discord.Interaction,
        student: StudentArg | None = None,
        when: app_commands.Choice[str] | None = None,
    ) -> None:
        """List your sessions: as a mentor, or as a student."""
        past = when is not None and when.value == "past"
        cancelled = when is not None and when.value == "cancelled"
        views = await service.visible_sessions(
            self.bot.db,
            self.bot.clock.now(),
            viewer_id=interaction.user.id,
            guild_id=interaction.guild_id,
            mentorship=student,
            past=past,
            cancelled=cancelled,
        )
        pages = session_pages(
            views, interaction.user.id, interaction.locale, past=past, cancelled=cancelled
        )
        await send_pages(interaction, pages)

    @session.command(name="cancel", description=cmd("sessions.cancel"), extras={"guild_only": True})
    @app_commands.describe(session=cmd("sessions.opt_session"), scope=cmd("sessions.opt_scope"))
    @app_commands.choices(scope=SCOPE_CHOICES)
    async def cancel(
        self,
        interaction: discord.Interaction,
        session: UpcomingSessionArg,
        scope: app_commands.Choice[str] | None = None,
    ) -> None:
        """Cancel one session or the rest of its series."""
        whole = scope is not None and scope.value == "series"
        if whole and session.session.series_id is None:
            whole = False
        locale = interaction.locale

        key = "sessions.cancel_series_question" if whole else "sessions.cancel_question"
        await ask_to_confirm(
            interaction,
            tr(
                key,
                locale,
                name=session.student_name,
                when=discord_stamp(session.session.starts_at, "F"),
            ),
            confirm_label=tr("sessions.cancel_button", locale),
            action="session.cancel",
            parts=[session.session.id, int(whole)],
        )

    @session.command(
        name="reschedule", description=cmd("sessions.reschedule"), extras={"guild_only": True}
    )
    @app_commands.describe(session=cmd("sessions.opt_session"), when=cmd("sessions.opt_when"))
    async def reschedule(
        self,
        interaction: discord.Interaction,
        session: UpcomingSessionArg,
        when: app_commands.Range[str, 1, 100],
    ) -> None:
        """Move one session to another time."""
        zone = await self._mentor_zone(interaction)
        moved = await service.reschedule(
            self.bot.db, self.bot.clock.now(), session, when_text=when, zone=zone
        )
        await interaction.response.send_message(
            tr(
                "sessions.rescheduled",
                interaction.locale,
                name=session.student_name,
                old=discord_stamp(session.session.starts_at, "F"),
                when=discord_stamp(moved.starts_at, "F"),
                relative=discord_stamp(moved.starts_at, "R"),
            ),
            ephemeral=True,
        )

    @session.command(
        name="prepare", description=cmd("checkin.command"), extras={"audience": "student"}
    )
    @app_commands.describe(session=cmd("checkin.opt_session"))
    async def prepare(
        self, interaction: discord.Interaction, session: StudentSessionArg | None = None
    ) -> None:
        """Prepare your next session: what you did, where you're stuck, what to discuss."""
        now = self.bot.clock.now()
        view = session or await checkin_service.next_session_of_student(
            self.bot.db, interaction.user.id, interaction.guild_id, now
        )
        check_answerable(view, now)
        current = await checkin_service.checkin_for(self.bot.db, view.session.id)
        await interaction.response.send_modal(PrepareModal(view, interaction.locale, current))

    @session.command(
        name="statement", description=cmd("statement.command"), extras={"audience": "mentor"}
    )
    @app_commands.describe(month=cmd("statement.opt_month"))
    async def statement(
        self, interaction: discord.Interaction, month: app_commands.Range[str, 1, 20] | None = None
    ) -> None:
        """List your sessions of a month by student, kind and length, with a CSV."""
        locale = interaction.locale
        now = self.bot.clock.now()
        zone = await caller_zone(interaction)
        wanted = statement_service.read_month(month, zone, now)
        done = await statement_service.statement(
            self.bot.db, now, interaction.user.id, interaction.guild_id, wanted, zone
        )
        label = month_label(wanted, locale)
        headers = [tr(f"statement.csv_{c}", locale) for c in statement_service.CSV_HEADERS]
        data = statement_service.statement_csv(done, headers)
        file = discord.File(io.BytesIO(data), filename=f"statement-{wanted:%Y-%m}.csv")
        await interaction.response.send_message(
            embed=statement_embed(done, label, locale), file=file, ephemeral=True
        )

    @session.command(name="away", description=cmd("away.command"))
    @app_commands.describe(first=cmd("away.opt_first"), last=cmd("away.opt_last"))
    @app_commands.rename(first="from", last="until")
    async def away(
        self,
        interaction: discord.Interaction,
        first: app_commands.Range[str, 1, 100],
        last: app_commands.Range[str, 1, 100],
    ) -> None:
        """Take time off: your sessions in those days are cancelled, series resume after."""
        zone = await self._mentor_zone(interaction)
        now = self.bot.clock.now()
        first_day, last_day = time_off_service.read_range(first, last, zone, now)
        away = await time_off_service.preview(
            self.bot.db, now, interaction.user.id, first_day, last_day, zone
        )
        locale = interaction.locale
        noon_first = datetime.combine(first_day, time(12), tzinfo=ZoneInfo(zone))
        noon_last = datetime.combine(last_day, time(12), tzinfo=ZoneInfo(zone))
        days = {
            "first": discord_stamp(noon_first, "D"),
            "last": discord_stamp(noon_last, "D"),
        }

        async def confirmed(done: discord.Interaction) -> str:
            count = await time_off_service.take_time_off(
                self.bot.db, self.bot.clock.now(), done.user.id, away
            )
            return tr("away.done", done.locale, count=count, **days)

        students = sorted({v.student_name for v in away.sessions}, key=str.casefold)
        await ask_to_confirm(
            interaction,
            tr(
                "away.question",
                locale,
                count=len(away.sessions),
                students=", ".join(students) or "-",
                **days,
            ),
            confirm_label=tr("away.button", locale),
            on_confirm=confirmed,
        )

    @statement.autocomplete("month")
    async def month_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Offer this month and the eleven before it, named in the caller's language."""
        zone = await caller_zone(interaction)
        local = self.bot.clock.now().astimezone(ZoneInfo(zone))
        choices = []
        for back in range(12):
            year, month = divmod(local.year * 12 + local.month - 1 - back, 12)
            first = date(year, month + 1, 1)
            name = month_label(first, interaction.locale)
            if label_matches(f"{name} {first:%Y-%m}", current):
                choices.append(app_commands.Choice(name=name, value=f"{first:%Y-%m}"))
        return choices

    @schedule.autocomplete("when")
    @reschedule.autocomplete("when")
    async def when_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Preview how the typed time is read, in the caller's zone and language."""
        return await when_choices(interaction, current)

    @session.command(name="record", description=cmd("sessions.record"), extras={"guild_only": True})
    @app_commands.describe(session=cmd("record.opt_session"), status=cmd("record.opt_status"))
    @app_commands.choices(status=OUTCOME_CHOICES)
    async def record(
        self,
        interaction: discord.Interaction,
        session: RecordableSessionArg,
        status: app_commands.Choice[str] | None = None,
    ) -> None:
        """Record how a session went, or correct what was recorded."""
        locale = interaction.locale
        now = self.bot.clock.now()
        if session.session.status in OUTCOMES:
            await self._correct(interaction, session, status)
            return
        if status is None:
            if session.session.starts_at > now:
                raise Refusal(
                    "sessions.not_started", when=discord_stamp(session.session.starts_at, "R")
                )
            await interaction.response.send_modal(RecordModal(session, locale))
            return
        recorded = await service.record(self.bot.db, now, session, status.value)
        text = tr(
            "sessions.recorded",
            locale,
            name=session.student_name,
            when=discord_stamp(recorded.starts_at, "D"),
            outcome=tr(f"outcome.{recorded.status}", locale),
        )
        view = follow_up_view(recorded, locale)
        if view is None:
            await interaction.response.send_message(text, ephemeral=True)
        else:
            await interaction.response.send_message(text, view=view, ephemeral=True)

    async def _correct(
        self,
        interaction: discord.Interaction,
        session: SessionView,
        status: app_commands.Choice[str] | None,
    ) -> None:
        """Change a recorded outcome, after a confirmation; the change is kept."""
        locale = interaction.locale
        old = session.session.status
        if status is None:
            raise Refusal("record.give_new_outcome")
        new = status.value

        async def confirmed(done: discord.Interaction) -> str:
            fresh = await service.session_of_mentor(
                self.bot.db, done.user.id, str(session.session.id)
            )
            corrected = await outcome_service.correct(
                self.bot.db, self.bot.clock.now(), fresh, done.user.id, new
            )
            return tr(
                "record.corrected",
                done.locale,
                name=session.student_name,
                when=discord_stamp(corrected.starts_at, "D"),
                old=tr(f"outcome.{old}", done.locale),
                new=tr(f"outcome.{corrected.status}", done.locale),
            )

        if old == new:
            raise Refusal("record.same")
        await ask_to_confirm(
            interaction,
            tr(
                "record.correct_question",
                locale,
                name=session.student_name,
                when=discord_stamp(session.session.starts_at, "D"),
                old=tr(f"outcome.{old}", locale),
                new=tr(f"outcome.{new}", locale),
            ),
            confirm_label=tr("record.correct_button", locale),
            on_confirm=confirmed,
        )


def month_label(month: date, locale: Locale) -> str:
    """Name a month in the reader's language: `December 2026`, `décembre 2026`."""
    names = tr("dates.month_names", locale).split()
    return f"{names[month.month - 1]} {month.year}"


def statement_embed(done: statement_service.Statement, label: str, locale: Locale) -> discord.Embed:
    """Show a month's sessions as a table: one line per student, kind and length."""
    embed = discord.Embed(title=tr("statement.title", locale, month=label), colour=COLOUR)
    if not done.rows:
        embed.description = tr("statement.none", locale)
        return embed
    heads = [tr(f"statement.col_{c}", locale) for c in statement_service.COLUMNS]
    lines = []
    for row in done.rows:
        counts = " ".join(f"{row.counts[c]:>3}" for c in statement_service.COLUMNS)
        name = clip(f"{row.student} · {tr(f'kind.{row.kind}', locale)} · {row.minutes}′", 60)
        lines.append(f"{name}\n    {counts}")
    legend = " ".join(f"{h:>3}" for h in heads)
    table = "\n".join([f"    {legend}", *lines])
    embed.description = f"```\n{clip(table, 3900)}\n```"
    totals = done.totals
    counted = " · ".join(
        tr(f"statement.total_{c}", locale, count=totals[c]) for c in statement_service.COLUMNS
    )
    legend = ", ".join(
        tr(
            "statement.legend_entry",
            locale,
            column=tr(f"statement.col_{c}", locale),
            name=tr(f"statement.legend_{c}", locale),
        )
        for c in statement_service.COLUMNS
    )
    embed.add_field(
        name=tr("statement.totals", locale),
        value=tr(
            "statement.totals_text",
            locale,
            totals=counted,
            presentations=done.presentations_held,
            legend=legend,
        ),
        inline=False,
    )
    embed.set_footer(text=tr("statement.footer", locale, zone=done.zone))
    return embed


def session_line(view: SessionView, viewer_id: int, locale: discord.Locale) -> str:
    """Describe one session for a list, from the viewer's side."""
    session = view.session
    as_mentor = viewer_id in (view.mentor_id, view.usual_mentor_id)
    mention = f"<@{view.mentor_id}>"
    if as_mentor:
        other = tr("sessions.with_student", locale, name=view.student_name)
    elif view.mentor_id == ERASED_PERSON:
        other = tr("sessions.with_former_mentor", locale)
    elif view.mentor_name:
        other = tr("loop.with_mentor_named", locale, name=view.mentor_name, mention=mention)
    else:
        other = tr("sessions.with_mentor", locale, mention=mention)
    parts = [
        f"{discord_stamp(session.starts_at, 'F')} · {other}",
        tr(f"kind.{session.kind}", locale),
        tr("students.minutes", locale, minutes=session.duration_minutes),
    ]
    if view.usual_mentor_id is not None:  # a peer covers this one session
        if viewer_id == view.usual_mentor_id:
            parts.append(tr("handover.covered_by", locale, peer=mention))
        else:
            parts.append(tr("handover.covering_for", locale, mentor=f"<@{view.usual_mentor_id}>"))
    if session.status != SessionStatus.SCHEDULED:
        parts.append(f"**{tr(f'outcome.{session.status}', locale)}**")
    elif not as_mentor:
        key = {"confirmed": "loop.you_confirmed", "declined": "loop.you_declined"}
        parts.append(tr(key.get(session.student_response or "", "loop.not_confirmed"), locale))
    elif session.student_response:
        parts.append(tr(f"sessions.response_{session.student_response}", locale))
    return " · ".join(parts)


def session_pages(
    views: Sequence[SessionView],
    viewer_id: int,
    locale: discord.Locale,
    *,
    past: bool,
    cancelled: bool = False,
) -> Sequence[discord.Embed]:
    """Cut a list of sessions into embeds of PAGE_SIZE lines, each built when first shown."""
    title = tr("sessions.past_title" if past else "sessions.upcoming_title", locale)
    if cancelled:
        title = tr("loop.cancelled_title", locale)
    if not views:
        return [discord.Embed(title=title, description=tr("sessions.none", locale), colour=COLOUR)]
    count = -(-len(views) // PAGE_SIZE)

    def page(index: int) -> discord.Embed:
        chunk = views[index * PAGE_SIZE : (index + 1) * PAGE_SIZE]
        embed = discord.Embed(
            title=title,
            description="\n".join(session_line(v, viewer_id, locale) for v in chunk),
            colour=COLOUR,
        )
        embed.set_footer(
            text=tr("common.page", locale, page=index + 1, pages=count, total=len(views))
        )
        return embed

    return LazyPages(count, page)


@confirmation("session.cancel")
async def cancel_confirmed(interaction: discord.Interaction, parts: tuple[str, ...]) -> str:
    """Cancel the session (or the rest of its series) the question was about."""
    bot = bot_of(interaction)
    fresh = await service.session_of_mentor(bot.db, interaction.user.id, parts[0])
    ids = await service.cancel(bot.db, fresh, whole_series=parts[1] == "1", now=bot.clock.now())
    return tr("sessions.cancelled", interaction.locale, count=len(ids))


async def setup(bot: MentorCoach) -> None:
    """Add the cog to the bot."""
    await bot.add_cog(SessionsCog(bot))
