"""`/template` and `/checklist`: a server's own feedback templates and prep checklists."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MentorCoach, bot_of
from bot.refusal import Refusal
from bot.services import moderation
from bot.services import server_content as service
from bot.services.moderation import Access
from bot.services.server_content import CHECKLIST, SOURCE_MAX, TEMPLATE, Saved
from bot.textfit import clip, fit_lines
from bot.texts import cmd, tr
from bot.timefmt import discord_stamp
from bot.ui import OwnerView, PersistentModal, answer, ask_to_confirm, confirmation
from bot.vocabulary import SessionKind

log = logging.getLogger(__name__)

COLOUR = discord.Colour.dark_gold()
MANAGE_SERVER = discord.Permissions(manage_guild=True)
FILE_BYTES_MAX = SOURCE_MAX * 4
"""A larger file cannot hold SOURCE_MAX characters of UTF-8: refused without reading it."""
KIND_CHOICES = [app_commands.Choice(name=cmd(f"kind.{kind}"), value=kind) for kind in SessionKind]


def saved_text(saved: Saved, locale: discord.Locale, *, created: bool) -> str:
    """Say what was stored and where mentors meet it."""
    if not created:
        return tr("server_content.edited", locale, title=saved.title, name=saved.key)
    if saved.kind == TEMPLATE:
        return tr("server_content.template_created", locale, title=saved.title, name=saved.key)
    return tr(
        "server_content.checklist_created",
        locale,
        title=saved.title,
        kind=tr(f"kind.{saved.key}", locale),
    )


def listing_embed(listing: service.Listing, locale: discord.Locale) -> discord.Embed:
    """Show the built-ins (hidden ones marked) and the server's own entries."""
    kind = listing.kind
    embed = discord.Embed(title=tr(f"server_content.list_{kind}_title", locale), colour=COLOUR)
    hidden = tr("server_content.list_hidden", locale)
    built_ins = [
        f"`{entry.key}` · {entry.title}" + (f" · **{hidden}**" if entry.hidden else "")
        for entry in listing.built_ins
    ]
    embed.add_field(
        name=tr("server_content.list_built_in", locale), value=fit_lines(built_ins), inline=False
    )
    own = []
    for entry in listing.own:
        parts = [f"`{entry.key}`", discord.utils.escape_markdown(entry.title)]
        if kind == CHECKLIST:
            parts.append(tr("server_content.list_replaces", locale))
        parts.append(
            tr("server_content.list_updated", locale, when=discord_stamp(entry.updated_at, "R"))
        )
        own.append(" · ".join(parts))
    embed.add_field(
        name=tr("server_content.list_own", locale),
        value=fit_lines(own)
        or tr("server_content.list_none", locale, command=service.command_of(kind)),
        inline=False,
    )
    embed.set_footer(text=tr("server_content.list_footer", locale))
    return embed


class EntryModal(PersistentModal):
    """One TOML text area: a new entry (pre-filled with an example) or an edit.

    Its custom id carries the kind and, for an edit, the entry's key: it works after a restart.
    """

    PREFIX = "form:content"

    def __init__(
        self,
        cog: ServerContentCog,
        kind: str,
        locale: discord.Locale,
        *,
        key: str | None,
        text: str,
    ) -> None:
        if key is None:
            title = tr(f"server_content.modal_new_{kind}", locale)
        else:
            title = tr(f"server_content.modal_edit_{kind}", locale, name=key)
        super().__init__(title, kind, *([] if key is None else [key]))
        self.source: discord.ui.TextInput[EntryModal] = discord.ui.TextInput(
            custom_id="source",
            style=discord.TextStyle.paragraph,
            required=True,
            max_length=SOURCE_MAX,
            default=text[:SOURCE_MAX],
        )
        self.add_item(
            discord.ui.Label(
                text=clip(tr("server_content.modal_label", locale), 45),
                description=clip(tr("server_content.modal_hint", locale), 100),
                component=self.source,
            )
        )

    @classmethod
    async def submitted(
        cls, interaction: discord.Interaction, parts: tuple[str, ...], values: Mapping[str, str]
    ) -> None:
        """Check and store the text; on a refusal, offer to fix the same text."""
        kind, key = parts[0], (parts[1] if len(parts) > 1 else None)
        cog = bot_of(interaction).get_cog(ServerContentCog.__cog_name__)
        assert isinstance(cog, ServerContentCog)
        text = values.get("source", "")
        try:
            saved = await cog.store(interaction, kind, key, text)
        except Refusal as refusal:
            view = FixView(cog, kind, key, text, interaction)
            await answer(
                interaction, tr(refusal.key, interaction.locale, **refusal.values), view=view
            )
            return
        await answer(interaction, saved_text(saved, interaction.locale, created=key is None))


