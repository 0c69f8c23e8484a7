"""The student prepares a session (a check-in); a mentorship carries its project/meeting links."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from bot.db import Database, Reader
from bot.refusal import Refusal
from bot.reminders.kinds import MENTOR_REVIEW
from bot.services.sessions import check_answerable
from bot.services.students import clean_text
from bot.storage import checkins as store
from bot.storage import reminders as reminder_store
from bot.storage import sessions as session_store
from bot.storage.checkins import Checkin, Links
from bot.storage.mentorships import Mentorship
from bot.storage.sessions import SessionView
from bot.vocabulary import SessionStatus

ANSWER_MAX = 1000
LINK_MAX = 500


@dataclass(frozen=True)
class Answers:
    """What the student typed in the check-in form."""

    done: str | None
    stuck: str | None
    discuss: str | None
    work_link: str | None


def clean_link(value: str | None, *, field: str) -> str | None:
    """Accept an http(s) address (or nothing); refuse anything else with the field's name."""
    text = clean_text(value, limit=LINK_MAX, field=field)
    if text is None:
        return None
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in text:
        raise Refusal("checkin.bad_link", field=field, text=text[:100])
    return text


def clean_answers(answers: Answers) -> Answers:
    """Strip the answers and check their lengths and link; refuse an empty form."""
    cleaned = Answers(
        done=clean_text(answers.done, limit=ANSWER_MAX, field="done"),
        stuck=clean_text(answers.stuck, limit=ANSWER_MAX, field="stuck"),
        discuss=clean_text(answers.discuss, limit=ANSWER_MAX, field="discuss"),
        work_link=clean_link(answers.work_link, field="link"),
    )
    if not any((cleaned.done, cleaned.stuck, cleaned.discuss, cleaned.work_link)):
        raise Refusal("checkin.empty")
    return cleaned


async def session_of_student(db: Reader, student_id: int, text: str) -> SessionView:
    """Find one of the student's sessions from an autocomplete value, or refuse."""
    view = await session_store.get_session_view(db, int(text)) if text.strip().isdigit() else None
    if view is None or view.student_id != student_id:
        raise Refusal("checkin.unknown_session")
    return view


async def next_session_of_student(
    db: Database, student_id: int, guild_id: int | None, now: datetime
) -> SessionView:
    """Return the student's next scheduled session (in a server, or anywhere), or refuse."""
    views = await session_store.sessions_of_student(
        db, student_id, guild_id=guild_id, after=now, statuses=[SessionStatus.SCHEDULED], limit=1
    )
    if not views:
        raise Refusal("checkin.no_session")
    return views[0]


async def prepare(
    db: Database, now: datetime, view: SessionView, student_id: int, answers: Answers
) -> Checkin:
    """Store the student's check-in for a session still to come."""
    if view.student_id != student_id:
        raise Refusal("reminders.not_for_you")
    check_answerable(view, now)
    cleaned = clean_answers(answers)
    async with db.transaction() as tx:
        await store.save_checkin(
            tx,
            view.session.id,
            student_id,
            done=cleaned.done,
            stuck=cleaned.stuck,
            discuss=cleaned.discuss,
            work_link=cleaned.work_link,
            now=now,
        )
        saved = await store.checkin_of(tx, view.session.id)
    assert saved is not None
    return saved


@dataclass(frozen=True)
class Prepared:
    """A check-in just stored, and whether the mentor should be told of it now."""

    view: SessionView
    checkin: Checkin
    tell_mentor: bool
    """The mentor's review nudge already went out, and these answers are new to them."""


async def prepare_session(
    db: Database, now: datetime, session_id: int, student_id: int, answers: Answers
) -> Prepared:
    """Store the check-in typed in a form (opened in this process or before a restart)."""
    view = await session_store.get_session_view(db, session_id)
    if view is None:
        raise Refusal("sessions.unknown")
    before = await store.checkin_of(db, session_id)
    saved = await prepare(db, now, view, student_id, answers)
    nudged = any(
        kind == MENTOR_REVIEW.name and recipient == view.mentor_id
        for kind, recipient, _ in await reminder_store.sent_slots(db, session_id)
    )
    changed = before is None or _answers(before) != _answers(saved)
    return Prepared(view, saved, tell_mentor=nudged and changed)


def _answers(checkin: Checkin) -> tuple[str | None, ...]:
    return (checkin.done, checkin.stuck, checkin.discuss, checkin.work_link)


def _new_link(given: str | None, old: str | None, field: str) -> str | None:
    if given is None:
        return old
    if given.strip() in ("", "-"):
        return None
    return clean_link(given, field=field)


def check_links(*, project_link: str | None, meeting_link: str | None) -> None:
    """Refuse links that `set_links` would refuse, before anything is stored."""
    _new_link(project_link, None, "project_link")
    _new_link(meeting_link, None, "meeting_link")


async def set_links(
    db: Database,
    mentorship: Mentorship,
    *,
    project_link: str | None,
    meeting_link: str | None,
) -> Links:
    """Change a mentorship's links: None keeps one, an empty text or "-" clears it."""
    current = await store.links_of(db, mentorship.id)
    wanted = Links(
        project_link=_new_link(project_link, current.project_link, "project_link"),
        meeting_link=_new_link(meeting_link, current.meeting_link, "meeting_link"),
    )
    if wanted == current:
        return current
    async with db.transaction() as tx:
        await store.set_links(
            tx,
            mentorship.id,
            project_link=wanted.project_link,
            meeting_link=wanted.meeting_link,
        )
    return wanted


async def checkin_for(db: Reader, session_id: int) -> Checkin | None:
    """Return the student's check-in for a session, None before they wrote one."""
    return await store.checkin_of(db, session_id)
