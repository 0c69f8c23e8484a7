"""The playground's web routes: the page, its JSON API and a websocket for live updates.

The page never talks to the bot directly: "persona X runs /cmd" goes through the same
``InteractionFactory`` and ``Sandbox.deliver`` as the test driver (``Persona``), so what works in
the browser is what the end-to-end tests exercise.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from sandbox.app_keys import PLAYGROUND
from sandbox.driver import Persona
from sandbox.models import DM_CHANNEL, Channel, Json, User
from sandbox.playground_views import convert_options, messages_view, world_view
from sandbox.views import Reply

if TYPE_CHECKING:
    from sandbox.launcher import Playground
    from sandbox.state import SandboxState

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
PREFIX = "/playground"
DEBOUNCE = 0.05
"""Seconds to gather state changes into one live update."""
STEPS = {"hour": timedelta(hours=1), "day": timedelta(days=1)}
NEXT_EVENT_NUDGE = timedelta(seconds=1)
"""Advance a little past the next reminder's due time so that it is due."""


Action = Callable[["PlaygroundApi", Json], Awaitable[Json]]
"""A page action: the API and the request's JSON object in, the JSON answer out."""


class BadRequest(Exception):
    """The page asked for something that cannot be done; the message is shown to the user."""


def json_ok(data: Json, status: int = 200) -> web.Response:
    """Answer in JSON (aiohttp's ``json_response`` with our dumps)."""
    return web.json_response(data, status=status)


TEXT_INPUT, STRING_SELECT, LABEL, ACTION_ROW, RADIO_GROUP = 4, 3, 18, 1, 21


def _modal_inputs(components: list[Json]) -> list[tuple[str, Json]]:
    """Each input of a modal with the label Discord shows for it."""
    found: list[tuple[str, Json]] = []
    for component in components:
        if component.get("type") == ACTION_ROW:
            for inner in component.get("components") or []:
                found.append((str(inner.get("label") or inner.get("custom_id")), inner))
        elif component.get("type") == LABEL and isinstance(component.get("component"), dict):
            inner = component["component"]
            found.append((str(component.get("label") or inner.get("custom_id")), inner))
    return found


def missing_modal_fields(modal: Json, values: Json) -> list[str]:
    """List the labels of required modal fields left empty, as Discord's client refuses to submit.

    Text inputs and radio groups are required unless ``required: false``; a select in a
    modal is required unless ``required: false`` or ``min_values: 0``.
    """
    missing: list[str] = []
    for label, field in _modal_inputs(modal.get("components") or []):
        given = values.get(str(field.get("custom_id")))
        if not field.get("required", True):
            continue
        empty_text = field.get("type") in (TEXT_INPUT, RADIO_GROUP) and not str(given or "")
        empty_select = (
            field.get("type") == STRING_SELECT
            and field.get("min_values", 1) > 0
            and (not isinstance(given, list) or not given)
        )
        if empty_text or empty_select:
            missing.append(label)
    return missing


