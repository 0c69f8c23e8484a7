"""The Components V2 reminders stay within Discord's limits, however busy the mentor."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import discord

from bot.services.digests import Digest
from bot.storage.coaching import PresentationPlan
from bot.storage.mentorships import Mentorship
from bot.storage.sessions import Session, SessionView
from bot.ui import V2_ADDED_COMPONENTS, V2_ADDED_TEXT, V2_COMPONENTS_MAX, V2_TEXT_MAX, fit_layout
from cogs.reminders._messages import DIGEST_SECTIONS, digest_layout
from sandbox.message_rules import count_components, v2_texts

NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
LONG = "Maximilienne-Alexandrine de La Tour d'Auvergne-Lauraguais " * 2


def session(number: int) -> SessionView:
    starts = NOW + timedelta(hours=number)
    return SessionView(
        session=Session(number, number, None, None, starts, 45, "regular", "scheduled", False,
                        None, None, None, None, NOW),
        mentorship_id=number, guild_id=1, mentor_id=2, student_id=100 + number,
        student_name=f"{LONG}{number}", project="P7 · A long project name, twice over",
    )  # fmt: skip


def mentorship(number: int) -> Mentorship:
    return Mentorship(number, 1, 2, 100 + number, f"{LONG}{number}", "P7 · Data", None, None, 45,
                      "active", NOW, None)  # fmt: skip


def plan(number: int) -> PresentationPlan:
    week = NOW + timedelta(days=7)
    return PresentationPlan(number, number, None, 2, NOW, NOW, NOW, week, None, "open", None, None)


def busiest() -> Digest:
    return Digest(
        this_week=[session(n) for n in range(30)],
        unrecorded=[session(n) for n in range(30, 60)],
        left_alone=[mentorship(n) for n in range(40)],
        presentations=[(mentorship(n), plan(n)) for n in range(40)],
    )


def test_the_busiest_digest_leaves_room_for_the_reference_and_the_mention() -> None:
    layout = digest_layout(busiest(), "\n\n*Sent late*", discord.Locale.french)
    sent = layout.to_components()  # counted as the sandbox (Discord) counts them
    assert count_components(sent) <= V2_COMPONENTS_MAX - V2_ADDED_COMPONENTS
    assert len("".join(v2_texts(sent))) <= V2_TEXT_MAX - V2_ADDED_TEXT
    sections = [i for i in layout.walk_children() if isinstance(i, discord.ui.Section)]
    assert len(sections) == DIGEST_SECTIONS  # the rest are lines, cut with an ellipsis
    texts = [i.content for i in layout.walk_children() if isinstance(i, discord.ui.TextDisplay)]
    assert any(text.endswith("…") for text in texts)
    custom_ids = [
        i.item.custom_id for i in layout.walk_children() if isinstance(i, discord.ui.DynamicItem)
    ]
    assert len(custom_ids) == len(set(custom_ids)) == DIGEST_SECTIONS


def test_an_empty_digest_says_none_under_each_heading() -> None:
    layout = digest_layout(Digest([], [], [], []), "", discord.Locale.british_english)
    texts = [i.content for i in layout.walk_children() if isinstance(i, discord.ui.TextDisplay)]
    assert texts[0].startswith("## Your week as a mentor\n")
    assert texts[1:] == [
        "### Sessions this week (0)\nNone.",
        "### Sessions left unrecorded (0)\nNone.",
        "### Students without a held session for 3+ weeks (0)\nNone.",
        "### Presentations to request (0)\nNone.",
    ]
    assert not [i for i in layout.walk_children() if isinstance(i, discord.ui.DynamicItem)]


def test_fit_layout_shortens_the_longest_text_first_and_marks_the_cut() -> None:
    layout = discord.ui.LayoutView(timeout=None)
    box = discord.ui.Container[discord.ui.LayoutView]()
    box.add_item(discord.ui.TextDisplay("short"))
    box.add_item(discord.ui.TextDisplay("a" * 3000))
    box.add_item(discord.ui.TextDisplay("b" * 2000))
    layout.add_item(box)
    fit_layout(layout, 4000)
    texts = [i.content for i in layout.walk_children() if isinstance(i, discord.ui.TextDisplay)]
    assert layout.content_length() <= 4000
    assert texts[0] == "short"
    assert texts[1].endswith("…")
    assert texts[2] == "b" * 2000
