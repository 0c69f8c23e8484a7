"""The health and metrics endpoint (aiohttp; off unless `HEALTH_PORT` is set).

`GET /health` answers 200 with a JSON report when the bot is healthy, 503 with the same report
and its problems when not: gateway connected (and its latency), database writable, dispatcher
lag (now minus the oldest due pending reminder), reminders failed in the last 24 hours.
`GET /metrics` serves the Prometheus metrics (bot/metrics.py). It listens on 127.0.0.1 unless
`HEALTH_HOST` says otherwise. `mentor-coach health` asks it (bot/health_probe.py).
`GET /calendar/<token>.ics` serves a person's private calendar feed
(bot/services/calendar_feeds.py); any token that opens none gets a bare 404.
"""

from __future__ import annotations

import logging
import math
import sqlite3
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot import __version__, metrics
from bot.services.calendar_feeds import feed_for_token
from bot.storage.health import DAY, failed_since, oldest_due_pending

if TYPE_CHECKING:
    from bot.app import MentorCoach

log = logging.getLogger(__name__)

CALENDAR_TYPE = "text/calendar; charset=utf-8"
LAG_LIMIT_SECONDS = 600.0
"""A dispatcher further behind than this (10 minutes) is unhealthy."""


@dataclass(frozen=True)
class HealthReport:
    """What `/health` says."""

    version: str
    gateway_connected: bool
    gateway_latency_ms: float | None
    database_writable: bool
    dispatcher_lag_seconds: float
    reminders_failed_24h: int
    problems: list[str] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        """Tell whether nothing is wrong."""
        return not self.problems

    def as_json(self) -> dict[str, Any]:
        """Return the report as the endpoint serves it."""
        return {"status": "ok" if self.healthy else "unhealthy", **asdict(self)}


async def check(bot: MentorCoach) -> HealthReport:
    """Check the gateway, the database and the dispatcher; update the matching gauges."""
    problems: list[str] = []
    connected = bot.is_ready() and not bot.is_closed() and bot.ws is not None and bot.ws.open
    latency = bot.latency if connected and math.isfinite(bot.latency) else None
    if not connected:
        problems.append("the gateway is not connected")
    try:
        await bot.db.check_writable()
        writable = True
    except sqlite3.Error as error:
        writable = False
        problems.append(f"the database cannot be written: {error}")
    now = bot.clock.now()
    oldest = await oldest_due_pending(bot.db, now)
    lag = max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0
    if lag > LAG_LIMIT_SECONDS:
        problems.append(f"the reminder dispatcher is {lag:.0f} s behind")
    failed = await failed_since(bot.db, now - DAY)
    metrics.GATEWAY_CONNECTED.set(1 if connected else 0)
    metrics.GATEWAY_LATENCY.set(latency if latency is not None else math.nan)
    metrics.DATABASE_WRITABLE.set(1 if writable else 0)
    metrics.DISPATCHER_LAG.set(lag)
    metrics.FAILED_24H.set(failed)
    return HealthReport(
        version=__version__,
        gateway_connected=connected,
        gateway_latency_ms=round(latency * 1000, 1) if latency is not None else None,
        database_writable=writable,
        dispatcher_lag_seconds=round(lag, 3),
        reminders_failed_24h=failed,
        problems=problems,
    )


class HealthServer:
    """The endpoint's small aiohttp server, bound to one bot."""

    def __init__(self, bot: MentorCoach, host: str, port: int) -> None:
        self.bot = bot
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None

    async def health(self, request: web.Request) -> web.Response:
        """Serve the health report: 200 when healthy, else 503."""
        report = await check(self.bot)
        return web.json_response(report.as_json(), status=200 if report.healthy else 503)

    async def metrics(self, request: web.Request) -> web.Response:
        """Serve the Prometheus metrics, gauges refreshed first."""
        await check(self.bot)
        return web.Response(body=metrics.render(), headers={"Content-Type": metrics.CONTENT_TYPE})

    async def calendar(self, request: web.Request) -> web.Response:
        """Serve a person's calendar feed; 404, saying nothing more, for any other address."""
        name = request.match_info.get("name", "")
        token = name.removesuffix(".ics")
        if token == name:
            return web.Response(status=404)
        try:
            feed = await feed_for_token(self.bot.db, token, self.bot.clock.now())
        except Exception:
            log.exception("A calendar feed could not be built")  # the token is never logged
            return web.Response(status=500)
        if feed is None:
            return web.Response(status=404)
        return web.Response(
            body=feed,
            headers={
                "Content-Type": CALENDAR_TYPE,
                "Content-Disposition": 'inline; filename="mentor-coach.ics"',
                "Cache-Control": "private, max-age=0",
            },
        )

    async def start(self) -> None:
        """Start listening; with port 0, `self.port` becomes the port given by the system."""
        app = web.Application()
        app.router.add_get("/health", self.health)
        app.router.add_get("/metrics", self.metrics)
        app.router.add_get("/calendar/{name}", self.calendar)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        server = getattr(site, "_server", None)
        sockets = getattr(server, "sockets", None) or []
        if sockets:
            self.port = int(sockets[0].getsockname()[1])
        self.bot.endpoint_url = self.url
        log.info("Health endpoint on http://%s:%d/health (and /metrics)", self.host, self.port)

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            self.bot.endpoint_url = None
            await self._runner.cleanup()
            self._runner = None

    @property
    def url(self) -> str:
        """The base address (for tests and logs)."""
        return f"http://{self.host}:{self.port}"
