"""Create and edit stored messages from request bodies: validation, files, mentions, nonces."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sandbox import message_rules, validation
from sandbox.errors import EMPTY_MESSAGE, ApiError, invalid_form
from sandbox.models import Json, StoredAttachment, StoredMessage
from sandbox.state import SandboxState

USER_MENTION = re.compile(r"<@!?(\d+)>")
ROLE_MENTION = re.compile(r"<@&(\d+)>")
EVERYONE_MENTION = re.compile(r"@(everyone|here)\b")
NONCE_WINDOW = timedelta(minutes=5)
DEFAULT_UPLOAD_LIMIT = 10 * 1024 * 1024
EDITABLE = ("content", "embeds", "components", "flags", "allowed_mentions", "attachments")


@dataclass
class Upload:
    """A file part of a multipart request."""

    filename: str
    data: bytes
    content_type: str | None


def check_message(
    payload: Json,
    uploads: dict[str, Upload],
    *,
    creating: bool,
    prefix: validation.Path = (),
    limit: int = DEFAULT_UPLOAD_LIMIT,
) -> None:
    """Refuse a message body as Discord would (413 40005 size, 50035 limits, 50006 empty)."""
    message_rules.check_uploads(payload, uploads, limit)
    errors = validation.validate_message(payload, prefix)
    message_rules.check_file_count(errors, payload, uploads)
    if errors:
        raise invalid_form(errors.tree)
    if creating and not (
        payload.get("content")
        or payload.get("embeds")
        or payload.get("components")
        or payload.get("attachments")
        or uploads
        or payload.get("sticker_ids")
        or payload.get("poll")
    ):
        raise ApiError(400, EMPTY_MESSAGE, "Cannot send an empty message")


class MessageFactory:
    """Turn validated request bodies into stored messages."""

    def __init__(self, state: SandboxState, base_url: Callable[[], str]) -> None:
        self.state = state
        self.base_url = base_url

    def find_nonce(self, author_id: int, payload: Json) -> StoredMessage | None:
        """Return the earlier message for an ``enforce_nonce`` repeat, if any."""
        nonce = payload.get("nonce")
        if nonce is None or not payload.get("enforce_nonce"):
            return None
        seen = self.state.nonces.get((author_id, str(nonce)))
        if seen is None:
            return None
        message_id, when = seen
        if self.state.clock.now() - when > NONCE_WINDOW:
            return None
        return self.state.messages.get(message_id)

    def create(
        self,
        *,
        channel_id: int,
        author_id: int,
        payload: Json,
        uploads: dict[str, Upload],
        **extra: Any,
    ) -> StoredMessage:
        """Store a new message built from ``payload``."""
        channel = self.state.channels[channel_id]
        message = StoredMessage(
            id=self.state.ids.next(),
            channel_id=channel_id,
            author_id=author_id,
            content=str(payload.get("content") or ""),
            timestamp=self.state.clock.now(),
            guild_id=channel.guild_id,
            embeds=list(payload.get("embeds") or []),
            components=list(payload.get("components") or []),
            flags=int(payload.get("flags") or 0),
            tts=bool(payload.get("tts")),
            nonce=payload.get("nonce"),
            message_reference=payload.get("message_reference"),
        )
        for key, value in extra.items():
            setattr(message, key, value)
        if message.message_reference is not None:
            message.type = 19
        message.attachments = self._attachments(message, payload, uploads)
        self._mentions(message, payload)
        if message.nonce is not None and payload.get("enforce_nonce"):
            self.state.nonces[(author_id, str(message.nonce))] = (message.id, message.timestamp)
        return self.state.store_message(message)

    def edit(
        self, message: StoredMessage, payload: Json, uploads: dict[str, Upload]
    ) -> StoredMessage:
        """Apply an edit body to ``message`` (a Components V2 message stays one: 50035)."""
        if message.flags & validation.COMPONENTS_V2:
            errors = validation.Errors()
            message_rules.check_v2_edit(errors, payload)
            if errors:
                raise invalid_form(errors.tree)
        if "content" in payload:
            message.content = str(payload["content"] or "")
        if "embeds" in payload:
            message.embeds = list(payload["embeds"] or [])
        if "components" in payload:
            message.components = list(payload["components"] or [])
        if payload.get("flags") is not None:
            keep = message.flags & (validation.COMPONENTS_V2 | 64)
            message.flags = (int(payload["flags"]) & ~128) | keep
        if "attachments" in payload or uploads:
            message.attachments = self._attachments(message, payload, uploads)
        if "content" in payload or "allowed_mentions" in payload:
            self._mentions(message, payload)
        message.edited_timestamp = self.state.clock.now()
        message.edits += 1
        self.state.notify()
        return message

    def _attachments(
        self, message: StoredMessage, payload: Json, uploads: dict[str, Upload]
    ) -> list[StoredAttachment]:
        kept = {a.id: a for a in message.attachments}
        result: list[StoredAttachment] = []
        used: set[str] = set()
        for entry in payload.get("attachments") or []:
            raw_id = entry.get("id")
            upload = uploads.get(f"files[{raw_id}]")
            if upload is None:
                old = kept.get(int(raw_id)) if str(raw_id).isdigit() else None
                if old is not None:
                    result.append(old)
                continue
            used.add(f"files[{raw_id}]")
            result.append(
                self._store(message, upload, entry.get("filename"), entry.get("description"))
            )
        for name, upload in uploads.items():
            if name not in used:
                result.append(self._store(message, upload, None, None))
        return result

    def _store(
        self, message: StoredMessage, upload: Upload, filename: str | None, description: str | None
    ) -> StoredAttachment:
        attachment_id = self.state.ids.next()
        name = filename or upload.filename
        attachment = StoredAttachment(
            id=attachment_id,
            filename=name,
            size=len(upload.data),
            data=upload.data,
            url=f"{self.base_url()}/attachments/{message.channel_id}/{attachment_id}/{name}",
            content_type=upload.content_type,
            description=description,
        )
        self.state.attachments[attachment_id] = attachment
        return attachment

    def _mentions(self, message: StoredMessage, payload: Json) -> None:
        """Record who this message really pings, honouring ``allowed_mentions``."""
        allowed = payload.get("allowed_mentions")
        parse = (
            {"users", "roles", "everyone"} if allowed is None else set(allowed.get("parse") or [])
        )
        users = {int(u) for u in (allowed or {}).get("users") or []}
        roles = {int(r) for r in (allowed or {}).get("roles") or []}
        content = message.content
        if message.flags & validation.COMPONENTS_V2:  # text displays mention as content does
            content = "\n".join(message_rules.v2_texts(message.components))
        pinged_users = [
            uid
            for uid in dict.fromkeys(int(m) for m in USER_MENTION.findall(content))
            if uid in self.state.users and ("users" in parse or uid in users)
        ]
        guild = self.state.guilds.get(message.guild_id) if message.guild_id else None
        pinged_roles = [
            rid
            for rid in dict.fromkeys(int(m) for m in ROLE_MENTION.findall(content))
            if guild is not None and rid in guild.roles and ("roles" in parse or rid in roles)
        ]
        reference = message.message_reference or {}
        replied = self.state.messages.get(int(reference.get("message_id") or 0))
        replied_ok = allowed is None or allowed.get("replied_user", False)
        if replied is not None and replied_ok and replied.author_id not in pinged_users:
            pinged_users.append(replied.author_id)
        message.pinged_user_ids = pinged_users
        message.pinged_role_ids = pinged_roles
        message.mention_everyone = bool(EVERYONE_MENTION.search(content)) and "everyone" in parse
