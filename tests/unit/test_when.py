"""Reading a mentor's "when" text into a UTC instant."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.scheduling.when import WhenError, WhenProblem, parse_when
from tests.unit.clocks import wall_clock

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")
# Sunday 29 November 2026, 10:00 in Paris (09:00 UTC).
NOW = datetime(2026, 11, 29, 10, 0, tzinfo=PARIS)


def paris(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """Return a Paris wall-clock time as an aware UTC instant."""
    return datetime(year, month, day, hour, minute, tzinfo=PARIS).astimezone(UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tomorrow 18:00", paris(2026, 11, 30, 18)),
        ("tomorrow at 6pm", paris(2026, 11, 30, 18)),
        ("Tomorrow at 6:30 PM", paris(2026, 11, 30, 18, 30)),
        ("next monday 9:30", paris(2026, 11, 30, 9, 30)),
        ("monday 9:30", paris(2026, 11, 30, 9, 30)),
        ("mon 9:30", paris(2026, 11, 30, 9, 30)),
        ("on friday at 10am", paris(2026, 12, 4, 10)),
        ("this friday 10:00", paris(2026, 12, 4, 10)),
        ("next friday at 6pm", paris(2026, 12, 4, 18)),
        ("2026-12-03 18:30", paris(2026, 12, 3, 18, 30)),
        ("2026-12-03T18:30", paris(2026, 12, 3, 18, 30)),
        ("03/12/2026 18:30", paris(2026, 12, 3, 18, 30)),
        ("03.12.2026 18:30", paris(2026, 12, 3, 18, 30)),
        ("3 december 18:30", paris(2026, 12, 3, 18, 30)),
        ("in 2 hours", paris(2026, 11, 29, 12)),
        ("in 30 minutes", paris(2026, 11, 29, 10, 30)),
        ("in an hour", paris(2026, 11, 29, 11)),
        ("in 2 days 18:00", paris(2026, 12, 1, 18)),
        ("today 17:00", paris(2026, 11, 29, 17)),
        ("18:00", paris(2026, 11, 29, 18)),
        ("9:00", paris(2026, 11, 30, 9)),
        ("noon", paris(2026, 11, 29, 12)),
        ("demain 18h", paris(2026, 11, 30, 18)),
        ("demain à 18h", paris(2026, 11, 30, 18)),
        ("demain midi", paris(2026, 11, 30, 12)),
        ("lundi prochain 9h30", paris(2026, 11, 30, 9, 30)),
        ("lundi 9h30", paris(2026, 11, 30, 9, 30)),
        ("aujourd'hui 17h", paris(2026, 11, 29, 17)),
        ("aujourd’hui 17h", paris(2026, 11, 29, 17)),
        ("après-demain 8h15", paris(2026, 12, 1, 8, 15)),
        ("le 3 décembre à 18h30", paris(2026, 12, 3, 18, 30)),
        ("jeudi 3 décembre à 18h", paris(2026, 12, 3, 18)),
        ("dans 2 heures", paris(2026, 11, 29, 12)),
        ("dans 1h30", paris(2026, 11, 29, 11, 30)),
        ("18h", paris(2026, 11, 29, 18)),
    ],
)
def test_accepted_forms(text: str, expected: datetime) -> None:
    result = parse_when(text, PARIS, NOW)
    assert result == expected
    assert result.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Today is Sunday: a bare weekday is the next one still ahead, "next" skips today.
        ("sunday 18:00", paris(2026, 11, 29, 18)),
        ("sunday 9:00", paris(2026, 12, 6, 9)),
        ("next sunday 18:00", paris(2026, 12, 6, 18)),
        ("dimanche prochain 18h", paris(2026, 12, 6, 18)),
        # A year-less date means its next occurrence that is still ahead.
        ("29 nov 18:00", paris(2026, 11, 29, 18)),
        ("29 nov 9:00", paris(2027, 11, 29, 9)),
        ("1 jan 9:00", paris(2027, 1, 1, 9)),
    ],
)
def test_day_choice(text: str, expected: datetime) -> None:
    assert parse_when(text, PARIS, NOW) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", WhenProblem.UNREADABLE),
        ("   ", WhenProblem.UNREADABLE),
        ("garbage", WhenProblem.UNREADABLE),
        ("whenever 18:00", WhenProblem.UNREADABLE),
        ("25:00", WhenProblem.UNREADABLE),
        ("18:75", WhenProblem.UNREADABLE),
        ("13pm", WhenProblem.UNREADABLE),
        ("18:00 19:00", WhenProblem.UNREADABLE),
        ("next week 18:00", WhenProblem.UNREADABLE),
        ("december 18:00", WhenProblem.UNREADABLE),
        ("x" * 300, WhenProblem.UNREADABLE),
        ("tomorrow", WhenProblem.NO_TIME),
        ("demain", WhenProblem.NO_TIME),
        ("monday", WhenProblem.NO_TIME),
        ("lundi prochain", WhenProblem.NO_TIME),
        ("2026-12-03", WhenProblem.NO_TIME),
        ("03/12/2026", WhenProblem.NO_TIME),
        ("in 2 days", WhenProblem.NO_TIME),
        ("today 9:00", WhenProblem.IN_PAST),
        ("today 10:00", WhenProblem.IN_PAST),
        ("2026-11-28 18:00", WhenProblem.IN_PAST),
        ("12/03/2026 10:00", WhenProblem.IN_PAST),
        ("in 0 minutes", WhenProblem.IN_PAST),
        ("2028-01-01 10:00", WhenProblem.TOO_FAR),
        ("in 9000 hours", WhenProblem.TOO_FAR),
        ("in 99999999999 hours", WhenProblem.TOO_FAR),
        ("2027-03-28 02:30", WhenProblem.NONEXISTENT),
    ],
)
def test_refused_forms(text: str, reason: WhenProblem) -> None:
    with pytest.raises(WhenError) as caught:
        parse_when(text, PARIS, NOW)
    assert caught.value.reason is reason


def test_limit_is_366_days() -> None:
    assert parse_when("2027-11-30 09:00", PARIS, NOW) == paris(2027, 11, 30, 9)
    with pytest.raises(WhenError) as caught:
        parse_when("2027-11-30 10:01", PARIS, NOW)
    assert caught.value.reason is WhenProblem.TOO_FAR


def test_spring_forward_gap_is_refused() -> None:
    now = datetime(2026, 3, 1, 12, 0, tzinfo=PARIS)
    with pytest.raises(WhenError) as caught:
        parse_when("2026-03-29 02:30", PARIS, now)
    assert caught.value.reason is WhenProblem.NONEXISTENT
    assert parse_when("2026-03-29 03:30", PARIS, now) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


def test_fall_back_takes_first_occurrence() -> None:
    now = datetime(2026, 10, 1, 12, 0, tzinfo=PARIS)
    result = parse_when("2026-10-25 02:30", PARIS, now)
    assert result == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert result.astimezone(PARIS).utcoffset() == timedelta(hours=2)


def test_relative_duration_is_real_elapsed_time_across_dst() -> None:
    now = datetime(2026, 3, 29, 1, 30, tzinfo=PARIS)  # 00:30 UTC, half an hour before the gap
    result = parse_when("in 2 hours", PARIS, now)
    assert result == datetime(2026, 3, 29, 2, 30, tzinfo=UTC)
    assert result.astimezone(PARIS).hour == 4


def test_text_is_read_in_the_given_zone() -> None:
    assert parse_when("tomorrow 18:00", NEW_YORK, NOW) == datetime(2026, 11, 30, 23, tzinfo=UTC)
    # 09:00 UTC is already 18:00 in Tokyo: "18:00" there means tomorrow.
    assert parse_when("18:00", TOKYO, NOW) == datetime(2026, 11, 30, 9, tzinfo=UTC)
    assert parse_when("18:01", TOKYO, NOW) == datetime(2026, 11, 29, 9, 1, tzinfo=UTC)


def test_now_in_any_zone_gives_the_same_answer() -> None:
    in_utc = NOW.astimezone(UTC)
    in_tokyo = NOW.astimezone(TOKYO)
    assert parse_when("monday 9:30", PARIS, in_utc) == parse_when("monday 9:30", PARIS, NOW)
    assert parse_when("monday 9:30", PARIS, in_tokyo) == paris(2026, 11, 30, 9, 30)


def test_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="aware"):
        parse_when("18:00", PARIS, wall_clock(2026, 11, 29, 10, 0))


def test_error_carries_reason_and_no_message_text() -> None:
    error = WhenError(WhenProblem.NO_TIME)
    assert error.reason is WhenProblem.NO_TIME
    assert str(error) == "no_time"


@given(
    zone_name=st.sampled_from(
        ["Europe/Paris", "America/New_York", "Asia/Tokyo", "Australia/Lord_Howe", "UTC"]
    ),
    now_utc=st.datetimes(
        min_value=wall_clock(2020, 1, 1), max_value=wall_clock(2035, 12, 31), timezones=st.just(UTC)
    ),
    hour=st.integers(0, 23),
    minute=st.integers(0, 59),
)
def test_bare_time_is_next_such_wall_clock(
    zone_name: str, now_utc: datetime, hour: int, minute: int
) -> None:
    zone = ZoneInfo(zone_name)
    text = f"{hour}:{minute:02d}"
    today = datetime.combine(now_utc.astimezone(zone).date(), time(hour, minute))
    still_ahead = today.replace(tzinfo=zone).astimezone(UTC) > now_utc
    wall_clock = today if still_ahead else today + timedelta(days=1)
    if not exists(wall_clock, zone):
        with pytest.raises(WhenError) as caught:
            parse_when(text, zone, now_utc)
        assert caught.value.reason is WhenProblem.NONEXISTENT
        return
    result = parse_when(text, zone, now_utc)
    local = result.astimezone(zone)
    assert (local.hour, local.minute) == (hour, minute)
    assert now_utc < result <= now_utc + timedelta(hours=25)


def exists(wall_clock: datetime, zone: ZoneInfo) -> bool:
    """Return whether a naive wall-clock time is shown by clocks in `zone`."""
    aware = wall_clock.replace(tzinfo=zone)
    return aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall_clock


# -- Discord timestamps, weeks and days ahead, next year (issue 15) -------------------------


@pytest.mark.parametrize("text", ["<t:1796403600>", "<t:1796403600:F>", " <t:1796403600:R> "])
def test_a_discord_timestamp_is_that_very_instant_in_any_zone(text: str) -> None:
    for zone in (PARIS, ZoneInfo("Asia/Tokyo"), ZoneInfo("America/New_York")):
        assert parse_when(text, zone, NOW) == datetime(2026, 12, 4, 17, 0, tzinfo=UTC)


def test_a_past_or_far_timestamp_is_refused_like_any_time() -> None:
    with pytest.raises(WhenError) as past:
        parse_when("<t:1000000000>", PARIS, NOW)
    assert past.value.reason is WhenProblem.IN_PAST
    with pytest.raises(WhenError) as far:
        parse_when("<t:9999999999>", PARIS, NOW)
    assert far.value.reason is WhenProblem.TOO_FAR


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("in a week 9:30", datetime(2026, 12, 6, 9, 30, tzinfo=PARIS)),
        ("in 3 weeks 18:00", datetime(2026, 12, 20, 18, 0, tzinfo=PARIS)),
        ("dans 2 jours à 9h", datetime(2026, 12, 1, 9, 0, tzinfo=PARIS)),
        ("4 jan next year 18:00", datetime(2027, 1, 4, 18, 0, tzinfo=PARIS)),
        ("3 février l'année prochaine 10h", datetime(2027, 2, 3, 10, 0, tzinfo=PARIS)),
    ],
)
def test_weeks_days_and_next_year(text: str, expected: datetime) -> None:
    assert parse_when(text, PARIS, NOW) == expected.astimezone(UTC)


@pytest.mark.parametrize("text", ["in 3 weeks", "dans 2 semaines", "in a week", "in 2 days"])
def test_weeks_and_days_without_a_time_ask_for_the_time(text: str) -> None:
    with pytest.raises(WhenError) as error:
        parse_when(text, PARIS, NOW)
    assert error.value.reason is WhenProblem.NO_TIME


def test_next_year_beyond_the_limit_is_too_far() -> None:
    with pytest.raises(WhenError) as error:
        parse_when("1 dec next year 18:00", PARIS, NOW)
    assert error.value.reason is WhenProblem.TOO_FAR


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2027-03-04", paris(2027, 3, 4, 19, 30)),
        ("2026-12-31", paris(2026, 12, 31, 19, 30)),
        ("2027-13-01", paris(2027, 1, 13, 19, 30)),  # not a valid ISO day: dateparser's reading
    ],
)
def test_an_iso_day_reads_as_dateparser_reads_it(
    day: str, expected: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.scheduling.when as when

    fast = parse_when(f"{day} 19:30", PARIS, NOW)
    monkeypatch.setattr(when, "_ISO_DAY", when.re.compile(r"(?!)"))  # dateparser alone
    assert fast == parse_when(f"{day} 19:30", PARIS, NOW) == expected
