"""The text catalogue: every key used in code exists, every language matches English."""

from __future__ import annotations

import re
from pathlib import Path

import discord
import pytest

from bot.texts import FALLBACK, Catalogue, catalogue, language_of, placeholders, tr

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


CMD_CALL = re.compile(r"""\bcmd\(\s*["']([a-z0-9_]+\.[a-z0-9_.]+)["']""")
CMD_PREFIX_CALL = re.compile(r"""\bcmd\(\s*f["']([a-z0-9_]+\.[a-z0-9_.]*)\{""")


def command_text_keys() -> set[str]:
    """Keys passed to `cmd()`: command, option and choice texts Discord limits to 1-100."""
    keys: set[str] = set()
    prefixes: set[str] = set()
    for folder in ("bot", "cogs"):
        for path in (ROOT / folder).rglob("*.py"):
            source = path.read_text("utf-8")
            keys.update(CMD_CALL.findall(source))
            prefixes.update(CMD_PREFIX_CALL.findall(source))
    english = catalogue().keys(FALLBACK)
    for prefix in prefixes:  # cmd(f"kind.{k}") and the like: every key under the prefix
        under = {key for key in english if key.startswith(prefix)}
        assert under, f"no English key starts with {prefix!r}"
        keys |= under
    return keys


def test_french_is_complete() -> None:
    texts = catalogue()
    assert "fr" in texts.languages
    missing = sorted(texts.keys(FALLBACK) - texts.keys("fr"))
    assert missing == [], "English keys without a French text"
    extra = sorted(texts.keys("fr") - texts.keys(FALLBACK))
    assert extra == [], "French keys without an English original"


@pytest.mark.parametrize("language", catalogue().languages)
def test_command_texts_fit_discords_limit(language: str) -> None:
    keys = command_text_keys()
    assert len(keys) > 50, "the cmd() scan found too few keys: the pattern is broken"
    texts = catalogue()
    for key in sorted(keys):
        text = texts.raw(key, language) or texts.raw(key, FALLBACK) or ""
        assert 1 <= len(text) <= 100, f"{language}:{key} is {len(text)} characters long"


def test_every_language_folder_brings_catalogue_content_and_when_words() -> None:
    from bot.content import languages as content_languages
    from bot.scheduling.when import LANGUAGES as when_languages
    from bot.services.people import known_languages

    assert known_languages() == catalogue().languages
    assert content_languages() == catalogue().languages
    assert when_languages == catalogue().languages


HEDGED_PLURAL = re.compile(r"\w\((?:s|e|es|x|nt)\)")


@pytest.mark.parametrize("language", catalogue().languages)
def test_no_text_hedges_its_plural_with_brackets(language: str) -> None:
    texts = catalogue()
    hedged = [
        key for key in texts.keys(language) if HEDGED_PLURAL.search(texts.raw(key, language) or "")
    ]
    assert hedged == [], "use plural forms (one = ..., other = ...) instead of (s)"


def test_plural_forms_follow_each_languages_cldr_rules() -> None:
    assert tr("sessions.cancelled", "en", count=1) == "Cancelled 1 session."
    assert tr("sessions.cancelled", "en", count=0) == "Cancelled 0 sessions."
    assert (
        tr("sessions.cancelled", "fr", count=0) == "0 session annulée."
    )  # 0 is singular in French
    assert tr("sessions.cancelled", "fr", count=2) == "2 sessions annulées."
    assert tr("sessions.cancelled", "fr-CA", count=1) == "1 session annulée."
    assert tr("sessions.cancelled", discord.Locale.german, count=1) == "Cancelled 1 session."
    with pytest.raises(KeyError, match="count"):
        tr("sessions.cancelled", "en")


def test_a_plural_table_keeps_its_placeholders_in_every_form() -> None:
    texts = Catalogue({"en": {"a.b": _plural({"one": "{count} note", "other": "{count} notes"})}})
    assert texts.get("a.b", "en", count=3) == "3 notes"
    assert placeholders(texts.raw("a.b") or "") == {"count"}


def _plural(forms: dict[str, str]) -> str:
    from bot.texts import _flatten

    return _flatten({"x": forms})["x"]


COMMAND_OPTION = re.compile(r"`(?:/[^`]*?\s)?([^\W\d][\w']*):")


@pytest.mark.parametrize("language", catalogue().languages)
def test_texts_name_command_options_as_discord_shows_them_to_the_reader(language: str) -> None:
    texts = catalogue()
    shown = {
        texts.raw(key, language) for key in texts.keys(language) if key.startswith("option_names.")
    }
    wrong = {
        (key, name)
        for key in texts.keys(language)
        for name in COMMAND_OPTION.findall(texts.raw(key, language) or "")
        if name not in shown
    }
    assert wrong == set()
    if language == FALLBACK:
        found = {
            n for k in texts.keys(language) for n in COMMAND_OPTION.findall(texts.raw(k) or "")
        }
        assert len(found) >= 3, "the scan found too few option names: the pattern is broken"
