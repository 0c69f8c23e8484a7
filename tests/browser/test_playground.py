"""The issue's story in the browser playground, from the moderator's setup to the confirmation.

"The moderator runs `/setup`; a mentor adds a student with autocomplete, schedules a session,
opens the prep checklist and ticks two items; the clock advances; the student sees the reminder
DM and clicks Confirm; the mentor sees the confirmation."
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from bot.clock import iso
from sandbox.models import StoredMessage
from sandbox.views import visible_text
from tests.browser.conftest import Live

pytestmark = pytest.mark.browser

playwright_api = pytest.importorskip(
    "playwright.async_api", reason="Playwright for Python is not installed"
)
expect = playwright_api.expect
Page = playwright_api.Page
Locator = playwright_api.Locator

DOCS_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "playground.png"
MAX_REMINDERS = 6
"""How many reminders may come before Sam's (the mentor's review nudge, a digest...)."""


async def open_page(live: Live, browser: object) -> tuple[Page, list[str]]:
    """The playground in a fresh browser context; the list collects the page's JS errors."""
    context = await browser.new_context(  # type: ignore[attr-defined]
        viewport={"width": 1366, "height": 820}, locale="en-GB", timezone_id="Europe/Paris"
    )
    page: Page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    await page.goto(live.playground.web_url)
    await expect(page.locator("#connection")).to_have_text("Live")
    await expect(page.get_by_role("heading", name="Mentoring Community")).to_be_visible()
    await expect(page.get_by_role("button", name="Next reminder")).to_be_visible()
    return page, errors


async def become(page: Page, persona: str, name: str) -> None:
    """Switch the page to another persona (`persona` as the picker lists it)."""
    await page.get_by_label("You are").select_option(label=persona)
    await expect(page.locator(".members li.me")).to_contain_text(name)


async def open_channel(page: Page, name: str) -> None:
    """Show a guild channel."""
    await page.locator("#channel-list").get_by_role("button", name=name).click()
    await expect(page.locator("#channel-title")).to_have_text(f"#{name}")


async def open_dms(page: Page) -> None:
    """Show the direct messages with the bot."""
    await page.locator("#dm-button").click()
    await expect(page.get_by_role("heading", name=re.compile("direct messages"))).to_be_visible()


async def run_command(page: Page, command: str) -> None:
    """Type `/command` in the message box and pick it in the command menu."""
    box = page.get_by_role("combobox", name="Message, or / for commands")
    await box.fill(f"/{command.split()[0]}")
    option = page.get_by_role("option", name=re.compile(rf"^\/{re.escape(command)}\b"))
    await expect(option).to_be_visible()
    await option.click()
    await expect(page.locator("#command-form-title")).to_have_text(f"/{command}")


async def autocomplete(page: Page, option: str, typed: str, pick: str | re.Pattern[str]) -> None:
    """Type into an autocomplete option and pick one of the bot's suggestions."""
    field = page.locator(f'[data-option="{option}"]')
    await field.click()
    await field.press_sequentially(typed, delay=30)
    suggestion = page.locator(f"#{await field.get_attribute('aria-controls')}").get_by_role(
        "option", name=pick
    )
    await expect(suggestion.first).to_be_visible()
    await suggestion.first.click()


async def send(page: Page) -> None:
    """Send the command form and wait until it closes (the bot answered)."""
    await page.get_by_role("button", name="Send", exact=True).click()
    await expect(page.locator("#command-form")).to_be_hidden(timeout=15_000)


def ephemeral(page: Page, text: str | re.Pattern[str]) -> Locator:
    """The latest "only you can see this" message containing `text`."""
    return page.locator(".message.ephemeral").filter(has_text=text).last


