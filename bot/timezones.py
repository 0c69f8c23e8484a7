"""Time zone names: validation and search for autocomplete."""

from __future__ import annotations

from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

_LEGACY_PREFIXES = ("Etc/", "SystemV/", "US/", "Canada/", "Mexico/", "Brazil/", "Chile/")


@cache
def zone_names() -> tuple[str, ...]:
    """Return the IANA zones people pick from: Region/City names plus UTC."""
    names = {
        name
        for name in available_timezones()
        if "/" in name and not name.startswith(_LEGACY_PREFIXES) and not name.startswith("posix")
    }
    names.add("UTC")
    return tuple(sorted(names))


def canonical_zone(text: str) -> str | None:
    """Return the IANA name that `text` designates (any case, spaces for underscores)."""
    wanted = text.strip().replace(" ", "_").casefold()
    if not wanted:
        return None
    for name in zone_names():
        if name.casefold() == wanted:
            return name
    try:
        ZoneInfo(text.strip())
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return text.strip()


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
