"""What Discord refuses, sent over HTTP, refused with Discord's code and error shape.

Every test here runs with ``spec_validation=False``: the sandbox's own rules refuse these bodies,
the OpenAPI file is only a second net.
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest

from sandbox import Sandbox, permissions
from sandbox.models import InteractionRecord

pytestmark = pytest.mark.sandbox_options(spec_validation=False, rate_limits=False)

Answer = tuple[int, dict[str, Any]]


async def call(
    sb: Sandbox,
    method: str,
    path: str,
    body: Any = None,
    *,
    files: dict[str, bytes] | None = None,
    auth: bool = True,
) -> Answer:
    """Send one request as the bot would; return the status and the JSON body."""
    headers = {"Authorization": f"Bot {sb.token}"} if auth else {}
    async with aiohttp.ClientSession() as http:
        if files is not None:
            form = aiohttp.FormData()
            form.add_field("payload_json", json.dumps(body or {}))
            for n, (name, data) in enumerate(files.items()):
                form.add_field(f"files[{n}]", data, filename=name)
            sent = http.request(method, f"{sb.rest_url}{path}", data=form, headers=headers)
        else:
            sent = http.request(method, f"{sb.rest_url}{path}", json=body, headers=headers)
        async with sent as response:
            text = await response.text()
            status = response.status
    if status >= 400:
        sb.take_unexpected_errors()  # provoked on purpose: the test checks the answer itself
    return status, json.loads(text) if text else {}


def error_codes(tree: Any) -> set[str]:
    """Every inner ``code`` of a 50035 ``errors`` tree."""
    found: set[str] = set()
    if isinstance(tree, dict):
        for key, value in tree.items():
            if key == "_errors":
                found.update(e["code"] for e in value)
            else:
                found |= error_codes(value)
    return found


def invalid(answer: Answer, code: str) -> None:
    status, body = answer
    assert status == 400, answer
    assert (body["code"], body["message"]) == (50035, "Invalid Form Body"), body
    assert code in error_codes(body.get("errors")), body


def messages_of(sb: Sandbox, channel: str = "general") -> str:
    return f"/channels/{sb.channel(channel).id}/messages"


def row(*children: dict[str, Any]) -> dict[str, Any]:
    return {"type": 1, "components": list(children)}


def button(custom_id: str = "ok", **extra: Any) -> dict[str, Any]:
    return {"type": 2, "style": 1, "label": "OK", "custom_id": custom_id, **extra}


# -- permissions -----------------------------------------------------------------------------


async def deny_bot(sb: Sandbox, channel: str, deny: int) -> None:
    await sb.set_permissions(channel, "Mentor Coach", deny=deny)
    await sb.set_permissions(channel, "@everyone", deny=deny)


async def test_send_messages_denied_by_an_overwrite_is_50013(sb: Sandbox) -> None:
    assert (await call(sb, "POST", messages_of(sb), {"content": "hi"}))[0] == 200
    await deny_bot(sb, "general", permissions.SEND_MESSAGES)
    status, body = await call(sb, "POST", messages_of(sb), {"content": "hi"})
    assert (status, body) == (403, {"message": "Missing Permissions", "code": 50013})
    # Discord lists the overwrite on the channel, so discord.py's permissions_for() sees it.
    status, channel = await call(sb, "GET", f"/channels/{sb.channel('general').id}")
    denied = [int(o["deny"]) for o in channel["permission_overwrites"]]
    assert denied == [permissions.SEND_MESSAGES] * 2


async def test_a_member_overwrite_allows_again(sb: Sandbox) -> None:
    await sb.set_permissions("general", "@everyone", deny=permissions.SEND_MESSAGES)
    await sb.set_permissions("general", "Mentor Coach", deny=permissions.SEND_MESSAGES)
    assert (await call(sb, "POST", messages_of(sb), {"content": "x"}))[0] == 403
    await sb.set_permissions("general", sb.bot_user_id, allow=permissions.SEND_MESSAGES)
    assert (await call(sb, "POST", messages_of(sb), {"content": "x"}))[0] == 200


async def test_view_channel_denied_is_missing_access(sb: Sandbox) -> None:
    await deny_bot(sb, "general", permissions.VIEW_CHANNEL)
    status, body = await call(sb, "POST", messages_of(sb), {"content": "hi"})
    assert (status, body["code"]) == (403, 50001)
    assert (await call(sb, "GET", messages_of(sb)))[1]["code"] == 50001


async def test_embeds_and_files_need_their_permissions(sb: Sandbox) -> None:
    await deny_bot(sb, "general", permissions.EMBED_LINKS | permissions.ATTACH_FILES)
    embed = {"embeds": [{"title": "Week 3"}]}
    assert await call(sb, "POST", messages_of(sb), embed) == (
        403,
        {"message": "Missing Permissions", "code": 50013},
    )
    status, body = await call(sb, "POST", messages_of(sb), {}, files={"a.csv": b"x"})
    assert (status, body["code"]) == (403, 50013)
    assert (await call(sb, "POST", messages_of(sb), {"content": "plain text"}))[0] == 200


async def test_threads_need_create_and_send_in_threads(sb: Sandbox) -> None:
    threads = f"/channels/{sb.channel('general').id}/threads"
    await deny_bot(sb, "general", permissions.CREATE_PRIVATE_THREADS)
    status, body = await call(sb, "POST", threads, {"name": "pair", "type": 12})
    assert (status, body["code"]) == (403, 50013)
    status, thread = await call(sb, "POST", threads, {"name": "pair", "type": 11})
    assert status == 201
    await deny_bot(sb, "general", permissions.SEND_MESSAGES_IN_THREADS)
    status, body = await call(sb, "POST", f"/channels/{thread['id']}/messages", {"content": "x"})
    assert (status, body["code"]) == (403, 50013)


async def test_a_thread_in_a_dm_is_50024(sb: Sandbox) -> None:
    dm = sb.dm_channel(sb.persona("sam"))
    status, body = await call(sb, "POST", f"/channels/{dm.id}/threads", {"name": "x", "type": 11})
    assert (status, body) == (
        400,
        {"message": "Cannot execute action on this channel type", "code": 50024},
    )


# -- DMs and members ---------------------------------------------------------------------------


async def test_a_dm_to_a_user_sharing_no_guild_is_50278(sb: Sandbox) -> None:
    stranger = sb.add_user("stranger", member=False)
    dm = sb.dm_channel(stranger)
    status, body = await call(sb, "POST", f"/channels/{dm.id}/messages", {"content": "hi"})
    assert (status, body["code"]) == (403, 50278)
    sam = sb.persona("sam")
    sb.close_dms(sam)
    status, body = await call(
        sb, "POST", f"/channels/{sb.dm_channel(sam).id}/messages", {"content": "hi"}
    )
    assert (status, body["code"]) == (403, 50007)


async def test_a_member_who_left_can_no_longer_be_sent_dms(sb: Sandbox) -> None:
    sam = sb.persona("sam")
    dm = f"/channels/{sb.dm_channel(sam).id}/messages"
    assert (await call(sb, "POST", dm, {"content": "hi"}))[0] == 200
    await sb.member_leaves(sam)
    assert sam.id not in sb.state.default_guild().members
    assert (await call(sb, "POST", dm, {"content": "hi"}))[1]["code"] == 50278


# -- uploads -------------------------------------------------------------------------------


async def test_uploads_over_10_mib_are_40005(sb: Sandbox) -> None:
    big = b"x" * (10 * 1024 * 1024 + 1)
    status, body = await call(sb, "POST", messages_of(sb), {}, files={"export.csv": big})
    assert (status, body) == (413, {"message": "Request entity too large", "code": 40005})
    exact = b"x" * (10 * 1024 * 1024)
    assert (await call(sb, "POST", messages_of(sb), {}, files={"export.csv": exact}))[0] == 200


async def test_eleven_files_are_refused_with_or_without_an_attachments_array(
    sb: Sandbox,
) -> None:
    files = {f"f{n}.txt": b"x" for n in range(11)}
    invalid(await call(sb, "POST", messages_of(sb), {}, files=files), "BASE_TYPE_MAX_LENGTH")
    listed = {"attachments": [{"id": n, "filename": f"f{n}.txt"} for n in range(11)]}
    invalid(await call(sb, "POST", messages_of(sb), listed, files=files), "BASE_TYPE_MAX_LENGTH")


# -- message bodies ------------------------------------------------------------------------


async def test_allowed_mentions_rules(sb: Sandbox) -> None:
    many = {"content": "x", "allowed_mentions": {"users": [str(n) for n in range(101)]}}
    invalid(await call(sb, "POST", messages_of(sb), many), "BASE_TYPE_MAX_LENGTH")
    both = {"content": "x", "allowed_mentions": {"parse": ["users"], "users": ["1"]}}
    invalid(
        await call(sb, "POST", messages_of(sb), both), "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE"
    )
    roles = {"content": "x", "allowed_mentions": {"parse": ["roles"], "roles": ["1"]}}
    invalid(
        await call(sb, "POST", messages_of(sb), roles), "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE"
    )


@pytest.mark.parametrize(
    ("url", "code"),
    [("not a url", "URL_TYPE_INVALID_URL"), ("ftp://example.com/x", "URL_TYPE_INVALID_SCHEME")],
)
async def test_link_button_urls_are_validated(sb: Sandbox, url: str, code: str) -> None:
    link = {"type": 2, "style": 5, "label": "Docs", "url": url}
    invalid(await call(sb, "POST", messages_of(sb), {"components": [row(link)]}), code)


async def test_select_cross_field_rules(sb: Sandbox) -> None:
    def select(**extra: Any) -> dict[str, Any]:
        options = [{"label": d, "value": d} for d in ("mon", "tue")]
        return {"components": [row({"type": 3, "custom_id": "d", "options": options, **extra})]}

    post = messages_of(sb)
    invalid(
        await call(sb, "POST", post, select(min_values=2, max_values=1)),
        "SELECT_COMPONENT_MIN_VALUES_GREATER_THAN_MAX",
    )
    invalid(
        await call(sb, "POST", post, select(max_values=3)),
        "SELECT_COMPONENT_MAX_VALUES_EXCEEDS_OPTIONS",
    )
    duplicated = {"type": 3, "custom_id": "d", "options": [{"label": "a", "value": "x"}] * 2}
    invalid(
        await call(sb, "POST", post, {"components": [row(duplicated)]}),
        "SELECT_COMPONENT_OPTION_VALUE_DUPLICATED",
    )


async def test_a_reply_to_an_unknown_message_is_refused(sb: Sandbox) -> None:
    reply = {"content": "re", "message_reference": {"message_id": "123456789"}}
    invalid(await call(sb, "POST", messages_of(sb), reply), "MESSAGE_REFERENCE_UNKNOWN_MESSAGE")
    lenient = {**reply, "message_reference": {"message_id": "1", "fail_if_not_exists": False}}
    assert (await call(sb, "POST", messages_of(sb), lenient))[0] == 200


# -- Components V2 ------------------------------------------------------------------------------

V2 = 1 << 15


def text(content: str = "Week 3") -> dict[str, Any]:
    return {"type": 10, "content": content}


async def test_components_v2_refuse_content_embeds_and_more_than_40(sb: Sandbox) -> None:
    post = messages_of(sb)
    assert (await call(sb, "POST", post, {"flags": V2, "components": [text()]}))[0] == 200
    code = "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2"
    invalid(
        await call(sb, "POST", post, {"flags": V2, "content": "x", "components": [text()]}), code
    )
    embeds = {"flags": V2, "embeds": [{"title": "x"}], "components": [text()]}
    invalid(await call(sb, "POST", post, embeds), code)
    top = {"flags": V2, "components": [text() for _ in range(41)]}
    invalid(await call(sb, "POST", post, top), "BASE_TYPE_MAX_LENGTH")
    nested = {"flags": V2, "components": [{"type": 17, "components": [text()] * 40}]}
    invalid(await call(sb, "POST", post, nested), "COMPONENT_MAX_TOTAL_COMPONENTS_EXCEEDED")


async def test_components_v2_tree_is_validated(sb: Sandbox) -> None:
    post = messages_of(sb)

    def v2(*components: dict[str, Any]) -> dict[str, Any]:
        return {"flags": V2, "components": list(components)}

    good = v2(
        {
            "type": 17,
            "components": [
                {"type": 9, "components": [text()], "accessory": button("more")},
                {"type": 14, "spacing": 1},
                row(button("ok")),
            ],
        }
    )
    assert (await call(sb, "POST", post, good))[0] == 200
    invalid(await call(sb, "POST", post, v2(text(""))), "BASE_TYPE_BAD_LENGTH")
    invalid(
        await call(
            sb, "POST", post, v2({"type": 9, "components": [text()] * 4, "accessory": button()})
        ),
        "BASE_TYPE_BAD_LENGTH",
    )
    invalid(
        await call(
            sb, "POST", post, v2({"type": 17, "components": [{"type": 17, "components": [text()]}]})
        ),
        "UNION_TYPE_CHOICES",
    )
    invalid(
        await call(sb, "POST", post, v2({"type": 9, "components": [text()]})), "BASE_TYPE_REQUIRED"
    )
    invalid(await call(sb, "POST", post, v2(button())), "UNION_TYPE_CHOICES")


async def test_components_v2_text_holds_4000_characters_in_all(sb: Sandbox) -> None:
    post = messages_of(sb)
    full = {"flags": V2, "components": [text("a" * 2000), text("b" * 2000)]}
    assert (await call(sb, "POST", post, full))[0] == 200
    section = {"type": 9, "components": [text("c")], "accessory": button("more")}
    over = {
        "flags": V2,
        "components": [
            text("a" * 2000),
            {"type": 17, "components": [text("b" * 1999), section]},
            text("d"),
        ],
    }
    invalid(await call(sb, "POST", post, over), "BASE_TYPE_MAX_LENGTH")


async def test_a_components_v2_message_stays_one_when_edited(sb: Sandbox) -> None:
    status, sent = await call(sb, "POST", messages_of(sb), {"flags": V2, "components": [text()]})
    assert status == 200
    edit = f"{messages_of(sb)}/{sent['id']}"
    code = "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2"
    invalid(await call(sb, "PATCH", edit, {"content": "Snoozed", "components": []}), code)
    invalid(await call(sb, "PATCH", edit, {"embeds": [{"title": "x"}]}), code)
    status, edited = await call(
        sb, "PATCH", edit, {"flags": V2, "components": [text("Week 3"), text("Snoozed")]}
    )
    assert status == 200
    assert [c["content"] for c in edited["components"]] == ["Week 3", "Snoozed"]


async def test_a_mention_in_a_components_v2_text_pings_as_in_content(sb: Sandbox) -> None:
    sam = sb.persona("sam")
    body = {
        "flags": V2,
        "components": [{"type": 17, "components": [text(f"{sam.mention} Week 3")]}],
        "allowed_mentions": {"users": [str(sam.id)]},
    }
    status, _sent = await call(sb, "POST", messages_of(sb), body)
    assert status == 200
    [message] = sb.channel("general").messages
    assert message.pinged_users == [sam.user]
    assert message.text == f"{sam.mention} Week 3"


# -- interaction callbacks: modals ----------------------------------------------------------


def pending_interaction(sb: Sandbox) -> InteractionRecord:
    """An interaction as the bot would receive it (not delivered: the test answers it)."""
    user = sb.persona("sam").user
    return sb.interactions.envelope(
        2, user, sb.state.find_channel("general"), {"name": "x"}, label="/x"
    )


async def answer_modal(sb: Sandbox, components: list[dict[str, Any]]) -> Answer:
    record = pending_interaction(sb)
    path = f"/interactions/{record.id}/{record.token}/callback"
    modal = {"title": "Notes", "custom_id": "m", "components": components}
    return await call(sb, "POST", path, {"type": 9, "data": modal}, auth=False)


def text_input(custom_id: str = "a", **extra: Any) -> dict[str, Any]:
    return row({"type": 4, "custom_id": custom_id, "label": "Text", "style": 1, **extra})


async def test_modal_rules(sb: Sandbox) -> None:
    assert (await answer_modal(sb, [text_input()]))[0] == 204
    invalid(await answer_modal(sb, [row(button())]), "UNION_TYPE_CHOICES")
    invalid(
        await answer_modal(sb, [text_input(min_length=10, max_length=5)]),
        "TEXT_INPUT_MIN_LENGTH_GREATER_THAN_MAX",
    )
    invalid(
        await answer_modal(sb, [text_input(max_length=3, value="four")]), "BASE_TYPE_MAX_LENGTH"
    )
    invalid(
        await answer_modal(sb, [text_input("same"), text_input("same")]),
        "COMPONENT_CUSTOM_ID_DUPLICATED",
    )


# -- command sync ------------------------------------------------------------------------------


async def sync(sb: Sandbox, commands: list[dict[str, Any]]) -> Answer:
    return await call(sb, "PUT", f"/applications/{sb.application_id}/commands", commands)


def command(name: str = "notes", **extra: Any) -> dict[str, Any]:
    return {"name": name, "description": "Notes", "type": 1, **extra}


def option(name: str, kind: int = 3, **extra: Any) -> dict[str, Any]:
    return {"name": name, "description": "An option", "type": kind, **extra}


async def test_localised_names_and_descriptions_follow_the_same_rules(sb: Sandbox) -> None:
    good = command(
        name_localizations={"fr": "carnet", "hi": "नोट्स", "th": "บันทึก"},
        description_localizations={"fr": "Vos notes"},
    )
    status, _ = await sync(sb, [good])
    assert status == 200
    invalid(
        await sync(sb, [command(name_localizations={"fr": "Carnet"})]),
        "APPLICATION_COMMAND_INVALID_NAME",
    )
    invalid(await sync(sb, [command(name_localizations={"xx": "carnet"})]), "LOCALE_INVALID")
    invalid(
        await sync(sb, [command(description_localizations={"fr": "x" * 101})]),
        "BASE_TYPE_BAD_LENGTH",
    )
    clash = command(options=[option("when", name_localizations={"fr": "quand"}), option("quand")])
    invalid(await sync(sb, [clash]), "APPLICATION_COMMAND_OPTION_NAME_ALREADY_EXISTS")
    assert [c["name"] for c in sb.commands()] == ["notes"]


async def test_devanagari_and_thai_command_names_are_accepted(sb: Sandbox) -> None:
    status, _ = await sync(sb, [command("नोट्स"), command("บันทึก")])
    assert status == 200
    menu = {"name": "Save as note", "type": 3, "name_localizations": {"fr": "Garder en note"}}
    assert (await sync(sb, [menu]))[0] == 200
    too_long = {**menu, "name_localizations": {"fr": "x" * 33}}
    invalid(await sync(sb, [too_long]), "APPLICATION_COMMAND_INVALID_NAME")


async def test_option_cross_field_rules(sb: Sandbox) -> None:
    wrong_choice = command(options=[option("weeks", 4, choices=[{"name": "one", "value": "1"}])])
    invalid(await sync(sb, [wrong_choice]), "NUMBER_TYPE_COERCE")
    bounds = command(options=[option("weeks", 4, min_value=10, max_value=2)])
    invalid(await sync(sb, [bounds]), "APPLICATION_COMMAND_OPTION_MIN_VALUE_GREATER_THAN_MAX")


async def test_ephemeral_messages_are_not_reachable_through_channel_routes(sb: Sandbox) -> None:
    record = pending_interaction(sb)
    path = f"/interactions/{record.id}/{record.token}/callback"
    answer = {"type": 4, "data": {"content": "only for you", "flags": 64}}
    assert (await call(sb, "POST", path, answer, auth=False))[0] == 204
    message_id = record.original_id
    assert message_id is not None
    one = f"{messages_of(sb)}/{message_id}"
    assert await call(sb, "GET", one) == (404, {"message": "Unknown Message", "code": 10008})
    assert (await call(sb, "PATCH", one, {"content": "x"}))[1]["code"] == 10008
    assert (await call(sb, "DELETE", one))[1]["code"] == 10008
    assert all(m["id"] != str(message_id) for m in (await call(sb, "GET", messages_of(sb)))[1])
