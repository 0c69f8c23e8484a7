"""Private notes stories: a mentor writes, edits, finds, shares and deletes notes on students."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from bot.storage import mentorships as mentorship_store
from bot.storage import notes as note_store
from bot.storage.mentorships import Mentorship
from bot.storage.notes import Note
from bot.texts import tr
from sandbox.driver import Persona
from sandbox.views import Reply
from tests.e2e.answers import answer_to
from tests.e2e.conftest import RunningBot, World, start_bot

TRICKY_BODY = (
    "Élan retrouvé 🎯 — \"quotes\" and 'apostrophes'\n"
    "'; DROP TABLE notes; --\n"
    "**bold** _italic_ `code` > quote\n"
    "@everyone @here <@&1> ✨"
)


async def add_student(mentor: Persona, student: Persona, project: str = "P2 · Portfolio") -> None:
    reply = await mentor.slash("student add", member=student, project=project, session_length=30)
    # The reply is in the mentor's language (Mehdi reads French).
    name = student.user.global_name or student.name
    assert reply.content == tr("students.added", mentor.locale, name=name), reply.content


async def mentorship(world: World, mentor: Persona, student: Persona) -> Mentorship:
    assert world.sb.guild is not None
    found = await mentorship_store.find_active(world.db, world.sb.guild.id, mentor.id, student.id)
    assert found is not None
    return found


async def notes_of(world: World, mentor: Persona, student: Persona) -> list[Note]:
    m = await mentorship(world, mentor, student)
    return await note_store.notes_of(world.db, m.id, mentor.id, limit=1000)


def field(modal: Reply, label: str) -> dict[str, Any]:
    assert modal.modal is not None, "the bot did not open a modal"
    found: list[dict[str, Any]] = [f for f in modal.modal["fields"] if f.get("label") == label]
    assert len(found) == 1, modal.modal["fields"]
    return found[0]


async def write_note(mentor: Persona, student: str, title: str, body: str, **options: Any) -> Reply:
    modal = await mentor.slash("note add", student=student, **options)
    assert modal.modal is not None, f"no modal: {modal}"
    # The form and its answer are in the mentor's language (Mehdi reads French).
    labels = (tr("notes.field_title", mentor.locale), tr("notes.field_body", mentor.locale))
    saved = await mentor.submit_modal(modal, dict(zip(labels, (title, body), strict=True)))
    assert saved.ephemeral
    assert saved.content == tr("notes.saved", mentor.locale, name=student), saved.content
    return saved


async def test_a_mentor_writes_a_note_and_sees_it_exactly_as_written(world: World) -> None:
    mara, sam = world.mara, world.sam
    await add_student(mara, sam)
    modal = await mara.slash("note add", student="Sam")
    assert modal.modal is not None
    assert modal.modal["title"] == "Note on Sam"
    assert field(modal, "Title")["max_length"] == 100
    assert field(modal, "Note")["max_length"] == 4000
    # The form itself stops an over-long title or body (Discord enforces max_length).
    with pytest.raises(AssertionError, match="takes"):
        await mara.submit_modal(modal, {"Title": "t" * 101, "Note": "x"})
    with pytest.raises(AssertionError, match="takes"):
        await mara.submit_modal(modal, {"Title": "ok", "Note": "b" * 4001})
    assert await notes_of(world, mara, sam) == []

    saved = await mara.submit_modal(modal, {"Title": "Première séance 🚀", "Note": TRICKY_BODY})
    assert saved.ephemeral
    assert "Note saved" in saved.content
    [embed] = saved.embeds
    assert embed["title"] == "Première séance 🚀"
    assert embed["description"] == TRICKY_BODY
    assert "Sam" in str(embed["fields"])
    assert saved.buttons == ["Share with student"]
    message = saved.message
    assert message is not None
    assert not message.mention_everyone
    assert message.pinged_users == []
    [note] = await notes_of(world, mara, sam)
    assert (note.title, note.body, note.shared_at) == ("Première séance 🚀", TRICKY_BODY, None)

    shown = await mara.slash("note show", note=str(note.id))
    assert shown.ephemeral
    assert shown.embeds[0]["description"] == TRICKY_BODY


async def test_saving_a_note_reads_its_mentorship_and_the_note_once(world: World) -> None:
    mara, sam = world.mara, world.sam
    await add_student(mara, sam)
    modal = await mara.slash("note add", student="Sam")
    statements: list[str] = []
    await world.db.set_trace_callback(statements.append)
    try:
        saved = await mara.submit_modal(modal, {"Title": "Kick-off", "Note": "Goals"})
    finally:
        await world.db.set_trace_callback(None)
    assert saved.buttons == ["Share with student"]
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len([s for s in reads if "FROM mentorships" in s]) == 1, reads
    assert not [s for s in reads if re.search(r"FROM notes\b.*WHERE (n\.)?id = ", s)], reads


async def test_a_mentor_edits_a_note_from_the_autocomplete(world: World) -> None:
    mara, sam = world.mara, world.sam
    await add_student(mara, sam)
    await write_note(mara, "Sam", "Kick-off", "Goals: portfolio by June")
    [note] = await notes_of(world, mara, sam)
    choices = await mara.autocomplete("note edit", "note", "kick")
    assert [c["value"] for c in choices] == [str(note.id)]
    assert choices[0]["name"] == "Kick-off · Sam"

    modal = await mara.slash("note edit", note=choices[0]["value"])
    assert field(modal, "Title")["value"] == "Kick-off"
    assert field(modal, "Note")["value"] == "Goals: portfolio by June"
    edited = await mara.submit_modal(modal, {"Title": "Kick-off (revu)", "Note": "Goals: June ✅"})
    assert edited.ephemeral
    assert "Note updated" in edited.content
    assert edited.embeds[0]["title"] == "Kick-off (revu)"
    [after] = await notes_of(world, mara, sam)
    assert (after.id, after.title, after.body) == (note.id, "Kick-off (revu)", "Goals: June ✅")


async def test_a_mentor_lists_notes_page_by_page(world: World) -> None:
    mara, sam, sofia = world.mara, world.sam, world.sofia
    await add_student(mara, sam)
    await add_student(mara, sofia, "P3 · Dashboard")
    empty = await mara.slash("note list", student="Sam")
    assert "no notes on **Sam**" in empty.embeds[0]["description"]
    for number in range(1, 11):
        await write_note(mara, "Sam", f"Week {number}", f"Notes of week {number}")
    await write_note(mara, "Sofia", "Sofia only", "Not in Sam's list")

    listing = await mara.slash("note list", student="Sam")
    assert listing.ephemeral
    [first] = listing.embeds
    assert first["title"] == "Your notes on Sam"
    assert "Page 1 of 2 · 10 in all" in first["footer"]["text"]
    assert "Week 10" in first["description"]  # newest first
    assert "Sofia only" not in first["description"]
    assert listing.buttons == ["Previous", "Next"]
    turned = await mara.click(listing, "Next")
    [second] = turned.embeds
    assert "Page 2 of 2" in second["footer"]["text"]
    assert "Week 1**" in second["description"]

    opened = await mara.slash("note list", student="Sam", page=2)
    assert "Page 2 of 2" in opened.embeds[0]["footer"]["text"]
    clamped = await mara.slash("note list", student="Sam", page=99)
    assert "Page 2 of 2" in clamped.embeds[0]["footer"]["text"]


async def test_a_mentor_searches_own_notes_with_accents_and_hostile_queries(world: World) -> None:
    mara, mehdi, sam, sofia = world.mara, world.mehdi, world.sam, world.sofia
    await add_student(mara, sam)
    await add_student(mehdi, sofia)
    await write_note(mara, "Sam", "Bilan P2", "Très bonne présentation, revoir le CSS")
    await write_note(mara, "Sam", "Routine", "Nothing special this week")
    await write_note(mehdi, "Sofia", "Bilan", "présentation de Sofia")

    found = await mara.slash("note search", query="presentation")
    assert found.ephemeral
    [embed] = found.embeds
    [hit] = embed["fields"]
    assert "Bilan P2 · Sam" in hit["name"]
    assert "**présentation**" in hit["value"]
    accented = await mara.slash("note search", query="présentation", student="Sam")
    assert "**présentation**" in accented.embeds[0]["fields"][0]["value"]

    before = await notes_of(world, mara, sam)
    for query in ['"', "NEAR(", "*", "'; DROP TABLE notes; --", "(((", "-", "AND OR NOT", "🙂"]:
        reply = await mara.slash("note search", query=query)
        assert reply.ephemeral
        assert "None of your notes matches" in reply.content, (query, reply.content)
    sql = await mara.slash("note search", query="DROP TABLE")
    assert "None of your notes matches" in sql.content
    assert await notes_of(world, mara, sam) == before


async def test_sharing_sends_a_dm_and_the_student_sees_it_in_a_guild_and_in_dms(
    world: World,
) -> None:
    mara, sam = world.mara, world.sam
    await add_student(mara, sam)
    saved = await write_note(mara, "Sam", "Après la séance", "Bravo pour la maquette 🎨")
    nothing = await sam.slash("note list")
    assert "No notes have been shared with you" in nothing.embeds[0]["description"]

    clicked = await mara.click(saved, "Share with student")
    shared = await answer_to(world.sb, clicked)
    assert shared.stored.ephemeral
    assert "Sent to **Sam** by direct message" in shared.content
    assert clicked.buttons == ["Shared ✓"]  # the button shows it was used
    await world.sb.wait_for(lambda: len(sam.dms) == 1)
    [dm] = sam.dms
    [embed] = dm.embeds
    assert "Mara" in embed["author"]["name"]
    assert embed["title"] == "Après la séance"
    assert embed["description"] == "Bravo pour la maquette 🎨"
    assert f"<@{mara.id}>" in str(embed["fields"])
    [note] = await notes_of(world, mara, sam)
    assert note.shared_at is not None

    for in_dm in (False, True):
        seen = await sam.slash("note list", dm=in_dm)
        assert seen.ephemeral
        [page] = seen.embeds
        assert page["title"] == "Après la séance", in_dm
        assert page["description"] == "Bravo pour la maquette 🎨"
    # Sofia reads French: nothing is shared with her, said in her language.
    nothing = (await world.sofia.slash("note list")).embeds[0]["description"]
    assert nothing == tr("notes.shared_none", world.sofia.locale)
    # The mentor's list marks it shared.
    listing = await mara.slash("note list", student="Sam")
    assert "shared" in listing.embeds[0]["description"]


async def test_closed_dms_are_reported_to_the_mentor_and_nothing_is_marked(world: World) -> None:
    mara, sam = world.mara, world.sam
    await add_student(mara, sam)
    saved = await write_note(mara, "Sam", "Feedback", "Keep going")
    world.sb.close_dms(sam)
    clicked = await mara.click(saved, "Share with student")
    refused = await answer_to(world.sb, clicked)
    assert refused.stored.ephemeral
    assert saved.buttons == ["Share with student"]  # still to be used
    assert "direct messages are closed" in refused.content
    assert "Nothing was shared" in refused.content
    [note] = await notes_of(world, mara, sam)
    assert note.shared_at is None
    assert sam.dms == []
    assert "No notes" in (await sam.slash("note list")).embeds[0]["description"]

    world.sb.open_dms(sam)
    again = await mara.slash("note share", note=str(note.id))
    assert "Sent to **Sam**" in again.content
    [after] = await notes_of(world, mara, sam)
    assert after.shared_at is not None
    await world.sb.wait_for(lambda: len(sam.dms) == 1)


async def test_a_mentor_deletes_a_note_after_confirming(world: World) -> None:
    mara, sam = world.mara, world.sam
    await add_student(mara, sam)
    await write_note(mara, "Sam", "To delete", "Old notes")
    [note] = await notes_of(world, mara, sam)

    asked = await mara.slash("note delete", note=str(note.id))
    assert asked.ephemeral
    assert "Delete your note “To delete” on **Sam**?" in asked.content
    assert asked.buttons == ["Delete note", "Keep it"]
    kept = await mara.click(asked, "Keep it")
    assert "Nothing was changed" in kept.content
    assert await notes_of(world, mara, sam) == [note]

    asked = await mara.slash("note delete", note=str(note.id))
    done = await mara.click(asked, "Delete note")
    assert "is deleted" in done.content
    assert await notes_of(world, mara, sam) == []
    gone = await mara.slash("note show", note=str(note.id))
    assert "not one of your notes" in gone.content


async def test_a_message_is_saved_as_a_note_with_a_link_back(world: World) -> None:
    mara, sam, sofia = world.mara, world.sam, world.sofia
    await add_student(mara, sofia, "P3 · Dashboard")
    await add_student(mara, sam)
    text = 'Voilà mon portfolio 👉 https://example.com/sam — "v2" **draft**'
    posted = await sam.say(text)

    picker = await mara.message_command("Save as note", posted)
    assert picker.ephemeral
    [select] = picker.message.selects if picker.message else []
    assert [o["label"] for o in select["options"]] == ["Sam", "Sofia"]  # the author first
    sam_id = str((await mentorship(world, mara, sam)).id)
    modal = await mara.select(picker, "Which student is this note about?", [sam_id])
    assert field(modal, "Title")["value"] == "Message from Sam"
    assert field(modal, "Note")["value"] == text
    saved = await mara.submit_modal(modal, {})
    assert "Note saved" in saved.content
    assert saved.ephemeral
    [note] = await notes_of(world, mara, sam)
    assert world.sb.guild is not None
    channel = world.sb.channel("general")
    assert (
        note.source_url
        == f"https://discord.com/channels/{world.sb.guild.id}/{channel.id}/{posted.id}"
    )
    assert note.body == text
    assert note.source_url in str(saved.embeds[0]["fields"])

    olga = await world.olga.message_command("Save as note", posted)
    assert olga.ephemeral
    assert "don't follow any student" in olga.content


async def test_session_notes_from_the_write_notes_button_even_after_a_restart(
    world: World,
) -> None:
    mara, sam = world.mara, world.sam
    await mara.slash("timezone set", zone="Europe/Paris")
    await add_student(mara, sam)
    planned = await mara.slash("session schedule", student="Sam", when="in 2 hours")
    assert "with **Sam**" in planned.content
    choices = await mara.autocomplete("note add", "session", "", student="Sam")
    assert len(choices) == 1
    world.clock.advance(timedelta(hours=3))
    [option] = await mara.autocomplete("session record", "session", "")
    recorded = await mara.slash("session record", session=option["value"], status="held")
    assert recorded.buttons == ["Write session notes"]

    modal = await mara.click(recorded, "Write session notes")
    assert modal.modal is not None
    assert field(modal, "Title")["value"].startswith("Session with Sam, ")
    saved = await mara.submit_modal(modal, {"Note": "Discovery: goals, rhythm, next steps"})
    assert "Note saved" in saved.content
    assert "Session" in [f["name"] for f in saved.embeds[0]["fields"]]
    [note] = await notes_of(world, mara, sam)
    assert note.session_id == int(option["value"])

    # The button still works once the bot has restarted (a persistent dynamic item).
    await world.bot.close()
    restarted: RunningBot = await start_bot(
        world.sb, world.db, world.clock, world.bot.settings.database_path
    )
    try:
        again = await mara.click(recorded, "Write session notes")
        assert again.modal is not None
        await mara.submit_modal(again, {"Title": "Follow-up", "Note": "After restart"})
        titles = [n.title for n in await notes_of(world, mara, sam)]
        assert titles[0] == "Follow-up"
        assert len(titles) == 2
    finally:
        await restarted.stop()


async def test_nobody_but_the_author_can_read_edit_delete_or_share_a_note(world: World) -> None:
    mara, mehdi, sam, sofia, olga = world.mara, world.mehdi, world.sam, world.sofia, world.olga
    morgan = world.morgan
    await add_student(mara, sam)
    await add_student(mehdi, sofia)
    await write_note(mara, "Sam", "Private plan", "Sam struggles with CSS grid")
    [note] = await notes_of(world, mara, sam)
    mara_sam = str((await mentorship(world, mara, sam)).id)

    for who in (mehdi, sam, olga, morgan):
        for command in ("note show", "note edit", "note delete", "note share"):
            reply = await who.slash(command, note=str(note.id))
            assert reply.ephemeral, (who, command)
            assert reply.modal is None
            # Each reads the refusal in their own language (Mehdi in French).
            expected = tr("notes.unknown", who.locale)
            assert reply.content == expected, (who, command, reply.content)
        assert await who.autocomplete("note edit", "note", "") == []
        not_yours = tr("students.unknown", who.locale, text=mara_sam)
        listing = await who.slash("note list", student=mara_sam)
        assert listing.content == not_yours, (who, listing.content)
        adding = await who.slash("note add", student=mara_sam)
        assert adding.modal is None
        assert adding.content == not_yours, (who, adding.content)
        searched = await who.slash("note search", query="CSS grid")
        assert tr("notes.search_none", who.locale, query="CSS grid") in searched.content, who
        assert "Private plan" not in str(searched.message.payload if searched.message else "")
        assert "Private plan" not in str((await who.slash("note list")).embeds)

    assert await notes_of(world, mara, sam) == [note]
    assert sam.dms == []

    # Once shared, the student reads it in their list, and still cannot change it.
    await mara.slash("note share", note=str(note.id))
    assert "Private plan" in str((await sam.slash("note list")).embeds)
    refused = await sam.slash("note edit", note=str(note.id))
    assert "not one of your notes" in refused.content
    [after] = await notes_of(world, mara, sam)
    assert (after.title, after.body) == (note.title, note.body)
    assert "Private plan" not in str((await sofia.slash("note list")).embeds)


async def test_server_only_note_commands_refuse_in_dms(world: World) -> None:
    mara, sam = world.mara, world.sam
    await add_student(mara, sam)
    cases: tuple[tuple[str, dict[str, Any]], ...] = (
        ("note add", {"student": "Sam"}),
        ("note list", {"student": "Sam"}),
        ("note search", {"query": "x"}),
        ("note show", {"note": "1"}),
    )
    for command, options in cases:
        reply = await mara.slash(command, dm=True, **options)
        assert reply.ephemeral
        assert "works in a server only" in reply.content, (command, reply.content)


async def test_a_note_at_the_limits_fits_every_embed_it_appears_in(world: World) -> None:
    mara, sam = world.mara, world.sam
    await add_student(mara, sam)
    title, body = "T" * 100, ("é🙂 " * 1400)[:4000]
    saved = await write_note(mara, "Sam", title, body)
    assert saved.embeds[0]["description"] == body
    [note] = await notes_of(world, mara, sam)
    assert (note.title, note.body) == (title, body)
    listing = await mara.slash("note list", student="Sam")
    assert "…" in listing.embeds[0]["description"]  # the excerpt is cut, and says so
    found = await mara.slash("note search", query="TTTT" + "T" * 96)
    assert found.embeds[0]["fields"]
    shared = await answer_to(world.sb, await mara.click(saved, "Share with student"))
    assert "Sent to **Sam**" in shared.content
    await world.sb.wait_for(lambda: len(sam.dms) == 1)
    assert sam.dms[0].embeds[0]["description"] == body
    assert world.sb.refusals == []


async def test_note_add_links_a_chosen_session_of_that_student_only(world: World) -> None:
    mara, sam, sofia = world.mara, world.sam, world.sofia
    await mara.slash("timezone set", zone="Europe/Paris")
    await add_student(mara, sam)
    await add_student(mara, sofia, "P3 · Dashboard")
    await mara.slash("session schedule", student="Sam", when="in 2 hours")
    await mara.slash("session schedule", student="Sofia", when="in 5 hours")
    [sams] = await mara.autocomplete("note add", "session", "", student="Sam")
    [sofias] = await mara.autocomplete("note add", "session", "", student="Sofia")
    assert "Sam" in sams["name"]
    assert "Sofia" in sofias["name"]

    mismatch = await mara.slash("note add", student="Sam", session=sofias["value"])
    assert mismatch.modal is None
    assert "not one of your sessions with **Sam**" in mismatch.content
    others = await world.mehdi.slash("note add", student="Sam", session=sams["value"])
    assert others.modal is None

    modal = await mara.slash("note add", student="Sam", session=sams["value"])
    assert field(modal, "Title")["value"].startswith("Session with Sam, ")
    await mara.submit_modal(modal, {"Note": "Prep: review the wireframes"})
    [note] = await notes_of(world, mara, sam)
    assert note.session_id == int(sams["value"])
