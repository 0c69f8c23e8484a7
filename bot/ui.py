"""Views shared by several features: owner-only views, confirmations, pages, restart-safe forms."""

from __future__ import annotations

import asyncio
import io
import logging
import re
import secrets
import weakref
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, ClassVar, Self, TypeVar, overload

import discord

from bot.deadlines import drop_if_too_late
from bot.errors import (
    BaseModal,
    BaseView,
    has_lone_surrogate,
    report_error,
    watch_answer_deadline,
)
from bot.refusal import Refusal
from bot.storage.privacy import ERASED_PERSON
from bot.textfit import clip
from bot.texts import Locale, tr

log = logging.getLogger(__name__)

EMBED_TOTAL_MAX = 6000
FIELD_FLOOR = 16
DEFAULT_TIMEOUT = 600.0
"""Seconds a view stays live; below the 15 minutes an interaction token lives."""


LIVE_PREFIX = "live:"
_live_ids: weakref.WeakValueDictionary[str, OwnerView] = weakref.WeakValueDictionary()
"""The controls of the owner views alive in this process, by custom id (they start `live:`)."""


class OwnerView(BaseView):
    """A view only its owner may use; its buttons are disabled when it times out.

    It lives in memory only: its controls' custom ids start with `live:`, so that a click on
    one after a restart (or after it timed out) is answered by `answer_expired_control`.
    """

    def __init__(self, owner_id: int, *, timeout: float | None = DEFAULT_TIMEOUT) -> None:
        super().__init__(timeout=timeout)
        self.owner_id = owner_id
        self.origin: discord.Interaction | None = None
        for item in self.children:
            self._mark_live(item)

    def _mark_live(self, item: discord.ui.Item[Any]) -> None:
        custom_id = getattr(item, "custom_id", None)
        if isinstance(custom_id, str) and isinstance(item, discord.ui.Button | discord.ui.Select):
            if not custom_id.startswith(LIVE_PREFIX):
                custom_id = clip(f"{LIVE_PREFIX}{secrets.token_hex(6)}:{custom_id}", 100)
                item.custom_id = custom_id
            _live_ids[custom_id] = self

    def add_item(self, item: discord.ui.Item[Any]) -> Self:
        """Add a control, marked as living in this process only."""
        self._mark_live(item)
        return super().add_item(item)

    def _forget_live(self) -> None:
        for item in self.children:
            _live_ids.pop(str(getattr(item, "custom_id", "")), None)

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
        self._forget_live()
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


async def answer(
    interaction: discord.Interaction,
    content: str | None = None,
    *,
    embed: discord.Embed | None = None,
    view: discord.ui.View | None = None,
    file: discord.File | None = None,
) -> None:
    """Answer privately, whether or not the interaction was already acknowledged."""
    extra: dict[str, Any] = {}
    if embed is not None:
        extra["embed"] = embed
    if view is not None:
        extra["view"] = view
    if file is not None:
        extra["file"] = file
    if interaction.response.is_done():
        await interaction.followup.send(content or "", ephemeral=True, **extra)
    else:
        await interaction.response.send_message(content, ephemeral=True, **extra)


async def send_pages(interaction: discord.Interaction, pages: Sequence[discord.Embed]) -> None:
    """Answer privately with the first page, and page buttons when there are more."""
    if len(pages) <= 1:
        await interaction.response.send_message(embed=pages[0], ephemeral=True)
        return
    view = PagesView(interaction.user.id, interaction.locale, pages)
    view.origin = interaction
    await interaction.response.send_message(embed=view.current, view=view, ephemeral=True)


Confirmed = Callable[[discord.Interaction, tuple[str, ...]], Awaitable[str]]
"""Do a confirmed action from the words its button carries; return the outcome to show."""

CONFIRMATIONS: dict[str, Confirmed] = {}
"""Every restart-safe confirmation by name: what its Confirm button does, in any process."""


def confirmation(name: str) -> Callable[[Confirmed], Confirmed]:
    """Register what a restart-safe Confirm button named `name` does."""

    def register(action: Confirmed) -> Confirmed:
        CONFIRMATIONS[name] = action
        return action

    return register


ItemT = TypeVar("ItemT", bound="discord.ui.Item[Any]")


