"""Mentoring core stories: a mentor follows students, plans, moves, cancels and records sessions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from bot.clock import from_iso
from bot.reminders.planning import next_digest
from bot.services import people
from bot.services import reminders as reminder_service
from bot.services.digests import plan_digests
from bot.services.sessions import HORIZON
from bot.storage import mentorships as mentorship_store
from bot.storage import sessions as session_store
from bot.storage.guild_config import get_config
from bot.storage.user_prefs import get_prefs
from bot.texts import tr
from sandbox.driver import Persona
from sandbox.views import Reply
from tests.e2e.conftest import World

ZoneInfoParis = ZoneInfo("Europe/Paris")
STAMP = re.compile(r"<t:(\d+):F>")


def stamps(text: str) -> list[int]:
    """Return the instants of the `<t:..:F>` timestamps in a text."""
    return [int(value) for value in STAMP.findall(text)]


async def add_student(mentor: Persona, student: Persona, project: str, minutes: int = 30) -> None:
    reply = await mentor.slash(
        "student add", member=student, project=project, session_length=minutes
    )
    assert reply.ephemeral
    # The reply is in the mentor's language (Mehdi reads French).
    name = student.user.global_name or student.name
    assert reply.content == tr("students.added", mentor.locale, name=name), reply.content


async def sessions_in_db(world: World, mentor: Persona) -> list[session_store.SessionView]:
    assert world.sb.guild is not None
    return await session_store.sessions_of_mentor(world.db, world.sb.guild.id, mentor.id, limit=500)


async def test_a_mentor_adds_two_students_and_lists_them(world: World) -> None:
    mara = world.mara
    await add_student(mara, world.sam, "P2 · Portfolio website")
    await add_student(mara, world.sofia, "P3 · Data dashboard", 45)
    listing = await mara.slash("student list")
    assert listing.ephemeral
    names = [field["name"] for field in listing.embeds[0]["fields"]]
    assert names == ["Sam", "Sofia"]
    choices = await mara.autocomplete("student show", "student", "so")
    assert [c["name"].split(" · ")[0] for c in choices] == ["Sofia"]
    shown = await mara.slash("student show", student=choices[0]["value"])
    assert shown.embeds[0]["title"] == "Sofia"
    assert "45 min" in str(shown.embeds[0])


async def test_adding_is_refused_for_self_a_bot_and_a_second_time(world: World) -> None:
    mara = world.mara
    assert (await mara.slash("student add", member=mara, project="x", session_length=30)).ephemeral
    robot = world.sb.add_user("helperbot", bot=True)
    refused_bot = await mara.slash("student add", member=robot, project="x", session_length=30)
    assert "Bots can't be students" in refused_bot.content
    await add_student(mara, world.sam, "P2")
    again = await mara.slash("student add", member=world.sam, project="P9", session_length=30)
    assert "already your student" in again.content
    assert world.sb.guild is not None
    mine = await mentorship_store.active_for_mentor(world.db, world.sb.guild.id, mara.id)
    assert [(m.student_name, m.project) for m in mine] == [("Sam", "P2")]


async def test_without_any_zone_times_are_read_and_planned_in_the_default_timezone(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEFAULT_TIMEZONE", "Asia/Tokyo")
    monkeypatch.setattr(people, "_default_zone", people.effective_zone())  # restored after
    await world.restart()
    tokyo = ZoneInfo("Asia/Tokyo")
    mara = world.mara
    assert world.sb.guild is not None
    assert (await get_config(world.db, world.sb.guild.id)).default_timezone is None
    assert (await get_prefs(world.db, mara.id)).timezone is None
    await add_student(mara, world.sam, "P2")
    reply = await mara.slash("session schedule", student="Sam", when="tomorrow 18:00")
    [view] = await sessions_in_db(world, mara)
    assert stamps(reply.content)[0] == int(view.session.starts_at.timestamp())
    local = view.session.starts_at.astimezone(tokyo)
    tomorrow = world.clock.now().astimezone(tokyo).date() + timedelta(days=1)
    assert (local.date(), local.hour, local.minute) == (tomorrow, 18, 0)
    # Reminders are planned in the same zone, and so is the Monday digest.
    async with world.db.transaction() as tx:
        facts = await reminder_service.session_facts(tx, view.session.id)
    assert facts is not None
    assert facts.mentor_zone == "Asia/Tokyo"
    now = world.clock.now()
    await plan_digests(world.db, now)
    digests = await world.db.fetch_all(
        "SELECT slot, due_at FROM reminders WHERE kind = 'digest' AND recipient_id = ?",
        (mara.id,),
    )
    slot, due = next_digest(now, "Asia/Tokyo")
    assert [(row["slot"], from_iso(row["due_at"])) for row in digests] == [
        (f"{world.sb.guild.id}:{slot}", due)
    ]


async def test_scheduling_needs_a_readable_future_time(world: World) -> None:
    mara = world.mara
    await add_student(mara, world.sam, "P2")
    await mara.slash("timezone set", zone="Europe/Paris")
    for text, expected in [
        ("someday soon", "could not read"),
        ("tomorrow", "no time"),
        ("2020-01-01 10:00", "already past"),
        ("2099-01-01 10:00", "more than a year"),
    ]:
        reply = await mara.slash("session schedule", student="Sam", when=text)
        assert reply.ephemeral
        assert expected in reply.content, (text, reply.content)
    assert await sessions_in_db(world, mara) == []


@dataclass
class MentoringWeek:
    """Mara's week: Sam's discovery session in two hours, Sofia's weekly series from Monday."""

    planned_at: datetime
    discovery: Reply
    weekly: Reply
    sam_session: session_store.SessionView
    sofia_sessions: list[session_store.SessionView]


