"""Discord's 3-second answer deadline: work that can no longer meet it is dropped early.

Under a backlog an interaction may reach the bot when its first answer can no longer arrive
in time. Running it would do the work for nobody, then have the answer refused (10062), and the
error handler would send a second, refused one. Such interactions are dropped before any
work, with one log line; the person sees Discord's own "did not respond" and can try again.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Final

import discord

log = logging.getLogger(__name__)

RESPONSE_DEADLINE: Final = timedelta(seconds=3)
"""Discord's limit between an interaction's creation and its first answer."""
SAFETY_MARGIN: Final = timedelta(milliseconds=200)
"""What an answer needs to travel: past `RESPONSE_DEADLINE - SAFETY_MARGIN` it is too late."""


def age_of(interaction: discord.Interaction) -> timedelta:
    """Return how long ago Discord created the interaction (from its snowflake id)."""
    return discord.utils.utcnow() - interaction.created_at


def too_late(interaction: discord.Interaction) -> bool:
    """Return whether a first answer to the interaction can no longer arrive in time."""
    if interaction.response.is_done():
        return False  # answered or deferred: followups have 15 minutes
    return age_of(interaction) >= RESPONSE_DEADLINE - SAFETY_MARGIN


def drop_if_too_late(interaction: discord.Interaction) -> bool:
    """Return True (and log it) when the interaction must be dropped unanswered."""
    if not too_late(interaction):
        return False
    log.warning(
        "Dropped interaction %s of user %s: it arrived %.1f s after it was created",
        interaction.id,
        interaction.user.id,
        age_of(interaction).total_seconds(),
    )
    return True
