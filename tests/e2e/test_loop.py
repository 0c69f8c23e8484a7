"""The session loop for both people: the student is told of every change, at once, in one DM."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import discord
import pytest
from icalendar import Calendar

from bot.commands_index import commands_for
from bot.scheduling.recurrence import Repeat
from bot.services import sessions as sessions_service
from bot.services import students as students_service
from bot.services.students import NewStudent
from bot.storage import checkins as checkin_store
from bot.storage import news as news_store
from bot.storage import notes as note_store
from bot.storage import outcomes as outcome_store
from bot.storage import reminders as reminder_store
from bot.storage import sessions as session_store
from bot.storage.sessions import SessionView
from bot.texts import tr
from bot.timefmt import discord_stamp
from cogs.help import LOOPS
from sandbox.driver import MessageView, Persona, Reply
from tests.e2e.answers import headed_blocks
from tests.e2e.conftest import World

START = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
"""A Tuesday, 09:00 in Paris, 17:00 in Tokyo."""
FRIDAY = datetime(2026, 12, 4, 17, 0, tzinfo=UTC)
"""Friday 4 December, 18:00 in Paris, Saturday 02:00 in Tokyo."""
MINUTE = timedelta(minutes=1)


async def pair(world: World, student: Persona) -> None:
    """Mara (Paris) follows a student who lives in Tokyo."""
    world.clock.set(START)
    await world.mara.slash("timezone set", zone="Europe/Paris")
    await student.slash("timezone set", zone="Asia/Tokyo")
    await world.mara.slash(
        "student add", member=student, project="P2 · Portfolio", session_length=30
    )


async def sessions_of(world: World) -> list[SessionView]:
    assert world.sb.guild is not None
    return await session_store.sessions_of_mentor(
        world.db, world.sb.guild.id, world.mara.id, limit=100
    )


async def let_time_pass(world: World, delta: timedelta) -> None:
    """Move the clock on and let the bot send what fell due."""
    world.clock.advance(delta)
    await world.bot.news.run_due()
    await world.bot.dispatcher.run_due()


def news_dms(persona: Persona) -> list[MessageView]:
    """The session-news messages a person got (titled after their mentor)."""
    titles = {tr("news.title_with", persona.locale, name="Mara"), tr("news.title", persona.locale)}
    return [m for m in persona.dms if m.embeds and m.embeds[0].get("title") in titles]


async def test_the_student_is_told_of_a_new_series_once_the_minute_is_over(world: World) -> None:
    sam, mara = world.sam, world.mara
    await pair(world, sam)
    planned = await mara.slash(
        "session schedule", student="Sam", when="2026-12-04 18:00", repeat="weekly"
    )
    assert "Repeats every week" in planned.content
    assert sam.dms == []  # changes wait a minute for others to join them
    await let_time_pass(world, MINUTE - timedelta(seconds=1))
    assert sam.dms == []
    await let_time_pass(world, timedelta(seconds=2))
    [told] = sam.dms
    embed = told.embeds[0]
    assert embed["title"] == "Your sessions with Mara"
    assert embed["description"] == tr(
        "news.series_weekly",
        sam.locale,
        mentor=mara.mention,
        when=discord_stamp(FRIDAY, "F"),
        relative=discord_stamp(FRIDAY, "R"),
        kind="Regular session",
        minutes=30,
    )
    assert "<t:1796403600:F>" in embed["description"]  # each reader sees it in their own zone
    assert "/reminders settings" in embed["footer"]["text"]
    assert told.pinged_users == []
    # The mentor, who made the change, gets no DM about it; nothing is sent twice.
    assert mara.dms == []
    await let_time_pass(world, timedelta(hours=1))
    assert len(news_dms(sam)) == 1
    [row] = await news_store.news_of(world.db, sam.id)
    assert row.status == "sent"


async def test_a_move_and_a_cancellation_in_one_minute_reach_the_student_as_one_message(
    world: World,
) -> None:
    sam, mara = world.sam, world.mara
    await pair(world, sam)
    await mara.slash("session schedule", student="Sam", when="2026-12-04 18:00", repeat="weekly")
    await let_time_pass(world, MINUTE * 2)
    assert len(news_dms(sam)) == 1
    first, second = (v.session for v in (await sessions_of(world))[:2])

    moved = await mara.slash("session reschedule", session=str(first.id), when="2026-12-05 10:00")
    assert "moved" in moved.content
    question = await mara.slash("session cancel", session=str(second.id))
    await mara.click(question, "Cancel session")
    await let_time_pass(world, timedelta(seconds=30))
    assert len(news_dms(sam)) == 1  # still within the minute
    await let_time_pass(world, timedelta(seconds=31))
    told = news_dms(sam)[-1]
    saturday = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
    lines = told.embeds[0]["description"].split("\n")
    assert lines == [
        tr(
            "news.rescheduled",
            sam.locale,
            mentor=mara.mention,
            old=discord_stamp(FRIDAY, "F"),
            when=discord_stamp(saturday, "F"),
            relative=discord_stamp(saturday, "R"),
        ),
        tr(
            "news.cancelled",
            sam.locale,
            mentor=mara.mention,
            when=discord_stamp(second.starts_at, "F"),
        ),
    ]
    assert len(news_dms(sam)) == 2
    assert mara.dms == []


async def test_cancelling_the_rest_of_a_series_reaches_the_student_as_one_line_with_the_count(
    world: World,
) -> None:
    sam, mara = world.sam, world.mara
    await pair(world, sam)
    await mara.slash("session schedule", student="Sam", when="2026-12-04 18:00", repeat="weekly")
    await let_time_pass(world, MINUTE * 2)
    assert len(news_dms(sam)) == 1
    third = (await sessions_of(world))[2].session
    # The rest of the series is cancelled: one line says so, with how many sessions.
    question = await mara.slash("session cancel", session=str(third.id), scope="series")
    await mara.click(question, "Cancel session")
    await let_time_pass(world, MINUTE * 2)
    told = news_dms(sam)[-1]
    cancelled = [v for v in await sessions_of(world) if v.session.status == "cancelled"]
    assert told.embeds[0]["description"] == tr(
        "news.series_cancelled",
        sam.locale,
        mentor=mara.mention,
        when=discord_stamp(third.starts_at, "F"),
        count=len(cancelled),
    )
    assert cancelled[0].session.starts_at == third.starts_at  # the rest, from the third on
    assert len(news_dms(sam)) == 2
    assert mara.dms == []


async def test_planned_then_moved_within_the_minute_reads_as_one_new_session(world: World) -> None:
    sam, mara = world.sam, world.mara
    await pair(world, sam)
    await mara.slash("session schedule", student="Sam", when="2026-12-04 18:00")
    [view] = await sessions_of(world)
    await mara.slash("session reschedule", session=str(view.session.id), when="2026-12-04 19:00")
    await let_time_pass(world, MINUTE * 2)
    [told] = sam.dms
    at = FRIDAY + timedelta(hours=1)
    assert told.embeds[0]["description"] == tr(
        "news.scheduled",
        sam.locale,
        mentor=mara.mention,
        when=discord_stamp(at, "F"),
        relative=discord_stamp(at, "R"),
        kind="Regular session",
        minutes=30,
    )

    # Planned and cancelled within a minute: not worth a message.
    await mara.slash("session schedule", student="Sam", when="2026-12-08 18:00")
    later = [v for v in await sessions_of(world) if v.session.id != view.session.id]
    question = await mara.slash("session cancel", session=str(later[0].session.id))
    await mara.click(question, "Cancel session")
    await let_time_pass(world, MINUTE * 2)
    assert len(sam.dms) == 1


async def test_a_french_student_reads_the_news_in_french(world: World) -> None:
    sofia, mara = world.sofia, world.mara
    await pair(world, sofia)
    await mara.slash(
        "session schedule", student="Sofia", when="2026-12-04 18:00", repeat="biweekly"
    )
    await let_time_pass(world, MINUTE * 2)
    [told] = sofia.dms
    embed = told.embeds[0]
    assert embed["title"] == "Vos séances avec Mara"
    assert embed["description"] == tr(
        "news.series_biweekly",
        "fr",
        mentor=mara.mention,
        when=discord_stamp(FRIDAY, "F"),
        relative=discord_stamp(FRIDAY, "R"),
        kind=tr("kind.regular", "fr"),
        minutes=30,
    )
    assert embed["description"].startswith("📅 **Nouvelles séances toutes les 2 semaines**")
    assert embed["footer"]["text"] == tr("news.footer", "fr")

    # The mentorship ends: she is told, in French, how many planned sessions were cancelled.
    question = await mara.slash("student archive", student="Sofia")
    await mara.click(question, "End mentorship")
    await let_time_pass(world, MINUTE * 2)
    cancelled = [v for v in await sessions_of(world) if v.session.status == "cancelled"]
    assert news_dms(sofia)[-1].embeds[0]["description"] == tr(
        "news.archived", "fr", mentor=mara.mention, count=len(cancelled)
    )
    assert "a mis fin à votre mentorat" in news_dms(sofia)[-1].embeds[0]["description"]


async def test_news_waiting_at_a_restart_is_sent_once_after_it(world: World) -> None:
    sam, mara = world.sam, world.mara
    await pair(world, sam)
    await mara.slash("session schedule", student="Sam", when="2026-12-04 18:00")
    await world.restart()
    await let_time_pass(world, MINUTE * 2)
    assert len(sam.dms) == 1

    # A send interrupted by a crash (claimed, not settled) is finished with the same nonce.
    await mara.slash("session schedule", student="Sam", when="2026-12-08 18:00")
    world.clock.advance(MINUTE * 2)
    async with world.db.transaction() as tx:
        batch = await news_store.claim(tx, sam.id, world.clock.now())
    assert batch is not None
    await world.restart()
    await world.bot.news.recover()
    await let_time_pass(world, MINUTE)
    assert len(sam.dms) == 2
    assert {n.status for n in await news_store.news_of(world.db, sam.id)} == {"sent"}


async def test_a_student_can_turn_session_news_off_and_on(world: World) -> None:
    sam, mara = world.sam, world.mara
    await pair(world, sam)
    off = await sam.slash("reminders settings", session_news=False)
    assert off.ephemeral
    assert tr("news.setting_off", sam.locale) in off.content
    await mara.slash("session schedule", student="Sam", when="2026-12-04 18:00")
    await let_time_pass(world, MINUTE * 2)
    assert sam.dms == []
    shown = await sam.slash("reminders settings")
    assert tr("news.setting_off", sam.locale) in shown.content
    on = await sam.slash("reminders settings", session_news=True)
    assert tr("news.setting_on", sam.locale) in on.content
    await mara.slash("session schedule", student="Sam", when="2026-12-08 18:00")
    await let_time_pass(world, MINUTE * 2)
    assert len(sam.dms) == 1
    french = await world.sofia.slash("reminders settings", session_news=False)
    assert tr("news.setting_off", "fr") in french.content


async def test_a_move_the_student_asked_for_gives_them_the_new_time(world: World) -> None:
    sam, mara = world.sam, world.mara
    await pair(world, sam)
    await mara.slash("session schedule", student="Sam", when="2026-12-04 18:00")
    [view] = await sessions_of(world)
    await let_time_pass(world, MINUTE * 2)
    [reminder] = [
        r
        for r in await reminder_store.reminders_of(world.db, sam.id, ["pending"], START)
        if r.kind == "student_reminder" and r.slot.startswith("48h")
    ]
    world.clock.set(reminder.due_at)
    await world.bot.dispatcher.run_due()
    ask = sam.dms[-1]
    assert ask.buttons == ["Confirm", "I can't make it", "Prepare"]
    form = await sam.click(ask, "I can't make it")
    await sam.submit_modal(form, {"reason": "Exam that evening"})
    await world.sb.wait_for(lambda: len(mara.dms) == 1)
    moved_form = await mara.click(mara.dms[0], "Reschedule")
    done = await mara.submit_modal(moved_form, {"when": "2026-12-05 10:00"})
    assert "moved" in done.content
    await let_time_pass(world, MINUTE * 2)
    told = news_dms(sam)[-1]
    saturday = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
    assert told.embeds[0]["description"] == tr(
        "news.rescheduled_asked",
        sam.locale,
        mentor=mara.mention,
        old=discord_stamp(view.session.starts_at, "F"),
        when=discord_stamp(saturday, "F"),
        relative=discord_stamp(saturday, "R"),
    )


async def test_the_student_sees_their_sessions_with_the_mentor_and_whether_they_confirmed(
    world: World,
) -> None:
    sam, mara, sofia = world.sam, world.mara, world.sofia
    await pair(world, sam)
    await mara.slash("student add", member=sofia, project="P3", session_length=45)
    await mara.slash("session schedule", student="Sam", when="2026-12-04 18:00")
    await mara.slash("session schedule", student="Sofia", when="2026-12-04 19:00")
    listing = await sam.slash("session list")
    line = listing.embeds[0]["description"]
    assert tr("loop.with_mentor_named", sam.locale, name="Mara", mention=mara.mention) in line
    assert tr("loop.not_confirmed", sam.locale) in line
    # The 48 h reminder: Sam confirms; his list says so, and so does Mara's.
    await let_time_pass(world, FRIDAY - timedelta(hours=48) - world.clock.now())
    [ask] = [m for m in sam.dms if m.buttons == ["Confirm", "I can't make it", "Prepare"]]
    await sam.click(ask, "Confirm")
    listing = await sam.slash("session list", dm=True)
    assert tr("loop.you_confirmed", sam.locale) in listing.embeds[0]["description"]
    assert "confirmed by the student" in (await mara.slash("session list")).embeds[0]["description"]
    # Sofia reads it in French, in her DMs.
    french = await sofia.slash("session list", dm=True)
    assert (
        tr("loop.with_mentor_named", "fr", name="Mara", mention=mara.mention)
        in french.embeds[0]["description"]
    )
    assert tr("loop.not_confirmed", "fr") in french.embeds[0]["description"]


async def test_reminder_buttons_say_the_session_has_started(world: World) -> None:
    sam, sofia, mara = world.sam, world.sofia, world.mara
    await pair(world, sam)
    await mara.slash("student add", member=sofia, project="P3", session_length=45)
    await mara.slash("session schedule", student="Sam", when="2026-12-04 18:00")
    await mara.slash("session schedule", student="Sofia", when="2026-12-04 19:00")
    await let_time_pass(world, FRIDAY - timedelta(hours=47) - world.clock.now())
    [ask] = [m for m in sam.dms if m.buttons == ["Confirm", "I can't make it", "Prepare"]]
    [demande] = [m for m in sofia.dms if len(m.buttons) == 3]
    world.clock.set(FRIDAY + timedelta(hours=2, minutes=5))  # both have started
    late = await sam.click(ask, "Confirm")
    assert late.ephemeral
    assert late.content == tr("loop.started", sam.locale, when=discord_stamp(FRIDAY, "R"))
    declined = await sam.click(ask, "I can't make it")
    assert declined.modal is None
    assert "has started" in declined.content
    stored = await session_store.get_session(world.db, (await sessions_of(world))[0].session.id)
    assert stored is not None
    assert stored.student_response is None
    en_retard = await sofia.click(demande, demande.buttons[0])
    assert en_retard.content == tr(
        "loop.started", "fr", when=discord_stamp(FRIDAY + timedelta(hours=1), "R")
    )
    assert "a commencé" in en_retard.content


CHECKIN = {
    "done": "Finished the wireframes and the README",
    "stuck": "Testing the API calls",
    "discuss": "Is the scope right for the deadline?",
    "link": "https://github.com/sam/portfolio",
}


async def sam_is_asked_to_prepare(world: World) -> tuple[MessageView, SessionView]:
    """Sam's session with Mara on Friday 18:00 Paris, with links: the 48 h reminder came."""
    sam, mara = world.sam, world.mara
    await pair(world, sam)
    edited = await mara.slash(
        "student edit",
        student="Sam",
        project_link="https://github.com/sam/portfolio",
        meeting_link="https://meet.example.org/mara-sam",
    )
    assert "https://meet.example.org/mara-sam" in str(edited.embeds), edited.content
    await mara.slash("session schedule", student="Sam", when="2026-12-04 18:00")
    [view] = await sessions_of(world)
    await let_time_pass(world, FRIDAY - timedelta(hours=48) - world.clock.now())
    [ask] = [m for m in sam.dms if "Prepare" in m.buttons]
    return ask, view


