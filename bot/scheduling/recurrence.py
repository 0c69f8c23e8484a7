"""Weekly series of sessions that keep the same wall-clock time in the mentor's zone.

Each occurrence is `local_start + n * interval` computed on the wall clock, then placed in
the zone. So a session at 18:00 Paris stays at 18:00 Paris across daylight-saving changes
(17:00Z in winter, 16:00Z in summer): we never add 7 * 24 hours in UTC.

Placing a wall-clock time in a zone follows PEP 495 with `fold=0`:
- a time skipped by a spring-forward change (e.g. 02:30 on 2026-03-29 in Paris) moves
  forward by the length of the gap (02:30 -> 03:30 local, the same instant as 02:30 at the
  offset in force before the change);
- a time repeated by a fall-back change (e.g. 02:30 on 2026-10-25 in Paris) takes its first
  occurrence (the one at the summer offset).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo


class Repeat(StrEnum):
    """How often a series comes back."""

    NONE = "none"
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"

    @property
    def interval_weeks(self) -> int:
        """Return the number of weeks between occurrences (0 for a single session)."""
        return _INTERVAL_WEEKS[self]


_INTERVAL_WEEKS = {Repeat.NONE: 0, Repeat.WEEKLY: 1, Repeat.BIWEEKLY: 2}


@dataclass(frozen=True)
class SeriesRule:
    """A series anchored on a naive wall-clock start in an IANA zone."""

    zone: str
    local_start: datetime
    repeat: Repeat

    def __post_init__(self) -> None:
        """Reject an aware start and an unknown zone."""
        if self.local_start.tzinfo is not None:
            raise ValueError("local_start must be a naive wall-clock datetime")
        ZoneInfo(self.zone)

    @classmethod
    def from_utc(cls, start_utc: datetime, zone: str, repeat: Repeat) -> SeriesRule:
        """Build the rule whose first occurrence is the aware instant `start_utc`."""
        _require_aware(start_utc, "start_utc")
        local = start_utc.astimezone(ZoneInfo(zone)).replace(tzinfo=None, fold=0)
        return cls(zone=zone, local_start=local, repeat=repeat)

    def nth(self, n: int) -> datetime:
        """Return the aware UTC instant of occurrence `n` (0 is the first)."""
        if n < 0:
            raise ValueError("occurrence index must be >= 0")
        if n > 0 and self.repeat is Repeat.NONE:
            raise ValueError("a non-repeating series has a single occurrence")
        wall_clock = self.local_start + timedelta(weeks=n * self.repeat.interval_weeks)
        return localise(wall_clock, self.zone)

    def occurrences(self, after: datetime, until: datetime) -> list[datetime]:
        """Return the aware UTC occurrences `t` with `after <= t < until`, in order."""
        return [instant for _, instant in self.indexed_occurrences(after, until)]

    def indexed_occurrences(self, after: datetime, until: datetime) -> list[tuple[int, datetime]]:
        """Return `(n, t)` for the occurrences `t = nth(n)` with `after <= t < until`, in order.

        The walk starts next to `after` (not at the first occurrence), so its cost follows
        the occurrences returned, not the age of the series.
        """
        return self.walk(after, until)[0]

    def walk(self, after: datetime, until: datetime) -> tuple[list[tuple[int, datetime]], datetime]:
        """Return `indexed_occurrences(after, until)` and the first occurrence at or after `until`.

        A single session has no occurrence after its first: `until` stands for it then.
        """
        _require_aware(after, "after")
        _require_aware(until, "until")
        if self.repeat is Repeat.NONE:
            first = self.nth(0)
            return ([(0, first)] if after <= first < until else []), until
        found: list[tuple[int, datetime]] = []
        n = self._first_index_near(after)
        while (instant := self.nth(n)) < until:
            if instant >= after:
                found.append((n, instant))
            n += 1
        return found, instant

    def _first_index_near(self, after: datetime) -> int:
        """Return an index whose occurrence is at or before `after`, or 0."""
        period = timedelta(weeks=self.repeat.interval_weeks)
        elapsed = after - self.nth(0)
        return max(0, elapsed // period - 1)


def localise(wall_clock: datetime, zone: str) -> datetime:
    """Return the UTC instant of a naive wall-clock time in `zone` (gap: forward; fold: first)."""
    return wall_clock.replace(tzinfo=ZoneInfo(zone), fold=0).astimezone(UTC)


def to_local(instant_utc: datetime, zone: str) -> datetime:
    """Return the aware instant as seen on the wall clock of `zone`."""
    _require_aware(instant_utc, "instant_utc")
    return instant_utc.astimezone(ZoneInfo(zone))


def _require_aware(value: datetime, name: str) -> None:
    """Raise ValueError if `value` has no UTC offset."""
    if value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime")
