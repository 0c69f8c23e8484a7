"""The cog of `/setup`, `/config`, `/program stats` and the weekly summary in the log channel."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Callable, Coroutine
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MentorCoach, bot_of
from bot.options import zone_choices
from bot.refusal import Refusal
from bot.reminders.dispatcher import Outgoing
from bot.services import moderation as service
from bot.services import program_stats as stats_service
from bot.services.moderation import Access, Change
from bot.services.program_stats import ProgramStats
from bot.storage.guild_config import GuildConfig
from bot.storage.reminders import Reminder
from bot.textfit import FIELD_MAX, fit_lines
from bot.texts import cmd, language_of, tr
from bot.timefmt import discord_stamp
from bot.ui import ask_to_confirm, confirmation, mentor_mention
from bot.vocabulary import OUTCOMES
from cogs.moderation._views import SetupPanel, setting_label, settings_embed, show_value

log = logging.getLogger(__name__)

COLOUR = discord.Colour.dark_gold()
CHART_NAME = "program-stats.png"
MESSAGE_MAX = 2000
PERIOD_CHOICES = [
    app_commands.Choice(name=cmd(f"moderation.period_{days}"), value=days)
    for days in stats_service.PERIODS
]
MANAGE_SERVER = discord.Permissions(manage_guild=True)


def _more(locale: discord.Locale | str | None) -> Callable[[int], str]:
    """Say how many lines were left out of a field."""
    return lambda count: tr("moderation.stats_more", locale, count=count)


def stats_embed(stats: ProgramStats, locale: discord.Locale | str | None) -> discord.Embed:
    """Show a program's figures: no note content, students named with their mentor."""
    embed = discord.Embed(
        title=tr("moderation.stats_title", locale, days=stats.days),
        description=tr(
            "moderation.stats_period",
            locale,
            since=discord_stamp(stats.since, "D"),
            until=discord_stamp(stats.until, "D"),
        ),
        colour=COLOUR,
    )
    outcomes = stats.outcomes
    embed.add_field(name=tr("moderation.stats_active", locale), value=str(stats.active_mentorships))
    embed.add_field(name=tr("moderation.stats_unrecorded", locale), value=str(stats.unrecorded))
    embed.add_field(
        name=tr("moderation.stats_sessions", locale),
        value=" · ".join(
            tr(
                "moderation.stats_sessions_count",
                locale,
                outcome=tr(f"moderation.chart_{status}", locale),
                count=outcomes[status],
            )
            for status in OUTCOMES
        ),
        inline=False,
    )
    quiet_lines = [
        tr(
            "moderation.stats_quiet_line" if q.last_held_at else "moderation.stats_quiet_never",
            locale,
            name=discord.utils.escape_markdown(q.student_name),
            mentor=mentor_mention(q.mentor_id, locale),
            when=discord_stamp(q.since, "D"),
        )
        for q in stats.quiet
    ]
    embed.add_field(
        name=tr("moderation.stats_quiet", locale, count=len(stats.quiet)),
        value=fit_lines(quiet_lines, FIELD_MAX, _more(locale))
        or tr("moderation.stats_quiet_none", locale),
        inline=False,
    )
    load_lines = [
        tr(
            "moderation.stats_load_line",
            locale,
            mentor=mentor_mention(load.mentor_id, locale),
            count=load.students,
        )
        for load in stats.loads
    ]
    embed.add_field(
        name=tr("moderation.stats_load", locale),
        value=fit_lines(load_lines, FIELD_MAX, _more(locale))
        or tr("moderation.stats_load_none", locale),
        inline=False,
    )
    embed.set_footer(text=tr("moderation.stats_footer", locale))
    return embed


def chart_labels(locale: discord.Locale | str | None) -> dict[str, str]:
    """Name the chart's outcomes in the reader's language."""
    return {
        status: tr(f"moderation.chart_{status}", locale) for status in stats_service.CHART_STATUSES
    }


def change_lines(
    actor: discord.abc.User, changes: list[Change], locale: discord.Locale | str | None
) -> str:
    """Write who changed what, old and new values, for the log channel."""
    lines = [
        tr(
            "moderation.log_change",
            locale,
            actor=actor.mention,
            setting=setting_label(change.setting, locale),
            old=show_value(change.setting, change.old, locale),
            new=show_value(change.setting, change.new, locale),
        )
        for change in changes
    ]
    return fit_lines(lines, MESSAGE_MAX)


