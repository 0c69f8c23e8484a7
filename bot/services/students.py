"""Mentorships: starting, finding, editing and ending them."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace
from datetime import datetime

from bot.content import STARTING_POINTS
from bot.db import Database
from bot.numbers import plain_int
from bot.refusal import Refusal
from bot.services import news, reminders
from bot.services.coaching import progress_of
from bot.services.people import choose_language, known_languages
from bot.storage import checkins as checkin_store
from bot.storage import mentorships as store
from bot.storage import notes as note_store
from bot.storage import sessions as session_store
from bot.storage.checkins import Links
from bot.storage.coaching import PresentationPlan, ProgressEntry
from bot.storage.mentorships import AlreadyMentoring, Mentorship
from bot.storage.news import Change, NewChange
from bot.storage.notes import NoteTitle
from bot.storage.sessions import Attendance, Session, bump_revision

PROJECT_MAX = 200
PATH_MAX = 100
GOAL_MAX = 300
SESSION_LENGTHS = (30, 45)


@dataclass(frozen=True)
class NewStudent:
    """Who a mentor wants to follow, as given in `/student add`."""

    guild_id: int
    mentor_id: int
    student_id: int
    student_name: str
    student_is_bot: bool
    project: str
    path: str | None
    goal: str | None
    session_minutes: int
    starting_point: str | None = None
    """Where the student starts from (`bot.content.STARTING_POINTS`), optional."""
    language: str | None = None
    """The student's language as their mentor knows it (their own choice always wins)."""


def clean_text(value: str | None, *, limit: int, field: str, required: bool = False) -> str | None:
    """Strip a text option; refuse it when empty but required, or longer than `limit`."""
    text = "".join(ch for ch in value or "" if ch.isspace() or unicodedata.category(ch) != "Cc")
    text = text.strip()
    if not text:
        if required:
            raise Refusal("students.missing_text", field=field)
        return None
    if len(text) > limit:
        raise Refusal("common.too_long", field=field, limit=limit, length=len(text))
    return text


async def start_mentorship(db: Database, new: NewStudent, now: datetime) -> Mentorship:
    """Start following a student, or refuse with the reason."""
    if new.student_is_bot:
        raise Refusal("students.is_bot")
    if new.student_id == new.mentor_id:
        raise Refusal("students.is_self")
    if new.session_minutes not in SESSION_LENGTHS:
        raise Refusal("students.bad_length")
    project = clean_text(new.project, limit=PROJECT_MAX, field="project", required=True)
    path = clean_text(new.path, limit=PATH_MAX, field="path")
    goal = clean_text(new.goal, limit=GOAL_MAX, field="goal")
    assert project is not None
    if new.starting_point is not None and new.starting_point not in STARTING_POINTS:
        raise Refusal("students.bad_starting_point")
    if new.language is not None and new.language not in known_languages():
        raise Refusal("people.unknown_language", language=new.language[:20])
    try:
        async with db.transaction() as tx:
            added = await store.add_mentorship(
                tx,
                new.guild_id,
                new.mentor_id,
                new.student_id,
                project,
                path,
                goal,
                new.session_minutes,
                now,
                student_name=new.student_name,
            )
            if new.starting_point is not None:
                await store.set_starting_point(tx, added.id, new.starting_point)
                added = replace(added, starting_point=new.starting_point)
    except AlreadyMentoring as error:
        raise Refusal("students.already", name=new.student_name) from error
    if new.language is not None:
        await choose_language(db, new.student_id, new.language, by_self=False, now=now)
    return added


async def resolve_student(db: Database, guild_id: int, mentor_id: int, text: str) -> Mentorship:
    """Find one of the mentor's active students from an autocomplete value or a typed name."""
    wanted = text.strip()
    mine = await store.active_for_mentor(db, guild_id, mentor_id)
    number = plain_int(wanted, max_digits=20)
    if number is not None:
        for mentorship in mine:
            if number in (mentorship.id, mentorship.student_id):
                return mentorship
    folded = wanted.casefold().lstrip("@")
    matches = [m for m in mine if m.student_name.casefold() == folded]
    if len(matches) == 1:
        return matches[0]
    raise Refusal("students.unknown", text=wanted[:100])


async def student_choices(
    db: Database, guild_id: int, mentor_id: int, typed: str
) -> list[tuple[str, str]]:
    """Return up to 25 (label, value) pairs for the mentor's students matching `typed`."""
    folded = typed.strip().casefold()
    mine = await store.active_for_mentor(db, guild_id, mentor_id)
    found = [
        m for m in mine if folded in m.student_name.casefold() or folded in m.project.casefold()
    ]
    found.sort(key=lambda m: (not m.student_name.casefold().startswith(folded), m.student_name))
    return [(f"{m.student_name} · {m.project}"[:100], str(m.id)) for m in found[:25]]


