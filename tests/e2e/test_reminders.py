"""Reminder stories: the right message at the right instant, once, whatever happens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.reminders.kinds import KINDS, UnknownKind
from bot.storage import reminders as reminder_store
from bot.storage import sessions as session_store
from bot.storage.guild_config import set_reminders_channel
from bot.storage.reminders import Reminder
from bot.texts import catalogue, tr
from bot.timefmt import discord_stamp
from sandbox import permissions
from sandbox.driver import Persona
from tests.e2e.conftest import World

START = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
"""The bot's clock at the start of each story (a Tuesday, 09:00 in Paris)."""


async def setup_pair(world: World, student: Persona, when: str = "2026-12-04 18:00") -> int:
    """Mara (Paris) follows the student; one session is scheduled; return its id."""
    world.clock.set(START)
    mara = world.mara
    await mara.slash("timezone set", zone="Europe/Paris")
    # These stories are about reminders; session news has its own (tests/e2e/test_loop.py).
    await student.slash("reminders settings", session_news=False)
    await mara.slash("student add", member=student, project="P2 · Portfolio", session_length=30)
    await mara.slash("session schedule", student=student.name, when=when)
    assert world.sb.guild is not None
    [view] = await session_store.sessions_of_mentor(world.db, world.sb.guild.id, mara.id)
    return view.session.id


async def reminders_for(world: World, session_id: int) -> list[Reminder]:
    rows = await world.db.fetch_all("SELECT id FROM reminders WHERE session_id = ?", (session_id,))
    found = [await reminder_store.get_reminder(world.db, row["id"]) for row in rows]
    return [r for r in found if r is not None]


async def due_of(world: World, session_id: int, kind: str, slot_prefix: str) -> datetime:
    [reminder] = [
        r
        for r in await reminders_for(world, session_id)
        if r.kind == kind and r.slot.startswith(slot_prefix) and r.status == "pending"
    ]
    return reminder.due_at


async def advance_to(world: World, instant: datetime) -> None:
    """Move the bot's clock and let the dispatcher deliver what fell due."""
    world.clock.set(instant)
    await world.bot.dispatcher.run_due()


async def test_scheduling_plans_every_reminder_once(world: World) -> None:
    session_id = await setup_pair(world, world.sam)
    planned = sorted((r.kind, r.slot.split("@")[0]) for r in await reminders_for(world, session_id))
    assert planned == [
        ("mentor_review", "24h"),
        ("record_nudge", "after"),
        ("record_nudge", "evening"),
        ("student_reminder", "1h"),
        ("student_reminder", "48h"),
    ]
    start = datetime(2026, 12, 4, 17, 0, tzinfo=UTC)  # 18:00 in Paris
    assert await due_of(world, session_id, "student_reminder", "48h") == start - timedelta(hours=48)
    assert await due_of(world, session_id, "record_nudge", "evening") == datetime(
        2026, 12, 4, 19, 0, tzinfo=UTC
    )


async def test_the_student_gets_the_reminder_and_confirms(world: World) -> None:
    sam, mara = world.sam, world.mara
    session_id = await setup_pair(world, sam)
    due = await due_of(world, session_id, "student_reminder", "48h")
    await advance_to(world, due - timedelta(seconds=1))
    assert sam.dms == []
    await advance_to(world, due + timedelta(seconds=1))
    [reminder] = sam.dms
    assert reminder.buttons == ["Confirm", "I can't make it", "Prepare"]
    assert "<t:1796403600:F>" in reminder.embeds[0]["description"]  # 2026-12-04 17:00 UTC
    assert f"<@{mara.id}>" in reminder.embeds[0]["description"]
    assert reminder.pinged_users == []
    await sam.click(reminder, "Confirm")
    stored = await session_store.get_session(world.db, session_id)
    assert stored is not None
    assert stored.student_response == "confirmed"
    listing = await mara.slash("session list")
    assert "confirmed by the student" in listing.embeds[0]["description"]


