"""Weekly series keep their wall-clock time in the mentor's zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.scheduling.recurrence import (
    Repeat,
    SeriesRule,
    to_local,
)
from bot.timefmt import discord_stamp
from tests.unit.clocks import wall_clock

PARIS = "Europe/Paris"
# Zones whose UTC offset jumped by more than one hour at once since 2012 (tzdata).
LARGE_JUMP_ZONES = frozenset(
    {
        "Antarctica/Casey",
        "Antarctica/Davis",
        "Antarctica/Troll",
        "Antarctica/Vostok",
        "Asia/Chita",
        "Asia/Magadan",
        "Europe/Simferopol",
    }
)


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """Return an aware UTC datetime."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def weekly(zone: str, local_start: datetime, repeat: Repeat = Repeat.WEEKLY) -> SeriesRule:
    """Return a series rule."""
    return SeriesRule(zone=zone, local_start=local_start, repeat=repeat)


@pytest.mark.parametrize(
    ("repeat", "weeks"), [(Repeat.NONE, 0), (Repeat.WEEKLY, 1), (Repeat.BIWEEKLY, 2)]
)
def test_interval_weeks(repeat: Repeat, weeks: int) -> None:
    assert repeat.interval_weeks == weeks


def test_repeat_values_are_stable_strings() -> None:
    assert [str(repeat) for repeat in Repeat] == ["none", "weekly", "biweekly"]
    assert Repeat("biweekly") is Repeat.BIWEEKLY


def test_paris_keeps_18h_across_spring_forward() -> None:
    rule = weekly(PARIS, wall_clock(2026, 3, 22, 18, 0))
    assert rule.nth(0) == utc(2026, 3, 22, 17)
    assert rule.nth(1) == utc(2026, 3, 29, 16)
    assert rule.nth(2) == utc(2026, 4, 5, 16)
    for n in range(3):
        assert to_local(rule.nth(n), PARIS).hour == 18


def test_paris_keeps_18h_across_fall_back() -> None:
    rule = weekly(PARIS, wall_clock(2026, 10, 18, 18, 0))
    assert rule.occurrences(utc(2026, 10, 1, 0), utc(2026, 11, 2, 0)) == [
        utc(2026, 10, 18, 16),
        utc(2026, 10, 25, 17),
        utc(2026, 11, 1, 17),
    ]


def test_occurrences_window_includes_after_excludes_until() -> None:
    rule = weekly(PARIS, wall_clock(2026, 11, 2, 18, 0))
    first, second, third = utc(2026, 11, 2, 17), utc(2026, 11, 9, 17), utc(2026, 11, 16, 17)
    assert rule.occurrences(first, third) == [first, second]
    assert rule.occurrences(first + timedelta(seconds=1), third + timedelta(seconds=1)) == [
        second,
        third,
    ]
    assert rule.occurrences(third, third) == []


def test_occurrences_before_the_start_are_empty() -> None:
    rule = weekly(PARIS, wall_clock(2026, 11, 2, 18, 0))
    assert rule.occurrences(utc(2026, 1, 1, 0), utc(2026, 11, 2, 17)) == []


def test_occurrences_far_from_an_old_start() -> None:
    rule = weekly(PARIS, wall_clock(2020, 1, 6, 18, 0))
    found = rule.occurrences(utc(2026, 7, 1, 0), utc(2026, 7, 15, 0))
    assert found == [utc(2026, 7, 6, 16), utc(2026, 7, 13, 16)]


def test_occurrences_accept_any_aware_bounds() -> None:
    rule = weekly(PARIS, wall_clock(2026, 11, 2, 18, 0))
    tokyo = ZoneInfo("Asia/Tokyo")
    after = utc(2026, 11, 9, 17).astimezone(tokyo)
    assert rule.occurrences(after, after + timedelta(days=1)) == [utc(2026, 11, 9, 17)]


def test_new_york_and_tokyo_share_a_start_then_diverge_at_us_dst() -> None:
    start = utc(2026, 3, 2, 23)  # 18:00 in New York (EST), 08:00 next day in Tokyo
    new_york = SeriesRule.from_utc(start, "America/New_York", Repeat.WEEKLY)
    tokyo = SeriesRule.from_utc(start, "Asia/Tokyo", Repeat.WEEKLY)
    assert new_york.local_start == wall_clock(2026, 3, 2, 18, 0)
    assert tokyo.local_start == wall_clock(2026, 3, 3, 8, 0)
    assert new_york.nth(0) == tokyo.nth(0) == start
    # The US moves to summer time on 2026-03-08; Japan has no daylight-saving time.
    assert new_york.nth(1) == utc(2026, 3, 9, 22)
    assert tokyo.nth(1) == utc(2026, 3, 9, 23)
    assert to_local(new_york.nth(1), "America/New_York").hour == 18
    assert to_local(tokyo.nth(1), "Asia/Tokyo").hour == 8
    week = timedelta(weeks=1)
    assert [tokyo.nth(n + 1) - tokyo.nth(n) for n in range(10)] == [week] * 10