class RestartSafeItem(discord.ui.DynamicItem[ItemT], template=r"(?!)"):
    """A component that still works after a restart: its custom id carries what it acts on.

    A click or pick that could no longer be answered in time is dropped; the action's database
    writes are bounded by the answer deadline; whatever `act` raises is answered privately,
    like a command error. A subclass gives its `template`, rebuilds itself in
    `from_custom_id`, registers with `bot.add_dynamic_items` and implements `act`.
    """

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        """Drop an interaction whose answer could no longer arrive in time."""
        return not drop_if_too_late(interaction)

    async def callback(self, interaction: discord.Interaction) -> None:
        """Run the item's action, answering any failure privately."""
        watch_answer_deadline(interaction)
        try:
            await self.act(interaction)
        except Exception as error:  # a dynamic item's errors are otherwise only logged
            await report_error(interaction, error)

    async def act(self, interaction: discord.Interaction) -> None:
        """Do what the item is for."""
        raise NotImplementedError


_CONFIRM_ID = (
    r"ok:(?P<owner>[0-9]{1,20}):(?P<action>[a-z_.]{1,40})(?P<parts>(?::[A-Za-z0-9_]{1,40})*)"
)


class ConfirmChoice(RestartSafeItem[discord.ui.Button[discord.ui.View]], template=_CONFIRM_ID):
    """Confirm or keep (`ok:<owner>:<action>[:<word>...]`, `ok:<owner>:keep`); survives restarts."""

    def __init__(
        self, owner_id: int, action: str, parts: Sequence[str] = (), label: str = "ok"
    ) -> None:
        keep = action == "keep"
        super().__init__(
            discord.ui.Button(
                label=clip(label, BUTTON_LABEL_MAX),
                style=discord.ButtonStyle.secondary if keep else discord.ButtonStyle.danger,
                custom_id=":".join(["ok", str(owner_id), action, *parts]),
            )
        )
        self.owner_id = owner_id
        self.action = action
        self.parts = tuple(parts)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Self:
        """Rebuild the button from its custom id."""
        parts = tuple(part for part in match["parts"].split(":") if part)
        return cls(int(match["owner"]), match["action"], parts, getattr(item, "label", None) or "")

    async def act(self, interaction: discord.Interaction) -> None:
        """Check the clicker asked; acknowledge; then do the action and show its outcome."""
        if interaction.user.id != self.owner_id:
            await interaction.response.send_message(
                tr("common.not_yours", interaction.locale), ephemeral=True
            )
            return
        await interaction.response.defer()
        if self.action == "keep":
            text = tr("common.nothing_changed", interaction.locale)
        else:
            text = await CONFIRMATIONS[self.action](interaction, self.parts)
        await interaction.edit_original_response(content=text, embed=None, view=None)


async def ask_to_confirm(
    interaction: discord.Interaction,
    question: str,
    *,
    confirm_label: str,
    on_confirm: Callable[[discord.Interaction], Awaitable[str]] | None = None,
    action: str | None = None,
    parts: Sequence[int | str] = (),
) -> None:
    """Answer privately with a question and Confirm / Keep buttons.

    With `action` (a registered `confirmation`), the buttons work after a restart too; with
    `on_confirm`, only in this process.
    """
    if action is not None:
        assert action in CONFIRMATIONS, action
        owner = interaction.user.id
        buttons = discord.ui.View(timeout=None)
        words = [str(part) for part in parts]
        buttons.add_item(ConfirmChoice(owner, action, words, confirm_label))
        buttons.add_item(ConfirmChoice(owner, "keep", (), tr("common.keep", interaction.locale)))
        await interaction.response.send_message(question, view=buttons, ephemeral=True)
        return
    assert on_confirm is not None
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

# -- Components V2 messages --------------------------------------------------------------------

V2_COMPONENTS_MAX = 40
"""Components in a Components V2 message, nested ones included."""
V2_TEXT_MAX = 4000
"""Characters of text in a Components V2 message, all its text displays together."""
V2_ADDED_COMPONENTS = 2
V2_ADDED_TEXT = 100
"""Room a reminder's layout leaves for what the dispatcher adds: its reference line, and the
recipient's mention when it is posted in a channel."""


