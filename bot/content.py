"""Built-in coaching content: session-prep checklists, feedback templates, coaching answers.

The texts live in `data/<language>/*.toml` (schema in `data/README.md`), one folder per
language, English the fallback; the repository's `data/` is installed as the package `bot.data`.
The schema is a set of pydantic models (`extra="forbid"`, field limits from Discord); this module
reads each file through them, turns the first fault into a `ContentError` that names the file and
the field, and hands out frozen dataclasses.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.resources
import logging
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Any, NoReturn, TypeVar, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError

from bot.refusal import Worded
from bot.vocabulary import SessionKind

log = logging.getLogger(__name__)

# The repository's `data/` folder, installed as the package `bot.data` (see setup.py).
DATA_DIR = Path(str(importlib.resources.files("bot.data")))
"""The home of the content: one folder per language (`data/en`, `data/fr`)."""
FALLBACK_LANGUAGE = "en"
CHECKLISTS_FILE = "checklists.toml"
TEMPLATES_FILE = "feedback_templates.toml"
COACHING_FILE = "coaching.toml"

JOBS = ("guide", "motivate", "inspire", "assess")
SKILLS = ("empathy", "organisation", "objectivity", "communication", "adaptability")
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
STARTING_POINTS = ("first_job", "career_change", "other")
"""Where a student starts from: a first job, a career change with experience, or other."""

ID_MAX = 32
ID_PATTERN = r"^[a-z0-9_]{1,32}$"
# Checklists: one select menu per checklist, an item's text is an option label.
CHECKLIST_TITLE_MAX = 100
CHECKLIST_SUMMARY_MAX = 200
JOB_TITLE_MAX = 45
JOB_HINT_MAX = 100
ITEM_TEXT_MAX = 100
ITEMS_MIN = 6
ITEMS_MAX = 14
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
FOR_START_MAX = 300
CHOICES_MAX = 25


class ContentError(ValueError):
    """A content file is missing, unreadable, or breaks its schema; the message says where.

    `source` names the file (or the kind of entry), `path` the field ("regular.guide[2].text",
    empty for the whole file, None when the file cannot be read), `problem` what is wrong.
    """

    def __init__(
        self, source: str, path: str | None, problem: str, code: str = "", **values: object
    ) -> None:
        where = "" if path is None else f"{path or 'the file'} "
        super().__init__(f"{source}: {where}{problem}")
        self.source = source
        self.path = path
        self.problem = problem
        self.code = code
        """The problem's catalogue name (`content_errors.<code>`); empty: only the English."""
        self.values = values
        """The problem's parts, to word it in another language."""

    def worded(self) -> Worded:
        """Return the whole message as a text to word in the reader's language."""
        problem: object = self.problem
        if self.code:
            problem = Worded(
                f"content_errors.{self.code}", self.problem, _worded_kinds(self.values)
            )
        source: object = self.source
        if self.source in _ENTRY_SOURCES:
            source = Worded(_ENTRY_SOURCES[self.source], self.source)
        if self.path is None:
            values = {"source": source, "problem": problem}
            return Worded("content_errors.fault_whole", str(self), values)
        path: object = self.path
        if self.path in _PLACES:
            path = Worded(_PLACES[self.path], self.path or "the file")
        values = {"source": source, "path": path, "problem": problem}
        return Worded("content_errors.fault", str(self), values)


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
    student: str | None = None
    """A starting point (`STARTING_POINTS`): the item is shown only for such students."""


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
        starting_point: str | None = None,
    ) -> list[tuple[Section, list[ChecklistItem]]]:
        """Return the sections and items that apply to this session; empty sections drop out.

        An item for a starting point shows only for a student who starts from there.
        """
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
            items = [
                item
                for item in section.items
                if (item.when is None or item.when in active)
                and (item.student is None or item.student == starting_point)
            ]
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
    for_start: Mapping[str, str] = dataclasses.field(default_factory=lambda: MappingProxyType({}))
    """Extra advice by the student's starting point (`first_job`, `career_change`)."""


