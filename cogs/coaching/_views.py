"""The feedback embed, its restart-proof buttons and its modal (the prep: `bot.prep_ui`)."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, Self

import discord

from bot.app import bot_of
from bot.content import FeedbackTemplate
from bot.options import caller_zone
from bot.prep_ui import COLOUR
from bot.refusal import Refusal
from bot.services import coaching as service
from bot.services import notes as note_service
from bot.services.coaching import Feedback
from bot.services.notes import Shareable, ShareState
from bot.services.people import reader_locale
from bot.sharing import share_with_student, used_button
from bot.textfit import FIELD_MAX, clip
from bot.texts import Locale, language_of, tr
from bot.ui import PersistentModal, RestartSafeItem, answer, fit_embed

log = logging.getLogger(__name__)


# -- /feedback --------------------------------------------------------------------------------


def feedback_embed(
    feedback: Feedback, mentor: str, locale: discord.Locale | str | None, *, for_student: bool
) -> discord.Embed:
    """Show a feedback note as a form; the student's copy leaves private fields out."""
    template: FeedbackTemplate = feedback.template
    embed = discord.Embed(
        title=clip(feedback.note.title, 256),
        description=tr(
            "coaching.feedback_from",
            locale,
            mentor=discord.utils.escape_markdown(mentor),
            project=feedback.mentorship.project,
        ),
        colour=COLOUR,
        timestamp=feedback.note.created_at,
    )
    for field in template.fields:
        value = feedback.values.get(field.id)
        if not value or (field.private and for_student):
            continue
        name = field.label
        if field.private:
            name = tr("coaching.feedback_private_field", locale, label=field.label)
        embed.add_field(name=clip(name, 256), value=clip(value, FIELD_MAX), inline=False)
    if for_student:
        footer = tr("coaching.feedback_student_footer", locale)
    else:
        footer = preview_footer(feedback, locale)
    embed.set_footer(text=clip(footer, 2048))
    return fit_embed(embed)


def preview_footer(feedback: Feedback, locale: Locale) -> str:
    """Tell the mentor exactly which filled fields the student will get, and which stay theirs."""
    filled = [f for f in feedback.template.fields if feedback.values.get(f.id)]
    shown = ", ".join(f.label for f in filled if not f.private)
    kept = ", ".join(f.label for f in filled if f.private)
    if not kept:
        return tr("coaching.feedback_preview_all", locale, fields=shown or "—")
    return tr("coaching.feedback_preview_footer", locale, fields=shown or "—", private=kept)


def feedback_summary(feedback: Feedback, locale: discord.Locale, *, edited: bool) -> str:
    """Say what was saved and how many next steps it opened."""
    title = feedback.note.title
    if edited:
        lines = [tr("coaching.feedback_updated", locale, title=title)]
    else:
        lines = [tr("coaching.feedback_saved", locale, title=title)]
    if feedback.steps:
        lines.append(tr("coaching.feedback_steps_opened", locale, count=len(feedback.steps)))
    if feedback.steps_dropped:
        lines.append(tr("coaching.feedback_steps_dropped", locale, count=feedback.steps_dropped))
    return "\n".join(lines)


class FeedbackModal(PersistentModal):
    """The form of one feedback template; saves a new note, or edits an existing one.

    Its custom id carries (form, mentorship, note or 0, template): it works after a restart,
    and the same form submitted twice stores one note.
    """

    PREFIX = "form:feedback"
    EDITS_MESSAGE = True

    def __init__(
        self,
        template: FeedbackTemplate,
        *,
        mentorship_id: int,
        note_id: int | None = None,
        values: dict[str, str] | None = None,
        form_id: int = 0,
    ) -> None:
        super().__init__(template.title, form_id, mentorship_id, note_id or 0, template.id)
        given = values or {}
        for field in template.fields:
            text_input: discord.ui.TextInput[FeedbackModal] = discord.ui.TextInput(
                custom_id=field.id,
                placeholder=field.placeholder,
                style=discord.TextStyle.paragraph
                if field.style == "paragraph"
                else discord.TextStyle.short,
                required=field.required,
                max_length=field.max_length,
                default=given.get(field.id),
            )
            self.add_item(discord.ui.Label(text=field.label, component=text_input))

    @classmethod
    async def submitted(
        cls, interaction: discord.Interaction, parts: tuple[str, ...], values: Mapping[str, str]
    ) -> None:
        """Save the feedback, then show its preview with Send and Edit buttons."""
        form_id, mentorship_id, note_id = (int(part) for part in parts[:3])
        template_id = parts[3]
        bot = bot_of(interaction)
        now = bot.clock.now()
        try:
            if not note_id:
                zone = await caller_zone(interaction)
                feedback = await service.save_feedback(
                    bot.db,
                    now,
                    interaction.user.id,
                    mentorship_id,
                    template_id,
                    values,
                    zone,
                    form_id=form_id or None,
                    language=language_of(interaction.locale),
                )
            else:
                feedback = await service.edit_feedback(
                    bot.db,
                    now,
                    interaction.user.id,
                    note_id,
                    values,
                    language_of(interaction.locale),
                )
        except Refusal as refusal:
            await keep_feedback_draft(
                interaction, refusal, mentorship_id, template_id, values, form_id
            )
            return
        locale = interaction.locale
        text = feedback_summary(feedback, locale, edited=bool(note_id))
        embed = feedback_embed(feedback, interaction.user.display_name, locale, for_student=False)
        target = await note_service.prepare_share(bot.db, interaction.user.id, feedback.note.id)
        view = feedback_view(feedback.note.id, locale, target.state)
        if note_id and interaction.message is not None:
            await interaction.edit_original_response(content=text, embed=embed, view=view)
        else:
            await answer(interaction, text, embed=embed, view=view)


