"""Reading the "when" text a mentor types ("tomorrow 18:00", "lundi prochain 9h30", ...).

The text is read on the wall clock of the mentor's zone and turned into an aware UTC
instant. Pieces, in order:
0. a Discord timestamp, `<t:1796403600>` or `<t:1796403600:F>` (what the client's time picker
   inserts): that very instant, whatever the zone;
1. "in 2 hours" / "dans 30 minutes": a real duration added to `now`; days and weeks name a
   day, so they take a time of day ("in 3 weeks 18:00", "dans 2 jours à 9h");
2. otherwise a time of day is required ("18:00", "18h30", "6pm", "noon", "midi"), then
   the rest names the day: nothing (today if the time is still ahead, else tomorrow), a
   weekday with an optional "next"/"prochain" (read here, because dateparser misreads some
   of these forms), or anything dateparser reads as a day ("tomorrow", "demain",
   "2026-12-03", "03/12/2026" day first, "3 décembre"), optionally with "next year" /
   "l'année prochaine".
The wall-clock result is placed in the zone with zoneinfo: a time skipped by a
daylight-saving change is refused, a repeated one takes its first occurrence (fold=0).
Errors carry a `WhenProblem`; the caller turns it into a message.
"""

from __future__ import annotations

import contextlib
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum
from pathlib import Path
from zoneinfo import ZoneInfo

MAX_AHEAD = timedelta(days=366)
MAX_TEXT_LENGTH = 200


class WhenProblem(Enum):
    """Why a "when" text was refused."""

    UNREADABLE = "unreadable"
    NO_TIME = "no_time"
    IN_PAST = "in_past"
    TOO_FAR = "too_far"
    NONEXISTENT = "nonexistent"


class WhenError(ValueError):
    """A "when" text that cannot be turned into a future instant."""

    def __init__(self, reason: WhenProblem) -> None:
        """Keep the reason; the caller picks the message."""
        super().__init__(reason.value)
        self.reason = reason


@dataclass(frozen=True)
class _Clock:
    """A time of day found in the text, and the text left once it is removed."""

    at: time
    rest: str


WORDS_FILE = Path("words") / "when.toml"
"""Each language's words, beside its catalogue: `bot/locales/<language>/words/when.toml`."""
LOCALES_DIR = Path(__file__).resolve().parents[1] / "locales"
WEEKDAY_KEYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_LISTS = (
    "relative",
    "next",
    "this",
    "next_after",
    "connectors",
    "and",
    "one",
    "minutes",
    "hours",
    "days",
    "weeks",
)


@dataclass(frozen=True)
class Words:
    """The words the reader understands, every language's together."""

    languages: tuple[str, ...]
    lists: dict[str, frozenset[str]]
    weekdays: dict[str, int]
    named_times: dict[str, time]


def load_words(folder: Path = LOCALES_DIR) -> Words:
    """Read `<language>/words/when.toml` of every language folder; refuse a malformed one."""
    languages: list[str] = []
    lists: dict[str, set[str]] = {key: set() for key in _LISTS}
    weekdays: dict[str, int] = {}
    named: dict[str, time] = {}
    for language_dir in sorted(p for p in folder.iterdir() if p.is_dir()):
        path = language_dir / WORDS_FILE
        if not path.exists():
            continue
        with path.open("rb") as handle:
            data = tomllib.load(handle)
        unknown = set(data) - {*_LISTS, "weekdays", "named_times"}
        if unknown or set(data.get("weekdays", {})) != set(WEEKDAY_KEYS):
            raise ValueError(f"{path}: expected the lists {_LISTS}, weekdays and named_times")
        languages.append(language_dir.name)
        for key in _LISTS:
            lists[key].update(str(word).lower() for word in data.get(key, []))
        for number, day in enumerate(WEEKDAY_KEYS):
            weekdays.update(dict.fromkeys((str(w).lower() for w in data["weekdays"][day]), number))
        for word, clock in data.get("named_times", {}).items():
            named[str(word).lower()] = time.fromisoformat(str(clock))
    if not languages:
        raise ValueError(f"no {WORDS_FILE} in any language folder of {folder}")
    return Words(tuple(languages), {k: frozenset(v) for k, v in lists.items()}, weekdays, named)


