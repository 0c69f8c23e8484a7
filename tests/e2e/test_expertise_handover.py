"""Projects a mentor knows, peers who can take over, and a hand-over the student agrees to."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from icalendar import Calendar

from bot.services import calendar_feeds
from bot.storage import mentorships as mentorship_store
from bot.storage import notes as note_store
from bot.storage.mentorships import Mentorship
from bot.texts import tr
from sandbox.driver import Persona
from sandbox.views import MessageView, Reply
from tests.e2e.answers import headed_blocks
from tests.e2e.conftest import World

PROJECT = "P2 · Portfolio"
PRIVATE_BODY = "Worried he may quit: money is tight this month"
SHARED_BODY = "Great progress on the layout, keep the same pace"


def field_names(reply: Reply) -> list[str]:
    return [f["name"] for f in reply.embeds[0]["fields"]]


async def follow(world: World, mentor: Persona, student: Persona) -> Mentorship:
    await mentor.slash("timezone set", zone="Europe/Paris")
    added = await mentor.slash("student add", member=student, project=PROJECT, session_length=30)
    assert tr("students.added", mentor.locale, name=student.name.title()) == added.content
    await mentor.slash("session schedule", student=student.name.title(), when="tomorrow 18:00")
    assert world.sb.guild is not None
    found = await mentorship_store.find_active(world.db, world.sb.guild.id, mentor.id, student.id)
    assert found is not None
    return found


async def write_note(mentor: Persona, title: str, body: str) -> Reply:
    form = await mentor.slash("note add", student="Sam")
    labels = (tr("notes.field_title", mentor.locale), tr("notes.field_body", mentor.locale))
    return await mentor.submit_modal(form, dict(zip(labels, (title, body), strict=True)))


async def mehdi_is_a_listed_portfolio_mentor(world: World) -> None:
    mehdi = world.mehdi
    said = await mehdi.slash("coach expertise", project="Portfolio", stance="confident")
    assert said.ephemeral
    assert tr("expertise.line_confident", "fr", project="Portfolio") in said.content
    assert tr("expertise.not_listed", "fr") in said.content
    listed = await mehdi.slash("coach listing", listed=True)
    assert listed.content == tr("expertise.listed_yes", "fr")


def dm_with_buttons(person: Persona) -> MessageView:
    [message] = [m for m in person.dms if m.buttons]
    return message


async def test_prep_and_peers_say_kindly_when_a_project_is_outside_what_you_know(
    world: World,
) -> None:
    mara = world.mara
    await mehdi_is_a_listed_portfolio_mentor(world)
    await mara.slash("coach expertise", project="Data analysis", stance="confident")
    await follow(world, mara, world.sam)

    prep = await mara.slash("prep", student="Sam")
    assert tr("expertise.outside_title", "en") in field_names(prep)
    advice = str(prep.embeds[0]["fields"])
    assert "When you don't know the answer" in advice
    assert "/coach peers" in advice

    offered = await mara.autocomplete("coach peers", "project", "portf")
    assert sorted(c["value"] for c in offered) == sorted(["Portfolio", PROJECT])
    peers = await mara.slash("coach peers", project=PROJECT)
    assert peers.ephemeral
    assert f"<@{world.mehdi.id}>" in peers.content
    assert peers.message is not None
    assert peers.message.pinged_users == []
    # Mehdi no longer wants to be found: he is not listed, even though he is confident.
    await world.mehdi.slash("coach listing", listed=False)
    none = await mara.slash("coach peers", project=PROJECT)
    assert none.content == tr("expertise.no_peers", "en", project=PROJECT)

    # A project she'd rather not mentor is said to be outside too; forgetting it takes it back.
    await mara.slash("coach expertise", project="Data analysis", stance="forget")
    assert tr("expertise.outside_title", "en") not in field_names(
        await mara.slash("prep", student="Sam")
    )
    await mara.slash("coach expertise", project="Portfolio", stance="rather_not")
    assert tr("expertise.outside_title", "en") in field_names(
        await mara.slash("prep", student="Sam")
    )
    forgot = await mara.slash("coach expertise", project="Cooking", stance="forget")
    assert forgot.content == tr("expertise.not_declared", "en", project="Cooking")


async def test_a_student_handed_over_with_their_consent_keeps_everything_but_private_notes(
    world: World,
) -> None:
    mara, mehdi, sam, morgan = world.mara, world.mehdi, world.sam, world.morgan
    panel = await morgan.slash("setup")
    mod_log = world.sb.channel("mod-log")
    await morgan.select(panel, "Log channel", [mod_log.id])
    await mehdi_is_a_listed_portfolio_mentor(world)
    mentorship = await follow(world, mara, sam)
    for person in (mehdi, sam, mara):
        world.sb.open_dms(person)

    await write_note(mara, "Worries", PRIVATE_BODY)  # private: never shared
    shared = await write_note(mara, "After the session", SHARED_BODY)
    await mara.click(shared, "Share with student")
    await mara.slash("progress", student="Sam", status="on_track")
    form = await mara.slash("feedback", student="Sam", template="session_report")
    await mara.submit_modal(
        form,
        {
            "check_in": "Tired but keen",
            "progress": "Layout done",
            "next_goals": "- Write the README",
            "mood_risk": "Might drop out",
        },
    )
    dms_before = len(sam.dms)

    # Not every mentor can be asked: only those who agreed to be listed.
    refused = await mara.slash("coach handover", student="Sam", peer=world.olga, scope="mentorship")
    assert refused.content == tr("handover.peer_not_listed", "en")

    asked = await mara.slash("coach handover", student="Sam", peer=mehdi, scope="mentorship")
    assert asked.content == tr("handover.asked", "en", peer=mehdi.mention, name="Sam")
    again = await mara.slash("coach handover", student="Sam", peer=mehdi, scope="session")
    assert again.content == tr("handover.already_open", "en", name="Sam")
    question = dm_with_buttons(mehdi)
    assert question.buttons == [tr("handover.accept", "fr"), tr("handover.decline", "fr")]
    assert PROJECT in str(question.embeds)
    # Until the student agrees, nothing moved.
    accepted = await mehdi.click(question, tr("handover.accept", "fr"))
    assert accepted.message is not None
    assert accepted.message.buttons == []
    still = await mentorship_store.get_mentorship(world.db, mentorship.id)
    assert still is not None
    assert still.mentor_id == mara.id
    told = tr("handover.mentor_peer_yes", "en", peer=mehdi.mention, name="Sam")
    await world.sb.wait_for(lambda: any(m.content == told for m in mara.dms))
    await world.sb.wait_for(lambda: any(m.buttons for m in sam.dms[dms_before:]))
    [consent] = [m for m in sam.dms[dms_before:] if m.buttons]
    assert consent.buttons == [tr("handover.agree", "en"), tr("handover.refuse", "en")]
    assert mehdi.mention in str(consent.embeds)
    agreed = await sam.click(consent, tr("handover.agree", "en"))
    assert agreed.message is not None
    assert agreed.message.content == tr("handover.student_agreed", "en")

    moved = await mentorship_store.get_mentorship(world.db, mentorship.id)
    assert moved is not None
    assert moved.mentor_id == mehdi.id
    # Sam's calendar names his new mentor, never Mehdi under Mara's name.
    feed = summaries_in(await calendar_feeds.feed_of(world.db, sam.id, world.clock.now()))
    with_mehdi = tr(
        "exports.summary_as_student", sam.locale, kind=tr("kind.regular", sam.locale), name="Mehdi"
    )
    assert list(feed.values()) == [with_mehdi]
    await world.sb.wait_for(lambda: any("Hand-over" in m.content for m in mod_log.messages))
    # The new mentor got what the student was shown and where things stand, never the rest.
    [pack] = [m for m in mehdi.dms if m.embeds and "Reprise" in m.embeds[0]["title"]]
    text = str(pack.embeds)
    assert SHARED_BODY in text
    assert "Write the README" in text
    assert tr("coaching.status_on_track", "fr") in text
    assert PRIVATE_BODY not in text
    assert "Might drop out" not in text
    # Private notes keep their author: Mehdi reads none of Mara's, Mara keeps hers.
    assert await note_store.notes_of(world.db, mentorship.id, mehdi.id) == []
    kept = await note_store.notes_of(world.db, mentorship.id, mara.id)
    assert PRIVATE_BODY in [note.body for note in kept]
    # Mehdi now prepares Sam's sessions; Mara no longer can.
    prep = await mehdi.slash("prep", student="Sam")
    assert "Write the README" in str(prep.embeds[0]["fields"])
    gone = await mara.slash("prep", student="Sam")
    assert "Sam" in gone.content
    assert not gone.embeds
    # Moderators see it in the log, which names people and pings nobody.
    logged = [m for m in mod_log.messages if "Hand-over" in m.content]
    assert [m.content for m in logged] == [
        tr(
            "handover.log_mentorship",
            "en",
            peer=mehdi.mention,
            student=sam.mention,
            mentor=mara.mention,
        )
    ]
    assert logged[0].pinged_users == []
    [row] = await handovers_of(world, mentorship.id)
    assert row["status"] == "done"
    # Mehdi's own export holds his declared project, his listing and the hand-over.
    exported = await mehdi.slash("privacy export")
    data = json.loads(exported.attachments[0].data)
    mine = data["as_mentor"]["expertise"]
    assert [p["project"] for p in mine["projects"]] == ["Portfolio"]
    assert len(mine["listed_in"]) == 1
    assert [(h["scope"], h["status"]) for h in mine["handovers"]] == [("mentorship", "done")]
    assert mine["handovers"][0]["to_mentor_id"] == str(mehdi.id)


async def handovers_of(world: World, mentorship_id: int) -> list[Any]:
    return await world.db.fetch_all(
        "SELECT status, scope FROM handovers WHERE mentorship_id = ?", (mentorship_id,)
    )


async def test_a_declined_or_refused_hand_over_moves_nothing(world: World) -> None:
    mara, mehdi, sam = world.mara, world.mehdi, world.sam
    await mehdi_is_a_listed_portfolio_mentor(world)
    mentorship = await follow(world, mara, sam)
    for person in (mehdi, sam, mara):
        world.sb.open_dms(person)

    await mara.slash("coach handover", student="Sam", peer=mehdi, scope="session")
    await world.restart()  # the buttons still work after a restart of the bot
    declined = await mehdi.click(dm_with_buttons(mehdi), tr("handover.decline", "fr"))
    assert declined.message is not None
    assert declined.message.content == tr("handover.peer_declined", "fr")
    told = tr("handover.mentor_peer_no", "en", peer=mehdi.mention, name="Sam")
    await world.sb.wait_for(lambda: any(m.content == told for m in mara.dms))
    assert not [m for m in sam.dms if m.buttons]

    await mara.slash("coach handover", student="Sam", peer=mehdi, scope="session")
    questions = [m for m in mehdi.dms if m.buttons]
    await mehdi.click(questions[-1], tr("handover.accept", "fr"))
    await world.sb.wait_for(lambda: any(m.buttons for m in sam.dms))
    refused = await sam.click(dm_with_buttons(sam), tr("handover.refuse", "en"))
    assert refused.message is not None
    assert refused.message.content == tr("handover.student_refused", "en")
    still = await mentorship_store.get_mentorship(world.db, mentorship.id)
    assert still is not None
    assert still.mentor_id == mara.id
    told = tr("handover.mentor_student_no", "fr")
    await world.sb.wait_for(lambda: any(m.content == told for m in mehdi.dms))
    statuses = sorted(row["status"] for row in await handovers_of(world, mentorship.id))
    assert statuses == ["peer_declined", "student_declined"]


async def test_expertise_and_hand_over_commands_follow_the_mentor_role(world: World) -> None:
    olga, morgan, mara = world.olga, world.morgan, world.mara
    panel = await morgan.slash("setup")
    await morgan.click(panel, "Roles")
    [mentor_role] = [r for r in world.sb.guild.roles.values() if r.name == "Mentor"]  # type: ignore[union-attr]
    await morgan.select(panel, "Mentor role", [mentor_role.id])
    refused = tr("moderation.mentor_role_needed", "en", role=f"<@&{mentor_role.id}>")
    for command, options in (
        ("coach expertise", {"project": "Portfolio", "stance": "confident"}),
        ("coach listing", {"listed": True}),
        ("coach peers", {"project": "Portfolio"}),
        ("coach handover", {"student": "Sam", "peer": mara, "scope": "session"}),
    ):
        reply = await olga.slash(command, **options)
        assert reply.ephemeral
        assert reply.content == refused, (command, reply.content)
        allowed = await mara.slash(command, **options)
        assert allowed.content != refused, command
    for command, options in (
        ("coach expertise", {"project": "Portfolio", "stance": "confident"}),
        ("coach peers", {"project": "Portfolio"}),
    ):
        in_dm = await mara.slash(command, dm=True, **options)
        assert in_dm.content == tr("errors.guild_only", "en"), command


async def test_the_review_nudge_says_kindly_when_the_project_is_outside(world: World) -> None:
    mara = world.mara
    await mara.slash("coach expertise", project="Portfolio", stance="rather_not")
    mentorship = await follow(world, mara, world.sam)
    await mara.slash("session schedule", student="Sam", when="next friday 18:00")
    world.sb.open_dms(mara)
    rows = await world.db.fetch_all(
        "SELECT due_at FROM reminders WHERE kind = 'mentor_review' AND session_id IN "
        "(SELECT id FROM sessions WHERE mentorship_id = ?) ORDER BY due_at",
        (mentorship.id,),
    )
    assert rows
    world.clock.set(datetime.fromisoformat(rows[0]["due_at"]))
    await world.bot.dispatcher.run_due()
    titles = {
        tr(key, "en", name="Sam")
        for key in ("reminders.review_title", "reminders.review_soon_title")
    }

    def nudges() -> list[Any]:
        return [m for m in mara.dms if any(f"## {title}\n" in m.text for title in titles)]

    await world.sb.wait_for(lambda: bool(nudges()))
    nudge = nudges()[0]
    blocks = dict(headed_blocks(nudge))
    assert "/coach peers" in blocks[tr("expertise.outside_title", "en")]


async def test_a_persons_language_is_known_before_they_use_a_command(world: World) -> None:
    """Tom's client speaks German (no catalogue): his mentor says he reads French."""
    mara, tom, sam = world.mara, world.tom, world.sam
    await mara.slash("timezone set", zone="Europe/Paris")
    await mara.slash("student add", member=tom, project=PROJECT, session_length=30, language="fr")
    prefs = await world.db.fetch_one(
        "SELECT language, language_by_self FROM user_prefs WHERE user_id = ?", (tom.id,)
    )
    assert prefs is not None
    assert (prefs["language"], prefs["language_by_self"]) == ("fr", 0)

    # Sam chose English himself: a mentor's choice never overrides it.
    chosen = await sam.slash("reminders settings", language="en")
    assert tr("reminders.language_now", "en", name="English") in chosen.content
    await mara.slash("student add", member=sam, project=PROJECT, session_length=30, language="fr")
    kept = await world.db.fetch_one(
        "SELECT language, language_by_self FROM user_prefs WHERE user_id = ?", (sam.id,)
    )
    assert kept is not None
    assert (kept["language"], kept["language_by_self"]) == ("en", 1)

    # Tom's first reminder reaches him in French, though he never used a command.
    world.sb.open_dms(tom)
    await mara.slash("session schedule", student="Tom", when="next friday 18:00")
    rows = await world.db.fetch_all(
        "SELECT due_at FROM reminders WHERE recipient_id = ? AND kind = 'student_reminder' "
        "ORDER BY due_at",
        (tom.id,),
    )
    assert rows
    world.clock.set(datetime.fromisoformat(rows[0]["due_at"]))
    await world.bot.dispatcher.run_due()
    reference = tr("reminders.reference", "fr", ref="")

    def reminders_of_tom() -> list[Any]:  # his session news (in French too) aside
        return [m for m in tom.dms if m.embeds and reference in str(m.embeds[0].get("footer"))]

    await world.sb.wait_for(lambda: bool(reminders_of_tom()))
    assert reminders_of_tom()[0].embeds[0]["title"] == tr("reminders.student_title", "fr")


