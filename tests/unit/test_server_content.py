"""Server content: one entry is checked like the built-ins; stored, hidden, offered, erased."""

from __future__ import annotations

import re
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import bot.content
from bot.content import (
    DATA_DIR,
    JOBS,
    ContentError,
    content,
    languages,
    parse_checklist,
    parse_template,
)
from bot.db import Database
from bot.refusal import Refusal
from bot.services import server_content as service
from bot.storage import privacy
from bot.storage import server_content as store
from bot.texts import catalogue, tr, word
from bot.vocabulary import SessionKind

GUILD, OTHER_GUILD = 100, 200
MORGAN, LENA = 7, 8
NOW = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)

TEMPLATE = """
[check_in]
title = "Check-in"
description = "Two questions after each session."

[[check_in.fields]]
id = "mood"
label = "How are they doing?"
placeholder = "In their own words"
style = "short"
max_length = 200

[[check_in.fields]]
id = "next"
label = "Next steps"
placeholder = "One per line"
style = "paragraph"
max_length = 1000
next_steps = true
"""

CHECKLIST = """
[discovery]
title = "First meeting"
summary = "Meet the person first, the project second."
""" + "".join(
    f'\n[[discovery.guide]]\nid = "item_{n}"\ntext = "Thing number {n} to prepare"\n'
    for n in range(6)
)


# -- one entry, checked with the built-ins' rules ---------------------------------------------


@pytest.mark.parametrize("language", languages())
def test_every_built_in_entry_reads_the_same_on_its_own(language: str) -> None:
    folder = DATA_DIR / language
    built_in = content(language)
    templates = tomllib.loads((folder / "feedback_templates.toml").read_text("utf-8"))
    for template_id, table in templates.items():
        alone = _dump(template_id, table, arrays=("fields",))
        assert parse_template(alone) == built_in.template(template_id)
    checklists = tomllib.loads((folder / "checklists.toml").read_text("utf-8"))
    for kind in SessionKind:
        alone = _dump(kind, checklists[kind], arrays=JOBS)
        assert parse_checklist(alone, built_in.jobs) == built_in.checklist(kind)


def _dump(name: str, table: dict[str, Any], *, arrays: tuple[str, ...]) -> str:
    """Write one table of texts, numbers and booleans, with its arrays of tables, as TOML."""
    lines = [f"[{name}]"]
    lines += [f"{key} = {_value(value)}" for key, value in table.items() if key not in arrays]
    for array in arrays:
        for entry in table.get(array, []):
            lines.append(f"[[{name}.{array}]]")
            lines += [f"{key} = {_value(value)}" for key, value in entry.items()]
    return "\n".join(lines)


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    assert isinstance(value, str)
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            TEMPLATE.replace('label = "Next steps"', 'label = "' + "x" * 52 + '"'),
            "feedback template: check_in.fields[1].label is 52 characters, at most 45",
        ),
        (
            TEMPLATE.replace("max_length = 200", "max_length = 5000"),
            "feedback template: check_in.fields[0].max_length is 5000, expected 1 to 4000",
        ),
        (
            TEMPLATE.replace('style = "short"', 'style = "long"'),
            "feedback template: check_in.fields[0].style is 'long', expected one of: short,",
        ),
        (
            TEMPLATE.replace("next_steps = true", "next_steps = true\ncolour = 'red'"),
            "feedback template: check_in.fields[1] has unknown key 'colour'",
        ),
        (
            TEMPLATE.replace("[check_in]", "[Check-In]").replace("check_in.", '"Check-In".'),
            "feedback template: Check-In 'Check-In' is not an id",
        ),
        ("title = 'x'\n", "feedback template: title must be a table, not text"),
        ("", "feedback template: the file holds nothing, expected exactly one table"),
        ("[a\n", "feedback template: not valid TOML"),
    ],
)
def test_a_bad_template_is_refused_naming_the_field(text: str, message: str) -> None:
    with pytest.raises(ContentError) as error:
        parse_template(text)
    assert str(error.value).startswith(message), str(error.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            CHECKLIST.replace("[discovery]", "[weekly]").replace("discovery.", "weekly."),
            "checklist: the table name is 'weekly', expected one of: discovery, regular,",
        ),
        (
            CHECKLIST.replace('"Thing number 3 to prepare"', '"' + "y" * 101 + '"'),
            "checklist: discovery.guide[3].text is 101 characters, at most 100",
        ),
        (
            CHECKLIST.replace('id = "item_4"', 'id = "item_1"'),
            "checklist: discovery.guide[4].id 'item_1' is used twice in discovery",
        ),
        (
            CHECKLIST.split("[[discovery.guide]]")[0],
            "checklist: discovery has 0 items, expected 6 to 14",
        ),
        (
            CHECKLIST + '\n[[discovery.guide]]\nid = "x"\ntext = "X"\nwhen = "sunny"\n',
            "checklist: discovery.guide[6].when is 'sunny', expected one of: last_no_show,",
        ),
        (CHECKLIST + "\n[regular]\n", "checklist: the file holds 'discovery', 'regular'"),
    ],
)
def test_a_bad_checklist_is_refused_naming_the_field(text: str, message: str) -> None:
    with pytest.raises(ContentError) as error:
        parse_checklist(text)
    assert str(error.value).startswith(message), str(error.value)


