"""Command names in every language: the name rule, Discord's locales and localised texts."""

from __future__ import annotations

import unicodedata
from typing import Any

from sandbox.models import Json

Path = tuple[str | int, ...]

LOCALES = frozenset(
    {
        "id", "da", "de", "en-GB", "en-US", "es-ES", "es-419", "fr", "hr", "it", "lt", "hu",
        "nl", "no", "pl", "pt-BR", "ro", "fi", "sv-SE", "vi", "tr", "cs", "el", "bg", "ru",
        "uk", "hi", "th", "zh-CN", "ja", "zh-TW", "ko",
    }
)  # fmt: skip
"""Discord's locale keys (developer docs, Reference › Locales)."""

DEVANAGARI = range(0x0900, 0x0980)
THAI = range(0x0E00, 0x0E80)


def valid_command_name(name: Any, *, lowercase: bool) -> bool:
    r"""Discord's ``^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$``, lowercase if asked."""
    if not isinstance(name, str) or not 1 <= len(name) <= 32:
        return False
    for char in name:
        if char in "-_'" or ord(char) in DEVANAGARI or ord(char) in THAI:
            continue
        if unicodedata.category(char)[0] not in ("L", "N"):
            return False
        if lowercase and char.lower() != char:
            return False
    return True


def _check_keys(errors: Any, path: Path, values: dict[str, Any]) -> list[tuple[str, Any]]:
    known = []
    for locale, value in values.items():
        if locale not in LOCALES:
            errors.add((*path, locale), "LOCALE_INVALID", f"Invalid locale {locale!r}")
        else:
            known.append((locale, value))
    return known


def check_localised(
    errors: Any,
    path: Path,
    key: str,
    values: Any,
    low: int,
    high: int,
    *,
    name: bool,
    lowercase: bool = True,
) -> None:
    """Check a ``*_localizations`` dict: known locale keys, each text like the default one."""
    if values is None:
        return
    field = f"{key}_localizations"
    if not isinstance(values, dict):
        errors.add((*path, field), "DICT_TYPE_CONVERT", "Only dictionaries may be used.")
        return
    for locale, value in _check_keys(errors, (*path, field), values):
        if name:
            context_menu_ok = (
                not lowercase and isinstance(value, str) and 1 <= len(value) <= 32
            )  # context-menu names: 1-32 of anything
            if not context_menu_ok and not valid_command_name(value, lowercase=lowercase):
                errors.add(
                    (*path, field, locale),
                    "APPLICATION_COMMAND_INVALID_NAME",
                    "Command name is invalid",
                )
        else:
            errors.length((*path, field, locale), value, low, high)


def check_command_texts(errors: Any, path: Path, item: Json, *, chat_input: bool) -> None:
    """Check the localised name and description of a command or an option."""
    check_localised(
        errors, path, "name", item.get("name_localizations"), 1, 32, name=True, lowercase=chat_input
    )
    if chat_input:
        check_localised(
            errors, path, "description", item.get("description_localizations"), 1, 100, name=False
        )
    elif item.get("description_localizations"):
        errors.add(
            (*path, "description_localizations"),
            "BASE_TYPE_MAX_LENGTH",
            "Context menu commands have no description.",
        )


def check_distinct_names(errors: Any, path: Path, options: list[Json]) -> None:
    """Sibling options keep distinct names in every locale (the default name stands in)."""
    locales = {
        locale
        for option in options
        for locale in (option.get("name_localizations") or {})
        if locale in LOCALES
    }
    for locale in sorted(locales):
        seen: set[str] = set()
        for index, option in enumerate(options):
            shown = (option.get("name_localizations") or {}).get(locale) or option.get("name")
            if shown in seen:
                errors.add(
                    (*path, "options", index, "name_localizations", locale),
                    "APPLICATION_COMMAND_OPTION_NAME_ALREADY_EXISTS",
                    "Option name already exists",
                )
            seen.add(str(shown))
