"""The latency model: answers and dispatches delayed by a seeded, configurable distribution."""

from __future__ import annotations

import asyncio
import statistics

import discord
import pytest

from sandbox import Sandbox
from sandbox.latency import Fixed, Latency, LogNormal, parse_distribution
from tests.sandbox.bots import SandboxBot


def test_text_forms() -> None:
    assert parse_distribution("100ms") == Fixed(0.1)
    assert parse_distribution("fixed:0.25s") == Fixed(0.25)
    assert parse_distribution("lognormal:100ms:400ms") == LogNormal(0.1, 0.4)
    latency = Latency.parse(
        "lognormal:100ms:300ms; seed=7; gateway=fixed:20ms;"
        " POST /channels/{channel_id}/messages=fixed:1s"
    )
    assert latency.default == LogNormal(0.1, 0.3)
    assert latency.seed == 7
    assert latency.gateway == Fixed(0.02)
    assert latency.routes == {"POST /channels/{}/messages": Fixed(1.0)}
    with pytest.raises(ValueError, match="duration"):
        parse_distribution("fast")
    with pytest.raises(ValueError, match="median <= p99"):
        parse_distribution("lognormal:400ms:100ms")


def test_lognormal_has_the_asked_median_and_p99_and_is_seeded() -> None:
    latency = Latency(LogNormal(0.1, 0.5), seed=3)
    draws = sorted(latency.rest_delay("GET", "/users/@me") for _ in range(20000))
    assert statistics.median(draws) == pytest.approx(0.1, rel=0.05)
    assert draws[int(len(draws) * 0.99)] == pytest.approx(0.5, rel=0.1)
    again = Latency(LogNormal(0.1, 0.5), seed=3)
    assert [again.rest_delay("GET", "/users/@me") for _ in range(5)] == draws_in_order(3)
    other = Latency(LogNormal(0.1, 0.5), seed=4)
    assert [other.rest_delay("GET", "/users/@me") for _ in range(5)] != draws_in_order(3)


def draws_in_order(seed: int) -> list[float]:
    latency = Latency(LogNormal(0.1, 0.5), seed=seed)
    return [latency.rest_delay("GET", "/users/@me") for _ in range(5)]


def test_per_route_distribution_wins_over_the_default() -> None:
    latency = Latency(Fixed(0.0), routes={"POST /channels/{channel_id}/messages": Fixed(0.3)})
    assert latency.rest_delay("POST", "/channels/{channel_id}/messages") == 0.3
    assert latency.rest_delay("GET", "/channels/{channel_id}/messages") == 0.0
    assert latency.gateway_delay() == 0.0
    assert not Latency().enabled
    assert latency.enabled


def test_environment_variable_sets_the_latency(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANDBOX_LATENCY", "fixed:50ms;seed=9")
    latency = Sandbox().latency
    assert latency is not None
    assert latency.default == Fixed(0.05)
    assert latency.seed == 9
    monkeypatch.setenv("SANDBOX_LATENCY", "")
    assert Sandbox().latency is None
    assert Sandbox(latency="20ms").latency == Latency(Fixed(0.02))


@pytest.mark.sandbox_options(latency="POST /channels/{channel_id}/messages=fixed:300ms")
async def test_rest_answer_arrives_after_the_delay_but_the_message_exists_at_once(
    sb: Sandbox, bot: SandboxBot
) -> None:
    channel = bot.get_channel(sb.channel("general").id)
    assert isinstance(channel, discord.TextChannel)
    loop = asyncio.get_running_loop()
    started = loop.time()
    sending = asyncio.create_task(channel.send("slow news"))
    await sb.wait_for(lambda: [m.content for m in sb.channel("general").messages] == ["slow news"])
    post = next(r for r in sb.requests if r.method == "POST" and r.route.endswith("/messages"))
    assert not sending.done()
    assert not post.delivered
    await sending
    assert loop.time() - started >= 0.3
    assert post.delivered
    assert post.delay == 0.3
    others = [r for r in sb.requests if r is not post]
    assert others
    assert all(r.delay == 0.0 for r in others)


@pytest.mark.sandbox_options(latency="gateway=fixed:250ms")
async def test_gateway_dispatch_is_delayed_in_order(sb: Sandbox, bot: SandboxBot) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    sam = sb.persona("sam")
    bot_mention = f"<@{sb.bot_user_id}>"
    await asyncio.gather(sam.say(f"first {bot_mention}"), sam.say(f"second {bot_mention}"))
    assert loop.time() - started >= 0.25
    await sb.wait_for(lambda: len(bot.messages_seen) == 2)
    assert [m.content.split()[0] for m in bot.messages_seen] == ["first", "second"]


@pytest.mark.sandbox_options(latency="lognormal:60ms:200ms;seed=1")
async def test_interactions_still_settle_with_log_normal_latency(
    sb: Sandbox, bot: SandboxBot
) -> None:
    reply = await sb.persona("mara").slash("timezone set", zone="Europe/Paris")
    assert reply.content == "Time zone set to Europe/Paris"
    assert sb.latency is not None
    assert sb.latency.samples > 0
    assert sb.latency.total > 0
