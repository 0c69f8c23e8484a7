"""The health endpoint and the Prometheus metrics, read while people use the bot."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta

import aiohttp
import pytest

from bot.clock import iso
from bot.health import LAG_LIMIT_SECONDS, HealthServer
from tests.e2e.conftest import World
from tests.e2e.test_reminders import advance_to, due_of, setup_pair


def sample(text: str, name: str, **labels: str) -> float:
    """Return one sample's value from the Prometheus text (0 when absent)."""
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    for line in text.splitlines():
        match = re.fullmatch(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)", line)
        if match is None or match.group(1) != name:
            continue
        found = ",".join(sorted((match.group(2) or "").split(","))) if match.group(2) else ""
        if found == wanted:
            return float(match.group(3))
    return 0.0


@pytest.fixture
async def endpoint(world: World) -> AsyncIterator[HealthServer]:
    server = HealthServer(world.bot, "127.0.0.1", 0)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        return response.status, await response.text()


async def test_health_reports_gateway_database_and_dispatcher(
    world: World, endpoint: HealthServer
) -> None:
    assert endpoint.host == "127.0.0.1"
    assert endpoint.port > 0
    async with aiohttp.ClientSession() as http, http.get(endpoint.url + "/health") as response:
        assert response.status == 200
        report = await response.json()
    assert report["status"] == "ok"
    assert report["gateway_connected"] is True
    assert report["database_writable"] is True
    assert report["dispatcher_lag_seconds"] == 0
    assert report["reminders_failed_24h"] == 0
    assert report["problems"] == []

    # The dispatcher stops; a reminder falls due 20 minutes ago and one failed an hour ago.
    await world.bot.dispatcher.stop()
    now = world.clock.now()
    assert world.sb.guild is not None
    async with world.db.transaction() as tx:
        for status, due in (("pending", now - timedelta(minutes=20)), ("failed", now)):
            await tx.execute(
                "INSERT INTO reminders (kind, recipient_id, guild_id, slot, due_at, status, "
                "created_at) VALUES ('digest', ?, ?, ?, ?, ?, ?)",
                (world.mara.id, world.sb.guild.id, status, iso(due), status, iso(now)),
            )
    async with aiohttp.ClientSession() as http, http.get(endpoint.url + "/health") as response:
        assert response.status == 503
        report = await response.json()
    assert report["status"] == "unhealthy"
    assert report["dispatcher_lag_seconds"] >= 20 * 60 > LAG_LIMIT_SECONDS
    assert report["reminders_failed_24h"] == 1
    assert report["problems"] == [
        f"the reminder dispatcher is {report['dispatcher_lag_seconds']:.0f} s behind"
    ]
    status, text = await get(endpoint.url + "/metrics")
    assert status == 200
    assert sample(text, "mentor_coach_dispatcher_lag_seconds") >= 20 * 60
    assert sample(text, "mentor_coach_reminders_failed_24h") == 1
    assert sample(text, "mentor_coach_gateway_connected") == 1
    assert sample(text, "mentor_coach_database_writable") == 1


async def test_metrics_count_commands_answers_reminders_and_429s(
    world: World, endpoint: HealthServer
) -> None:
    _, before = await get(endpoint.url + "/metrics")
    await world.mara.slash("help")
    await world.mara.slash("help")
    await world.sb.bot_done()  # the bot has read Discord's answers (they can take a while)
    _, after = await get(endpoint.url + "/metrics")
    name, labels = (
        "mentor_coach_interactions_total",
        {"command": "help", "type": "application_command"},
    )
    assert sample(after, name, **labels) - sample(before, name, **labels) == 2
    answers = "mentor_coach_answer_seconds_count"
    assert sample(after, answers, command="help") - sample(before, answers, command="help") == 2

    # One reminder goes out after two 429s: counted by kind and outcome, with its lateness.
    session_id = await setup_pair(world, world.sam)
    due = await due_of(world, session_id, "student_reminder", "48h")
    _, before = await get(endpoint.url + "/metrics")
    world.sb.faults.fail("POST /channels/{channel_id}/messages", status=429, times=2)
    await advance_to(world, due + timedelta(seconds=30))
    assert len(world.sam.dms) == 1
    _, after = await get(endpoint.url + "/metrics")
    limited = "mentor_coach_discord_rate_limited_total"
    assert sample(after, limited, scope="user") - sample(before, limited, scope="user") == 2
    sent = {"kind": "student_reminder", "outcome": "sent"}
    assert (
        sample(after, "mentor_coach_reminders_total", **sent)
        - sample(before, "mentor_coach_reminders_total", **sent)
        == 1
    )
    lateness = "mentor_coach_reminder_lateness_seconds"
    assert (
        sample(after, f"{lateness}_count", kind="student_reminder")
        - sample(before, f"{lateness}_count", kind="student_reminder")
        == 1
    )
    assert sample(after, f"{lateness}_sum", kind="student_reminder") - sample(
        before, f"{lateness}_sum", kind="student_reminder"
    ) == pytest.approx(30, abs=1)
