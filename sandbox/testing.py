"""Helpers for tests: point discord.py at a sandbox and fail on unexpected errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import discord
import yarl

from sandbox.server import Sandbox


@contextmanager
def discord_pointed_at(sandbox: Sandbox) -> Iterator[None]:
    """Make discord.py use the sandbox's REST and gateway URLs; restore them afterwards."""
    old_base = discord.http.Route.BASE
    old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = sandbox.rest_url
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(sandbox.gateway_url)
    try:
        yield
    finally:
        discord.http.Route.BASE = old_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway


def assert_clean(sandbox: Sandbox) -> None:
    """Fail the test when the bot received a 4xx nobody asked for."""
    sandbox.assert_no_unexpected_errors()
