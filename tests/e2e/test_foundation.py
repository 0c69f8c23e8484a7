"""Foundation stories: the bot logs in, syncs a valid tree, answers /help and /timezone."""

from __future__ import annotations

from bot.app import EXTENSIONS
from bot.storage.user_prefs import get_prefs
from tests.e2e.conftest import World


async def test_every_extension_loads_and_the_synced_tree_is_valid(world: World) -> None:
    assert set(world.bot.extensions) == set(EXTENSIONS)
    synced = {command["name"] for command in world.sb.commands()}
    assert {"help", "timezone"} <= synced
    assert world.sb.refusals == []


async def test_help_lists_the_commands_open_to_the_caller(world: World) -> None:
    reply = await world.sam.slash("help")
    assert reply.ephemeral
    [embed] = reply.embeds
    text = str(embed)
    assert "/timezone set" in text
    assert "/help" in text


async def test_help_for_a_moderator_lists_every_command_without_cutting(world: World) -> None:
    reply = await world.morgan.slash("help")
    text = "\n".join(field["value"] for field in reply.embeds[0]["fields"])
    for name in ("/setup", "/program stats", "/template delete", "/checklist show", "/prep"):
        assert f"`{name}`" in text


async def test_a_mentor_sets_a_time_zone_with_autocomplete(world: World) -> None:
    mara = world.mara
    choices = await mara.autocomplete("timezone set", "zone", "paris")
    assert choices[0]["value"] == "Europe/Paris"
    reply = await mara.slash("timezone set", zone=choices[0]["value"])
    assert reply.ephemeral
    assert "Europe/Paris" in reply.content
    assert "<t:" in reply.content
    assert (await get_prefs(world.db, mara.id)).timezone == "Europe/Paris"
    shown = await mara.slash("timezone show")
    assert "Europe/Paris" in shown.content


async def test_an_unknown_zone_is_refused_privately_and_nothing_is_stored(world: World) -> None:
    mara = world.mara
    reply = await mara.slash("timezone set", zone="Mars/Olympus_Mons")
    assert reply.ephemeral
    assert "Europe/Paris" in reply.content  # the refusal gives examples
    assert (await get_prefs(world.db, mara.id)).timezone is None


async def test_the_bot_resumes_after_a_dropped_gateway(world: World) -> None:
    await world.sb.drop_gateway()
    reply = await world.sam.slash("timezone set", zone="Asia/Tokyo")
    assert "Asia/Tokyo" in reply.content
    assert (await get_prefs(world.db, world.sam.id)).timezone == "Asia/Tokyo"