@dataclass(frozen=True)
class SkillPrompt:
    """A reflection prompt on one transversal skill (`/coach skill:`)."""

    id: str
    title: str
    prompt: str
    try_this: str
    for_start: Mapping[str, str] = dataclasses.field(default_factory=lambda: MappingProxyType({}))
    """Extra advice by the student's starting point (`first_job`, `career_change`)."""


@dataclass(frozen=True)
class Progress:
    """Planning advice: how far ahead to request a presentation, and the mock before it."""

    presentation_lead_weeks: tuple[int, int]
    mock_before_presentation: bool
    advice: str


@dataclass(frozen=True)
class Content:
    """All built-in content of one language, checked and read-only."""

    language: str
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
        starting_point: str | None = None,
    ) -> list[tuple[Section, list[ChecklistItem]]]:
        """Return the sections and items that apply to this session; empty sections drop out."""
        return self.checklist(kind).shown(
            last_no_show=last_no_show,
            has_open_steps=has_open_steps,
            first_session=first_session,
            presentation_soon=presentation_soon,
            starting_point=starting_point,
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


# --- The schema: pydantic models of the TOML files ------------------------------------------
#
# Each model is one table of a file. Shapes, limits and choices are declared here; the few
# rules that span entries (ids used twice, item counts) are model validators. A fault becomes a
# `ContentError` through `_problem()`, which words pydantic's error in our own terms.


def _fault(kind: str, message: str, at: Sequence[str | int] = (), **values: Any) -> NoReturn:
    """Raise a schema fault; `at` extends the path below the model that raises it."""
    raise PydanticCustomError(kind, message, {"at": tuple(at), **values})


def _text(high: int) -> AfterValidator:
    """Check a one-string text: not blank, no stray blank space, at most `high` characters."""

    def check(value: str) -> str:
        if not value.strip():
            _fault("blank", "is empty")
        if value != value.strip():
            _fault("padded", "starts or ends with blank space")
        if len(value) > high:
            _fault(
                "too_long",
                f"is {len(value)} characters, at most {high}",
                count=len(value),
                high=high,
            )
        return value

    return AfterValidator(check)


def _one_of(options: Sequence[str]) -> AfterValidator:
    """Check a word is one of a fixed set."""

    def check(value: str) -> str:
        if value not in options:
            _fault(
                "choice",
                f"is {value!r}, expected one of: {', '.join(options)}",
                value=repr(value),
                options=", ".join(options),
            )
        return value

    return AfterValidator(check)


def _is_id(value: str) -> str:
    if not re.fullmatch(ID_PATTERN, value):
        _fault(
            "not_id",
            f"{value!r} is not an id: use 1 to {ID_MAX} of a-z, 0-9 and _",
            value=repr(value),
            high=ID_MAX,
        )
    return value


def _count(low: int, high: int) -> AfterValidator:
    """Check an array holds `low` to `high` entries."""

    def check(value: list[Any]) -> list[Any]:
        if not low <= len(value) <= high:
            _fault(
                "count",
                f"has {len(value)} entries, expected {low} to {high}",
                count=len(value),
                low=low,
                high=high,
            )
        return value

    return AfterValidator(check)


def _between(low: int, high: int) -> AfterValidator:
    """Check a whole number is within bounds."""

    def check(value: int) -> int:
        if not low <= value <= high:
            _fault(
                "range", f"is {value}, expected {low} to {high}", value=value, low=low, high=high
            )
        return value

    return AfterValidator(check)


_Id = Annotated[str, AfterValidator(_is_id)]
_StartText = Annotated[str, _text(FOR_START_MAX)]


class _Table(BaseModel):
    """One TOML table: unknown keys refused, no type coercion."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class _ForStart(_Table):
    """Extra wording for students by starting point."""

    first_job: _StartText | None = None
    career_change: _StartText | None = None
    other: _StartText | None = None


class JobModel(_Table):
    """`[jobs.<job>]`: a checklist section heading."""

    title: Annotated[str, _text(JOB_TITLE_MAX)]
    hint: Annotated[str, _text(JOB_HINT_MAX)]


class JobsModel(_Table):
    """`[jobs]`: the four jobs, all required."""

    guide: JobModel
    motivate: JobModel
    inspire: JobModel
    assess: JobModel


class ItemModel(_Table):
    """`[[<kind>.<job>]]`: one checklist item."""

    id: _Id
    text: Annotated[str, _text(ITEM_TEXT_MAX)]
    when: Annotated[str, _one_of(CONDITIONS)] | None = None
    student: Annotated[str, _one_of(STARTING_POINTS)] | None = None


def _known_language(value: str) -> str:
    known = languages()
    if value not in known:
        _fault(
            "language",
            f"{value!r} is not a language of the bot ({', '.join(known)})",
            value=repr(value),
            known=", ".join(known),
        )
    return value


_Language = Annotated[str, AfterValidator(_known_language)]


class ChecklistTranslation(_Table):
    """`[<kind>.translations.<language>]`: a server checklist's texts in another language."""

    title: Annotated[str, _text(CHECKLIST_TITLE_MAX)]
    summary: Annotated[str, _text(CHECKLIST_SUMMARY_MAX)]
    items: dict[_Id, Annotated[str, _text(ITEM_TEXT_MAX)]] = {}


class FieldTranslation(_Table):
    """`[<template>.translations.<language>.fields.<field id>]`: one field's texts."""

    label: Annotated[str, _text(FIELD_LABEL_MAX)]
    placeholder: Annotated[str, _text(FIELD_PLACEHOLDER_MAX)] | None = None


class TemplateTranslation(_Table):
    """`[<template>.translations.<language>]`: a server template's texts in another language."""

    title: Annotated[str, _text(TEMPLATE_TITLE_MAX)]
    description: Annotated[str, _text(TEMPLATE_DESCRIPTION_MAX)]
    fields: dict[_Id, FieldTranslation] = {}


class ChecklistModel(_Table):
    """`[<kind>]`: the checklist of one session kind, its items in one array per job."""

    title: Annotated[str, _text(CHECKLIST_TITLE_MAX)]
    summary: Annotated[str, _text(CHECKLIST_SUMMARY_MAX)]
    guide: Annotated[list[ItemModel], _count(1, ITEMS_MAX)] | None = None
    motivate: Annotated[list[ItemModel], _count(1, ITEMS_MAX)] | None = None
    inspire: Annotated[list[ItemModel], _count(1, ITEMS_MAX)] | None = None
    assess: Annotated[list[ItemModel], _count(1, ITEMS_MAX)] | None = None
    translations: dict[_Language, ChecklistTranslation] = {}
    """A server's own checklist may carry its texts in other languages (per-field)."""

    def sections(self) -> list[tuple[str, list[ItemModel]]]:
        """Return (job, items) in job order, whatever the file's order."""
        found = ((job, getattr(self, job)) for job in JOBS)
        return [(job, items) for job, items in found if items is not None]

    @model_validator(mode="after")
    def _ids_and_count(self) -> ChecklistModel:
        seen: set[str] = set()
        for job, items in self.sections():
            for index, item in enumerate(items):
                if item.id in seen:
                    _fault(
                        "twice_checklist",
                        f"{item.id!r} is used twice in {{kind}}",
                        (job, index, "id"),
                        id=repr(item.id),
                    )
                seen.add(item.id)
        count = sum(len(items) for _, items in self.sections())
        if not ITEMS_MIN <= count <= ITEMS_MAX:
            _fault(
                "item_count",
                f"has {count} items, expected {ITEMS_MIN} to {ITEMS_MAX}",
                count=count,
                low=ITEMS_MIN,
                high=ITEMS_MAX,
            )
        for language, translated in self.translations.items():
            for item_id in translated.items:
                if item_id not in seen:
                    _fault(
                        "unknown_item",
                        f"names no item of this checklist: {item_id!r}",
                        ("translations", language, "items", item_id),
                        item=repr(item_id),
                    )
        return self


class ChecklistsFile(_Table):
    """`checklists.toml`: the jobs, then one checklist per session kind (all required)."""

    jobs: JobsModel
    discovery: ChecklistModel
    regular: ChecklistModel
    mock_presentation: ChecklistModel
    assessment_prep: ChecklistModel


class FieldModel(_Table):
    """`[[<template>.fields]]`: one text input of a feedback modal."""

    id: _Id
    label: Annotated[str, _text(FIELD_LABEL_MAX)]
    placeholder: Annotated[str, _text(FIELD_PLACEHOLDER_MAX)]
    style: Annotated[str, _one_of(FIELD_STYLES)]
    max_length: Annotated[int, _between(1, FIELD_LENGTH_MAX)]
    required: bool = True
    private: bool = False
    next_steps: bool = False

    @model_validator(mode="after")
    def _next_steps_rules(self) -> FieldModel:
        if self.next_steps and self.private:
            _fault(
                "private_steps",
                "cannot be both private and next_steps: the student sees next steps",
            )
        if self.next_steps and self.style != "paragraph":
            _fault(
                "steps_style",
                "must be 'paragraph' for a next_steps field (one per line)",
                ("style",),
            )
        return self


class TemplateModel(_Table):
    """`[<template id>]`: a feedback form, opened as one modal."""

    title: Annotated[str, _text(TEMPLATE_TITLE_MAX)]
    description: Annotated[str, _text(TEMPLATE_DESCRIPTION_MAX)]
    fields: Annotated[list[FieldModel], _count(FIELDS_MIN, FIELDS_MAX)]
    translations: dict[_Language, TemplateTranslation] = {}
    """A server's own template may carry its texts in other languages (per-field)."""

    @model_validator(mode="after")
    def _unique_fields(self) -> TemplateModel:
        seen: set[str] = set()
        for index, field in enumerate(self.fields):
            if field.id in seen:
                _fault(
                    "twice_template",
                    f"{field.id!r} is used twice in this template",
                    ("fields", index, "id"),
                    id=repr(field.id),
                )
            seen.add(field.id)
        if sum(field.next_steps for field in self.fields) > 1:
            _fault("steps_twice", "has more than one next_steps field", ("fields",))
        for language, translated in self.translations.items():
            for field_id in translated.fields:
                if field_id not in seen:
                    _fault(
                        "unknown_field",
                        f"names no field of this template: {field_id!r}",
                        ("translations", language, "fields", field_id),
                        field=repr(field_id),
                    )
        return self


class TopicModel(_Table):
    """`[topics.<id>]`: one `/coach topic:` answer."""

    title: Annotated[str, _text(TOPIC_TITLE_MAX)]
    job: Annotated[str, _one_of(JOBS)]
    moves: Annotated[list[Annotated[str, _text(MOVE_MAX)]], _count(MOVES_MIN, MOVES_MAX)]
    question: Annotated[str, _text(QUESTION_MAX)]
    pitfall: Annotated[str, _text(PITFALL_MAX)]
    for_start: _ForStart | None = None


class SkillModel(_Table):
    """`[skills.<skill>]`: one `/coach skill:` prompt."""

    title: Annotated[str, _text(SKILL_TITLE_MAX)]
    prompt: Annotated[str, _text(SKILL_PROMPT_MAX)]
    try_this: Annotated[str, _text(SKILL_TRY_MAX)]
    for_start: _ForStart | None = None


class SkillsModel(_Table):
    """`[skills]`: the five skills, all required."""

    empathy: SkillModel
    organisation: SkillModel
    objectivity: SkillModel
    communication: SkillModel
    adaptability: SkillModel


class ProgressModel(_Table):
    """`[progress]`: planning advice for the end of a project."""

    presentation_lead_weeks: Annotated[list[Annotated[int, _between(1, 12)]], _count(2, 2)]
    mock_before_presentation: bool
    advice: Annotated[str, _text(ADVICE_MAX)]

    @model_validator(mode="after")
    def _ordered(self) -> ProgressModel:
        earliest, latest = self.presentation_lead_weeks
        if latest < earliest:
            _fault(
                "range",
                f"is {latest}, expected {earliest} to 12",
                ("presentation_lead_weeks", 1),
            )
        return self


class CoachingFile(_Table):
    """`coaching.toml`: topics (by id), the five skills, planning advice."""

    topics: dict[str, TopicModel]
    skills: SkillsModel
    progress: ProgressModel


# --- From pydantic's errors to a message that names the field --------------------------------

_KINDS = {
    str: "text",
    bool: "true/false",
    int: "a number",
    float: "a number",
    list: "an array",
    dict: "a table",
}
_KIND_NAMES = {
    "text": "text",
    "true/false": "bool",
    "a number": "number",
    "an array": "array",
    "a table": "table",
    "a date or time": "datetime",
}
_WANTED = {
    "string_type": "must be text",
    "bool_type": "must be true or false",
    "int_type": "must be a whole number",
    "list_type": "must be an array",
    "model_type": "must be a table",
    "model_attributes_type": "must be a table",
    "dict_type": "must be a table",
}


def _worded_kinds(values: Mapping[str, object]) -> dict[str, object]:
    """Word the kind of value found (`got`) in the reader's language too."""
    got = values.get("got")
    if not isinstance(got, str):
        return dict(values)
    return {**values, "got": Worded(f"content_errors.kind.{_KIND_NAMES.get(got, 'other')}", got)}


def _kind(value: object) -> str:
    kind = _KINDS.get(type(value))
    if kind is None:
        kind = "a date or time" if hasattr(value, "isoformat") else type(value).__name__
    return kind


def _path(loc: Sequence[str | int]) -> str:
    path = ""
    for part in loc:
        if part == "[key]":  # a table key that is itself wrong: the key names the place
            continue
        path = f"{path}[{part}]" if isinstance(part, int) else (f"{path}.{part}" if path else part)
    return path


def _model_at(model: type[BaseModel], loc: Sequence[str | int]) -> type[BaseModel] | None:
    """Return the model that describes the table at `loc`, if the schema names one."""
    current: Any = model
    for part in loc:
        while (
            get_origin(current) is Annotated
            or type(current).__name__ == "UnionType"
            or (get_origin(current) is not None and get_origin(current) not in (list, dict))
        ):
            args = [arg for arg in get_args(current) if arg is not type(None)]
            current = args[0]
        if isinstance(part, int) or get_origin(current) is dict:
            current = get_args(current)[-1] if get_origin(current) in (list, dict) else current
            if isinstance(part, int):
                continue
            if get_origin(current) is not None:
                continue
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(part))
            if field is None:
                return None
            current = field.annotation
        else:
            return None
    while not (isinstance(current, type) and issubclass(current, BaseModel)):
        args = [arg for arg in get_args(current) if arg is not type(None)]
        if not args:
            return None
        current = args[0]
    return current


