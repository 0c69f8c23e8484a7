"""The one catalogue of user-facing texts: `locales/<language>/*.toml`, merged."""

from __future__ import annotations

import logging
import string
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import discord
from discord import app_commands

log = logging.getLogger(__name__)

LOCALES_DIR = Path(__file__).parent / "locales"
FALLBACK = "en"


Locale = discord.Locale | str | None
"""A reader's language: a Discord locale, a locale text such as "fr", or None for English."""


def language_of(locale: Locale) -> str:
    """Reduce a Discord locale ("en-US", "fr") to the catalogue's language code."""
    if locale is None:
        return FALLBACK
    value = locale.value if isinstance(locale, discord.Locale) else str(locale)
    return value.split("-")[0].lower() or FALLBACK


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        full = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{full}."))
        elif isinstance(value, str):
            flat[full] = value
        else:
            raise ValueError(f"catalogue entry {full} must be text")
    return flat


def placeholders(text: str) -> set[str]:
    """Return the `{name}` placeholders a text uses."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


class Catalogue:
    """Texts by language and dotted key, with English as the fallback."""

    def __init__(self, languages: Mapping[str, Mapping[str, str]]) -> None:
        if FALLBACK not in languages:
            raise ValueError("the English catalogue is required")
        self._languages = {lang: dict(texts) for lang, texts in languages.items()}
        self._reverse: dict[str, str] | None = None

    @classmethod
    def load(cls, folder: Path = LOCALES_DIR) -> Catalogue:
        """Read every `<lang>/*.toml` in `folder`; a key defined twice is an error."""
        languages: dict[str, dict[str, str]] = {}
        for language_dir in sorted(p for p in folder.iterdir() if p.is_dir()):
            texts: dict[str, str] = {}
            for path in sorted(language_dir.glob("*.toml")):
                with path.open("rb") as handle:
                    found = _flatten(tomllib.load(handle))
                clash = texts.keys() & found.keys()
                if clash:
                    raise ValueError(f"{path}: keys defined twice: {sorted(clash)}")
                texts.update(found)
            languages[language_dir.name] = texts
        return cls(languages)

    @property
    def languages(self) -> list[str]:
        """Return the languages this catalogue speaks."""
        return sorted(self._languages)

    def keys(self, language: str = FALLBACK) -> set[str]:
        """Return the keys known in one language."""
        return set(self._languages.get(language, {}))

    def raw(self, key: str, language: str = FALLBACK) -> str | None:
        """Return the unformatted text for `key` in `language`, if it has one."""
        return self._languages.get(language, {}).get(key)

    def localise_english(self, text: str, locale: discord.Locale | str | None) -> str:
        """Return the reader's version of an English catalogue text (a command description)."""
        if self._reverse is None:
            self._reverse = {value: key for key, value in self._languages[FALLBACK].items()}
        key = self._reverse.get(text)
        return self.get(key, locale) if key is not None else text

    def get(self, key: str, locale: discord.Locale | str | None = None, **values: object) -> str:
        """Return the text for `key` in the reader's language, with `values` filled in."""
        language = language_of(locale)
        text = self.raw(key, language) or self.raw(key, FALLBACK)
        if text is None:
            raise KeyError(f"no text for {key!r} in the catalogue")
        return text.format(**values) if values else text


_default: Catalogue | None = None


def catalogue() -> Catalogue:
    """Return the catalogue shipped with the bot (loaded once)."""
    global _default
    if _default is None:
        _default = Catalogue.load()
    return _default


def tr(key: str, locale: discord.Locale | str | None = None, **values: object) -> str:
    """Return a catalogue text for a reader's locale."""
    return catalogue().get(key, locale, **values)


def cmd(key: str) -> app_commands.locale_str:
    """Return a command name/description/option text that the translator can localise."""
    return app_commands.locale_str(catalogue().get(key), key=key)


class CatalogueTranslator(app_commands.Translator):
    """Localise command descriptions from the same catalogue at sync time."""

    def __init__(self, texts: Catalogue) -> None:
        self._texts = texts

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        """Return the text in `locale`, or None to keep the English one."""
        key = string.extras.get("key")
        language = language_of(locale)
        if not isinstance(key, str) or language == FALLBACK:
            return None
        return self._texts.raw(key, language)