async def test_the_mentor_records_where_a_student_starts_from_and_prep_fits_it(
    world: World,
) -> None:
    mara = world.mara
    await follow(world, mara, world.sam)
    before = await mara.slash("prep", student="Sam")
    assert "First job:" not in str(before.embeds[0]["fields"])
    edited = await mara.slash("student edit", student="Sam", starting_point="first_job")
    assert {"name": "Starting point", "value": "A first job", "inline": True} in (
        edited.embeds[0]["fields"]
    )
    after = await mara.slash("prep", student="Sam")
    assert "First job:" in str(after.embeds[0]["fields"])
    assert "Career change:" not in str(after.embeds[0]["fields"])


async def mehdi_covers_sams_next_session(world: World) -> tuple[int, int]:
    """Mara asks Mehdi to take Sam's next session; both agree. Return it and the one after."""
    mara, mehdi, sam = world.mara, world.mehdi, world.sam
    await mehdi_is_a_listed_portfolio_mentor(world)
    mentorship = await follow(world, mara, sam)
    await mara.slash("session schedule", student="Sam", when="next friday 18:00")
    for person in (mehdi, sam, mara):
        world.sb.open_dms(person)
    asked = await mara.slash("coach handover", student="Sam", peer=mehdi, scope="session")
    assert asked.ephemeral
    await mehdi.click(dm_with_buttons(mehdi), tr("handover.accept", "fr"))
    await world.sb.wait_for(lambda: any(m.buttons for m in sam.dms))
    await sam.click(dm_with_buttons(sam), tr("handover.agree", "en"))
    [covered, later] = await world.db.fetch_all(
        "SELECT id, covering_mentor_id FROM sessions WHERE mentorship_id = ? ORDER BY starts_at",
        (mentorship.id,),
    )
    # Only the next session moves; the mentorship and the one after stay with Mara.
    assert (covered["covering_mentor_id"], later["covering_mentor_id"]) == (mehdi.id, None)
    kept = await mentorship_store.get_mentorship(world.db, mentorship.id)
    assert kept is not None
    assert kept.mentor_id == mara.id
    return covered["id"], later["id"]