class ModerationCog(commands.Cog):
    """Let moderators set the server up and watch the program's health."""

    config = app_commands.Group(
        name="config",
        description=cmd("moderation.config_group"),
        guild_only=True,
        default_permissions=MANAGE_SERVER,
        extras={"audience": "moderator"},
    )
    program = app_commands.Group(
        name="program",
        description=cmd("moderation.program_group"),
        guild_only=True,
        extras={"audience": "moderator"},
    )

    def __init__(self, bot: MentorCoach) -> None:
        self.bot = bot
        self._tasks: set[asyncio.Task[None]] = set()

    # -- who may do what -------------------------------------------------------

    async def config_of(self, guild_id: int) -> GuildConfig:
        """Return a server's settings."""
        return await service.config_of(self.bot.db, guild_id)

    async def access_of(self, interaction: discord.Interaction) -> Access:
        """Return what this member may change, from their permissions and roles right now."""
        if interaction.guild_id is None or not isinstance(interaction.user, discord.Member):
            raise Refusal("errors.guild_only")
        config = await self.config_of(interaction.guild_id)
        return service.access_of(
            config,
            manage_guild=interaction.permissions.manage_guild,
            role_ids=[role.id for role in interaction.user.roles],
        )

    # -- /setup and /config ------------------------------------------------------

    @app_commands.command(
        name="setup", description=cmd("moderation.setup"), extras={"audience": "moderator"}
    )
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    async def setup_panel(self, interaction: discord.Interaction) -> None:
        """Open the setup panel: channels, roles, time zone, language and lead times."""
        access = await self.access_of(interaction)
        service.require_access(access)
        assert interaction.guild is not None
        panel = SetupPanel(self, interaction.user.id, access, interaction.locale)
        panel.origin = interaction
        config = await self.config_of(interaction.guild.id)
        await interaction.response.send_message(
            panel.intro(),
            embed=settings_embed(interaction.guild, config, interaction.locale),
            view=panel,
            ephemeral=True,
        )

    @config.command(name="show", description=cmd("moderation.config_show"))
    async def config_show(self, interaction: discord.Interaction) -> None:
        """Show the server's settings and what the bot is missing in its channels."""
        service.require_access(await self.access_of(interaction))
        assert interaction.guild is not None
        config = await self.config_of(interaction.guild.id)
        await interaction.response.send_message(
            embed=settings_embed(interaction.guild, config, interaction.locale), ephemeral=True
        )

    @config.command(name="timezone", description=cmd("moderation.config_timezone"))
    @app_commands.describe(zone=cmd("moderation.config_timezone_zone"))
    async def config_timezone(
        self, interaction: discord.Interaction, zone: app_commands.Range[str, 1, 100]
    ) -> None:
        """Set the server's default time zone."""
        access = await self.access_of(interaction)
        assert interaction.guild is not None
        changes = await service.change_settings(
            self.bot.db,
            interaction.guild.id,
            {"default_timezone": zone},
            access=access,
            actor_id=interaction.user.id,
            now=self.bot.clock.now(),
        )
        config = await self.config_of(interaction.guild.id)
        await interaction.response.send_message(
            tr("moderation.zone_saved", interaction.locale, zone=config.default_timezone),
            ephemeral=True,
        )
        await self.log_changes(interaction.guild, interaction.user, changes)

    @config_timezone.autocomplete("zone")
    async def zone_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Offer the zones that match what is typed."""
        return zone_choices(current)

    @config.command(name="reset", description=cmd("moderation.config_reset"))
    async def config_reset(self, interaction: discord.Interaction) -> None:
        """Forget every setting of this server, after a confirmation."""
        access = await self.access_of(interaction)
        if access is not Access.FULL:
            raise Refusal("moderation.lead_cannot_reset")
        assert interaction.guild is not None
        await ask_to_confirm(
            interaction,
            tr("moderation.reset_question", interaction.locale),
            confirm_label=tr("moderation.reset_button", interaction.locale),
            action="config.reset",
        )

    async def reset_confirmed(self, interaction: discord.Interaction) -> str:
        """Put every setting back to its default (checking access again), and log it."""
        guild = interaction.guild
        if guild is None:
            raise Refusal("errors.guild_only")
        before = await self.config_of(guild.id)
        changes = await service.reset_settings(
            self.bot.db, guild.id, access=await self.access_of(interaction)
        )
        self._in_background(self.log_changes(guild, interaction.user, changes, config=before))
        return tr("moderation.reset_done", interaction.locale, count=len(changes))

    # -- /program stats -----------------------------------------------------------

    @program.command(name="stats", description=cmd("moderation.program_stats"))
    @app_commands.describe(period=cmd("moderation.opt_period"))
    @app_commands.choices(period=PERIOD_CHOICES)
    async def program_stats(
        self, interaction: discord.Interaction, period: app_commands.Choice[int] | None = None
    ) -> None:
        """Show the program's health over a period, with a chart of sessions per week."""
        service.require_stats_access(await self.access_of(interaction))
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        config = await self.config_of(interaction.guild_id)
        days = period.value if period is not None else 30
        stats = await stats_service.program_stats(
            self.bot.db, interaction.guild_id, self.bot.clock.now(), days, config.default_timezone
        )
        png = await asyncio.to_thread(
            stats_service.render_chart,
            stats.weeks,
            chart_labels(interaction.locale),
            tr("moderation.chart_title", interaction.locale),
            language_of(interaction.locale),
        )
        embed = stats_embed(stats, interaction.locale)
        embed.set_image(url=f"attachment://{CHART_NAME}")
        await interaction.followup.send(
            embed=embed, file=discord.File(io.BytesIO(png), filename=CHART_NAME), ephemeral=True
        )

    # -- the log channel ----------------------------------------------------------

    def _in_background(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def post_log(
        self, guild: discord.Guild, text: str, *, config: GuildConfig | None = None
    ) -> discord.Message | None:
        """Post a line to the server's log channel, pinging nobody; None if none is set."""
        config = config or await self.config_of(guild.id)
        if config.log_channel_id is None:
            return None
        channel = guild.get_channel(config.log_channel_id)
        target = (
            channel
            if isinstance(channel, discord.TextChannel)
            else self.bot.get_partial_messageable(config.log_channel_id, guild_id=guild.id)
        )
        try:
            return await target.send(text, allowed_mentions=discord.AllowedMentions.none())
        except discord.HTTPException:
            log.warning("Could not post to the log channel of guild %s", guild.id, exc_info=True)
            return None

    async def log_changes(
        self,
        guild: discord.Guild,
        actor: discord.abc.User,
        changes: list[Change],
        *,
        config: GuildConfig | None = None,
    ) -> None:
        """Tell the log channel who changed what (the old one too, when the log moved)."""
        if not changes:
            return
        config = config or await self.config_of(guild.id)
        locale = config.locale or guild.preferred_locale
        text = change_lines(actor, changes, locale)
        await self.post_log(guild, text, config=config)
        for change in changes:
            moved_from = change.old if change.setting == "log_channel_id" else None
            if moved_from is not None and moved_from != config.log_channel_id:
                old = GuildConfig(
                    guild_id=guild.id,
                    default_timezone=None,
                    locale=config.locale,
                    reminders_channel_id=None,
                    log_channel_id=int(moved_from),
                )
                await self.post_log(guild, text, config=old)

    # -- the weekly summary -------------------------------------------------------

    async def weekly_summary(self, reminder: Reminder, late: bool) -> Outgoing | None:
        """Render the last 7 days' figures for a server's log channel (None when it has none).

        The summary is a reminder of kind `weekly_summary` (planned with the digests), so the
        dispatcher posts it once, after a restart too.
        """
        guild_id = reminder.guild_id
        guild = self.bot.get_guild(guild_id)
        config = await self.config_of(guild_id)
        if config.log_channel_id is None:
            return None
        locale = config.locale or (guild.preferred_locale if guild else None)
        stats = await stats_service.program_stats(
            self.bot.db, guild_id, self.bot.clock.now(), 7, config.default_timezone
        )
        embed = stats_embed(stats, locale)
        embed.title = tr("moderation.weekly_title", locale)
        if late:
            embed.description = f"*{tr('reminders.late', locale)}*"
        return Outgoing(embed=embed)


@confirmation("config.reset")
async def reset_confirmed(interaction: discord.Interaction, parts: tuple[str, ...]) -> str:
    """Reset the server's settings (the question's Confirm button, in any process)."""
    cog = bot_of(interaction).get_cog(ModerationCog.__cog_name__)
    assert isinstance(cog, ModerationCog)
    return await cog.reset_confirmed(interaction)
