"""A server's own feedback templates and prep checklists: checked, stored, offered.

Moderators write one entry as TOML in the schema of `data/` (one `[id]` table of
`feedback_templates.toml`, or one `[kind]` table of `checklists.toml`). The text is checked by
`bot.content` with the same rules as the built-ins and stored as written, so `edit` shows it
again. A server template sits beside the built-ins in `/feedback`; a server checklist replaces
the built-in one of its session kind in `/prep`. Built-ins are never deleted, only hidden.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from bot import content as built_in
from bot.content import Checklist, ContentError, FeedbackTemplate
from bot.db import Database, Reader
from bot.refusal import Refusal, Worded
from bot.storage import server_content as store
from bot.storage.server_content import ServerEntry
from bot.textfit import clip

log = logging.getLogger(__name__)

TEMPLATE: Final = "template"
CHECKLIST: Final = "checklist"
CONTENT_KINDS: Final = store.CONTENT_KINDS
SOURCE_MAX: Final = store.SOURCE_MAX
TEMPLATES_MAX: Final = 20
"""A server's own templates at most: with the built-ins they fit `/feedback`'s 25 choices."""
ERROR_MAX: Final = 1500
PART_MAX: Final = 300
"""A quoted part of a fault (a value, a list of keys) is clipped to this."""


@dataclass(frozen=True)
class Saved:
    """What a create or an edit stored."""

    kind: str
    key: str
    title: str


@dataclass(frozen=True)
class BuiltIn:
    """A built-in template or checklist, and whether this server hides it."""

    key: str
    title: str
    hidden: bool


@dataclass(frozen=True)
class Listing:
    """The built-ins of one kind, with the hidden ones marked, and the server's own."""

    kind: str
    built_ins: list[BuiltIn]
    own: list[ServerEntry]


def command_of(kind: str) -> str:
    """Return the command group that manages this kind of entry (`/template`, `/checklist`)."""
    return f"/{kind}"


def built_in_titles(kind: str, language: str | None = None) -> dict[str, str]:
    """Return the built-in entries of a kind: id (or session kind) -> title in `language`."""
    everything = built_in.content(language)
    entries: Mapping[str, FeedbackTemplate | Checklist] = (
        everything.templates if kind == TEMPLATE else everything.checklists
    )
    return {key: entry.title for key, entry in entries.items()}


# -- checking the TOML ------------------------------------------------------------------------


def parse(kind: str, text: str) -> FeedbackTemplate | Checklist:
    """Check one entry's TOML; refuse it quoting the schema error that names the bad field."""
    if kind not in CONTENT_KINDS:
        raise KeyError(kind)
    if not text.strip():
        raise Refusal("server_content.empty")
    if len(text) > SOURCE_MAX:
        raise Refusal("server_content.too_long", length=len(text), limit=SOURCE_MAX)
    try:
        if kind == TEMPLATE:
            return built_in.parse_template(text)
        return built_in.parse_checklist(text)
    except ContentError as error:
        raise Refusal("server_content.invalid", error=_shown(error.worded())) from None


def _shown(text: Worded) -> Worded:
    """Keep a schema fault fit to quote in a code block: no backquotes, no runaway length."""

    def safe(value: object) -> object:
        if isinstance(value, Worded):
            return _shown(value)
        if isinstance(value, str):
            return clip(value.replace("`", "'"), PART_MAX)
        return value

    values = {name: safe(value) for name, value in text.values.items()}
    return Worded(text.key, clip(text.english.replace("`", "'"), ERROR_MAX), values)


def _key_of(parsed: FeedbackTemplate | Checklist) -> str:
    return parsed.id if isinstance(parsed, FeedbackTemplate) else parsed.kind


def _checked(kind: str, text: str) -> tuple[str, str, str]:
    """Return (key, title, text to store) of a valid entry, or refuse it."""
    text = text.strip()
    parsed = parse(kind, text)
    key = _key_of(parsed)
    if kind == TEMPLATE and key in built_in_titles(TEMPLATE):
        raise Refusal("server_content.built_in_id", name=key, command=command_of(kind))
    return key, parsed.title, text


# -- moderators' changes ----------------------------------------------------------------------


async def create(
    db: Database, guild_id: int, kind: str, text: str, actor_id: int, now: datetime
) -> Saved:
    """Store a new template or checklist for a server; refuse an invalid or taken one."""
    key, title, source = _checked(kind, text)
    async with db.transaction() as tx:
        if kind == TEMPLATE and len(await store.entries_of(tx, guild_id, kind)) >= TEMPLATES_MAX:
            raise Refusal("server_content.too_many", limit=TEMPLATES_MAX)
        if not await store.insert_entry(tx, guild_id, kind, key, title, source, actor_id, now):
            raise Refusal("server_content.exists", name=key, command=command_of(kind))
    log.info("User %s added %s %r in guild %s", actor_id, kind, key, guild_id)
    return Saved(kind, key, title)