async def test_the_student_cannot_come_and_the_mentor_reschedules(world: World) -> None:
    sam, mara = world.sam, world.mara
    session_id = await setup_pair(world, sam)
    await advance_to(world, await due_of(world, session_id, "student_reminder", "48h"))
    [reminder] = sam.dms
    form = await sam.click(reminder, "I can't make it")
    await sam.submit_modal(form, {"reason": "Job interview that day"})
    await world.sb.wait_for(lambda: len(mara.dms) == 1)
    [told] = mara.dms
    assert "Job interview" in told.content
    assert told.buttons == ["Reschedule"]
    moved_form = await mara.click(told, "Reschedule")
    done = await mara.submit_modal(moved_form, {"when": "2026-12-05 10:00"})
    assert "moved" in done.content
    stored = await session_store.get_session(world.db, session_id)
    assert stored is not None
    assert stored.starts_at == datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
    new_due = await due_of(world, session_id, "student_reminder", "1h")
    assert new_due == datetime(2026, 12, 5, 8, 0, tzinfo=UTC)


async def test_closed_dms_fall_back_to_the_channel_then_tell_the_mentor(world: World) -> None:
    sam, sofia, mara = world.sam, world.sofia, world.mara
    first = await setup_pair(world, sam)
    await sofia.slash("reminders settings", session_news=False)
    await mara.slash("student add", member=sofia, project="P3", session_length=45)
    await mara.slash("session schedule", student="Sofia", when="2026-12-04 20:00")
    world.sb.close_dms(sam)
    world.sb.close_dms(sofia)
    assert world.sb.guild is not None
    channel = world.sb.channel("reminders")
    await set_reminders_channel(world.db, world.sb.guild.id, channel.id, START)
    await advance_to(world, await due_of(world, first, "student_reminder", "48h"))
    [posted] = channel.messages
    assert posted.content.startswith(f"<@{sam.id}>")
    assert [user.id for user in posted.pinged_users] == [sam.id]
    assert posted.pinged_role_ids == []
    assert not posted.mention_everyone

    await set_reminders_channel(world.db, world.sb.guild.id, None, START)
    assert world.sb.guild is not None
    views = await session_store.sessions_of_mentor(world.db, world.sb.guild.id, mara.id)
    second = next(v.session.id for v in views if v.student_name == "Sofia")
    await advance_to(world, await due_of(world, second, "student_reminder", "48h"))
    failed = [r for r in await reminders_for(world, second) if r.status == "failed"]
    assert [r.kind for r in failed] == ["student_reminder"]
    assert any("could not deliver the reminder to **Sofia**" in m.content for m in mara.dms)
    listing = await mara.slash("reminders list")
    assert listing.ephemeral


async def test_cancelling_removes_and_rescheduling_moves_reminders(world: World) -> None:
    sam, mara = world.sam, world.mara
    session_id = await setup_pair(world, sam)
    question = await mara.slash("session cancel", session=str(session_id))
    await mara.click(question, "Cancel session")
    statuses = {r.status for r in await reminders_for(world, session_id)}
    assert statuses == {"cancelled"}
    await advance_to(world, datetime(2026, 12, 5, tzinfo=UTC))
    assert sam.dms == []


async def test_a_restart_sends_useful_overdue_reminders_once_and_marks_the_rest_missed(
    world: World,
) -> None:
    sam = world.sam
    session_id = await setup_pair(world, sam)
    review_due = await due_of(world, session_id, "mentor_review", "24h")

    async def downtime() -> None:
        world.clock.set(review_due + timedelta(hours=2))  # both 48 h and 24 h fell due

    await world.restart(before_start=downtime)
    await world.sb.wait_for(lambda: len(sam.dms) == 1 and len(world.mara.dms) == 1)
    assert "Sent late" in sam.dms[0].embeds[0]["description"]
    await world.bot.dispatcher.run_due()
    assert len(sam.dms) == 1

    async def long_downtime() -> None:
        world.clock.set(datetime(2026, 12, 4, 17, 30, tzinfo=UTC))  # the session has started

    await world.restart(before_start=long_downtime)
    await world.bot.dispatcher.run_due()
    by_slot = {r.slot.split("@")[0]: r.status for r in await reminders_for(world, session_id)}
    assert by_slot["1h"] == "missed"
    assert len(sam.dms) == 1


