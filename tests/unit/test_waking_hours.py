"""Nudges without an exact hour arrive in the recipient's waking hours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.reminders.kinds import KINDS
from bot.reminders.planning import (
    DIGEST,
    MENTOR_REVIEW,
    RECORD_NUDGE,
    STUDENT_REMINDER,
    Planned,
    ReminderPrefs,
    SessionFacts,
    awake,
    in_waking_hours,
    plan_session,
)


def test_a_nudge_due_in_the_night_waits_for_the_morning_in_the_recipients_zone() -> None:
    six_in_paris = datetime(2026, 12, 3, 5, 6, tzinfo=UTC)
    assert in_waking_hours(six_in_paris, "Europe/Paris") == datetime(2026, 12, 3, 7, 0, tzinfo=UTC)
    late_in_paris = datetime(2026, 12, 3, 21, 30, tzinfo=UTC)  # 22:30 there
    assert in_waking_hours(late_in_paris, "Europe/Paris") == datetime(2026, 12, 4, 7, 0, tzinfo=UTC)
    noon_in_paris = datetime(2026, 12, 3, 11, 0, tzinfo=UTC)
    assert in_waking_hours(noon_in_paris, "Europe/Paris") == noon_in_paris
    # The same instant is the afternoon in Tokyo: left alone there.
    assert in_waking_hours(six_in_paris, "Asia/Tokyo") == six_in_paris


# -- which kinds may wait: one declaration in the registry, applied by the planner ------------

PARIS = "Europe/Paris"
MENTOR, STUDENT = 1, 2


def facts(starts_at: datetime, minutes: int = 30) -> SessionFacts:
    return SessionFacts(
        session_id=7,
        guild_id=9,
        mentor_id=MENTOR,
        student_id=STUDENT,
        starts_at=starts_at,
        duration_minutes=minutes,
        mentor_zone=PARIS,
        student_zone=PARIS,
    )


def due_of(planned: list[Planned], kind: str, label: str) -> datetime:
    [item] = [p for p in planned if p.kind == kind and p.slot.split("@")[0] == label]
    return item.due_at


def test_the_registry_says_which_kinds_are_nudges_that_may_wait() -> None:
    may_wait = {name for name, kind in KINDS.items() if kind.waking_hours}
    assert may_wait == {"mentor_review", "record_nudge", "digest", "presentation"}
    assert not KINDS["student_reminder"].waking_hours  # "1 hour before" stays 1 hour before
    assert not KINDS["weekly_summary"].waking_hours  # a channel, at the server's own hour


def test_an_early_session_keeps_the_students_hour_but_the_review_nudge_waits_for_8() -> None:
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    early = datetime(2026, 12, 10, 6, 30, tzinfo=UTC)  # 07:30 in Paris
    planned = plan_session(facts(early), mentor=ReminderPrefs(), student=ReminderPrefs(), now=now)
    # The student's lead times are exact, even at 05:30 and 06:30 in Paris.
    assert due_of(planned, STUDENT_REMINDER, "48h") == early - timedelta(hours=48)
    assert due_of(planned, STUDENT_REMINDER, "1h") == early - timedelta(hours=1)
    # The review nudge (07:30 the day before) waits for 08:00 there.
    assert due_of(planned, MENTOR_REVIEW, "24h") == datetime(2026, 12, 9, 7, 0, tzinfo=UTC)
    # The record nudge after the session (08:15 there) is already in the day.
    assert due_of(planned, RECORD_NUDGE, "after") == early + timedelta(minutes=45)


def test_a_late_session_is_recorded_the_next_morning_not_at_midnight() -> None:
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    late = datetime(2026, 12, 10, 21, 0, tzinfo=UTC)  # 22:00 in Paris, ends 22:30
    planned = plan_session(facts(late), mentor=ReminderPrefs(), student=ReminderPrefs(), now=now)
    assert due_of(planned, RECORD_NUDGE, "after") == datetime(2026, 12, 11, 7, 0, tzinfo=UTC)
    assert not [p for p in planned if p.slot.startswith("evening@")]
    assert due_of(planned, MENTOR_REVIEW, "24h") == datetime(2026, 12, 10, 7, 0, tzinfo=UTC)


def test_a_review_nudge_never_waits_past_its_session() -> None:
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    late = datetime(2026, 12, 10, 21, 30, tzinfo=UTC)  # 22:30 in Paris
    one_hour = ReminderPrefs(review_lead=timedelta(hours=1))
    planned = plan_session(facts(late), mentor=one_hour, student=ReminderPrefs(), now=now)
    # 21:30 there is after 21:00, but 08:00 the next day would be after the session: kept.
    assert due_of(planned, MENTOR_REVIEW, "1h") == late - timedelta(hours=1)


def test_a_starting_soon_nudge_comes_at_once_even_at_night() -> None:
    now = datetime(2026, 12, 10, 2, 0, tzinfo=UTC)  # 03:00 in Paris
    soon = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)
    planned = plan_session(facts(soon), mentor=ReminderPrefs(), student=ReminderPrefs(), now=now)
    assert due_of(planned, MENTOR_REVIEW, "soon") == now


def test_a_recipient_without_a_known_zone_keeps_the_time() -> None:
    night = datetime(2026, 12, 10, 2, 0, tzinfo=UTC)
    nudge = Planned(DIGEST, MENTOR, "9:2026-W50", night)
    assert awake([nudge], {}) == [nudge]
    assert awake([nudge], {MENTOR: PARIS})[0].due_at == datetime(2026, 12, 10, 7, 0, tzinfo=UTC)
    exact = Planned(STUDENT_REMINDER, STUDENT, "1h@0", night)
    assert awake([exact], {STUDENT: PARIS}) == [exact]
