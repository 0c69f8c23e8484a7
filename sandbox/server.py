"""The Sandbox: an aiohttp server speaking Discord's REST API and gateway, plus the test driver."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from types import TracebackType
from typing import Any

from aiohttp import web

from sandbox import payloads, routes_basic, routes_commands, routes_interactions, routes_messages
from sandbox.app_keys import CONTEXT, FAULTS, LATENCY, LIMITER, SPEC
from sandbox.clock import Clock, RealClock
from sandbox.config import SandboxConfig
from sandbox.context import Context
from sandbox.driver import Persona
from sandbox.faults import Faults
from sandbox.gateway import GUILD_MEMBERS, GUILDS, INVALID_SESSION, RECONNECT, GatewayHub
from sandbox.interaction_factory import InteractionFactory
from sandbox.latency import Latency
from sandbox.messages import MessageFactory
from sandbox.middleware import middleware
from sandbox.models import Channel, Guild, InteractionRecord, Json, User
from sandbox.ratelimit import RateLimiter
from sandbox.recorder import ErrorRecord, Recorder, RequestRecord, Stats
from sandbox.spec import SpecChecker
from sandbox.state import SandboxState
from sandbox.views import MessageView, Reply
from sandbox.world import build_default_world

log = logging.getLogger(__name__)


class ChannelView:
    """A guild channel as a test sees it."""

    def __init__(self, state: SandboxState, channel: Channel) -> None:
        self._state = state
        self.channel = channel

    @property
    def id(self) -> int:
        """The channel's snowflake."""
        return self.channel.id

    @property
    def name(self) -> str | None:
        """The channel name."""
        return self.channel.name

    @property
    def messages(self) -> list[MessageView]:
        """Visible messages, oldest first."""
        return [
            MessageView(self._state, m.id) for m in self._state.visible_messages(self.channel.id)
        ]


async def gateway_socket(request: web.Request) -> web.StreamResponse:
    """Serve the gateway websocket (``ws://host:port/gateway``)."""
    return await request.app[CONTEXT].hub.handle(request)


async def attachment(request: web.Request) -> web.StreamResponse:
    """Serve an uploaded file's bytes, as Discord's CDN does."""
    # The CDN can fail too: `sb.faults.fail("GET /attachments/{c}/{a}/{f}", status=404)`.
    fault = request.app[FAULTS].take("GET", "/attachments/{channel_id}/{attachment_id}/{filename}")
    ctx = request.app[CONTEXT]
    if fault is not None:
        ctx.recorder.stats.faults_injected += 1
        return web.Response(status=fault.status, text=fault.message)
    attachment_id = request.match_info["attachment_id"]
    stored = ctx.state.attachments.get(int(attachment_id)) if attachment_id.isdigit() else None
    if stored is None:
        raise web.HTTPNotFound()
    return web.Response(
        body=stored.data, content_type=stored.content_type or "application/octet-stream"
    )


async def index(request: web.Request) -> web.StreamResponse:
    """``/`` when the playground page does not take it: where REST and the gateway are."""
    ctx = request.app[CONTEXT]
    return web.Response(
        text=f"Discord sandbox\nREST {ctx.base_url()}/api/v10\nGateway {ctx.hub.url()}\n"
    )


ROUTE_TABLES = (
    routes_basic.routes,
    routes_commands.routes,
    routes_messages.routes,
    routes_interactions.routes,
    [
        web.get("/gateway", gateway_socket),
        web.get("/attachments/{channel_id}/{attachment_id}/{filename}", attachment),
    ],
)
"""Every route of the sandbox's Discord, in registration order (the playground adds its own)."""


SHUTDOWN_TIMEOUT = 2.0
"""Seconds `stop()` lets unfinished requests end before cancelling them (aiohttp waits 60)."""


