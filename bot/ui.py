"""Views shared by several features: owner-only views, confirmations, pages."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, ClassVar, Self, overload

import discord

from bot.deadlines import drop_if_too_late
from bot.errors import BaseView, report_error
from bot.textfit import clip
from bot.texts import tr

log = logging.getLogger(__name__)

EMBED_TOTAL_MAX = 6000
FIELD_FLOOR = 16
DEFAULT_TIMEOUT = 600.0
"""Seconds a view stays live; below the 15 minutes an interaction token lives."""


class OwnerView(BaseView):
    """A view only its owner may use; its buttons are disabled when it times out."""

    def __init__(self, owner_id: int, *, timeout: float | None = DEFAULT_TIMEOUT) -> None:
        super().__init__(timeout=timeout)
        self.owner_id = owner_id
        self.origin: discord.Interaction | None = None

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """Refuse, privately, anyone but the owner (and drop what is too late to answer)."""
        if not await super().interaction_check(interaction):
            return False
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message(
            tr("common.not_yours", interaction.locale), ephemeral=True
        )
        return False

    def disable_all(self) -> None:
        """Grey out every button and select."""
        for item in self.children:
            if isinstance(item, discord.ui.Button | discord.ui.Select):
                item.disabled = True

    async def on_timeout(self) -> None:
        """Disable the controls on the message that showed them."""
        self.disable_all()
        if self.origin is None:
            return
        try:
            await self.origin.edit_original_response(view=self)
        except discord.HTTPException:
            log.debug("Could not disable a timed-out view", exc_info=True)


class ConfirmView(OwnerView):
    """Ask the owner to confirm a destructive action."""

    def __init__(
        self,
        owner_id: int,
        locale: discord.Locale,
        *,
        confirm_label: str,
        on_confirm: Callable[[discord.Interaction], Awaitable[str]],
    ) -> None:
        super().__init__(owner_id)
        self._on_confirm = on_confirm
        self.confirm.label = confirm_label
        self.keep.label = tr("common.keep", locale)

    @discord.ui.button(style=discord.ButtonStyle.danger, label="confirm")
    async def confirm(
        self, interaction: discord.Interaction, button: discord.ui.Button[ConfirmView]
    ) -> None:
        """Do the action and show its outcome in place of the question."""
        self.stop()
        text = await self._on_confirm(interaction)
        await interaction.response.edit_message(content=text, embed=None, view=None)

    @discord.ui.button(style=discord.ButtonStyle.secondary, label="keep")
    async def keep(
        self, interaction: discord.Interaction, button: discord.ui.Button[ConfirmView]
    ) -> None:
        """Leave everything as it is."""
        self.stop()
        await interaction.response.edit_message(
            content=tr("common.nothing_changed", interaction.locale), embed=None, view=None
        )


class LazyPages(Sequence[discord.Embed]):
    """Pages built the first time they are shown: a 15-page list costs one page to send."""

    def __init__(self, count: int, build: Callable[[int], discord.Embed]) -> None:
        self._count = count
        self._build = build
        self._built: dict[int, discord.Embed] = {}

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> discord.Embed: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[discord.Embed]: ...

    def __getitem__(self, index: int | slice) -> discord.Embed | Sequence[discord.Embed]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._count))]
        if not -self._count <= index < self._count:
            raise IndexError(index)
        index %= self._count
        if index not in self._built:
            self._built[index] = self._build(index)
        return self._built[index]

    @property
    def built(self) -> int:
        """Return how many pages were built so far."""
        return len(self._built)


class PagesView(OwnerView):
    """Flip through embeds with Previous / Next."""

    def __init__(
        self, owner_id: int, locale: discord.Locale, pages: Sequence[discord.Embed]
    ) -> None:
        super().__init__(owner_id)
        self.pages = pages
        self.index = 0
        self.previous.label = tr("common.previous", locale)
        self.next.label = tr("common.next", locale)
        self._sync_buttons()

    def _sync_buttons(self) -> None:
        self.previous.disabled = self.index == 0
        self.next.disabled = self.index >= len(self.pages) - 1

    @property
    def current(self) -> discord.Embed:
        """Return the page on show."""
        return self.pages[self.index]

    @discord.ui.button(style=discord.ButtonStyle.secondary, label="previous")
    async def previous(
        self, interaction: discord.Interaction, button: discord.ui.Button[PagesView]
    ) -> None:
        """Show the page before."""
        self.index = max(0, self.index - 1)
        self._sync_buttons()
        await interaction.response.edit_message(embed=self.current, view=self)

    @discord.ui.button(style=discord.ButtonStyle.secondary, label="next")
    async def next(
        self, interaction: discord.Interaction, button: discord.ui.Button[PagesView]
    ) -> None:
        """Show the page after."""
        self.index = min(len(self.pages) - 1, self.index + 1)
        self._sync_buttons()
        await interaction.response.edit_message(embed=self.current, view=self)


async def send_pages(interaction: discord.Interaction, pages: Sequence[discord.Embed]) -> None:
    """Answer privately with the first page, and page buttons when there are more."""
    if len(pages) <= 1:
        await interaction.response.send_message(embed=pages[0], ephemeral=True)
        return
    view = PagesView(interaction.user.id, interaction.locale, pages)
    view.origin = interaction
    await interaction.response.send_message(embed=view.current, view=view, ephemeral=True)


async def ask_to_confirm(
    interaction: discord.Interaction,
    question: str,
    *,
    confirm_label: str,
    on_confirm: Callable[[discord.Interaction], Awaitable[str]],
) -> None:
    """Answer privately with a question and Confirm / Keep buttons."""
    view = ConfirmView(
        interaction.user.id,
        interaction.locale,
        confirm_label=confirm_label,
        on_confirm=on_confirm,
    )
    view.origin = interaction
    await interaction.response.send_message(question, view=view, ephemeral=True)


def fit_embed(embed: discord.Embed) -> discord.Embed:
    """Keep an embed within Discord's 6000-character total, marking every cut.

    The longest field values are shortened first, then the description; fields are dropped
    only if that is still not enough.
    """
    while len(embed) > EMBED_TOTAL_MAX and embed.fields:
        index = max(range(len(embed.fields)), key=lambda i: len(embed.fields[i].value or ""))
        field = embed.fields[index]
        value = field.value or ""
        if len(value) <= FIELD_FLOOR:
            break
        excess = len(embed) - EMBED_TOTAL_MAX
        embed.set_field_at(
            index,
            name=field.name or "",
            value=clip(value, max(FIELD_FLOOR, len(value) - excess)),
            inline=field.inline if field.inline is not None else False,
        )
    excess = len(embed) - EMBED_TOTAL_MAX
    if excess > 0 and embed.description:
        embed.description = clip(embed.description, max(len(embed.description) - excess, 1))
    while len(embed) > EMBED_TOTAL_MAX and embed.fields:
        embed.remove_field(len(embed.fields) - 1)
    return embed


BUTTON_LABEL_MAX = 80


class PersistentButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=r"(?!)"
):
    """A button that still works after a restart; its custom id is `PREFIX:<id>`.

    A subclass gives its `template` (with a group named `id`), `PREFIX`, `STYLE` and
    `LABEL_KEY`, registers itself with `bot.add_dynamic_items`, and implements `act`.
    Whatever `act` raises is answered privately, like a command error.
    """

    PREFIX: ClassVar[str] = ""
    STYLE: ClassVar[discord.ButtonStyle] = discord.ButtonStyle.secondary
    LABEL_KEY: ClassVar[str] = ""

    def __init__(self, target_id: int, label: str | None = None) -> None:
        super().__init__(
            discord.ui.Button(
                label=clip(label or tr(self.LABEL_KEY), BUTTON_LABEL_MAX),
                style=self.STYLE,
                custom_id=f"{self.PREFIX}:{target_id}",
            )
        )
        self.target_id = target_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Self:
        """Rebuild the button from its custom id."""
        return cls(int(match["id"]), getattr(item, "label", None))

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        """Drop a click whose answer could no longer arrive in time."""
        return not drop_if_too_late(interaction)

    async def callback(self, interaction: discord.Interaction) -> None:
        """Run the button's action, answering any failure privately."""
        try:
            await self.act(interaction)
        except Exception as error:
            await report_error(interaction, error)

    async def act(self, interaction: discord.Interaction) -> None:
        """Do what the button is for."""
        raise NotImplementedError