def _problem(
    model: type[BaseModel], error: ValidationError, prefix: Sequence[str | int] = ()
) -> ContentError:
    """Return the fault pydantic found first, worded in our terms, for a file named later."""
    first = error.errors(include_url=False)[0]
    loc: list[str | int] = list(first["loc"])
    kind = first["type"]
    context = dict(first.get("ctx") or {})
    if kind == "extra_forbidden":
        key = loc.pop()
        known = _model_at(model, loc)
        names = ", ".join(sorted(known.model_fields)) if known is not None else "none"
        problem = f"has unknown key {key!r} (known keys: {names})"
        return _fault_at([*prefix, *loc], problem, "unknown_key", name=repr(key), known=names)
    if kind == "missing":
        key = loc.pop()
        return _fault_at([*prefix, *loc], f"is missing {key!r}", "missing_key", name=repr(key))
    if kind in _WANTED:
        got = _kind(first["input"])
        problem = f"{_WANTED[kind]}, not {got}"
        wanted = Worded(f"content_errors.wanted.{kind}", _WANTED[kind])
        return _fault_at([*prefix, *loc], problem, "wrong_type", wanted=wanted, got=got)
    at = context.pop("at", None)
    if isinstance(at, tuple):
        loc += list(at)
        message = first["msg"]
        if "{kind}" in message:
            context["kind"] = str((list(prefix) or loc)[0])
            message = message.replace("{kind}", context["kind"])
        return _fault_at([*prefix, *loc], message, kind, **context)
    return _fault_at([*prefix, *loc], first["msg"], "other", detail=first["msg"])


