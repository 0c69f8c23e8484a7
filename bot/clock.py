"""The time source, injected so that tests and the sandbox can control it."""

from __future__ import annotations

from collections.abc import Callable
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


class MovableClock:
    """A clock that can be moved on purpose; listeners hear about each move."""

    def __init__(self) -> None:
        self._listeners: list[Callable[[], None]] = []

    def on_change(self, listener: Callable[[], None]) -> None:
        """Call `listener` after every move (the reminder dispatcher re-arms on it)."""
        self._listeners.append(listener)

    def _moved(self) -> None:
        for listener in self._listeners:
            listener()


class ManualClock(MovableClock):
    """A clock that moves only when told to (tests)."""

    def __init__(self, start: datetime) -> None:
        super().__init__()
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
        self._moved()

    def advance(self, delta: timedelta) -> None:
        """Move forward by `delta`."""
        self._now += delta
        self._moved()


class OffsetClock(MovableClock):
    """Real time moved forward by an offset: the playground's world clock."""

    def __init__(self) -> None:
        super().__init__()
        self.offset = timedelta(0)

    def now(self) -> datetime:
        """Return real time plus the offset."""
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        """Move the world forward by `delta` (never backward)."""
        if delta < timedelta(0):
            raise ValueError("the world clock only moves forward")
        self.offset += delta
        self._moved()


def iso(instant: datetime) -> str:
    """Format an aware instant as the ISO text stored in the database."""
    return instant.astimezone(UTC).isoformat(timespec="seconds")


def from_iso(text: str) -> datetime:
    """Read an instant stored by `iso()`."""
    return datetime.fromisoformat(text)


def from_iso_or_none(text: str | None) -> datetime | None:
    """Read an optional instant stored by `iso()`."""
    return None if text is None else datetime.fromisoformat(text)