def test_biweekly_series() -> None:
    rule = weekly(PARIS, wall_clock(2026, 3, 15, 18, 0), Repeat.BIWEEKLY)
    assert rule.occurrences(utc(2026, 3, 1, 0), utc(2026, 4, 20, 0)) == [
        utc(2026, 3, 15, 17),
        utc(2026, 3, 29, 16),
        utc(2026, 4, 12, 16),
    ]
    assert rule.nth(3) == utc(2026, 4, 26, 16)


def test_gap_moves_forward_by_the_gap() -> None:
    rule = weekly(PARIS, wall_clock(2026, 3, 22, 2, 30))
    assert rule.nth(0) == utc(2026, 3, 22, 1, 30)
    # 02:30 does not exist on 2026-03-29 in Paris: the occurrence is at 03:30 local.
    assert rule.nth(1) == utc(2026, 3, 29, 1, 30)
    assert to_local(rule.nth(1), PARIS).replace(tzinfo=None) == wall_clock(2026, 3, 29, 3, 30)
    assert to_local(rule.nth(2), PARIS).replace(tzinfo=None) == wall_clock(2026, 4, 5, 2, 30)


def test_fold_takes_the_first_occurrence() -> None:
    rule = weekly(PARIS, wall_clock(2026, 10, 18, 2, 30))
    # 02:30 happens twice on 2026-10-25 in Paris: first at +02:00 (00:30Z), then +01:00.
    assert rule.nth(1) == utc(2026, 10, 25, 0, 30)
    assert to_local(rule.nth(1), PARIS).utcoffset() == timedelta(hours=2)


def test_single_session_has_one_occurrence() -> None:
    rule = weekly(PARIS, wall_clock(2026, 12, 3, 18, 30), Repeat.NONE)
    assert rule.nth(0) == utc(2026, 12, 3, 17, 30)
    assert rule.occurrences(utc(2026, 1, 1, 0), utc(2027, 12, 31, 0)) == [utc(2026, 12, 3, 17, 30)]
    assert rule.occurrences(utc(2026, 12, 4, 0), utc(2027, 12, 31, 0)) == []
    with pytest.raises(ValueError, match="single occurrence"):
        rule.nth(1)


def test_negative_index_is_refused() -> None:
    with pytest.raises(ValueError, match=">= 0"):
        weekly(PARIS, wall_clock(2026, 12, 3, 18, 30)).nth(-1)


def test_from_utc_keeps_the_local_wall_clock() -> None:
    rule = SeriesRule.from_utc(utc(2026, 12, 3, 17, 30), PARIS, Repeat.WEEKLY)
    assert rule == SeriesRule(PARIS, wall_clock(2026, 12, 3, 18, 30), Repeat.WEEKLY)
    assert rule.local_start.tzinfo is None


def test_rule_refuses_bad_inputs() -> None:
    with pytest.raises(ValueError, match="naive"):
        SeriesRule(PARIS, utc(2026, 12, 3, 17, 30), Repeat.WEEKLY)
    with pytest.raises(ZoneInfoNotFoundError):
        SeriesRule("Mars/Olympus_Mons", wall_clock(2026, 12, 3, 18, 30), Repeat.WEEKLY)
    with pytest.raises(ValueError, match="aware"):
        SeriesRule.from_utc(wall_clock(2026, 12, 3, 17, 30), PARIS, Repeat.WEEKLY)
    rule = weekly(PARIS, wall_clock(2026, 12, 3, 18, 30))
    with pytest.raises(ValueError, match="aware"):
        rule.occurrences(wall_clock(2026, 12, 1), utc(2026, 12, 31, 0))


def test_to_local() -> None:
    local = to_local(utc(2026, 7, 1, 16), PARIS)
    assert local.replace(tzinfo=None) == wall_clock(2026, 7, 1, 18, 0)
    assert local.utcoffset() == timedelta(hours=2)
    with pytest.raises(ValueError, match="aware"):
        to_local(wall_clock(2026, 7, 1, 16), PARIS)


