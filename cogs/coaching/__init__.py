"""`/prep`, `/feedback`, `/coach` and `/progress`: the mentor's coaching tools."""

from __future__ import annotations

import logging
from collections.abc import Mapping

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MentorCoach
from bot.content import STARTING_POINTS, content
from bot.db import Database
from bot.options import StudentArg
from bot.services import coaching as service
from bot.services import server_content
from bot.textfit import clip
from bot.texts import cmd, content_text, language_of, tr
from cogs.coaching._views import (
    COLOUR,
    FeedbackButton,
    FeedbackModal,
    PrepSelect,
    plan_text,
    prep_embed,
    prep_view,
    progress_lines,
)

log = logging.getLogger(__name__)

TOPIC_CHOICES = [
    app_commands.Choice(name=content_text(topic.title, "topics", topic.id), value=topic.id)
    for topic in content().topics.values()
]
SKILL_CHOICES = [
    app_commands.Choice(name=content_text(skill.title, "skills", skill.id), value=skill.id)
    for skill in content().skills.values()
]
START_CHOICES = [
    app_commands.Choice(name=cmd(f"coaching.start_{start}"), value=start)
    for start in STARTING_POINTS
]
STATUS_CHOICES = [
    app_commands.Choice(name=cmd("coaching.status_behind"), value="behind"),
    app_commands.Choice(name=cmd("coaching.status_on_track"), value="on_track"),
    app_commands.Choice(name=cmd("coaching.status_ahead"), value="ahead"),
]


async def progress_history(db: Database, mentorship_id: int, locale: discord.Locale) -> str | None:
    """Return a mentorship's progress history and presentation plan as field text, if any.

    For `/student show`: at most 1024 characters, None when nothing was recorded yet.
    """
    entries, plan = await service.progress_of(db, mentorship_id)
    if not entries and plan is None:
        return None
    parts = [progress_lines(entries, locale)] if entries else []
    if plan is not None:
        parts.append(plan_text(plan, locale))
    return clip("\n".join(parts), 1024)


def _for_start(
    embed: discord.Embed, wording: Mapping[str, str], start: str | None, locale: discord.Locale
) -> None:
    """Add the advice for the student's starting point, or for each when none is given."""
    starts = [start] if start is not None else list(STARTING_POINTS)
    for one in starts:
        text = wording.get(one)
        if text:
            name = tr(f"coaching.for_start_{one}", locale)
            embed.add_field(name=name, value=clip(text, 1024), inline=False)


def topic_embed(
    topic_id: str, locale: discord.Locale, starting_point: str | None = None
) -> discord.Embed:
    """Render one coaching topic: moves, a question to ask, a pitfall, the student's case."""
    everything = content(language_of(locale))
    topic = everything.topic(topic_id)
    job = everything.jobs[topic.job]
    embed = discord.Embed(
        title=topic.title,
        description="\n".join(f"{n}. {move}" for n, move in enumerate(topic.moves, start=1)),
        colour=COLOUR,
    )
    embed.add_field(name=tr("coaching.coach_question", locale), value=topic.question, inline=False)
    embed.add_field(name=tr("coaching.coach_pitfall", locale), value=topic.pitfall, inline=False)
    _for_start(embed, topic.for_start, starting_point, locale)
    embed.set_footer(text=tr("coaching.coach_job", locale, job=job.title))
    return embed


def skill_embed(
    skill_id: str, locale: discord.Locale, starting_point: str | None = None
) -> discord.Embed:
    """Render one skill prompt, a practice for the week, and the student's case."""
    skill = content(language_of(locale)).skill(skill_id)
    embed = discord.Embed(title=skill.title, description=skill.prompt, colour=COLOUR)
    embed.add_field(name=tr("coaching.coach_try", locale), value=skill.try_this, inline=False)
    _for_start(embed, skill.for_start, starting_point, locale)
    embed.set_footer(text=tr("coaching.coach_skills_footer", locale))
    return embed


