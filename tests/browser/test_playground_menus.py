"""The playground's menus, forms and layouts, in headless Chromium.

Right-click menus, autocomplete on focus, required modal fields, charts in their embed,
Components V2 messages and the phone layout.
"""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import discord
import pytest
from discord import app_commands

from tests.browser.conftest import Live
from tests.browser.test_playground import (
    become,
    ephemeral,
    mentor_plans_with_sam,
    open_channel,
    open_page,
    run_command,
    send,
)

pytestmark = pytest.mark.browser

playwright_api = pytest.importorskip(
    "playwright.async_api", reason="Playwright for Python is not installed"
)
expect = playwright_api.expect
Page = playwright_api.Page

PHONE = {"width": 390, "height": 844}
DOT_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


FITS = """() => {
    const list = document.querySelector("#messages");
    const right = (node) => Math.round(node.getBoundingClientRect().right);
    const wide = [...list.querySelectorAll("*")]
        .filter((node) => right(node) > list.clientWidth + 1)
        .map((node) => `${node.tagName}.${node.className} ends at ${right(node)}`);
    return {
        page: document.documentElement.scrollWidth,
        list: list.scrollWidth - list.clientWidth,
        wide: wide.slice(0, 30),
    };
}"""


async def assert_fits(page: Page) -> None:
    """Nothing is wider than a phone's screen: not the page, not a message in the list."""
    fits = await page.evaluate(FITS)
    assert fits["page"] <= PHONE["width"], fits
    assert fits["list"] <= 0, fits
    assert fits["wide"] == [], fits


async def message_menu(page: Page, text: str) -> playwright_api.Locator:
    """Right-click the latest message containing ``text``; return the menu that opens."""
    message = page.locator("#messages .message").filter(has_text=text).last
    await message.locator(".content").first.click(button="right")
    menu = page.get_by_role("menu")
    await expect(menu).to_be_visible()
    return menu


async def test_save_as_note_from_the_message_menu_with_its_required_fields(
    live: Live, browser: object, artifacts: Path
) -> None:
    page, errors = await open_page(live, browser)
    await mentor_plans_with_sam(page)

    # Autocomplete lists its choices as soon as the option is focused, before any typing.
    await run_command(page, "prep")
    field = page.locator('[data-option="student"]')
    await field.click()
    suggestions = page.locator(f"#{await field.get_attribute('aria-controls')}")
    await expect(suggestions.get_by_role("option", name=re.compile("Sam"))).to_be_visible()
    await expect(suggestions).not_to_contain_text("needs a typed value")
    await expect(field).to_have_attribute("aria-expanded", "true")
    await page.screenshot(path=artifacts / "20-autocomplete-on-focus.png")
    await page.get_by_role("button", name="Cancel").click()

    # Sam writes in #general; Mara right-clicks his message: "Save as note" under Apps.
    await become(page, "Sam (@sam)", "Sam")
    await open_channel(page, "general")
    box = page.get_by_role("combobox", name="Message, or / for commands")
    await box.fill("I finished chapter 3 and the exercises.")
    await box.press("Enter")
    await become(page, "Mara (@mara)", "Mara")
    await open_channel(page, "general")
    menu = await message_menu(page, "I finished chapter 3")
    await expect(menu).to_contain_text("Apps")
    await page.screenshot(path=artifacts / "21-message-menu.png")
    await menu.get_by_role("menuitem", name="Save as note").click()
    await expect(menu).to_be_hidden()
    pick = ephemeral(page, "Which student")
    student = pick.get_by_role("combobox")
    await expect(student.get_by_role("option", name=re.compile("^Sam"))).to_be_attached()
    await student.select_option(index=1)

    # The note form comes pre-filled; a required field left empty is not sent, as in Discord.
    dialog = page.get_by_role("dialog")
    await expect(dialog).to_be_visible()
    body = dialog.get_by_role("textbox", name="Note")
    await expect(body).to_have_value(re.compile("chapter 3"))
    await body.fill("")
    await dialog.get_by_role("button", name="Submit").click()
    await expect(dialog.get_by_role("alert")).to_have_text("Please fill in: Note.")
    await expect(body).to_have_attribute("aria-invalid", "true")
    await expect(dialog).to_be_visible()
    await page.screenshot(path=artifacts / "22-required-field.png")
    await body.fill("Chapter 3 done, exercises too.")
    await dialog.get_by_role("button", name="Submit").click()
    await expect(dialog).to_be_hidden()
    await expect(ephemeral(page, "Note saved")).to_be_visible()

    assert errors == []
    live.playground.sandbox.assert_no_unexpected_errors()
    await page.context.close()


