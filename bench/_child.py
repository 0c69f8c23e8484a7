"""A fresh bot process for the interaction benchmark: start, say READY, idle, report its RSS.

`python bench/_child.py product|minimal REST_URL GATEWAY_URL TOKEN DATABASE`. It imports only
what its bot needs (not the sandbox, not the benchmark), so its memory is the bot's own.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import asyncio
import gc

import discord
import yarl
from discord.ext import commands

IDLE_SECONDS = 3


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


async def _main(kind: str, token: str, database: str) -> None:
    closing = []
    if kind == "product":
        from bot.app import MentorCoach
        from bot.clock import SystemClock
        from bot.db import Database
        from bot.settings import Settings
        from bot.texts import catalogue

        db = await Database.open(database)
        closing.append(db)
        settings = Settings(_env_file=None, database_path=Path(database))  # type: ignore[call-arg]
        bot: discord.Client = MentorCoach(
            db=db, settings=settings, texts=catalogue(), clock=SystemClock()
        )
    else:
        bot = minimal_bot()
    task = asyncio.create_task(bot.start(token))
    await asyncio.wait_for(bot.wait_until_ready(), 60)
    print("READY", flush=True)
    await asyncio.sleep(IDLE_SECONDS)
    gc.collect()
    print(f"RSS {rss_bytes()}", flush=True)
    await bot.close()
    await asyncio.wait_for(task, 30)
    for resource in closing:
        await resource.close()


def main() -> None:
    """Point discord.py at the sandbox given and run the bot asked for."""
    kind, rest, gateway, token, database = sys.argv[1:6]
    discord.http.Route.BASE = rest
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway)
    asyncio.run(_main(kind, token, database))


if __name__ == "__main__":
    main()