async def test_a_peer_covers_one_session_and_each_of_the_three_sees_it(world: World) -> None:
    mara, mehdi, sam = world.mara, world.mehdi, world.sam
    await mehdi_covers_sams_next_session(world)
    # Each of the three sees who holds it, in their own language.
    peer_list = str((await mehdi.slash("session list")).embeds)
    assert tr("handover.covering_for", "fr", mentor=mara.mention) in peer_list
    assert "Sam" in peer_list
    own_list = str((await mara.slash("session list")).embeds)
    assert tr("handover.covered_by", "en", peer=mehdi.mention) in own_list
    student_list = str((await sam.slash("session list")).embeds)
    assert tr("sessions.with_mentor", "en", mention=mehdi.mention) in student_list
    assert tr("handover.covering_for", "en", mentor=mara.mention) in student_list
    world.sb.assert_no_unexpected_errors()


async def test_a_covered_sessions_reminders_go_to_the_peer_and_name_him_to_the_student(
    world: World,
) -> None:
    mara, mehdi, sam = world.mara, world.mehdi, world.sam
    covered, later = await mehdi_covers_sams_next_session(world)

    # The covered session's mentor reminders are Mehdi's now; the next session's stay Mara's.
    def waiting(session_id: int) -> str:
        return (
            "SELECT kind, recipient_id FROM reminders WHERE session_id = "
            f"{session_id} AND status = 'pending' AND kind = 'mentor_review'"
        )

    assert {r["recipient_id"] for r in await world.db.fetch_all(waiting(covered))} == {mehdi.id}
    assert {r["recipient_id"] for r in await world.db.fetch_all(waiting(later))} == {mara.id}
    [due] = await world.db.fetch_all(
        "SELECT due_at FROM reminders WHERE session_id = ? AND kind = 'mentor_review'"
        " AND status = 'pending'",
        (covered,),
    )
    world.clock.set(datetime.fromisoformat(due["due_at"]))
    await world.bot.dispatcher.run_due()
    title = tr("reminders.review_title", "fr", name="Sam")
    await world.sb.wait_for(lambda: any(m.text.startswith(f"## {title}\n") for m in mehdi.dms))

    def heading(message: MessageView) -> str:  # an embed's title, a layout's first line
        return message.text.split("\n")[0] if message.embeds or message.components else ""

    assert not [m for m in mara.dms if "Sam" in heading(m)]

    # The student's reminder names the mentor who will be there.
    [reminder] = await world.db.fetch_all(
        "SELECT due_at FROM reminders WHERE session_id = ? AND kind = 'student_reminder'",
        (covered,),
    )
    before = len(sam.dms)
    world.clock.set(datetime.fromisoformat(reminder["due_at"]))
    await world.bot.dispatcher.run_due()
    await world.sb.wait_for(lambda: len(sam.dms) > before)
    told = str([(m.content, m.embeds) for m in sam.dms[before:]])
    assert mehdi.mention in told
    assert mara.mention not in told
    world.sb.assert_no_unexpected_errors()


