"""Every option of every command, with whatever a person can type: never an internal error.

The command tree is walked as Discord's client sees it (what the bot synced to the sandbox);
hypothesis draws a value for each option from its type and limits (free text where the
client lets people type, including odd digits, lone surrogates, markdown and long texts),
runs the command as a mentor, a student or a moderator, fills any form it opens the same way,
and asks every autocomplete. Each must end in a real, private answer that is not "Something
went wrong".
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.driver import Persona
from sandbox.views import Reply
from tests.e2e.conftest import World

# The sweep checks what each input is answered, which Discord's latency does not change; at
# ~0.2 s a request its thousands of interactions would take many minutes in the latency pass.
pytestmark = pytest.mark.skipif(
    bool(os.environ.get("SANDBOX_LATENCY")),
    reason="the input sweep runs in the main pass (`make test`), not the latency pass",
)

Json = dict[str, Any]
UNEXPECTED = "Something went wrong"
SUBCOMMAND, GROUP = 1, 2
STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = (
    3,
    4,
    5,
    6,
    7,
    8,
    9,
    10,
    11,
)
TRICKY = [
    "",
    " ",
    "²",
    "①",
    "٣",
    "99999999999999999999",
    "-1",
    "0",
    "#0",
    "America",
    "localtime",
    "posix/Europe/Paris",
    "Sam",
    "@everyone",
    "<@&1>",
    "'; DROP TABLE notes; --",
    "**bold** `code`",
    "half \ud83c surrogate",
    "\x00",
    "3 days",
    "tomorrow 18:00",
    "Europe/Paris",
    "48h, 1h",
    "x" * 100,
]
ODD_TEXT = st.one_of(
    st.sampled_from(TRICKY),
    st.text(
        alphabet=st.characters(codec=None, exclude_categories=()),
        max_size=120,
    ),
)


def leaf_commands(commands: list[Json]) -> Iterator[tuple[str, list[Json], bool]]:
    """Yield each slash command's path ("note add"), options, and whether it needs permissions."""
    for command in commands:
        if command.get("type", 1) != 1:
            continue
        gated = bool(command.get("default_member_permissions"))
        options = command.get("options") or []
        nested = [o for o in options if o["type"] in (SUBCOMMAND, GROUP)]
        if not nested:
            yield command["name"], options, gated
        for sub in nested:
            if sub["type"] == SUBCOMMAND:
                yield f"{command['name']} {sub['name']}", sub.get("options") or [], gated
                continue
            for leaf in sub.get("options") or []:
                path = f"{command['name']} {sub['name']} {leaf['name']}"
                yield path, leaf.get("options") or [], gated


def text_within(option: Json) -> st.SearchStrategy[str]:
    low = max(1, int(option.get("min_length", 0)))
    high = int(option.get("max_length", 6000))
    return ODD_TEXT.filter(lambda text: low <= len(text) <= high) | st.text(
        min_size=low, max_size=min(high, 40)
    )


def value_for(option: Json, world: World) -> st.SearchStrategy[Any]:
    """A value a person can give this option in Discord's client."""
    kind = option["type"]
    if option.get("choices"):
        return st.sampled_from([choice["value"] for choice in option["choices"]])
    if kind == STRING:
        return text_within(option)
    if kind == INTEGER:
        low = int(option.get("min_value", -(2**53)))
        high = int(option.get("max_value", 2**53))
        return st.one_of(st.sampled_from([low, high]), st.integers(low, high))
    if kind == NUMBER:
        return st.floats(
            float(option.get("min_value", -1e15)),
            float(option.get("max_value", 1e15)),
            allow_nan=False,
        )
    if kind == BOOLEAN:
        return st.booleans()
    if kind in (USER, MENTIONABLE):
        return st.sampled_from(["sam", "sofia", "mara", "olga", "morgan"]).map(world.sb.persona)
    if kind == CHANNEL:
        return st.sampled_from(["general", "reminders", "mod-log"])
    if kind == ROLE:
        return st.sampled_from(["Mentor", "Student", "Moderator"])
    if kind == ATTACHMENT:
        return st.tuples(
            st.sampled_from(["entry.toml", "entry.txt", "x.TOML"]),
            st.one_of(
                st.binary(max_size=300),
                text_within({}).map(lambda t: t.encode("utf-8", "surrogatepass")),
            ),
        )
    raise AssertionError(f"option type {kind} has no strategy: add one")


def no_internal_error(reply: Reply, what: object) -> None:
    texts = [reply.content, *(f.content for f in reply.followups)]
    assert not any(UNEXPECTED in text for text in texts), (what, texts)


