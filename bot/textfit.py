"""Making texts fit Discord's limits, with every cut marked."""

from __future__ import annotations

import re
from collections.abc import Callable

ELLIPSIS = "…"
FIELD_MAX = 1024
"""Discord's limit on an embed field's value."""

# What Discord draws as one thing: a mention, a channel, a role, a timestamp, a custom emoji, a
# command link. A cut inside one leaves its raw text (`<@12`), so a cut falls before it instead.
_TOKEN = re.compile(r"<(?:@[!&]?\d+|#\d+|t:-?\d+(?::[a-zA-Z])?|a?:\w+:\d+|/[^<>\n]+:\d+)>")


def clip(text: str, limit: int) -> str:
    """Cut `text` to `limit` characters, marking a cut with an ellipsis.

    The cut never falls inside a mention, a timestamp or an emoji: those go whole or not at all.
    """
    if len(text) <= limit:
        return text
    cut = max(limit - 1, 0)
    for token in _TOKEN.finditer(text):
        if token.start() >= cut:
            break
        if cut < token.end():
            cut = token.start()
            break
    return text[:cut].rstrip() + ELLIPSIS


def fit_lines(
    lines: list[str], limit: int = FIELD_MAX, more: str | Callable[[int], str] = ELLIPSIS
) -> str:
    """Join whole lines within `limit` characters; when some are left out, end with `more`.

    `more` is a last line, or a function of how many lines were left out. Lines are never cut
    in half, unless the first one alone is too long: it is then clipped (see `clip`).
    """
    text = "\n".join(lines)
    if len(text) <= limit:
        return text
    tail_of = more if callable(more) else (lambda _left_out: more)
    size = -1  # the length of the first `kept` lines joined
    sizes = []
    for line in lines:
        size += len(line) + 1
        sizes.append(size)
    for kept in range(len(lines) - 1, 0, -1):
        tail = tail_of(len(lines) - kept)
        if sizes[kept - 1] + 1 + len(tail) <= limit:
            return "\n".join(lines[:kept]) + "\n" + tail
    tail = tail_of(len(lines) - 1)
    if len(lines) == 1 or len(tail) + 2 > limit:
        return clip(lines[0], limit)
    return clip(lines[0], limit - len(tail) - 1) + "\n" + tail


def chunk_lines(lines: list[str], limit: int) -> list[str]:
    """Join lines into as few texts of at most `limit` characters as it takes."""
    chunks: list[str] = []
    for line in lines:
        line = clip(line, limit)
        if chunks and len(chunks[-1]) + 1 + len(line) <= limit:
            chunks[-1] += "\n" + line
        else:
            chunks.append(line)
    return chunks
