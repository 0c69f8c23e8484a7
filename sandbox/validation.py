"""Discord's documented limits, reported in its nested ``errors`` shape."""

from __future__ import annotations

from typing import Any

from sandbox import localisation, message_rules
from sandbox.models import Json

Path = tuple[str | int, ...]

CHAT_INPUT, USER_COMMAND, MESSAGE_COMMAND = 1, 2, 3
SUB_COMMAND, SUB_COMMAND_GROUP = 1, 2
COMPONENTS_V2 = 1 << 15
SELECT_TYPES = (3, 5, 6, 7, 8)


class Errors:
    """Collect field errors into Discord's nested ``{"a": {"0": {"_errors": [...]}}}``."""

    def __init__(self, prefix: Path = ()) -> None:
        self.tree: Json = {}
        self.prefix = prefix

    def add(self, path: Path, code: str, message: str) -> None:
        """Record one error at ``path`` (below the prefix)."""
        node = self.tree
        for part in (*self.prefix, *path):
            node = node.setdefault(str(part), {})
        node.setdefault("_errors", []).append({"code": code, "message": message})

    def __bool__(self) -> bool:
        return bool(self.tree)

    def length(self, path: Path, value: Any, low: int, high: int) -> None:
        """Check that a string's (or list's) length lies in ``[low, high]``."""
        if value is None:
            if low > 0:
                self.add(path, "BASE_TYPE_REQUIRED", "This field is required")
            return
        if not isinstance(value, str | list):
            self.add(path, "BASE_TYPE_STRING", "Value must be a string.")
            return
        size = len(value)
        if low <= size <= high:
            return
        if low == 0:
            self.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {high} or fewer in length.")
        else:
            self.add(path, "BASE_TYPE_BAD_LENGTH", f"Must be between {low} and {high} in length.")


_valid_command_name = localisation.valid_command_name


def _text_size(command: Json) -> int:
    """Count the characters Discord sums for its 8000-per-command limit."""
    total = len(str(command.get("name", ""))) + len(str(command.get("description", "")))
    for key in ("name_localizations", "description_localizations"):
        values = command.get(key) or {}
        total += max((len(str(v)) for v in values.values()), default=0)
    for option in command.get("options") or []:
        total += _text_size(option)
        for choice in option.get("choices") or []:
            total += len(str(choice.get("name", ""))) + len(str(choice.get("value", "")))
    return total


STRING, INTEGER, NUMBER = 3, 4, 10


def _check_choice_type(errors: Errors, path: Path, kind: int, value: Any) -> None:
    """Check a choice's value has its option's type.

    str for STRING, int for INTEGER, number for NUMBER.
    """
    if kind == STRING:
        good = isinstance(value, str)
        code, text = "BASE_TYPE_STRING", "Value must be a string."
    elif kind == INTEGER:
        good = isinstance(value, int) and not isinstance(value, bool)
        code, text = "NUMBER_TYPE_COERCE", f'Value "{value}" is not int.'
    elif kind == NUMBER:
        good = isinstance(value, int | float) and not isinstance(value, bool)
        code, text = "NUMBER_TYPE_COERCE", f'Value "{value}" is not a number.'
    else:
        good, code, text = False, "APPLICATION_COMMAND_OPTION_CHOICES_TYPE", "No choices here"
    if not good:
        errors.add(path, code, text)


