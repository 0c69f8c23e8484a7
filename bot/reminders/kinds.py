"""The one registry of reminder kinds: each kind is declared once, here.

A kind says who receives it, how long it stays worth sending, which session events cancel it,
whether several copies falling due together collapse into one, and whether it is a nudge that
may wait for the recipient's waking hours (or must keep its exact time). The planner, the
dispatcher and the reminders cog look kinds up here; the reminders cog holds one renderer per
kind (a start-up check refuses a kind without one) and the catalogue one `reminders.kind_<name>`
label. Adding a kind touches this file, a renderer and the catalogue; no migration.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.vocabulary import SessionStatus


class Recipient(StrEnum):
    """Who a kind of reminder goes to (the row's `recipient_id` says which one)."""

    STUDENT = "student"
    MENTOR = "mentor"
    LOG_CHANNEL = "log_channel"
    """The server's log channel: `recipient_id` is the guild id."""


class SessionEvent(StrEnum):
    """What happens to a session that may cancel its waiting reminders."""

    CANCELLED = "cancelled"
    RECORDED = "recorded"
    MOVED = "moved"


ALL_EVENTS = frozenset(SessionEvent)


@dataclass(frozen=True)
class Kind:
    """One kind of reminder."""

    name: str
    recipient: Recipient
    useful_for: timedelta | None
    """How long after falling due it is still worth sending; None: until its session starts."""
    cancelled_by: frozenset[SessionEvent] = frozenset()
    collapses: bool = True
    """Copies for the same session and person due together are sent as one (the latest)."""
    waking_hours: bool = False
    """A nudge with no exact hour: planned in the night of the recipient's zone, it waits for
    their morning (never past its session's start). False: it keeps its time (a student's
    "1 hour before" stays 1 hour before)."""

    @property
    def needs_session(self) -> bool:
        """Tell whether the kind is about a session (and dies with it)."""
        return bool(self.cancelled_by)

    def still_useful(
        self,
        *,
        due_at: datetime,
        now: datetime,
        session_starts_at: datetime | None,
        session_status: str | None,
    ) -> bool:
        """Tell whether a reminder of this kind is still worth sending now."""
        if self.needs_session and session_status != SessionStatus.SCHEDULED:
            return False
        if self.useful_for is None:
            return session_starts_at is not None and now < session_starts_at
        return now < due_at + self.useful_for


DAY = timedelta(hours=24)

# Exact: a lead time the student chose before their session.
STUDENT_REMINDER = Kind("student_reminder", Recipient.STUDENT, None, ALL_EVENTS)
# Nudges: the day-before review, the record nudges, the digest and the presentation steps.
MENTOR_REVIEW = Kind("mentor_review", Recipient.MENTOR, None, ALL_EVENTS, waking_hours=True)
RECORD_NUDGE = Kind("record_nudge", Recipient.MENTOR, DAY, ALL_EVENTS, waking_hours=True)
DIGEST = Kind("digest", Recipient.MENTOR, DAY, waking_hours=True)
PRESENTATION = Kind("presentation", Recipient.MENTOR, DAY, collapses=False, waking_hours=True)
# A channel, not a person: the server's Monday 08:00, as the moderators set its zone.
WEEKLY_SUMMARY = Kind("weekly_summary", Recipient.LOG_CHANNEL, DAY)

KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        STUDENT_REMINDER,
        MENTOR_REVIEW,
        RECORD_NUDGE,
        DIGEST,
        PRESENTATION,
        WEEKLY_SUMMARY,
    )
}


class UnknownKind(KeyError):
    """A reminder row names a kind this version does not declare."""


def kind_of(name: str) -> Kind:
    """Return the declaration of a kind; raise `UnknownKind` (never a silent default)."""
    try:
        return KINDS[name]
    except KeyError:
        raise UnknownKind(name) from None


def cancelled_by(event: SessionEvent) -> list[str]:
    """Return the names of the kinds a session event cancels."""
    return [kind.name for kind in KINDS.values() if event in kind.cancelled_by]
