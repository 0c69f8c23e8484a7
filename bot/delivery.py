"""Sending to a person by DM: one request in steady state, closed DMs made explicit."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord

from bot.storage.dm_channels import dm_channel_of, remember_dm_channel

if TYPE_CHECKING:
    from bot.app import MentorCoach

log = logging.getLogger(__name__)

CANNOT_DM = 50007
NO_MUTUAL_GUILD = 50278


class DmClosed(Exception):
    """The person does not accept DMs from the bot (Discord error 50007)."""

    def __init__(self, user_id: int) -> None:
        super().__init__(f"user {user_id} does not accept DMs")
        self.user_id = user_id


class LeftServer(DmClosed):
    """The person shares no server with the bot any more (Discord error 50278): they left.

    The bot does not ask for the privileged members intent, so it never sees them leave
    (GUILD_MEMBER_REMOVE); this refusal is how it learns.
    """


async def open_dm_channel(bot: MentorCoach, user_id: int) -> int:
    """Open the DM channel with a person (one request) and remember it; return its id."""
    channel = await bot.create_dm(discord.Object(id=user_id))
    await remember_dm_channel(bot.db, user_id, channel.id, bot.clock.now())
    return channel.id


async def dm_channel(bot: MentorCoach, user_id: int) -> discord.abc.Messageable:
    """Return the DM channel with a person, opening (and remembering) it the first time."""
    known = await dm_channel_of(bot.db, user_id)
    channel_id = known if known is not None else await open_dm_channel(bot, user_id)
    return bot.get_partial_messageable(channel_id, type=discord.ChannelType.private)


async def send_dm(
    bot: MentorCoach,
    user_id: int,
    *,
    content: str | None = None,
    embed: discord.Embed | None = None,
    view: discord.ui.View | None = None,
    nonce: str | None = None,
) -> discord.Message:
    """Send a DM; raise `DmClosed` when the person does not accept DMs.

    With a `nonce`, Discord returns the earlier message instead of sending a second one, so a
    retried send after a crash is not duplicated.
    """
    channel = await dm_channel(bot, user_id)
    given = {"content": content, "embed": embed, "view": view, "nonce": nonce}
    options: dict[str, Any] = {key: value for key, value in given.items() if value is not None}
    try:
        return await channel.send(**options)
    except discord.Forbidden as error:
        if error.code == NO_MUTUAL_GUILD:
            raise LeftServer(user_id) from error
        if error.code == CANNOT_DM:
            raise DmClosed(user_id) from error
        raise


async def find_in_history(
    bot: MentorCoach, channel_id: int, reference: str, limit: int
) -> int | None:
    """Return the id of the bot's recent message in a channel that carries `reference`.

    The reference is a word of an embed footer or, in a Components V2 message, of one of its
    text displays (reminders put it there): one request, the `limit` latest messages.
    """
    me = bot.user.id if bot.user is not None else None
    for message in await bot.http.logs_from(channel_id, limit):
        if me is not None and int(message["author"]["id"]) != me:
            continue
        raw: dict[str, Any] = dict(message)
        if any(reference in text.split() for text in _reference_places(raw)):
            return int(message["id"])
    return None


def _reference_places(message: dict[str, Any]) -> list[str]:
    """Return where a message may carry a reference: embed footers and V2 text displays."""
    texts = [
        str((embed.get("footer") or {}).get("text") or "") for embed in message.get("embeds") or []
    ]
    stack: list[Any] = list(message.get("components") or [])
    while stack:
        node = stack.pop()
        if not isinstance(node, dict):
            continue
        if node.get("type") == discord.ComponentType.text_display.value:
            texts.append(str(node.get("content") or ""))
        stack.extend(node.get("components") or [])
    return texts
