"""Under a backlog, work that can no longer be answered in time is dropped, answered never."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from tests.e2e.conftest import World
from tests.e2e.test_privacy import add_student, write_note

BACKLOG_SECONDS = 3.2
"""How long the event loop is held: longer than Discord's 3 s answer deadline."""


def _hold_the_loop() -> None:
    """Block the bot's event loop, as a burst of work ahead of an interaction would."""
    time.sleep(BACKLOG_SECONDS)  # on purpose: the loop is the backlog


def _requests_about(world: World, interaction_id: int) -> list[str]:
    return [f"{r.method} {r.path}" for r in world.sb.requests if str(interaction_id) in r.path]


async def test_a_command_past_its_deadline_is_dropped_unanswered(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    mara, sam = world.mara, world.sam
    await add_student(mara, sam, "P2 · Portfolio")
    await write_note(mara, "Sam", "Kick-off", "Portfolio review next week")
    caplog.set_level(logging.WARNING, logger="bot.deadlines")

    late = await mara.slash("note search", query="portfolio", wait=False)
    _hold_the_loop()
    # The next command is answered: the bot is alive and the late one had its chance to run.
    fresh = await mara.slash("note search", query="portfolio")
    await asyncio.sleep(0.2)

    assert "Kick-off" in str(fresh.embeds), fresh
    assert late.record.callback_type is None
    assert late.record.refusal is None
    assert _requests_about(world, late.record.id) == []  # no first answer, no error answer
    assert world.sb.recorder.take_unexpected() == []
    dropped = [r for r in caplog.records if r.name == "bot.deadlines"]
    assert len(dropped) == 1
    assert str(late.record.id) in dropped[0].getMessage()
    assert "portfolio" not in dropped[0].getMessage().casefold()  # ids, never text


async def test_a_form_submitted_past_its_deadline_stores_nothing_so_it_can_be_sent_again(
    world: World,
) -> None:
    mara, sam = world.mara, world.sam
    await add_student(mara, sam, "P2 · Portfolio")
    modal = await mara.slash("note add", student="Sam")
    assert modal.modal is not None
    late = await mara.submit_modal(
        modal, {"Title": "Late", "Note": "Typed during the backlog"}, wait=False
    )
    _hold_the_loop()
    await mara.slash("note search", query="anything")
    await asyncio.sleep(0.2)

    assert late.record.callback_type is None
    assert late.record.refusal is None
    assert _requests_about(world, late.record.id) == []
    assert await world.db.fetch_all("SELECT id FROM notes") == []


async def test_an_answer_refused_as_too_late_is_not_followed_by_an_error_answer(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    mara, sam = world.mara, world.sam
    await add_student(mara, sam, "P2 · Portfolio")
    # Discord refuses the bot's first answer: the interaction expired while it was on its way.
    world.sb.faults.fail(
        "POST /interactions/{interaction_id}/{interaction_token}/callback",
        status=404,
        code=10062,
    )
    caplog.set_level(logging.WARNING, logger="bot.errors")
    late = await mara.slash("privacy export", wait=False)
    await world.sb.wait_for(lambda: bool(_requests_about(world, late.record.id)))
    fresh = await mara.slash("note search", query="anything")
    await asyncio.sleep(0.2)

    assert fresh.content, fresh
    assert _requests_about(world, late.record.id) == [
        f"POST /interactions/{late.record.id}/{late.record.token}/callback"
    ]  # the refused first answer, and nothing after it
    assert not any(str(late.record.id) in r.path for r in world.sb.requests if "webhooks" in r.path)
    world.sb.recorder.take_unexpected()
    expired = [r for r in caplog.records if "expired before its answer" in r.getMessage()]
    assert len(expired) == 1