async def plan_the_week(world: World) -> MentoringWeek:
    """Mara (Paris) follows Sam and Sofia (45 min) and schedules both."""
    mara, sam, sofia = world.mara, world.sam, world.sofia
    await mara.slash("timezone set", zone="Europe/Paris")
    await add_student(mara, sam, "P2 · Portfolio")
    await add_student(mara, sofia, "P3 · Dashboard", 45)
    discovery = await mara.slash(
        "session schedule", student="Sam", when="in 2 hours", kind="discovery"
    )
    weekly = await mara.slash(
        "session schedule", student="Sofia", when="next monday 9:30", repeat="weekly"
    )
    views = await sessions_in_db(world, mara)
    [sam_session] = [v for v in views if v.student_name == "Sam"]
    sofia_sessions = [v for v in views if v.student_name == "Sofia"]
    return MentoringWeek(world.clock.now(), discovery, weekly, sam_session, sofia_sessions)


def assert_nobody_pinged(world: World) -> None:
    """No message of the story pinged @everyone."""
    for message in world.sb.state.messages.values():
        assert not message.mention_everyone


async def test_a_mentor_schedules_a_discovery_session_in_two_hours(world: World) -> None:
    week = await plan_the_week(world)
    assert "Discovery session with **Sam**" in week.discovery.content
    assert "<t:" in week.discovery.content
    assert ":R>" in week.discovery.content
    in_two_hours = week.planned_at + timedelta(hours=2)
    assert in_two_hours - timedelta(seconds=1) < week.sam_session.session.starts_at <= in_two_hours
    assert_nobody_pinged(world)


async def test_a_weekly_series_fills_the_horizon_at_the_students_session_length(
    world: World,
) -> None:
    week = await plan_the_week(world)
    assert "Repeats every week" in week.weekly.content
    # Every Monday 09:30 Paris up to the horizon, 12 weeks ahead (11 when today is a Monday).
    local = sorted(v.session.starts_at.astimezone(ZoneInfoParis) for v in week.sofia_sessions)
    assert {(t.weekday(), t.hour, t.minute) for t in local} == {(0, 9, 30)}
    gaps = [(b.date() - a.date()).days for a, b in pairwise(local)]
    assert gaps == [7] * (len(local) - 1)
    horizon = week.planned_at + HORIZON
    assert horizon - timedelta(weeks=1) < local[-1] <= horizon
    assert len(local) >= 11
    assert all(v.session.duration_minutes == 45 for v in week.sofia_sessions)
    assert_nobody_pinged(world)


async def test_a_session_overlapping_another_students_session_is_refused(world: World) -> None:
    week = await plan_the_week(world)
    clash_text = week.sam_session.session.starts_at.astimezone(UTC) + timedelta(minutes=10)
    clash = await world.mara.slash(
        "session schedule",
        student="Sofia",
        when=f"in {int((clash_text - world.clock.now()).total_seconds() // 60)} minutes",
    )
    assert "overlaps your session with **Sam**" in clash.content
    assert len(await sessions_in_db(world, world.mara)) == 1 + len(week.sofia_sessions)
    assert_nobody_pinged(world)


