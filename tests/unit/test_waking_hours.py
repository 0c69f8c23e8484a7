"""Nudges without an exact hour arrive in the recipient's waking hours."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.services.reminders import in_waking_hours


def test_a_nudge_due_in_the_night_waits_for_the_morning_in_the_recipients_zone() -> None:
    six_in_paris = datetime(2026, 12, 3, 5, 6, tzinfo=UTC)
    assert in_waking_hours(six_in_paris, "Europe/Paris") == datetime(2026, 12, 3, 7, 0, tzinfo=UTC)
    late_in_paris = datetime(2026, 12, 3, 21, 30, tzinfo=UTC)  # 22:30 there
    assert in_waking_hours(late_in_paris, "Europe/Paris") == datetime(2026, 12, 4, 7, 0, tzinfo=UTC)
    noon_in_paris = datetime(2026, 12, 3, 11, 0, tzinfo=UTC)
    assert in_waking_hours(noon_in_paris, "Europe/Paris") == noon_in_paris
    # The same instant is the afternoon in Tokyo: left alone there.
    assert in_waking_hours(six_in_paris, "Asia/Tokyo") == six_in_paris
