"""The gateway protocol spoken by hand: heartbeats, IDENTIFY, RESUME replay, member chunks."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
import pytest

from sandbox import Sandbox, SandboxConfig
from sandbox.gateway import ACK_DELAY, GUILD_MEMBERS
from tests.sandbox.bots import SandboxBot

PROPS = {"os": "linux", "browser": "discord.py", "device": "discord.py"}


async def receive(ws: aiohttp.ClientWebSocketResponse) -> dict[str, Any]:
    message = await ws.receive(timeout=5)
    assert message.type is aiohttp.WSMsgType.TEXT
    frame: dict[str, Any] = json.loads(message.data)
    return frame


async def test_identify_ready_and_heartbeat(sb: Sandbox) -> None:
    sb.hub.privileged_intents = GUILD_MEMBERS  # enabled for this app (intents 3 asks for it)
    async with aiohttp.ClientSession() as http:
        url = f"{sb.gateway_url}?v=10&encoding=json&compress=zlib-stream"
        async with http.ws_connect(url) as ws:
            hello = await receive(ws)
            assert hello["op"] == 10
            await ws.send_json({"op": 1, "d": None})
            assert (await receive(ws))["op"] == 11
            await ws.send_json(
                {"op": 2, "d": {"token": sb.token, "intents": 3, "properties": PROPS}}
            )
            ready = await receive(ws)
            assert (ready["t"], ready["s"]) == ("READY", 1)
            assert ready["d"]["resume_gateway_url"] == sb.gateway_url
            assert ready["d"]["guilds"][0]["unavailable"] is True
            guild = await receive(ws)
            assert (guild["t"], guild["s"]) == ("GUILD_CREATE", 2)
            assert guild["d"]["member_count"] == len(guild["d"]["members"])
            request = {"guild_id": guild["d"]["id"], "query": "m", "limit": 0, "nonce": "n1"}
            await ws.send_json({"op": 8, "d": request})
            chunk = await receive(ws)
            assert chunk["t"] == "GUILD_MEMBERS_CHUNK"
            assert chunk["d"]["nonce"] == "n1"
            names = sorted(m["user"]["username"] for m in chunk["d"]["members"])
            assert names == ["Mentor Coach", "mara", "mehdi", "morgan"]


async def test_bad_token_closes_with_4004(sb: Sandbox) -> None:
    async with aiohttp.ClientSession() as http, http.ws_connect(sb.gateway_url) as ws:
        await receive(ws)
        await ws.send_json({"op": 2, "d": {"token": "wrong", "intents": 1, "properties": PROPS}})
        message = await ws.receive(timeout=5)
        assert message.type is aiohttp.WSMsgType.CLOSE
        assert ws.close_code == 4004


async def test_resume_replays_missed_events(sb: Sandbox) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.ws_connect(sb.gateway_url) as ws:
            await receive(ws)
            await ws.send_json(
                {"op": 2, "d": {"token": sb.token, "intents": 1, "properties": PROPS}}
            )
            session_id = (await receive(ws))["d"]["session_id"]
            await receive(ws)  # GUILD_CREATE, s=2
        await sb.wait_for(lambda: not sb.hub.connected)
        await sb.hub.dispatch("TYPING_START", {"channel_id": "1", "user_id": "2", "timestamp": 0})
        async with http.ws_connect(sb.gateway_url) as ws:
            await receive(ws)
            await ws.send_json(
                {"op": 6, "d": {"token": sb.token, "session_id": session_id, "seq": 2}}
            )
            missed = await receive(ws)
            assert (missed["t"], missed["s"]) == ("TYPING_START", 3)
            resumed = await receive(ws)
            assert (resumed["t"], resumed["s"]) == ("RESUMED", 4)
        async with http.ws_connect(sb.gateway_url) as ws:
            await receive(ws)
            await ws.send_json({"op": 6, "d": {"token": sb.token, "session_id": "nope", "seq": 2}})
            assert await receive(ws) == {"op": 9, "d": False, "s": None, "t": None}


async def closed_with(ws: aiohttp.ClientWebSocketResponse) -> int | None:
    while True:
        message = await ws.receive(timeout=5)
        if message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
            return ws.close_code


def identify(sb: Sandbox, **changes: Any) -> dict[str, Any]:
    data = {"token": sb.token, "intents": 1, "properties": PROPS, **changes}
    return {"op": 2, "d": data}


@pytest.mark.parametrize(
    ("frames", "code"),
    [
        (["{not json"], 4002),
        ([{"op": 42, "d": None}], 4001),
        ([{"op": 8, "d": {"guild_id": "1", "query": "", "limit": 0}}], 4003),
        ([{"op": 3, "d": {"status": "online"}}], 4003),
        (["IDENTIFY", "IDENTIFY"], 4005),
        (["IDENTIFY:intents=2"], 4014),
        (["IDENTIFY:intents=32768"], 4014),
        (["IDENTIFY:intents=131072"], 4013),
        (["IDENTIFY:properties"], 4002),
        (["IDENTIFY:shard"], 4010),
    ],
)
async def test_close_codes(sb: Sandbox, frames: list[Any], code: int) -> None:
    async with aiohttp.ClientSession() as http, http.ws_connect(sb.gateway_url) as ws:
        await receive(ws)
        for frame in frames:
            if isinstance(frame, dict):
                await ws.send_json(frame)
            elif frame == "IDENTIFY":
                await ws.send_json(identify(sb))
            elif frame.startswith("IDENTIFY:intents="):
                await ws.send_json(identify(sb, intents=int(frame.split("=")[1])))
            elif frame == "IDENTIFY:properties":
                await ws.send_json(identify(sb, properties={}))
            elif frame == "IDENTIFY:shard":
                await ws.send_json(identify(sb, shard=[1, 1]))
            else:
                await ws.send_str(frame)
        assert await closed_with(ws) == code
    assert sb.hub.closes == [code]


async def test_a_resume_with_a_future_seq_is_4007(sb: Sandbox) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.ws_connect(sb.gateway_url) as ws:
            await receive(ws)
            await ws.send_json(identify(sb))
            session_id = (await receive(ws))["d"]["session_id"]
        async with http.ws_connect(sb.gateway_url) as ws:
            await receive(ws)
            resume = {"token": sb.token, "session_id": session_id, "seq": 999}
            await ws.send_json({"op": 6, "d": resume})
            assert await closed_with(ws) == 4007


async def test_more_than_120_frames_a_minute_is_4008(sb: Sandbox) -> None:
    async with aiohttp.ClientSession() as http, http.ws_connect(sb.gateway_url) as ws:
        await receive(ws)
        for _ in range(121):
            await ws.send_json({"op": 1, "d": None})
        assert await closed_with(ws) == 4008


@pytest.mark.sandbox_options(config=SandboxConfig(heartbeat_interval=200))
async def test_a_missed_heartbeat_closes_the_connection(sb: Sandbox) -> None:
    async with aiohttp.ClientSession() as http, http.ws_connect(sb.gateway_url) as ws:
        hello = await receive(ws)
        assert hello["d"]["heartbeat_interval"] == 200
        assert await closed_with(ws) == 4009


@pytest.mark.sandbox_options(config=SandboxConfig(heartbeat_interval=300))
async def test_discord_py_measures_a_small_latency(sb: Sandbox, bot: SandboxBot) -> None:
    await asyncio.sleep(1.5)  # several heartbeats, each measured by discord.py
    # An instant ACK can be read before discord.py's heartbeat thread records its send time
    # and is then measured against the previous heartbeat: one interval (0.3 s) here, 41.3 s
    # in `make run`. The race depends on thread scheduling; the ACK's round trip prevents it.
    assert 0 < bot.latency < 0.15
    assert sb.hub.closes == []
    reply = await sb.persona("sam").slash("ping")
    assert reply.content


async def test_the_ack_takes_a_round_trip(sb: Sandbox) -> None:
    async with aiohttp.ClientSession() as http, http.ws_connect(sb.gateway_url) as ws:
        await receive(ws)
        loop = asyncio.get_running_loop()
        sent = loop.time()
        await ws.send_json({"op": 1, "d": None})
        assert (await receive(ws))["op"] == 11
        assert loop.time() - sent >= ACK_DELAY
