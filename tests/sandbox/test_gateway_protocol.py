"""The gateway protocol spoken by hand: heartbeats, IDENTIFY, RESUME replay, member chunks."""

from __future__ import annotations

import json
from typing import Any

import aiohttp

from sandbox import Sandbox


async def receive(ws: aiohttp.ClientWebSocketResponse) -> dict[str, Any]:
    message = await ws.receive(timeout=5)
    assert message.type is aiohttp.WSMsgType.TEXT
    frame: dict[str, Any] = json.loads(message.data)
    return frame


async def test_identify_ready_and_heartbeat(sb: Sandbox) -> None:
    async with aiohttp.ClientSession() as http:
        url = f"{sb.gateway_url}?v=10&encoding=json&compress=zlib-stream"
        async with http.ws_connect(url) as ws:
            hello = await receive(ws)
            assert hello["op"] == 10
            await ws.send_json({"op": 1, "d": None})
            assert (await receive(ws))["op"] == 11
            await ws.send_json({"op": 2, "d": {"token": sb.token, "intents": 3, "properties": {}}})
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
        await ws.send_json({"op": 2, "d": {"token": "wrong", "intents": 1, "properties": {}}})
        message = await ws.receive(timeout=5)
        assert message.type is aiohttp.WSMsgType.CLOSE
        assert ws.close_code == 4004


async def test_resume_replays_missed_events(sb: Sandbox) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.ws_connect(sb.gateway_url) as ws:
            await receive(ws)
            await ws.send_json({"op": 2, "d": {"token": sb.token, "intents": 1, "properties": {}}})
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
            await ws.send_json({"op": 6, "d": {"token": sb.token, "session_id": "nope", "seq": 2}})
            assert await receive(ws) == {"op": 9, "d": False, "s": None, "t": None}
