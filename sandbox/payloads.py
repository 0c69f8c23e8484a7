"""Turn sandbox records into the JSON objects Discord sends."""

from __future__ import annotations

from datetime import datetime

from sandbox.models import (
    DM_CHANNEL,
    PRIVATE_THREAD,
    PUBLIC_THREAD,
    Channel,
    Guild,
    Json,
    Member,
    Role,
    StoredAttachment,
    StoredMessage,
    User,
)
from sandbox.state import SandboxState


def iso(when: datetime | None) -> str | None:
    """Format a datetime as Discord does (ISO 8601 with offset)."""
    return None if when is None else when.isoformat()


def user_payload(user: User) -> Json:
    """Build a user object."""
    return {
        "id": str(user.id),
        "username": user.username,
        "discriminator": "0" if not user.bot else "0000",
        "global_name": user.global_name,
        "avatar": None,
        "avatar_decoration_data": None,
        "banner": None,
        "accent_color": None,
        "bot": user.bot,
        "system": False,
        "public_flags": 0,
        "flags": 0,
    }


def client_user_payload(user: User) -> Json:
    """Build the bot's own user object (``/users/@me`` and READY)."""
    return {**user_payload(user), "verified": True, "mfa_enabled": False, "email": None}


def role_payload(role: Role) -> Json:
    """Build a role object."""
    payload: Json = {
        "id": str(role.id),
        "name": role.name,
        "color": role.color,
        "colors": {"primary_color": role.color, "secondary_color": None, "tertiary_color": None},
        "hoist": role.hoist,
        "icon": None,
        "unicode_emoji": None,
        "position": role.position,
        "permissions": str(role.permissions),
        "managed": role.managed,
        "mentionable": role.mentionable,
        "flags": 0,
    }
    if role.bot_id is not None:
        payload["tags"] = {"bot_id": str(role.bot_id)}
    return payload


def member_payload(
    state: SandboxState, member: Member, *, with_user: bool = True, permissions: int | None = None
) -> Json:
    """Build a guild member object, optionally with its user and permissions."""
    payload: Json = {
        "roles": [str(r) for r in member.roles],
        "joined_at": iso(member.joined_at),
        "nick": member.nick,
        "avatar": None,
        "banner": None,
        "premium_since": None,
        "communication_disabled_until": None,
        "deaf": False,
        "mute": False,
        "pending": False,
        "flags": 0,
    }
    if with_user:
        payload["user"] = user_payload(state.users[member.user_id])
    if permissions is not None:
        payload["permissions"] = str(permissions)
    return payload


def channel_payload(state: SandboxState, channel: Channel) -> Json:
    """Build a channel object (guild text channel, thread or DM)."""
    messages = state.channel_messages.get(channel.id, [])
    last = str(messages[-1]) if messages else None
    if channel.type == DM_CHANNEL:
        recipient = state.users[channel.recipient_id or 0]
        return {
            "id": str(channel.id),
            "type": DM_CHANNEL,
            "recipients": [user_payload(recipient)],
            "last_message_id": last,
            "flags": 0,
        }
    payload: Json = {
        "id": str(channel.id),
        "type": channel.type,
        "guild_id": str(channel.guild_id),
        "name": channel.name,
        "position": channel.position,
        "permission_overwrites": [dict(o) for o in channel.overwrites],
        "topic": channel.topic,
        "nsfw": False,
        "parent_id": None if channel.parent_id is None else str(channel.parent_id),
        "rate_limit_per_user": 0,
        "last_message_id": last,
        "flags": 0,
    }
    if channel.type in (PUBLIC_THREAD, PRIVATE_THREAD):
        payload.update(
            {
                "owner_id": str(channel.owner_id),
                "member_count": len(channel.thread_member_ids),
                "message_count": len(messages),
                "total_message_sent": len(messages),
                "thread_metadata": {
                    "archived": False,
                    "auto_archive_duration": 1440,
                    "archive_timestamp": iso(state.clock.now()),
                    "locked": False,
                    "invitable": False,
                },
            }
        )
    return payload


