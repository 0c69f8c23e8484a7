"""Check request bodies against Discord's own OpenAPI description, when it is present."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import ValidationError, best_match

from sandbox.models import Json

log = logging.getLogger(__name__)

ENV_VAR = "MENTOR_COACH_DISCORD_SPEC"
_REPO = Path(__file__).resolve().parents[1]
_warned = False


def locate_spec() -> Path | None:
    """Return the OpenAPI file from the environment or beside the repository, if it exists."""
    configured = os.environ.get(ENV_VAR)
    candidate = (
        Path(configured) if configured else _REPO.parent / "shared/discord-api-spec/openapi.json"
    )
    return candidate if candidate.is_file() else None


@cache
def _load(path: Path) -> Json:
    with path.open(encoding="utf-8") as handle:
        document: Json = json.load(handle)
    return document


_draft_type = Draft202012Validator.VALIDATORS["type"]


def _type_allowing_int_snowflakes(validator: Any, types: Any, instance: Any, schema: Json) -> Any:
    """Accept an integer where the spec wants a snowflake string (discord.py sends ints)."""
    if (
        isinstance(instance, int)
        and not isinstance(instance, bool)
        and instance >= 0
        and schema.get("format") == "snowflake"
    ):
        return
    errors: Iterator[ValidationError] = _draft_type(validator, types, instance, schema)
    yield from errors


SpecValidator = validators.extend(Draft202012Validator, {"type": _type_allowing_int_snowflakes})


def stringify_snowflakes(value: Any) -> Any:
    """Return ``value`` with integer snowflakes turned into strings, as the spec types them."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value > 2**32:
        return str(value)
    if isinstance(value, list):
        return [stringify_snowflakes(v) for v in value]
    if isinstance(value, dict):
        return {k: stringify_snowflakes(v) for k, v in value.items()}
    return value


class SpecChecker:
    """Validate JSON request bodies against the operation's ``requestBody`` schema."""

    def __init__(self, path: Path | None = None, *, enabled: bool = True) -> None:
        global _warned
        self.path = path if path is not None else locate_spec()
        self.enabled = enabled and self.path is not None
        self._validators: dict[tuple[str, str], Any] = {}
        if enabled and self.path is None and not _warned:
            _warned = True
            log.warning(
                "Discord OpenAPI spec not found (set %s or put it in ../shared/discord-api-spec/): "
                "request bodies are NOT checked against the spec",
                ENV_VAR,
            )

    def _validator(self, method: str, route: str) -> Any:
        key = (method, route)
        if key in self._validators:
            return self._validators[key]
        validator = None
        if self.path is not None:
            document = _load(self.path)
            operation = document.get("paths", {}).get(route, {}).get(method.lower(), {})
            content = operation.get("requestBody", {}).get("content", {})
            schema = content.get("application/json", {}).get("schema")
            if schema is not None:
                root = {**schema, "components": document.get("components", {})}
                validator = SpecValidator(root)
        self._validators[key] = validator
        return validator

    def check(self, method: str, route: str, body: Any) -> list[tuple[list[str], str]]:
        """Return ``(path, message)`` for each mismatch; empty when fine or unchecked."""
        if not self.enabled or body is None:
            return []
        try:
            validator = self._validator(method, route)
            if validator is None:
                return []
            errors = list(validator.iter_errors(stringify_snowflakes(body)))
        except Exception:  # the spec is a preview: never crash on it
            log.exception("could not check %s %s against the spec", method, route)
            return []
        if not errors:
            return []
        best = best_match(errors)
        if best is None:
            return []
        path = [str(p) for p in best.absolute_path]
        return [(path, best.message[:300])]
