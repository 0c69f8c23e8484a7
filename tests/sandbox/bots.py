"""A small discord.py bot used only to exercise the sandbox (not the product bot)."""

from __future__ import annotations

import asyncio
import io

import discord
from discord import app_commands
from discord.ext import commands

ZONES = ["Europe/Paris", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "Europe/Pa-fake"]


class ConfirmView(discord.ui.View):
    """Confirm or cancel."""

    @discord.ui.button(label="Confirm", style=discord.ButtonStyle.success, custom_id="confirm")
    async def confirm(
        self, interaction: discord.Interaction, button: discord.ui.Button[ConfirmView]
    ) -> None:
        """Replace the message."""
        await interaction.response.edit_message(content="Confirmed", view=None)

    @discord.ui.button(label="Later", style=discord.ButtonStyle.secondary, custom_id="later")
    async def later(
        self, interaction: discord.Interaction, button: discord.ui.Button[ConfirmView]
    ) -> None:
        """Acknowledge silently, then edit the original through the webhook."""
        await interaction.response.defer()
        await interaction.edit_original_response(content="Postponed", view=None)

    @discord.ui.select(
        custom_id="weekday",
        placeholder="Pick a day",
        options=[discord.SelectOption(label=d, value=d.lower()) for d in ("Monday", "Friday")],
    )
    async def weekday(
        self, interaction: discord.Interaction, select: discord.ui.Select[ConfirmView]
    ) -> None:
        """Answer with the chosen day."""
        await interaction.response.send_message(f"Day: {select.values[0]}", ephemeral=True)


class FeedbackModal(discord.ui.Modal, title="Session feedback"):
    """Two text inputs."""

    headline: discord.ui.TextInput[FeedbackModal] = discord.ui.TextInput(
        label="Title", custom_id="title"
    )
    body: discord.ui.TextInput[FeedbackModal] = discord.ui.TextInput(
        label="What went well?", custom_id="body", style=discord.TextStyle.paragraph
    )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Thank the user."""
        await interaction.response.send_message(
            f"Thanks: {self.headline.value} / {self.body.value}", ephemeral=True
        )


class SandboxBot(commands.Bot):
    """A bot that remembers what happened to it."""

    def __init__(self, intents: discord.Intents) -> None:
        super().__init__(
            command_prefix="!",
            intents=intents,
            guild_ready_timeout=0.1,
            allowed_mentions=discord.AllowedMentions.none(),
        )
        self.events_seen: list[str] = []
        self.kept: discord.Interaction | None = None
        self.messages_seen: list[discord.Message] = []

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """Skip discord.py's 5 s pause before a re-IDENTIFY (documented override point)."""

    async def on_resumed(self) -> None:
        """Note a RESUMED."""
        self.events_seen.append("resumed")

    async def on_connect(self) -> None:
        """Note a (re)IDENTIFY."""
        self.events_seen.append("connect")

    async def on_message(self, message: discord.Message) -> None:
        """Keep every message seen through the gateway."""
        self.messages_seen.append(message)


class PlanModal(discord.ui.Modal, title="Plan a session"):
    """The newer modal layout: Label components wrapping a text input and a select."""

    topic: discord.ui.Label[PlanModal] = discord.ui.Label(
        text="Topic", component=discord.ui.TextInput(custom_id="topic")
    )
    day: discord.ui.Label[PlanModal] = discord.ui.Label(
        text="Day",
        component=discord.ui.Select(
            custom_id="day",
            options=[discord.SelectOption(label=d, value=d.lower()) for d in ("Mon", "Tue")],
        ),
    )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Echo the answers."""
        assert isinstance(self.topic.component, discord.ui.TextInput)
        assert isinstance(self.day.component, discord.ui.Select)
        text = f"{self.topic.component.value} on {self.day.component.values[0]}"
        await interaction.response.send_message(text)


def build_bot(guild_id: int, *, intents: discord.Intents | None = None) -> SandboxBot:
    """Return a bot with a handful of commands covering every interaction shape."""
    bot = SandboxBot(intents or discord.Intents.default())
    guild = discord.Object(guild_id)

    timezone = app_commands.Group(
        name="timezone", description="Your time zone", guild_ids=[guild_id]
    )

    @timezone.command(name="set", description="Set your time zone")
    @app_commands.describe(zone="An IANA zone", quiet="Only you see the answer")
    async def timezone_set(interaction: discord.Interaction, zone: str, quiet: bool = True) -> None:
        await interaction.response.send_message(f"Time zone set to {zone}", ephemeral=quiet)

    @timezone_set.autocomplete("zone")
    async def zone_autocomplete(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if current == "*":  # a buggy autocomplete: Discord refuses more than 25 choices
            return [app_commands.Choice(name=f"Zone {n}", value=f"z{n}") for n in range(30)]
        return [app_commands.Choice(name=z, value=z) for z in ZONES if z.startswith(current)][:25]

    bot.tree.add_command(timezone)

    @bot.tree.command(name="remind", description="Plan a reminder (slow)", guild=guild)
    async def remind(interaction: discord.Interaction, who: discord.Member, minutes: int) -> None:
        await interaction.response.defer(thinking=True, ephemeral=True)
        await interaction.followup.send(
            f"Reminder for {who.display_name} in {minutes} min", ephemeral=True
        )

    @bot.tree.command(name="confirm", description="Ask for confirmation", guild=guild)
    async def confirm(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("Are you sure?", view=ConfirmView())

    @bot.tree.command(name="feedback", description="Give feedback", guild=guild)
    async def feedback(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(FeedbackModal())

    @bot.tree.command(name="plan", description="Plan a session", guild=guild)
    async def plan(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(PlanModal())

    @bot.tree.command(name="slow", description="Answers too late", guild=guild)
    async def slow(interaction: discord.Interaction) -> None:
        await asyncio.sleep(0.4)
        await interaction.response.send_message("too late")

    @bot.tree.command(name="ping", description="Pong, in DMs too")
    @app_commands.allowed_contexts(guilds=True, dms=True)
    async def ping(interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"pong {interaction.locale.value}")

    @bot.tree.command(name="dm-me", description="Send me a DM", guild=guild)
    async def dm_me(interaction: discord.Interaction) -> None:
        try:
            await interaction.user.send("Here is your DM")
        except discord.Forbidden as error:
            await interaction.response.send_message(f"closed {error.code}", ephemeral=True)
        else:
            await interaction.response.send_message("sent", ephemeral=True)

    @bot.tree.command(name="notify", description="Tell a role somewhere", guild=guild)
    async def notify(
        interaction: discord.Interaction,
        who: discord.Member,
        role: discord.Role,
        where: discord.TextChannel,
    ) -> None:
        report = discord.File(io.BytesIO(b"who,role\n"), "report.csv")
        text = f"{who.display_name} / {role.name} / #{where.name}"
        await interaction.response.send_message(text, file=report)

    @bot.tree.context_menu(name="Mark as mentee", guild=guild)
    async def mark(interaction: discord.Interaction, member: discord.Member) -> None:
        await interaction.response.send_message(
            f"{member.display_name} is a mentee", ephemeral=True
        )

    @bot.tree.context_menu(name="Remind me", guild=guild)
    async def remind_me(interaction: discord.Interaction, message: discord.Message) -> None:
        await interaction.response.send_message(
            f"Will remind you of: {message.content}", ephemeral=True
        )

    @bot.tree.command(name="keep", description="Answer and keep the interaction", guild=guild)
    async def keep(interaction: discord.Interaction) -> None:
        bot.kept = interaction
        await interaction.response.send_message("kept")

    return bot
