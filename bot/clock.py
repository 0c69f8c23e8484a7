"""The time source, injected so that tests and the sandbox can control it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    """Something that tells the current time as an aware UTC datetime."""

    def now(self) -> datetime:
        """Return the current instant (aware, UTC)."""
        ...


class SystemClock:
    """The machine's own clock."""

    def now(self) -> datetime:
        """Return the current instant (aware, UTC)."""
        return datetime.now(UTC)


def iso(instant: datetime) -> str:
    """Format an aware instant as the ISO text stored in the database."""
    return instant.astimezone(UTC).isoformat(timespec="seconds")


def from_iso(text: str) -> datetime:
    """Read an instant stored by `iso()`."""
    return datetime.fromisoformat(text)


def from_iso_or_none(text: str | None) -> datetime | None:
    """Read an optional instant stored by `iso()`."""
    return None if text is None else datetime.fromisoformat(text)