def guild_payload(state: SandboxState, guild: Guild, *, all_members: bool = True) -> Json:
    """Build a full guild object as GUILD_CREATE carries it.

    Without the GUILD_MEMBERS intent Discord lists only the bot itself in ``members``.
    """
    channels = [state.channels[c] for c in guild.channel_ids]
    members = [m for m in guild.members.values() if all_members or m.user_id == state.bot_user.id]
    return {
        "id": str(guild.id),
        "name": guild.name,
        "icon": None,
        "splash": None,
        "discovery_splash": None,
        "banner": None,
        "description": None,
        "owner_id": str(guild.owner_id),
        "region": None,
        "afk_channel_id": None,
        "afk_timeout": 300,
        "verification_level": 0,
        "default_message_notifications": 1,
        "explicit_content_filter": 0,
        "mfa_level": 0,
        "nsfw_level": 0,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "premium_progress_bar_enabled": False,
        "preferred_locale": guild.locale,
        "system_channel_id": None,
        "system_channel_flags": 0,
        "rules_channel_id": None,
        "public_updates_channel_id": None,
        "safety_alerts_channel_id": None,
        "vanity_url_code": None,
        "max_members": 500000,
        "max_video_channel_users": 25,
        "application_id": None,
        "features": [],
        "roles": [role_payload(r) for r in guild.roles.values()],
        "emojis": [],
        "stickers": [],
        "joined_at": iso(guild.members[state.bot_user.id].joined_at),
        "large": False,
        "unavailable": False,
        "member_count": len(guild.members),
        "members": [member_payload(state, m) for m in members],
        "channels": [channel_payload(state, c) for c in channels if c.type not in (11, 12)],
        "threads": [channel_payload(state, c) for c in channels if c.type in (11, 12)],
        "presences": [],
        "voice_states": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
        "incidents_data": None,
        "lazy": True,
    }


def rest_guild_payload(state: SandboxState, guild: Guild) -> Json:
    """Build a guild object as ``GET /guilds/{id}`` returns it (no members or channels)."""
    payload = guild_payload(state, guild)
    for key in (
        "members",
        "channels",
        "threads",
        "presences",
        "voice_states",
        "joined_at",
        "large",
        "member_count",
        "unavailable",
        "lazy",
    ):
        payload.pop(key, None)
    payload["approximate_member_count"] = len(guild.members)
    return payload


def attachment_payload(attachment: StoredAttachment) -> Json:
    """Build an attachment object with a URL served by the sandbox."""
    return {
        "id": str(attachment.id),
        "filename": attachment.filename,
        "size": attachment.size,
        "url": attachment.url,
        "proxy_url": attachment.url,
        "content_type": attachment.content_type,
        "description": attachment.description,
        "flags": 0,
    }


def message_payload(state: SandboxState, message: StoredMessage) -> Json:
    """Build a full message object as discord.py's Message constructor reads it."""
    payload: Json = {
        "id": str(message.id),
        "channel_id": str(message.channel_id),
        "author": user_payload(state.users[message.author_id]),
        "content": message.content,
        "timestamp": iso(message.timestamp),
        "edited_timestamp": iso(message.edited_timestamp),
        "tts": message.tts,
        "mention_everyone": message.mention_everyone,
        "mentions": [user_payload(state.users[u]) for u in message.pinged_user_ids],
        "mention_roles": [str(r) for r in message.pinged_role_ids],
        "attachments": [attachment_payload(a) for a in message.attachments],
        "embeds": message.embeds,
        "components": message.components,
        "reactions": [],
        "pinned": message.pinned,
        "type": message.type,
        "flags": message.flags,
    }
    if message.nonce is not None:
        payload["nonce"] = message.nonce
    if message.webhook_id is not None:
        payload["webhook_id"] = str(message.webhook_id)
    if message.application_id is not None:
        payload["application_id"] = str(message.application_id)
    if message.interaction_metadata is not None:
        payload["interaction_metadata"] = message.interaction_metadata
    if message.message_reference is not None:
        payload["message_reference"] = message.message_reference
    return payload


def gateway_message_payload(state: SandboxState, message: StoredMessage) -> Json:
    """Build a message as MESSAGE_CREATE carries it (with ``guild_id`` and ``member``)."""
    payload = message_payload(state, message)
    if message.guild_id is not None:
        payload["guild_id"] = str(message.guild_id)
        member = state.guilds[message.guild_id].members.get(message.author_id)
        if member is not None:
            payload["member"] = member_payload(state, member, with_user=False)
    return payload
