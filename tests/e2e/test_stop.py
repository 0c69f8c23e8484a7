"""Stopping the bot: a second signal during the stop is one clean stop.

Ctrl+C pressed twice, or a SIGTERM sent to the process group as well as to the bot: the log
shows no traceback.
"""

from __future__ import annotations

import asyncio
import logging

import pytest

from tests.e2e.conftest import World


async def test_two_stops_at_once_are_one_clean_stop(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    bot = world.bot
    with caplog.at_level(logging.INFO):
        # the launcher's signal handler calls close() once per signal, in the same loop turn
        await asyncio.gather(bot.close(), bot.close())
        await asyncio.sleep(0.05)  # callbacks scheduled by the stop have run
        await asyncio.wait_for(world.running.task, 10)
    assert bot.is_closed()
    assert not bot.scheduler.running
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], [r.getMessage()[:200] for r in errors]
    assert [r.getMessage() for r in caplog.records].count("Scheduler has been shut down") == 1
