"""The pure reminder planning core: which reminders exist, when they fall due, who gets them.

Every expectation is an exact instant (UTC), worked out by hand from the rules in
`bot/reminders/planning.py` and `bot/reminders/kinds.py`. How nudges wait for the recipient's
waking hours has its own tests (tests/unit/test_waking_hours.py); here it shows only where it
moves an instant, and in the properties.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.content import Progress
from bot.reminders import kinds
from bot.reminders.kinds import KINDS, Recipient, SessionEvent, UnknownKind, kind_of
from bot.reminders.planning import (
    DIGEST,
    MENTOR_REVIEW,
    PRESENTATION,
    RECORD_NUDGE,
    STUDENT_REMINDER,
    WEEKLY_SUMMARY,
    Planned,
    ReminderPrefs,
    SessionFacts,
    is_soon,
    lead_label,
    next_digest,
    next_summary,
    plan_presentation,
    plan_session,
    presentation_slot,
    slot_for,
    still_useful,
)
from bot.services.coaching import plan_dates
from bot.vocabulary import SessionStatus

MENTOR = 101
STUDENT = 202
GUILD = 303
PARIS = "Europe/Paris"
TOKYO = "Asia/Tokyo"
SECOND = timedelta(seconds=1)
MICRO = timedelta(microseconds=1)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """Return an aware UTC instant."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def session(
    starts_at: datetime,
    *,
    minutes: int = 60,
    zone: str = PARIS,
    student_zone: str | None = None,
    session_id: int = 7,
) -> SessionFacts:
    """Return the facts of a session between MENTOR and STUDENT."""
    return SessionFacts(
        session_id=session_id,
        guild_id=GUILD,
        mentor_id=MENTOR,
        student_id=STUDENT,
        starts_at=starts_at,
        duration_minutes=minutes,
        mentor_zone=zone,
        student_zone=student_zone,
    )


def waking(instant: datetime, zone: str) -> datetime:
    """Return `instant`, or the next 08:00 in `zone` when it falls outside 08:00-21:00 there."""
    local = instant.astimezone(ZoneInfo(zone))
    if 8 <= local.hour < 21:
        return instant
    day = local.date() if local.hour < 8 else local.date() + timedelta(days=1)
    return datetime.combine(day, time(8, 0), tzinfo=ZoneInfo(zone)).astimezone(UTC)


def plan(
    facts: SessionFacts,
    now: datetime,
    *,
    mentor: ReminderPrefs | None = None,
    student: ReminderPrefs | None = None,
) -> list[Planned]:
    """Plan a session with the default settings unless told otherwise."""
    return plan_session(
        facts, mentor=mentor or ReminderPrefs(), student=student or ReminderPrefs(), now=now
    )


def stamp(instant: datetime) -> int:
    """Return the Unix time a slot names."""
    return int(instant.timestamp())


# -- The registry of kinds --------------------------------------------------------------------


def test_each_kind_goes_to_its_recipient() -> None:
    assert {name: kind.recipient for name, kind in KINDS.items()} == {
        "student_reminder": Recipient.STUDENT,
        "mentor_review": Recipient.MENTOR,
        "record_nudge": Recipient.MENTOR,
        "digest": Recipient.MENTOR,
        "presentation": Recipient.MENTOR,
        "weekly_summary": Recipient.LOG_CHANNEL,
    }


def test_each_kind_stays_useful_for_its_own_time() -> None:
    assert {name: kind.useful_for for name, kind in KINDS.items()} == {
        "student_reminder": None,
        "mentor_review": None,
        "record_nudge": timedelta(hours=24),
        "digest": timedelta(hours=24),
        "presentation": timedelta(hours=24),
        "weekly_summary": timedelta(hours=24),
    }


def test_only_presentation_nudges_do_not_collapse() -> None:
    assert [name for name, kind in KINDS.items() if not kind.collapses] == ["presentation"]


@pytest.mark.parametrize("event", list(SessionEvent))
def test_any_session_event_cancels_exactly_the_session_kinds(event: SessionEvent) -> None:
    assert kinds.cancelled_by(event) == ["student_reminder", "mentor_review", "record_nudge"]


def test_the_session_kinds_die_with_their_session_and_the_others_do_not() -> None:
    assert {name: kind.needs_session for name, kind in KINDS.items()} == {
        "student_reminder": True,
        "mentor_review": True,
        "record_nudge": True,
        "digest": False,
        "presentation": False,
        "weekly_summary": False,
    }


