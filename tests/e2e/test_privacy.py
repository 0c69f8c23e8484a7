"""Data rights stories: people take a copy of their data, have it erased, take files away."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from icalendar import Calendar

from bot.clock import iso
from bot.services import calendar_feeds
from bot.storage import coaching as coaching_store
from bot.storage import mentorships as mentorship_store
from bot.storage import notes as note_store
from bot.storage import privacy as privacy_store
from bot.storage import sessions as session_store
from bot.storage.mentorships import Mentorship
from bot.texts import tr
from sandbox import SandboxConfig
from sandbox.driver import Persona
from sandbox.views import MessageView, Reply
from tests.e2e.answers import answer_to
from tests.e2e.conftest import World
from tests.e2e.test_expertise_handover import mehdi_covers_sams_next_session

START = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
PRIVATE_BODY = "Sam seems exhausted; talk about workload"
SHARED_BODY = "Great start on the portfolio mock-ups"
PERSON_COLUMN_SUFFIXES = ("_id", "_by")
SAM_PROJECT = "P2 · Portfolio"
SAM_GOAL = "Become a front-end developer at Zorblax"
EDITED_BODY = "Quillfeather insomnia"


def dump_message(message: MessageView) -> str:
    return "\n".join([message.content, json.dumps(message.embeds, ensure_ascii=False)])


# -- seeding a program through the commands ---------------------------------------------------


async def add_student(mentor: Persona, student: Persona, project: str) -> None:
    reply = await mentor.slash("student add", member=student, project=project, session_length=30)
    # The reply is in the mentor's language (Mehdi reads French).
    name = student.user.global_name or student.name
    assert reply.content == tr("students.added", mentor.locale, name=name), reply.content


async def schedule(mentor: Persona, student: str, when: str, **options: Any) -> None:
    reply = await mentor.slash("session schedule", student=student, when=when, **options)
    assert "<t:" in reply.content, reply.content


async def write_note(mentor: Persona, student: str, title: str, body: str) -> Reply:
    modal = await mentor.slash("note add", student=student)
    assert modal.modal is not None, modal
    # The form and its answer are in the mentor's language (Mehdi reads French).
    labels = (tr("notes.field_title", mentor.locale), tr("notes.field_body", mentor.locale))
    saved = await mentor.submit_modal(modal, dict(zip(labels, (title, body), strict=True)))
    assert saved.content == tr("notes.saved", mentor.locale, name=student), saved.content
    return saved


async def mentorship_of(world: World, mentor: Persona, student: Persona) -> Mentorship:
    assert world.sb.guild is not None
    found = await mentorship_store.find_active(world.db, world.sb.guild.id, mentor.id, student.id)
    assert found is not None
    return found


@dataclass
class Program:
    sam_mentorship: Mentorship
    sofia_mentorship: Mentorship
    tom_mentorship: Mentorship


async def seed(world: World) -> Program:
    """Mara follows Sam and Sofia, Mehdi follows Tom; sessions, notes, coaching records."""
    world.clock.set(START)
    mara, mehdi, sam, sofia, tom = world.mara, world.mehdi, world.sam, world.sofia, world.tom
    await mara.slash("timezone set", zone="Europe/Paris")
    await mehdi.slash("timezone set", zone="Europe/Paris")
    await sam.slash("timezone set", zone="Europe/London")
    await add_student(mara, sam, "P2 · Portfolio")
    await add_student(mara, sofia, "P3 · Dashboard")
    await add_student(mehdi, tom, "P5 · API")
    await schedule(mara, "Sam", "2026-12-04 18:00", repeat="weekly")
    await schedule(mara, "Sofia", "2026-12-05 10:00")
    await schedule(mehdi, "Tom", "2026-12-04 18:00")
    shared = await write_note(mara, "Sam", "Kick-off", SHARED_BODY)
    answer = await answer_to(world.sb, await mara.click(shared, "Share with student"))
    assert "Sent to **Sam**" in answer.content, answer.content
    await world.sb.wait_for(lambda: len(sam.dms) == 1)
    await write_note(mara, "Sam", "Private worry", PRIVATE_BODY)
    await write_note(mara, "Sofia", '=HYPERLINK("x")', "Line one\nLine two, with a comma")
    await write_note(mehdi, "Tom", "Tom week 1", "Tom's own note")

    program = Program(
        sam_mentorship=await mentorship_of(world, mara, sam),
        sofia_mentorship=await mentorship_of(world, mara, sofia),
        tom_mentorship=await mentorship_of(world, mehdi, tom),
    )
    # Coaching records and a server setting that name people (written by other features).
    [sam_first, *_] = await session_store.sessions_of_student(world.db, sam.id, limit=1)
    async with world.db.transaction() as tx:
        progress = await coaching_store.add_progress(
            tx, program.sam_mentorship.id, mara.id, "on_track", False, START
        )
        await coaching_store.add_plan(
            tx,
            program.sam_mentorship.id,
            progress.id,
            mara.id,
            START,
            request_by=START + timedelta(days=7),
            presentation_from=START + timedelta(days=21),
            presentation_until=START + timedelta(days=28),
            mock_by=None,
        )
        await coaching_store.set_ticks(
            tx, sam_first.session.id, ["review"], ["review"], mara.id, START
        )
        await tx.execute(
            "INSERT INTO guild_config (guild_id, updated_at, updated_by) VALUES (?, ?, ?) "
            "ON CONFLICT (guild_id) DO UPDATE SET updated_by = excluded.updated_by",
            (world.sb.guild.id if world.sb.guild else 0, START.isoformat(), mara.id),
        )
    return program


# -- the dynamic check: nothing of a person anywhere ------------------------------------------


async def person_columns(world: World) -> dict[str, list[str]]:
    """Every table's columns that can hold a person's id (by name), found from the schema."""
    found: dict[str, list[str]] = {}
    for table in await world.db.table_names():
        columns = await world.db.fetch_all(f'PRAGMA table_info("{table}")')
        names = [str(column["name"]) for column in columns]
        wanted = [n for n in names if n.endswith(PERSON_COLUMN_SUFFIXES) or n.endswith("_name")]
        if wanted:
            found[table] = wanted
    return found


async def traces_of(world: World, user_id: int, name: str) -> list[str]:
    """Return `table.column` for every place still holding the person's id or name."""
    traces = []
    for table, columns in (await person_columns(world)).items():
        for column in columns:
            value: object = name if column.endswith("_name") else user_id
            row = await world.db.fetch_one(
                f'SELECT COUNT(*) FROM "{table}" WHERE "{column}" = ?', (value,)
            )
            assert row is not None
            if row[0]:
                traces.append(f"{table}.{column} ({row[0]})")
    return traces


