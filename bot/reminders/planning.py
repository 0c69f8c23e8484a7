"""Which reminders a session gets, and when: pure rules, no I/O."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.reminders import kinds

STUDENT_REMINDER = kinds.STUDENT_REMINDER.name
MENTOR_REVIEW = kinds.MENTOR_REVIEW.name
RECORD_NUDGE = kinds.RECORD_NUDGE.name
DIGEST = kinds.DIGEST.name
PRESENTATION = kinds.PRESENTATION.name
WEEKLY_SUMMARY = kinds.WEEKLY_SUMMARY.name
SOON_LABEL = "soon"
"""The slot label of a reminder sent at once because its lead time had already passed."""

DEFAULT_STUDENT_LEADS = (timedelta(hours=48), timedelta(hours=1))
DEFAULT_REVIEW_LEAD = timedelta(hours=24)
RECORD_AFTER_END = timedelta(minutes=15)
EVENING = time(20, 0)
EVENING_GAP = timedelta(hours=1)
REQUEST_NUDGE_BEFORE = timedelta(hours=12)
MOCK_NUDGE_BEFORE = timedelta(days=2)
SOON = timedelta(hours=1)
WAKING = (time(8, 0), time(21, 0))
"""Nudges that need no exact hour arrive between these local times of the recipient."""


@dataclass(frozen=True)
class ReminderPrefs:
    """A person's reminder settings (the defaults when they chose nothing)."""

    student_leads: tuple[timedelta, ...] = DEFAULT_STUDENT_LEADS
    review_lead: timedelta = DEFAULT_REVIEW_LEAD
    via: str = "dm"
    paused: bool = False


@dataclass(frozen=True)
class SessionFacts:
    """What planning needs to know of a session."""

    session_id: int
    guild_id: int
    mentor_id: int
    student_id: int
    starts_at: datetime
    duration_minutes: int
    mentor_zone: str
    student_zone: str | None = None

    def zone_of(self, recipient_id: int) -> str | None:
        """Return the zone of one of the session's two people (None when unknown)."""
        if recipient_id == self.mentor_id:
            return self.mentor_zone
        return self.student_zone if recipient_id == self.student_id else None

    @property
    def ends_at(self) -> datetime:
        """Return when the session ends."""
        return self.starts_at + timedelta(minutes=self.duration_minutes)


@dataclass(frozen=True)
class Planned:
    """One reminder to create: who gets what, when; `slot` tells same-kind reminders apart."""

    kind: str
    recipient_id: int
    slot: str
    due_at: datetime


def in_waking_hours(instant: datetime, zone: str) -> datetime:
    """Move an instant out of the night in `zone`: to 08:00 that morning, or the next one."""
    where = ZoneInfo(zone)
    local = instant.astimezone(where)
    start, end = WAKING
    if start <= local.time() < end:
        return instant
    day = local.date() if local.time() < start else local.date() + timedelta(days=1)
    return datetime.combine(day, start, tzinfo=where).astimezone(UTC)


def awake(
    planned: Sequence[Planned],
    zones: Mapping[int, str | None],
    *,
    session_starts_at: datetime | None = None,
) -> list[Planned]:
    """Move the nudges whose kind may wait (`Kind.waking_hours`) into their recipient's day.

    `zones` gives each recipient's zone (a recipient without one keeps the time). A kind useful
    only until its session starts keeps its time when moving it would reach the start: late in
    the evening is better than too late. Kinds with an exact time are never moved, nor a
    "starting soon" nudge: it answers what someone just did, and comes at once.
    """
    moved = []
    for item in planned:
        kind = kinds.kind_of(item.kind)
        zone = zones.get(item.recipient_id)
        if zone is None or not kind.waking_hours or is_soon(item.slot):
            moved.append(item)
            continue
        due = in_waking_hours(item.due_at, zone)
        too_late = (
            kind.useful_for is None and session_starts_at is not None and due >= session_starts_at
        )
        moved.append(item if too_late else replace(item, due_at=due))
    return moved