class CoachingCog(commands.Cog):
    """Help mentors prepare sessions, write feedback, find advice and track progress."""

    coach = app_commands.Group(
        name="coach", description=cmd("coaching.coach_group"), extras={"audience": "mentor"}
    )

    def __init__(self, bot: MentorCoach) -> None:
        self.bot = bot

    @app_commands.command(
        name="prep", description=cmd("coaching.prep"), extras={"audience": "mentor"}
    )
    @app_commands.guild_only()
    @app_commands.describe(student=cmd("coaching.opt_prep_student"))
    async def prep(self, interaction: discord.Interaction, student: StudentArg) -> None:
        """Prepare your next session with a student: checklist and context."""
        prep = await service.prep_next(
            self.bot.db, self.bot.clock.now(), student, language_of(interaction.locale)
        )
        await interaction.response.send_message(
            embed=prep_embed(prep, interaction.locale),
            view=prep_view(prep, interaction.locale),
            ephemeral=True,
        )

    @app_commands.command(
        name="feedback", description=cmd("coaching.feedback"), extras={"audience": "mentor"}
    )
    @app_commands.guild_only()
    @app_commands.describe(
        student=cmd("coaching.opt_feedback_student"),
        template=cmd("coaching.opt_feedback_template"),
    )
    async def feedback(
        self,
        interaction: discord.Interaction,
        student: StudentArg,
        template: app_commands.Range[str, 1, 100],
    ) -> None:
        """Write structured feedback for a student from a template."""
        form = await service.feedback_form(
            self.bot.db, student.guild_id, template, language_of(interaction.locale)
        )
        await interaction.response.send_modal(FeedbackModal(form, mentorship_id=student.id))

    @feedback.autocomplete("template")
    async def template_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Offer the server's templates: the built-ins it does not hide, then its own."""
        if interaction.guild_id is None:
            return []
        wanted = current.strip().casefold()
        offered = await server_content.offered_templates(
            self.bot.db, interaction.guild_id, language_of(interaction.locale)
        )
        return [
            app_commands.Choice(name=clip(title, 100), value=template_id)
            for template_id, title in offered
            if wanted in title.casefold() or wanted in template_id
        ][:25]

    @coach.command(name="topic", description=cmd("coaching.coach_topic"))
    @app_commands.describe(
        topic=cmd("coaching.opt_topic"), starting_point=cmd("coaching.opt_starting_point")
    )
    @app_commands.choices(topic=TOPIC_CHOICES, starting_point=START_CHOICES)
    async def coach_topic(
        self,
        interaction: discord.Interaction,
        topic: app_commands.Choice[str],
        starting_point: app_commands.Choice[str] | None = None,
    ) -> None:
        """Advice for a situation you meet with a student."""
        start = None if starting_point is None else starting_point.value
        await interaction.response.send_message(
            embed=topic_embed(topic.value, interaction.locale, start), ephemeral=True
        )

    @coach.command(name="skill", description=cmd("coaching.coach_skill"))
    @app_commands.describe(
        skill=cmd("coaching.opt_skill"), starting_point=cmd("coaching.opt_starting_point")
    )
    @app_commands.choices(skill=SKILL_CHOICES, starting_point=START_CHOICES)
    async def coach_skill(
        self,
        interaction: discord.Interaction,
        skill: app_commands.Choice[str],
        starting_point: app_commands.Choice[str] | None = None,
    ) -> None:
        """A reflection prompt on one of the mentor's skills."""
        start = None if starting_point is None else starting_point.value
        await interaction.response.send_message(
            embed=skill_embed(skill.value, interaction.locale, start), ephemeral=True
        )

    @app_commands.command(
        name="progress", description=cmd("coaching.progress"), extras={"audience": "mentor"}
    )
    @app_commands.guild_only()
    @app_commands.describe(
        student=cmd("coaching.opt_progress_student"),
        status=cmd("coaching.opt_progress_status"),
        ready_for_assessment=cmd("coaching.opt_progress_ready"),
    )
    @app_commands.choices(status=STATUS_CHOICES)
    async def progress(
        self,
        interaction: discord.Interaction,
        student: StudentArg,
        status: app_commands.Choice[str],
        ready_for_assessment: bool = False,
    ) -> None:
        """Record where a student's project stands."""
        locale = interaction.locale
        done = await service.record_progress(
            self.bot.db,
            self.bot.clock.now(),
            student,
            interaction.user.id,
            status.value,
            ready_for_assessment,
        )
        lines = [
            tr(
                "coaching.progress_recorded",
                locale,
                name=student.student_name,
                status=tr(f"coaching.status_{done.entry.status}", locale),
            )
        ]
        if ready_for_assessment:
            if done.plan_created:
                lines.append(tr("coaching.plan_started", locale))
            else:
                lines.append(tr("coaching.plan_exists", locale))
        embed = discord.Embed(
            title=clip(tr("coaching.progress_title", locale, name=student.student_name), 256),
            colour=COLOUR,
        )
        embed.add_field(
            name=tr("coaching.progress_history", locale),
            value=progress_lines(done.history, locale),
            inline=False,
        )
        if done.plan is not None:
            embed.add_field(
                name=tr("coaching.prep_plan", locale),
                value=plan_text(done.plan, locale),
                inline=False,
            )
            embed.set_footer(text=content(language_of(locale)).progress.advice)
        await interaction.response.send_message("\n".join(lines), embed=embed, ephemeral=True)


async def setup(bot: MentorCoach) -> None:
    """Add the cog and the restart-proof prep and feedback components."""
    bot.add_dynamic_items(PrepSelect, FeedbackButton)
    await bot.add_cog(CoachingCog(bot))


async def teardown(bot: MentorCoach) -> None:
    """Forget the restart-proof components when the extension is unloaded."""
    bot.remove_dynamic_items(PrepSelect, FeedbackButton)
