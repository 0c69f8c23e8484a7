"""Prometheus metrics: interactions and their answer latency, reminders, 429s and errors.

One registry per process (`REGISTRY`), served by the health endpoint (`bot/health.py`) at
`/metrics`. `instrument(bot)` hooks a bot in without touching its cogs: it counts interactions as
they arrive, and times each answer from arrival to the interaction callback request, which it
sees (with every 429 and error status from Discord) through discord.py's aiohttp trace hook.
"""

from __future__ import annotations

import logging
import re
import time
from collections import OrderedDict
from types import SimpleNamespace
from typing import TYPE_CHECKING

import aiohttp
import discord
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)

if TYPE_CHECKING:
    from discord.ext import commands

REGISTRY = CollectorRegistry()
ProcessCollector(registry=REGISTRY)
PlatformCollector(registry=REGISTRY)

INTERACTIONS = Counter(
    "mentor_coach_interactions",
    "Interactions received, by command (or component) and interaction type.",
    ["command", "type"],
    registry=REGISTRY,
)
ANSWER_SECONDS = Histogram(
    "mentor_coach_answer_seconds",
    "Time from an interaction's arrival to the bot's answer (its callback), by command.",
    ["command"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0),
    registry=REGISTRY,
)
REMINDERS = Counter(
    "mentor_coach_reminders",
    "Reminders settled by the dispatcher, by kind and outcome "
    "(sent, retried, failed, missed, cancelled).",
    ["kind", "outcome"],
    registry=REGISTRY,
)
LATENESS = Histogram(
    "mentor_coach_reminder_lateness_seconds",
    "How long after its due time a reminder was sent, by kind.",
    ["kind"],
    buckets=(1, 5, 15, 60, 300, 900, 3600, 4 * 3600, 24 * 3600),
    registry=REGISTRY,
)
RATE_LIMITED = Counter(
    "mentor_coach_discord_rate_limited",
    "HTTP 429 answers from Discord, by scope (user, global, shared).",
    ["scope"],
    registry=REGISTRY,
)
HTTP_ERRORS = Counter(
    "mentor_coach_discord_http_errors",
    "Other 4xx and 5xx answers from Discord, by status.",
    ["status"],
    registry=REGISTRY,
)
ERRORS = Counter(
    "mentor_coach_errors",
    "Records logged at ERROR or above, by logger.",
    ["logger"],
    registry=REGISTRY,
)
# Set at each scrape from the health checks (bot/health.py).
GATEWAY_CONNECTED = Gauge(
    "mentor_coach_gateway_connected", "1 if the gateway is connected.", registry=REGISTRY
)
GATEWAY_LATENCY = Gauge(
    "mentor_coach_gateway_latency_seconds",
    "Last heartbeat round trip (NaN until the first).",
    registry=REGISTRY,
)
DATABASE_WRITABLE = Gauge(
    "mentor_coach_database_writable", "1 if the database accepts writes.", registry=REGISTRY
)
DISPATCHER_LAG = Gauge(
    "mentor_coach_dispatcher_lag_seconds",
    "Now minus the due time of the oldest pending reminder that is due (0 if none).",
    registry=REGISTRY,
)
FAILED_24H = Gauge(
    "mentor_coach_reminders_failed_24h",
    "Reminders due in the last 24 hours that failed.",
    registry=REGISTRY,
)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
_CALLBACK = re.compile(r"/interactions/(\d+)/[^/]+/callback$")
_PENDING_MAX = 10_000
_PENDING_AGE = 60.0
"""Seconds after which an unanswered interaction is forgotten (Discord allows 3)."""
LABEL_MAX = 60


def render() -> bytes:
    """Return every metric in the Prometheus text format."""
    return generate_latest(REGISTRY)


def interaction_label(interaction: discord.Interaction) -> tuple[str, str]:
    """Return (command, type) labels: the command's full name, or a component's id shape.

    A component's custom id loses its numeric parts (`reminder:confirm:123` counts as
    `reminder:confirm`), so that the labels stay few.
    """
    kind = interaction.type.name
    if interaction.type in (
        discord.InteractionType.application_command,
        discord.InteractionType.autocomplete,
    ):
        command = interaction.command
        name = command.qualified_name if command is not None else "unknown"
    else:
        data: object = interaction.data
        custom_id = str(data.get("custom_id", "")) if isinstance(data, dict) else ""
        parts = [part for part in re.split(r"[:/]", custom_id) if part and not part.isdigit()]
        name = ":".join(parts) or "unknown"
    return name[:LABEL_MAX], kind


def record_reminder(kind: str, outcome: str, *, lateness: float | None = None) -> None:
    """Count a settled reminder; a sent one also records how late it went out."""
    REMINDERS.labels(kind=kind, outcome=outcome).inc()
    if lateness is not None:
        LATENESS.labels(kind=kind).observe(max(0.0, lateness))


class _ErrorCounter(logging.Handler):
    """Counts ERROR records by logger (installed once, on the root logger)."""

    passive = True
    """It writes nothing: `configure_logging` does not count it as a log destination."""

    def emit(self, record: logging.LogRecord) -> None:
        ERRORS.labels(logger=record.name.split(".")[0]).inc()


def count_logged_errors() -> None:
    """Count every ERROR record from now on (idempotent)."""
    root = logging.getLogger()
    if not any(isinstance(handler, _ErrorCounter) for handler in root.handlers):
        root.addHandler(_ErrorCounter(logging.ERROR))


class Instruments:
    """What `instrument` attaches to one bot: arrival times and the HTTP trace."""

    def __init__(self) -> None:
        self._arrived: OrderedDict[int, tuple[float, str]] = OrderedDict()
        self.trace = aiohttp.TraceConfig()
        self.trace.on_request_end.append(self._on_request_end)

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """Count the interaction and remember when it arrived."""
        command, kind = interaction_label(interaction)
        INTERACTIONS.labels(command=command, type=kind).inc()
        if interaction.type is discord.InteractionType.autocomplete:
            return
        now = time.monotonic()
        self._arrived[interaction.id] = (now, command)
        while self._arrived:
            oldest, (at, _) = next(iter(self._arrived.items()))
            if now - at < _PENDING_AGE and len(self._arrived) <= _PENDING_MAX:
                break
            del self._arrived[oldest]

    async def _on_request_end(
        self,
        session: aiohttp.ClientSession,
        context: SimpleNamespace,
        params: aiohttp.TraceRequestEndParams,
    ) -> None:
        status = params.response.status
        if status == 429:
            scope = params.response.headers.get("X-RateLimit-Scope", "unknown")
            RATE_LIMITED.labels(scope=scope).inc()
        elif status >= 400:
            HTTP_ERRORS.labels(status=str(status)).inc()
        match = _CALLBACK.search(params.url.path)
        if match is not None and status < 400:
            arrived = self._arrived.pop(int(match.group(1)), None)
            if arrived is not None:
                at, command = arrived
                ANSWER_SECONDS.labels(command=command).observe(time.monotonic() - at)


def instrument(bot: commands.Bot) -> Instruments:
    """Attach metrics to a bot before it logs in (the HTTP session is made at login)."""
    instruments = Instruments()
    bot.add_listener(instruments.on_interaction, "on_interaction")
    bot.http.http_trace = instruments.trace
    count_logged_errors()
    return instruments
