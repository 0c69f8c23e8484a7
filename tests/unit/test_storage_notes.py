"""Notes: written, edited, shared, deleted, and found again by full-text search."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.db import Database
from bot.storage import mentorships as ms
from bot.storage import notes as ns
from bot.storage import sessions as ss
from bot.vocabulary import SessionKind

GUILD = 100
ALICE, BOB = 1, 2  # mentors
CHLOE = 11  # student
NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)

HOSTILE = [
    'foo" OR',
    "-",
    "*",
    "NEAR(",
    "NEAR(a b, 2)",
    '"',
    '""',
    "AND",
    "OR NOT",
    "title:évaluation",
    "^start",
    "a + b",
    "'; DROP TABLE notes; --",
    "1) OR 1=1 --",
    "\x00",
    "év\x00al",
    "(((",
    "{title body}: x",
    "",
    "   ",
]


async def _mentorship(db: Database, mentor: int = ALICE) -> int:
    async with db.transaction() as tx:
        added = await ms.add_mentorship(
            tx, GUILD, mentor, CHLOE, "P4", None, None, 45, NOW, student_name="Student"
        )
    return added.id


async def _note(
    db: Database, mentorship_id: int, title: str, body: str, *, author: int = ALICE
) -> ns.Note:
    async with db.transaction() as tx:
        return await ns.add_note(tx, mentorship_id, author, title, body, NOW)


async def test_notes_crud(db: Database) -> None:
    mentorship = await _mentorship(db)
    async with db.transaction() as tx:
        (session_id,) = await ss.add_sessions(
            tx, mentorship, None, [(None, NOW + timedelta(days=1))], 45, SessionKind.REGULAR, NOW
        )
        note = await ns.add_note(
            tx,
            mentorship,
            ALICE,
            "Discovery",
            "Wants to become a data analyst.",
            NOW,
            session_id=session_id,
            source_url="https://discord.com/channels/100/200/300",
            template="feedback-v1",
            fields={"strengths": "SQL", "next_steps": "Finish the dashboard"},
        )
    assert note.session_id == session_id
    assert note.template == "feedback-v1"
    assert note.fields == {"strengths": "SQL", "next_steps": "Finish the dashboard"}
    assert note.created_at == note.updated_at == NOW
    assert note.shared_at is None
    assert await ns.get_note(db, note.id) == note

    later = NOW + timedelta(hours=2)
    async with db.transaction() as tx:
        assert await ns.update_note(
            tx, note.id, "Discovery session", "Data analyst, 2 years.", later
        )
        assert not await ns.update_note(tx, 999, "x", "y", later)
    edited = await ns.get_note(db, note.id)
    assert edited is not None
    assert edited.title == "Discovery session"
    assert edited.body == "Data analyst, 2 years."
    assert edited.updated_at == later
    assert edited.created_at == NOW

    async with db.transaction() as tx:
        assert await ns.delete_note(tx, note.id)
        assert not await ns.delete_note(tx, note.id)
    assert await ns.get_note(db, note.id) is None


async def test_listing_counting_and_latest_titles(db: Database) -> None:
    mentorship = await _mentorship(db)
    written = []
    for n in range(5):
        async with db.transaction() as tx:
            written.append(
                await ns.add_note(
                    tx, mentorship, ALICE, f"Week {n}", "…", NOW + timedelta(days=7 * n)
                )
            )
    await _note(db, mentorship, "Bob's aside", "…", author=BOB)
    assert await ns.count_notes(db, mentorship, ALICE) == 5
    assert await ns.count_notes(db, mentorship, BOB) == 1
    page = await ns.notes_of(db, mentorship, ALICE, limit=2, offset=1)
    assert [n.title for n in page] == ["Week 3", "Week 2"]
    titles = await ns.latest_titles(db, mentorship, ALICE)
    assert [t.title for t in titles] == ["Week 4", "Week 3", "Week 2"]
    assert titles[0].id == written[4].id


async def test_limits_on_title_and_body(db: Database) -> None:
    mentorship = await _mentorship(db)
    await _note(db, mentorship, "t" * ns.TITLE_MAX, "b" * ns.BODY_MAX)
    with pytest.raises(Exception, match="CHECK constraint failed"):
        await _note(db, mentorship, "t" * (ns.TITLE_MAX + 1), "body")
    with pytest.raises(Exception, match="CHECK constraint failed"):
        await _note(db, mentorship, "title", "b" * (ns.BODY_MAX + 1))


async def test_sharing_a_note_with_the_student(db: Database) -> None:
    mentorship = await _mentorship(db)
    private = await _note(db, mentorship, "Private", "Only for me.")
    shared = await _note(db, mentorship, "Feedback", "Strong SQL, work on charts.")
    async with db.transaction() as tx:
        assert await ns.mark_shared(
            tx, shared.id, NOW + timedelta(hours=1), title="Feedback", body="Sent", digest="d"
        )
    found = await ns.shared_with_student(db, CHLOE, GUILD)
    assert [n.id for n in found] == [shared.id]
    assert found[0].shared_at == NOW + timedelta(hours=1)
    assert await ns.shared_with_student(db, CHLOE, None) == found
    assert await ns.shared_with_student(db, CHLOE, GUILD + 1) == []
    assert private.id not in [n.id for n in found]


async def test_search_finds_accented_words_without_accents(db: Database) -> None:
    mentorship = await _mentorship(db)
    note = await _note(db, mentorship, "Préparer l'évaluation", "Répéter la soutenance à l'oral.")
    hits = await ns.search_notes(db, ALICE, "evaluation")
    assert [h.note.id for h in hits] == [note.id]
    assert [h.note.id for h in await ns.search_notes(db, ALICE, "SOUTENANCE repeter")] == [note.id]
    assert [h.note.id for h in await ns.search_notes(db, ALICE, "Évaluation")] == [note.id]


async def test_search_ranks_and_gives_snippets(db: Database) -> None:
    mentorship = await _mentorship(db)
    passing = await _note(
        db, mentorship, "Week 2", "We talked about many things; the dashboard came up once."
    )
    focused = await _note(
        db, mentorship, "Dashboard review", "The dashboard needs filters. Dashboard colours ok."
    )
    await _note(db, mentorship, "Week 3", "Nothing about it.")
    hits = await ns.search_notes(db, ALICE, "dashboard")
    assert [h.note.id for h in hits] == [focused.id, passing.id]
    assert hits[0].rank <= hits[1].rank
    assert "**dashboard**" in hits[1].snippet
    assert "**" in hits[0].snippet
    assert await ns.search_notes(db, ALICE, "dashboard", limit=1) == hits[:1]


async def test_search_never_shows_another_authors_notes(db: Database) -> None:
    alice_mentorship = await _mentorship(db, ALICE)
    bob_mentorship = await _mentorship(db, BOB)
    mine = await _note(db, alice_mentorship, "Portfolio", "Portfolio looks good.")
    await _note(db, bob_mentorship, "Portfolio", "Bob's portfolio thoughts.", author=BOB)
    await _note(db, alice_mentorship, "Portfolio too", "Bob co-wrote here.", author=BOB)
    hits = await ns.search_notes(db, ALICE, "portfolio")
    assert [h.note.id for h in hits] == [mine.id]
    assert await ns.search_notes(db, ALICE, "portfolio", mentorship_id=bob_mentorship) == []
    assert len(await ns.search_notes(db, BOB, "portfolio")) == 2
    assert len(await ns.search_notes(db, BOB, "portfolio", mentorship_id=bob_mentorship)) == 1


@pytest.mark.parametrize("query", HOSTILE)
async def test_hostile_queries_do_not_raise(db: Database, query: str) -> None:
    mentorship = await _mentorship(db)
    await _note(db, mentorship, "NEAR OR AND", 'Quoted "foo" and évaluation, 1=1.')
    hits = await ns.search_notes(db, ALICE, query)
    assert isinstance(hits, list)


async def test_hostile_text_is_searched_literally(db: Database) -> None:
    mentorship = await _mentorship(db)
    note = await _note(db, mentorship, "Operators", 'He said "foo" OR bar, NEAR the end.')
    assert [h.note.id for h in await ns.search_notes(db, ALICE, 'foo" OR')] == [note.id]
    assert [h.note.id for h in await ns.search_notes(db, ALICE, "NEAR(")] == [note.id]
    assert await ns.search_notes(db, ALICE, "") == []
    assert await ns.search_notes(db, ALICE, "*") == []


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(query=st.text())
async def test_any_text_as_a_query_never_raises(db: Database, query: str) -> None:
    if await ns.count_notes(db, 1, ALICE) == 0:
        mentorship = await _mentorship(db)
        await _note(db, mentorship, "Évaluation", "La soutenance approche.")
    hits = await ns.search_notes(db, ALICE, query)
    assert all(h.note.author_id == ALICE for h in hits)


async def test_search_follows_updates_and_deletes(db: Database) -> None:
    mentorship = await _mentorship(db)
    note = await _note(db, mentorship, "Week 1", "Talked about the portfolio.")
    async with db.transaction() as tx:
        await ns.update_note(tx, note.id, "Week 1", "Talked about the résumé.", NOW)
    assert await ns.search_notes(db, ALICE, "portfolio") == []
    assert [h.note.id for h in await ns.search_notes(db, ALICE, "resume")] == [note.id]
    async with db.transaction() as tx:
        # not an indexed column: index unchanged
        await ns.mark_shared(tx, note.id, NOW, title="Week 1", body="Copy", digest="d")
    assert [h.note.id for h in await ns.search_notes(db, ALICE, "resume")] == [note.id]
    async with db.transaction() as tx:
        await ns.delete_note(tx, note.id)
    assert await ns.search_notes(db, ALICE, "resume") == []
    await _check_index(db)


async def test_deleting_a_mentorship_removes_its_sessions_notes_and_index(db: Database) -> None:
    mentorship = await _mentorship(db)
    kept_mentorship = await _mentorship(db, BOB)
    async with db.transaction() as tx:
        (session_id,) = await ss.add_sessions(
            tx, mentorship, None, [(None, NOW + timedelta(days=1))], 45, SessionKind.REGULAR, NOW
        )
        await ns.add_note(
            tx, mentorship, ALICE, "Gone", "Évaluation soon.", NOW, session_id=session_id
        )
    kept = await _note(db, kept_mentorship, "Kept", "Évaluation later.", author=BOB)
    async with db.transaction() as tx:
        await tx.execute("DELETE FROM mentorships WHERE id = ?", (mentorship,))
    assert await db.fetch_all("SELECT id FROM sessions") == []
    assert [row["id"] for row in await db.fetch_all("SELECT id FROM notes")] == [kept.id]
    assert await ns.search_notes(db, ALICE, "evaluation") == []
    fts_rows = await db.fetch_all(
        "SELECT rowid FROM notes_fts WHERE notes_fts MATCH ?", ('"evaluation"',)
    )
    assert [row[0] for row in fts_rows] == [kept.id]
    await _check_index(db)


async def test_deleting_a_session_keeps_its_notes(db: Database) -> None:
    mentorship = await _mentorship(db)
    async with db.transaction() as tx:
        (session_id,) = await ss.add_sessions(
            tx, mentorship, None, [(None, NOW + timedelta(days=1))], 45, SessionKind.REGULAR, NOW
        )
        note = await ns.add_note(
            tx, mentorship, ALICE, "Prep", "Slides.", NOW, session_id=session_id
        )
        await tx.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
    kept = await ns.get_note(db, note.id)
    assert kept is not None
    assert kept.session_id is None
    assert [h.note.id for h in await ns.search_notes(db, ALICE, "slides")] == [note.id]


def test_fts_query_quotes_words_and_keeps_phrases_and_prefixes() -> None:
    assert ns.fts_query('foo" OR') == '"foo" "OR"'
    assert ns.fts_query("  - * ") == ""
    assert ns.fts_query("a\x00b") == '"a" "b"'
    assert ns.fts_query("proj* review") == '"proj"* "review"'
    assert ns.fts_query('"next steps" sql') == '"next steps" "sql"'
    assert ns.fts_query('say "x""') == '"say" "x"'
    assert ns.fts_query("dash", as_you_type=True) == '"dash"*'
    assert ns.fts_query("sql dash", as_you_type=True) == '"sql" "dash"*'


async def test_title_matches_come_first_then_the_newest_notes(db: Database) -> None:
    mentorship = await _mentorship(db)
    older = await _note(db, mentorship, "Week 1", "The portfolio needs work.")
    titled = await _note(db, mentorship, "Portfolio", "Reviewed it together.")
    newer = await _note(db, mentorship, "Week 3", "Portfolio almost done.")
    hits = await ns.search_notes(db, ALICE, "portfolio")
    assert [h.note.id for h in hits] == [titled.id, newer.id, older.id]
    assert [h.rank for h in hits] == [ns.TITLE_RANK, ns.TEXT_RANK, ns.TEXT_RANK]
    assert [h.note.id for h in await ns.search_notes(db, ALICE, "portfolio", limit=2)] == [
        titled.id,
        newer.id,
    ]


async def test_title_matches_come_first_among_the_newest_notes_only(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ns, "TITLE_WINDOW", 2)
    mentorship = await _mentorship(db)
    old_title = await _note(db, mentorship, "Portfolio", "First look.")
    await _note(db, mentorship, "Week 2", "Nothing.")
    newer = await _note(db, mentorship, "Week 3", "Portfolio almost done.")
    hits = await ns.search_notes(db, ALICE, "portfolio")
    assert [h.note.id for h in hits] == [newer.id, old_title.id]  # found, by recency
    assert [h.rank for h in hits] == [ns.TEXT_RANK, ns.TEXT_RANK]


async def test_prefix_queries_match_the_start_of_words(db: Database) -> None:
    mentorship = await _mentorship(db)
    project = await _note(db, mentorship, "Projet", "The project plan and its milestones.")
    family = await _note(db, mentorship, "Home", "Talked about family and relationships.")
    assert [h.note.id for h in await ns.search_notes(db, ALICE, "proj*")] == [project.id]
    assert [h.note.id for h in await ns.search_notes(db, ALICE, "famil*")] == [family.id]
    assert [h.note.id for h in await ns.search_notes(db, ALICE, "mi*")] == [project.id]
    assert await ns.search_notes(db, ALICE, "proj") == []
    typed = await ns.search_notes(db, ALICE, "milest", as_you_type=True)
    assert [h.note.id for h in typed] == [project.id]


async def test_words_are_stemmed_and_accents_folded(db: Database) -> None:
    mentorship = await _mentorship(db)
    note = await _note(db, mentorship, "Évaluations", "Talked about family relationships.")
    assert [h.note.id for h in await ns.search_notes(db, ALICE, "relationship")] == [note.id]
    assert [h.note.id for h in await ns.search_notes(db, ALICE, "evaluation")] == [note.id]
    assert [h.note.id for h in await ns.search_notes(db, ALICE, "families")] == [note.id]


async def test_phrase_queries_need_the_words_together_and_in_order(db: Database) -> None:
    mentorship = await _mentorship(db)
    together = await _note(db, mentorship, "Week 1", "We agreed on the next steps for SQL.")
    apart = await _note(db, mentorship, "Week 2", "Steps first, then the next topic.")
    phrase = await ns.search_notes(db, ALICE, '"next steps"')
    assert [h.note.id for h in phrase] == [together.id]
    assert "**next steps**" in phrase[0].snippet
    words = await ns.search_notes(db, ALICE, "next steps")
    assert sorted(h.note.id for h in words) == sorted([together.id, apart.id])


async def test_prefix_and_phrase_never_reach_another_authors_notes(db: Database) -> None:
    alice_mentorship = await _mentorship(db, ALICE)
    bob_mentorship = await _mentorship(db, BOB)
    mine = await _note(db, alice_mentorship, "Project", "Next steps: the project report.")
    await _note(db, bob_mentorship, "Project", "Next steps: the project report.", author=BOB)
    for query in ("proj*", '"next steps"', "report", str(BOB), f"{BOB}*"):
        hits = await ns.search_notes(db, ALICE, query)
        assert [h.note.id for h in hits] == ([] if str(BOB) in query else [mine.id]), query


async def _check_index(db: Database) -> None:
    """The external-content index agrees with the notes table."""
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO notes_fts (notes_fts, rank) VALUES ('integrity-check', 1)")
