"""What the reminders of a session look like to people, where more than one cog shows them."""

from __future__ import annotations

import logging

import discord

from bot.reminders.planning import MENTOR_REVIEW, STUDENT_REMINDER, is_soon
from bot.storage.reminders import Reminder
from bot.texts import tr
from bot.timefmt import discord_stamp

log = logging.getLogger(__name__)


def planned_summary(reminders: list[Reminder], student_name: str, locale: discord.Locale) -> str:
    """Tell the mentor, at scheduling, which reminders the session got (and which come now)."""
    items: list[str] = []
    student = [r for r in reminders if r.kind == STUDENT_REMINDER]
    review = [r for r in reminders if r.kind == MENTOR_REVIEW]
    if any(is_soon(r.slot) for r in student):
        items.append(tr("reminders.planned_student_soon", locale, name=student_name))
    elif student:
        items.append(tr("reminders.planned_student", locale, name=student_name, count=len(student)))
    for nudge in review:
        if is_soon(nudge.slot):
            items.append(tr("reminders.planned_review_soon", locale))
        else:
            items.append(
                tr("reminders.planned_review", locale, when=discord_stamp(nudge.due_at, "R"))
            )
    return tr("reminders.planned_now", locale, items="; ".join(items)) if items else ""