def test_an_unknown_kind_is_refused_not_defaulted() -> None:
    with pytest.raises(UnknownKind):
        kind_of("birthday")
    with pytest.raises(KeyError):
        still_useful(
            "birthday",
            due_at=utc(2026, 5, 4, 9),
            now=utc(2026, 5, 4, 9),
            session_starts_at=None,
            session_status=None,
        )


def test_the_planning_names_are_the_registry_names() -> None:
    assert (STUDENT_REMINDER, MENTOR_REVIEW, RECORD_NUDGE, DIGEST, PRESENTATION) == (
        "student_reminder",
        "mentor_review",
        "record_nudge",
        "digest",
        "presentation",
    )
    assert WEEKLY_SUMMARY == "weekly_summary"


# -- plan_session: lead times and recipients --------------------------------------------------

# Thursday 14 May 2026, 10:00 in Paris (CEST, UTC+2); the session lasts an hour.
MAY_START = utc(2026, 5, 14, 8)
MAY_TS = stamp(MAY_START)


def test_a_session_a_week_ahead_gets_every_reminder_at_its_default_lead() -> None:
    planned = plan(session(MAY_START), now=utc(2026, 5, 7, 8))
    assert planned == [
        Planned("student_reminder", STUDENT, f"48h@{MAY_TS}", utc(2026, 5, 12, 8)),
        Planned("student_reminder", STUDENT, f"1h@{MAY_TS}", utc(2026, 5, 14, 7)),
        Planned("mentor_review", MENTOR, f"24h@{MAY_TS}", utc(2026, 5, 13, 8)),
        # 15 minutes after the end (11:00 Paris), then 20:00 Paris the same day.
        Planned("record_nudge", MENTOR, f"after@{MAY_TS}", utc(2026, 5, 14, 9, 15)),
        Planned("record_nudge", MENTOR, f"evening@{MAY_TS}", utc(2026, 5, 14, 18)),
    ]


def test_the_students_and_the_mentors_own_lead_times_are_used() -> None:
    student = ReminderPrefs(student_leads=(timedelta(days=3), timedelta(minutes=90)))
    mentor = ReminderPrefs(review_lead=timedelta(hours=20))
    planned = plan(session(MAY_START), now=utc(2026, 5, 1), mentor=mentor, student=student)
    assert [(p.kind, p.recipient_id, p.slot, p.due_at) for p in planned[:3]] == [
        ("student_reminder", STUDENT, f"72h@{MAY_TS}", utc(2026, 5, 11, 8)),
        ("student_reminder", STUDENT, f"90m@{MAY_TS}", utc(2026, 5, 14, 6, 30)),
        ("mentor_review", MENTOR, f"20h@{MAY_TS}", utc(2026, 5, 13, 12)),
    ]


def test_a_review_lead_falling_in_the_mentors_night_is_kept_as_the_slot_but_waits_for_8h() -> None:
    # 6 h before 10:00 Paris is 04:00 there: the nudge comes at 08:00 Paris, 06:00 UTC.
    mentor = ReminderPrefs(review_lead=timedelta(hours=6))
    planned = plan(session(MAY_START), now=utc(2026, 5, 1), mentor=mentor)
    [review] = [p for p in planned if p.kind == "mentor_review"]
    assert (review.slot, review.due_at) == (f"6h@{MAY_TS}", utc(2026, 5, 14, 6))


def test_the_student_leads_of_the_mentor_and_the_review_lead_of_the_student_are_ignored() -> None:
    mentor = ReminderPrefs(student_leads=(timedelta(hours=5),), review_lead=timedelta(hours=2))
    student = ReminderPrefs(student_leads=(timedelta(hours=3),), review_lead=timedelta(hours=9))
    planned = plan(session(MAY_START), now=utc(2026, 5, 1), mentor=mentor, student=student)
    assert [(p.kind, p.due_at) for p in planned[:2]] == [
        ("student_reminder", utc(2026, 5, 14, 5)),
        ("mentor_review", utc(2026, 5, 14, 6)),
    ]


# -- plan_session: inside the lead window ----------------------------------------------------