async def test_the_mentor_moves_one_weekly_session_by_a_day(world: World) -> None:
    week = await plan_the_week(world)
    mara = world.mara
    second = week.sofia_sessions[1].session
    choices = await mara.autocomplete("session reschedule", "session", "Sofia")
    assert str(second.id) in [c["value"] for c in choices]
    moved_to = second.starts_at + timedelta(days=1)
    when = moved_to.astimezone(ZoneInfoParis).strftime("%Y-%m-%d %H:%M")
    moved = await mara.slash("session reschedule", session=str(second.id), when=when)
    assert "moved" in moved.content
    stored = await session_store.get_session(world.db, second.id)
    assert stored is not None
    assert stored.starts_at == moved_to
    assert stored.moved
    assert_nobody_pinged(world)


async def test_the_mentor_cancels_one_weekly_session_after_confirming(world: World) -> None:
    week = await plan_the_week(world)
    mara = world.mara
    third = week.sofia_sessions[2].session
    question = await mara.slash("session cancel", session=str(third.id))
    assert question.buttons == ["Cancel session", "Keep it"]
    await mara.click(question, "Cancel session")
    stored_third = await session_store.get_session(world.db, third.id)
    assert stored_third is not None
    assert stored_third.status == "cancelled"
    assert_nobody_pinged(world)


async def test_after_the_discovery_session_the_mentor_records_it_held_and_a_correction_asks_first(
    world: World,
) -> None:
    week = await plan_the_week(world)
    mara = world.mara
    world.clock.advance(timedelta(hours=3))
    options = await mara.autocomplete("session record", "session", "")
    assert [c["value"] for c in options] == [str(week.sam_session.session.id)]
    recorded = await mara.slash("session record", session=options[0]["value"], status="held")
    assert "Held" in recorded.content
    assert recorded.buttons == ["Write session notes"]
    twice = await mara.slash("session record", session=options[0]["value"], status="no_show")
    assert "from **Held** to **No-show**?" in twice.content  # a correction asks first
    await mara.click(twice, "Keep it")

    shown = await mara.slash("student show", student="Sam")
    assert "1 held" in str(shown.embeds[0])
    assert_nobody_pinged(world)


async def test_each_student_sees_their_sessions_with_their_mentor_in_the_server_and_in_dms(
    world: World,
) -> None:
    await plan_the_week(world)
    mara, sam, sofia = world.mara, world.sam, world.sofia
    world.clock.advance(timedelta(hours=3))
    # Sam sees his past session with his mentor, in the server; nobody is pinged.
    past = await sam.slash("session list", when="past")
    assert "with your mentor" in past.embeds[0]["description"]
    upcoming_dm = await sofia.slash("session list", dm=True)
    # Sofia reads French: her list names her mentor in her language.
    with_mara = tr("loop.with_mentor_named", sofia.locale, name="Mara", mention=mara.mention)
    assert with_mara in upcoming_dm.embeds[0]["description"]
    assert_nobody_pinged(world)


async def test_archiving_cancels_the_future_and_keeps_history(world: World) -> None:
    mara = world.mara
    await mara.slash("timezone set", zone="Europe/Paris")
    await add_student(mara, world.sofia, "P3", 45)
    await mara.slash("session schedule", student="Sofia", when="tomorrow 10:00", repeat="weekly")
    question = await mara.slash("student archive", student="Sofia")
    await mara.click(question, "End mentorship")
    assert "has ended" in question.content
    views = await sessions_in_db(world, mara)
    assert views
    assert all(v.session.status == "cancelled" for v in views)
    assert "don't follow any student" in (await mara.slash("student list")).content


async def test_another_mentor_cannot_reach_my_students(world: World) -> None:
    mara, mehdi = world.mara, world.mehdi
    await add_student(mara, world.sam, "P2")
    assert world.sb.guild is not None
    [mentorship] = await mentorship_store.active_for_mentor(world.db, world.sb.guild.id, mara.id)
    assert await mehdi.autocomplete("student show", "student", "") == []
    for command in ("student show", "student archive"):
        reply = await mehdi.slash(command, student=str(mentorship.id))
        assert reply.ephemeral
        # Mehdi reads French.
        assert reply.content == tr("students.unknown", mehdi.locale, text=str(mentorship.id))
    for persona in (world.sam, world.olga, world.morgan):
        reply = await persona.slash("student show", student="Sam")
        assert "not one of your students" in reply.content
    assert (await mentorship_store.get_mentorship(world.db, mentorship.id)) == mentorship


