"""The health of a server's program: counts, students left alone, mentors' load, a chart."""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from bot.db import Reader
from bot.services.people import effective_zone
from bot.storage import program as store
from bot.storage.program import MentorLoad, QuietStudent, SessionFact
from bot.timefmt import day_label
from bot.vocabulary import OUTCOME, OUTCOMES, SessionStatus

PERIODS: Final = (7, 30, 90)
QUIET_AFTER: Final = timedelta(weeks=3)
UNRECORDED_AFTER: Final = timedelta(days=1)
CHART_STATUSES: Final = (*OUTCOMES, "unrecorded")
"""The chart's bars: the recorded outcomes, then the sessions past and not recorded."""
CHART_COLOURS: Final = {
    **{str(status): outcome.colour for status, outcome in OUTCOME.items()},
    "unrecorded": "#6c7ae0",
}


@dataclass(frozen=True)
class WeekCounts:
    """Sessions of one week (starting Monday, in the server's zone) by outcome."""

    week_start: date
    counts: dict[str, int]


@dataclass(frozen=True)
class ProgramStats:
    """A server's program over a period ending now."""

    guild_id: int
    days: int
    since: datetime
    until: datetime
    active_mentorships: int
    outcomes: dict[str, int]
    unrecorded: int
    quiet: list[QuietStudent]
    loads: list[MentorLoad]
    weeks: list[WeekCounts]


def week_start(instant: datetime, zone: ZoneInfo) -> date:
    """Return the Monday of the week of `instant`, as seen in `zone`."""
    local = instant.astimezone(zone).date()
    return local - timedelta(days=local.weekday())


def weekly_counts(
    facts: list[SessionFact], since: datetime, until: datetime, zone: ZoneInfo
) -> list[WeekCounts]:
    """Count sessions per week and outcome (unrecorded past ones apart), empty weeks included."""
    first, last = week_start(since, zone), week_start(until, zone)
    weeks: dict[date, dict[str, int]] = {}
    day = first
    while day <= last:
        weeks[day] = dict.fromkeys(CHART_STATUSES, 0)
        day += timedelta(weeks=1)
    for fact in facts:
        status = "unrecorded" if fact.status == SessionStatus.SCHEDULED else fact.status
        if status not in CHART_STATUSES or not since <= fact.starts_at < until:
            continue
        weeks[week_start(fact.starts_at, zone)][status] += 1
    return [WeekCounts(start, counts) for start, counts in weeks.items()]


async def program_stats(
    db: Reader, guild_id: int, now: datetime, days: int, zone: str | None = None
) -> ProgramStats:
    """Gather the program's figures for the `days` before `now`."""
    if days not in PERIODS:
        raise ValueError(f"period must be one of {PERIODS}")
    since = now - timedelta(days=days)
    tz = ZoneInfo(effective_zone(zone))
    ended_before = int((now - UNRECORDED_AFTER).timestamp())
    facts = await store.session_facts(db, guild_id, since, now)
    return ProgramStats(
        guild_id=guild_id,
        days=days,
        since=since,
        until=now,
        active_mentorships=await store.active_mentorships(db, guild_id),
        outcomes=await store.outcome_counts(db, guild_id, since, now),
        unrecorded=await store.unrecorded_sessions(db, guild_id, since, ended_before),
        quiet=await store.quiet_students(db, guild_id, now - QUIET_AFTER),
        loads=await store.mentor_loads(db, guild_id),
        weeks=weekly_counts(facts, since, now, tz),
    )


def render_chart(
    weeks: list[WeekCounts],
    labels: Mapping[str, str],
    title: str,
    language: str | None = None,
) -> bytes:
    """Draw sessions per week, stacked by outcome, as a PNG (blocking: run it in a thread).

    Week labels are dates in the reader's `language` (with the year when not this year).
    matplotlib (and numpy under it, ~40 MiB and ~0.3 s) is imported here, on the first
    chart, not when the bot starts.
    """
    from matplotlib.figure import Figure  # lazily: see above
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(8, 4), dpi=100)
    axes = figure.subplots()
    positions = list(range(len(weeks)))
    bottoms = [0] * len(weeks)
    for status in CHART_STATUSES:
        heights = [week.counts[status] for week in weeks]
        axes.bar(
            positions,
            heights,
            bottom=bottoms,
            label=labels.get(status, status),
            color=CHART_COLOURS[status],
        )
        bottoms = [b + h for b, h in zip(bottoms, heights, strict=True)]
    latest = weeks[-1].week_start if weeks else None
    axes.set_xticks(
        positions, [day_label(week.week_start, language, today=latest) for week in weeks]
    )
    axes.set_title(title)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.legend(loc="upper left", fontsize="small")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