def test_a_session_in_30_minutes_gets_starting_soon_reminders_right_away() -> None:
    now = utc(2026, 5, 14, 7, 30)
    planned = plan(session(MAY_START), now=now)
    assert planned[:2] == [
        Planned("student_reminder", STUDENT, f"soon@{MAY_TS}", now),
        Planned("mentor_review", MENTOR, f"soon@{MAY_TS}", now),
    ]
    assert [p.kind for p in planned[2:]] == ["record_nudge", "record_nudge"]


def test_a_session_in_two_hours_keeps_its_1h_reminder_and_the_review_comes_at_once() -> None:
    now = utc(2026, 5, 14, 6)
    planned = plan(session(MAY_START), now=now)
    assert planned[:2] == [
        Planned("student_reminder", STUDENT, f"1h@{MAY_TS}", utc(2026, 5, 14, 7)),
        Planned("mentor_review", MENTOR, f"soon@{MAY_TS}", now),
    ]


def test_a_lead_falling_exactly_now_counts_as_passed() -> None:
    now = utc(2026, 5, 14, 7)  # exactly 1 h before: the 1 h reminder is not planned "now"
    planned = plan(session(MAY_START), now=now)
    assert planned[0] == Planned("student_reminder", STUDENT, f"soon@{MAY_TS}", now)


def test_a_session_that_has_started_gets_only_its_record_nudges() -> None:
    planned = plan(session(MAY_START), now=utc(2026, 5, 14, 8, 10))
    assert [(p.kind, p.slot) for p in planned] == [
        ("record_nudge", f"after@{MAY_TS}"),
        ("record_nudge", f"evening@{MAY_TS}"),
    ]


def test_a_session_starting_this_instant_gets_no_starting_soon_reminder() -> None:
    planned = plan(session(MAY_START), now=MAY_START)
    assert {p.kind for p in planned} == {"record_nudge"}


# -- plan_session: the record nudges ---------------------------------------------------------


def test_an_evening_session_gets_no_second_record_nudge() -> None:
    # 18:30-19:30 Paris: the first nudge at 19:45 is less than an hour before 20:00.
    planned = plan(session(utc(2026, 5, 14, 16, 30)), now=utc(2026, 5, 1))
    assert [(p.slot.split("@")[0], p.due_at) for p in planned if p.kind == "record_nudge"] == [
        ("after", utc(2026, 5, 14, 17, 45)),
    ]


def test_the_evening_nudge_comes_when_the_first_is_exactly_an_hour_before_20h() -> None:
    # 17:45-18:45 Paris: first nudge at 19:00 Paris, 20:00 is exactly an hour later.
    planned = plan(session(utc(2026, 5, 14, 15, 45)), now=utc(2026, 5, 1))
    assert [p.due_at for p in planned if p.kind == "record_nudge"] == [
        utc(2026, 5, 14, 17),
        utc(2026, 5, 14, 18),
    ]


def test_the_evening_nudge_is_20h_in_the_mentors_zone_not_in_utc() -> None:
    # 10:00-11:00 in Tokyo (UTC+9): the evening nudge is 20:00 Tokyo, 11:00 UTC.
    planned = plan(session(utc(2026, 5, 14, 1), zone=TOKYO), now=utc(2026, 5, 1))
    assert [p.due_at for p in planned if p.kind == "record_nudge"] == [
        utc(2026, 5, 14, 2, 15),
        utc(2026, 5, 14, 11),
    ]


def test_the_evening_nudge_follows_the_paris_clock_change() -> None:
    # Saturday 28 March 2026 is still CET (20:00 = 19:00 UTC); Sunday 29 is CEST (18:00 UTC).
    saturday = plan(session(utc(2026, 3, 28, 9)), now=utc(2026, 3, 1))
    sunday = plan(session(utc(2026, 3, 29, 9)), now=utc(2026, 3, 1))
    assert saturday[-1].due_at == utc(2026, 3, 28, 19)
    assert sunday[-1].due_at == utc(2026, 3, 29, 18)


def test_a_session_ending_after_midnight_is_nudged_on_the_day_it_ends() -> None:
    # 23:30 Paris on 14 May for two hours: it ends at 01:30 on 15 May. The first nudge (01:45)
    # waits for 08:00 that morning; the second is 20:00 on 15 May, not on the 14th.
    planned = plan(session(utc(2026, 5, 14, 21, 30), minutes=120), now=utc(2026, 5, 1))
    assert [p.due_at for p in planned if p.kind == "record_nudge"] == [
        utc(2026, 5, 15, 6),
        utc(2026, 5, 15, 18),
    ]


