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
GUILD_PRESENCES = 1 << 8
GUILD_MESSAGES = 1 << 9
DIRECT_MESSAGES = 1 << 12
MESSAGE_CONTENT = 1 << 15
PRIVILEGED = GUILD_MEMBERS | GUILD_PRESENCES | MESSAGE_CONTENT
KNOWN_INTENTS = (1 << 26) - 1 & ~(1 << 17 | 1 << 18 | 1 << 19 | 1 << 22 | 1 << 23)
"""Every documented intent bit (0-25 minus the unused 17-19, 22, 23)."""
KEEP_EVENTS = 2000
SEND_LIMIT, SEND_WINDOW = 120, 60.0
"""Discord closes a connection that sends more than 120 frames in 60 s (4008)."""
HEARTBEAT_GRACE = 1.5
"""A missed heartbeat closes the connection after this many intervals without one."""
ACK_DELAY = 0.02
"""Seconds before a heartbeat ACK: the network's round trip. discord.py's heartbeat thread
sets its send time only after the send completed, so an instant ACK from the same process is
read first and measured against the previous heartbeat ("websocket is 41.3s behind")."""

UNKNOWN_OPCODE, DECODE_ERROR, NOT_AUTHENTICATED, AUTHENTICATION_FAILED = 4001, 4002, 4003, 4004
ALREADY_AUTHENTICATED, INVALID_SEQ, RATE_LIMITED, SESSION_TIMED_OUT = 4005, 4007, 4008, 4009
INVALID_SHARD, INVALID_INTENTS, DISALLOWED_INTENTS = 4010, 4013, 4014
CLOSE_REASONS = {
    UNKNOWN_OPCODE: "Unknown opcode.",
    DECODE_ERROR: "Decode error.",
    NOT_AUTHENTICATED: "Not authenticated.",
    AUTHENTICATION_FAILED: "Authentication failed.",
    ALREADY_AUTHENTICATED: "Already authenticated.",
    INVALID_SEQ: "Invalid seq.",
    RATE_LIMITED: "Rate limited.",
    SESSION_TIMED_OUT: "Session timed out.",
    INVALID_SHARD: "Invalid shard.",
    INVALID_INTENTS: "Invalid intent(s).",
    DISALLOWED_INTENTS: "Disallowed intent(s).",
}


class Closing(Exception):
    """The gateway closes this connection with a code (Discord's close event codes)."""

    def __init__(self, code: int) -> None:
        super().__init__(CLOSE_REASONS.get(code, str(code)))
        self.code = code


