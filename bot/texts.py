"""The one catalogue of user-facing texts: `locales/<language>/*.toml`, merged."""

from __future__ import annotations

import functools
import logging
import string
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import discord
from discord import app_commands

from bot.content import content as built_in_content
from bot.content import languages as content_languages
from bot.refusal import Worded

log = logging.getLogger(__name__)

LOCALES_DIR = Path(__file__).parent / "locales"
FALLBACK = "en"
OPTION_NAMES = "option_names"
"""Catalogue section of command option names by their name in code (`option_names.student`)."""


Locale = discord.Locale | str | None
"""A reader's language: a Discord locale, a locale text such as "fr", or None for English."""


def language_of(locale: Locale) -> str:
    """Reduce a Discord locale ("en-US", "fr") to the catalogue's language code."""
    if locale is None:
        return FALLBACK
    value = locale.value if isinstance(locale, discord.Locale) else str(locale)
    return value.split("-")[0].lower() or FALLBACK


PLURAL_FORMS = ("zero", "one", "two", "few", "many", "other")
"""CLDR plural categories: a table of these (with `other`) is one text with plural forms."""


def is_plural(table: Mapping[str, Any]) -> bool:
    """Tell whether a catalogue table is one text's plural forms (`one = ...`, `other = ...`)."""
    return "other" in table and set(table) <= set(PLURAL_FORMS)


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        full = f"{prefix}{key}"
        if isinstance(value, Mapping) and is_plural(value):
            if not all(isinstance(form, str) for form in value.values()):
                raise ValueError(f"catalogue entry {full} must be text")
            flat[full] = _plural_text(value)
        elif isinstance(value, Mapping):
            flat.update(_flatten(value, f"{full}."))
        elif isinstance(value, str):
            flat[full] = value
        else:
            raise ValueError(f"catalogue entry {full} must be text")
    return flat


def _plural_text(forms: Mapping[str, str]) -> str:
    r"""Keep a text's plural forms as one string: `\x00one\x00...\x00other\x00...`."""
    return "".join(f"\x00{form}\x00{forms[form]}" for form in PLURAL_FORMS if form in forms)


def plural_forms(text: str) -> dict[str, str] | None:
    """Return a catalogue text's plural forms by CLDR category, or None for a plain text."""
    if not text.startswith("\x00"):
        return None
    parts = text.split("\x00")[1:]
    return dict(zip(parts[::2], parts[1::2], strict=True))


@functools.cache
def plural_category(language: str, count: int) -> str:
    """Return the CLDR plural category of `count` in `language` ("one", "many", "other"...).

    Babel is imported on the first plural, not at start (its locale data is megabytes).
    """
    from babel import Locale as BabelLocale
    from babel import UnknownLocaleError

    try:
        return str(BabelLocale.parse(language).plural_form(abs(count)))
    except (UnknownLocaleError, ValueError):
        return "one" if abs(count) == 1 else "other"


def placeholders(text: str) -> set[str]:
    """Return the `{name}` placeholders a text uses (in every plural form)."""
    forms = plural_forms(text)
    texts = list(forms.values()) if forms is not None else [text]
    return {name for one in texts for _, name, _, _ in string.Formatter().parse(one) if name}


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
        text = self.raw(key, language)
        if text is None:
            language = FALLBACK
            text = self.raw(key, FALLBACK)
        if text is None:
            raise KeyError(f"no text for {key!r} in the catalogue")
        forms = plural_forms(text)
        if forms is not None:
            count = values.get("count")
            if not isinstance(count, int):
                raise KeyError(f"{key!r} has plural forms: give it count=")
            text = forms.get(plural_category(language, count), forms["other"])
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


def word(value: object, locale: discord.Locale | str | None = None) -> object:
    """Return a value to show: a `Worded` text in the reader's language, anything else as is."""
    if not isinstance(value, Worded):
        return value
    values = {name: word(inner, locale) for name, inner in value.values.items()}
    return tr(value.key, locale, **values)


def cmd(key: str) -> app_commands.locale_str:
    """Return a command name/description/option text that the translator can localise."""
    return app_commands.locale_str(catalogue().get(key), key=key)


def content_text(english: str, table: str, entry_id: str) -> app_commands.locale_str:
    """Return a command choice name taken from the content (`topics`/`skills` title by id)."""
    return app_commands.locale_str(english, content=(table, entry_id))


def _content_title(table: str, entry_id: str, language: str) -> str | None:
    if language not in content_languages():
        return None
    entries = getattr(built_in_content(language), table, None)
    entry = None if entries is None else entries.get(entry_id)
    return None if entry is None else str(entry.title)


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
        if language == FALLBACK:
            return None
        if context.location is app_commands.TranslationContextLocation.parameter_name:
            return self._texts.raw(f"{OPTION_NAMES}.{string.message}", language)
        found = string.extras.get("content")
        if isinstance(found, tuple):
            return _content_title(str(found[0]), str(found[1]), language)
        if not isinstance(key, str):
            return None
        return self._texts.raw(key, language)
