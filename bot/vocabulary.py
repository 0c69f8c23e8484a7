"""The domain's words: session kinds, session statuses and outcomes, written once.

Storage, services, the cogs' choices and the tests read these; the SQL CHECKs in the migrations
list the same values (a test compares them). Pure: no Discord, no database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
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


@dataclass(frozen=True)
class Outcome:
    """How a session ended, as a mentor records it, with everything that varies by outcome.

    Its texts are catalogue keys named after the status (`outcome.<status>`,
    `students.attendance_<status>`, `statement.col_<status>`, ...; `tests/unit/test_outcomes.py`
    lists them and checks every language has them).
    """

    status: SessionStatus
    attended: bool
    """The student came: it counts as a held session (attendance, "last held session")."""
    cancelled: bool
    """Called off: calendar feeds show it as cancelled."""
    colour: str
    """Its bar in the program chart (`/program stats`)."""
    statement_rank: int
    """Its column's place in a mentor's monthly statement (before "not recorded" and "planned")."""


_DECLARED: Final = (
    Outcome(SessionStatus.HELD, attended=True, cancelled=False, colour="#2e9e6b", statement_rank=0),
    Outcome(
        SessionStatus.CANCELLED_EARLY,
        attended=False,
        cancelled=True,
        colour="#9aa5b1",
        statement_rank=3,
    ),
    Outcome(
        SessionStatus.CANCELLED_LATE,
        attended=False,
        cancelled=True,
        colour="#e0a526",
        statement_rank=2,
    ),
    Outcome(
        SessionStatus.NO_SHOW, attended=False, cancelled=False, colour="#d64545", statement_rank=1
    ),
)

OUTCOME: Final[Mapping[SessionStatus, Outcome]] = MappingProxyType(
    {outcome.status: outcome for outcome in _DECLARED}
)
"""Every outcome by its status, in the order they are offered (the record form, the chart)."""

# The statuses a mentor records after the session: how it ended, in the order they are offered.
OUTCOMES: Final[tuple[SessionStatus, ...]] = tuple(OUTCOME)

# The outcomes in the order of a mentor's statement columns.
STATEMENT_OUTCOMES: Final[tuple[SessionStatus, ...]] = tuple(
    sorted(OUTCOMES, key=lambda status: OUTCOME[status].statement_rank)
)

# The kinds that rehearse or prepare the final presentation.
PRESENTATION_KINDS: Final = frozenset({SessionKind.MOCK_PRESENTATION, SessionKind.ASSESSMENT_PREP})
