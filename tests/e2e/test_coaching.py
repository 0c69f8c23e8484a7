"""Coaching stories: a mentor prepares, writes feedback, asks for advice, plans the end."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.app import MentorCoach
from bot.content import content
from bot.storage import coaching as coaching_store
from bot.storage import mentorships as mentorship_store
from bot.storage import notes as note_store
from bot.storage import sessions as session_store
from bot.storage.mentorships import Mentorship
from bot.texts import tr
from sandbox.driver import Persona
from sandbox.views import Reply
from tests.e2e.answers import answer_to
from tests.e2e.conftest import World, start_bot

PROGRESS = re.compile(r"Progress: (\d+)/(\d+)")
PICK_ITEMS = "Tick what you have prepared"
PICK_STEPS = "Tick the next steps that are done"


@asynccontextmanager
async def restarted(world: World) -> AsyncIterator[MentorCoach]:
    """Stop the running bot and start a fresh one on the same sandbox, database and clock."""
    identifies = world.sb.stats.identifies
    await world.bot.close()
    assert world.bot.is_closed()
    running = await start_bot(world.sb, world.db, world.clock, world.bot.settings.database_path)
    assert running.bot is not world.bot
    assert world.sb.stats.identifies == identifies + 1
    try:
        yield running.bot
    finally:
        await running.stop()


def progress_of(reply: Reply) -> tuple[int, int]:
    """Return (ticked, total) as the prep message shows them."""
    found = PROGRESS.search(reply.embeds[0]["description"])
    assert found is not None, reply.embeds[0]["description"]
    return int(found.group(1)), int(found.group(2))


def selects_of(reply: Reply) -> list[dict[str, Any]]:
    message = reply.message
    assert message is not None, reply
    return message.selects


def select_of(reply: Reply, placeholder: str) -> dict[str, Any]:
    [select] = [s for s in selects_of(reply) if s.get("placeholder") == placeholder]
    return select


async def mentor_with_student(world: World, mentor: Persona, student: Persona) -> Mentorship:
    """The mentor sets a zone, follows the student and plans a session tomorrow at 18:00."""
    await mentor.slash("timezone set", zone="Europe/Paris")
    # These stories are about coaching; session news has its own (tests/e2e/test_loop.py).
    await student.slash("reminders settings", session_news=False)
    added = await mentor.slash(
        "student add", member=student, project="P2 · Portfolio", session_length=30
    )
    assert "You now mentor" in added.content, added.content
    planned = await mentor.slash(
        "session schedule", student=student.name.title(), when="tomorrow 18:00"
    )
    assert "with **" in planned.content, planned.content
    assert world.sb.guild is not None
    [mentorship] = await mentorship_store.active_for_mentor(world.db, world.sb.guild.id, mentor.id)
    return mentorship


async def next_session_id(world: World, mentorship: Mentorship) -> int:
    upcoming = await session_store.next_session(world.db, mentorship.id, world.clock.now())
    assert upcoming is not None
    return upcoming.id


DELIVERABLE = {
    "expected": "A slide deck and a repository link, by Friday",
    "handed_in": "The deck arrived; the repository has no README",
    "skills": "Responsive layout shown well; accessibility not evidenced",
    "questions": "How did you test on small screens?",
    "next_steps": "- Add the missing test report\n- Write the README\n\n",
}


async def write_feedback(mentor: Persona, template: str, values: dict[str, str]) -> Reply:
    form = await mentor.slash("feedback", student="Sam", template=template)
    assert form.modal is not None, form
    return await mentor.submit_modal(form, values)


async def test_prep_ticks_survive_a_restart_of_the_bot(world: World) -> None:
    mara = world.mara
    mentorship = await mentor_with_student(world, mara, world.sam)
    session_id = await next_session_id(world, mentorship)

    prep = await mara.slash("prep", student="Sam")
    assert prep.ephemeral
    embed = prep.embeds[0]
    assert embed["title"] == "Prep · Sam · Regular session"
    assert "P2 · Portfolio" in str(embed["fields"])
    assert "No session held yet" in str(embed["fields"])
    assert [f["name"] for f in embed["fields"]][-4:] == ["Guide", "Motivate", "Inspire", "Assess"]
    done, total = progress_of(prep)
    expected = content().checklist_for(
        "regular",
        last_no_show=False,
        has_open_steps=False,
        first_session=True,
        presentation_soon=False,
    )
    assert (done, total) == (0, sum(len(items) for _, items in expected))
    options = [o["value"] for o in select_of(prep, PICK_ITEMS)["options"]]
    assert len(options) == total
    assert all(len(str(c["custom_id"])) <= 100 for c in selects_of(prep))

    ticked = await mara.select(prep, PICK_ITEMS, options[:2])
    assert progress_of(ticked) == (2, total)
    assert await coaching_store.ticked_items(world.db, session_id) == set(options[:2])

    async with restarted(world):
        # The same old message: its select still works, and it still knows the first two ticks.
        third = await mara.select(prep, PICK_ITEMS, options[:3])
        assert progress_of(third) == (3, total)
        assert "✅" in str(third.embeds[0]["fields"])
        assert await coaching_store.ticked_items(world.db, session_id) == set(options[:3])
        defaults = [o["value"] for o in select_of(third, PICK_ITEMS)["options"] if o.get("default")]
        assert defaults == options[:3]
        again = await mara.slash("prep", student="Sam")
        assert progress_of(again) == (3, total)


async def test_prep_without_a_planned_session_points_to_scheduling(world: World) -> None:
    mara = world.mara
    await mara.slash("student add", member=world.sam, project="P2", session_length=30)
    reply = await mara.slash("prep", student="Sam")
    assert reply.ephemeral
    assert "no session planned" in reply.content
    assert "/session schedule" in reply.content


async def mara_writes_feedback_after_the_session(world: World) -> tuple[Mentorship, int, Reply]:
    """Mara follows Sam; two days after their session she writes a deliverable review."""
    mentorship = await mentor_with_student(world, world.mara, world.sam)
    first_session = await next_session_id(world, mentorship)
    world.clock.advance(timedelta(days=2))  # the session took place
    saved = await write_feedback(world.mara, "deliverable_review", DELIVERABLE)
    return mentorship, first_session, saved


async def test_feedback_is_saved_as_a_note_of_the_session_with_its_next_steps(
    world: World,
) -> None:
    mara = world.mara
    mentorship, first_session, saved = await mara_writes_feedback_after_the_session(world)
    assert saved.ephemeral
    assert "Feedback saved" in saved.content
    assert "2 next steps" in saved.content
    assert saved.buttons == ["Send to student", "Edit"]
    [note] = await note_store.notes_of(world.db, mentorship.id, mara.id)
    local = world.clock.now().astimezone(ZoneInfo("Europe/Paris"))
    assert note.title == f"Deliverable review · {local.day} {local:%b}"
    assert note.template == "deliverable_review"
    assert note.session_id == first_session
    assert note.fields is not None
    assert note.fields["handed_in"] == DELIVERABLE["handed_in"]
    assert [h.note.id for h in await note_store.search_notes(world.db, mara.id, "README")] == [
        note.id
    ]
    steps = await coaching_store.steps_of_note(world.db, note.id)
    assert [s.text for s in steps] == ["Add the missing test report", "Write the README"]


async def test_feedback_sent_to_the_student_holds_the_templates_shared_fields(
    world: World,
) -> None:
    mara, sam = world.mara, world.sam
    mentorship, _, saved = await mara_writes_feedback_after_the_session(world)
    [note] = await note_store.notes_of(world.db, mentorship.id, mara.id)
    clicked = await mara.click(saved, "Send to student")
    sent = await answer_to(world.sb, clicked)
    assert sent.stored.ephemeral
    assert "Sent to **Sam**" in sent.content
    assert clicked.buttons == ["Sent ✓", "Edit"]  # the preview shows it was sent
    [dm] = sam.dms
    dm_embed = dm.embeds[0]
    assert "mara" in dm_embed["description"].lower()
    assert [f["name"] for f in dm_embed["fields"]] == [
        field.label for field in content().template("deliverable_review").shared_fields
    ]
    shared = await note_store.get_note(world.db, note.id)
    assert shared is not None
    assert shared.shared_at is not None


async def test_the_next_steps_of_feedback_show_in_the_next_prep_and_are_ticked_there(
    world: World,
) -> None:
    mara = world.mara
    mentorship, _, _ = await mara_writes_feedback_after_the_session(world)
    [note] = await note_store.notes_of(world.db, mentorship.id, mara.id)
    steps = await coaching_store.steps_of_note(world.db, note.id)
    # The next session: its prep shows the open steps; Mara ticks one done.
    await mara.slash("session schedule", student="Sam", when="tomorrow 18:00")
    second_session = await next_session_id(world, mentorship)
    prep = await mara.slash("prep", student="Sam")
    fields = {f["name"]: f["value"] for f in prep.embeds[0]["fields"]}
    assert (
        fields["Open next steps (0/2 done)"]
        == "⬜ Add the missing test report\n⬜ Write the README"
    )
    assert "Deliverable review" in fields["Latest notes"]
    assert "Re-read last week's agreed next steps" in str(fields)  # has_open_steps item
    step_options = select_of(prep, PICK_STEPS)["options"]
    assert [o["label"] for o in step_options] == [s.text for s in steps]
    ticked = await mara.select(prep, PICK_STEPS, [str(steps[1].id)])
    assert "Open next steps (1/2 done)" in str(ticked.embeds[0]["fields"])
    stored = await coaching_store.steps_of_note(world.db, note.id)
    assert [s.done for s in stored] == [False, True]
    assert stored[1].done_session_id == second_session
    assert [s.text for s in await coaching_store.open_steps(world.db, mentorship.id)] == [
        "Add the missing test report"
    ]


async def test_private_fields_never_reach_the_student_and_closed_dms_lose_nothing(
    world: World,
) -> None:
    mara, sam = world.mara, world.sam
    mentorship = await mentor_with_student(world, mara, sam)
    report = {
        "check_in": "Tired after a busy week at work",
        "progress": "The layout is done; forms are stuck",
        "next_goals": "Finish the contact form",
        "mood_risk": "Talked about quitting; watch closely",
    }
    saved = await write_feedback(mara, "session_report", report)
    assert "🔒 Mood and risk" in str(saved.embeds[0]["fields"])  # the mentor's preview shows it

    world.sb.close_dms(sam)
    refused = await answer_to(world.sb, await mara.click(saved, "Send to student"))
    assert refused.stored.ephemeral
    assert "does not accept direct messages" in refused.content
    [note] = await note_store.notes_of(world.db, mentorship.id, mara.id)
    assert note.shared_at is None
    assert sam.dms == []

    # Edit: the form opens pre-filled, the note and its next steps follow the change.
    form = await mara.click(saved, "Edit")
    assert form.modal is not None
    prefilled = {f["custom_id"]: f.get("value") for f in form.modal["fields"]}
    assert prefilled["mood_risk"] == report["mood_risk"]
    edited = await mara.submit_modal(
        form, {"next_goals": "Finish the contact form\nBook the mock presentation"}
    )
    assert "Feedback updated" in edited.content
    updated = await note_store.get_note(world.db, note.id)
    assert updated is not None
    assert updated.fields is not None
    assert updated.fields["next_goals"].endswith("Book the mock presentation")
    assert updated.fields["mood_risk"] == report["mood_risk"]
    steps = await coaching_store.steps_of_note(world.db, note.id)
    assert [s.text for s in steps] == ["Finish the contact form", "Book the mock presentation"]

    world.sb.open_dms(sam)
    sent = await answer_to(world.sb, await mara.click(saved, "Send to student"))
    assert "Sent to **Sam**" in sent.content
    [dm] = sam.dms
    text = str(dm.embeds[0])
    assert "Mood and risk" not in text
    assert "quitting" not in text
    assert "Book the mock presentation" in text
    assert "Talked about" not in str(dm.payload)


async def test_coach_renders_every_topic_and_skill(world: World) -> None:
    mara = world.mara
    for topic in content().topics.values():
        reply = await mara.slash("coach topic", topic=topic.id)
        assert reply.ephemeral
        embed = reply.embeds[0]
        assert embed["title"] == topic.title
        assert topic.moves[0] in embed["description"]
        names = [f["name"] for f in embed["fields"]]
        for_start = [
            name
            for start, name in (
                ("first_job", "For a student in their first job"),
                ("career_change", "For a career changer"),
            )
            if start in topic.for_start
        ]
        assert names == ["A question to ask", "A pitfall to avoid", *for_start]
    for skill in content().skills.values():
        reply = await mara.slash("coach skill", skill=skill.id)
        assert reply.ephemeral
        assert reply.embeds[0]["title"] == skill.title
        assert reply.embeds[0]["fields"][0]["value"] == skill.try_this


async def test_progress_ready_for_assessment_plans_the_presentation(world: World) -> None:
    mara = world.mara
    mentorship = await mentor_with_student(world, mara, world.sam)
    first = await mara.slash("progress", student="Sam", status="behind")
    assert "Progress recorded for **Sam**: Behind" in first.content
    assert await coaching_store.open_plan(world.db, mentorship.id) is None

    now = world.clock.now()
    ready = await mara.slash(
        "progress", student="Sam", status="on_track", ready_for_assessment=True
    )
    assert "Presentation planning started" in ready.content
    plan = await coaching_store.open_plan(world.db, mentorship.id)
    assert plan is not None
    early, late = content().progress.presentation_lead_weeks
    assert plan.presentation_from == now.replace(microsecond=0) + timedelta(weeks=early)
    assert plan.presentation_until == now.replace(microsecond=0) + timedelta(weeks=late)
    assert now < plan.request_by < plan.presentation_from
    assert plan.mock_by is not None
    assert plan.request_by < plan.mock_by < plan.presentation_from
    assert f"<t:{int(plan.request_by.timestamp())}:D>" in str(ready.embeds[0]["fields"])

    again = await mara.slash("progress", student="Sam", status="ahead", ready_for_assessment=True)
    assert "already running" in again.content
    assert await coaching_store.open_plan(world.db, mentorship.id) == plan
    history = await coaching_store.progress_history(world.db, mentorship.id)
    assert [e.status for e in history] == ["ahead", "on_track", "behind"]

    # The prep of the coming session now reminds Mara of the presentation.
    prep = await mara.slash("prep", student="Sam")
    assert "Presentation plan" in str(prep.embeds[0]["fields"])
    assert "Presentation soon" in str(prep.embeds[0]["fields"])


async def test_another_mentor_cannot_prepare_or_write_feedback_for_my_student(
    world: World,
) -> None:
    mara, mehdi = world.mara, world.mehdi
    mentorship = await mentor_with_student(world, mara, world.sam)
    session_id = await next_session_id(world, mentorship)
    await mehdi.slash("timezone set", zone="Europe/Paris")
    cases: list[tuple[str, dict[str, Any]]] = [
        ("prep", {}),
        ("feedback", {"template": "deliverable_review"}),
        ("progress", {"status": "ahead"}),
    ]
    for command, options in cases:
        reply = await mehdi.slash(command, student=str(mentorship.id), **options)
        assert reply.modal is None
        assert reply.ephemeral
        # Mehdi reads French: the refusal comes from the catalogue in his language.
        expected = tr("students.unknown", "fr", text=str(mentorship.id))
        assert reply.content == expected, (command, reply.content)
    assert await mehdi.autocomplete("prep", "student", "") == []
    assert await note_store.count_notes(world.db, mentorship.id, mehdi.id) == 0
    assert await note_store.count_notes(world.db, mentorship.id, mara.id) == 0
    assert await coaching_store.ticked_items(world.db, session_id) == set()
    assert await coaching_store.progress_history(world.db, mentorship.id) == []


async def test_coaching_wording_fits_the_students_starting_point(world: World) -> None:
    mara = world.mara
    answer = content().topic("discouraged")
    reply = await mara.slash("coach topic", topic="discouraged", starting_point="career_change")
    fields = reply.embeds[0]["fields"]
    assert [f["name"] for f in fields][-1] == "For a career changer"
    assert fields[-1]["value"] == answer.for_start["career_change"]
    assert answer.for_start["first_job"] not in str(fields)
    skill = await mara.slash("coach skill", skill="adaptability", starting_point="first_job")
    assert (
        skill.embeds[0]["fields"][-1]["value"]
        == (content().skill("adaptability").for_start["first_job"])
    )