async def edit(
    db: Database,
    guild_id: int,
    kind: str,
    key: str,
    text: str,
    actor_id: int,
    now: datetime,
) -> Saved:
    """Replace the text of a server's own entry; its id (or session kind) stays the same."""
    new_key, title, source = _checked(kind, text)
    if new_key != key:
        raise Refusal("server_content.key_changed", old=key, new=new_key)
    async with db.transaction() as tx:
        if not await store.update_entry(tx, guild_id, kind, key, title, source, actor_id, now):
            raise Refusal("server_content.unknown", name=key, command=command_of(kind))
    log.info("User %s edited %s %r in guild %s", actor_id, kind, key, guild_id)
    return Saved(kind, key, title)


async def entry_of(db: Reader, guild_id: int, kind: str, key: str) -> ServerEntry:
    """Return a server's own entry, or refuse: built-ins are hidden, not edited or deleted."""
    entry = await store.get_entry(db, guild_id, kind, key)
    if entry is not None:
        return entry
    if key in built_in_titles(kind):
        raise Refusal("server_content.built_in_fixed", name=key, command=command_of(kind))
    raise Refusal("server_content.unknown", name=key[:32], command=command_of(kind))


async def delete(db: Database, guild_id: int, kind: str, key: str) -> ServerEntry:
    """Delete a server's own entry and return it; refuse a built-in or an unknown one."""
    async with db.transaction() as tx:
        entry = await entry_of(tx, guild_id, kind, key)
        await store.delete_entry(tx, guild_id, kind, key)
    log.info("Deleted %s %r in guild %s", kind, key, guild_id)
    return entry


async def set_hidden(
    db: Database,
    guild_id: int,
    kind: str,
    key: str,
    hidden: bool,
    actor_id: int,
    now: datetime,
) -> tuple[str, bool]:
    """Hide or show a built-in for a server; return its title and whether anything changed."""
    titles = built_in_titles(kind)
    if key not in titles:
        raise Refusal("server_content.not_built_in", name=key[:32], command=command_of(kind))
    async with db.transaction() as tx:
        changed = await store.set_hidden(tx, guild_id, kind, key, hidden, actor_id, now)
    return titles[key], changed


async def listing(db: Reader, guild_id: int, kind: str, language: str | None = None) -> Listing:
    """Return the built-ins of a kind (hidden ones marked) and the server's own."""
    hidden = await store.hidden_keys(db, guild_id, kind)
    return Listing(
        kind=kind,
        built_ins=[
            BuiltIn(key, title, key in hidden)
            for key, title in built_in_titles(kind, language).items()
        ],
        own=await store.entries_of(db, guild_id, kind),
    )


# -- what mentors get -------------------------------------------------------------------------


async def template_of(
    db: Reader,
    guild_id: int,
    template_id: str,
    *,
    with_hidden: bool = False,
    language: str | None = None,
) -> FeedbackTemplate | None:
    """Return the server's template with this id, else the built-in one unless it is hidden.

    A built-in reads in `language` (English when there is no such content); a server's own
    template reads as its moderators wrote it.
    """
    entry = await store.get_entry(db, guild_id, TEMPLATE, template_id)
    if entry is not None:
        try:
            return built_in.parse_template(entry.source, language)
        except ContentError:
            log.warning("Stored template %r of guild %s no longer reads", template_id, guild_id)
            return None
    found = built_in.content(language).templates.get(template_id)
    if found is None:
        return None
    if not with_hidden and await store.is_hidden(db, guild_id, TEMPLATE, template_id):
        return None
    return found


async def offered_templates(
    db: Reader, guild_id: int, language: str | None = None
) -> list[tuple[str, str]]:
    """Return the templates `/feedback` offers in a server as (id, title): built-ins first."""
    hidden = await store.hidden_keys(db, guild_id, TEMPLATE)
    offered = [
        (key, title)
        for key, title in built_in_titles(TEMPLATE, language).items()
        if key not in hidden
    ]
    for entry in await store.entries_of(db, guild_id, TEMPLATE):
        title = entry.title
        if language is not None:
            try:
                title = built_in.parse_template(entry.source, language).title
            except ContentError:
                log.warning("Stored template %r of guild %s no longer reads", entry.key, guild_id)
        offered.append((entry.key, title))
    return offered


async def checklist_of(
    db: Reader, guild_id: int, kind: str, language: str | None = None
) -> Checklist | None:
    """Return the checklist `/prep` shows for a session kind: the server's, else the built-in.

    None when the server hides the built-in one and wrote none of its own.
    """
    entry = await store.get_entry(db, guild_id, CHECKLIST, kind)
    if entry is not None:
        try:
            return built_in.parse_checklist(entry.source, built_in.content(language).jobs, language)
        except ContentError:
            log.warning("Stored checklist %r of guild %s no longer reads", kind, guild_id)
    if await store.is_hidden(db, guild_id, CHECKLIST, kind):
        return None
    return built_in.content(language).checklist(kind)