async def test_after_a_covered_session_the_peer_records_it_and_the_usual_mentor_cannot(
    world: World,
) -> None:
    mara, mehdi = world.mara, world.mehdi
    covered, _ = await mehdi_covers_sams_next_session(world)
    start = await world.db.fetch_one("SELECT starts_at FROM sessions WHERE id = ?", (covered,))
    assert start is not None
    world.clock.set(datetime.fromisoformat(start["starts_at"]) + timedelta(minutes=40))
    refused = await mara.slash("session record", session=str(covered), status="held")
    assert refused.ephemeral
    status = await world.db.fetch_one("SELECT status FROM sessions WHERE id = ?", (covered,))
    assert status is not None
    assert status["status"] == "scheduled"
    form = await mehdi.slash("session record", session=str(covered))
    assert form.modal is not None
    await mehdi.submit_modal(form, {"outcome": "held"})
    status = await world.db.fetch_one("SELECT status FROM sessions WHERE id = ?", (covered,))
    assert status is not None
    assert status["status"] == "held"
    world.sb.assert_no_unexpected_errors()


def summaries_in(ics: bytes) -> dict[str, str]:
    """The title of each event of a calendar file, by UID."""
    return {str(e["uid"]): str(e["summary"]) for e in Calendar.from_ical(ics).walk("VEVENT")}