def _fault_at(loc: Sequence[str | int], problem: str, code: str, **values: object) -> ContentError:
    return ContentError("", _path(loc), problem, code, **values)


_M = TypeVar("_M", bound=BaseModel)


def _validate(model: type[_M], value: object, source: str, prefix: Sequence[str | int] = ()) -> _M:
    try:
        return model.model_validate(value)
    except ValidationError as error:
        fault = _problem(model, error, prefix)
        raise ContentError(source, fault.path, fault.problem, fault.code, **fault.values) from None


def _check_id(source: str, value: str, path: str) -> None:
    try:
        _is_id(value)
    except PydanticCustomError as error:
        values = {key: value for key, value in (error.context or {}).items() if key != "at"}
        raise ContentError(source, path, error.message(), error.type, **values) from None


def _require(source: str, present: Mapping[str, object], wanted: Sequence[str], path: str) -> None:
    missing = [key for key in wanted if key not in present]
    if missing:
        keys = ", ".join(repr(key) for key in missing)
        raise ContentError(source, path, f"is missing {keys}", "missing_key", name=keys)


# --- From the models to the content the bot uses ---------------------------------------------


def _read_toml(folder: Path, name: str) -> dict[str, Any]:
    path = folder / name
    source = f"{folder.name}/{name}"
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        problem = f"file not found in {folder}"
        raise ContentError(source, None, problem, "no_file", folder=str(folder)) from None
    except tomllib.TOMLDecodeError as error:
        problem = f"not valid TOML: {error}"
        raise ContentError(source, None, problem, "not_toml", detail=str(error)) from None


