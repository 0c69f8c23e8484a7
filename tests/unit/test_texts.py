"""The text catalogue: every key used in code exists, every language matches English."""

from __future__ import annotations

import re
from pathlib import Path

import discord
import pytest

from bot.texts import FALLBACK, Catalogue, catalogue, language_of, placeholders

ROOT = Path(__file__).resolve().parents[2]
KEY_CALL = re.compile(r"""\b(?:tr|cmd|Refusal|text_key)\(\s*["']([a-z0-9_]+\.[a-z0-9_.]+)["']""")


def used_keys() -> set[str]:
    keys: set[str] = set()
    for folder in ("bot", "cogs"):
        for path in (ROOT / folder).rglob("*.py"):
            keys.update(KEY_CALL.findall(path.read_text("utf-8")))
    return keys


def test_every_key_used_in_code_is_in_the_english_catalogue() -> None:
    keys = used_keys()
    assert keys, "the scan found no keys: the pattern is broken"
    missing = sorted(keys - catalogue().keys(FALLBACK))
    assert missing == []


@pytest.mark.parametrize("language", [lang for lang in catalogue().languages if lang != FALLBACK])
def test_other_languages_use_the_same_placeholders(language: str) -> None:
    texts = catalogue()
    for key in texts.keys(language):
        english = texts.raw(key, FALLBACK)
        assert english is not None, f"{language}:{key} has no English original"
        assert placeholders(texts.raw(key, language) or "") == placeholders(english), key


def test_reader_language_and_fallback() -> None:
    texts = Catalogue({"en": {"a.b": "Hello {name}"}, "fr": {"a.b": "Bonjour {name}"}})
    assert texts.get("a.b", discord.Locale.french, name="Sam") == "Bonjour Sam"
    assert texts.get("a.b", discord.Locale.german, name="Sam") == "Hello Sam"
    assert texts.get("a.b", "en-GB", name="Sam") == "Hello Sam"
    with pytest.raises(KeyError):
        texts.get("missing.key")


def test_language_of_discord_locales() -> None:
    assert language_of(discord.Locale.american_english) == "en"
    assert language_of("fr") == "fr"
    assert language_of(None) == FALLBACK
