"""The invite link: scopes `bot` and `applications.commands`, and only the permissions used.

The bot posts in two channels a moderator picks (reminders, log): it needs to see them, send
messages and embed links there (the checks `/setup` makes). Everything else (ephemeral replies,
files, buttons, modals) goes through interaction responses, which need no channel permission.
"""

from __future__ import annotations

import discord

INVITE_PERMISSIONS = discord.Permissions(view_channel=True, send_messages=True, embed_links=True)
SCOPES = ("bot", "applications.commands")


def invite_url(application_id: int | str) -> str:
    """Return the OAuth2 link that adds the bot to a server with just these permissions."""
    return (
        f"https://discord.com/oauth2/authorize?client_id={application_id}"
        f"&scope={'+'.join(SCOPES)}&permissions={INVITE_PERMISSIONS.value}"
    )