@dataclass
class Connection:
    """One websocket: whether it identified or resumed, its send budget, its heartbeats."""

    ws: web.WebSocketResponse
    session: GatewaySession | None = None
    sent: list[float] = field(default_factory=list)
    last_heartbeat: float = 0.0


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
        privileged_intents: int = 0,
    ) -> None:
        self.privileged_intents = privileged_intents
        """Privileged intents enabled for the app (the developer portal's toggles)."""
        self.closes: list[int] = []
        """Close codes the gateway sent, in order."""
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
        loop = asyncio.get_running_loop()
        connection = Connection(ws, last_heartbeat=loop.time())
        watchdog = asyncio.create_task(self._watch_heartbeats(connection))
        try:
            async for message in ws:
                if message.type is not WSMsgType.TEXT:
                    continue
                try:
                    self._count_send(connection, loop.time())
                    try:
                        frame = json.loads(message.data)
                    except ValueError:
                        raise Closing(DECODE_ERROR) from None
                    if not isinstance(frame, dict):
                        raise Closing(DECODE_ERROR)
                    self.received.append(frame)
                    await self._on_frame(connection, frame)
                except Closing as closing:
                    await self._close(ws, closing.code)
                    break
        finally:
            watchdog.cancel()
            self.sockets.discard(ws)
            for session in self.sessions.values():
                if session.ws is ws:
                    session.ws = None
            self.state.notify()
        return ws

    async def _close(self, ws: web.WebSocketResponse, code: int) -> None:
        self.closes.append(code)
        log.info("gateway: closing with %s %s", code, CLOSE_REASONS.get(code, ""))
        await ws.close(code=code, message=CLOSE_REASONS.get(code, "").encode())

    def _count_send(self, connection: Connection, now: float) -> None:
        connection.sent = [t for t in connection.sent if now - t < SEND_WINDOW]
        connection.sent.append(now)
        if len(connection.sent) > SEND_LIMIT:
            raise Closing(RATE_LIMITED)

    async def _watch_heartbeats(self, connection: Connection) -> None:
        """Close a connection whose client stopped heartbeating (4009, session timed out)."""
        loop = asyncio.get_running_loop()
        deadline = self.heartbeat_interval / 1000 * HEARTBEAT_GRACE
        while not connection.ws.closed:
            late = loop.time() - connection.last_heartbeat
            if late > deadline:
                if connection.session is not None:
                    connection.session.valid = False
                await self._close(connection.ws, SESSION_TIMED_OUT)
                return
            await asyncio.sleep(max(0.01, deadline - late))

    async def _on_frame(self, connection: Connection, frame: Json) -> None:
        op, data = frame.get("op"), frame.get("d")
        ws = connection.ws
        if op == HEARTBEAT:
            connection.last_heartbeat = asyncio.get_running_loop().time()
            await asyncio.sleep(ACK_DELAY)
            if not ws.closed:
                await ws.send_str(
                    json.dumps({"op": HEARTBEAT_ACK, "d": None, "s": None, "t": None})
                )
        elif op == IDENTIFY:
            if connection.session is not None:
                raise Closing(ALREADY_AUTHENTICATED)
            connection.session = await self._identify(ws, self._checked_identify(data))
        elif op == RESUME:
            if connection.session is not None:
                raise Closing(ALREADY_AUTHENTICATED)
            connection.session = await self._resume(ws, data if isinstance(data, dict) else {})
        elif op in (REQUEST_MEMBERS, PRESENCE, VOICE):
            if connection.session is None:
                raise Closing(NOT_AUTHENTICATED)
            if op == REQUEST_MEMBERS:
                await self._request_members(data if isinstance(data, dict) else {})
        else:
            raise Closing(UNKNOWN_OPCODE)

    def _checked_identify(self, data: Any) -> Json:
        """Refuse an IDENTIFY as Discord does: payload shape, token, shard, intents."""
        if not isinstance(data, dict):
            raise Closing(DECODE_ERROR)
        if data.get("token") != self.state.token:
            raise Closing(AUTHENTICATION_FAILED)
        properties = data.get("properties")
        if not isinstance(properties, dict) or not all(
            isinstance(properties.get(key), str) for key in ("os", "browser", "device")
        ):
            raise Closing(DECODE_ERROR)
        intents = data.get("intents")
        if not isinstance(intents, int) or isinstance(intents, bool):
            raise Closing(DECODE_ERROR)
        if intents < 0 or intents & ~KNOWN_INTENTS:
            raise Closing(INVALID_INTENTS)
        if intents & PRIVILEGED & ~self.privileged_intents:
            raise Closing(DISALLOWED_INTENTS)
        shard = data.get("shard")
        if shard is not None and not (
            isinstance(shard, list)
            and len(shard) == 2
            and all(isinstance(n, int) for n in shard)
            and 0 <= shard[0] < shard[1]
        ):
            raise Closing(INVALID_SHARD)
        return data

    async def _identify(self, ws: web.WebSocketResponse, data: Json) -> GatewaySession:
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
        return session

    async def _resume(self, ws: web.WebSocketResponse, data: Json) -> GatewaySession | None:
        session = self.sessions.get(str(data.get("session_id")))
        if data.get("token") != self.state.token or session is None or not session.valid:
            await ws.send_str(json.dumps({"op": INVALID_SESSION, "d": False, "s": None, "t": None}))
            return None
        seq = data.get("seq")
        if seq is not None and (not isinstance(seq, int) or seq > session.seq or seq < 0):
            raise Closing(INVALID_SEQ)
        self.recorder.stats.resumes += 1
        seq = int(seq or 0)
        async with session.lock:
            session.ws = ws
            for number, text in session.events:
                if number > seq:
                    await ws.send_str(text)
            await self._send_event(session, "RESUMED", {"_trace": ["sandbox"]})
        self.current = session
        self.state.notify()
        return session

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