class PlaygroundApi:
    """Handlers of the page's requests, bound to one running playground."""

    def __init__(self, running: Playground) -> None:
        self.running = running
        self.sb = running.sandbox
        self.sockets: weakref.WeakSet[web.WebSocketResponse] = weakref.WeakSet()
        self.wakeups: set[asyncio.Event] = set()
        self.sb.state.listeners.append(self.changed)

    def changed(self) -> None:
        """Wake every open page socket (called by the sandbox state on each change)."""
        for event in self.wakeups:
            event.set()

    # -- helpers -----------------------------------------------------------------

    def user(self, raw: Any) -> User:
        """Find the persona named by id in a request."""
        user = self.sb.state.users.get(int(raw)) if str(raw).isdigit() else None
        if user is None or user.bot:
            raise BadRequest(f"unknown persona {raw!r}")
        return user

    def channel(self, body: Json, user: User) -> Channel:
        """Find the channel of a request: a guild channel id, or ``"dm"`` for the persona's DM."""
        raw = body.get("channel")
        if raw == "dm":
            return self.sb.state.dm_channel(user.id)
        text = str(raw)
        channel = self.sb.state.channels.get(int(text)) if text.isdigit() else None
        if channel is None:
            raise BadRequest(f"unknown channel {raw!r}")
        return channel

    def clock_view(self) -> Json:
        """Return the world clock as the page shows it."""
        now = self.running.clock.now()
        return {
            "now": now.isoformat(),
            "now_ms": int(now.timestamp() * 1000),
            "offset_ms": int(self.running.clock.offset.total_seconds() * 1000),
            "next_available": self.running.next_event_at is not None,
        }

    async def outcome(self, reply: Reply) -> Json:
        """Wait for the bot's answer; return what the page must show (a modal, an error)."""
        try:
            await self.sb.settle(reply)
        except AssertionError as error:
            return {"ok": False, "error": str(error)}
        modal = reply.modal
        if modal is not None:
            modal = {
                "title": modal.get("title"),
                "custom_id": modal.get("custom_id"),
                "components": modal.get("components") or [],
                "interaction": str(reply.record.id),
            }
        return {"ok": True, "interaction": str(reply.record.id), "modal": modal}

    # -- actions -------------------------------------------------------------------

    async def command(self, body: Json) -> Json:
        """Run a slash command as a persona, with the options filled in the form."""
        user = self.user(body.get("persona"))
        channel = self.channel(body, user)
        path = str(body.get("command") or "")
        options = convert_options(self.sb, channel, path, dict(body.get("options") or {}))
        record = self.sb.interactions.command(user, channel, path, options)
        return await self.outcome(await self.sb.deliver(record, wait=False))

    async def autocomplete(self, body: Json) -> Json:
        """Type into an autocomplete option as a persona; return the bot's choices."""
        user = self.user(body.get("persona"))
        channel = self.channel(body, user)
        path, option = str(body.get("command") or ""), str(body.get("option") or "")
        options = dict(body.get("options") or {})
        options[option] = str(body.get("typed") or "")
        values = convert_options(self.sb, channel, path, options, focused=option)
        record = self.sb.interactions.command(user, channel, path, values, focused=option)
        reply = await self.sb.deliver(record, wait=False)
        answer = await self.outcome(reply)
        return {**answer, "choices": reply.choices}

    async def context(self, body: Json) -> Json:
        """Run a user or message command from a right-click menu as a persona."""
        user = self.user(body.get("persona"))
        name = str(body.get("name") or "")
        kind = str(body.get("kind") or "")
        raw = str(body.get("target") or "")
        if not raw.isdigit():
            raise BadRequest("which target?")
        state = self.sb.state
        if kind == "message":
            message = state.messages.get(int(raw))
            if message is None or message.deleted or message.visible_to not in (None, user.id):
                raise BadRequest("this message is gone")
            channel = state.channels[message.channel_id]
            record = self.sb.interactions.context_command(user, channel, name, 3, message)
        elif kind == "user":
            target = state.users.get(int(raw))
            if target is None:
                raise BadRequest(f"unknown user {raw!r}")
            channel = self.channel(body, user)
            record = self.sb.interactions.context_command(user, channel, name, 2, target)
        else:
            raise BadRequest(f"unknown kind of context command {kind!r}")
        return await self.outcome(await self.sb.deliver(record, wait=False))

    async def component(self, body: Json) -> Json:
        """Click a button or pick in a select menu as a persona."""
        user = self.user(body.get("persona"))
        persona = Persona(self.sb, user)
        message = str(body.get("message") or "")
        if not message.isdigit():
            raise BadRequest("which message?")
        custom_id = str(body.get("custom_id") or "")
        values = body.get("values")
        if values is None:
            reply = await persona.click(int(message), custom_id, wait=False)
        elif isinstance(values, list):
            picked = [str(v) for v in values]
            reply = await persona.select(int(message), custom_id, picked, wait=False)
        else:
            raise BadRequest("values must be a list")
        return await self.outcome(reply)

    async def modal(self, body: Json) -> Json:
        """Submit, as a persona, a modal the bot opened for them."""
        user = self.user(body.get("persona"))
        raw = str(body.get("interaction") or "")
        record = self.sb.state.interactions.get(int(raw)) if raw.isdigit() else None
        if record is None:
            raise BadRequest("this form is no longer open")
        values = {str(k): v for k, v in dict(body.get("values") or {}).items()}
        missing = missing_modal_fields(record.modal or {}, values)
        if missing:
            error = f"Please fill in: {', '.join(missing)}."
            return {"ok": False, "error": error, "missing": missing}
        persona = Persona(self.sb, user)
        reply = await persona.submit_modal(Reply(self.sb.state, record), values, wait=False)
        return await self.outcome(reply)

    async def say(self, body: Json) -> Json:
        """Post a plain message as a persona."""
        user = self.user(body.get("persona"))
        channel = self.channel(body, user)
        content = str(body.get("content") or "").strip()
        if not content:
            raise BadRequest("empty message")
        dm = channel.type == DM_CHANNEL
        await Persona(self.sb, user).say(content[:2000], channel=channel, dm=dm)
        return {"ok": True}

    async def clock(self, body: Json) -> Json:
        """Move the world clock: an hour, a day, or to the next reminder."""
        step = str(body.get("advance") or "")
        clock = self.running.clock
        if step in STEPS:
            await self.running.advance(STEPS[step])
        elif step == "next":
            hook = self.running.next_event_at
            if hook is None:
                raise BadRequest("the bot does not tell when its next reminder is due")
            due = await hook()
            if due is None:
                return {"ok": False, "error": "No reminder is planned.", "clock": self.clock_view()}
            wait = due - clock.now() + NEXT_EVENT_NUDGE
            if wait > timedelta(0):
                await self.running.advance(wait)
        else:
            raise BadRequest(f"cannot advance by {step!r}")
        return {"ok": True, "clock": self.clock_view()}

    # -- live updates --------------------------------------------------------------

    async def pump(self, ws: web.WebSocketResponse, wakeup: asyncio.Event) -> None:
        """Tell one page "something changed" (with the clock) after each coalesced change."""
        while not ws.closed:
            await ws.send_json(
                {
                    "type": "changed",
                    "version": self.sb.state.version,
                    "clock": self.clock_view(),
                }
            )
            await wakeup.wait()
            await asyncio.sleep(DEBOUNCE)
            wakeup.clear()

    async def close_sockets(self) -> None:
        """Close the page sockets (the server stops)."""
        for ws in list(self.sockets):
            await ws.close()