class Sandbox:
    """A local Discord for one bot: REST at ``rest_url``, gateway at ``gateway_url``."""

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        rate_limits: bool = True,
        response_deadline: float | None = None,
        spec_validation: bool = True,
        config: SandboxConfig | None = None,
        default_world: bool = True,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str | None = None,
        latency: Latency | str | None = None,
    ) -> None:
        self.config = config or SandboxConfig()
        if isinstance(latency, str):
            latency = Latency.parse(latency)
        self.latency: Latency | None = latency if latency is not None else Latency.from_env()
        """Delays of answers and dispatches (``latency=`` or ``$SANDBOX_LATENCY``), or None."""
        self.config.rate_limits = rate_limits and self.config.rate_limits
        self.config.spec_validation = spec_validation and self.config.spec_validation
        if response_deadline is not None:
            self.config.response_deadline = response_deadline
        self.host, self.port = host, port
        self.state = SandboxState(clock or RealClock())
        if token is not None:
            self.state.token = token
        self.recorder = Recorder()
        self.faults = Faults()
        self.limiter = RateLimiter(
            enabled=self.config.rate_limits,
            global_limit=self.config.global_rate_limit,
            rules=self.config.rate_limit_rules,
            invalid_limit=self.config.invalid_request_limit,
        )
        self.spec = SpecChecker(enabled=self.config.spec_validation)
        self.hub = GatewayHub(
            self.state,
            self.recorder,
            lambda: self.gateway_url,
            self.config.heartbeat_interval,
            self.latency,
            self.config.privileged_intents,
        )
        self.message_factory = MessageFactory(self.state, lambda: self.base_url)
        self.interactions = InteractionFactory(
            self.state, lambda: self.base_url, self.config.attachment_size_limit
        )
        self._runner: web.AppRunner | None = None
        self.route_hooks: list[Callable[[web.Application], None]] = []
        """Add more routes to the app at start (the playground page); may take over ``/``."""
        self.guild: Guild | None = build_default_world(self.state) if default_world else None

    # -- lifecycle ------------------------------------------------------------------

    def _app(self) -> web.Application:
        ctx = Context(
            self.state,
            self.recorder,
            self.hub,
            self.message_factory,
            self.config,
            lambda: self.base_url,
            refusal_listeners=[routes_interactions.note_refusal],
        )
        app = web.Application(middlewares=[middleware], client_max_size=64 * 1024 * 1024)
        app[CONTEXT] = ctx
        app[FAULTS] = self.faults
        app[LIMITER] = self.limiter
        app[SPEC] = self.spec
        app[LATENCY] = self.latency
        for table in ROUTE_TABLES:
            app.add_routes(table)
        for hook in self.route_hooks:
            hook(app)
        if not any(resource.canonical == "/" for resource in app.router.resources()):
            app.router.add_get("/", index)
        return app

    async def start(self) -> None:
        """Start serving; ``port=0`` picks a free port."""
        self._runner = web.AppRunner(
            self._app(), access_log=None, shutdown_timeout=SHUTDOWN_TIMEOUT
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        log.info("sandbox listening: REST %s, gateway %s", self.rest_url, self.gateway_url)

    async def stop(self) -> None:
        """Close gateway sockets and stop serving."""
        await self.hub.close_all()
        pending = [r for r in self.recorder.requests if r.status == 0]
        if pending:
            log.warning(
                "stopping with %d request(s) unanswered: %s",
                len(pending),
                ", ".join(f"{r.method} {r.path}" for r in pending[:5]),
            )
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Sandbox:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    # -- addresses and identity -----------------------------------------------------------

    @property
    def base_url(self) -> str:
        """``http://host:port``."""
        return f"http://{self.host}:{self.port}"

    @property
    def rest_url(self) -> str:
        """The value for ``discord.http.Route.BASE``."""
        return f"{self.base_url}/api/v10"

    @property
    def gateway_url(self) -> str:
        """The value for ``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY``."""
        return f"ws://{self.host}:{self.port}/gateway"

    @property
    def token(self) -> str:
        """The bot token the sandbox accepts."""
        return self.state.token

    @property
    def application_id(self) -> int:
        """The application's id (the bot user's id, as for modern apps)."""
        return self.state.application_id

    @property
    def bot_user_id(self) -> int:
        """The bot user's id."""
        return self.state.bot_user.id

    @property
    def clock(self) -> Clock:
        """The clock behind snowflakes, timestamps and interaction deadlines."""
        return self.state.clock

    @clock.setter
    def clock(self, clock: Clock) -> None:
        self.state.clock = clock
        self.state.ids.clock = clock

    # -- records -----------------------------------------------------------------

    @property
    def requests(self) -> list[RequestRecord]:
        """Every REST request the bot made, in order."""
        return self.recorder.requests

    @property
    def unexpected_errors(self) -> list[ErrorRecord]:
        """4xx answers no test asked for (plus spec mismatches)."""
        return self.recorder.unexpected_errors

    @property
    def refusals(self) -> list[ErrorRecord]:
        """Every 4xx answer, expected or not."""
        return self.recorder.refusals

    @property
    def stats(self) -> Stats:
        """Counters (requests, 429s, faults, gateway connects, resumes)."""
        return self.recorder.stats

    @property
    def spec_validation(self) -> bool:
        """Whether request bodies are checked against Discord's OpenAPI file."""
        return self.spec.enabled

    def take_unexpected_errors(self) -> list[ErrorRecord]:
        """Return and clear the unexpected errors (when a test provoked them on purpose)."""
        return self.recorder.take_unexpected()

    def assert_no_unexpected_errors(self) -> None:
        """Fail if the bot received a 4xx that no test asked for."""
        errors = self.recorder.unexpected_errors
        if errors:
            listing = "\n  ".join(str(e) for e in errors)
            raise AssertionError(
                f"the bot received {len(errors)} unexpected error(s):\n  {listing}"
            )

    def commands(self, guild: Guild | int | None = None) -> list[Json]:
        """Return the synced command tree: global, or of ``guild``."""
        scope = guild.id if isinstance(guild, Guild) else guild
        return list(self.state.commands.get(scope, []))

    # -- people and places -----------------------------------------------------------

    def persona(self, name: str) -> Persona:
        """Return the persona with this username (e.g. ``"mara"``)."""
        return Persona(self, self.state.find_user(name))

    def channel(self, name: str) -> ChannelView:
        """Return a guild channel by name (``"reminders"`` or ``"#reminders"``)."""
        return ChannelView(self.state, self.state.find_channel(name))

    def dm_channel(self, who: Persona | User) -> ChannelView:
        """Return the DM channel between the bot and ``who``."""
        return ChannelView(self.state, self.state.dm_channel(who.id))

    def add_user(
        self,
        username: str,
        *,
        global_name: str | None = None,
        locale: str = "en-US",
        bot: bool = False,
        member: bool = True,
        roles: tuple[str, ...] = (),
    ) -> Persona:
        """Create a user (by default also a member of the main guild with ``roles``)."""
        user = self.state.add_user(username, global_name=global_name, locale=locale, bot=bot)
        persona = Persona(self, user)
        if member and self.state.guilds:
            self.add_member(persona, roles=roles)
        return persona

    def add_member(
        self, who: Persona | User, *, roles: tuple[str, ...] = (), guild: Guild | None = None
    ) -> None:
        """Make ``who`` a member of ``guild`` (default: the main guild) with named roles."""
        target = guild or self.state.default_guild()
        user = who.user if isinstance(who, Persona) else who
        role_objects = [self.state.find_role(r, target.id) for r in roles]
        self.state.add_member(target, user, roles=role_objects)

    async def member_joins(
        self,
        username: str,
        *,
        global_name: str | None = None,
        locale: str = "en-US",
        roles: tuple[str, ...] = (),
    ) -> Persona:
        """Have a new user join the main guild now (GUILD_MEMBER_ADD with the members intent)."""
        persona = self.add_user(username, global_name=global_name, locale=locale, roles=roles)
        guild = self.state.default_guild()
        member = payloads.member_payload(self.state, guild.members[persona.id])
        await self.hub.dispatch(
            "GUILD_MEMBER_ADD", {**member, "guild_id": str(guild.id)}, intent=GUILD_MEMBERS
        )
        return persona

    async def member_leaves(self, who: Persona | User, guild: Guild | None = None) -> None:
        """``who`` leaves the guild (GUILD_MEMBER_REMOVE, only with the members intent).

        Afterwards DMs from the bot fail with 403 50278 when no other guild is shared.
        """
        target = guild or self.state.default_guild()
        user = who.user if isinstance(who, Persona) else who
        target.members.pop(user.id, None)
        self.state.notify()
        event = {"guild_id": str(target.id), "user": payloads.user_payload(user)}
        await self.hub.dispatch("GUILD_MEMBER_REMOVE", event, intent=GUILD_MEMBERS)

    async def set_permissions(
        self,
        channel: str | int | Channel,
        target: str | int | Persona | User,
        *,
        allow: int = 0,
        deny: int = 0,
    ) -> None:
        """Set a permission overwrite on a guild channel (CHANNEL_UPDATE to the bot).

        ``target`` is a role name (``"@everyone"``, ``"Mentor Coach"``), a persona or user, or
        an id (a user's or a role's). Nothing allowed or denied removes the overwrite.
        """
        state = self.state
        if isinstance(channel, Channel):
            where = channel
        elif isinstance(channel, int):
            where = state.channels[channel]
        else:
            where = state.find_channel(channel)
        guild_id = where.guild_id
        if guild_id is None:
            raise ValueError("DM channels have no permission overwrites")
        if isinstance(target, Persona | User):
            target_id, is_member = target.id, True
        elif isinstance(target, int):
            target_id, is_member = target, target in state.users
        else:
            target_id, is_member = state.find_role(target, guild_id).id, False
        state.set_overwrite(where, target_id, is_member=is_member, allow=allow, deny=deny)
        await self.hub.dispatch(
            "CHANNEL_UPDATE", payloads.channel_payload(state, where), intent=GUILDS
        )

    def close_dms(self, who: Persona | User) -> None:
        """Make the bot's DMs to ``who`` fail with 403 50007 (an expected refusal)."""
        user = who.user if isinstance(who, Persona) else who
        user.dms_open = False

    def open_dms(self, who: Persona | User) -> None:
        """Allow DMs to ``who`` again."""
        user = who.user if isinstance(who, Persona) else who
        user.dms_open = True

    # -- waiting and delivering -------------------------------------------------------------

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until ``predicate()`` is truthy (re-checked on every state change)."""
        try:
            await self.state.wait_for(predicate, timeout)
        except TimeoutError:
            raise AssertionError(f"condition not met within {timeout}s") from None

    async def wait_until_connected(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until the bot has an open gateway session."""
        try:
            await self.state.wait_for(lambda: self.hub.connected, timeout)
        except TimeoutError:
            raise AssertionError(
                f"the bot did not connect to the gateway within {timeout}s"
            ) from None

    async def bot_done(self, timeout: float | None = None) -> None:  # noqa: ASYNC109
        """Wait as a person would before acting: every answer to the bot delivered, and a beat.

        A person only sees what the bot has finished sending, so before the next interaction
        every REST answer must have left the sandbox (after its latency) and ``reaction_time``
        must have passed since the latest one, letting discord.py read it (and, say, register
        the view or modal it just sent).
        """
        limit = self.config.settle_timeout if timeout is None else timeout
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        recorder = self.recorder
        while True:
            try:
                await self.state.wait_for(
                    lambda: recorder.in_flight == 0, max(0.0, deadline - loop.time())
                )
            except TimeoutError:
                raise AssertionError(
                    f"the bot still had {recorder.in_flight} request(s) unanswered after {limit}s"
                ) from None
            pause = recorder.last_delivery + self.config.reaction_time - loop.time()
            if pause <= 0:
                return
            await asyncio.sleep(pause)  # then look again: the bot may have sent more meanwhile

    async def deliver(self, record: InteractionRecord, *, wait: bool = True) -> Reply:
        """Send an interaction to the bot; with ``wait``, return once the bot has answered."""
        if self.hub.current is None:
            await self.wait_until_connected(self.config.settle_timeout)
        await self.hub.dispatch("INTERACTION_CREATE", record.payload)
        reply = Reply(self.state, record)
        if wait:
            await self.settle(reply)
        return reply

    async def settle(self, reply: Reply, timeout: float | None = None) -> Reply:  # noqa: ASYNC109
        """Wait until the bot has answered ``reply``'s interaction (message, modal, choices)."""
        limit = self.config.settle_timeout if timeout is None else timeout
        record = reply.record
        try:
            await self.state.wait_for(lambda: record.settled or record.refusal, limit)
        except TimeoutError:
            errors = "; ".join(str(e) for e in self.recorder.unexpected_errors[-3:])
            detail = f" Recent errors: {errors}" if errors else ""
            raise AssertionError(
                f"{record.label}: the bot did not answer within {limit}s "
                f"(callback type {record.callback_type}).{detail}"
            ) from None
        if not record.settled and record.refusal is not None:
            raise AssertionError(
                f"{record.label}: Discord refused the bot's answer: {record.refusal}"
            )
        return reply

    # -- gateway faults ------------------------------------------------------------------

    async def drop_gateway(self) -> None:
        """Close the bot's socket abnormally (code 4000); it should RESUME."""
        await self.hub.drop()

    async def send_reconnect(self) -> None:
        """Send op 7 RECONNECT; the bot should reconnect and RESUME."""
        await self.hub.send_op(RECONNECT, None)

    async def send_invalid_session(self, resumable: bool) -> None:
        """Send op 9 INVALID_SESSION; a non-resumable one makes the bot IDENTIFY afresh."""
        if not resumable and self.hub.current is not None:
            self.hub.current.valid = False
        await self.hub.send_op(INVALID_SESSION, resumable)
