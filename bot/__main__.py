"""Command line: `mentor-coach` runs the bot; `mentor-coach sync` syncs its commands."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Callable

import discord

from bot.app import MentorCoach
from bot.clock import Clock, SystemClock
from bot.db import Database
from bot.endpoints import point_client_at, point_client_at_discord
from bot.settings import Settings
from bot.storage.reminders import next_due_at
from bot.texts import catalogue

log = logging.getLogger("bot")

BAD_TOKEN = (
    "Discord refused the token in DISCORD_TOKEN. Copy the bot token again from the Developer "
    "Portal (Bot > Reset Token) into .env, or leave it empty to run against the local sandbox."
)
PRIVILEGED_INTENTS = (
    "Discord refused the requested gateway intents. Mentor Coach needs no privileged intent: "
    "check that you run an unmodified copy."
)


def build_bot(
    settings: Settings, db: Database, clock: Clock, *, sync_globally_on_start: bool
) -> MentorCoach:
    """Assemble the bot from its resources."""
    return MentorCoach(
        db=db,
        settings=settings,
        texts=catalogue(),
        clock=clock,
        sync_globally_on_start=sync_globally_on_start,
    )


def _stop_on_signals(bot: MentorCoach) -> None:
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, lambda: asyncio.ensure_future(bot.close()))


async def run_bot(
    settings: Settings,
    token: str,
    *,
    sync_globally_on_start: bool,
    clock: Clock | None = None,
    on_built: Callable[[MentorCoach], None] | None = None,
) -> int:
    """Run the bot until it is closed; return the process exit code."""
    async with await Database.open(settings.database_path) as db:
        bot = build_bot(
            settings, db, clock or SystemClock(), sync_globally_on_start=sync_globally_on_start
        )
        if on_built is not None:
            on_built(bot)
        _stop_on_signals(bot)
        try:
            async with bot:
                await bot.start(token)
        except discord.LoginFailure:
            print(BAD_TOKEN, file=sys.stderr)
            return 2
        except discord.PrivilegedIntentsRequired:
            print(PRIVILEGED_INTENTS, file=sys.stderr)
            return 2
    return 0


async def run(settings: Settings) -> int:
    """Run against Discord with a token, else against a local sandbox started here."""
    if not settings.uses_sandbox:
        assert settings.discord_token is not None
        point_client_at_discord()
        token = settings.discord_token.get_secret_value().strip()
        return await run_bot(settings, token, sync_globally_on_start=False)

    from sandbox.launcher import start_playground

    async with start_playground(
        settings.sandbox_host, settings.sandbox_port, database_path=settings.database_path
    ) as playground:
        point_client_at(playground.rest_url, playground.gateway_url)
        print(f"Playground: open {playground.web_url} in your browser to try the bot.")
        print("No DISCORD_TOKEN is set, so the bot talks to this local Discord. Ctrl+C stops both.")

        def follow_the_world(bot: MentorCoach) -> None:
            playground.next_event_at = lambda: next_due_at(bot.db)
            playground.follow_scheduler(bot.scheduler)  # digests and summaries follow the world

        return await run_bot(
            settings,
            playground.token,
            sync_globally_on_start=True,
            clock=playground.clock,
            on_built=follow_the_world,
        )


async def sync_commands(settings: Settings, guild_id: int | None) -> int:
    """Sync the command tree once, to one guild or globally, then exit."""
    if settings.uses_sandbox:
        print("Set DISCORD_TOKEN to sync commands with Discord.", file=sys.stderr)
        return 2
    assert settings.discord_token is not None
    point_client_at_discord()
    async with await Database.open(settings.database_path) as db:
        bot = build_bot(settings, db, SystemClock(), sync_globally_on_start=False)
        try:
            async with bot:
                await bot.login(settings.discord_token.get_secret_value().strip())
                guild = discord.Object(id=guild_id) if guild_id else None
                if guild is not None:
                    bot.tree.copy_global_to(guild=guild)
                synced = await bot.tree.sync(guild=guild)
        except discord.LoginFailure:
            print(BAD_TOKEN, file=sys.stderr)
            return 2
    where = f"guild {guild_id}" if guild_id else "all servers (global)"
    print(f"Synced {len(synced)} commands to {where}.")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run."""
    parser = argparse.ArgumentParser(prog="mentor-coach", description=__doc__)
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="run the bot (the default)")
    sync = commands.add_parser("sync", help="sync the slash commands with Discord")
    sync.add_argument("--guild", type=int, help="sync to this server only (instant)")
    args = parser.parse_args(argv)

    settings = Settings()
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
    )
    if args.command == "sync":
        return asyncio.run(sync_commands(settings, args.guild))
    return asyncio.run(run(settings))


if __name__ == "__main__":
    sys.exit(main())
