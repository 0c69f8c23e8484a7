"""Moderator stories: set the server up, gate mentor commands by role, watch program health."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import discord
import pytest

from bot.services import moderation as service
from bot.services.moderation import Access
from bot.storage import guild_config
from bot.storage import mentorships as mentorship_store
from bot.storage import notes as note_store
from bot.storage import sessions as session_store
from bot.storage.guild_config import GuildConfig
from bot.texts import tr
from sandbox import permissions
from sandbox.driver import Persona
from tests.e2e.conftest import World

SETUP_SECTIONS = ["Channels", "Roles", "Time zone & language", "Done"]


def guild_id(world: World) -> int:
    assert world.sb.guild is not None
    return world.sb.guild.id


def role_id(world: World, name: str) -> int:
    return world.sb.state.find_role(name, guild_id(world)).id


def field(embed: dict[str, object], name: str) -> str:
    fields = embed.get("fields")
    assert isinstance(fields, list)
    for item in fields:
        if item["name"] == name:
            return str(item["value"])
    raise AssertionError(f"no field {name!r} in {[f['name'] for f in fields]}")


def log_lines(world: World) -> list[str]:
    return [m.content for m in world.sb.channel("mod-log").messages]


async def logged(world: World, count: int) -> list[str]:
    """Wait until the log channel holds `count` messages (the bot posts after answering)."""
    await world.sb.wait_for(lambda: len(log_lines(world)) >= count)
    return log_lines(world)


async def config_of(world: World) -> GuildConfig:
    return await guild_config.get_config(world.db, guild_id(world))


async def configure(world: World, **values: int | str | None) -> None:
    """Change settings as a moderator would (through the service, without Discord)."""
    await service.change_settings(
        world.db,
        guild_id(world),
        dict(values),
        access=Access.FULL,
        actor_id=world.morgan.id,
        now=world.clock.now(),
    )


async def add_program_lead(world: World) -> Persona:
    """Create the Program Lead role and Lena who holds it; reconnect so the bot sees them."""
    lena: Persona | None = None

    async def before_start() -> None:
        nonlocal lena
        assert world.sb.guild is not None
        world.sb.state.add_role(world.sb.guild, "Program Lead", 0)
        lena = world.sb.add_user("lena", global_name="Lena", roles=("Program Lead",))

    await world.restart(before_start)
    assert lena is not None
    return lena


async def test_the_moderator_sets_the_server_up_with_the_panel(world: World) -> None:
    morgan = world.morgan
    panel = await morgan.slash("setup")
    assert panel.ephemeral
    assert panel.buttons == SETUP_SECTIONS
    assert "**Channels.**" in panel.content
    assert field(panel.embeds[0], "Reminders channel") == "not set"

    reminders, mod_log = world.sb.channel("reminders"), world.sb.channel("mod-log")
    shown = await morgan.select(panel, "Reminders channel", [reminders.id])
    assert field(shown.embeds[0], "Reminders channel") == f"<#{reminders.id}>"
    assert "I have what I need" in field(shown.embeds[0], "My permissions in the chosen channels")
    await morgan.select(panel, "Log channel", [mod_log.id])
    config = await config_of(world)
    assert (config.reminders_channel_id, config.log_channel_id) == (reminders.id, mod_log.id)
    # The log starts with its own choice: who changed what, from what to what, pinging nobody.
    assert await logged(world, 1) == [
        f"<@{morgan.id}> changed **Log channel**: not set → <#{mod_log.id}>"
    ]
    assert world.sb.channel("mod-log").messages[0].pinged_users == []

    roles = await morgan.click(panel, "Roles")
    assert "**Roles.**" in roles.content
    mentor, student = role_id(world, "Mentor"), role_id(world, "Student")
    await morgan.select(panel, "Mentor role", [mentor])
    await logged(world, 2)
    shown = await morgan.select(panel, "Student role", [student])
    await logged(world, 3)
    assert field(shown.embeds[0], "Mentor role") == f"<@&{mentor}>"
    assert field(shown.embeds[0], "Student role") == f"<@&{student}>"
    assert shown.embeds[0]["footer"]["text"] == "Mentor commands are open only to the mentor role."

    general = await morgan.click(panel, "Time zone & language")
    assert general.buttons == ["Set the time zone…", "Set the lead times…", *SETUP_SECTIONS]
    await morgan.select(panel, "Language of the bot's posts in this server", ["fr"])
    await logged(world, 4)
    form = await morgan.click(panel, "Set the time zone…")
    assert form.modal is not None
    shown = await morgan.submit_modal(form, {"Time zone (Region/City)": "europe/paris"})
    assert field(shown.embeds[0], "Default time zone") == "Europe/Paris"
    await logged(world, 5)
    leads = await morgan.click(panel, "Set the lead times…")
    shown = await morgan.submit_modal(
        leads,
        {
            "Student reminders (e.g. 48h, 1h)": "2h, 72h",
            "Mentor nudge, hours before the session": "12",
        },
    )
    assert field(shown.embeds[0], "Student reminders before a session") == "72h, 2h"
    assert field(shown.embeds[0], "Mentor nudge before a session") == "12h"

    config = await config_of(world)
    assert config == GuildConfig(
        guild_id=guild_id(world),
        default_timezone="Europe/Paris",
        locale="fr",
        reminders_channel_id=reminders.id,
        log_channel_id=mod_log.id,
        mentor_role_id=mentor,
        student_role_id=student,
        lead_role_id=None,
        student_leads="72h, 2h",
        review_lead_hours=12,
    )
    who = f"<@{morgan.id}> changed"

    def in_french(setting: str, old: str, new: str) -> str:
        """A log line once the server's language is French (the bot's posts follow it)."""
        label = tr(f"moderation.setting_{setting}", "fr")
        return tr(
            "moderation.log_change", "fr", actor=morgan.mention, setting=label, old=old, new=new
        )

    not_set = tr("moderation.not_set", "fr")
    assert await logged(world, 6) == [
        f"{who} **Log channel**: not set → <#{mod_log.id}>",
        f"{who} **Mentor role**: not set → <@&{mentor}>",
        f"{who} **Student role**: not set → <@&{student}>",
        in_french("locale", not_set, "Français"),
        in_french("default_timezone", not_set, "Europe/Paris"),
        in_french("student_leads", tr("moderation.default_value", "fr", value="48h, 1h"), "72h, 2h")
        + "\n"
        + in_french("review_lead_hours", tr("moderation.default_value", "fr", value="24h"), "12h"),
    ]
    assert all(m.pinged_role_ids == [] for m in world.sb.channel("mod-log").messages)

    done = await morgan.click(panel, "Done")
    assert done.buttons == []
    assert "Setup closed" in done.content


async def test_the_panel_refuses_the_bots_own_role_as_the_program_lead_role(world: World) -> None:
    morgan = world.morgan
    panel = await morgan.slash("setup")
    await morgan.click(panel, "Roles")
    bot_role = role_id(world, "Mentor Coach")
    refused = await morgan.select(panel, "Program-lead role", [bot_role])
    assert "can't be used here" in refused.content
    assert (await config_of(world)).lead_role_id is None


async def test_the_panel_refuses_a_time_zone_it_does_not_know(world: World) -> None:
    morgan = world.morgan
    panel = await morgan.slash("setup")
    await morgan.click(panel, "Time zone & language")
    form = await morgan.click(panel, "Set the time zone…")
    assert form.modal is not None
    bad = await morgan.submit_modal(form, {"Time zone (Region/City)": "Mars/Olympus"})
    assert "not a time zone I know" in bad.content
    assert (await config_of(world)).default_timezone is None


async def test_the_panel_refuses_lead_times_it_cannot_read(world: World) -> None:
    morgan = world.morgan
    panel = await morgan.slash("setup")
    await morgan.click(panel, "Time zone & language")
    leads = await morgan.click(panel, "Set the lead times…")
    bad = await morgan.submit_modal(
        leads,
        {
            "Student reminders (e.g. 48h, 1h)": "soon",
            "Mentor nudge, hours before the session": "12",
        },
    )
    assert "could not read “soon”" in bad.content
    config = await config_of(world)
    assert (config.student_leads, config.review_lead_hours) == (None, None)


async def test_the_panel_names_the_permissions_the_bot_lacks_in_a_channel(world: World) -> None:
    async def bot_cannot_post() -> None:
        assert world.sb.guild is not None
        world.sb.state.add_channel(world.sb.guild, "announcements")
        # Neither @everyone nor the bot's own role may send messages or embed links.
        for name in ("@everyone", "Mentor Coach"):
            role = world.sb.state.find_role(name, guild_id(world))
            role.permissions &= ~(permissions.SEND_MESSAGES | permissions.EMBED_LINKS)

    await world.restart(bot_cannot_post)
    panel = await world.morgan.slash("setup")
    announcements = world.sb.channel("announcements")
    shown = await world.morgan.select(panel, "Reminders channel", [announcements.id])
    check = field(shown.embeds[0], "My permissions in the chosen channels")
    bot_role = role_id(world, "Mentor Coach")
    assert check == (
        f"⚠️ Reminders channel <#{announcements.id}>: I am missing **Send Messages**, "
        f"**Embed Links**. Grant them to my role <@&{bot_role}> in the channel's settings "
        "(Edit Channel › Permissions) or in Server Settings › Roles."
    )
    shown = await world.morgan.slash("config show")
    assert "**Send Messages**" in field(shown.embeds[0], "My permissions in the chosen channels")


async def test_only_moderators_change_settings_and_leads_see_statistics(world: World) -> None:
    # Discord's client hides /setup and /config from members without Manage Server.
    for persona in (world.olga, world.mara):
        with pytest.raises(AssertionError, match="cannot see /setup"):
            await persona.slash("setup")
        with pytest.raises(AssertionError, match="cannot see /config"):
            await persona.slash("config show")
    # /program is visible to everyone; the bot itself refuses.
    refused = await world.olga.slash("program stats")
    assert refused.ephemeral
    assert "for moderators (Manage Server) and the program-lead role" in refused.content

    # Permissions are checked again at each change: a moderator who lost the role is refused.
    max_ = world.sb.add_user("max", roles=("Moderator",))
    panel = await max_.slash("setup")
    assert world.sb.guild is not None
    world.sb.guild.members[max_.id].roles = []
    refused = await max_.select(panel, "Reminders channel", [world.sb.channel("reminders").id])
    assert "Only members with the **Manage Server** permission" in refused.content
    assert (await config_of(world)).reminders_channel_id is None
    # Nobody else can use a moderator's panel (it is private to them anyway).
    with pytest.raises(AssertionError, match="cannot see ephemeral message"):
        await world.mara.click(panel, "Roles")

    lena = await add_program_lead(world)
    before_role_is_chosen = await lena.slash("program stats")
    assert "for moderators" in before_role_is_chosen.content
    await configure(world, lead_role_id=role_id(world, "Program Lead"))
    stats = await lena.slash("program stats", period=7)
    assert stats.embeds[0]["title"] == "Program health · last 7 days"


def test_program_leads_may_change_only_zone_language_and_lead_times() -> None:
    config = GuildConfig(1, None, None, None, lead_role_id=5)
    assert service.access_of(config, manage_guild=True, role_ids=[]) is Access.FULL
    assert service.access_of(config, manage_guild=False, role_ids=[5]) is Access.LEAD
    assert service.access_of(config, manage_guild=False, role_ids=[6]) is Access.NONE
    service.require_access(Access.LEAD, "default_timezone")
    service.require_access(Access.LEAD, "student_leads")
    for setting in ("reminders_channel_id", "log_channel_id", "mentor_role_id", "lead_role_id"):
        with pytest.raises(service.Refusal) as refused:
            service.require_access(Access.LEAD, setting)
        assert refused.value.key == "moderation.lead_cannot_change"
    with pytest.raises(service.Refusal):
        service.require_access(Access.NONE)


async def test_mentor_and_student_roles_gate_who_mentors_whom(world: World) -> None:
    olga, mara, morgan = world.olga, world.mara, world.morgan
    help_card = await olga.slash("help")
    assert "Without roles configured, everyone may act as a mentor." in str(help_card.embeds[0])
    assert "/student add" in str(help_card.embeds[0])
    added = await olga.slash("student add", member=world.sam, project="P1", session_length=30)
    assert "You now mentor" in added.content
    # Olga opens a question with buttons before the mentor role is set.
    question = await olga.slash("student archive", student="Sam")
    assert question.buttons == ["End mentorship", "Keep it"]

    panel = await morgan.slash("setup")
    await morgan.click(panel, "Roles")
    mentor = role_id(world, "Mentor")
    await morgan.select(panel, "Mentor role", [mentor])

    refused = await olga.slash("student list")
    assert refused.ephemeral
    assert refused.content == (
        f"Mentor commands are open to members with the <@&{mentor}> role in this server. "
        "Ask a moderator if you mentor here."
    )
    assert (await mara.slash("student list")).content.startswith("You don't follow")
    assert (
        "You now mentor"
        in (
            await mara.slash("student add", member=world.olga, project="P1", session_length=30)
        ).content
    )
    # Her earlier buttons still work for her: they belong to a message she already has.
    ended = await olga.click(question, "End mentorship")
    assert "Sam" in ended.content
    help_card = await olga.slash("help")
    card = str(help_card.embeds[0])
    assert f"Mentor commands are open to members with the <@&{mentor}> role." in card
    assert "/student add" not in card
    assert "/timezone set" in card

    # A student role: only its members can be followed as students.
    await morgan.select(panel, "Student role", [role_id(world, "Student")])
    refused = await mara.slash("student add", member=world.mehdi, project="P2", session_length=30)
    assert "**Mehdi** does not have the" in refused.content
    assert (
        "You now mentor"
        in (
            await mara.slash("student add", member=world.tom, project="P2", session_length=30)
        ).content
    )
    mine = await mentorship_store.active_for_mentor(world.db, guild_id(world), mara.id)
    assert sorted(m.student_name for m in mine) == ["Olga", "Tom"]

    # Clearing the mentor role opens mentor commands to everyone again.
    await morgan.select(panel, "Mentor role", [])
    assert (await olga.slash("student list")).content == (
        "You don't follow any student here yet. Start with `/student add`."
    )


async def test_config_show_and_reset_after_a_confirmation(world: World) -> None:
    mod_log = world.sb.channel("mod-log")
    await configure(
        world,
        log_channel_id=mod_log.id,
        mentor_role_id=role_id(world, "Mentor"),
        default_timezone="Asia/Tokyo",
    )
    shown = await world.morgan.slash("config show")
    embed = shown.embeds[0]
    assert embed["title"] == "Mentor Coach settings"
    assert field(embed, "Log channel") == f"<#{mod_log.id}>"
    assert field(embed, "Default time zone") == "Asia/Tokyo"
    assert field(embed, "Language") == "not set"
    assert field(embed, "Student reminders before a session") == "default (48h, 1h)"

    question = await world.morgan.slash("config reset")
    assert question.buttons == ["Reset settings", "Keep it"]
    kept = await world.morgan.click(question, "Keep it")
    assert kept.content == "Nothing was changed."
    assert (await config_of(world)).default_timezone == "Asia/Tokyo"

    question = await world.morgan.slash("config reset")
    done = await world.morgan.click(question, "Reset settings")
    assert done.content == "Settings reset: 3 settings cleared."
    assert await config_of(world) == GuildConfig(guild_id(world), None, None, None)
    await world.sb.wait_for(lambda: len(mod_log.messages) == 1)
    assert mod_log.messages[0].content.splitlines() == [
        f"<@{world.morgan.id}> changed **Log channel**: <#{mod_log.id}> → not set",
        f"<@{world.morgan.id}> changed **Mentor role**: <@&{role_id(world, 'Mentor')}> → not set",
        f"<@{world.morgan.id}> changed **Default time zone**: Asia/Tokyo → not set",
    ]
    assert mod_log.messages[0].pinged_role_ids == []


async def seed_program(world: World) -> None:
    """Mara follows Sam and Sofia, Mehdi follows Tom; a month of sessions, recorded or not."""
    now = world.clock.now()
    g = guild_id(world)
    long_ago = now - timedelta(days=60)
    async with world.db.transaction() as tx:
        sam = await mentorship_store.add_mentorship(
            tx, g, world.mara.id, world.sam.id, "P2", None, None, 30, long_ago, student_name="Sam"
        )
        sofia = await mentorship_store.add_mentorship(
            tx, g, world.mara.id, world.sofia.id, "P3", None, None, 30, long_ago,
            student_name="Sofia",
        )  # fmt: skip
        tom = await mentorship_store.add_mentorship(
            tx, g, world.mehdi.id, world.tom.id, "P1", None, None, 45, long_ago, student_name="Tom"
        )
        plan = {
            sam.id: [(2, "held"), (9, "cancelled_late"), (16, "no_show"), (40, "held")],
            sofia.id: [(5, None), (25, "held"), (20, "cancelled_early")],
        }
        for mentorship_id, sessions in plan.items():
            for days_ago, outcome in sessions:
                start = now - timedelta(days=days_ago)
                (session_id,) = await session_store.add_sessions(
                    tx, mentorship_id, None, [(None, start)], 30, "regular", long_ago
                )
                if outcome is not None:
                    await session_store.record_outcome(tx, session_id, outcome, start)
        await note_store.add_note(
            tx, sam.id, world.mara.id, "Secret title", "Secret body about Sam", now
        )
        assert tom.active


async def test_program_stats_show_exact_numbers_and_a_chart(world: World) -> None:
    await seed_program(world)
    reply = await world.morgan.slash("program stats", period=30)
    assert reply.ephemeral
    embed = reply.embeds[0]
    assert embed["title"] == "Program health · last 30 days"
    assert field(embed, "Active mentorships") == "3"
    assert field(embed, "Unrecorded for over a day") == "1"
    assert field(embed, "Sessions in the period") == (
        "Held: **2** · Cancelled early: **1** · Cancelled late: **1** · No-show: **1**"
    )
    quiet = field(embed, "No held session for 3+ weeks (2)").splitlines()
    assert quiet[0].startswith(f"**Tom** with <@{world.mehdi.id}>: no session held since")
    assert quiet[1].startswith(f"**Sofia** with <@{world.mara.id}>: last held session <t:")
    assert field(embed, "Mentors' load (active students)").splitlines() == [
        f"<@{world.mara.id}>: 2",
        f"<@{world.mehdi.id}>: 1",
    ]
    assert "Secret" not in str(reply.embeds) + reply.content
    [chart] = reply.attachments
    assert chart.filename == "program-stats.png"
    assert chart.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert embed["image"]["url"].endswith("program-stats.png")

    week = await world.morgan.slash("program stats", period=7)
    assert field(week.embeds[0], "Sessions in the period") == (
        "Held: **1** · Cancelled early: **0** · Cancelled late: **0** · No-show: **0**"
    )
    assert field(week.embeds[0], "Unrecorded for over a day") == "1"


async def test_the_weekly_summary_goes_to_the_log_channel_on_monday_morning(world: World) -> None:
    await seed_program(world)
    mod_log = world.sb.channel("mod-log")
    await configure(world, log_channel_id=mod_log.id, default_timezone="America/New_York")
    world.clock.set(datetime(2030, 1, 6, 12, 0, tzinfo=UTC))  # Sunday
    await world.bot.maintain()  # plans it in the reminders table, like the digests
    world.clock.set(datetime(2030, 1, 7, 12, 59, tzinfo=UTC))  # Monday 07:59 in New York
    await world.bot.dispatcher.run_due()
    assert mod_log.messages == []
    world.clock.set(datetime(2030, 1, 7, 13, 0, tzinfo=UTC))  # Monday 08:00 in New York
    await world.bot.dispatcher.run_due()
    [summary] = mod_log.messages[-1:]
    embed = summary.payload["embeds"][0]
    assert embed["title"] == "Weekly program summary"
    assert field(embed, "Active mentorships") == "3"
    assert summary.pinged_users == []


async def test_students_keep_their_own_views_when_a_mentor_role_is_set(world: World) -> None:
    await configure(world, mentor_role_id=role_id(world, "Mentor"))
    sam = world.sam
    sessions = await sam.slash("session list")
    assert sessions.embeds[0]["title"] == "Upcoming sessions"
    notes = await sam.slash("note list")
    assert "Mentor commands are open" not in notes.content
    refused = await sam.slash("student list")
    assert "Mentor commands are open" in refused.content


async def test_setup_sees_a_channel_overwrite_that_denies_the_bot(world: World) -> None:
    # Only this channel's overwrite takes the permissions away; the roles still grant them.
    denied = permissions.SEND_MESSAGES | permissions.EMBED_LINKS
    await world.sb.set_permissions("reminders", "Mentor Coach", deny=denied)
    await world.sb.set_permissions("reminders", "@everyone", deny=denied)
    panel = await world.morgan.slash("setup")
    reminders = world.sb.channel("reminders")
    shown = await world.morgan.select(panel, "Reminders channel", [reminders.id])
    check = field(shown.embeds[0], "My permissions in the chosen channels")
    assert f"Reminders channel <#{reminders.id}>: I am missing **Send Messages**" in check
    # Discord refuses the bot there for real: what /setup warned about is what happens.
    channel = world.bot.get_channel(reminders.id)
    assert isinstance(channel, discord.TextChannel)
    with pytest.raises(discord.Forbidden) as refused:
        await channel.send("test")
    assert refused.value.code == 50013
    await world.sb.set_permissions("reminders", "Mentor Coach")
    await world.sb.set_permissions("reminders", "@everyone")
    shown = await world.morgan.slash("config show")
    assert "I have what I need" in field(shown.embeds[0], "My permissions in the chosen channels")
