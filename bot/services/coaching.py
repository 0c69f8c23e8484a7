"""Coaching: preparing a session, writing feedback with next steps, tracking progress."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot import content as built_in
from bot.content import Checklist, ChecklistItem, FeedbackTemplate, Progress, Section
from bot.db import Database
from bot.numbers import plain_int
from bot.refusal import Refusal
from bot.services import expertise, reminders, server_content
from bot.services.expertise import Fit
from bot.storage import checkins as checkin_store
from bot.storage import coaching as store
from bot.storage import mentorships as mentorship_store
from bot.storage import notes as note_store
from bot.storage import sessions as session_store
from bot.storage.checkins import Checkin, Links
from bot.storage.coaching import NextStep, PresentationPlan, ProgressEntry
from bot.storage.mentorships import Mentorship
from bot.storage.notes import Note, NoteTitle
from bot.storage.sessions import Attendance, Session, SessionView
from bot.timefmt import local_date
from bot.vocabulary import SessionStatus

log = logging.getLogger(__name__)

STEPS_PER_NOTE = 15
"""At most this many lines of a next-steps field become open steps (the rest stay in the note)."""
STEPS_SHOWN = 25
"""At most this many open steps are offered in `/prep` (one select menu)."""
REQUEST_SLACK = timedelta(days=2)
"""How long the mentor has to request the presentation once the student is marked ready."""
MOCK_BEFORE = timedelta(days=4)
"""How long before the earliest presentation date the mock presentation should be held."""
_BULLET = re.compile(r"^\s*(?:[-*•·‣–]+|\d{1,2}[.)]|\[[ xX]?\])\s*")


# -- /prep ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Prep:
    """Everything `/prep` shows for one upcoming session."""

    view: SessionView
    mentorship: Mentorship
    sections: list[tuple[Section, list[ChecklistItem]]]
    ticked: frozenset[str]
    steps: list[NextStep]
    notes: list[NoteTitle]
    attendance: Attendance
    last: Session | None
    plan: PresentationPlan | None
    first_session: bool
    last_no_show: bool
    presentation_soon: bool
    checklist: Checklist | None = None
    """The server's own checklist for this kind of session, else the built-in (None: hidden)."""
    fit: Fit | None = None
    """How the student's project sits with the projects the mentor declared."""
    checkin: Checkin | None = None
    """What the student wrote to prepare this session, if they did."""
    links: Links | None = None
    """Where the student's project lives and where the session happens."""

    @property
    def items(self) -> list[ChecklistItem]:
        """Return every item shown, in order."""
        return [item for _, items in self.sections for item in items]

    @property
    def done(self) -> int:
        """Return how many shown items are ticked."""
        return sum(item.id in self.ticked for item in self.items)

    @property
    def total(self) -> int:
        """Return how many items are shown."""
        return len(self.items)

    @property
    def offered_steps(self) -> list[NextStep]:
        """Return the steps that can be ticked from the prep (a select menu holds 25)."""
        return self.steps[:STEPS_SHOWN]


async def _prep_of(
    db: Database, view: SessionView, mentorship: Mentorship, language: str | None = None
) -> Prep:
    session = view.session
    steps = await store.prep_steps(db, mentorship.id, session.id)
    last = await session_store.last_recorded(db, mentorship.id)
    counts = await session_store.attendance(db, mentorship.id)
    plan = await store.open_plan(db, mentorship.id)
    last_no_show = last is not None and last.status == SessionStatus.NO_SHOW
    first_session = counts.attended == 0
    presentation_soon = plan is not None and session.starts_at <= plan.presentation_until
    checklist = await server_content.checklist_of(db, mentorship.guild_id, session.kind, language)
    sections = (
        []
        if checklist is None
        else checklist.shown(
            last_no_show=last_no_show,
            has_open_steps=bool(steps),
            first_session=first_session,
            presentation_soon=presentation_soon,
            starting_point=mentorship.starting_point,
        )
    )
    return Prep(
        view=view,
        mentorship=mentorship,
        sections=sections,
        ticked=frozenset(await store.ticked_items(db, session.id)),
        steps=steps,
        notes=await note_store.latest_titles(db, mentorship.id, view.mentor_id),
        attendance=counts,
        last=last,
        plan=plan,
        first_session=first_session,
        last_no_show=last_no_show,
        presentation_soon=presentation_soon,
        checklist=checklist,
        fit=await expertise.fit_of(db, mentorship.guild_id, view.mentor_id, mentorship.project),
        checkin=await checkin_store.checkin_of(db, view.session.id),
        links=await checkin_store.links_of(db, view.mentorship_id),
    )


