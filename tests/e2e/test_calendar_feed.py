"""The private calendar feed: a secret address calendars subscribe to, following every change."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import aiohttp
import pytest
from icalendar import Calendar

from bot.clock import iso
from bot.health import HealthServer
from bot.storage import sessions as session_store
from bot.texts import tr
from sandbox.driver import Persona
from sandbox.views import Reply
from tests.e2e.conftest import World
from tests.e2e.test_privacy import seed, traces_of
from tests.e2e.test_query_plans import check

START = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
"""A Tuesday, 09:00 in Paris."""
MEET = "https://meet.example.org/sam-weekly"
WEBCAL = re.compile(r"webcal://[^\s`]+\.ics")


@pytest.fixture
async def endpoint(world: World) -> AsyncIterator[HealthServer]:
    server = HealthServer(world.bot, "127.0.0.1", 0)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


def link_in(reply: Reply) -> str:
    [url] = WEBCAL.findall(reply.content)
    return url


async def fetch(url: str) -> tuple[int, str, bytes]:
    """GET a feed as a calendar app would (webcal:// is http:// underneath)."""
    http_url = "http://" + url.removeprefix("webcal://")
    async with aiohttp.ClientSession() as http, http.get(http_url) as response:
        return response.status, response.headers.get("Content-Type", ""), await response.read()


async def events_at(url: str) -> dict[str, Calendar]:
    status, content_type, body = await fetch(url)
    assert status == 200, status
    assert content_type.startswith("text/calendar")
    return {str(event["uid"]): event for event in Calendar.from_ical(body).walk("VEVENT")}


async def pair(world: World, mentor: Persona, student: Persona, when: str) -> int:
    """The mentor (Paris) follows the student, with a meeting link; one session; its id."""
    world.clock.set(START)
    await mentor.slash("timezone set", zone="Europe/Paris")
    await mentor.slash("student add", member=student, project="P2 · Portfolio", session_length=30)
    name = student.user.global_name or student.name
    await mentor.slash("student edit", student=name, meeting_link=MEET)
    reply = await mentor.slash("session schedule", student=name, when=when)
    assert "<t:" in reply.content, reply.content
    assert world.sb.guild is not None
    [view] = await session_store.sessions_of_mentor(world.db, world.sb.guild.id, mentor.id)
    return view.session.id


async def test_mentor_and_student_subscribe_and_the_feed_follows_moves_and_cancellation(
    world: World, endpoint: HealthServer
) -> None:
    mara, sam = world.mara, world.sam
    session_id = await pair(world, mara, sam, "2026-12-04 18:00")
    uid = f"session-{session_id}@mentor-coach"

    mine = await mara.slash("calendar subscribe")
    assert mine.ephemeral
    assert mine.buttons == ["Reset the link"]
    assert "It holds 1 planned session" in mine.content
    mara_url = link_in(mine)
    assert mara_url.startswith(f"webcal://127.0.0.1:{endpoint.port}/calendar/")
    theirs = await sam.slash("calendar subscribe", dm=True)
    assert theirs.ephemeral
    sam_url = link_in(theirs)
    assert sam_url != mara_url
    # Only a fingerprint is stored: no working address in the database.
    rows = await world.db.fetch_all("SELECT token_hash FROM calendar_feeds ORDER BY user_id")
    assert len(rows) == 2
    tokens = [url.rsplit("/", 1)[1].removesuffix(".ics") for url in (mara_url, sam_url)]
    stored = {str(row["token_hash"]) for row in rows}
    assert not any(token in hashed for token in tokens for hashed in stored)

    # Both feeds list the session, named for each, with the meeting link and the project.
    [event] = (await events_at(mara_url)).values()
    assert str(event["uid"]) == uid
    assert str(event["summary"]) == "Regular session with Sam"
    assert event.decoded("dtstart") == datetime(2026, 12, 4, 17, 0, tzinfo=UTC)
    assert int(event["sequence"]) == 0
    assert str(event["status"]) == "CONFIRMED"
    assert str(event["url"]) == MEET
    assert MEET in str(event["description"])
    assert "P2 · Portfolio" in str(event["description"])
    [seen] = (await events_at(sam_url)).values()
    assert str(seen["uid"]) == uid
    assert str(seen["summary"]) == f"Regular session with your mentor {mara.user.global_name}"

    # Moved: the same UID, a later start, a higher SEQUENCE, in both feeds.
    await mara.slash("session reschedule", session=str(session_id), when="2026-12-05 10:00")
    for url in (mara_url, sam_url):
        moved = (await events_at(url))[uid]
        assert moved.decoded("dtstart") == datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
        assert int(moved["sequence"]) > 0
        assert str(moved["status"]) == "CONFIRMED"
    sequence = int((await events_at(sam_url))[uid]["sequence"])

    # Cancelled: still there, same UID, marked cancelled (so calendars remove it).
    question = await mara.slash("session cancel", session=str(session_id))
    await mara.click(question, "Cancel session")
    for url in (mara_url, sam_url):
        cancelled = (await events_at(url))[uid]
        assert str(cancelled["status"]) == "CANCELLED"
        assert int(cancelled["sequence"]) >= sequence
    world.sb.assert_no_unexpected_errors()


async def test_asking_again_cannot_show_the_link_and_a_reset_kills_the_old_one(
    world: World, endpoint: HealthServer
) -> None:
    mara, sam = world.mara, world.sam
    await pair(world, mara, sam, "2026-12-04 18:00")
    first = await mara.slash("calendar subscribe")
    old_url = link_in(first)
    again = await mara.slash("calendar subscribe")
    assert WEBCAL.findall(again.content) == []
    assert "cannot show it again" in again.content
    assert again.buttons == ["Reset the link"]
    assert (await fetch(old_url))[0] == 200

    # The button still works after a restart (a new process, its endpoint started again).
    await endpoint.stop()
    await world.restart()
    restarted = HealthServer(world.bot, "127.0.0.1", 0)
    await restarted.start()
    try:
        done = await mara.click(again, "Reset the link")
        assert "the old link no longer works" in done.content
        new_url = link_in(done)
        assert new_url != old_url
        assert (await fetch(new_url))[0] == 200
        old = old_url.replace(f":{endpoint.port}/", f":{restarted.port}/")
        status, _, body = await fetch(old)
        assert (status, body) == (404, b"")
        # Anything else under /calendar/ is a bare 404 too.
        unknown = "A" * 43  # well formed, opens nothing
        for path in ("/calendar/nope.ics", f"/calendar/{unknown}", f"/calendar/{unknown}.ics"):
            async with aiohttp.ClientSession() as http, http.get(restarted.url + path) as r:
                assert r.status == 404
                assert await r.read() == b""
    finally:
        await restarted.stop()
    world.sb.assert_no_unexpected_errors()


async def test_without_the_endpoint_the_command_says_the_operator_has_not_enabled_it(
    world: World,
) -> None:
    reply = await world.sam.slash("calendar subscribe", dm=True)
    assert reply.ephemeral
    assert "operator has not turned on" in reply.content
    assert reply.buttons == []
    row = await world.db.fetch_one("SELECT COUNT(*) FROM calendar_feeds")
    assert row is not None
    assert row[0] == 0


async def test_french_readers_get_french_answers_and_a_french_feed(
    world: World, endpoint: HealthServer
) -> None:
    mehdi, sofia = world.mehdi, world.sofia
    assert mehdi.locale.startswith("fr")
    await pair(world, mehdi, sofia, "2026-12-04 18:00")
    reply = await mehdi.slash("calendar subscribe")
    assert tr("calendar_feed.planned", "fr", count=1) in reply.content
    assert reply.buttons == [tr("calendar_feed.reset_button", "fr")]
    sofia_url = link_in(await sofia.slash("calendar subscribe", dm=True))
    status, _, body = await fetch(sofia_url)
    assert status == 200
    calendar = Calendar.from_ical(body)
    assert str(calendar["x-wr-calname"]) == tr("calendar_feed.name", "fr")
    [event] = calendar.walk("VEVENT")
    kind = tr("kind.regular", "fr")
    name = mehdi.user.global_name
    assert str(event["summary"]) == tr("exports.summary_as_student", "fr", kind=kind, name=name)
    assert tr("exports.ics_minutes", "fr", minutes=30) in str(event["description"])


async def test_erasure_removes_the_feed_and_its_address_stops_working(
    world: World, endpoint: HealthServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    mara, sam = world.mara, world.sam
    await pair(world, mara, sam, "2026-12-04 18:00")
    sam_url = link_in(await sam.slash("calendar subscribe", dm=True))
    assert (await fetch(sam_url))[0] == 200
    token = sam_url.rsplit("/", 1)[1].removesuffix(".ics")
    assert any(
        t.startswith("calendar_feeds.user_id") for t in await traces_of(world, sam.id, "Sam")
    )
    # The personal export says the link exists, and since when; never the link.
    exported = await sam.slash("privacy export", dm=True)
    raw = exported.attachments[0].data.decode()
    assert json.loads(raw)["calendar_feed"] == {"created_at": iso(START)}
    assert token not in raw

    question = await sam.slash("privacy delete", dm=True)
    await sam.click(question, "Delete my data")
    await world.sb.wait_for(lambda: len(mara.dms) >= 1)  # told once the erasure is done
    assert await traces_of(world, sam.id, "Sam") == []
    row = await world.db.fetch_one(
        "SELECT COUNT(*) FROM calendar_feeds WHERE user_id = ?", (sam.id,)
    )
    assert row is not None
    assert row[0] == 0
    assert (await fetch(sam_url))[0] == 404
    # No log line, at any level, carried the secret.
    assert token not in caplog.text
    assert all(token not in record.getMessage() for record in caplog.records)


async def test_the_link_and_the_feed_read_through_indexes(
    world: World, endpoint: HealthServer
) -> None:
    await seed(world)
    mara, sam = world.mara, world.sam
    statements: list[str] = []
    found: list[str] = []
    await world.db.set_trace_callback(statements.append)
    try:
        for story, person, dm in (("mentor", mara, False), ("student", sam, True)):
            statements.clear()
            url = link_in(await person.slash("calendar subscribe", dm=dm))
            found += check(world, f"/calendar subscribe, {story}", statements)
            statements.clear()
            assert len(await events_at(url)) >= 1
            found += check(world, f"GET the feed, {story}", statements)
    finally:
        await world.db.set_trace_callback(None)
    assert found == [], "\n".join(found)
