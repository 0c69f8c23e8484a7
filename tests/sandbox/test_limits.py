"""Rate limits with Discord's headers, and request bodies checked against Discord's OpenAPI file."""

from __future__ import annotations

import logging
import time

import aiohttp
import discord
import pytest

from sandbox import Sandbox, SandboxConfig
from sandbox.errors import ApiError
from sandbox.ratelimit import BucketRule, RateLimiter
from tests.sandbox.bots import SandboxBot

FAST_BUCKET = SandboxConfig(
    rate_limit_rules=(BucketRule("POST", "/channels/{channel_id}/messages", 2, 0.3),)
)


def auth(sb: Sandbox) -> dict[str, str]:
    return {"Authorization": f"Bot {sb.token}"}


async def post_messages(sb: Sandbox, count: int) -> list[aiohttp.ClientResponse]:
    url = f"{sb.rest_url}/channels/{sb.channel('general').id}/messages"
    responses = []
    async with aiohttp.ClientSession() as http:
        for n in range(count):
            async with http.post(url, json={"content": f"m{n}"}, headers=auth(sb)) as response:
                await response.read()
                responses.append(response)
    return responses


async def test_route_bucket_headers_and_429(sb: Sandbox) -> None:
    responses = await post_messages(sb, 6)
    first, last = responses[0], responses[-1]
    assert first.headers["X-RateLimit-Limit"] == "5"
    assert first.headers["X-RateLimit-Remaining"] == "4"
    assert float(first.headers["X-RateLimit-Reset-After"]) > 0
    assert first.headers["X-RateLimit-Bucket"]
    assert [r.status for r in responses] == [200] * 5 + [429]
    assert last.headers["Via"] == "1.1 google"
    assert last.headers["Content-Type"] == "application/json"
    assert int(last.headers["Retry-After"]) >= 1
    assert sb.stats.rate_limited == 1
    assert sb.unexpected_errors == []


async def test_global_limit_is_50_per_second(sb: Sandbox) -> None:
    statuses: list[int] = []
    async with aiohttp.ClientSession() as http:
        for _ in range(55):
            async with http.get(f"{sb.rest_url}/users/@me", headers=auth(sb)) as response:
                statuses.append(response.status)
                if response.status == 429:
                    body = await response.json()
                    assert body["global"] is True
                    assert response.headers["X-RateLimit-Global"] == "true"
    assert statuses.count(429) >= 5
    assert sb.stats.global_rate_limited == statuses.count(429)


@pytest.mark.sandbox_options(rate_limits=False)
async def test_rate_limits_can_be_switched_off(sb: Sandbox) -> None:
    responses = await post_messages(sb, 8)
    assert {r.status for r in responses} == {200}
    assert "X-RateLimit-Limit" not in responses[0].headers


@pytest.mark.sandbox_options(config=FAST_BUCKET)
async def test_discord_py_waits_for_the_bucket(sb: Sandbox, bot: SandboxBot) -> None:
    channel = bot.get_channel(sb.channel("reminders").id)
    assert isinstance(channel, discord.TextChannel)
    started = time.monotonic()
    for n in range(5):
        await channel.send(f"reminder {n}")
    assert time.monotonic() - started >= 0.5
    assert len(sb.channel("reminders").messages) == 5
    assert sb.stats.rate_limited == 0


async def test_bodies_are_checked_against_the_openapi_spec(sb: Sandbox) -> None:
    if not sb.spec_validation:
        pytest.skip("Discord OpenAPI spec not found: spec validation NOT tested")
    url = f"{sb.rest_url}/channels/{sb.channel('general').id}/messages"
    async with (
        aiohttp.ClientSession() as http,
        http.post(url, json={"content": "hi", "tts": "yes"}, headers=auth(sb)) as response,
    ):
        assert response.status == 400
        body = await response.json()
    assert body["code"] == 50035
    assert body["errors"]["tts"]["_errors"][0]["code"] == "SPEC_MISMATCH"
    [mismatch] = sb.recorder.spec_mismatches
    assert "boolean" in mismatch.message
    assert [e.code for e in sb.take_unexpected_errors()] == [50035]


async def test_missing_spec_is_skipped_loudly(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("MENTOR_COACH_DISCORD_SPEC", "/nonexistent/openapi.json")
    monkeypatch.setattr("sandbox.spec._warned", False)
    with caplog.at_level(logging.WARNING, logger="sandbox.spec"):
        sandbox = Sandbox()
    assert sandbox.spec_validation is False
    assert "NOT checked" in caplog.text


def test_interaction_routes_skip_the_global_limit() -> None:
    limiter = RateLimiter(global_limit=2)
    callback = "/interactions/{interaction_id}/{interaction_token}/callback"
    for n in range(5):
        limiter.check("POST", callback, {"interaction_id": str(n), "interaction_token": "t"})
    limiter.check("GET", "/users/@me", {})
    limiter.check("GET", "/users/@me", {})
    with pytest.raises(ApiError) as caught:
        limiter.check("GET", "/users/@me", {})
    assert caught.value.body()["global"] is True


SHARED = SandboxConfig(
    rate_limit_rules=(
        BucketRule("POST", "/channels/{channel_id}/messages", 2, 5.0, group="msg", shared=True),
        BucketRule(
            "PATCH",
            "/channels/{channel_id}/messages/{message_id}",
            2,
            5.0,
            group="msg",
            shared=True,
        ),
    )
)


@pytest.mark.sandbox_options(config=SHARED)
async def test_a_shared_bucket_spans_routes_and_says_shared(sb: Sandbox) -> None:
    url = f"{sb.rest_url}/channels/{sb.channel('general').id}/messages"
    async with aiohttp.ClientSession() as http:
        async with http.post(url, json={"content": "a"}, headers=auth(sb)) as posted:
            message = await posted.json()
            bucket = posted.headers["X-RateLimit-Bucket"]
        edit = f"{url}/{message['id']}"
        async with http.patch(edit, json={"content": "b"}, headers=auth(sb)) as edited:
            assert edited.status == 200
            assert edited.headers["X-RateLimit-Bucket"] == bucket
            assert edited.headers["X-RateLimit-Remaining"] == "0"
        async with http.patch(edit, json={"content": "c"}, headers=auth(sb)) as limited:
            assert limited.status == 429
            assert limited.headers["X-RateLimit-Scope"] == "shared"
            assert (await limited.json())["global"] is False
    assert sb.limiter.banned_until == 0.0


@pytest.mark.sandbox_options(config=SandboxConfig(invalid_request_limit=5))
async def test_too_many_invalid_requests_restrict_every_request(sb: Sandbox) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(5):
            async with http.get(f"{sb.rest_url}/users/@me") as refused:
                assert refused.status == 401
        async with http.get(f"{sb.rest_url}/users/@me", headers=auth(sb)) as banned:
            assert banned.status == 429
            assert banned.content_type == "text/html"
            assert "Via" not in banned.headers
            assert await banned.text() == "error code: 1015"
    sb.take_unexpected_errors()  # the five 401s were sent on purpose