class FixView(OwnerView):
    """A Fix it button that opens the form again with the text that was refused."""

    def __init__(
        self,
        cog: ServerContentCog,
        kind: str,
        key: str | None,
        text: str,
        interaction: discord.Interaction,
    ) -> None:
        super().__init__(interaction.user.id)
        self.origin = interaction
        self.cog = cog
        self.kind = kind
        self.key = key
        self.text = text
        self.fix.label = tr("server_content.fix_it", interaction.locale)

    @discord.ui.button(style=discord.ButtonStyle.primary, label="fix")
    async def fix(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        """Open the form again, filled with the refused text."""
        await interaction.response.send_modal(
            EntryModal(self.cog, self.kind, interaction.locale, key=self.key, text=self.text)
        )


class ServerContentCog(commands.Cog):
    """Let moderators add, change, hide and list the templates and checklists mentors use."""

    template = app_commands.Group(
        name="template",
        description=cmd("server_content.template_group"),
        guild_only=True,
        default_permissions=MANAGE_SERVER,
        extras={"audience": "moderator"},
    )
    checklist = app_commands.Group(
        name="checklist",
        description=cmd("server_content.checklist_group"),
        guild_only=True,
        default_permissions=MANAGE_SERVER,
        extras={"audience": "moderator"},
    )

    def __init__(self, bot: MentorCoach) -> None:
        self.bot = bot

    # -- shared steps -------------------------------------------------------------

    async def require_access(self, interaction: discord.Interaction) -> int:
        """Refuse anyone without Manage Server or the program-lead role; return the guild id."""
        if interaction.guild_id is None or not isinstance(interaction.user, discord.Member):
            raise Refusal("errors.guild_only")
        config = await moderation.config_of(self.bot.db, interaction.guild_id)
        access = moderation.access_of(
            config,
            manage_guild=interaction.permissions.manage_guild,
            role_ids=[role.id for role in interaction.user.roles],
        )
        if access is Access.NONE:
            raise Refusal("server_content.not_allowed")
        return interaction.guild_id

    async def store(
        self, interaction: discord.Interaction, kind: str, key: str | None, text: str
    ) -> Saved:
        """Check access again, then create (no key) or edit (key) an entry."""
        guild_id = await self.require_access(interaction)
        now = self.bot.clock.now()
        if key is None:
            return await service.create(self.bot.db, guild_id, kind, text, interaction.user.id, now)
        return await service.edit(self.bot.db, guild_id, kind, key, text, interaction.user.id, now)

    async def read_file(self, file: discord.Attachment) -> str:
        """Return an attached `.toml` file's text, or refuse another kind of file."""
        if not file.filename.lower().endswith(".toml") or file.size > FILE_BYTES_MAX:
            raise Refusal("server_content.not_toml", limit=SOURCE_MAX)
        try:
            data = await file.read()
        except discord.HTTPException as error:
            log.info("Attachment %s could not be fetched (HTTP %s)", file.id, error.status)
            raise Refusal("server_content.file_unreadable") from None
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise Refusal("server_content.not_toml", limit=SOURCE_MAX) from None

    async def create_entry(
        self, interaction: discord.Interaction, kind: str, file: discord.Attachment | None
    ) -> None:
        """Store an attached file at once, or open the form with a commented example."""
        await self.require_access(interaction)
        locale = interaction.locale
        if file is None:
            example = tr(f"server_content.{kind}_example", locale)
            await interaction.response.send_modal(
                EntryModal(self, kind, locale, key=None, text=example)
            )
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        saved = await self.store(interaction, kind, None, await self.read_file(file))
        await interaction.followup.send(saved_text(saved, locale, created=True), ephemeral=True)

    async def edit_entry(
        self,
        interaction: discord.Interaction,
        kind: str,
        key: str,
        file: discord.Attachment | None,
    ) -> None:
        """Store an attached file in place of an entry, or open the form with its text."""
        guild_id = await self.require_access(interaction)
        locale = interaction.locale
        entry = await service.entry_of(self.bot.db, guild_id, kind, key)
        if file is None:
            await interaction.response.send_modal(
                EntryModal(self, kind, locale, key=entry.key, text=entry.source)
            )
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        saved = await self.store(interaction, kind, entry.key, await self.read_file(file))
        await interaction.followup.send(saved_text(saved, locale, created=False), ephemeral=True)

    async def delete_entry(self, interaction: discord.Interaction, kind: str, key: str) -> None:
        """Ask, then delete one of the server's own entries."""
        guild_id = await self.require_access(interaction)
        locale = interaction.locale
        entry = await service.entry_of(self.bot.db, guild_id, kind, key)
        kind_name = tr(f"kind.{entry.key}", locale) if kind == CHECKLIST else ""

        await ask_to_confirm(
            interaction,
            tr(
                f"server_content.{kind}_delete_question",
                locale,
                title=entry.title,
                name=entry.key,
                kind=kind_name,
            ),
            confirm_label=tr("server_content.delete_button", locale),
            action="content.delete",
            parts=[kind, entry.key],
        )

    async def hide_entry(
        self, interaction: discord.Interaction, kind: str, key: str, *, hidden: bool
    ) -> None:
        """Hide a built-in from mentors in this server, or offer it again."""
        guild_id = await self.require_access(interaction)
        locale = interaction.locale
        title, changed = await service.set_hidden(
            self.bot.db, guild_id, kind, key, hidden, interaction.user.id, self.bot.clock.now()
        )
        action = "hidden" if hidden else "shown"
        lines = [
            tr(
                f"server_content.{kind}_{action}",
                locale,
                title=title,
                kind=tr(f"kind.{key}", locale) if kind == CHECKLIST else "",
            )
        ]
        if not changed:
            lines.insert(0, tr("server_content.already", locale))
        await interaction.response.send_message("\n".join(lines), ephemeral=True)

    async def list_entries(self, interaction: discord.Interaction, kind: str) -> None:
        """Show the built-ins and the server's own entries of a kind."""
        guild_id = await self.require_access(interaction)
        listing = await service.listing(self.bot.db, guild_id, kind)
        await interaction.response.send_message(
            embed=listing_embed(listing, interaction.locale), ephemeral=True
        )

    async def own_choices(
        self, interaction: discord.Interaction, kind: str, current: str
    ) -> list[app_commands.Choice[str]]:
        """Offer the server's own entries whose id or title matches."""
        if interaction.guild_id is None:
            return []
        wanted = current.strip().casefold()
        listing = await service.listing(self.bot.db, interaction.guild_id, kind)
        return [
            app_commands.Choice(name=clip(f"{e.title} ({e.key})", 100), value=e.key)
            for e in listing.own
            if wanted in e.key or wanted in e.title.casefold()
        ][:25]

    # -- /template ----------------------------------------------------------------

    @template.command(name="create", description=cmd("server_content.template_create"))
    @app_commands.describe(file=cmd("server_content.opt_file"))
    async def template_create(
        self, interaction: discord.Interaction, file: discord.Attachment | None = None
    ) -> None:
        """Add a feedback template from a .toml file or a form."""
        await self.create_entry(interaction, TEMPLATE, file)

    @template.command(name="edit", description=cmd("server_content.template_edit"))
    @app_commands.describe(
        template=cmd("server_content.opt_template_own"), file=cmd("server_content.opt_file")
    )
    async def template_edit(
        self,
        interaction: discord.Interaction,
        template: app_commands.Range[str, 1, 100],
        file: discord.Attachment | None = None,
    ) -> None:
        """Change one of this server's feedback templates."""
        await self.edit_entry(interaction, TEMPLATE, template, file)

    @template.command(name="delete", description=cmd("server_content.template_delete"))
    @app_commands.describe(template=cmd("server_content.opt_template_own"))
    async def template_delete(
        self, interaction: discord.Interaction, template: app_commands.Range[str, 1, 100]
    ) -> None:
        """Delete one of this server's feedback templates."""
        await self.delete_entry(interaction, TEMPLATE, template)

    @template.command(name="list", description=cmd("server_content.template_list"))
    async def template_list(self, interaction: discord.Interaction) -> None:
        """List the built-in feedback templates and this server's own."""
        await self.list_entries(interaction, TEMPLATE)

    @template.command(name="hide", description=cmd("server_content.template_hide"))
    @app_commands.describe(template=cmd("server_content.opt_template_built_in"))
    async def template_hide(
        self, interaction: discord.Interaction, template: app_commands.Range[str, 1, 100]
    ) -> None:
        """Hide a built-in feedback template from /feedback."""
        await self.hide_entry(interaction, TEMPLATE, template, hidden=True)

    @template.command(name="show", description=cmd("server_content.template_show"))
    @app_commands.describe(template=cmd("server_content.opt_template_built_in"))
    async def template_show(
        self, interaction: discord.Interaction, template: app_commands.Range[str, 1, 100]
    ) -> None:
        """Offer a hidden built-in feedback template again."""
        await self.hide_entry(interaction, TEMPLATE, template, hidden=False)

    @template_edit.autocomplete("template")
    @template_delete.autocomplete("template")
    async def own_template_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Offer the server's own templates."""
        return await self.own_choices(interaction, TEMPLATE, current)

    @template_hide.autocomplete("template")
    @template_show.autocomplete("template")
    async def built_in_template_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Offer the built-in templates."""
        wanted = current.strip().casefold()
        return [
            app_commands.Choice(name=clip(title, 100), value=key)
            for key, title in service.built_in_titles(TEMPLATE).items()
            if wanted in key or wanted in title.casefold()
        ][:25]

    # -- /checklist ---------------------------------------------------------------

    @checklist.command(name="create", description=cmd("server_content.checklist_create"))
    @app_commands.describe(file=cmd("server_content.opt_file"))
    async def checklist_create(
        self, interaction: discord.Interaction, file: discord.Attachment | None = None
    ) -> None:
        """Add a prep checklist from a .toml file or a form."""
        await self.create_entry(interaction, CHECKLIST, file)

    @checklist.command(name="edit", description=cmd("server_content.checklist_edit"))
    @app_commands.describe(kind=cmd("server_content.opt_kind"), file=cmd("server_content.opt_file"))
    @app_commands.choices(kind=KIND_CHOICES)
    async def checklist_edit(
        self,
        interaction: discord.Interaction,
        kind: app_commands.Choice[str],
        file: discord.Attachment | None = None,
    ) -> None:
        """Change this server's checklist for a kind of session."""
        await self.edit_entry(interaction, CHECKLIST, kind.value, file)

    @checklist.command(name="delete", description=cmd("server_content.checklist_delete"))
    @app_commands.describe(kind=cmd("server_content.opt_kind"))
    @app_commands.choices(kind=KIND_CHOICES)
    async def checklist_delete(
        self, interaction: discord.Interaction, kind: app_commands.Choice[str]
    ) -> None:
        """Delete this server's checklist for a kind of session."""
        await self.delete_entry(interaction, CHECKLIST, kind.value)

    @checklist.command(name="list", description=cmd("server_content.checklist_list"))
    async def checklist_list(self, interaction: discord.Interaction) -> None:
        """List the built-in prep checklists and this server's own."""
        await self.list_entries(interaction, CHECKLIST)

    @checklist.command(name="hide", description=cmd("server_content.checklist_hide"))
    @app_commands.describe(kind=cmd("server_content.opt_kind"))
    @app_commands.choices(kind=KIND_CHOICES)
    async def checklist_hide(
        self, interaction: discord.Interaction, kind: app_commands.Choice[str]
    ) -> None:
        """Hide the built-in checklist of a kind of session from /prep."""
        await self.hide_entry(interaction, CHECKLIST, kind.value, hidden=True)

    @checklist.command(name="show", description=cmd("server_content.checklist_show"))
    @app_commands.describe(kind=cmd("server_content.opt_kind"))
    @app_commands.choices(kind=KIND_CHOICES)
    async def checklist_show(
        self, interaction: discord.Interaction, kind: app_commands.Choice[str]
    ) -> None:
        """Use a hidden built-in checklist in /prep again."""
        await self.hide_entry(interaction, CHECKLIST, kind.value, hidden=False)


@confirmation("content.delete")
async def delete_confirmed(interaction: discord.Interaction, parts: tuple[str, ...]) -> str:
    """Delete the server's entry the question was about (checking access again)."""
    kind, key = parts
    cog = bot_of(interaction).get_cog(ServerContentCog.__cog_name__)
    assert isinstance(cog, ServerContentCog)
    guild_id = await cog.require_access(interaction)
    deleted = await service.delete(cog.bot.db, guild_id, kind, key)
    return tr("server_content.deleted", interaction.locale, title=deleted.title)


async def setup(bot: MentorCoach) -> None:
    """Add the cog."""
    await bot.add_cog(ServerContentCog(bot))