async def fts_blocks(world: World) -> bytes:
    rows = await world.db.fetch_all("SELECT block FROM notes_fts_data")
    return b"".join(bytes(row[0]) for row in rows if row[0] is not None)


def file_bytes(world: World) -> dict[str, bytes]:
    """The database's files as they are on disk now, while the bot runs (WAL and index too)."""
    found = {}
    for suffix in ("", "-wal", "-shm"):
        path = world.path.with_name(world.path.name + suffix)
        if path.exists():
            found[path.name] = path.read_bytes()
    return found


def traces_in_files(world: World, *texts: str) -> list[str]:
    """Return `file: text` for every text still found in the database's bytes."""
    found = []
    for name, data in file_bytes(world).items():
        for text in texts:
            for encoded in {text.encode("utf-8"), text.encode("utf-16-le")}:
                if encoded in data:
                    found.append(f"{name}: {text!r} ({data.count(encoded)})")
    return found


async def reminders_settled(world: World) -> None:
    """Wake the reminder engine and wait until nothing due is left pending."""
    world.bot.dispatcher.wake()
    for _ in range(200):
        due = await world.db.fetch_all(
            "SELECT id FROM reminders WHERE status IN ('pending', 'sending') AND due_at <= ?",
            (iso(world.clock.now()),),
        )
        if not due:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{len(due)} reminder(s) still due")


async def export_json(reply: Reply) -> dict[str, Any]:
    assert reply.ephemeral
    [attachment] = reply.attachments
    assert attachment.filename.endswith(".json")
    data: dict[str, Any] = json.loads(attachment.data)
    return data


# -- /privacy export --------------------------------------------------------------------------


