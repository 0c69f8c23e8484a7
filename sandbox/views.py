"""Read-only views of messages and interaction outcomes, for test assertions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sandbox import payloads
from sandbox.models import InteractionRecord, Json, StoredAttachment, StoredMessage, User

if TYPE_CHECKING:
    from sandbox.state import SandboxState


def walk_components(components: list[Json]) -> list[Json]:
    """Return every component, nested ones included, in display order."""
    found: list[Json] = []
    for component in components:
        found.append(component)
        found.extend(walk_components(component.get("components") or []))
        for key in ("component", "accessory"):
            if isinstance(component.get(key), dict):
                found.extend(walk_components([component[key]]))
    return found


TEXT_DISPLAY = 10


def visible_text(content: str, embeds: list[Json], components: list[Json]) -> str:
    """Return the text a reader sees in a message, one part a line, in display order.

    The content; each embed's title, description, fields (name, then value) and footer; the
    text displays of a Components V2 message (sections' included). Markdown is left as sent;
    button labels are in ``buttons``.
    """
    parts = [content]
    for embed in embeds:
        parts += [embed.get("title") or "", embed.get("description") or ""]
        for field in embed.get("fields") or []:
            parts += [field.get("name") or "", field.get("value") or ""]
        parts.append((embed.get("footer") or {}).get("text") or "")
    parts += [
        str(c.get("content") or "")
        for c in walk_components(components)
        if c.get("type") == TEXT_DISPLAY
    ]
    return "\n".join(part for part in parts if part)


def modal_fields(modal: Json) -> list[Json]:
    """Return a modal's inputs, each with its ``label`` (taken from a wrapping Label component)."""
    fields: list[Json] = []
    for component in modal.get("components") or []:
        if component.get("type") == 18:
            inner = dict(component.get("component") or {})
            inner["label"] = inner.get("label") or component.get("label")
            fields.append(inner)
        else:
            fields.extend(c for c in walk_components([component]) if "custom_id" in c)
    return fields


class MessageView:
    """A message as a user sees it (always re-read from the sandbox state)."""

    def __init__(self, state: SandboxState, message_id: int) -> None:
        self._state = state
        self.id = message_id

    @property
    def stored(self) -> StoredMessage:
        """The underlying stored record."""
        return self._state.messages[self.id]

    @property
    def content(self) -> str:
        """The text of the message."""
        return self.stored.content

    @property
    def embeds(self) -> list[Json]:
        """The embeds, as dicts."""
        return self.stored.embeds

    @property
    def components(self) -> list[Json]:
        """The top-level components, as dicts."""
        return self.stored.components

    @property
    def text(self) -> str:
        """Everything the reader sees written, embeds or Components V2 alike (``visible_text``)."""
        return visible_text(self.content, self.embeds, self.components)

    @property
    def buttons(self) -> list[str]:
        """Labels (or custom ids) of every button."""
        return [
            str(c.get("label") or c.get("custom_id") or c.get("url"))
            for c in walk_components(self.components)
            if c.get("type") == 2
        ]

    @property
    def selects(self) -> list[Json]:
        """Every select menu."""
        return [c for c in walk_components(self.components) if c.get("type") in (3, 5, 6, 7, 8)]

    @property
    def attachments(self) -> list[StoredAttachment]:
        """Files attached (with filename, size and bytes)."""
        return self.stored.attachments

    @property
    def ephemeral(self) -> bool:
        """Whether only the interacting user sees it."""
        return self.stored.ephemeral

    @property
    def deleted(self) -> bool:
        """Whether it was deleted."""
        return self.stored.deleted

    @property
    def edited(self) -> bool:
        """Whether it was edited after being sent."""
        return self.stored.edits > 0

    @property
    def author(self) -> User:
        """Who sent it."""
        return self._state.users[self.stored.author_id]

    @property
    def pinged_users(self) -> list[User]:
        """Users this message really notified (after ``allowed_mentions``)."""
        return [self._state.users[u] for u in self.stored.pinged_user_ids]

    @property
    def pinged_role_ids(self) -> list[int]:
        """Roles this message really notified."""
        return list(self.stored.pinged_role_ids)

    @property
    def mention_everyone(self) -> bool:
        """Whether it notified @everyone/@here."""
        return self.stored.mention_everyone

    @property
    def payload(self) -> Json:
        """The message object as the REST API returns it."""
        return payloads.message_payload(self._state, self.stored)

    def __repr__(self) -> str:
        return f"<MessageView id={self.id} content={self.content!r} ephemeral={self.ephemeral}>"


class Reply:
    """The outcome of an interaction: a message, a modal, or autocomplete choices."""

    def __init__(self, state: SandboxState, record: InteractionRecord) -> None:
        self._state = state
        self.record = record

    @property
    def callback_type(self) -> int | None:
        """The bot's interaction callback type (4 message, 5 deferred, ... 9 modal)."""
        return self.record.callback_type

    @property
    def deferred(self) -> bool:
        """Whether the bot deferred (type 5 or 6) first."""
        return self.record.callback_type in (5, 6)

    @property
    def message(self) -> MessageView | None:
        """The message the interaction produced: the original response, else the first followup."""
        record = self.record
        use_original = record.callback_type in (4, 5, 7) or (
            record.callback_type == 6 and record.original_edited
        )
        if use_original and record.original_id is not None:
            return MessageView(self._state, record.original_id)
        if record.followup_ids:
            return MessageView(self._state, record.followup_ids[0])
        return None

    def _need_message(self) -> MessageView:
        message = self.message
        if message is None:
            what = "a modal" if self.modal else f"callback type {self.callback_type}"
            raise AssertionError(
                f"{self.record.label}: the bot answered with {what}, not a message"
            )
        return message

    @property
    def followups(self) -> list[MessageView]:
        """Followup messages, in order."""
        return [MessageView(self._state, i) for i in self.record.followup_ids]

    @property
    def content(self) -> str:
        """Text of the reply message."""
        return self._need_message().content

    @property
    def embeds(self) -> list[Json]:
        """Embeds of the reply message."""
        return self._need_message().embeds

    @property
    def components(self) -> list[Json]:
        """Components of the reply message."""
        return self._need_message().components

    @property
    def text(self) -> str:
        """Everything written in the reply message, embeds or Components V2 alike."""
        return self._need_message().text

    @property
    def buttons(self) -> list[str]:
        """Button labels of the reply message."""
        return self._need_message().buttons

    @property
    def attachments(self) -> list[StoredAttachment]:
        """Attachments of the reply message."""
        return self._need_message().attachments

    @property
    def ephemeral(self) -> bool:
        """Whether the reply is visible only to the user."""
        return self._need_message().ephemeral

    @property
    def modal(self) -> Json | None:
        """The modal the bot opened, if any (``title``, ``custom_id``, ``fields``, ...)."""
        modal = self.record.modal
        if modal is None:
            return None
        return {**modal, "fields": modal_fields(modal), "_interaction_id": self.record.id}

    @property
    def choices(self) -> list[Json]:
        """Autocomplete choices returned by the bot."""
        return list(self.record.choices or [])

    def __repr__(self) -> str:
        return (
            f"<Reply {self.record.label!r} callback={self.callback_type} message={self.message!r}>"
        )
