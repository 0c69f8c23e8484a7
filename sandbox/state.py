"""The sandbox's in-memory Discord: who exists, what was said, and change notification."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable
from datetime import datetime

from sandbox import permissions
from sandbox.clock import Clock
from sandbox.models import (
    DM_CHANNEL,
    TEXT_CHANNEL,
    Channel,
    Guild,
    InteractionRecord,
    Json,
    Member,
    Role,
    StoredAttachment,
    StoredMessage,
    User,
)
from sandbox.snowflakes import SnowflakeFactory

RECHECK = 0.02


class SandboxState:
    """Everything the emulated Discord knows, plus a way to wait for changes."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.ids = SnowflakeFactory(clock)
        self.users: dict[int, User] = {}
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}
        self.messages: dict[int, StoredMessage] = {}
        self.channel_messages: dict[int, list[int]] = {}
        self.dm_channels: dict[int, int] = {}
        self.attachments: dict[int, StoredAttachment] = {}
        self.commands: dict[int | None, list[Json]] = {}
        self.command_ids: dict[tuple[int | None, int, str], int] = {}
        self.interactions: dict[int, InteractionRecord] = {}
        self.interactions_by_token: dict[str, InteractionRecord] = {}
        self.nonces: dict[tuple[int, str], tuple[int, datetime]] = {}
        self.bot_user = User(id=self.ids.next(), username="Mentor Coach", bot=True)
        self.bot_user.global_name = None
        self.users[self.bot_user.id] = self.bot_user
        self.application_id = self.bot_user.id
        self.token = f"sandbox.{secrets.token_urlsafe(24)}"
        self._waiters: list[asyncio.Future[None]] = []
        self.version = 0
        self.listeners: list[Callable[[], None]] = []
        """Called after every change (the playground pushes live updates and saves from here)."""

    # -- change notification -------------------------------------------------

    def notify(self) -> None:
        """Record that something changed and wake every waiter."""
        self.version += 1
        self.wake()
        for listener in self.listeners:
            listener()

    def wake(self) -> None:
        """Wake every waiter without recording a change (an answer was delivered)."""
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def wait_for(self, predicate: Callable[[], object], timeout: float) -> None:  # noqa: ASYNC109
        """Wait until ``predicate()`` is truthy; raise TimeoutError after ``timeout`` s.

        The predicate is re-checked on every sandbox change, and every ``RECHECK`` seconds for
        conditions that depend on the bot's own state (which the sandbox cannot observe).
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError
            waiter: asyncio.Future[None] = loop.create_future()
            self._waiters.append(waiter)
            await asyncio.wait([waiter], timeout=min(remaining, RECHECK))
            if not waiter.done():
                waiter.cancel()
                self._waiters = [w for w in self._waiters if not w.done()]

    # -- creation ------------------------------------------------------------

    def add_user(
        self,
        username: str,
        *,
        global_name: str | None = None,
        locale: str = "en-US",
        bot: bool = False,
    ) -> User:
        """Create a user."""
        user = User(
            id=self.ids.next(),
            username=username,
            global_name=global_name,
            locale=locale,
            bot=bot,
        )
        self.users[user.id] = user
        self.notify()
        return user

    def add_guild(self, name: str, owner: User, *, locale: str = "en-US") -> Guild:
        """Create a guild with an @everyone role and the bot as a member."""
        guild_id = self.ids.next()
        guild = Guild(id=guild_id, name=name, owner_id=owner.id, locale=locale)
        guild.roles[guild_id] = Role(
            id=guild_id, name="@everyone", permissions=permissions.EVERYONE_DEFAULT
        )
        self.guilds[guild_id] = guild
        bot_role = self.add_role(guild, "Mentor Coach", permissions.BOT_ROLE)
        bot_role.managed = True
        bot_role.bot_id = self.bot_user.id
        self.add_member(guild, owner)
        self.add_member(guild, self.bot_user, roles=[bot_role])
        return guild

    def add_role(self, guild: Guild, name: str, perms: int, *, mentionable: bool = False) -> Role:
        """Create a role in ``guild``."""
        role = Role(
            id=self.ids.next(),
            name=name,
            permissions=perms,
            position=len(guild.roles),
            mentionable=mentionable,
        )
        guild.roles[role.id] = role
        self.notify()
        return role

    def add_channel(
        self, guild: Guild, name: str, *, type: int = TEXT_CHANNEL, topic: str | None = None
    ) -> Channel:
        """Create a text channel in ``guild``."""
        channel = Channel(
            id=self.ids.next(),
            type=type,
            name=name,
            guild_id=guild.id,
            position=len(guild.channel_ids),
            topic=topic,
        )
        self.channels[channel.id] = channel
        self.channel_messages[channel.id] = []
        guild.channel_ids.append(channel.id)
        self.notify()
        return channel

    def add_member(
        self, guild: Guild, user: User, *, roles: list[Role] | None = None, nick: str | None = None
    ) -> Member:
        """Make ``user`` a member of ``guild``."""
        member = Member(
            user_id=user.id,
            guild_id=guild.id,
            roles=[role.id for role in roles or []],
            joined_at=self.clock.now(),
            nick=nick,
        )
        guild.members[user.id] = member
        self.notify()
        return member

    def dm_channel(self, user_id: int) -> Channel:
        """Return the DM channel between the bot and ``user_id``, creating it once."""
        channel_id = self.dm_channels.get(user_id)
        if channel_id is not None:
            return self.channels[channel_id]
        channel = Channel(id=self.ids.next(), type=DM_CHANNEL, recipient_id=user_id)
        self.channels[channel.id] = channel
        self.channel_messages[channel.id] = []
        self.dm_channels[user_id] = channel.id
        self.notify()
        return channel

    def store_message(self, message: StoredMessage) -> StoredMessage:
        """Keep ``message`` and list it in its channel."""
        self.messages[message.id] = message
        self.channel_messages.setdefault(message.channel_id, []).append(message.id)
        self.notify()
        return message

    # -- lookup --------------------------------------------------------------

    def find_user(self, name: str) -> User:
        """Return the user whose username or global name is ``name`` (any case)."""
        wanted = name.casefold()
        for user in self.users.values():
            if user.username.casefold() == wanted or (
                user.global_name is not None and user.global_name.casefold() == wanted
            ):
                return user
        raise KeyError(f"no user named {name!r}")

    def find_channel(self, name: str, guild_id: int | None = None) -> Channel:
        """Return the guild channel called ``name`` (with or without '#')."""
        wanted = name.lstrip("#")
        for channel in self.channels.values():
            if channel.name == wanted and (guild_id is None or channel.guild_id == guild_id):
                return channel
        raise KeyError(f"no channel named {name!r}")

    def find_role(self, name: str, guild_id: int) -> Role:
        """Return the role called ``name`` (with or without '@') in the guild."""
        wanted = name.lstrip("@").casefold()
        for role in self.guilds[guild_id].roles.values():
            if role.name.lstrip("@").casefold() == wanted:
                return role
        raise KeyError(f"no role named {name!r}")

    def default_guild(self) -> Guild:
        """Return the first guild created."""
        return next(iter(self.guilds.values()))

    def member_permissions(self, guild_id: int, user_id: int) -> int:
        """Return the guild-level permissions of a member."""
        guild = self.guilds[guild_id]
        member = guild.members.get(user_id)
        role_ids = [guild.id, *(member.roles if member else [])]
        values = [guild.roles[r].permissions for r in role_ids if r in guild.roles]
        return permissions.combine(values, owner=guild.owner_id == user_id)

    def shares_guild(self, user_id: int, other_id: int) -> bool:
        """Whether two users are members of at least one common guild."""
        return any(
            user_id in guild.members and other_id in guild.members for guild in self.guilds.values()
        )

    def channel_permissions(self, channel: Channel, user_id: int) -> int:
        """Return a member's permissions in a channel.

        In a guild channel, overwrites applied (threads use their parent's); a DM channel gives
        the DM permissions.
        """
        if channel.guild_id is None:
            return permissions.DM_PERMISSIONS
        guild = self.guilds[channel.guild_id]
        base = self.member_permissions(guild.id, user_id)
        source = channel
        if channel.parent_id is not None and channel.parent_id in self.channels:
            source = self.channels[channel.parent_id]
        member = guild.members.get(user_id)
        role_ids = list(member.roles) if member else []
        return permissions.apply_overwrites(base, source.overwrites, guild.id, role_ids, user_id)

    def set_overwrite(
        self, channel: Channel, target_id: int, *, is_member: bool, allow: int = 0, deny: int = 0
    ) -> None:
        """Set (or, with nothing allowed or denied, remove) one permission overwrite."""
        channel.overwrites = [o for o in channel.overwrites if int(o["id"]) != target_id]
        if allow or deny:
            channel.overwrites.append(
                {
                    "id": str(target_id),
                    "type": 1 if is_member else 0,
                    "allow": str(allow),
                    "deny": str(deny),
                }
            )
        self.notify()

    def visible_messages(self, channel_id: int) -> list[StoredMessage]:
        """Return the channel's messages everyone can see, oldest first."""
        return [
            m
            for m in (self.messages[i] for i in self.channel_messages.get(channel_id, []))
            if not m.deleted and m.visible_to is None
        ]