async def test_a_mentor_exports_students_sessions_and_every_note(world: World) -> None:
    await seed(world)
    mara = world.mara
    data = await export_json(await mara.slash("privacy export"))
    assert data["format"] == "mentor-coach-export"
    assert data["user_id"] == str(mara.id)
    assert data["preferences"]["profile"]["timezone"] == "Europe/Paris"
    mine = data["as_mentor"]
    assert sorted(s["student_name"] for s in mine["students"]) == ["Sam", "Sofia"]
    assert {s["student_id"] for s in mine["students"]} == {str(world.sam.id), str(world.sofia.id)}
    assert {n["title"] for n in mine["notes"]} == {"Kick-off", "Private worry", '=HYPERLINK("x")'}
    assert PRIVATE_BODY in {n["body"] for n in mine["notes"]}
    assert {s["student_name"] for s in mine["sessions"]} == {"Sam", "Sofia"}
    assert [p["status"] for p in mine["progress"]] == ["on_track"]
    assert "Tom" not in json.dumps(data)  # Mehdi's student is none of Mara's business
    assert data["as_student"]["mentorships"] == []


async def test_a_student_exports_sessions_and_shared_notes_but_not_private_ones(
    world: World,
) -> None:
    await seed(world)
    mara, sam = world.mara, world.sam
    reply = await sam.slash("privacy export", dm=True)
    data = await export_json(reply)
    raw = reply.attachments[0].data.decode()
    theirs = data["as_student"]
    assert [m["project"] for m in theirs["mentorships"]] == ["P2 · Portfolio"]
    assert theirs["mentorships"][0]["mentor_id"] == str(mara.id)
    assert len(theirs["sessions"]) >= 4
    assert {s["kind"] for s in theirs["sessions"]} == {"regular"}
    assert [(n["title"], n["body"]) for n in theirs["shared_notes"]] == [("Kick-off", SHARED_BODY)]
    assert PRIVATE_BODY not in raw
    assert "Private worry" not in raw
    assert theirs["private_notes"]["by_mentor"] == [
        {
            "mentor_id": str(mara.id),
            "guild_id": str(world.sb.guild.id if world.sb.guild else 0),
            "count": 1,
        }
    ]
    assert {r["kind"] for r in data["reminders"]} >= {"student_reminder"}
    assert data["as_mentor"]["notes"] == []
    # The reply says private notes exist and whom to ask.
    assert "private notes" in reply.content
    assert f"<@{mara.id}> (1)" in reply.content
    assert "Ask your mentor" in reply.content


async def test_someone_unknown_to_the_bot_gets_an_almost_empty_export(world: World) -> None:
    reply = await world.olga.slash("privacy export")
    data = await export_json(reply)
    assert data["as_mentor"]["students"] == data["as_student"]["mentorships"] == []
    assert "I store nothing about you" in reply.content


# -- /privacy delete --------------------------------------------------------------------------


