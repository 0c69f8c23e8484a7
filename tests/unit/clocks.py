"""Naive wall-clock times for the tests: what a series stores (a local time, no zone)."""

from __future__ import annotations

from datetime import datetime


def wall_clock(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """Return a naive local time, as the people's calendars and `SeriesRule.local_start` hold."""
    return datetime(year, month, day, hour, minute)  # noqa: DTZ001 - naive on purpose