async def add_test_apps(live: Live) -> None:
    """A user command and a Components V2 message, through the unmodified discord.py."""

    async def wave(interaction: discord.Interaction, member: discord.Member) -> None:
        await interaction.response.send_message(
            f"You waved at {member.display_name}.", ephemeral=True
        )

    live.bot.tree.add_command(app_commands.ContextMenu(name="Wave", callback=wave))
    await live.bot.tree.sync()

    class Card(discord.ui.LayoutView):
        card = discord.ui.Container(
            discord.ui.TextDisplay("## Weekly card"),
            discord.ui.Section(
                discord.ui.TextDisplay("**Sam** is on track: 3 sessions held."),
                accessory=discord.ui.Thumbnail("attachment://dot.png"),
            ),
            discord.ui.Separator(),
            discord.ui.MediaGallery(discord.MediaGalleryItem("attachment://dot.png")),
            discord.ui.ActionRow(discord.ui.Button(label="Open the card", custom_id="card:open")),
            accent_colour=discord.Colour(0x5865F2),
        )

    general = live.playground.sandbox.channel("general")
    channel = live.bot.get_channel(general.id)
    assert isinstance(channel, discord.TextChannel)
    await channel.send(view=Card(), file=discord.File(io.BytesIO(DOT_PNG), filename="dot.png"))


async def test_user_menu_chart_in_its_embed_components_v2_and_phone_width(
    live: Live, browser: object, artifacts: Path
) -> None:
    await add_test_apps(live)
    page, errors = await open_page(live, browser)

    # Morgan right-clicks Sam in the member list and runs the user command.
    await become(page, "Morgan (mod) (@morgan)", "Morgan")
    await open_channel(page, "general")
    sam_id = str(live.playground.sandbox.persona("sam").id)
    await page.locator(f'.members li[data-user="{sam_id}"]').click(button="right")
    menu = page.get_by_role("menu")
    await expect(menu.get_by_role("menuitem", name="Wave")).to_be_visible()
    await expect(menu.get_by_role("menuitem", name="Save as note")).to_have_count(0)
    await page.screenshot(path=artifacts / "23-user-menu.png")
    await menu.get_by_role("menuitem", name="Wave").click()
    await expect(ephemeral(page, "You waved at Sam.")).to_be_visible()

    # The Components V2 card renders: container, heading, section with thumbnail, gallery.
    card = page.locator("#messages .message.v2").last
    container = card.locator(".container")
    await expect(container.get_by_role("heading", name="Weekly card")).to_be_visible()
    await expect(container.locator(".section")).to_contain_text("Sam is on track")
    await expect(container.locator(".section img.thumbnail")).to_be_visible()
    await expect(container.locator("hr.separator")).to_have_count(1)
    await expect(container.locator(".gallery img")).to_have_count(1)
    await expect(container.get_by_role("button", name="Open the card")).to_be_visible()
    await expect(card.locator(":scope > .message-body > .attachments")).to_have_count(0)
    loaded = await container.locator(".gallery img").evaluate("img => img.naturalWidth")
    assert loaded == 1

    # /program stats: the chart is inside its embed, not a loose file below it.
    await run_command(page, "program stats")
    await send(page)
    stats = page.locator(".message.ephemeral").filter(has=page.locator(".embed img")).last
    chart = stats.locator(".embed img.embed-image")
    await expect(chart).to_be_visible(timeout=15_000)
    assert await chart.evaluate("img => img.complete && img.naturalWidth > 100")
    await expect(stats.locator(":scope > .message-body > .attachments")).to_have_count(0)
    await stats.scroll_into_view_if_needed()
    await page.screenshot(path=artifacts / "24-chart-in-embed.png")

    # At phone width: nothing wider than the screen, and the message menu is one tap away.
    await page.set_viewport_size(PHONE)
    await page.locator("#messages").evaluate("list => { list.scrollTop = list.scrollHeight; }")
    await assert_fits(page)
    composer = page.get_by_role("combobox", name="Message, or / for commands")
    await expect(composer).to_be_in_viewport()
    channels = page.locator("#channel-list")
    await expect(channels.get_by_role("button", name="general")).to_be_visible()
    await page.screenshot(path=artifacts / "25-phone.png")
    more = card.get_by_role("button", name=re.compile("^Apps for the message"))
    await card.scroll_into_view_if_needed()
    await more.click()
    await expect(page.get_by_role("menu")).to_be_in_viewport()
    await page.screenshot(path=artifacts / "26-phone-menu.png")
    await page.keyboard.press("Escape")
    await expect(page.get_by_role("menu")).to_be_hidden()
    await run_command(page, "session schedule")
    await page.screenshot(path=artifacts / "27-phone-form.png")
    await assert_fits(page)

    assert errors == []
    live.playground.sandbox.assert_no_unexpected_errors()
    await page.context.close()


