"""Where the discord.py client connects: Discord itself or the local sandbox."""

from __future__ import annotations

import discord
import yarl

DISCORD_REST = "https://discord.com/api/v10"
DISCORD_GATEWAY = "wss://gateway.discord.gg/"


def point_client_at(rest_url: str, gateway_url: str) -> None:
    """Send discord.py's REST and gateway traffic to the given URLs (public class attributes)."""
    discord.http.Route.BASE = rest_url
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


def point_client_at_discord() -> None:
    """Send discord.py's traffic to Discord itself."""
    point_client_at(DISCORD_REST, DISCORD_GATEWAY)
