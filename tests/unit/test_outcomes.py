"""Outcomes are one declaration: a registry entry in `bot/vocabulary.py` and its catalogue labels.

Every place that shows or counts outcomes iterates the registry, so a new outcome needs its
`Outcome` entry, one text per family below in every language, and a migration that rebuilds the
sessions' status CHECK (`test_storage_sessions.py` compares the CHECK with the vocabulary).
"""

from __future__ import annotations

import re

import pytest

from bot.progress_ui import attendance_line
from bot.services.calendar_feeds import CANCELLED
from bot.services.program_stats import CHART_COLOURS, CHART_STATUSES
from bot.services.statement import COLUMNS
from bot.storage.sessions import Attendance
from bot.texts import FALLBACK, catalogue
from bot.vocabulary import OUTCOME, OUTCOMES, STATEMENT_OUTCOMES, SessionStatus

OUTCOME_TEXTS = (
    "outcome.",  # its name in lists and corrections: "No-show"
    "reminders.record_",  # its button on the record nudge and its choice in the record form
    "record.hint_",  # its description in the record form
    "students.attendance_",  # its count on a student's card and prep (plural forms)
    "moderation.chart_",  # its bar in the program chart and its count in /program stats
    "statement.col_",  # its column in a mentor's statement
    "statement.total_",  # its total under the statement
    "statement.legend_",  # its column's meaning in the statement's legend
)
"""The catalogue families with one text per outcome: `<family><status>`."""

NOT_OUTCOMES = {SessionStatus.SCHEDULED, SessionStatus.CANCELLED}
"""The statuses of a session before anything is recorded: planned, or called off by the mentor."""


def test_every_status_is_an_outcome_with_its_registry_entry_or_deliberately_not_one() -> None:
    assert set(SessionStatus) - set(OUTCOME) == NOT_OUTCOMES, (
        "a new session status needs its Outcome entry in bot/vocabulary.py (or, if a mentor "
        "never records it, a place in NOT_OUTCOMES here)"
    )
    assert tuple(OUTCOME) == OUTCOMES
    for status in OUTCOMES:
        entry = OUTCOME[status]
        assert entry.status == status
        assert re.fullmatch(r"#[0-9a-f]{6}", entry.colour), status
    assert len({OUTCOME[s].colour for s in OUTCOMES}) == len(OUTCOMES), "two bars share a colour"
    ranks = sorted(OUTCOME[s].statement_rank for s in OUTCOMES)
    assert ranks == list(range(len(OUTCOMES))), "statement ranks are 0, 1, 2, ... once each"


@pytest.mark.parametrize("language", catalogue().languages)
def test_every_outcome_has_each_of_its_texts_in_every_language(language: str) -> None:
    texts = catalogue()
    missing = [
        f"{family}{status}"
        for status in OUTCOMES
        for family in OUTCOME_TEXTS
        if texts.raw(f"{family}{status}", language) is None
    ]
    assert missing == [], f"{language}: outcomes without their texts"


def test_the_list_of_outcome_texts_names_every_family_the_catalogue_has() -> None:
    english = catalogue().keys(FALLBACK)
    statuses_by_family: dict[str, set[str]] = {}
    for key in english:
        for status in OUTCOMES:
            family = key.removesuffix(status)
            if family != key and family.endswith((".", "_")):
                statuses_by_family.setdefault(family, set()).add(status)
    shared = {family for family, statuses in statuses_by_family.items() if len(statuses) > 1}
    assert shared == set(OUTCOME_TEXTS)


def test_each_place_that_lists_outcomes_takes_them_from_the_registry() -> None:
    assert CHART_STATUSES[: len(OUTCOMES)] == OUTCOMES
    assert set(CHART_COLOURS) == set(CHART_STATUSES)
    assert all(CHART_COLOURS[s] == OUTCOME[s].colour for s in OUTCOMES)
    assert COLUMNS[: len(OUTCOMES)] == STATEMENT_OUTCOMES
    assert STATEMENT_OUTCOMES == (
        SessionStatus.HELD,
        SessionStatus.NO_SHOW,
        SessionStatus.CANCELLED_LATE,
        SessionStatus.CANCELLED_EARLY,
    )
    assert {s for s in OUTCOMES if OUTCOME[s].cancelled} == CANCELLED - {SessionStatus.CANCELLED}
    assert {s for s in OUTCOMES if OUTCOME[s].attended} == {SessionStatus.HELD}


def test_the_attendance_line_joins_one_label_per_outcome_in_order() -> None:
    counts = Attendance({"held": 1, "cancelled_early": 2, "cancelled_late": 0, "no_show": 3}, None)
    assert attendance_line(counts, "en") == (
        "1 held · 2 cancelled 24 h+ ahead · 0 cancelled late · 3 no-shows"
    )
    assert attendance_line(counts, "fr") == (
        "1 effectuée · 2 annulées au moins 24 h avant · 0 annulée tardivement · 3 absences"
    )
    assert counts.attended == 1
