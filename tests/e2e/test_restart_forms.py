"""Nothing typed is lost: every form opened before a restart (clean or a kill -9) still works.

Each story opens forms with one bot process, stops it, starts another on the same database, and
only then submits: the text must be stored and the person answered, privately.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.clock import ManualClock
from bot.db import Database
from bot.storage import checkins as checkin_store
from bot.storage import guild_config
from bot.storage import mentorships as mentorship_store
from bot.storage import notes as note_store
from bot.storage import server_content as content_store
from bot.storage import sessions as session_store
from bot.storage.notes import Note
from sandbox import Sandbox
from sandbox.driver import Persona
from sandbox.views import Reply
from tests.e2e.conftest import World, start_bot
from tests.e2e.test_reminders import advance_to, due_of, setup_pair
from tests.e2e.test_server_content import CODE_REVIEW

REPORT = {
    "expected": "A deck and a repository link",
    "handed_in": "Typed before the restart: the deck arrived",
    "skills": "Layout shown well",
    "questions": "How did you test?",
    "next_steps": "- Write the README",
}


def guild_id(sb: Sandbox) -> int:
    assert sb.guild is not None
    return sb.guild.id


async def notes_of(db: Database, sb: Sandbox, mentor: Persona) -> list[Note]:
    [mentorship] = await mentorship_store.active_for_mentor(db, guild_id(sb), mentor.id)
    return await note_store.notes_of(db, mentorship.id, mentor.id, limit=50)


async def pair(mentor: Persona, student: Persona) -> None:
    """The mentor (Paris) follows the student and plans a session tomorrow at 18:00."""
    await mentor.slash("timezone set", zone="Europe/Paris")
    added = await mentor.slash("student add", member=student, project="P2", session_length=30)
    assert "You now mentor" in added.content, added.content
    planned = await mentor.slash("session schedule", student="Sam", when="tomorrow 18:00")
    assert "with **Sam**" in planned.content, planned.content


def answered(reply: Reply, expected: str) -> None:
    """The person got a real, private answer saying `expected`."""
    texts = [reply.content, *(f.content for f in reply.followups)]
    assert any(expected in text for text in texts), texts
    assert reply.ephemeral or all(f.ephemeral for f in reply.followups)


async def test_every_form_opened_before_a_clean_restart_is_applied_after_it(
    world: World,
) -> None:
    mara, sam, morgan = world.mara, world.sam, world.morgan
    await pair(mara, sam)
    [mentorship] = await mentorship_store.active_for_mentor(world.db, guild_id(world.sb), mara.id)
    [view] = await session_store.sessions_of_mentor(world.db, guild_id(world.sb), mara.id)

    # One written note, to edit later; one feedback, to edit later.
    first = await mara.slash("note add", student="Sam")
    await mara.submit_modal(first, {"Title": "Goals", "Note": "First version"})
    [written] = await notes_of(world.db, world.sb, mara)
    preview = await mara.submit_modal(
        await mara.slash("feedback", student="Sam", template="deliverable_review"), REPORT
    )
    assert preview.buttons == ["Send to student", "Edit"]

    # Every form is opened now, with the first bot.
    add_form = await mara.slash("note add", student="Sam")
    edit_form = await mara.slash("note edit", note=str(written.id))
    feedback_form = await mara.slash("feedback", student="Sam", template="deliverable_review")
    feedback_edit = await mara.click(preview, "Edit")
    posted = await sam.say("My repo: https://example.org/sam/p2")
    picker = await mara.message_command("Save as note", posted)
    message_form = await mara.select(
        picker, "Which student is this note about?", [str(mentorship.id)]
    )
    panel = await morgan.slash("setup")
    await morgan.click(panel, "Time zone & language")
    zone_form = await morgan.click(panel, "Set the time zone…")
    leads_form = await morgan.click(panel, "Set the lead times…")
    template_form = await morgan.slash("template create")
    forms = [add_form, edit_form, feedback_form, feedback_edit, message_form, zone_form]
    forms += [leads_form, template_form]
    assert all(form.modal is not None for form in forms), [f.content for f in forms]

    await world.restart()

    saved = await mara.submit_modal(add_form, {"Title": "Plan", "Note": "Typed before restart"})
    answered(saved, "Note saved")
    edited = await mara.submit_modal(edit_form, {"Note": "Second version, after restart"})
    answered(edited, "Note updated")
    report = await mara.submit_modal(feedback_form, {**REPORT, "skills": "Typed, then restart"})
    answered(report, "Feedback saved")
    changed = await mara.submit_modal(feedback_edit, {"questions": "Changed after restart"})
    assert "Changed after restart" in str(changed.message.embeds if changed.message else "")
    filed = await mara.submit_modal(message_form, {"Title": "Sam's repo"})
    answered(filed, "Note saved")
    zone = await morgan.submit_modal(zone_form, {"Time zone (Region/City)": "Asia/Tokyo"})
    assert zone.record is not None
    leads = await morgan.submit_modal(
        leads_form,
        {
            "Student reminders (e.g. 48h, 1h)": "24h, 2h",
            "Mentor nudge, hours before the session": "6",
        },
    )
    assert leads.record is not None
    template = await morgan.submit_modal(template_form, {"source": CODE_REVIEW})
    answered(template, "Saved **Code review**")

    stored = await notes_of(world.db, world.sb, mara)
    notes = {note.title: note for note in stored if note.template is None}
    assert notes["Plan"].body == "Typed before restart"
    assert notes["Goals"].body == "Second version, after restart"
    assert notes["Sam's repo"].source_url is not None
    assert notes["Sam's repo"].source_url.endswith(f"/{posted.id}")
    feedback = [note for note in stored if note.template == "deliverable_review"]
    assert len(stored) == 5
    assert sorted(n.fields["skills"] for n in feedback if n.fields) == [
        "Layout shown well",
        "Typed, then restart",
    ]
    assert any(n.fields and n.fields["questions"] == "Changed after restart" for n in feedback)
    config = await guild_config.get_config(world.db, guild_id(world.sb))
    assert config.default_timezone == "Asia/Tokyo"
    assert config.student_leads == "24h, 2h"
    assert config.review_lead_hours == 6
    [entry] = await content_store.entries_of(world.db, guild_id(world.sb), "template")
    assert entry.key == "code_review"
    assert view.session.id  # the session the forms were about is still there


async def test_decline_and_reschedule_forms_survive_a_restart(world: World) -> None:
    sam, mara = world.sam, world.mara
    session_id = await setup_pair(world, sam)
    await advance_to(world, await due_of(world, session_id, "student_reminder", "48h"))
    [reminder] = sam.dms
    decline_form = await sam.click(reminder, "I can't make it")
    assert decline_form.modal is not None

    await world.restart()
    declined = await sam.submit_modal(decline_form, {"reason": "Typed before the restart"})
    answered(declined, "Thanks for telling us")
    stored = await session_store.get_session(world.db, session_id)
    assert stored is not None
    assert stored.student_response == "declined"
    await world.sb.wait_for(lambda: len(mara.dms) == 1)
    again = await sam.submit_modal(decline_form, {"reason": "Typed before the restart"})
    answered(again, "Thanks for telling us")  # a retry is answered, the mentor told once
    await asyncio.sleep(0.5)  # a second DM would follow the answer within milliseconds
    [told] = mara.dms
    assert "Typed before the restart" in told.content
    move_form = await mara.click(told, "Reschedule")
    assert move_form.modal is not None

    await world.restart()
    moved = await mara.submit_modal(move_form, {"when": "2026-12-05 10:00"})
    answered(moved, "moved")
    after = await session_store.get_session(world.db, session_id)
    assert after is not None
    assert after.starts_at == datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


async def test_a_form_that_can_no_longer_be_applied_keeps_what_was_typed(world: World) -> None:
    mara, sam = world.mara, world.sam
    session_id = await setup_pair(world, sam)
    feedback_form = await mara.slash("feedback", student="Sam", template="deliverable_review")
    await advance_to(world, await due_of(world, session_id, "student_reminder", "48h"))
    [reminder] = sam.dms
    decline_form = await sam.click(reminder, "I can't make it")
    # Meanwhile the mentor archives the student and cancels the session.
    question = await mara.slash("session cancel", session=str(session_id))
    await mara.click(question, "Cancel session")
    archive = await mara.slash("student archive", student="Sam")
    if archive.buttons:
        await mara.click(archive, archive.buttons[0])
    [mentorship] = await mentorship_store.mentorships_of_student(
        world.db, sam.id, guild_id(world.sb), include_archived=True
    )
    assert not mentorship.active

    await world.restart()
    kept = await mara.submit_modal(feedback_form, {**REPORT, "skills": "Kept, not lost"})
    answered(kept, "kept as a private draft note")
    [draft] = await note_store.notes_of(world.db, mentorship.id, mara.id)
    assert "Kept, not lost" in draft.body
    assert draft.shared_at is None

    refused = await sam.submit_modal(decline_form, {"reason": "Typed for a cancelled session"})
    assert "no longer scheduled" in refused.content
    await world.sb.wait_for(lambda: any(f.attachments for f in refused.followups))
    [handed] = [f for f in refused.followups if f.attachments]
    assert "Nothing you typed is lost" in handed.content
    assert b"Typed for a cancelled session" in handed.attachments[0].data
    assert all(f.ephemeral for f in refused.followups)


@asynccontextmanager
async def bot_in_a_process(sb: Sandbox, path: Path, log: Path) -> AsyncIterator[int]:
    """Run the product bot in a child process against `sb`; yield its pid once it is ready."""
    with log.open("wb") as errors:
        child = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.e2e.bot_process",
            sb.rest_url,
            sb.gateway_url,
            sb.token,
            str(path),
            stdout=asyncio.subprocess.PIPE,
            stderr=errors,
            cwd=Path(__file__).parents[2],
        )
        try:
            assert child.stdout is not None
            line = await asyncio.wait_for(child.stdout.readline(), 60)
            assert line.strip() == b"READY", "the bot process did not start; see child.log"
            yield child.pid
        finally:
            if child.returncode is None:
                child.kill()
            await child.wait()


async def test_forms_opened_before_a_kill_minus_9_are_applied_by_the_next_process(
    sb: Sandbox, tmp_path: Path
) -> None:
    path = tmp_path / "mentor-coach.db"
    mara, sam = sb.persona("mara"), sb.persona("sam")
    async with bot_in_a_process(sb, path, tmp_path / "child.log") as pid:
        await pair(mara, sam)
        first = await mara.slash("note add", student="Sam")
        await mara.submit_modal(first, {"Title": "Goals", "Note": "First version"})
        add_form = await mara.slash("note add", student="Sam")
        [goals] = await mara.autocomplete("note edit", "note", "Goals")
        edit_form = await mara.slash("note edit", note=goals["value"])
        feedback_form = await mara.slash("feedback", student="Sam", template="deliverable_review")
        checkin_form = await sam.slash("session prepare")
        schedule_form = await mara.user_command("Schedule a session", sam)
        forms = (add_form, edit_form, feedback_form, checkin_form, schedule_form)
        assert all(f.modal is not None for f in forms)
        os.kill(pid, signal.SIGKILL)  # no cleanup at all: no close, no checkpoint
        await sb.wait_for(lambda: not sb.hub.connected, timeout=10)

    db = await Database.open(path)
    running = await start_bot(sb, db, ManualClock(datetime.now(UTC)), path)
    try:
        saved = await mara.submit_modal(add_form, {"Title": "Plan", "Note": "Typed, then -9"})
        answered(saved, "Note saved")
        edited = await mara.submit_modal(edit_form, {"Note": "Edited, then -9"})
        answered(edited, "Note updated")
        report = await mara.submit_modal(feedback_form, {**REPORT, "skills": "Killed meanwhile"})
        answered(report, "Feedback saved")
        stored = await notes_of(db, sb, mara)
        bodies = {note.title: note.body for note in stored if note.template is None}
        assert bodies == {"Plan": "Typed, then -9", "Goals": "Edited, then -9"}
        [feedback] = [note for note in stored if note.template is not None]
        assert feedback.fields is not None
        assert feedback.fields["skills"] == "Killed meanwhile"
        prepared = await sam.submit_modal(checkin_form, {"discuss": "Typed, then -9"})
        answered(prepared, "Thanks!")
        [view, *_] = await session_store.sessions_of_mentor(db, guild_id(sb), mara.id)
        checkin = await checkin_store.checkin_of(db, view.session.id)
        assert checkin is not None
        assert checkin.discuss == "Typed, then -9"
        scheduled = await mara.submit_modal(schedule_form, {"when": "in 9 days 18:00"})
        answered(scheduled, "with **Sam**")
        assert len(await session_store.sessions_of_mentor(db, guild_id(sb), mara.id)) == 2
    finally:
        await running.stop()
        await db.close()


async def test_confirm_buttons_shown_before_a_restart_work_after_it(world: World) -> None:
    mara, sam, morgan = world.mara, world.sam, world.morgan
    await pair(mara, sam)
    await mara.submit_modal(
        await mara.slash("note add", student="Sam"), {"Title": "Old", "Note": "To delete"}
    )
    [note] = await notes_of(world.db, world.sb, mara)
    [view] = await session_store.sessions_of_mentor(world.db, guild_id(world.sb), mara.id)
    delete_question = await mara.slash("note delete", note=str(note.id))
    cancel_question = await mara.slash("session cancel", session=str(view.session.id))
    keep_question = await mara.slash("student archive", student="Sam")
    panel = await morgan.slash("setup")

    await world.restart()

    deleted = await mara.click(delete_question, "Delete note")
    assert "deleted" in deleted.content.lower(), deleted.content
    assert deleted.buttons == []
    assert await notes_of(world.db, world.sb, mara) == []
    cancelled = await mara.click(cancel_question, "Cancel session")
    assert cancelled.buttons == []
    stored = await session_store.get_session(world.db, view.session.id)
    assert stored is not None
    assert stored.status == "cancelled"
    kept = await mara.click(keep_question, "Keep it")
    assert kept.content == "Nothing was changed."
    [mentorship] = await mentorship_store.active_for_mentor(world.db, guild_id(world.sb), mara.id)
    assert mentorship.active

    # A panel that lives in memory only says so, privately, instead of failing.
    expired = await morgan.click(panel, "Done")
    assert expired.ephemeral
    assert "before the bot restarted" in expired.content


async def test_the_session_loop_forms_typed_before_a_restart_are_applied_after_it(
    world: World,
) -> None:
    mara, sam = world.mara, world.sam
    await pair(mara, sam)
    [view] = await session_store.sessions_of_mentor(world.db, guild_id(world.sb), mara.id)
    checkin_form = await sam.slash("session prepare", session=str(view.session.id))
    schedule_form = await mara.user_command("Schedule a session", sam)
    assert checkin_form.modal is not None
    assert schedule_form.modal is not None

    await world.restart()
    prepared = await sam.submit_modal(checkin_form, {"stuck": "Typed, then a restart"})
    answered(prepared, "Thanks!")
    checkin = await checkin_store.checkin_of(world.db, view.session.id)
    assert checkin is not None
    assert checkin.stuck == "Typed, then a restart"
    scheduled = await mara.submit_modal(
        schedule_form, {"when": "2026-12-10 18:00", "repeat": "none"}
    )
    answered(scheduled, "with **Sam**")
    starts = [
        v.session.starts_at
        for v in await session_store.sessions_of_mentor(world.db, guild_id(world.sb), mara.id)
    ]
    assert datetime(2026, 12, 10, 17, 0, tzinfo=UTC) in starts

    # The session took place: the record form opened before a restart records it after.
    world.clock.set(view.session.starts_at + timedelta(minutes=40))
    record_form = await mara.slash("session record", session=str(view.session.id))
    assert record_form.modal is not None
    await world.restart()
    recorded = await mara.submit_modal(
        record_form, {"outcome": "held", "worked_on": "Recorded across a restart"}
    )
    answered(recorded, "Sam")
    stored = await session_store.get_session(world.db, view.session.id)
    assert stored is not None
    assert stored.status == "held"
    [mentorship] = await mentorship_store.active_for_mentor(world.db, guild_id(world.sb), mara.id)
    notes = await note_store.notes_of(world.db, mentorship.id, mara.id)
    assert any("Recorded across a restart" in note.body for note in notes)
    # The notes button comes with the answer, as without a restart.
    assert recorded.message is not None
    assert recorded.message.buttons == ["Write session notes"]


async def test_a_privacy_delete_question_works_after_a_restart_and_only_while_fresh(
    world: World,
) -> None:
    mara, sam = world.mara, world.sam
    await pair(mara, sam)
    question = await sam.slash("privacy delete")
    stale = await mara.slash("privacy delete")

    await world.restart()
    deleted = await sam.click(question, "Delete my data")
    assert "deleted" in deleted.content.lower(), deleted.content
    assert not await mentorship_store.mentorships_of_student(
        world.db, sam.id, guild_id(world.sb), include_archived=True
    )
    world.clock.advance(timedelta(minutes=16))
    expired = await mara.click(stale, "Delete my data")
    assert "more than 15 minutes old" in expired.content, expired.content
    kept = await world.db.fetch_one("SELECT timezone FROM user_prefs WHERE user_id = ?", (mara.id,))
    assert kept is not None  # nothing of Mara was erased
    assert kept["timezone"] == "Europe/Paris"
