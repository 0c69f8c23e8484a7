"""The bot logs in, sees the Mentoring Community, and syncs its commands."""

from __future__ import annotations

import discord
import pytest
from discord import app_commands

from sandbox import Sandbox
from tests.sandbox.bots import SandboxBot


@pytest.mark.bot_intents(discord.Intents.default() | discord.Intents(members=True))
async def test_bot_logs_in_and_sees_the_guild(sb: Sandbox, bot: SandboxBot) -> None:
    assert bot.user is not None
    assert bot.user.id == sb.bot_user_id
    assert bot.application_id == sb.application_id
    [guild] = bot.guilds
    assert guild.name == "Mentoring Community"
    assert {c.name for c in guild.text_channels} == {"general", "reminders", "mod-log"}
    assert {"@everyone", "Moderator", "Mentor", "Student"} <= {r.name for r in guild.roles}
    assert guild.default_role.id == guild.id
    assert guild.owner is not None
    assert guild.owner.name == "morgan"
    assert guild.owner.guild_permissions.manage_guild
    assert guild.me.guild_permissions.send_messages
    paths = [(r.method, r.route) for r in sb.requests]
    assert ("GET", "/users/@me") in paths
    assert sb.stats.identifies == 1
    assert guild.chunked
    assert guild.get_member(sb.persona("sofia").id) is not None


async def test_without_members_intent_only_the_bot_is_cached(sb: Sandbox, bot: SandboxBot) -> None:
    [guild] = bot.guilds
    assert [m.id for m in guild.members] == [sb.bot_user_id]
    mara = await guild.fetch_member(sb.persona("mara").id)
    assert mara.display_name == "Mara"


async def test_synced_tree_is_kept(sb: Sandbox, bot: SandboxBot) -> None:
    assert sb.guild is not None
    guild_commands = {c["name"]: c for c in sb.commands(sb.guild)}
    assert {"timezone", "remind", "confirm", "feedback", "dm-me"} <= set(guild_commands)
    timezone = guild_commands["timezone"]
    assert timezone["guild_id"] == str(sb.guild.id)
    assert timezone["application_id"] == str(sb.application_id)
    assert timezone["options"][0]["name"] == "set"
    assert [c["name"] for c in sb.commands()] == ["ping"]
    fetched = await bot.tree.fetch_commands(guild=discord.Object(sb.guild.id))
    assert {c.name for c in fetched} == set(guild_commands)


async def test_bad_command_name_is_refused(sb: Sandbox, bot: SandboxBot) -> None:
    assert sb.guild is not None

    @app_commands.command(name="fine", description="Renamed below")
    async def fine(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("x")

    fine.name = "Not Fine"  # what a hand-made payload could send
    bot.tree.add_command(fine)
    with pytest.raises(discord.HTTPException) as caught:
        await bot.tree.sync()
    assert caught.value.code == 50035
    [refusal] = sb.take_unexpected_errors()
    assert refusal.errors["1"]["name"]["_errors"][0]["code"] == "APPLICATION_COMMAND_INVALID_NAME"
    assert [c["name"] for c in sb.commands()] == ["ping"]


@pytest.mark.bot_intents(discord.Intents.default() | discord.Intents(members=True))
async def test_a_new_student_joins(sb: Sandbox, bot: SandboxBot) -> None:
    joined: list[discord.Member] = []

    async def on_member_join(member: discord.Member) -> None:
        joined.append(member)

    bot.add_listener(on_member_join)
    nina = await sb.member_joins("nina", global_name="Nina", locale="it", roles=("Student",))
    await sb.wait_for(lambda: joined)
    assert joined[0].id == nina.id
    assert [r.name for r in joined[0].roles] == ["@everyone", "Student"]
