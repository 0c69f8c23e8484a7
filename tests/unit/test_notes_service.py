"""The notes service: limits, author-only access, session links and sharing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.db import Database
from bot.refusal import Refusal
from bot.services import notes as service
from bot.storage import mentorships as ms
from bot.storage import notes as ns
from bot.storage import sessions as ss
from bot.storage.mentorships import Mentorship
from bot.vocabulary import SessionKind

GUILD = 100
MARA, MEHDI = 1, 2  # mentors
SAM, SOFIA = 11, 12  # students
NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


async def mentorship(db: Database, mentor: int, student: int, name: str) -> Mentorship:
    async with db.transaction() as tx:
        return await ms.add_mentorship(
            tx, GUILD, mentor, student, "P2", None, None, 30, NOW, student_name=name
        )


async def session_of(db: Database, mentorship_id: int) -> int:
    async with db.transaction() as tx:
        series = await ss.add_series(
            tx, mentorship_id, "UTC", NOW.replace(tzinfo=None), "none", SessionKind.REGULAR, 30
        )
        [session_id] = await ss.add_sessions(
            tx, mentorship_id, series, [(0, NOW - timedelta(days=1))], 30, SessionKind.REGULAR, NOW
        )
    return session_id


async def all_notes(db: Database) -> list[ns.Note]:
    rows = await db.fetch_all("SELECT id FROM notes ORDER BY id")
    notes = [await ns.get_note(db, int(row[0])) for row in rows]
    return [n for n in notes if n is not None]


def refusal_key(excinfo: pytest.ExceptionInfo[Refusal]) -> str:
    return excinfo.value.key


async def test_a_note_is_stored_exactly_as_written(db: Database) -> None:
    sam = await mentorship(db, MARA, SAM, "Sam")
    body = "Élan 🎯 \"quoted\" 'single' **bold** @everyone\n'; DROP TABLE notes; --\n  indented"
    note = await service.save_note(db, NOW, sam, MARA, "  Première   séance 🚀 ", body)
    assert note.title == "Première séance 🚀"
    assert note.body == body
    assert (await ns.get_note(db, note.id)) == note


async def test_title_and_body_limits_are_enforced_by_the_service(db: Database) -> None:
    sam = await mentorship(db, MARA, SAM, "Sam")
    ok = await service.save_note(db, NOW, sam, MARA, "t" * 100, "b" * 4000)
    assert (len(ok.title), len(ok.body)) == (100, 4000)
    with pytest.raises(Refusal) as long_title:
        await service.save_note(db, NOW, sam, MARA, "t" * 101, "body")
    assert long_title.value.key == "common.too_long"
    assert long_title.value.values["length"] == 101
    with pytest.raises(Refusal) as long_body:
        await service.save_note(db, NOW, sam, MARA, "title", "b" * 4001)
    assert long_body.value.values == {"field": "note", "limit": 4000, "length": 4001}
    for title, body, key in [
        ("   ", "body", "notes.missing_title"),
        ("title", " \n\t ", "notes.missing_body"),
    ]:
        with pytest.raises(Refusal) as empty:
            await service.save_note(db, NOW, sam, MARA, title, body)
        assert refusal_key(empty) == key
    assert [n.id for n in await all_notes(db)] == [ok.id]


async def test_a_message_body_is_cut_to_the_limit_with_the_cut_marked() -> None:
    assert service.body_from_message("short") == "short"
    cut = service.body_from_message("x" * 5000)
    assert len(cut) == 4000
    assert cut.endswith("…")
    exact = "y" * 4000
    assert service.body_from_message(exact) == exact


async def test_only_the_author_may_read_edit_delete_or_share(db: Database) -> None:
    sam = await mentorship(db, MARA, SAM, "Sam")
    note = await service.save_note(db, NOW, sam, MARA, "Plan", "Next steps")
    for other in (MEHDI, SAM, 999):
        with pytest.raises(Refusal):
            await service.note_of_author(db, other, note.id)
        with pytest.raises(Refusal):
            await service.edit_note(db, NOW, other, note.id, "Hacked", "x")
        with pytest.raises(Refusal):
            await service.delete_note(db, other, note.id)
        with pytest.raises(Refusal):
            await service.prepare_share(db, other, note.id)
        with pytest.raises(Refusal):
            await service.mark_shared(
                db, NOW, other, note.id, service.StudentCopy(title="x", body="y")
            )
        with pytest.raises(Refusal):
            await service.search(db, other, "Next", sam)
        with pytest.raises(Refusal):
            await service.notes_on_student(db, sam, other)
    assert await all_notes(db) == [note]
    assert await service.note_of_author(db, MARA, note.id) == note


async def test_another_mentor_cannot_write_on_someone_elses_student(db: Database) -> None:
    sam = await mentorship(db, MARA, SAM, "Sam")
    with pytest.raises(Refusal) as refused:
        await service.save_note(db, NOW, sam, MEHDI, "Mine?", "no")
    assert refusal_key(refused) == "notes.not_your_student"
    assert await all_notes(db) == []


async def test_a_note_links_only_to_a_session_of_its_own_mentorship(db: Database) -> None:
    sam = await mentorship(db, MARA, SAM, "Sam")
    sofia = await mentorship(db, MARA, SOFIA, "Sofia")
    sams_session = await session_of(db, sam.id)
    sofias_session = await session_of(db, sofia.id)
    note = await service.save_note(db, NOW, sam, MARA, "S1", "ok", session_id=sams_session)
    assert note.session_id == sams_session
    with pytest.raises(Refusal) as wrong:
        await service.save_note(db, NOW, sam, MARA, "S1", "ok", session_id=sofias_session)
    assert refusal_key(wrong) == "notes.session_mismatch"
    view, found = await service.session_for_notes(db, MARA, sams_session)
    assert (view.session.id, found.id) == (sams_session, sam.id)
    with pytest.raises(Refusal) as not_mine:
        await service.session_for_notes(db, MEHDI, sams_session)
    assert refusal_key(not_mine) == "notes.not_your_session"


async def test_editing_deleting_and_sharing_by_the_author(db: Database) -> None:
    sam = await mentorship(db, MARA, SAM, "Sam")
    note = await service.save_note(db, NOW, sam, MARA, "Draft", "v1")
    later = NOW + timedelta(hours=1)
    edited = await service.edit_note(db, later, MARA, note.id, "Final", "v2 ✅")
    assert (edited.title, edited.body, edited.updated_at) == ("Final", "v2 ✅", later)
    target = await service.prepare_share(db, MARA, note.id)
    assert target.mentorship.student_id == SAM
    assert await service.shared_with(db, SAM, GUILD) == []
    assert target.state is service.ShareState.NEW
    shared = await service.mark_shared(db, later, MARA, note.id, target.copy)
    assert shared.shared_at == later
    assert [(n.id, n.body) for n in await service.shared_with(db, SAM, None)] == [
        (note.id, "v2 ✅")
    ]
    assert (await service.prepare_share(db, MARA, note.id)).state is service.ShareState.SAME
    # An edit after sharing: the student keeps the copy they were sent, until shared again.
    await service.edit_note(db, later, MARA, note.id, "Final", "v3")
    assert (await service.prepare_share(db, MARA, note.id)).state is service.ShareState.CHANGED
    assert [n.body for n in await service.shared_with(db, SAM, None)] == ["v2 ✅"]
    gone = await service.delete_note(db, MARA, note.id)
    assert gone.id == note.id
    assert await all_notes(db) == []
    with pytest.raises(Refusal):
        await service.delete_note(db, MARA, note.id)


@pytest.mark.parametrize(
    "query", ['"', "NEAR(", "*", "'; DROP TABLE notes; --", "\x00", "   ", "(((", "-", "AND"]
)
async def test_hostile_searches_never_error(db: Database, query: str) -> None:
    sam = await mentorship(db, MARA, SAM, "Sam")
    await service.save_note(db, NOW, sam, MARA, "Évaluation", "DROP TABLE notes; near the end")
    await service.search(db, MARA, query)
    await service.search(db, MARA, query, sam)
    assert len(await all_notes(db)) == 1


async def test_search_finds_accents_and_only_the_authors_notes(db: Database) -> None:
    sam = await mentorship(db, MARA, SAM, "Sam")
    other = await mentorship(db, MEHDI, SOFIA, "Sofia")
    mine = await service.save_note(db, NOW, sam, MARA, "Bilan", "Très bonne présentation")
    await service.save_note(db, NOW, other, MEHDI, "Bilan", "présentation à revoir")
    hits = await service.search(db, MARA, "presentation")
    assert [hit.note.id for hit in hits] == [mine.id]
    assert "**présentation**" in hits[0].snippet


@pytest.mark.parametrize(
    ("text", "expected"), [("12", 12), ("#7", 7), (" 3 ", 3), ("abc", None), ("9" * 30, None)]
)
def test_note_ids_are_read_safely(text: str, expected: int | None) -> None:
    if expected is None:
        with pytest.raises(Refusal):
            service.parse_note_id(text)
    else:
        assert service.parse_note_id(text) == expected


async def test_note_choices_offer_only_the_authors_notes(db: Database) -> None:
    sam = await mentorship(db, MARA, SAM, "Sam")
    sofia = await mentorship(db, MEHDI, SOFIA, "Sofia")
    first = await service.save_note(db, NOW, sam, MARA, "Kick-off", "a")
    second = await service.save_note(db, NOW + timedelta(days=7), sam, MARA, "Week 2", "b")
    await service.save_note(db, NOW, sofia, MEHDI, "Not Mara's", "c")
    choices = await service.note_choices(db, GUILD, MARA, "")
    assert [value for _, value in choices] == [str(second.id), str(first.id)]
    assert choices[0][0] == "Week 2 · Sam"
    assert [v for _, v in await service.note_choices(db, GUILD, MARA, "kick")] == [str(first.id)]
    assert await service.note_choices(db, GUILD, SAM, "") == []


async def test_note_choices_find_words_of_the_text_as_they_are_typed(db: Database) -> None:
    sam = await mentorship(db, MARA, SAM, "Sam")
    sofia = await mentorship(db, MEHDI, SOFIA, "Sofia")
    review = await service.save_note(db, NOW, sam, MARA, "Week 3", "Dashboard filters reviewed")
    await service.save_note(db, NOW, sofia, MEHDI, "Week 3", "Dashboard filters too")
    for typed in ("dash", "dashboard filt", "filters dashb"):
        choices = await service.note_choices(db, GUILD, MARA, typed)
        assert [value for _, value in choices] == [str(review.id)], typed
    assert choices[0][0] == "Week 3 · Sam"
    assert await service.note_choices(db, GUILD, MARA, "dashboard nothing") == []


def test_clip_marks_the_cut() -> None:
    assert service.clip("abc", 3) == "abc"
    assert service.clip("abcd", 3) == "ab…"


async def test_a_feedback_draft_shows_its_student_only_the_shared_fields(db: Database) -> None:
    """A feedback form kept as a draft (it could not be applied) keeps its template's privacy."""
    m = await mentorship(db, MARA, SAM, "Sam")
    values = {"progress": "Good progress on the deck", "mood_risk": "Worried about dropping out"}
    draft = await service.save_draft(
        db,
        NOW,
        m.id,
        MARA,
        "Draft",
        "\n\n".join(f"{k}: {v}" for k, v in values.items()),
        template="session_report",
        fields=values,
    )
    assert draft is not None
    assert "Worried about dropping out" in draft.body  # the author keeps every word typed
    shareable = await service.prepare_share(db, MARA, draft.id)
    assert "Worried about dropping out" not in shareable.copy.body
    assert "Worried about dropping out" not in shareable.copy.title
    assert shareable.copy.withheld  # the preview names the field the student never sees
