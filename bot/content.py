"""Built-in coaching content: session-prep checklists, feedback templates, coaching answers.

The texts live in `data/*.toml` (schema in `data/README.md`), installed as the package `bot.data`;
this module reads them, checks every entry against the schema and Discord's limits, and hands
out frozen dataclasses.
"""

from __future__ import annotations

import functools
import importlib.resources
import logging
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, NoReturn

log = logging.getLogger(__name__)

# The repository's `data/` folder, installed as the package `bot.data` (see setup.py).
DATA_DIR = Path(str(importlib.resources.files("bot.data")))
CHECKLISTS_FILE = "checklists.toml"
TEMPLATES_FILE = "feedback_templates.toml"
COACHING_FILE = "coaching.toml"

JOBS = ("guide", "motivate", "inspire", "assess")
SKILLS = ("empathy", "organisation", "objectivity", "communication", "adaptability")
SESSION_KINDS = ("discovery", "regular", "mock_presentation", "assessment_prep")
CONDITIONS = ("last_no_show", "has_open_steps", "first_session", "presentation_soon")
REQUIRED_TEMPLATES = ("deliverable_review", "constructive_feedback", "session_report")
REQUIRED_TOPICS = (
    "discovery_session",
    "discouraged",
    "behind_schedule",
    "dont_know_answer",
    "hard_feedback",
    "preparing_presentation",
    "missing_sessions",
    "profession_future",
)
FIELD_STYLES = ("short", "paragraph")

ID_MAX = 32
ID_PATTERN = re.compile(r"[a-z0-9_]+")
# Checklists: one select menu per checklist, an item's text is an option label.
CHECKLIST_TITLE_MAX = 100
CHECKLIST_SUMMARY_MAX = 200
JOB_TITLE_MAX = 45
JOB_HINT_MAX = 100
ITEM_TEXT_MAX = 100
ITEMS_MIN = 6
ITEMS_MAX = 12
# Feedback templates: one modal per template.
TEMPLATE_TITLE_MAX = 45
TEMPLATE_DESCRIPTION_MAX = 100
FIELDS_MIN = 1
FIELDS_MAX = 5
FIELD_LABEL_MAX = 45
FIELD_PLACEHOLDER_MAX = 100
FIELD_LENGTH_MAX = 4000
# Coaching: one embed per answer, one command choice per topic or skill.
TOPIC_TITLE_MAX = 100
MOVES_MIN = 3
MOVES_MAX = 5
MOVE_MAX = 200
QUESTION_MAX = 200
PITFALL_MAX = 200
SKILL_TITLE_MAX = 100
SKILL_PROMPT_MAX = 400
SKILL_TRY_MAX = 200
ADVICE_MAX = 300
CHOICES_MAX = 25


class ContentError(ValueError):
    """A content file is missing, unreadable, or breaks its schema; the message says where."""


@dataclass(frozen=True)
class Job:
    """One of the mentor's four jobs, used as a checklist section heading."""

    id: str
    title: str
    hint: str


@dataclass(frozen=True)
class ChecklistItem:
    """One thing to do before a session; `when` names the condition that shows it."""

    id: str
    text: str
    when: str | None = None


@dataclass(frozen=True)
class Section:
    """The items of one checklist that serve one of the four jobs."""

    job: str
    title: str
    hint: str
    items: tuple[ChecklistItem, ...]