def _jobs(model: JobsModel) -> dict[str, Job]:
    return {
        job_id: Job(id=job_id, title=raw.title, hint=raw.hint)
        for job_id in JOBS
        for raw in (getattr(model, job_id),)
    }


def _checklist(
    kind: str, model: ChecklistModel, jobs: Mapping[str, Job], language: str | None = None
) -> Checklist:
    """Build a checklist, in `language` when the entry carries that translation."""
    translated = model.translations.get(language or "")
    texts = {} if translated is None else translated.items
    sections = tuple(
        Section(
            job_id,
            jobs[job_id].title,
            jobs[job_id].hint,
            tuple(
                ChecklistItem(
                    id=item.id,
                    text=texts.get(item.id, item.text),
                    when=item.when,
                    student=item.student,
                )
                for item in items
            ),
        )
        for job_id, items in model.sections()
    )
    return Checklist(
        kind=kind,
        title=model.title if translated is None else translated.title,
        summary=model.summary if translated is None else translated.summary,
        sections=sections,
    )


def _template(
    template_id: str, model: TemplateModel, language: str | None = None
) -> FeedbackTemplate:
    """Build a template, in `language` when the entry carries that translation."""
    translated = model.translations.get(language or "")
    names = {} if translated is None else translated.fields
    return FeedbackTemplate(
        id=template_id,
        title=model.title if translated is None else translated.title,
        description=model.description if translated is None else translated.description,
        fields=tuple(
            FeedbackField(
                id=field.id,
                label=names[field.id].label if field.id in names else field.label,
                placeholder=(names[field.id].placeholder if field.id in names else None)
                or field.placeholder,
                style=field.style,
                required=field.required,
                max_length=field.max_length,
                private=field.private,
                next_steps=field.next_steps,
            )
            for field in model.fields
        ),
    )