def test_the_form_examples_are_valid_entries_and_every_text_exists() -> None:
    assert parse_template(tr("server_content.template_example")).id == "weekly_checkin"
    assert len(parse_checklist(tr("server_content.checklist_example")).items) >= 6
    assert len(tr("server_content.template_example")) <= service.SOURCE_MAX
    keys = catalogue().keys()
    for kind in service.CONTENT_KINDS:  # texts the cog names with the kind in an f-string
        for name in ("example", "delete_question", "hidden", "shown", "created"):
            assert f"server_content.{kind}_{name}" in keys, (kind, name)
        assert f"server_content.modal_new_{kind}" in keys
        assert f"server_content.modal_edit_{kind}" in keys
        assert f"server_content.list_{kind}_title" in keys


# -- stored per server ------------------------------------------------------------------------


async def test_a_template_is_stored_offered_edited_and_deleted_per_server(db: Database) -> None:
    saved = await service.create(db, GUILD, service.TEMPLATE, TEMPLATE, MORGAN, NOW)
    assert (saved.key, saved.title) == ("check_in", "Check-in")
    offered = await service.offered_templates(db, GUILD)
    assert offered[-1] == ("check_in", "Check-in")
    assert ("check_in", "Check-in") not in await service.offered_templates(db, OTHER_GUILD)
    found = await service.template_of(db, GUILD, "check_in")
    assert found is not None
    assert [f.id for f in found.fields] == ["mood", "next"]
    assert found.next_steps_field is not None
    assert await service.template_of(db, OTHER_GUILD, "check_in") is None

    with pytest.raises(Refusal) as taken:
        await service.create(db, GUILD, service.TEMPLATE, TEMPLATE, MORGAN, NOW)
    assert taken.value.key == "server_content.exists"
    with pytest.raises(Refusal) as renamed:
        await service.edit(
            db, GUILD, service.TEMPLATE, "check_in", TEMPLATE.replace("check_in", "x"), LENA, NOW
        )
    assert renamed.value.key == "server_content.key_changed"
    later = NOW + timedelta(hours=1)
    edited = await service.edit(
        db,
        GUILD,
        service.TEMPLATE,
        "check_in",
        TEMPLATE.replace('"Check-in"', '"Weekly check-in"'),
        LENA,
        later,
    )
    assert edited.title == "Weekly check-in"
    entry = await store.get_entry(db, GUILD, "template", "check_in")
    assert entry is not None
    assert (entry.updated_by, entry.updated_at, entry.created_at) == (LENA, later, NOW)

    deleted = await service.delete(db, GUILD, service.TEMPLATE, "check_in")
    assert deleted.title == "Weekly check-in"
    assert await service.template_of(db, GUILD, "check_in") is None
    with pytest.raises(Refusal) as unknown:
        await service.delete(db, GUILD, service.TEMPLATE, "check_in")
    assert unknown.value.key == "server_content.unknown"


