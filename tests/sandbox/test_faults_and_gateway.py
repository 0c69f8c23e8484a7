"""Faults on demand: 429/500/403, dropped sockets, op 7 and op 9, late and double answers."""

from __future__ import annotations

from datetime import timedelta

import aiohttp
import discord
import pytest

from sandbox import FakeClock, Sandbox
from tests.sandbox.bots import SandboxBot


def text_channel(bot: SandboxBot, sb: Sandbox, name: str) -> discord.TextChannel:
    channel = bot.get_channel(sb.channel(name).id)
    assert isinstance(channel, discord.TextChannel)
    return channel


async def test_429_is_retried_by_discord_py(sb: Sandbox, bot: SandboxBot) -> None:
    sb.faults.fail("POST /channels/{channel_id}/messages", status=429, retry_after=0.05)
    await text_channel(bot, sb, "reminders").send("Session tomorrow")
    assert [m.content for m in sb.channel("reminders").messages] == ["Session tomorrow"]
    assert sb.stats.rate_limited == 1
    statuses = [r.status for r in sb.requests if r.route == "/channels/{channel_id}/messages"]
    assert statuses == [429, 200]


async def test_500_is_retried_by_discord_py(sb: Sandbox, bot: SandboxBot) -> None:
    sb.faults.fail("POST /channels/{channel_id}/messages", status=500)
    await text_channel(bot, sb, "reminders").send("Still delivered")
    assert [m.content for m in sb.channel("reminders").messages] == ["Still delivered"]
    assert sb.stats.faults_injected == 1


async def test_a_fault_after_acting_stores_the_message_but_answers_502(
    sb: Sandbox, bot: SandboxBot
) -> None:
    route = "POST /channels/{channel_id}/messages"
    sb.faults.fail(route, status=502, after_handling=True)
    sent = await text_channel(bot, sb, "reminders").send("Stored, then 502")
    [stored] = sb.channel("reminders").messages  # discord.py's retry carries the same nonce
    assert stored.content == "Stored, then 502"
    assert stored.id == sent.id
    statuses = [r.status for r in sb.requests if r.route == "/channels/{channel_id}/messages"]
    assert statuses == [502, 200]
    assert sb.stats.faults_injected == 1


async def test_403_fault_is_expected_not_unexpected(sb: Sandbox, bot: SandboxBot) -> None:
    sb.faults.fail("POST /channels/{channel_id}/messages", status=403, code=50013, times=2)
    channel = text_channel(bot, sb, "mod-log")
    for _ in range(2):
        with pytest.raises(discord.Forbidden) as caught:
            await channel.send("x")
        assert caught.value.code == 50013
    await channel.send("third time works")
    assert sb.unexpected_errors == []


async def test_dropped_gateway_is_resumed(sb: Sandbox, bot: SandboxBot) -> None:
    await sb.drop_gateway()
    await sb.wait_for(lambda: sb.stats.resumes == 1 and sb.hub.connected)
    await sb.wait_for(lambda: "resumed" in bot.events_seen)
    reply = await sb.persona("mara").slash("timezone set", zone="Europe/Berlin")
    assert reply.content == "Time zone set to Europe/Berlin"
    assert sb.stats.identifies == 1


async def test_op7_reconnect_resumes(sb: Sandbox, bot: SandboxBot) -> None:
    await sb.send_reconnect()
    await sb.wait_for(lambda: sb.stats.resumes == 1 and sb.hub.connected)
    reply = await sb.persona("sam").slash("ping")
    assert reply.content == "pong en-US"


async def test_op9_resumable_resumes(sb: Sandbox, bot: SandboxBot) -> None:
    await sb.send_invalid_session(resumable=True)
    await sb.wait_for(lambda: sb.stats.resumes == 1 and sb.hub.connected)
    assert (await sb.persona("sam").slash("ping")).content == "pong en-US"


async def test_op9_not_resumable_identifies_again(sb: Sandbox, bot: SandboxBot) -> None:
    await sb.send_invalid_session(resumable=False)
    await sb.wait_for(lambda: sb.stats.identifies == 2 and sb.hub.connected)
    assert sb.stats.resumes == 0
    assert (await sb.persona("sam").slash("ping")).content == "pong en-US"


@pytest.mark.sandbox_options(response_deadline=0.2)
async def test_late_first_response_is_unknown_interaction(sb: Sandbox, bot: SandboxBot) -> None:
    with pytest.raises(AssertionError, match="10062"):
        await sb.persona("mara").slash("slow")
    [error] = sb.take_unexpected_errors()
    assert (error.status, error.code) == (404, 10062)


async def test_second_acknowledgement_is_refused(sb: Sandbox, bot: SandboxBot) -> None:
    reply = await sb.persona("mara").slash("ping")
    record = reply.record
    url = f"{sb.rest_url}/interactions/{record.id}/{record.token}/callback?with_response=1"
    again = {"type": 4, "data": {"content": "again"}}  # e.g. a second bot process answering too
    async with aiohttp.ClientSession() as http, http.post(url, json=again) as response:
        assert response.status == 400
        body = await response.json()
    assert body == {"message": "Interaction has already been acknowledged.", "code": 40060}
    assert [e.code for e in sb.take_unexpected_errors()] == [40060]


@pytest.mark.sandbox_options(clock=FakeClock())
async def test_followup_after_15_minutes_is_invalid_token(sb: Sandbox, bot: SandboxBot) -> None:
    await sb.persona("mara").slash("keep")
    assert bot.kept is not None
    await bot.kept.followup.send("still here?")
    assert isinstance(sb.clock, FakeClock)
    sb.clock.advance(timedelta(minutes=16))
    with pytest.raises(discord.HTTPException) as caught:
        await bot.kept.followup.send("too late")
    assert (caught.value.status, caught.value.code) == (401, 50027)
    assert [e.code for e in sb.take_unexpected_errors()] == [50027]


async def test_a_fault_after_handling_stores_the_message_but_loses_the_answer(
    sb: Sandbox,
) -> None:
    sb.faults.fail("POST /channels/{channel_id}/messages", status=502, after_handling=True)
    url = f"{sb.rest_url}/channels/{sb.channel('general').id}/messages"
    headers = {"Authorization": f"Bot {sb.token}"}
    async with (
        aiohttp.ClientSession() as http,
        http.post(url, json={"content": "kept"}, headers=headers) as response,
    ):
        assert response.status == 502
    assert [m.content for m in sb.channel("general").messages] == ["kept"]
    assert sb.stats.faults_injected == 1