async def check_in(world: World, ask: MessageView, answers: dict[str, str]) -> None:
    """Sam fills the check-in form from the reminder's Prepare button."""
    form = await world.sam.click(ask, "Prepare")
    assert form.modal is not None
    await world.sam.submit_modal(form, answers)


async def test_the_student_prepares_from_the_48h_reminder_and_a_bad_link_is_refused(
    world: World,
) -> None:
    sam = world.sam
    ask, view = await sam_is_asked_to_prepare(world)
    # The 48 h reminder carries the links and a Prepare button.
    assert "https://meet.example.org/mara-sam" in str(ask.embeds[0]["fields"])
    form = await sam.click(ask, "Prepare")
    assert form.modal is not None
    assert [f["label"] for f in form.modal["fields"]] == [
        "What I did since last time",
        "Where I'm stuck",
        "What I want to discuss",
        "A link to my work",
    ]
    # A link that is not one is refused, and nothing is stored.
    bad = await sam.submit_modal(form, {**CHECKIN, "link": "my github"})
    assert bad.ephemeral
    assert "is not a web address" in bad.content
    assert await checkin_store.checkin_of(world.db, view.session.id) is None
    empty = await sam.submit_modal(await sam.click(ask, "Prepare"), {})
    assert "nothing was saved" in empty.content
    saved = await sam.submit_modal(await sam.click(ask, "Prepare"), CHECKIN)
    assert saved.ephemeral
    assert saved.content == tr(
        "checkin.saved", sam.locale, when=discord_stamp(view.session.starts_at, "F")
    )
    again = await sam.click(ask, "Prepare")  # the form comes back filled in
    assert again.modal is not None
    assert [f.get("value") for f in again.modal["fields"]] == list(CHECKIN.values())