def lead_label(lead: timedelta) -> str:
    """Return a lead time as the short label stored in a slot: `48h`, `90m`."""
    minutes = int(lead.total_seconds() // 60)
    return f"{minutes // 60}h" if minutes % 60 == 0 else f"{minutes}m"


def slot_for(label: str, starts_at: datetime) -> str:
    """Return the slot of a session reminder; it names the start so a moved session replans."""
    return f"{label}@{int(starts_at.timestamp())}"


def evening_nudge(facts: SessionFacts, first_nudge: datetime) -> datetime | None:
    """Return 20:00 on the session's day in the mentor's zone, if well after the first nudge."""
    zone = ZoneInfo(facts.mentor_zone)
    local_day = facts.ends_at.astimezone(zone).date()
    evening = datetime.combine(local_day, EVENING, tzinfo=zone)
    return evening if evening >= first_nudge + EVENING_GAP else None


def plan_session(
    facts: SessionFacts,
    *,
    mentor: ReminderPrefs,
    student: ReminderPrefs,
    now: datetime,
) -> list[Planned]:
    """Return the reminders a scheduled session gets.

    A lead time already passed is not dropped: when no student reminder is left ahead, the
    student gets a "starting soon" one at once, and so does the mentor's review nudge. Nudges
    that may wait are moved into their recipient's waking hours (see `awake`).
    """
    planned: list[Planned] = []
    upcoming = facts.starts_at > now
    soon = slot_for(SOON_LABEL, facts.starts_at)
    for lead in student.student_leads:
        due = facts.starts_at - lead
        if due > now:
            slot = slot_for(lead_label(lead), facts.starts_at)
            planned.append(Planned(STUDENT_REMINDER, facts.student_id, slot, due))
    if upcoming and not planned:
        planned.append(Planned(STUDENT_REMINDER, facts.student_id, soon, now))
    review_due = facts.starts_at - mentor.review_lead
    if review_due > now:
        slot = slot_for(lead_label(mentor.review_lead), facts.starts_at)
        planned.append(Planned(MENTOR_REVIEW, facts.mentor_id, slot, review_due))
    elif upcoming:
        planned.append(Planned(MENTOR_REVIEW, facts.mentor_id, soon, now))
    first_nudge = facts.ends_at + RECORD_AFTER_END
    planned.append(
        Planned(RECORD_NUDGE, facts.mentor_id, slot_for("after", facts.starts_at), first_nudge)
    )
    evening = evening_nudge(facts, first_nudge)
    if evening is not None:
        planned.append(
            Planned(RECORD_NUDGE, facts.mentor_id, slot_for("evening", facts.starts_at), evening)
        )
    zones = {facts.mentor_id: facts.mentor_zone, facts.student_id: facts.student_zone}
    return awake(planned, zones, session_starts_at=facts.starts_at)


def still_useful(
    kind: str,
    *,
    due_at: datetime,
    now: datetime,
    session_starts_at: datetime | None,
    session_status: str | None,
) -> bool:
    """Tell whether a reminder is still worth sending (the kind's own rule, from the registry)."""
    return kinds.kind_of(kind).still_useful(
        due_at=due_at,
        now=now,
        session_starts_at=session_starts_at,
        session_status=session_status,
    )


def is_soon(slot: str) -> bool:
    """Tell whether a session reminder is a "starting soon" one (its lead time had passed)."""
    return slot.split("@", 1)[0] == SOON_LABEL


LEAD_MIN = timedelta(minutes=5)
LEAD_MAX = timedelta(days=7)
_LEAD = re.compile(r"(?P<number>[0-9]{1,6})\s*(?P<unit>[^\W\d_]+)", re.ASCII | re.IGNORECASE)
_LEAD_UNITS: dict[str, timedelta] = {
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), timedelta(minutes=1)),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours", "heure", "heures"), timedelta(hours=1)),
    **dict.fromkeys(("d", "day", "days", "j", "jour", "jours"), timedelta(days=1)),
}