def _for_start(model: _ForStart | None) -> Mapping[str, str]:
    if model is None:
        return MappingProxyType({})
    return MappingProxyType(
        {key: value for key, value in model.model_dump().items() if value is not None}
    )


def _read_checklists(
    data: dict[str, Any], source: str = CHECKLISTS_FILE
) -> tuple[dict[str, Job], dict[str, Checklist]]:
    model = _validate(ChecklistsFile, data, source)
    jobs = _jobs(model.jobs)
    checklists = {kind.value: _checklist(kind, getattr(model, kind), jobs) for kind in SessionKind}
    return jobs, checklists


def _read_templates(
    data: dict[str, Any], source: str = TEMPLATES_FILE
) -> dict[str, FeedbackTemplate]:
    templates: dict[str, FeedbackTemplate] = {}
    for template_id, value in data.items():
        _check_id(source, template_id, template_id)
        model = _validate(TemplateModel, value, source, (template_id,))
        templates[template_id] = _template(template_id, model)
    _require(source, templates, REQUIRED_TEMPLATES, "")
    return templates


def _read_coaching(
    data: dict[str, Any], source: str = COACHING_FILE
) -> tuple[dict[str, CoachingTopic], dict[str, SkillPrompt], Progress]:
    topics_raw = data.get("topics")
    if isinstance(topics_raw, dict):
        for topic_id in topics_raw:
            _check_id(source, topic_id, f"topics.{topic_id}")
        if len(topics_raw) > CHOICES_MAX:
            raise ContentError(
                source,
                "topics",
                f"has {len(topics_raw)} entries, at most {CHOICES_MAX}",
                "too_many",
                count=len(topics_raw),
                high=CHOICES_MAX,
            )
    model = _validate(CoachingFile, data, source)
    topics = {
        topic_id: CoachingTopic(
            id=topic_id,
            title=raw.title,
            job=raw.job,
            moves=tuple(raw.moves),
            question=raw.question,
            pitfall=raw.pitfall,
            for_start=_for_start(raw.for_start),
        )
        for topic_id, raw in model.topics.items()
    }
    _require(source, topics, REQUIRED_TOPICS, "topics")
    skills = {
        skill_id: SkillPrompt(
            id=skill_id,
            title=raw.title,
            prompt=raw.prompt,
            try_this=raw.try_this,
            for_start=_for_start(raw.for_start),
        )
        for skill_id in SKILLS
        for raw in (getattr(model.skills, skill_id),)
    }
    earliest, latest = model.progress.presentation_lead_weeks
    progress = Progress(
        presentation_lead_weeks=(earliest, latest),
        mock_before_presentation=model.progress.mock_before_presentation,
        advice=model.progress.advice,
    )
    return topics, skills, progress


