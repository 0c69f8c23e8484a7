"""A bot in its own process for the interaction benchmark, as in production: serve until stopped.

`python bench/_served.py product|minimal REST_URL GATEWAY_URL TOKEN DATABASE [--load]`. It
imports only what its bot needs (not the sandbox, not the benchmark), so its memory is the
bot's own. It prints `READY` once the bot is ready, then reads commands on stdin, one a line:

- `RSS`: collect garbage, print `RSS <bytes>` (this process's VmRSS);
- `PROFILE START`: start a cProfile of this process's main thread (the event loop);
- `PROFILE STOP <path>`: stop it, dump its stats to `<path>`, print `PROFILED`;
- `STOP` or end of input: close the bot and exit.

Without `--load` the bot starts as in production (the start-to-ready and idle-memory lines).
With it, for the load table: the product bot syncs its commands to the sandbox at start and
does not wait for guild members; the minimal bot syncs its `/ping` before saying READY.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import asyncio
import cProfile
import gc
from typing import TYPE_CHECKING

import discord
import yarl
from discord.ext import commands

if TYPE_CHECKING:
    from bot.db import Database


def rss_bytes() -> int:
    """Return this process's resident memory (VmRSS), in bytes."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("VmRSS not found")


def minimal_bot() -> commands.Bot:
    """Return the baseline: a discord.py bot with one /ping command and nothing else."""
    intents = discord.Intents.none()
    intents.guilds = True
    bot = commands.Bot(command_prefix=commands.when_mentioned, intents=intents, help_command=None)

    @bot.tree.command(name="ping", description="Pong")
    async def ping(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("pong", ephemeral=True)

    del ping
    return bot


async def _bot(kind: str, database: str, *, load: bool) -> tuple[discord.Client, Database | None]:
    if kind == "minimal":
        return minimal_bot(), None
    from bot.app import MentorCoach
    from bot.clock import SystemClock
    from bot.db import Database
    from bot.settings import Settings
    from bot.texts import catalogue

    db = await Database.open(database)
    settings = Settings(_env_file=None, database_path=Path(database))  # type: ignore[call-arg]
    if not load:
        return MentorCoach(db=db, settings=settings, texts=catalogue(), clock=SystemClock()), db
    bot = MentorCoach(
        db=db,
        settings=settings,
        texts=catalogue(),
        clock=SystemClock(),
        sync_globally_on_start=True,
        guild_ready_timeout=0.1,
    )
    return bot, db


async def _stdin() -> asyncio.StreamReader:
    """Return stdin as a stream read on the event loop (no reader thread in the process)."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    return reader


async def _serve(kind: str, token: str, database: str, *, load: bool) -> None:
    bot, db = await _bot(kind, database, load=load)
    task = asyncio.create_task(bot.start(token))
    ready = asyncio.create_task(bot.wait_until_ready())
    await asyncio.wait({ready, task}, timeout=120, return_when=asyncio.FIRST_COMPLETED)
    if not ready.done():
        raise RuntimeError(f"the bot did not get ready: {task}")
    if load and isinstance(bot, commands.Bot) and db is None:
        await bot.tree.sync()
    print("READY", flush=True)
    commands_in = await _stdin()
    profile: cProfile.Profile | None = None
    while True:
        line = (await commands_in.readline()).decode().strip()
        if not line or line == "STOP":
            break
        if line == "RSS":
            gc.collect()
            print(f"RSS {rss_bytes()}", flush=True)
        elif line == "PROFILE START":
            profile = cProfile.Profile()
            profile.enable()
        elif line.startswith("PROFILE STOP ") and profile is not None:
            profile.disable()
            profile.dump_stats(line.removeprefix("PROFILE STOP "))
            profile = None
            print("PROFILED", flush=True)
    await bot.close()
    await asyncio.wait_for(task, 30)
    if db is not None:
        await db.close()


def main() -> None:
    """Point discord.py at the sandbox given and serve the bot asked for."""
    kind, rest, gateway, token, database = sys.argv[1:6]
    load = sys.argv[6:] == ["--load"]
    discord.http.Route.BASE = rest
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway)
    asyncio.run(_serve(kind, token, database, load=load))


if __name__ == "__main__":
    main()
