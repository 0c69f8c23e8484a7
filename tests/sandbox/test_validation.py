"""Discord's limits, checked directly on the validators (fast, no bot needed)."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.validation import (
    validate_choices,
    validate_commands,
    validate_message,
    validate_modal,
)


def command(name: str = "remind", **extra: Any) -> dict[str, Any]:
    return {"name": name, "description": "Plan a reminder", "type": 1, **extra}


def option(name: str, *, required: bool = False, **extra: Any) -> dict[str, Any]:
    return {"name": name, "description": "An option", "type": 3, "required": required, **extra}


def codes(tree: dict[str, Any]) -> set[str]:
    found: set[str] = set()
    for key, value in tree.items():
        if key == "_errors":
            found |= {e["code"] for e in value}
        elif isinstance(value, dict):
            found |= codes(value)
    return found


@pytest.mark.parametrize("name", ["remind", "fuseau-horaire", "t_z", "été", "日本語", "o'clock"])
def test_valid_command_names(name: str) -> None:
    assert not validate_commands([command(name)])


@pytest.mark.parametrize("name", ["Remind", "two words", "", "x" * 33, "emoji🙂", "dot."])
def test_invalid_command_names(name: str) -> None:
    assert "APPLICATION_COMMAND_INVALID_NAME" in codes(validate_commands([command(name)]).tree)


def test_context_menu_names_may_have_capitals_and_spaces() -> None:
    assert not validate_commands([{"name": "Mark as mentor", "type": 2, "description": ""}])


def test_command_shape_limits() -> None:
    too_many_options = command(options=[option(f"o{n}") for n in range(26)])
    optional_first = command(options=[option("a"), option("b", required=True)])
    long_description = command(description="x" * 101)
    many_choices = command(
        options=[option("c", choices=[{"name": str(n), "value": str(n)} for n in range(26)])]
    )
    huge = command(
        options=[
            option(
                f"o{n}",
                description="d" * 100,
                choices=[{"name": "n" * 100, "value": "v" * 100}] * 20,
            )
            for n in range(5)
        ]
    )
    for bad, code in [
        (too_many_options, "BASE_TYPE_MAX_LENGTH"),
        (optional_first, "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID"),
        (long_description, "BASE_TYPE_BAD_LENGTH"),
        (many_choices, "BASE_TYPE_MAX_LENGTH"),
        (huge, "APPLICATION_COMMAND_TOO_LARGE"),
    ]:
        assert code in codes(validate_commands([bad]).tree), code


def test_command_counts_per_scope() -> None:
    slash = [command(f"c{n}") for n in range(101)]
    users = [{"name": f"U{n}", "type": 2} for n in range(16)]
    assert "APPLICATION_COMMANDS_TOO_MANY" in codes(validate_commands(slash).tree)
    assert "APPLICATION_COMMANDS_TOO_MANY" in codes(validate_commands(users).tree)
    assert not validate_commands(slash[:100] + users[:15])


def button(label: str = "OK", **extra: Any) -> dict[str, Any]:
    return {"type": 2, "style": 1, "label": label, "custom_id": f"id-{label}", **extra}


def row(*children: dict[str, Any]) -> dict[str, Any]:
    return {"type": 1, "components": list(children)}


def test_message_limits() -> None:
    assert not validate_message({"content": "x" * 2000})
    assert "BASE_TYPE_MAX_LENGTH" in codes(validate_message({"content": "x" * 2001}).tree)
    embed = {
        "title": "t" * 256,
        "description": "d" * 4096,
        "fields": [{"name": "n", "value": "v" * 1024}] * 2,
    }
    assert "MAX_EMBED_SIZE_EXCEEDED" in codes(validate_message({"embeds": [embed]}).tree)
    assert "BASE_TYPE_MAX_LENGTH" in codes(validate_message({"embeds": [{"title": "t"}] * 11}).tree)
    fields = {"fields": [{"name": "n", "value": "v"}] * 26}
    assert "BASE_TYPE_MAX_LENGTH" in codes(validate_message({"embeds": [fields]}).tree)
    footer = {"footer": {"text": "f" * 2049}, "author": {"name": "a" * 257}}
    assert len(validate_message({"embeds": [footer]}).tree["embeds"]["0"]) == 2


def test_component_limits() -> None:
    six_rows = [row(button(str(n))) for n in range(6)]
    assert "BASE_TYPE_MAX_LENGTH" in codes(validate_message({"components": six_rows}).tree)
    six_buttons = [row(*(button(str(n)) for n in range(6)))]
    assert "BASE_TYPE_BAD_LENGTH" in codes(validate_message({"components": six_buttons}).tree)
    long_label = [row(button("x" * 81))]
    assert validate_message({"components": long_label})
    link_with_id = [
        row({"type": 2, "style": 5, "label": "Docs", "url": "https://x", "custom_id": "a"})
    ]
    assert validate_message({"components": link_with_id})
    link_without_url = [row({"type": 2, "style": 5, "label": "Docs"})]
    assert validate_message({"components": link_without_url})
    no_id = [row({"type": 2, "style": 1, "label": "Go"})]
    assert validate_message({"components": no_id})
    duplicate = [row(button("a"), button("a"))]
    assert "COMPONENT_CUSTOM_ID_DUPLICATED" in codes(
        validate_message({"components": duplicate}).tree
    )
    options = [{"label": str(n), "value": str(n)} for n in range(26)]
    select = [row({"type": 3, "custom_id": "s", "options": options})]
    assert validate_message({"components": select})
    empty_select = [row({"type": 3, "custom_id": "s", "options": []})]
    assert validate_message({"components": empty_select})
    assert not validate_message({"components": [row(button("a"), button("b"))]})


def text_input(custom_id: str = "body", **extra: Any) -> dict[str, Any]:
    return {"type": 4, "custom_id": custom_id, "style": 1, "label": "Body", **extra}


def test_modal_limits() -> None:
    good = {"title": "Feedback", "custom_id": "m", "components": [row(text_input())]}
    assert not validate_modal(good)
    assert validate_modal({**good, "title": "t" * 46})
    assert validate_modal({**good, "components": []})
    assert validate_modal({**good, "components": [row(text_input(str(n))) for n in range(6)]})
    assert validate_modal({**good, "components": [row(text_input(label="l" * 46))]})
    assert validate_modal({**good, "components": [row(text_input(max_length=4001))]})
    assert validate_modal({**good, "components": [row(text_input(value="v" * 4001))]})
    assert validate_modal({**good, "custom_id": ""})
    labelled = {"type": 18, "label": "Body", "component": {"type": 4, "custom_id": "b", "style": 2}}
    assert not validate_modal({**good, "components": [labelled]})


def test_modal_radio_groups_live_in_a_label_with_2_to_10_options() -> None:
    def radio(*values: str, default: tuple[str, ...] = ()) -> dict[str, Any]:
        options = [{"label": v.title(), "value": v, "default": v in default} for v in values]
        return {"type": 21, "custom_id": "outcome", "options": options}

    def modal(component: dict[str, Any]) -> dict[str, Any]:
        return {"title": "Record", "custom_id": "m", "components": [component]}

    def labelled(group: dict[str, Any]) -> dict[str, Any]:
        return {"type": 18, "label": "How did it go?", "component": group}

    assert not validate_modal(modal(labelled(radio("held", "no_show", default=("held",)))))
    assert validate_modal(modal(labelled(radio("held"))))
    assert validate_modal(modal(labelled(radio(*(f"o{n}" for n in range(11))))))
    assert validate_modal(modal(labelled(radio("held", "held"))))
    assert validate_modal(modal(labelled(radio("a", "b", default=("a", "b")))))
    long_label = radio("a", "b")
    long_label["options"][0]["label"] = "l" * 101
    assert validate_modal(modal(labelled(long_label)))
    assert validate_modal(modal(row(radio("a", "b"))))  # outside a Label: refused


def test_autocomplete_limits() -> None:
    assert not validate_choices({"choices": [{"name": "a", "value": "a"}] * 25})
    assert validate_choices({"choices": [{"name": "a", "value": "a"}] * 26})
    assert validate_choices({"choices": [{"name": "n" * 101, "value": "a"}]})
    assert validate_choices({"choices": [{"name": "a", "value": "v" * 101}]})


def test_localised_option_names_follow_discords_rules() -> None:
    fine = command(
        options=[
            option("student", name_localizations={"fr": "étudiant"}),
            option("topic", name_localizations={"fr": "situation"}),
        ]
    )
    assert not validate_commands([fine])
    for bad, code in [
        (
            command(options=[option("student", name_localizations={"fr": "Étudiant"})]),
            "APPLICATION_COMMAND_INVALID_NAME",
        ),
        (
            command(options=[option("student", name_localizations={"fr": "point de départ"})]),
            "APPLICATION_COMMAND_INVALID_NAME",
        ),
        (
            command(options=[option("student", name_localizations={"french": "eleve"})]),
            "LOCALE_INVALID",
        ),
        (
            command(
                options=[
                    option("student", name_localizations={"fr": "élève"}),
                    option("pupil", name_localizations={"fr": "élève"}),
                ]
            ),
            "APPLICATION_COMMAND_OPTION_NAME_ALREADY_EXISTS",
        ),
        (
            command(
                options=[
                    option(
                        "c",
                        choices=[
                            {"name": "a", "value": "a", "name_localizations": {"fr": "x" * 101}}
                        ],
                    )
                ]
            ),
            "BASE_TYPE_BAD_LENGTH",
        ),
    ]:
        assert code in codes(validate_commands([bad]).tree), code