# -- the page's routes: module-level handlers reading the API from the app ------------------


async def index(request: web.Request) -> web.StreamResponse:
    """Serve the page."""
    return web.FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})


async def personas(request: web.Request) -> web.StreamResponse:
    """Everyone the page can switch to."""
    state = request.app[PLAYGROUND].sb.state
    users = [u for u in state.users.values() if not u.bot]
    return json_ok(
        {
            "personas": [
                {"id": str(u.id), "username": u.username, "name": u.global_name or u.username}
                for u in users
            ]
        }
    )


def refused(error: BadRequest) -> web.Response:
    """Refuse a request the page should not have made: 400 with the reason to show."""
    return json_ok({"ok": False, "error": str(error)}, 400)


async def world(request: web.Request) -> web.StreamResponse:
    """Serve the world as one persona sees it, plus the clock."""
    api = request.app[PLAYGROUND]
    try:
        user = api.user(request.query.get("persona", ""))
        return json_ok({**world_view(api.sb, user), "clock": api.clock_view()})
    except BadRequest as error:
        return refused(error)


def channel_to_read(state: SandboxState, user: User, raw: str) -> Channel | None:
    """Find the page's channel: a guild channel, or the persona's DMs (None if never opened)."""
    if raw == "dm":
        channel_id = state.dm_channels.get(user.id)
        return state.channels.get(channel_id) if channel_id else None
    channel = state.channels.get(int(raw)) if raw.isdigit() else None
    if channel is None:
        raise BadRequest(f"unknown channel {raw!r}")
    return channel