# --- One entry from a server (moderators' own checklists and templates) ---------------------

CHECKLIST_ENTRY = "checklist"
TEMPLATE_ENTRY = "feedback template"
TABLE_NAME = "the table name"
_ENTRY_SOURCES = {
    CHECKLIST_ENTRY: "content_errors.source_checklist",
    TEMPLATE_ENTRY: "content_errors.source_template",
}
_PLACES = {"": "content_errors.the_file", TABLE_NAME: "content_errors.the_table_name"}


def _one_entry(text: str, name: str, example: str) -> tuple[str, object]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        problem = f"not valid TOML: {error}"
        raise ContentError(name, None, problem, "not_toml", detail=str(error)) from None
    if len(data) != 1:
        found = ", ".join(repr(key) for key in data)
        problem = f"holds {found or 'nothing'}, expected exactly one table such as [{example}]"
        code = "one_table" if found else "no_table"
        raise ContentError(name, "", problem, code, found=found, example=example)
    [(key, value)] = data.items()
    return key, value


def parse_template(text: str, language: str | None = None) -> FeedbackTemplate:
    """Read one feedback template, a `[id]` table as in `feedback_templates.toml`.

    Raise ContentError naming the bad field, with the same checks as the built-in file. The
    texts read in `language` when the entry has `[id.translations.<language>]`.
    """
    template_id, value = _one_entry(text, TEMPLATE_ENTRY, "my_template")
    _check_id(TEMPLATE_ENTRY, template_id, template_id)
    model = _validate(TemplateModel, value, TEMPLATE_ENTRY, (template_id,))
    return _template(template_id, model, language)


