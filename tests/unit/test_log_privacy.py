"""What the log redaction keeps (ids, kinds, sizes) and what it cuts (text, tokens)."""

from __future__ import annotations

import functools
import logging

from bot.log_privacy import redact, redact_url, summary


def record(name: str, msg: object, *args: object) -> logging.LogRecord:
    return logging.LogRecord(name, logging.DEBUG, __file__, 1, msg, args, None)


def test_library_arguments_keep_their_kind_and_size_only() -> None:
    url = "http://127.0.0.1:8765/api/v10/webhooks/123/aW50ZXJhY3Rpb246c2VjcmV0/messages/@original"
    payload = '{"content": "Sam is worried about his exams"}'
    line = redact(
        record("discord.http", "%s %s with %s has returned %s", "PATCH", url, payload, 200)
    ).getMessage()
    assert line == (
        "PATCH http://127.0.0.1:8765/api/v10/webhooks/123/<token>/messages/@original "
        f"with <text: {len(payload)} chars> has returned 200"
    )
    event = {"op": 0, "t": "INTERACTION_CREATE", "s": 7, "d": {"type": 5, "token": "abc"}}
    line = redact(record("discord.gateway", "Event: %s", event)).getMessage()
    assert line == "Event: <event op=0 t=INTERACTION_CREATE s=7 type=5>"
    call = functools.partial(print, "INSERT INTO notes VALUES (?)", ("a private body",))
    line = redact(record("aiosqlite", "executing %s", call)).getMessage()
    assert line == "executing <print: 2 argument(s)>"


def test_the_bots_own_lines_keep_their_text_but_lose_tokens() -> None:
    line = redact(
        record(
            "bot.delivery", "Posted to %s", "https://x/api/interactions/9/tok.en-_1/callback?a=1"
        )
    ).getMessage()
    assert line == "Posted to https://x/api/interactions/9/<token>/callback"
    assert redact_url("https://x/api/v10/users/@me") == "https://x/api/v10/users/@me"
    assert summary(42) == 42
    assert summary("INTERACTION_CREATE") == "INTERACTION_CREATE"
    assert summary("two words") == "<text: 9 chars>"
    assert summary(b"\x00\x01") == "<2 bytes>"


def test_a_calendar_feed_address_loses_its_secret_wherever_it_is_logged() -> None:
    secret = "Zq3_kL-0" * 5 + "abc"
    for url in (
        f"webcal://mc.example.org/calendar/{secret}.ics",
        f"http://127.0.0.1:8080/calendar/{secret}.ics",
    ):
        line = redact(record("bot.health", "Feed asked at %s", url)).getMessage()
        assert secret not in line
        assert line.endswith("/calendar/<token>")
        library = redact(record("aiohttp.access", "GET %s", url)).getMessage()
        assert secret not in library
    text = redact(record("bot.cogs", f"Sent webcal://h/calendar/{secret}.ics to 42")).getMessage()
    assert secret not in text