async def test_invalid_or_clashing_entries_store_nothing(db: Database) -> None:
    bad = TEMPLATE.replace('label = "Next steps"', 'label = "' + "x" * 52 + '"')
    with pytest.raises(Refusal) as refused:
        await service.create(db, GUILD, service.TEMPLATE, bad, MORGAN, NOW)
    assert refused.value.key == "server_content.invalid"
    assert "check_in.fields[1].label is 52 characters, at most 45" in str(
        refused.value.values["error"]
    )
    clash = TEMPLATE.replace("check_in", "session_report")
    with pytest.raises(Refusal) as built_in:
        await service.create(db, GUILD, service.TEMPLATE, clash, MORGAN, NOW)
    assert built_in.value.key == "server_content.built_in_id"
    with pytest.raises(Refusal) as too_long:
        await service.create(db, GUILD, service.TEMPLATE, TEMPLATE + "#" * 4000, MORGAN, NOW)
    assert too_long.value.key == "server_content.too_long"
    with pytest.raises(Refusal) as empty:
        await service.create(db, GUILD, service.CHECKLIST, "  \n", MORGAN, NOW)
    assert empty.value.key == "server_content.empty"
    assert await store.entries_of(db, GUILD, "template") == []
    assert await store.entries_of(db, GUILD, "checklist") == []

    for n in range(service.TEMPLATES_MAX):
        await service.create(
            db, GUILD, service.TEMPLATE, TEMPLATE.replace("check_in", f"t{n}"), MORGAN, NOW
        )
    with pytest.raises(Refusal) as full:
        await service.create(db, GUILD, service.TEMPLATE, TEMPLATE, MORGAN, NOW)
    assert full.value.key == "server_content.too_many"
    assert len(await service.offered_templates(db, GUILD)) <= 25


async def test_built_ins_are_hidden_not_deleted(db: Database) -> None:
    with pytest.raises(Refusal) as fixed:
        await service.delete(db, GUILD, service.TEMPLATE, "session_report")
    assert fixed.value.key == "server_content.built_in_fixed"
    with pytest.raises(Refusal) as not_built_in:
        await service.set_hidden(db, GUILD, service.TEMPLATE, "mine", True, MORGAN, NOW)
    assert not_built_in.value.key == "server_content.not_built_in"

    title, changed = await service.set_hidden(
        db, GUILD, service.TEMPLATE, "session_report", True, MORGAN, NOW
    )
    assert (title, changed) == ("Session report", True)
    assert "session_report" not in dict(await service.offered_templates(db, GUILD))
    assert "session_report" in dict(await service.offered_templates(db, OTHER_GUILD))
    assert await service.template_of(db, GUILD, "session_report") is None
    # Notes already written with it still open.
    assert await service.template_of(db, GUILD, "session_report", with_hidden=True) is not None
    listing = await service.listing(db, GUILD, service.TEMPLATE)
    assert [b.key for b in listing.built_ins if b.hidden] == ["session_report"]
    _, again = await service.set_hidden(
        db, GUILD, service.TEMPLATE, "session_report", True, MORGAN, NOW
    )
    assert again is False
    await service.set_hidden(db, GUILD, service.TEMPLATE, "session_report", False, MORGAN, NOW)
    assert await service.template_of(db, GUILD, "session_report") is not None


async def test_a_server_checklist_replaces_the_built_in_one_of_its_kind(db: Database) -> None:
    assert await service.checklist_of(db, GUILD, SessionKind.DISCOVERY) == content().checklist(
        SessionKind.DISCOVERY
    )
    await service.create(db, GUILD, service.CHECKLIST, CHECKLIST, MORGAN, NOW)
    own = await service.checklist_of(db, GUILD, SessionKind.DISCOVERY)
    assert own is not None
    assert own.title == "First meeting"
    assert await service.checklist_of(db, GUILD, SessionKind.REGULAR) == content().checklist(
        SessionKind.REGULAR
    )
    assert await service.checklist_of(
        db, OTHER_GUILD, SessionKind.DISCOVERY
    ) == content().checklist(SessionKind.DISCOVERY)
    await service.set_hidden(db, GUILD, service.CHECKLIST, SessionKind.DISCOVERY, True, MORGAN, NOW)
    assert await service.checklist_of(db, GUILD, SessionKind.DISCOVERY) == own
    await service.delete(db, GUILD, service.CHECKLIST, SessionKind.DISCOVERY)
    assert await service.checklist_of(db, GUILD, SessionKind.DISCOVERY) is None


# -- data rights ------------------------------------------------------------------------------


async def test_erasure_forgets_who_changed_content_and_a_purge_deletes_it(db: Database) -> None:
    await service.create(db, GUILD, service.TEMPLATE, TEMPLATE, MORGAN, NOW)
    await service.set_hidden(db, GUILD, service.TEMPLATE, "session_report", True, MORGAN, NOW)
    async with db.transaction() as tx:
        await privacy.erase_person(tx, MORGAN, NOW)
    entry = await store.get_entry(db, GUILD, "template", "check_in")
    assert entry is not None
    assert entry.updated_by is None
    row = await db.fetch_one("SELECT COUNT(*) FROM hidden_built_ins WHERE hidden_by = ?", (MORGAN,))
    assert row is not None
    assert row[0] == 0
    assert await store.is_hidden(db, GUILD, "template", "session_report")

    async with db.transaction() as tx:
        await privacy.record_departure(tx, GUILD, NOW, NOW + timedelta(days=30))
        assert await privacy.purge_guild(tx, GUILD, NOW + timedelta(days=30))
    assert await store.entries_of(db, GUILD, "template") == []
    assert not await store.is_hidden(db, GUILD, "template", "session_report")