async def test_guild_commands_refuse_politely_in_dms(world: World) -> None:
    for command, options in (
        ("session schedule", {"student": "Sam", "when": "tomorrow 9:00"}),
        ("session cancel", {"session": "1"}),
        ("session record", {"session": "1", "status": "held"}),
    ):
        reply = await world.mara.slash(command, dm=True, **options)
        assert reply.ephemeral
        assert "in a server only" in reply.content, command


async def test_a_weekly_paris_series_keeps_18h_across_both_2026_changes(
    world: World,
) -> None:
    mara = world.mara
    await mara.slash("timezone set", zone="Europe/Paris")
    await add_student(mara, world.sam, "P2")
    world.clock.set(datetime(2026, 3, 20, 9, 0, tzinfo=UTC))
    await mara.slash("session schedule", student="Sam", when="2026-03-23 18:00", repeat="weekly")
    spring = [v.session.starts_at for v in await sessions_in_db(world, mara)][:2]
    assert [t.hour for t in spring] == [17, 16]  # 18:00 CET, then 18:00 CEST

    await add_student(mara, world.tom, "P4")
    world.clock.set(datetime(2026, 10, 10, 9, 0, tzinfo=UTC))
    await mara.slash("session schedule", student="Tom", when="2026-10-19 18:00", repeat="weekly")
    autumn = [
        v.session.starts_at for v in await sessions_in_db(world, mara) if v.student_name == "Tom"
    ][:2]
    assert [t.hour for t in autumn] == [16, 17]  # 18:00 CEST, then 18:00 CET


async def test_new_york_mentor_and_tokyo_student_see_the_same_instant(world: World) -> None:
    mehdi, tom = world.mehdi, world.tom
    await mehdi.slash("timezone set", zone="America/New_York")
    await tom.slash("timezone set", zone="Asia/Tokyo")
    await add_student(mehdi, tom, "P5")
    world.clock.set(datetime(2026, 11, 29, 12, 0, tzinfo=UTC))
    reply = await mehdi.slash("session schedule", student="Tom", when="2026-12-03 18:30")
    [instant] = stamps(reply.content)
    assert datetime.fromtimestamp(instant, UTC) == datetime(2026, 12, 3, 23, 30, tzinfo=UTC)
    seen_by_tom = await tom.slash("session list")
    assert stamps(seen_by_tom.embeds[0]["description"]) == [instant]


async def test_nobody_but_the_mentor_can_move_cancel_or_record_a_session(world: World) -> None:
    mara = world.mara
    await mara.slash("timezone set", zone="Europe/Paris")
    await add_student(mara, world.sam, "P2")
    await mara.slash("session schedule", student="Sam", when="in 2 hours")
    [view] = await sessions_in_db(world, mara)
    world.clock.advance(timedelta(hours=3))
    for persona in (world.mehdi, world.sam, world.olga, world.morgan):
        await persona.slash("timezone set", zone="Europe/Paris")
        for command, options in (
            ("session cancel", {}),
            ("session reschedule", {"when": "tomorrow 10:00"}),
            ("session record", {"status": "held"}),
        ):
            reply = await persona.slash(command, session=str(view.session.id), **options)
            assert reply.ephemeral
            # Each reads the refusal in their own language (Mehdi in French).
            assert reply.content == tr("sessions.unknown", persona.locale), (persona, command)
        assert await persona.autocomplete("session record", "session", "") == []
    assert await session_store.get_session(world.db, view.session.id) == view.session


async def test_listing_one_students_sessions(world: World) -> None:
    mara = world.mara
    await mara.slash("timezone set", zone="Europe/Paris")
    await add_student(mara, world.sam, "P2")
    await add_student(mara, world.sofia, "P3", 45)
    await mara.slash("session schedule", student="Sam", when="tomorrow 10:00", repeat="weekly")
    await mara.slash("session schedule", student="Sofia", when="tomorrow 14:00")
    only_sofia = await mara.slash("session list", student="Sofia")
    [page] = only_sofia.embeds
    assert "Sofia" in page["description"]
    assert "Sam" not in page["description"]
    everyone = await mara.slash("session list")
    assert everyone.buttons == ["Previous", "Next"]  # 13 sessions: two pages
