"""A bot in its own process for the load benchmark, as in production: serve until told to stop.

`python bench/_served.py product|minimal REST_URL GATEWAY_URL TOKEN DATABASE`. It prints
`READY` once the bot is ready (the minimal bot after syncing its `/ping`), then reads commands
on stdin, one a line:

- `RSS`: print `RSS <bytes>` (this process's VmRSS);
- `PROFILE START`: start a cProfile of this process's main thread (the event loop);
- `PROFILE STOP <path>`: stop it, dump its stats to `<path>`, print `PROFILED`;
- `STOP` or end of input: close the bot and exit.

The benchmark (`bench/interactions.py`) runs the sandbox and the load generator in its own
process, so neither takes this process's event loop or CPU.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import asyncio
import cProfile
from typing import TYPE_CHECKING

import discord
import yarl
from discord.ext import commands

from bench._child import minimal_bot, rss_bytes

if TYPE_CHECKING:
    from bot.db import Database


async def _bot(kind: str, database: str) -> tuple[discord.Client, Database | None]:
    if kind == "minimal":
        return minimal_bot(), None
    from bot.app import MentorCoach
    from bot.clock import SystemClock
    from bot.db import Database
    from bot.settings import Settings
    from bot.texts import catalogue

    db = await Database.open(database)
    settings = Settings(_env_file=None, database_path=Path(database))  # type: ignore[call-arg]
    bot = MentorCoach(
        db=db,
        settings=settings,
        texts=catalogue(),
        clock=SystemClock(),
        sync_globally_on_start=True,
        guild_ready_timeout=0.1,
    )
    return bot, db


async def _serve(kind: str, token: str, database: str) -> None:
    bot, db = await _bot(kind, database)
    task = asyncio.create_task(bot.start(token))
    ready = asyncio.create_task(bot.wait_until_ready())
    await asyncio.wait({ready, task}, timeout=120, return_when=asyncio.FIRST_COMPLETED)
    if not ready.done():
        raise RuntimeError(f"the bot did not get ready: {task}")
    if isinstance(bot, commands.Bot) and db is None:
        await bot.tree.sync()
    print("READY", flush=True)
    loop = asyncio.get_running_loop()
    profile: cProfile.Profile | None = None
    while True:
        line = (await loop.run_in_executor(None, sys.stdin.readline)).strip()
        if not line or line == "STOP":
            break
        if line == "RSS":
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
    discord.http.Route.BASE = rest
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway)
    asyncio.run(_serve(kind, token, database))


if __name__ == "__main__":
    main()
