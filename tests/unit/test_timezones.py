"""Time zone names: what people type is understood, autocomplete finds cities."""

from __future__ import annotations

from bot.timezones import ABBREVIATIONS, canonical_zone, search_zones, zone_names


def test_canonical_names_ignore_case_and_spaces() -> None:
    assert canonical_zone("europe/paris") == "Europe/Paris"
    assert canonical_zone("America/New York") == "America/New_York"
    assert canonical_zone("UTC") == "UTC"


def test_unknown_or_hostile_names_are_refused() -> None:
    for text in ("Mars/Olympus", "", "   ", "../../etc/passwd", "Europe/Paris'; DROP TABLE x;--"):
        assert canonical_zone(text) is None


def test_search_puts_city_prefix_first_and_stays_within_25() -> None:
    assert search_zones("pari")[0] == "Europe/Paris"
    assert search_zones("Europe/Pa")[0] == "Europe/Paris"
    assert "Asia/Tokyo" in search_zones("tok")
    assert len(search_zones("a")) == 25
    assert search_zones("zzzz-nothing") == []


def test_zone_list_has_no_legacy_aliases() -> None:
    names = zone_names()
    assert "US/Eastern" not in names
    assert "Etc/GMT+5" not in names
    assert "Europe/Paris" in names


def test_abbreviations_and_common_names_find_the_zones_they_mean() -> None:
    est = search_zones("EST")
    assert est[0] == "America/New_York"
    assert "Bucharest" not in " ".join(est)
    assert "America/Creston" not in est
    assert search_zones("cet")[0] == "Europe/Paris"
    assert search_zones("Pacific")[0] == "America/Los_Angeles"
    assert "Pacific/Auckland" in search_zones("Pacific")  # the region still comes after
    assert search_zones("jst") == ["Asia/Tokyo"]
    assert all(name in zone_names() for names in ABBREVIATIONS.values() for name in names)