def _alternatives(words: Iterable[str]) -> str:
    """Return a regex alternation of `words`, longest first (never matching nothing)."""
    ordered = sorted({re.escape(word) for word in words}, key=len, reverse=True)
    return "|".join(ordered) or "(?!)"


_WORDS = load_words()
LANGUAGES = list(_WORDS.languages)
"""The languages dateparser reads days in: the language folders that have `when` words."""
_WEEKDAYS = _WORDS.weekdays
_WEEKDAY_FORM = re.compile(
    rf"^(?:(?:(?P<next>{_alternatives(_WORDS.lists['next'])})"
    rf"|{_alternatives(_WORDS.lists['this'])})\s+)?"
    rf"(?P<day>{_alternatives(_WEEKDAYS)})"
    rf"(?:\s+(?P<after>{_alternatives(_WORDS.lists['next_after'])}))?$"
)

_CLOCK = re.compile(
    r"""
    (?<![\w:/.\-])(?P<hour>\d{1,2})
    (?:
        :(?P<minute>\d{2})(?::\d{2})?(?:\s*(?P<meridiem>am|pm))?
      | \s*h\s*(?P<french_minute>\d{2})?
      | \s*(?P<bare_meridiem>am|pm)
    )
    (?![\w:])
    """,
    re.VERBOSE,
)
_NAMED_TIMES = _WORDS.named_times
_NAMED_CLOCK = re.compile(rf"(?<![\w\-])(?P<name>{_alternatives(_NAMED_TIMES)})(?![\w\-])")
_CONNECTORS = _WORDS.lists["connectors"]
_HOURS = _WORDS.lists["hours"]
_DAYS = _WORDS.lists["days"]
_WEEKS = _WORDS.lists["weeks"]

_RELATIVE = re.compile(rf"^(?:{_alternatives(_WORDS.lists['relative'])})\s+(?P<rest>.+)$")
_AMOUNT = re.compile(
    rf"""
    (?P<count>\d+|{_alternatives(_WORDS.lists["one"])})\s*
    (?P<unit>{_alternatives(_WORDS.lists["minutes"] | _HOURS | _DAYS | _WEEKS)})(?![a-z])
    (?P<extra_minutes>\d{{2}})?
    (?:\s+(?:{_alternatives(_WORDS.lists["and"])}))?\s*
    """,
    re.VERBOSE,
)
_ISO_DAY = re.compile(r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})")
"""A day written the ISO way (what a calendar or the bot's own examples give): read directly."""
_YEAR = re.compile(r"\b\d{4}\b|\b\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}\b")
_STAMP = re.compile(r"^<t:(?P<unix>-?\d{1,13})(?::[tTdDfFR])?>$")
_DAYS_AHEAD = re.compile(
    rf"^(?:{_alternatives(_WORDS.lists['relative'])})\s+"
    rf"(?P<count>\d+|{_alternatives(_WORDS.lists['one'])})\s*"
    rf"(?P<unit>{_alternatives(_DAYS | _WEEKS)})$"
)
_NEXT_YEAR = re.compile(
    r"(?<![\w\-])(?:next\s+year|l'année\s+prochaine|année\s+prochaine)(?![\w\-])"
)


def _unit_minutes(unit: str) -> int | None:
    """Return the minutes of a day or week unit ("3 days", "2 semaines"), else None."""
    if unit in _DAYS:
        return 24 * 60
    if unit in _WEEKS:
        return 7 * 24 * 60
    return None