async def test_the_mentors_review_nudge_and_prep_open_with_the_students_check_in(
    world: World,
) -> None:
    mara = world.mara
    ask, _ = await sam_is_asked_to_prepare(world)
    await check_in(world, ask, CHECKIN)
    # The mentor's review nudge, 24 h before: the check-in first, then links, then what's new.
    await let_time_pass(world, FRIDAY - timedelta(hours=24) - world.clock.now())
    review_title = tr("reminders.review_title", mara.locale, name="Sam")
    [nudge] = [m for m in mara.dms if f"## {review_title}" in m.text]
    blocks = headed_blocks(nudge)
    assert blocks[0][0] == tr("checkin.field_title", mara.locale)
    assert "Finished the wireframes" in blocks[0][1]
    assert "Stuck on:** Testing the API calls" in blocks[0][1]
    assert blocks[1][0] == tr("checkin.links_title", mara.locale)
    assert "https://meet.example.org/mara-sam" in blocks[1][1]
    assert blocks[2][0] == "New since the last session"
    assert tr("checkin.since_none", mara.locale) in blocks[2][1]
    # /prep shows it at the top too.
    prep = await mara.slash("prep", student="Sam")
    prep_fields = prep.embeds[0]["fields"]
    assert prep_fields[0]["name"] == tr("checkin.field_title", mara.locale)
    assert "Is the scope right" in prep_fields[0]["value"]
    assert "https://github.com/sam/portfolio" in str(prep_fields)