async def prep_next(
    db: Database, now: datetime, mentorship: Mentorship, language: str | None = None
) -> Prep:
    """Return the prep of the student's next scheduled session, or refuse when there is none."""
    upcoming = await session_store.next_session(db, mentorship.id, now)
    if upcoming is None:
        raise Refusal("coaching.prep_no_session", name=mentorship.student_name)
    view = await session_store.get_session_view(db, upcoming.id)
    assert view is not None
    return await _prep_of(db, view, mentorship, language)


async def prep_of_session(
    db: Database, mentor_id: int, session_id: int, language: str | None = None
) -> Prep:
    """Return the prep of one session, for its mentor only; refuse anyone else."""
    view = await session_store.get_session_view(db, session_id)
    if view is None or view.mentor_id != mentor_id:
        raise Refusal("coaching.prep_not_yours")
    mentorship = await mentorship_store.get_mentorship(db, view.mentorship_id)
    if (
        mentorship is None
        or not mentorship.active
        or view.session.status != SessionStatus.SCHEDULED
    ):
        raise Refusal("coaching.prep_gone")
    return await _prep_of(db, view, mentorship, language)


async def tick_items(
    db: Database,
    now: datetime,
    mentor_id: int,
    session_id: int,
    values: Sequence[str],
    language: str | None = None,
) -> Prep:
    """Make the chosen checklist items the ticked ones among those shown; return the prep."""
    prep = await prep_of_session(db, mentor_id, session_id, language)
    shown = {item.id for item in prep.items}
    unknown = set(values) - shown
    if unknown:
        raise Refusal("coaching.prep_changed")
    async with db.transaction() as tx:
        await store.set_ticks(tx, session_id, values, shown, mentor_id, now)
    return await prep_of_session(db, mentor_id, session_id, language)


async def tick_steps(
    db: Database,
    now: datetime,
    mentor_id: int,
    session_id: int,
    values: Sequence[str],
    language: str | None = None,
) -> Prep:
    """Mark the chosen next steps done (and reopen unchosen ones ticked here); return the prep."""
    prep = await prep_of_session(db, mentor_id, session_id, language)
    shown = {step.id for step in prep.offered_steps}
    chosen = {number for value in values if (number := plain_int(value)) is not None}
    if len(chosen) != len(values) or chosen - shown:
        raise Refusal("coaching.prep_changed")
    async with db.transaction() as tx:
        await store.set_steps_done(tx, session_id, chosen, shown, now)
    return await prep_of_session(db, mentor_id, session_id, language)


# -- /feedback --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Feedback:
    """A feedback note, its template, its student and the steps it opened."""

    note: Note
    template: FeedbackTemplate
    mentorship: Mentorship
    values: dict[str, str]
    steps: list[NextStep]
    steps_dropped: int


async def feedback_form(
    db: Database, guild_id: int, chosen: str, language: str | None = None
) -> FeedbackTemplate:
    """Return the template `/feedback` offers in a server by id (or exact title); refuse others.

    The server's own templates are offered beside the built-ins it does not hide.
    """
    template = await server_content.template_of(db, guild_id, chosen, language=language)
    if template is None:
        wanted = chosen.strip().casefold()
        for template_id, title in await server_content.offered_templates(db, guild_id, language):
            if title.casefold() == wanted:
                template = await server_content.template_of(
                    db, guild_id, template_id, language=language
                )
                break
    if template is None:
        raise Refusal("coaching.feedback_unknown_template")
    return template


async def template_in(
    db: Database, guild_id: int, template_id: str, language: str | None = None
) -> FeedbackTemplate:
    """Return a template already in use (a hidden built-in too); refuse a deleted one."""
    template = await server_content.template_of(
        db, guild_id, template_id, with_hidden=True, language=language
    )
    if template is None:
        raise Refusal("server_content.template_gone")
    return template


