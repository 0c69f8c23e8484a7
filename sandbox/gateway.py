"""The gateway websocket: HELLO, heartbeats, IDENTIFY/READY, RESUME, dispatch and faults."""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from sandbox import payloads
from sandbox.latency import Latency, OrderedDelay
from sandbox.models import Json
from sandbox.recorder import Recorder
from sandbox.state import SandboxState

log = logging.getLogger(__name__)

DISPATCH, HEARTBEAT, IDENTIFY, PRESENCE, VOICE, RESUME = 0, 1, 2, 3, 4, 6
RECONNECT, REQUEST_MEMBERS, INVALID_SESSION, HELLO, HEARTBEAT_ACK = 7, 8, 9, 10, 11

GUILDS = 1 << 0
GUILD_MEMBERS = 1 << 1
GUILD_MESSAGES = 1 << 9
DIRECT_MESSAGES = 1 << 12
MESSAGE_CONTENT = 1 << 15
KEEP_EVENTS = 2000


@dataclass
class GatewaySession:
    """A gateway session: survives socket drops until invalidated."""

    id: str
    intents: int
    shard: list[int] | None = None
    seq: int = 0
    events: list[tuple[int, str]] = field(default_factory=list)
    ws: web.WebSocketResponse | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    valid: bool = True


class GatewayHub:
    """Serve gateway connections and send events to the bot's current session."""

    def __init__(
        self,
        state: SandboxState,
        recorder: Recorder,
        url: Callable[[], str],
        heartbeat_interval: int = 41250,
        latency: Latency | None = None,
    ) -> None:
        self.state = state
        self.latency = latency
        self._ordered = OrderedDelay()
        self.recorder = recorder
        self.url = url
        self.heartbeat_interval = heartbeat_interval
        self.sessions: dict[str, GatewaySession] = {}
        self.current: GatewaySession | None = None
        self.sockets: set[web.WebSocketResponse] = set()
        self.received: list[Json] = []

    @property
    def connected(self) -> bool:
        """Whether a session is attached to an open socket."""
        session = self.current
        return session is not None and session.ws is not None and not session.ws.closed

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        """Serve one websocket connection."""
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self.sockets.add(ws)
        self.recorder.stats.gateway_connects += 1
        await ws.send_str(
            json.dumps(
                {
                    "op": HELLO,
                    "d": {"heartbeat_interval": self.heartbeat_interval},
                    "s": None,
                    "t": None,
                }
            )
        )
        try:
            async for message in ws:
                if message.type is not WSMsgType.TEXT:
                    continue
                frame = json.loads(message.data)
                self.received.append(frame)
                await self._on_frame(ws, frame)
        finally:
            self.sockets.discard(ws)
            for session in self.sessions.values():
                if session.ws is ws:
                    session.ws = None
            self.state.notify()
        return ws

    async def _on_frame(self, ws: web.WebSocketResponse, frame: Json) -> None:
        op, data = frame.get("op"), frame.get("d")
        if op == HEARTBEAT:
            await ws.send_str(json.dumps({"op": HEARTBEAT_ACK, "d": None, "s": None, "t": None}))
        elif op == IDENTIFY:
            await self._identify(ws, data or {})
        elif op == RESUME:
            await self._resume(ws, data or {})
        elif op == REQUEST_MEMBERS:
            await self._request_members(data or {})
        elif op not in (PRESENCE, VOICE):
            log.info("gateway: ignoring op %s", op)

    async def _identify(self, ws: web.WebSocketResponse, data: Json) -> None:
        if data.get("token") != self.state.token:
            await ws.close(code=4004, message=b"Authentication failed.")
            return
        self.recorder.stats.identifies += 1
        if self.current is not None:
            self.current.valid = False
        session = GatewaySession(
            id=secrets.token_hex(16), intents=int(data.get("intents") or 0), shard=data.get("shard")
        )
        self.sessions[session.id] = session
        self.current = session
        bot = self.state.bot_user
        ready: Json = {
            "v": 10,
            "user": payloads.client_user_payload(bot),
            "guilds": [{"id": str(g), "unavailable": True} for g in self.state.guilds],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self.url(),
            "application": {"id": str(self.state.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "geo_ordered_rtc_regions": [],
            "_trace": ["sandbox"],
        }
        if session.shard is not None:
            ready["shard"] = session.shard
        async with session.lock:
            session.ws = ws
            await self._send_event(session, "READY", ready)
            all_members = bool(session.intents & GUILD_MEMBERS)
            for guild in self.state.guilds.values():
                data = payloads.guild_payload(self.state, guild, all_members=all_members)
                await self._send_event(session, "GUILD_CREATE", data)
        self.state.notify()

    async def _resume(self, ws: web.WebSocketResponse, data: Json) -> None:
        session = self.sessions.get(str(data.get("session_id")))
        if data.get("token") != self.state.token or session is None or not session.valid:
            await ws.send_str(json.dumps({"op": INVALID_SESSION, "d": False, "s": None, "t": None}))
            return
        self.recorder.stats.resumes += 1
        seq = int(data.get("seq") or 0)
        async with session.lock:
            session.ws = ws
            for number, text in session.events:
                if number > seq:
                    await ws.send_str(text)
            await self._send_event(session, "RESUMED", {"_trace": ["sandbox"]})
        self.current = session
        self.state.notify()

    async def _request_members(self, data: Json) -> None:
        session = self.current
        guild = self.state.guilds.get(int(data.get("guild_id") or 0))
        if session is None or guild is None:
            return
        members = list(guild.members.values())
        wanted = data.get("user_ids")
        not_found: list[str] = []
        if wanted is not None:
            ids = {int(u) for u in (wanted if isinstance(wanted, list) else [wanted])}
            not_found = [str(u) for u in ids if u not in guild.members]
            members = [m for m in members if m.user_id in ids]
        elif data.get("query"):
            query = str(data["query"]).casefold()
            members = [
                m
                for m in members
                if self.state.users[m.user_id].username.casefold().startswith(query)
            ]
        limit = int(data.get("limit") or 0)
        if limit:
            members = members[:limit]
        chunk: Json = {
            "guild_id": str(guild.id),
            "members": [payloads.member_payload(self.state, m) for m in members],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": not_found,
        }
        if data.get("presences"):
            chunk["presences"] = []
        if data.get("nonce") is not None:
            chunk["nonce"] = data["nonce"]
        await self.dispatch("GUILD_MEMBERS_CHUNK", chunk)

    async def _send_event(self, session: GatewaySession, event: str, data: Any) -> None:
        session.seq += 1
        text = json.dumps({"op": DISPATCH, "t": event, "s": session.seq, "d": data})
        session.events.append((session.seq, text))
        del session.events[:-KEEP_EVENTS]
        if session.ws is not None and not session.ws.closed:
            try:
                await session.ws.send_str(text)
            except ConnectionError:
                log.info("gateway: socket gone while sending %s; kept for resume", event)

    async def dispatch(self, event: str, data: Any, *, intent: int | None = None) -> bool:
        """Send an event to the current session (buffered for resume if disconnected)."""
        session = self.current
        if session is None or (intent is not None and not session.intents & intent):
            return False
        if self.latency is not None and self.latency.enabled:
            await self._ordered.wait(self.latency.gateway_delay())
            session = self.current or session
        async with session.lock:
            await self._send_event(session, event, data)
        return True

    def wants(self, intent: int) -> bool:
        """Whether the current session asked for ``intent``."""
        return self.current is not None and bool(self.current.intents & intent)

    async def drop(self, code: int = 4000) -> None:
        """Close the bot's socket abnormally; the session stays resumable."""
        if self.current is not None and self.current.ws is not None:
            await self.current.ws.close(code=code, message=b"sandbox: connection dropped")

    async def send_op(self, op: int, data: Any) -> None:
        """Send a raw non-dispatch opcode to the bot's socket."""
        if self.current is not None and self.current.ws is not None:
            await self.current.ws.send_str(json.dumps({"op": op, "d": data, "s": None, "t": None}))

    async def close_all(self) -> None:
        """Close every socket (sandbox shutdown)."""
        for ws in list(self.sockets):
            await ws.close(code=1001, message=b"sandbox stopping")
