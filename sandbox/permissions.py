"""Permission bits the sandbox uses and how a member's permissions add up."""

from __future__ import annotations

CREATE_INSTANT_INVITE = 1 << 0
KICK_MEMBERS = 1 << 1
BAN_MEMBERS = 1 << 2
ADMINISTRATOR = 1 << 3
MANAGE_CHANNELS = 1 << 4
MANAGE_GUILD = 1 << 5
ADD_REACTIONS = 1 << 6
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
MENTION_EVERYONE = 1 << 17
USE_EXTERNAL_EMOJIS = 1 << 18
MANAGE_ROLES = 1 << 28
USE_APPLICATION_COMMANDS = 1 << 31
MANAGE_THREADS = 1 << 34
CREATE_PUBLIC_THREADS = 1 << 35
CREATE_PRIVATE_THREADS = 1 << 36
SEND_MESSAGES_IN_THREADS = 1 << 38
MODERATE_MEMBERS = 1 << 40

ALL = (1 << 51) - 1

EVERYONE_DEFAULT = (
    CREATE_INSTANT_INVITE
    | ADD_REACTIONS
    | VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | USE_EXTERNAL_EMOJIS
    | USE_APPLICATION_COMMANDS
    | CREATE_PUBLIC_THREADS
    | CREATE_PRIVATE_THREADS
    | SEND_MESSAGES_IN_THREADS
)

MODERATOR = MANAGE_GUILD | MANAGE_MESSAGES | MANAGE_THREADS | KICK_MEMBERS | MODERATE_MEMBERS
MENTOR = MANAGE_THREADS
BOT_ROLE = EVERYONE_DEFAULT | MANAGE_THREADS | MANAGE_MESSAGES

# Permissions a DM interaction reports for the user and the app.
DM_PERMISSIONS = (
    VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | ADD_REACTIONS
    | USE_EXTERNAL_EMOJIS
    | USE_APPLICATION_COMMANDS
)


NEEDS_SEND = EMBED_LINKS | ATTACH_FILES | MENTION_EVERYONE | SEND_MESSAGES_IN_THREADS
"""Bits Discord implicitly denies when Send Messages is denied."""


def apply_overwrites(
    base: int,
    overwrites: list[dict[str, object]],
    everyone_id: int,
    role_ids: list[int],
    user_id: int,
) -> int:
    """Return channel permissions from guild permissions, as Discord computes them.

    Order: @everyone's overwrite, then all the member's roles together (deny, then allow), then
    the member's own overwrite. Administrator overrides everything; without View Channel
    nothing is left; without Send Messages, embeds, files, mentions and thread sends go too.
    """
    if base & ADMINISTRATOR:
        return ALL

    def bits(entry: dict[str, object], key: str) -> int:
        return int(str(entry.get(key) or 0))

    by_id = {int(str(o["id"])): o for o in overwrites}
    perms = base
    everyone = by_id.get(everyone_id)
    if everyone is not None:
        perms = (perms & ~bits(everyone, "deny")) | bits(everyone, "allow")
    allow = deny = 0
    for role_id in role_ids:
        entry = by_id.get(role_id)
        if entry is not None and int(str(entry.get("type") or 0)) == 0:
            allow |= bits(entry, "allow")
            deny |= bits(entry, "deny")
    perms = (perms & ~deny) | allow
    own = by_id.get(user_id)
    if own is not None and int(str(own.get("type") or 0)) == 1:
        perms = (perms & ~bits(own, "deny")) | bits(own, "allow")
    if not perms & VIEW_CHANNEL:
        return 0
    if not perms & SEND_MESSAGES:
        perms &= ~NEEDS_SEND
    return perms


NAMES = {
    VIEW_CHANNEL: "View Channel",
    SEND_MESSAGES: "Send Messages",
    EMBED_LINKS: "Embed Links",
    ATTACH_FILES: "Attach Files",
    READ_MESSAGE_HISTORY: "Read Message History",
    MANAGE_MESSAGES: "Manage Messages",
    CREATE_PUBLIC_THREADS: "Create Public Threads",
    CREATE_PRIVATE_THREADS: "Create Private Threads",
    SEND_MESSAGES_IN_THREADS: "Send Messages in Threads",
    MANAGE_THREADS: "Manage Threads",
}


def combine(role_permissions: list[int], *, owner: bool = False) -> int:
    """Return the guild-level permissions of a member with these roles."""
    if owner:
        return ALL
    total = 0
    for value in role_permissions:
        total |= value
    return ALL if total & ADMINISTRATOR else total