@dataclass(frozen=True)
class Checklist:
    """The preparation checklist for one kind of session, sections in job order."""

    kind: str
    title: str
    summary: str
    sections: tuple[Section, ...]

    @property
    def items(self) -> tuple[ChecklistItem, ...]:
        """Return every item of every section, in order."""
        return tuple(item for section in self.sections for item in section.items)

    def item(self, item_id: str, /) -> ChecklistItem:
        """Return the item with this id, or raise KeyError."""
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(f"checklist {self.kind!r} has no item {item_id!r}")

    def shown(
        self,
        *,
        last_no_show: bool,
        has_open_steps: bool,
        first_session: bool,
        presentation_soon: bool,
    ) -> list[tuple[Section, list[ChecklistItem]]]:
        """Return the sections and items that apply to this session; empty sections drop out."""
        active = {
            name
            for name, on in (
                ("last_no_show", last_no_show),
                ("has_open_steps", has_open_steps),
                ("first_session", first_session),
                ("presentation_soon", presentation_soon),
            )
            if on
        }
        shown: list[tuple[Section, list[ChecklistItem]]] = []
        for section in self.sections:
            items = [item for item in section.items if item.when is None or item.when in active]
            if items:
                shown.append((section, items))
        return shown


@dataclass(frozen=True)
class FeedbackField:
    """One text input of a feedback modal."""

    id: str
    label: str
    placeholder: str
    style: str
    required: bool
    max_length: int
    private: bool = False
    next_steps: bool = False


@dataclass(frozen=True)
class FeedbackTemplate:
    """A feedback form, opened as one modal."""

    id: str
    title: str
    description: str
    fields: tuple[FeedbackField, ...]

    @property
    def next_steps_field(self) -> FeedbackField | None:
        """Return the field whose lines become open next steps, if the template has one."""
        return next((field for field in self.fields if field.next_steps), None)

    @property
    def shared_fields(self) -> tuple[FeedbackField, ...]:
        """Return the fields the student may see (every field that is not private)."""
        return tuple(field for field in self.fields if not field.private)


@dataclass(frozen=True)
class CoachingTopic:
    """A short answer to a situation a mentor meets (`/coach topic:`)."""

    id: str
    title: str
    job: str
    moves: tuple[str, ...]
    question: str
    pitfall: str


@dataclass(frozen=True)
class SkillPrompt:
    """A reflection prompt on one transversal skill (`/coach skill:`)."""

    id: str
    title: str
    prompt: str
    try_this: str


@dataclass(frozen=True)
class Progress:
    """Planning advice: how far ahead to request a presentation, and the mock before it."""

    presentation_lead_weeks: tuple[int, int]
    mock_before_presentation: bool
    advice: str


@dataclass(frozen=True)
class Content:
    """All built-in content, checked and read-only."""

    jobs: Mapping[str, Job]
    checklists: Mapping[str, Checklist]
    templates: Mapping[str, FeedbackTemplate]
    topics: Mapping[str, CoachingTopic]
    skills: Mapping[str, SkillPrompt]
    progress: Progress

    def checklist(self, kind: str, /) -> Checklist:
        """Return the full checklist for a session kind, or raise KeyError."""
        try:
            return self.checklists[kind]
        except KeyError:
            raise KeyError(f"unknown session kind {kind!r}") from None

    def checklist_for(
        self,
        kind: str,
        *,
        last_no_show: bool,
        has_open_steps: bool,
        first_session: bool,
        presentation_soon: bool,
    ) -> list[tuple[Section, list[ChecklistItem]]]:
        """Return the sections and items that apply to this session; empty sections drop out."""
        return self.checklist(kind).shown(
            last_no_show=last_no_show,
            has_open_steps=has_open_steps,
            first_session=first_session,
            presentation_soon=presentation_soon,
        )

    def template(self, template_id: str, /) -> FeedbackTemplate:
        """Return a feedback template by id, or raise KeyError."""
        try:
            return self.templates[template_id]
        except KeyError:
            raise KeyError(f"unknown feedback template {template_id!r}") from None

    def topic(self, topic_id: str, /) -> CoachingTopic:
        """Return a coaching topic by id, or raise KeyError."""
        try:
            return self.topics[topic_id]
        except KeyError:
            raise KeyError(f"unknown coaching topic {topic_id!r}") from None

    def skill(self, skill_id: str, /) -> SkillPrompt:
        """Return a skill prompt by id, or raise KeyError."""
        try:
            return self.skills[skill_id]
        except KeyError:
            raise KeyError(f"unknown skill {skill_id!r}") from None


