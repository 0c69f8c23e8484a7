"""Built-in content: it loads, fits Discord's limits, and a broken file is refused clearly."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import bot.content as content_module
from bot.content import (
    CONDITIONS,
    DATA_DIR,
    ITEMS_MAX,
    JOBS,
    REQUIRED_TEMPLATES,
    REQUIRED_TOPICS,
    SKILLS,
    Content,
    ContentError,
    checklist_for,
    content,
    languages,
    load_content,
    skill,
    template,
    topic,
)
from bot.texts import catalogue
from bot.vocabulary import SessionKind

# Discord's limits (shared/docs/discord-notes.md).
MODAL_TITLE = 45
MODAL_INPUTS = 5
INPUT_LABEL = 45
INPUT_PLACEHOLDER = 100
INPUT_VALUE = 4000
SELECT_OPTIONS = 25
OPTION_LABEL = 100
OPTION_DESCRIPTION = 100
CUSTOM_ID = 100
CHOICES = 25
CHOICE_NAME = 100
EMBED_TITLE = 256
EMBED_DESCRIPTION = 4096
EMBED_FIELD_NAME = 256
EMBED_FIELD_VALUE = 1024
EMBED_TOTAL = 6000
# Room left for the headings a cog adds around the data ("Ask them", "Avoid", in any language).
HEADINGS = 300
LONGEST_SESSION_ID = "9" * 20

ALL_OFF = {
    "last_no_show": False,
    "has_open_steps": False,
    "first_session": False,
    "presentation_soon": False,
}
ALL_ON = dict.fromkeys(ALL_OFF, True)


@pytest.fixture(scope="module", params=languages())
def built_in(request: pytest.FixtureRequest) -> Content:
    """The built-in content of each language: every check below runs for each."""
    return load_content(DATA_DIR, request.param)


def shape(loaded: Content) -> dict[str, object]:
    """Return everything of the content but its texts: ids, order, conditions, settings."""
    return {
        "jobs": list(loaded.jobs),
        "checklists": {
            kind: [
                (section.job, [(item.id, item.when, item.student) for item in section.items])
                for section in checklist.sections
            ]
            for kind, checklist in loaded.checklists.items()
        },
        "templates": {
            template_id: [
                (f.id, f.style, f.required, f.max_length, f.private, f.next_steps)
                for f in form.fields
            ]
            for template_id, form in loaded.templates.items()
        },
        "topics": {
            topic_id: (answer.job, len(answer.moves), sorted(answer.for_start))
            for topic_id, answer in loaded.topics.items()
        },
        "skills": {skill_id: sorted(p.for_start) for skill_id, p in loaded.skills.items()},
        "progress": (
            loaded.progress.presentation_lead_weeks,
            loaded.progress.mock_before_presentation,
        ),
    }


def test_english_and_french_content_are_shipped() -> None:
    assert {"en", "fr"} <= set(languages())
    assert set(languages()) == set(catalogue().languages)


@pytest.mark.parametrize("language", [lang for lang in languages() if lang != "en"])
def test_every_language_has_the_same_ids_and_structure_as_english(language: str) -> None:
    assert shape(load_content(DATA_DIR, language)) == shape(load_content(DATA_DIR, "en"))


@pytest.mark.parametrize("language", [lang for lang in languages() if lang != "en"])
def test_every_language_is_really_translated(language: str) -> None:
    english, other = load_content(DATA_DIR, "en"), load_content(DATA_DIR, language)
    for kind, checklist in english.checklists.items():
        for item in checklist.items:
            assert other.checklist(kind).item(item.id).text != item.text, (kind, item.id)
    for topic_id, answer in english.topics.items():
        assert other.topic(topic_id).moves != answer.moves, topic_id
    for template_id, form in english.templates.items():
        assert other.template(template_id).title != form.title, template_id


def test_an_unknown_language_falls_back_to_english() -> None:
    assert content("de") is content("en")
    assert content(None) is content("en")
    assert content("fr").language == "fr"
    assert topic("discouraged", "fr").title != topic("discouraged").title


# --- The built-in content loads and is complete ---------------------------------------------


def test_the_built_in_content_loads_with_every_required_entry(built_in: Content) -> None:
    assert list(built_in.checklists) == list(SessionKind)
    assert set(REQUIRED_TEMPLATES) <= set(built_in.templates)
    assert set(REQUIRED_TOPICS) <= set(built_in.topics)
    assert list(built_in.skills) == list(SKILLS)
    assert list(built_in.jobs) == list(JOBS)


def test_content_is_read_once_and_helpers_use_it() -> None:
    assert content() is content()
    assert template("session_report") is content().templates["session_report"]
    assert topic("discouraged") is content().topics["discouraged"]
    assert skill("empathy") is content().skills["empathy"]


def test_unknown_ids_raise_key_error(built_in: Content) -> None:
    with pytest.raises(KeyError, match="nope"):
        built_in.template("nope")
    with pytest.raises(KeyError, match="nope"):
        built_in.topic("nope")
    with pytest.raises(KeyError, match="nope"):
        built_in.skill("nope")
    with pytest.raises(KeyError, match="nope"):
        built_in.checklist_for("nope", **ALL_OFF)


def test_the_content_module_knows_nothing_of_discord() -> None:
    source = Path(content_module.__file__).read_text("utf-8")
    assert "import discord" not in source
    assert "from discord" not in source


# --- Checklists as one select menu ------------------------------------------------------------


@pytest.mark.parametrize("kind", SessionKind)
def test_a_checklist_fits_one_select_menu(built_in: Content, kind: str) -> None:
    checklist = built_in.checklist(kind)
    items = checklist.items
    assert 6 <= len(items) <= ITEMS_MAX
    assert len(items) <= SELECT_OPTIONS
    assert len({item.id for item in items}) == len(items)
    for section in checklist.sections:
        assert len(section.hint) <= OPTION_DESCRIPTION
        for item in section.items:
            assert len(item.text) <= OPTION_LABEL, item.id
            assert len(f"prep:{LONGEST_SESSION_ID}:{item.id}") <= CUSTOM_ID
            assert item.when is None or item.when in CONDITIONS


@pytest.mark.parametrize("kind", SessionKind)
def test_sections_follow_the_four_jobs_in_order(built_in: Content, kind: str) -> None:
    jobs = [section.job for section in built_in.checklist(kind).sections]
    assert jobs == [job for job in JOBS if job in jobs]
    assert "guide" in jobs
    assert "assess" in jobs


def test_a_no_show_item_appears_only_when_the_student_missed_the_last_session(
    built_in: Content,
) -> None:
    def ids(**conditions: bool) -> set[str]:
        shown = built_in.checklist_for(SessionKind.REGULAR, **conditions)
        return {item.id for _, items in shown for item in items}

    assert "missed_last" not in ids(**ALL_OFF)
    assert "missed_last" in ids(**{**ALL_OFF, "last_no_show": True})
    assert "missed_last" not in ids(**{**ALL_ON, "last_no_show": False})


@pytest.mark.parametrize("kind", SessionKind)
def test_conditions_filter_items_and_everything_shows_when_all_apply(
    built_in: Content, kind: str
) -> None:
    checklist = built_in.checklist(kind)
    none_apply = [item for _, items in built_in.checklist_for(kind, **ALL_OFF) for item in items]
    all_apply = [item for _, items in built_in.checklist_for(kind, **ALL_ON) for item in items]
    assert all(item.when is None for item in none_apply)
    general = [item for item in checklist.items if item.student is None]
    assert none_apply == [item for item in general if item.when is None]
    assert all_apply == general


@pytest.mark.parametrize("kind", SessionKind)
@pytest.mark.parametrize("start", ["first_job", "career_change"])
def test_each_checklist_has_items_for_each_kind_of_student(
    built_in: Content, kind: str, start: str
) -> None:
    shown = built_in.checklist_for(kind, **ALL_ON, starting_point=start)
    items = [item for _, items in shown for item in items]
    own = [item for item in items if item.student is not None]
    assert own, (kind, start)
    assert all(item.student == start for item in own)
    assert len(items) == len(built_in.checklist(kind).items) - sum(
        1 for item in built_in.checklist(kind).items if item.student not in (None, start)
    )


def test_topics_and_skills_have_wording_for_each_kind_of_student(built_in: Content) -> None:
    worded = [t for t in built_in.topics.values() if t.for_start]
    assert {"discovery_session", "discouraged", "dont_know_answer"} <= {t.id for t in worded}
    for entry in [*worded, *(s for s in built_in.skills.values() if s.for_start)]:
        assert set(entry.for_start) == {"first_job", "career_change"}, entry.id


def test_each_condition_shows_only_its_own_items(built_in: Content) -> None:
    for condition in CONDITIONS:
        for kind in SessionKind:
            shown = built_in.checklist_for(kind, **{**ALL_OFF, condition: True})
            whens = {item.when for _, items in shown for item in items}
            assert whens <= {None, condition}


def test_the_module_helper_filters_the_built_in_checklist() -> None:
    shown = checklist_for(SessionKind.REGULAR, **{**ALL_OFF, "has_open_steps": True})
    guide, items = shown[0]
    assert guide.job == "guide"
    assert items[0].id == "reread_steps"


def test_a_section_whose_items_are_all_hidden_is_left_out(tmp_path: Path) -> None:
    folder = copy_data(tmp_path)
    edit(
        folder / "checklists.toml",
        'id = "real_world_link"\n',
        'id = "real_world_link"\nwhen = "presentation_soon"\n',
    )
    loaded = load_copy(folder)
    assert "inspire" not in [s.job for s, _ in loaded.checklist_for(SessionKind.REGULAR, **ALL_OFF)]
    soon = loaded.checklist_for(SessionKind.REGULAR, **{**ALL_OFF, "presentation_soon": True})
    assert "inspire" in [s.job for s, _ in soon]


# --- Feedback templates as one modal ----------------------------------------------------------


@pytest.mark.parametrize("template_id", REQUIRED_TEMPLATES)
def test_a_template_fits_one_modal(built_in: Content, template_id: str) -> None:
    form = built_in.template(template_id)
    assert len(form.title) <= MODAL_TITLE
    assert 1 <= len(form.fields) <= MODAL_INPUTS
    assert len({field.id for field in form.fields}) == len(form.fields)
    assert len(f"feedback:{form.id}:{LONGEST_SESSION_ID}") <= CUSTOM_ID
    for field in form.fields:
        assert len(field.label) <= INPUT_LABEL, field.id
        assert len(field.placeholder) <= INPUT_PLACEHOLDER, field.id
        assert 1 <= field.max_length <= INPUT_VALUE, field.id
        assert field.style in {"short", "paragraph"}
    assert sum(field.next_steps for field in form.fields) <= 1


@pytest.mark.parametrize("template_id", REQUIRED_TEMPLATES)
def test_a_filled_template_sent_to_the_student_fits_one_embed(
    built_in: Content, template_id: str
) -> None:
    form = built_in.template(template_id)
    total = len(form.title) + len(form.description)
    for field in form.shared_fields:
        assert len(field.label) <= EMBED_FIELD_NAME
        assert field.max_length <= EMBED_FIELD_VALUE, field.id
        total += len(field.label) + field.max_length
    assert total <= EMBED_TOTAL


def test_each_template_turns_agreed_steps_into_next_steps(built_in: Content) -> None:
    for template_id in REQUIRED_TEMPLATES:
        field = built_in.template(template_id).next_steps_field
        assert field is not None, template_id
        assert field.style == "paragraph"
        assert not field.private


def test_mood_and_risk_stay_private_in_the_session_report(built_in: Content) -> None:
    report = built_in.template("session_report")
    private = [field.id for field in report.fields if field.private]
    assert private == ["mood_risk"]
    assert "mood_risk" not in [field.id for field in report.shared_fields]


# --- Coaching answers as one embed -------------------------------------------------------------


@pytest.mark.parametrize("topic_id", REQUIRED_TOPICS)
def test_a_coaching_answer_fits_one_embed(built_in: Content, topic_id: str) -> None:
    answer = built_in.topic(topic_id)
    assert 3 <= len(answer.moves) <= 5
    description = "\n".join(
        [
            *(f"{number}. {move}" for number, move in enumerate(answer.moves, 1)),
            "",
            f"**Ask them:** {answer.question}",
            f"**Avoid:** {answer.pitfall}",
        ]
    )
    footer = built_in.jobs[answer.job].title
    assert len(answer.title) <= EMBED_TITLE
    assert len(description) + HEADINGS <= EMBED_DESCRIPTION
    assert len(answer.title) + len(description) + len(footer) + HEADINGS <= EMBED_TOTAL


def test_topics_cover_the_four_jobs_and_fit_command_choices(built_in: Content) -> None:
    assert {answer.job for answer in built_in.topics.values()} == set(JOBS)
    assert len(built_in.topics) <= CHOICES
    assert len(built_in.skills) <= CHOICES
    for answer in built_in.topics.values():
        assert len(answer.title) <= CHOICE_NAME
        assert len(answer.id) <= CHOICE_NAME
    for prompt in built_in.skills.values():
        assert len(prompt.title) <= CHOICE_NAME


@pytest.mark.parametrize("skill_id", SKILLS)
def test_a_skill_prompt_fits_one_embed(built_in: Content, skill_id: str) -> None:
    prompt = built_in.skill(skill_id)
    description = f"{prompt.prompt}\n\n**Try this week:** {prompt.try_this}"
    assert len(prompt.title) <= EMBED_TITLE
    assert len(description) + HEADINGS <= EMBED_DESCRIPTION
    assert len(prompt.title) + len(description) + HEADINGS <= EMBED_TOTAL


def test_presentations_are_requested_two_to_three_weeks_ahead_with_a_mock(
    built_in: Content,
) -> None:
    assert built_in.progress.presentation_lead_weeks == (2, 3)
    assert built_in.progress.mock_before_presentation is True
    assert built_in.progress.advice


# --- A broken file is refused with a message that says where --------------------------------


def copy_data(tmp_path: Path) -> Path:
    """Copy the English content to `tmp_path/data/en`; return that language folder."""
    folder = tmp_path / "data" / "en"
    folder.mkdir(parents=True)
    for path in (DATA_DIR / "en").glob("*.toml"):
        shutil.copy(path, folder / path.name)
    return folder


def load_copy(folder: Path) -> Content:
    return load_content(folder.parent, folder.name)


def edit(path: Path, old: str, new: str, *, every: bool = False) -> None:
    text = path.read_text("utf-8")
    assert old in text, f"test setup: {old!r} is not in {path.name}"
    path.write_text(text.replace(old, new, -1 if every else 1), "utf-8")


def append(path: Path, extra: str) -> None:
    path.write_text(path.read_text("utf-8") + "\n" + extra, "utf-8")


def field_toml(template_id: str, field_id: str, label: str = "Notes") -> str:
    return f"""
