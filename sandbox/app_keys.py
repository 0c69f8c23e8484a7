"""The typed state of the sandbox's aiohttp app: every handler reads what it needs from here.

Route handlers are module-level functions (``async def handler(request)``) in route tables;
``Sandbox`` fills these keys when it builds the app, and a handler reads, say,
``request.app[CONTEXT].state``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from sandbox.context import Context
from sandbox.faults import Faults
from sandbox.latency import Latency
from sandbox.ratelimit import RateLimiter
from sandbox.spec import SpecChecker

if TYPE_CHECKING:
    from sandbox.playground import PlaygroundApi

CONTEXT = web.AppKey("context", Context)
"""State, recorder, gateway hub, message factory and config: what every REST handler uses."""
FAULTS = web.AppKey("faults", Faults)
"""Failures injected on demand (``sb.faults``)."""
LIMITER = web.AppKey("limiter", RateLimiter)
"""Discord's rate limits (global, per route, Cloudflare's ban)."""
SPEC = web.AppKey("spec", SpecChecker)
"""Request bodies checked against Discord's OpenAPI file."""
LATENCY: web.AppKey[Latency | None] = web.AppKey("latency")
"""How long answers travel back (None: at once)."""
PLAYGROUND: web.AppKey[PlaygroundApi] = web.AppKey("playground")
"""The playground page's handlers' state (only when the page is served)."""


def context(request: web.Request) -> Context:
    """Return the shared services of the REST handlers, for this request's app."""
    return request.app[CONTEXT]
