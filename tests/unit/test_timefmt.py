"""Dates in the reader's language: weekday and month names, the year when not this year."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.services.program_stats import CHART_STATUSES, WeekCounts, render_chart
from bot.timefmt import day_label, local_date, short_when

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
THURSDAY = datetime(2026, 12, 3, 17, 30, tzinfo=UTC)
NEXT_YEAR = datetime(2027, 1, 7, 17, 30, tzinfo=UTC)


def test_autocomplete_labels_read_in_the_readers_language() -> None:
    french = short_when(THURSDAY, "Europe/Paris", "fr", now=NOW)
    assert french == "jeu. 3 déc. 18:30 (Europe/Paris)"
    assert short_when(THURSDAY, "Europe/Paris", "en", now=NOW) == "Thu 3 Dec 18:30 (Europe/Paris)"


def test_the_year_shows_only_when_it_is_not_this_year() -> None:
    assert short_when(NEXT_YEAR, "Europe/Paris", "fr", now=NOW).startswith("jeu. 7 janv. 2027")
    assert local_date(THURSDAY, "Europe/Paris", "fr", now=NOW) == "3 déc."
    assert local_date(NEXT_YEAR, "Europe/Paris", "en", now=NOW) == "7 Jan 2027"
    assert day_label(date(2025, 12, 29), "fr", today=date(2026, 1, 5)) == "29 déc. 2025"


def test_an_unknown_language_reads_in_english() -> None:
    assert local_date(THURSDAY, "UTC", "xx", now=NOW) == "3 Dec"
    assert local_date(THURSDAY, "UTC", None, now=NOW) == "3 Dec"


def test_the_chart_draws_with_french_week_labels() -> None:
    weeks = [WeekCounts(date(2026, 11, 23), dict.fromkeys(CHART_STATUSES, 1))]
    png = render_chart(weeks, {"held": "Effectuées"}, "Sessions par semaine", "fr")
    assert png.startswith(b"\x89PNG")
