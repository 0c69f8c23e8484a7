"""Snowflake ids made from the sandbox clock, as Discord makes them."""

from __future__ import annotations

from datetime import UTC, datetime

from sandbox.clock import Clock

DISCORD_EPOCH_MS = 1420070400000


def snowflake_time(snowflake: int) -> datetime:
    """Return the creation time encoded in ``snowflake``."""
    ms = (snowflake >> 22) + DISCORD_EPOCH_MS
    return datetime.fromtimestamp(ms / 1000, UTC)


class SnowflakeFactory:
    """Generate unique, time-ordered snowflakes from a clock."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._counter = 0
        self._last = 0

    def next(self) -> int:
        """Return a fresh snowflake for the clock's current time."""
        ms = int(self.clock.now().timestamp() * 1000) - DISCORD_EPOCH_MS
        self._counter = (self._counter + 1) % (1 << 22)
        value = (max(ms, 0) << 22) | self._counter
        if value <= self._last:  # the clock went back or stood still: stay unique
            value = self._last + 1
        self._last = value
        return value
