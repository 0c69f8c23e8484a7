"""The product bot in a process of its own, against a sandbox, so a test can kill it (-9).

`python -m tests.e2e.bot_process REST_URL GATEWAY_URL TOKEN DATABASE_PATH` prints `READY` once
connected, then runs until it is stopped or killed.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from bot.app import MentorCoach
from bot.clock import SystemClock
from bot.db import Database
from bot.endpoints import point_client_at
from bot.settings import Settings
from bot.texts import catalogue


async def run(rest_url: str, gateway_url: str, token: str, path: Path) -> None:
    """Run the bot until it is closed; say READY on stdout once it is."""
    point_client_at(rest_url, gateway_url)
    settings = Settings(_env_file=None, database_path=path)  # type: ignore[call-arg]
    async with await Database.open(path) as db:
        bot = MentorCoach(
            db=db,
            settings=settings,
            texts=catalogue(),
            clock=SystemClock(),
            sync_globally_on_start=True,
            guild_ready_timeout=0.1,
        )

        async def announce() -> None:
            await bot.wait_until_ready()
            print("READY", flush=True)

        async with bot:
            announcing = asyncio.create_task(announce())
            await bot.start(token)
            announcing.cancel()


if __name__ == "__main__":
    rest, gateway, token, database = sys.argv[1:5]
    asyncio.run(run(rest, gateway, token, Path(database)))