def step_lines(text: str) -> list[str]:
    """Return the next steps written one per line: bullets removed, blanks and repeats dropped."""
    steps: list[str] = []
    for line in text.splitlines():
        cleaned = _BULLET.sub("", line).strip()
        if not cleaned:
            continue
        if len(cleaned) > store.STEP_TEXT_MAX:
            cleaned = cleaned[: store.STEP_TEXT_MAX - 1].rstrip() + "…"
        if cleaned not in steps:
            steps.append(cleaned)
    return steps


def clean_values(template: FeedbackTemplate, values: Mapping[str, str]) -> dict[str, str]:
    """Strip the submitted fields; refuse a required one left blank or one over its limit."""
    cleaned: dict[str, str] = {}
    for field in template.fields:
        text = (values.get(field.id) or "").strip()
        if field.required and not text:
            raise Refusal("coaching.feedback_missing", field=field.label)
        if len(text) > field.max_length:
            raise Refusal(
                "common.too_long", field=field.label, limit=field.max_length, length=len(text)
            )
        if text:
            cleaned[field.id] = text
    return cleaned


def feedback_title(
    template: FeedbackTemplate, instant: datetime, zone: str, language: str | None = None
) -> str:
    """Return a readable note title, such as `Deliverable review · 3 Dec` (`Revue · 3 déc.`)."""
    day = local_date(instant, zone, language, now=instant)
    return f"{template.title} · {day}"[: note_store.TITLE_MAX]


def feedback_body(template: FeedbackTemplate, values: Mapping[str, str]) -> str:
    """Assemble the fields into a searchable note body (cut to the note limit if needed)."""
    parts = [
        f"{field.label}\n{values[field.id]}" for field in template.fields if values.get(field.id)
    ]
    body = "\n\n".join(parts)
    if len(body) > note_store.BODY_MAX:
        body = body[: note_store.BODY_MAX - 1] + "…"
    return body


def _steps_of(template: FeedbackTemplate, values: Mapping[str, str]) -> tuple[list[str], int]:
    field = template.next_steps_field
    if field is None:
        return [], 0
    lines = step_lines(values.get(field.id, ""))
    return lines[:STEPS_PER_NOTE], max(0, len(lines) - STEPS_PER_NOTE)


async def save_feedback(
    db: Database,
    now: datetime,
    mentor_id: int,
    mentorship_id: int,
    template_id: str,
    values: Mapping[str, str],
    zone: str,
    *,
    form_id: int | None = None,
    language: str | None = None,
) -> Feedback:
    """Store a feedback form as a structured note, its next steps as open items.

    With a `form_id`, the same form saved again returns the feedback it stored the first time.
    """
    mentorship = await mentorship_store.get_mentorship(db, mentorship_id)
    if mentorship is None or mentorship.mentor_id != mentor_id or not mentorship.active:
        raise Refusal("coaching.feedback_not_yours")
    template = await template_in(db, mentorship.guild_id, template_id, language)
    cleaned = clean_values(template, values)
    lines, dropped = _steps_of(template, cleaned)
    session_id = await store.latest_started_session(db, mentorship.id, now)
    async with db.transaction() as tx:
        already = None if form_id is None else await note_store.note_of_form(tx, mentor_id, form_id)
        if already is None:
            note = await note_store.add_note(
                tx,
                mentorship.id,
                mentor_id,
                feedback_title(template, now, zone, language),
                feedback_body(template, cleaned),
                now,
                session_id=session_id,
                template=template.id,
                fields=cleaned,
                form_id=form_id,
            )
            steps = await store.replace_note_steps(tx, mentorship.id, note.id, lines, now)
    if already is not None:
        return await feedback_of(db, mentor_id, already.id)
    return Feedback(note, template, mentorship, cleaned, steps, dropped)