def parse_checklist(
    text: str, jobs: Mapping[str, Job] | None = None, language: str | None = None
) -> Checklist:
    """Read one checklist, a `[kind]` table as in `checklists.toml` (sections use `jobs`).

    Raise ContentError naming the bad field, with the same checks as the built-in file. The
    texts read in `language` when the entry has `[kind.translations.<language>]`.
    """
    kind, value = _one_entry(text, CHECKLIST_ENTRY, "regular")
    if kind not in set(SessionKind):
        raise ContentError(
            CHECKLIST_ENTRY,
            TABLE_NAME,
            f"is {kind!r}, expected one of: " + ", ".join(SessionKind),
            "choice",
            value=repr(kind),
            options=", ".join(SessionKind),
        )
    model = _validate(ChecklistModel, value, CHECKLIST_ENTRY, (kind,))
    return _checklist(kind, model, content(language).jobs if jobs is None else jobs, language)


def languages(folder: Path = DATA_DIR) -> list[str]:
    """Return the languages the content is written in: the folders of `folder` (read once)."""
    return list(_languages_in(folder))


@functools.cache
def _languages_in(folder: Path) -> tuple[str, ...]:
    return tuple(sorted(path.name for path in folder.iterdir() if path.is_dir()))


def load_content(folder: Path = DATA_DIR, language: str = FALLBACK_LANGUAGE) -> Content:
    """Read and check the three content files of one language; raise ContentError on any fault.

    `folder` holds one folder per language (`folder/<language>/*.toml`).
    """
    where = folder / language
    jobs, checklists = _read_checklists(
        _read_toml(where, CHECKLISTS_FILE), f"{language}/{CHECKLISTS_FILE}"
    )
    templates = _read_templates(_read_toml(where, TEMPLATES_FILE), f"{language}/{TEMPLATES_FILE}")
    topics, skills, progress = _read_coaching(
        _read_toml(where, COACHING_FILE), f"{language}/{COACHING_FILE}"
    )
    log.debug(
        "loaded %s content: %d checklists, %d templates, %d topics, %d skills",
        language,
        len(checklists),
        len(templates),
        len(topics),
        len(skills),
    )
    return Content(
        language=language,
        jobs=MappingProxyType(jobs),
        checklists=MappingProxyType(checklists),
        templates=MappingProxyType(templates),
        topics=MappingProxyType(topics),
        skills=MappingProxyType(skills),
        progress=progress,
    )


@functools.cache
def _content_in(language: str) -> Content:
    return load_content(DATA_DIR, language)


def content(language: str | None = None) -> Content:
    """Return the built-in content in `language` (English when it has no folder), read once."""
    if language is None or language not in languages():
        language = FALLBACK_LANGUAGE
    return _content_in(language)


def checklist_for(
    kind: str,
    *,
    last_no_show: bool,
    has_open_steps: bool,
    first_session: bool,
    presentation_soon: bool,
    starting_point: str | None = None,
    language: str | None = None,
) -> list[tuple[Section, list[ChecklistItem]]]:
    """Return the built-in checklist for a session kind, filtered by the session's conditions."""
    return content(language).checklist_for(
        kind,
        last_no_show=last_no_show,
        has_open_steps=has_open_steps,
        first_session=first_session,
        presentation_soon=presentation_soon,
        starting_point=starting_point,
    )


def template(template_id: str, /, language: str | None = None) -> FeedbackTemplate:
    """Return a built-in feedback template by id."""
    return content(language).template(template_id)


def topic(topic_id: str, /, language: str | None = None) -> CoachingTopic:
    """Return a built-in coaching topic by id."""
    return content(language).topic(topic_id)


def skill(skill_id: str, /, language: str | None = None) -> SkillPrompt:
    """Return a built-in skill prompt by id."""
    return content(language).skill(skill_id)
