"""The time source, injected so that tests and the sandbox can control it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
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


class ManualClock:
    """A clock that moves only when told to (tests, and the playground's world clock)."""

    def __init__(self, start: datetime) -> None:
        if start.utcoffset() is None:
            raise ValueError("the clock needs an aware start time")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        """Return the clock's current instant."""
        return self._now

    def set(self, instant: datetime) -> None:
        """Jump to `instant` (aware)."""
        if instant.utcoffset() is None:
            raise ValueError("the clock needs an aware time")
        self._now = instant.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        """Move forward by `delta`."""
        self._now += delta


def iso(instant: datetime) -> str:
    """Format an aware instant as the ISO text stored in the database."""
    return instant.astimezone(UTC).isoformat(timespec="seconds")


def from_iso(text: str) -> datetime:
    """Read an instant stored by `iso()`."""
    return datetime.fromisoformat(text)


def from_iso_or_none(text: str | None) -> datetime | None:
    """Read an optional instant stored by `iso()`."""
    return None if text is None else datetime.fromisoformat(text)
