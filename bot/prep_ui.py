"""The prep of a session: its embed and the selects that tick it.

Shared by `/prep` and the reminder's Prepare button: one public home.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Self

import discord

from bot.app import bot_of
from bot.checkin_ui import add_checkin_field, links_text
from bot.progress_ui import attendance_line, note_titles, plan_text
from bot.services import coaching as service
from bot.services.coaching import Prep
from bot.textfit import clip, fit_lines
from bot.texts import language_of, tr
from bot.timefmt import discord_stamp
from bot.ui import RestartSafeItem, fit_embed

log = logging.getLogger(__name__)

COLOUR = discord.Colour.dark_green()
"""The coaching colour."""
TICKED = "✅"
UNTICKED = "⬜"


def prep_embed(prep: Prep, locale: discord.Locale) -> discord.Embed:
    """Show the checklist of a session with the student's context and the progress so far."""
    session = prep.view.session
    mentorship = prep.mentorship
    lines = [
        tr(
            "coaching.prep_when",
            locale,
            when=discord_stamp(session.starts_at, "F"),
            relative=discord_stamp(session.starts_at, "R"),
            minutes=session.duration_minutes,
        )
    ]
    if prep.checklist is not None:  # the server's own checklist, or the built-in one
        lines.append(prep.checklist.summary)
    lines += ["", tr("coaching.prep_progress", locale, done=prep.done, total=prep.total)]
    description = "\n".join(lines)
    embed = discord.Embed(
        title=clip(
            tr(
                "coaching.prep_title",
                locale,
                name=mentorship.student_name,
                kind=tr(f"kind.{session.kind}", locale),
            ),
            256,
        ),
        description=description,
        colour=COLOUR,
    )
    context = [tr("coaching.prep_project", locale, project=mentorship.project)]
    if mentorship.goal:
        context.append(tr("coaching.prep_goal", locale, goal=mentorship.goal))
    if mentorship.path:
        context.append(tr("coaching.prep_path", locale, path=mentorship.path))
    links = links_text(prep.links, locale) if prep.links else None
    if links:
        context.append(links)
    add_checkin_field(embed, prep.checkin, locale)
    embed.add_field(
        name=tr("coaching.prep_context", locale), value=fit_lines(context), inline=False
    )
    attendance = [attendance_line(prep.attendance, locale)]
    if prep.last is not None:
        attendance.append(
            tr(
                "coaching.prep_last",
                locale,
                when=discord_stamp(prep.last.starts_at, "D"),
                outcome=tr(f"outcome.{prep.last.status}", locale),
            )
        )
    if prep.first_session:
        attendance.append(tr("coaching.prep_first", locale))
    if prep.last_no_show:
        attendance.append(f"**{tr('coaching.prep_no_show_advice', locale)}**")
    embed.add_field(
        name=tr("coaching.prep_attendance", locale), value=fit_lines(attendance), inline=False
    )
    embed.add_field(
        name=tr("coaching.prep_notes", locale),
        value=note_titles(prep.notes) or tr("coaching.prep_no_notes", locale),
        inline=False,
    )
    if prep.steps:
        done = sum(step.done for step in prep.steps)
        steps = [
            f"{TICKED if step.done else UNTICKED} {discord.utils.escape_markdown(step.text)}"
            for step in prep.steps
        ]
        embed.add_field(
            name=tr("coaching.prep_steps", locale, done=done, total=len(prep.steps)),
            value=fit_lines(steps),
            inline=False,
        )
    if prep.plan is not None:
        embed.add_field(
            name=tr("coaching.prep_plan", locale), value=plan_text(prep.plan, locale), inline=False
        )
    if prep.fit is not None and prep.fit.outside:
        embed.add_field(
            name=tr("expertise.outside_title", locale),
            value=tr("expertise.outside", locale, project=mentorship.project),
            inline=False,
        )
    for section, items in prep.sections:
        lines = [f"*{section.hint}*"]
        lines += [f"{TICKED if i.id in prep.ticked else UNTICKED} {i.text}" for i in items]
        embed.add_field(name=section.title, value=fit_lines(lines), inline=False)
    embed.set_footer(text=tr("coaching.prep_footer", locale))
    return fit_embed(embed)


class PrepSelect(
    RestartSafeItem[discord.ui.Select[Any]],
    template=r"prep:(?P<session>[0-9]{1,20}):(?P<part>items|steps)",
):
    """A select of a prep message: checklist items, or open next steps; works after a restart."""

    def __init__(
        self, session_id: int, part: str, select: discord.ui.Select[Any] | None = None
    ) -> None:
        super().__init__(select or discord.ui.Select(custom_id=f"prep:{session_id}:{part}"))
        self.session_id = session_id
        self.part = part

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Self:
        """Rebuild the select from its custom id (the values arrive with the interaction)."""
        return cls(int(match["session"]), match["part"])

    async def act(self, interaction: discord.Interaction) -> None:
        """Store the ticks (the clicker must be the session's mentor) and redraw the prep."""
        bot = bot_of(interaction)
        values = list(self.item.values)
        tick = service.tick_items if self.part == "items" else service.tick_steps
        prep = await tick(
            bot.db,
            bot.clock.now(),
            interaction.user.id,
            self.session_id,
            values,
            language_of(interaction.locale),
        )
        await interaction.response.edit_message(
            embed=prep_embed(prep, interaction.locale),
            view=prep_view(prep, interaction.locale),
        )


def prep_view(prep: Prep, locale: discord.Locale) -> discord.ui.View:
    """Return the selects that tick checklist items and next steps (restart-proof)."""
    view = discord.ui.View(timeout=None)
    session_id = prep.view.session.id
    items = [
        discord.SelectOption(
            label=clip(item.text, 100),
            value=item.id,
            description=clip(section.title, 100),
            default=item.id in prep.ticked,
        )
        for section, section_items in prep.sections
        for item in section_items
    ][:25]
    if items:
        select: discord.ui.Select[Any] = discord.ui.Select(
            custom_id=f"prep:{session_id}:items",
            placeholder=tr("coaching.prep_pick_items", locale),
            min_values=0,
            max_values=len(items),
            options=items,
        )
        view.add_item(PrepSelect(session_id, "items", select))
    steps = [
        discord.SelectOption(label=clip(step.text, 100), value=str(step.id), default=step.done)
        for step in prep.offered_steps
    ]
    if steps:
        select = discord.ui.Select(
            custom_id=f"prep:{session_id}:steps",
            placeholder=tr("coaching.prep_pick_steps", locale),
            min_values=0,
            max_values=len(steps),
            options=steps,
        )
        view.add_item(PrepSelect(session_id, "steps", select))
    return view