TRANSLATED = (
    TEMPLATE
    + """
[check_in.translations.fr]
title = "Point de la semaine"
description = "Un court point hebdomadaire."

[check_in.translations.fr.fields.mood]
label = "Humeur"
"""
)


def test_a_server_template_carries_its_texts_in_other_languages_field_by_field() -> None:
    english = parse_template(TRANSLATED)
    french = parse_template(TRANSLATED, "fr")
    assert (english.title, french.title) == ("Check-in", "Point de la semaine")
    assert french.fields[0].label == "Humeur"
    assert french.fields[1].label == english.fields[1].label
    assert [f.id for f in french.fields] == [f.id for f in english.fields]
    assert parse_template(TRANSLATED, "de") == english  # no such translation: as written


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("translations.fr", "translations.de"),
            "feedback template: check_in.translations.de 'de' is not a language of the bot",
        ),
        (
            ("fields.mood]", "fields.humeur]"),
            "feedback template: check_in.translations.fr.fields.humeur names no field",
        ),
        (
            ('label = "Humeur"', 'label = "' + "h" * 50 + '"'),
            "feedback template: check_in.translations.fr.fields.mood.label is 50 characters",
        ),
        (
            ('title = "Point de la semaine"\n', ""),
            "feedback template: check_in.translations.fr is missing 'title'",
        ),
    ],
)
def test_a_bad_translation_is_refused_naming_the_field(
    change: tuple[str, str], message: str
) -> None:
    with pytest.raises(ContentError) as error:
        parse_template(TRANSLATED.replace(*change))
    assert str(error.value).startswith(message), str(error.value)


async def test_a_translated_server_template_is_offered_in_the_readers_language(
    db: Database,
) -> None:
    await service.create(db, GUILD, service.TEMPLATE, TRANSLATED, MORGAN, NOW)
    assert ("check_in", "Point de la semaine") in await service.offered_templates(db, GUILD, "fr")
    assert ("check_in", "Check-in") in await service.offered_templates(db, GUILD, "en")
    french = await service.template_of(db, GUILD, "check_in", language="fr")
    assert french is not None
    assert french.fields[0].label == "Humeur"


def test_a_server_checklist_carries_its_texts_in_other_languages() -> None:
    translated = CHECKLIST + (
        '\n[discovery.translations.fr]\ntitle = "Découverte"\nsummary = "Premier rendez-vous."\n'
        '\n[discovery.translations.fr.items]\nitem_0 = "Premier point à préparer"\n'
    )
    french = parse_checklist(translated, content("fr").jobs, "fr")
    assert french.title == "Découverte"
    assert french.items[0].text == "Premier point à préparer"
    assert french.items[1].text == parse_checklist(translated).items[1].text
    assert french.sections[0].title == content("fr").jobs["guide"].title
    with pytest.raises(ContentError, match=r"discovery.translations.fr.items.item_9 names no item"):
        parse_checklist(translated.replace('item_0 = "Premier', 'item_9 = "Premier'))


def test_every_schema_fault_the_content_reader_names_has_a_text_in_every_language() -> None:
    source = Path(bot.content.__file__).read_text(encoding="utf-8")
    codes = set(re.findall(r'_fault\(\s*"(\w+)"', source))
    codes |= set(re.findall(r'problem, "(\w+)"', source))
    for line in source.splitlines():
        if "_fault_at(" in line:
            codes |= set(re.findall(r', "(\w+)"[,)]', line))
    assert {"too_long", "choice", "unknown_key", "missing_key", "wrong_type", "not_toml"} <= codes
    texts = catalogue()
    for language in texts.languages:
        missing = sorted(c for c in codes if texts.raw(f"content_errors.{c}", language) is None)
        assert not missing, f"{language} has no content_errors text for {missing}"


def test_a_schema_fault_is_worded_in_the_readers_language() -> None:
    bad = TEMPLATE.replace('label = "Next steps"', 'label = "' + "x" * 52 + '"')
    with pytest.raises(ContentError) as refused:
        parse_template(bad)
    worded = refused.value.worded()
    english, french = str(word(worded, "en-US")), str(word(worded, "fr"))
    assert english == str(refused.value)
    assert french == "modèle de retour : check_in.fields[1].label fait 52 caractères, 45 au maximum"
