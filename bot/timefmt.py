"""Showing instants to people: Discord timestamps and wall-clock text."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

STAMP_STYLES = frozenset("tTdDfFR")


def discord_stamp(instant: datetime, style: str = "F") -> str:
    """Return `<t:UNIX:STYLE>`, which Discord shows in each reader's own zone and language."""
    if instant.utcoffset() is None:
        raise ValueError("instant must be an aware datetime")
    if style not in STAMP_STYLES:
        raise ValueError(f"unknown Discord timestamp style {style!r}")
    return f"<t:{int(instant.timestamp())}:{style}>"


def local_clock(instant: datetime, zone: ZoneInfo) -> str:
    """Return the wall-clock time in `zone` with its UTC offset, e.g. `18:00 (UTC+01:00)`."""
    local = instant.astimezone(zone)
    offset = local.strftime("%z")
    return f"{local:%H:%M} (UTC{offset[:3]}:{offset[3:]})"


def short_when(instant: datetime, zone: str) -> str:
    """Return a compact wall-clock label for choices, e.g. `Thu 03 Dec 18:30 (Europe/Paris)`.

    Autocomplete labels cannot hold Discord timestamps, so they show the reader's own zone.
    """
    local = instant.astimezone(ZoneInfo(zone))
    return f"{local:%a %d %b %H:%M} ({zone})"