async def test_a_check_in_changed_after_the_review_nudge_reaches_the_mentor_once(
    world: World,
) -> None:
    mara = world.mara
    ask, _ = await sam_is_asked_to_prepare(world)
    await check_in(world, ask, CHECKIN)
    await let_time_pass(world, FRIDAY - timedelta(hours=24) - world.clock.now())
    late_title = tr("checkin.late_title", mara.locale, name="Sam")

    def late_dms() -> list[Any]:
        return [m for m in mara.dms if m.embeds and m.embeds[0]["title"] == late_title]

    assert late_dms() == []  # the nudge itself carried the check-in
    changed = {**CHECKIN, "stuck": "Now stuck on the deployment"}
    await check_in(world, ask, changed)
    await world.sb.wait_for(lambda: len(late_dms()) == 1)
    assert "Now stuck on the deployment" in late_dms()[0].embeds[0]["fields"][0]["value"]
    assert discord_stamp(FRIDAY, "F") in late_dms()[0].embeds[0]["description"]
    await check_in(world, ask, changed)  # the same answers again: nothing new to tell
    await asyncio.sleep(0.3)
    assert len(late_dms()) == 1


async def test_once_the_session_has_started_the_prepare_form_is_closed(world: World) -> None:
    ask, _ = await sam_is_asked_to_prepare(world)
    world.clock.set(FRIDAY + timedelta(minutes=1))
    late = await world.sam.click(ask, "Prepare")
    assert late.modal is None
    assert "has started" in late.content


async def test_a_french_student_prepares_with_the_command_in_her_dms(world: World) -> None:
    sofia, mara = world.sofia, world.mara
    await pair(world, sofia)
    none_yet = await sofia.slash("session prepare", dm=True)
    assert none_yet.content == tr("checkin.no_session", "fr")
    await mara.slash("session schedule", student="Sofia", when="2026-12-04 18:00")
    choices = await sofia.autocomplete("session prepare", "session", "", dm=True)
    [view] = await sessions_of(world)
    assert [c["value"] for c in choices] == [str(view.session.id)]
    assert "Mara" in choices[0]["name"]
    form = await sofia.slash("session prepare", dm=True)
    assert form.modal is not None
    assert form.modal["title"] == tr("checkin.title", "fr")
    assert form.modal["fields"][0]["label"] == "Ce que j'ai fait depuis la dernière fois"
    saved = await sofia.submit_modal(form, {"stuck": "Les tests d'API"})
    assert saved.content == tr(
        "checkin.saved", "fr", when=discord_stamp(view.session.starts_at, "F")
    )
    prep = await mara.slash("prep", student="Sofia")
    assert "Les tests d'API" in prep.embeds[0]["fields"][0]["value"]
    # Another student's session cannot be prepared by her.
    refused = await world.sam.slash("session prepare", session=str(view.session.id))
    assert refused.content == tr("checkin.unknown_session", world.sam.locale)


async def test_the_record_nudge_opens_one_form_that_saves_outcome_and_notes(world: World) -> None:
    sam, mara = world.sam, world.mara
    await pair(world, sam)
    await mara.slash("session schedule", student="Sam", when="2026-12-04 18:00")
    [view] = await sessions_of(world)
    await let_time_pass(world, FRIDAY + timedelta(minutes=46) - world.clock.now())
    [nudge] = [m for m in mara.dms if m.buttons == ["Record the session"]]
    form = await mara.click(nudge, "Record the session")
    assert form.modal is not None
    [outcome, worked, steps] = form.modal["fields"]
    assert outcome["type"] == 21  # a radio group, in a Label
    assert outcome["label"] == "How did it go?"
    assert [o["label"] for o in outcome["options"]] == [
        "Held",
        "Cancelled 24 h+ ahead",
        "Cancelled late",
        "No-show",
    ]
    assert [o["value"] for o in outcome["options"] if o.get("default")] == ["held"]
    assert (worked["label"], steps["label"]) == (
        "What you worked on (optional)",
        "Next steps (optional)",
    )
    done = await mara.submit_modal(
        form, {"outcome": "held", "worked_on": "Reviewed the wireframes", "next_steps": "README"}
    )
    assert done.ephemeral
    assert "Recorded: session with **Sam**" in done.content
    assert tr("record.note_saved", mara.locale) in done.content
    assert done.buttons == ["Write session notes"]
    stored = await session_store.get_session(world.db, view.session.id)
    assert stored is not None
    assert stored.status == "held"
    [note] = await note_store.notes_of(world.db, view.mentorship_id, mara.id)
    assert note.session_id == view.session.id
    assert note.body == "Worked on: Reviewed the wireframes\nNext steps: README"
    # The student is not told of the record (nothing changed for them); their list shows it.
    assert len(news_dms(sam)) == 1
    past = await sam.slash("session list", when="past")
    assert "**Held**" in past.embeds[0]["description"]
    # A second submit of an old form is refused, nothing doubled.
    again = await mara.click(nudge, "Record the session")
    assert "already recorded" in again.content
    assert len(await note_store.notes_of(world.db, view.mentorship_id, mara.id)) == 1


async def test_a_wrong_outcome_is_corrected_after_a_confirmation_and_kept_in_history(
    world: World,
) -> None:
    sam, mara = world.sam, world.mara
    await pair(world, sam)
    await mara.slash("session schedule", student="Sam", when="2026-12-04 18:00")
    [view] = await sessions_of(world)
    world.clock.set(FRIDAY + timedelta(minutes=40))
    form = await mara.slash("session record", session=str(view.session.id))
    assert form.modal is not None
    await mara.submit_modal(form, {"outcome": "no_show"})
    shown = await mara.slash("student show", student="Sam")
    assert "1 no-show" in str(shown.embeds[0]).lower()

    choices = await mara.autocomplete("session record", "session", "")
    assert choices[0]["value"] == str(view.session.id)
    assert choices[0]["name"].endswith("· No-show")
    question = await mara.slash("session record", session=str(view.session.id), status="held")
    assert question.content == tr(
        "record.correct_question",
        mara.locale,
        name="Sam",
        when=discord_stamp(FRIDAY, "D"),
        old="No-show",
        new="Held",
    )
    assert question.buttons == ["Change the outcome", "Keep it"]
    await mara.click(question, "Change the outcome")
    assert "No-show → **Held**" in question.content
    stored = await session_store.get_session(world.db, view.session.id)
    assert stored is not None
    assert stored.status == "held"
    [change] = await outcome_store.changes_of(world.db, view.session.id)
    assert (change.old_status, change.new_status, change.changed_by) == (
        "no_show",
        "held",
        mara.id,
    )
    shown = await mara.slash("student show", student="Sam")
    assert "1 held" in str(shown.embeds[0])
    counts = await session_store.attendance(world.db, view.mentorship_id)
    assert (counts.counts["held"], counts.counts["no_show"]) == (1, 0)
    same = await mara.slash("session record", session=str(view.session.id), status="held")
    assert same.content == tr("record.same", mara.locale)


