"""How a student is doing, as several cogs show it: attendance, progress, plan, latest notes.

Shared by `/prep`, `/progress`, `/student show` and the reminders: one public home.
"""

from __future__ import annotations

import logging

import discord

from bot.storage.coaching import PresentationPlan, ProgressEntry
from bot.storage.notes import NoteTitle
from bot.storage.sessions import Attendance
from bot.textfit import FIELD_MAX, clip, fit_lines
from bot.texts import Locale, tr
from bot.timefmt import discord_stamp
from bot.vocabulary import OUTCOMES

log = logging.getLogger(__name__)


def attendance_line(counts: Attendance, locale: Locale) -> str:
    """Count how a student's sessions turned out, every outcome in its order."""
    return " · ".join(
        tr(f"students.attendance_{status}", locale, count=counts.counts[status])
        for status in OUTCOMES
    )


def note_titles(titles: list[NoteTitle]) -> str:
    """List note titles, a bullet each, within a field ("" when there are none)."""
    return fit_lines([f"• {discord.utils.escape_markdown(t.title)}" for t in titles])


def plan_text(plan: PresentationPlan, locale: Locale) -> str:
    """Describe a presentation plan, a date a line."""
    lines = [
        tr("coaching.plan_request", locale, when=discord_stamp(plan.request_by, "D")),
        tr(
            "coaching.plan_window",
            locale,
            start=discord_stamp(plan.presentation_from, "D"),
            end=discord_stamp(plan.presentation_until, "D"),
        ),
    ]
    if plan.mock_by is not None:
        lines.append(tr("coaching.plan_mock", locale, when=discord_stamp(plan.mock_by, "D")))
    return "\n".join(lines)


def progress_lines(entries: list[ProgressEntry], locale: Locale) -> str:
    """Describe progress entries, newest first, a line each."""
    lines = []
    for entry in entries:
        key = (
            "coaching.progress_line_ready"
            if entry.ready_for_assessment
            else "coaching.progress_line"
        )
        status = tr(f"coaching.status_{entry.status}", locale)
        lines.append(tr(key, locale, when=discord_stamp(entry.created_at, "D"), status=status))
    return fit_lines(lines)


def progress_text(
    entries: list[ProgressEntry], plan: PresentationPlan | None, locale: Locale
) -> str | None:
    """Return a progress history and presentation plan as field text, None when both are empty."""
    if not entries and plan is None:
        return None
    parts = [progress_lines(entries, locale)] if entries else []
    if plan is not None:
        parts.append(plan_text(plan, locale))
    return clip("\n".join(parts), FIELD_MAX)
