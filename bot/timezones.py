"""Time zone names: validation and search for autocomplete."""

from __future__ import annotations

from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "est": ("America/New_York", "America/Toronto", "America/Detroit"),
    "edt": ("America/New_York", "America/Toronto", "America/Detroit"),
    "eastern": ("America/New_York", "America/Toronto", "America/Detroit"),
    "et": ("America/New_York", "America/Toronto"),
    "cst": ("America/Chicago", "America/Winnipeg", "America/Mexico_City", "Asia/Shanghai"),
    "cdt": ("America/Chicago", "America/Winnipeg"),
    "central": ("America/Chicago", "America/Winnipeg", "America/Mexico_City"),
    "mst": ("America/Denver", "America/Phoenix", "America/Edmonton"),
    "mdt": ("America/Denver", "America/Edmonton"),
    "mountain": ("America/Denver", "America/Phoenix", "America/Edmonton"),
    "pst": ("America/Los_Angeles", "America/Vancouver"),
    "pdt": ("America/Los_Angeles", "America/Vancouver"),
    "pacific": ("America/Los_Angeles", "America/Vancouver"),
    "akst": ("America/Anchorage",),
    "hst": ("Pacific/Honolulu",),
    "gmt": ("Europe/London", "Europe/Dublin", "Africa/Abidjan", "UTC"),
    "bst": ("Europe/London",),
    "uk": ("Europe/London",),
    "wet": ("Europe/Lisbon", "Atlantic/Canary"),
    "cet": ("Europe/Paris", "Europe/Berlin", "Europe/Brussels", "Europe/Madrid", "Europe/Rome"),
    "cest": ("Europe/Paris", "Europe/Berlin", "Europe/Brussels", "Europe/Madrid", "Europe/Rome"),
    "eet": ("Europe/Athens", "Europe/Bucharest", "Europe/Helsinki", "Europe/Kyiv", "Africa/Cairo"),
    "eest": ("Europe/Athens", "Europe/Bucharest", "Europe/Helsinki", "Europe/Kyiv"),
    "msk": ("Europe/Moscow",),
    "ist": ("Asia/Kolkata", "Europe/Dublin"),
    "india": ("Asia/Kolkata",),
    "pkt": ("Asia/Karachi",),
    "sgt": ("Asia/Singapore",),
    "hkt": ("Asia/Hong_Kong",),
    "jst": ("Asia/Tokyo",),
    "japan": ("Asia/Tokyo",),
    "kst": ("Asia/Seoul",),
    "aest": ("Australia/Sydney", "Australia/Melbourne", "Australia/Brisbane"),
    "aedt": ("Australia/Sydney", "Australia/Melbourne"),
    "awst": ("Australia/Perth",),
    "nzst": ("Pacific/Auckland",),
    "nzdt": ("Pacific/Auckland",),
    "brt": ("America/Sao_Paulo",),
    "art": ("America/Argentina/Buenos_Aires",),
    "wat": ("Africa/Lagos",),
    "cat": ("Africa/Johannesburg", "Africa/Maputo"),
    "eat": ("Africa/Nairobi",),
    "utc": ("UTC",),
}
"""Abbreviations and common names people type for a zone, with the zones they mean."""

_LEGACY_PREFIXES = ("Etc/", "SystemV/", "US/", "Canada/", "Mexico/", "Brazil/", "Chile/")


_HOST_SPECIFIC = frozenset({"localtime", "Factory", "posixrules"})
_HOST_PREFIXES = ("posix/", "right/")


def is_zone_for_people(name: str) -> bool:
    """Tell whether an IANA name designates a place's time, not a file of this host's tz data.

    `localtime` (whatever the host is set to), `Factory`, `posixrules` and the `posix/` and
    `right/` copies of the database are not zones a person lives in.
    """
    return name not in _HOST_SPECIFIC and not name.startswith(_HOST_PREFIXES)


@cache
def known_zones() -> dict[str, str]:
    """Return every IANA zone people may use (aliases too), by its case-folded name."""
    names = {name for name in available_timezones() if is_zone_for_people(name)}
    names.add("UTC")
    return {name.casefold(): name for name in names}


@cache
def zone_names() -> tuple[str, ...]:
    """Return the IANA zones people pick from: Region/City names plus UTC."""
    names = {
        name
        for name in known_zones().values()
        if "/" in name and not name.startswith(_LEGACY_PREFIXES)
    }
    names.add("UTC")
    return tuple(sorted(names))


def canonical_zone(text: str) -> str | None:
    """Return the IANA name that `text` designates (any case, spaces for underscores).

    Only names of the time-zone database that people live in are accepted: a region alone
    (`America`), a host-specific file (`localtime`, `posix/...`), or any other text is None.
    """
    wanted = text.strip().replace(" ", "_").casefold()
    if not wanted:
        return None
    name = known_zones().get(wanted)
    if name is None:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None
    return name


def search_zones(query: str, limit: int = 25) -> list[str]:
    """Return up to `limit` zones matching `query`, best matches first.

    An abbreviation or common name ("EST", "CET", "Pacific") gives the zones it means first,
    then zones whose city starts with the text; the text found anywhere in a name only when
    it is no abbreviation ("est" is not sought inside "Bucharest").
    """
    wanted = query.strip().replace(" ", "_").casefold()
    if not wanted:
        return list(zone_names()[:limit])
    known = set(zone_names())
    meant = [name for name in ABBREVIATIONS.get(wanted, ()) if name in known]
    ranked: list[tuple[int, str]] = []
    for name in zone_names():
        if name in meant:
            continue
        folded = name.casefold()
        city = folded.rsplit("/", 1)[-1]
        if folded.startswith(wanted) or city.startswith(wanted):
            ranked.append((0, name))
        elif wanted in folded and not meant:
            ranked.append((1, name))
    ranked.sort()
    return [*meant, *(name for _, name in ranked)][:limit]
