"""Sharing stories: a student sees exactly what they were sent, everywhere, and only once."""

from __future__ import annotations

import asyncio
import json
import re

from bot.storage import notes as note_store
from sandbox.driver import Persona
from sandbox.views import MessageView, Reply
from tests.e2e.answers import answer_to
from tests.e2e.conftest import World
from tests.e2e.test_coaching import mentor_with_student, write_feedback

STAMP = re.compile(r"<t:\d+:F>")
MOOD_LABEL = "Mood and risk"


def report(tag: str, mood: str) -> dict[str, str]:
    """A session report whose private field is `mood`; the shared ones carry `tag`."""
    return {
        "check_in": f"Check-in {tag}: rested, ready",
        "progress": f"Progress {tag}: the layout is done",
        "next_goals": f"Goal {tag}: finish the contact form",
        "mood_risk": mood,
    }


def dump(reply: Reply | MessageView) -> str:
    """Everything a message shows: text, embeds, buttons and attached files."""
    message = reply.message if isinstance(reply, Reply) else reply
    assert message is not None, reply
    files = [a.data.decode("utf-8", "replace") for a in message.attachments]
    return "\n".join([message.content, json.dumps(message.embeds), *files, str(message.components)])


async def student_surfaces(world: World, student: Persona, note_ids: list[int]) -> str:
    """Walk every place a student can look: DMs, `/note` in a server and in DMs, the export."""
    seen = [dump(dm) for dm in student.dms]
    for in_dm in (False, True):
        for page in range(1, len(note_ids) + 2):
            seen.append(dump(await student.slash("note list", page=page, dm=in_dm)))
    for note_id in note_ids:
        seen.append(dump(await student.slash("note show", note=str(note_id))))
        seen.append(dump(await student.slash("note share", note=str(note_id))))
    seen.append(json.dumps(await student.autocomplete("note show", "note", "")))
    seen.append(dump(await student.slash("note search", query="quitting")))
    for in_dm in (False, True):
        seen.append(dump(await student.slash("privacy export", dm=in_dm)))
    seen.append(dump(await student.slash("export notes", format="markdown")))
    seen.append(dump(await student.slash("export calendar")))
    return "\n".join(seen)


def assert_private_absent(seen: str, *private: str) -> None:
    for text in (*private, MOOD_LABEL):
        assert text not in seen, text
        assert json.dumps(text)[1:-1] not in seen, text  # nor JSON-escaped


async def mentor_sees(world: World, mentor: Persona, note_id: int, private: str) -> None:
    """The mentor still has the whole note: in `/note show` and in both exports."""
    shown = await mentor.slash("note show", note=str(note_id))
    assert private in shown.embeds[0]["description"]
    assert private in dump(await mentor.slash("privacy export"))
    assert private in dump(await mentor.slash("export notes", format="csv"))


async def test_private_fields_reach_no_surface_of_the_student_whatever_the_way_of_sharing(
    world: World,
) -> None:
    mara, sam = world.mara, world.sam
    mentorship = await mentor_with_student(world, mara, sam)
    moods = ["Talked about quitting; watch closely", "Money worries A7", "Sleeps badly B9"]

    # 1. /feedback, then Send to student. The preview says exactly what the student will get.
    first = await write_feedback(mara, "session_report", report("one", moods[0]))
    footer = first.embeds[0]["footer"]["text"]
    assert "Send to student sends: Check-in, Progress on the project, Next goals." in footer
    assert "🔒 Only you see: Mood and risk (only you see this)." in footer
    sent = await answer_to(world.sb, clicked := await mara.click(first, "Send to student"))
    assert "Sent to **Sam**" in sent.content
    assert clicked.buttons == ["Sent ✓", "Edit"]

    # 2. /note share on a feedback note (it used to send the whole body).
    await write_feedback(mara, "session_report", report("two", moods[1]))
    # 3. The Share button of /note show on a feedback note.
    await write_feedback(mara, "session_report", report("three", moods[2]))
    notes = await note_store.notes_of(world.db, mentorship.id, mara.id)
    third, second, one = notes
    shared = await mara.slash("note share", note=str(second.id))
    assert "Sent to **Sam**" in shared.content
    shown = await mara.slash("note show", note=str(third.id))
    withheld = {f["name"]: f["value"] for f in shown.embeds[0]["fields"]}
    assert "Mood and risk" in withheld["Never shown to the student"]
    assert (
        "Sent to **Sam**"
        in (await answer_to(world.sb, await mara.click(shown, "Share with student"))).content
    )
    await world.sb.wait_for(lambda: len(sam.dms) == 3)

    ids = [one.id, second.id, third.id]
    seen = await student_surfaces(world, sam, ids)
    assert_private_absent(seen, *moods)
    for tag in ("one", "two", "three"):  # what was shared is there, on every surface
        assert f"Goal {tag}: finish the contact form" in seen
    listed = await sam.slash("note list", page=2)
    assert "Progress two" in listed.embeds[0]["description"]

    # 4. Edit after sharing: the private field changes, then a shared one.
    new_mood = "Mentioned burnout C3"
    form = await mara.click(first, "Edit")
    edited = await mara.submit_modal(form, {"mood_risk": new_mood})
    assert edited.buttons == ["Sent ✓", "Edit"]  # the student's copy is unchanged: nothing to send
    again = await mara.slash("note share", note=str(one.id))
    assert "already has this note" in again.content
    form = await mara.click(first, "Edit")
    edited = await mara.submit_modal(form, {"next_goals": "Goal one bis: book the mock"})
    assert edited.buttons == ["Send to student", "Edit"]
    seen = await student_surfaces(world, sam, ids)
    assert "Goal one: finish the contact form" in seen  # the version sent, not the edit
    assert "Goal one bis" not in seen
    assert_private_absent(seen, *moods, new_mood)

    offer = await answer_to(world.sb, await mara.click(edited, "Send to student"))
    assert "it has changed since" in offer.content
    assert STAMP.search(offer.content)
    assert len(sam.dms) == 3  # asking sends nothing
    resent = await answer_to(world.sb, await mara.click(offer, "Send the new version"))
    assert "Sent to **Sam**" in resent.content
    await world.sb.wait_for(lambda: len(sam.dms) == 4)
    seen = await student_surfaces(world, sam, ids)
    assert "Goal one bis: book the mock" in seen
    assert_private_absent(seen, *moods, new_mood)

    # The mentor keeps the whole note, private field included.
    await mentor_sees(world, mara, one.id, new_mood)
    await mentor_sees(world, mara, second.id, moods[1])
    world.sb.assert_no_unexpected_errors()


