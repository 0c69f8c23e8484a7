"""Showing instants to people: Discord timestamps and wall-clock text."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.texts import Locale, tr

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


def when_label(instant: datetime, zone: str, locale: Locale, now: datetime) -> str:
    """Return how a time reads on a clock in `zone`, in the reader's language.

    E.g. `Fri 4 Dec 18:00, Europe/Paris`, or `ven. 4 déc. 18:00, Europe/Paris`; the year is
    shown when it is not the current one there (`Sun 31 Oct 2027 01:30, Europe/Paris`).
    For autocomplete labels, which cannot hold Discord timestamps.
    """
    where = ZoneInfo(zone)
    local = instant.astimezone(where)
    weekdays = tr("dates.weekdays", locale).split()
    months = tr("dates.months", locale).split()
    key = "dates.label" if local.year == now.astimezone(where).year else "dates.label_year"
    return tr(
        key,
        locale,
        weekday=weekdays[local.weekday()],
        day=local.day,
        month=months[local.month - 1],
        year=local.year,
        time=f"{local:%H:%M}",
        zone=zone,
    )