class TopicsForm(discord.ui.Modal, title="Plan the next session"):
    """A test form with a required multi-select (a Label around a Select) and a text input."""

    topics: discord.ui.Label[discord.ui.View] = discord.ui.Label(
        text="Topics",
        component=discord.ui.Select(
            custom_id="topics",
            placeholder="Pick the topics",
            min_values=1,
            max_values=3,
            options=[
                discord.SelectOption(label="Testing", value="testing"),
                discord.SelectOption(label="Git", value="git"),
                discord.SelectOption(label="Deployment", value="deployment"),
            ],
        ),
    )
    remark: discord.ui.TextInput[discord.ui.View] = discord.ui.TextInput(
        label="Remark", custom_id="remark", required=False
    )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        select = self.topics.component
        assert isinstance(select, discord.ui.Select)
        await interaction.response.send_message(
            f"Planned: {', '.join(select.values)}.", ephemeral=True
        )


async def test_a_modal_multi_select_is_a_dropdown_and_required(
    live: Live, browser: object, artifacts: Path
) -> None:
    @app_commands.command(name="plan-topics", description="Plan the next session's topics")
    async def plan_topics(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(TopicsForm())

    live.bot.tree.add_command(plan_topics)
    await live.bot.tree.sync()
    page, errors = await open_page(live, browser)
    await become(page, "Mara (@mara)", "Mara")
    await open_channel(page, "general")
    await run_command(page, "plan-topics")
    await send(page)

    dialog = page.get_by_role("dialog")
    await expect(dialog).to_be_visible()
    await dialog.get_by_role("button", name="Submit").click()  # nothing picked yet
    await expect(dialog.get_by_role("alert")).to_have_text("Please fill in: Topics.")
    topics = dialog.get_by_role("combobox", name="Pick the topics")
    await topics.click()
    choices = dialog.get_by_role("listbox", name="Pick the topics")
    await choices.get_by_role("option", name="Testing").click()
    await choices.get_by_role("option", name="Git").click()
    await page.screenshot(path=artifacts / "28-modal-dropdown.png")
    await dialog.get_by_role("button", name="Done").click()
    await expect(topics).to_contain_text("Testing, Git")
    await expect(dialog.locator(".dropdown")).not_to_have_attribute("aria-invalid", "true")
    await expect(dialog).to_be_visible()  # closing the dropdown does not send the form
    await dialog.get_by_role("button", name="Submit").click()
    await expect(dialog).to_be_hidden()
    await expect(ephemeral(page, "Planned: testing, git.")).to_be_visible()

    assert errors == []
    live.playground.sandbox.assert_no_unexpected_errors()
    await page.context.close()
