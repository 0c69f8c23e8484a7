"""Reminders as people see them: `/reminders`, and the messages and buttons of `_messages`."""

from __future__ import annotations

import logging
from datetime import timedelta

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MentorCoach
from bot.options import language_choices
from bot.refusal import Refusal
from bot.reminders.planning import (
    ReminderPrefs,
    format_leads,
    parse_leads,
)
from bot.services import news as news_service
from bot.services import reminders as planning_service
from bot.services.people import choose_language
from bot.storage.reminders import Reminder
from bot.textfit import fit_lines
from bot.texts import cmd, tr
from bot.timefmt import discord_stamp
from cogs.reminders._buttons import (
    COLOUR,
    PERSISTENT_ITEMS,
)
from cogs.reminders._messages import (
    ReminderMessages,
)

log = logging.getLogger(__name__)

LIST_WINDOW = timedelta(days=14)


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
        listed = await planning_service.reminders_listed(
            self.bot.db, interaction.user.id, now, LIST_WINDOW
        )
        embed = discord.Embed(title=tr("reminders.list_title", locale), colour=COLOUR)
        for title_key, items in (
            ("reminders.pending", listed.pending),
            ("reminders.trouble", listed.trouble),
            ("reminders.sent_late", listed.late),
        ):
            lines = [reminder_line(r, locale) for r in items[:15]]
            if lines:
                embed.add_field(name=tr(title_key, locale), value=fit_lines(lines), inline=False)
        if not embed.fields:
            embed.description = tr("reminders.nothing", locale)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @reminders.command(name="settings", description=cmd("reminders.settings"))
    @app_commands.describe(
        student_leads=cmd("reminders.opt_student_leads"),
        review_lead=cmd("reminders.opt_review_lead"),
        via=cmd("reminders.opt_via"),
        paused=cmd("reminders.opt_paused"),
        language=cmd("reminders.opt_language"),
        session_news=cmd("loop.opt_session_news"),
    )
    @app_commands.choices(via=VIA_CHOICES, language=language_choices())
    async def settings(
        self,
        interaction: discord.Interaction,
        student_leads: app_commands.Range[str, 1, 40] | None = None,
        review_lead: app_commands.Range[int, 1, 168] | None = None,
        via: app_commands.Choice[str] | None = None,
        paused: bool | None = None,
        language: app_commands.Choice[str] | None = None,
        session_news: bool | None = None,
    ) -> None:
        """See or change how and when you get reminders."""
        db = self.bot.db
        if language is not None:
            await choose_language(
                db, interaction.user.id, language.value, by_self=True, now=self.bot.clock.now()
            )
        news_on = await news_service.wants_news(
            db, interaction.user.id, session_news, self.bot.clock.now()
        )
        current = await planning_service.prefs_of(db, interaction.user.id)
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
            self.bot.dispatcher.wake()
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
            )
            + (
                ""
                if language is None
                else "\n" + tr("reminders.language_now", interaction.locale, name=language.name)
            )
            + "\n"
            + tr("news.setting_on" if news_on else "news.setting_off", interaction.locale),
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
    messages = ReminderMessages(bot)
    bot.dispatcher.renderer = messages
    for kind, render in messages.renderers().items():
        bot.dispatcher.add_renderer(kind, render)
    await bot.add_cog(RemindersCog(bot))