async def mentor_plans_with_sam(page: Page, artifacts: Path | None = None) -> datetime:
    """Mara sets her zone, adds Sam and schedules a session tomorrow 18:00; return its start."""
    await become(page, "Mara (@mara)", "Mara")
    await run_command(page, "timezone set")
    await autocomplete(page, "zone", "Europe/Par", "Europe/Paris")
    await expect(page.locator('[data-option="zone"]')).to_have_value("Europe/Paris")
    await send(page)
    await expect(ephemeral(page, "Your time zone is now")).to_contain_text("Europe/Paris")

    # /student add: Sam from the member option, a session length among the choices.
    await run_command(page, "student add")
    await page.locator('[data-option="member"]').select_option(label="Sam (@sam)")
    await page.locator('[data-option="project"]').fill("Python foundations")
    await page.locator('[data-option="session_length"]').select_option(index=1)
    if artifacts is not None:
        await page.screenshot(path=artifacts / "03-student-add-form.png")
    await send(page)
    added = ephemeral(page, "You now mentor")
    await expect(added).to_contain_text("Sam")
    await expect(added.locator(".embed")).to_be_visible()

    # /session schedule for Sam (autocomplete): the answer shows rendered timestamps.
    await run_command(page, "session schedule")
    await autocomplete(page, "student", "Sa", re.compile("Sam"))
    await page.locator('[data-option="when"]').fill("tomorrow 18:00")
    await send(page)
    scheduled = ephemeral(page, "with Sam")
    start = scheduled.locator("time.timestamp").first
    await expect(start).to_contain_text("18:00")
    # The start, relative (the answer also says when the review nudge is planned).
    relative = scheduled.locator("time.timestamp[data-style='R']").first
    await expect(relative).to_have_text(re.compile(r"^(in |tomorrow)"))
    await expect(scheduled).not_to_contain_text("<t:")
    if artifacts is not None:
        await page.screenshot(path=artifacts / "04-session-scheduled.png")
    return datetime.fromisoformat(str(await start.get_attribute("datetime")))


def bot_dms(live: Live) -> list[StoredMessage]:
    """Every message the bot sent in a DM channel, oldest first."""
    state = live.playground.sandbox.state
    sent = [
        message
        for channel_id in state.dm_channels.values()
        for message in state.visible_messages(channel_id)
        if message.author_id == state.bot_user.id
    ]
    return sorted(sent, key=lambda message: message.id)  # snowflakes: in the order sent


async def next_reminder(page: Page, live: Live) -> list[StoredMessage]:
    """Click "Next reminder" and return what the bot sent by DM once the clock got there.

    The world clock stops at each hour on its way (news DMs go out there too): wait until it
    has reached the reminder, so that a second click never starts while the first still runs.
    """
    sent = len(bot_dms(live))
    assert live.playground.next_event_at is not None
    due = await live.playground.next_event_at()
    assert due is not None, "no reminder is planned"
    await page.get_by_role("button", name="Next reminder").click()
    await live.playground.sandbox.wait_for(
        lambda: live.playground.clock.now() >= due and len(bot_dms(live)) > sent, timeout=10
    )
    # And every reminder due by then is settled (polled: the database has no event to wait on).
    async with asyncio.timeout(10):
        while await live.db.fetch_one(  # noqa: ASYNC110
            "SELECT id FROM reminders WHERE status IN ('pending', 'sending') AND due_at <= ?",
            (iso(live.playground.clock.now()),),
        ):
            await asyncio.sleep(0.05)
    return bot_dms(live)[sent:]


async def until_sams_reminder(page: Page, live: Live, starts_at: datetime) -> list[str]:
    """Jump from reminder to reminder until Sam's arrives, before the session starts.

    Mara's review nudge and the session news DMed to Sam come first; return the title of each
    message the bot sent, by DM to "sam" or to "mara".
    """
    state = live.playground.sandbox.state
    arrived: list[str] = []
    for _ in range(MAX_REMINDERS):
        for message in await next_reminder(page, live):
            # An embed's title, or a Components V2 layout's heading (its first line, "## ...").
            title = (message.embeds or [{}])[0].get("title") or visible_text(
                message.content, message.embeds, message.components
            ).split("\n")[0].removeprefix("## ")
            reader = next(u for u, c in state.dm_channels.items() if c == message.channel_id)
            arrived.append(f"{state.users[reader].username}: {title}")
        assert live.playground.clock.now() < starts_at, f"too late; the bot sent {arrived}"
        if "sam: Session reminder" in arrived:
            return arrived
    raise AssertionError(f"Sam's reminder did not come; the bot sent {arrived}")


