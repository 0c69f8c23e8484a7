"""Whatever people type, the readers either understand it or refuse it cleanly."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.refusal import Refusal
from bot.reminders.planning import parse_leads
from bot.services.sessions import read_when
from bot.services.students import clean_text
from bot.timezones import canonical_zone, search_zones

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
        assert result == text.strip()
        assert 0 < len(result or "") <= 200
