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
