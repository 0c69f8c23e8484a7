"""Whatever people type, the readers either understand it or refuse it cleanly."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.errors import has_lone_surrogate
from bot.numbers import SQLITE_INT_MAX, plain_int
from bot.refusal import Refusal
from bot.reminders.planning import LEAD_MAX, LEAD_MIN, parse_leads
from bot.services.notes import parse_note_id
from bot.services.sessions import read_when
from bot.services.students import clean_text
from bot.timezones import canonical_zone, is_zone_for_people, search_zones

NOW = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
T = TypeVar("T")


def outcome(read: Callable[[], T]) -> T | Refusal:
    """Return what a reader gives, or the refusal it raised (anything else propagates)."""
    try:
        return read()
    except Refusal as refusal:
        return refusal


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=120))
def test_when_texts_are_read_or_refused(text: str) -> None:
    result = outcome(lambda: read_when(text, "Europe/Paris", NOW))
    if isinstance(result, Refusal):
        assert result.key.startswith("when.")
    else:
        assert result > NOW


@given(st.text(max_size=60))
def test_lead_times_are_read_or_refused(text: str) -> None:
    try:
        leads = parse_leads(text)
    except ValueError:
        return
    assert 1 <= len(leads) <= 3
    assert list(leads) == sorted(leads, reverse=True)


@given(st.text(max_size=80))
def test_zone_names_never_raise(text: str) -> None:
    zone = canonical_zone(text)
    if zone is not None:
        assert ZoneInfo(zone).key == zone
    assert len(search_zones(text)) <= 25


@given(st.text(max_size=300))
def test_texts_are_trimmed_or_refused(text: str) -> None:
    result = outcome(lambda: clean_text(text, limit=200, field="project", required=True))
    if isinstance(result, Refusal):
        assert result.key in {"students.missing_text", "common.too_long"}
    else:
        printable = "".join(c for c in text if c.isspace() or unicodedata.category(c) != "Cc")
        assert result == printable.strip()
        assert 0 < len(result or "") <= 200
        assert not any(unicodedata.category(c) == "Cc" and not c.isspace() for c in result or "")


@given(st.text(max_size=40))
def test_numbers_are_plain_ascii_digits_or_nothing(text: str) -> None:
    number = plain_int(text)
    if number is None:
        return
    assert text.strip().isascii()
    assert 0 <= number <= SQLITE_INT_MAX
    assert str(number) == text.strip().lstrip("0") or number == 0


@given(st.integers(0, 10**25), st.sampled_from(["h", "m", "d", " days", " heures", "j", "x"]))
def test_lead_times_in_any_unit_are_bounded(number: int, unit: str) -> None:
    try:
        leads = parse_leads(f"{number}{unit}")
    except ValueError:
        return
    assert all(LEAD_MIN <= lead <= LEAD_MAX for lead in leads)


@given(st.sampled_from(["localtime", "Factory", "posixrules", "America", "Europe", "Asia"]))
def test_regions_and_host_files_are_not_zones(name: str) -> None:
    assert canonical_zone(name) is None
    assert canonical_zone(f"posix/{name}") is None
    assert canonical_zone(f"right/{name}") is None


@given(st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=300))
def test_any_zone_text_is_read_or_refused_without_raising(text: str) -> None:
    zone = canonical_zone(text)
    if zone is not None:
        assert is_zone_for_people(zone)
        assert ZoneInfo(zone).key == zone


ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=40)


@given(st.recursive(ANY_TEXT, lambda inner: st.lists(inner) | st.dictionaries(ANY_TEXT, inner)))
def test_lone_surrogates_are_found_anywhere_in_interaction_data(data: object) -> None:
    def texts(value: object) -> list[str]:
        if isinstance(value, str):
            return [value]
        if isinstance(value, dict):
            return [t for k, v in value.items() for t in texts(v)]
        if isinstance(value, list):
            return [t for v in value for t in texts(v)]
        return []

    expected = any(
        text.encode("utf-8", "surrogatepass").decode("utf-8", "ignore") != text
        for text in texts(data)
    )
    assert has_lone_surrogate(data) == expected


@given(st.text(max_size=30))
def test_note_ids_are_read_or_refused(text: str) -> None:
    result = outcome(lambda: parse_note_id(text))
    if isinstance(result, Refusal):
        assert result.key == "notes.unknown"
    else:
        assert 0 <= result <= SQLITE_INT_MAX
