"""Hostile and odd input: every command answers privately and clearly, and stores nothing odd."""

from __future__ import annotations

import pytest

from bot.storage import mentorships as mentorship_store
from sandbox.views import MessageView
from tests.e2e.conftest import World

HOSTILE = [
    "'; DROP TABLE mentorships; --",
    "@everyone look",
    "<@&123456789012345678>",
    "**bold** _it_ `code` ||spoiler||",
    "émoji 🎓🧑‍🏫 ünïcödé",
    '"quoted" \\ back\\slash',
    " ",
    "x" * 100,
]
UNEXPECTED = "Something went wrong"


@pytest.mark.parametrize("text", HOSTILE)
async def test_odd_texts_are_stored_as_given_or_refused_clearly(world: World, text: str) -> None:
    mara = world.mara
    await mara.slash("timezone set", zone="Europe/Paris")
    added = await mara.slash("student add", member=world.sam, project=text, session_length=30)
    assert added.ephemeral
    assert UNEXPECTED not in added.content
    seen = [MessageView(world.sb.state, message_id) for message_id in world.sb.state.messages]
    assert not any(m.mention_everyone or m.pinged_role_ids for m in seen)
    assert world.sb.guild is not None
    stored = await mentorship_store.active_for_mentor(world.db, world.sb.guild.id, mara.id)
    if text.strip():
        assert [m.project for m in stored] == [text.strip()]
    else:
        assert stored == []
        assert "can't be empty" in added.content
    for command, options in [
        ("session schedule", {"student": text, "when": "tomorrow 18:00"}),
        ("session schedule", {"student": "Sam", "when": text}),
        ("student show", {"student": text}),
        ("note search", {"query": text}),
        ("timezone set", {"zone": text}),
        ("reminders settings", {"student_leads": text[:40]}),
    ]:
        if command == "session schedule" and options["student"] == "Sam" and not stored:
            continue
        reply = await mara.slash(command, **options)
        assert reply.ephemeral, (command, options)
        assert UNEXPECTED not in reply.content, (command, options, reply.content)


NOT_ZONES = [
    "America",
    "Europe",
    "Asia",
    "localtime",
    "Factory",
    "posixrules",
    "posix/Europe/Paris",
    "right/Europe/Paris",
    "𝔸" * 64,  # 64 characters, 256 bytes of UTF-8
    "Europe/\ud800",
]


@pytest.mark.parametrize("zone", NOT_ZONES)
async def test_a_region_or_a_host_file_is_refused_as_a_time_zone(world: World, zone: str) -> None:
    mara, morgan = world.mara, world.morgan
    reply = await mara.slash("timezone set", zone=zone)
    assert reply.ephemeral
    assert UNEXPECTED not in reply.content
    expected = "not valid text" if "\ud800" in zone else "not a time zone I know"
    assert expected in reply.content, reply.content
    config = await morgan.slash("config timezone", zone=zone)
    assert config.ephemeral
    assert UNEXPECTED not in config.content
    assert expected in config.content, config.content
    prefs = await world.db.fetch_one(
        "SELECT timezone FROM user_prefs WHERE user_id = ?", (mara.id,)
    )
    assert prefs is None or prefs["timezone"] is None
    assert world.sb.guild is not None
    stored = await world.db.fetch_one(
        "SELECT default_timezone FROM guild_config WHERE guild_id = ?", (world.sb.guild.id,)
    )
    assert stored is None or stored["default_timezone"] is None


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("3 days", "72h"), ("3d", "72h"), ("2 hours, 30 min", "2h, 30m"), ("48h, 1h", "48h, 1h")],
)
async def test_lead_times_read_what_the_message_promises(
    world: World, typed: str, stored: str
) -> None:
    reply = await world.sam.slash("reminders settings", student_leads=typed)
    assert f"as a student, {stored} before each session" in reply.content, reply.content


@pytest.mark.parametrize("typed", ["99999999999999999999h", "²h", "①h", "8 days", "4m", "3 weeks"])
async def test_lead_times_out_of_range_or_odd_are_refused(world: World, typed: str) -> None:
    reply = await world.sam.slash("reminders settings", student_leads=typed)
    assert reply.ephemeral
    assert UNEXPECTED not in reply.content
    assert "could not read" in reply.content, reply.content
    row = await world.db.fetch_one(
        "SELECT student_leads FROM reminder_prefs WHERE user_id = ?", (world.sam.id,)
    )
    assert row is None


@pytest.mark.parametrize("typed", ["²", "①", "99999999999999999999", "٣", "\ud800"])
async def test_odd_digits_in_student_options_are_answered(world: World, typed: str) -> None:
    mara = world.mara
    await mara.slash("timezone set", zone="Europe/Paris")
    await mara.slash("student add", member=world.sam, project="P2", session_length=30)
    choices = await mara.autocomplete("student show", "student", typed)
    assert isinstance(choices, list)
    for command in ("student show", "note add", "prep"):
        reply = await mara.slash(command, student=typed)
        assert reply.ephemeral
        assert UNEXPECTED not in reply.content, (command, reply.content)
    note = await mara.slash("note show", note=typed)
    assert UNEXPECTED not in note.content


LONE = "half \ud83c surrogate"


async def test_text_with_lone_surrogates_is_refused_clearly_and_not_stored(world: World) -> None:
    mara = world.mara
    await mara.slash("timezone set", zone="Europe/Paris")
    added = await mara.slash("student add", member=world.sam, project=LONE, session_length=30)
    assert added.ephemeral
    assert UNEXPECTED not in added.content, added.content
    assert world.sb.guild is not None
    assert await mentorship_store.active_for_mentor(world.db, world.sb.guild.id, mara.id) == []
    await mara.slash("student add", member=world.sam, project="P2", session_length=30)
    for command, options in [
        ("note search", {"query": LONE}),
        ("session schedule", {"student": "Sam", "when": LONE}),
        ("student edit", {"student": "Sam", "project": LONE}),
    ]:
        reply = await mara.slash(command, **options)
        assert reply.ephemeral
        assert UNEXPECTED not in reply.content, (command, reply.content)
    form = await mara.slash("note add", student="Sam")
    saved = await mara.submit_modal(form, {"Title": LONE, "Note": f"body {LONE}"})
    assert UNEXPECTED not in saved.content, saved.content
    rows = await world.db.fetch_all("SELECT title FROM notes")
    assert [row["title"] for row in rows] == []
    projects = await world.db.fetch_all("SELECT project FROM mentorships")
    assert [row["project"] for row in projects] == ["P2"]


async def test_an_attachment_the_cdn_cannot_serve_is_answered(world: World) -> None:
    morgan = world.morgan
    world.sb.faults.fail("GET /attachments/{channel_id}/{attachment_id}/{filename}", status=404)
    reply = await morgan.slash("template create", file=("review.toml", b"[x]\ntitle = 'X'\n"))
    assert reply.ephemeral
    assert UNEXPECTED not in reply.content
    assert "could not give me the attached file" in reply.content, reply.content
    assert world.sb.guild is not None
    rows = await world.db.fetch_all("SELECT key FROM server_content")
    assert rows == []
