"""Numbers people type: plain ASCII digits only, and small enough to store."""

from __future__ import annotations

SQLITE_INT_MAX = 2**63 - 1
DIGITS_MAX = 18
"""Digits an id or an amount may have: always below SQLite's largest integer."""


def plain_int(text: str, *, max_digits: int = DIGITS_MAX) -> int | None:
    """Return the number `text` writes in ASCII digits (spaces around allowed), else None.

    `str.isdigit` accepts `²` or `①`, which `int` then refuses; and a number too long for
    SQLite fails where it is stored. Both are read as "not a number" here instead.
    """
    wanted = text.strip()
    if not wanted or len(wanted) > max_digits or not (wanted.isascii() and wanted.isdigit()):
        return None
    return int(wanted)
