"""The playground with the product bot, and a headless Debian Chromium driven by Playwright."""

from __future__ import annotations

import importlib.util
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bot.app import MentorCoach
from bot.db import Database
from sandbox.launcher import Playground, start_playground
from sandbox.testing import discord_pointed_at
from tests.e2e.conftest import start_bot

if TYPE_CHECKING:
    from playwright.async_api import Browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "playground"


def browser_missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if importlib.util.find_spec("playwright") is None:
        return "Playwright for Python is not installed (.venv/bin/pip install playwright)"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    return None


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    """Debian's Chromium, headless (no browser download: Playwright drives the system one)."""
    reason = browser_missing()
    if reason is not None:
        pytest.skip(reason)
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            await chromium.close()


@dataclass
class Live:
    """A running playground with the product bot connected to it."""

    playground: Playground
    db: Database
    bot: MentorCoach


@pytest.fixture
async def live(tmp_path: Path) -> AsyncIterator[Live]:
    """The playground (fresh world) and the bot sharing its world clock, as `make run` does."""
    async with start_playground("127.0.0.1", 0, tmp_path / "world.json") as playground:
        # The stories read relative times ("in 8 hours", "tomorrow") and lead windows: pin the
        # world to the next 09:00 UTC so that they read the same at every hour CI runs.
        now = playground.clock.now()
        nine = now.replace(hour=9, minute=0, second=0, microsecond=0)
        playground.clock.advance((nine if nine > now else nine + timedelta(days=1)) - now)
        with discord_pointed_at(playground.sandbox):
            path = tmp_path / "mentor-coach.db"
            db = await Database.open(path)
            running = await start_bot(playground.sandbox, db, playground.clock, path)

            async def next_event_at() -> datetime | None:
                from bot.storage.reminders import next_due_at

                return await next_due_at(db)

            playground.next_event_at = next_event_at
            playground.follow_scheduler(running.bot.scheduler)  # as `make run` does
            try:
                yield Live(playground, db, running.bot)
            finally:
                await running.stop()
                await db.close()


@pytest.fixture
def artifacts() -> Path:
    """Where the screenshots go (git-ignored)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