def _check_option(errors: Errors, path: Path, option: Json, depth: int) -> None:
    if not _valid_command_name(option.get("name"), lowercase=True):
        errors.add((*path, "name"), "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
    errors.length((*path, "description"), option.get("description"), 1, 100)
    localisation.check_command_texts(errors, path, option, chat_input=True)
    kind = option.get("type")
    if not isinstance(kind, int) or not 1 <= kind <= 11:
        errors.add((*path, "type"), "BASE_TYPE_CHOICES", f"Value must be one of 1-11, not {kind}.")
        return
    choices = option.get("choices") or []
    if len(choices) > 25:
        errors.add((*path, "choices"), "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    if choices and option.get("autocomplete"):
        errors.add(
            (*path, "autocomplete"),
            "APPLICATION_COMMAND_OPTION_CHOICES_AUTOCOMPLETE",
            "Autocomplete cannot be set with choices",
        )
    for index, choice in enumerate(choices):
        choice_path: Path = (*path, "choices", index)
        errors.length((*choice_path, "name"), choice.get("name"), 1, 100)
        localisation.check_localised(
            errors, choice_path, "name", choice.get("name_localizations"), 1, 100, name=False
        )
        value = choice.get("value")
        if isinstance(value, str):
            errors.length((*choice_path, "value"), value, 1, 100)
        _check_choice_type(errors, (*choice_path, "value"), kind, value)
    low, high = option.get("min_value"), option.get("max_value")
    if isinstance(low, int | float) and isinstance(high, int | float) and low > high:
        errors.add(
            (*path, "min_value"),
            "APPLICATION_COMMAND_OPTION_MIN_VALUE_GREATER_THAN_MAX",
            "min_value cannot be greater than max_value",
        )
    low, high = option.get("min_length"), option.get("max_length")
    if isinstance(low, int) and isinstance(high, int) and low > high:
        errors.add(
            (*path, "min_length"),
            "APPLICATION_COMMAND_OPTION_MIN_LENGTH_GREATER_THAN_MAX",
            "min_length cannot be greater than max_length",
        )
    if kind in (SUB_COMMAND, SUB_COMMAND_GROUP):
        if kind == SUB_COMMAND_GROUP and depth > 0:
            errors.add((*path, "type"), "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID", "Bad nesting")
        _check_options(errors, path, option.get("options") or [], depth + 1)


def _check_options(errors: Errors, path: Path, options: list[Json], depth: int) -> None:
    if len(options) > 25:
        errors.add((*path, "options"), "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    localisation.check_distinct_names(errors, path, options)
    seen_optional = False
    names: set[str] = set()
    localized: dict[str, set[str]] = {}
    for index, option in enumerate(options):
        _check_option(errors, (*path, "options", index), option, depth)
        name = str(option.get("name"))
        if name in names:
            errors.add(
                (*path, "options", index, "name"),
                "APPLICATION_COMMAND_OPTION_NAME_ALREADY_EXISTS",
                "Option name already exists",
            )
        names.add(name)
        for locale, text in (option.get("name_localizations") or {}).items():
            if text in localized.setdefault(locale, set()):
                errors.add(
                    (*path, "options", index, "name_localizations", locale),
                    "APPLICATION_COMMAND_OPTION_NAME_ALREADY_EXISTS",
                    "Option name already exists",
                )
            localized[locale].add(text)
        if option.get("type") in (SUB_COMMAND, SUB_COMMAND_GROUP):
            continue
        if option.get("required"):
            if seen_optional:
                errors.add(
                    (*path, "options", index, "required"),
                    "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                    "Required options must be placed before non-required options",
                )
        else:
            seen_optional = True


def validate_commands(commands: Any) -> Errors:
    """Check a bulk-overwrite list of application commands."""
    errors = Errors()
    if not isinstance(commands, list):
        errors.add((), "BASE_TYPE_ARRAY", "Value must be an array.")
        return errors
    counts = {CHAT_INPUT: 0, USER_COMMAND: 0, MESSAGE_COMMAND: 0}
    seen: set[tuple[int, str]] = set()
    for index, command in enumerate(commands):
        kind = command.get("type", CHAT_INPUT)
        counts[kind] = counts.get(kind, 0) + 1
        name = command.get("name")
        if not _valid_command_name(name, lowercase=kind == CHAT_INPUT) and not (
            kind != CHAT_INPUT and isinstance(name, str) and 1 <= len(name) <= 32
        ):
            errors.add(
                (index, "name"), "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid"
            )
        if (kind, str(name)) in seen:
            errors.add(
                (index, "name"),
                "APPLICATION_COMMAND_ALREADY_EXISTS",
                "Application command names must be unique",
            )
        seen.add((kind, str(name)))
        localisation.check_command_texts(errors, (index,), command, chat_input=kind == CHAT_INPUT)
        if kind == CHAT_INPUT:
            errors.length((index, "description"), command.get("description"), 1, 100)
            _check_options(errors, (index,), command.get("options") or [], 0)
        elif command.get("description"):
            errors.add(
                (index, "description"), "BASE_TYPE_MAX_LENGTH", "Must be 0 or fewer in length."
            )
        if _text_size(command) > 8000:
            errors.add(
                (index,), "APPLICATION_COMMAND_TOO_LARGE", "Command exceeds maximum size (8000)"
            )
    for kind, limit in ((CHAT_INPUT, 100), (USER_COMMAND, 15), (MESSAGE_COMMAND, 15)):
        if counts.get(kind, 0) > limit:
            errors.add(
                (),
                "APPLICATION_COMMANDS_TOO_MANY",
                f"Maximum number of application commands of type {kind} reached ({limit})",
            )
    return errors


def check_embeds(errors: Errors, embeds: Any) -> None:
    """Check embed counts, field lengths and the 6000-character total."""
    if embeds is None:
        return
    if not isinstance(embeds, list):
        errors.add(("embeds",), "BASE_TYPE_ARRAY", "Value must be an array.")
        return
    if len(embeds) > 10:
        errors.add(("embeds",), "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
    total = 0
    for index, embed in enumerate(embeds):
        path: Path = ("embeds", index)
        for key, limit in (("title", 256), ("description", 4096)):
            if embed.get(key) is not None:
                errors.length((*path, key), embed[key], 0, limit)
                total += len(str(embed[key]))
        footer = embed.get("footer") or {}
        if footer.get("text") is not None:
            errors.length((*path, "footer", "text"), footer["text"], 0, 2048)
            total += len(str(footer["text"]))
        author = embed.get("author") or {}
        if author.get("name") is not None:
            errors.length((*path, "author", "name"), author["name"], 0, 256)
            total += len(str(author["name"]))
        fields = embed.get("fields") or []
        if len(fields) > 25:
            errors.add((*path, "fields"), "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
        for number, field in enumerate(fields):
            errors.length((*path, "fields", number, "name"), field.get("name"), 1, 256)
            errors.length((*path, "fields", number, "value"), field.get("value"), 1, 1024)
            total += len(str(field.get("name") or "")) + len(str(field.get("value") or ""))
    if total > 6000:
        errors.add(
            ("embeds",), "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000"
        )


def _check_button(errors: Errors, path: Path, button: Json) -> None:
    style = button.get("style")
    if button.get("label") is not None:
        errors.length((*path, "label"), button["label"], 0, 80)
    if style == 5:
        if not button.get("url"):
            errors.add((*path, "url"), "BASE_TYPE_REQUIRED", "This field is required")
        message_rules.check_url(errors, (*path, "url"), button.get("url"))
        if button.get("custom_id") is not None:
            errors.add(
                (*path, "custom_id"),
                "BUTTON_COMPONENT_URL_CUSTOM_ID",
                "A link button cannot have a custom_id",
            )
    elif style == 6:
        if not button.get("sku_id"):
            errors.add((*path, "sku_id"), "BASE_TYPE_REQUIRED", "This field is required")
    elif style in (1, 2, 3, 4):
        errors.length((*path, "custom_id"), button.get("custom_id"), 1, 100)
        if button.get("url") is not None:
            errors.add(
                (*path, "url"), "BUTTON_COMPONENT_CUSTOM_ID_URL", "Only link buttons have a url"
            )
    else:
        errors.add(
            (*path, "style"), "BASE_TYPE_CHOICES", f"Value must be one of (1-6), not {style}."
        )
    if style != 6 and not button.get("label") and not button.get("emoji"):
        errors.add(
            (*path, "label"), "BUTTON_COMPONENT_LABEL_OR_EMOJI", "A label or an emoji is required"
        )


def _check_select(errors: Errors, path: Path, select: Json) -> None:
    errors.length((*path, "custom_id"), select.get("custom_id"), 1, 100)
    if select.get("placeholder") is not None:
        errors.length((*path, "placeholder"), select["placeholder"], 0, 150)
    low, high = select.get("min_values", 1), select.get("max_values", 1)
    if not 0 <= low <= 25:
        errors.add((*path, "min_values"), "NUMBER_TYPE_MAX", "int value should be <= 25 and >= 0.")
    if not 1 <= high <= 25:
        errors.add((*path, "max_values"), "NUMBER_TYPE_MAX", "int value should be <= 25 and >= 1.")
    if isinstance(low, int) and isinstance(high, int) and low > high:
        errors.add(
            (*path, "min_values"),
            "SELECT_COMPONENT_MIN_VALUES_GREATER_THAN_MAX",
            "min_values cannot be greater than max_values",
        )
    if select.get("type") == 3:
        options = select.get("options") or []
        errors.length((*path, "options"), options, 1, 25)
        if isinstance(high, int) and options and high > len(options):
            errors.add(
                (*path, "max_values"),
                "SELECT_COMPONENT_MAX_VALUES_EXCEEDS_OPTIONS",
                f"max_values must be less than or equal to the number of options ({len(options)})",
            )
        values = [str(o.get("value")) for o in options]
        if len(values) != len(set(values)):
            errors.add(
                (*path, "options"),
                "SELECT_COMPONENT_OPTION_VALUE_DUPLICATED",
                "Select component option values must be unique",
            )
        for index, option in enumerate(options):
            errors.length((*path, "options", index, "label"), option.get("label"), 1, 100)
            errors.length((*path, "options", index, "value"), option.get("value"), 1, 100)
            if option.get("description") is not None:
                errors.length(
                    (*path, "options", index, "description"), option["description"], 0, 100
                )


RADIO_GROUP = 21
LABEL_ONLY_TYPES = (19, 21, 22, 23)
"""Modal inputs Discord takes only inside a Label: file upload, radio, checkbox group, checkbox."""


def _check_radio_group(errors: Errors, path: Path, group: Json) -> None:
    """Check a modal radio group: 2 to 10 options, at most one of them the default."""
    errors.length((*path, "custom_id"), group.get("custom_id"), 1, 100)
    options = group.get("options") or []
    errors.length((*path, "options"), options, 2, 10)
    for index, option in enumerate(options):
        errors.length((*path, "options", index, "label"), option.get("label"), 1, 100)
        errors.length((*path, "options", index, "value"), option.get("value"), 1, 100)
        if option.get("description") is not None:
            errors.length((*path, "options", index, "description"), option["description"], 0, 100)
    values = [option.get("value") for option in options]
    if len(set(values)) != len(values):
        errors.add((*path, "options"), "COMPONENT_DUPLICATE_VALUE", "Option values must be unique")
    if sum(1 for option in options if option.get("default")) > 1:
        errors.add((*path, "options"), "COMPONENT_INVALID", "Only one option can be the default")


def _walk_custom_ids(component: Json) -> list[str]:
    found = [component["custom_id"]] if isinstance(component.get("custom_id"), str) else []
    for child in component.get("components") or []:
        found.extend(_walk_custom_ids(child))
    for key in ("component", "accessory"):
        if isinstance(component.get(key), dict):
            found.extend(_walk_custom_ids(component[key]))
    return found


def _check_row(errors: Errors, path: Path, row: Json) -> None:
    """Check an action row of a message: 1-5 buttons, or one select alone."""
    children = row.get("components") or []
    errors.length((*path, "components"), children, 1, 5)
    has_select = any(c.get("type") in SELECT_TYPES for c in children)
    if has_select and len(children) > 1:
        errors.add(
            (*path, "components"),
            "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
            "The specified component exceeds the maximum width",
        )
    for number, child in enumerate(children):
        child_path = (*path, "components", number)
        if child.get("type") == 2:
            _check_button(errors, child_path, child)
        elif child.get("type") in SELECT_TYPES:
            _check_select(errors, child_path, child)
        else:
            errors.add((*child_path, "type"), "UNION_TYPE_CHOICES", "Invalid component type")


def check_components(
    errors: Errors, components: Any, flags: int = 0, payload: Json | None = None
) -> None:
    """Check the components of a message: classic action rows, or a Components V2 tree."""
    v2 = bool(flags & COMPONENTS_V2)
    if v2:
        message_rules.check_v2(errors, payload or {}, components, _check_row)
    if components is None:
        return
    if not isinstance(components, list):
        errors.add(("components",), "BASE_TYPE_ARRAY", "Value must be an array.")
        return
    if not v2:
        if len(components) > 5:
            errors.add(("components",), "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.")
        for index, row in enumerate(components):
            path: Path = ("components", index)
            if row.get("type") != 1:
                errors.add((*path, "type"), "UNION_TYPE_CHOICES", "Value must be an action row.")
                continue
            _check_row(errors, path, row)
    ids = [cid for component in components for cid in _walk_custom_ids(component)]
    if len(ids) != len(set(ids)):
        errors.add(
            ("components",),
            "COMPONENT_CUSTOM_ID_DUPLICATED",
            "Component custom id cannot be duplicated",
        )


def validate_message(payload: Json, prefix: Path = ()) -> Errors:
    """Check a message body (create or edit) against Discord's limits."""
    errors = Errors(prefix)
    content = payload.get("content")
    if content is not None:
        errors.length(("content",), content, 0, 2000)
    check_embeds(errors, payload.get("embeds"))
    flags = payload.get("flags") or 0
    check_components(
        errors, payload.get("components"), flags if isinstance(flags, int) else 0, payload
    )
    message_rules.check_allowed_mentions(errors, payload.get("allowed_mentions"))
    nonce = payload.get("nonce")
    if isinstance(nonce, str) and len(nonce) > 25:
        errors.add(("nonce",), "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    return errors


def _check_text_input(errors: Errors, path: Path, text: Json, *, in_label: bool) -> None:
    errors.length((*path, "custom_id"), text.get("custom_id"), 1, 100)
    if in_label:
        if text.get("label") is not None:
            errors.add(
                (*path, "label"), "BASE_TYPE_BAD_VALUE", "A text input inside a label has no label"
            )
    else:
        errors.length((*path, "label"), text.get("label"), 1, 45)
    if text.get("style") not in (1, 2):
        errors.add((*path, "style"), "BASE_TYPE_CHOICES", "Value must be one of (1, 2).")
    if text.get("value") is not None:
        errors.length((*path, "value"), text["value"], 0, 4000)
    if text.get("placeholder") is not None:
        errors.length((*path, "placeholder"), text["placeholder"], 0, 100)
    for key, low in (("min_length", 0), ("max_length", 1)):
        value = text.get(key)
        if value is not None and not low <= value <= 4000:
            errors.add(
                (*path, key), "NUMBER_TYPE_MAX", f"int value should be <= 4000 and >= {low}."
            )
    shortest, longest = text.get("min_length"), text.get("max_length")
    if isinstance(shortest, int) and isinstance(longest, int) and shortest > longest:
        errors.add(
            (*path, "min_length"),
            "TEXT_INPUT_MIN_LENGTH_GREATER_THAN_MAX",
            "min_length cannot be greater than max_length",
        )
    value = text.get("value")
    if isinstance(value, str) and isinstance(longest, int) and len(value) > longest:
        errors.add(
            (*path, "value"), "BASE_TYPE_MAX_LENGTH", f"Must be {longest} or fewer in length."
        )


def validate_modal(data: Any) -> Errors:
    """Check a modal (callback type 9)."""
    errors = Errors()
    if not isinstance(data, dict):
        errors.add(("data",), "BASE_TYPE_REQUIRED", "This field is required")
        return errors
    errors.length(("data", "title"), data.get("title"), 1, 45)
    errors.length(("data", "custom_id"), data.get("custom_id"), 1, 100)
    components = data.get("components") or []
    errors.length(("data", "components"), components, 1, 5)
    for index, component in enumerate(components):
        path: Path = ("data", "components", index)
        kind = component.get("type")
        if kind == 1:
            children = component.get("components") or []
            errors.length((*path, "components"), children, 1, 1)
            for number, child in enumerate(children):
                if child.get("type") == 4:
                    _check_text_input(errors, (*path, "components", number), child, in_label=False)
                else:  # a modal's action row holds one text input: no buttons, no selects
                    errors.add(
                        (*path, "components", number, "type"),
                        "UNION_TYPE_CHOICES",
                        'Value of field "type" must be one of (4,).',
                    )
        elif kind == 18:
            errors.length((*path, "label"), component.get("label"), 1, 45)
            inner = component.get("component") or {}
            if inner.get("type") == 4:
                _check_text_input(errors, (*path, "component"), inner, in_label=True)
            elif inner.get("type") in SELECT_TYPES:
                _check_select(errors, (*path, "component"), inner)
            elif inner.get("type") == RADIO_GROUP:
                _check_radio_group(errors, (*path, "component"), inner)
        elif kind != 10:
            errors.add((*path, "type"), "UNION_TYPE_CHOICES", "Invalid component type for a modal")
    ids = [cid for component in components for cid in _walk_custom_ids(component)]
    if len(ids) != len(set(ids)):
        errors.add(
            ("data", "components"),
            "COMPONENT_CUSTOM_ID_DUPLICATED",
            "Component custom id cannot be duplicated",
        )
    return errors


def validate_choices(data: Any) -> Errors:
    """Check autocomplete choices (callback type 8)."""
    errors = Errors()
    choices = (data or {}).get("choices")
    if not isinstance(choices, list):
        errors.add(("data", "choices"), "BASE_TYPE_REQUIRED", "This field is required")
        return errors
    if len(choices) > 25:
        errors.add(("data", "choices"), "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    for index, choice in enumerate(choices):
        errors.length(("data", "choices", index, "name"), choice.get("name"), 1, 100)
        if isinstance(choice.get("value"), str):
            errors.length(("data", "choices", index, "value"), choice["value"], 0, 100)
    return errors


MESSAGE_ROUTES = (
    "/channels/{channel_id}/messages",
    "/channels/{channel_id}/messages/{message_id}",
    "/webhooks/{webhook_id}/{webhook_token}",
    "/webhooks/{webhook_id}/{webhook_token}/messages/@original",
    "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}",
)
CALLBACK_ROUTE = "/interactions/{interaction_id}/{interaction_token}/callback"


def prevalidate(method: str, route: str, body: Any) -> Errors:
    """Apply Discord's own limits for a route before any spec check (clearer errors)."""
    if method in ("POST", "PATCH") and route in MESSAGE_ROUTES and isinstance(body, dict):
        return validate_message(body)
    if method == "PUT" and route.endswith("/commands"):
        return validate_commands(body if body is not None else [])
    if method == "POST" and route == CALLBACK_ROUTE and isinstance(body, dict):
        data = body.get("data") or {}
        kind = body.get("type")
        if kind in (4, 7) and isinstance(data, dict):
            return validate_message(data, ("data",))
        if kind == 8:
            return validate_choices(data)
        if kind == 9:
            return validate_modal(data)
    return Errors()
