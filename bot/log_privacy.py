"""What may reach the logs: ids, kinds and lengths; never typed text, message bodies or tokens.

discord.py logs whole gateway events and request bodies at DEBUG (note text, form values,
interaction tokens in webhook URLs), and aiosqlite logs every call with its SQL parameters.
`install()` makes every log record pass through `redact` as it is created, whatever handler
or formatter shows it later: the libraries' arguments are reduced to safe summaries, and
interaction tokens are cut out of any URL, in every logger.
"""

from __future__ import annotations

import enum
import functools
import logging
import re
from collections.abc import Mapping
from typing import Any, Final

import discord

LIBRARIES: Final = ("discord", "aiosqlite", "aiohttp", "websockets")
"""Loggers whose arguments may carry people's text: every argument is summarised."""

_TOKEN_IN_PATH: Final = re.compile(r"(/(?:webhooks|interactions)/\d+/|/calendar/)[^/\s?#'\"]+")
"""Interaction and webhook tokens, and the secret of a calendar feed's address."""
_WORD: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_.]{0,40}")
_URL: Final = re.compile(r"(?:https?|wss?|webcal)://\S+")
_installed = False


def redact_url(text: str) -> str:
    """Cut interaction, webhook and calendar feed tokens out of URLs; drop query strings."""
    return _TOKEN_IN_PATH.sub(r"\1<token>", text.split("?", 1)[0])


def scrub_tokens(text: str) -> str:
    """Cut tokens out of every URL in a text."""
    return _URL.sub(lambda match: redact_url(match.group(0)), text)


def summary(value: Any) -> object:
    """Return what may be logged of a library's log argument: its kind and size, not content."""
    if value is None or isinstance(value, bool | int | float | enum.Enum):
        return value
    if isinstance(value, str):
        if _URL.fullmatch(value):
            return redact_url(value)
        if _WORD.fullmatch(value):  # a method, an event or a module name
            return value
        return f"<text: {len(value)} chars>"
    if isinstance(value, bytes | bytearray | memoryview):
        return f"<{len(value)} bytes>"
    if isinstance(value, Mapping):
        return _mapping_summary(value)
    if isinstance(value, list | tuple | set | frozenset):
        return f"<{type(value).__name__} of {len(value)}>"
    if isinstance(value, functools.partial):
        name = getattr(value.func, "__name__", "call")
        return f"<{name}: {len(value.args)} argument(s)>"
    if isinstance(value, BaseException):
        return f"<{type(value).__name__}>"
    return f"<{type(value).__name__}>"


def _mapping_summary(value: Mapping[Any, Any]) -> str:
    """Summarise a payload: a gateway event by its opcode, name and sequence; else its keys."""
    if "op" in value:
        inner = value.get("d")
        kind = inner.get("type") if isinstance(inner, Mapping) else None
        return f"<event op={value.get('op')} t={value.get('t')} s={value.get('s')} type={kind}>"
    keys = ",".join(sorted(str(key) for key in value)[:12])
    return f"<mapping of {len(value)}: {keys}>"


def redact(record: logging.LogRecord) -> logging.LogRecord:
    """Make a record safe to log; return it."""
    library = record.name.split(".", 1)[0] in LIBRARIES
    if library:
        if not isinstance(record.msg, str):
            record.msg = str(summary(record.msg))
        if isinstance(record.args, Mapping) and "%(" not in str(record.msg):
            record.args = (summary(record.args),)  # one payload passed as the only argument
        elif isinstance(record.args, Mapping):
            record.args = {key: summary(value) for key, value in record.args.items()}
        elif record.args:
            record.args = tuple(summary(arg) for arg in record.args)
    elif isinstance(record.msg, str):
        record.msg = scrub_tokens(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(
                scrub_tokens(arg) if isinstance(arg, str) else arg for arg in record.args
            )
    return record


def install() -> None:
    """Redact every log record as it is created (once per process; later calls do nothing)."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return redact(previous(*args, **kwargs))

    logging.setLogRecordFactory(factory)
    _installed = True


def describe_interaction(interaction: discord.Interaction) -> str:
    """Name an interaction for the log by kind and ids, with the sizes of what was typed."""
    kind = interaction.type.name
    command = interaction.command
    if command is not None:
        return f"{kind} /{command.qualified_name}"
    data: Mapping[str, Any] = interaction.data or {}
    custom_id = data.get("custom_id")
    described = f"{kind} {custom_id!r}" if isinstance(custom_id, str) else kind
    sizes = [f"{key}={length}" for key, length in _typed_lengths(data.get("components"))]
    if sizes:
        described += f" (typed: {', '.join(sizes)} chars)"
    return described


def _typed_lengths(components: Any) -> list[tuple[str, int]]:
    """Return (input id, length of its value) for every text input of a submitted form."""
    found: list[tuple[str, int]] = []
    if not isinstance(components, list):
        return found
    for component in components:
        if not isinstance(component, Mapping):
            continue
        value = component.get("value")
        if isinstance(value, str):
            found.append((str(component.get("custom_id", "?")), len(value)))
        for nested in ("components", "component"):
            inner = component.get(nested)
            found += _typed_lengths(inner if isinstance(inner, list) else [inner])
    return found