async def mara_shares_a_note(world: World) -> Reply:
    """Mara follows Sam, writes note 1 and shares it with `/note share`: Sam has one DM."""
    mara, sam = world.mara, world.sam
    await mentor_with_student(world, mara, sam)
    modal = await mara.slash("note add", student="Sam")
    saved = await mara.submit_modal(modal, {"Title": "Week 1", "Note": "Good pace, keep it"})
    first = await mara.slash("note share", note="1")
    assert "Sent to **Sam**" in first.content
    await world.sb.wait_for(lambda: len(sam.dms) == 1)
    return saved


async def test_sharing_a_note_twice_sends_one_dm_and_says_when_it_was_shared(
    world: World,
) -> None:
    mara, sam = world.mara, world.sam
    await mara_shares_a_note(world)
    second = await mara.slash("note share", note="1")
    assert second.ephemeral
    assert "already has this note: you shared it on" in second.content
    assert STAMP.search(second.content)
    assert "Send the new version" not in dump(second)  # nothing changed: nothing to offer
    await asyncio.sleep(0.2)
    assert len(sam.dms) == 1
    # The old Share button shows the note went out.
    shown = await mara.slash("note show", note="1")
    assert shown.buttons == ["Shared ✓"]
    assert "the student sees the version sent then" in dump(shown)
    world.sb.assert_no_unexpected_errors()


async def test_send_to_student_pressed_twice_at_once_sends_one_dm(world: World) -> None:
    mara, sam = world.mara, world.sam
    await mentor_with_student(world, mara, sam)
    # Send to student pressed twice at once (before either answer): one DM.
    feedback = await write_feedback(mara, "session_report", report("x", "Private x"))
    clicks = [await mara.click(feedback, "Send to student", wait=False) for _ in range(2)]
    answers = [await answer_to(world.sb, click) for click in clicks]
    texts = sorted(a.content for a in answers)
    assert "Sent to **Sam**" in texts[1], texts
    assert "already has this note" in texts[0], texts
    await asyncio.sleep(0.2)
    assert len(sam.dms) == 1
    assert "Private x" not in dump(sam.dms[-1])
    world.sb.assert_no_unexpected_errors()


async def test_an_edited_note_is_offered_again_and_the_offer_used_twice_sends_once(
    world: World,
) -> None:
    mara, sam = world.mara, world.sam
    saved = await mara_shares_a_note(world)
    # After an edit, sharing offers to send again; the offer used twice sends once.
    edit = await mara.slash("note edit", note="1")
    await mara.submit_modal(edit, {"Note": "Good pace; now the tests"})
    shown = await mara.slash("note show", note="1")
    assert shown.buttons == ["Share with student"]
    assert "changed since" in dump(shown)
    offer = await answer_to(world.sb, await mara.click(shown, "Share with student"))
    assert "it has changed since" in offer.content
    assert offer.buttons == ["Send the new version"]
    assert len(sam.dms) == 1
    clicked = await mara.click(offer, "Send the new version")
    assert "Sent to **Sam**" in (await answer_to(world.sb, clicked)).content
    assert clicked.buttons == ["Shared ✓"]
    late = await mara.slash("note share", note="1")
    assert "already has this note" in late.content
    await world.sb.wait_for(lambda: len(sam.dms) == 2)
    await asyncio.sleep(0.2)
    assert len(sam.dms) == 2

    # The student's view: each DM once, and the list holds the latest copy of the note.
    bodies = [dm.embeds[0].get("description", "") for dm in sam.dms]
    assert bodies == ["Good pace, keep it", "Good pace; now the tests"]
    listed = (await sam.slash("note list")).embeds[0]["description"]
    assert listed == "Good pace; now the tests"
    assert saved.buttons == ["Share with student"]  # a message never clicked is left alone
    world.sb.assert_no_unexpected_errors()
