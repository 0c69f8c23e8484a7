"""Fixtures: a sandbox and a small test bot connected to it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import discord
import pytest

from sandbox import Sandbox
from sandbox.gateway import PRIVILEGED
from sandbox.pytest_plugin import sb
from tests.sandbox.bots import SandboxBot, build_bot

__all__ = ["bot", "sb"]


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker that passes options to the ``sb`` fixture."""
    config.addinivalue_line("markers", "sandbox_options(**kwargs): options for Sandbox()")
    config.addinivalue_line("markers", "bot_intents(intents): gateway intents of the test bot")


@pytest.fixture
async def bot(sb: Sandbox, request: pytest.FixtureRequest) -> AsyncIterator[SandboxBot]:
    """The test bot, logged in, ready, with its commands synced to the guild and globally."""
    assert sb.guild is not None
    marker = request.node.get_closest_marker("bot_intents")
    intents = discord.Intents.default() if marker is None else marker.args[0]
    # A test asking for privileged intents stands for an app that enabled them in its portal.
    sb.hub.privileged_intents |= intents.value & PRIVILEGED
    client = build_bot(sb.guild.id, intents=intents)
    task = asyncio.create_task(client.start(sb.token))
    try:
        await asyncio.wait_for(client.wait_until_ready(), 10)
        await client.tree.sync(guild=discord.Object(sb.guild.id))
        await client.tree.sync()
        yield client
    finally:
        await client.close()
        await asyncio.wait_for(task, 10)
