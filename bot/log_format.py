"""How log records are written: one line per event, as text or JSON (`LOG_FORMAT`).

Redaction of private text is not done here (see the privacy helpers' own logging module); this
module only shapes each record into exactly one line.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import IO, Literal

TEXT_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
LogFormat = Literal["text", "json"]

# Attributes every LogRecord has; anything else was passed with `extra=` and is kept in JSON.
_STANDARD = frozenset(
    logging.LogRecord("", 0, "", 0, "", None, None).__dict__.keys() | {"message", "asctime"}
)


def _one_line(text: str) -> str:
    return text.replace("\r", "").replace("\n", " | ")


class TextFormatter(logging.Formatter):
    """`time level logger: message`, with a traceback folded onto the same line."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        """Format as usual, then fold every line break (tracebacks included)."""
        return _one_line(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, exc, extras."""

    def format(self, record: logging.LogRecord) -> str:
        """Return the record as one line of JSON."""
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value if isinstance(value, int | float | bool | None) else str(value)
        return json.dumps(entry, ensure_ascii=False)


class _OurHandler(logging.StreamHandler[IO[str]]):
    """The handler `configure_logging` installs (so that a second call replaces it)."""


def formatter(kind: LogFormat) -> logging.Formatter:
    """Return the formatter for a `LOG_FORMAT` value."""
    return JsonFormatter() if kind == "json" else TextFormatter()


def configure_logging(
    level: str,
    kind: LogFormat = "text",
    *,
    stream: IO[str] | None = None,
    filters: Sequence[logging.Filter] = (),
    force: bool = True,
) -> logging.Handler | None:
    """Send every record to stderr (or `stream`), one line each; replace the one set before.

    With `force=False`, leave logging alone when someone else (pytest, an embedding program)
    already set a handler on the root logger, as `logging.basicConfig` does.
    """
    root = logging.getLogger()
    foreign = [
        h
        for h in root.handlers
        if not isinstance(h, _OurHandler) and not getattr(h, "passive", False)
    ]
    if foreign and not force:
        return None
    handler = _OurHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(formatter(kind))
    for log_filter in filters:
        handler.addFilter(log_filter)
    for old in list(root.handlers):
        if isinstance(old, _OurHandler):
            root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    return handler
