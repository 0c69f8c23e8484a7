"""The domain's words: session kinds and session statuses, written once.

Storage, services, the cogs' choices and the tests read these; the SQL CHECKs in the migrations
list the same values (a test compares them). Pure: no Discord, no database.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final


class SessionKind(StrEnum):
    """What a session is for; each kind has a prep checklist in the coaching content."""

    DISCOVERY = "discovery"
    REGULAR = "regular"
    MOCK_PRESENTATION = "mock_presentation"
    ASSESSMENT_PREP = "assessment_prep"


class SessionStatus(StrEnum):
    """Where a session stands: planned, called off before it happened, or how it ended."""

    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"
    HELD = "held"
    CANCELLED_EARLY = "cancelled_early"
    CANCELLED_LATE = "cancelled_late"
    NO_SHOW = "no_show"


# The statuses a mentor records after the session: how it ended, in the order they are offered.
OUTCOMES: Final[tuple[SessionStatus, ...]] = (
    SessionStatus.HELD,
    SessionStatus.CANCELLED_EARLY,
    SessionStatus.CANCELLED_LATE,
    SessionStatus.NO_SHOW,
)

# The kinds that rehearse or prepare the final presentation.
PRESENTATION_KINDS: Final = frozenset({SessionKind.MOCK_PRESENTATION, SessionKind.ASSESSMENT_PREP})