async def test_a_student_is_erased_from_every_table(world: World) -> None:
    program = await seed(world)
    mara, sam = world.mara, world.sam
    before = await traces_of(world, sam.id, "Sam")
    assert any(t.startswith("mentorships.student_id") for t in before), before
    assert any(t.startswith("reminders.recipient_id") for t in before), before
    assert any(t.startswith("user_prefs.user_id") for t in before), before
    assert b"exhaust"  # stemmed in the index in await fts_blocks(world)

    question = await sam.slash("privacy delete")
    assert question.ephemeral
    assert question.buttons == ["Delete my data", "Keep it"]
    kept = await sam.click(question, "Keep it")
    assert "Nothing was changed" in kept.content
    assert await traces_of(world, sam.id, "Sam") == before

    # Sam's goal, and a note edited many times (each version lands in the WAL).
    edited = await mara.slash("student edit", student="Sam", goal=SAM_GOAL)
    assert edited.ephemeral
    for version in range(5):
        form = await mara.slash("note edit", note="2")
        await mara.submit_modal(form, {"Note": f"{PRIVATE_BODY} {EDITED_BODY} v{version}"})
    secrets = (SAM_PROJECT, SAM_GOAL, PRIVATE_BODY, SHARED_BODY, EDITED_BODY, "Private worry")
    assert traces_in_files(world, *secrets)  # the scan finds what is there

    question = await sam.slash("privacy delete", dm=True)
    assert "1 mentorship as a student" in question.content
    done = await sam.click(question, "Delete my data")
    assert "everything I stored about you is deleted" in done.content

    # Gone from the files too, while the bot still runs: free pages, the WAL, its index.
    # (Scrubbed right after the answer; Mara is told once it is done.)
    await world.sb.wait_for(lambda: len(mara.dms) == 1)
    assert traces_in_files(world, *secrets) == []
    assert traces_in_files(world, "Sam") == []
    # Mara is told what went, without any of it.
    told = dump_message(mara.dms[-1])
    assert f"<@{sam.id}>" in told
    assert "mentorships with you: 1;" in told, told
    assert "your notes on them: 2" in told, told
    for secret in secrets:
        assert secret not in told
    assert await traces_of(world, sam.id, "Sam") == []
    assert await note_store.get_note(world.db, 1) is None
    assert b"exhaust" not in await fts_blocks(world)
    assert await mentorship_store.get_mentorship(world.db, program.sam_mentorship.id) is None
    # Other people's data stays: Mara still follows Sofia, with her note.
    assert await mentorship_store.get_mentorship(world.db, program.sofia_mentorship.id)
    assert len(await note_store.notes_of(world.db, program.sofia_mentorship.id, mara.id)) == 1
    listing = await mara.slash("student list")
    assert [f["name"] for f in listing.embeds[0]["fields"]] == ["Sofia"]
    world.sb.assert_no_unexpected_errors()


async def test_a_mentor_is_erased_and_their_students_are_told(world: World) -> None:
    program = await seed(world)
    mara, sam, sofia = world.mara, world.sam, world.sofia
    world.sb.close_dms(sofia)  # Sofia cannot be told: that must not stop anything
    before = await traces_of(world, mara.id, "Mara")
    assert {t.split(" ")[0] for t in before} >= {
        "mentorships.mentor_id",
        "notes.author_id",
        "progress_entries.author_id",
        "presentation_plans.created_by",
        "prep_ticks.ticked_by",
        "guild_config.updated_by",
        "user_prefs.user_id",
    }, before

    world.clock.set(START + timedelta(days=5))  # the first sessions are history now
    await reminders_settled(world)  # the late reminders of those sessions went out first
    told_before = len(sam.dms)
    question = await mara.slash("privacy delete")
    assert "Your notes (3)" in question.content
    assert "2 running mentorships end" in question.content
    mara_wrote = (PRIVATE_BODY, SHARED_BODY, "Private worry", "Line two, with a comma")
    assert traces_in_files(world, *mara_wrote)
    done = await mara.click(question, "Delete my data")
    assert "everything I stored about you is deleted" in done.content
    assert await traces_of(world, mara.id, "Mara") == []
    # Sam is told after the files were scrubbed.
    await world.sb.wait_for(lambda: len(sam.dms) == told_before + 1)
    assert traces_in_files(world, *mara_wrote) == []
    assert traces_in_files(world, "Tom's own note")  # Mehdi's note stays

    ended = sam.dms[-1]
    assert "mentorship on **P2 · Portfolio** has ended" in ended.content
    assert sofia.dms == []

    # Sam keeps his own history, without his former mentor; nothing more is planned.
    kept = await mentorship_store.get_mentorship(world.db, program.sam_mentorship.id)
    assert kept is not None
    assert (kept.status, kept.mentor_id) == ("archived", privacy_store.ERASED_PERSON)
    sessions = await session_store.sessions_of_student(world.db, sam.id, limit=100)
    assert sessions
    now = world.clock.now()
    assert {v.session.status for v in sessions if v.session.starts_at >= now} == {"cancelled"}
    assert {v.session.status for v in sessions if v.session.starts_at < now} == {"scheduled"}
    pending = await world.db.fetch_all(
        "SELECT id FROM reminders WHERE status IN ('pending', 'sending') AND guild_id = ? "
        "AND recipient_id IN (?, ?)",
        (kept.guild_id, sam.id, sofia.id),
    )
    assert pending == []
    assert (await sam.slash("note list")).embeds[0]["description"].startswith("No notes")
    # The former mentor is named as such, never as a mention of nobody, in both languages.
    for student in (sam, sofia):
        for when in ("past", "upcoming"):
            listing = dump_message((await student.slash("session list", when=when)).message)
            assert "<@0>" not in listing
        past = dump_message((await student.slash("session list", when="past")).message)
        assert tr("sessions.with_former_mentor", student.locale) in past, past
    # Mehdi and Tom are untouched.
    assert await mentorship_store.get_mentorship(world.db, program.tom_mentorship.id)
    assert await traces_of(world, world.tom.id, "Tom") != []
    world.sb.assert_no_unexpected_errors()


