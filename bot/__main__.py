"""Command line of Mentor Coach.

`mentor-coach run` runs the bot against Discord (a token is required); `mentor-coach playground`
runs it against the local sandbox with its web page; `mentor-coach` alone picks one of the two
(run with a token, else the playground: what `make run` does). `sync`, `backup`, `restore` and
`health` are the operator's tools.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from bot import __version__
from bot.log_format import configure_logging
from bot.settings import DATABASE_NAME, Settings

# The bot itself is imported only by the commands that run it: `health` (the container's
# HEALTHCHECK, every 30 s), `backup` and `--version` stay light.
if TYPE_CHECKING:
    from bot.app import MentorCoach
    from bot.clock import Clock
    from bot.db import Database

log = logging.getLogger("bot")

BAD_TOKEN = (
    "Discord refused the token in DISCORD_TOKEN. Copy the bot token again from the Developer "
    "Portal (Bot > Reset Token) into .env, or leave it empty to run against the local sandbox."
)
NO_TOKEN = (
    "DISCORD_TOKEN is not set: `mentor-coach run` needs the bot token (Developer Portal, Bot > "
    "Reset Token) in the environment or .env; `mentor-coach playground` runs without one."
)
PRIVILEGED_INTENTS = (
    "Discord refused the requested gateway intents. Mentor Coach needs no privileged intent: "
    "check that you run an unmodified copy."
)
NO_HEALTH_PORT = "Set HEALTH_PORT (and run the bot with it) to ask its health endpoint."
PLAYGROUND_STATE = Path("sandbox-state")
"""The playground's world and its own database (never the production one)."""
ANNOUNCE_DELAY = 0.3
"""Seconds after ready before the playground prints its address (start-up logs come first)."""


def build_bot(
    settings: Settings, db: Database, clock: Clock, *, sync_globally_on_start: bool
) -> MentorCoach:
    """Assemble the bot from its resources."""
    from bot.app import MentorCoach
    from bot.texts import catalogue

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


async def open_database(settings: Settings) -> Database | None:
    """Open the database, or print the one line that says why it cannot be used."""
    from bot.db import Database, DatabaseError

    try:
        return await Database.open(settings.database_path, backup_dir=settings.backup_dir)
    except DatabaseError as error:
        print(error, file=sys.stderr)
        return None


async def run_bot(
    settings: Settings,
    token: str,
    *,
    sync_globally_on_start: bool,
    clock: Clock | None = None,
    on_built: Callable[[MentorCoach], None] | None = None,
) -> int:
    """Run the bot until it is closed; return the process exit code."""
    import discord

    from bot.clock import SystemClock
    from bot.health import HealthServer

    db = await open_database(settings)
    if db is None:
        return 2
    async with db:
        bot = build_bot(
            settings, db, clock or SystemClock(), sync_globally_on_start=sync_globally_on_start
        )
        if on_built is not None:
            on_built(bot)
        _stop_on_signals(bot)
        health: HealthServer | None = None
        try:
            if settings.health_port is not None:
                health = HealthServer(bot, settings.health_host, settings.health_port)
                await health.start()
            async with bot:
                await bot.start(token)
        except discord.LoginFailure:
            print(BAD_TOKEN, file=sys.stderr)
            return 2
        except discord.PrivilegedIntentsRequired:
            print(PRIVILEGED_INTENTS, file=sys.stderr)
            return 2
        except OSError as error:
            print(f"Cannot listen for health checks: {error}", file=sys.stderr)
            return 2
        finally:
            if health is not None:
                await health.stop()
    return 0


async def run(settings: Settings) -> int:
    """Run against Discord; a token is required."""
    if settings.uses_sandbox:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    assert settings.discord_token is not None
    from bot.endpoints import point_client_at_discord

    point_client_at_discord()
    token = settings.discord_token.get_secret_value().strip()
    return await run_bot(settings, token, sync_globally_on_start=False)


async def playground(settings: Settings, state: Path = PLAYGROUND_STATE) -> int:
    """Run against a local sandbox started here, with the playground page."""
    from bot.endpoints import point_client_at
    from bot.storage.reminders import next_due_at
    from sandbox.launcher import start_playground

    settings = settings.model_copy(update={"database_path": state / DATABASE_NAME})
    announced: list[bool] = []
    async with start_playground(
        settings.sandbox_host,
        settings.sandbox_port,
        state / "world.json",
        database_path=settings.database_path,
    ) as running:
        point_client_at(running.rest_url, running.gateway_url)

        async def announce() -> None:
            """Once ready (the first time), print the address as the last start-up line."""
            if announced:
                return
            announced.append(True)
            await asyncio.sleep(ANNOUNCE_DELAY)
            print("The bot talks to this local Discord (no DISCORD_TOKEN). Ctrl+C stops both.")
            print(f"Playground: open {running.web_url} in your browser to try the bot.", flush=True)

        def follow_the_world(bot: MentorCoach) -> None:
            running.next_event_at = lambda: next_due_at(bot.db)
            running.follow_scheduler(bot.scheduler)  # digests and summaries follow the world
            bot.add_listener(announce, "on_ready")

        return await run_bot(
            settings,
            running.token,
            sync_globally_on_start=True,
            clock=running.clock,
            on_built=follow_the_world,
        )


