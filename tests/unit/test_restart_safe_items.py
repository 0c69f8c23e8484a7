"""Every restart-safe component goes through the one base that drops, bounds and answers."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from types import ModuleType

import discord

import bot
import cogs
from bot.ui import RestartSafeItem


def _modules(package: ModuleType) -> list[ModuleType]:
    prefix = package.__name__ + "."
    names = [info.name for info in pkgutil.walk_packages(package.__path__, prefix)]
    return [importlib.import_module(name) for name in names if not name.endswith("__main__")]


def dynamic_items(modules: list[ModuleType]) -> list[type]:
    """Return the dynamic items (restart-safe components) each module defines."""
    return [
        value
        for module in modules
        for _, value in inspect.getmembers(module, inspect.isclass)
        if issubclass(value, discord.ui.DynamicItem) and value.__module__ == module.__name__
    ]


def strays(modules: list[ModuleType]) -> list[str]:
    """Name the dynamic items that do not go through `RestartSafeItem`."""
    return sorted(
        item.__qualname__
        for item in dynamic_items(modules)
        if not issubclass(item, RestartSafeItem)
    )


def test_every_dynamic_item_of_the_bot_is_a_restart_safe_item() -> None:
    modules = [*_modules(bot), *_modules(cogs)]
    assert len(dynamic_items(modules)) >= 15  # buttons, selects, confirmations
    assert strays(modules) == []


def test_a_dynamic_item_beside_the_base_is_named() -> None:
    fake = ModuleType("fake_cog")

    class Stray(discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=r"stray"):
        pass

    Stray.__module__ = fake.__name__
    fake.Stray = Stray  # type: ignore[attr-defined]
    assert strays([fake]) == ["test_a_dynamic_item_beside_the_base_is_named.<locals>.Stray"]
