"""Time zone names: validation and search for autocomplete."""

from __future__ import annotations

from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

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
    """Return up to `limit` zones matching `query`, best matches (city prefix) first."""
    wanted = query.strip().replace(" ", "_").casefold()
    if not wanted:
        return list(zone_names()[:limit])
    ranked: list[tuple[int, str]] = []
    for name in zone_names():
        folded = name.casefold()
        city = folded.rsplit("/", 1)[-1]
        if folded.startswith(wanted) or city.startswith(wanted):
            ranked.append((0, name))
        elif wanted in folded:
            ranked.append((1, name))
    ranked.sort()
    return [name for _, name in ranked[:limit]]