def test_discord_timestamp() -> None:
    instant = utc(2026, 11, 29, 9)
    assert discord_stamp(instant) == "<t:1795942800:F>"
    assert discord_stamp(instant.astimezone(ZoneInfo(PARIS)), "R") == "<t:1795942800:R>"
    assert [discord_stamp(instant, style)[-2] for style in "tTdDfFR"] == list("tTdDfFR")


@pytest.mark.parametrize("style", ["", "x", "FF", "r"])
def test_discord_timestamp_refuses_unknown_style(style: str) -> None:
    with pytest.raises(ValueError, match="style"):
        discord_stamp(utc(2026, 11, 29, 9), style)


def test_discord_timestamp_refuses_naive() -> None:
    with pytest.raises(ValueError, match="aware"):
        discord_stamp(wall_clock(2026, 11, 29, 9))


def exists(wall_clock: datetime, zone: ZoneInfo) -> bool:
    """Return whether a naive wall-clock time is shown by clocks in `zone`."""
    aware = wall_clock.replace(tzinfo=zone)
    return aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall_clock


ZONES = st.sampled_from(sorted(available_timezones()))
STARTS = st.datetimes(min_value=wall_clock(2012, 1, 1), max_value=wall_clock(2037, 12, 31))
REPEATS = st.sampled_from([Repeat.WEEKLY, Repeat.BIWEEKLY])


@given(zone_name=ZONES, local_start=STARTS, repeat=REPEATS, count=st.integers(2, 60))
def test_occurrences_keep_the_wall_clock(
    zone_name: str, local_start: datetime, repeat: Repeat, count: int
) -> None:
    zone = ZoneInfo(zone_name)
    rule = SeriesRule(zone_name, local_start, repeat)
    period = timedelta(weeks=repeat.interval_weeks)
    instants = [rule.nth(n) for n in range(count)]
    for n, instant in enumerate(instants):
        assert instant.utcoffset() == timedelta(0)
        wall_clock = local_start + n * period
        local = instant.astimezone(zone).replace(tzinfo=None)
        if exists(wall_clock, zone):
            assert local == wall_clock
        else:
            # PEP 495: in a gap, fold=0 gives the offset before the change, fold=1 after.
            before = wall_clock.replace(fold=0, tzinfo=zone).utcoffset()
            after = wall_clock.replace(fold=1, tzinfo=zone).utcoffset()
            assert before is not None
            assert after is not None
            assert after > before
            assert local == wall_clock + (after - before)
    tolerance = timedelta(hours=3 if zone_name in LARGE_JUMP_ZONES else 1)
    for earlier, later in pairwise(instants):
        assert later > earlier
        assert abs((later - earlier) - period) <= tolerance


@given(
    zone_name=ZONES,
    local_start=STARTS,
    repeat=st.sampled_from(list(Repeat)),
    after_weeks=st.integers(-10, 120),
    span_days=st.integers(0, 200),
)
def test_occurrences_match_nth(
    zone_name: str, local_start: datetime, repeat: Repeat, after_weeks: int, span_days: int
) -> None:
    rule = SeriesRule(zone_name, local_start, repeat)
    after = rule.nth(0) + timedelta(weeks=after_weeks, hours=5)
    until = after + timedelta(days=span_days)
    last = 1 if repeat is Repeat.NONE else 200
    expected = [t for t in (rule.nth(n) for n in range(last)) if after <= t < until]
    assert rule.occurrences(after, until) == expected
    indexed = rule.indexed_occurrences(after, until)
    assert [t for _, t in indexed] == expected
    assert all(rule.nth(n) == t for n, t in indexed)
    found, following = rule.walk(after, until)
    assert found == indexed
    later = [t for t in (rule.nth(n) for n in range(last)) if t >= until]
    assert following == (until if repeat is Repeat.NONE else later[0])


@given(
    zone_name=ZONES,
    start=st.datetimes(
        min_value=wall_clock(1900, 1, 1), max_value=wall_clock(2200, 1, 1), timezones=st.just(UTC)
    ),
)
def test_from_utc_round_trips_outside_folds(zone_name: str, start: datetime) -> None:
    local = start.astimezone(ZoneInfo(zone_name))
    rule = SeriesRule.from_utc(start, zone_name, Repeat.WEEKLY)
    assert rule.local_start == local.replace(tzinfo=None, fold=0)
    if local.fold == 0:
        assert rule.nth(0) == start
