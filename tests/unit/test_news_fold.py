"""Folding session news: what a student needs to know of a minute's changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.services.news import fold
from bot.storage.news import Change, News

T0 = datetime(2026, 12, 4, 17, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def news(
    number: int,
    change: Change,
    *,
    session: int | None = 1,
    at: datetime | None = T0,
    old: datetime | None = None,
    **detail: Any,
) -> News:
    return News(
        id=number,
        recipient_id=7,
        guild_id=1,
        mentorship_id=3,
        mentor_id=5,
        session_id=session,
        change=change,
        starts_at=at,
        old_starts_at=old,
        detail=detail,
        due_at=T0,
        status="sending",
        batch="news-1",
    )


def test_planned_then_moved_reads_as_planned_at_the_new_time() -> None:
    [only] = fold([news(1, Change.SCHEDULED), news(2, Change.RESCHEDULED, at=T0 + HOUR, old=T0)])
    assert (only.change, only.starts_at) == (Change.SCHEDULED, T0 + HOUR)


def test_planned_then_cancelled_is_nothing() -> None:
    assert fold([news(1, Change.SCHEDULED), news(2, Change.CANCELLED)]) == []


def test_moved_twice_reads_as_one_move_from_the_first_time() -> None:
    [only] = fold(
        [
            news(1, Change.RESCHEDULED, at=T0 + HOUR, old=T0, asked=True),
            news(2, Change.RESCHEDULED, at=T0 + 2 * HOUR, old=T0 + HOUR, asked=False),
        ]
    )
    assert (only.old_starts_at, only.starts_at, only.detail["asked"]) == (T0, T0 + 2 * HOUR, True)


def test_moved_back_where_it_was_is_nothing() -> None:
    moves = [
        news(1, Change.RESCHEDULED, at=T0 + HOUR, old=T0),
        news(2, Change.RESCHEDULED, at=T0, old=T0 + HOUR),
    ]
    assert fold(moves) == []


def test_moved_then_cancelled_reads_as_the_original_time_cancelled() -> None:
    [only] = fold(
        [news(1, Change.RESCHEDULED, at=T0 + HOUR, old=T0), news(2, Change.CANCELLED, at=T0 + HOUR)]
    )
    assert (only.change, only.starts_at) == (Change.CANCELLED, T0)


def test_other_sessions_series_and_archives_are_kept_in_order() -> None:
    items = [
        news(1, Change.SERIES, session=1, repeat="weekly"),
        news(2, Change.CANCELLED, session=2),
        news(3, Change.ARCHIVED, session=None, at=None, count=2),
    ]
    assert [n.id for n in fold(items)] == [1, 2, 3]
