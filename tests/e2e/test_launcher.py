"""The playground launcher: its page, a world kept across restarts, and the world clock."""

from __future__ import annotations

import json
import logging
import os
from datetime import datetime, timedelta
from pathlib import Path

import aiohttp
import pytest

from sandbox.launcher import fresh_world_database, start_playground


async def test_page_and_static_files_are_served(tmp_path: Path) -> None:
    async with (
        start_playground("127.0.0.1", 0, tmp_path / "world.json") as playground,
        aiohttp.ClientSession() as http,
    ):
        assert playground.web_url.startswith("http://127.0.0.1:")
        assert playground.web_url.endswith("/")
        assert playground.rest_url == playground.web_url + "api/v10"
        assert playground.gateway_url.startswith("ws://127.0.0.1:")
        assert playground.token.startswith("sandbox.")
        expected = {
            "": ("text/html", "Mentor Coach playground"),
            "static/app.js": ("javascript", "function renderMessage"),
            "static/style.css": ("text/css", ".embed"),
        }
        for path, (kind, snippet) in expected.items():
            async with http.get(playground.web_url + path) as response:
                assert response.status == 200, path
                assert kind in response.headers["Content-Type"], path
                assert snippet in await response.text(), path
        async with http.get(playground.web_url + "static/nothing.js") as missing:
            assert missing.status == 404


async def test_world_is_kept_in_the_state_file_across_restarts(tmp_path: Path) -> None:
    path = tmp_path / "state" / "world.json"
    async with start_playground("127.0.0.1", 0, path) as playground:
        sb = playground.sandbox
        first = {name: sb.persona(name).id for name in ("morgan", "mara", "sam", "olga")}
        guild_id = sb.guild.id if sb.guild else None
        await sb.persona("sam").say("hello from the first run")
    saved = json.loads(path.read_text())
    assert {u["username"] for u in saved["users"]} >= {"mara", "mehdi", "sofia", "tom"}

    async with start_playground("127.0.0.1", 0, path) as playground:
        sb = playground.sandbox
        assert {name: sb.persona(name).id for name in first} == first
        assert sb.guild is not None
        assert sb.guild.id == guild_id
        assert [m.content for m in sb.channel("general").messages] == ["hello from the first run"]
        assert sb.state.find_role("Mentor", sb.guild.id).id in sb.guild.members[first["mara"]].roles


async def test_clock_advances_and_the_world_time_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "world.json"
    async with (
        start_playground("127.0.0.1", 0, path) as playground,
        aiohttp.ClientSession() as http,
    ):
        clock_url = playground.web_url + "playground/clock"
        before = playground.clock.now()
        async with http.post(clock_url, json={"advance": "day"}) as response:
            answer = await response.json()
        assert answer["ok"] is True
        assert playground.clock.now() - before >= timedelta(days=1)
        assert playground.sandbox.clock.now() - before >= timedelta(days=1)

        async with http.post(clock_url, json={"advance": "next"}) as response:
            assert response.status == 400  # the bot side has not told when reminders are due

        due = playground.clock.now() + timedelta(hours=5)

        async def next_event_at() -> datetime | None:
            return due

        playground.next_event_at = next_event_at
        async with http.post(clock_url, json={"advance": "next"}) as response:
            answer = await response.json()
        assert answer["ok"] is True
        assert answer["clock"]["next_available"] is True
        assert playground.clock.now() >= due
        offset = playground.clock.offset

    async with start_playground("127.0.0.1", 0, path) as playground:
        assert playground.clock.offset == offset


async def test_an_unreadable_state_file_gives_a_fresh_world(tmp_path: Path) -> None:
    path = tmp_path / "world.json"
    path.write_text('{"format": 1, "users": []}')
    async with start_playground("127.0.0.1", 0, path) as playground:
        assert playground.sandbox.persona("mara").name == "mara"
    assert "mara" in path.read_text()


CORRUPTED = [
    "not json at all",
    "[1, 2, 3]",
    '{"format": 99}',
    '{"format": 1, "users": []}',
    '{"format": 1, "users": 5, "guilds": "x"}',
    '{"format": 1, "users": [{"id": 1, "username": "x", "surprise": true}]}',
    '{"format": 1, "clock_offset_seconds": "soon"}',
    "\u0000\u0001",
]


@pytest.mark.parametrize("content", CORRUPTED)
async def test_a_corrupted_world_is_kept_aside_and_a_fresh_one_starts(
    tmp_path: Path, content: str, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "world.json"
    path.write_text(content)
    with caplog.at_level(logging.WARNING, logger="sandbox.playground_store"):
        async with start_playground("127.0.0.1", 0, path) as playground:
            assert playground.sandbox.persona("mara").name == "mara"
    [kept] = [tmp_path / n for n in os.listdir(tmp_path) if n.startswith("world.json.broken-")]
    assert kept.read_text() == content  # the original, untouched
    assert "mara" in path.read_text()  # the fresh world was saved in its place
    [line] = [r.getMessage() for r in caplog.records if "unusable" in r.getMessage()]
    assert f"kept it as {kept}" in line
    assert "started a fresh world" in line


async def test_the_page_api_shows_the_world_as_a_persona_sees_it(tmp_path: Path) -> None:
    async with (
        start_playground("127.0.0.1", 0, tmp_path / "world.json") as playground,
        aiohttp.ClientSession() as http,
    ):
        sb = playground.sandbox
        mara = sb.persona("mara")
        await mara.say(f"hi {sb.persona('sam').mention}")
        base = playground.web_url + "playground/"
        async with http.get(base + f"world?persona={mara.id}") as response:
            world = await response.json()
        assert [c["name"] for c in world["channels"]] == ["general", "reminders", "mod-log"]
        assert {m["username"] for m in world["members"]} >= {"morgan", "mara", "sam", "olga"}
        assert world["names"]["users"][str(sb.persona("sam").id)] == "Sam"
        assert world["clock"]["next_available"] is False
        general = world["channels"][0]["id"]
        async with http.get(base + f"messages?persona={mara.id}&channel={general}") as response:
            [message] = (await response.json())["messages"]
        assert message["author"]["name"] == "Mara"
        async with http.get(base + "world?persona=12") as response:
            assert response.status == 400


async def test_a_fresh_world_sets_the_bot_database_aside(tmp_path: Path) -> None:
    path = tmp_path / "world.json"
    database = tmp_path / "mentor-coach.db"
    async with start_playground("127.0.0.1", 0, path) as playground:
        assert playground.fresh
        assert fresh_world_database(database) is None  # nothing to set aside yet
    database.write_bytes(b"old world's data")
    (tmp_path / "mentor-coach.db-wal").write_bytes(b"wal")
    async with start_playground("127.0.0.1", 0, path) as playground:
        assert not playground.fresh  # the same world: the database stays
    os.remove(path)  # starting afresh
    async with start_playground("127.0.0.1", 0, path) as playground:
        assert playground.fresh
        kept = fresh_world_database(database)
    assert kept is not None
    assert not database.exists()
    assert kept.read_bytes() == b"old world's data"
    assert kept.with_name(kept.name + "-wal").read_bytes() == b"wal"
