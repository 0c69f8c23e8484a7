"""The bot sends messages and DMs: files, mentions, nonces and refusals."""

from __future__ import annotations

import io

import aiohttp
import discord
import pytest

from sandbox import Sandbox
from tests.sandbox.bots import SandboxBot


def text_channel(bot: SandboxBot, sb: Sandbox, name: str) -> discord.TextChannel:
    channel = bot.get_channel(sb.channel(name).id)
    assert isinstance(channel, discord.TextChannel)
    return channel


async def test_dm_reaches_the_persona(sb: Sandbox, bot: SandboxBot) -> None:
    mara = sb.persona("mara")
    reply = await mara.slash("dm-me")
    assert reply.content == "sent"
    assert [m.content for m in mara.dms] == ["Here is your DM"]
    assert sb.dm_channel(mara).id == sb.dm_channel(mara).id


async def test_closed_dms_give_forbidden_50007(sb: Sandbox, bot: SandboxBot) -> None:
    sofia = sb.persona("sofia")
    sb.close_dms(sofia)
    reply = await sofia.slash("dm-me")
    assert reply.content == "closed 50007"
    user = await bot.fetch_user(sofia.id)
    with pytest.raises(discord.Forbidden) as caught:
        await user.send("hello?")
    assert caught.value.code == 50007
    assert sofia.dms == []
    assert sb.unexpected_errors == []


async def test_nonce_makes_a_retried_send_idempotent(sb: Sandbox, bot: SandboxBot) -> None:
    channel = text_channel(bot, sb, "reminders")
    first = await channel.send("Session in 48 h", nonce="reminder-42")
    again = await channel.send("Session in 48 h", nonce="reminder-42")
    assert first.id == again.id
    assert [m.content for m in sb.channel("reminders").messages] == ["Session in 48 h"]


async def test_allowed_mentions_decide_who_is_pinged(sb: Sandbox, bot: SandboxBot) -> None:
    channel = text_channel(bot, sb, "general")
    sam = sb.persona("sam")
    assert sb.guild is not None
    mentor_role = next(r for r in sb.guild.roles.values() if r.name == "Mentor")
    content = f"@everyone <@&{mentor_role.id}> {sam.mention} see you"
    await channel.send(content)  # the bot's default is AllowedMentions.none()
    await channel.send(
        content, allowed_mentions=discord.AllowedMentions(users=[discord.Object(sam.id)])
    )
    quiet, targeted = sb.channel("general").messages
    assert quiet.pinged_users == []
    assert quiet.pinged_role_ids == []
    assert not quiet.mention_everyone
    assert [u.username for u in targeted.pinged_users] == ["sam"]
    assert not targeted.mention_everyone


async def test_attachments_are_stored_and_served(sb: Sandbox, bot: SandboxBot) -> None:
    channel = text_channel(bot, sb, "general")
    sent = await channel.send("notes", file=discord.File(io.BytesIO(b"hello mentor"), "notes.txt"))
    [attachment] = sb.channel("general").messages[0].attachments
    assert (attachment.filename, attachment.size, attachment.data) == (
        "notes.txt",
        12,
        b"hello mentor",
    )
    assert sent.attachments[0].url == attachment.url
    assert await sent.attachments[0].read() == b"hello mentor"


async def test_too_long_and_empty_messages_are_refused(sb: Sandbox, bot: SandboxBot) -> None:
    channel = text_channel(bot, sb, "general")
    with pytest.raises(discord.HTTPException) as too_long:
        await channel.send("x" * 2001)
    assert too_long.value.code == 50035
    with pytest.raises(discord.HTTPException) as empty:
        await channel.send(embeds=[])
    assert empty.value.code == 50006
    codes = [e.code for e in sb.take_unexpected_errors()]
    assert codes == [50035, 50006]


async def test_edit_and_delete(sb: Sandbox, bot: SandboxBot) -> None:
    channel = text_channel(bot, sb, "general")
    message = await channel.send("draft")
    await message.edit(content="final")
    [view] = sb.channel("general").messages
    assert view.content == "final"
    assert view.edited
    history = [m.content async for m in channel.history(limit=10)]
    assert history == ["final"]
    await message.delete()
    assert sb.channel("general").messages == []


async def test_private_thread(sb: Sandbox, bot: SandboxBot) -> None:
    channel = text_channel(bot, sb, "general")
    thread = await channel.create_thread(
        name="mentoring-sam", type=discord.ChannelType.private_thread
    )
    await thread.add_user(discord.Object(sb.persona("sam").id))
    await thread.send("Welcome Sam")
    assert [m.content for m in sb.channel("mentoring-sam").messages] == ["Welcome Sam"]
    assert sb.channel("mentoring-sam").channel.thread_member_ids[-1] == sb.persona("sam").id


@pytest.mark.bot_intents(discord.Intents.default() | discord.Intents(message_content=True))
async def test_persona_messages_reach_the_bot(sb: Sandbox, bot: SandboxBot) -> None:
    await sb.persona("tom").say("hello coach", channel="general")
    await sb.wait_for(lambda: bool(bot.messages_seen))
    assert bot.messages_seen[0].content == "hello coach"


async def test_unknown_route_and_wrong_token(sb: Sandbox) -> None:
    async with aiohttp.ClientSession() as http:
        headers = {"Authorization": f"Bot {sb.token}"}
        async with http.get(f"{sb.rest_url}/nope", headers=headers) as response:
            assert response.status == 404
            assert response.headers["Content-Type"] == "application/json"
            assert await response.json() == {"message": "404: Not Found", "code": 0}
        async with http.get(
            f"{sb.rest_url}/users/@me", headers={"Authorization": "Bot x"}
        ) as response:
            assert response.status == 401
            assert await response.json() == {"message": "401: Unauthorized", "code": 0}
    assert [e.status for e in sb.take_unexpected_errors()] == [404, 401]


async def test_wrong_method_is_405(sb: Sandbox) -> None:
    async with aiohttp.ClientSession() as http:
        url = f"{sb.rest_url}/users/@me"
        async with http.delete(url, headers={"Authorization": f"Bot {sb.token}"}) as response:
            assert response.status == 405
    assert [e.status for e in sb.take_unexpected_errors()] == [405]