def test_a_moved_session_gets_new_slots_naming_its_new_start() -> None:
    now = utc(2026, 5, 1)
    before = {p.slot for p in plan(session(MAY_START), now=now)}
    after = {p.slot for p in plan(session(MAY_START + timedelta(hours=2)), now=now)}
    assert before.isdisjoint(after)
    assert slot_for("48h", MAY_START) == f"48h@{MAY_TS}" == "48h@1778745600"


# -- plan_session: properties ----------------------------------------------------------------

ZONES = st.sampled_from([PARIS, TOKYO, "America/New_York", "Pacific/Chatham", "UTC"])
INSTANTS = st.datetimes(
    min_value=datetime(2026, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive
    max_value=datetime(2027, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)
LEADS = st.lists(
    st.integers(min_value=5, max_value=7 * 24 * 60).map(lambda m: timedelta(minutes=m)),
    min_size=1,
    max_size=3,
    unique=True,
).map(lambda leads: tuple(sorted(leads, reverse=True)))
REVIEW_LEADS = st.integers(min_value=1, max_value=72).map(lambda h: timedelta(hours=h))


@settings(max_examples=300, deadline=None)
@given(
    now=INSTANTS,
    ahead=st.integers(min_value=-3 * 24 * 60, max_value=10 * 24 * 60),
    minutes=st.integers(min_value=15, max_value=240),
    zone=ZONES,
    leads=LEADS,
    review_lead=REVIEW_LEADS,
)
def test_planned_reminders_fall_due_in_order_and_are_worth_sending_then(
    now: datetime,
    ahead: int,
    minutes: int,
    zone: str,
    leads: tuple[timedelta, ...],
    review_lead: timedelta,
) -> None:
    starts_at = now + timedelta(minutes=ahead)
    facts = session(starts_at, minutes=minutes, zone=zone, student_zone=zone)
    planned = plan(
        facts,
        now,
        mentor=ReminderPrefs(review_lead=review_lead),
        student=ReminderPrefs(student_leads=leads),
    )
    before = [p for p in planned if p.kind in ("student_reminder", "mentor_review")]
    nudges = [p for p in planned if p.kind == "record_nudge"]
    # What precedes the session is never due after it starts, nor before now.
    for item in before:
        assert now <= item.due_at < starts_at
    # Each session reminder is still worth sending at the instant it falls due.
    for item in planned:
        assert still_useful(
            item.kind,
            due_at=item.due_at,
            now=item.due_at,
            session_starts_at=starts_at,
            session_status=SessionStatus.SCHEDULED,
        )
    # Every slot names the start, and no reminder is planned twice.
    assert all(p.slot.endswith(f"@{stamp(starts_at)}") for p in planned)
    assert len({(p.kind, p.recipient_id, p.slot) for p in planned}) == len(planned)
    # The student's reminders keep their exact lead, even in the night of their zone.
    exact = [p.due_at for p in planned if p.kind == "student_reminder" and not is_soon(p.slot)]
    assert exact == [starts_at - lead for lead in leads if starts_at - lead > now]
    # The record nudges: 15 minutes after the end (in the mentor's day), then maybe 20:00 local,
    # an hour later at least.
    assert nudges[0].due_at == waking(facts.ends_at + timedelta(minutes=15), zone)
    assert all(p.recipient_id == MENTOR for p in nudges)
    if len(nudges) == 2:
        evening = nudges[1].due_at.astimezone(ZoneInfo(zone))
        assert (evening.hour, evening.minute) == (20, 0)
        assert nudges[1].due_at >= nudges[0].due_at + timedelta(hours=1)
    assert len(nudges) in (1, 2)


@settings(max_examples=300, deadline=None)
@given(
    now=INSTANTS,
    ahead=st.integers(min_value=1, max_value=10 * 24 * 60),
    leads=LEADS,
    review_lead=REVIEW_LEADS,
)
def test_an_upcoming_session_always_reminds_the_student_and_the_mentor(
    now: datetime, ahead: int, leads: tuple[timedelta, ...], review_lead: timedelta
) -> None:
    starts_at = now + timedelta(minutes=ahead)
    planned = plan(
        session(starts_at),
        now,
        mentor=ReminderPrefs(review_lead=review_lead),
        student=ReminderPrefs(student_leads=leads),
    )
    counts = Counter(p.kind for p in planned)
    ahead_leads = [lead for lead in leads if starts_at - lead > now]
    student = [p for p in planned if p.kind == "student_reminder"]
    if ahead_leads:
        assert [p.due_at for p in student] == [starts_at - lead for lead in ahead_leads]
        assert not any(is_soon(p.slot) for p in student)
    else:
        assert [(p.slot, p.due_at) for p in student] == [(f"soon@{stamp(starts_at)}", now)]
    assert all(p.recipient_id == STUDENT for p in student)
    assert counts["mentor_review"] == 1
    review = next(p for p in planned if p.kind == "mentor_review")
    assert review.recipient_id == MENTOR
    if starts_at - review_lead <= now:
        assert (review.slot, review.due_at) == (f"soon@{stamp(starts_at)}", now)
    else:
        # At its lead, or at 08:00 in the mentor's zone when that falls in the night there,
        # unless waiting would reach the session: then at its lead still.
        lead_due = starts_at - review_lead
        morning = waking(lead_due, PARIS)
        assert review.due_at == (morning if morning < starts_at else lead_due)


# -- still_useful: each kind at its limit ----------------------------------------------------

DUE = utc(2026, 5, 13, 8)


@pytest.mark.parametrize("kind", ["student_reminder", "mentor_review"])
def test_a_reminder_before_the_session_is_useful_until_the_session_starts(kind: str) -> None:
    def useful(now: datetime, status: str | None = SessionStatus.SCHEDULED) -> bool:
        return still_useful(
            kind, due_at=DUE, now=now, session_starts_at=MAY_START, session_status=status
        )

    assert useful(MAY_START - MICRO)
    assert not useful(MAY_START)
    assert not useful(MAY_START + SECOND)
    # However early, not for a session called off, recorded or gone.
    assert not useful(DUE, SessionStatus.CANCELLED)
    assert not useful(DUE, SessionStatus.HELD)
    assert not useful(DUE, None)


def test_a_record_nudge_is_useful_for_24_hours_while_the_session_is_unrecorded() -> None:
    due = utc(2026, 5, 14, 9, 15)

    def useful(now: datetime, status: str | None = SessionStatus.SCHEDULED) -> bool:
        return still_useful(
            "record_nudge", due_at=due, now=now, session_starts_at=MAY_START, session_status=status
        )

    assert useful(utc(2026, 5, 15, 9, 15) - MICRO)
    assert not useful(utc(2026, 5, 15, 9, 15))
    assert not useful(due, SessionStatus.HELD)
    assert not useful(due, SessionStatus.NO_SHOW)
    assert not useful(due, None)


@pytest.mark.parametrize("kind", ["digest", "presentation", "weekly_summary"])
def test_a_nudge_without_a_session_is_useful_for_24_hours(kind: str) -> None:
    def useful(now: datetime) -> bool:
        return still_useful(kind, due_at=DUE, now=now, session_starts_at=None, session_status=None)

    assert useful(DUE)
    assert useful(utc(2026, 5, 14, 8) - MICRO)
    assert not useful(utc(2026, 5, 14, 8))


def test_the_kind_and_the_planning_module_give_the_same_answer() -> None:
    now = MAY_START - MICRO
    assert kinds.STUDENT_REMINDER.still_useful(
        due_at=DUE, now=now, session_starts_at=MAY_START, session_status="scheduled"
    ) == still_useful(
        "student_reminder",
        due_at=DUE,
        now=now,
        session_starts_at=MAY_START,
        session_status="scheduled",
    )


# -- next_digest and next_summary ------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "slot", "due"),
    [
        # Monday 23 March 2026 is CET (UTC+1): 09:00 Paris is 08:00 UTC.
        (utc(2026, 3, 23, 7, 59), "2026-W13", utc(2026, 3, 23, 8)),
        # At 09:00 sharp it is this week's digest's instant: the next one is a week later,
        # after the clock change of Sunday 29 March, so 09:00 CEST is 07:00 UTC.
        (utc(2026, 3, 23, 8), "2026-W14", utc(2026, 3, 30, 7)),
        # Sunday 29 March, 00:30 UTC (01:30 CET) and 01:30 UTC (03:30 CEST): both Monday 07:00.
        (utc(2026, 3, 29, 0, 30), "2026-W14", utc(2026, 3, 30, 7)),
        (utc(2026, 3, 29, 1, 30), "2026-W14", utc(2026, 3, 30, 7)),
        # Monday 30 March 07:30 UTC is 09:30 CEST: too late, next Monday.
        (utc(2026, 3, 30, 7, 30), "2026-W15", utc(2026, 4, 6, 7)),
    ],
)
def test_the_paris_digest_keeps_monday_9h_across_the_march_clock_change(
    now: datetime, slot: str, due: datetime
) -> None:
    assert next_digest(now, PARIS) == (slot, due)


@pytest.mark.parametrize(
    ("now", "slot", "due"),
    [
        # Monday 19 October 2026 is CEST: 09:00 is 07:00 UTC.
        (utc(2026, 10, 19, 6), "2026-W43", utc(2026, 10, 19, 7)),
        (utc(2026, 10, 19, 7), "2026-W44", utc(2026, 10, 26, 8)),
        # Sunday 25 October: 00:30 UTC is 02:30 CEST, 01:30 UTC is 02:30 CET (the hour twice).
        (utc(2026, 10, 25, 0, 30), "2026-W44", utc(2026, 10, 26, 8)),
        (utc(2026, 10, 25, 1, 30), "2026-W44", utc(2026, 10, 26, 8)),
        # Monday 26 October 07:30 UTC is 08:30 CET: still ahead, the same day.
        (utc(2026, 10, 26, 7, 30), "2026-W44", utc(2026, 10, 26, 8)),
    ],
)
def test_the_paris_digest_keeps_monday_9h_across_the_october_clock_change(
    now: datetime, slot: str, due: datetime
) -> None:
    assert next_digest(now, PARIS) == (slot, due)


@pytest.mark.parametrize(
    ("now", "slot", "due"),
    [
        # Monday 09:00 in Tokyo (UTC+9, no summer time) is Monday 00:00 UTC.
        # Sunday 3 May 23:30 UTC is already Monday 08:30 in Tokyo: the digest is 30 minutes away.
        (utc(2026, 5, 3, 23, 30), "2026-W19", utc(2026, 5, 4)),
        # Monday 4 May 00:00 UTC is 09:00 sharp in Tokyo: next week.
        (utc(2026, 5, 4), "2026-W20", utc(2026, 5, 11)),
        # Sunday 10 May 12:00 UTC is Sunday 21:00 in Tokyo.
        (utc(2026, 5, 10, 12), "2026-W20", utc(2026, 5, 11)),
        # Monday 11 May 08:00 UTC is 17:00 in Tokyo: the Monday is Monday in UTC too, but gone.
        (utc(2026, 5, 11, 8), "2026-W21", utc(2026, 5, 18)),
    ],
)
def test_the_tokyo_digest_is_monday_9h_tokyo_which_is_midnight_utc(
    now: datetime, slot: str, due: datetime
) -> None:
    assert next_digest(now, TOKYO) == (slot, due)


def test_the_digest_slot_is_the_iso_week_of_the_local_monday() -> None:
    # 2026 has 53 ISO weeks: Monday 28 December is 2026-W53, Monday 4 January 2027-W01.
    assert next_digest(utc(2026, 12, 24, 12), PARIS) == ("2026-W53", utc(2026, 12, 28, 8))
    assert next_digest(utc(2026, 12, 28, 9), PARIS) == ("2027-W01", utc(2027, 1, 4, 8))
    # Monday 29 December 2025 already belongs to the ISO year 2026.
    assert next_digest(utc(2025, 12, 24, 12), PARIS) == ("2026-W01", utc(2025, 12, 29, 8))


def test_the_weekly_summary_is_monday_8h_an_hour_before_the_digest() -> None:
    now = utc(2026, 3, 25, 12)
    assert next_summary(now, PARIS) == ("2026-W14", utc(2026, 3, 30, 6))
    assert next_summary(now, TOKYO) == ("2026-W14", utc(2026, 3, 29, 23))


@settings(max_examples=200, deadline=None)
@given(now=INSTANTS, zone=ZONES)
def test_the_next_digest_is_the_first_monday_9h_strictly_after_now(
    now: datetime, zone: str
) -> None:
    slot, due = next_digest(now, zone)
    local = due.astimezone(ZoneInfo(zone))
    assert (local.weekday(), local.hour, local.minute) == (0, 9, 0)
    # A week at most, give or take the clock change of the week (an hour in these zones).
    assert now < due <= now + timedelta(days=7, hours=1)
    year, week, _ = local.isocalendar()
    assert slot == f"{year}-W{week:02d}"
    # Asked again at its instant, the next one is a week later (local wall clock).
    later_slot, later = next_digest(due, zone)
    assert later_slot != slot
    assert later.astimezone(ZoneInfo(zone)).date() == local.date() + timedelta(days=7)


# -- plan_presentation -----------------------------------------------------------------------

READY = utc(2026, 6, 1, 10)
"""Monday 1 June 2026: the mentor marks the student ready for assessment."""


def test_a_student_ready_gets_a_request_nudge_and_a_mock_nudge_two_to_three_weeks_ahead() -> None:
    dates = plan_dates(READY, Progress((2, 3), mock_before_presentation=True, advice=""))
    # Request within two days; presentation between 15 and 22 June; mock four days before.
    assert dates.request_by == utc(2026, 6, 3, 10)
    assert (dates.presentation_from, dates.presentation_until) == (
        utc(2026, 6, 15, 10),
        utc(2026, 6, 22, 10),
    )
    assert dates.mock_by == utc(2026, 6, 11, 10)
    planned = plan_presentation(
        MENTOR, 9, request_by=dates.request_by, mock_by=dates.mock_by, now=READY
    )
    assert planned == [
        # 12 hours before the request deadline, two days before the mock.
        Planned("presentation", MENTOR, "m9:request", utc(2026, 6, 2, 22)),
        Planned("presentation", MENTOR, "m9:mock", utc(2026, 6, 9, 10)),
    ]


def test_without_a_mock_only_the_request_is_nudged() -> None:
    dates = plan_dates(READY, Progress((3, 3), mock_before_presentation=False, advice=""))
    assert dates.mock_by is None
    assert plan_presentation(MENTOR, 9, request_by=dates.request_by, mock_by=None, now=READY) == [
        Planned("presentation", MENTOR, "m9:request", utc(2026, 6, 2, 22)),
    ]


def test_a_request_deadline_close_at_hand_is_nudged_an_hour_from_now() -> None:
    planned = plan_presentation(
        MENTOR, 9, request_by=READY + timedelta(hours=6), mock_by=None, now=READY
    )
    assert planned == [Planned("presentation", MENTOR, "m9:request", utc(2026, 6, 1, 11))]


def test_a_mock_less_than_two_days_away_gets_no_nudge() -> None:
    def mock_nudges(mock_by: datetime) -> list[datetime]:
        planned = plan_presentation(
            MENTOR, 9, request_by=READY + timedelta(days=2), mock_by=mock_by, now=READY
        )
        return [p.due_at for p in planned if p.slot == "m9:mock"]

    assert mock_nudges(READY + timedelta(days=2)) == []
    assert mock_nudges(READY + timedelta(days=2) + SECOND) == [READY + SECOND]


@pytest.mark.parametrize(
    ("slot", "read"),
    [
        ("m9:request", (9, "request")),
        ("m12345:mock", (12345, "mock")),
        ("m9:other", None),
        ("mx:mock", None),
        ("9:mock", None),
        ("m:mock", None),
        (f"48h@{MAY_TS}", None),
    ],
)
def test_presentation_slots_read_back(slot: str, read: tuple[int, str] | None) -> None:
    assert presentation_slot(slot) == read


# -- labels ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lead", "label"),
    [
        (timedelta(hours=48), "48h"),
        (timedelta(hours=1), "1h"),
        (timedelta(minutes=90), "90m"),
        (timedelta(minutes=5), "5m"),
        (timedelta(days=7), "168h"),
        (timedelta(days=1, minutes=30), "1470m"),
    ],
)
def test_lead_labels(lead: timedelta, label: str) -> None:
    assert lead_label(lead) == label


def test_only_soon_slots_are_starting_soon() -> None:
    assert is_soon(f"soon@{MAY_TS}")
    assert not is_soon(f"1h@{MAY_TS}")
    assert not is_soon("soonish@1")
    assert not is_soon("m9:request")