async def test_a_peer_who_covered_a_session_is_erased_with_the_name_he_went_by(
    world: World,
) -> None:
    mara, mehdi, sam = world.mara, world.mehdi, world.sam
    covered, _later = await mehdi_covers_sams_next_session(world)
    held_by = await world.db.fetch_one(
        "SELECT covering_mentor_id, covering_mentor_name FROM sessions WHERE id = ?", (covered,)
    )
    assert held_by is not None
    assert tuple(held_by) == (mehdi.id, "Mehdi")  # the name he went by as he accepted
    # Sam's calendar feed names the peer who holds that session, not "your mentor".
    feed = Calendar.from_ical(await calendar_feeds.feed_of(world.db, sam.id, world.clock.now()))
    [event] = [e for e in feed.walk("VEVENT") if e["uid"] == f"session-{covered}@mentor-coach"]
    kind = tr("kind.regular", sam.locale)
    assert event["summary"] == tr("exports.summary_as_student", sam.locale, kind=kind, name="Mehdi")

    question = await mehdi.slash("privacy delete")
    done = await mehdi.click(question, tr("privacy.delete_button", mehdi.locale))
    assert done.content
    assert await traces_of(world, mehdi.id, "Mehdi") == []
    # The session to come is Mara's again, with her review nudge; Sam's feed names her.
    mara_again = await world.db.fetch_all(
        "SELECT recipient_id FROM reminders WHERE session_id = ? AND kind = 'mentor_review' "
        "AND status = 'pending'",
        (covered,),
    )
    assert [row["recipient_id"] for row in mara_again] == [mara.id]
    feed = Calendar.from_ical(await calendar_feeds.feed_of(world.db, sam.id, world.clock.now()))
    [event] = [e for e in feed.walk("VEVENT") if e["uid"] == f"session-{covered}@mentor-coach"]
    assert "Mehdi" not in event["summary"]
    world.sb.assert_no_unexpected_errors()


# -- a server removes the bot -----------------------------------------------------------------


async def test_a_servers_data_is_purged_30_days_after_it_removed_the_bot(world: World) -> None:
    program = await seed(world)
    bot = world.bot
    assert world.sb.guild is not None
    guild = bot.get_guild(world.sb.guild.id)
    assert guild is not None
    cog = bot.get_cog("PrivacyCog")
    assert cog is not None
    handlers = dict(cog.get_listeners())  # the event handlers the bot dispatches to
    # Another server's mentorship must survive the purge.
    async with world.db.transaction() as tx:
        other = await mentorship_store.add_mentorship(
            tx,
            42,
            world.mehdi.id,
            world.olga.id,
            "Elsewhere",
            None,
            None,
            30,
            START,
            student_name="Olga",
        )

    await handlers["on_guild_remove"](guild)
    assert await privacy_store.departure_of(world.db, guild.id) == START + timedelta(days=30)
    world.clock.set(START + timedelta(days=29))
    await bot.maintain()
    assert await mentorship_store.get_mentorship(world.db, program.sam_mentorship.id)

    # Added back on day 29: the purge is off, even long after.
    await handlers["on_guild_join"](guild)
    assert await privacy_store.departure_of(world.db, guild.id) is None
    world.clock.set(START + timedelta(days=90))
    await bot.maintain()
    assert await mentorship_store.get_mentorship(world.db, program.sam_mentorship.id)

    # Removed again: thirty days later everything of the server is gone.
    await handlers["on_guild_remove"](guild)
    world.clock.set(START + timedelta(days=119, hours=23))
    await bot.maintain()
    assert await mentorship_store.get_mentorship(world.db, program.sam_mentorship.id)
    world.clock.set(START + timedelta(days=120))
    await bot.maintain()
    for table in ("mentorships", "reminders", "guild_config"):
        row = await world.db.fetch_one(
            f"SELECT COUNT(*) FROM {table} WHERE guild_id = ?", (guild.id,)
        )
        assert row is not None
        assert row[0] == 0, table
    for table in (
        "sessions",
        "notes",
        "series",
        "progress_entries",
        "prep_ticks",
        "guild_departures",
    ):
        row = await world.db.fetch_one(f"SELECT COUNT(*) FROM {table}")
        assert row is not None
        assert row[0] == 0, table
    assert await mentorship_store.get_mentorship(world.db, other.id)
    # Nothing of the server's people is left in the files either, while the bot runs.
    assert traces_in_files(world, SAM_PROJECT, SHARED_BODY, PRIVATE_BODY, "Tom's own note") == []