def fit_layout(layout: discord.ui.LayoutView, limit: int = V2_TEXT_MAX) -> discord.ui.LayoutView:
    """Keep a layout's text within `limit` characters, shortening the longest text first."""
    texts = [item for item in layout.walk_children() if isinstance(item, discord.ui.TextDisplay)]
    while texts and (excess := layout.content_length() - limit) > 0:
        longest = max(texts, key=lambda text: len(text.content))
        if len(longest.content) <= FIELD_FLOOR:
            break
        longest.content = clip(longest.content, max(FIELD_FLOOR, len(longest.content) - excess))
    return layout


_Parent = discord.ui.LayoutView | discord.ui.Container[Any]
"""What holds the rows of a Components V2 layout."""


def without_rows(message: discord.Message, text: str) -> discord.ui.LayoutView:
    """Return a Components V2 message as it shows once acted on: `text` where its buttons were.

    Its rows of buttons go and `text` takes the place of the last one, so what followed them
    still does (a reminder's reference stays its last line). Accessories beside a section stay
    (a section needs one). The layout is never dispatched from memory: its buttons are dynamic
    items, routed by custom id.
    """
    layout = discord.ui.LayoutView.from_message(message, timeout=None)
    rows: list[tuple[_Parent, discord.ui.Item[Any]]] = [
        (parent, child)
        for parent in [layout, *layout.walk_children()]
        if isinstance(parent, discord.ui.LayoutView | discord.ui.Container)
        for child in parent.children
        if isinstance(child, discord.ui.ActionRow)
    ]
    shown = discord.ui.TextDisplay[discord.ui.LayoutView](text)
    if rows:
        _replace(*rows.pop(), shown)
    else:
        layout.add_item(shown)
    for parent, row in rows:
        parent.remove_item(row)
    layout.stop()
    return layout


def _replace(parent: _Parent, old: discord.ui.Item[Any], new: discord.ui.Item[Any]) -> None:
    """Put `new` in `old`'s place among `parent`'s items (discord.py only appends)."""
    items = parent.children
    for item in items:
        parent.remove_item(item)
    for item in items:
        parent.add_item(new if item is old else item)


class PersistentButton(RestartSafeItem[discord.ui.Button[discord.ui.View]], template=r"(?!)"):
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


# -- restart-safe forms ------------------------------------------------------------------------

CUSTOM_ID_MAX = 100
FORM_TITLE_MAX = 45
FORM_ACK_DEADLINE = 2.0
"""Seconds within which a submitted form is acknowledged (Discord allows 3)."""

_PART = re.compile(r"[A-Za-z0-9_]{1,40}")
FORMS: dict[str, type[PersistentModal]] = {}
"""Every restart-safe form by its custom-id prefix: the one table submits are routed by."""


class PersistentModal(BaseModal):
    """A form whose submission works in any process, before or after a restart.

    Its custom id is `PREFIX:<id>:<id>...`: everything needed to apply it. Discord.py never
    keeps it in memory (it is stopped before it is sent), so every submission, in the process
    that opened the form or a later one, goes through `route_form_submit`: it is acknowledged
    first (before any database or Discord work), then the subclass's `submitted` classmethod
    applies the typed values, keyed by each text input's custom id. A subclass gives `PREFIX`
    once and implements `submitted`; whatever that raises is answered privately.
    """

    PREFIX: ClassVar[str] = ""
    EDITS_MESSAGE: ClassVar[bool] = False
    """Acknowledge as an update of the message the form came from (when it came from one)."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.PREFIX:
            return
        taken = FORMS.get(cls.PREFIX)
        if taken is not None and taken.__qualname__ != cls.__qualname__:
            raise ValueError(f"form prefix {cls.PREFIX!r} is taken by {taken.__qualname__}")
        # A reloaded extension defines its forms again: the newest definition wins.
        FORMS[cls.PREFIX] = cls

    def __init__(self, title: str, *parts: int | str) -> None:
        custom_id = ":".join([self.PREFIX, *(str(part) for part in parts)])
        if not all(_PART.fullmatch(str(part)) for part in parts):
            raise ValueError(f"custom id parts of {self.PREFIX} must be plain words")
        if len(custom_id) > CUSTOM_ID_MAX:
            raise ValueError(f"custom id too long for {self.PREFIX}")
        super().__init__(title=clip(title, FORM_TITLE_MAX), timeout=None, custom_id=custom_id)
        self.stop()  # never dispatched from memory: one way through for every submission

    @classmethod
    async def submitted(
        cls, interaction: discord.Interaction, parts: tuple[str, ...], values: Mapping[str, str]
    ) -> None:
        """Apply the typed values; the interaction is already acknowledged.

        `parts` are the words the custom id carried after the prefix (ids, keys).
        """
        raise NotImplementedError


def read_form(custom_id: str) -> tuple[type[PersistentModal], tuple[str, ...]] | None:
    """Return the form a custom id names and the words it carries, or None if unknown."""
    if custom_id in FORMS:
        return FORMS[custom_id], ()
    for prefix in sorted(FORMS, key=len, reverse=True):
        rest = custom_id.removeprefix(f"{prefix}:")
        if rest == custom_id:
            continue
        parts = tuple(rest.split(":")) if rest else ()
        if all(_PART.fullmatch(part) for part in parts):
            return FORMS[prefix], parts
    return None


def form_values(components: object) -> dict[str, str]:
    """Return each submitted text input's value by its custom id (in rows or labels)."""
    values: dict[str, str] = {}
    stack: list[object] = [components]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            if isinstance(node.get("value"), str) and isinstance(node.get("custom_id"), str):
                values[node["custom_id"]] = node["value"]
            stack.extend(node[key] for key in ("components", "component") if key in node)
    return values


