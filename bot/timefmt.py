"""Showing instants to people: Discord timestamps and wall-clock text.

Babel (dates in the reader's language) is imported where a date is first written, not at
start: its modules and locale data are ~4 MiB that an idle bot does not need.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.texts import Locale, language_of

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


def short_when(
    instant: datetime, zone: str, language: str | None = None, *, now: datetime | None = None
) -> str:
    """Return a compact wall-clock label for choices, e.g. `Thu 3 Dec 18:30 (Europe/Paris)`.

    Autocomplete labels cannot hold Discord timestamps, so they show the reader's own zone,
    in the reader's language, with the year when it is not this year.
    """
    return f"{local_when(instant, zone, language, now=now)} ({zone})"


def _babel_locale(language: str | None) -> str:
    """Return a locale Babel knows for a catalogue language (English when it knows none)."""
    import babel  # on first use, not at start (see the module's docstring)

    if not language:
        return "en"
    try:
        return str(babel.Locale.parse(language.replace("-", "_")))
    except (babel.UnknownLocaleError, ValueError):
        return "en"


def day_label(
    day: date, language: str | None, *, today: date | None = None, weekday: bool = False
) -> str:
    """Return a day in the reader's language, e.g. `3 déc.`, with the year unless `today`'s."""
    this_year = today is not None and today.year == day.year
    pattern = ("EEE " if weekday else "") + ("d MMM" if this_year else "d MMM y")
    import babel.dates  # on first use, not at start

    return babel.dates.format_date(day, pattern, locale=_babel_locale(language))


def local_date(
    instant: datetime,
    zone: str,
    language: str | None,
    *,
    now: datetime | None = None,
    weekday: bool = False,
) -> str:
    """Return a date in the reader's language and zone, e.g. `jeu. 3 déc.` or `3 Dec 2027`.

    The year is shown when the date is not in the current year (or when `now` is not given).
    """
    tz = ZoneInfo(zone)
    today = None if now is None else now.astimezone(tz).date()
    return day_label(instant.astimezone(tz).date(), language, today=today, weekday=weekday)


def local_when(
    instant: datetime, zone: str, language: str | None, *, now: datetime | None = None
) -> str:
    """Return a compact weekday, date and time in the reader's language, e.g. `jeu. 3 déc. 18:30`.

    For autocomplete labels and charts, which cannot hold Discord timestamps.
    """
    local = instant.astimezone(ZoneInfo(zone))
    day = local_date(instant, zone, language, now=now, weekday=True)
    return f"{day} {local:%H:%M}"


def when_label(instant: datetime, zone: str, locale: Locale, now: datetime) -> str:
    """Return how a time reads on a clock in `zone`, in the reader's language.

    E.g. `Fri 4 Dec 18:00, Europe/Paris`, or `ven. 4 déc. 18:00, Europe/Paris`; the year is
    shown when it is not the current one there (`Sun 31 Oct 2027 01:30, Europe/Paris`).
    For autocomplete labels, which cannot hold Discord timestamps.
    """
    return f"{local_when(instant, zone, language_of(locale), now=now)}, {zone}"