# -- /export notes and /export calendar -------------------------------------------------------


async def test_a_mentor_exports_notes_as_csv_and_markdown(world: World) -> None:
    await seed(world)
    mara = world.mara
    reply = await mara.slash("export notes", format="csv")
    assert reply.ephemeral
    assert "Your notes (3)" in reply.content
    [attachment] = reply.attachments
    assert attachment.filename.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(attachment.data.decode("utf-8-sig"))))
    assert [(r["student"], r["title"]) for r in rows] == [
        ("Sam", "Kick-off"),
        ("Sam", "Private worry"),
        ("Sofia", '\'=HYPERLINK("x")'),  # never run as a formula in a spreadsheet
    ]
    assert rows[2]["body"] == "Line one\nLine two, with a comma"
    assert rows[0]["shared_at"]
    assert not rows[1]["shared_at"]

    one = await mara.slash("export notes", format="markdown", student="Sam")
    [md] = one.attachments
    assert md.filename.endswith(".md")
    text = md.data.decode()
    assert text.startswith("# Mentor Coach notes\n")
    assert "## Sam · P2 · Portfolio" in text
    assert "### Kick-off" in text
    assert PRIVATE_BODY in text
    assert "Sofia" not in text
    assert "Your notes (2)" in one.content


async def test_notes_export_is_refused_without_notes_in_a_dm_and_for_another_mentors_student(
    world: World,
) -> None:
    mara = world.mara
    await mara.slash("timezone set", zone="Europe/Paris")
    await add_student(mara, world.sam, SAM_PROJECT)
    await write_note(mara, "Sam", "Private worry", PRIVATE_BODY)
    nothing = await world.sofia.slash("export notes", format="csv")
    assert nothing.ephemeral
    assert nothing.attachments == []
    assert nothing.content == tr("exports.no_notes", world.sofia.locale)  # Sofia reads French
    in_dm = await mara.slash("export notes", format="csv", student="Sam", dm=True)
    assert "works in a server only" in in_dm.content
    stranger = await world.mehdi.slash("export notes", format="csv", student="Sam")
    assert stranger.attachments == []
    assert "Sam" in stranger.content


async def october_sessions(world: World) -> None:
    """Mara (Paris) sees Tom weekly at 18:00 from 15 October; Mehdi sees Mara on 20 October."""
    world.clock.set(datetime(2026, 10, 1, 8, 0, tzinfo=UTC))
    mara, mehdi, tom = world.mara, world.mehdi, world.tom
    await mara.slash("timezone set", zone="Europe/Paris")
    await mehdi.slash("timezone set", zone="Europe/Paris")
    await add_student(mara, tom, "P5 · API")
    await add_student(mehdi, mara, "Mentoring course")
    await schedule(mara, "Tom", "2026-10-15 18:00", repeat="weekly")
    await schedule(mehdi, "Mara", "2026-10-20 09:00")
    await write_note(mara, "Tom", "Secret plan", "Nobody else reads this")