async def test_the_exported_calendar_names_the_covering_peer_as_the_feed_does(
    world: World,
) -> None:
    mara, mehdi, sam = world.mara, world.mehdi, world.sam
    covered, later = await mehdi_covers_sams_next_session(world)
    covered_uid, later_uid = f"session-{covered}@mentor-coach", f"session-{later}@mentor-coach"
    kind = {person.id: tr("kind.regular", person.locale) for person in (mara, mehdi, sam)}
    now = world.clock.now()

    # Sam's file names Mehdi for the session he covers, Mara for the next: as his feed does.
    reply = await sam.slash("export calendar", dm=True)
    assert reply.ephemeral
    [attachment] = reply.attachments
    exported = summaries_in(attachment.data)
    assert exported == {
        covered_uid: tr("exports.summary_as_student", sam.locale, kind=kind[sam.id], name="Mehdi"),
        later_uid: tr("exports.summary_as_student", sam.locale, kind=kind[sam.id], name="Mara"),
    }
    assert exported == summaries_in(await calendar_feeds.feed_of(world.db, sam.id, now))

    # Each mentor's file holds the sessions they hold, named after Sam, as their feed does:
    # Mehdi the one he covers (in French), Mara the next one, never "with your mentor".
    for mentor, uid in ((mehdi, covered_uid), (mara, later_uid)):
        mine = summaries_in((await mentor.slash("export calendar")).attachments[0].data)
        name = tr("exports.summary_as_mentor", mentor.locale, kind=kind[mentor.id], name="Sam")
        assert mine == {uid: name}, mentor.name
        assert mine == summaries_in(await calendar_feeds.feed_of(world.db, mentor.id, now))
    world.sb.assert_no_unexpected_errors()