async def test_a_french_mentor_records_in_french(world: World) -> None:
    mehdi, sofia = world.mehdi, world.sofia
    world.clock.set(START)
    await mehdi.slash("timezone set", zone="Europe/Paris")
    await mehdi.slash("student add", member=sofia, project="P3", session_length=45)
    await mehdi.slash("session schedule", student="Sofia", when="2026-12-04 18:00")
    world.clock.set(FRIDAY + timedelta(minutes=50))
    assert world.sb.guild is not None
    [view] = await session_store.sessions_of_mentor(world.db, world.sb.guild.id, mehdi.id)
    form = await mehdi.slash("session record", session=str(view.session.id))
    assert form.modal is not None
    assert form.modal["title"] == "Bilan : Sofia"
    [outcome, worked, _] = form.modal["fields"]
    assert outcome["label"] == "Comment s'est-elle passée ?"
    assert outcome["options"][3]["label"] == tr("reminders.record_no_show", "fr")
    assert worked["label"] == "Ce que vous avez travaillé (facultatif)"
    done = await mehdi.submit_modal(form, {"outcome": "cancelled_late", "worked_on": "Rien"})
    assert done.content.startswith(
        tr(
            "sessions.recorded",
            "fr",
            name="Sofia",
            when=discord_stamp(FRIDAY, "D"),
            outcome=tr("outcome.cancelled_late", "fr"),
        )
    )
    assert tr("record.note_saved", "fr") in done.content
    assert done.buttons == []


async def test_a_cancelled_session_leaves_upcoming_and_both_people_find_it_among_the_cancelled(
    world: World,
) -> None:
    sam, mara = world.sam, world.mara
    await pair(world, sam)
    await mara.slash("session schedule", student="Sam", when="2026-12-04 18:00", repeat="weekly")
    first, second = (v.session for v in (await sessions_of(world))[:2])
    question = await mara.slash("session cancel", session=str(first.id))
    await mara.click(question, "Cancel session")

    upcoming = (await mara.slash("session list")).embeds[0]["description"]
    assert discord_stamp(first.starts_at, "F") not in upcoming
    assert upcoming.startswith(discord_stamp(second.starts_at, "F"))
    for viewer in (mara, sam):
        cancelled = await viewer.slash("session list", when="cancelled")
        embed = cancelled.embeds[0]
        assert embed["title"] == tr("loop.cancelled_title", viewer.locale)
        assert embed["description"].startswith(discord_stamp(first.starts_at, "F"))
        assert "**Cancelled**" in embed["description"]
        assert discord_stamp(second.starts_at, "F") not in embed["description"]
    french = await world.mehdi.slash("session list", dm=True, when="cancelled")
    assert french.embeds[0]["title"] == tr("loop.cancelled_title", "fr")


async def test_a_mentor_lists_her_sessions_of_every_server_in_dms(world: World) -> None:
    mara = world.mara
    await pair(world, world.sam)
    await mara.slash("session schedule", student="Sam", when="2026-12-04 18:00", repeat="weekly")
    # Mara also mentors in another server the bot is in; her DMs list both.
    other = await students_service.start_mentorship(
        world.db,
        NewStudent(
            guild_id=4242,
            mentor_id=mara.id,
            student_id=world.tom.id,
            student_name="Tom",
            student_is_bot=False,
            project="P5",
            path=None,
            goal=None,
            session_minutes=45,
        ),
        world.clock.now(),
    )
    await sessions_service.schedule(
        world.db,
        world.clock.now(),
        other,
        when_text="2026-12-03 10:00",
        zone="Europe/Paris",
        repeat=Repeat.NONE,
        kind="regular",
        duration=None,
    )
    in_dms = (await mara.slash("session list", dm=True)).embeds[0]["description"]
    lines = in_dms.split("\n")
    assert "with **Tom**" in lines[0]
    assert "with **Sam**" in lines[1]
    assert tr("sessions.none", mara.locale) not in in_dms


async def test_when_previews_how_the_time_is_read_and_timestamps_cannot_be_misread(
    world: World,
) -> None:
    sam, mara, mehdi = world.sam, world.mara, world.mehdi
    await pair(world, sam)
    [preview] = await mara.autocomplete("session schedule", "when", "fri 18:00", student="Sam")
    assert preview == {"name": "Fri 4 Dec 18:00, Europe/Paris", "value": "<t:1796403600>"}
    [next_year] = await mara.autocomplete("session schedule", "when", "31 oct 2027 1:30")
    assert next_year["name"] == "Sun 31 Oct 2027 01:30, Europe/Paris"
    [hint] = await mara.autocomplete("session schedule", "when", "tomorrow")
    assert hint == {"name": "Add a time of day: e.g. tomorrow 18:00", "value": "tomorrow"}
    await mehdi.slash("timezone set", zone="Europe/Paris")
    [french] = await mehdi.autocomplete("session schedule", "when", "vendredi 18h")
    assert french["name"] == "ven. 4 déc. 18:00, Europe/Paris"
    [reschedule_preview] = await mara.autocomplete("session reschedule", "when", "in 3 weeks 9:30")
    assert reschedule_preview["name"] == "Tue 22 Dec 09:30, Europe/Paris"

    # What the preview offered is what gets scheduled; a pasted timestamp too.
    done = await mara.slash("session schedule", student="Sam", when=preview["value"])
    assert discord_stamp(FRIDAY, "F") in done.content
    picked = await mara.slash("session schedule", student="Sam", when="<t:1796490000:F>")
    assert "<t:1796490000:F>" in picked.content
    starts = sorted(v.session.starts_at for v in await sessions_of(world))
    assert starts == [FRIDAY, FRIDAY + timedelta(days=1)]

    # Picking a session: "Dec 4" finds "Fri 4 Dec 18:00".
    choices = await mara.autocomplete("session reschedule", "session", "Dec 4")
    assert [c["name"] for c in choices] == ["Fri 4 Dec 18:00, Europe/Paris · Sam"]
    assert await mara.autocomplete("session reschedule", "session", "Dec 14") == []


async def test_a_zone_search_for_est_finds_new_york(world: World) -> None:
    choices = await world.sam.autocomplete("timezone set", "zone", "EST")
    assert choices[0]["value"] == "America/New_York"
    assert not any("Bucharest" in c["value"] or "Creston" in c["value"] for c in choices)