async def test_a_crash_between_send_and_mark_sends_no_duplicate(world: World) -> None:
    sam = world.sam
    session_id = await setup_pair(world, sam)
    await advance_to(world, await due_of(world, session_id, "student_reminder", "48h"))
    assert len(sam.dms) == 1
    [sent] = [r for r in await reminders_for(world, session_id) if r.status == "sent"]

    async def as_if_crashed_before_marking() -> None:
        async with world.db.transaction() as tx:
            await tx.execute(
                "UPDATE reminders SET status = 'sending', deliveries = 0, message_id = NULL "
                "WHERE id = ?",
                (sent.id,),
            )

    dm_channel = world.sb.dm_channel(sam).id

    def sends() -> int:
        return sum(
            1
            for r in world.sb.requests
            if r.method == "POST" and r.path.endswith(f"/channels/{dm_channel}/messages")
        )

    assert sends() == 1
    await world.restart(before_start=as_if_crashed_before_marking)
    await world.sb.wait_for(lambda: world.bot.dispatcher.idle)
    await world.bot.dispatcher.recover()
    after = await reminder_store.get_reminder(world.db, sent.id)
    assert after is not None
    assert after.status == "sent"  # found in Sam's DMs by its reference, so not sent again
    assert after.message_id == sam.dms[0].id
    assert sends() == 1
    assert len(sam.dms) == 1


async def test_429s_and_500s_on_the_message_route_still_end_in_one_delivery(world: World) -> None:
    sam = world.sam
    session_id = await setup_pair(world, sam)
    route = "POST /channels/{channel_id}/messages"
    world.sb.faults.fail(route, status=429, times=2)
    world.sb.faults.fail(route, status=500, times=2)
    await advance_to(world, await due_of(world, session_id, "student_reminder", "48h"))
    assert len(sam.dms) == 1
    statuses = [
        r.status for r in await reminders_for(world, session_id) if r.slot.startswith("48h")
    ]
    assert statuses == ["sent"]


async def test_the_mentor_is_nudged_to_review_snoozes_and_records(world: World) -> None:
    mara = world.mara
    session_id = await setup_pair(world, world.sam)
    await advance_to(world, await due_of(world, session_id, "mentor_review", "24h"))
    [nudge] = mara.dms
    assert nudge.embeds == []  # Components V2: the text is in the layout
    assert "## Review Sam's project before your session" in nudge.text
    assert nudge.buttons == ["Open prep checklist", "Remind me in 1 h", "Remind me in 3 h"]
    [sent] = [r for r in await reminders_for(world, session_id) if r.kind == "mentor_review"]
    reference = f"-# Ref. R{sent.id}.0"  # its first delivery
    assert nudge.text.split("\n")[-1] == reference
    await world.restart()  # its buttons are routed by their custom id, in any process
    await mara.click(nudge, "Remind me in 1 h")
    # The nudge keeps what it said and its prep button, and says until when it sleeps where
    # the buttons were: the reference stays its last line (the exactly-once lookup reads it).
    assert "## Review Sam's project before your session" in nudge.text
    until = discord_stamp(world.clock.now() + timedelta(hours=1), "t")
    assert nudge.text.split("\n")[-2:] == [f"Snoozed: I'll remind you again at {until}.", reference]
    assert nudge.buttons == ["Open prep checklist"]
    await advance_to(world, world.clock.now() + timedelta(minutes=61))
    assert len(mara.dms) == 2

    await advance_to(world, datetime(2026, 12, 4, 17, 46, tzinfo=UTC))  # 15 min after the end
    record = mara.dms[-1]
    assert record.buttons == ["Record the session"]
    form = await mara.click(record, "Record the session")
    await mara.submit_modal(form, {"outcome": "held"})
    stored = await session_store.get_session(world.db, session_id)
    assert stored is not None
    assert stored.status == "held"
    await advance_to(world, datetime(2026, 12, 4, 19, 1, tzinfo=UTC))  # the evening nudge
    assert mara.dms[-1].id == record.id


