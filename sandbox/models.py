"""In-memory records of the sandbox world: users, guilds, channels, messages, interactions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

Json = dict[str, Any]

TEXT_CHANNEL = 0
DM_CHANNEL = 1
CATEGORY_CHANNEL = 4
PUBLIC_THREAD = 11
PRIVATE_THREAD = 12

EPHEMERAL = 1 << 6
LOADING = 1 << 7


@dataclass
class User:
    """A Discord user (a persona, the bot, or any added user)."""

    id: int
    username: str
    global_name: str | None = None
    locale: str = "en-US"
    bot: bool = False
    dms_open: bool = True


@dataclass
class Role:
    """A guild role; the @everyone role has the guild's id."""

    id: int
    name: str
    permissions: int
    position: int = 0
    color: int = 0
    hoist: bool = False
    mentionable: bool = False
    managed: bool = False
    bot_id: int | None = None


@dataclass
class Member:
    """A user's membership of a guild."""

    user_id: int
    guild_id: int
    roles: list[int]
    joined_at: datetime
    nick: str | None = None


@dataclass
class Channel:
    """A guild text channel, a thread, or a DM channel."""

    id: int
    type: int
    name: str | None = None
    guild_id: int | None = None
    position: int = 0
    topic: str | None = None
    parent_id: int | None = None
    recipient_id: int | None = None
    owner_id: int | None = None
    thread_member_ids: list[int] = field(default_factory=list)
    overwrites: list[Json] = field(default_factory=list)
    """Permission overwrites in Discord's shape: ``{"id", "type" (0 role, 1 member), "allow",
    "deny"}`` with the bit sets as strings."""


@dataclass
class Guild:
    """A guild with its roles, channels and members."""

    id: int
    name: str
    owner_id: int
    locale: str = "en-US"
    roles: dict[int, Role] = field(default_factory=dict)
    channel_ids: list[int] = field(default_factory=list)
    members: dict[int, Member] = field(default_factory=dict)


@dataclass
class StoredAttachment:
    """A file uploaded with a message, served back by the sandbox."""

    id: int
    filename: str
    size: int
    data: bytes
    url: str
    content_type: str | None = None
    description: str | None = None


@dataclass
class StoredMessage:
    """A message as Discord stores it, plus who it actually pinged."""

    id: int
    channel_id: int
    author_id: int
    content: str
    timestamp: datetime
    guild_id: int | None = None
    embeds: list[Json] = field(default_factory=list)
    components: list[Json] = field(default_factory=list)
    attachments: list[StoredAttachment] = field(default_factory=list)
    flags: int = 0
    type: int = 0
    tts: bool = False
    nonce: str | int | None = None
    edited_timestamp: datetime | None = None
    webhook_id: int | None = None
    application_id: int | None = None
    interaction_id: int | None = None
    interaction_metadata: Json | None = None
    message_reference: Json | None = None
    pinged_user_ids: list[int] = field(default_factory=list)
    pinged_role_ids: list[int] = field(default_factory=list)
    mention_everyone: bool = False
    pinned: bool = False
    deleted: bool = False
    visible_to: int | None = None
    edits: int = 0

    @property
    def ephemeral(self) -> bool:
        """Whether only one user can see this message."""
        return bool(self.flags & EPHEMERAL)


@dataclass
class InteractionRecord:
    """One interaction the sandbox sent to the bot, and how the bot answered it."""

    id: int
    token: str
    type: int
    user_id: int
    channel_id: int
    guild_id: int | None
    created_at: datetime
    label: str
    payload: Json
    source_message_id: int | None = None
    callback_type: int | None = None
    original_id: int | None = None
    followup_ids: list[int] = field(default_factory=list)
    loading: bool = False
    ephemeral: bool = False
    choices: list[Json] | None = None
    modal: Json | None = None
    settled: bool = False
    original_edited: bool = False
    refusal: str | None = None