async def messages(request: web.Request) -> web.StreamResponse:
    """Recent messages of a channel (or the persona's DMs with the bot)."""
    api = request.app[PLAYGROUND]
    try:
        user = api.user(request.query.get("persona", ""))
        state = api.sb.state
        channel = channel_to_read(state, user, request.query.get("channel", ""))
        return json_ok({"messages": messages_view(state, channel, user)})
    except BadRequest as error:
        return refused(error)


async def run_action(request: web.Request, action: Action) -> web.StreamResponse:
    """Run an action: JSON in, JSON out, refusals as ``{"ok": false, "error": ...}``."""
    try:
        body = await request.json()
    except ValueError:
        return json_ok({"ok": False, "error": "invalid JSON"}, 400)
    if not isinstance(body, dict):
        return json_ok({"ok": False, "error": "expected a JSON object"}, 400)
    try:
        return json_ok(await action(request.app[PLAYGROUND], body))
    except (BadRequest, AssertionError, KeyError, ValueError) as error:
        text = error.args[0] if error.args else repr(error)
        return json_ok({"ok": False, "error": str(text)}, 400)


async def command(request: web.Request) -> web.StreamResponse:
    """Run a slash command as a persona."""
    return await run_action(request, PlaygroundApi.command)


async def autocomplete(request: web.Request) -> web.StreamResponse:
    """Type into an autocomplete option as a persona."""
    return await run_action(request, PlaygroundApi.autocomplete)


async def context_command(request: web.Request) -> web.StreamResponse:
    """Run a user or message command as a persona."""
    return await run_action(request, PlaygroundApi.context)


async def component(request: web.Request) -> web.StreamResponse:
    """Click a button or pick in a select menu as a persona."""
    return await run_action(request, PlaygroundApi.component)


async def modal(request: web.Request) -> web.StreamResponse:
    """Submit a modal as a persona."""
    return await run_action(request, PlaygroundApi.modal)


async def say(request: web.Request) -> web.StreamResponse:
    """Post a plain message as a persona."""
    return await run_action(request, PlaygroundApi.say)


async def clock(request: web.Request) -> web.StreamResponse:
    """Move the world clock."""
    return await run_action(request, PlaygroundApi.clock)


async def events(request: web.Request) -> web.StreamResponse:
    """Serve a websocket telling the page "something changed" (coalesced), with the clock."""
    api = request.app[PLAYGROUND]
    ws = web.WebSocketResponse(heartbeat=20)
    await ws.prepare(request)
    wakeup = asyncio.Event()
    api.wakeups.add(wakeup)
    api.sockets.add(ws)
    task = asyncio.create_task(api.pump(ws, wakeup))
    try:
        async for message in ws:
            if message.type == WSMsgType.ERROR:
                break
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, ConnectionError):
            await task
        api.wakeups.discard(wakeup)
    return ws


async def close_sockets(app: web.Application) -> None:
    """Close the page sockets when the server stops."""
    await app[PLAYGROUND].close_sockets()


routes = web.RouteTableDef()
routes.get("/")(index)
routes.static("/static/", STATIC, append_version=False)
routes.get(f"{PREFIX}/personas")(personas)
routes.get(f"{PREFIX}/world")(world)
routes.get(f"{PREFIX}/messages")(messages)
routes.post(f"{PREFIX}/command")(command)
routes.post(f"{PREFIX}/autocomplete")(autocomplete)
routes.post(f"{PREFIX}/context")(context_command)
routes.post(f"{PREFIX}/component")(component)
routes.post(f"{PREFIX}/modal")(modal)
routes.post(f"{PREFIX}/say")(say)
routes.post(f"{PREFIX}/clock")(clock)
routes.get(f"{PREFIX}/events")(events)


def register(app: web.Application, running: Playground) -> None:
    """Add the page, its static files, its API and its websocket to the sandbox app."""
    app[PLAYGROUND] = PlaygroundApi(running)
    app.add_routes(routes)
    app.on_shutdown.append(close_sockets)