async def test_paris_mentor_and_tokyo_student_across_the_march_change(world: World) -> None:
    mara, tom = world.mara, world.tom
    world.clock.set(datetime(2026, 3, 20, 9, 0, tzinfo=UTC))
    await mara.slash("timezone set", zone="Europe/Paris")
    await tom.slash("timezone set", zone="Asia/Tokyo")
    await mara.slash("student add", member=tom, project="P1", session_length=30)
    await mara.slash("session schedule", student="Tom", when="2026-03-26 18:00", repeat="weekly")
    assert world.sb.guild is not None
    views = await session_store.sessions_of_mentor(world.db, world.sb.guild.id, mara.id)
    after_change = views[1].session
    assert after_change.starts_at == datetime(2026, 4, 2, 16, 0, tzinfo=UTC)  # 18:00 CEST
    due = await due_of(world, after_change.id, "student_reminder", "1h")
    assert due == datetime(2026, 4, 2, 15, 0, tzinfo=UTC)
    await advance_to(world, due - timedelta(seconds=1))
    before = len(tom.dms)
    await advance_to(world, due)
    assert len(tom.dms) == before + 1
    assert "<t:1775145600:F>" in tom.dms[-1].embeds[0]["description"]


async def test_the_weekly_digest_arrives_on_monday_at_nine_in_the_mentors_zone(
    world: World,
) -> None:
    mara = world.mara
    await setup_pair(world, world.sam, when="2026-12-08 18:00")
    await mara.slash("student add", member=world.tom, project="P4", session_length=30)
    world.clock.set(datetime(2026, 12, 6, 12, 0, tzinfo=UTC))  # Sunday
    await world.bot.maintain()
    await world.bot.maintain()  # planning twice plans one digest
    rows = await world.db.fetch_all("SELECT due_at FROM reminders WHERE kind = 'digest'")
    assert [row["due_at"] for row in rows] == ["2026-12-07T08:00:00+00:00"]  # 09:00 Paris
    await advance_to(world, datetime(2026, 12, 7, 8, 0, tzinfo=UTC))
    digest = mara.dms[-1]
    assert digest.embeds == []  # Components V2: a section per session, its action beside it
    text = digest.text
    assert text.startswith("## Your week as a mentor\n")
    sam_line = f"• {discord_stamp(datetime(2026, 12, 8, 17, 0, tzinfo=UTC), 'f')} · Sam"
    assert f"### Sessions this week (1)\n{sam_line}\n" in text
    assert "### Sessions left unrecorded (0)\nNone.\n" in text
    assert "### Students without a held session for 3+ weeks (0)\nNone.\n" in text
    assert "### Presentations to request (0)\nNone.\n" in text
    assert digest.buttons == ["Open prep checklist"]


async def test_the_review_nudge_opens_the_prep_checklist(world: World) -> None:
    mara = world.mara
    session_id = await setup_pair(world, world.sam)
    await advance_to(world, await due_of(world, session_id, "mentor_review", "24h"))
    [nudge] = mara.dms
    assert nudge.buttons[0] == "Open prep checklist"
    prep = await mara.click(nudge, "Open prep checklist")
    assert prep.ephemeral
    assert "Progress: 0/" in str(prep.embeds[0])


async def test_marking_a_student_ready_plans_the_presentation_nudges(world: World) -> None:
    mara = world.mara
    await setup_pair(world, world.sam)
    reply = await mara.slash(
        "progress", student="Sam", status="on_track", ready_for_assessment=True
    )
    assert reply.ephemeral
    rows = await world.db.fetch_all(
        "SELECT slot FROM reminders WHERE kind = 'presentation' ORDER BY due_at"
    )
    assert [row["slot"].split(":")[1] for row in rows] == ["request", "mock"]
    shown = await mara.slash("student show", student="Sam")
    assert "Progress" in [field["name"] for field in shown.embeds[0]["fields"]]
    await advance_to(world, START + timedelta(days=2))
    assert "request Sam's presentation" in mara.dms[-1].embeds[0]["title"]