async def edit_mentorship(
    db: Database,
    mentorship: Mentorship,
    *,
    project: str | None,
    path: str | None,
    goal: str | None,
    session_minutes: int | None,
    starting_point: str | None = None,
) -> Mentorship:
    """Change what was given (an empty text clears path or goal); refuse when nothing is."""
    given = (project, path, goal, session_minutes, starting_point)
    if all(value is None for value in given):
        raise Refusal("students.nothing_to_edit")
    if starting_point is not None and starting_point not in STARTING_POINTS:
        raise Refusal("students.bad_starting_point")
    if session_minutes is not None and session_minutes not in SESSION_LENGTHS:
        raise Refusal("students.bad_length")
    new_project = mentorship.project
    if project is not None:
        new_project = clean_text(project, limit=PROJECT_MAX, field="project", required=True) or ""
    new_path = mentorship.path if path is None else clean_text(path, limit=PATH_MAX, field="path")
    new_goal = mentorship.goal if goal is None else clean_text(goal, limit=GOAL_MAX, field="goal")
    async with db.transaction() as tx:
        updated = await store.update_mentorship(
            tx,
            mentorship.id,
            project=new_project,
            path=new_path,
            goal=new_goal,
            session_minutes=session_minutes or mentorship.session_minutes,
        )
        if updated is not None and starting_point is not None:
            await store.set_starting_point(tx, mentorship.id, starting_point)
            updated = replace(updated, starting_point=starting_point)
    if updated is None:
        raise Refusal("students.unknown", text=mentorship.student_name)
    return updated


async def end_mentorship(db: Database, mentorship: Mentorship, now: datetime) -> list[int]:
    """Archive the mentorship, cancel its future sessions; return their ids."""
    async with db.transaction() as tx:
        cancelled = await store.archive_mentorship(tx, mentorship.id, now)
        await reminders.forget_sessions(tx, cancelled)
        await bump_revision(tx, cancelled)
        if cancelled or mentorship.active:
            await news.tell(
                tx,
                NewChange(
                    recipient_id=mentorship.student_id,
                    guild_id=mentorship.guild_id,
                    mentorship_id=mentorship.id,
                    mentor_id=mentorship.mentor_id,
                    change=Change.ARCHIVED,
                    detail={"count": len(cancelled)},
                ),
                now,
            )
        return cancelled


async def mentorship_of(db: Database, mentorship_id: int) -> Mentorship | None:
    """Return a mentorship by id, active or ended; None when there is none."""
    return await store.get_mentorship(db, mentorship_id)


async def students_of(db: Database, guild_id: int, mentor_id: int) -> list[Mentorship]:
    """Return the students a mentor follows in a server."""
    return await store.active_for_mentor(db, guild_id, mentor_id)


async def mentors_of(db: Database, student_id: int) -> list[Mentorship]:
    """Return a student's active mentorships, in every server."""
    return await store.mentorships_of_student(db, student_id, None)


async def followed(
    db: Database, guild_id: int, mentor_id: int, student_id: int
) -> Mentorship | None:
    """Return a mentor's active mentorship of a member, None when they do not follow them."""
    return await store.find_active(db, guild_id, mentor_id, student_id)


@dataclass(frozen=True)
class Card:
    """What `/student show` tells a mentor about a student, beyond the profile."""

    attendance: Attendance
    upcoming: Session | None
    progress: list[ProgressEntry]
    plan: PresentationPlan | None
    notes: list[NoteTitle]
    """The titles of the mentor's latest notes on the student."""
    links: Links


async def card_of(db: Database, mentorship: Mentorship, mentor_id: int, now: datetime) -> Card:
    """Gather a student's attendance, next session, progress, latest notes and links."""
    attendance = await session_store.attendance(db, mentorship.id)
    upcoming = await session_store.next_session(db, mentorship.id, now)
    progress, plan = await progress_of(db, mentorship.id)
    return Card(
        attendance=attendance,
        upcoming=upcoming,
        progress=progress,
        plan=plan,
        notes=await note_store.latest_titles(db, mentorship.id, mentor_id),
        links=await checkin_store.links_of(db, mentorship.id),
    )


async def next_and_last(
    db: Database, mentorship_id: int, now: datetime
) -> tuple[Session | None, Session | None]:
    """Return a mentorship's next session and its last recorded one."""
    return (
        await session_store.next_session(db, mentorship_id, now),
        await session_store.last_recorded(db, mentorship_id),
    )