async def keep_feedback_draft(
    interaction: discord.Interaction,
    refusal: Refusal,
    mentorship_id: int,
    template_id: str,
    values: Mapping[str, str],
    form_id: int,
) -> None:
    """Say why the feedback could not be applied, and keep what was typed as a draft note.

    The draft keeps its template and fields: shared later, it shows only the shared fields.
    """
    bot = bot_of(interaction)
    locale = interaction.locale
    body = "\n\n".join(f"{key}: {value}" for key, value in values.items() if value.strip())
    draft = await note_service.save_draft(
        bot.db,
        bot.clock.now(),
        mentorship_id,
        interaction.user.id,
        tr("coaching.feedback_draft_title", locale),
        body,
        form_id=form_id or None,
        template=template_id,
        fields=values,
    )
    if draft is None:
        raise refusal  # the router answers it, with what was typed attached
    why = tr(refusal.key, locale, **refusal.values)
    await answer(interaction, f"{why}\n{tr('notes.kept_as_draft', locale, id=draft.id)}")


class FeedbackButton(
    RestartSafeItem[discord.ui.Button[Any]],
    template=r"feedback:(?P<note>[0-9]{1,20}):(?P<action>send|edit)",
):
    """Send a feedback note to the student, or edit it; works after a restart."""

    def __init__(self, note_id: int, action: str, label: str = "") -> None:
        style = discord.ButtonStyle.primary if action == "send" else discord.ButtonStyle.secondary
        super().__init__(
            discord.ui.Button(
                style=style, label=label or action, custom_id=f"feedback:{note_id}:{action}"
            )
        )
        self.note_id = note_id
        self.action = action

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Self:
        """Rebuild the button from its custom id."""
        return cls(int(match["note"]), match["action"])

    async def act(self, interaction: discord.Interaction) -> None:
        """Check the clicker wrote the note, then send it or open the form again."""
        bot = bot_of(interaction)
        feedback = await service.feedback_of(
            bot.db, interaction.user.id, self.note_id, language_of(interaction.locale)
        )
        if self.action == "edit":
            modal = FeedbackModal(
                feedback.template,
                mentorship_id=feedback.mentorship.id,
                note_id=feedback.note.id,
                values=feedback.values,
                form_id=interaction.id,
            )
            await interaction.response.send_modal(modal)
            return
        await self._send(interaction, feedback)

    async def _send(self, interaction: discord.Interaction, feedback: Feedback) -> None:
        """Send the student copy once; the DM shows the form's shared fields, nothing else."""
        mentor = interaction.user.display_name
        locale = interaction.locale
        bot = bot_of(interaction)
        student = feedback.mentorship
        reader = await reader_locale(bot.db, student.student_id, student.guild_id)
        template = await service.template_in(
            bot.db, student.guild_id, feedback.template.id, language_of(reader)
        )

        def render(target: Shareable, student_locale: Locale) -> discord.Embed:
            sent = replace(
                feedback,
                template=template,
                note=target.note,
                values=dict(target.note.fields or {}),
            )
            return feedback_embed(sent, mentor, student_locale, for_student=True)

        async def redraw(state: ShareState) -> discord.ui.View:
            return feedback_view(self.note_id, locale, state)

        await share_with_student(
            interaction,
            self.note_id,
            render=render,
            redraw=redraw,
            sent_key="coaching.feedback_sent",
            closed_key="coaching.feedback_dm_closed",
        )


def feedback_view(
    note_id: int, locale: discord.Locale, state: ShareState = ShareState.NEW
) -> discord.ui.View:
    """Return the Send to student and Edit buttons of a feedback preview (restart-proof).

    Once the student has this version, Send shows it was used.
    """
    view = discord.ui.View(timeout=None)
    send = FeedbackButton(note_id, "send", tr("coaching.feedback_send", locale))
    if state is ShareState.SAME:
        used_button(send, tr("coaching.feedback_sent_button", locale))
    view.add_item(send)
    view.add_item(FeedbackButton(note_id, "edit", tr("coaching.feedback_edit", locale)))
    return view