def parse_when(text: str, zone: ZoneInfo, now: datetime) -> datetime:
    """Return the aware UTC instant that `text`, read in `zone`, designates after `now`."""
    if now.utcoffset() is None:
        raise ValueError("now must be an aware datetime")
    stamp = _STAMP.match(text.strip())
    if stamp is not None:
        try:
            given = datetime.fromtimestamp(int(stamp["unix"]), tz=UTC)
        except (OverflowError, OSError, ValueError):
            raise WhenError(WhenProblem.TOO_FAR) from None
        _check_range(given, now)
        return given
    cleaned = _normalise(text)
    if not cleaned or len(cleaned) > MAX_TEXT_LENGTH:
        raise WhenError(WhenProblem.UNREADABLE)
    instant = _read_relative(cleaned, now)
    if instant is None:
        wall_clock = _read_wall_clock(cleaned, zone, now)
        instant = _place_in_zone(wall_clock, zone, now)
    _check_range(instant, now)
    return instant


def _normalise(text: str) -> str:
    """Return `text` lowercased, with plain quotes, spaces and an ISO `T` as a space."""
    lowered = text.strip().lower().replace("’", "'").replace(",", " ")
    lowered = re.sub(r"(?<=\d)t(?=\d)", " ", lowered)
    return " ".join(lowered.split())


def _read_relative(text: str, now: datetime) -> datetime | None:
    """Return `now` plus the duration of an "in 2 hours" text, or None for other forms."""
    match = _RELATIVE.match(text)
    if match is None:
        return None
    rest = match["rest"]
    if not re.fullmatch(f"(?:{_AMOUNT.pattern})+", rest, re.VERBOSE):
        return None
    parts = list(_AMOUNT.finditer(rest))
    if any(_DAYS_AHEAD.match(f"in {part.group(0).strip()}") for part in parts):
        raise WhenError(WhenProblem.NO_TIME)  # "in 3 weeks" names a day: at what time?
    minutes = sum(_amount_minutes(part) for part in parts)
    try:
        # In UTC: adding to a datetime in `zone` would add wall-clock time, not elapsed time.
        return now.astimezone(UTC) + timedelta(minutes=minutes)
    except OverflowError:
        raise WhenError(WhenProblem.TOO_FAR) from None


def _amount_minutes(part: re.Match[str]) -> int:
    """Return the number of minutes one "2 hours" piece stands for."""
    count = int(part["count"]) if part["count"].isdigit() else 1
    per_unit = _unit_minutes(part["unit"])
    if per_unit is not None:
        if part["extra_minutes"]:
            raise WhenError(WhenProblem.UNREADABLE)
        return count * per_unit
    if part["unit"] in _HOURS:
        return count * 60 + int(part["extra_minutes"] or 0)
    if part["extra_minutes"]:
        raise WhenError(WhenProblem.UNREADABLE)
    return count


def _read_wall_clock(text: str, zone: ZoneInfo, now: datetime) -> datetime:
    """Return the naive wall-clock datetime that a day-and-time text designates."""
    local_now = now.astimezone(zone).replace(tzinfo=None)
    clock = _find_clock(text)
    if clock is None:
        named = _names_a_day(_strip_connectors(text), local_now)
        raise WhenError(WhenProblem.NO_TIME if named else WhenProblem.UNREADABLE)
    rest = _strip_connectors(clock.rest)
    if not rest:
        return _next_at(clock.at, zone, now)
    ahead = _DAYS_AHEAD.match(rest)
    if ahead is not None:
        count = int(ahead["count"]) if ahead["count"].isdigit() else 1
        days = count * (_unit_minutes(ahead["unit"]) or 0) // (24 * 60)
        if days > MAX_AHEAD.days:
            raise WhenError(WhenProblem.TOO_FAR)
        return datetime.combine(local_now.date() + timedelta(days=days), clock.at)
    weekday = _WEEKDAY_FORM.match(rest)
    if weekday is not None:
        return datetime.combine(_weekday_date(weekday, local_now, clock.at), clock.at)
    next_year = _NEXT_YEAR.search(rest)
    if next_year is not None:
        rest = _strip_connectors(
            " ".join((rest[: next_year.start()] + rest[next_year.end() :]).split())
        )
    day = _read_day(rest, local_now)
    if day is None:
        raise WhenError(WhenProblem.UNREADABLE)
    if next_year is not None:
        if _YEAR.search(rest):
            raise WhenError(WhenProblem.UNREADABLE)
        try:
            day = day.replace(year=local_now.year + 1)
        except ValueError:  # 29 February
            raise WhenError(WhenProblem.UNREADABLE) from None
    elif not _YEAR.search(rest):
        day = _undo_early_rollover(day, local_now, clock.at)
    return datetime.combine(day, clock.at)