async def test_server_default_lead_times_apply_to_people_who_chose_none(world: World) -> None:
    assert world.sb.guild is not None
    async with world.db.transaction() as tx:
        await tx.execute(
            "INSERT INTO guild_config (guild_id, student_leads, updated_at) VALUES (?, '24h', 'x')",
            (world.sb.guild.id,),
        )
    session_id = await setup_pair(world, world.sam)
    slots = sorted(
        r.slot.split("@")[0]
        for r in await reminders_for(world, session_id)
        if r.kind == "student_reminder"
    )
    assert slots == ["24h"]
    await world.sam.slash("reminders settings", student_leads="2h")
    slots = sorted(
        r.slot.split("@")[0]
        for r in await reminders_for(world, session_id)
        if r.kind == "student_reminder" and r.status == "pending"
    )
    assert slots == ["2h"]


async def test_a_paused_person_gets_nothing_and_channel_lovers_get_the_channel(
    world: World,
) -> None:
    sam, sofia, mara = world.sam, world.sofia, world.mara
    first = await setup_pair(world, sam)
    await sofia.slash("reminders settings", session_news=False)
    await mara.slash("student add", member=sofia, project="P3", session_length=45)
    await mara.slash("session schedule", student="Sofia", when="2026-12-04 20:00")
    assert world.sb.guild is not None
    channel = world.sb.channel("reminders")
    await set_reminders_channel(world.db, world.sb.guild.id, channel.id, START)
    paused = await sam.slash("reminders settings", paused=True)
    assert "paused" in paused.content
    await sofia.slash("reminders settings", via="channel")
    await advance_to(world, await due_of(world, first, "student_reminder", "48h"))
    assert sam.dms == []
    skipped = [r for r in await reminders_for(world, first) if r.kind == "student_reminder"]
    assert {r.status for r in skipped if r.slot.startswith("48h")} == {"cancelled"}
    views = await session_store.sessions_of_mentor(world.db, world.sb.guild.id, mara.id)
    second = next(v.session.id for v in views if v.student_name == "Sofia")
    await advance_to(world, await due_of(world, second, "student_reminder", "48h"))
    assert sofia.dms == []
    assert [m.content for m in channel.messages] == [f"<@{sofia.id}>"]


async def test_a_french_speaking_student_gets_her_reminder_in_french(world: World) -> None:
    sofia = world.sofia
    await sofia.slash("timezone show")  # the bot learns the language of her Discord client
    session_id = await setup_pair(world, sofia)
    await advance_to(world, await due_of(world, session_id, "student_reminder", "48h"))
    [reminder] = sofia.dms
    assert reminder.embeds[0]["title"] == tr("reminders.student_title", "fr")
    assert reminder.buttons == [
        tr("reminders.confirm_button", "fr"),
        tr("reminders.decline_button", "fr"),
        tr("checkin.button", "fr"),
    ]


async def test_the_fallback_channel_refusing_the_bot_fails_and_tells_the_mentor(
    world: World,
) -> None:
    sam, mara = world.sam, world.mara
    session_id = await setup_pair(world, sam)
    world.sb.close_dms(sam)
    assert world.sb.guild is not None
    channel = world.sb.channel("reminders")
    await set_reminders_channel(world.db, world.sb.guild.id, channel.id, START)
    # The channel's overwrite takes Send Messages from the bot's role (and from @everyone).
    for role in ("Mentor Coach", "@everyone"):
        await world.sb.set_permissions("reminders", role, deny=permissions.SEND_MESSAGES)
    await advance_to(world, await due_of(world, session_id, "student_reminder", "48h"))
    assert channel.messages == []
    assert [r.code for r in world.sb.refusals if "/messages" in r.path] == [50007, 50013]
    failed = [r for r in await reminders_for(world, session_id) if r.status == "failed"]
    assert [r.kind for r in failed] == ["student_reminder"]
    [told] = [m for m in mara.dms if "could not deliver the reminder to" in m.content]
    assert "I am not allowed to post in the reminders channel" in told.content
    assert "`/config show`" in told.content


