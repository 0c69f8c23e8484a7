"""The bot object: resources it owns, extensions it loads, how it syncs commands."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import discord
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from discord.ext import commands

from bot import log_privacy
from bot.clock import Clock
from bot.db import Database
from bot.metrics import instrument
from bot.news_sender import NewsSender
from bot.pacing import Pacer, pace_requests
from bot.reminders.dispatcher import Dispatcher
from bot.services.digests import plan_digests
from bot.services.people import use_default_zone
from bot.services.privacy import purge_departed_guilds
from bot.services.sessions import extend_series
from bot.settings import Settings
from bot.storage.user_prefs import remember_locale
from bot.texts import Catalogue, CatalogueTranslator
from bot.tree import MentorTree
from bot.ui import (
    ConfirmChoice,
    answer_expired_control,
    forget_live_controls,
    route_form_submit,
)

log = logging.getLogger(__name__)

EXTENSIONS: tuple[str, ...] = (
    "cogs.help",
    "cogs.timezone",
    "cogs.students",
    "cogs.sessions",
    "cogs.reminders",
    "cogs.notes",
    "cogs.coaching",
    "cogs.moderation",
    "cogs.server_content",
    "cogs.privacy",
    "cogs.news",
    "cogs.calendar_feed",
)


def bot_intents() -> discord.Intents:
    """Return the smallest intents that work.

    Only `guilds`: the bot needs the server's channels and roles (setup, permission checks).
    Slash commands, buttons and modals arrive as interactions whatever the intents; members
    named in a command come resolved with it; no privileged intent is needed.
    """
    intents = discord.Intents.none()
    intents.guilds = True
    return intents


# The bot never joins voice: no need to warn that voice libraries are missing.
discord.VoiceClient.warn_nacl = False
discord.VoiceClient.warn_dave = False


class MentorCoach(commands.Bot):
    """Mentor Coach: owns its database, clock, settings and texts."""

    def __init__(
        self,
        *,
        db: Database,
        settings: Settings,
        texts: Catalogue,
        clock: Clock,
        sync_globally_on_start: bool = False,
        guild_ready_timeout: float = 2.0,
    ) -> None:
        log_privacy.install()  # before the first event: libraries log payloads at DEBUG
        super().__init__(
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=bot_intents(),
            tree_cls=MentorTree,
            allowed_mentions=discord.AllowedMentions.none(),
            guild_ready_timeout=guild_ready_timeout,
        )
        self.db = db
        self.settings = settings
        use_default_zone(settings.default_timezone)
        self.texts = texts
        self.clock = clock
        self.sync_globally_on_start = sync_globally_on_start
        self.failed_extensions: dict[str, BaseException] = {}
        self.dispatcher = Dispatcher(self)
        self.news = NewsSender(self)
        self._known_locales: dict[int, str] = {}
        self.scheduler = AsyncIOScheduler(timezone="UTC")
        self._scheduler_stopped = False
        """Set by the first close(): APScheduler stops on the loop's next turn, and a second
        shutdown() before that turn raises in a callback (a traceback in the operator's log)."""
        self.instruments = instrument(self)
        self.pacer = Pacer()
        """Paces every request Discord counts against the bot's global limit (`bot.pacing`)."""
        pace_requests(self.instruments.trace, self.pacer)
        self.endpoint_url: str | None = None
        """The HTTP endpoint's address while it listens (bot/health.py); None when it is off."""

    async def setup_hook(self) -> None:
        """Load the extensions, set the translator and sync where asked to."""
        await self.tree.set_translator(CatalogueTranslator(self.texts))
        self.add_dynamic_items(ConfirmChoice)
        forget_live_controls()
        for name in EXTENSIONS:
            try:
                await self.load_extension(name)
            except Exception as error:
                self.failed_extensions[name] = error
                log.exception("Extension %s failed to load", name)
        await self.sync_on_start()
        self.scheduler.add_job(
            self.maintain,
            "interval",
            hours=6,
            next_run_time=datetime.now(UTC),
            misfire_grace_time=3600,
            coalesce=True,
            id="maintenance",
        )
        self.scheduler.start()
        self.dispatcher.start()
        self.news.start()

    async def maintain(self) -> None:
        """Materialise the coming weeks of every series, with their reminders and digests."""
        try:
            now = self.clock.now()
            await extend_series(self.db, now)
            await plan_digests(self.db, now)
            await purge_departed_guilds(self.db, now)
            self.dispatcher.wake()
        except Exception:
            log.exception("Maintenance failed; it runs again in a few hours")

    async def close(self) -> None:
        """Stop the timers, then disconnect; a second call (a second signal) stops nothing twice."""
        if self.scheduler.running and not self._scheduler_stopped:
            self._scheduler_stopped = True
            self.scheduler.shutdown(wait=False)
        await self.dispatcher.stop()
        await self.news.stop()
        await super().close()

    async def sync_on_start(self) -> None:
        """Sync to the development guild if one is set; globally only when asked."""
        if self.settings.dev_guild_id is not None:
            guild = discord.Object(id=self.settings.dev_guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("Synced %d commands to guild %s", len(synced), guild.id)
        if self.sync_globally_on_start:
            synced = await self.tree.sync()
            log.info("Synced %d global commands", len(synced))

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """Route submitted forms; remember each person's Discord language for reminders."""
        await route_form_submit(interaction)
        await answer_expired_control(interaction)
        user_id, locale = interaction.user.id, interaction.locale.value
        if self._known_locales.get(user_id) == locale:
            return
        try:
            await remember_locale(self.db, user_id, locale, self.clock.now())
        except Exception:
            log.exception("Could not remember the language of user %s", user_id)
            return
        self._known_locales[user_id] = locale

    async def on_ready(self) -> None:
        """Log who we are once connected."""
        log.info("Connected as %s to %d server(s)", self.user, len(self.guilds))


def bot_of(interaction: discord.Interaction) -> MentorCoach:
    """Return the bot an interaction arrived on."""
    client = interaction.client
    assert isinstance(client, MentorCoach)
    return client