def _names_a_day(text: str, local_now: datetime) -> bool:
    """Return whether `text` names a day (without a time of day)."""
    return _WEEKDAY_FORM.match(text) is not None or _read_day(text, local_now) is not None


def _find_clock(text: str) -> _Clock | None:
    """Return the single time of day in `text`, or None if there is none."""
    numeric = list(_CLOCK.finditer(text))
    named = list(_NAMED_CLOCK.finditer(text))
    if len(numeric) + len(named) > 1:
        raise WhenError(WhenProblem.UNREADABLE)
    if named:
        match = named[0]
        at = _NAMED_TIMES[match["name"]]
    elif numeric:
        match = numeric[0]
        at = _clock_time(match)
    else:
        return None
    rest = text[: match.start()] + " " + text[match.end() :]
    return _Clock(at=at, rest=" ".join(rest.split()))


def _clock_time(match: re.Match[str]) -> time:
    """Return the time of day of a numeric clock match, checking its ranges."""
    hour = int(match["hour"])
    minute = int(match["minute"] or match["french_minute"] or 0)
    meridiem = match["meridiem"] or match["bare_meridiem"]
    if meridiem is not None:
        if not 1 <= hour <= 12:
            raise WhenError(WhenProblem.UNREADABLE)
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    if hour > 23 or minute > 59:
        raise WhenError(WhenProblem.UNREADABLE)
    return time(hour, minute)


def _strip_connectors(text: str) -> str:
    """Return `text` without linking words ("at", "à", "on", ...) at either end."""
    words = text.split()
    while words and words[0] in _CONNECTORS:
        words.pop(0)
    while words and words[-1] in _CONNECTORS:
        words.pop()
    return " ".join(words)


def _next_at(at: time, zone: ZoneInfo, now: datetime) -> datetime:
    """Return today at `at` if that instant (first one, fold=0) is still ahead, else tomorrow."""
    today = datetime.combine(now.astimezone(zone).date(), at)
    ahead = today.replace(tzinfo=zone).astimezone(UTC) > now.astimezone(UTC)
    return today if ahead else today + timedelta(days=1)


def _weekday_date(match: re.Match[str], local_now: datetime, at: time) -> date:
    """Return the date a weekday form designates.

    "monday 9:30" / "this monday 9:30" is the next Monday 9:30 still ahead (today if it is
    Monday before 9:30);
    "next monday" / "lundi prochain" is the first Monday after today, never today.
    """
    wanted = _WEEKDAYS[match["day"]]
    days_ahead = (wanted - local_now.weekday()) % 7
    is_next = match["next"] is not None or match["after"] is not None
    if days_ahead == 0 and (is_next or datetime.combine(local_now.date(), at) <= local_now):
        days_ahead = 7
    return local_now.date() + timedelta(days=days_ahead)