async def sams_reminder(page: Page) -> Locator:
    """Sam's DMs: the session reminder, with its timestamps rendered."""
    await become(page, "Sam (@sam)", "Sam")
    await open_dms(page)
    reminder = page.locator("#messages .message").filter(has_text="Session reminder").last
    await expect(reminder).to_be_visible(timeout=10_000)
    await expect(reminder.locator("time.timestamp[data-style='F']")).to_contain_text("18:00")
    await expect(reminder.locator("time.timestamp[data-style='R']")).to_contain_text("in ")
    await expect(reminder).not_to_contain_text("<t:")
    return reminder


async def test_moderator_sets_up_then_student_confirms_in_the_browser(
    live: Live, browser: object, artifacts: Path
) -> None:
    page, errors = await open_page(live, browser)

    # Morgan the moderator runs /setup and picks a channel, then a role, in the panel's selects.
    await become(page, "Morgan (mod) (@morgan)", "Morgan")
    await open_channel(page, "general")
    await run_command(page, "setup")
    await send(page)
    panel = ephemeral(page, "Channels.")
    settings = panel.locator(".embed")
    await expect(settings).to_contain_text("No mentor role is set")
    channels = panel.get_by_role("combobox", name="Reminders channel")
    await expect(channels.get_by_role("option", name="#mod-log")).to_be_attached()
    await channels.select_option(label="#reminders")
    reminders_field = settings.locator(".embed-field").filter(has_text="Reminders channel")
    await expect(reminders_field).to_contain_text("#reminders")
    await page.screenshot(path=artifacts / "01-setup-channels.png")
    await panel.get_by_role("button", name="Roles", exact=True).click()
    panel = ephemeral(page, "Roles.")
    settings = panel.locator(".embed")
    await panel.get_by_role("combobox", name="Mentor role").select_option(label="@Mentor")
    await expect(settings.locator(".embed-field").filter(has_text="Mentor role")).to_contain_text(
        "@Mentor"
    )
    await expect(settings).to_contain_text("Mentor commands are open only to the mentor role.")
    await expect(
        settings.locator(".embed-field").filter(has_text="Reminders channel")
    ).to_contain_text("#reminders")
    await page.screenshot(path=artifacts / "02-setup-roles.png")

    # Mara the mentor (she has the Mentor role): zone, Sam, a session tomorrow 18:00.
    starts_at = await mentor_plans_with_sam(page, artifacts)

    # /prep student:Sam, then two checklist items ticked in its select: 0/N, then 2/N.
    await run_command(page, "prep")
    await autocomplete(page, "student", "Sa", re.compile("Sam"))
    await send(page)
    prep = ephemeral(page, "Prep · Sam")
    progress = prep.get_by_text(re.compile(r"^Progress: \d+/\d+$"))
    await expect(progress).to_have_text(re.compile(r"^Progress: 0/\d+$"))
    total = int((await progress.inner_text()).rsplit("/", 1)[1])
    assert total >= 2
    # The multi-select is a dropdown, as in Discord: open it, tick two items, close it.
    ticks = prep.get_by_role("combobox", name="Tick what you have prepared")
    await expect(ticks).to_have_attribute("aria-expanded", "false")
    await ticks.click()
    items = prep.get_by_role("listbox", name="Tick what you have prepared").get_by_role("option")
    await items.nth(0).click()
    await items.nth(1).click()
    await expect(items.nth(1)).to_have_attribute("aria-selected", "true")
    await page.screenshot(path=artifacts / "05a-prep-dropdown.png")
    await prep.get_by_role("button", name="Done").click()
    await expect(progress).to_have_text(f"Progress: 2/{total}")
    assert (await prep.locator(".embed").inner_text()).count("✅") == 2
    await prep.scroll_into_view_if_needed()
    await page.screenshot(path=artifacts / "05-prep-ticked.png")

    # The clock advances, reminder by reminder, until Sam's is sent (before the session).
    await open_dms(page)
    arrived = await until_sams_reminder(page, live, starts_at)
    for line in arrived:
        if line.startswith("mara: "):  # e.g. the review nudge, in Mara's DMs
            title = line.removeprefix("mara: ")
            shown = page.locator("#messages .embed-title, #messages .text-display h2")
            await expect(shown.get_by_text(title)).to_be_visible()
    await page.screenshot(path=artifacts / "06-mara-dms.png")

    # Sam reads the reminder and confirms.
    reminder = await sams_reminder(page)
    await page.screenshot(path=artifacts / "07-sam-reminder.png")
    await reminder.get_by_role("button", name="Confirm").click()
    await expect(reminder).to_contain_text("your mentor will see that you confirmed")
    await expect(reminder.locator(".components").get_by_role("button")).to_have_count(0)
    await page.screenshot(path=artifacts / "08-sam-confirmed.png")

    # Mara sees the confirmation in /session list.
    await become(page, "Mara (@mara)", "Mara")
    await open_channel(page, "general")
    await run_command(page, "session list")
    await send(page)
    listed = ephemeral(page, "Upcoming sessions")
    await expect(listed).to_contain_text("with Sam")
    await expect(listed).to_contain_text("✅ confirmed by the student")
    await page.screenshot(path=artifacts / "09-mentor-sees-confirmation.png")

    # The mentor's view at its best, taller: the ticked checklist above the confirmed session.
    await page.set_viewport_size({"width": 1366, "height": 1300})
    await page.locator("#messages").evaluate("list => { list.scrollTop = list.scrollHeight; }")
    await expect(prep.locator(".embed-title")).to_be_in_viewport()
    await expect(listed).to_be_in_viewport()
    await page.screenshot(path=artifacts / "10-mentor-view.png")
    if os.environ.get("UPDATE_DOCS_SCREENSHOT"):  # refresh the README's picture on purpose
        shutil.copyfile(artifacts / "10-mentor-view.png", DOCS_SCREENSHOT)

    assert errors == []
    live.playground.sandbox.assert_no_unexpected_errors()
    await page.context.close()