# --- Reading and checking -------------------------------------------------------------------


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


class _Reader:
    """Checks values from one file and raises ContentError naming the file and the entry."""

    def __init__(self, name: str) -> None:
        self.name = name

    def fail(self, path: str, problem: str) -> NoReturn:
        raise ContentError(f"{self.name}: {path or 'the file'} {problem}")

    def table(
        self,
        value: object,
        path: str,
        *,
        required: Sequence[str] = (),
        optional: Sequence[str] = (),
    ) -> dict[str, Any]:
        value = self.mapping(value, path)
        for key in value:
            if key not in required and key not in optional:
                known = ", ".join(sorted({*required, *optional})) or "none"
                self.fail(path, f"has unknown key {key!r} (known keys: {known})")
        for key in required:
            if key not in value:
                self.fail(path, f"is missing {key!r}")
        return value

    def mapping(self, value: object, path: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(path, f"must be a table, not {_kind(value)}")
        return value

    def array(self, value: object, path: str, *, low: int, high: int) -> list[Any]:
        if not isinstance(value, list):
            self.fail(path, f"must be an array, not {_kind(value)}")
        if not low <= len(value) <= high:
            self.fail(path, f"has {len(value)} entries, expected {low} to {high}")
        return value

    def text(self, value: object, path: str, *, limit: int) -> str:
        if not isinstance(value, str):
            self.fail(path, f"must be text, not {_kind(value)}")
        if not value.strip():
            self.fail(path, "is empty")
        if value != value.strip():
            self.fail(path, "starts or ends with blank space")
        if len(value) > limit:
            self.fail(path, f"is {len(value)} characters, at most {limit}")
        return value

    def ident(self, value: object, path: str) -> str:
        if not isinstance(value, str):
            self.fail(path, f"must be text, not {_kind(value)}")
        self.check_id(value, path)
        return value

    def check_id(self, value: str, path: str) -> None:
        if not ID_PATTERN.fullmatch(value) or len(value) > ID_MAX:
            self.fail(path, f"{value!r} is not an id: use 1 to {ID_MAX} of a-z, 0-9 and _")

    def choice(self, value: object, path: str, options: Sequence[str]) -> str:
        if not isinstance(value, str) or value not in options:
            self.fail(path, f"is {value!r}, expected one of: {', '.join(options)}")
        return value

    def boolean(self, value: object, path: str) -> bool:
        if not isinstance(value, bool):
            self.fail(path, f"must be true or false, not {_kind(value)}")
        return value

    def integer(self, value: object, path: str, *, low: int, high: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(path, f"must be a whole number, not {_kind(value)}")
        if not low <= value <= high:
            self.fail(path, f"is {value}, expected {low} to {high}")
        return value

    def require(self, present: Mapping[str, object], wanted: Sequence[str], path: str) -> None:
        missing = [key for key in wanted if key not in present]
        if missing:
            self.fail(path, f"is missing {', '.join(repr(key) for key in missing)}")


def _kind(value: object) -> str:
    return {
        str: "text",
        bool: "true/false",
        int: "a number",
        float: "a number",
        list: "an array",
        dict: "a table",
    }.get(type(value), type(value).__name__)


def _read_toml(folder: Path, name: str) -> dict[str, Any]:
    path = folder / name
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ContentError(f"{name}: file not found in {folder}") from None
    except tomllib.TOMLDecodeError as error:
        raise ContentError(f"{name}: not valid TOML: {error}") from None


def _read_checklists(data: dict[str, Any]) -> tuple[dict[str, Job], dict[str, Checklist]]:
    reader = _Reader(CHECKLISTS_FILE)
    reader.table(data, "", required=("jobs", *SESSION_KINDS))
    jobs_table = reader.table(data["jobs"], "jobs", required=JOBS)
    jobs: dict[str, Job] = {}
    for job_id in JOBS:
        path = f"jobs.{job_id}"
        raw = reader.table(jobs_table[job_id], path, required=("title", "hint"))
        jobs[job_id] = Job(
            id=job_id,
            title=reader.text(raw["title"], f"{path}.title", limit=JOB_TITLE_MAX),
            hint=reader.text(raw["hint"], f"{path}.hint", limit=JOB_HINT_MAX),
        )

    checklists = {kind: _read_checklist(reader, kind, data[kind], jobs) for kind in SESSION_KINDS}
    return jobs, checklists


def _read_checklist(
    reader: _Reader, kind: str, value: object, jobs: Mapping[str, Job]
) -> Checklist:
    raw = reader.table(value, kind, required=("title", "summary"), optional=JOBS)
    seen: set[str] = set()
    sections: list[Section] = []
    for job_id in JOBS:  # sections always come in job order, whatever the file's order
        if job_id not in raw:
            continue
        section_path = f"{kind}.{job_id}"
        entries = reader.array(raw[job_id], section_path, low=1, high=ITEMS_MAX)
        items: list[ChecklistItem] = []
        for index, entry in enumerate(entries):
            path = f"{section_path}[{index}]"
            item_raw = reader.table(entry, path, required=("id", "text"), optional=("when",))
            item_id = reader.ident(item_raw["id"], f"{path}.id")
            if item_id in seen:
                reader.fail(f"{path}.id", f"{item_id!r} is used twice in {kind}")
            seen.add(item_id)
            when = item_raw.get("when")
            items.append(
                ChecklistItem(
                    id=item_id,
                    text=reader.text(item_raw["text"], f"{path}.text", limit=ITEM_TEXT_MAX),
                    when=None if when is None else reader.choice(when, f"{path}.when", CONDITIONS),
                )
            )
        job = jobs[job_id]
        sections.append(Section(job_id, job.title, job.hint, tuple(items)))
    count = sum(len(section.items) for section in sections)
    if not ITEMS_MIN <= count <= ITEMS_MAX:
        reader.fail(kind, f"has {count} items, expected {ITEMS_MIN} to {ITEMS_MAX}")
    return Checklist(
        kind=kind,
        title=reader.text(raw["title"], f"{kind}.title", limit=CHECKLIST_TITLE_MAX),
        summary=reader.text(raw["summary"], f"{kind}.summary", limit=CHECKLIST_SUMMARY_MAX),
        sections=tuple(sections),
    )


def _read_templates(data: dict[str, Any]) -> dict[str, FeedbackTemplate]:
    reader = _Reader(TEMPLATES_FILE)
    templates = {
        template_id: _read_template(reader, template_id, value)
        for template_id, value in data.items()
    }
    reader.require(templates, REQUIRED_TEMPLATES, "")
    return templates


def _read_template(reader: _Reader, template_id: str, value: object) -> FeedbackTemplate:
    reader.check_id(template_id, template_id)
    raw = reader.table(value, template_id, required=("title", "description", "fields"))
    entries = reader.array(raw["fields"], f"{template_id}.fields", low=FIELDS_MIN, high=FIELDS_MAX)
    fields: list[FeedbackField] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        fields.append(_read_field(reader, entry, f"{template_id}.fields[{index}]", seen))
    if sum(field.next_steps for field in fields) > 1:
        reader.fail(f"{template_id}.fields", "has more than one next_steps field")
    return FeedbackTemplate(
        id=template_id,
        title=reader.text(raw["title"], f"{template_id}.title", limit=TEMPLATE_TITLE_MAX),
        description=reader.text(
            raw["description"], f"{template_id}.description", limit=TEMPLATE_DESCRIPTION_MAX
        ),
        fields=tuple(fields),
    )


def _read_field(reader: _Reader, entry: object, path: str, seen: set[str]) -> FeedbackField:
    raw = reader.table(
        entry,
        path,
        required=("id", "label", "placeholder", "style", "max_length"),
        optional=("required", "private", "next_steps"),
    )
    field_id = reader.ident(raw["id"], f"{path}.id")
    if field_id in seen:
        reader.fail(f"{path}.id", f"{field_id!r} is used twice in this template")
    seen.add(field_id)
    field = FeedbackField(
        id=field_id,
        label=reader.text(raw["label"], f"{path}.label", limit=FIELD_LABEL_MAX),
        placeholder=reader.text(
            raw["placeholder"], f"{path}.placeholder", limit=FIELD_PLACEHOLDER_MAX
        ),
        style=reader.choice(raw["style"], f"{path}.style", FIELD_STYLES),
        required=reader.boolean(raw.get("required", True), f"{path}.required"),
        max_length=reader.integer(
            raw["max_length"], f"{path}.max_length", low=1, high=FIELD_LENGTH_MAX
        ),
        private=reader.boolean(raw.get("private", False), f"{path}.private"),
        next_steps=reader.boolean(raw.get("next_steps", False), f"{path}.next_steps"),
    )
    if field.next_steps and field.private:
        reader.fail(path, "cannot be both private and next_steps: the student sees next steps")
    if field.next_steps and field.style != "paragraph":
        reader.fail(f"{path}.style", "must be 'paragraph' for a next_steps field (one per line)")
    return field


def _read_coaching(
    data: dict[str, Any],
) -> tuple[dict[str, CoachingTopic], dict[str, SkillPrompt], Progress]:
    reader = _Reader(COACHING_FILE)
    reader.table(data, "", required=("topics", "skills", "progress"))

    topics_table = reader.mapping(data["topics"], "topics")
    if len(topics_table) > CHOICES_MAX:
        reader.fail("topics", f"has {len(topics_table)} entries, at most {CHOICES_MAX}")
    topics: dict[str, CoachingTopic] = {}
    for topic_id, value in topics_table.items():
        path = f"topics.{topic_id}"
        reader.check_id(topic_id, path)
        raw = reader.table(value, path, required=("title", "job", "moves", "question", "pitfall"))
        moves = reader.array(raw["moves"], f"{path}.moves", low=MOVES_MIN, high=MOVES_MAX)
        topics[topic_id] = CoachingTopic(
            id=topic_id,
            title=reader.text(raw["title"], f"{path}.title", limit=TOPIC_TITLE_MAX),
            job=reader.choice(raw["job"], f"{path}.job", JOBS),
            moves=tuple(
                reader.text(move, f"{path}.moves[{index}]", limit=MOVE_MAX)
                for index, move in enumerate(moves)
            ),
            question=reader.text(raw["question"], f"{path}.question", limit=QUESTION_MAX),
            pitfall=reader.text(raw["pitfall"], f"{path}.pitfall", limit=PITFALL_MAX),
        )
    reader.require(topics, REQUIRED_TOPICS, "topics")

    skills_table = reader.table(data["skills"], "skills", required=SKILLS)
    skills: dict[str, SkillPrompt] = {}
    for skill_id in SKILLS:
        path = f"skills.{skill_id}"
        raw = reader.table(skills_table[skill_id], path, required=("title", "prompt", "try_this"))
        skills[skill_id] = SkillPrompt(
            id=skill_id,
            title=reader.text(raw["title"], f"{path}.title", limit=SKILL_TITLE_MAX),
            prompt=reader.text(raw["prompt"], f"{path}.prompt", limit=SKILL_PROMPT_MAX),
            try_this=reader.text(raw["try_this"], f"{path}.try_this", limit=SKILL_TRY_MAX),
        )

    raw = reader.table(
        data["progress"],
        "progress",
        required=("presentation_lead_weeks", "mock_before_presentation", "advice"),
    )
    weeks = reader.array(
        raw["presentation_lead_weeks"], "progress.presentation_lead_weeks", low=2, high=2
    )
    earliest = reader.integer(weeks[0], "progress.presentation_lead_weeks[0]", low=1, high=12)
    latest = reader.integer(weeks[1], "progress.presentation_lead_weeks[1]", low=earliest, high=12)
    progress = Progress(
        presentation_lead_weeks=(earliest, latest),
        mock_before_presentation=reader.boolean(
            raw["mock_before_presentation"], "progress.mock_before_presentation"
        ),
        advice=reader.text(raw["advice"], "progress.advice", limit=ADVICE_MAX),
    )
    return topics, skills, progress


# --- One entry from a server (moderators' own checklists and templates) ---------------------

CHECKLIST_ENTRY = "checklist"
TEMPLATE_ENTRY = "feedback template"


def _one_entry(text: str, name: str, example: str) -> tuple[_Reader, str, object]:
    reader = _Reader(name)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ContentError(f"{name}: not valid TOML: {error}") from None
    if len(data) != 1:
        found = ", ".join(repr(key) for key in data) or "nothing"
        reader.fail("", f"holds {found}, expected exactly one table such as [{example}]")
    [(key, value)] = data.items()
    return reader, key, value


def parse_template(text: str) -> FeedbackTemplate:
    """Read one feedback template, a `[id]` table as in `feedback_templates.toml`.

    Raise ContentError naming the bad field, with the same checks as the built-in file.
    """
    reader, template_id, value = _one_entry(text, TEMPLATE_ENTRY, "my_template")
    return _read_template(reader, template_id, value)


def parse_checklist(text: str, jobs: Mapping[str, Job] | None = None) -> Checklist:
    """Read one checklist, a `[kind]` table as in `checklists.toml` (sections use `jobs`).

    Raise ContentError naming the bad field, with the same checks as the built-in file.
    """
    reader, kind, value = _one_entry(text, CHECKLIST_ENTRY, "regular")
    reader.choice(kind, "the table name", SESSION_KINDS)
    return _read_checklist(reader, kind, value, content().jobs if jobs is None else jobs)


def load_content(folder: Path = DATA_DIR) -> Content:
    """Read and check the three content files in `folder`; raise ContentError on any fault."""
    jobs, checklists = _read_checklists(_read_toml(folder, CHECKLISTS_FILE))
    templates = _read_templates(_read_toml(folder, TEMPLATES_FILE))
    topics, skills, progress = _read_coaching(_read_toml(folder, COACHING_FILE))
    log.debug(
        "loaded content: %d checklists, %d templates, %d topics, %d skills",
        len(checklists),
        len(templates),
        len(topics),
        len(skills),
    )
    return Content(
        jobs=MappingProxyType(jobs),
        checklists=MappingProxyType(checklists),
        templates=MappingProxyType(templates),
        topics=MappingProxyType(topics),
        skills=MappingProxyType(skills),
        progress=progress,
    )


@functools.cache
def content() -> Content:
    """Return the built-in content, read once from `data/`."""
    return load_content()


def checklist_for(
    kind: str,
    *,
    last_no_show: bool,
    has_open_steps: bool,
    first_session: bool,
    presentation_soon: bool,
) -> list[tuple[Section, list[ChecklistItem]]]:
    """Return the built-in checklist for a session kind, filtered by the session's conditions."""
    return content().checklist_for(
        kind,
        last_no_show=last_no_show,
        has_open_steps=has_open_steps,
        first_session=first_session,
        presentation_soon=presentation_soon,
    )


def template(template_id: str, /) -> FeedbackTemplate:
    """Return a built-in feedback template by id."""
    return content().template(template_id)


def topic(topic_id: str, /) -> CoachingTopic:
    """Return a built-in coaching topic by id."""
    return content().topic(topic_id)


def skill(skill_id: str, /) -> SkillPrompt:
    """Return a built-in skill prompt by id."""
    return content().skill(skill_id)