async def test_the_calendar_keeps_paris_evening_sessions_right_across_the_october_change(
    world: World,
) -> None:
    await october_sessions(world)
    tom = world.tom
    reply = await tom.slash("export calendar", dm=True)
    assert reply.ephemeral
    [attachment] = reply.attachments
    assert attachment.filename.endswith(".ics")
    calendar = Calendar.from_ical(attachment.data)
    events = list(calendar.walk("VEVENT"))
    starts = [event.decoded("dtstart") for event in events]
    assert starts[:4] == [
        datetime(2026, 10, 15, 16, 0, tzinfo=UTC),  # 18:00 CEST
        datetime(2026, 10, 22, 16, 0, tzinfo=UTC),
        datetime(2026, 10, 29, 17, 0, tzinfo=UTC),  # 18:00 CET, after 25 October
        datetime(2026, 11, 5, 17, 0, tzinfo=UTC),
    ]
    assert all(s.utcoffset() == timedelta(0) for s in starts)
    assert all(e.decoded("dtend") - e.decoded("dtstart") == timedelta(minutes=30) for e in events)
    assert {str(e["summary"]) for e in events} == {"Regular session with your mentor Mara"}
    assert b"Secret plan" not in attachment.data
    assert b"Nobody else" not in attachment.data
    stored = await session_store.sessions_of_student(world.db, tom.id, limit=100)
    assert [str(e["uid"]) for e in events] == [
        f"session-{v.session.id}@mentor-coach" for v in stored
    ]


async def test_the_calendar_reads_back_the_same_and_keeps_its_uids_from_one_export_to_the_next(
    world: World,
) -> None:
    await october_sessions(world)
    tom = world.tom
    first = await tom.slash("export calendar", dm=True)
    calendar = Calendar.from_ical(first.attachments[0].data)
    events = list(calendar.walk("VEVENT"))
    assert events
    # Round trip: what the file says, read again, is the same calendar.
    again = Calendar.from_ical(calendar.to_ical())
    assert [(e["uid"], e.decoded("dtstart")) for e in again.walk("VEVENT")] == [
        (e["uid"], e.decoded("dtstart")) for e in events
    ]
    # UIDs are stable from one export to the next, so a re-import updates, not duplicates.
    later = await tom.slash("export calendar")
    later_uids = [
        str(e["uid"]) for e in Calendar.from_ical(later.attachments[0].data).walk("VEVENT")
    ]
    assert later_uids == [str(e["uid"]) for e in events]


async def test_a_mentor_who_is_also_mentored_gets_both_kinds_of_session_in_one_calendar(
    world: World,
) -> None:
    await october_sessions(world)
    # Mara's calendar holds her sessions as a mentor and as a student, each named for her.
    mine = Calendar.from_ical((await world.mara.slash("export calendar")).attachments[0].data)
    summaries = [str(e["summary"]) for e in mine.walk("VEVENT")]
    assert summaries[0] == "Regular session with Tom"
    assert "Regular session with your mentor Mehdi" in summaries
    assert summaries.count("Regular session with Tom") == len(summaries) - 1


async def test_with_no_upcoming_session_there_is_no_calendar_to_export(world: World) -> None:
    await october_sessions(world)
    # Once the sessions are past or cancelled, there is nothing to export.
    world.clock.set(datetime(2027, 6, 1, tzinfo=UTC))
    olga = await world.olga.slash("export calendar")
    assert olga.attachments == []
    assert "no upcoming sessions" in olga.content
    tom = await world.tom.slash("export calendar")
    assert tom.attachments == []
    assert "no upcoming sessions" in tom.content


@pytest.mark.sandbox_options(config=SandboxConfig(attachment_size_limit=300))
async def test_an_export_over_the_upload_limit_comes_in_parts(world: World) -> None:
    await seed(world)
    mara = world.mara
    reply = await mara.slash("export notes", format="csv")
    assert "Your notes (3)" in reply.content
    assert "comes in 3 parts" in reply.content
    await world.sb.wait_for(lambda: len(reply.followups) == 2)  # the other parts follow
    files = [*reply.attachments] + [a for f in reply.followups for a in f.attachments]
    assert len(files) > 1
    assert all(a.size <= 300 for a in files)
    assert all(f.ephemeral for f in reply.followups)
    rows = [row for a in files for row in csv.DictReader(io.StringIO(a.data.decode("utf-8-sig")))]
    assert [(r["student"], r["title"]) for r in rows] == [
        ("Sam", "Kick-off"),
        ("Sam", "Private worry"),
        ("Sofia", '\'=HYPERLINK("x")'),
    ]
    assert rows[2]["body"] == "Line one\nLine two, with a comma"
    assert world.sb.refusals == []
