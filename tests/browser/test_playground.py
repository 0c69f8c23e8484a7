"""A mentor tries Mentor Coach in the browser playground, then her student reads his DMs."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from tests.browser.conftest import Live

pytestmark = pytest.mark.browser

playwright_api = pytest.importorskip(
    "playwright.async_api", reason="Playwright for Python is not installed"
)
expect = playwright_api.expect
Page = playwright_api.Page

DOCS_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "playground.png"


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


async def test_mentor_plans_a_session_in_the_browser(
    live: Live, browser: object, artifacts: Path
) -> None:
    context = await browser.new_context(  # type: ignore[attr-defined]
        viewport={"width": 1366, "height": 820}, locale="en-GB", timezone_id="Europe/Paris"
    )
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    await page.goto(live.playground.web_url)
    await expect(page.locator("#connection")).to_have_text("Live")
    await expect(page.get_by_role("heading", name="Mentoring Community")).to_be_visible()
    await expect(page.get_by_role("button", name="Next reminder")).to_be_visible()

    # Mara the mentor takes over.
    await page.get_by_label("You are").select_option(label="Mara (@mara)")
    await expect(page.locator(".members li.me")).to_contain_text("Mara")

    # Typing "/" lists the synced commands with their descriptions.
    box = page.get_by_role("combobox", name="Message, or / for commands")
    await box.fill("/")
    await expect(
        page.get_by_role("option", name=re.compile(r"^\/session schedule"))
    ).to_be_visible()
    await page.screenshot(path=artifacts / "01-command-menu.png")
    await box.press("Escape")

    # /timezone set, with the zone picked among the bot's autocomplete suggestions.
    await run_command(page, "timezone set")
    await autocomplete(page, "zone", "Europe/Par", "Europe/Paris")
    await expect(page.locator('[data-option="zone"]')).to_have_value("Europe/Paris")
    await page.screenshot(path=artifacts / "02-timezone-autocomplete.png")
    await send(page)
    saved = page.locator(".message.ephemeral").filter(has_text="Your time zone is now")
    await expect(saved).to_contain_text("Europe/Paris")
    await expect(saved).to_contain_text("Only you can see this")

    # /student add: the member option offers the guild's members.
    await run_command(page, "student add")
    await page.locator('[data-option="member"]').select_option(label="Sam (@sam)")
    await page.locator('[data-option="project"]').fill("Python foundations")
    await page.locator('[data-option="session_length"]').select_option(index=1)
    await send(page)
    added = page.locator(".message.ephemeral").filter(has_text="You now mentor")
    await expect(added).to_contain_text("Sam")
    await expect(added.locator(".embed")).to_be_visible()

    # /session schedule for Sam, tomorrow 18:00: the confirmation shows rendered timestamps.
    await run_command(page, "session schedule")
    await autocomplete(page, "student", "Sa", re.compile("Sam"))
    await page.locator('[data-option="when"]').fill("tomorrow 18:00")
    await page.screenshot(path=artifacts / "03-session-schedule-form.png")
    await send(page)
    scheduled = page.locator(".message.ephemeral").filter(has_text="with Sam")
    await expect(scheduled).to_be_visible()
    stamp = scheduled.locator("time.timestamp").first
    await expect(stamp).to_contain_text("18:00")
    await expect(scheduled.locator("time.timestamp[data-style='R']")).to_contain_text("in ")
    await expect(scheduled).not_to_contain_text("<t:")
    await page.screenshot(path=artifacts / "04-session-scheduled.png")
    if os.environ.get("UPDATE_DOCS_SCREENSHOT"):  # refresh the README's picture on purpose
        shutil.copyfile(artifacts / "04-session-scheduled.png", DOCS_SCREENSHOT)

    # /session cancel asks to confirm with buttons; "Keep it" keeps the session.
    await run_command(page, "session cancel")
    await autocomplete(page, "session", "Sam", re.compile("Sam"))
    await send(page)
    question = page.locator(".message.ephemeral").filter(
        has=page.get_by_role("button", name="Keep it")
    )
    await expect(question.get_by_role("button", name="Cancel session")).to_be_visible()
    await page.screenshot(path=artifacts / "05-cancel-question.png")
    await question.get_by_role("button", name="Keep it").click()
    await expect(page.locator(".message.ephemeral").last).to_contain_text("Nothing was changed")
    await expect(page.get_by_role("button", name="Keep it")).to_have_count(0)

    # One day later Mara got the bot's review DM; then the clock jumps to Sam's 1-hour reminder.
    await page.get_by_role("button", name="+1 day").click()
    await expect(page.locator("#clock-offset")).to_contain_text("1 d")
    await page.locator("#dm-button").click()
    await expect(page.locator("#messages .message").first).to_be_visible(timeout=10_000)
    await page.screenshot(path=artifacts / "06-mara-dms.png")
    await page.get_by_role("button", name="Next reminder").click()
    await page.get_by_label("You are").select_option(label="Sam (@sam)")
    await expect(page.get_by_role("heading", name=re.compile("direct messages"))).to_be_visible()
    reminder = page.locator("#messages .message").filter(has_text="Mentor Coach")
    await expect(reminder.first).to_be_visible(timeout=10_000)
    await expect(reminder.first).not_to_contain_text("<t:")
    await page.screenshot(path=artifacts / "07-sam-dms.png")

    # Sam can't make it: the bot opens a modal, he gives a reason and submits it.
    await reminder.first.get_by_role("button", name="I can't make it").click()
    dialog = page.get_by_role("dialog")
    await expect(dialog).to_be_visible()
    await dialog.get_by_role("textbox").fill("Exam that evening, sorry!")
    await page.screenshot(path=artifacts / "08-modal.png")
    await dialog.get_by_role("button", name="Submit").click()
    await expect(dialog).to_be_hidden()
    await expect(page.locator(".message.ephemeral")).to_contain_text("Only you can see this")

    assert errors == []
    await context.close()
