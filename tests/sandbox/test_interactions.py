"""Personas use slash commands, autocomplete, buttons, selects and modals."""

from __future__ import annotations

import pytest

from sandbox import Sandbox
from tests.sandbox.bots import SandboxBot


async def test_mentor_sets_time_zone_privately(sb: Sandbox, bot: SandboxBot) -> None:
    mara = sb.persona("mara")
    reply = await mara.slash("timezone set", zone="Europe/Paris")
    assert reply.content == "Time zone set to Europe/Paris"
    assert reply.ephemeral
    assert [m.content for m in mara.ephemerals] == ["Time zone set to Europe/Paris"]
    assert sb.channel("general").messages == []


async def test_public_answer_lands_in_the_channel(sb: Sandbox, bot: SandboxBot) -> None:
    reply = await sb.persona("sam").slash("timezone set", zone="Asia/Tokyo", quiet=False)
    assert not reply.ephemeral
    [message] = sb.channel("general").messages
    assert message.content == "Time zone set to Asia/Tokyo"
    assert message.stored.interaction_metadata is not None
    assert message.stored.webhook_id == sb.application_id


async def test_deferred_answer_arrives_as_followup(sb: Sandbox, bot: SandboxBot) -> None:
    mara = sb.persona("mara")
    reply = await mara.slash("remind", who=sb.persona("sam"), minutes=30)
    assert reply.deferred
    assert reply.content == "Reminder for Sam in 30 min"
    assert reply.ephemeral


async def test_autocomplete_offers_matching_zones(sb: Sandbox, bot: SandboxBot) -> None:
    choices = await sb.persona("sofia").autocomplete("timezone set", "zone", "Europe/Pa")
    assert [c["value"] for c in choices] == ["Europe/Paris", "Europe/Pa-fake"]


async def test_too_many_autocomplete_choices_are_refused(sb: Sandbox, bot: SandboxBot) -> None:
    with pytest.raises(AssertionError, match="50035"):
        await sb.persona("sofia").autocomplete("timezone set", "zone", "*")
    [refusal] = sb.take_unexpected_errors()
    assert refusal.errors["data"]["choices"]["_errors"][0]["code"] == "BASE_TYPE_MAX_LENGTH"


async def test_button_click_updates_the_message(sb: Sandbox, bot: SandboxBot) -> None:
    mehdi = sb.persona("mehdi")
    question = await mehdi.slash("confirm")
    assert question.buttons == ["Confirm", "Later"]
    answer = await mehdi.click(question, "Confirm")
    assert answer.callback_type == 7
    assert question.content == "Confirmed"
    assert question.components == []


async def test_deferred_update_then_edit_original(sb: Sandbox, bot: SandboxBot) -> None:
    mehdi = sb.persona("mehdi")
    question = await mehdi.slash("confirm")
    answer = await mehdi.click(question, "later")
    assert answer.callback_type == 6
    assert answer.content == "Postponed"
    assert question.content == "Postponed"


async def test_select_menu(sb: Sandbox, bot: SandboxBot) -> None:
    tom = sb.persona("tom")
    question = await tom.slash("confirm")
    answer = await tom.select(question, "Pick a day", ["friday"])
    assert answer.content == "Day: friday"
    assert answer.ephemeral


async def test_modal_open_and_submit(sb: Sandbox, bot: SandboxBot) -> None:
    sam = sb.persona("sam")
    opened = await sam.slash("feedback")
    assert opened.modal is not None
    assert opened.modal["title"] == "Session feedback"
    assert [f["custom_id"] for f in opened.modal["fields"]] == ["title", "body"]
    thanks = await sam.submit_modal(opened, {"title": "Great", "What went well?": "Everything"})
    assert thanks.content == "Thanks: Great / Everything"


async def test_modal_with_labels_and_a_select(sb: Sandbox, bot: SandboxBot) -> None:
    mara = sb.persona("mara")
    opened = await mara.slash("plan")
    assert opened.modal is not None
    assert [f["label"] for f in opened.modal["fields"]] == ["Topic", "Day"]
    answer = await mara.submit_modal(opened, {"Topic": "goals", "day": ["tue"]})
    assert answer.content == "goals on tue"


async def test_slash_in_dm_uses_persona_locale(sb: Sandbox, bot: SandboxBot) -> None:
    reply = await sb.persona("sofia").slash("ping", dm=True)
    assert reply.content == "pong fr"
    with pytest.raises(AssertionError, match="not synced globally"):
        await sb.persona("sofia").slash("confirm", dm=True)


async def test_driver_refuses_unknown_options(sb: Sandbox, bot: SandboxBot) -> None:
    with pytest.raises(AssertionError, match="no option"):
        await sb.persona("mara").slash("timezone set", zone="UTC", colour="red")
    with pytest.raises(AssertionError, match="required"):
        await sb.persona("mara").slash("timezone set")


async def test_user_role_and_channel_options_are_resolved(sb: Sandbox, bot: SandboxBot) -> None:
    reply = await sb.persona("morgan").slash(
        "notify", who=sb.persona("sofia"), role="Student", where="reminders"
    )
    assert reply.content == "Sofia / Student / #reminders"
    [report] = reply.attachments
    assert (report.filename, report.data) == ("report.csv", b"who,role\n")
    options = reply.record.payload["data"]["options"]
    assert [o["name"] for o in options] == ["who", "role", "where"]
    assert set(reply.record.payload["data"]["resolved"]) == {
        "users",
        "members",
        "roles",
        "channels",
    }


async def test_context_menu_commands(sb: Sandbox, bot: SandboxBot) -> None:
    mara = sb.persona("mara")
    marked = await mara.user_command("Mark as mentee", sb.persona("tom"))
    assert marked.content == "Tom is a mentee"
    note = await sb.persona("sam").say("Session on Friday", channel="general")
    reminded = await mara.message_command("Remind me", note)
    assert reminded.content == "Will remind you of: Session on Friday"


async def test_callback_500_is_retried(sb: Sandbox, bot: SandboxBot) -> None:
    sb.faults.fail("POST /interactions/{interaction_id}/{interaction_token}/callback", status=500)
    reply = await sb.persona("olga").slash("ping")
    assert reply.content == "pong es-ES"


async def test_hidden_command_is_not_usable(sb: Sandbox, bot: SandboxBot) -> None:
    assert sb.guild is not None
    for command in sb.commands(sb.guild):
        if command["name"] == "confirm":
            command["default_member_permissions"] = str(1 << 5)  # Manage Guild
    with pytest.raises(AssertionError, match="cannot see /confirm"):
        await sb.persona("sofia").slash("confirm")
    assert (await sb.persona("morgan").slash("confirm")).buttons == ["Confirm", "Later"]
