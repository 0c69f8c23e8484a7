"""The spec check's marked ``oneOf`` gives the draft's verdict on every body, only faster."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest
from jsonschema import Draft202012Validator, validators

from sandbox.spec import SpecChecker, SpecValidator, locate_spec, stringify_snowflakes

ROUTE = "/channels/{channel_id}/messages"
IS_COMPONENTS_V2 = 1 << 15
REMOVE = object()


def message() -> dict[str, Any]:
    """Return a Components V2 message with every kind of component the bot sends.

    A container of a heading, a separator, a section with a button accessory and a row of
    buttons.
    """
    button = {"type": 2, "style": 1, "label": "Open", "custom_id": "rem:prep:1"}
    return {
        "flags": IS_COMPONENTS_V2,
        "components": [
            {
                "type": 17,
                "accent_color": 15844367,
                "components": [
                    {"type": 10, "content": "## Your week"},
                    {"type": 14, "divider": True, "spacing": 1},
                    {
                        "type": 9,
                        "components": [{"type": 10, "content": "a session"}],
                        "accessory": dict(button),
                    },
                    {"type": 1, "components": [dict(button, custom_id="rem:snooze:1")]},
                ],
            }
        ],
    }


def edited(body: Any, path: tuple[Any, ...], key: str, value: Any = REMOVE) -> Any:
    """Return a copy of ``body``, ``key`` of the node at ``path`` set to ``value`` or removed."""
    changed = copy.deepcopy(body)
    node = changed
    for step in path:
        node = node[step]
    if value is REMOVE:
        del node[key]
    else:
        node[key] = value
    return changed


def variants(body: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Yield ``(where, body)`` for each mutation of one place of ``body``.

    Another component type or button style (allowed or not, of another JSON type), a key
    removed, an empty content.
    """
    node: Any = body
    for step in path:
        node = node[step]
    children = node.items() if isinstance(node, dict) else enumerate(node)
    for key, value in list(children):
        if isinstance(value, dict | list):
            yield from variants(body, (*path, key))
            continue
        if key in ("type", "style"):
            for other in [*range(20), "2", True, None, 2.0]:
                yield (*path, key, other), edited(body, path, key, other)
        if key == "content":
            yield (*path, key, ""), edited(body, path, key, "")
        if isinstance(node, dict):
            yield (*path, "-", key), edited(body, path, key)


@pytest.fixture(scope="module")
def spec() -> Any:
    path = locate_spec()
    if path is None:
        pytest.skip("Discord OpenAPI spec not found: the marked oneOf is NOT compared")
    return path


def test_marked_one_of_gives_the_drafts_verdict_on_every_variant(spec: Any) -> None:
    with spec.open(encoding="utf-8") as handle:
        document = json.load(handle)  # unmarked: a copy of its own
    operation = document["paths"][ROUTE]["post"]["requestBody"]["content"]["application/json"]
    draft = validators.extend(Draft202012Validator, {"type": SpecValidator.VALIDATORS["type"]})(
        {**operation["schema"], "components": document["components"]}
    )
    checker = SpecChecker(spec)
    verdicts = {True: 0, False: 0}
    for where, body in variants(message()):
        expected = draft.is_valid(stringify_snowflakes(body))
        assert (not checker.check("POST", ROUTE, body)) is expected, where
        verdicts[expected] += 1
    assert verdicts[True] > 10  # the variants include allowed ones (other styles, 2.0) ...
    assert verdicts[False] > 100  # ... and many refused


def test_a_refused_component_names_the_field_at_fault(spec: Any) -> None:
    body = message()
    body["components"][0]["components"][2]["accessory"]["style"] = 9
    [(path, text)] = SpecChecker(spec).check("POST", ROUTE, body)
    assert path == ["components", "0", "components", "2", "accessory", "style"]
    assert "9" in text
