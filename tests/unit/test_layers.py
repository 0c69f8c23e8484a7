"""The layers hold: cogs read and write through services, and no cog imports another.

import-linter checks who imports whom; this test checks *what* a cog takes from storage: its
types (row dataclasses, enums, unions of them) and UPPER_CASE constants, never a function.
"""

from __future__ import annotations

import ast
import importlib
import re
import tomllib
import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
COGS = ROOT / "cogs"
STORAGE = "bot.storage"
CONSTANT = re.compile(r"[A-Z][A-Z0-9_]*")


def _is_storage(module: str) -> bool:
    return module == STORAGE or module.startswith(STORAGE + ".")


def _is_type_or_constant(module: str, name: str) -> bool:
    """Tell whether `module.name` is a type or an UPPER_CASE constant (not a function)."""
    if CONSTANT.fullmatch(name):
        return True
    value = getattr(importlib.import_module(module), name, None)
    return isinstance(value, type | types.UnionType)


def _forbidden(module: str, name: str) -> bool:
    """Tell whether `from module import name` takes from storage more than a type or constant."""
    if module == "bot":
        return name == "storage"
    if not _is_storage(module):
        return False
    return module == STORAGE or not _is_type_or_constant(module, name)


def violations(source: str, path: str) -> list[str]:
    """List the storage imports in a cog's `source` other than types and constants."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source, path)):
        if isinstance(node, ast.Import):
            found += [
                f"{path}:{node.lineno}: import {alias.name}"
                for alias in node.names
                if _is_storage(alias.name)
            ]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found += [
                f"{path}:{node.lineno}: from {node.module} import {alias.name}"
                for alias in node.names
                if _forbidden(node.module, alias.name)
            ]
    return found


def _cog_files() -> list[Path]:
    return sorted(COGS.rglob("*.py"))


def test_cogs_take_only_types_and_constants_from_storage() -> None:
    found = []
    for file in _cog_files():
        found += violations(file.read_text(), file.relative_to(ROOT).as_posix())
    assert found == [], "reads and writes go through bot/services:\n" + "\n".join(found)


@pytest.mark.parametrize(
    "source",
    [
        "from bot.storage import sessions as session_store",
        "from bot.storage.sessions import get_session_view",
        "from bot.storage.guild_config import SettingValue, get_config",
        "import bot.storage.notes",
        "from bot import storage",
        "def later():\n    from bot.storage.notes import latest_titles",
    ],
)
def test_a_storage_function_or_module_in_a_cog_is_caught(source: str) -> None:
    assert violations(source, "cogs/example.py") != []


def test_types_and_constants_from_storage_pass() -> None:
    source = (
        "from bot.storage.sessions import Session, SessionView\n"
        "from bot.storage.notes import TITLE_MAX, Note\n"
        "from bot.storage.guild_config import SettingValue\n"
        "from bot.storage.expertise import ProjectStance\n"
        "from bot.services import sessions\n"
    )
    assert violations(source, "cogs/example.py") == []


def test_every_cog_is_in_the_independence_contract() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    [contract] = [
        c
        for c in config["tool"]["importlinter"]["contracts"]
        if c["type"] == "independence" and any(m.startswith("cogs.") for m in c["modules"])
    ]
    cogs = {
        f"cogs.{path.stem}"
        for path in COGS.iterdir()
        if (path.suffix == ".py" and path.stem != "__init__") or (path / "__init__.py").exists()
    }
    assert set(contract["modules"]) == cogs
