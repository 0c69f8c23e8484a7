"""The `/setup` panel: channel and role selects, language, and the zone and lead-time forms."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING

import discord

from bot.app import bot_of
from bot.refusal import Refusal
from bot.reminders.planning import DEFAULT_REVIEW_LEAD, DEFAULT_STUDENT_LEADS, format_leads
from bot.services import moderation as service
from bot.services.moderation import Access
from bot.services.people import known_languages, language_name
from bot.storage.guild_config import SETTINGS, GuildConfig, SettingValue
from bot.textfit import fit_lines
from bot.texts import catalogue, tr
from bot.ui import OwnerView, PersistentModal

if TYPE_CHECKING:
    from cogs.moderation import ModerationCog

log = logging.getLogger(__name__)

COLOUR = discord.Colour.dark_gold()
SECTIONS = ("channels", "roles", "general")
CHANNEL_NEEDS: dict[str, tuple[str, ...]] = {
    "reminders_channel_id": ("view_channel", "send_messages", "embed_links"),
    "log_channel_id": ("view_channel", "send_messages", "embed_links"),
}
"""What the bot must be allowed in each chosen channel (reminders and the log use embeds)."""


def show_value(setting: str, value: SettingValue, locale: discord.Locale | str | None) -> str:
    """Write a setting's value for people: channel and role mentions, language names."""
    if value is None:
        if setting == "student_leads":
            return tr("moderation.default_value", locale, value=format_leads(DEFAULT_STUDENT_LEADS))
        if setting == "review_lead_hours":
            hours = int(DEFAULT_REVIEW_LEAD.total_seconds() // 3600)
            return tr("moderation.default_value", locale, value=f"{hours}h")
        return tr("moderation.not_set", locale)
    if setting in service.CHANNEL_SETTINGS:
        return f"<#{value}>"
    if setting in service.ROLE_SETTINGS:
        return f"<@&{value}>"
    if setting == "locale":
        return tr(f"moderation.language_{value}", locale)
    if setting == "review_lead_hours":
        return f"{value}h"
    return discord.utils.escape_markdown(str(value))


def setting_label(setting: str, locale: discord.Locale | str | None) -> str:
    """Return the name people see for a setting."""
    return tr(f"moderation.setting_{setting}", locale)


def permission_problems(
    guild: discord.Guild, config: GuildConfig, locale: discord.Locale | str | None
) -> list[str]:
    """Name what the bot is missing in each chosen channel, and how to grant it."""
    problems: list[str] = []
    me = guild.me
    for setting, needs in CHANNEL_NEEDS.items():
        channel_id = config.value(setting)
        if channel_id is None:
            continue
        label = setting_label(setting, locale)
        channel = guild.get_channel(int(channel_id))
        if channel is None or me is None:
            problems.append(
                tr("moderation.channel_unseen", locale, setting=label, channel=f"<#{channel_id}>")
            )
            continue
        granted = channel.permissions_for(me)
        missing = [need for need in needs if not getattr(granted, need)]
        if missing:
            names = ", ".join(f"**{tr(f'moderation.perm_{need}', locale)}**" for need in missing)
            role = guild.self_role or me.top_role
            problems.append(
                tr(
                    "moderation.missing_permissions",
                    locale,
                    setting=label,
                    channel=channel.mention,
                    permissions=names,
                    role=role.mention,
                )
            )
    return problems


def settings_embed(
    guild: discord.Guild, config: GuildConfig, locale: discord.Locale | str | None
) -> discord.Embed:
    """Show every setting with its value, then what the bot is missing in the channels."""
    embed = discord.Embed(title=tr("moderation.settings_title", locale), colour=COLOUR)
    for setting in SETTINGS:
        embed.add_field(
            name=setting_label(setting, locale),
            value=show_value(setting, config.value(setting), locale),
        )
    problems = permission_problems(guild, config, locale)
    embed.add_field(
        name=tr("moderation.check_title", locale),
        value=fit_lines(problems) if problems else tr("moderation.check_ok", locale),
        inline=False,
    )
    gating = "moderation.gating_off" if config.mentor_role_id is None else "moderation.gating_on"
    embed.set_footer(text=tr(gating, locale))
    return embed


def picked_id(interaction: discord.Interaction) -> int | None:
    """Return the id picked in a channel or role select (None when it was cleared).

    Read from the interaction's raw `values` (ids), which Discord always sends, rather than
    from the resolved objects.
    """
    data: Mapping[str, object] = interaction.data or {}
    values = data.get("values")
    if not isinstance(values, list) or not values:
        return None
    return int(values[0])


class SetupPanel(OwnerView):
    """One private message with which a moderator sets the server up, section by section."""

    def __init__(
        self, cog: ModerationCog, owner_id: int, access: Access, locale: discord.Locale
    ) -> None:
        super().__init__(owner_id)
        self.cog = cog
        self.access = access
        self.locale = locale
        self.section = "channels" if access is Access.FULL else "general"
        self.build()

    def build(self) -> None:
        """Put the controls of the current section on the panel."""
        self.clear_items()
        locale = self.locale
        if self.section == "channels":
            for row, setting in enumerate(service.CHANNEL_SETTINGS):
                self.add_item(SettingChannelSelect(setting, locale, row))
        elif self.section == "roles":
            for row, setting in enumerate(service.ROLE_SETTINGS):
                self.add_item(SettingRoleSelect(setting, locale, row))
        else:
            self.add_item(LanguageSelect(locale))
            self.add_item(FormButton("zone", tr("moderation.zone_button", locale)))
            self.add_item(FormButton("leads", tr("moderation.leads_button", locale)))
        for section in SECTIONS:
            allowed = section == "general" or self.access is Access.FULL
            self.add_item(
                SectionButton(
                    section,
                    tr(f"moderation.section_{section}", locale),
                    current=section == self.section,
                    allowed=allowed,
                )
            )
        self.add_item(DoneButton(tr("moderation.done_button", locale)))

    def intro(self) -> str:
        """Return the panel's text for the current section."""
        text = tr(f"moderation.intro_{self.section}", self.locale)
        if self.access is Access.LEAD:
            text += "\n" + tr("moderation.intro_lead", self.locale)
        return text

    async def render(self, interaction: discord.Interaction) -> None:
        """Show the panel again with fresh settings (in place of the message it is on)."""
        assert interaction.guild is not None
        config = await self.cog.config_of(interaction.guild.id)
        content = self.intro()
        embed = settings_embed(interaction.guild, config, self.locale)
        if interaction.response.is_done():  # a submitted form, already acknowledged
            await interaction.edit_original_response(content=content, embed=embed, view=self)
        else:
            await interaction.response.edit_message(content=content, embed=embed, view=self)

    async def apply(
        self, interaction: discord.Interaction, values: dict[str, SettingValue]
    ) -> None:
        """Change settings (checking, again, that this member may), then show and log it."""
        assert interaction.guild is not None
        access = await self.cog.access_of(interaction)
        changes = await service.change_settings(
            self.cog.bot.db,
            interaction.guild.id,
            values,
            access=access,
            actor_id=interaction.user.id,
            now=self.cog.bot.clock.now(),
        )
        await self.render(interaction)
        await self.cog.log_changes(interaction.guild, interaction.user, changes)


class SettingChannelSelect(discord.ui.ChannelSelect[SetupPanel]):
    """Pick the channel for one setting (or clear it)."""

    def __init__(self, setting: str, locale: discord.Locale, row: int) -> None:
        super().__init__(
            custom_id=f"setup:{setting}",
            placeholder=tr(f"moderation.pick_{setting}", locale),
            channel_types=[discord.ChannelType.text],
            min_values=0,
            max_values=1,
            row=row,
        )
        self.setting = setting

    async def callback(self, interaction: discord.Interaction) -> None:
        """Store the channel picked."""
        assert self.view is not None
        await self.view.apply(interaction, {self.setting: picked_id(interaction)})


class SettingRoleSelect(discord.ui.RoleSelect[SetupPanel]):
    """Pick the role for one setting (or clear it)."""

    def __init__(self, setting: str, locale: discord.Locale, row: int) -> None:
        super().__init__(
            custom_id=f"setup:{setting}",
            placeholder=tr(f"moderation.pick_{setting}", locale),
            min_values=0,
            max_values=1,
            row=row,
        )
        self.setting = setting

    async def callback(self, interaction: discord.Interaction) -> None:
        """Store the role picked, unless nobody can be given it."""
        assert self.view is not None
        assert interaction.guild is not None
        role_id = picked_id(interaction)
        role = interaction.guild.get_role(role_id) if role_id is not None else None
        if role is not None and (role.is_default() or role.managed):
            raise Refusal("moderation.role_not_assignable", role=role.mention)
        await self.view.apply(interaction, {self.setting: role_id})


def language_label(code: str, locale: discord.Locale) -> str:
    """Name a language in the reader's language, else by its own name (a folder just added)."""
    key = f"moderation.language_{code}"
    return tr(key, locale) if catalogue().raw(key) is not None else language_name(code)


class LanguageSelect(discord.ui.Select[SetupPanel]):
    """Pick the language of what the bot posts in the server's channels."""

    def __init__(self, locale: discord.Locale) -> None:
        super().__init__(
            custom_id="setup:locale",
            placeholder=tr("moderation.pick_locale", locale),
            options=[
                discord.SelectOption(label=language_label(code, locale), value=code)
                for code in known_languages()
            ],
            row=0,
        )

    async def callback(self, interaction: discord.Interaction) -> None:
        """Store the language picked."""
        assert self.view is not None
        await self.view.apply(interaction, {"locale": self.values[0]})


class FormButton(discord.ui.Button[SetupPanel]):
    """Open the time-zone or lead-times form."""

    def __init__(self, form: str, label: str) -> None:
        super().__init__(
            style=discord.ButtonStyle.primary, label=label, custom_id=f"setup:form:{form}", row=1
        )
        self.form = form

    async def callback(self, interaction: discord.Interaction) -> None:
        """Show the form, filled with the current values."""
        assert self.view is not None
        assert interaction.guild is not None
        config = await self.view.cog.config_of(interaction.guild.id)
        modal: PersistentModal
        if self.form == "zone":
            modal = ZoneModal(self.view, config, interaction.locale)
        else:
            modal = LeadsModal(self.view, config, interaction.locale)
        await interaction.response.send_modal(modal)


class SectionButton(discord.ui.Button[SetupPanel]):
    """Switch the panel to another section."""

    def __init__(self, section: str, label: str, *, current: bool, allowed: bool) -> None:
        super().__init__(
            style=discord.ButtonStyle.success if current else discord.ButtonStyle.secondary,
            label=label,
            custom_id=f"setup:section:{section}",
            disabled=current or not allowed,
            row=4,
        )
        self.section = section

    async def callback(self, interaction: discord.Interaction) -> None:
        """Show the section's controls."""
        panel = self.view
        assert panel is not None
        panel.section = self.section
        panel.build()  # replaces this very button: keep the panel at hand
        await panel.render(interaction)


class DoneButton(discord.ui.Button[SetupPanel]):
    """Close the panel, keeping the settings on show."""

    def __init__(self, label: str) -> None:
        super().__init__(
            style=discord.ButtonStyle.secondary, label=label, custom_id="setup:done", row=4
        )

    async def callback(self, interaction: discord.Interaction) -> None:
        """Remove the controls."""
        assert self.view is not None
        assert interaction.guild is not None
        self.view.stop()
        config = await self.view.cog.config_of(interaction.guild.id)
        await interaction.response.edit_message(
            content=tr("moderation.done", interaction.locale),
            embed=settings_embed(interaction.guild, config, interaction.locale),
            view=None,
        )


async def panel_for(interaction: discord.Interaction) -> SetupPanel:
    """Rebuild the setup panel a form was opened from (its general section), in any process."""
    from cogs.moderation import ModerationCog  # the cog that owns this module

    cog = bot_of(interaction).get_cog(ModerationCog.__cog_name__)
    assert isinstance(cog, ModerationCog)
    access = await cog.access_of(interaction)
    panel = SetupPanel(cog, interaction.user.id, access, interaction.locale)
    panel.section = "general"
    panel.build()
    panel.origin = interaction
    return panel


class ZoneModal(PersistentModal):
    """Ask for the server's default time zone."""

    PREFIX = "form:setup:zone"
    EDITS_MESSAGE = True

    def __init__(self, panel: SetupPanel, config: GuildConfig, locale: discord.Locale) -> None:
        super().__init__(tr("moderation.zone_title", locale))
        self.add_item(
            discord.ui.TextInput(
                label=tr("moderation.zone_label", locale),
                custom_id="zone",
                placeholder="Europe/Paris",
                default=config.default_timezone,
                required=False,
                max_length=64,
            )
        )

    @classmethod
    async def submitted(
        cls, interaction: discord.Interaction, parts: tuple[str, ...], values: Mapping[str, str]
    ) -> None:
        """Store the zone (an empty field clears it)."""
        panel = await panel_for(interaction)
        await panel.apply(interaction, {"default_timezone": values.get("zone", "")})


class LeadsModal(PersistentModal):
    """Ask for the server's default lead times."""

    PREFIX = "form:setup:leads"
    EDITS_MESSAGE = True

    def __init__(self, panel: SetupPanel, config: GuildConfig, locale: discord.Locale) -> None:
        super().__init__(tr("moderation.leads_title", locale))
        review = config.review_lead_hours
        self.add_item(
            discord.ui.TextInput(
                label=tr("moderation.student_leads_label", locale),
                custom_id="student",
                placeholder=format_leads(DEFAULT_STUDENT_LEADS),
                default=config.student_leads,
                required=False,
                max_length=40,
            )
        )
        self.add_item(
            discord.ui.TextInput(
                label=tr("moderation.review_lead_label", locale),
                custom_id="review",
                placeholder=str(int(DEFAULT_REVIEW_LEAD.total_seconds() // 3600)),
                default=None if review is None else str(review),
                required=False,
                max_length=4,
            )
        )

    @classmethod
    async def submitted(
        cls, interaction: discord.Interaction, parts: tuple[str, ...], values: Mapping[str, str]
    ) -> None:
        """Store both lead times (empty fields go back to the defaults)."""
        panel = await panel_for(interaction)
        await panel.apply(
            interaction,
            {
                "student_leads": values.get("student", ""),
                "review_lead_hours": values.get("review", ""),
            },
        )