async def route_form_submit(interaction: discord.Interaction) -> bool:
    """Apply a submitted restart-safe form; return False if it is not one of ours."""
    if interaction.type is not discord.InteractionType.modal_submit:
        return False
    data: Mapping[str, Any] = interaction.data or {}
    found = read_form(str(data.get("custom_id", "")))
    if found is None:
        return False
    if drop_if_too_late(interaction):  # Discord keeps the form open: the person sends it again
        return True
    form, parts = found
    try:
        async with asyncio.timeout(FORM_ACK_DEADLINE):
            if form.EDITS_MESSAGE and interaction.message is not None:
                await interaction.response.defer()
            else:
                await interaction.response.defer(ephemeral=True, thinking=True)
    except (TimeoutError, discord.HTTPException):
        log.warning("Could not acknowledge form %s in time", form.PREFIX)
    values = form_values(data.get("components", []))
    try:
        if has_lone_surrogate(values):
            raise Refusal("errors.bad_text")
        await form.submitted(interaction, parts, values)
    except Exception as error:
        await report_error(interaction, error)
        await hand_back(interaction, values)
    return True


async def hand_back(interaction: discord.Interaction, values: Mapping[str, str]) -> None:
    """Give the user what they typed in a form that was not applied, as a text file."""
    typed = "\n\n".join(value for value in values.values() if value.strip())
    if not typed:
        return
    data = typed.encode("utf-8", "surrogatepass").decode("utf-8", "replace").encode("utf-8")
    try:
        await answer(
            interaction,
            tr("common.typed_attached", interaction.locale),
            file=discord.File(io.BytesIO(data), filename="typed.txt"),
        )
    except discord.HTTPException:
        log.warning("Could not hand back a form's text to user %s", interaction.user.id)


def forget_live_controls() -> None:
    """Start afresh: a bot that starts owns none of the views shown before it (call at start)."""
    _live_ids.clear()


async def answer_expired_control(interaction: discord.Interaction) -> bool:
    """Answer a click on an owner view that no longer lives (a restart, a timeout)."""
    if interaction.type is not discord.InteractionType.component:
        return False
    data: Mapping[str, Any] = interaction.data or {}
    custom_id = str(data.get("custom_id", ""))
    if not custom_id.startswith(LIVE_PREFIX) or custom_id in _live_ids:
        return False
    try:
        await interaction.response.send_message(
            tr("common.expired", interaction.locale), ephemeral=True
        )
    except discord.HTTPException:
        log.warning("Could not answer an expired control for user %s", interaction.user.id)
    return True


def mentor_mention(mentor_id: int, locale: Locale) -> str:
    """Mention a mentor, or say "a former mentor" for one whose data was erased."""
    if mentor_id == ERASED_PERSON:
        return tr("common.former_mentor", locale)
    return f"<@{mentor_id}>"