async def feedback_of(
    db: Database, mentor_id: int, note_id: int, language: str | None = None
) -> Feedback:
    """Return a feedback note for its author only; refuse anyone else or a plain note."""
    note = await note_store.get_note(db, note_id)
    if note is None or note.author_id != mentor_id or note.template is None:
        raise Refusal("coaching.feedback_not_yours")
    mentorship = await mentorship_store.get_mentorship(db, note.mentorship_id)
    if mentorship is None or not mentorship.active:
        raise Refusal("coaching.feedback_not_yours")
    template = await template_in(db, mentorship.guild_id, note.template, language)
    steps = await store.steps_of_note(db, note.id)
    return Feedback(note, template, mentorship, dict(note.fields or {}), steps, 0)


async def edit_feedback(
    db: Database,
    now: datetime,
    mentor_id: int,
    note_id: int,
    values: Mapping[str, str],
    language: str | None = None,
) -> Feedback:
    """Replace a feedback note's fields and body, and bring its next steps in line."""
    current = await feedback_of(db, mentor_id, note_id, language)
    template = current.template
    cleaned = clean_values(template, values)
    lines, dropped = _steps_of(template, cleaned)
    title = current.note.title
    async with db.transaction() as tx:
        await note_store.update_note(tx, note_id, title, feedback_body(template, cleaned), now)
        await store.set_note_fields(tx, note_id, cleaned)
        steps = await store.replace_note_steps(tx, current.mentorship.id, note_id, lines, now)
    note = await note_store.get_note(db, note_id)
    assert note is not None
    return Feedback(note, template, current.mentorship, cleaned, steps, dropped)


# -- /progress --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanDates:
    """The dates of a presentation plan, before it is stored."""

    request_by: datetime
    presentation_from: datetime
    presentation_until: datetime
    mock_by: datetime | None


@dataclass(frozen=True)
class ProgressRecorded:
    """What `/progress` stored, and the plan that goes with it."""

    entry: ProgressEntry
    history: list[ProgressEntry]
    plan: PresentationPlan | None
    plan_created: bool


def plan_dates(now: datetime, progress: Progress) -> PlanDates:
    """Plan the end of a project from the moment the student is ready for assessment.

    The presentation is requested within REQUEST_SLACK, so that it falls 2 to 3 weeks
    (`presentation_lead_weeks`) from now; the mock comes MOCK_BEFORE the earliest date.
    """
    earliest, latest = progress.presentation_lead_weeks
    start = now + timedelta(weeks=earliest)
    mock = start - MOCK_BEFORE if progress.mock_before_presentation else None
    return PlanDates(
        request_by=now + REQUEST_SLACK,
        presentation_from=start,
        presentation_until=now + timedelta(weeks=latest),
        mock_by=mock,
    )


async def record_progress(
    db: Database,
    now: datetime,
    mentorship: Mentorship,
    mentor_id: int,
    status: str,
    ready: bool,
) -> ProgressRecorded:
    """Record where the project stands; marking it ready starts the presentation plan."""
    if status not in store.PROGRESS_STATUSES:
        raise Refusal("coaching.progress_bad_status")
    if mentorship.mentor_id != mentor_id or not mentorship.active:
        raise Refusal("students.unknown", text=mentorship.student_name)
    created = False
    async with db.transaction() as tx:
        entry = await store.add_progress(tx, mentorship.id, mentor_id, status, ready, now)
        plan = await store.open_plan(tx, mentorship.id)
        if ready and plan is None:
            dates = plan_dates(now, built_in.content().progress)
            plan = await store.add_plan(
                tx,
                mentorship.id,
                entry.id,
                mentor_id,
                now,
                request_by=dates.request_by,
                presentation_from=dates.presentation_from,
                presentation_until=dates.presentation_until,
                mock_by=dates.mock_by,
            )
            await reminders.plan_presentation_nudges(
                tx,
                guild_id=mentorship.guild_id,
                mentor_id=mentor_id,
                mentorship_id=mentorship.id,
                request_by=dates.request_by,
                mock_by=dates.mock_by,
                now=now,
            )
            created = True
    history = await store.progress_history(db, mentorship.id)
    return ProgressRecorded(entry, history, plan, created)


async def progress_of(
    db: Database, mentorship_id: int
) -> tuple[list[ProgressEntry], PresentationPlan | None]:
    """Return a mentorship's latest progress entries and its open presentation plan."""
    return (
        await store.progress_history(db, mentorship_id),
        await store.open_plan(db, mentorship_id),
    )