def events_of(reply: Reply) -> dict[str, Any]:
    [attachment] = reply.attachments
    calendar = Calendar.from_ical(attachment.data)
    return {str(event["uid"]): event for event in calendar.walk("VEVENT")}


async def test_the_calendar_keeps_uids_with_sequence_cancelled_status_and_the_meeting_link(
    world: World,
) -> None:
    sam, mara = world.sam, world.mara
    await pair(world, sam)
    await mara.slash("student edit", student="Sam", meeting_link="https://meet.example.org/ms")
    await mara.slash("session schedule", student="Sam", when="2026-12-04 18:00", repeat="weekly")
    first, second = (v.session for v in (await sessions_of(world))[:2])
    uid_first, uid_second = f"session-{first.id}@mentor-coach", f"session-{second.id}@mentor-coach"
    before = events_of(await sam.slash("export calendar", dm=True))
    assert int(before[uid_first]["sequence"]) == 0
    assert str(before[uid_first]["status"]) == "CONFIRMED"
    assert str(before[uid_first]["location"]) == "https://meet.example.org/ms"
    assert "Project: P2 · Portfolio" in str(before[uid_first]["description"])
    assert "Meeting link: https://meet.example.org/ms" in str(before[uid_first]["description"])

    await mara.slash("session reschedule", session=str(first.id), when="2026-12-05 10:00")
    question = await mara.slash("session cancel", session=str(second.id))
    await mara.click(question, "Cancel session")
    for person in (sam, mara):
        after = events_of(await person.slash("export calendar"))
        assert set(before) <= set(after)  # the same events: a re-import updates them
        assert int(after[uid_first]["sequence"]) == 1
        assert after[uid_first].decoded("dtstart") == datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
        assert str(after[uid_first]["status"]) == "CONFIRMED"
        assert str(after[uid_second]["status"]) == "CANCELLED"
        assert int(after[uid_second]["sequence"]) == 1


async def test_the_monthly_statement_lists_sessions_by_student_kind_and_length(
    world: World,
) -> None:
    sam, sofia, mara = world.sam, world.sofia, world.mara
    await pair(world, sam)
    await mara.slash("student add", member=sofia, project="P3", session_length=45)
    await mara.slash("session schedule", student="Sam", when="2026-12-04 18:00", repeat="weekly")
    await mara.slash(
        "session schedule", student="Sofia", when="2026-12-08 10:00", kind="mock_presentation"
    )
    views = await sessions_of(world)
    sam_dec = [v.session for v in views if v.student_name == "Sam"][:4]
    [mock] = [v.session for v in views if v.student_name == "Sofia"]
    question = await mara.slash("session cancel", session=str(sam_dec[2].id))
    await mara.click(question, "Cancel session")
    world.clock.set(datetime(2026, 12, 27, 9, 0, tzinfo=UTC))
    for session, status in (
        (sam_dec[0], "held"),
        (sam_dec[1], "no_show"),
        (mock, "cancelled_late"),
    ):
        await mara.slash("session record", session=str(session.id), status=status)

    reply = await mara.slash("session statement", month="2026-12")
    embed = reply.embeds[0]
    assert embed["title"] == "Your sessions in December 2026"
    table = embed["description"].split("\n")
    assert table[2] == "Sam · Regular session · 30′"
    assert table[3].split() == [
        "1",
        "1",
        "0",
        "0",
        "1",
        "0",
    ]  # held, no-show, late, early, ?, planned
    assert table[4] == "Sofia · Mock presentation · 45′"
    assert table[5].split() == ["0", "0", "1", "0", "0", "0"]
    totals = embed["fields"][0]["value"]
    assert totals.startswith("Held 1 · no-shows 1 · cancelled late 1")
    assert totals.endswith(
        "\n(H held, NS no-show, CL cancelled late, CE cancelled early, ? not recorded, P planned)"
    )
    [attachment] = reply.attachments
    assert attachment.filename == "statement-2026-12.csv"
    rows = list(csv.reader(io.StringIO(attachment.data.decode("utf-8-sig"))))
    assert rows[0] == ["when", "student", "kind", "minutes", "outcome", "session id"]
    assert [r[4] for r in rows[1:]] == ["held", "cancelled_late", "no_show", "unrecorded"]
    assert rows[1][0] == "2026-12-04 18:00"  # in Mara's zone
    in_dms = await mara.slash("session statement", month="12/2026", dm=True)
    assert in_dms.embeds[0]["description"] == embed["description"]


async def test_a_statement_for_a_month_that_cannot_be_read_is_refused(world: World) -> None:
    mara = world.mara
    bad = await mara.slash("session statement", month="decembre")
    assert bad.ephemeral
    assert bad.content == tr("statement.bad_month", mara.locale, text="decembre")


async def test_a_french_mentor_picks_the_month_in_french_and_an_empty_one_says_so(
    world: World,
) -> None:
    world.clock.set(START)
    await world.mehdi.slash("timezone set", zone="Europe/Paris")
    [choice] = await world.mehdi.autocomplete("session statement", "month", "déc")
    assert choice == {"name": "décembre 2026", "value": "2026-12"}
    french = await world.mehdi.slash("session statement", month="2026-12")
    assert french.embeds[0]["title"] == "Vos séances de décembre 2026"
    assert french.embeds[0]["description"] == tr("statement.none", "fr")


async def test_time_off_cancels_the_range_and_tells_each_student_once(world: World) -> None:
    sam, sofia, mara = world.sam, world.sofia, world.mara
    await pair(world, sam)
    await sofia.slash("timezone set", zone="Asia/Tokyo")  # the bot learns she reads French
    await mara.slash("student add", member=sofia, project="P3", session_length=45)
    await mara.slash("session schedule", student="Sam", when="2026-12-04 18:00", repeat="weekly")
    await mara.slash("session schedule", student="Sofia", when="2026-12-15 10:00")
    await let_time_pass(world, MINUTE * 2)
    assert (len(news_dms(sam)), len(news_dms(sofia))) == (1, 1)
    views = await sessions_of(world)
    sam_sessions = [v.session for v in views if v.student_name == "Sam"]

    question = await mara.slash("session away", **{"from": "10 december", "until": "20 dec"})
    assert question.ephemeral
    assert "3 sessions will be cancelled (Sam, Sofia)" in question.content
    assert question.buttons == ["Take the time off", "Keep it"]
    await mara.click(question, "Take the time off")
    assert "3 sessions cancelled" in question.content
    statuses = {v.session.id: v.session.status for v in await sessions_of(world)}
    assert [statuses[s.id] for s in sam_sessions[:4]] == [
        "scheduled",
        "cancelled",
        "cancelled",
        "scheduled",
    ]
    pending = await reminder_store.reminders_of(world.db, sam.id, ["pending"], START)
    assert sam_sessions[1].id not in {r.session_id for r in pending}

    await let_time_pass(world, MINUTE * 2)
    assert (len(news_dms(sam)), len(news_dms(sofia))) == (2, 2)  # each told once
    noon = datetime(2026, 12, 10, 11, 0, tzinfo=UTC), datetime(2026, 12, 20, 11, 0, tzinfo=UTC)
    assert news_dms(sam)[-1].embeds[0]["description"] == tr(
        "news.time_off",
        sam.locale,
        mentor=mara.mention,
        first=discord_stamp(noon[0], "D"),
        last=discord_stamp(noon[1], "D"),
        count=2,
        when=discord_stamp(sam_sessions[3].starts_at, "F"),
        relative=discord_stamp(sam_sessions[3].starts_at, "R"),
    )
    assert news_dms(sofia)[-1].embeds[0]["description"] == tr(
        "news.time_off_no_resume",
        "fr",
        mentor=mara.mention,
        first=discord_stamp(noon[0], "D"),
        last=discord_stamp(noon[1], "D"),
        count=1,
    )
    assert mara.dms == []
    calendar = events_of(await sam.slash("export calendar", dm=True))
    assert str(calendar[f"session-{sam_sessions[1].id}@mentor-coach"]["status"]) == "CANCELLED"