[[{template_id}.fields]]
id = "{field_id}"
label = "{label}"
placeholder = "Anything worth writing down"
style = "paragraph"
max_length = 500
"""


REGULAR_ITEMS = len(load_content().checklist(SessionKind.REGULAR).items)

EXTRA_TEMPLATE = """
[extra]
title = "Extra"
description = "A template added by a test."
"""

BROKEN = {
    "too-long field label": (
        "feedback_templates.toml",
        EXTRA_TEMPLATE + field_toml("extra", "notes", "x" * 60),
        "en/feedback_templates.toml: extra.fields[0].label is 60 characters, at most 45",
    ),
    "six fields in one modal": (
        "feedback_templates.toml",
        EXTRA_TEMPLATE + "".join(field_toml("extra", f"f{n}") for n in range(6)),
        "en/feedback_templates.toml: extra.fields has 6 entries, expected 1 to 5",
    ),
    "duplicate field id": (
        "feedback_templates.toml",
        EXTRA_TEMPLATE + field_toml("extra", "notes") + field_toml("extra", "notes"),
        "en/feedback_templates.toml: extra.fields[1].id 'notes' is used twice in this template",
    ),
    "unknown field key": (
        "feedback_templates.toml",
        EXTRA_TEMPLATE + field_toml("extra", "notes") + 'colour = "red"\n',
        "en/feedback_templates.toml: extra.fields[0] has unknown key 'colour'",
    ),
    "two next_steps fields": (
        "feedback_templates.toml",
        EXTRA_TEMPLATE
        + field_toml("extra", "a")
        + "next_steps = true\n"
        + field_toml("extra", "b")
        + "next_steps = true\n",
        "en/feedback_templates.toml: extra.fields has more than one next_steps field",
    ),
    "bad style": (
        "feedback_templates.toml",
        EXTRA_TEMPLATE + field_toml("extra", "notes").replace("paragraph", "long"),
        "en/feedback_templates.toml: extra.fields[0].style is 'long', expected one of",
    ),
    "too-long checklist item": (
        "checklists.toml",
        f'[[regular.guide]]\nid = "long_one"\ntext = "{"y" * 130}"\n',
        "en/checklists.toml: regular.guide[4].text is 130 characters, at most 100",
    ),
    "duplicate checklist item id": (
        "checklists.toml",
        '[[regular.inspire]]\nid = "review_project"\ntext = "Open the project again"\n',
        "en/checklists.toml: regular.inspire[1].id 'review_project' is used twice in regular",
    ),
    "unknown checklist item key": (
        "checklists.toml",
        '[[regular.inspire]]\nid = "extra"\ntext = "Something"\nnote = "?"\n',
        "en/checklists.toml: regular.inspire[1] has unknown key 'note'",
    ),
    "unknown condition": (
        "checklists.toml",
        '[[regular.inspire]]\nid = "extra"\ntext = "Something"\nwhen = "sometimes"\n',
        "en/checklists.toml: regular.inspire[1].when is 'sometimes', expected one of",
    ),
    "bad item id": (
        "checklists.toml",
        '[[regular.inspire]]\nid = "Has Spaces"\ntext = "Something"\n',
        "en/checklists.toml: regular.inspire[1].id 'Has Spaces' is not an id",
    ),
    "too many checklist items": (
        "checklists.toml",
        "".join(
            f'[[regular.inspire]]\nid = "extra_{n}"\ntext = "Extra {n}"\n'
            for n in range(ITEMS_MAX + 1 - REGULAR_ITEMS)
        ),
        f"en/checklists.toml: regular has {ITEMS_MAX + 1} items, expected 6 to {ITEMS_MAX}",
    ),
    "unknown session kind": (
        "checklists.toml",
        '[[weekly.guide]]\nid = "extra"\ntext = "Something"\n',
        "en/checklists.toml: the file has unknown key 'weekly'",
    ),
    "unknown topic key": (
        "coaching.toml",
        '[topics.extra]\ntitle = "Extra"\njob = "guide"\nmoves = ["a", "b", "c"]\n'
        'question = "Why?"\npitfall = "None."\ncolour = "red"\n',
        "en/coaching.toml: topics.extra has unknown key 'colour'",
    ),
    "too many moves": (
        "coaching.toml",
        '[topics.extra]\ntitle = "Extra"\njob = "guide"\nmoves = ["a", "b", "c", "d", "e", "f"]\n'
        'question = "Why?"\npitfall = "None."\n',
        "en/coaching.toml: topics.extra.moves has 6 entries, expected 3 to 5",
    ),
    "unknown job": (
        "coaching.toml",
        '[topics.extra]\ntitle = "Extra"\njob = "entertain"\nmoves = ["a", "b", "c"]\n'
        'question = "Why?"\npitfall = "None."\n',
        "en/coaching.toml: topics.extra.job is 'entertain', expected one of",
    ),
    "duplicate topic id": (
        "coaching.toml",
        '[topics.discouraged]\ntitle = "Again"\n',
        "en/coaching.toml: not valid TOML: Cannot declare ('topics', 'discouraged') twice",
    ),
}


@pytest.mark.parametrize(("file_name", "extra", "message"), BROKEN.values(), ids=BROKEN.keys())
def test_a_broken_file_is_refused_with_the_entry_at_fault(
    tmp_path: Path, file_name: str, extra: str, message: str
) -> None:
    folder = copy_data(tmp_path)
    append(folder / file_name, extra)
    with pytest.raises(ContentError) as caught:
        load_copy(folder)
    assert str(caught.value).startswith(message), str(caught.value)


def test_a_missing_required_topic_is_named(tmp_path: Path) -> None:
    folder = copy_data(tmp_path)
    edit(folder / "coaching.toml", "[topics.discouraged", "[topics.feeling_low", every=True)
    with pytest.raises(ContentError, match=r"en/coaching.toml: topics is missing 'discouraged'"):
        load_copy(folder)


def test_a_missing_required_template_is_named(tmp_path: Path) -> None:
    folder = copy_data(tmp_path)
    edit(folder / "feedback_templates.toml", "session_report", "session_notes", every=True)
    with pytest.raises(
        ContentError, match=r"en/feedback_templates.toml: the file is missing 'session_report'"
    ):
        load_copy(folder)


def test_a_private_next_steps_field_is_refused(tmp_path: Path) -> None:
    folder = copy_data(tmp_path)
    edit(
        folder / "feedback_templates.toml",
        "next_steps = true\n",
        "next_steps = true\nprivate = true\n",
    )
    with pytest.raises(ContentError, match=r"deliverable_review.fields\[4\] cannot be both"):
        load_copy(folder)


def test_a_text_with_stray_blank_space_is_refused(tmp_path: Path) -> None:
    folder = copy_data(tmp_path)
    edit(folder / "coaching.toml", 'title = "Empathy"', 'title = "Empathy "')
    with pytest.raises(ContentError, match=r"skills.empathy.title starts or ends with blank"):
        load_copy(folder)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    folder = copy_data(tmp_path)
    (folder / "coaching.toml").unlink()
    with pytest.raises(ContentError, match=r"en/coaching.toml: file not found"):
        load_copy(folder)


def test_a_wrong_lead_time_is_refused(tmp_path: Path) -> None:
    folder = copy_data(tmp_path)
    edit(
        folder / "coaching.toml",
        "presentation_lead_weeks = [2, 3]",
        "presentation_lead_weeks = [3, 2]",
    )
    with pytest.raises(ContentError, match=r"progress.presentation_lead_weeks\[1\] is 2"):
        load_copy(folder)