async def test_a_student_who_left_is_not_pinged_and_the_mentor_is_told(world: World) -> None:
    sam, mara = world.sam, world.mara
    session_id = await setup_pair(world, sam)
    assert world.sb.guild is not None
    channel = world.sb.channel("reminders")
    await set_reminders_channel(world.db, world.sb.guild.id, channel.id, START)
    await world.sb.member_leaves(sam)
    await advance_to(world, await due_of(world, session_id, "student_reminder", "48h"))
    assert sam.dms == []
    assert channel.messages == []  # no ping in a channel they can no longer read
    assert [r.code for r in world.sb.refusals] == [50278]
    failed = [r for r in await reminders_for(world, session_id) if r.status == "failed"]
    assert [(r.kind, r.last_error) for r in failed] == [
        ("student_reminder", f"recipient {sam.id} left the server")
    ]
    [told] = [m for m in mara.dms if "no longer in the server" in m.content]
    assert "/student archive" in told.content


async def test_every_kind_of_the_registry_has_a_renderer_and_a_label(world: World) -> None:
    assert set(world.bot.dispatcher.renderers) == set(KINDS)
    for name in KINDS:
        for locale in ("en", "fr"):
            assert catalogue().raw(f"reminders.kind_{name}", locale), (name, locale)
    with pytest.raises(UnknownKind):
        world.bot.dispatcher.add_renderer("not_declared", world.bot.dispatcher.renderers["digest"])


async def test_the_french_digest_sets_each_session_beside_its_action_which_survives_a_restart(
    world: World,
) -> None:
    mehdi, sofia = world.mehdi, world.sofia
    world.clock.set(START)
    await mehdi.slash("timezone set", zone="Europe/Paris")
    await sofia.slash("reminders settings", session_news=False)
    await mehdi.slash("student add", member=sofia, project="P3", session_length=45)
    await mehdi.slash("session schedule", student="Sofia", when="2026-12-02 18:00", repeat="weekly")
    world.clock.set(datetime(2026, 12, 6, 12, 0, tzinfo=UTC))  # Sunday: Wednesday's unrecorded
    await world.bot.maintain()
    await advance_to(world, datetime(2026, 12, 7, 8, 0, tzinfo=UTC))  # Monday 09:00 in Paris
    title = tr("digest.title", "fr")
    [digest] = [m for m in mehdi.dms if m.text.startswith(f"## {title}\n")]
    assert digest.embeds == []
    past = f"• {discord_stamp(datetime(2026, 12, 2, 17, 0, tzinfo=UTC), 'f')} · Sofia"
    coming = f"• {discord_stamp(datetime(2026, 12, 9, 17, 0, tzinfo=UTC), 'f')} · Sofia"
    text = digest.text
    assert f"\n### {tr('digest.this_week', 'fr', count=1)}\n{coming}\n" in text
    assert f"\n### {tr('digest.unrecorded', 'fr', count=1)}\n{past}\n" in text
    assert f"\n### {tr('digest.presentations', 'fr', count=0)}\n{tr('digest.none', 'fr')}\n" in text
    # Each session's button is beside it (a section's accessory), in the mentor's language.
    assert digest.buttons == [tr("reminders.prep_button", "fr"), tr("record.button", "fr")]
    sections = [c for c in digest.components[0]["components"] if c["type"] == 9]
    assert [s["components"][0]["content"] for s in sections] == [coming, past]

    await world.restart()  # the buttons are routed by their custom id, in any process
    prep = await mehdi.click(digest, tr("reminders.prep_button", "fr"))
    assert prep.ephemeral
    assert prep.embeds[0]["title"].startswith(
        tr("coaching.prep_title", "fr", name="Sofia", kind=tr("kind.regular", "fr"))
    )
    form = await mehdi.click(digest, tr("record.button", "fr"))
    assert form.modal is not None
    await mehdi.submit_modal(form, {"outcome": "held"})
    assert world.sb.guild is not None
    [wednesday, *_] = await session_store.sessions_of_mentor(world.db, world.sb.guild.id, mehdi.id)
    assert (wednesday.session.starts_at, wednesday.session.status) == (
        datetime(2026, 12, 2, 17, 0, tzinfo=UTC),
        "held",
    )