def _read_day(text: str, local_now: datetime) -> date | None:
    """Return the day dateparser reads in `text` (a whole day, not a week or month), or None.

    A valid ISO day (2027-03-04) is read without dateparser, which takes milliseconds per
    text; anything else (2027-13-01 included, which dateparser reads as 13 January) is its.
    """
    iso_day = _ISO_DAY.fullmatch(text)
    if iso_day is not None:
        with contextlib.suppress(ValueError):
            return date(int(iso_day["year"]), int(iso_day["month"]), int(iso_day["day"]))
    from dateparser.date import DateDataParser  # here, not at start: ~3 MiB the bot rarely needs

    parser = DateDataParser(
        languages=LANGUAGES,
        settings={
            "RELATIVE_BASE": local_now,
            "PREFER_DATES_FROM": "future",
            "DATE_ORDER": "DMY",
            "RETURN_AS_TIMEZONE_AWARE": False,
            "REQUIRE_PARTS": ["day"],
        },
    )
    data = parser.get_date_data(text)
    if data.date_obj is None or data.period != "day":
        return None
    found: date = data.date_obj.date()
    return found


def _undo_early_rollover(day: date, local_now: datetime, at: time) -> date:
    """Return this year's date if dateparser pushed a year-less date still ahead to next year.

    dateparser prefers future dates day by day, so "29 nov 18:00" read on 29 November at
    10:00 comes back as next year's 29 November.
    """
    try:
        earlier = day.replace(year=day.year - 1)
    except ValueError:
        return day
    if earlier >= local_now.date() and datetime.combine(earlier, at) > local_now:
        return earlier
    return day


def _place_in_zone(wall_clock: datetime, zone: ZoneInfo, now: datetime) -> datetime:
    """Return the UTC instant of `wall_clock` in `zone`; refuse a time skipped by DST."""
    try:
        instant = wall_clock.replace(tzinfo=zone, fold=0).astimezone(UTC)
    except OverflowError:
        later = wall_clock > now.astimezone(zone).replace(tzinfo=None)
        raise WhenError(WhenProblem.TOO_FAR if later else WhenProblem.IN_PAST) from None
    if instant.astimezone(zone).replace(tzinfo=None) != wall_clock:
        raise WhenError(WhenProblem.NONEXISTENT)
    return instant


def _check_range(instant: datetime, now: datetime) -> None:
    """Refuse an instant not after `now` or more than `MAX_AHEAD` after it."""
    if instant <= now:
        raise WhenError(WhenProblem.IN_PAST)
    if instant - now > MAX_AHEAD:
        raise WhenError(WhenProblem.TOO_FAR)


def parse_day(text: str, zone: ZoneInfo, now: datetime) -> date:
    """Return the day a text names on the zone's calendar ("12 August", "friday", a timestamp).

    Today or later, at most `MAX_AHEAD` away; a time of day in the text is not needed.
    """
    if now.utcoffset() is None:
        raise ValueError("now must be an aware datetime")
    local_now = now.astimezone(zone).replace(tzinfo=None)
    stamp = _STAMP.match(text.strip())
    if stamp is not None:
        try:
            found = datetime.fromtimestamp(int(stamp["unix"]), tz=UTC).astimezone(zone).date()
        except (OverflowError, OSError, ValueError):
            raise WhenError(WhenProblem.TOO_FAR) from None
    else:
        cleaned = _strip_connectors(_normalise(text))
        if not cleaned or len(cleaned) > MAX_TEXT_LENGTH:
            raise WhenError(WhenProblem.UNREADABLE)
        weekday = _WEEKDAY_FORM.match(cleaned)
        if weekday is not None:
            found = _weekday_date(weekday, local_now, time(23, 59))
        else:
            day = _read_day(cleaned, local_now)
            if day is None:
                raise WhenError(WhenProblem.UNREADABLE)
            found = (
                day if _YEAR.search(cleaned) else _undo_early_rollover(day, local_now, time(23, 59))
            )
    if found < local_now.date():
        raise WhenError(WhenProblem.IN_PAST)
    if found - local_now.date() > MAX_AHEAD:
        raise WhenError(WhenProblem.TOO_FAR)
    return found