async def test_time_off_beyond_the_planned_weeks_is_skipped_when_the_series_extends(
    world: World,
) -> None:
    mara = world.mara
    await pair(world, world.sam)
    await mara.slash("session schedule", student="Sam", when="2026-12-04 18:00", repeat="weekly")
    await mara.click(
        await mara.slash("session away", **{"from": "2027-03-01", "until": "2027-03-07"}),
        "Take the time off",
    )
    world.clock.set(datetime(2027, 1, 2, 9, 0, tzinfo=UTC))
    await world.bot.maintain()
    march = [
        v.session
        for v in await sessions_of(world)
        if v.student_name == "Sam" and v.session.starts_at.month == 3
    ]
    assert [(s.starts_at.day, s.status) for s in march[:2]] == [(5, "cancelled"), (12, "scheduled")]


async def test_time_off_ending_before_it_starts_is_refused_privately(world: World) -> None:
    mara = world.mara
    await pair(world, world.sam)
    backwards = await mara.slash("session away", **{"from": "2027-01-20", "until": "2027-01-10"})
    assert backwards.ephemeral
    assert backwards.content == tr("away.backwards", mara.locale)


async def test_help_is_short_and_grouped_by_each_persons_loop(world: World) -> None:
    every = {
        entry.name
        for entry in commands_for(
            world.bot.tree, in_guild=True, permissions=discord.Permissions.all()
        )
    }
    assert {name for _, steps in LOOPS for _, names in steps for name in names} <= every
    card = (await world.mara.slash("help")).embeds[0]
    names = [field["name"] for field in card["fields"]]
    assert names[:3] == ["As a mentor: your week", "As a student: your sessions", "More"]
    mentor = card["fields"][0]["value"].split("\n")
    assert mentor[0] == (
        "**1 · Plan** · `/student add` `/session schedule` `/session reschedule` `/session away`"
    )
    assert mentor[2].startswith("**3 · Record, the same day** · `/session record`")
    assert len(str(card)) < 2500  # short: not a 30-line wall
    await pair(world, world.sofia)  # Sofia is a student of Mara's
    french = (await world.sofia.slash("help", dm=True)).embeds[0]
    assert french["fields"][0]["name"] == "Étudiant : vos séances"
    assert "`/session prepare`" in french["fields"][0]["value"]
    assert "`/student add`" not in str(french)  # not open in DMs
    assert "`/session schedule`" not in str(french)


async def test_a_mentor_opens_a_profile_and_schedules_from_a_members_name(world: World) -> None:
    sam, mara, mehdi = world.sam, world.mara, world.mehdi
    await pair(world, sam)
    await mara.slash("student edit", student="Sam", meeting_link="https://meet.example.org/ms")
    card = await mara.user_command("Open student profile", sam)
    assert card.ephemeral
    assert card.embeds[0]["title"] == "Sam"
    assert "https://meet.example.org/ms" in str(card.embeds[0])
    form = await mara.user_command("Schedule a session", sam)
    assert form.modal is not None
    assert form.modal["title"] == "Session with Sam"
    [when, repeat] = form.modal["fields"]
    assert when["label"] == "New time (in your time zone)"
    assert repeat["type"] == 21
    done = await mara.submit_modal(form, {"when": "2026-12-04 18:00", "repeat": "weekly"})
    assert discord_stamp(FRIDAY, "F") in done.content
    assert len(await sessions_of(world)) >= 12  # a weekly series
    await let_time_pass(world, MINUTE * 2)
    assert news_dms(sam)[-1].embeds[0]["description"].startswith("📅 **New weekly sessions**")
    # Someone Mara does not follow: a clear, private answer (in French for Mehdi).
    refused = await mara.user_command("Open student profile", world.tom)
    assert refused.content == tr("menus.not_followed", mara.locale, name="Tom")
    await mehdi.slash("timezone set", zone="Europe/Paris")
    french = await mehdi.user_command("Schedule a session", sam)
    assert "Vous ne suivez pas **Sam** ici" in french.content


async def test_changing_a_lead_time_after_a_nudge_went_out_sends_no_second_one(
    world: World,
) -> None:
    sam, mara = world.sam, world.mara
    await pair(world, sam)
    await sam.slash("reminders settings", session_news=False)
    await mara.slash("session schedule", student="Sam", when="2026-12-04 18:00")
    await let_time_pass(world, FRIDAY - timedelta(hours=24) - world.clock.now())
    review_title = tr("reminders.review_title", mara.locale, name="Sam")
    reviews = [m for m in mara.dms if review_title in m.text]
    asks = [m for m in sam.dms if "Prepare" in m.buttons]
    assert (len(reviews), len(asks)) == (1, 1)  # the 24 h nudge, and the 48 h reminder
    await mara.slash("reminders settings", review_lead=12)
    await sam.slash("reminders settings", student_leads="24h, 1h")
    await let_time_pass(world, FRIDAY - timedelta(minutes=30) - world.clock.now())
    reviews = [m for m in mara.dms if review_title in m.text]
    asks = [m for m in sam.dms if "Prepare" in m.buttons]
    assert len(reviews) == 1  # not again 12 h before
    assert len(asks) == 2  # not again 24 h before; the 1 h one comes, as planned