async def fill_form(persona: Persona, reply: Reply, draw: st.DrawFn, what: object) -> None:
    """Submit a form the command opened, each field drawn within its limits."""
    assert reply.modal is not None
    values: dict[str, str] = {}
    for field in reply.modal.get("fields") or []:
        limits = {
            "min_length": field.get("min_length", 0),
            "max_length": field.get("max_length", 4000),
        }
        if field.get("required", True):
            limits["min_length"] = max(1, int(limits["min_length"]))
        values[str(field["custom_id"])] = draw(text_within(limits))
    submitted = await persona.submit_modal(reply, values)
    no_internal_error(submitted, (what, "form", values))


async def set_the_scene(world: World) -> None:
    mara = world.mara
    await mara.slash("timezone set", zone="Europe/Paris")
    await mara.slash("student add", member=world.sam, project="P2", session_length=30)
    await mara.slash("session schedule", student="Sam", when="tomorrow 18:00")
    form = await mara.slash("note add", student="Sam")
    await mara.submit_modal(form, {"Title": "Goals", "Note": "First steps"})


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_every_option_of_every_command_is_answered_without_an_internal_error(
    world: World, data: st.DataObject
) -> None:
    if await world.db.fetch_one("SELECT id FROM notes") is None:
        await set_the_scene(world)
    commands = sorted(leaf_commands(world.sb.commands()), key=lambda item: item[0])
    path, options, permissions = data.draw(st.sampled_from(commands), label="command")
    people = ["morgan"] if permissions else ["mara", "sam", "morgan"]
    persona = world.sb.persona(data.draw(st.sampled_from(people), "who"))
    values: dict[str, Any] = {}
    for option in options:
        if option.get("required") or data.draw(st.booleans(), f"give {option['name']}"):
            values[option["name"]] = data.draw(value_for(option, world), option["name"])
    what = (persona.name, path, values)
    for option in options:
        if option.get("autocomplete"):
            typed = data.draw(text_within(option), f"typing {option['name']}")
            others = {k: v for k, v in values.items() if k != option["name"]}
            choices = await persona.autocomplete(path, option["name"], typed, **others)
            assert isinstance(choices, list), what
    reply = await persona.slash(path, **values)
    if reply.modal is not None:
        await fill_form(persona, reply, data.draw, what)
    else:
        no_internal_error(reply, what)
    world.sb.take_unexpected_errors()


ODDEST = ["²", "①", "٣", "99999999999999999999", "America", "posix/Europe/Paris", "\x00"]
ODDEST += ["half \ud83c surrogate", "@everyone", "-1", " ", "x" * 100]


def filler(option: Json, session_id: int, note_id: int) -> Any:
    """A valid value for an option the sweep does not vary."""
    if option.get("choices"):
        return option["choices"][0]["value"]
    by_name: dict[str, Any] = {
        "member": "olga",
        "project": "P3",
        "session_length": 30,
        "student": "Sam",
        "when": "tomorrow 19:00",
        "session": str(session_id),
        "note": str(note_id),
        "template": "deliverable_review",
        "zone": "Europe/Paris",
        "query": "goals",
    }
    if option["name"] in by_name:
        return by_name[option["name"]]
    return "olga" if option["type"] in (USER, MENTIONABLE) else "x"


async def test_every_text_option_of_every_command_takes_the_oddest_inputs(world: World) -> None:
    await set_the_scene(world)
    session = await world.db.fetch_one("SELECT id FROM sessions")
    note = await world.db.fetch_one("SELECT id FROM notes")
    assert session is not None
    assert note is not None
    tried = 0
    for path, options, gated in leaf_commands(world.sb.commands()):
        persona = world.morgan if gated else world.mara
        required = {
            o["name"]: filler(o, session["id"], note["id"]) for o in options if o.get("required")
        }
        for option in options:
            if option["type"] != STRING or option.get("choices"):
                continue
            high = int(option.get("max_length", 6000))
            for odd in ODDEST:
                if not max(1, int(option.get("min_length", 0))) <= len(odd) <= high:
                    continue
                values = {**required, option["name"]: odd}
                what = (path, option["name"], odd)
                if option.get("autocomplete"):
                    others = {k: v for k, v in required.items() if k != option["name"]}
                    assert isinstance(
                        await persona.autocomplete(path, option["name"], odd, **others), list
                    )
                reply = await persona.slash(path, **values)
                tried += 1
                if reply.modal is None:
                    no_internal_error(reply, what)
                    continue
                fields = reply.modal.get("fields") or []
                typed = {str(f["custom_id"]): odd[: f.get("max_length", 4000)] for f in fields}
                no_internal_error(await persona.submit_modal(reply, typed), (what, "form"))
    assert tried > 300  # the whole tree was walked
    world.sb.take_unexpected_errors()