async def sync_commands(settings: Settings, guild_id: int | None) -> int:
    """Sync the command tree once, to one guild or globally, then exit."""
    if settings.uses_sandbox:
        print("Set DISCORD_TOKEN to sync commands with Discord.", file=sys.stderr)
        return 2
    assert settings.discord_token is not None
    import discord

    from bot.clock import SystemClock
    from bot.endpoints import point_client_at_discord

    point_client_at_discord()
    db = await open_database(settings)
    if db is None:
        return 2
    async with db:
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


def backup(settings: Settings, target: str) -> int:
    """Copy the database (consistent while the bot runs) to a file or into a folder."""
    from bot.backup import BackupError, backup_file

    try:
        path, version = backup_file(settings.database_path, target)
    except BackupError as error:
        print(error, file=sys.stderr)
        return 2
    print(f"Backed up {settings.database_path} (version {version}) to {path}.")
    return 0


def restore(settings: Settings, source: Path) -> int:
    """Put a backup back in place of the database (the bot must be stopped)."""
    from bot.backup import BackupError, restore_file
    from bot.db import load_migrations

    migrations = load_migrations()
    latest = migrations[-1].version if migrations else 0
    try:
        kept = restore_file(source, settings.database_path, latest)
    except BackupError as error:
        print(error, file=sys.stderr)
        return 2
    saved = f"; the database it replaced is in {kept}" if kept is not None else ""
    print(f"Restored {source} into {settings.database_path}{saved}.")
    return 0


async def health(settings: Settings) -> int:
    """Ask the running bot's health endpoint; exit 0 when healthy (the container HEALTHCHECK)."""
    if settings.health_port is None:
        print(NO_HEALTH_PORT, file=sys.stderr)
        return 2
    from bot.health_probe import probe

    healthy, line = await probe(settings.health_host, settings.health_port)
    print(line, file=sys.stdout if healthy else sys.stderr)
    return 0 if healthy else 1


def parser() -> argparse.ArgumentParser:
    """Build the command line."""
    root = argparse.ArgumentParser(
        prog="mentor-coach",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    root.add_argument("--version", action="version", version=f"mentor-coach {__version__}")
    commands = root.add_subparsers(dest="command")
    commands.add_parser("run", help="run the bot against Discord (needs DISCORD_TOKEN)")
    play = commands.add_parser("playground", help="run the bot against a local sandbox page")
    play.add_argument("--host", help="listen here (default SANDBOX_HOST, 127.0.0.1)")
    play.add_argument("--port", type=int, help="listen on this port (default SANDBOX_PORT, 8765)")
    play.add_argument(
        "--state", type=Path, default=PLAYGROUND_STATE, help="world and database folder"
    )
    sync = commands.add_parser("sync", help="sync the slash commands with Discord")
    sync.add_argument("--guild", type=int, help="sync to this server only (instant)")
    save = commands.add_parser("backup", help="copy the database, even while the bot runs")
    save.add_argument("path", help="a file, or a folder (ending in /) for a timestamped file")
    back = commands.add_parser("restore", help="put a backup back (stop the bot first)")
    back.add_argument("path", type=Path, help="the backup file")
    commands.add_parser("health", help="ask the running bot's health endpoint (exit 0 if ok)")
    return root


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run."""
    args = parser().parse_args(argv)
    settings = Settings()
    configure_logging(settings.log_level, settings.log_format, force=False)
    from bot import log_privacy  # redaction of every record, before anything logs

    log_privacy.install()
    command = args.command or ("playground" if settings.uses_sandbox else "run")
    if command == "playground":
        overrides = {
            key: value
            for key, value in (
                ("sandbox_host", getattr(args, "host", None)),
                ("sandbox_port", getattr(args, "port", None)),
            )
            if value is not None
        }
        state = getattr(args, "state", PLAYGROUND_STATE)
        return asyncio.run(playground(settings.model_copy(update=overrides), state))
    if command == "sync":
        return asyncio.run(sync_commands(settings, args.guild))
    if command == "backup":
        return backup(settings, args.path)
    if command == "restore":
        return restore(settings, args.path)
    if command == "health":
        return asyncio.run(health(settings))
    return asyncio.run(run(settings))


if __name__ == "__main__":
    sys.exit(main())
