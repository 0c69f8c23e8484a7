"""Coaching service: prep ticks, feedback notes and their next steps, progress and plans."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.content import Progress, content, template
from bot.db import Database
from bot.refusal import Refusal
from bot.services import coaching as service
from bot.storage import coaching as store
from bot.storage import mentorships as ms
from bot.storage import notes as ns
from bot.storage import sessions as ss
from bot.storage.mentorships import Mentorship
from bot.vocabulary import SessionKind

GUILD = 100
ALICE, BOB = 1, 2  # mentors
CHLOE = 11  # student
NOW = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)


async def _mentorship(db: Database, mentor: int = ALICE) -> Mentorship:
    async with db.transaction() as tx:
        return await ms.add_mentorship(
            tx, GUILD, mentor, CHLOE, "P4", None, "Data analyst", 45, NOW, student_name="Chloe"
        )


async def _session(db: Database, mentorship: Mentorship, starts_at: datetime) -> int:
    async with db.transaction() as tx:
        [session_id] = await ss.add_sessions(
            tx, mentorship.id, None, [(None, starts_at)], 45, SessionKind.REGULAR, NOW
        )
    return session_id


def test_step_lines_drop_bullets_blanks_and_repeats() -> None:
    text = "- Add tests\n\n  • Write the README  \n1. Add tests\n[x] Fix the chart\n* " + "a" * 250
    lines = service.step_lines(text)
    assert lines[:3] == ["Add tests", "Write the README", "Fix the chart"]
    assert len(lines[3]) == store.STEP_TEXT_MAX
    assert lines[3].endswith("…")


def test_plan_dates_follow_the_lead_weeks_and_put_the_mock_in_between() -> None:
    dates = service.plan_dates(NOW, Progress((2, 3), True, "advice"))
    assert dates.presentation_from == NOW + timedelta(weeks=2)
    assert dates.presentation_until == NOW + timedelta(weeks=3)
    assert NOW < dates.request_by < dates.mock_by < dates.presentation_from  # type: ignore[operator]
    assert service.plan_dates(NOW, Progress((2, 3), False, "advice")).mock_by is None


def test_feedback_title_uses_the_mentor_zone_and_the_body_fits_a_note() -> None:
    review = template("deliverable_review")
    late = datetime(2026, 12, 3, 23, 30, tzinfo=UTC)
    assert service.feedback_title(review, late, "Europe/Paris") == "Deliverable review · 4 Dec"
    assert service.feedback_title(review, late, "America/New_York") == "Deliverable review · 3 Dec"
    full = {field.id: "x" * field.max_length for field in review.fields}
    body = service.feedback_body(review, full)
    assert len(body) == ns.BODY_MAX
    assert body.startswith(review.fields[0].label)


def test_clean_values_refuses_a_blank_required_field() -> None:
    review = template("constructive_feedback")
    with pytest.raises(Refusal) as refused:
        service.clean_values(review, {"strengths": "  ", "improvements": "x", "next_steps": "y"})
    assert refused.value.key == "coaching.feedback_missing"


async def test_prep_needs_a_session_and_its_own_mentor(db: Database) -> None:
    mentorship = await _mentorship(db)
    with pytest.raises(Refusal) as refused:
        await service.prep_next(db, NOW, mentorship)
    assert refused.value.key == "coaching.prep_no_session"
    session_id = await _session(db, mentorship, NOW + timedelta(days=1))
    prep = await service.prep_next(db, NOW, mentorship)
    assert prep.view.session.id == session_id
    assert prep.first_session
    first = prep.items[0].id
    with pytest.raises(Refusal) as other:
        await service.tick_items(db, NOW, BOB, session_id, [first])
    assert other.value.key == "coaching.prep_not_yours"
    assert await store.ticked_items(db, session_id) == set()
    with pytest.raises(Refusal):
        await service.tick_items(db, NOW, ALICE, session_id, ["not_an_item"])
    ticked = await service.tick_items(db, NOW, ALICE, session_id, [first])
    assert (ticked.done, ticked.total) == (1, prep.total)
    unticked = await service.tick_items(db, NOW, ALICE, session_id, [])
    assert unticked.done == 0


async def test_feedback_next_steps_feed_the_prep_and_an_edit_keeps_done_ones(
    db: Database,
) -> None:
    mentorship = await _mentorship(db)
    past = await _session(db, mentorship, NOW - timedelta(days=1))
    values = {"strengths": "Clear charts", "improvements": "Name axes", "next_steps": "A\nB"}
    saved = await service.save_feedback(
        db, NOW, ALICE, mentorship.id, "constructive_feedback", values, "Europe/Paris"
    )
    assert saved.note.session_id == past
    assert [s.text for s in saved.steps] == ["A", "B"]
    with pytest.raises(Refusal):
        await service.save_feedback(
            db, NOW, BOB, mentorship.id, "constructive_feedback", values, "Europe/Paris"
        )
    with pytest.raises(Refusal):
        await service.feedback_of(db, BOB, saved.note.id)

    upcoming = await _session(db, mentorship, NOW + timedelta(days=6))
    prep = await service.prep_next(db, NOW, mentorship)
    assert [s.text for s in prep.steps] == ["A", "B"]
    assert any(item.when == "has_open_steps" for item in prep.items)
    done = await service.tick_steps(db, NOW, ALICE, upcoming, [str(saved.steps[0].id)])
    assert [s.done for s in done.steps] == [True, False]

    edited = await service.edit_feedback(
        db, NOW, ALICE, saved.note.id, {**values, "next_steps": "C\nA"}
    )
    assert [(s.text, s.done) for s in edited.steps] == [("C", False), ("A", True)]
    assert edited.note.fields is not None
    assert edited.note.fields["next_steps"] == "C\nA"
    assert [s.text for s in await store.open_steps(db, mentorship.id)] == ["C"]


async def test_progress_starts_one_plan_only(db: Database) -> None:
    mentorship = await _mentorship(db)
    behind = await service.record_progress(db, NOW, mentorship, ALICE, "behind", False)
    assert behind.plan is None
    ready = await service.record_progress(db, NOW, mentorship, ALICE, "on_track", True)
    assert ready.plan_created
    assert ready.plan is not None
    lead = content().progress.presentation_lead_weeks
    assert ready.plan.presentation_from == NOW + timedelta(weeks=lead[0])
    later = NOW + timedelta(days=3)
    again = await service.record_progress(db, later, mentorship, ALICE, "ahead", True)
    assert not again.plan_created
    assert again.plan == ready.plan
    assert [e.status for e in again.history] == ["ahead", "on_track", "behind"]
    with pytest.raises(Refusal):
        await service.record_progress(db, NOW, mentorship, ALICE, "done", False)
    with pytest.raises(Refusal):
        await service.record_progress(db, NOW, mentorship, BOB, "ahead", False)