def parse_leads(text: str) -> tuple[timedelta, ...]:
    """Read lead times like `48h, 1h`, `30m` or `3 days` (largest first); raise ValueError if not.

    Each is a number (ASCII digits) and a unit: minutes (`m`, `min`), hours (`h`, `hours`,
    `heures`) or days (`d`, `days`, `j`, `jours`), between 5 minutes and 7 days; one to three.
    """
    leads: list[timedelta] = []
    for part in text.replace(";", ",").split(","):
        item = part.strip()
        if not item:
            continue
        found = _LEAD.fullmatch(item)
        unit = _LEAD_UNITS.get(found["unit"].lower()) if found else None
        if found is None or unit is None:
            raise ValueError(item)
        lead = unit * int(found["number"])
        if not LEAD_MIN <= lead <= LEAD_MAX:
            raise ValueError(item)
        leads.append(lead)
    if not 1 <= len(leads) <= 3:
        raise ValueError(text)
    return tuple(sorted(set(leads), reverse=True))


def format_leads(leads: tuple[timedelta, ...]) -> str:
    """Write lead times back as text: `48h, 1h`."""
    return ", ".join(lead_label(lead) for lead in leads)


DIGEST_WEEKDAY = 0
DIGEST_TIME = time(9, 0)


SUMMARY_WEEKDAY = 0
SUMMARY_TIME = time(8, 0)
"""The moderators' weekly summary: Monday 08:00 in the server's zone."""


def next_weekly(now: datetime, zone: str, weekday: int, at: time) -> tuple[str, datetime]:
    """Return the slot (ISO week) and instant of the next `weekday` at `at` in `zone`."""
    local_now = now.astimezone(ZoneInfo(zone))
    days_ahead = (weekday - local_now.weekday()) % 7
    day = local_now.date() + timedelta(days=days_ahead)
    due = datetime.combine(day, at, tzinfo=ZoneInfo(zone))
    if due <= now:
        day += timedelta(days=7)
        due = datetime.combine(day, at, tzinfo=ZoneInfo(zone))
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}", due


def next_digest(now: datetime, zone: str) -> tuple[str, datetime]:
    """Return the slot (ISO week) and instant of the next Monday 09:00 digest in `zone`."""
    return next_weekly(now, zone, DIGEST_WEEKDAY, DIGEST_TIME)


def next_summary(now: datetime, zone: str) -> tuple[str, datetime]:
    """Return the slot (ISO week) and instant of the next Monday 08:00 summary in `zone`."""
    return next_weekly(now, zone, SUMMARY_WEEKDAY, SUMMARY_TIME)


def plan_presentation(
    mentor_id: int,
    mentorship_id: int,
    *,
    request_by: datetime,
    mock_by: datetime | None,
    now: datetime,
) -> list[Planned]:
    """Nudge the mentor to request the presentation, and to hold the mock before it."""
    request_due = max(request_by - REQUEST_NUDGE_BEFORE, now + SOON)
    planned = [Planned(PRESENTATION, mentor_id, f"m{mentorship_id}:request", request_due)]
    if mock_by is not None and mock_by - MOCK_NUDGE_BEFORE > now:
        planned.append(
            Planned(PRESENTATION, mentor_id, f"m{mentorship_id}:mock", mock_by - MOCK_NUDGE_BEFORE)
        )
    return planned


def presentation_slot(slot: str) -> tuple[int, str] | None:
    """Read `m<mentorship_id>:<request|mock>` back; None when it is not such a slot."""
    head, _, step = slot.partition(":")
    if not head.startswith("m") or not head[1:].isdigit() or step not in ("request", "mock"):
        return None
    return int(head[1:]), step