async def test_a_mentors_note_list_without_a_student_lists_their_own_notes(world: World) -> None:
    sam, sofia, mara, mehdi = world.sam, world.sofia, world.mara, world.mehdi
    await pair(world, sam)
    empty = await mara.slash("note list")
    assert empty.embeds[0]["description"] == tr("loop.own_notes_none", mara.locale)
    form = await mara.slash("note add", student="Sam")
    await mara.submit_modal(form, {"Title": "Portfolio review", "Note": "Strong README"})
    listing = await mara.slash("note list")
    assert listing.embeds[0]["title"] == tr("notes.list_title", mara.locale, name="Sam")
    assert "Portfolio review" in listing.embeds[0]["description"]
    # A student still sees what was shared with them (nothing yet), in French for Sofia.
    await mehdi.slash("student add", member=sofia, project="P3", session_length=45)
    shared = await sofia.slash("note list")
    assert shared.embeds[0]["title"] == tr("notes.shared_title", "fr")
    french = await mehdi.slash("note list")
    assert french.embeds[0]["description"] == tr("loop.own_notes_none", "fr")


async def test_presentation_nudges_arrive_in_the_mentors_waking_hours(world: World) -> None:
    mara = world.mara
    await pair(world, world.sam)
    world.clock.set(datetime(2026, 12, 1, 21, 30, tzinfo=UTC))  # 22:30 in Paris
    await mara.slash("progress", student="Sam", status="on_track", ready_for_assessment=True)
    rows = await world.db.fetch_all("SELECT due_at FROM reminders WHERE kind = 'presentation'")
    paris = ZoneInfo("Europe/Paris")
    hours = [datetime.fromisoformat(row["due_at"]).astimezone(paris).hour for row in rows]
    assert rows
    assert all(8 <= hour < 21 for hour in hours), hours


@pytest.mark.parametrize(("mentor_name", "student_name"), [("mara", "sam"), ("mehdi", "sofia")])
async def test_four_weeks_with_a_paris_mentor_and_a_tokyo_student(
    world: World, mentor_name: str, student_name: str
) -> None:
    """The whole loop, for both people, in English (Mara, Sam) and in French (Mehdi, Sofia)."""
    mentor, student = world.sb.persona(mentor_name), world.sb.persona(student_name)
    m, s = mentor.locale, student.locale
    name = student.user.global_name or student.name
    world.clock.set(START)
    await mentor.slash("timezone set", zone="Europe/Paris")
    await student.slash("timezone set", zone="Asia/Tokyo")
    await mentor.slash("student add", member=student, project="P2", session_length=30)
    await mentor.slash("student edit", student=name, meeting_link="https://meet.example.org/x")

    # Week 1: planned (the preview's value is the exact instant); the student is told.
    [preview] = await mentor.autocomplete("session schedule", "when", "2026-12-04 18:00")
    await mentor.slash("session schedule", student=name, when=preview["value"], repeat="weekly")
    await let_time_pass(world, MINUTE * 2)
    [told] = student.dms
    assert told.embeds[0]["description"] == tr(
        "news.series_weekly",
        s,
        mentor=mentor.mention,
        when=discord_stamp(FRIDAY, "F"),
        relative=discord_stamp(FRIDAY, "R"),
        kind=tr("kind.regular", s),
        minutes=30,
    )
    assert world.sb.guild is not None
    views = await session_store.sessions_of_mentor(world.db, world.sb.guild.id, mentor.id)
    week = [v.session for v in views][:4]

    # 48 h before: the student prepares from the reminder.
    await let_time_pass(world, FRIDAY - timedelta(hours=48) - world.clock.now())
    ask = student.dms[-1]
    form = await student.click(ask, tr("checkin.button", s))
    await student.submit_modal(form, {"done": "Wireframes", "stuck": "API tests"})
    # 24 h before: the mentor's review nudge opens with the student's words.
    await let_time_pass(world, timedelta(hours=24))
    nudge = mentor.dms[-1]
    assert nudge.text.startswith(f"## {tr('reminders.review_title', m, name=name)}\n")
    [(heading, checkin), *_] = headed_blocks(nudge)
    assert heading == tr("checkin.field_title", m)
    assert "API tests" in checkin

    # The session, then the one-form record, then a correction.
    await let_time_pass(world, FRIDAY + timedelta(minutes=46) - world.clock.now())
    record = mentor.dms[-1]
    done = await mentor.submit_modal(
        await mentor.click(record, tr("record.button", m)),
        {"outcome": "held", "worked_on": "Wireframes"},
    )
    assert tr("record.note_saved", m) in done.content
    question = await mentor.slash("session record", session=str(week[0].id), status="no_show")
    await mentor.click(question, tr("record.correct_button", m))
    fixed = await session_store.get_session(world.db, week[0].id)
    assert fixed is not None
    assert fixed.status == "no_show"

    # Week 2: the student can't come; the mentor moves it; the student gets the new time.
    await let_time_pass(world, week[1].starts_at - timedelta(hours=48) - world.clock.now())
    ask = student.dms[-1]
    form = await student.click(ask, tr("reminders.decline_button", s))
    await student.submit_modal(form, {"reason": "Exam"})
    await world.sb.wait_for(lambda: "Exam" in (mentor.dms[-1].content or ""))
    moved_form = await mentor.click(mentor.dms[-1], tr("reminders.reschedule_button", m))
    await mentor.submit_modal(moved_form, {"when": "2026-12-12 10:00"})
    await let_time_pass(world, MINUTE * 2)
    saturday = datetime(2026, 12, 12, 9, 0, tzinfo=UTC)
    assert student.dms[-1].embeds[0]["description"] == tr(
        "news.rescheduled_asked",
        s,
        mentor=mentor.mention,
        old=discord_stamp(week[1].starts_at, "F"),
        when=discord_stamp(saturday, "F"),
        relative=discord_stamp(saturday, "R"),
    )

    # Week 3: time off; the student is told once.
    before = len(student.dms)
    question = await mentor.slash("session away", **{"from": "2026-12-17", "until": "2026-12-20"})
    await mentor.click(question, tr("away.button", m))
    await let_time_pass(world, MINUTE * 2)
    assert len(student.dms) == before + 1
    assert "🌴" in student.dms[-1].embeds[0]["description"]

    # The month, as the mentor checks it before invoicing.
    world.clock.set(datetime(2026, 12, 31, 12, 0, tzinfo=UTC))
    statement = await mentor.slash("session statement", month="2026-12")
    row = statement.embeds[0]["description"].split("\n")[3].split()
    assert row == ["0", "1", "0", "0", "2", "0"]  # no-show Dec 4; Dec 12 and 25 not recorded
    for message in world.sb.state.messages.values():
        assert not message.mention_everyone
