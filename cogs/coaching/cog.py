"""The cog of `/prep`, `/feedback`, `/coach` and `/progress`: the mentor's coaching tools."""

from __future__ import annotations

import logging
from collections.abc import Mapping

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MentorCoach
from bot.content import STARTING_POINTS, content
from bot.options import StudentArg
from bot.prep_ui import COLOUR, prep_embed, prep_view
from bot.progress_ui import plan_text, progress_lines
from bot.refusal import Refusal
from bot.services import coaching as service
from bot.services import expertise, handovers, server_content
from bot.storage.expertise import ProjectStance
from bot.textfit import clip
from bot.texts import cmd, content_text, language_of, tr
from cogs.coaching._handover import ask_peer
from cogs.coaching._views import FeedbackModal

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
STANCE_CHOICES = [
    app_commands.Choice(name=cmd("expertise.stance_confident"), value="confident"),
    app_commands.Choice(name=cmd("expertise.stance_rather_not"), value="rather_not"),
    app_commands.Choice(name=cmd("expertise.stance_forget"), value=expertise.FORGET),
]
SCOPE_CHOICES = [
    app_commands.Choice(name=cmd("handover.scope_session"), value="session"),
    app_commands.Choice(name=cmd("handover.scope_mentorship"), value="mentorship"),
]
STATUS_CHOICES = [
    app_commands.Choice(name=cmd("coaching.status_behind"), value="behind"),
    app_commands.Choice(name=cmd("coaching.status_on_track"), value="on_track"),
    app_commands.Choice(name=cmd("coaching.status_ahead"), value="ahead"),
]


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
        await interaction.response.send_modal(
            FeedbackModal(form, mentorship_id=student.id, form_id=interaction.id)
        )

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
        """Send a reflection prompt on one of the mentor's skills."""
        start = None if starting_point is None else starting_point.value
        await interaction.response.send_message(
            embed=skill_embed(skill.value, interaction.locale, start), ephemeral=True
        )

    @coach.command(name="expertise", description=cmd("expertise.command"))
    @app_commands.describe(project=cmd("expertise.opt_project"), stance=cmd("expertise.opt_stance"))
    @app_commands.choices(stance=STANCE_CHOICES)
    async def coach_expertise(
        self,
        interaction: discord.Interaction,
        project: app_commands.Range[str, 1, 100],
        stance: app_commands.Choice[str],
    ) -> None:
        """Say which projects you are confident with, or would rather not mentor."""
        guild_id = _guild_of(interaction)
        stances = await expertise.declare(
            self.bot.db, guild_id, interaction.user.id, project, stance.value, self.bot.clock.now()
        )
        listed = await expertise.is_listed(self.bot.db, guild_id, interaction.user.id)
        await interaction.response.send_message(
            expertise_text(stances, listed, interaction.locale), ephemeral=True
        )

    @coach.command(name="listing", description=cmd("expertise.listing"))
    @app_commands.describe(listed=cmd("expertise.opt_listed"))
    async def coach_listing(self, interaction: discord.Interaction, listed: bool) -> None:
        """Agree (or not) to be listed for your projects when peers look for help."""
        guild_id = _guild_of(interaction)
        await expertise.set_listed(
            self.bot.db, guild_id, interaction.user.id, listed, self.bot.clock.now()
        )
        key = "expertise.listed_yes" if listed else "expertise.listed_no"
        await interaction.response.send_message(tr(key, interaction.locale), ephemeral=True)

    @coach.command(name="peers", description=cmd("expertise.peers"))
    @app_commands.describe(project=cmd("expertise.opt_peers_project"))
    async def coach_peers(
        self, interaction: discord.Interaction, project: app_commands.Range[str, 1, 100]
    ) -> None:
        """Find the mentors confident with a project, who agreed to be listed."""
        guild_id = _guild_of(interaction)
        name = expertise.clean_project(project)
        found = await expertise.peers_for(self.bot.db, guild_id, name, besides=interaction.user.id)
        locale = interaction.locale
        if not found:
            text = tr("expertise.no_peers", locale, project=name)
        else:
            text = tr(
                "expertise.peers_found",
                locale,
                project=name,
                peers=", ".join(f"<@{peer}>" for peer in found),
            )
        await interaction.response.send_message(
            clip(text, 2000), ephemeral=True, allowed_mentions=discord.AllowedMentions.none()
        )

    @coach_expertise.autocomplete("project")
    @coach_peers.autocomplete("project")
    async def project_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Offer the projects the server already knows."""
        if interaction.guild_id is None:
            return []
        found = await expertise.project_choices(self.bot.db, interaction.guild_id, current)
        return [app_commands.Choice(name=clip(p, 100), value=p[:100]) for p in found]

    @coach.command(name="handover", description=cmd("handover.command"))
    @app_commands.describe(
        student=cmd("handover.opt_student"),
        peer=cmd("handover.opt_peer"),
        scope=cmd("handover.opt_scope"),
    )
    @app_commands.choices(scope=SCOPE_CHOICES)
    async def coach_handover(
        self,
        interaction: discord.Interaction,
        student: StudentArg,
        peer: discord.Member,
        scope: app_commands.Choice[str],
    ) -> None:
        """Ask a peer to take your next session with a student, or the whole mentorship."""
        _guild_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        asked = await handovers.ask(
            self.bot.db, self.bot.clock.now(), student, interaction.user.id, peer.id, scope.value
        )
        reached = await ask_peer(self.bot, asked)
        key = "handover.asked" if reached else "handover.peer_closed"
        await interaction.followup.send(
            tr(key, interaction.locale, peer=peer.mention, name=student.student_name),
            ephemeral=True,
            allowed_mentions=discord.AllowedMentions.none(),
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


def _guild_of(interaction: discord.Interaction) -> int:
    if interaction.guild_id is None:
        raise Refusal("errors.guild_only")
    return interaction.guild_id


def expertise_text(stances: list[ProjectStance], listed: bool, locale: discord.Locale) -> str:
    """List a mentor's declared projects, and whether peers can find them."""
    lines = [tr("expertise.saved", locale)]
    for stance in stances:
        lines.append(tr(f"expertise.line_{stance.stance}", locale, project=stance.project))
    lines.append(tr("expertise.is_listed" if listed else "expertise.not_listed", locale))
    return clip("\n".join(lines), 2000)
