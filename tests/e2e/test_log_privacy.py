"""The log at DEBUG, through the note, feedback and privacy stories: ids and sizes, no text."""

from __future__ import annotations

import logging

import pytest

from bot.services import notes as notes_service
from tests.e2e.answers import answer_to
from tests.e2e.conftest import World

FORMAT = logging.Formatter("%(name)s %(levelname)s %(message)s")


def logged_text(records: list[logging.LogRecord]) -> str:
    """Everything the records would print: messages, tracebacks, stack traces."""
    return "\n".join(FORMAT.format(record) for record in records)


async def test_no_typed_text_and_no_token_reaches_the_log_even_at_debug(
    world: World, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger: discord.*, aiosqlite, the bot's own
    mara, sam = world.mara, world.sam
    typed: list[str] = []

    def t(text: str) -> str:
        typed.append(text)
        return text

    # The note story: a student with a project and a goal, a note written, shared, edited.
    await mara.slash("timezone set", zone="Europe/Paris")
    added = await mara.slash(
        "student add",
        member=sam,
        project=t("Zephyrine portfolio"),
        goal=t("Wants a job at Quokkabank"),
        session_length=30,
    )
    assert "You now mentor" in added.content
    modal = await mara.slash("note add", student="Sam")
    saved = await mara.submit_modal(
        modal, {"Title": t("Xylophage meeting"), "Note": t("Worried about Brontide exams")}
    )
    shared = await answer_to(world.sb, await mara.click(saved, "Share with student"))
    assert "Sent to **Sam**" in shared.content
    await mara.slash("note search", query=t("Brontide"))
    edit = await mara.slash("note edit", note="1")
    await mara.submit_modal(edit, {"Note": t("Calmer now, Pellucid plan agreed")})
    await sam.slash("note list")

    # The feedback story, with a private field.
    form = await mara.slash("feedback", student="Sam", template="session_report")
    report = await mara.submit_modal(
        form,
        {
            "check_in": t("Gleamwort check-in"),
            "progress": t("Thistlepin progress"),
            "next_goals": t("Marrowfen goal"),
            "mood_risk": t("Cindervale private worry"),
        },
    )
    sent = await answer_to(world.sb, await mara.click(report, "Send to student"))
    assert "Sent to **Sam**" in sent.content

    # A form that fails unexpectedly: its title and body stay out of the error's log line.
    async def broken(*_: object, **__: object) -> None:
        raise RuntimeError("the disk is on fire")

    monkeypatch.setattr(notes_service, "save_note", broken)
    modal = await mara.slash("note add", student="Sam")
    failed = await mara.submit_modal(
        modal, {"Title": t("Wyvernholt title"), "Note": t("Fenwick body of a lost form")}
    )
    assert "quote this reference" in failed.content
    monkeypatch.undo()

    # The privacy story: exports, then an erasure.
    await sam.slash("privacy export")
    await mara.slash("privacy export")
    await mara.slash("export notes", format="markdown")
    question = await sam.slash("privacy delete")
    done = await sam.click(question, "Delete my data")
    assert "everything I stored about you is deleted" in done.content
    await world.sb.wait_for(lambda: len(mara.dms) == 1)

    records = list(caplog.records)
    text = logged_text(records)
    names = {record.name.split(".")[0] for record in records}
    assert {"discord", "aiosqlite", "bot"} <= names, names  # DEBUG was really on, everywhere
    assert any(r.name == "discord.gateway" and r.levelno == logging.DEBUG for r in records)
    error = [r for r in records if r.levelno == logging.ERROR and r.name == "bot.errors"]
    assert len(error) == 1
    line = error[0].getMessage()
    assert "modal_submit" in line
    assert "note-title=16" in line  # the log says how long it was, not what it said
    assert "the disk is on fire" in text  # the traceback is still there
    for typed_text in typed:
        assert typed_text not in text, typed_text
    tokens = [record.token for record in world.sb.state.interactions.values()]
    assert len(tokens) > 10
    for token in [*tokens, world.sb.token]:
        assert token not in text