async def test_mentor_keeps_a_session_and_student_cannot_make_it(
    live: Live, browser: object, artifacts: Path
) -> None:
    """The other buttons and the modal: cancel then "Keep it", and "I can't make it"."""
    page, errors = await open_page(live, browser)
    starts_at = await mentor_plans_with_sam(page)

    # /session cancel asks to confirm with buttons; "Keep it" keeps the session.
    await run_command(page, "session cancel")
    await autocomplete(page, "session", "Sam", re.compile("Sam"))
    await send(page)
    question = ephemeral(page, "Cancel the session with Sam")
    await expect(question.get_by_role("button", name="Cancel session")).to_be_visible()
    await question.get_by_role("button", name="Keep it").click()
    await expect(page.locator(".message.ephemeral").last).to_contain_text("Nothing was changed")
    await expect(page.get_by_role("button", name="Keep it")).to_have_count(0)

    # Sam can't make it: the bot opens a modal, he gives a reason and submits it.
    await until_sams_reminder(page, live, starts_at)
    reminder = await sams_reminder(page)
    await reminder.get_by_role("button", name="I can't make it").click()
    dialog = page.get_by_role("dialog")
    await expect(dialog).to_be_visible()
    await dialog.get_by_role("textbox").fill("Exam that evening, sorry!")
    await page.screenshot(path=artifacts / "11-cannot-make-it-modal.png")
    await dialog.get_by_role("button", name="Submit").click()
    await expect(dialog).to_be_hidden()
    await expect(ephemeral(page, "Your mentor has been told")).to_be_visible()

    # Mara is told by DM, with the reason and a button to reschedule.
    await become(page, "Mara (@mara)", "Mara")
    await open_dms(page)
    told = page.locator("#messages .message").filter(has_text="can't make the session")
    await expect(told).to_contain_text("Exam that evening, sorry!")
    await expect(told.get_by_role("button", name="Reschedule")).to_be_visible()

    assert errors == []
    live.playground.sandbox.assert_no_unexpected_errors()
    await page.context.close()
